/**
 * The message on-call reads: what StreamMedic saw, what it did or would do, what a guardrail stopped,
 * how it turned out, and where to look. Plain text, because SNS email shows it as is.
 */
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
import type { Action, Evidence, Report } from './model';
import type { NotificationMessage } from '../ports';

/** SNS refuses email subjects of 100 characters or more. */
export const MAX_SUBJECT_LENGTH = 99;

/** Longest failure cause quoted in a message; Lambda causes carry stack traces nobody reads in email. */
const MAX_CAUSE_LENGTH = 600;

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
  /** Region of the watched resources and of the workflow, for console links. */
  readonly region: string;
}

/** How the run ended, in one word a subscription filter can match. */
export type RunOutcome = 'failed' | VerifyOutcome | Exclude<Disposition, 'apply'> | 'applied';

export function runOutcome(facts: Pick<NotificationFacts, 'assessment' | 'verification' | 'failure'>): RunOutcome {
  if (facts.failure) return 'failed';
  if (!facts.assessment) return 'failed';
  if (facts.assessment.disposition !== 'apply') return facts.assessment.disposition;
  return facts.verification?.outcome ?? 'applied';
}

/** The AWS console's address for a region, including the China and GovCloud partitions. */
export function consoleBaseUrl(region: string): string {
  if (region.startsWith('cn-')) return `https://${region}.console.amazonaws.cn`;
  if (region.startsWith('us-gov-')) return `https://${region}.console.amazonaws-us-gov.com`;
  return `https://${region}.console.aws.amazon.com`;
}

export function streamConsoleUrl(region: string, streamName: string): string {
  return `${consoleBaseUrl(region)}/kinesis/home?region=${region}#/streams/details/${encodeURIComponent(streamName)}/monitoring`;
}

export function applicationConsoleUrl(region: string, applicationName: string): string {
  return `${consoleBaseUrl(region)}/flink/home?region=${region}#/applications/${encodeURIComponent(applicationName)}`;
}

/** The execution's page, in the region the ARN names; undefined for an id that is not an execution ARN. */
export function executionConsoleUrl(executionArn: string): string | undefined {
  const region = /^arn:aws[a-z-]*:states:([a-z0-9-]+):\d{12}:execution:/.exec(executionArn)?.[1];
  if (!region) return undefined;
  return `${consoleBaseUrl(region)}/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

export function alarmConsoleUrl(region: string, alarmName: string): string {
  return `${consoleBaseUrl(region)}/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1_000_000) return `${(value / 1_000_000).toFixed(2)}M`;
  if (Math.abs(value) >= 10_000) return `${(value / 1_000).toFixed(1)}k`;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

export function describeEvidence(evidence: Evidence): string {
  const unit = evidence.unit && evidence.unit !== 'None' ? ` ${evidence.unit}` : '';
  return `${evidence.metric} (${evidence.stat}): ${formatValue(evidence.value)}${unit}, threshold ${formatValue(
    evidence.threshold,
  )}${unit}`;
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
  switch (step.type) {
    case 'UpdateShardCount':
      return `UpdateShardCount ${step.streamName} ${step.from} -> ${step.to} shards (call ${step.call} of ${step.calls})`;
    case 'UpdateApplicationParallelism':
      return `UpdateApplication ${step.applicationName} parallelism ${step.from} -> ${step.to} (${step.parallelismPerKpu} per KPU)`;
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
};

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
};

/** The assessments of every round, oldest first: the first is the one the incident is told by. */
function assessmentsOf(facts: Pick<NotificationFacts, 'assessment' | 'rounds'>): Assessment[] {
  return [...(facts.rounds ?? []).map((r) => r.assessment), ...(facts.assessment ? [facts.assessment] : [])];
}

function subjectAction(facts: NotificationFacts): string {
  const actions = assessmentsOf(facts).flatMap((a) => a.report.plan.actions);
  const first = actions[0];
  if (!first) return '';
  const more = actions.length > 1 ? ` +${actions.length - 1}` : '';
  switch (first.type) {
    case 'UpdateShardCount':
      return `shards ${first.from}->${first.to}${more}`;
    case 'UpdateApplicationParallelism':
      return `parallelism ${first.from}->${first.to}${more}`;
    case 'UpdateApplicationMonitoring':
      return `monitoring ${first.logLevel}/${first.metricsLevel}${more}`;
    case 'IncreaseStreamRetention':
      return `retention ${first.fromHours}h->${first.toHours}h${more}`;
  }
}

/** SNS subjects must be ASCII without control characters, and shorter than 100 characters. */
export function toSubject(text: string): string {
  const ascii = text
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
  return ascii.length > MAX_SUBJECT_LENGTH ? `${ascii.slice(0, MAX_SUBJECT_LENGTH - 3)}...` : ascii;
}

