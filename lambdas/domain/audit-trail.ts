/**
 * What StreamMedic did and was told to do, in time order, for people: the changes and reverts the ledger holds,
 * what the guardrails refused, and the pauses and resumes of the kill switch, each with who and why where the
 * record says so.
 * The guardrails read the ledger through history.ts; this is the same record told as a history.
 */
import type { LedgerEntry } from './model';
import type { ApprovalEvent } from './approval';
import { FLEET_SCOPE, pauseScopeText, type PauseEvent } from './pause';
import type { RefusalRecord } from './refusal-record';

export const AUDIT_EVENT_KINDS = [
  'change',
  'revert',
  'refused',
  'pause',
  'resume',
  'approved',
  'denied',
  'timed-out',
] as const;
export type AuditEventKind = (typeof AUDIT_EVENT_KINDS)[number];

export interface AuditEvent {
  readonly at: string;
  readonly kind: AuditEventKind;
  /** The target it concerns, or `*` for every target. */
  readonly target: string;
  /** Who: the operator, or the workflow execution that made a change. */
  readonly by: string;
  /** The operator's AWS identity as STS verified it, when the command recorded it. */
  readonly operatorArn?: string;
  /** What was done, in one line. */
  readonly what: string;
  /** Why, where the record says. */
  readonly why?: string;
  /** The guardrail that refused, for a refusal. */
  readonly guardrail?: string;
}

function changeText(entry: LedgerEntry): string {
  const span = entry.from !== undefined && entry.to !== undefined ? ` ${entry.from} -> ${entry.to}` : '';
  const calls = `${entry.calls} call${entry.calls === 1 ? '' : 's'}`;
  return `${entry.actionType} ${entry.resource}${span} (${entry.direction}, ${calls})`;
}

/** A change, or a revert: a change that took back one the verification found harmful. */
export function changeEvent(entry: LedgerEntry): AuditEvent {
  return {
    at: entry.at,
    kind: entry.kind === 'revert' ? 'revert' : 'change',
    target: entry.target,
    by: entry.executionId ?? 'StreamMedic',
    what: changeText(entry),
  };
}

/** An action a guardrail refused, with the run that planned it. */
export function refusalEventOf(refusal: RefusalRecord): AuditEvent {
  return {
    at: refusal.at,
    kind: 'refused',
    target: refusal.target,
    by: refusal.executionId,
    what: `${refusal.guardrail} refused: ${refusal.action}`,
    why: refusal.reason,
    guardrail: refusal.guardrail,
  };
}

export function pauseEventOf(event: PauseEvent): AuditEvent {
  const scope = pauseScopeText(event.scope);
  return {
    at: event.at,
    kind: event.kind,
    target: event.scope === FLEET_SCOPE ? FLEET_SCOPE : event.scope,
    by: event.by,
    ...(event.operatorArn !== undefined ? { operatorArn: event.operatorArn } : {}),
    what: event.kind === 'pause' ? `paused ${scope}` : `resumed ${scope}`,
    ...(event.reason !== undefined ? { why: event.reason } : {}),
  };
}

const APPROVAL_WORDS: Readonly<Record<ApprovalEvent['outcome'], string>> = {
  approved: 'approved the plan',
  denied: 'denied the plan',
  'timed-out': 'refused the plan: no decision in time',
};

export function approvalEventOf(event: ApprovalEvent): AuditEvent {
  return {
    at: event.at,
    kind: event.outcome,
    target: event.target,
    by: event.by,
    ...(event.operatorArn !== undefined ? { operatorArn: event.operatorArn } : {}),
    what: `${APPROVAL_WORDS[event.outcome]} of ${event.executionId}`,
    ...(event.reason !== undefined ? { why: event.reason } : {}),
  };
}

/**
 * Every change, pause, resume, decision on a plan and guardrail refusal, oldest first; events at the
 * same instant keep their order.
 */
export function auditTrail(
  changes: readonly LedgerEntry[],
  pauses: readonly PauseEvent[],
  approvals: readonly ApprovalEvent[] = [],
  refusals: readonly RefusalRecord[] = [],
): AuditEvent[] {
  const events = [
    ...changes.map(changeEvent),
    ...pauses.map(pauseEventOf),
    ...approvals.map(approvalEventOf),
    ...refusals.map(refusalEventOf),
  ];
  return events
    .map((event, index) => ({ event, index, time: Date.parse(event.at) }))
    .sort((a, b) => a.time - b.time || a.index - b.index)
    .map(({ event }) => event);
}
