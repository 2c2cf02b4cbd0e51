import * as z from 'zod';
import { AlarmSettingsSchema, TargetAlarmSettingsSchema, alarmSettingsIssues } from './alarm-settings';
import { MODES } from './vocabulary';
import { parseWith } from './validation';

/** The hard limits AWS sets; the schema refuses configs that would plan past them. */
export const AWS_LIMITS = {
  /** UpdateShardCount calls allowed per stream per rolling 24 hours. */
  shardUpdatesPerDay: 10,
  /** Shards per stream that UpdateShardCount will scale to (account default). */
  maxShardsPerStream: 10_000,
  /** A provisioned shard accepts this many bytes per second of writes. */
  shardWriteBytesPerSecond: 1024 * 1024,
  /** A provisioned shard accepts this many records per second of writes. */
  shardWriteRecordsPerSecond: 1000,
  /** A provisioned shard serves this many bytes per second to shared-throughput readers. */
  shardReadBytesPerSecond: 2 * 1024 * 1024,
  /** A provisioned shard serves this many GetRecords calls per second, shared by all readers. */
  shardReadCallsPerSecond: 5,
  /** Managed Flink parallelism range accepted by ParallelismUpdate. */
  maxParallelism: 256,
  /** Flink's upper limit for a job's max parallelism (key groups). */
  maxJobParallelism: 32_768,
  /** Managed Flink ParallelismPerKPU range. */
  maxParallelismPerKpu: 8,
  /** Kinesis retention ceiling, in hours (365 days). */
  maxRetentionHours: 8760,
} as const;

const positiveInt = z.number().int().positive();

/** Policy knobs. Every default is stated here, once, with the reason for it. */
export const PolicySchema = z
  .object({
    /** Plan capacity so that peak load uses this share of it: 30% headroom absorbs bursts between assessments. */
    targetUtilization: z.number().gt(0.1).lte(0.95).default(0.7),
    /** Consumer lag (ms) past which a pipeline is "behind": one minute is where on-call starts to care. */
    lagThresholdMs: positiveInt.default(60_000),
    /** Seconds a scale-up is given to drain the backlog (FLIP-271's catch-up duration); short, because lag is what on-call is paged for. */
    catchUpSeconds: positiveInt.default(300),
    /** Seconds a Managed Flink update keeps the job down (stop with snapshot, restore, restart). */
    expectedRestartSeconds: positiveInt.default(120),
    /** Minutes after a scale-up before the same resource may scale up again: a reshard or restart plus settling. */
    cooldownUpMinutes: positiveInt.default(10),
    /** Minutes after any change before a resource may scale in: scale down slowly. */
    cooldownDownMinutes: positiveInt.default(60),
    /** Changing calls per resource per 24 h; below the API's 10 so a person always has calls left. */
    dailyActionBudget: z
      .number()
      .int()
      .min(1)
      .max(AWS_LIMITS.shardUpdatesPerDay - 1, {
        message: `must be below the API limit of ${AWS_LIMITS.shardUpdatesPerDay} changes per 24 hours`,
      })
      .default(8),
    /** Minutes of quiet required before scale-in: long enough to span a traffic cycle's trough and rise. */
    scaleInWindowMinutes: positiveInt.default(120),
    /** Peak utilisation under which capacity counts as idle and may be scaled in. */
    scaleInUtilization: z.number().gt(0).lt(1).default(0.3),
    /** Minutes at the end of the window that describe "now" for scale-up decisions. */
    recentMinutes: positiveInt.default(15),
    /**
     * Minutes at the end of the window that say what the job is doing now (CPU, busy, back-pressure):
     * as long as the lag alarm's evaluation, so a sudden incident is read at its new level, not averaged away.
     */
    nowMinutes: positiveInt.default(5),
    /** Minutes with throttling inside the recent window that make it sustained rather than a blip. */
    throttleMinutes: positiveInt.default(3),
    /** Share of write or read demand refused that makes throttling worth acting on (0.1%). */
    throttleShare: z.number().gte(0).lt(1).default(0.001),
    /** Container CPU (%) that counts as busy: the threshold Managed Flink's own autoscaler uses. */
    cpuHighPercent: z.number().gt(0).lte(100).default(75),
    /** busyTimeMsPerSecond that counts as compute-bound (80% of each second busy). */
    busyHighMsPerSecond: z.number().gt(0).lte(1000).default(800),
    /** backPressuredTimeMsPerSecond that counts as back-pressured from downstream. */
    backPressureHighMsPerSecond: z.number().gt(0).lte(1000).default(500),
    /** Heap (%) that counts as memory pressure when it is also rising. */
    heapHighPercent: z.number().gt(0).lte(100).default(85),
    /** Checkpoint duration (ms) past which checkpoints count as slow. */
    checkpointSlowMs: positiveInt.default(60_000),
    /** Full restarts inside the window that make a crash loop. */
    crashLoopRestarts: positiveInt.default(2),
    /** Accepted write utilisation (of the stream as a whole) under which throttling means a hot key. */
    hotShardUtilization: z.number().gt(0).lt(1).default(0.6),
    /** Read utilisation (bytes) at which more shards, not fan-out, is the read fix. */
    readScaleUtilization: z.number().gt(0).lte(1).default(0.8),
  })
  .strict();
