/**
 * The arithmetic of the storm benchmark (bench/storm.ts), kept pure so it can be tested apart from
 * the simulator: how many fleet slots are held at an instant, which of the runs starting together
 * get one, and the peak call rate of an API in fixed 1-second buckets and over a limit's own window.
 */
import type { ApiRateLimit } from '../lambdas/domain/api-rate-limits';

/** A run holding a fleet slot from `from` (inclusive) to `to` (exclusive), epoch ms. */
export interface SlotHold {
  readonly from: number;
  readonly to: number;
  /** The slot's index, where the composition decided it (a target's first run); else any free one. */
  readonly slot?: number;
}

/** One call to AWS on the fleet's timeline; `resource` is what a per-resource limit counts by. */
export interface TimedCall {
  readonly at: number;
  readonly api: string;
  readonly resource: string;
}

/** A documented limit on an API's calls (lambdas/domain/api-rate-limits.ts holds them). */
export type ApiLimit = ApiRateLimit;

/** Slots held at `at`: a slot taken at `at` counts, one given back at `at` does not. */
export function slotsHeldAt(holds: readonly SlotHold[], at: number): number {
  return holds.filter((hold) => hold.from <= at && at < hold.to).length;
}

/**
 * The indexes of the slots free at `at`, lowest first: a hold with a known index takes that one, the
 * others take the lowest indexes left, as the in-memory slots hand them out.
 */
export function freeSlotIndexes(holds: readonly SlotHold[], at: number, capacity: number): number[] {
  const live = holds.filter((hold) => hold.from <= at && at < hold.to);
  const taken = new Set(live.flatMap((hold) => (hold.slot === undefined ? [] : [hold.slot])));
  const free = Array.from({ length: capacity }, (_, index) => index).filter((index) => !taken.has(index));
  return free.slice(live.filter((hold) => hold.slot === undefined).length);
}

/**
 * Runs that start at one instant, each trying for a slot: the first `free` take one (in the order
 * given, the order their lock tasks reach the table), the rest are turned away as fleet-busy.
 */
export function admitByFreeSlots<T>(
  candidates: readonly T[],
  capacity: number,
  held: number,
): { readonly admitted: T[]; readonly turnedAway: T[] } {
  const free = Math.max(0, capacity - held);
  return { admitted: candidates.slice(0, free), turnedAway: candidates.slice(free) };
}

/** The most calls in one 1-second bucket (calls at ms 0..999 of a second share its bucket). */
export function peakPerSecond(times: readonly number[]): number {
  const buckets = new Map<number, number>();
  let peak = 0;
  for (const at of times) {
    const second = Math.floor(at / 1000);
    const count = (buckets.get(second) ?? 0) + 1;
    buckets.set(second, count);
    peak = Math.max(peak, count);
  }
  return peak;
}

/** The most calls in any window of `windowMs` (sliding: [t, t + windowMs) for every call's t). */
export function peakInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while (sorted[last]! - sorted[first]! >= windowMs) first++;
    peak = Math.max(peak, last - first + 1);
  }
  return peak;
}

/** An API's calls against its limit: the peak in 1-second buckets, and within the limit's own window. */
export interface ApiRate {
  readonly api: string;
  readonly calls: number;
  readonly peakPerSecond: number;
  /** Peak within the limit's window, per account or per the busiest resource; absent without a limit. */
  readonly peakInLimitWindow?: number;
  readonly verdict: 'PASS' | 'FAIL' | 'NO CONFIRMED LIMIT';
}

export function apiRate(api: string, calls: readonly TimedCall[], limit: ApiLimit | undefined): ApiRate {
  const mine = calls.filter((call) => call.api === api);
  const perSecond = peakPerSecond(mine.map((call) => call.at));
  if (!limit) return { api, calls: mine.length, peakPerSecond: perSecond, verdict: 'NO CONFIRMED LIMIT' };
  const windowMs = limit.windowSeconds * 1000;
  let peak: number;
  if (limit.per === 'account') {
    peak = peakInWindow(
      mine.map((call) => call.at),
      windowMs,
    );
  } else {
    const byResource = new Map<string, number[]>();
    for (const call of mine) byResource.set(call.resource, [...(byResource.get(call.resource) ?? []), call.at]);
    peak = Math.max(0, ...[...byResource.values()].map((times) => peakInWindow(times, windowMs)));
  }
  return {
    api,
    calls: mine.length,
    peakPerSecond: perSecond,
    peakInLimitWindow: peak,
    verdict: peak <= limit.max ? 'PASS' : 'FAIL',
  };
}

/** A change the composed fleet made: when its apply step recorded it, and which target made it. */
export interface FleetChangeMark {
  readonly at: number;
  readonly target: number;
}

/**
 * The fleet's other changes a play's log shows at `now` to a read of those since `from`: the seeded
 * fleet's changes recorded in [from, now), less the play's own among them (`own`, which its log holds
 * already). One recorded at `now` itself is not shown: runs deciding in the same instant do not see
 * each other's changes, the worst case of the ledger's eventually consistent read.
 */
export function otherChangesShown(
  seeded: readonly number[],
  own: readonly number[],
  from: number,
  now: number,
): number[] {
  const left = [...own];
  return seeded.filter((at) => {
    if (at < from || at >= now) return false;
    const mine = left.indexOf(at);
    if (mine === -1) return true;
    left.splice(mine, 1);
    return false;
  });
}

/**
 * Whether a play seeded with the fleet's changes `seeded` held, before `at`, exactly the changes the
 * fleet had made by then (`made`): if so a run deciding at `at` decided on the fleet's true count.
 */
export function sawTheFleetAsItWas(seeded: readonly number[], made: readonly number[], at: number): boolean {
  const early = seeded.filter((time) => time < at);
  const madeEarly = made.filter((time) => time < at);
  return early.length === madeEarly.length && early.every((time, k) => time === madeEarly[k]);
}

/** The targets' next changes that fall at the earliest instant among them: the fleet's next changes. */
export function nextFleetChanges(candidates: readonly FleetChangeMark[]): FleetChangeMark[] {
  const first = Math.min(...candidates.map((candidate) => candidate.at));
  return candidates.filter((candidate) => candidate.at === first);
}
