/**
 * A run that ended without finishing its own path: the EventBridge `Step Functions Execution Status
 * Change` event of an execution that FAILED, TIMED_OUT or was ABORTED, and what on-call is told about
 * it. A timed-out or aborted execution runs none of its own states after the end, so neither its
 * notification nor its unlock happens; this is what catches them.
 */
// A namespace import lets esbuild leave out the parts of zod nobody uses (its locales, JSON Schema).
import * as z from 'zod';
import type { NotificationMessage } from '../ports';
import { TargetSchema } from '../domain/config';
import type { Trigger } from '../domain/run-state';
import { executionConsoleUrl, failureMessage, toSubject } from '../domain/notification';
import { InvalidInputError, formatPath } from '../domain/validation';
import { describeIntent } from '../domain/ledger-intents';
import type { LedgerEntry } from '../domain/model';
import { parseWorkflowInput } from './input';

/** The event's `detail-type`, exactly as Step Functions sends it to EventBridge. */
export const EXECUTION_STATUS_CHANGE = 'Step Functions Execution Status Change';
/** The event's `source`. */
export const EXECUTION_EVENT_SOURCE = 'aws.states';

/** The ends of an execution that skip the workflow's own notify-and-unlock path, or may have. */
export const ABNORMAL_END_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export type AbnormalEndStatus = (typeof ABNORMAL_END_STATUSES)[number];

const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', ...ABNORMAL_END_STATUSES, 'PENDING_REDRIVE'] as const;

/** Step Functions sends dates as epoch milliseconds; `null` where there is none yet. */
const epochMillis = z.number().int().nonnegative().nullish();

const ExecutionStatusChangeSchema = z
  .object({
    'detail-type': z.literal(EXECUTION_STATUS_CHANGE),
    source: z.literal(EXECUTION_EVENT_SOURCE),
    detail: z
      .object({
        executionArn: z.string().regex(/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:/, {
          message: 'must be a Step Functions execution ARN',
        }),
        stateMachineArn: z.string().min(1),
        status: z.enum(EXECUTION_STATUSES, { message: `must be one of ${EXECUTION_STATUSES.join(', ')}` }),
        startDate: epochMillis,
        stopDate: epochMillis,
        // Left out (null, `inputDetails.included: false`) when input and output together pass 248 KB.
        input: z.string().nullish(),
        inputDetails: z.object({ included: z.boolean() }).loose().nullish(),
        error: z.string().nullish(),
        cause: z.string().nullish(),
      })
      .loose(),
  })
  .loose();

export interface ExecutionEnd {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly status: (typeof EXECUTION_STATUSES)[number];
  readonly startedAt?: Date;
  readonly stoppedAt?: Date;
  /** The execution input as sent, when the event carries it; otherwise DescribeExecution has it. */
  readonly input?: string;
  readonly error?: string;
  readonly cause?: string;
}

/** Validates the event; throws InvalidInputError naming the first bad field. */
export function parseExecutionStatusChange(raw: unknown): ExecutionEnd {
  const result = ExecutionStatusChangeSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new InvalidInputError(formatPath(issue.path) || '(root)', issue.message);
  }
  const detail = result.data.detail;
  const included = detail.inputDetails?.included !== false && typeof detail.input === 'string';
  return {
    executionArn: detail.executionArn,
    stateMachineArn: detail.stateMachineArn,
    status: detail.status,
    ...(detail.startDate != null ? { startedAt: new Date(detail.startDate) } : {}),
    ...(detail.stopDate != null ? { stoppedAt: new Date(detail.stopDate) } : {}),
    ...(included ? { input: detail.input! } : {}),
    ...(detail.error ? { error: detail.error } : {}),
    ...(detail.cause ? { cause: detail.cause } : {}),
  };
}

export function isAbnormalEnd(status: string): status is AbnormalEndStatus {
  return (ABNORMAL_END_STATUSES as readonly string[]).includes(status);
}

/** The target a run's input names, or why none can be read from it (the run was refused at intake). */
export type InputTarget = { readonly target: string; readonly trigger: Trigger['kind'] } | { readonly refused: string };

/**
 * The target of the run, read from its input exactly as the intake step reads it. A name that is not
 * a valid target name is refused, so text from a forged input never reaches the message as a target.
 */
export function targetOfInput(input: string, alarmNamePrefix: string): InputTarget {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    return { refused: 'the input is not JSON' };
  }
  try {
    const { target, trigger } = parseWorkflowInput(parsed, alarmNamePrefix);
    if (!TargetSchema.shape.name.safeParse(target).success) return { refused: 'the input names no valid target' };
    return { target, trigger: trigger.kind };
  } catch (error) {
    return { refused: error instanceof InvalidInputError ? `the input was refused at ${error.path}` : 'unreadable' };
  }
}

/** What became of the target's lock when the run ended. */
export type LockOutcome =
  /** This run still held it; it is released now. */
  | { readonly kind: 'freed' }
  /** Nobody held it: the run released it itself, never took it, or it had expired. */
  | { readonly kind: 'not-held' }
  /** Another run holds it now; it was left alone. */
  | { readonly kind: 'held-by-another'; readonly owner: string }
  /** No target could be read from the input, so the run never took a lock. */
  | { readonly kind: 'no-target'; readonly reason: string };

