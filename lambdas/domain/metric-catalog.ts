/**
 * The metrics StreamMedic reads, each named once: the CDK alarms, the assess Lambda's GetMetricData
 * queries, `capture`, and the diagnosis rules all refer to these entries.
 */
import { formatInsightsQuery } from './metrics-insights';

export const KINESIS_NAMESPACE = 'AWS/Kinesis';
export const FLINK_NAMESPACE = 'AWS/KinesisAnalytics';

export type MetricKey =
  | 'incomingBytes'
  | 'incomingRecords'
  | 'writeThrottled'
  | 'putRecordsThrottled'
  | 'readThrottled'
  | 'iteratorAge'
  | 'getRecordsBytes'
  | 'getRecordsSuccess'
  | 'getRecordsRecords'
  | 'millisBehindLatest'
  | 'containerCpu'
  | 'cpu'
  | 'heap'
  | 'containerMemory'
  | 'busyTime'
  | 'backPressuredTime'
  | 'idleTime'
  | 'recordsInPerSecond'
  | 'checkpointDuration'
  | 'checkpointSize'
  | 'failedCheckpoints'
  | 'fullRestarts'
  | 'numRestarts'
  | 'downtime'
  | 'kpus'
  | 'subscribeMillisBehind';

/**
 * How the series of one metric combine into the value for the resource: the busiest task and the
 * furthest-behind source decide (`max`), the least idle task decides (`min`), per-shard counts add up
 * (`sum`).
 */
export type SeriesAggregate = 'max' | 'min' | 'sum';

/** The metrics levels a Managed Flink application may run with, least detailed first. */
export const FLINK_METRICS_LEVELS = ['APPLICATION', 'TASK', 'OPERATOR', 'PARALLELISM'] as const;
export type FlinkMetricsLevel = (typeof FLINK_METRICS_LEVELS)[number];

/** Which Managed Flink runtimes publish a metric (restart counters were renamed in Flink 2.2). */
export type RuntimeRange = 'all' | 'before-2.2' | '2.2-and-later';

export interface MetricSpec {
  readonly key: MetricKey;
  readonly namespace: string;
  readonly metricName: string;
  /** Statistics accepted for this metric, preferred first; the first is the one StreamMedic asks for. */
  readonly stats: readonly string[];
  /** Which resource's name goes into the default dimension. */
  readonly resource: 'stream' | 'application';
  readonly unit: string;
  /** How several series of the metric (per task, shard or source) combine. */
  readonly aggregate: SeriesAggregate;
  /** The dimensions of the least detailed series AWS publishes for the metric. */
  readonly dimensions: readonly string[];
  /** For Managed Flink metrics: the least detailed metrics level that publishes it. */
  readonly level?: FlinkMetricsLevel;
  readonly runtimes: RuntimeRange;
  /** A negative value means "not reported yet" (millisBehindLatest's -1), never a measurement. */
  readonly negativeIsUnreported?: boolean;
}

interface SpecDetails {
  readonly aggregate?: SeriesAggregate;
  readonly dimensions?: readonly string[];
  readonly level?: FlinkMetricsLevel;
  readonly runtimes?: RuntimeRange;
  readonly negativeIsUnreported?: boolean;
}

function spec(
  key: MetricKey,
  namespace: string,
  metricName: string,
  stats: readonly string[],
  resource: 'stream' | 'application',
  unit: string,
  details: SpecDetails = {},
): MetricSpec {
  return {
    key,
    namespace,
    metricName,
    stats,
    resource,
    unit,
    // Gauges are read at their worst series; Kinesis counters are sums over shards.
    aggregate: details.aggregate ?? (stats[0] === 'Sum' ? 'sum' : 'max'),
    dimensions: details.dimensions ?? [resource === 'stream' ? 'StreamName' : 'Application'],
    ...(resource === 'application' ? { level: details.level ?? 'APPLICATION' } : {}),
    runtimes: details.runtimes ?? 'all',
    ...(details.negativeIsUnreported ? { negativeIsUnreported: true } : {}),
  };
}

const PER_TASK = { level: 'TASK' } as const;

