import {
  ALARM_KINDS,
  DEFAULT_ALARM_NAME_PREFIX,
  alarmKindApplies,
  resolveAlarmSettings,
  type AlarmKind,
  type ResolvedAlarmSettings,
  type TreatMissingData,
} from './alarm-settings';
import { AWS_LIMITS, effectivePolicy, type StreamMedicConfig, type TargetConfig } from './config';
import { METRICS, applicationLagQuery, defaultDimensions, type MetricKey } from './metric-catalog';

/**
 * StreamMedic's alarms, defined once. The CDK stack turns each definition into a CloudWatch alarm;
 * the local simulator evaluates the same definitions against its own metrics, so the two cannot
 * drift. A definition carries everything an evaluator needs: the metric or metric-math expression,
 * its dimensions, statistic and period, the threshold and comparison, the datapoints rule and the
 * missing-data treatment.
 */

export {
  ALARM_KINDS,
  AlarmSettingsSchema,
  DEFAULT_ALARM_NAME_PREFIX,
  TargetAlarmSettingsSchema,
  type AlarmKind,
  type AlarmSettings,
  type TargetAlarmSettings,
  type TreatMissingData,
} from './alarm-settings';

export type ComparisonOperator = 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold';

/** One metric an alarm reads, as CloudWatch's MetricStat names it. */
export interface AlarmMetric {
  /** Id of this input in the alarm's expression (lower-case first letter, as metric math requires). */
  readonly id: string;
  readonly key: MetricKey;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: string;
  readonly periodSeconds: number;
  readonly unit: string;
}

/** An intermediate metric-math result, computed before the alarm's own expression and named by `id`. */
export interface AlarmExpressionStep {
  readonly id: string;
  readonly expression: string;
  readonly label: string;
}

/** The value an alarm compares with its threshold: one metric, metric math over several, or a Metrics Insights query. */
export type AlarmValue =
  | { readonly type: 'metric'; readonly metric: AlarmMetric }
  | {
      readonly type: 'insights';
      /** Id of the query in the alarm (lower-case first letter, as CloudWatch requires of expression ids). */
      readonly id: string;
      /** A Metrics Insights SELECT without GROUP BY: one aggregated series over every series it matches. */
      readonly query: string;
      readonly label: string;
      /** The metric the query aggregates, from the catalog. */
      readonly key: MetricKey;
      readonly periodSeconds: number;
    }
  | {
      readonly type: 'expression';
      readonly id: string;
      /** CloudWatch metric math over the ids of `inputs` and `steps`; must return one time series. */
      readonly expression: string;
      readonly label: string;
      readonly inputs: readonly AlarmMetric[];
      /** Evaluated in order; each may use the inputs and the steps before it. */
      readonly steps: readonly AlarmExpressionStep[];
    };

export interface AlarmDefinition {
  readonly alarmName: string;
  readonly target: string;
  readonly kind: AlarmKind;
  readonly resource: { readonly type: 'stream' | 'application'; readonly name: string };
  readonly description: string;
  readonly value: AlarmValue;
  readonly unit: string;
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: TreatMissingData;
}

/** The slug each kind has in an alarm name. No slug ends with `-` plus another, so names parse back. */
export const ALARM_KIND_SLUGS: Readonly<Record<AlarmKind, string>> = {
  appLag: 'app-lag',
  streamLag: 'stream-lag',
  appCpu: 'app-cpu',
  appCpuSaturated: 'app-cpu-saturated',
  writeThrottling: 'write-throttling',
  readThrottling: 'read-throttling',
  streamLowUtilization: 'stream-low-utilization',
  appLowCpu: 'app-low-cpu',
};

const COMPARISONS: Readonly<Record<AlarmKind, ComparisonOperator>> = {
  appLag: 'GreaterThanThreshold',
  streamLag: 'GreaterThanThreshold',
  // Managed Flink's own autoscaler counts 75% itself as busy.
  appCpu: 'GreaterThanOrEqualToThreshold',
  appCpuSaturated: 'GreaterThanOrEqualToThreshold',
  writeThrottling: 'GreaterThanThreshold',
  readThrottling: 'GreaterThanThreshold',
  streamLowUtilization: 'LessThanThreshold',
  appLowCpu: 'LessThanThreshold',
};

/** `<prefix>-<target>-<kind slug>`: deterministic, so the rule can match the prefix and the intake can parse it. */
export function alarmName(target: string, kind: AlarmKind, namePrefix: string = DEFAULT_ALARM_NAME_PREFIX): string {
  return `${namePrefix}-${target}-${ALARM_KIND_SLUGS[kind]}`;
}

