/**
 * The figures of one scenario played under one policy, computed from what the world measured (its
 * minute samples, its accepted API calls and its outcome at the scenario's end), never from what a
 * policy says it did. Every rule is written down here, next to its arithmetic.
 */
import { AWS_LIMITS } from '../lambdas/domain/config';
import type { ApiCall } from '../sim/adapters';
import type { MinuteSample } from '../sim/pipeline';
import type { Scenario } from '../sim/scenario';
import type { SimWorld, WorldOutcome } from '../sim/world';
import {
  incidentFigures,
  incidentStart,
  RECOVERED_AFTER_MINUTES,
  RECOVERY_HELD_MINUTES,
  scenarioSamples,
  timeToRecover,
} from '../sim/run/figures';
import type { PlayResult, PolicyName } from './policies/policy';
import { SHRINKING_KINDS, changeKinds, helpfulKinds, type FixKind } from './policies/true-cause';
import { statedExpectation } from '../sim/scenario';

/** On-demand prices in us-east-1: a provisioned shard-hour, and a Managed Flink KPU-hour. */
export const PRICES = { shardHourUsd: 0.015, kpuHourUsd: 0.11 } as const;
/** Two changes of one resource in opposite directions this close together are an oscillation. */
export const OSCILLATION_WINDOW_MINUTES = 60;
/** How long after a scale-in its capacity must still carry the demand. */
export const SCALE_IN_WATCH_MINUTES = 60;
/** A job restarted by a scale-in gets this long to drain the backlog its restart built before it is judged. */
const RESTART_GRACE_MINUTES = 10;

const MINUTE_MS = 60_000;

// The figures simulate and its report show too are defined once, in sim/run/figures.ts.
export { incidentStart, RECOVERED_AFTER_MINUTES, RECOVERY_HELD_MINUTES, scenarioSamples, timeToRecover };

/** One row of bench/results.json. */
export interface RunFigures {
  readonly scenario: string;
  readonly policy: PolicyName;
  /** Minutes from the incident's start to the start of the final healthy stretch; null if there is none. */
  readonly ttrMinutes: number | null;
  readonly peakLagSeconds: number;
  /** Area under the lag curve: each minute's lag, in minutes, summed. */
  readonly lagMinutes: number;
  /** Producer records the stream refused (WriteProvisionedThroughputExceeded). */
  readonly throttledRecords: number;
  /** Records that reached the stream and were never processed. */
  readonly recordsLost: number;
  /** Records producers gave up on after throttling: they never reached the stream. */
  readonly producerRecordsDropped: number;
  /** Changing calls AWS accepted: UpdateShardCount, UpdateApplication, IncreaseStreamRetentionPeriod. */
  readonly apiCalls: number;
  readonly restarts: number;
  readonly downtimeSeconds: number;
  readonly costUsd: number;
  readonly wrongActions: number;
  readonly oscillations: number;
}

export interface WrongAction {
  readonly at: number;
  readonly api: string;
  readonly detail: string;
  readonly reason: string;
}

/** The figures and what the report says about them besides. */
export interface RunResult {
  readonly figures: RunFigures;
  readonly wrong: readonly WrongAction[];
  /** Accepted changing calls, for the report. */
  readonly calls: readonly ApiCall[];
  /** Samples of the scenario's duration, for the charts. */
  readonly samples: readonly MinuteSample[];
  readonly incidentStartMs: number;
}

/** Dollars for the shard-hours and KPU-hours (with the orchestration KPU) the scenario used. */
export function capacityCost(outcome: Pick<WorldOutcome, 'shardHours' | 'kpuHours'>): number {
  return outcome.shardHours * PRICES.shardHourUsd + outcome.kpuHours * PRICES.kpuHourUsd;
}

/**
 * Direction changes within an hour: for the shards and for the application's size (KPUs, then
 * parallelism), each change that goes the other way from the one before it, less than an hour
 * later, counts once. Read from the samples, so it counts Managed Flink's own autoscaling too.
 */
export function oscillations(samples: readonly MinuteSample[]): number {
  const count = (size: (s: MinuteSample) => readonly [number, number] | undefined): number => {
    let last: { t: number; direction: number } | undefined;
    let previous: readonly [number, number] | undefined;
    let total = 0;
    for (const sample of samples) {
      const now = size(sample);
      if (!now) continue;
      if (previous) {
        const direction = Math.sign(now[0] - previous[0]) || Math.sign(now[1] - previous[1]);
        if (direction !== 0) {
          if (last && direction !== last.direction && sample.t - last.t <= OSCILLATION_WINDOW_MINUTES * MINUTE_MS) {
            total += 1;
          }
          last = { t: sample.t, direction };
        }
      }
      previous = now;
    }
    return total;
  };
  return (
    count((s) => (s.shards > 0 ? [s.shards, 0] : undefined)) +
    count((s) => (s.kpus !== undefined && s.parallelism !== undefined ? [s.kpus, s.parallelism] : undefined))
  );
}

