import { refusalOutcome } from '../../domain/approval';
import { composeNotification, describeStep } from '../../domain/notification';
import type { ApprovalRequests, Clock, Notifier } from '../../ports';
import { parseTaskPayload, type TaskCore } from '../task-payloads';
import type { TaskTelemetry } from '../telemetry';

export interface ApprovalDeps {
  readonly approvals: ApprovalRequests;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly telemetry: TaskTelemetry;
}

/** Who a timeout is recorded as: nobody decided, StreamMedic refused for them. */
const TIMEOUT_RECORDED_BY = 'StreamMedic';

/**
 * Mode `approve`. `request`: keeps the request with the wait's task token where `stream-medic
 * approve` and `deny` find it, then asks on-call with the plan; the state machine waits for the
 * decision. `expire`: a request nobody answered in time is recorded as refused. A denial is recorded
 * by the deny command itself, with the operator who denied.
 */
export function createApprovalTask(deps: ApprovalDeps): TaskCore<unknown, { readonly recorded: string }> {
  return async (payload) => {
    const parsed = parseTaskPayload('approval', payload);
    const now = deps.clock.now();
    if (parsed.action === 'request') {
      const { run, assessment, taskToken, timeoutSeconds } = parsed;
      const timesOutAt = new Date(now.getTime() + timeoutSeconds * 1000).toISOString();
      await deps.approvals.open({
        target: run.target,
        executionId: run.executionId,
        taskToken,
        requestedAt: now.toISOString(),
        timesOutAt,
        plan: assessment.steps.map(describeStep),
      });
      const message = composeNotification({ run, region: run.region, assessment, approvalTimesOutAt: timesOutAt });
      await deps.notifier.publish(message);
      deps.telemetry.info('approval requested', { target: run.target, timesOutAt, steps: assessment.steps.length });
      return { recorded: 'requested' };
    }
    const { run, refusal } = parsed;
    if (refusalOutcome(refusal.Error) !== 'timed-out') return { recorded: 'nothing' };
    await deps.approvals.close({
      outcome: 'timed-out',
      target: run.target,
      executionId: run.executionId,
      by: TIMEOUT_RECORDED_BY,
      reason: 'nobody approved or denied the plan before the wait timed out',
      at: now.toISOString(),
    });
    deps.telemetry.info('approval timed out', { target: run.target });
    return { recorded: 'timed-out' };
  };
}
