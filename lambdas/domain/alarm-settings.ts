import * as z from 'zod';
import type { Policy } from './policy';

/**
 * The knobs of StreamMedic's alarms: one schema for the config's global `alarms` and one for a
 * target's override, the defaults (each stated once, with the reason for it), and the resolution of
 * global settings, a target's override, the defaults and the policy into the settings an alarm uses.
 * Kept apart from alarm-definitions.ts so that config.ts can embed these schemas without an import cycle.
 */

/** The alarm kinds, as config keys. Each target gets at most one alarm of each kind. */
export const ALARM_KINDS = [
  'appLag',
  'streamLag',
  'appCpu',
  'appCpuSaturated',
  'writeThrottling',
  'readThrottling',
  'streamLowUtilization',
  'appLowCpu',
] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

/** CloudWatch's `TreatMissingData` values. */
export const TREAT_MISSING_DATA = ['breaching', 'notBreaching', 'ignore', 'missing'] as const;
export type TreatMissingData = (typeof TREAT_MISSING_DATA)[number];

/** The two Managed Flink CPU metrics, as metric-catalog keys. */
export const CPU_METRICS = ['containerCpu', 'cpu'] as const;
export type CpuMetric = (typeof CPU_METRICS)[number];

/** What every alarm name starts with, before `-<target>-<kind>`; the EventBridge rule matches on it. */
export const DEFAULT_ALARM_NAME_PREFIX = 'StreamMedic';

/** CloudWatch refuses alarms whose periods span more than a day. */
export const MAX_ALARM_WINDOW_SECONDS = 24 * 60 * 60;

/**
 * Kinds whose alarm is a Metrics Insights query, which CloudWatch evaluates on the latest three
 * hours of data only (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html).
 */
export const INSIGHTS_ALARM_KINDS: readonly AlarmKind[] = ['appLag'];
export const MAX_INSIGHTS_ALARM_WINDOW_SECONDS = 3 * 60 * 60;

/**
 * Where a default comes from: a number, or the policy (so the alarm and the diagnosis it triggers
 * agree on what "behind", "busy", "throttled" and "idle" mean).
 */
type Derived = 'policy';

interface KindDefaults {
  readonly periodSeconds: number;
  readonly evaluationPeriods: number | Derived;
  readonly datapointsToAlarm: number | Derived;
  readonly threshold: number | Derived;
  readonly treatMissingData: TreatMissingData;
}

/** Every alarm default, once, with its reason. `'policy'` values are derived in {@link resolveAlarmSettings}. */
export const ALARM_DEFAULTS: Readonly<Record<AlarmKind, KindDefaults>> = {
  appLag: {
    // One-minute periods, the finest standard resolution: lag is seen within minutes.
    periodSeconds: 60,
    // Three behind minutes out of five: sustained lag, not one slow checkpoint or a restart blip.
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    // policy.lagThresholdMs: the lag the diagnosis calls "behind".
    threshold: 'policy',
    // No millisBehindLatest means no app reporting: that is neither lag nor health, so the alarm
    // judges on the datapoints it has and goes INSUFFICIENT_DATA when it has none.
    treatMissingData: 'missing',
  },
  streamLag: {
    // Same reasoning as appLag: the iterator age is the lag of readers without a Flink app.
    periodSeconds: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    threshold: 'policy',
    // Kinesis reports no iterator age while nobody reads; silence is not lag.
    treatMissingData: 'missing',
  },
  appCpu: {
    periodSeconds: 60,
    // Five busy minutes in a row: past checkpoint spikes, and well before Managed Flink's own
    // 15-minute autoscaling trigger, so StreamMedic assesses before the service acts.
    evaluationPeriods: 5,
    datapointsToAlarm: 5,
    // policy.cpuHighPercent: the CPU the diagnosis calls busy.
    threshold: 'policy',
    // A stopped app reports no CPU; that is not load.
    treatMissingData: 'missing',
  },
  appCpuSaturated: {
    periodSeconds: 60,
    // policy.nowMinutes periods, every one saturated: a job that jumps to full CPU (a spike, a costlier
    // deployment) is assessed within minutes instead of waiting out appCpu's five, and the diagnosis
    // reads "now" over the same minutes, so the jump is read at its new level. A ramp that only creeps
    // past cpuHighPercent stays appCpu's to catch.
    evaluationPeriods: 'policy',
    datapointsToAlarm: 'policy',
    // policy.cpuSaturatedPercent.
    threshold: 'policy',
    treatMissingData: 'missing',
  },
  writeThrottling: {
    periodSeconds: 60,
    // policy.recentMinutes periods, of which policy.throttleMinutes must throttle: the alarm fires on
    // the same "sustained throttling" the diagnosis looks for.
    evaluationPeriods: 'policy',
    datapointsToAlarm: 'policy',
    // Any refused record is data a producer must retry; datapointsToAlarm filters out blips.
    threshold: 0,
    // Kinesis reports no throttling datapoint when nothing was written: no writes, no throttling.
    treatMissingData: 'notBreaching',
  },
  readThrottling: {
    periodSeconds: 60,
    evaluationPeriods: 'policy',
    datapointsToAlarm: 'policy',
    threshold: 0,
    treatMissingData: 'notBreaching',
  },
  streamLowUtilization: {
    // One-minute sums keep the per-minute peaks that a longer sum would average away.
    periodSeconds: 60,
    // policy.scaleInWindowMinutes, every period of it quiet: scale down slowly.
    evaluationPeriods: 'policy',
    datapointsToAlarm: 'policy',
    // policy.scaleInUtilization as a percentage of the write capacity of `shardCount` shards.
    threshold: 'policy',
    // Kinesis emits no IncomingBytes when nothing is written: silence is the idlest stream of all.
    treatMissingData: 'breaching',
  },
  appLowCpu: {
    // Five-minute Maximum keeps each minute's peak while the long window stays within CloudWatch's limits.
    periodSeconds: 300,
    evaluationPeriods: 'policy',
    datapointsToAlarm: 'policy',
    // policy.scaleInUtilization as a CPU percentage.
    threshold: 'policy',
    // A stopped app reports no CPU; an app that is not running must not be scaled in.
    treatMissingData: 'notBreaching',
  },
};

