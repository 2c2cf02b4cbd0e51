import type { GetMetricDataRecord } from './aws-shapes';
import type { MetricSpec } from './metric-catalog';
import { InvalidInputError } from './validation';

export interface Point {
  /** Epoch milliseconds of the start of the period. */
  readonly t: number;
  readonly v: number;
}

export interface MetricSeries {
  readonly namespace: string;
  readonly metricName: string;
  readonly stat: string;
  /** Seconds each datapoint covers; a `Sum` divided by it is a per-second rate. */
  readonly period: number;
  readonly dimensions: Readonly<Record<string, string>>;
  /** Oldest first, one point per timestamp. */
  readonly points: readonly Point[];
}

/** A picked series plus how it was picked, so evidence can name the statistic that was used. */
export interface SeriesView {
  readonly series: MetricSeries;
  readonly stat: string;
}

function toEpoch(value: string | Date): number {
  return value instanceof Date ? value.getTime() : Date.parse(value);
}

/**
 * The metric window: every series of a GetMetricData exchange, keyed by namespace, metric name and
 * statistic (never by query Id or label), oldest point first.
 */
export class MetricWindow {
  private readonly byName = new Map<string, MetricSeries[]>();

  constructor(
    readonly series: readonly MetricSeries[],
    /** Epoch ms of the end of the window ("now" for the diagnosis). */
    readonly end: number,
  ) {
    for (const s of series) {
      const key = `${s.namespace}/${s.metricName}`;
      const list = this.byName.get(key) ?? [];
      list.push(s);
      this.byName.set(key, list);
    }
  }

  /**
   * Builds a window from a GetMetricData request and its response pages. Results whose Id appears
   * several times (several pages) are merged; timestamps may come in either order.
   */
  static fromGetMetricData(record: GetMetricDataRecord, end: number, pathPrefix = 'getMetricData'): MetricWindow {
    const queries = new Map<string, NonNullable<GetMetricDataRecord['MetricDataQueries'][number]['MetricStat']>>();
    record.MetricDataQueries.forEach((query) => {
      if (query.MetricStat) queries.set(query.Id, query.MetricStat);
    });
    const pointsById = new Map<string, Map<number, number>>();
    record.MetricDataResults.forEach((result, index) => {
      if (!record.MetricDataQueries.some((q) => q.Id === result.Id)) {
        throw new InvalidInputError(
          `${pathPrefix}.MetricDataResults[${index}].Id`,
          `no query in MetricDataQueries has Id "${result.Id}"`,
        );
      }
      const points = pointsById.get(result.Id) ?? new Map<number, number>();
      const timestamps = result.Timestamps ?? [];
      const values = result.Values ?? [];
      timestamps.forEach((ts, i) => {
        const value = values[i];
        if (value !== undefined && Number.isFinite(value)) points.set(toEpoch(ts), value);
      });
      pointsById.set(result.Id, points);
    });
    const series: MetricSeries[] = [];
    for (const [id, stat] of queries) {
      const points = pointsById.get(id) ?? new Map<number, number>();
      const dimensions: Record<string, string> = {};
      for (const d of stat.Metric.Dimensions ?? []) dimensions[d.Name] = d.Value;
      series.push({
        namespace: stat.Metric.Namespace,
        metricName: stat.Metric.MetricName,
        stat: stat.Stat,
        period: stat.Period,
        dimensions,
        points: [...points.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ t, v })),
      });
    }
    return new MetricWindow(series, end);
  }

  /**
   * The series for a metric: the first accepted statistic that has data, and among several series
   * the aggregate one (fewest dimensions) for the named resource.
   */
  pick(spec: MetricSpec, resourceName?: string): SeriesView | undefined {
    const candidates = this.candidates(spec, resourceName);
    for (const stat of spec.stats) {
      const withStat = candidates.filter((s) => s.stat === stat);
      if (withStat.length === 0) continue;
      withStat.sort(
        (a, b) =>
          Number(b.points.length > 0) - Number(a.points.length > 0) ||
          Object.keys(a.dimensions).length - Object.keys(b.dimensions).length,
      );
      const best = withStat[0]!;
      if (best.points.length > 0) return { series: best, stat };
    }
    return undefined;
  }

  /** Every series of a metric for a resource with more dimensions than the aggregate (per shard, per source). */
  detail(spec: MetricSpec, resourceName?: string): MetricSeries[] {
    const candidates = this.candidates(spec, resourceName).filter((s) => spec.stats.includes(s.stat));
    if (candidates.length === 0) return [];
    const fewest = Math.min(...candidates.map((s) => Object.keys(s.dimensions).length));
    return candidates.filter((s) => Object.keys(s.dimensions).length > fewest && s.points.length > 0);
  }

  private candidates(spec: MetricSpec, resourceName?: string): MetricSeries[] {
    const all = this.byName.get(`${spec.namespace}/${spec.metricName}`) ?? [];
    if (!resourceName) return [...all];
    const dimension = spec.resource === 'stream' ? 'StreamName' : 'Application';
    const named = all.filter((s) => s.dimensions[dimension] === resourceName);
    // A snapshot made by hand may omit dimensions; fall back to whatever was recorded.
    return named.length > 0 ? named : all.filter((s) => s.dimensions[dimension] === undefined);
  }
}

/** Points at or after `fromEpoch`. */
export function since(points: readonly Point[], fromEpoch: number): Point[] {
  return points.filter((p) => p.t >= fromEpoch);
}

export function maxOf(points: readonly Point[]): number | undefined {
  let best: number | undefined;
  for (const p of points) if (best === undefined || p.v > best) best = p.v;
  return best;
}

export function meanOf(points: readonly Point[]): number | undefined {
  if (points.length === 0) return undefined;
  let sum = 0;
  for (const p of points) sum += p.v;
  return sum / points.length;
}

export function sumOf(points: readonly Point[]): number {
  let sum = 0;
  for (const p of points) sum += p.v;
  return sum;
}

export function lastOf(points: readonly Point[]): number | undefined {
  return points.length > 0 ? points[points.length - 1]!.v : undefined;
}
