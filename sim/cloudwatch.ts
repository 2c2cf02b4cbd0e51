import type { GetMetricDataRecord, MetricDataQuery, MetricDataResult } from '../lambdas/domain/aws-shapes';
import {
  insightsGroupKey,
  insightsQueryMatches,
  tryParseInsightsQuery,
  type InsightsFunction,
  type InsightsQuery,
} from '../lambdas/domain/metrics-insights';
import { InvalidRequestError } from '../lambdas/ports/errors';
import type { ListMetricsRequest, ListedMetric, MetricDataRequest, MetricsSource } from '../lambdas/ports';
import { evaluateMetricMath } from './metric-math';

/** CloudWatch's statistic set for one datapoint: what PutMetricData's StatisticValues carries. */
export interface StatSet {
  readonly sampleCount: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

/** A metric as CloudWatch names it. */
export interface MetricId {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** One datapoint an alarm or a query asks for. */
export interface DatapointRequest extends MetricId {
  readonly statistic: string;
  readonly periodSeconds: number;
}

/** Where alarm values come from: CloudWatch's aggregation of a metric over one period. */
export interface DatapointSource {
  datapoint(request: DatapointRequest, periodStartMs: number): number | undefined;
  /**
   * A Metrics Insights query without GROUP BY over one period: its function over every series it
   * matches. Sources without it cannot evaluate Insights alarms.
   */
  insightsDatapoint?(query: string, periodSeconds: number, periodStartMs: number): number | undefined;
  /**
   * Datapoints before this instant are settled: they change only by a late write, which bumps
   * `lateWrites`. Lets an evaluator keep values it computed; leave out to have nothing kept.
   */
  settledBefore?(): number;
  lateWrites?(): number;
}

/** A call the simulated CloudWatch makes before answering; fault injection throws from here. */
export type CallGate = (action: string, resource: string) => void;

/**
 * GetMetricData's limits (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html):
 * at most 500 queries in one request; at most one of them a Metrics Insights query, which reads only
 * the most recent three hours of data.
 */
export const MAX_QUERIES_PER_REQUEST = 500;
export const MAX_INSIGHTS_QUERIES_PER_REQUEST = 1;
export const INSIGHTS_LOOKBACK_MS = 3 * 60 * 60 * 1000;
/**
 * A Metrics Insights query processes at most 10,000 metrics and returns at most 500 time series
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-limits.html).
 */
export const INSIGHTS_MAX_METRICS = 10_000;
export const INSIGHTS_MAX_SERIES = 500;
/** ListMetrics lists metrics that received data in the last two weeks. */
const LIST_METRICS_RETENTION_MS = 14 * 24 * 60 * 60 * 1000;

const MINUTE_MS = 60_000;

/** The statistics the simulator computes; percentiles need the raw samples, which it does not keep. */
export const SUPPORTED_STATISTICS = ['Sum', 'Maximum', 'Minimum', 'Average', 'SampleCount'] as const;

function seriesKey(metric: MetricId): string {
  const dims = Object.keys(metric.dimensions)
    .sort()
    .map((name) => `${name}=${metric.dimensions[name]}`)
    .join(',');
  return `${metric.namespace}|${metric.metricName}|${dims}`;
}

function combine(a: StatSet | undefined, b: StatSet): StatSet {
  if (!a) return b;
  return {
    sampleCount: a.sampleCount + b.sampleCount,
    sum: a.sum + b.sum,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
  };
}

/** A Metrics Insights function over the combined statistic sets of the series it matched. */
function insightsValue(set: StatSet, fn: InsightsFunction): number {
  switch (fn) {
    case 'MAX':
      return set.max;
    case 'MIN':
      return set.min;
    case 'SUM':
      return set.sum;
    case 'AVG':
      return set.sampleCount > 0 ? set.sum / set.sampleCount : 0;
    case 'COUNT':
      return set.sampleCount;
  }
}

function statistic(set: StatSet, stat: string): number {
  switch (stat) {
    case 'Sum':
      return set.sum;
    case 'Maximum':
      return set.max;
    case 'Minimum':
      return set.min;
    case 'Average':
      return set.sampleCount > 0 ? set.sum / set.sampleCount : 0;
    case 'SampleCount':
      return set.sampleCount;
    default:
      throw new Error(`unsupported statistic ${stat}`);
  }
}

/**
 * CloudWatch for the simulated world: one-minute statistic sets per metric, aggregated to any
 * period on the way out, and GetMetricData answered in the shape the real adapter returns (the
 * queries as sent, results newest first, ISO timestamps), so `collectSnapshot` works unchanged.
 */
export class SimulatedCloudWatch implements MetricsSource, DatapointSource {
  private readonly series = new Map<string, { metric: MetricId; minutes: Map<number, StatSet> }>();
  private newestMinute = Number.NEGATIVE_INFINITY;
  private late = 0;

