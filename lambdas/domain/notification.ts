/**
 * The message on-call reads: whether a person must act, what StreamMedic saw, what it did or would
 * do, what a guardrail stopped, how it turned out, and where to look first. Plain text for email,
 * and the same message as an Amazon Q Developer in chat applications custom notification for chat.
 */
import { chatNotification } from './chat-notification';
import {
  alarmConsoleUrl,
  applicationConsoleUrl,
  applicationLagGraphUrl,
  executionConsoleUrl,
  logsInsightsUrl,
  metricsGraphUrl,
  streamConsoleUrl,
  type TimeWindow,
} from './console-links';
import type {
  AppliedStep,
  Assessment,
  CompletedRound,
  Disposition,
  Progress,
  RunContext,
  Verification,
  VerifyOutcome,
  WorkStep,
  WorkflowFailure,
} from './run-state';
import { describeIntent } from './ledger-intents';
import { KPU_QUOTA_EXCEPTION } from './kpu-quota';
import type { Action, Evidence, LedgerEntry, Report, UpdateApplicationParallelismAction } from './model';
import { describePause, type Pause } from './pause';
import { refusalOutcome } from './approval';
import type { StuckRollback } from './stuck-rollback';
import { kpusFor } from './sizing';
import { formatQuantity } from './units';
import type { Cause, Guardrail } from './vocabulary';
import type { NotificationMessage } from '../ports';

export {
  alarmConsoleUrl,
  applicationConsoleUrl,
  consoleBaseUrl,
  executionConsoleUrl,
  streamConsoleUrl,
} from './console-links';

/**
 * SNS email subjects must be "less than 100 characters long" (SNS Publish API, `Subject`):
 * https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export const MAX_SUBJECT_LENGTH = 99;

/** Longest failure cause quoted in a message; Lambda causes carry stack traces nobody reads in email. */
const MAX_CAUSE_LENGTH = 600;

/** Shortest a target name is cut to in a subject; below this it no longer names anything. */
const MIN_SUBJECT_TARGET = 12;

/** How far before the alarm the console links open, so the onset is on screen. */
const WINDOW_BEFORE_MS = 30 * 60_000;
/** How far past the last thing the run did the console links reach. */
const WINDOW_AFTER_MS = 5 * 60_000;

export interface NotificationFacts {
  readonly run: RunContext;
  readonly assessment?: Assessment;
  readonly progress?: Progress;
  readonly verification?: Verification;
  readonly failure?: WorkflowFailure;
  /**
   * The rounds before the current one when the run went round again, oldest first; the current
   * round is `assessment`, `progress` and `verification`.
   */
  readonly rounds?: readonly CompletedRound[];
  /** In mode `approve`: why the plan was not applied, as the wait for a decision ended (denied, timed out). */
  readonly approvalRefusal?: WorkflowFailure;
  /** In mode `approve`, while the run waits: when the request times out. */
  readonly approvalTimesOutAt?: string;
  /** Region of the watched resources and of the workflow, for console links. */
  readonly region: string;
  /**
   * Changes this run requested whose result the ledger does not hold (intents left open): the call
   * may have gone through before the step failed, so the message must not say nothing was changed.
   */
  readonly uncertain?: readonly LedgerEntry[];
  /** The application did not come back after its update: its rollback, or why there was none. */
  readonly stuckRollback?: StuckRollback;
}

/**
 * How the run ended, in one word a subscription filter can match. `action-required` is a run that
 * found the pipeline unhealthy and had no bounded fix for it; `nothing-to-do` is a healthy one.
 */
export type RunOutcome =
  'failed' | VerifyOutcome | Exclude<Disposition, 'apply'> | 'applied' | 'action-required' | 'not-approved';

/** Causes that mean nothing is wrong that a person must fix. */
const SETTLED_CAUSES: ReadonlySet<Cause> = new Set(['HEALTHY', 'OVER_PROVISIONED']);

/**
 * Guardrails whose refusal waits for a person: a bound, a quota or a setting only a person changes.
 * The others (cooldown, resource state, a draining backlog, Managed Flink's own autoscaling) pass
 * with time, and the re-assessment that follows sees them through.
 */
const PERSON_GUARDRAILS: ReadonlySet<Guardrail> = new Set([
  'bounds',
  'kpu-limit',
  'shard-api-limit',
  'daily-budget',
  'on-demand',
  'snapshots-disabled',
  'ineffective-scaling',
  'reverted',
]);

/**
 * The planner's words for a scale-up it had to stop short of the size needed, and for a capped size
 * that still drains the backlog (slower than planned, but nobody needs to get up for it).
 */
const CAPPED_ADVICE = /StreamMedic stops at/;
const DRAINS_AT_CAP = /the backlog drains in about/;
/** The planner's words for a job it leaves alone because it catches up, or carries its input, as it is. */
const LEFT_ALONE = /it is not restarted\./;
/** A consumer draining its backlog at the stream's read limits: nothing a person or StreamMedic changes speeds it. */
const DRAINING_AT_READ_LIMIT = /nothing to change while it drains\./;

export function runOutcome(
  facts: Pick<NotificationFacts, 'assessment' | 'verification' | 'failure' | 'approvalRefusal'>,
): RunOutcome {
  if (facts.failure) return 'failed';
  if (facts.approvalRefusal) return 'not-approved';
  if (!facts.assessment) return 'failed';
  const disposition = facts.assessment.disposition;
  if (disposition === 'nothing-to-do') {
    const report = facts.assessment.report;
    // A busy job the planner leaves alone (it drains on plan, or carries its input as it is) needs nobody.
    const leftAlone =
      (report.diagnosis.cause === 'CONSUMER_COMPUTE' && report.plan.recommendations.some((r) => LEFT_ALONE.test(r))) ||
      (report.diagnosis.cause === 'STREAM_READ_CAPACITY' && DRAINING_AT_READ_LIMIT.test(report.diagnosis.summary));
    return SETTLED_CAUSES.has(report.diagnosis.cause) || leftAlone ? 'nothing-to-do' : 'action-required';
  }
  if (disposition !== 'apply') return disposition;
  return facts.verification?.outcome ?? 'applied';
}

