/**
 * Whether StreamMedic's last parallelism scale-up of an application raised its throughput, read from
 * the ledger (when, from what, to what) and the metric window (numRecordsInPerSecond before and after).
 * FLIP-271's ineffective-scaling check: a job that processes no more after more subtasks is limited by
 * something parallelism does not change (a skewed key, a slow sink, an external quota), so scaling it
 * again only restarts it again; a person must look.
 */
import { effectiveParallelism } from './key-groups';
import { METRICS } from './metric-catalog';
import { meanOf, type MetricWindow } from './metric-window';
import { applicationResource, type LedgerEntry } from './model';

/** Share of the expected throughput gain below which a scale-up counts as ineffective (FLIP-271 uses 10%). */
export const INEFFECTIVE_GAIN_SHARE = 0.1;

/** Lag (ms) under which a rise is noise, not a job falling behind. */
const RISING_LAG_FLOOR_MS = 1000;

export interface IneffectiveScaling {
  readonly entry: LedgerEntry;
  readonly beforePerSecond: number;
  readonly afterPerSecond: number;
  readonly expectedPerSecond: number;
}

export interface ScalingEffectInput {
  readonly applicationName: string;
  readonly ledger: readonly LedgerEntry[];
  readonly window: MetricWindow;
  /** Minutes of gauge that describe a rate (the policy's nowMinutes). */
  readonly nowMinutes: number;
  /** Seconds the update keeps the job down: the minutes after a change that say nothing about its effect. */
  readonly restartSeconds: number;
  /** Lag (ms) past which the job is behind: a job that keeps up processes what arrives, whatever its size. */
  readonly lagThresholdMs: number;
  /** The key groups a keyed job's subtasks share: more subtasks add only what the busiest one's share allows. */
  readonly keyGroups?: number;
}

/**
 * The last scale-up of the application, when it raised the processed rate by less than
 * {@link INEFFECTIVE_GAIN_SHARE} of what the added subtasks should have added. Only judged on a job
 * that was behind both before the change and now, so that what it processed is what it can process:
 * a job that keeps up processes what arrives, whatever its size. Undefined when there is no such
 * scale-up or the window cannot tell (the minutes after the change have left it).
 */
export function ineffectiveScaleUp(input: ScalingEffectInput): IneffectiveScaling | undefined {
  const resource = applicationResource(input.applicationName);
  const last = [...input.ledger]
    .filter((e) => e.resource === resource && e.actionType === 'UpdateApplicationParallelism')
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
    .at(-1);
  if (!last || last.direction !== 'up' || last.from === undefined || last.to === undefined) return undefined;
  if (!(last.from > 0) || last.to <= last.from) return undefined;
  const view = input.window.pick(METRICS.recordsInPerSecond, input.applicationName);
  if (!view) return undefined;
  const changedAt = Date.parse(last.at);
  const span = input.nowMinutes * 60_000;
  const settledFrom = changedAt + input.restartSeconds * 1000 + 60_000;
  // The change is judged by the minutes right after it settled: a job that later slows for another
  // reason (a deployment an hour on) says nothing about whether that scale-up raised throughput.
  const afterFrom = settledFrom;
  const afterTo = Math.min(input.window.end, settledFrom + span);
  if (afterTo - afterFrom < 60_000) return undefined;
  const lag = input.window.pick(METRICS.millisBehindLatest, input.applicationName)?.series.points ?? [];
  const lagBefore = lag.filter((p) => p.t < changedAt && p.t >= changedAt - span);
  const lagAfter = lag.filter((p) => p.t >= afterFrom && p.t <= afterTo);
  // Behind: past the lag threshold, or falling further behind (processing less than arrives).
  const behind = (points: readonly { v: number }[]): boolean =>
    points.length > 0 &&
    (points.every((p) => p.v > input.lagThresholdMs) ||
      (points.length >= 2 && points.at(-1)!.v > points[0]!.v && points.at(-1)!.v >= RISING_LAG_FLOOR_MS));
  if (!behind(lagBefore) || !behind(lagAfter)) return undefined;
  const points = view.series.points;
  const before = meanOf(points.filter((p) => p.t < changedAt && p.t >= changedAt - span));
  const after = meanOf(points.filter((p) => p.t >= afterFrom && p.t <= afterTo));
  if (before === undefined || after === undefined || !(before > 0)) return undefined;
  const expected =
    before * (effectiveParallelism(last.to, input.keyGroups) / effectiveParallelism(last.from, input.keyGroups));
  const gain = after - before;
  if (gain >= (expected - before) * INEFFECTIVE_GAIN_SHARE) return undefined;
  return { entry: last, beforePerSecond: before, afterPerSecond: after, expectedPerSecond: expected };
}
