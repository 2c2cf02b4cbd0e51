import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as z from 'zod';
import { ALARM_KINDS, AlarmSettingsSchema, alarmDefinitionsForTarget } from '../lambdas/domain/alarm-definitions';
import { AWS_LIMITS, PolicySchema, TargetSchema, parseConfig, type StreamMedicConfig } from '../lambdas/domain/config';
import { InvalidInputError, assertJsonDepth, parseWith } from '../lambdas/domain/validation';
import { ACTION_TYPES, GUARDRAILS, PRIMARY_CAUSES, SECONDARY_ONLY_FINDINGS } from '../lambdas/domain/vocabulary';
import { ERROR_NAMES } from '../lambdas/ports/errors';
import { LAMBDA_CRASH_ERROR, SIMULATED_APIS } from './faults';
import { LOG_LEVELS, METRICS_LEVELS, RUNTIME_ENVIRONMENTS } from './flink-application';
import { MIN_RETENTION_HOURS, SHARD_LEVEL_METRICS } from './kinesis-stream';

/** Where the built-in scenarios live. */
export const SCENARIO_DIR = join(__dirname, 'scenarios');

const MAX_DURATION_MINUTES = 14 * 24 * 60;
/** Kinesis accepts records of up to 1 MiB. */
const MAX_RECORD_BYTES = 1024 * 1024;

const positive = z.number().positive();
const positiveInt = z.number().int().positive();
const minute = z.number().min(0, { message: 'must be a minute from the start (>= 0)' });
const share = z.number().min(0).max(1);

const StreamSchema = z
  .object({
    name: z.string().min(1).max(128),
    mode: z.enum(['PROVISIONED', 'ON_DEMAND']).default('PROVISIONED'),
    /** Open shards of a provisioned stream. */
    shards: positiveInt.max(AWS_LIMITS.maxShardsPerStream).default(4),
    retentionHours: z.number().int().min(MIN_RETENTION_HOURS).max(AWS_LIMITS.maxRetentionHours).default(24),
    reshardBaseSeconds: positive.default(120),
    reshardSecondsPerShard: z.number().min(0).default(6),
    onDemandPeakBytesPerSecond: positive.optional(),
    onDemandPeakRecordsPerSecond: positive.optional(),
    onDemandAdaptMinutes: positive.default(15),
    /** Shard-level metrics turned on (EnableEnhancedMonitoring); none by default, as AWS creates streams. */
    enhancedMonitoring: z.array(z.enum(SHARD_LEVEL_METRICS)).default([]),
  })
  .strict();

const ApplicationSchema = z
  .object({
    name: z.string().min(1).max(128),
    parallelism: positiveInt.max(AWS_LIMITS.maxParallelism),
    parallelismPerKpu: positiveInt.max(AWS_LIMITS.maxParallelismPerKpu).default(1),
    autoScalingEnabled: z.boolean().default(false),
    recordsPerSecondPerSubtask: positive,
    sourceRecordsPerSecondPerSubtask: positive.default(20_000),
    chainedSource: z.boolean().default(false),
    /** The keyed operator's key groups (the job's max parallelism) when the work follows a keyBy; unset: not keyed. */
    keyGroups: positiveInt.max(AWS_LIMITS.maxJobParallelism).optional(),
    snapshotsEnabled: z.boolean().default(true),
    initialPosition: z.enum(['LATEST', 'TRIM_HORIZON']).default('LATEST'),
    logLevel: z.enum(LOG_LEVELS).default('INFO'),
    metricsLevel: z.enum(METRICS_LEVELS).default('APPLICATION'),
    runtimeEnvironment: z.enum(RUNTIME_ENVIRONMENTS).default('FLINK-1_20'),
    restartSeconds: positive.default(90),
    checkpointIntervalSeconds: positive.default(60),
    stateBytes: z
      .number()
      .min(0)
      .default(1024 ** 3),
    stateGrowthBytesPerHour: z.number().min(0).default(0),
    heapBasePercent: z.number().gt(0).lt(100).default(40),
    maxKpu: positiveInt.default(64),
    cpuBasePercent: z.number().min(0).lt(100).default(4),
    /** The source reads with enhanced fan-out instead of polling. */
    efo: z.boolean().default(false),
    /** GetRecords calls per second per shard while polling (the connector's default interval is 200 ms). */
    pollCallsPerSecond: positive.default(5),
    /** How far behind the tip the application is when the simulation begins (before the history), in minutes. */
    initialLagMinutes: z.number().min(0).default(0),
  })
  .strict();

