/**
 * What one remediation run carries from task to task, as zod schemas: each type below is inferred
 * from its schema, so the checks the workflow's tasks make on their payloads and the types the code
 * is written against cannot disagree. The workflow's own document (lambdas/workflow/state.ts) is
 * assembled from these parts.
 */
// A namespace import lets esbuild leave out the parts of zod nobody uses (its locales, JSON Schema).
import * as z from 'zod';
import { BoostSchema } from './boost';
import { TargetSchema } from './config';
import type { Report } from './model';
import { PauseSchema } from './pause';
import { PolicySchema } from './policy';
import { ApprovalDecisionSchema } from './approval';
import { AWAITING_APPROVAL, PAUSED } from './vocabulary';

const positiveInt = z.number().int().positive();
const count = z.number().int().nonnegative();

/** Why the run was started. */
export const TriggerSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('alarm'),
      alarmName: z.string().min(1),
      alarmArn: z.string().optional(),
      /** CloudWatch's own sentence for the state change. */
      reason: z.string().optional(),
      /** When the alarm went into ALARM. */
      changedAt: z.string().optional(),
    })
    .strict(),
  z.object({ kind: z.literal('manual') }).strict(),
  z
    .object({
      kind: z.literal('sweep'),
      /** The target's alarms that were still in ALARM when the sweep looked (none for a boost's follow-up alone). */
      alarmNames: z.array(z.string().min(1)),
      /** The target runs a catch-up boost that is to come back off once its backlog has drained. */
      boost: z.literal(true).optional(),
      /** A resource runs an incident's scale-up that comes back once the traffic has passed. */
      scaleBack: z.literal(true).optional(),
    })
    .strict(),
]);
export type Trigger = z.infer<typeof TriggerSchema>;

/** The normalised run: who, why, with which config; set once by the intake task and read by all others. */
export const RunContextSchema = z
  .object({
    target: z.string().min(1),
    /** A dry run plans exactly as a live run and changes nothing. */
    dryRun: z.boolean(),
    trigger: TriggerSchema,
    /** The Step Functions execution ARN; also the lock owner and the ledger's `executionId`. */
    executionId: z.string().min(1),
    startedAt: z.string().min(1),
    /** Region of the target's resources: the config's `region`, else the workflow's own. */
    region: z.string().min(1),
    config: TargetSchema,
    policy: PolicySchema,
  })
  .strict();
export type RunContext = z.infer<typeof RunContextSchema>;

/**
 * One step of a plan: one changing API call. An UpdateShardCount action of two steps (its per-call
 * shard counts) is two of these.
 */
export const WorkStepSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('UpdateShardCount'),
      streamName: z.string().min(1),
      /** Open shards the stream has before this call. */
      from: positiveInt,
      to: positiveInt,
      /** 1-based position of this call within its action, and the action's number of calls. */
      call: positiveInt,
      calls: positiveInt,
      /** The step undoes a change of this run that made things worse. */
      revert: z.literal(true).optional(),
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
      boost: BoostSchema.optional(),
      /** The step undoes a change of this run that made things worse. */
      revert: z.literal(true).optional(),
      /**
       * The revert is made with RollbackApplication (the version that ran before the change, with the
       * state of the last snapshot) rather than another update: the job failed after the change.
       */
      rollback: z.literal(true).optional(),
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
export type WorkStep = z.infer<typeof WorkStepSchema>;

/**
 * Reports are produced by the engine inside the same workflow; only their outline is checked, and
 * the schema stands for the engine's own `Report` type.
 */
const ReportSchema = z
  .object({
    target: z.object({ name: z.string() }).loose(),
    diagnosis: z.object({ cause: z.string(), severity: z.string(), evidence: z.array(z.unknown()) }).loose(),
    plan: z
      .object({ mode: z.string(), apply: z.boolean(), actions: z.array(z.unknown()), refused: z.array(z.unknown()) })
      .loose(),
  })
  .loose() as unknown as z.ZodType<Report>;

/**
 * What the run does with an assessment, decided once (see disposition.ts). Only `apply` changes
 * anything; every other value says why nothing is changed, in words the notification repeats.
 */
export const DISPOSITIONS = [
  'apply',
  'dry-run',
  'recommend-mode',
  'observe-mode',
  'all-refused',
  'nothing-to-do',
  PAUSED,
  AWAITING_APPROVAL,
] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

