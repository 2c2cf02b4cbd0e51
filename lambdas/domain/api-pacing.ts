/**
 * Pacing of the fleet's runs (docs/fleet.md, "API pacing"). Runs that start together would make
 * their reads in the same second: every alarm of a region-wide event fires in the same minute, and
 * each run reads its stream, application and metrics at once. Each fleet slot therefore owns a
 * residue class of the clock's seconds, and a run waits, before its first read, for the next second
 * its slot owns. At most `runsPerSecond` slots share a class, sized so that their reads together stay
 * within the headroom of the tightest documented per-account limit (api-rate-limits.ts).
 */
import { DOCUMENTED_API_LIMITS, type RateLimitedApi } from './api-rate-limits';

/** The share of a documented rate the fleet's runs may use: the rest is left to the account's other tools. */
export const PACING_HEADROOM = 0.8;

/**
 * The most calls one run makes to each API within one second when nothing throttles it: its
 * assessment (two ListMetrics, one GetMetricData, one DescribeStreamSummary and one
 * DescribeApplication) followed at once by its first step's own describe and change, or a status
 * check. Measured over every built-in scenario (`npm run bench:storm` checks the storm's targets
 * against it). Retries of a throttled call are not planned for: they are spread by the retriers'
 * jitter and slowed by the SDK's adaptive mode.
 */
export const RUN_CALLS_PER_SECOND: Readonly<Partial<Record<RateLimitedApi, number>>> = {
  DescribeStreamSummary: 2,
  UpdateShardCount: 1,
  IncreaseStreamRetentionPeriod: 1,
  GetMetricData: 1,
  ListMetrics: 2,
  DescribeApplication: 2,
  UpdateApplication: 1,
  RollbackApplication: 1,
  Publish: 1,
};

export interface PacingBudget {
  /** Runs whose reads may share one second. */
  readonly runsPerSecond: number;
  /** The API that sets it: the tightest documented per-second, per-account limit for a run's calls. */
  readonly api: RateLimitedApi;
}

/** How many runs may read in the same second, and which documented limit decides it. */
export function pacingBudget(): PacingBudget {
  let tightest: PacingBudget | undefined;
  for (const [api, calls] of Object.entries(RUN_CALLS_PER_SECOND) as [RateLimitedApi, number][]) {
    const limit = DOCUMENTED_API_LIMITS[api].limit;
    if (!limit || limit.per !== 'account' || limit.windowSeconds !== 1) continue;
    const runsPerSecond = Math.max(1, Math.floor((limit.max * PACING_HEADROOM) / calls));
    if (!tightest || runsPerSecond < tightest.runsPerSecond) tightest = { runsPerSecond, api };
  }
  if (!tightest) throw new Error('no documented per-second limit applies to a run: nothing to pace by');
  return tightest;
}

/**
 * The number of residue classes (of seconds) the fleet's slots are spread over: enough that at most
 * `runsPerSecond` of `capacity` slots share one. When `cycleSeconds` is given (the workflow's
 * fixed waits, e.g. its 30-second status checks, are multiples of it), the smallest divisor of it
 * that is enough, so a run's later calls, made whole cycles after its first read, keep to its
 * slot's seconds too; without such a divisor, just enough classes.
 */
export function paceGroups(capacity: number, cycleSeconds?: number): number {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new Error(`fleet.maxConcurrentRuns must be a positive integer, got ${capacity}`);
  }
  const needed = Math.ceil(capacity / pacingBudget().runsPerSecond);
  if (cycleSeconds !== undefined && Number.isInteger(cycleSeconds) && cycleSeconds >= needed) {
    for (let groups = needed; groups <= cycleSeconds; groups++) {
      if (cycleSeconds % groups === 0) return groups;
    }
  }
  return needed;
}

/**
 * Whole seconds a run holding fleet slot `slot` waits, from `nowMs`, before its first read: until
 * the next second (counted from the epoch) whose residue modulo `groups` is the slot's. Zero when the
 * current second is the slot's own.
 */
export function paceSeconds(slot: number, groups: number, nowMs: number): number {
  if (!Number.isInteger(slot) || slot < 0) throw new Error(`fleet slot must be a whole number, got ${slot}`);
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`pace groups must be a positive integer, got ${groups}`);
  const second = Math.floor(nowMs / 1000);
  return ((((slot % groups) - (second % groups)) % groups) + groups) % groups;
}

/**
 * The least time between two calls one caller makes to `api`, so that the caller alone keeps within
 * the headroom of the API's per-second limit (the sweep reading its alarms 100 names at a time, say).
 * Zero for an API without such a limit.
 */
export function callSpacingMs(api: RateLimitedApi): number {
  const limit = DOCUMENTED_API_LIMITS[api].limit;
  if (!limit || limit.per !== 'account' || limit.windowSeconds !== 1) return 0;
  return Math.ceil(1000 / Math.max(1, Math.floor(limit.max * PACING_HEADROOM)));
}
