/**
 * Whether a run applies its plan, decided once: the disposition. The workflow branches on it, the
 * next round is taken only on it, and the notification explains it.
 */
import type { Report } from './model';
import type { Pause } from './pause';
import type { Assessment, Disposition, RunContext } from './run-state';
import { PAUSED } from './vocabulary';
import { workStepsOf } from './work-steps';

/**
 * Decides what the run does with a report. A change is made only when the engine says the plan is
 * to be applied and, independently, the run is live and the target is in `auto` mode: the second
 * check keeps a planner bug from turning a dry run into a change. A pause in force holds back a plan
 * that would have been applied; the other dispositions already change nothing and keep their words.
 */
export function dispositionOf(report: Report, run: Pick<RunContext, 'dryRun' | 'config'>, pause?: Pause): Disposition {
  const plan = report.plan;
  if (plan.actions.length === 0) return plan.refused.length > 0 ? 'all-refused' : 'nothing-to-do';
  if (run.dryRun) return 'dry-run';
  const mode = run.config.mode === 'auto' ? plan.mode : run.config.mode;
  if (mode === 'observe') return 'observe-mode';
  if (mode === 'recommend' || !plan.apply) return 'recommend-mode';
  return pause ? PAUSED : 'apply';
}

export function assessmentOf(
  report: Report,
  run: Pick<RunContext, 'dryRun' | 'config'>,
  now: Date,
  pause?: Pause,
): Assessment {
  return {
    report,
    steps: workStepsOf(report.plan.actions),
    disposition: dispositionOf(report, run, pause),
    assessedAt: now.toISOString(),
    ...(pause ? { pause } : {}),
  };
}
