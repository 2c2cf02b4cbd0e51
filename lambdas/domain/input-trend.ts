import { METRICS } from './metric-catalog';
import { since, type MetricWindow, type Point } from './metric-window';

/** Share of the input's variance the line must explain for the rise to count as steady. */
export const STEADY_TREND_R2 = 0.8;
/** The smallest rise, as a share of the level per hour, worth sizing ahead for. */
export const MIN_TREND_RISE_PER_HOUR = 0.05;
/** The most a projection may raise the input: a trend is a guess, the bounds still apply. */
export const MAX_TREND_FACTOR = 2;
/** Fewer points than this make no line worth trusting. */
const MIN_TREND_POINTS = 6;
/** Minutes of input the trend line is fitted over. */
export const TREND_MINUTES = 60;

/**
 * How far ahead a scale-up is sized on a rising input: to the earliest it could be scaled in again,
 * after the scale-in cooldown and a whole quiet window without lag, whichever is longer.
 */
export function trendHorizonMinutes(policy: { cooldownDownMinutes: number; scaleInWindowMinutes: number }): number {
  return Math.max(policy.cooldownDownMinutes, policy.scaleInWindowMinutes);
}

/** The trend of a per-second series over its last `minutes`; undefined when too short to fit a line. */
export function trendOf(
  points: readonly Point[],
  end: number,
  minutes: number = TREND_MINUTES,
): InputTrend | undefined {
  const recent = since(points, end - minutes * 60_000);
  if (recent.length < MIN_TREND_POINTS) return undefined;
  const line = fitLine(recent);
  return line && { risePerHour: line.slopePerMs * 3_600_000, r2: line.r2 };
}

export interface InputTrend {
  /** Records/s gained per hour, from a least-squares line over the trend window. */
  readonly risePerHour: number;
  /** Share of the variance the line explains (R^2). */
  readonly r2: number;
}

/** A least-squares line through the points: its slope per ms, its value at t = 0 and its R^2. */
export function fitLine(
  points: readonly Point[],
): { readonly slopePerMs: number; readonly intercept: number; readonly r2: number } | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  const meanT = points.reduce((s, p) => s + p.t, 0) / n;
  const meanV = points.reduce((s, p) => s + p.v, 0) / n;
  let sTT = 0;
  let sTV = 0;
  let sVV = 0;
  for (const p of points) {
    sTT += (p.t - meanT) ** 2;
    sTV += (p.t - meanT) * (p.v - meanV);
    sVV += (p.v - meanV) ** 2;
  }
  if (!(sTT > 0)) return undefined;
  const slopePerMs = sTV / sTT;
  // A flat series is perfectly explained by a flat line: no rise, nothing to project.
  const r2 = sVV > 0 ? (sTV * sTV) / (sTT * sVV) : 1;
  return { slopePerMs, intercept: meanV - slopePerMs * meanT, r2 };
}

/**
 * The job's input per second: the stream's incoming records when the stream is known (what the
 * source sees, whatever the job keeps up with), otherwise the job's own numRecordsInPerSecond.
 */
export function inputPerSecond(
  window: MetricWindow,
  names: { readonly streamName?: string; readonly applicationName?: string },
): readonly Point[] {
  const incoming = names.streamName ? window.pick(METRICS.incomingRecords, names.streamName) : undefined;
  if (incoming) return incoming.series.points.map((p) => ({ t: p.t, v: p.v / incoming.series.period }));
  return names.applicationName
    ? (window.pick(METRICS.recordsInPerSecond, names.applicationName)?.series.points ?? [])
    : [];
}

/**
 * The trend of the job's input ({@link inputPerSecond}) over the last `minutes` of the window.
 * Undefined when the series is too short to fit a line.
 */
export function inputTrend(
  window: MetricWindow,
  names: { readonly streamName?: string; readonly applicationName: string },
  minutes: number,
): InputTrend | undefined {
  return trendOf(inputPerSecond(window, names), window.end, minutes);
}

/**
 * The input to size a scale-up for: the input now, or, when it has risen steadily (the line explains
 * most of it and it gains at least a few % of the level an hour), what it is expected to be
 * `horizonMinutes` ahead, at most `MAX_TREND_FACTOR` times the input now. Never below the input now.
 */
/**
 * The factor a steadily rising input is expected to grow by within `horizonMinutes` (as
 * {@link projectedInput} projects it); 1 when it does not rise steadily.
 */
export function projectedGrowth(inputNow: number, trend: InputTrend | undefined, horizonMinutes: number): number {
  const ahead = projectedInput(inputNow, trend, horizonMinutes);
  return ahead.projected ? ahead.input / inputNow : 1;
}

export function projectedInput(
  inputNow: number,
  trend: InputTrend | undefined,
  horizonMinutes: number,
): { readonly input: number; readonly projected: boolean } {
  if (!trend || !(inputNow > 0) || !(horizonMinutes > 0)) return { input: inputNow, projected: false };
  const steady = trend.r2 >= STEADY_TREND_R2 && trend.risePerHour >= MIN_TREND_RISE_PER_HOUR * inputNow;
  if (!steady) return { input: inputNow, projected: false };
  const ahead = inputNow + (trend.risePerHour * horizonMinutes) / 60;
  return { input: Math.min(ahead, inputNow * MAX_TREND_FACTOR), projected: true };
}