/** What every StreamMedic alarm name starts with; the EventBridge rule matches this prefix. */
export function alarmNamePrefix(namePrefix: string = DEFAULT_ALARM_NAME_PREFIX): string {
  return `${namePrefix}-`;
}

/** The target and kind of a StreamMedic alarm name, or undefined for any other alarm. */
export function parseAlarmName(
  name: string,
  namePrefix: string = DEFAULT_ALARM_NAME_PREFIX,
): { readonly target: string; readonly kind: AlarmKind } | undefined {
  const prefix = alarmNamePrefix(namePrefix);
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  for (const kind of ALARM_KINDS) {
    const suffix = `-${ALARM_KIND_SLUGS[kind]}`;
    if (rest.length > suffix.length && rest.endsWith(suffix)) {
      return { target: rest.slice(0, -suffix.length), kind };
    }
  }
  return undefined;
}

/** The target a StreamMedic alarm belongs to, or undefined for any other alarm. */
export function targetFromAlarmName(name: string, namePrefix: string = DEFAULT_ALARM_NAME_PREFIX): string | undefined {
  return parseAlarmName(name, namePrefix)?.target;
}

function metricInput(id: string, key: MetricKey, resourceName: string, settings: ResolvedAlarmSettings): AlarmMetric {
  const spec = METRICS[key];
  const dimensions: Record<string, string> = {};
  for (const { Name, Value } of defaultDimensions(spec, resourceName)) dimensions[Name] = Value;
  return {
    id,
    key,
    namespace: spec.namespace,
    metricName: spec.metricName,
    dimensions: { ...dimensions, ...settings.dimensions },
    statistic: spec.stats[0]!,
    periodSeconds: settings.periodSeconds,
    unit: spec.unit,
  };
}

function single(metric: AlarmMetric): AlarmValue {
  return { type: 'metric', metric };
}

/**
 * The application's lag, the MAX over every `millisBehindLatest` series of the application. The
 * Kinesis source publishes it per source stream with the dimensions Application, Id (the stream) and
 * Flow, and per shard at PARALLELISM level, never on Application alone
 * (https://docs.aws.amazon.com/managed-flink/latest/java/metrics-dimensions.html); one query follows
 * the sources as they are, where a MetricStat would need every dimension spelled out. A target's own
 * dimensions narrow the query (e.g. to one source stream with `Id`).
 */
function applicationLag(applicationName: string, settings: ResolvedAlarmSettings): AlarmValue {
  return {
    type: 'insights',
    id: 'lag',
    key: METRICS.millisBehindLatest.key,
    query: applicationLagQuery(applicationName, settings.dimensions),
    label: 'Lag of the slowest source (ms)',
    periodSeconds: settings.periodSeconds,
  };
}

/**
 * Write utilisation per shard, in percent of the binding limit: the larger of bytes over 1 MiB/s and
 * records over 1,000/s, for `shardCount` shards (the planner sizes streams by the same two limits).
 */
function streamUtilization(streamName: string, settings: ResolvedAlarmSettings): AlarmValue {
  const period = settings.periodSeconds;
  const shards = settings.shardCount ?? 1;
  return {
    type: 'expression',
    id: 'utilization',
    expression: 'MAX([bytesShare, recordsShare])',
    label: `Write utilisation of ${shards} shard(s) (%)`,
    inputs: [
      metricInput('bytes', 'incomingBytes', streamName, settings),
      metricInput('records', 'incomingRecords', streamName, settings),
    ],
    steps: [
      {
        id: 'bytesShare',
        expression: `100 * bytes / (${period} * ${AWS_LIMITS.shardWriteBytesPerSecond} * ${shards})`,
        label: 'Incoming bytes (% of shard limit)',
      },
      {
        id: 'recordsShare',
        expression: `100 * records / (${period} * ${AWS_LIMITS.shardWriteRecordsPerSecond} * ${shards})`,
        label: 'Incoming records (% of shard limit)',
      },
    ],
  };
}

/** Both write-throttling counters: PutRecord throttles appear only in the first, PutRecords in both. */
function writeThrottled(streamName: string, settings: ResolvedAlarmSettings): AlarmValue {
  return {
    type: 'expression',
    id: 'throttled',
    expression: 'MAX([writeThrottled, putRecordsThrottled])',
    label: 'Throttled write records',
    inputs: [
      metricInput('writeThrottled', 'writeThrottled', streamName, settings),
      metricInput('putRecordsThrottled', 'putRecordsThrottled', streamName, settings),
    ],
    steps: [],
  };
}

