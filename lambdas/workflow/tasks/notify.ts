import { noticeDecision, noticeFingerprint } from '../../domain/notice';
import { composeNotification } from '../../domain/notification';
import { openIntents } from '../../domain/ledger-intents';
import type { Clock, Ledger, NoticeLog, Notifier } from '../../ports';
import type { NotifyResult } from '../state';
import { parseTaskPayload, type TaskCore } from '../task-payloads';
import type { TaskTelemetry } from '../telemetry';

export interface NotifyDeps {
  readonly notifier: Notifier;
  /** The last message per target, so a sweep's run that has nothing new to tell stays silent. */
  readonly notices: NoticeLog;
  readonly clock: Clock;
  readonly telemetry: TaskTelemetry;
  /** Read after a failure, for the changes this run requested without recording their result. */
  readonly ledger?: Ledger;
}

/**
 * Tells on-call what the run saw and did, whichever way it ended. A run the sweep started publishes
 * only when it has something to do and its outcome, cause or plan differs from the last message about
 * the target (domain/notice.ts): one message per incident and per change of state, not one per sweep.
 * Alarm-started and manual runs always publish, and each published message becomes the one the next
 * sweep compares with.
 */
export function createNotifyTask(deps: NotifyDeps): TaskCore<unknown, NotifyResult> {
  return async (payload) => {
    const state = parseTaskPayload('notify', payload);
    const uncertain =
      state.failure && deps.ledger
        ? openIntents(await deps.ledger.list(state.run.target, state.run.startedAt)).filter(
            (intent) => intent.executionId === state.run.executionId,
          )
        : [];
    const message = composeNotification({
      run: state.run,
      region: state.run.region,
      ...(state.assessment ? { assessment: state.assessment } : {}),
      ...(state.apply ? { progress: state.apply.progress } : {}),
      ...(state.verification ? { verification: state.verification } : {}),
      ...(state.failure ? { failure: state.failure } : {}),
      ...(state.rounds ? { rounds: state.rounds } : {}),
      ...(uncertain.length > 0 ? { uncertain } : {}),
      ...(state.approvalRefusal ? { approvalRefusal: state.approvalRefusal } : {}),
      ...(state.stuckRollback?.rollback ? { stuckRollback: state.stuckRollback.rollback } : {}),
    });
    const target = state.run.target;
    const outcome = message.attributes['outcome'] ?? 'unknown';
    if (state.run.trigger.kind === 'sweep') {
      const last = await deps.notices.last(target);
      const decision = noticeDecision(state.run.trigger, message, last);
      if (!decision.publish) {
        deps.telemetry.info('re-assessment has nothing new to tell; not published', {
          target,
          subject: message.subject,
          why: decision.why,
          ...(last ? { lastPublishedAt: last.at } : {}),
        });
        return { subject: message.subject, outcome, published: false };
      }
    }
    await deps.notifier.publish(message);
    await deps.notices.remember({
      target,
      at: deps.clock.now().toISOString(),
      executionId: state.run.executionId,
      fingerprint: noticeFingerprint(message),
      subject: message.subject,
    });
    deps.telemetry.info('notified', { target, subject: message.subject, outcome });
    return { subject: message.subject, outcome, published: true };
  };
}
