/**
 * An application that does not come back after its parallelism update (still UPDATING when the wait
 * runs out, or READY after a failed start): whether the run rolls it back with RollbackApplication,
 * and what it tells on-call. Pure: the caller describes the application and reads the ledger.
 */
// A namespace import lets esbuild leave out the parts of zod nobody uses (its locales, JSON Schema).
import * as z from 'zod';
import { revertStepsOf } from './revert';
import type { AppliedStep, Awaiting, Progress, WorkStep } from './run-state';
import type { AppState, LedgerEntry } from './model';

/**
 * Statuses RollbackApplication accepts
 * (https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_RollbackApplication.html). RUNNING is
 * accepted by AWS but left out here: an application RUNNING again came back after all.
 */
const ROLLBACK_STATUSES: ReadonlySet<string> = new Set(['UPDATING', 'AUTOSCALING']);

/**
 * The errors a wait for a changed resource ends with when the resource does not come back: a dead-end
 * status (ResourceStateError) or the last allowed check (ResourceNotReadyError), lambdas/workflow/check-resource.ts.
 */
export const WAIT_FAILED_ERRORS = ['ResourceStateError', 'ResourceNotReadyError'] as const;

export const StuckRollbackSchema = z
  .object({
    application: z.string(),
    /** The status the application was found in just before the decision. */
    status: z.string(),
    outcome: z.enum(['rolled-back', 'not-rolled-back']),
    /** Why not, or what the rollback restores. */
    reason: z.string(),
  })
  .strict();
export type StuckRollback = z.infer<typeof StuckRollbackSchema>;

/** What the run does about the application: the rollback step to make, or why it makes none. */
export type StuckRollbackDecision =
  | { readonly kind: 'roll-back'; readonly step: Extract<WorkStep, { type: 'UpdateApplicationParallelism' }> }
  | { readonly kind: 'leave'; readonly reason: string };

export interface StuckFacts {
  readonly awaiting: Awaiting;
  readonly progress: Progress;
  readonly app: Pick<AppState, 'status' | 'snapshotsEnabled'>;
  /** This run's ledger entries. */
  readonly ownEntries: readonly LedgerEntry[];
}

/** The parallelism update this round made to the application, the last one if several. */
export function lastParallelismUpdate(progress: Progress, application: string): AppliedStep | undefined {
  return [...progress.applied]
    .reverse()
    .find(
      (a) =>
        a.outcome === 'requested' &&
        a.step.type === 'UpdateApplicationParallelism' &&
        a.step.applicationName === application,
    );
}

/**
 * Rolls back once per run, and only what this round's own parallelism update left stuck: a run
 * that already reverted (or whose stuck step was the revert) leaves the application to a person.
 */
export function decideStuckRollback(facts: StuckFacts): StuckRollbackDecision | undefined {
  if (facts.awaiting.kind !== 'application') return undefined;
  const applied = lastParallelismUpdate(facts.progress, facts.awaiting.name);
  if (!applied) return undefined;
  if ('revert' in applied.step && applied.step.revert) {
    return { kind: 'leave', reason: 'the stuck update was itself a revert; a run reverts at most once' };
  }
  if (facts.ownEntries.some((e) => e.kind === 'revert')) {
    return { kind: 'leave', reason: 'this run has already reverted a change; a run reverts at most once' };
  }
  const status = facts.app.status;
  if (status === 'RUNNING') {
    return { kind: 'leave', reason: 'it is RUNNING again (it came back late); check that it processes records' };
  }
  if (!ROLLBACK_STATUSES.has(status)) {
    return {
      kind: 'leave',
      reason: `RollbackApplication accepts only an application that is UPDATING, AUTOSCALING or RUNNING, and this one is ${status}: start it again, with the parallelism before the change if it fails at the new one`,
    };
  }
  if (!facts.app.snapshotsEnabled) {
    return { kind: 'leave', reason: 'it takes no snapshots, and AWS refuses a rollback without them' };
  }
  const step = revertStepsOf([applied], true)[0] as Extract<WorkStep, { type: 'UpdateApplicationParallelism' }>;
  return { kind: 'roll-back', step };
}
