/**
 * What the state machine hands each step and what it gets back. The CDK workflow builds its payloads
 * from these names; the handler cores validate them on the way in, so a wrong wiring fails with the
 * field at fault instead of deep inside the domain.
 */
// A namespace import lets esbuild leave out the parts of zod nobody uses (its locales, JSON Schema).
import * as z from 'zod';
import { PolicySchema, TargetSchema } from '../domain/config';
import type {
  Assessment,
  CompletedRound,
  NextRound,
  Progress,
  RunContext,
  Verification,
  WorkStep,
  WorkflowFailure,
} from '../domain/run-state';
import { InvalidInputError, formatPath } from '../domain/validation';

/** The workflow's steps, one Lambda function each. */
export const STEP_IDS = ['intake', 'lock', 'assess', 'apply', 'wait-check', 'verify', 'notify', 'unlock'] as const;
export type StepId = (typeof STEP_IDS)[number];

/** A step's core: the handler without Lambda around it, so the same code runs in Lambda and locally. */
export type StepCore<I = unknown, O = unknown> = (payload: I) => Promise<O>;
export type StepCores = Readonly<Record<StepId, StepCore>>;

export interface IntakePayload {
  /** The execution input as received. */
  readonly input: unknown;
  readonly executionId: string;
  readonly startedAt: string;
  /** The config's targets, policy, region and alarm name prefix, embedded in the state machine. */
  readonly config: unknown;
}

export interface LockPayload {
  readonly run: RunContext;
  /** How long the lock holds if the workflow dies without releasing it. */
  readonly ttlSeconds: number;
}

export interface LockResult {
  readonly acquired: boolean;
}

export interface AssessPayload {
  readonly run: RunContext;
}

export interface ApplyPayload {
  readonly run: RunContext;
  readonly steps: WorkStep[];
  readonly progress: Progress;
}

export interface WaitCheckPayload {
  readonly progress: Progress;
  /** Status checks allowed per step before the wait counts as failed. */
  readonly maxPolls: number;
}

export interface VerifyPayload {
  readonly run: RunContext;
  readonly assessment: Assessment;
  /** The calls this round made; without it, no further round is planned. */
  readonly progress?: Progress;
  /** The run's rounds before this one, oldest first. @default [] */
  readonly rounds?: CompletedRound[];
  /** Rounds one run may make, this one included. @default 1 */
  readonly maxRounds?: number;
}

/** The verification, which round it closes, and what the next round starts from if the run goes round again. */
export interface VerifyResult extends Verification {
  readonly round: number;
  readonly next?: NextRound;
}

/** The whole workflow state: notify reads whatever the run got to. */
export interface NotifyPayload {
  readonly run: RunContext;
  readonly assessment?: Assessment;
  readonly progress?: Progress;
  readonly verification?: Verification;
  readonly failure?: WorkflowFailure;
  /** The rounds before the current one, when the run went round again. */
  readonly rounds?: CompletedRound[];
}

export interface NotifyResult {
  readonly subject: string;
  readonly outcome: string;
}

export interface UnlockPayload {
  readonly run: RunContext;
}

export interface UnlockResult {
  readonly released: true;
}

const TriggerSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('alarm'),
      alarmName: z.string().min(1),
      alarmArn: z.string().optional(),
      reason: z.string().optional(),
      changedAt: z.string().optional(),
    })
    .strict(),
  z.object({ kind: z.literal('manual') }).strict(),
]);

export const RunContextSchema = z
  .object({
    target: z.string().min(1),
    dryRun: z.boolean(),
    trigger: TriggerSchema,
    executionId: z.string().min(1),
    startedAt: z.string().min(1),
    region: z.string().min(1),
    config: TargetSchema,
    policy: PolicySchema,
  })
  .strict();

const positiveInt = z.number().int().positive();

const WorkStepSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('UpdateShardCount'),
      streamName: z.string().min(1),
      from: positiveInt,
      to: positiveInt,
      call: positiveInt,
      calls: positiveInt,
    })
    .strict(),
  z
    .object({
      type: z.literal('UpdateApplicationParallelism'),
      applicationName: z.string().min(1),
      from: positiveInt,
      to: positiveInt,
      parallelismPerKpu: positiveInt,
      autoScalingEnabled: z.boolean().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('UpdateApplicationMonitoring'),
      applicationName: z.string().min(1),
      logLevel: z.enum(['INFO', 'WARN', 'ERROR', 'DEBUG']),
      metricsLevel: z.enum(['APPLICATION', 'TASK', 'OPERATOR', 'PARALLELISM']),
    })
    .strict(),
  z
    .object({
      type: z.literal('IncreaseStreamRetention'),
      streamName: z.string().min(1),
      fromHours: positiveInt,
      toHours: positiveInt,
    })
    .strict(),
]);

const ProgressSchema = z
  .object({
    next: z.number().int().nonnegative(),
    applied: z.array(z.object({ step: WorkStepSchema }).loose()),
    more: z.boolean(),
    awaiting: z
      .object({ kind: z.enum(['stream', 'application']), name: z.string().min(1) })
      .strict()
      .optional(),
    polls: z.number().int().nonnegative(),
    ready: z.boolean(),
    lastStatus: z.string().optional(),
  })
  .strict();

/** Reports are produced by the engine inside the same workflow; only their outline is checked. */
const ReportSchema = z
  .object({
    target: z.object({ name: z.string() }).loose(),
    diagnosis: z.object({ cause: z.string(), severity: z.string(), evidence: z.array(z.unknown()) }).loose(),
    plan: z
      .object({ mode: z.string(), apply: z.boolean(), actions: z.array(z.unknown()), refused: z.array(z.unknown()) })
      .loose(),
  })
  .loose();

const AssessmentSchema = z
  .object({
    report: ReportSchema,
    steps: z.array(WorkStepSchema),
    disposition: z.string(),
    apply: z.boolean(),
    assessedAt: z.string(),
  })
  .strict();

const FailureSchema = z.object({ Error: z.string(), Cause: z.string().optional() }).loose();

const VerificationSchema = z
  .object({
    outcome: z.string(),
    reason: z.string(),
    report: ReportSchema,
    verifiedAt: z.string(),
    round: positiveInt.optional(),
    // What the verify step proposed for another round; the state machine decides whether to take it.
    next: z.unknown().optional(),
  })
  .strict();

const CompletedRoundSchema = z
  .object({ assessment: AssessmentSchema, progress: ProgressSchema, verification: VerificationSchema })
  .strict();

export const PAYLOAD_SCHEMAS = {
  intake: z
    .object({
      input: z.unknown(),
      executionId: z.string().min(1),
      startedAt: z.string().min(1),
      config: z.unknown(),
    })
    .strict(),
  lock: z.object({ run: RunContextSchema, ttlSeconds: positiveInt }).strict(),
  assess: z.object({ run: RunContextSchema }).strict(),
  apply: z.object({ run: RunContextSchema, steps: z.array(WorkStepSchema).min(1), progress: ProgressSchema }).strict(),
  'wait-check': z.object({ progress: ProgressSchema, maxPolls: positiveInt }).strict(),
  verify: z
    .object({
      run: RunContextSchema,
      assessment: AssessmentSchema,
      progress: ProgressSchema.optional(),
      rounds: z.array(CompletedRoundSchema).optional(),
      maxRounds: positiveInt.optional(),
    })
    .strict(),
  // The whole workflow state arrives here, including parts notify does not read (e.g. the lock result).
  notify: z
    .object({
      run: RunContextSchema,
      assessment: AssessmentSchema.optional(),
      progress: ProgressSchema.optional(),
      verification: VerificationSchema.optional(),
      failure: FailureSchema.optional(),
      rounds: z.array(CompletedRoundSchema).optional(),
    })
    .loose(),
  unlock: z.object({ run: RunContextSchema }).loose(),
} as const;

/**
 * Validates a step's payload and returns it typed. The schemas check shape; the casts restore the
 * domain's precise types (e.g. `Report`) that the outline schemas leave open.
 */
export function parsePayload<T>(step: StepId, payload: unknown): T {
  const result = PAYLOAD_SCHEMAS[step].safeParse(payload);
  if (result.success) return payload as T;
  const issue = result.error.issues[0]!;
  throw new InvalidInputError(formatPath(issue.path) || '(root)', `${issue.message} (payload of step "${step}")`);
}
