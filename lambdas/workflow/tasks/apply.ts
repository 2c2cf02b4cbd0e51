import { applyNextStep, type ApplyPorts, type Progress } from '../../domain/run-state';
import { SERVICE_METRIC_NAMES } from '../../domain/service-metrics';
import { parsePayload, type ApplyPayload, type StepCore } from '../state';
import type { StepTelemetry } from '../telemetry';

export interface ApplyDeps extends ApplyPorts {
  readonly telemetry: StepTelemetry;
}

/** The only writer: applies the next step of the plan (one changing call) and records it in the ledger. */
export function createApplyStep(deps: ApplyDeps): StepCore<unknown, Progress> {
  return async (payload) => {
    const { run, steps, progress } = parsePayload<ApplyPayload>('apply', payload);
    const next = await applyNextStep(deps, run, steps, progress);
    const applied = next.applied[next.applied.length - 1]!;
    if (applied.outcome === 'requested') deps.telemetry.count(SERVICE_METRIC_NAMES.actionsTaken, 1);
    deps.telemetry.info('step applied', {
      target: run.target,
      step: applied.step,
      outcome: applied.outcome,
      remaining: steps.length - next.next,
    });
    return next;
  };
}