/** The assessments of every round, oldest first: the first is the one the incident is told by. */
function assessmentsOf(facts: Pick<NotificationFacts, 'assessment' | 'rounds'>): Assessment[] {
  return [...(facts.rounds ?? []).map((r) => r.assessment), ...(facts.assessment ? [facts.assessment] : [])];
}

/** Why a person must act on this run's result, in one clause; undefined when nobody needs to. */
const NEEDS_A_PERSON: Readonly<Partial<Record<Cause, (run: RunContext) => string>>> = {
  APP_UNHEALTHY: (run) =>
    `application ${run.config.application?.name ?? run.target} is failing (restarting or down); no automatic fix repairs a failing job`,
  SINK_BACKPRESSURE: () => 'the sink is slow; more parallelism would push it harder, so StreamMedic changed nothing',
  HOT_SHARD: () => 'one partition key fills its shard; uniform scaling would not help, so StreamMedic changed nothing',
  MEMORY_PRESSURE: (run) =>
    `application ${run.config.application?.name ?? run.target} is short of memory; the fix (fewer tasks per KPU) is not applied automatically`,
  VERBOSE_MONITORING: () => 'verbose logging or metrics slow the job; the fix is not applied automatically',
  STREAM_READ_CAPACITY: () => 'readers are throttled; they need enhanced fan-out, which StreamMedic does not set up',
  INSUFFICIENT_DATA: () => 'StreamMedic is blind here: the metrics it needs to decide are missing',
  CONSUMER_COMPUTE: () => 'the consumer is short of compute and StreamMedic has no bounded fix for it',
  STREAM_WRITE_CAPACITY: () => 'the stream is full and StreamMedic has no bounded fix for it',
};

/**
 * A scale-up Managed Flink refused for the application's KPU quota: what to ask for, since the next
 * plan stops short of the refused size but cannot go past the quota.
 */
function kpuQuotaFailureText(failure: WorkflowFailure, assessment: Assessment, run: RunContext): string | undefined {
  if (failure.Error !== 'QuotaExceededError') return undefined;
  const scaleUp = assessment.report.plan.actions.find(
    (a): a is UpdateApplicationParallelismAction => a.type === 'UpdateApplicationParallelism' && a.to > a.from,
  );
  if (!scaleUp) return undefined;
  const kpus = kpusFor(scaleUp.to, scaleUp.parallelismPerKpu);
  const maxKpu = run.config.application?.maxKpu;
  return (
    `AWS refused parallelism ${scaleUp.to} (${kpus} KPU) for ${scaleUp.applicationName} with ${KPU_QUOTA_EXCEPTION}: ` +
    `the application's KPU quota is below ${kpus}${maxKpu !== undefined ? `, though the config's maxKpu is ${maxKpu}` : ''}. ` +
    `The next run asks for less; to give the job what it needs, request a higher KPU limit in Service Quotas`
  );
}

/**
 * Whether a person must act, and why. A person must act when the pipeline is unhealthy and
 * StreamMedic did not (or could not) fix it: no bounded fix, a fix stopped by a bound, a change that
 * did not help, a mode that leaves changes to people, missing metrics, or a failed run.
 */
export function actionRequired(facts: NotificationFacts): string | undefined {
  const outcome = runOutcome(facts);
  if (facts.failure && facts.stuckRollback) return stuckRollbackText(facts.stuckRollback);
  if (facts.failure) {
    const quota = facts.assessment ? kpuQuotaFailureText(facts.failure, facts.assessment, facts.run) : undefined;
    if (quota) return quota;
    return facts.assessment
      ? `the run failed (${facts.failure.Error}); check the resources and the execution`
      : `StreamMedic failed before it could assess ${facts.run.target} (${facts.failure.Error})`;
  }
  const assessment = facts.assessment;
  if (!assessment) return `StreamMedic failed before it could assess ${facts.run.target}`;
  const harm = harmText(facts);
  if (harm) return harm;
  if (outcome === 'dry-run' || outcome === 'resolved') return undefined;
  if (outcome === 'not-improved') return `the change did not help: ${facts.verification!.reason}`;
  if (outcome === 'inconclusive') return 'StreamMedic cannot tell whether the change helped: metrics are missing';
  const report = assessment.report;
  const cause = report.diagnosis.cause;
  if (cause === 'INSUFFICIENT_DATA') return NEEDS_A_PERSON.INSUFFICIENT_DATA!(facts.run);
  const stopped = assessmentsOf(facts)
    .flatMap((a) => a.report.plan.refused)
    .find((r) => PERSON_GUARDRAILS.has(r.guardrail) && !DRAINS_AT_CAP.test(r.reason));
  if (stopped && !SETTLED_CAUSES.has(cause))
    return `a fix was stopped by the "${stopped.guardrail}" guardrail: ${stopped.reason}`;
  const capped = report.plan.recommendations.find((r) => CAPPED_ADVICE.test(r) && !DRAINS_AT_CAP.test(r));
  if (capped && outcome !== 'applied') return `the fix is capped by a bound: ${capped}`;
  if (outcome === 'action-required') {
    return (NEEDS_A_PERSON[cause] ?? (() => `${cause} needs a person; StreamMedic has no bounded fix for it`))(
      facts.run,
    );
  }
  if (SETTLED_CAUSES.has(cause)) return undefined;
  if (outcome === 'recommend-mode') {
    return 'the target is in mode "recommend": nothing was changed; apply the plan by hand or set mode "auto"';
  }
  if (outcome === 'observe-mode') return 'the target is in mode "observe": StreamMedic only watches it';
  if (outcome === 'awaiting-approval') {
    const until = facts.approvalTimesOutAt ? ` by ${facts.approvalTimesOutAt}` : '';
    return `approve or deny the plan${until}: stream-medic approve --target ${facts.run.target}, or stream-medic deny --target ${facts.run.target}; unanswered, it is refused`;
  }
  if (outcome === 'not-approved') {
    return `the plan was not applied (${approvalRefusalText(facts.approvalRefusal!)}); the incident is not fixed`;
  }
  if (outcome === 'paused') {
    return `StreamMedic is paused (${assessment.pause?.reason ?? 'no reason given'}): nothing was changed; apply the plan by hand or resume`;
  }
  return undefined;
}