const ConsumerSchema = z
  .object({
    name: z.string().min(1),
    efo: z.boolean().default(false),
    callsPerSecond: positive.default(1),
    recordsPerSecond: positive.optional(),
    /** When the consumer is attached (it reads from the tip); unset: it was always there. */
    startMinute: minute.optional(),
  })
  .strict();

const PipelineSchema = z
  .object({
    stream: StreamSchema,
    application: ApplicationSchema.optional(),
    sink: z
      .object({
        recordsPerSecond: positive,
        /** Writers (sink subtasks) the sink serves at once; past it, contention lowers what it absorbs. */
        maxWriters: positiveInt.optional(),
      })
      .strict()
      .optional(),
    consumers: z.array(ConsumerSchema).default([]),
  })
  .strict();

const TrafficEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('step'), atMinute: minute, factor: z.number().min(0) }).strict(),
  z.object({ type: z.literal('ramp'), fromMinute: minute, toMinute: minute, factor: z.number().min(0) }).strict(),
  z
    .object({ type: z.literal('spike'), atMinute: minute, durationMinutes: positive, factor: z.number().min(0) })
    .strict(),
  z
    .object({
      type: z.literal('flap'),
      fromMinute: minute,
      toMinute: minute,
      periodMinutes: positive,
      factor: z.number().min(0),
      duty: z.number().gt(0).lt(1).default(0.5),
    })
    .strict(),
  z.object({ type: z.literal('hotKey'), atMinute: minute, share, untilMinute: minute.optional() }).strict(),
]);

const TrafficSchema = z
  .object({
    bytesPerSecond: positive,
    recordsPerSecond: positive,
    noise: z.number().min(0).max(0.5).default(0.02),
    dailyShape: z
      .object({ amplitude: z.number().min(0).lt(1), peakHour: z.number().min(0).lt(24) })
      .strict()
      .optional(),
    hotKeyShare: share.default(0),
    /** Share of throttled records producers retry; the rest are dropped at the producer. */
    producerRetryShare: share.default(0.5),
    events: z.array(TrafficEventSchema).default([]),
  })
  .strict();

const window = { atMinute: minute, untilMinute: minute.optional() };

const FaultSchema = z.discriminatedUnion('type', [
  /** The sink's capacity changes (a throttled database, a failover). */
  z.object({ type: z.literal('sinkCapacity'), atMinute: minute, recordsPerSecond: positive }).strict(),
  /** A deployment changes how expensive each record is. */
  z.object({ type: z.literal('subtaskRate'), atMinute: minute, recordsPerSecondPerSubtask: positive }).strict(),
  z.object({ type: z.literal('memoryLeak'), atMinute: minute, percentPerHour: positive }).strict(),
  z
    .object({
      type: z.literal('crashLoop'),
      ...window,
      uptimeSeconds: positive.default(120),
      recoverySeconds: positive.default(45),
    })
    .strict(),
  /** From atMinute, the next `count` parallelism updates never finish: the application stays UPDATING. */
  z.object({ type: z.literal('updateStuck'), atMinute: minute, count: positiveInt.default(1) }).strict(),
  /** Someone changes the application's monitoring (an update: new version, restart). */
  z
    .object({
      type: z.literal('logLevel'),
      atMinute: minute,
      logLevel: z.enum(LOG_LEVELS),
      metricsLevel: z.enum(METRICS_LEVELS).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('apiThrottling'),
      ...window,
      apis: z
        .array(z.enum(SIMULATED_APIS))
        .min(1)
        .default([...SIMULATED_APIS]),
      count: positiveInt.optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('resourceInUse'),
      ...window,
      apis: z
        .array(z.enum(SIMULATED_APIS))
        .min(1)
        .default(['UpdateShardCount', 'IncreaseStreamRetentionPeriod', 'UpdateApplication']),
      count: positiveInt.optional(),
    })
    .strict(),
  /** Any AWS exception on chosen calls, mapped to the port error the real adapters would raise. */
  z
    .object({
      type: z.literal('apiError'),
      ...window,
      apis: z.array(z.enum(SIMULATED_APIS)).min(1),
      awsError: z.string().regex(/^[A-Za-z]+$/, { message: 'must be an AWS exception name' }),
      count: positiveInt.optional(),
    })
    .strict(),
  /** The next `count` UpdateApplication calls find that someone else changed the application first. */
  z.object({ type: z.literal('concurrentModification'), atMinute: minute, count: positiveInt.default(1) }).strict(),
  z.object({ type: z.literal('deleteStream'), atMinute: minute }).strict(),
  z
    .object({
      type: z.literal('snsFailure'),
      ...window,
      awsError: z
        .string()
        .regex(/^[A-Za-z]+$/)
        .default('InternalErrorException'),
      count: positiveInt.optional(),
    })
    .strict(),
  /** SetAlarmState on several of the target's alarms at the same instant. */
  z
    .object({
      type: z.literal('setAlarmState'),
      atMinute: minute,
      alarms: z.array(z.enum(ALARM_KINDS)).min(1),
      state: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']).default('ALARM'),
      reason: z.string().min(1).default('Set by the scenario'),
    })
    .strict(),
  z.object({ type: z.literal('metricsOutage'), ...window, resource: z.enum(['stream', 'application']) }).strict(),
  /** The next `count` lock releases fail as DynamoDB fails on its side (InternalServerError). */
  z.object({ type: z.literal('unlockFailure'), atMinute: minute, count: positiveInt.default(7) }).strict(),
  /**
   * Someone allowed to call StartExecution starts the workflow with this input as it stands: a forged
   * alarm event, an alarm event asking for a dry run, text meant for on-call's inbox.
   */
  z
    .object({
      type: z.literal('startExecution'),
      atMinute: minute,
      input: z.record(z.string(), z.unknown()),
      /** Who the narration says started it. */
      by: z.string().min(1).default('someone with states:StartExecution'),
    })
    .strict(),
  /** The apply function dies after a changing call AWS accepted, before it records the result. */
  z.object({ type: z.literal('applyCrash'), atMinute: minute, count: positiveInt.default(1) }).strict(),
]);

