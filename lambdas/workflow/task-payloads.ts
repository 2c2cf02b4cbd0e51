/**
 * The workflow's tasks, one Lambda function each, and what the state machine hands each of them.
 * The payloads are parts of the run's state (state.ts); each task core validates its payload on the
 * way in, so a wrong wiring fails with the field at fault instead of deep inside the domain.
 */
// A namespace import lets esbuild leave out the parts of zod nobody uses (its locales, JSON Schema).
import * as z from 'zod';
import {
  AssessmentSchema,
  CompletedRoundSchema,
  ProgressSchema,
  ResourceWaitSchema,
  RunContextSchema,
  WorkStepSchema,
  WorkflowFailureSchema,
} from '../domain/run-state';
import { TimeBudgetSchema } from '../domain/time-budget';
import { ApprovalDecisionSchema } from '../domain/approval';
import { InvalidInputError, formatPath } from '../domain/validation';
import { RunStateSchema } from './state';

/** The workflow's tasks, one Lambda function each. */
export const TASK_NAMES = [
  'intake',
  'lock',
  'assess',
  'apply',
  'wait-check',
  'verify',
  'notify',
  'unlock',
  'approval',
] as const;
export type TaskName = (typeof TASK_NAMES)[number];

/** A task's core: the handler without Lambda around it, so the same code runs in Lambda and locally. */
export type TaskCore<I = unknown, O = unknown> = (payload: I) => Promise<O>;
export type TaskCores = Readonly<Record<TaskName, TaskCore>>;

const positiveInt = z.number().int().positive();

export const TASK_PAYLOADS = {
  intake: z
    .object({
      /** The execution input as received. */
      input: z.unknown(),
      executionId: z.string().min(1),
      startedAt: z.string().min(1),
      /** The config's targets, policy, region and alarm name prefix, embedded in the state machine. */
      config: z.unknown(),
    })
    .strict(),
  lock: z
    .object({
      run: RunContextSchema,
      /** How long the lock holds if the workflow dies without releasing it. */
      ttlSeconds: positiveInt,
      /** fleet.maxConcurrentRuns: the run also takes one of this many fleet slots; absent, no fleet slot. */
      fleetSlots: positiveInt.optional(),
      /** Seconds every fixed wait of the workflow is a multiple of: the run's pacing keeps to its slot's seconds across them. */
      paceCycleSeconds: positiveInt.optional(),
    })
    .strict(),
  assess: z
    .object({
      run: RunContextSchema,
      /** fleet.maxChangesPerHour: the fleet's changes in the last hour are counted against it; absent, they are not. */
      maxChangesPerHour: positiveInt.optional(),
      /** After an approval: the steps approved and the decision; the plan is applied only if it is unchanged. */
      approved: z
        .object({ steps: z.array(WorkStepSchema), decision: ApprovalDecisionSchema })
        .strict()
        .optional(),
    })
    .strict(),
  apply: z
    .object({
      run: RunContextSchema,
      steps: z.array(WorkStepSchema).min(1),
      progress: ProgressSchema,
      /** The run's time budget; a step that may not finish before the timeout is not made. */
      budget: TimeBudgetSchema.optional(),
      /** fleet.maxChangesPerHour: each call first claims one of this many change slots; absent, none is claimed. */
      maxChangesPerHour: positiveInt.optional(),
      /** The run's round, which names the step's claim with its index. @default 1 */
      round: positiveInt.optional(),
      /**
       * The wait after the last step ended in failure: instead of the next step, the application that
       * did not come back is rolled back (lambdas/workflow/stuck-rollback.ts).
       */
      stuckWait: ResourceWaitSchema.optional(),
    })
    .strict(),
  'wait-check': z
    .object({
      wait: ResourceWaitSchema,
      /** Status checks allowed per step before the wait counts as failed. */
      maxPolls: positiveInt,
    })
    .strict(),
  verify: z
    .object({
      run: RunContextSchema,
      assessment: AssessmentSchema,
      /** The calls this round made; without it, no further round is planned. */
      progress: ProgressSchema.optional(),
      /** The round being verified. @default 1 */
      round: positiveInt.optional(),
      /** The run's rounds before this one, oldest first. @default [] */
      rounds: z.array(CompletedRoundSchema).optional(),
      /** Rounds one run may make, this one included. @default 1 */
      maxRounds: positiveInt.optional(),
      /** The run's time budget; another round that may not finish before the timeout is not proposed. */
      budget: TimeBudgetSchema.optional(),
      /** fleet.maxChangesPerHour, for the plan of another round. */
      maxChangesPerHour: positiveInt.optional(),
    })
    .strict(),
  /**
   * Notify reads whatever the run got to, so it is handed the whole state; a run that failed before
   * its rounds were counted is still told.
   */
  notify: RunStateSchema.partial({ round: true, rounds: true }),
  unlock: z.object({ run: RunContextSchema }).loose(),
  /**
   * Mode `approve`: `request` opens the request with the wait's task token and asks on-call; `expire`
   * records a request nobody answered before the wait timed out.
   */
  approval: z.discriminatedUnion('action', [
    z
      .object({
        action: z.literal('request'),
        taskToken: z.string().min(1),
        run: RunContextSchema,
        assessment: AssessmentSchema,
        /** How long the wait lasts, as the state machine's timeout of the waiting state. */
        timeoutSeconds: positiveInt,
      })
      .strict(),
    z.object({ action: z.literal('expire'), run: RunContextSchema, refusal: WorkflowFailureSchema }).strict(),
  ]),
} as const;

export type TaskPayload<T extends TaskName> = z.infer<(typeof TASK_PAYLOADS)[T]>;

/** Validates a task's payload and returns it typed, or names the first field at fault. */
export function parseTaskPayload<T extends TaskName>(task: T, payload: unknown): TaskPayload<T> {
  const result = TASK_PAYLOADS[task].safeParse(payload);
  if (result.success) return result.data as TaskPayload<T>;
  const issue = result.error.issues[0]!;
  throw new InvalidInputError(formatPath(issue.path) || '(root)', `${issue.message} (payload of task "${task}")`);
}