/** An application that did not come back after its update needs a person, rolled back or not. */
function stuckRollbackText(rollback: StuckRollback): string {
  const app = `application ${rollback.application}`;
  return rollback.outcome === 'rolled-back'
    ? `${app} did not come back after the update (${rollback.status}); StreamMedic rolled it back: ${rollback.reason}; check that it is RUNNING and why the update failed`
    : `${app} did not come back after the update (${rollback.status}) and was not rolled back: ${rollback.reason}`;
}

/**
 * A change that made things worse always needs a person, reverted or not: what was taken back and
 * why (the figures before and after), or why it could not be.
 */
function harmText(facts: NotificationFacts): string | undefined {
  const revertRound = assessmentsOf(facts).find((a) => a.revert);
  if (revertRound?.revert) {
    const what = revertRound.steps.map(describeStep).join('; ');
    return `a change made things worse and StreamMedic reverted it (${what}): ${revertRound.revert.reason}; a person must look at why before it is tried again`;
  }
  const refused = [...(facts.rounds ?? []).map((r) => r.verification), facts.verification].find(
    (v) => v?.harm && v.revertRefused,
  );
  if (refused) {
    return `a change made things worse and was NOT reverted (${refused.revertRefused}): ${refused.harm}; a person must undo it`;
  }
  return undefined;
}

/** Outcome words at the head of a subject and of the body when no person must act. */
const OUTCOME_HEADS: Readonly<Record<RunOutcome, string>> = {
  failed: 'FAILED',
  resolved: 'Resolved',
  improving: 'Improving',
  'not-improved': 'NOT IMPROVED',
  inconclusive: 'Inconclusive',
  applied: 'Applied, not verified',
  'dry-run': 'Dry run',
  'recommend-mode': 'Recommendation only',
  'observe-mode': 'Observed only',
  'all-refused': 'Refused by guardrails',
  'nothing-to-do': 'No action needed',
  'action-required': 'ACTION REQUIRED',
  paused: 'Paused',
  'awaiting-approval': 'APPROVAL REQUIRED',
  'not-approved': 'Not approved',
};

const ACTION_REQUIRED = 'ACTION REQUIRED';

/** `ACTION REQUIRED`, `ACTION REQUIRED, NOT IMPROVED`, `ACTION REQUIRED, FAILED (X)`, or the outcome. */
function headOf(facts: NotificationFacts, outcome: RunOutcome, person: string | undefined): string {
  const word = OUTCOME_HEADS[outcome] + (facts.failure ? ` (${facts.failure.Error})` : '');
  if (!person) return word;
  // Asking for a decision is itself the call to act.
  if (outcome === 'awaiting-approval') return word;
  return outcome === 'action-required' ? ACTION_REQUIRED : `${ACTION_REQUIRED}, ${word}`;
}

function formatValue(value: number, unit: string): string {
  return formatQuantity(value, unit);
}

export function describeEvidence(evidence: Evidence): string {
  return `${evidence.metric} (${evidence.stat}): ${formatValue(evidence.value, evidence.unit)}, threshold ${formatValue(
    evidence.threshold,
    evidence.unit,
  )}`;
}

/** One planned action in words. */
export function describeAction(action: Action): string {
  switch (action.type) {
    case 'UpdateShardCount': {
      const calls = action.steps.length;
      const path = calls > 1 ? ` in ${calls} calls (${[action.from, ...action.steps].join(' -> ')})` : '';
      return `scale stream ${action.streamName} from ${action.from} to ${action.to} shards${path}`;
    }
    case 'UpdateApplicationParallelism': {
      const kpus = Math.ceil(action.to / action.parallelismPerKpu);
      const autoscaling = action.autoScalingEnabled === false ? ', turning built-in autoscaling off' : '';
      return (
        `set application ${action.applicationName} parallelism from ${action.from} to ${action.to} ` +
        `(${action.parallelismPerKpu} per KPU, ${kpus} KPU)${autoscaling}`
      );
    }
    case 'UpdateApplicationMonitoring':
      return `set application ${action.applicationName} logging to ${action.logLevel} and metrics to ${action.metricsLevel} level`;
    case 'IncreaseStreamRetention':
      return `raise stream ${action.streamName} retention from ${action.fromHours} h to ${action.toHours} h`;
  }
}

/** One changing call in words, as the ledger records it. */
export function describeStep(step: WorkStep): string {
  return 'revert' in step && step.revert ? `REVERT ${describeCall(step)}` : describeCall(step);
}