export const AssessmentSchema = z
  .object({
    report: ReportSchema,
    steps: z.array(WorkStepSchema),
    disposition: z.enum(DISPOSITIONS),
    assessedAt: z.string(),
    /** The pause in force when the assessment was made, if any: it turns every plan into a recommendation. */
    pause: PauseSchema.optional(),
    /** In mode `approve`: the approval this plan was re-assessed under (it is applied only if unchanged). */
    approval: ApprovalDecisionSchema.optional(),
    /** A round that undoes the round before it: why (the harm verification found, with its figures). */
    revert: z
      .object({ reason: z.string().min(1) })
      .strict()
      .optional(),
  })
  .strict();
export type Assessment = z.infer<typeof AssessmentSchema>;

export const AppliedStepSchema = z
  .object({
    step: WorkStepSchema,
    at: z.string(),
    /** `already-done`: a retried step found the change in place (the earlier attempt got through). */
    outcome: z.enum(['requested', 'already-done']),
    /** The application version the update was made against. */
    applicationVersionId: z.number().int().optional(),
  })
  .strict();
export type AppliedStep = z.infer<typeof AppliedStepSchema>;

/** The apply cursor: how far through the plan's steps the run is. */
export const ProgressSchema = z
  .object({
    /** Index of the next step to apply. */
    next: count,
    applied: z.array(AppliedStepSchema),
    /** Whether steps remain after the ones applied. */
    more: z.boolean(),
    /**
     * Resources changed by earlier steps of this round that the run went on from without seeing them
     * ACTIVE / RUNNING, because the steps after them change another resource; seen ready before the
     * next step on the same resource and before the settling wait.
     */
    changing: z.array(z.lazy(() => AwaitingSchema)).optional(),
  })
  .strict();
export type Progress = z.infer<typeof ProgressSchema>;

/** The cursor before the first step; the workflow starts its apply loop from this. */
export const INITIAL_PROGRESS: Progress = { next: 0, applied: [], more: true };

/** A resource the workflow waits on after a change. */
export const AwaitingSchema = z.object({ kind: z.enum(['stream', 'application']), name: z.string().min(1) }).strict();
export type Awaiting = z.infer<typeof AwaitingSchema>;

/** The wait after one step: which resource, how many status checks so far, and whether it is back. */
export const ResourceWaitSchema = z
  .object({
    awaiting: AwaitingSchema,
    /** Status checks made since the step. */
    polls: count,
    /** Whether the awaited resource is ACTIVE / RUNNING again. */
    ready: z.boolean(),
    /** The status last seen by a check. */
    lastStatus: z.string().optional(),
    /** Other resources changed in this round that must be ACTIVE / RUNNING too before the run goes on. */
    also: z.array(AwaitingSchema).optional(),
  })
  .strict();
export type ResourceWait = z.infer<typeof ResourceWaitSchema>;

export const VERIFY_OUTCOMES = ['resolved', 'improving', 'not-improved', 'inconclusive'] as const;
export type VerifyOutcome = (typeof VERIFY_OUTCOMES)[number];

export const VerificationSchema = z
  .object({
    outcome: z.enum(VERIFY_OUTCOMES),
    reason: z.string(),
    report: ReportSchema,
    verifiedAt: z.string(),
    /** The pause in force when the verification was made: no further round is taken while it holds. */
    pause: PauseSchema.optional(),
    /** The round it closes, once the verify task has numbered it. */
    round: positiveInt.optional(),
    /** The change made things worse: how, with the figures before and after (outcome.ts). */
    harm: z.string().optional(),
    /** Why a harmful change was not reverted (budget, time, a revert already made): a person must undo it. */
    revertRefused: z.string().optional(),
    // What the verify task proposed for another round; kept as it came inside a finished round.
    next: z.unknown().optional(),
  })
  .strict();
export type Verification = z.infer<typeof VerificationSchema>;

/** A finished round of a run that went round again: what it acted on, the calls it made, how it was judged. */
export const CompletedRoundSchema = z
  .object({ assessment: AssessmentSchema, progress: ProgressSchema, verification: VerificationSchema })
  .strict();
export type CompletedRound = z.infer<typeof CompletedRoundSchema>;

/** What the next round of a run starts from: its assessment, and the rounds before it. */
export const NextRoundSchema = z
  .object({ assessment: AssessmentSchema, rounds: z.array(CompletedRoundSchema) })
  .strict();
export type NextRound = z.infer<typeof NextRoundSchema>;

/** The verification, which round it closes, and what the next round starts from if the run goes round again. */
export const VerifyResultSchema = VerificationSchema.extend({ round: positiveInt, next: NextRoundSchema.optional() });
export type VerifyResult = z.infer<typeof VerifyResultSchema>;

/** A workflow failure as Step Functions hands it to a `Catch`: the error name and its cause. */
export const WorkflowFailureSchema = z.object({ Error: z.string(), Cause: z.string().optional() }).loose();
export type WorkflowFailure = z.infer<typeof WorkflowFailureSchema>;