const CHANGING_APIS = new Set(['UpdateShardCount', 'UpdateApplication', 'IncreaseStreamRetentionPeriod']);

/** The changing calls AWS accepted, oldest first. */
export function acceptedChanges(world: SimWorld): ApiCall[] {
  return world.apiCalls().filter((c) => c.outcome === 'ok' && CHANGING_APIS.has(c.api));
}

function describeCall(call: ApiCall): string {
  const change = call.change;
  if (!change) return call.detail ?? call.api;
  switch (change.kind) {
    case 'shards':
      return `shards ${change.from} -> ${change.to}`;
    case 'retention':
      return `retention ${change.from} h -> ${change.to} h`;
    case 'parallelism':
      return `parallelism ${change.from.parallelism}@${change.from.parallelismPerKpu}/KPU -> ${change.to.parallelism}@${change.to.parallelismPerKpu}/KPU`;
    case 'monitoring':
      return `monitoring ${change.from.logLevel}/${change.from.metricsLevel} -> ${change.to.logLevel}/${change.to.metricsLevel}`;
  }
}

/**
 * Wrong actions: accepted changes that cannot help the scenario's true cause, or that make the
 * pipeline worse. One call counts once, for the first of these that applies:
 * 1. it changes nothing (a restart for nothing);
 * 2. it adds a kind of capacity or configuration that none of the true causes is helped by (see
 *    true-cause.ts): more shards for a slow sink, more parallelism for a hot key or DEBUG logging.
 *    One exception: more shards for a job behind on its backlog that could process faster than the
 *    shards it had serve it (the source is then the bottleneck; DESIGN.md's sizing rule);
 * 3. it restarts an application whose snapshots are off: the state, and from LATEST the backlog, is lost;
 * 4. it takes capacity away (fewer shards, less parallelism, more tasks per KPU) while the pipeline
 *    is behind or throttled, or leaves too little: within the hour after it, demand exceeds what is
 *    left (producers' demand over the shards' write limits; the stream's accepted records over the
 *    job's capacity, after ten minutes for the restart's own backlog).
 * A scale-in when nothing is wrong and the capacity left suffices is not wrong, whatever the cause.
 */
export function wrongActions(
  scenario: Scenario,
  calls: readonly ApiCall[],
  samples: readonly MinuteSample[],
  lagThresholdMs: number,
): WrongAction[] {
  const helpful = helpfulKinds(statedExpectation(scenario));
  const causes = statedExpectation(scenario).causes.join(', ') || 'none';
  const snapshotsOff = scenario.pipeline.application?.snapshotsEnabled === false;
  const appChanges = calls.filter((c) => c.change?.kind === 'parallelism' || c.change?.kind === 'monitoring');
  /** Lag, write or read throttling in a minute, leaving out the lag of a job restarted by a change just before. */
  const inTrouble = (sample: MinuteSample): boolean => {
    if (sample.throttledRecords >= 1 || sample.readThrottledCalls >= 1) return true;
    const restarted = appChanges.some((c) => c.at <= sample.t && sample.t < c.at + RESTART_GRACE_MINUTES * MINUTE_MS);
    return sample.lagMs > lagThresholdMs && !restarted;
  };
  const wrong: WrongAction[] = [];
  for (const call of calls) {
    const change = call.change;
    if (!change) continue;
    const kinds = changeKinds(change);
    const flag = (reason: string): void => {
      wrong.push({ at: call.at, api: call.api, detail: describeCall(call), reason });
    };
    if (kinds.length === 0) {
      flag('changes nothing, but restarts or reshards all the same');
      continue;
    }
    const recent = samples.filter((s) => s.t + MINUTE_MS <= call.at && s.t >= call.at - 6 * MINUTE_MS);
    const adds = kinds.filter((k) => !SHRINKING_KINDS.includes(k));
    const useless = adds.filter(
      (k) => !helpful.has(k) && !(k === 'shards-up' && sourceBound(scenario, change, call.at, samples, lagThresholdMs)),
    );
    if (useless.length > 0) {
      flag(`${useless.join(', ')} cannot help the true cause (${causes})`);
      continue;
    }
    if (snapshotsOff && (change.kind === 'parallelism' || change.kind === 'monitoring')) {
      flag('restarts an application whose snapshots are off: its state and unread backlog are lost');
      continue;
    }
    const removes = kinds.filter((k) => SHRINKING_KINDS.includes(k));
    if (removes.length === 0) continue;
    const before = recent.at(-1);
    if (before && inTrouble(before)) {
      flag(`${removes.join(', ')} while the pipeline is behind or throttled`);
      continue;
    }
    const short = scaleInShortfall(change, removes, call.at, samples);
    if (short) flag(short);
  }
  return wrong;
}