function describeCall(step: WorkStep): string {
  switch (step.type) {
    case 'UpdateShardCount':
      return `UpdateShardCount ${step.streamName} ${step.from} -> ${step.to} shards (call ${step.call} of ${step.calls})`;
    case 'UpdateApplicationParallelism':
      return step.rollback
        ? `RollbackApplication ${step.applicationName} to its version before the change (parallelism ${step.from} -> ${step.to})`
        : `UpdateApplication ${step.applicationName} parallelism ${step.from} -> ${step.to} (${step.parallelismPerKpu} per KPU)`;
    case 'UpdateApplicationMonitoring':
      return `UpdateApplication ${step.applicationName} monitoring: log level ${step.logLevel}, metrics level ${step.metricsLevel}`;
    case 'IncreaseStreamRetention':
      return `IncreaseStreamRetentionPeriod ${step.streamName} ${step.fromHours} h -> ${step.toHours} h`;
  }
}

function describeApplied(applied: AppliedStep): string {
  const note = applied.outcome === 'already-done' ? ' (already in place on retry)' : '';
  return `${describeStep(applied.step)} at ${applied.at}${note}`;
}

/**
 * The useful part of a failure cause. Lambda reports `{"errorType", "errorMessage", "trace"}` as a
 * JSON string; a Fail or Pass state gives plain text.
 */
export function failureMessage(failure: WorkflowFailure): string {
  const cause = failure.Cause ?? '';
  let message = cause;
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed) {
      message = String((parsed as { errorMessage: unknown }).errorMessage);
    }
  } catch {
    // Not JSON: the cause is already a sentence.
  }
  message = message.trim() || 'no cause given';
  return message.length > MAX_CAUSE_LENGTH ? `${message.slice(0, MAX_CAUSE_LENGTH - 3)}...` : message;
}

const DISPOSITION_HEADINGS: Readonly<Record<Disposition, string>> = {
  apply: 'What was done',
  'dry-run': 'What would be done (dry run: nothing was changed)',
  'recommend-mode': 'What would be done (mode "recommend": nothing was changed; apply it by hand or set mode "auto")',
  'observe-mode': 'What would be done (mode "observe": nothing was changed)',
  'all-refused': 'What was done',
  'nothing-to-do': 'What was done',
  paused: 'What would be done (StreamMedic is paused: nothing was changed)',
  'awaiting-approval': 'What will be done once approved (nothing is changed until then)',
};

/** Outcome words inside the body ("Verified at ...: resolved: ..."). */
const OUTCOME_WORDS: Readonly<Record<RunOutcome, string>> = {
  failed: 'FAILED',
  resolved: 'resolved',
  improving: 'improving',
  'not-improved': 'NOT IMPROVED',
  inconclusive: 'inconclusive',
  applied: 'applied, not verified',
  'dry-run': 'dry run',
  'recommend-mode': 'recommendation only',
  'observe-mode': 'observed only',
  'all-refused': 'refused by guardrails',
  'nothing-to-do': 'no action needed',
  'action-required': 'action required: StreamMedic changed nothing',
  paused: 'paused: nothing was changed',
  'awaiting-approval': 'waiting for approval: nothing was changed yet',
  'not-approved': 'not approved: nothing was changed',
};

/** `shards 2->6`, `parallelism 4->10 (+1 more action)`: the first planned action, and how many follow. */
function subjectAction(facts: NotificationFacts): { first: string; more: string } | undefined {
  const actions = assessmentsOf(facts).flatMap((a) => a.report.plan.actions);
  const first = actions[0];
  if (!first) return undefined;
  const extra = actions.length - 1;
  const more = extra > 0 ? ` (+${extra} more action${extra === 1 ? '' : 's'})` : '';
  switch (first.type) {
    case 'UpdateShardCount':
      return { first: `shards ${first.from}->${first.to}`, more };
    case 'UpdateApplicationParallelism':
      return { first: `parallelism ${first.from}->${first.to}`, more };
    case 'UpdateApplicationMonitoring':
      return { first: `monitoring ${first.logLevel}/${first.metricsLevel}`, more };
    case 'IncreaseStreamRetention':
      return { first: `retention ${first.fromHours}h->${first.toHours}h`, more };
  }
}

/** SNS subjects must be ASCII without control characters, and shorter than 100 characters. */
export function toSubject(text: string): string {
  const ascii = asciiLine(text);
  return ascii.length > MAX_SUBJECT_LENGTH ? `${ascii.slice(0, MAX_SUBJECT_LENGTH - 3)}...` : ascii;
}

function asciiLine(text: string): string {
  return text
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
}

/** `payments-set...primary-2026`: both ends of a name kept, the middle given up. */
export function shortenMiddle(text: string, length: number): string {
  if (text.length <= length) return text;
  const keep = Math.max(2, length - 3);
  const head = Math.ceil(keep / 2);
  return `${text.slice(0, head)}...${text.slice(text.length - (keep - head))}`;
}

/**
 * `<what matters> | StreamMedic <target>: <CAUSE> (<severity>) - <first action>`. What matters (ACTION
 * REQUIRED, the outcome) comes first and is never cut; a long target is shortened in the middle, then
 * the action is given up, so the subject stays under SNS's limit.
 */
