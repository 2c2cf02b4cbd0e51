import type { GetMetricDataRecord } from './aws-shapes';
import { plausibleRange, specFor, type MetricSpec, type SeriesAggregate } from './metric-catalog';
import { tryParseInsightsQuery, type InsightsFunction } from './metrics-insights';
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
  /** The metric's value for the resource: one series, or several combined as the metric demands. */
  readonly series: MetricSeries;
  readonly stat: string;
  /** The series it was made from (one per task, shard or source; a single one at the aggregate level). */
  readonly parts: readonly MetricSeries[];
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
 * The metric window: every series of a GetMetricData exchange, keyed by namespace and metric name
 * (never by query Id or label), oldest point first. One metric may come as several series (per task,
 * per shard, per source stream, per group of a Metrics Insights query); `pick` combines them as the
 * metric demands.
 */
export class MetricWindow {
  private readonly byName = new Map<string, MetricSeries[]>();
  /** Picks already made: the rules ask for some metrics more than once. */
  private readonly picked = new Map<string, SeriesView | undefined>();

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
   * Builds a window from a GetMetricData request and its response pages. A `MetricStat` query is one
   * series, whatever its pages are labelled. A Metrics Insights query may return several series under
   * one Id: results with the same Id and Label are pages of one series, different Labels are different
   * groups. Metric math is kept in the snapshot but not read: its metric cannot be known from the text.
   * Timestamps may come in either order.
   */
  static fromGetMetricData(record: GetMetricDataRecord, end: number, pathPrefix = 'getMetricData'): MetricWindow {
    const sources = new Map<string, QuerySource>();
    for (const query of record.MetricDataQueries) {
      const source = querySource(query);
      if (source) sources.set(query.Id, source);
    }
    const queryIds = new Set(record.MetricDataQueries.map((q) => q.Id));
    const pagesByKey = new Map<string, { id: string; label: string; pages: RawPage[] }>();
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
      const source = sources.get(result.Id);
      if (!source) return;
      assertPlausible(source, values, `${pathPrefix}.MetricDataResults[${index}].Values`);
      const label = source.grouped ? (result.Label ?? '') : '';
      const key = `${result.Id}\u0000${label}`;
      const entry = pagesByKey.get(key);
      if (entry) entry.pages.push({ timestamps, values });
      else pagesByKey.set(key, { id: result.Id, label, pages: [{ timestamps, values }] });
    });
    const epochs = new EpochReader();
    const series: MetricSeries[] = [];
    const seen = new Set<string>();
    for (const { id, label, pages } of pagesByKey.values()) {
      const source = sources.get(id)!;
      seen.add(id);
      series.push(
        new LazySeries(
          source.namespace,
          source.metricName,
          source.stat,
          source.period,
          source.grouped ? { ...source.dimensions, ...source.groupDimensions(label) } : source.dimensions,
          pages,
          epochs,
        ),
      );
    }
    // A query without any result still names its metric: it was asked for and returned nothing.
    for (const [id, source] of sources) {
      if (seen.has(id) || source.grouped) continue;
      series.push(
        new LazySeries(source.namespace, source.metricName, source.stat, source.period, source.dimensions, [], epochs),
      );
    }
    return new MetricWindow(series, end);
  }

  /**
   * The metric's value for a resource: the first accepted statistic that has data, from the least
   * detailed series that have data (a stream-level sum before per-shard ones, per-task series where no
   * application-level one exists), combined as the metric demands (MAX of busy time or lag, SUM of
   * per-shard counts). The order of the series never matters, and an empty series never hides a full one.
   */
  pick(spec: MetricSpec, resourceName?: string): SeriesView | undefined {
    const key = `${spec.namespace}/${spec.metricName}/${resourceName ?? ''}`;
    if (this.picked.has(key)) return this.picked.get(key);
    const view = this.pickUncached(spec, resourceName);
    this.picked.set(key, view);
    return view;
  }

  private pickUncached(spec: MetricSpec, resourceName?: string): SeriesView | undefined {
    const candidates = this.candidates(spec, resourceName);
    for (const stat of spec.stats) {
      const withStat = candidates.filter((s) => s.stat === stat);
      if (withStat.length === 0) continue;
      // Least detailed level first; a level whose series are all empty gives way to the next one.
      // Finer series are not even built while a less detailed one has data.
      const levels = [...new Set(withStat.map(dimensionCount))].sort((a, b) => a - b);
      for (const level of levels) {
        const parts = withStat
          .filter((s) => dimensionCount(s) === level)
          .map((s) => (spec.negativeIsUnreported ? reported(s) : s))
          .filter((s) => s.points.length > 0);
        if (parts.length === 0) continue;
        return { series: parts.length === 1 ? parts[0]! : combineSeries(parts, spec.aggregate), stat, parts };
      }
    }
    return undefined;
  }

  /**
   * Every series of a metric for a resource that is more detailed than the aggregate (per shard, per
   * source), with data.
   */
  detail(spec: MetricSpec, resourceName?: string): MetricSeries[] {
    const candidates = this.candidates(spec, resourceName).filter((s) => spec.stats.includes(s.stat));
    if (candidates.length === 0) return [];
    // Without a stream-level series the per-shard ones are still per shard.
    const fewest = Math.min(aggregateLevel(candidates), spec.dimensions.length);
    return candidates.filter((s) => dimensionCount(s) > fewest && s.points.length > 0);
  }

  /** Whether the window asked for the metric at all (any query, with or without data). */
  asked(spec: MetricSpec): boolean {
    return this.byName.has(`${spec.namespace}/${spec.metricName}`);
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

/** The metric, statistic and dimensions a query reads, or undefined for metric math. */
interface QuerySource {
  readonly namespace: string;
  readonly metricName: string;
  readonly stat: string;
  readonly period: number;
  readonly dimensions: Readonly<Record<string, string>>;
  /** A GROUP BY query: one series per result label. */
  readonly grouped: boolean;
  groupDimensions(label: string): Record<string, string>;
}

const INSIGHTS_STATS: Readonly<Record<InsightsFunction, string>> = {
  AVG: 'Average',
  COUNT: 'SampleCount',
  MAX: 'Maximum',
  MIN: 'Minimum',
  SUM: 'Sum',
};

function querySource(query: GetMetricDataRecord['MetricDataQueries'][number]): QuerySource | undefined {
  if (query.MetricStat) {
    const stat = query.MetricStat;
    const dimensions: Record<string, string> = {};
    for (const d of stat.Metric.Dimensions ?? []) dimensions[d.Name] = d.Value;
    return {
      namespace: stat.Metric.Namespace,
      metricName: stat.Metric.MetricName,
      stat: stat.Stat,
      period: stat.Period,
      dimensions,
      grouped: false,
      groupDimensions: () => ({}),
    };
  }
  const insights = query.Expression !== undefined ? tryParseInsightsQuery(query.Expression) : undefined;
  if (!insights) return undefined;
  // The equality filters name the resource; the group keys (from the label) name the task or shard.
  const dimensions: Record<string, string> = {};
  for (const condition of insights.where) if (condition.operator === '=') dimensions[condition.key] = condition.value;
  const groupBy = insights.groupBy.filter((key) => dimensions[key] === undefined);
  return {
    namespace: insights.namespace,
    metricName: insights.metricName,
    stat: INSIGHTS_STATS[insights.fn],
    period: (query as { Period?: number }).Period ?? 60,
    dimensions,
    grouped: groupBy.length > 0,
    groupDimensions: (label) => (groupBy.length === 1 ? { [groupBy[0]!]: label } : { [groupBy.join(' ')]: label }),
  };
}

/** A series without its "not reported yet" points. */
function reported(series: MetricSeries): MetricSeries {
  const points = series.points;
  if (points.every((p) => p.v >= 0)) return series;
  return { ...plainOf(series), points: points.filter((p) => p.v >= 0) };
}

function plainOf(series: MetricSeries): Omit<MetricSeries, 'points'> {
  return {
    namespace: series.namespace,
    metricName: series.metricName,
    stat: series.stat,
    period: series.period,
    dimensions: series.dimensions,
  };
}

/** One series from several of the same level: per timestamp, their sum, maximum or minimum. */
function combineSeries(parts: readonly MetricSeries[], aggregate: SeriesAggregate): MetricSeries {
  const byTime = new Map<number, number>();
  for (const part of parts) {
    for (const p of part.points) {
      const prev = byTime.get(p.t);
      byTime.set(
        p.t,
        prev === undefined
          ? p.v
          : aggregate === 'sum'
            ? prev + p.v
            : aggregate === 'max'
              ? Math.max(prev, p.v)
              : Math.min(prev, p.v),
      );
    }
  }
  // The dimensions every part shares: the resource's own.
  const first = parts[0]!;
  const shared: Record<string, string> = {};
  for (const [name, value] of Object.entries(first.dimensions)) {
    if (parts.every((p) => p.dimensions[name] === value)) shared[name] = value;
  }
  const points = [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ t, v }));
  return { ...plainOf(first), dimensions: shared, points };
}

function dimensionCount(series: MetricSeries): number {
  return Object.keys(series.dimensions).length;
}

/** The fewest dimensions among a metric's series: the least detailed level present. */
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

export function medianOf(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function lastOf(points: readonly Point[]): number | undefined {
  return points.length > 0 ? points[points.length - 1]!.v : undefined;
}

/** Refuses a value no real datapoint of the metric can have, naming where it is and what was expected. */
function assertPlausible(source: QuerySource, values: readonly number[], path: string): void {
  const spec = specFor(source.namespace, source.metricName);
  if (!spec) return;
  const { min, max } = plausibleRange(spec, source.stat, source.period);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (value >= min && value <= max) continue;
    throw new InvalidInputError(
      `${path}[${i}]`,
      `${value} is not a plausible ${source.metricName} ${source.stat} (between ${min} and ${max} ${spec.unit} for a ${source.period} s period); nothing is planned on it`,
    );
  }
}