/** Defaults of the switches, with their reasons. */
export const ALARM_OPTION_DEFAULTS = {
  /** Every kind that fits the target is on: each watches a cause StreamMedic can name. */
  enabled: true,
  /**
   * A Flink app's millisBehindLatest is its own lag; the stream's iterator age mixes in every other
   * reader, so beside an app it is off unless asked for.
   */
  withApplication: false,
  /** containerCPUUtilization counts the whole TaskManager container; cpuUtilization only its JVM. */
  cpuMetric: 'containerCpu' as CpuMetric,
} as const;

const positiveInt = z.number().int().positive();
const periodSeconds = positiveInt
  .multipleOf(60, { message: 'must be a whole number of minutes (a multiple of 60)' })
  .max(MAX_ALARM_WINDOW_SECONDS);
const dimensions = z.record(z.string().min(1).max(255), z.string().min(1).max(1024));

/** Fields every alarm kind has; all optional, because an absent field falls back to the next layer. */
function kindShape<T extends z.ZodType>(threshold: T) {
  return {
    /** Create this alarm. Default: {@link ALARM_OPTION_DEFAULTS}.enabled (true). */
    enabled: z.boolean().optional(),
    threshold: threshold.optional(),
    periodSeconds: periodSeconds.optional(),
    evaluationPeriods: positiveInt.max(MAX_ALARM_WINDOW_SECONDS / 60).optional(),
    datapointsToAlarm: positiveInt.optional(),
    treatMissingData: z.enum(TREAT_MISSING_DATA).optional(),
  };
}

/**
 * A target's override may also name the dimensions of its series: Managed Flink reports per-source
 * series with extra dimensions, and these are merged over the default `Application`/`StreamName`.
 */
const targetOnly = { dimensions: dimensions.optional() };

const lagThreshold = positiveInt;
const percent = z.number().gt(0).lte(100);
const throttledRecords = z.number().min(0);

/** The fields of each kind that both the global settings and a target's override may set. */
const kindShapes = {
  appLag: kindShape(lagThreshold),
  streamLag: {
    ...kindShape(lagThreshold),
    /** Also watch the stream's iterator age when a Flink app reads it. Default: false (see ALARM_OPTION_DEFAULTS). */
    withApplication: z.boolean().optional(),
  },
  appCpu: {
    ...kindShape(percent),
    /** Which CPU metric to watch. Default: containerCpu (see ALARM_OPTION_DEFAULTS). */
    metric: z.enum(CPU_METRICS).optional(),
  },
  appCpuSaturated: {
    ...kindShape(percent),
    /** Which CPU metric to watch. Default: containerCpu (see ALARM_OPTION_DEFAULTS). */
    metric: z.enum(CPU_METRICS).optional(),
  },
  writeThrottling: kindShape(throttledRecords),
  readThrottling: kindShape(throttledRecords),
  streamLowUtilization: kindShape(percent),
  appLowCpu: {
    ...kindShape(percent),
    /** Which CPU metric to watch. Default: containerCpu (see ALARM_OPTION_DEFAULTS). */
    metric: z.enum(CPU_METRICS).optional(),
  },
};

