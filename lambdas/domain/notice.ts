/**
 * Notification de-duplication: one message per incident and per change of state, not one per sweep.
 * The run an alarm (or a person) starts always tells on-call what it found and did. A re-assessment
 * the sweep starts while an alarm stays in ALARM tells only what changed: it is silent when it finds
 * nothing to do, or the same outcome, cause and plan as the last message about the target.
 */
import type { Notice, NotificationMessage } from '../ports';
import type { Trigger } from './run-state';

/**
 * The parts of a message that matter to on-call: the outcome, the cause and its severity, and the
 * subject, which names the first planned action and how many follow. The body is left out: it
 * carries times and figures that differ on every run.
 */
export function noticeFingerprint(message: Pick<NotificationMessage, 'subject' | 'attributes'>): string {
  const { outcome = '', cause = '', severity = '' } = message.attributes;
  return [outcome, cause, severity, message.subject].join('|');
}

/** The outcome a remembered notice told (the first part of its fingerprint). */
export function noticeOutcome(notice: Pick<Notice, 'fingerprint'>): string {
  return notice.fingerprint.split('|', 1)[0]!;
}

export type NoticeDecision =
  | { readonly publish: true }
  | {
      readonly publish: false;
      readonly why: 'nothing to do' | 'same as the last message' | 'a scale-back follow-up that changed nothing';
    };

/** Outcomes of a run that made no change and asked for none to be approved. */
const UNCHANGED_OUTCOMES: ReadonlySet<string> = new Set(['nothing-to-do', 'action-required']);

/** Whether a run's message is published, given what was last told about the target. */
export function noticeDecision(
  trigger: Trigger,
  message: Pick<NotificationMessage, 'subject' | 'attributes'>,
  last: Pick<Notice, 'fingerprint'> | undefined,
): NoticeDecision {
  if (trigger.kind !== 'sweep') return { publish: true };
  // The follow-up of an incident that has passed: the last message already said what was done.
  if (message.attributes['outcome'] === 'nothing-to-do') return { publish: false, why: 'nothing to do' };
  // A follow-up started only to take an incident's capacity back plans nothing else. What else it
  // sees is not its to tell: with no alarm in ALARM nothing is known to be wrong yet, and if something
  // is, its alarm starts a run that may act and tells on-call then.
  if (
    trigger.scaleBack === true &&
    trigger.alarmNames.length === 0 &&
    UNCHANGED_OUTCOMES.has(message.attributes['outcome'] ?? '')
  )
    return { publish: false, why: 'a scale-back follow-up that changed nothing' };
  if (last?.fingerprint === noticeFingerprint(message)) return { publish: false, why: 'same as the last message' };
  return { publish: true };
}
