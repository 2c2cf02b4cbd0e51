/**
 * The workflow's state: the one JSON document the state machine carries from state to state, as a
 * zod schema assembled from the run's parts (lambdas/domain/run-state.ts), and the JSONPaths the
 * state machine reads, written against that schema's type so that renaming a field breaks the
 * build, not a deployment.
 */
// A namespace import lets esbuild leave out the parts of zod nobody uses (its locales, JSON Schema).
import * as z from 'zod';
import {
  AssessmentSchema,
  CompletedRoundSchema,
  ProgressSchema,
  ResourceWaitSchema,
  RunContextSchema,
  VerifyResultSchema,
  WorkflowFailureSchema,
} from '../domain/run-state';
import { ApprovalDecisionSchema } from '../domain/approval';
import { StuckRollbackSchema } from '../domain/stuck-rollback';

export const LockResultSchema = z
  .object({
    acquired: z.boolean(),
    /** Seconds the run waits before its first read, so the fleet's runs spread their reads (domain/api-pacing.ts). */
    paceSeconds: z.number().int().nonnegative().optional(),
  })
  .strict();
export type LockResult = z.infer<typeof LockResultSchema>;

export const NotifyResultSchema = z
  .object({
    subject: z.string(),
    outcome: z.string(),
    /** False when a sweep's run had nothing new to tell and published nothing. */
    published: z.boolean().optional(),
  })
  .strict();
export type NotifyResult = z.infer<typeof NotifyResultSchema>;

/** The apply loop: the cursor through the plan's steps, and the wait for the resource the last step changed. */
export const ApplyLoopSchema = z
  .object({
    progress: ProgressSchema,
    /** Absent until the first step is applied. */
    wait: ResourceWaitSchema.optional(),
  })
  .strict();
export type ApplyLoop = z.infer<typeof ApplyLoopSchema>;

/** After a wait that ended in failure: what was done about the application that did not come back. */
export const StuckRollbackResultSchema = z.object({ rollback: StuckRollbackSchema.optional() }).strict();
export type StuckRollbackResult = z.infer<typeof StuckRollbackResultSchema>;

/** The round a run starts with; the state machine counts on from it. */
export const FIRST_ROUND = 1;

/**
 * The whole state. Intake sets `run`, `round` and `rounds`; each later state adds its result under
 * its own key, and a round that goes again starts from the verification's proposal.
 */
export const RunStateSchema = z
  .object({
    run: RunContextSchema,
    /** The current round, 1-based: counted by the state machine alone. */
    round: z.number().int().positive(),
    /** The finished rounds before the current one, oldest first. */
    rounds: z.array(CompletedRoundSchema),
    lock: LockResultSchema.optional(),
    assessment: AssessmentSchema.optional(),
    apply: ApplyLoopSchema.optional(),
    verification: VerifyResultSchema.optional(),
    /** Why the run failed, as the `Catch` of the failing state hands it over. */
    failure: WorkflowFailureSchema.optional(),
    /** After a failed wait for an updated application: its rollback, or why there was none. */
    stuckRollback: StuckRollbackResultSchema.optional(),
    /** In mode `approve`: the decision the wait for approval ended with. */
    approval: ApprovalDecisionSchema.optional(),
    /** In mode `approve`: a denial or a timeout, as the `Catch` of the wait hands it over. */
    approvalRefusal: WorkflowFailureSchema.optional(),
    notification: NotifyResultSchema.optional(),
    notifyFailure: WorkflowFailureSchema.optional(),
    unlockFailure: WorkflowFailureSchema.optional(),
  })
  .strict();
export type RunState = z.infer<typeof RunStateSchema>;

type KeyOf<T> = T extends readonly unknown[] ? never : T extends object ? keyof T & string : never;

/** Every dotted field path into `T`, to a depth of four fields. */
type FieldPath<T, Depth extends unknown[] = []> = Depth['length'] extends 4
  ? never
  : { [K in KeyOf<NonNullable<T>>]: K | `${K}.${FieldPath<NonNullable<T>[K], [...Depth, unknown]>}` }[KeyOf<
      NonNullable<T>
    >];

export type StatePath = FieldPath<RunState>;

/** The JSONPath of a field of the state; only fields the schema has are accepted. */
export function statePath<P extends StatePath>(path: P): `$.${P}` {
  return `$.${path}`;
}

/** Every JSONPath the state machine reads or writes, by what it stands for. */
export const STATE_PATHS = {
  run: statePath('run'),
  round: statePath('round'),
  rounds: statePath('rounds'),
  lock: statePath('lock'),
  lockAcquired: statePath('lock.acquired'),
  lockPaceSeconds: statePath('lock.paceSeconds'),
  assessment: statePath('assessment'),
  disposition: statePath('assessment.disposition'),
  steps: statePath('assessment.steps'),
  apply: statePath('apply'),
  progress: statePath('apply.progress'),
  moreSteps: statePath('apply.progress.more'),
  wait: statePath('apply.wait'),
  resourceReady: statePath('apply.wait.ready'),
  verification: statePath('verification'),
  nextRound: statePath('verification.next'),
  nextRoundAssessment: statePath('verification.next.assessment'),
  nextRoundRounds: statePath('verification.next.rounds'),
  nextRoundRevert: statePath('verification.next.assessment.revert'),
  approval: statePath('approval'),
  approvalRefusal: statePath('approvalRefusal'),
  failure: statePath('failure'),
  stuckRollback: statePath('stuckRollback'),
  notification: statePath('notification'),
  notifyFailure: statePath('notifyFailure'),
  unlockFailure: statePath('unlockFailure'),
} as const;

/** The state's failure records: where a `Catch` puts the error, and the paths of its name and cause. */
export type FailureKey = 'failure' | 'notifyFailure' | 'unlockFailure';
export function failurePaths(key: FailureKey) {
  return { at: statePath(key), error: statePath(`${key}.Error`), cause: statePath(`${key}.Cause`) };
}
