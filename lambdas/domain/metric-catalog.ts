/**
 * The metrics StreamMedic reads, each named once: the CDK alarms, the assess Lambda's GetMetricData
 * queries, `capture`, and the diagnosis rules all refer to these entries.
 */

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
  | 'downtime'
  | 'kpus';

export interface MetricSpec {
  readonly key: MetricKey;
  readonly namespace: string;
  readonly metricName: string;
  /** Statistics accepted for this metric, preferred first; the first is the one StreamMedic asks for. */
  readonly stats: readonly string[];
  /** Which resource's name goes into the default dimension. */
  readonly resource: 'stream' | 'application';
  readonly unit: string;
}

function spec(
  key: MetricKey,
  namespace: string,
  metricName: string,
  stats: readonly string[],
  resource: 'stream' | 'application',
  unit: string,
): MetricSpec {
  return { key, namespace, metricName, stats, resource, unit };
}

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
  getRecordsRecords: spec('getRecordsRecords', KINESIS_NAMESPACE, 'GetRecords.Records', ['Sum'], 'stream', 'Count'),
  millisBehindLatest: spec(
    'millisBehindLatest',
    FLINK_NAMESPACE,
    'millisBehindLatest',
    ['Maximum'],
    'application',
    'Milliseconds',
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
  ),
  backPressuredTime: spec(
    'backPressuredTime',
    FLINK_NAMESPACE,
    'backPressuredTimeMsPerSecond',
    ['Maximum', 'Average'],
    'application',
    'Milliseconds',
  ),
  idleTime: spec(
    'idleTime',
    FLINK_NAMESPACE,
    'idleTimeMsPerSecond',
    ['Maximum', 'Average'],
    'application',
    'Milliseconds',
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
  fullRestarts: spec('fullRestarts', FLINK_NAMESPACE, 'fullRestarts', ['Maximum', 'Sum'], 'application', 'Count'),
  downtime: spec('downtime', FLINK_NAMESPACE, 'downtime', ['Maximum', 'Average'], 'application', 'Milliseconds'),
  kpus: spec('kpus', FLINK_NAMESPACE, 'KPUs', ['Maximum', 'Average'], 'application', 'Count'),
};

export const METRIC_KEYS = Object.keys(METRICS) as MetricKey[];

/** The default dimension of a metric for a resource; per-source or per-shard series add more. */
export function defaultDimensions(metric: MetricSpec, resourceName: string): { Name: string; Value: string }[] {
  return [{ Name: metric.resource === 'stream' ? 'StreamName' : 'Application', Value: resourceName }];
}
