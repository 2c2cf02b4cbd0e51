import type { GetMetricDataRecord, MetricDataQuery } from './aws-shapes';
import type { TargetConfig } from './config';
import type { LedgerEntry } from './model';
import { FLINK_NAMESPACE, KINESIS_NAMESPACE, METRICS, METRIC_KEYS, type MetricSpec } from './metric-catalog';
import { SNAPSHOT_VERSION, parseSnapshot, type Snapshot } from './snapshot';
import type {
  ApplicationControl,
  Clock,
  Ledger,
  ListMetricsRequest,
  ListedMetric,
  MetricsSource,
  StreamControl,
} from '../ports';

/** CloudWatch's finest period for standard-resolution AWS metrics. */
export const METRIC_PERIOD_SECONDS = 60;

/** How far back an assessment reads by default: long enough for the scale-in window and trends. */
export const DEFAULT_WINDOW_MINUTES = 180;

/** Look-back for the ledger: the longest guardrail window (the daily budget). */
export const LEDGER_LOOKBACK_MS = 24 * 60 * 60 * 1000;

/**
 * GetMetricData's limit on queries in one call (CloudWatch API reference): past it the least useful
 * series are left out, and the snapshot says which.
 */
export const MAX_METRIC_QUERIES = 500;

/** ListMetrics' filter as AWS documents it: a dimension filter matches metrics that have it among others. */
export function listMetricsMatches(metric: ListedMetric, request: ListMetricsRequest): boolean {
  if (metric.namespace !== request.namespace) return false;
  if (request.metricName !== undefined && metric.metricName !== request.metricName) return false;
  return request.dimensions.every((d) =>
    d.value === undefined ? d.name in metric.dimensions : metric.dimensions[d.name] === d.value,
  );
}

/** The ListMetrics requests that find every series of the target's resources: one per namespace. */
export function listRequestsFor(target: Pick<TargetConfig, 'stream' | 'application'>): ListMetricsRequest[] {
  return [
    ...(target.stream
      ? [{ namespace: KINESIS_NAMESPACE, dimensions: [{ name: 'StreamName', value: target.stream.name }] }]
      : []),
    ...(target.application
      ? [{ namespace: FLINK_NAMESPACE, dimensions: [{ name: 'Application', value: target.application.name }] }]
      : []),
  ];
}

export interface MetricQueryPlan {
  readonly queries: MetricDataQuery[];
  /** Series that exist but did not fit in one GetMetricData call, least useful first left out. */
  readonly leftOut: string[];
}

interface Candidate {
  readonly spec: MetricSpec;
  readonly catalogIndex: number;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly tier: number;
}

/** Per-shard write counters name a hot shard; per-consumer lag shows fan-out readers. */
const DETAIL_WORTH_READING: ReadonlySet<string> = new Set([
  'incomingBytes',
  'incomingRecords',
  'writeThrottled',
  'subscribeMillisBehind',
]);

/**
 * How much a series is worth when not all fit: the least detailed series of each metric first (what
 * the diagnosis reads), then the per-task series the busiest task is found among, then per-shard write
 * counters and per-consumer fan-out lag, then anything finer (per operator, per subtask, per shard).
 */
function tierOf(spec: MetricSpec, dimensions: Readonly<Record<string, string>>): number {
  const count = Object.keys(dimensions).length;
  if (count <= spec.dimensions.length) return 0;
  if (spec.level === 'TASK' && count === spec.dimensions.length + 1) return 1;
  if (DETAIL_WORTH_READING.has(spec.key)) return 2;
  return 3;
}

function describeSeries(metricName: string, dimensions: Readonly<Record<string, string>>): string {
  return `${metricName}{${Object.entries(dimensions)
    .map(([name, value]) => `${name}=${value}`)
    .join(',')}}`;
}

/**
 * The GetMetricData queries for a target: a MetricStat for every series ListMetrics found of each
 * catalog metric, with its real dimensions; a metric ListMetrics did not list is asked for under its
 * resource's own dimension, so the snapshot shows it was asked for and returned nothing. The same
 * plan serves the assess Lambda and `stream-medic capture`.
 */
