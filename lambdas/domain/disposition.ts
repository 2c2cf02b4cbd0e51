/**
 * Whether a run applies its plan, decided once: the disposition. The workflow branches on it, the
 * next round is taken only on it, and the notification explains it.
 */
import { samePlan, type ApprovalDecision } from './approval';
import type { Report } from './model';
import type { Pause } from './pause';
import type { Assessment, Disposition, RunContext, WorkStep } from './run-state';
import { AWAITING_APPROVAL, PAUSED, modeMayChange } from './vocabulary';
import { workStepsOf } from './work-steps';

/** What may hold a plan back besides the mode: the kill switch, and in mode `approve` the approval. */
export interface DispositionHolds {
  readonly pause?: Pause;
  /** The steps a person approved, and the decision; a fresh plan is applied only if it has the same steps. */
  readonly approved?: { readonly steps: readonly WorkStep[]; readonly decision: ApprovalDecision };
}

/**
 * Decides what the run does with a report. A change is made only when the engine says the plan is
 * to be applied and, independently, the run is live and the target is in `auto` mode: the second
 * check keeps a planner bug from turning a dry run into a change. A pause in force holds back a plan
 * that would have been applied; the other dispositions already change nothing and keep their words.
 * In mode `approve` a plan is applied only when it is the very plan a person approved.
 */
export function dispositionOf(
  report: Report,
  run: Pick<RunContext, 'dryRun' | 'config'>,
  holds: DispositionHolds = {},
): Disposition {
  const plan = report.plan;
  if (plan.actions.length === 0) return plan.refused.length > 0 ? 'all-refused' : 'nothing-to-do';
  if (run.dryRun) return 'dry-run';
  const mode = modeMayChange(run.config.mode) ? plan.mode : run.config.mode;
  if (mode === 'observe') return 'observe-mode';
  if (mode === 'recommend' || !plan.apply) return 'recommend-mode';
  if (holds.pause) return PAUSED;
  if (run.config.mode === 'approve') {
    const approved = holds.approved;
    return approved && samePlan(workStepsOf(plan.actions), approved.steps) ? 'apply' : AWAITING_APPROVAL;
  }
  return 'apply';
}

export function assessmentOf(
  report: Report,
  run: Pick<RunContext, 'dryRun' | 'config'>,
  now: Date,
  holds: DispositionHolds = {},
): Assessment {
  const disposition = dispositionOf(report, run, holds);
  return {
    report,
    steps: workStepsOf(report.plan.actions),
    disposition,
    assessedAt: now.toISOString(),
    ...(holds.pause ? { pause: holds.pause } : {}),
    ...(disposition === 'apply' && holds.approved ? { approval: holds.approved.decision } : {}),
  };
}
