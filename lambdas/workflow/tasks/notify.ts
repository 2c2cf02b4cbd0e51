import { composeNotification } from '../../domain/notification';
import type { Notifier } from '../../ports';
import type { NotifyResult } from '../state';
import { parseTaskPayload, type TaskCore } from '../task-payloads';
import type { TaskTelemetry } from '../telemetry';

export interface NotifyDeps {
  readonly notifier: Notifier;
  readonly telemetry: TaskTelemetry;
}

/** Tells on-call what the run saw and did, whichever way it ended. */
export function createNotifyTask(deps: NotifyDeps): TaskCore<unknown, NotifyResult> {
  return async (payload) => {
    const state = parseTaskPayload('notify', payload);
    const message = composeNotification({
      run: state.run,
      region: state.run.region,
      ...(state.assessment ? { assessment: state.assessment } : {}),
      ...(state.apply ? { progress: state.apply.progress } : {}),
      ...(state.verification ? { verification: state.verification } : {}),
      ...(state.failure ? { failure: state.failure } : {}),
      ...(state.rounds ? { rounds: state.rounds } : {}),
      ...(state.approvalRefusal ? { approvalRefusal: state.approvalRefusal } : {}),
    });
    await deps.notifier.publish(message);
    const outcome = message.attributes['outcome'] ?? 'unknown';
    deps.telemetry.info('notified', { target: state.run.target, subject: message.subject, outcome });
    return { subject: message.subject, outcome };
  };
}
