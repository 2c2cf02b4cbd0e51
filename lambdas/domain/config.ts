import * as z from 'zod';
import { AlarmSettingsSchema, TargetAlarmSettingsSchema, alarmSettingsIssues } from './alarm-settings';
import { DEFAULT_APPROVAL_TIMEOUT_MINUTES } from './approval';
import { FleetSchema } from './fleet-limits';
import { AWS_LIMITS, PolicySchema, type Policy } from './policy';
import { MODES } from './vocabulary';
import { parseWith } from './validation';

const positiveInt = z.number().int().positive();

// The policy has its own module so that alarm-settings.ts can read it without importing this one.
export { AWS_LIMITS, PolicySchema, type Policy };

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
    /**
     * Whether the job's heavy work follows a keyBy, so its subtasks share maxJobParallelism key groups:
     * the busiest holds `ceil(maxJobParallelism / parallelism)` and sets the pace, and StreamMedic sizes
     * to key-group boundaries (with 128, parallelism 40 does what 32 do). Leave false for work
     * rebalanced evenly over the subtasks.
     */
    keyed: z.boolean().default(false),
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

/** Defaults of the watch on StreamMedic itself, with their reasons. */
export const WATCHDOG_DEFAULTS = {
  /**
   * Longer than the restart of a parallelism change (StreamMedic itself waits up to 20 minutes for
   * one), during which an application's metrics pause; short enough that on-call learns within half
   * an hour that an incident could go unseen.
   */
  blindAfterMinutes: 30,
} as const;

/** The bounds of `watchdog.blindAfterMinutes`: a few late datapoints are not blindness; CloudWatch alarms span at most a day. */
export const BLIND_AFTER_MINUTES_BOUNDS = { min: 5, max: 24 * 60 } as const;

export const WatchdogSchema = z
  .object({
    /**
     * Minutes without a single datapoint of a target's lag or CPU metric before the "StreamMedic
     * cannot see <target>" alarm fires. Default: {@link WATCHDOG_DEFAULTS}.blindAfterMinutes.
     */
    blindAfterMinutes: z
      .number()
      .int()
      .min(BLIND_AFTER_MINUTES_BOUNDS.min)
      .max(BLIND_AFTER_MINUTES_BOUNDS.max)
      .default(WATCHDOG_DEFAULTS.blindAfterMinutes),
  })
  .strict();

export const ApprovalsSchema = z
  .object({
    /** Minutes a plan waits for `stream-medic approve` or `deny`; unanswered, it is refused. */
    timeoutMinutes: z
      .number()
      .int()
      .min(1)
      .max(12 * 60)
      .default(DEFAULT_APPROVAL_TIMEOUT_MINUTES),
  })
  .strict();

/** Tag keys and values as Kinesis Data Streams and Managed Service for Apache Flink accept them. */
export const GrantByTagSchema = z
  .object({
    key: z
      .string()
      .min(1)
      .max(128)
      .refine((key) => !key.startsWith('aws:'), { message: 'must not start with "aws:" (reserved for AWS)' }),
    value: z.string().max(256),
  })
  .strict();
export type GrantByTag = z.output<typeof GrantByTagSchema>;

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

/** A glob over stream names: `*` stands for any run of characters. */
const NAME_PATTERN = /^[A-Za-z0-9_.*-]{1,128}$/;

/** Stream tags a selector requires, key to exact value. */
const SelectorTagsSchema = z.record(z.string().min(1).max(128), z.string().max(256));

/** Settings a selector gives every target it makes; the stream and application names come from the inventory. */
const SelectorSettingsSchema = z.record(z.string(), z.unknown()).superRefine((settings, ctx) => {
  if ('name' in settings) {
    ctx.addIssue({ code: 'custom', path: ['name'], message: 'is taken from the inventory; remove it' });
  }
});

/**
 * One selector: the streams of the inventory it takes (every tag must match, and the name the
 * pattern), how each is paired with the Flink application that reads it, and the settings of the
 * targets it makes. `docs/discover.md` describes the resolution.
 */
