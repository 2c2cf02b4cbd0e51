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

/** Reads `len` decimal digits at `at`, or NaN if any is not a digit. */
function digits(text: string, at: number, len: number): number {
  let value = 0;
  for (let i = at; i < at + len; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    value = value * 10 + d;
  }
  return value;
}

/**
 * Date.parse is slow for thousands of timestamps; CloudWatch's own UTC form
 * (`2026-11-21T10:15:00Z`, optionally with milliseconds) is read directly, anything else by Date.parse.
 */
function toEpoch(value: string | Date): number {
  if (value instanceof Date) return value.getTime();
  const length = value.length;
  if (
    (length === 20 || length === 24) &&
    value.charCodeAt(length - 1) === 90 /* Z */ &&
    value.charCodeAt(10) === 84 /* T */ &&
    value.charCodeAt(4) === 45 &&
    value.charCodeAt(7) === 45 &&
    value.charCodeAt(13) === 58 &&
    value.charCodeAt(16) === 58 &&
    (length === 20 || value.charCodeAt(19) === 46) /* . */
  ) {
    const epoch = Date.UTC(
      digits(value, 0, 4),
      digits(value, 5, 2) - 1,
      digits(value, 8, 2),
      digits(value, 11, 2),
      digits(value, 14, 2),
      digits(value, 17, 2),
      length === 24 ? digits(value, 20, 3) : 0,
    );
    if (!Number.isNaN(epoch)) return epoch;
  }
  return Date.parse(value);
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
    const pagesById = new Map<string, RawPage[]>();
    const queryIds = new Set(record.MetricDataQueries.map((q) => q.Id));
    record.MetricDataResults.forEach((result, index) => {
      if (!queryIds.has(result.Id)) {
        throw new InvalidInputError(
          `${pathPrefix}.MetricDataResults[${index}].Id`,
          `no query in MetricDataQueries has Id "${result.Id}"`,
        );
      }
      const timestamps = result.Timestamps ?? [];
      const values = result.Values ?? [];
      // Values line up with timestamps by index; with a different count no pairing can be trusted.
      if (timestamps.length !== values.length) {
        throw new InvalidInputError(
          `${pathPrefix}.MetricDataResults[${index}].Values`,
          `has ${values.length} values for ${timestamps.length} timestamps`,
        );
      }
      const pages = pagesById.get(result.Id);
      if (pages) pages.push({ timestamps, values });
      else pagesById.set(result.Id, [{ timestamps, values }]);
    });
    const epochs = new EpochReader();
    const series: MetricSeries[] = [];
    for (const [id, stat] of queries) {
      const dimensions: Record<string, string> = {};
      for (const d of stat.Metric.Dimensions ?? []) dimensions[d.Name] = d.Value;
      series.push(
        new LazySeries(
          stat.Metric.Namespace,
          stat.Metric.MetricName,
          stat.Stat,
          stat.Period,
          dimensions,
          pagesById.get(id) ?? [],
          epochs,
        ),
      );
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
      // Only the aggregate level counts: a lone per-shard series would undercount a stream's sums.
      const fewest = aggregateLevel(withStat);
      const best = withStat.find((s) => dimensionCount(s) === fewest && s.points.length > 0);
      if (best) return { series: best, stat };
    }
    return undefined;
  }

  /** Every series of a metric for a resource with more dimensions than the aggregate (per shard, per source). */
  detail(spec: MetricSpec, resourceName?: string): MetricSeries[] {
    const candidates = this.candidates(spec, resourceName).filter((s) => spec.stats.includes(s.stat));
    if (candidates.length === 0) return [];
    const fewest = aggregateLevel(candidates);
    return candidates.filter((s) => dimensionCount(s) > fewest && s.points.length > 0);
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

function dimensionCount(series: MetricSeries): number {
  return Object.keys(series.dimensions).length;
}

/** The fewest dimensions among a metric's series: the aggregate (stream- or application-wide) level. */
function aggregateLevel(series: readonly MetricSeries[]): number {
  return Math.min(...series.map(dimensionCount));
}

interface RawPage {
  readonly timestamps: ReadonlyArray<string | Date>;
  readonly values: readonly number[];
}

/**
 * Turns timestamp strings into epoch ms. Every series of a window shares the same timestamps, so the
 * previous page's parse is reused wherever the strings match.
 */
class EpochReader {
  private lastStrings: ReadonlyArray<string | Date> = [];
  private lastEpochs: readonly number[] = [];

  read(timestamps: ReadonlyArray<string | Date>): readonly number[] {
    if (timestamps.length === this.lastStrings.length) {
      let same = true;
      for (let i = 0; i < timestamps.length && same; i++) same = timestamps[i] === this.lastStrings[i];
      if (same) return this.lastEpochs;
    }
    const epochs = new Array<number>(timestamps.length);
    for (let i = 0; i < timestamps.length; i++) {
      const ts = timestamps[i]!;
      epochs[i] = this.lastStrings[i] === ts ? this.lastEpochs[i]! : toEpoch(ts);
    }
    this.lastStrings = timestamps;
    this.lastEpochs = epochs;
    return epochs;
  }
}

/**
 * A series whose points are built the first time they are read: a diagnosis reads only the metrics
 * its rules need, and a window may carry many more.
 */
class LazySeries implements MetricSeries {
  private built: readonly Point[] | undefined;

  constructor(
    readonly namespace: string,
    readonly metricName: string,
    readonly stat: string,
    readonly period: number,
    readonly dimensions: Readonly<Record<string, string>>,
    private readonly pages: readonly RawPage[],
    private readonly epochs: EpochReader,
  ) {}

  get points(): readonly Point[] {
    if (this.built === undefined) {
      this.built = orderedPoints(
        this.pages.map((page) => {
          const epochs = this.epochs.read(page.timestamps);
          const values = page.values;
          const points = new Array<Point>(epochs.length);
          let n = 0;
          for (let i = 0; i < epochs.length; i++) {
            const v = values[i]!;
            if (v - v === 0) points[n++] = { t: epochs[i]!, v }; // finite: NaN and Infinity fail this
          }
          points.length = n;
          return points;
        }),
      );
    }
    return this.built;
  }
}

/**
 * One series from its pages: oldest first, one point per timestamp (a later page wins). A single page
 * in either order, the common case, needs no sorting.
 */
function orderedPoints(pages: Point[][]): Point[] {
  if (pages.length === 1) {
    const page = pages[0]!;
    let ascending = true;
    let descending = true;
    for (let i = 1; i < page.length && (ascending || descending); i++) {
      if (page[i]!.t <= page[i - 1]!.t) ascending = false;
      if (page[i]!.t >= page[i - 1]!.t) descending = false;
    }
    if (ascending) return page;
    if (descending) return page.reverse();
  }
  const byTime = new Map<number, number>();
  for (const page of pages) for (const p of page) byTime.set(p.t, p.v);
  return [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ t, v }));
}

/** Points at or after `fromEpoch` (points are oldest first, so a binary search finds the cut). */
export function since(points: readonly Point[], fromEpoch: number): readonly Point[] {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]!.t < fromEpoch) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? points : points.slice(lo);
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