/**
 * The names a run can end with: the ports' named failures, the workflow's own (a plan that no longer
 * fits the resource, a resource that will not come back, a wait that ran out), a Lambda function that
 * died, and refused input.
 */
export const RUN_FAILURE_NAMES = [
  ...ERROR_NAMES,
  'PlanDriftError',
  'ResourceStateError',
  'ResourceNotReadyError',
  'TimeBudgetError',
  'FleetBudgetError',
  'InvalidInputError',
  LAMBDA_CRASH_ERROR,
] as const;

const ExpectationSchema = z
  .object({
    /** Why this is what should happen, in terms of DESIGN.md's rules. */
    rationale: z.string().min(1),
    /** Primary causes some run must name (each at least once). */
    causes: z.array(z.enum(PRIMARY_CAUSES)).default([]),
    /** Primary causes no run may name, as its cause or as a secondary finding: the misreadings a scenario exists to rule out. */
    forbiddenCauses: z.array(z.enum(PRIMARY_CAUSES)).default([]),
    /** Findings some diagnosis must list as secondary. */
    secondary: z.array(z.enum([...PRIMARY_CAUSES, ...SECONDARY_ONLY_FINDINGS])).default([]),
    /** Action types that must be taken (applied in AWS). */
    actions: z.array(z.enum(ACTION_TYPES)).default([]),
    /** Action types that must never be taken. */
    forbiddenActions: z.array(z.enum(ACTION_TYPES)).default([]),
    /** Guardrails that must refuse some action. */
    refused: z.array(z.enum(GUARDRAILS)).default([]),
    /** Alarm kinds that must go to ALARM. */
    alarms: z.array(z.enum(ALARM_KINDS)).default([]),
    /** Whether the pipeline is healthy (no lag, throttling or downtime) at the end. */
    recovers: z.boolean(),
    maxMinutesToRecover: positive.optional(),
    maxRecordsLost: z.number().min(0).optional(),
    /** Whether on-call receives at least one message. */
    notified: z.boolean().optional(),
    /** Most changing API calls StreamMedic may make in the whole scenario. */
    maxActions: z.number().int().min(0).optional(),
    /** A named failure some run must end with. */
    failure: z.enum(RUN_FAILURE_NAMES).optional(),
    /** Named failures no run may end with, e.g. `ThrottlingError` when throttling must be waited out. */
    forbiddenFailures: z.array(z.enum(RUN_FAILURE_NAMES)).default([]),
    /**
     * Most changing calls StreamMedic may attempt, those AWS refused included: a retry storm against a
     * quota or a busy resource fails this even when few calls got through.
     */
    maxChangeAttempts: z.number().int().min(0).optional(),
    /**
     * Every run ends on its own path: none is stopped by the execution timeout, every run that took
     * the lock tells on-call, and no lock is held when the scenario's runs have ended.
     */
    everyRunEnds: z.boolean().optional(),
    /** Text on-call must be told: each string must appear in some message (subject or body). */
    told: z.array(z.string().min(1)).default([]),
  })
  .strict();