/**
 * Whether a job behind on its backlog could process faster than the shards before a reshard serve
 * a polling reader (2 MiB/s each), within the hour after the call: then the source is the
 * bottleneck and more shards help it catch up, whatever the cause. For a read-capacity cause the
 * scenario itself says whether shards help (bytes at the limit, or too many GetRecords calls).
 */
function sourceBound(
  scenario: Scenario,
  change: NonNullable<ApiCall['change']>,
  at: number,
  samples: readonly MinuteSample[],
  lagThresholdMs: number,
): boolean {
  if (change.kind !== 'shards' || statedExpectation(scenario).causes.includes('STREAM_READ_CAPACITY')) return false;
  if (scenario.pipeline.application?.efo) return false;
  const limit = change.from * AWS_LIMITS.shardReadBytesPerSecond;
  return samples.some((s) => {
    if (s.t < at - 6 * MINUTE_MS || s.t >= at + SCALE_IN_WATCH_MINUTES * MINUTE_MS || s.lagMs <= lagThresholdMs) {
      return false;
    }
    const bytesPerRecord = s.acceptedRecordsPerSecond > 0 ? s.acceptedBytesPerSecond / s.acceptedRecordsPerSecond : 0;
    return (s.appCapacityRecordsPerSecond ?? 0) * bytesPerRecord > limit;
  });
}

/** Records per second the job can carry in the world: its subtasks' capacity, or its sink's if less. */
function jobCarries(sample: MinuteSample): number {
  return Math.min(
    sample.appCapacityRecordsPerSecond ?? 0,
    sample.sinkCapacityRecordsPerSecond ?? Number.POSITIVE_INFINITY,
  );
}

function scaleInShortfall(
  change: NonNullable<ApiCall['change']>,
  removes: readonly FixKind[],
  at: number,
  samples: readonly MinuteSample[],
): string | undefined {
  const until = at + SCALE_IN_WATCH_MINUTES * MINUTE_MS;
  if (change.kind === 'shards' && removes.includes('shards-down')) {
    const records = change.to * AWS_LIMITS.shardWriteRecordsPerSecond;
    const bytes = change.to * AWS_LIMITS.shardWriteBytesPerSecond;
    const over = samples.find(
      (s) => s.t >= at && s.t < until && (s.demandRecordsPerSecond > records || s.demandBytesPerSecond > bytes),
    );
    if (over) {
      return `shards-down to ${change.to}: within the hour producers wanted more than ${change.to} shards take`;
    }
    return undefined;
  }
  const from = at + RESTART_GRACE_MINUTES * MINUTE_MS;
  // What the job could carry just before the change: a smaller job that carries more (its sink takes
  // fewer writers better) is no shortfall of the change's making, even if it still falls short.
  const before = samples.findLast((s) => s.t < at && (s.appDownSeconds ?? 0) === 0);
  const carriedBefore = before ? jobCarries(before) : Number.POSITIVE_INFINITY;
  const over = samples.find(
    (s) =>
      s.t >= from &&
      s.t < until &&
      (s.appDownSeconds ?? 0) === 0 &&
      jobCarries(s) > 0 &&
      s.acceptedRecordsPerSecond > jobCarries(s) &&
      jobCarries(s) < carriedBefore,
  );
  return over ? `${removes.join(', ')}: within the hour more records arrived than the job could process` : undefined;
}

/** Everything the report needs about one run. */
export function runResult(
  scenario: Scenario,
  policy: PolicyName,
  played: PlayResult,
  incidentStartMs: number,
): RunResult {
  const { world, outcome } = played;
  const samples = scenarioSamples(world);
  const calls = acceptedChanges(world);
  const wrong = wrongActions(scenario, calls, samples, world.policy.lagThresholdMs);
  const shared = incidentFigures(world, outcome, incidentStartMs);
  const figures: RunFigures = {
    scenario: scenario.name,
    policy,
    ttrMinutes: shared.minutesToRecover,
    peakLagSeconds: shared.peakLagSeconds,
    lagMinutes: Math.round(outcome.lagMinutes * 10) / 10,
    throttledRecords: Math.round(outcome.throttledRecords),
    recordsLost: shared.recordsLost,
    producerRecordsDropped: shared.producerRecordsDropped,
    apiCalls: outcome.actions.length,
    restarts: outcome.appRestarts,
    downtimeSeconds: Math.round(outcome.appDowntimeSeconds),
    costUsd: Math.round(capacityCost(outcome) * 1000) / 1000,
    wrongActions: wrong.length,
    oscillations: oscillations(samples),
  };
  return { figures, wrong, calls, samples, incidentStartMs };
}