export type Policy = z.output<typeof PolicySchema>;

type PolicyShape = typeof PolicySchema.shape;

/**
 * A target's policy overrides: the same fields without their defaults. `PolicySchema.partial()` would
 * fill every unset field with its default, which then hides the config's own policy for that field.
 */
const PolicyOverridesSchema = z
  .object(
    Object.fromEntries(Object.entries(PolicySchema.shape).map(([key, field]) => [key, field.unwrap().optional()])) as {
      [K in keyof PolicyShape]: z.ZodOptional<ReturnType<PolicyShape[K]['unwrap']>>;
    },
  )
  .strict();

const StreamTargetSchema = z
  .object({
    name: z.string().min(1),
    /** Fewest shards StreamMedic will leave the stream with. */
    minShards: positiveInt.default(1),
    /** Most shards StreamMedic may scale to; a cost ceiling. */
    maxShards: positiveInt.max(AWS_LIMITS.maxShardsPerStream).default(64),
    /** Retention (hours) StreamMedic may raise the stream to when lag threatens unread data; 0 turns it off. */
    maxRetentionHours: z.number().int().min(0).max(AWS_LIMITS.maxRetentionHours).default(168),
  })
  .strict()
  .superRefine((stream, ctx) => {
    if (stream.maxShards < stream.minShards) {
      ctx.addIssue({ code: 'custom', path: ['maxShards'], message: 'must be >= minShards' });
    }
  });

const ApplicationTargetSchema = z
  .object({
    name: z.string().min(1),
    minParallelism: positiveInt.max(AWS_LIMITS.maxParallelism).default(1),
    maxParallelism: positiveInt.max(AWS_LIMITS.maxParallelism).default(64),
    /**
     * The job's max parallelism (Flink's per-operator key-group count). A job restores from its snapshot
     * only at a parallelism up to it, so StreamMedic never plans past it; Flink's default is 128 for jobs
     * below 128, so set this to the value the job sets (`setMaxParallelism`) if it sets one.
     */
    maxJobParallelism: positiveInt.max(AWS_LIMITS.maxJobParallelism).default(128),
    /** Parallel tasks per KPU; when unset the application's own setting is kept. */
    parallelismPerKpu: positiveInt.max(AWS_LIMITS.maxParallelismPerKpu).optional(),
    /** The account's KPU quota per application: 64 by default, 32 in older accounts. */
    maxKpu: positiveInt.default(64),
    /** A parallelism change restarts the job; without snapshots its state is lost, so it is refused unless allowed. */
    allowWithoutSnapshots: z.boolean().default(false),
    /**
     * What to do when Managed Flink's own autoscaling is on: `defer` leaves scaling to it and only
     * recommends; `turn-off` switches it off in the same update so the two never fight.
     */
    builtInAutoscaling: z.enum(['defer', 'turn-off']).default('defer'),
    /** Apply the memory fix (fewer tasks per KPU, so more memory each) instead of only recommending it. */
    applyMemoryFix: z.boolean().default(false),
    /** Apply INFO logging and TASK-level metrics (from DEBUG and PARALLELISM) instead of only recommending them. */
    applyMonitoringFix: z.boolean().default(false),
  })
  .strict()
  .superRefine((app, ctx) => {
    if (app.maxParallelism < app.minParallelism) {
      ctx.addIssue({ code: 'custom', path: ['maxParallelism'], message: 'must be >= minParallelism' });
    }
    if (app.parallelismPerKpu !== undefined && app.minParallelism > app.maxKpu * app.parallelismPerKpu) {
      ctx.addIssue({
        code: 'custom',
        path: ['minParallelism'],
        message: `must be <= maxKpu x parallelismPerKpu (${app.maxKpu * app.parallelismPerKpu})`,
      });
    }
  });