export const METRICS: Readonly<Record<MetricKey, MetricSpec>> = {
  incomingBytes: spec('incomingBytes', KINESIS_NAMESPACE, 'IncomingBytes', ['Sum'], 'stream', 'Bytes'),
  incomingRecords: spec('incomingRecords', KINESIS_NAMESPACE, 'IncomingRecords', ['Sum'], 'stream', 'Count'),
  writeThrottled: spec(
    'writeThrottled',
    KINESIS_NAMESPACE,
    'WriteProvisionedThroughputExceeded',
    ['Sum'],
    'stream',
    'Count',
  ),
  putRecordsThrottled: spec(
    'putRecordsThrottled',
    KINESIS_NAMESPACE,
    'PutRecords.ThrottledRecords',
    ['Sum'],
    'stream',
    'Count',
  ),
  readThrottled: spec(
    'readThrottled',
    KINESIS_NAMESPACE,
    'ReadProvisionedThroughputExceeded',
    ['Sum'],
    'stream',
    'Count',
  ),
  iteratorAge: spec(
    'iteratorAge',
    KINESIS_NAMESPACE,
    'GetRecords.IteratorAgeMilliseconds',
    ['Maximum'],
    'stream',
    'Milliseconds',
  ),
  getRecordsBytes: spec('getRecordsBytes', KINESIS_NAMESPACE, 'GetRecords.Bytes', ['Sum'], 'stream', 'Bytes'),
  // Successful calls; with ReadProvisionedThroughputExceeded (the calls refused) it is what readers ask of each shard.
  getRecordsSuccess: spec('getRecordsSuccess', KINESIS_NAMESPACE, 'GetRecords.Success', ['Sum'], 'stream', 'Count'),
  getRecordsRecords: spec('getRecordsRecords', KINESIS_NAMESPACE, 'GetRecords.Records', ['Sum'], 'stream', 'Count'),
  millisBehindLatest: spec(
    'millisBehindLatest',
    FLINK_NAMESPACE,
    'millisBehindLatest',
    ['Maximum'],
    'application',
    'Milliseconds',
    // Published per source stream (Id) and direction (Flow = Input); per shard as well at PARALLELISM level.
    { dimensions: ['Application', 'Flow', 'Id'], negativeIsUnreported: true },
  ),
  containerCpu: spec(
    'containerCpu',
    FLINK_NAMESPACE,
    'containerCPUUtilization',
    ['Maximum', 'Average'],
    'application',
    'Percent',
  ),
  cpu: spec('cpu', FLINK_NAMESPACE, 'cpuUtilization', ['Maximum', 'Average'], 'application', 'Percent'),
  heap: spec('heap', FLINK_NAMESPACE, 'heapMemoryUtilization', ['Maximum', 'Average'], 'application', 'Percent'),
  containerMemory: spec(
    'containerMemory',
    FLINK_NAMESPACE,
    'containerMemoryUtilization',
    ['Maximum', 'Average'],
    'application',
    'Percent',
  ),
  busyTime: spec(
    'busyTime',
    FLINK_NAMESPACE,
    'busyTimeMsPerSecond',
    ['Maximum', 'Average'],
    'application',
    'Milliseconds',
    PER_TASK,
  ),
  backPressuredTime: spec(
    'backPressuredTime',
    FLINK_NAMESPACE,
    'backPressuredTimeMsPerSecond',
    ['Maximum', 'Average'],
    'application',
    'Milliseconds',
    PER_TASK,
  ),
  idleTime: spec(
    'idleTime',
    FLINK_NAMESPACE,
    'idleTimeMsPerSecond',
    ['Maximum', 'Average'],
    'application',
    'Milliseconds',
    // The least idle task is the one that limits the job.
    { ...PER_TASK, aggregate: 'min' },
  ),
  recordsInPerSecond: spec(
    'recordsInPerSecond',
    FLINK_NAMESPACE,
    'numRecordsInPerSecond',
    ['Average', 'Maximum', 'Sum'],
    'application',
    'Count/Second',
  ),
  checkpointDuration: spec(
    'checkpointDuration',
    FLINK_NAMESPACE,
    'lastCheckpointDuration',
    ['Maximum', 'Average'],
    'application',
    'Milliseconds',
  ),
  checkpointSize: spec(
    'checkpointSize',
    FLINK_NAMESPACE,
    'lastCheckpointSize',
    ['Maximum', 'Average'],
    'application',
    'Bytes',
  ),
  failedCheckpoints: spec(
    'failedCheckpoints',
    FLINK_NAMESPACE,
    'numberOfFailedCheckpoints',
    ['Maximum', 'Sum'],
    'application',
    'Count',
  ),
  fullRestarts: spec('fullRestarts', FLINK_NAMESPACE, 'fullRestarts', ['Maximum', 'Sum'], 'application', 'Count', {
    runtimes: 'before-2.2',
  }),
  numRestarts: spec('numRestarts', FLINK_NAMESPACE, 'numRestarts', ['Maximum', 'Sum'], 'application', 'Count', {
    runtimes: '2.2-and-later',
  }),
  // Deprecated in Flink 2.2 but still published there.
  downtime: spec('downtime', FLINK_NAMESPACE, 'downtime', ['Maximum', 'Average'], 'application', 'Milliseconds'),
  // One datapoint an hour, the orchestration KPU included.
  kpus: spec('kpus', FLINK_NAMESPACE, 'KPUs', ['Maximum', 'Average'], 'application', 'Count'),
  // Enhanced fan-out readers: one series per registered consumer.
  subscribeMillisBehind: spec(
    'subscribeMillisBehind',
    KINESIS_NAMESPACE,
    'SubscribeToShardEvent.MillisBehindLatest',
    ['Maximum'],
    'stream',
    'Milliseconds',
    { dimensions: ['StreamName', 'ConsumerName'] },
  ),
};