const globalKinds = {
  appLag: z.object(kindShapes.appLag).strict(),
  streamLag: z.object(kindShapes.streamLag).strict(),
  appCpu: z.object(kindShapes.appCpu).strict(),
  appCpuSaturated: z.object(kindShapes.appCpuSaturated).strict(),
  writeThrottling: z.object(kindShapes.writeThrottling).strict(),
  readThrottling: z.object(kindShapes.readThrottling).strict(),
  streamLowUtilization: z.object(kindShapes.streamLowUtilization).strict(),
  appLowCpu: z.object(kindShapes.appLowCpu).strict(),
};

const targetKinds = {
  appLag: z.object({ ...kindShapes.appLag, ...targetOnly }).strict(),
  streamLag: z.object({ ...kindShapes.streamLag, ...targetOnly }).strict(),
  appCpu: z.object({ ...kindShapes.appCpu, ...targetOnly }).strict(),
  appCpuSaturated: z.object({ ...kindShapes.appCpuSaturated, ...targetOnly }).strict(),
  writeThrottling: z.object({ ...kindShapes.writeThrottling, ...targetOnly }).strict(),
  readThrottling: z.object({ ...kindShapes.readThrottling, ...targetOnly }).strict(),
  streamLowUtilization: z
    .object({
      ...kindShapes.streamLowUtilization,
      ...targetOnly,
      /**
       * Shards the utilisation is measured against. CloudWatch has no shard-count metric, so the
       * alarm uses a fixed count; the assessment it starts reads the live count before acting.
       * Default: the stream's minShards, so the alarm fires only when even the smallest allowed
       * stream would be under-used; set it to the usual count to hear about idle capacity sooner.
       */
      shardCount: positiveInt.optional(),
    })
    .strict(),
  appLowCpu: z.object({ ...kindShapes.appLowCpu, ...targetOnly }).strict(),
};

/** The config's global `alarms`. */
export const AlarmSettingsSchema = z
  .object({
    /** Start of every alarm name; give each StreamMedic deployment in an account and region its own. */
    namePrefix: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { message: 'letters, digits, "-", "_" and "." only' })
      .default(DEFAULT_ALARM_NAME_PREFIX),
    appLag: globalKinds.appLag.optional(),
    streamLag: globalKinds.streamLag.optional(),
    appCpu: globalKinds.appCpu.optional(),
    appCpuSaturated: globalKinds.appCpuSaturated.optional(),
    writeThrottling: globalKinds.writeThrottling.optional(),
    readThrottling: globalKinds.readThrottling.optional(),
    streamLowUtilization: globalKinds.streamLowUtilization.optional(),
    appLowCpu: globalKinds.appLowCpu.optional(),
  })
  .strict();
export type AlarmSettings = z.output<typeof AlarmSettingsSchema>;

/** A target's `alarms`: overrides of the global settings for this target only. */
export const TargetAlarmSettingsSchema = z
  .object({
    appLag: targetKinds.appLag.optional(),
    streamLag: targetKinds.streamLag.optional(),
    appCpu: targetKinds.appCpu.optional(),
    appCpuSaturated: targetKinds.appCpuSaturated.optional(),
    writeThrottling: targetKinds.writeThrottling.optional(),
    readThrottling: targetKinds.readThrottling.optional(),
    streamLowUtilization: targetKinds.streamLowUtilization.optional(),
    appLowCpu: targetKinds.appLowCpu.optional(),
  })
  .strict();
export type TargetAlarmSettings = z.output<typeof TargetAlarmSettingsSchema>;

/** The settings one alarm of one target uses, every layer applied. */
export interface ResolvedAlarmSettings {
  readonly enabled: boolean;
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: TreatMissingData;
  /** Merged over the metric's default dimension. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** streamLag only. */
  readonly withApplication: boolean;
  /** appCpu and appLowCpu only. */
  readonly cpuMetric: CpuMetric;
  /** streamLowUtilization only; undefined when the target has no stream. */
  readonly shardCount?: number;
}

/** What resolution needs to know about a target. */
export interface AlarmTargetInput {
  readonly alarms?: TargetAlarmSettings;
  readonly stream?: { readonly minShards: number };
  readonly application?: object;
}