export const ScenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'lower-case letters, digits and "-" only' }),
    description: z.string().min(1),
    seed: z.number().int().default(1),
    startTime: z.iso
      .datetime({ offset: true })
      .refine((value) => Date.parse(value) % 60_000 === 0, { message: 'must be on a whole minute' })
      .default('2026-03-02T08:00:00Z'),
    durationMinutes: positiveInt.max(MAX_DURATION_MINUTES),
    /**
     * Minutes the pipeline runs before startTime, with the baseline traffic and no faults, so that
     * metrics and alarms have a past (CloudWatch reads history an alarm did not see created).
     */
    historyMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .default(180),
    pipeline: PipelineSchema,
    traffic: TrafficSchema,
    faults: z.array(FaultSchema).default([]),
    /** An operator starting the workflow by hand, e.g. a dry run. */
    manualRuns: z.array(z.object({ atMinute: minute, dryRun: z.boolean().default(true) }).strict()).default([]),
    /**
     * An operator pausing StreamMedic (`stream-medic pause`) at a minute, for the target or for every
     * target, and resuming at `untilMinute` if given.
     */
    pauses: z
      .array(
        z
          .object({
            atMinute: minute,
            untilMinute: minute.optional(),
            fleet: z.boolean().default(false),
            by: z.string().min(1).default('on-call'),
            reason: z.string().min(1),
          })
          .strict(),
      )
      .default([]),
    /**
     * An operator answering the approval request of a target in mode `approve` at a minute
     * (`stream-medic approve` or `deny`). A request nobody answers times out and is refused.
     */
    approvals: z
      .array(
        z
          .object({
            atMinute: minute,
            /** The target whose run waits; the scenario's one target when left out. */
            target: z.string().min(1).optional(),
            decision: z.enum(['approve', 'deny']),
            by: z.string().min(1),
            reason: z.string().min(1).optional(),
          })
          .strict(),
      )
      .default([]),
    /** StreamMedic's config for this pipeline: one target, and optionally the global policy and alarms. */
    streamMedic: z
      .object({
        target: TargetSchema,
        policy: PolicySchema.optional(),
        alarms: AlarmSettingsSchema.optional(),
      })
      .strict(),
    /** What should happen; a scenario without it is played and reported with no verdict. */
    expect: ExpectationSchema.optional(),
  })
  .strict()
  .superRefine((scenario, ctx) => {
    const issue = (path: (string | number)[], message: string): void => {
      ctx.addIssue({ code: 'custom', path, message });
    };
    const { pipeline, streamMedic, durationMinutes } = scenario;
    const inside = (value: number, path: (string | number)[]): void => {
      if (value >= durationMinutes) issue(path, `is past the end of the scenario (durationMinutes ${durationMinutes})`);
    };
    const target = streamMedic.target;
    if (target.stream && target.stream.name !== pipeline.stream.name) {
      issue(['streamMedic', 'target', 'stream', 'name'], `must be the pipeline's stream "${pipeline.stream.name}"`);
    }
    if (target.application && target.application.name !== pipeline.application?.name) {
      issue(
        ['streamMedic', 'target', 'application', 'name'],
        pipeline.application
          ? `must be the pipeline's application "${pipeline.application.name}"`
          : 'names an application, but pipeline.application is not set',
      );
    }
    if (pipeline.sink && !pipeline.application) {
      issue(['pipeline', 'sink'], 'a sink needs pipeline.application, which writes to it');
    }
    if (pipeline.stream.mode === 'ON_DEMAND' && scenario.pipeline.stream.shards !== 4) {
      issue(['pipeline', 'stream', 'shards'], 'an ON_DEMAND stream sizes itself; leave shards out');
    }
    const names = new Set<string>();
    pipeline.consumers.forEach((consumer, index) => {
      if (names.has(consumer.name)) issue(['pipeline', 'consumers', index, 'name'], `"${consumer.name}" is used twice`);
      names.add(consumer.name);
      if (consumer.startMinute !== undefined)
        inside(consumer.startMinute, ['pipeline', 'consumers', index, 'startMinute']);
    });
    const app = pipeline.application;
    if (app) {
      if (Math.ceil(app.parallelism / app.parallelismPerKpu) > app.maxKpu) {
        issue(['pipeline', 'application', 'parallelism'], `needs more than maxKpu ${app.maxKpu} KPUs`);
      }
      if (app.keyGroups !== undefined && app.keyGroups < app.parallelism) {
        issue(
          ['pipeline', 'application', 'keyGroups'],
          `must be >= parallelism ${app.parallelism}: no subtask can hold less than one key group`,
        );
      }
      if (app.keyGroups !== undefined && app.chainedSource) {
        issue(
          ['pipeline', 'application', 'keyGroups'],
          'work chained to the source (chainedSource) is not keyed; set one or the other',
        );
      }
      if (app.initialLagMinutes + scenario.historyMinutes >= pipeline.stream.retentionHours * 60) {
        issue(
          ['pipeline', 'application', 'initialLagMinutes'],
          `plus historyMinutes must be under the stream's retention (${pipeline.stream.retentionHours * 60} minutes)`,
        );
      }
    }
    const bytesPerRecord = scenario.traffic.bytesPerSecond / scenario.traffic.recordsPerSecond;
    if (bytesPerRecord > MAX_RECORD_BYTES) {
      issue(
        ['traffic', 'bytesPerSecond'],
        `gives ${Math.round(bytesPerRecord)}-byte records; Kinesis takes at most 1 MiB`,
      );
    }
    scenario.traffic.events.forEach((event, index) => {
      const path = ['traffic', 'events', index];
      if (event.type === 'ramp' || event.type === 'flap') {
        if (event.toMinute <= event.fromMinute) issue([...path, 'toMinute'], 'must be after fromMinute');
        inside(event.fromMinute, [...path, 'fromMinute']);
      } else {
        inside(event.atMinute, [...path, 'atMinute']);
      }
      if (event.type === 'hotKey' && event.untilMinute !== undefined && event.untilMinute <= event.atMinute) {
        issue([...path, 'untilMinute'], 'must be after atMinute');
      }
    });
    const needsApp = new Set([
      'sinkCapacity',
      'subtaskRate',
      'memoryLeak',
      'crashLoop',
      'updateStuck',
      'logLevel',
      'concurrentModification',
    ]);
    scenario.faults.forEach((fault, index) => {
      const path = ['faults', index];
      inside(fault.atMinute, [...path, 'atMinute']);
      if ('untilMinute' in fault && fault.untilMinute !== undefined && fault.untilMinute <= fault.atMinute) {
        issue([...path, 'untilMinute'], 'must be after atMinute');
      }
      if (needsApp.has(fault.type) && !app) issue([...path, 'type'], `"${fault.type}" needs pipeline.application`);
    });
    scenario.manualRuns.forEach((run, index) => inside(run.atMinute, ['manualRuns', index, 'atMinute']));
    scenario.pauses.forEach((pause, index) => {
      inside(pause.atMinute, ['pauses', index, 'atMinute']);
      if (pause.untilMinute !== undefined && pause.untilMinute <= pause.atMinute) {
        issue(['pauses', index, 'untilMinute'], 'must be after atMinute');
      }
    });
    scenario.approvals.forEach((approval, index) => {
      inside(approval.atMinute, ['approvals', index, 'atMinute']);
      if (approval.target !== undefined && approval.target !== target.name) {
        issue(['approvals', index, 'target'], `must be the scenario's target "${target.name}"`);
      }
      if (target.mode !== 'approve') {
        issue(
          ['approvals', index],
          `the target is in mode "${target.mode}"; only a target in mode "approve" waits for a decision`,
        );
      }
    });
    const expect = scenario.expect;
    // What a scenario forbids it cannot also expect.
    const forbiddenAndExpected = (
      field: string,
      forbidden: readonly string[],
      expectedField: string,
      expected: readonly string[],
    ) =>
      forbidden.forEach((value, index) => {
        if (expected.includes(value)) issue(['expect', field, index], `"${value}" is also in expect.${expectedField}`);
      });
    if (expect) {
      forbiddenAndExpected('forbiddenCauses', expect.forbiddenCauses, 'causes', expect.causes);
      forbiddenAndExpected('forbiddenActions', expect.forbiddenActions, 'actions', expect.actions);
    }
  });