export const METRIC_KEYS = Object.keys(METRICS) as MetricKey[];

/**
 * The dimension that names the target's resource in every series of a metric: `{StreamName}` or
 * `{Application}`. It is the only dimension of stream- and application-level series; per-task,
 * per-shard, per-source and per-consumer series add more (`MetricSpec.dimensions`).
 */
export function defaultDimensions(metric: MetricSpec, resourceName: string): { Name: string; Value: string }[] {
  return [{ Name: metric.resource === 'stream' ? 'StreamName' : 'Application', Value: resourceName }];
}

const SPECS_BY_NAME = new Map(Object.values(METRICS).map((s) => [`${s.namespace}/${s.metricName}`, s]));

/** The catalog entry of a published metric, if StreamMedic reads it. */
export function specFor(namespace: string, metricName: string): MetricSpec | undefined {
  return SPECS_BY_NAME.get(`${namespace}/${metricName}`);
}

/**
 * Bounds no real datapoint of the metric can pass: far beyond any stream or application AWS allows
 * (10,000 shards, 365 days of retention), so only corrupt or forged data falls outside them. A value
 * outside is refused rather than planned on (a value of 1e308 once sized a stream at 2,048 shards).
 */
export function plausibleRange(spec: MetricSpec, stat: string, periodSeconds: number): { min: number; max: number } {
  const min = spec.negativeIsUnreported ? -1 : 0;
  // A count of datapoints is bounded by the period alone.
  if (stat === 'SampleCount') return { min: 0, max: 1e9 };
  if (spec.unit === 'Percent') return { min, max: 100 };
  // busyTimeMsPerSecond and its siblings: milliseconds of each second.
  if (spec.metricName.endsWith('MsPerSecond')) return { min, max: 1000 };
  const perPeriod = stat === 'Sum' ? periodSeconds : 1;
  switch (spec.unit) {
    // 1 TB per second, a hundred times the most a stream of 10,000 shards can take.
    case 'Bytes':
      return { min, max: 1e12 * perPeriod };
    // A billion records or calls per second.
    case 'Count':
    case 'Count/Second':
      return { min, max: 1e9 * perPeriod };
    // Ten years: longer than any retention, uptime or checkpoint.
    case 'Milliseconds':
      return { min, max: 10 * 365 * 24 * 3600 * 1000 };
    default:
      return { min, max: Number.MAX_VALUE };
  }
}

/**
 * The Metrics Insights query for an application's lag: the slowest of its source streams, whose
 * `millisBehindLatest` series carry `Application`, `Id` and `Flow`. Extra dimensions narrow it (e.g.
 * to one source with `Id`). Alarms and console graphs read lag through this one query.
 */
export function applicationLagQuery(
  applicationName: string,
  narrowedBy: Readonly<Record<string, string>> = {},
): string {
  const where = [{ key: 'Application', operator: '=' as const, value: applicationName }];
  for (const [key, value] of Object.entries(narrowedBy)) {
    if (key !== 'Application') where.push({ key, operator: '=', value });
  }
  const spec = METRICS.millisBehindLatest;
  return formatInsightsQuery({ fn: 'MAX', metricName: spec.metricName, namespace: spec.namespace, where, groupBy: [] });
}