/** Whether a target gets an alarm of this kind at all: it needs the resource the alarm watches. */
export function alarmKindApplies(kind: AlarmKind, target: AlarmTargetInput, settings: ResolvedAlarmSettings): boolean {
  if (!settings.enabled) return false;
  switch (kind) {
    case 'appLag':
    case 'appCpu':
    case 'appCpuSaturated':
    case 'appLowCpu':
      return target.application !== undefined;
    case 'streamLag':
      return target.stream !== undefined && (target.application === undefined || settings.withApplication);
    case 'writeThrottling':
    case 'readThrottling':
    case 'streamLowUtilization':
      return target.stream !== undefined;
  }
}

/** Periods covering `minutes`, at least one. */
function periodsFor(minutes: number, periodSeconds: number): number {
  return Math.max(1, Math.ceil((minutes * 60) / periodSeconds));
}

function policyThreshold(kind: AlarmKind, policy: Policy): number {
  switch (kind) {
    case 'appLag':
    case 'streamLag':
      return policy.lagThresholdMs;
    case 'appCpu':
      return policy.cpuHighPercent;
    case 'appCpuSaturated':
      return policy.cpuSaturatedPercent;
    case 'streamLowUtilization':
    case 'appLowCpu':
      return policy.scaleInUtilization * 100;
    case 'writeThrottling':
    case 'readThrottling':
      // Their default is a fixed 0 (any refused record); the policy has no throttling threshold.
      return 0;
  }
}

function policyPeriods(
  kind: AlarmKind,
  policy: Policy,
  periodSeconds: number,
): { evaluationPeriods: number; datapointsToAlarm: number } {
  if (kind === 'appCpuSaturated') {
    const evaluationPeriods = periodsFor(policy.nowMinutes, periodSeconds);
    return { evaluationPeriods, datapointsToAlarm: evaluationPeriods };
  }
  if (kind === 'writeThrottling' || kind === 'readThrottling') {
    const evaluationPeriods = periodsFor(policy.recentMinutes, periodSeconds);
    return {
      evaluationPeriods,
      datapointsToAlarm: Math.min(evaluationPeriods, periodsFor(policy.throttleMinutes, periodSeconds)),
    };
  }
  const evaluationPeriods = periodsFor(policy.scaleInWindowMinutes, periodSeconds);
  return { evaluationPeriods, datapointsToAlarm: evaluationPeriods };
}

/**
 * The settings of one alarm kind for one target: the target's override, then the global setting,
 * then the default (from the policy where the default says so).
 */
export function resolveAlarmSettings(
  kind: AlarmKind,
  global: AlarmSettings | undefined,
  target: AlarmTargetInput,
  policy: Policy,
): ResolvedAlarmSettings {
  const own = (target.alarms?.[kind] ?? {}) as Record<string, unknown>;
  const shared = (global?.[kind] ?? {}) as Record<string, unknown>;
  const pick = <T>(field: string): T | undefined => (own[field] ?? shared[field]) as T | undefined;
  const defaults = ALARM_DEFAULTS[kind];

  const period = pick<number>('periodSeconds') ?? defaults.periodSeconds;
  const derived = policyPeriods(kind, policy, period);
  const evaluationPeriods =
    pick<number>('evaluationPeriods') ??
    (defaults.evaluationPeriods === 'policy' ? derived.evaluationPeriods : defaults.evaluationPeriods);
  const explicitDatapoints = pick<number>('datapointsToAlarm');
  const datapointsToAlarm =
    explicitDatapoints ??
    (defaults.datapointsToAlarm === 'policy'
      ? // An explicit evaluationPeriods shorter than the derived count must not be outvoted by it.
        Math.min(derived.datapointsToAlarm, evaluationPeriods)
      : Math.min(defaults.datapointsToAlarm, evaluationPeriods));
  const threshold =
    pick<number>('threshold') ?? (defaults.threshold === 'policy' ? policyThreshold(kind, policy) : defaults.threshold);

  return {
    enabled: pick<boolean>('enabled') ?? ALARM_OPTION_DEFAULTS.enabled,
    threshold,
    periodSeconds: period,
    evaluationPeriods,
    datapointsToAlarm,
    treatMissingData: pick<TreatMissingData>('treatMissingData') ?? defaults.treatMissingData,
    dimensions: (own['dimensions'] as Record<string, string> | undefined) ?? {},
    withApplication: pick<boolean>('withApplication') ?? ALARM_OPTION_DEFAULTS.withApplication,
    cpuMetric: pick<CpuMetric>('metric') ?? ALARM_OPTION_DEFAULTS.cpuMetric,
    ...(target.stream ? { shardCount: (own['shardCount'] as number | undefined) ?? target.stream.minShards } : {}),
  };
}