export function composeSubject(facts: NotificationFacts): string {
  const outcome = runOutcome(facts);
  const head = asciiLine(headOf(facts, outcome, actionRequired(facts)));
  const diagnosis = assessmentsOf(facts)[0]?.report.diagnosis;
  const causes = diagnosis
    ? [`: ${diagnosis.cause} (${diagnosis.severity})`, `: ${diagnosis.cause}`]
    : [': not assessed'];
  const action = subjectAction(facts);
  const target = asciiLine(facts.run.target);
  const tails = action
    ? [` - ${action.first}${action.more}`, ` - ${action.first}`, '']
    : [outcome === 'action-required' ? ' - no automatic fix' : '', ''];
  // Give up, in order: the middle of the target, the count of further actions, the first action,
  // the severity; what matters at the head stays whole.
  for (const cause of causes) {
    for (const tail of tails) {
      const room = MAX_SUBJECT_LENGTH - `${head} | StreamMedic ${cause}${tail}`.length;
      if (room >= Math.min(target.length, MIN_SUBJECT_TARGET)) {
        return `${head} | StreamMedic ${shortenMiddle(target, room)}${cause}${tail}`;
      }
    }
  }
  return toSubject(`${head} | StreamMedic ${shortenMiddle(target, MIN_SUBJECT_TARGET)}${causes[causes.length - 1]}`);
}

function section(title: string, lines: readonly string[]): string[] {
  return lines.length > 0 ? ['', title.toUpperCase(), ...lines] : [];
}

function bullets(lines: readonly string[]): string[] {
  return lines.map((line) => `- ${line}`);
}

function numbered(lines: readonly string[]): string[] {
  return lines.map((line, index) => `${index + 1}. ${line}`);
}

function resourcesLine(run: RunContext): string {
  const parts: string[] = [];
  if (run.config.stream) parts.push(`stream ${run.config.stream.name}`);
  if (run.config.application) parts.push(`application ${run.config.application.name}`);
  return parts.join(', ');
}

function diagnosisLines(report: Report, run: RunContext): string[] {
  const d = report.diagnosis;
  const lines = [
    `${d.cause} on ${run.target} (${resourcesLine(run)}): severity ${d.severity}, confidence ${Math.round(
      d.confidence * 100,
    )}%`,
    d.summary,
  ];
  if (d.secondary.length > 0) lines.push(`Also found: ${d.secondary.join(', ')}`);
  return lines;
}

function actionLines(facts: NotificationFacts): string[] {
  const assessment = facts.assessment;
  if (!assessment) return [];
  const plan = assessment.report.plan;
  if (assessment.disposition === 'apply') {
    const applied = facts.progress?.applied ?? [];
    const lines = applied.map(describeApplied);
    const remaining = assessment.steps.slice(applied.length).map(describeStep);
    const uncertain = facts.uncertain ?? [];
    lines.push(
      ...uncertain.map((intent) => `MAY HAVE BEEN MADE (its result was not recorded): ${describeIntent(intent)}`),
    );
    if (facts.failure && remaining.length > 0) {
      lines.push(...remaining.slice(uncertain.length).map((step) => `NOT DONE: ${step}`));
    }
    if (lines.length === 0) lines.push('Nothing was changed.');
    const planned = assessment.revert
      ? `Revert of the change before it, because ${assessment.revert.reason}`
      : `Planned: ${plan.actions.map(describeAction).join('; ')}`;
    return [planned, ...bullets(lines)];
  }
  if (assessment.disposition === 'nothing-to-do') return ['Nothing: no bounded fix applies to this cause.'];
  if (assessment.disposition === 'all-refused') return ['Nothing: every planned action was refused (see below).'];
  return bullets(plan.actions.map(describeAction));
}

/** Every round of a run that went round again: why it acted, what it did, and how that was judged. */
function roundLines(facts: NotificationFacts): string[] {
  const rounds = [...(facts.rounds ?? []), { ...facts, verification: undefined }];
  return rounds.flatMap((round, index) => {
    const { diagnosis } = round.assessment!.report;
    const lines = [
      ...(index > 0 ? [''] : []),
      `Round ${index + 1} of ${rounds.length}: ${diagnosis.cause} (${diagnosis.severity})${index > 0 ? `: ${diagnosis.summary}` : ''}`,
    ];
    if (index > 0 && diagnosis.evidence.length > 0) {
      lines.push(`Evidence: ${diagnosis.evidence.map(describeEvidence).join('; ')}`);
    }
    lines.push(...actionLines({ ...facts, ...round }));
    if (round.verification) {
      lines.push(
        `Verified at ${round.verification.verifiedAt}: ${OUTCOME_WORDS[round.verification.outcome]}: ${round.verification.reason}`,
      );
    }
    return lines;
  });
}

function refusalLines(report: Report | undefined): string[] {
  return bullets(
    (report?.plan.refused ?? []).map((r) => `${describeAction(r.action)}: refused by "${r.guardrail}": ${r.reason}`),
  );
}

function outcomeLines(facts: NotificationFacts, outcome: RunOutcome): string[] {
  if (facts.failure) {
    const applied = [
      ...(facts.rounds ?? []).map((r) => r.progress),
      ...(facts.progress ? [facts.progress] : []),
    ].reduce((sum, progress) => sum + progress.applied.length, 0);
    const uncertain = facts.uncertain?.length ?? 0;
    const stage = !facts.assessment
      ? 'before the assessment finished'
      : uncertain > 0
        ? `after requesting a change whose result was not recorded, so it may have been made${applied > 0 ? ` (${applied} change${applied === 1 ? '' : 's'} made before it)` : ''}; check the resources: the run-ended report settles it from the resource`
        : applied > 0
          ? `after ${applied} change${applied === 1 ? '' : 's'} had been made; check the resources`
          : 'before any change was made';
    return [
      `FAILED ${stage}.`,
      `${facts.failure.Error}: ${failureMessage(facts.failure)}`,
      ...(facts.stuckRollback ? [`${stuckRollbackText(facts.stuckRollback)}.`] : []),
    ];
  }
  if (facts.verification) {
    const after = facts.verification.report.diagnosis;
    // A healthy re-assessment's own summary speaks of the alarm as transient; after a change that
    // fixed things, that would misstate what happened.
    const now = SETTLED_CAUSES.has(after.cause)
      ? `${after.cause}: no lag, throttling or failure is found any more.`
      : `${after.cause} (${after.severity}). ${after.summary}`;
    return [
      `${OUTCOME_WORDS[outcome]}: ${facts.verification.reason}`,
      `Re-assessed at ${facts.verification.verifiedAt}: ${now}`,
    ];
  }
  return [`${OUTCOME_WORDS[outcome]}.`];
}

