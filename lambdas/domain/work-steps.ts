/**
 * The steps of a plan: one per changing API call, in order, each as the one-call action it carries
 * out and as the ledger entry it leaves behind.
 */
import { actionDirection, actionResource, type Action, type LedgerEntry } from './model';
import type { RunContext, WorkStep } from './run-state';
import { kpusFor } from './sizing';

/** The work steps of a plan, in order: one per changing API call. */
export function workStepsOf(actions: readonly Action[]): WorkStep[] {
  const steps: WorkStep[] = [];
  for (const action of actions) {
    switch (action.type) {
      case 'UpdateShardCount':
        action.steps.forEach((to, index) => {
          steps.push({
            type: 'UpdateShardCount',
            streamName: action.streamName,
            from: index === 0 ? action.from : action.steps[index - 1]!,
            to,
            call: index + 1,
            calls: action.steps.length,
          });
        });
        break;
      case 'UpdateApplicationParallelism':
        steps.push({
          type: action.type,
          applicationName: action.applicationName,
          from: action.from,
          to: action.to,
          parallelismPerKpu: action.parallelismPerKpu,
          ...(action.autoScalingEnabled !== undefined ? { autoScalingEnabled: action.autoScalingEnabled } : {}),
          ...(action.boost ? { boost: action.boost } : {}),
        });
        break;
      case 'UpdateApplicationMonitoring':
        steps.push({
          type: action.type,
          applicationName: action.applicationName,
          logLevel: action.logLevel,
          metricsLevel: action.metricsLevel,
        });
        break;
      case 'IncreaseStreamRetention':
        steps.push({
          type: action.type,
          streamName: action.streamName,
          fromHours: action.fromHours,
          toHours: action.toHours,
        });
        break;
    }
  }
  return steps;
}

/** A step as the one-call action it carries out, so the model's rules (direction, resource) apply to it. */
export function actionOf(step: WorkStep): Action {
  if (step.type === 'UpdateShardCount') {
    return { type: step.type, streamName: step.streamName, from: step.from, to: step.to, steps: [step.to] };
  }
  return step;
}

/** The ledger entry a step leaves behind: one changing call. */
export function ledgerEntryFor(step: WorkStep, run: Pick<RunContext, 'target' | 'executionId'>, at: Date): LedgerEntry {
  const fromTo =
    step.type === 'IncreaseStreamRetention'
      ? { from: step.fromHours, to: step.toHours }
      : 'from' in step
        ? { from: step.from, to: step.to }
        : {};
  return {
    at: at.toISOString(),
    target: run.target,
    resource: actionResource(actionOf(step)),
    actionType: step.type,
    direction: actionDirection(actionOf(step)),
    ...fromTo,
    ...(step.type === 'UpdateApplicationParallelism' && step.boost ? { boost: step.boost } : {}),
    ...(step.type === 'UpdateApplicationParallelism' ? { kpus: kpusFor(step.to, step.parallelismPerKpu) } : {}),
    calls: 1,
    executionId: run.executionId,
    ...('revert' in step && step.revert ? { kind: 'revert' as const } : {}),
  };
}
