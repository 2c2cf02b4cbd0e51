/**
 * A way back: when verification finds that a round's change made things worse, the run undoes it
 * once, inside its own budget, and stops. A revert is never reverted and never followed by another
 * round; a later run does not redo the reverted change while the `reverted` guardrail holds.
 */
import type { Policy } from './config';
import { historyByResource } from './history';
import type { Pause } from './pause';
import { actionResource, type LedgerEntry } from './model';
import type { AppliedStep, Assessment, CompletedRound, NextRound, Progress, Verification, WorkStep } from './run-state';
import { fitsTimeBudget, type TimeBudget } from './time-budget';
import { actionOf } from './work-steps';

/**
 * The steps that take a round's changes back, last change first. A shard change is undone call by
 * call: each forward call stayed within UpdateShardCount's double/half rule, so its inverse does too.
 * Retention and monitoring changes are left: neither adds lag, throttling or restarts of its own.
 * With `rollback`, the parallelism goes back with RollbackApplication (the version that ran before,
 * restored from its snapshot) instead of another update.
 */
export function revertStepsOf(applied: readonly AppliedStep[], rollback = false): WorkStep[] {
  const steps: WorkStep[] = [];
  for (const { step } of [...applied].reverse()) {
    if (step.type === 'UpdateShardCount') {
      steps.push({ ...step, from: step.to, to: step.from, revert: true });
    } else if (step.type === 'UpdateApplicationParallelism') {
      // A revert goes back to the size before the change; it is no catch-up boost of its own.
      const { autoScalingEnabled: _autoScaling, boost: _boost, ...parallelism } = step;
      steps.push({ ...parallelism, from: step.to, to: step.from, revert: true, ...(rollback ? { rollback } : {}) });
    }
  }
  const shardCalls = steps.filter((s) => s.type === 'UpdateShardCount');
  return steps.map((s) =>
    s.type === 'UpdateShardCount' ? { ...s, call: shardCalls.indexOf(s) + 1, calls: shardCalls.length } : s,
  );
}

export interface RevertFacts {
  /** The round just verified. */
  readonly assessment: Assessment;
  readonly progress: Progress;
  readonly verification: Verification;
  /** The rounds before it. */
  readonly rounds: readonly CompletedRound[];
  readonly policy: Pick<Policy, 'dailyActionBudget'>;
  /** The target's ledger as the verification read it: the daily budget counts the revert's calls too. */
  readonly ledger: readonly LedgerEntry[];
  readonly now: Date;
  readonly timeBudget?: { readonly budget: TimeBudget; readonly startedAt: string };
  /** The operators' kill switch holds reverts too: while paused, StreamMedic changes nothing. */
  readonly pause?: Pause;
  /** Whether the application takes snapshots: RollbackApplication restores one, and AWS refuses it without. */
  readonly appSnapshotsEnabled?: boolean;
}

/** The run's answer to a harmful change: a round that reverts it, or why it may not be reverted. */
export type RevertDecision =
  { readonly kind: 'revert'; readonly next: NextRound } | { readonly kind: 'refused'; readonly reason: string };

/**
 * What the run does about a verification that found harm (`verification.harm`): undefined when it
 * found none. The revert is its own round (apply, wait, settle, verify) whose assessment names the
 * harm; it is refused, and a person is asked to undo the change, when the run already reverted, when
 * StreamMedic is paused, or when the daily budget or the run's time budget cannot take the calls. A round that made no shard or
 * parallelism change has nothing to take back.
 */
export function decideRevert(facts: RevertFacts): RevertDecision | undefined {
  const harm = facts.verification.harm;
  if (!harm) return undefined;
  if (facts.assessment.revert || facts.rounds.some((r) => r.assessment.revert)) {
    return { kind: 'refused', reason: 'this run already reverted a change; it never reverts twice' };
  }
  // The job failing after its update is what RollbackApplication is for: the version that ran before.
  const failing = facts.verification.report.diagnosis.cause === 'APP_UNHEALTHY';
  const steps = revertStepsOf(facts.progress.applied, failing && facts.appSnapshotsEnabled === true);
  if (steps.length === 0) return undefined;
  if (facts.pause) {
    return {
      kind: 'refused',
      reason: `StreamMedic is paused by ${facts.pause.by}; it changes nothing, reverts included`,
    };
  }
  const history = historyByResource(facts.ledger, facts.now.getTime());
  const budget = facts.policy.dailyActionBudget;
  const callsByResource = new Map<string, number>();
  for (const step of steps) {
    const resource = actionResource(actionOf(step));
    callsByResource.set(resource, (callsByResource.get(resource) ?? 0) + 1);
  }
  for (const [resource, calls] of callsByResource) {
    const used = history(resource).callsLastDay;
    if (used + calls > budget) {
      return {
        kind: 'refused',
        reason: `reverting ${resource} takes ${calls} call${calls === 1 ? '' : 's'}; it has used ${used} of its ${budget} changes in the last 24 h`,
      };
    }
  }
  const time = facts.timeBudget;
  if (time) {
    const fits = fitsTimeBudget(steps.length, time.startedAt, facts.now, time.budget);
    if (!fits.fits) return { kind: 'refused', reason: `the revert does not fit the run's time: ${fits.reason}` };
  }
  const { assessment, progress, verification } = facts;
  return {
    kind: 'revert',
    next: {
      assessment: {
        report: verification.report,
        steps,
        disposition: 'apply',
        assessedAt: verification.verifiedAt,
        revert: { reason: harm },
      },
      rounds: [...facts.rounds, { assessment, progress, verification }],
    },
  };
}

/** The ledger's reverts, for the guardrail that keeps a later run from redoing a reverted change. */
export function isRevert(entry: LedgerEntry): boolean {
  return entry.kind === 'revert';
}