function triggerLines(run: RunContext, region: string): string[] {
  if (run.trigger.kind === 'manual') {
    return [`Started by hand${run.dryRun ? ' as a dry run' : ''} at ${run.startedAt}.`];
  }
  if (run.trigger.kind === 'sweep') {
    const names = run.trigger.alarmNames;
    const boost = run.trigger.boost
      ? [`Re-assessed at ${run.startedAt}: the catch-up boost is still on; it comes off once the backlog has drained.`]
      : run.trigger.scaleBack
        ? [
            `Re-assessed at ${run.startedAt}: an incident's scale-up is still on; it comes back once the traffic has passed.`,
          ]
        : [];
    if (names.length === 0) return boost;
    return [
      `Re-assessed at ${run.startedAt}: alarm${names.length === 1 ? '' : 's'} ${names.join(', ')} still in ALARM.`,
      ...boost,
      alarmConsoleUrl(region, names[0]!),
    ];
  }
  const when = run.trigger.changedAt ? ` at ${run.trigger.changedAt}` : '';
  const lines = [`Alarm ${run.trigger.alarmName} went into ALARM${when}.`];
  if (run.trigger.reason) lines.push(run.trigger.reason);
  lines.push(alarmConsoleUrl(region, run.trigger.alarmName));
  return lines;
}

/** When the incident started, as far as this run can tell: the alarm's time, else the run's start. */
export function incidentStart(run: Pick<RunContext, 'trigger' | 'startedAt'>): string {
  const alarmed = run.trigger.kind === 'alarm' ? run.trigger.changedAt : undefined;
  const at = Date.parse(alarmed ?? run.startedAt);
  return Number.isNaN(at) ? run.startedAt : new Date(at).toISOString();
}

/**
 * One key per incident: the target, the cause that opened it, and the UTC hour it started in. Runs
 * of one incident start from different alarms minutes apart (a crash loop sets off the CPU alarm,
 * then the lag alarm); the hour is what they share, so they share a key and a chat thread.
 */
export function incidentKey(facts: Pick<NotificationFacts, 'run' | 'assessment' | 'rounds'>): string {
  const cause = assessmentsOf(facts)[0]?.report.diagnosis.cause ?? 'NOT_ASSESSED';
  const hour = `${incidentStart(facts.run).slice(0, 13)}:00Z`;
  return `${facts.run.target}/${cause}/${hour}`;
}