function minutes(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60}-minute` : `${seconds}-second`;
}

const KIND_TEXT: Readonly<Record<AlarmKind, string>> = {
  appLag: 'consumer lag of the Flink application',
  streamLag: 'consumer lag (iterator age) of the stream',
  appCpu: 'CPU of the Flink application',
  appCpuSaturated: 'CPU of the Flink application, saturated',
  writeThrottling: 'throttled writes to the stream',
  readThrottling: 'throttled reads from the stream',
  streamLowUtilization: 'write utilisation of the stream',
  appLowCpu: 'CPU of the Flink application, over the scale-in window',
};

const UNIT_TEXT: Readonly<Record<string, string>> = { Milliseconds: 'ms', Percent: '%', Count: 'records' };

const COMPARISON_TEXT: Readonly<Record<ComparisonOperator, string>> = {
  GreaterThanThreshold: 'above',
  GreaterThanOrEqualToThreshold: 'at or above',
  LessThanThreshold: 'below',
};

interface KindPlan {
  readonly resource: AlarmDefinition['resource'];
  readonly value: AlarmValue;
  readonly unit: string;
}

/** The resource and value of an alarm kind; call only for kinds that apply to the target. */
function planKind(kind: AlarmKind, target: TargetConfig, settings: ResolvedAlarmSettings): KindPlan {
  const onStream = (value: (name: string) => AlarmValue, unit: string): KindPlan => {
    const name = target.stream!.name;
    return { resource: { type: 'stream', name }, value: value(name), unit };
  };
  const onApp = (value: (name: string) => AlarmValue, unit: string): KindPlan => {
    const name = target.application!.name;
    return { resource: { type: 'application', name }, value: value(name), unit };
  };
  switch (kind) {
    case 'appLag':
      return onApp((app) => applicationLag(app, settings), 'Milliseconds');
    case 'appCpu':
    case 'appCpuSaturated':
    case 'appLowCpu':
      return onApp((app) => single(metricInput('m', settings.cpuMetric, app, settings)), 'Percent');
    case 'streamLag':
      return onStream((stream) => single(metricInput('m', 'iteratorAge', stream, settings)), 'Milliseconds');
    case 'writeThrottling':
      return onStream((stream) => writeThrottled(stream, settings), 'Count');
    case 'readThrottling':
      return onStream((stream) => single(metricInput('m', 'readThrottled', stream, settings)), 'Count');
    case 'streamLowUtilization':
      return onStream((stream) => streamUtilization(stream, settings), 'Percent');
  }
}

/** The alarms of one target, in {@link ALARM_KINDS} order. */
export function alarmDefinitionsForTarget(config: StreamMedicConfig, target: TargetConfig): AlarmDefinition[] {
  const policy = effectivePolicy(config, target);
  const definitions: AlarmDefinition[] = [];
  for (const kind of ALARM_KINDS) {
    const settings = resolveAlarmSettings(kind, config.alarms, target, policy);
    if (!alarmKindApplies(kind, target, settings)) continue;
    const plan = planKind(kind, target, settings);
    const comparisonOperator = COMPARISONS[kind];
    definitions.push({
      alarmName: alarmName(target.name, kind, config.alarms.namePrefix),
      target: target.name,
      kind,
      resource: plan.resource,
      description:
        `StreamMedic target "${target.name}": ${KIND_TEXT[kind]} ${plan.resource.name} ` +
        `${COMPARISON_TEXT[comparisonOperator]} ${settings.threshold} ${UNIT_TEXT[plan.unit] ?? plan.unit} in ` +
        `${settings.datapointsToAlarm} of ${settings.evaluationPeriods} ${minutes(settings.periodSeconds)} periods.`,
      value: plan.value,
      unit: plan.unit,
      threshold: settings.threshold,
      comparisonOperator,
      periodSeconds: settings.periodSeconds,
      evaluationPeriods: settings.evaluationPeriods,
      datapointsToAlarm: settings.datapointsToAlarm,
      treatMissingData: settings.treatMissingData,
    });
  }
  return definitions;
}

/** Every alarm StreamMedic creates for a config, target by target. */
export function alarmDefinitionsFor(config: StreamMedicConfig): AlarmDefinition[] {
  return config.targets.flatMap((target) => alarmDefinitionsForTarget(config, target));
}

/** Whether `value` breaches `threshold` under the comparison. */
export function breaches(comparison: ComparisonOperator, value: number, threshold: number): boolean {
  switch (comparison) {
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'LessThanThreshold':
      return value < threshold;
  }
}
