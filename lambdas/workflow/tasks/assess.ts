import { collectSnapshot, type CollectPorts } from '../../domain/collect';
import { assessmentOf } from '../../domain/disposition';
import { assess } from '../../domain/engine';
import { pauseFor } from '../../domain/pause';
import { actionResource, type Refusal } from '../../domain/model';
import { describeAction } from '../../domain/notification';
import type { RefusalRecord } from '../../domain/refusal-record';
import type { Assessment, RunContext } from '../../domain/run-state';
import { SERVICE_METRIC_NAMES } from '../../domain/service-metrics';
import { reconcileOpenIntents } from '../reconcile-intents';
import { parseTaskPayload, type TaskCore } from '../task-payloads';
import type { FleetChangeLog, PauseSwitch, RefusalLog } from '../../ports';
import { readFleetBudget } from '../fleet-changes';
import type { TaskTelemetry } from '../telemetry';

export interface AssessDeps extends CollectPorts {
  readonly telemetry: TaskTelemetry;
  /** The operators' kill switch, read on every run. */
  readonly pauses: PauseSwitch;
  /** Where the guardrails' refusals are kept for the history. */
  readonly refusals: RefusalLog;
  /** The fleet's changes, counted against fleet.maxChangesPerHour. */
  readonly fleetChanges: FleetChangeLog;
}

/**
 * Collects the metric window and resource descriptions, runs the diagnosis engine and the bounded
 * planner, and decides whether the plan is applied now (the disposition); a pause in force holds the
 * plan back as a recommendation. In mode `approve`, after a person approved a plan, the re-assessment
 * is applied only if it plans the very same calls (else it asks again). It changes nothing; it writes
 * to the ledger only: a change an earlier run requested and died before recording the result of is
 * settled from the resource first, so the guardrails count what AWS did; and what the guardrails
 * refused is kept for the history (not for a dry run, which only shows what a run would do).
 */
export function createAssessTask(deps: AssessDeps): TaskCore<unknown, Assessment> {
  return async (payload) => {
    const { run, approved, maxChangesPerHour } = parseTaskPayload('assess', payload);
    if (deps.ledger) {
      const settled = await reconcileOpenIntents({ ...deps, ledger: deps.ledger }, run.target);
      for (const result of settled) {
        deps.telemetry.warn('settled a change whose result was not recorded', {
          target: run.target,
          executionId: result.executionId,
          actionType: result.actionType,
          result: result.result,
          detail: result.detail,
        });
      }
    }
    const [snapshot, fleet] = await Promise.all([
      collectSnapshot(deps, run.config),
      readFleetBudget(deps, maxChangesPerHour),
    ]);
    const report = assess(snapshot, {
      target: run.config,
      policy: run.policy,
      dryRun: run.dryRun,
      ...(fleet ? { fleet } : {}),
      // Started by the sweep for an incident's scale-up alone: what else it finds is the alarms' to start.
      ...(run.trigger.kind === 'sweep' && run.trigger.scaleBack && run.trigger.alarmNames.length === 0
        ? { scaleBackOnly: true }
        : {}),
    });
    const pause = pauseFor(run.target, await deps.pauses.pausesFor(run.target));
    const assessment = assessmentOf(report, run, deps.clock.now(), {
      ...(pause ? { pause } : {}),
      ...(approved ? { approved } : {}),
    });
    const refused = report.plan.refused.length;
    if (refused > 0) deps.telemetry.count(SERVICE_METRIC_NAMES.actionsRefused, refused);
    if (refused > 0 && !run.dryRun) await keepRefusals(deps, run, report.plan.refused);
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

/**
 * Records the plan's refusals. A failed write is logged and the run goes on: the record only tells
 * people why nothing was done (the guardrails never read it, and the run's message says the same), so
 * losing it must not cost the run its notification or its other actions.
 */
async function keepRefusals(
  deps: Pick<AssessDeps, 'refusals' | 'clock' | 'telemetry'>,
  run: RunContext,
  refused: readonly Refusal[],
): Promise<void> {
  try {
    await deps.refusals.record(refusalRecordsOf(run, refused, deps.clock.now()));
  } catch (error) {
    deps.telemetry.warn('could not record the refusals for the history', {
      target: run.target,
      executionId: run.executionId,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/** The records of a plan's refusals, in the plan's order, each action in the words the run's message uses. */
function refusalRecordsOf(run: RunContext, refused: readonly Refusal[], at: Date): RefusalRecord[] {
  return refused.map((refusal, index) => ({
    target: run.target,
    executionId: run.executionId,
    runStartedAt: new Date(run.startedAt).toISOString(),
    index,
    at: at.toISOString(),
    guardrail: refusal.guardrail,
    actionType: refusal.action.type,
    resource: actionResource(refusal.action),
    action: describeAction(refusal.action),
    reason: refusal.reason,
  }));
}