  /**
   * @param gate called before every API call; fault injection throws from it
   * @param now the current time, for the limits that count back from it (Insights' three hours,
   *   ListMetrics' two weeks); without it, the newest published minute
   */
  constructor(
    private readonly gate?: CallGate,
    private readonly now?: () => number,
  ) {}

  /** Publishes one minute's statistic set; `timestampMs` is the start of the minute. */
  put(metric: MetricId, timestampMs: number, set: StatSet): void {
    const key = seriesKey(metric);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { metric: { ...metric, dimensions: { ...metric.dimensions } }, minutes: new Map() };
      this.series.set(key, entry);
    }
    const minute = Math.floor(timestampMs / MINUTE_MS);
    if (minute < this.newestMinute) this.late += 1;
    this.newestMinute = Math.max(this.newestMinute, minute);
    entry.minutes.set(minute, combine(entry.minutes.get(minute), set));
  }

  /** The start of the newest minute anything was published for: everything before it is settled. */
  settledBefore(): number {
    return this.newestMinute * MINUTE_MS;
  }

  /** Writes into minutes before the newest one; each one unsettles what was settled. */
  lateWrites(): number {
    return this.late;
  }

  /** Publishes a single value (a sample count of one). */
  putValue(metric: MetricId, timestampMs: number, value: number): void {
    this.put(metric, timestampMs, { sampleCount: 1, sum: value, min: value, max: value });
  }

  /** Every metric that has any datapoint, whenever (for tests and reports; the API is `listMetrics`). */
  publishedMetrics(): MetricId[] {
    return [...this.series.values()].map((entry) => entry.metric);
  }

  /**
   * ListMetrics: metrics with a datapoint in the last two weeks, in the namespace (and with the name)
   * asked for, having every filtered dimension (with its value, when one is given) among their own.
   */
  async listMetrics(request: ListMetricsRequest): Promise<ListedMetric[]> {
    this.gate?.('ListMetrics', `${request.namespace}/${request.metricName ?? '*'}`);
    const since = Math.floor((this.nowMs() - LIST_METRICS_RETENTION_MS) / MINUTE_MS);
    const listed: ListedMetric[] = [];
    for (const { metric, minutes } of this.series.values()) {
      if (metric.namespace !== request.namespace) continue;
      if (request.metricName !== undefined && metric.metricName !== request.metricName) continue;
      const dims = metric.dimensions;
      if (!request.dimensions.every((f) => (f.value === undefined ? f.name in dims : dims[f.name] === f.value)))
        continue;
      if (![...minutes.keys()].some((m) => m >= since)) continue;
      listed.push({ namespace: metric.namespace, metricName: metric.metricName, dimensions: { ...dims } });
    }
    return listed;
  }

  insightsDatapoint(query: string, periodSeconds: number, periodStartMs: number): number | undefined {
    const parsed = tryParseInsightsQuery(query);
    if (!parsed) throw new Error(`not a Metrics Insights query: ${query}`);
    if (parsed.groupBy.length > 0) throw new Error(`an alarm's Insights query must return one series: ${query}`);
    const set = this.insightsSet(this.matching(parsed), periodSeconds, periodStartMs);
    return set ? insightsValue(set, parsed.fn) : undefined;
  }

  private nowMs(): number {
    return this.now ? this.now() : (this.newestMinute + 1) * MINUTE_MS;
  }

  /** The series a query reads: at most the first 10,000 it matches, as CloudWatch processes. */
  private matching(query: InsightsQuery): { metric: MetricId; minutes: Map<number, StatSet> }[] {
    const matched: { metric: MetricId; minutes: Map<number, StatSet> }[] = [];
    for (const entry of this.series.values()) {
      const m = entry.metric;
      if (!insightsQueryMatches(query, m.namespace, m.metricName, m.dimensions)) continue;
      matched.push(entry);
      if (matched.length >= INSIGHTS_MAX_METRICS) break;
    }
    return matched;
  }

  /** The statistic sets of every matched series in one period, combined. */
  private insightsSet(
    series: readonly { minutes: Map<number, StatSet> }[],
    periodSeconds: number,
    periodStartMs: number,
  ): StatSet | undefined {
    const first = Math.floor(periodStartMs / MINUTE_MS);
    let set: StatSet | undefined;
    for (const { minutes } of series) {
      for (let m = first; m < first + periodSeconds / 60; m++) {
        const one = minutes.get(m);
        if (one) set = combine(set, one);
      }
    }
    return set;
  }