export type Scenario = z.output<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type ScenarioFault = Scenario['faults'][number];
export type ScenarioApproval = Scenario['approvals'][number];
export type ScenarioExpectation = NonNullable<Scenario['expect']>;

/** The expectation of a scenario that must state one, as every built-in scenario does. */
export function statedExpectation(scenario: Pick<Scenario, 'name' | 'expect'>): ScenarioExpectation {
  if (!scenario.expect) throw new InvalidInputError(`${scenario.name}: expect`, 'this scenario states no expectation');
  return scenario.expect;
}

const CONFIG_PATHS: readonly [RegExp, string][] = [
  [/^targets\[0\]/, 'streamMedic.target'],
  [/^policy/, 'streamMedic.policy'],
  [/^alarms/, 'streamMedic.alarms'],
];

/** The StreamMedic config a scenario describes: its one target with the scenario's policy and alarms. */
export function scenarioConfig(scenario: Scenario): StreamMedicConfig {
  try {
    return parseConfig({
      targets: [scenario.streamMedic.target],
      ...(scenario.streamMedic.policy ? { policy: scenario.streamMedic.policy } : {}),
      ...(scenario.streamMedic.alarms ? { alarms: scenario.streamMedic.alarms } : {}),
    });
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    let path = error.path;
    for (const [pattern, replacement] of CONFIG_PATHS) path = path.replace(pattern, replacement);
    throw new InvalidInputError(path, error.detail);
  }
}