/** The changes the run requested without recording their result: settled now, or why they could not be. */
export type SettledChanges = { readonly settled: readonly LedgerEntry[] } | { readonly unsettled: string };

export interface RunEndedFacts {
  readonly end: ExecutionEnd & { readonly status: AbnormalEndStatus };
  /** Undefined when the input named no target. */
  readonly target?: string;
  readonly lock: LockOutcome;
  /** Absent when the ledger was not read (no target, or no ledger wired). */
  readonly changes?: SettledChanges;
}

const RESULT_WORDS: Readonly<Record<string, string>> = {
  made: 'MADE',
  'not-made': 'NOT MADE',
  unknown: 'MAY HAVE BEEN MADE',
};

/** What became of the changes the run requested but never recorded the result of. */
function changeLines(facts: RunEndedFacts): string[] {
  const changes = facts.changes;
  if (!changes) return [];
  if ('unsettled' in changes) {
    return [
      '',
      'CHANGES',
      `A change this run requested may have been made: its result could not be read from the resource (${changes.unsettled}). The next run for ${facts.target ?? 'the target'} settles it; until then it counts against cooldown and budget.`,
    ];
  }
  if (changes.settled.length === 0) return [];
  return [
    '',
    'CHANGES',
    'The run died after requesting these changes and before recording their result; the resource now shows:',
    ...changes.settled.map(
      (result) =>
        `- ${describeIntent({ ...result, at: result.intentAt ?? result.at })}: ${RESULT_WORDS[result.result ?? 'unknown']}: ${result.detail ?? ''}`,
    ),
    'The ledger now records this, so cooldown and the daily budget count it.',
  ];
}

const STATUS_LINES: Readonly<Record<AbnormalEndStatus, string>> = {
  FAILED: 'It failed.',
  TIMED_OUT:
    "It reached the state machine's timeout and was stopped where it stood: its own report and unlock never ran.",
  ABORTED: 'It was stopped (StopExecution) where it stood: its own report and unlock never ran.',
};

function durationText(from: Date | undefined, to: Date | undefined): string {
  if (!from || !to) return '';
  const minutes = Math.max(0, Math.round((to.getTime() - from.getTime()) / 60_000));
  return ` after ${minutes} min`;
}

function lockLines(facts: RunEndedFacts): string[] {
  const target = facts.target ?? '';
  switch (facts.lock.kind) {
    case 'freed':
      return [
        `The lock on ${target} was still held by this run and is now released: the next alarm or manual run for ${target} can act.`,
      ];
    case 'not-held':
      return [`The lock on ${target} was not held by this run any more (released or expired): nothing to free.`];
    case 'held-by-another':
      return [`The lock on ${target} is held by another run (${facts.lock.owner}); it was left alone.`];
    case 'no-target':
      return [`No target could be read from the run's input (${facts.lock.reason}), so it held no lock.`];
  }
}

function checkLines(facts: RunEndedFacts): string[] {
  const { end, target } = facts;
  const lines = ["- The execution's history: the state it was in when it ended and the last error it met."];
  if (!target) {
    lines.push('- Who or what started it with that input: StreamMedic refuses input it cannot read.');
    return lines;
  }
  lines.push(
    `- Whether a change was made: the ledger of ${target}, and the stream's and the application's own status and history.`,
  );
  if (end.status !== 'FAILED') {
    lines.push(
      '- Whether a reshard or an application update it started is still in progress: the run stopped waiting for it.',
    );
  }
  lines.push(
    `- Whether the alarms of ${target} are still in ALARM: an alarm fires once, so start a run by hand with {"target": "${target}"} if one is.`,
  );
  if (end.status === 'FAILED') lines.push("- If the run's own report did not arrive, this is the only notice of it.");
  return lines;
}

/** The message for a run that ended FAILED, TIMED_OUT or ABORTED. */
export function composeRunEndedNotification(facts: RunEndedFacts): NotificationMessage {
  const { end, target } = facts;
  const who = target ?? 'run';
  const freed = facts.lock.kind === 'freed' ? ' - lock freed' : '';
  const subject = toSubject(`StreamMedic ${who}: run ended ${end.status}${freed}`);
  const when = end.stoppedAt ? ` at ${end.stoppedAt.toISOString()}` : '';
  // The cause of a refused input quotes the input: text anyone who may start an execution chose.
  const cause = target && end.cause ? `: ${failureMessage({ Error: end.error ?? '', Cause: end.cause })}` : '';
  const failure = end.error ? [`${end.error}${cause}`] : [];
  const execution = executionConsoleUrl(end.executionArn) ?? end.executionArn;
  const body = [
    `A StreamMedic run${target ? ` for ${target}` : ''} ended ${end.status}${when}${durationText(end.startedAt, end.stoppedAt)}.`,
    STATUS_LINES[end.status],
    ...failure,
    '',
    'LOCK',
    ...lockLines(facts),
    ...changeLines(facts),
    '',
    'WHAT TO CHECK',
    ...checkLines(facts),
    '',
    'LINKS',
    `Execution: ${execution}`,
  ].join('\n');
  const attributes: Record<string, string> = {
    outcome: 'run-ended',
    status: end.status,
    lock: facts.lock.kind,
  };
  if (target) attributes['target'] = target;
  return { subject, body: `${body}\n`, attributes };
}