  datapoint(request: DatapointRequest, periodStartMs: number): number | undefined {
    const entry = this.series.get(seriesKey(request));
    if (!entry) return undefined;
    const minutes = request.periodSeconds / 60;
    const first = Math.floor(periodStartMs / MINUTE_MS);
    let set: StatSet | undefined;
    for (let m = first; m < first + minutes; m++) {
      const one = entry.minutes.get(m);
      if (one) set = combine(set, one);
    }
    return set ? statistic(set, request.statistic) : undefined;
  }

  async getMetricData(request: MetricDataRequest): Promise<GetMetricDataRecord> {
    const context = { action: 'GetMetricData', resource: `${request.queries.length} metric queries` };
    this.gate?.('GetMetricData', context.resource);
    const start = request.startTime.getTime();
    const end = request.endTime.getTime();
    if (!(start < end)) {
      throw new InvalidRequestError(
        `startTime ${request.startTime.toISOString()} must be before endTime ${request.endTime.toISOString()}`,
        context,
      );
    }
    if (request.queries.length > MAX_QUERIES_PER_REQUEST) {
      throw new InvalidRequestError(`at most ${MAX_QUERIES_PER_REQUEST} queries per request`, context);
    }
    const ids = new Set<string>();
    for (const query of request.queries) {
      if (ids.has(query.Id)) throw new InvalidRequestError(`query Id "${query.Id}" is used twice`, context);
      ids.add(query.Id);
    }
    const insights = new Map<string, InsightsQuery>();
    for (const query of request.queries) {
      const parsed = !query.MetricStat && query.Expression ? tryParseInsightsQuery(query.Expression) : undefined;
      if (parsed) insights.set(query.Id, parsed);
    }
    if (insights.size > MAX_INSIGHTS_QUERIES_PER_REQUEST) {
      throw new InvalidRequestError(
        `a GetMetricData request may include only ${MAX_INSIGHTS_QUERIES_PER_REQUEST} Metrics Insights query; this one has ${insights.size} (${[...insights.keys()].join(', ')})`,
        context,
      );
    }
    const points = new Map<string, Map<number, number>>();
    const results: MetricDataResult[] = [];
    for (const query of request.queries) {
      if (!query.MetricStat) continue;
      points.set(query.Id, this.queryPoints(query, start, end, context));
    }
    for (const query of request.queries) {
      const parsed = insights.get(query.Id);
      if (!parsed) continue;
      const groups = this.insightsPoints(query, parsed, start, end, context);
      if (query.ReturnData === false) continue;
      for (const group of groups) {
        const timestamps = [...group.values.keys()].sort((a, b) => b - a);
        results.push({
          Id: query.Id,
          Label: group.label ?? query.Label ?? query.Id,
          StatusCode: 'Complete',
          Timestamps: timestamps.map((t) => new Date(t).toISOString()),
          Values: timestamps.map((t) => group.values.get(t)!),
        });
      }
    }
    // Metric math may use expressions listed after it: evaluate each once the ids it uses have values.
    const pending = request.queries.filter((q) => !q.MetricStat && q.Expression && !insights.has(q.Id));
    while (pending.length > 0) {
      const ready = pending.findIndex((q) =>
        (q.Expression!.match(/\b[a-z][A-Za-z0-9_]*\b/g) ?? []).every((id) => !ids.has(id) || points.has(id)),
      );
      if (ready < 0) {
        throw new InvalidRequestError(
          `metric math ${pending.map((q) => `"${q.Id}"`).join(', ')} refers to itself or to a missing query`,
          context,
        );
      }
      const [query] = pending.splice(ready, 1);
      points.set(query!.Id, this.expressionPoints(query!.Expression!, points, context));
    }
    for (const query of request.queries) {
      if (query.ReturnData === false || insights.has(query.Id)) continue;
      const values = points.get(query.Id);
      if (!values) {
        throw new InvalidRequestError(`query "${query.Id}" has neither MetricStat nor Expression`, context);
      }
      const timestamps = [...values.keys()].sort((a, b) => b - a);
      results.push({
        Id: query.Id,
        Label: query.Label ?? query.MetricStat?.Metric.MetricName ?? query.Id,
        StatusCode: 'Complete',
        Timestamps: timestamps.map((t) => new Date(t).toISOString()),
        Values: timestamps.map((t) => values.get(t)!),
      });
    }
    return { MetricDataQueries: [...request.queries], MetricDataResults: results };
  }