export const TargetSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { message: 'letters, digits, "-", "_" and "." only' }),
    mode: z.enum(MODES).default('recommend'),
    stream: StreamTargetSchema.optional(),
    application: ApplicationTargetSchema.optional(),
    /** Per-target overrides of the policy defaults. */
    policy: PolicyOverridesSchema.optional(),
    /** Per-target overrides of the global alarm settings. */
    alarms: TargetAlarmSettingsSchema.optional(),
  })
  .strict()
  .superRefine((target, ctx) => {
    if (!target.stream && !target.application) {
      ctx.addIssue({ code: 'custom', path: ['stream'], message: 'a target needs a stream, an application or both' });
    }
  });
export type TargetConfig = z.output<typeof TargetSchema>;
export type StreamTargetConfig = NonNullable<TargetConfig['stream']>;
export type ApplicationTargetConfig = NonNullable<TargetConfig['application']>;

export const ConfigSchema = z
  .object({
    /** Region the stack watches; when unset, the CDK environment's or the CLI's region. */
    region: z.string().min(1).optional(),
    notifications: z
      .object({
        emails: z.array(z.email()).default([]),
      })
      .strict()
      .default({ emails: [] }),
    policy: PolicySchema.default(PolicySchema.parse({})),
    /** The alarms that start the workflow: thresholds, periods and missing-data treatment per kind. */
    alarms: AlarmSettingsSchema.default(AlarmSettingsSchema.parse({})),
    targets: z.array(TargetSchema).min(1),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.targets.forEach((target, index) => {
      const first = seen.get(target.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['targets', index, 'name'],
          message: `duplicates targets[${first}].name "${target.name}"`,
        });
      }
      seen.set(target.name, index);
    });
    for (const issue of alarmSettingsIssues(config, (target) => effectivePolicy(config, target))) {
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
  });
export type StreamMedicConfig = z.output<typeof ConfigSchema>;
export type StreamMedicConfigInput = z.input<typeof ConfigSchema>;

/** Validates a parsed config document; throws InvalidInputError naming the first bad field. */
export function parseConfig(value: unknown): StreamMedicConfig {
  return parseWith(ConfigSchema, value);
}

/** Validates one target on its own (a snapshot may carry one). */
export function parseTarget(value: unknown, prefix = 'config'): TargetConfig {
  return parseWith(TargetSchema, value, prefix);
}

/** The policy in force for a target: config defaults overlaid with the target's own overrides. */
export function effectivePolicy(config: Pick<StreamMedicConfig, 'policy'> | undefined, target: TargetConfig): Policy {
  const base = config?.policy ?? PolicySchema.parse({});
  return { ...base, ...(target.policy ?? {}) } as Policy;
}

export function findTarget(config: StreamMedicConfig, name: string): TargetConfig | undefined {
  return config.targets.find((t) => t.name === name);
}