export const SelectorSchema = z
  .object({
    streams: z
      .object({
        tags: SelectorTagsSchema.optional(),
        namePattern: z
          .string()
          .regex(NAME_PATTERN, { message: 'letters, digits, "-", "_", "." and "*" only' })
          .optional(),
      })
      .strict()
      .refine((streams) => streams.tags !== undefined || streams.namePattern !== undefined, {
        message: 'needs tags, a namePattern or both',
      }),
    /**
     * `by-tag:<key>`: the application whose tag `<key>` is the stream's name; `by-source`: the
     * application whose config names the stream as its input; `none`: stream-only targets.
     */
    pairApplications: z
      .string()
      .regex(/^(none|by-source|by-tag:.{1,128})$/, { message: 'must be "none", "by-source" or "by-tag:<key>"' })
      .default('none'),
    mode: z.enum(MODES).default('recommend'),
    policy: PolicyOverridesSchema.optional(),
    /** Stream bounds of each target (minShards, maxShards, maxRetentionHours). */
    stream: SelectorSettingsSchema.optional(),
    /** Application bounds of each paired target (minParallelism, maxParallelism, ...). */
    application: SelectorSettingsSchema.optional(),
  })
  .strict()
  .superRefine((selector, ctx) => {
    if (selector.application !== undefined && selector.pairApplications === 'none') {
      ctx.addIssue({ code: 'custom', path: ['application'], message: 'applies only when pairApplications pairs one' });
    }
    // The settings are checked as the targets they become will be, so a bad bound is named here.
    const trial = TargetSchema.safeParse({
      name: 'selector',
      mode: selector.mode,
      ...(selector.policy !== undefined && { policy: selector.policy }),
      stream: { ...selector.stream, name: 'selector' },
      ...(selector.application !== undefined && { application: { ...selector.application, name: 'selector' } }),
    });
    for (const issue of trial.success ? [] : trial.error.issues) {
      if (issue.path.at(-1) === 'name') continue;
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
  });
export type SelectorConfig = z.output<typeof SelectorSchema>;

/** Targets found in a `stream-medic discover` inventory instead of listed one by one. */
export const SelectorsSchema = z
  .object({
    /** The inventory file, relative to the config file. */
    inventory: z.string().min(1),
    /** An inventory older than this many days is resolved with a warning: the account may have changed. */
    maxAgeDays: z.number().int().min(1).max(365).default(7),
    select: z.array(SelectorSchema).min(1),
  })
  .strict();
export type SelectorsConfig = z.output<typeof SelectorsSchema>;

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
    /** The alarms that watch StreamMedic itself and what it can see. */
    watchdog: WatchdogSchema.default(WatchdogSchema.parse({})),
    /** Targets in mode `approve`: how long a plan waits for a person's decision before it is refused. */
    approvals: ApprovalsSchema.default(ApprovalsSchema.parse({})),
    /**
     * Opt-in: grant on the streams and applications that carry this tag instead of on each one's ARN,
     * so the roles' policies stay the same size however many targets there are (docs/fleet.md).
     * Every target's stream and application must then carry the tag.
     */
    grantByTag: GrantByTagSchema.optional(),
    /** Limits across every target: runs at once (docs/fleet.md). */
    fleet: FleetSchema.default(FleetSchema.parse({})),
    targets: z.array(TargetSchema).min(1),
    /**
     * Targets found by tag or name pattern in a `stream-medic discover` inventory; the CLI and
     * `cdk synth` resolve them into `targets` (config-file.ts) before this schema sees the config.
     */
    selectors: SelectorsSchema.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    // Resolution reads a file, so it happens before this pure schema: left here, selectors would be ignored.
    if (config.selectors !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['selectors'],
        message:
          'are resolved into targets by `cdk synth` and the CLI (cli/config-file.ts, docs/discover.md); pass the resolved config',
      });
    }
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
    // The lock, the ledger, cooldowns and the budget are kept per target: two targets on one stream or
    // application would each act on it unserialised and each spend their own budget on it.
    for (const kind of ['stream', 'application'] as const) {
      const owners = new Map<string, number>();
      config.targets.forEach((target, index) => {
        const resource = target[kind]?.name;
        if (resource === undefined) return;
        const first = owners.get(resource);
        if (first !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['targets', index, kind, 'name'],
            message: `${kind} "${resource}" is already watched by targets[${first}] ("${config.targets[first]!.name}"); one target per ${kind}`,
          });
        } else {
          owners.set(resource, index);
        }
      });
    }
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
