/**
 * The alarms that watch what StreamMedic can see. A target whose lag or CPU metric stops arriving
 * leaves its alarm in INSUFFICIENT_DATA (or, with another missing-data treatment, quietly OK): the
 * alarm can no longer start a run, and nobody is told. Derived from the one set of alarm definitions,
 * so each watches exactly the metric its alarm reads.
 */
import {
  ALARM_KIND_SLUGS,
  alarmDefinitionsFor,
  type AlarmDefinition,
  type AlarmKind,
  type AlarmValue,
} from './alarm-definitions';
import { MAX_ALARM_WINDOW_SECONDS, MAX_INSIGHTS_ALARM_WINDOW_SECONDS } from './alarm-settings';
import { METRICS } from './metric-catalog';
import { formatInsightsQuery, parseInsightsQuery } from './metrics-insights';
import type { StreamMedicConfig } from './config';

/** The alarm kinds whose silence makes StreamMedic blind to an incident: lag and CPU. */
export const WATCHED_FOR_BLINDNESS: readonly AlarmKind[] = ['appLag', 'streamLag', 'appCpu'];

/**
 * Every watchdog alarm name starts with `<namePrefix>Watch-`, which is not `<namePrefix>-`: the rule
 * that starts remediation runs matches the target alarms' prefix, and must never start one for these.
 */
export function watchdogAlarmName(namePrefix: string, what: string): string {
  return `${namePrefix}Watch-${what}`;
}

export interface BlindAlarmDefinition {
  readonly alarmName: string;
  readonly target: string;
  /** The target alarm whose metric this one watches. */
  readonly watches: { readonly alarmName: string; readonly kind: AlarmKind };
  readonly description: string;
  /**
   * How many datapoints of the watched alarm's metric arrived per period: its metric read as
   * `SampleCount`, or its Metrics Insights query with COUNT in place of its function.
   */
  readonly value: AlarmValue;
  readonly threshold: 1;
  readonly comparisonOperator: 'LessThanThreshold';
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  /** A period without a datapoint counts against the target: that is what this alarm is for. */
  readonly treatMissingData: 'breaching';
}

const BLIND_TEXT: Readonly<Partial<Record<AlarmKind, string>>> = {
  appLag: 'lag',
  streamLag: 'lag',
  appCpu: 'CPU',
};

/**
 * Periods of `periodSeconds` covering `minutes`: at least one, and never more than the alarm may
 * evaluate (a day; three hours for an alarm on a Metrics Insights query).
 */
export function blindEvaluationPeriods(
  minutes: number,
  periodSeconds: number,
  maxWindowSeconds: number = MAX_ALARM_WINDOW_SECONDS,
): number {
  const wanted = Math.max(1, Math.ceil((minutes * 60) / periodSeconds));
  return Math.min(wanted, Math.max(1, Math.floor(maxWindowSeconds / periodSeconds)));
}

/** The watched alarm's value turned into a count of the datapoints it reads; undefined for metric math. */
type CountValue = Extract<AlarmValue, { readonly type: 'metric' | 'insights' }>;

function countOf(watched: AlarmDefinition): CountValue | undefined {
  const value = watched.value;
  if (value.type === 'metric') return { type: 'metric', metric: { ...value.metric, statistic: 'SampleCount' } };
  if (value.type === 'insights') {
    const query = formatInsightsQuery({ ...parseInsightsQuery(value.query), fn: 'COUNT' });
    return { ...value, id: 'seen', query, label: 'Datapoints of the watched query' };
  }
  return undefined;
}

function blindAlarmFor(config: StreamMedicConfig, watched: AlarmDefinition): BlindAlarmDefinition | undefined {
  // A metric-math alarm has no single metric to count; lag and CPU alarms read one metric or one query.
  const value = countOf(watched);
  if (!value) return undefined;
  const minutes = config.watchdog.blindAfterMinutes;
  const evaluationPeriods = blindEvaluationPeriods(
    minutes,
    watched.periodSeconds,
    value.type === 'insights' ? MAX_INSIGHTS_ALARM_WINDOW_SECONDS : MAX_ALARM_WINDOW_SECONDS,
  );
  const what = BLIND_TEXT[watched.kind] ?? watched.kind;
  const source =
    value.type === 'metric'
      ? `${value.metric.namespace} metrics with the dimensions ${Object.entries(value.metric.dimensions)
          .map(([name, dimension]) => `${name}=${dimension}`)
          .join(', ')}`
      : `the metrics its query reads (${value.query})`;
  const metricName = value.type === 'metric' ? value.metric.metricName : METRICS[value.key].metricName;
  return {
    alarmName: watchdogAlarmName(config.alarms.namePrefix, `${watched.target}-blind-${ALARM_KIND_SLUGS[watched.kind]}`),
    target: watched.target,
    watches: { alarmName: watched.alarmName, kind: watched.kind },
    description:
      `StreamMedic cannot see ${watched.target}: no ${metricName} datapoint from ${watched.resource.type} ` +
      `${watched.resource.name} for ${(evaluationPeriods * watched.periodSeconds) / 60} minutes, so its ${what} ` +
      `alarm ${watched.alarmName} cannot fire and an incident would go unhandled. Check that the ` +
      `${watched.resource.type} exists and is running, that it still publishes ${source}, and that the ` +
      `config names it correctly.`,
    value,
    threshold: 1,
    comparisonOperator: 'LessThanThreshold',
    periodSeconds: watched.periodSeconds,
    evaluationPeriods,
    datapointsToAlarm: evaluationPeriods,
    treatMissingData: 'breaching',
  };
}

/** One "cannot see" alarm per lag and CPU alarm of every target. */
export function blindAlarmDefinitions(config: StreamMedicConfig): BlindAlarmDefinition[] {
  return alarmDefinitionsFor(config)
    .filter((definition) => WATCHED_FOR_BLINDNESS.includes(definition.kind))
    .flatMap((definition) => blindAlarmFor(config, definition) ?? []);
}
