import { composeNotification } from '../../domain/notification';
import type { Notifier } from '../../ports';
import { parsePayload, type NotifyPayload, type NotifyResult, type StepCore } from '../state';
import type { StepTelemetry } from '../telemetry';

export interface NotifyDeps {
  readonly notifier: Notifier;
  readonly telemetry: StepTelemetry;
}

/** Tells on-call what the run saw and did, whichever way it ended. */
export function createNotifyStep(deps: NotifyDeps): StepCore<unknown, NotifyResult> {
  return async (payload) => {
    const state = parsePayload<NotifyPayload>('notify', payload);
    const message = composeNotification({ ...state, region: state.run.region });
    await deps.notifier.publish(message);
    const outcome = message.attributes['outcome'] ?? 'unknown';
    deps.telemetry.info('notified', { target: state.run.target, subject: message.subject, outcome });
    return { subject: message.subject, outcome };
  };
}
