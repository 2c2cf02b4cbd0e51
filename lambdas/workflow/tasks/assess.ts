import { collectSnapshot, type CollectPorts } from '../../domain/collect';
import { assessmentOf } from '../../domain/disposition';
import { assess } from '../../domain/engine';
import { pauseFor } from '../../domain/pause';
import type { Assessment } from '../../domain/run-state';
import { SERVICE_METRIC_NAMES } from '../../domain/service-metrics';
import { parseTaskPayload, type TaskCore } from '../task-payloads';
import type { PauseSwitch } from '../../ports';
import type { TaskTelemetry } from '../telemetry';

export interface AssessDeps extends CollectPorts {
  readonly telemetry: TaskTelemetry;
  /** The operators' kill switch, read on every run. */
  readonly pauses: PauseSwitch;
}

/**
 * Read-only: collects the metric window and resource descriptions, runs the diagnosis engine and the
 * bounded planner, and decides whether the plan is applied now (the disposition); a pause in force
 * holds the plan back as a recommendation. In mode `approve`, after a person approved a plan, the
 * re-assessment is applied only if it plans the very same calls (else it asks again).
 */
export function createAssessTask(deps: AssessDeps): TaskCore<unknown, Assessment> {
  return async (payload) => {
    const { run, approved } = parseTaskPayload('assess', payload);
    const snapshot = await collectSnapshot(deps, run.config);
    const report = assess(snapshot, { target: run.config, policy: run.policy, dryRun: run.dryRun });
    const pause = pauseFor(run.target, await deps.pauses.pausesFor(run.target));
    const assessment = assessmentOf(report, run, deps.clock.now(), {
      ...(pause ? { pause } : {}),
      ...(approved ? { approved } : {}),
    });
    const refused = report.plan.refused.length;
    if (refused > 0) deps.telemetry.count(SERVICE_METRIC_NAMES.actionsRefused, refused);
    deps.telemetry.info('assessed', {
      target: run.target,
      cause: report.diagnosis.cause,
      severity: report.diagnosis.severity,
      disposition: assessment.disposition,
      ...(pause ? { pausedBy: pause.by, pausedFor: pause.reason } : {}),
      actions: report.plan.actions.map((a) => a.type),
      refused: report.plan.refused.map((r) => `${r.action.type}: ${r.guardrail}`),
    });
    return assessment;
  };
}