/**
 * Validates a parsed scenario document. Throws InvalidInputError naming the first bad field, e.g.
 * `pipeline.stream.shards: Too small: expected number to be >0`.
 */
export function parseScenario(value: unknown, prefix = ''): Scenario {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidInputError(prefix || '(root)', 'a scenario must be a JSON object');
  }
  const scenario = parseWith(ScenarioSchema, value, prefix);
  const config = scenarioConfig(scenario);
  const target = config.targets[0]!;
  const kinds = new Set(alarmDefinitionsForTarget(config, target).map((definition) => definition.kind));
  scenario.faults.forEach((fault, index) => {
    if (fault.type !== 'setAlarmState') return;
    fault.alarms.forEach((kind, k) => {
      if (!kinds.has(kind)) {
        throw new InvalidInputError(
          `${prefix ? `${prefix}.` : ''}faults[${index}].alarms[${k}]`,
          `the target has no ${kind} alarm (it has ${[...kinds].join(', ')})`,
        );
      }
    });
  });
  scenario.expect?.alarms.forEach((kind, index) => {
    if (!kinds.has(kind)) {
      throw new InvalidInputError(
        `${prefix ? `${prefix}.` : ''}expect.alarms[${index}]`,
        `the target has no ${kind} alarm (it has ${[...kinds].join(', ')})`,
      );
    }
  });
  return scenario;
}

/** Reads and validates a scenario file; a file that is not JSON fails naming the file. */
export function loadScenarioFile(path: string): Scenario {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InvalidInputError(basename(path), `is not valid JSON: ${(error as Error).message}`);
  }
  try {
    assertJsonDepth(value);
  } catch (error) {
    if (error instanceof InvalidInputError)
      throw new InvalidInputError(`${basename(path)}: ${error.path}`, error.detail);
    throw error;
  }
  return parseScenario(value);
}

/** Names of the built-in scenarios, sorted. */
export function builtInScenarioNames(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

/** A built-in scenario by name, or a scenario file by path. */
export function resolveScenario(nameOrFile: string): Scenario {
  const builtIn = join(SCENARIO_DIR, `${nameOrFile}.json`);
  if (/^[a-z0-9-]+$/.test(nameOrFile) && existsSync(builtIn)) return loadScenarioFile(builtIn);
  if (existsSync(nameOrFile)) return loadScenarioFile(nameOrFile);
  throw new InvalidInputError(
    'scenario',
    `"${nameOrFile}" is neither a built-in scenario (${builtInScenarioNames().join(', ')}) nor a file`,
  );
}