  private queryPoints(
    query: MetricDataQuery,
    start: number,
    end: number,
    context: { action: string; resource: string },
  ): Map<number, number> {
    const stat = query.MetricStat!;
    if (!(SUPPORTED_STATISTICS as readonly string[]).includes(stat.Stat)) {
      throw new InvalidRequestError(
        `statistic "${stat.Stat}" of query "${query.Id}" is not one the simulator computes (${SUPPORTED_STATISTICS.join(', ')})`,
        context,
      );
    }
    if (!(stat.Period >= 60) || stat.Period % 60 !== 0) {
      throw new InvalidRequestError(
        `Period of query "${query.Id}" must be a multiple of 60, got ${stat.Period}`,
        context,
      );
    }
    const dimensions: Record<string, string> = {};
    for (const d of stat.Metric.Dimensions ?? []) dimensions[d.Name] = d.Value;
    const request: DatapointRequest = {
      namespace: stat.Metric.Namespace,
      metricName: stat.Metric.MetricName,
      dimensions,
      statistic: stat.Stat,
      periodSeconds: stat.Period,
    };
    const periodMs = stat.Period * 1000;
    const out = new Map<number, number>();
    if (!this.series.has(seriesKey(request))) return out;
    // CloudWatch rounds a start that is not on a period boundary down to one.
    for (let t = Math.floor(start / periodMs) * periodMs; t < end; t += periodMs) {
      const value = this.datapoint(request, t);
      if (value !== undefined) out.set(t, value);
    }
    return out;
  }

  /**
   * A Metrics Insights query: per period, its function over the combined datapoints of every series
   * it matches; with GROUP BY, one series per group, labelled with the group's values. Only the most
   * recent three hours are read; ORDER BY ranks the groups by the function over the whole range.
   */
  private insightsPoints(
    query: MetricDataQuery,
    parsed: InsightsQuery,
    start: number,
    end: number,
    context: { action: string; resource: string },
  ): { label?: string; values: Map<number, number> }[] {
    const period = (query as { Period?: unknown }).Period;
    if (typeof period !== 'number' || !(period >= 60) || period % 60 !== 0) {
      throw new InvalidRequestError(
        `Period of the Metrics Insights query "${query.Id}" must be a multiple of 60, got ${String(period)}`,
        context,
      );
    }
    const periodMs = period * 1000;
    const from = Math.max(start, this.nowMs() - INSIGHTS_LOOKBACK_MS);
    const groups = new Map<string, { key: string[]; series: { minutes: Map<number, StatSet> }[] }>();
    for (const entry of this.matching(parsed)) {
      const key = insightsGroupKey(parsed, entry.metric.dimensions);
      const id = JSON.stringify(key);
      const group = groups.get(id) ?? { key, series: [] };
      group.series.push(entry);
      groups.set(id, group);
    }
    // Without GROUP BY the query is one series, empty when nothing matched.
    if (parsed.groupBy.length === 0 && groups.size === 0) groups.set('[]', { key: [], series: [] });
    let out = [...groups.values()].map((group) => {
      const values = new Map<number, number>();
      let whole: StatSet | undefined;
      for (let t = Math.ceil(from / periodMs) * periodMs; t < end; t += periodMs) {
        const set = this.insightsSet(group.series, period, t);
        if (!set) continue;
        values.set(t, insightsValue(set, parsed.fn));
        whole = combine(whole, set);
      }
      return {
        ...(parsed.groupBy.length > 0 ? { label: group.key.join(' ') } : {}),
        values,
        rank: whole ? insightsValue(whole, parsed.orderBy?.fn ?? parsed.fn) : Number.NEGATIVE_INFINITY,
      };
    });
    if (parsed.orderBy) {
      const sign = parsed.orderBy.direction === 'DESC' ? -1 : 1;
      out = out.sort((a, b) => sign * (a.rank - b.rank));
    }
    const limit = Math.min(parsed.limit ?? INSIGHTS_MAX_SERIES, INSIGHTS_MAX_SERIES);
    return out.slice(0, limit).map(({ label, values }) => ({ ...(label !== undefined ? { label } : {}), values }));
  }

  /** Metric math over earlier queries: a value wherever the expression has one. */
  private expressionPoints(
    expression: string,
    points: ReadonlyMap<string, ReadonlyMap<number, number>>,
    context: { action: string; resource: string },
  ): Map<number, number> {
    const timestamps = new Set<number>();
    for (const series of points.values()) for (const t of series.keys()) timestamps.add(t);
    const out = new Map<number, number>();
    for (const t of timestamps) {
      const scope: Record<string, number | undefined> = {};
      for (const [id, series] of points) scope[id] = series.get(t);
      let value: number | undefined;
      try {
        value = evaluateMetricMath(expression, scope);
      } catch (error) {
        throw new InvalidRequestError((error as Error).message, context);
      }
      if (value !== undefined && Number.isFinite(value)) out.set(t, value);
    }
    return out;
  }
}
