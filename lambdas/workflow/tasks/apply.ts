import { assertStepInScope } from '../../domain/apply-scope';
import { SERVICE_METRIC_NAMES } from '../../domain/service-metrics';
import { fitsTimeBudget } from '../../domain/time-budget';
import { TimeBudgetError, applyNextStep, type ApplyPorts, type StepApplied } from '../apply-step';
import { rollBackStuckApplication } from '../stuck-rollback';
import { FIRST_ROUND, type StuckRollbackResult } from '../state';
import { parseTaskPayload, type TaskCore } from '../task-payloads';
import type { TaskTelemetry } from '../telemetry';

export interface ApplyDeps extends ApplyPorts {
  readonly telemetry: TaskTelemetry;
}

/**
 * The only writer: applies the next step of the plan (one changing call) and records it in the
 * ledger; after a wait that ended in failure, rolls back the application that did not come back.
 */
export function createApplyTask(deps: ApplyDeps): TaskCore<unknown, StepApplied | StuckRollbackResult> {
  return async (payload) => {
    const { run, steps, progress, budget, stuckWait, maxChangesPerHour, round } = parseTaskPayload('apply', payload);
    if (stuckWait) {
      const rollback = await rollBackStuckApplication(deps, run, stuckWait, progress);
      if (rollback?.outcome === 'rolled-back') deps.telemetry.count(SERVICE_METRIC_NAMES.actionsTaken, 1);
      deps.telemetry.info('application did not come back after its update', { target: run.target, rollback });
      return rollback ? { rollback } : {};
    }
    const step = steps[progress.next];
    if (step) assertStepInScope(run, step, progress.next);
    if (budget) {
      const time = fitsTimeBudget(1, run.startedAt, deps.clock.now(), budget);
      if (!time.fits)
        throw new TimeBudgetError(`step ${progress.next + 1} of ${steps.length} is not made: ${time.reason}`);
    }
    const fleetCap = maxChangesPerHour !== undefined ? { maxChangesPerHour, round: round ?? FIRST_ROUND } : undefined;
    const result = await applyNextStep(deps, run, steps, progress, fleetCap);
    const applied = result.progress.applied[result.progress.applied.length - 1]!;
    if (applied.outcome === 'requested') deps.telemetry.count(SERVICE_METRIC_NAMES.actionsTaken, 1);
    deps.telemetry.info('step applied', {
      target: run.target,
      step: applied.step,
      outcome: applied.outcome,
      remaining: steps.length - result.progress.next,
    });
    return result;
  };
}