function composeSubject(facts: NotificationFacts, outcome: RunOutcome): string {
  const diagnosis = assessmentsOf(facts)[0]?.report.diagnosis;
  const parts = [`StreamMedic ${facts.run.target}:`];
  if (diagnosis) parts.push(`${diagnosis.cause} (${diagnosis.severity})`);
  const action = subjectAction(facts);
  if (action) parts.push(`- ${action}`);
  parts.push(`- ${OUTCOME_WORDS[outcome]}`);
  if (facts.failure) parts.push(`(${facts.failure.Error})`);
  return toSubject(parts.join(' '));
}

function section(title: string, lines: readonly string[]): string[] {
  return lines.length > 0 ? ['', title.toUpperCase(), ...lines] : [];
}

function bullets(lines: readonly string[]): string[] {
  return lines.map((line) => `- ${line}`);
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
    if (facts.failure && remaining.length > 0) {
      lines.push(...remaining.map((step) => `NOT DONE: ${step}`));
    }
    if (lines.length === 0) lines.push('Nothing was changed.');
    return [`Planned: ${plan.actions.map(describeAction).join('; ')}`, ...bullets(lines)];
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
    const stage = !facts.assessment
      ? 'before the assessment finished'
      : applied > 0
        ? `after ${applied} change${applied === 1 ? '' : 's'} had been made; check the resources`
        : 'before any change was made';
    return [`FAILED ${stage}.`, `${facts.failure.Error}: ${failureMessage(facts.failure)}`];
  }
  if (facts.verification) {
    const after = facts.verification.report.diagnosis;
    return [
      `${OUTCOME_WORDS[outcome]}: ${facts.verification.reason}`,
      `Re-assessed at ${facts.verification.verifiedAt}: ${after.cause} (${after.severity}). ${after.summary}`,
    ];
  }
  return [`${OUTCOME_WORDS[outcome]}.`];
}

function triggerLines(run: RunContext, region: string): string[] {
  if (run.trigger.kind === 'manual') {
    return [`Started by hand${run.dryRun ? ' as a dry run' : ''} at ${run.startedAt}.`];
  }
  const when = run.trigger.changedAt ? ` at ${run.trigger.changedAt}` : '';
  const lines = [`Alarm ${run.trigger.alarmName} went into ALARM${when}.`];
  if (run.trigger.reason) lines.push(run.trigger.reason);
  lines.push(alarmConsoleUrl(region, run.trigger.alarmName));
  return lines;
}

function linkLines(facts: NotificationFacts): string[] {
  const { run, region } = facts;
  const lines: string[] = [];
  if (run.config.stream) lines.push(`Stream: ${streamConsoleUrl(region, run.config.stream.name)}`);
  if (run.config.application) {
    lines.push(`Application: ${applicationConsoleUrl(region, run.config.application.name)}`);
  }
  const execution = executionConsoleUrl(run.executionId);
  lines.push(`Execution: ${execution ?? run.executionId}`);
  return lines;
}

/** Builds the SNS message for a finished run (successful, refused, dry or failed). */
export function composeNotification(facts: NotificationFacts): NotificationMessage {
  const outcome = runOutcome(facts);
  const assessments = assessmentsOf(facts);
  // A run that went round again is told by the diagnosis that started it; each round then says its own.
  const report = assessments[0]?.report;
  const rounds = assessments.length > 1;
  const heading = facts.assessment ? DISPOSITION_HEADINGS[facts.assessment.disposition] : 'What was done';
  const refusals = rounds
    ? assessments.flatMap((a, index) => refusalLines(a.report).map((line) => `- round ${index + 1}: ${line.slice(2)}`))
    : refusalLines(report);
  const recommendations = [...new Set(assessments.flatMap((a) => a.report.plan.recommendations))];
  const body = [
    ...(report
      ? diagnosisLines(report, facts.run)
      : [`No diagnosis for ${facts.run.target} (${resourcesLine(facts.run)}): the run failed before the assessment.`]),
    `Mode ${facts.run.config.mode}${facts.run.dryRun ? ', dry run' : ''}.`,
    ...section('Evidence', bullets((report?.diagnosis.evidence ?? []).map(describeEvidence))),
    ...section(heading, rounds ? roundLines(facts) : actionLines(facts)),
    ...section('Refused by guardrails', refusals),
    ...section('Recommendations', bullets(recommendations)),
    ...section('Outcome', outcomeLines(facts, outcome)),
    ...section('Trigger', triggerLines(facts.run, facts.region)),
    ...section('Links', linkLines(facts)),
  ].join('\n');
  const attributes: Record<string, string> = {
    target: facts.run.target,
    outcome,
    dryRun: String(facts.run.dryRun),
  };
  if (report) {
    attributes['cause'] = report.diagnosis.cause;
    attributes['severity'] = report.diagnosis.severity;
  }
  return { subject: composeSubject(facts, outcome), body: `${body}\n`, attributes };
}