export function planMetricQueries(
  target: Pick<TargetConfig, 'stream' | 'application'>,
  listed: readonly ListedMetric[] = [],
  periodSeconds = METRIC_PERIOD_SECONDS,
  maxQueries = MAX_METRIC_QUERIES,
): MetricQueryPlan {
  const candidates: Candidate[] = [];
  METRIC_KEYS.forEach((key, catalogIndex) => {
    const spec = METRICS[key];
    const resourceName = spec.resource === 'stream' ? target.stream?.name : target.application?.name;
    if (!resourceName) return;
    const resourceDimension = spec.resource === 'stream' ? 'StreamName' : 'Application';
    const found = listed.filter(
      (m) =>
        m.namespace === spec.namespace &&
        m.metricName === spec.metricName &&
        m.dimensions[resourceDimension] === resourceName,
    );
    if (found.length === 0) {
      candidates.push({ spec, catalogIndex, dimensions: { [resourceDimension]: resourceName }, tier: 0 });
      return;
    }
    for (const m of found)
      candidates.push({ spec, catalogIndex, dimensions: m.dimensions, tier: tierOf(spec, m.dimensions) });
  });
  const ordered = candidates
    .map((c) => ({ c, name: describeSeries(c.spec.metricName, c.dimensions) }))
    .sort(
      (a, b) =>
        a.c.tier - b.c.tier ||
        a.c.catalogIndex - b.c.catalogIndex ||
        Object.keys(a.c.dimensions).length - Object.keys(b.c.dimensions).length ||
        (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
  const kept = ordered.slice(0, maxQueries);
  const queries: MetricDataQuery[] = kept.map(({ c }, index) => ({
    Id: `m${index}`,
    Label: c.spec.metricName,
    ReturnData: true,
    MetricStat: {
      Metric: {
        Namespace: c.spec.namespace,
        MetricName: c.spec.metricName,
        Dimensions: Object.entries(c.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: periodSeconds,
      Stat: c.spec.stats[0]!,
    },
  }));
  return { queries, leftOut: ordered.slice(maxQueries).map((o) => o.name) };
}

/** The queries of {@link planMetricQueries}, for callers that need only them. */
export function metricQueriesFor(
  target: Pick<TargetConfig, 'stream' | 'application'>,
  listed: readonly ListedMetric[] = [],
  periodSeconds = METRIC_PERIOD_SECONDS,
): MetricDataQuery[] {
  return planMetricQueries(target, listed, periodSeconds).queries;
}

export interface CollectPorts {
  readonly metrics: MetricsSource;
  readonly streams?: StreamControl;
  readonly applications?: ApplicationControl;
  readonly ledger?: Ledger;
  readonly clock: Clock;
}

/**
 * Reads everything an assessment needs through the ports, read-only, and returns it as an incident
 * snapshot: the live path and `diagnose --input` then run the very same engine on the same shape.
 */
export async function collectSnapshot(
  ports: CollectPorts,
  target: TargetConfig,
  windowMinutes = DEFAULT_WINDOW_MINUTES,
): Promise<Snapshot> {
  const end = ports.clock.now();
  // Align to whole periods so the last datapoint is complete.
  const endAligned = new Date(Math.floor(end.getTime() / 60_000) * 60_000);
  const start = new Date(endAligned.getTime() - windowMinutes * 60_000);
  // ListMetrics first: the real series (per task, per source, per shard) and their dimensions.
  const readMetrics = async (): Promise<{ record: GetMetricDataRecord; leftOut: string[] }> => {
    const listed = (await Promise.all(listRequestsFor(target).map((r) => ports.metrics.listMetrics(r)))).flat();
    const plan = planMetricQueries(target, listed);
    const record = await ports.metrics.getMetricData({ queries: plan.queries, startTime: start, endTime: endAligned });
    return { record, leftOut: plan.leftOut };
  };
  const [metrics, describeStreamSummary, describeApplication, ledger] = await Promise.all([
    readMetrics(),
    target.stream && ports.streams ? ports.streams.describeStreamSummary(target.stream.name) : undefined,
    target.application && ports.applications
      ? ports.applications.describeApplication(target.application.name)
      : undefined,
    ports.ledger
      ? ports.ledger.list(target.name, new Date(end.getTime() - LEDGER_LOOKBACK_MS).toISOString())
      : Promise.resolve<LedgerEntry[]>([]),
  ]);
  return parseSnapshot({
    version: SNAPSHOT_VERSION,
    capturedAt: endAligned.toISOString(),
    target: {
      name: target.name,
      ...(target.stream ? { streamName: target.stream.name } : {}),
      ...(target.application ? { applicationName: target.application.name } : {}),
    },
    config: target,
    getMetricData: metrics.record,
    ...(metrics.leftOut.length > 0 ? { leftOut: metrics.leftOut } : {}),
    ...(describeStreamSummary ? { describeStreamSummary } : {}),
    ...(describeApplication ? { describeApplication } : {}),
    ledger,
  });
}