/** The minutes the console links open on: from before the alarm to just after the run's last step. */
export function incidentWindow(facts: NotificationFacts): TimeWindow {
  const start = Date.parse(incidentStart(facts.run)) - WINDOW_BEFORE_MS;
  const times = [
    facts.run.startedAt,
    ...assessmentsOf(facts).map((a) => a.assessedAt),
    ...(facts.rounds ?? []).map((r) => r.verification.verifiedAt),
    ...(facts.verification ? [facts.verification.verifiedAt] : []),
  ]
    .map((t) => Date.parse(t))
    .filter((t) => !Number.isNaN(t));
  const end = Math.max(start + WINDOW_BEFORE_MS, ...times) + WINDOW_AFTER_MS;
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

/** `09:10-10:05 UTC` */
function windowText(window: TimeWindow): string {
  return `${window.start.slice(11, 16)}-${window.end.slice(11, 16)} UTC`;
}

/** The runbook for a cause, as a path in this repository: `docs/runbooks/app-unhealthy.md`. */
export function runbookPath(cause: Cause): string {
  return `docs/runbooks/${cause.toLowerCase().replace(/_/g, '-')}.md`;
}

/**
 * The log group Managed Service for Apache Flink writes to when the console sets up logging; an
 * application configured otherwise names its own in `CloudWatchLoggingOptions`.
 */
export function applicationLogGroup(applicationName: string): string {
  return `/aws/kinesis-analytics/${applicationName}`;
}

const EXCEPTIONS_QUERY =
  'fields @timestamp, @message\n| filter @message like /(?i)(exception|error|failed)/\n| sort @timestamp desc\n| limit 100';

interface GuideContext {
  readonly run: RunContext;
  readonly region: string;
  readonly window: TimeWindow;
}

function appLogs(ctx: GuideContext, what: string): string | undefined {
  const app = ctx.run.config.application?.name;
  if (!app) return undefined;
  return `${what} in the application's logs, ${windowText(ctx.window)} (log group ${applicationLogGroup(app)}): ${logsInsightsUrl(
    ctx.region,
    applicationLogGroup(app),
    ctx.window,
    EXCEPTIONS_QUERY,
  )}`;
}

function lagGraph(ctx: GuideContext): string | undefined {
  const app = ctx.run.config.application?.name;
  if (!app) return undefined;
  return `The lag of ${app}, ${windowText(ctx.window)}: ${applicationLagGraphUrl(ctx.region, ctx.window, app)}`;
}

function streamGraph(ctx: GuideContext, metricNames: readonly string[], what: string): string | undefined {
  const stream = ctx.run.config.stream?.name;
  if (!stream) return undefined;
  const metrics = metricNames.map((metricName) => ({
    namespace: 'AWS/Kinesis',
    metricName,
    dimensions: { StreamName: stream },
    stat: 'Sum',
  }));
  return `${what} of stream ${stream}, ${windowText(ctx.window)}: ${metricsGraphUrl(ctx.region, ctx.window, metrics)}`;
}

/** What to look at first, per cause: the places an experienced on-call engineer would open first. */
const LOOK_FIRST: Readonly<Record<Cause, (ctx: GuideContext) => (string | undefined)[]>> = {
  APP_UNHEALTHY: (ctx) => {
    const app = ctx.run.config.application?.name ?? ctx.run.target;
    return [
      appLogs(ctx, 'The exceptions'),
      `The last deployment or configuration change of ${app} (its version history): ${applicationConsoleUrl(ctx.region, app)}`,
      `If the loop started with that change, roll it back with RollbackApplication: aws kinesisanalyticsv2 rollback-application --application-name ${app} --current-application-version-id <the current version>`,
    ];
  },
  SINK_BACKPRESSURE: (ctx) => [
    "The sink's own metrics for the window: throttling, latency, errors and connection limits of the database, API or delivery stream the job writes to",
    appLogs(ctx, 'Timeouts and retries'),
    lagGraph(ctx),
  ],
  HOT_SHARD: (ctx) => [
    streamGraph(ctx, ['IncomingBytes', 'WriteProvisionedThroughputExceeded'], 'Writes and throttling'),
    'Per-shard IncomingBytes and IncomingRecords (shard-level metrics: aws kinesis enable-enhanced-monitoring --shard-level-metrics IncomingBytes IncomingRecords) to find the hot shard',
    "The producers' partition keys: the one key (tenant, customer, device) that dominates the hot shard",
  ],
  MEMORY_PRESSURE: (ctx) => [
    appLogs(ctx, 'OutOfMemoryError and checkpoint failures'),
    'heapMemoryUtilization and lastCheckpointSize over the last days: state that only grows needs a TTL or fewer keys',
    'Fewer parallel tasks per KPU (ParallelismPerKPU) gives each task more memory; set applyMemoryFix to let StreamMedic do it',
  ],
  STREAM_WRITE_CAPACITY: (ctx) => [
    streamGraph(
      ctx,
      ['IncomingBytes', 'IncomingRecords', 'WriteProvisionedThroughputExceeded'],
      'Writes and throttling',
    ),
    "The stream's maxShards bound and the producers' retry settings",
  ],
  STREAM_READ_CAPACITY: (ctx) => [
    streamGraph(ctx, ['GetRecords.Bytes', 'ReadProvisionedThroughputExceeded'], 'Reads and read throttling'),
    'How many applications poll the stream: each shares 2 MiB/s and 5 GetRecords calls/s per shard; heavy readers belong on enhanced fan-out',
  ],
  CONSUMER_COMPUTE: (ctx) => [
    lagGraph(ctx),
    'CPU and busy time per task, and the parallelism and KPU bounds of the application',
  ],
  VERBOSE_MONITORING: (ctx) => {
    const app = ctx.run.config.application?.name;
    return [
      app &&
        `The logging and monitoring levels of ${app} (Configuration): ${applicationConsoleUrl(ctx.region, app)}; INFO logging and TASK-level metrics are enough outside troubleshooting`,
    ];
  },
  INSUFFICIENT_DATA: (ctx) => [
    "Which metrics are missing (see the summary above), the application's metrics level, and the alarms' dimensions",
    `The assess step of the execution: ${executionConsoleUrl(ctx.run.executionId) ?? ctx.run.executionId}`,
  ],
  OVER_PROVISIONED: () => [],
  HEALTHY: () => [],
};

function lookFirstLines(facts: NotificationFacts, person: string | undefined, window: TimeWindow): string[] {
  if (!person) return [];
  const ctx: GuideContext = { run: facts.run, region: facts.region, window };
  const cause = assessmentsOf(facts)[0]?.report.diagnosis.cause;
  const lines: (string | undefined)[] = [];
  if (facts.failure) {
    lines.push(
      `The failed step of the execution: ${executionConsoleUrl(facts.run.executionId) ?? facts.run.executionId}`,
    );
  }
  if (facts.verification && facts.verification.outcome === 'not-improved') {
    lines.push(
      `The re-assessment: ${facts.verification.report.diagnosis.summary} The bottleneck may be elsewhere on the data path.`,
    );
  }
  if (cause && person) {
    lines.push(...LOOK_FIRST[cause](ctx));
    lines.push(`Runbook: ${runbookPath(cause)}`);
  }
  return lines.filter((line): line is string => Boolean(line));
}

function linkLines(facts: NotificationFacts): string[] {
  const { run, region } = facts;
  const lines: string[] = [];
  const cause = assessmentsOf(facts)[0]?.report.diagnosis.cause;
  if (cause) lines.push(`Runbook: ${runbookPath(cause)}`);
  if (run.config.stream) lines.push(`Stream: ${streamConsoleUrl(region, run.config.stream.name)}`);
  if (run.config.application) {
    lines.push(`Application: ${applicationConsoleUrl(region, run.config.application.name)}`);
  }
  const execution = executionConsoleUrl(run.executionId);
  lines.push(`Execution: ${execution ?? run.executionId}`);
  return lines;
}

/** The first line of the body: whether a person must act and why, or how the run ended. */
function headline(facts: NotificationFacts, outcome: RunOutcome, person: string | undefined): string {
  if (person) return `${outcome === 'awaiting-approval' ? OUTCOME_HEADS[outcome] : ACTION_REQUIRED}: ${person}.`;
  const summary = assessmentsOf(facts)[0]?.report.diagnosis.summary;
  switch (outcome) {
    case 'resolved':
    case 'improving':
      return `${OUTCOME_HEADS[outcome]}: ${facts.verification!.reason}.`;
    case 'applied':
      return `${OUTCOME_HEADS[outcome]}: the changes were made; the re-assessment did not run.`;
    case 'all-refused':
      return `${OUTCOME_HEADS[outcome]}: every planned action was refused for now (see below).`;
    case 'nothing-to-do':
      return `${OUTCOME_HEADS[outcome]}: ${summary ?? 'nothing is wrong.'}`;
    default:
      return `${OUTCOME_HEADS[outcome]}: nothing was changed.`;
  }
}

/** `denied by alice: wrong stream`, `nobody approved it within the wait`: why an approval ended in no. */
function approvalRefusalText(refusal: WorkflowFailure): string {
  if (refusalOutcome(refusal.Error) === 'timed-out') return 'nobody approved it before the wait timed out';
  return refusal.Cause?.trim() || 'denied';
}

/** The pause the run last saw: the verification's, else the assessment's. */
function pauseOf(facts: NotificationFacts): Pause | undefined {
  return facts.verification?.pause ?? facts.assessment?.pause;
}

/** Builds the SNS message for a finished run (successful, refused, dry or failed). */
export function composeNotification(facts: NotificationFacts): NotificationMessage {
  const outcome = runOutcome(facts);
  const person = actionRequired(facts);
  const assessments = assessmentsOf(facts);
  // A run that went round again is told by the diagnosis that started it; each round then says its own.
  const report = assessments[0]?.report;
  const rounds = assessments.length > 1;
  const window = incidentWindow(facts);
  const heading = facts.assessment ? DISPOSITION_HEADINGS[facts.assessment.disposition] : 'What was done';
  const refusals = rounds
    ? assessments.flatMap((a, index) => refusalLines(a.report).map((line) => `- round ${index + 1}: ${line.slice(2)}`))
    : refusalLines(report);
  const recommendations = [...new Set(assessments.flatMap((a) => a.report.plan.recommendations))];
  const lookFirst = lookFirstLines(facts, person, window);
  const key = incidentKey(facts);
  const first = headline(facts, outcome, person);
  const diagnosis = report
    ? diagnosisLines(report, facts.run)
    : [`No diagnosis for ${facts.run.target} (${resourcesLine(facts.run)}): the run failed before the assessment.`];
  const pause = pauseOf(facts);
  const approval = facts.assessment?.approval;
  const mode = [
    `Mode ${facts.run.config.mode}${facts.run.dryRun ? ', dry run' : ''}.`,
    ...(approval
      ? [`Approved by ${approval.by}${approval.operatorArn ? ` (${approval.operatorArn})` : ''} at ${approval.at}.`]
      : []),
    ...(pause ? [describePause(pause)] : []),
  ].join(' ');
  const done = rounds ? roundLines(facts) : actionLines(facts);
  const outcomeText = outcomeLines(facts, outcome);
  const links = linkLines(facts);
  const body = [
    first,
    ...diagnosis,
    mode,
    ...section('Look first at', numbered(lookFirst)),
    ...section('Evidence', bullets((report?.diagnosis.evidence ?? []).map(describeEvidence))),
    ...section(heading, done),
    ...section('Refused by guardrails', refusals),
    ...section('Recommendations', bullets(recommendations)),
    ...section('Outcome', outcomeText),
    ...section('Trigger', [...triggerLines(facts.run, facts.region), `Incident ${key}`]),
    ...section('Links', links),
  ].join('\n');
  const attributes: Record<string, string> = {
    target: facts.run.target,
    outcome,
    actionRequired: String(person !== undefined),
    incident: key,
    dryRun: String(facts.run.dryRun),
    ...(pause ? { pausedBy: pause.by } : {}),
  };
  if (report) {
    attributes['cause'] = report.diagnosis.cause;
    attributes['severity'] = report.diagnosis.severity;
  }
  const subject = composeSubject(facts);
  const chat = chatNotification({
    title: subject,
    headline: first,
    sections: [
      { title: 'Diagnosis', lines: [...diagnosis, mode] },
      { title: 'Evidence', lines: bullets((report?.diagnosis.evidence ?? []).map(describeEvidence)) },
      { title: heading, lines: done },
      { title: 'Refused by guardrails', lines: refusals },
      { title: 'Outcome', lines: outcomeText },
      { title: 'Links', lines: links },
    ],
    nextSteps: [...lookFirst, ...recommendations],
    keywords: [
      ...(person ? [ACTION_REQUIRED] : []),
      outcome,
      ...(report ? [report.diagnosis.cause, report.diagnosis.severity] : []),
      facts.run.target,
    ],
    threadId: key,
    summary: first,
    eventType:
      outcome === 'awaiting-approval'
        ? 'StreamMedicApprovalRequired'
        : person
          ? 'StreamMedicActionRequired'
          : 'StreamMedicRunFinished',
    relatedResources: [
      ...(facts.run.config.stream ? [facts.run.config.stream.name] : []),
      ...(facts.run.config.application ? [facts.run.config.application.name] : []),
      facts.run.executionId,
    ],
    additionalContext: attributes,
  });
  return { subject, body: `${body}\n`, attributes, chat };
}
