/**
 * The scale-back after an incident's traffic has passed. A spike is answered with a scale-up sized
 * for the spike; once the traffic has fallen back to its level before the incident and stayed there
 * for the recent window with no lag and no throttling, the capacity the scale-up added is taken back
 * to what the input now needs, without waiting for the scale-in's two-hour quiet window. The
 * scale-in cooldown still holds it (no resource is scaled back within `cooldownDownMinutes` of its
 * last change), as Flink's autoscaler holds a scale-down for its scale-down interval.
 */
import { effectiveParallelism, parallelismCarrying } from './key-groups';
import { STEADY_TREND_R2, fitLine, inputPerSecond } from './input-trend';
import { METRICS } from './metric-catalog';
import { changesOf } from './ledger-intents';
import { medianOf, since, type MetricWindow, type Point } from './metric-window';
import type { LedgerEntry } from './model';
import type { Policy } from './policy';

/** The traffic must have risen at least this much over its level before the scale-up for the incident to be the traffic's. */
export const INCIDENT_RISE_FACTOR = 1.25;
/** Traffic back under this share of its level before the scale-up has fallen back (room for the traffic's own noise). */
export const FALLEN_BACK_FACTOR = 1.1;

/** A scale-up StreamMedic made that no later change of the resource has undone. */
export interface OutstandingScaleUp {
  /** The size before the first of the scale-ups in a row: what the resource had before the incident. */
  readonly before: number;
  /** The size the last scale-up went to. */
  readonly to: number;
  /** ISO-8601 time of the first scale-up in the row. */
  readonly firstAt: string;
  /** ISO-8601 time of the last one. */
  readonly lastAt: string;
}

/**
 * The scale-up still on a resource (`stream/<name>` or `application/<name>`), read from the ledger:
 * its last size change up to `now` was StreamMedic's scale-up (not a revert). Consecutive scale-ups
 * (a reshard's calls, a second round) count as one, from the size before the first of them.
 */
export function outstandingScaleUp(
  ledger: readonly LedgerEntry[],
  resource: string,
  now: number,
): OutstandingScaleUp | undefined {
  const changes = changesOf(ledger)
    .filter(
      (e) =>
        e.resource === resource &&
        (e.actionType === 'UpdateShardCount' || e.actionType === 'UpdateApplicationParallelism') &&
        e.from !== undefined &&
        e.to !== undefined &&
        e.from !== e.to &&
        Date.parse(e.at) <= now,
    )
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const last = changes.at(-1);
  if (!last || last.direction !== 'up' || last.kind === 'revert') return undefined;
  let first = last;
  for (let i = changes.length - 2; i >= 0; i -= 1) {
    const entry = changes[i]!;
    if (entry.direction !== 'up' || entry.kind === 'revert') break;
    first = entry;
  }
  return { before: first.from!, to: last.to!, firstAt: first.at, lastAt: last.at };
}

/**
 * Whether the sweep still asks after a scale-up: from the first sweep after the scale-in cooldown that
 * follows its last call (nothing can be scaled back sooner) for one scale-in window. Past that, the ordinary scale-in,
 * started by the low-utilisation alarms, reads the quiet window instead.
 */
export function scaleBackFollowedUp(
  scaleUp: OutstandingScaleUp,
  now: number,
  policy: Pick<Policy, 'cooldownDownMinutes' | 'scaleInWindowMinutes'>,
): boolean {
  const from = Date.parse(scaleUp.lastAt) + policy.cooldownDownMinutes * 60_000;
  return now > from && now <= from + policy.scaleInWindowMinutes * 60_000;
}

/** What the traffic did around a scale-up, read from the metric window. */
export interface TrafficAfterScaleUp {
  /** Records/s before the scale-up: the median of the `recentMinutes` before its first call. */
  readonly before: number;
  /** The highest records/s from then on. */
  readonly peak: number;
  /** The highest records/s over the last `recentMinutes`. */
  readonly recentPeak: number;
  /** The input fell back after the scale-up and rose again: waves, not an incident that has passed. */
  readonly recurring?: true;
  /** The incident was the traffic's (it rose by {@link INCIDENT_RISE_FACTOR} or more), came once, and has fallen back. */
  readonly passed: boolean;
}

/**
 * Whether the incident's traffic has passed: the input rose well above its level before the scale-up
 * and has stayed back near that level over the whole recent window. Undefined when the window does
 * not reach back before the scale-up, or the input is not published.
 */
