import { evaluateMetricMath } from '../lambdas/domain/alarm-definitions';
import type { GetMetricDataRecord, MetricDataQuery, MetricDataResult } from '../lambdas/domain/aws-shapes';
import { InvalidRequestError } from '../lambdas/ports/errors';
import { listMetricsMatches } from '../lambdas/domain/collect';
import type { ListMetricsRequest, ListedMetric, MetricDataRequest, MetricsSource } from '../lambdas/ports';

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
   * Datapoints before this instant are settled: they change only by a late write, which bumps
   * `lateWrites`. Lets an evaluator keep values it computed; leave out to have nothing kept.
   */
  settledBefore?(): number;
  lateWrites?(): number;
}

/** A call the simulated CloudWatch makes before answering; fault injection throws from here. */
export type CallGate = (action: string, resource: string) => void;

/** GetMetricData's limit on queries in one request. */
export const MAX_QUERIES_PER_REQUEST = 500;

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

  constructor(private readonly gate?: CallGate) {}

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

  /** Every metric that has any datapoint, as ListMetrics would list them. */
  listMetrics(): MetricId[];
  /** ListMetrics through the port: the published series that match the request's filters. */
  listMetrics(request: ListMetricsRequest): Promise<ListedMetric[]>;
  listMetrics(request?: ListMetricsRequest): MetricId[] | Promise<ListedMetric[]> {
    const all = [...this.series.values()].map((entry) => entry.metric);
    if (!request) return all;
    try {
      this.gate?.('ListMetrics', request.namespace);
    } catch (error) {
      return Promise.reject(error);
    }
    return Promise.resolve(all.filter((metric) => listMetricsMatches(metric, request)));
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
    const points = new Map<string, Map<number, number>>();
    const results: MetricDataResult[] = [];
    for (const query of request.queries) {
      if (!query.MetricStat) continue;
      points.set(query.Id, this.queryPoints(query, start, end, context));
    }
    for (const query of request.queries) {
      if (query.MetricStat || !query.Expression) continue;
      points.set(query.Id, this.expressionPoints(query.Expression, points, context));
    }
    for (const query of request.queries) {
      if (query.ReturnData === false) continue;
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