/** A problem in resolved alarm settings, with the path of the field to change. */
export interface AlarmSettingsIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/** The parts of a config the alarm checks read. */
export interface AlarmConfigInput<T extends AlarmTargetInput> {
  readonly alarms?: AlarmSettings;
  readonly targets: readonly T[];
}

/** The policy field a derived evaluation window comes from. */
function windowPolicyField(kind: AlarmKind): keyof Policy {
  if (kind === 'appCpuSaturated') return 'nowMinutes';
  return kind === 'writeThrottling' || kind === 'readThrottling' ? 'recentMinutes' : 'scaleInWindowMinutes';
}

/**
 * Checks the combinations the schemas cannot see field by field: datapoints within the evaluation
 * periods, and the evaluation window within the day CloudWatch allows. Each issue names the field to
 * change: the one that was set (a target's override before the global setting), or the policy field
 * a default was derived from.
 */
export function alarmSettingsIssues<T extends AlarmTargetInput & { readonly policy?: Partial<Policy> }>(
  config: AlarmConfigInput<T>,
  policyFor: (target: T) => Policy,
): AlarmSettingsIssue[] {
  const issues: AlarmSettingsIssue[] = [];
  config.targets.forEach((target, index) => {
    const policy = policyFor(target);
    for (const kind of ALARM_KINDS) {
      const settings = resolveAlarmSettings(kind, config.alarms, target, policy);
      if (!alarmKindApplies(kind, target, settings)) continue;
      const own = (target.alarms?.[kind] ?? {}) as Record<string, unknown>;
      const shared = (config.alarms?.[kind] ?? {}) as Record<string, unknown>;
      const setting = (field: string): (string | number)[] | undefined => {
        if (own[field] !== undefined) return ['targets', index, 'alarms', kind, field];
        if (shared[field] !== undefined) return ['alarms', kind, field];
        return undefined;
      };
      if (settings.datapointsToAlarm > settings.evaluationPeriods) {
        // Derived datapoints are capped at the evaluation periods, so only a set value gets here.
        issues.push({
          path: setting('datapointsToAlarm') ?? ['alarms', kind, 'datapointsToAlarm'],
          message: `must be <= evaluationPeriods (${settings.evaluationPeriods})`,
        });
      }
      if (kind === 'appCpuSaturated' && settings.threshold < policy.cpuHighPercent) {
        // Below the busy threshold, the runs it starts would read the job as healthy, every sweep.
        issues.push({
          path:
            setting('threshold') ??
            (target.policy?.cpuSaturatedPercent !== undefined
              ? ['targets', index, 'policy', 'cpuSaturatedPercent']
              : ['policy', 'cpuSaturatedPercent']),
          message:
            `gives the appCpuSaturated alarm of targets[${index}] a threshold of ${settings.threshold}%, under ` +
            `policy.cpuHighPercent (${policy.cpuHighPercent}%): a run it starts would not find the job busy`,
        });
      }
      const windowSeconds = settings.periodSeconds * settings.evaluationPeriods;
      if (INSIGHTS_ALARM_KINDS.includes(kind) && windowSeconds > MAX_INSIGHTS_ALARM_WINDOW_SECONDS) {
        issues.push({
          path: setting('evaluationPeriods') ?? setting('periodSeconds') ?? ['alarms', kind, 'evaluationPeriods'],
          message:
            `gives the ${kind} alarm of targets[${index}] a window of ${windowSeconds} s; CloudWatch evaluates ` +
            `a Metrics Insights alarm on the latest ${MAX_INSIGHTS_ALARM_WINDOW_SECONDS} s (3 hours) only`,
        });
      }
      if (windowSeconds > MAX_ALARM_WINDOW_SECONDS) {
        const policyField = windowPolicyField(kind);
        const path =
          setting('evaluationPeriods') ??
          (ALARM_DEFAULTS[kind].evaluationPeriods === 'policy'
            ? target.policy?.[policyField] !== undefined
              ? ['targets', index, 'policy', policyField]
              : ['policy', policyField]
            : (setting('periodSeconds') ?? ['alarms', kind, 'periodSeconds']));
        issues.push({
          path,
          message:
            `gives the ${kind} alarm of targets[${index}] a window of ${windowSeconds} s; ` +
            `CloudWatch evaluates at most ${MAX_ALARM_WINDOW_SECONDS} s (one day)`,
        });
      }
    }
  });
  return issues;
}
