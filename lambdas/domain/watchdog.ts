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
  type AlarmMetric,
} from './alarm-definitions';
import { MAX_ALARM_WINDOW_SECONDS } from './alarm-settings';
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
  /** The watched alarm's metric, read as `SampleCount`: how many datapoints arrived per period. */
  readonly metric: AlarmMetric;
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

/** Periods of `periodSeconds` covering `minutes`: at least one, and never more than a day's worth. */
export function blindEvaluationPeriods(minutes: number, periodSeconds: number): number {
  const wanted = Math.max(1, Math.ceil((minutes * 60) / periodSeconds));
  return Math.min(wanted, Math.max(1, Math.floor(MAX_ALARM_WINDOW_SECONDS / periodSeconds)));
}

function blindAlarmFor(config: StreamMedicConfig, watched: AlarmDefinition): BlindAlarmDefinition | undefined {
  // A metric-math alarm has no single metric to count; lag and CPU alarms read one metric each.
  if (watched.value.type !== 'metric') return undefined;
  const minutes = config.watchdog.blindAfterMinutes;
  const evaluationPeriods = blindEvaluationPeriods(minutes, watched.periodSeconds);
  const metric = { ...watched.value.metric, statistic: 'SampleCount' };
  const what = BLIND_TEXT[watched.kind] ?? watched.kind;
  return {
    alarmName: watchdogAlarmName(config.alarms.namePrefix, `${watched.target}-blind-${ALARM_KIND_SLUGS[watched.kind]}`),
    target: watched.target,
    watches: { alarmName: watched.alarmName, kind: watched.kind },
    description:
      `StreamMedic cannot see ${watched.target}: no ${metric.metricName} datapoint from ${watched.resource.type} ` +
      `${watched.resource.name} for ${(evaluationPeriods * watched.periodSeconds) / 60} minutes, so its ${what} ` +
      `alarm ${watched.alarmName} cannot fire and an incident would go unhandled. Check that the ` +
      `${watched.resource.type} exists and is running, that it still publishes ${metric.namespace} metrics ` +
      `with the dimensions ${Object.entries(metric.dimensions)
        .map(([name, value]) => `${name}=${value}`)
        .join(', ')}, and that the config names it correctly.`,
    metric,
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