export function trafficAfterScaleUp(
  window: MetricWindow,
  names: { readonly streamName?: string; readonly applicationName?: string },
  scaleUp: Pick<OutstandingScaleUp, 'firstAt'>,
  policy: Pick<Policy, 'recentMinutes'>,
): TrafficAfterScaleUp | undefined {
  const points = inputPerSecond(window, names);
  const upAt = Date.parse(scaleUp.firstAt);
  const beforeFrom = upAt - policy.recentMinutes * 60_000;
  const recentFrom = window.end - policy.recentMinutes * 60_000;
  const beforePoints = points.filter((p) => p.t >= beforeFrom && p.t < upAt);
  // Half the minutes before the scale-up at least: a level read from a few points is no level.
  if (beforePoints.length < policy.recentMinutes / 2) return undefined;
  const before = medianOf(beforePoints.map((p) => p.v));
  const after = since(points, upAt);
  const recent = since(points, recentFrom);
  if (before === undefined || !(before > 0) || after.length === 0 || recent.length < policy.recentMinutes / 2) {
    return undefined;
  }
  const peak = Math.max(...after.map((p) => p.v));
  const recentPeak = Math.max(...recent.map((p) => p.v));
  const recurring = roseAgainAfterFalling(after, before);
  return {
    before,
    peak,
    recentPeak,
    ...(recurring ? { recurring } : {}),
    passed: !recurring && peak >= before * INCIDENT_RISE_FACTOR && recentPeak <= before * FALLEN_BACK_FACTOR,
  };
}

/**
 * Whether the input, after the scale-up, fell back to its level before and then rose well above it
 * again: traffic that comes in waves (batches every hour, say), not an incident that has passed. A
 * scale-back in each trough would restart the job twice a wave; the ordinary scale-in, with its quiet
 * window, judges such traffic instead.
 */
function roseAgainAfterFalling(points: readonly Point[], before: number): boolean {
  let fell = false;
  for (const point of points) {
    if (point.v <= before * FALLEN_BACK_FACTOR) fell = true;
    else if (fell && point.v >= before * INCIDENT_RISE_FACTOR) return true;
  }
  return false;
}

/** How the job's CPU rises with the records it processes, at the parallelism it has now. */
export interface CpuLoadLine {
  /** CPU (%) with nothing to process: the JVM, checkpoints, the metrics themselves. */
  readonly idlePercent: number;
  /** CPU (%) each record/s adds. */
  readonly percentPerRecordPerSecond: number;
  /** The most records/s the job processed over the recent window. */
  readonly recentPeakProcessed: number;
}

/** Fewer paired minutes than this fit no line worth trusting. */
const MIN_LOAD_POINTS = 6;
/** The loads must span at least this ratio for the line's slope and its idle CPU to mean anything. */
const MIN_LOAD_SPREAD = 2;

/**
 * A line through the job's CPU against the records it processed, minute by minute since `from` (once
 * it runs at the size it has now): container CPU is an idle share plus a share per record, so a nearly
 * idle job's CPU over-states its load, and sizing from it keeps a job that was scaled up for a spike
 * at about twice the size its traffic now needs. Undefined unless the loads span a wide range and the
 * line explains them (R² of at least {@link STEADY_TREND_R2}) with a positive slope.
 */
export function cpuLoadLine(
  window: MetricWindow,
  applicationName: string,
  from: number,
  recentFrom: number,
): CpuLoadLine | undefined {
  const cpu = window.pick(METRICS.containerCpu, applicationName) ?? window.pick(METRICS.cpu, applicationName);
  const processed = window.pick(METRICS.recordsInPerSecond, applicationName);
  if (!cpu || !processed) return undefined;
  const cpuAt = new Map(since(cpu.series.points, from).map((p) => [p.t, p.v]));
  const pairs = since(processed.series.points, from).flatMap((p) => {
    const c = cpuAt.get(p.t);
    return c === undefined ? [] : [{ t: p.v, v: c }];
  });
  if (pairs.length < MIN_LOAD_POINTS) return undefined;
  const loads = pairs.map((p) => p.t);
  if (!(Math.min(...loads) > 0) || Math.max(...loads) < MIN_LOAD_SPREAD * Math.min(...loads)) return undefined;
  const line = fitLine(pairs);
  const recent = since(processed.series.points, recentFrom).map((p) => p.v);
  if (!line || line.r2 < STEADY_TREND_R2 || !(line.slopePerMs > 0) || recent.length === 0) return undefined;
  return {
    idlePercent: Math.max(0, line.intercept),
    percentPerRecordPerSecond: line.slopePerMs,
    recentPeakProcessed: Math.max(...recent),
  };
}

/**
 * The parallelism the job needs for its recent peak, read through its CPU line: one subtask flat out
 * processes what takes the load share from the idle CPU to 100%. The peak at the target utilisation,
 * plus the peak once more: the scale-back's own restart builds a backlog of its length, and that
 * spare drains it in about as long again, so the smaller job is not left behind for minutes after it
 * comes back (with the catch-up time's allowance instead, a 10x spike's scale-back to 4 subtasks
 * added 1.3 lag-minutes for its restart). Undefined when the line leaves no load share.
 */
export function parallelismForCpuLine(
  line: CpuLoadLine,
  current: number,
  policy: Pick<Policy, 'targetUtilization'>,
  keyGroups?: number,
): number | undefined {
  const loadRoom = 100 - line.idlePercent;
  if (!(loadRoom > 0)) return undefined;
  // The CPU line is the busiest subtask's: per evenly loaded subtask, a keyed job is worth fewer than it runs.
  const perSubtask = loadRoom / (line.percentPerRecordPerSecond * effectiveParallelism(current, keyGroups));
  const input = line.recentPeakProcessed;
  const required = input / policy.targetUtilization + input;
  return parallelismCarrying(required / perSubtask, keyGroups);
}
