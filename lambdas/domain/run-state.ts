/**
 * What one remediation run carries from step to step, and the pure logic of its writing half: which
 * calls a plan needs, applying one of them, waiting for the resource to settle, and judging whether
 * the change helped. The workflow's Lambda handlers are thin shells around these functions.
 */
import type { Policy, TargetConfig } from './config';
import {
  actionDirection,
  actionResource,
  applicationResource,
  streamResource,
  type Action,
  type LedgerEntry,
  type Report,
} from './model';
import { appStateFrom, streamStateFrom } from './snapshot';
import { severityRank, type Cause } from './vocabulary';
import { InvalidInputError } from './validation';
import { ResourceInUseError } from '../ports/errors';
import type { ApplicationControl, Clock, Ledger, StreamControl } from '../ports';

/** Why the run was started. */
export type Trigger =
  | {
      readonly kind: 'alarm';
      readonly alarmName: string;
      readonly alarmArn?: string;
      /** CloudWatch's own sentence for the state change. */
      readonly reason?: string;
      /** When the alarm went into ALARM. */
      readonly changedAt?: string;
    }
  | { readonly kind: 'manual' };

/** The normalised run: who, why, with which config; set once by the intake step and read by all others. */
export interface RunContext {
  readonly target: string;
  /** A dry run plans exactly as a live run and changes nothing. */
  readonly dryRun: boolean;
  readonly trigger: Trigger;
  /** The Step Functions execution ARN; also the lock owner and the ledger's `executionId`. */
  readonly executionId: string;
  readonly startedAt: string;
  /** Region of the target's resources: the config's `region`, else the workflow's own. */
  readonly region: string;
  readonly config: TargetConfig;
  readonly policy: Policy;
}

/** One changing API call. An UpdateShardCount action of two steps is two work steps. */
export type WorkStep =
  | {
      readonly type: 'UpdateShardCount';
      readonly streamName: string;
      /** Open shards the stream has before this call. */
      readonly from: number;
      readonly to: number;
      /** 1-based position of this call within its action, and the action's number of calls. */
      readonly call: number;
      readonly calls: number;
    }
  | {
      readonly type: 'UpdateApplicationParallelism';
      readonly applicationName: string;
      readonly from: number;
      readonly to: number;
      readonly parallelismPerKpu: number;
      readonly autoScalingEnabled?: boolean;
    }
  | {
      readonly type: 'UpdateApplicationMonitoring';
      readonly applicationName: string;
      readonly logLevel: 'INFO' | 'WARN' | 'ERROR' | 'DEBUG';
      readonly metricsLevel: 'APPLICATION' | 'TASK' | 'OPERATOR' | 'PARALLELISM';
    }
  | {
      readonly type: 'IncreaseStreamRetention';
      readonly streamName: string;
      readonly fromHours: number;
      readonly toHours: number;
    };

/**
 * What the run does with an assessment. Only `apply` changes anything; every other value says why
 * nothing is changed, in words the notification repeats.
 */
export const DISPOSITIONS = [
  'apply',
  'dry-run',
  'recommend-mode',
  'observe-mode',
  'all-refused',
  'nothing-to-do',
] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

export interface Assessment {
  readonly report: Report;
  readonly steps: WorkStep[];
  readonly disposition: Disposition;
  /** True only for `apply`: the workflow branches on this. */
  readonly apply: boolean;
  readonly assessedAt: string;
}

/** A resource the workflow waits on after a change. */
export interface Awaiting {
  readonly kind: 'stream' | 'application';
  readonly name: string;
}

export interface AppliedStep {
  readonly step: WorkStep;
  readonly at: string;
  /** `already-done`: a retried step found the change in place (the earlier attempt got through). */
  readonly outcome: 'requested' | 'already-done';
  /** The application version the update was made against. */
  readonly applicationVersionId?: number;
}

/** The loop state of the apply / wait / check cycle. */
export interface Progress {
  /** Index of the next step to apply. */
  readonly next: number;
  readonly applied: AppliedStep[];
  /** Whether steps remain after the ones applied. */
  readonly more: boolean;
  readonly awaiting?: Awaiting;
  /** Status checks made since the last step. */
  readonly polls: number;
  /** Whether the awaited resource is ACTIVE / RUNNING again. */
  readonly ready: boolean;
  /** The status last seen by a check. */
  readonly lastStatus?: string;
}

/** The loop state before the first step; the workflow starts its apply loop from this. */
export const INITIAL_PROGRESS: Progress = { next: 0, applied: [], more: true, polls: 0, ready: false };

export const VERIFY_OUTCOMES = ['resolved', 'improving', 'not-improved', 'inconclusive'] as const;
export type VerifyOutcome = (typeof VERIFY_OUTCOMES)[number];

export interface Verification {
  readonly outcome: VerifyOutcome;
  readonly reason: string;
  readonly report: Report;
  readonly verifiedAt: string;
}

/** A finished round of a run that went round again: what it acted on, the calls it made, how it was judged. */
export interface CompletedRound {
  readonly assessment: Assessment;
  readonly progress: Progress;
  readonly verification: Verification;
}

/** What the next round of a run starts from: its assessment, and the rounds before it. */
export interface NextRound {
  readonly assessment: Assessment;
  readonly rounds: CompletedRound[];
}

/** A workflow failure as Step Functions hands it to a `Catch`: the error name and its cause. */
export interface WorkflowFailure {
  readonly Error: string;
  readonly Cause?: string;
}

/** The resource no longer looks the way the plan assumed; acting on the plan could do harm. */
export class PlanDriftError extends Error {
  override readonly name = 'PlanDriftError';
}

/** The resource went into a state from which it will not become ACTIVE / RUNNING by waiting. */
export class ResourceStateError extends Error {
  override readonly name = 'ResourceStateError';
}

/** The resource was still changing after the last allowed status check. */
export class ResourceNotReadyError extends Error {
  override readonly name = 'ResourceNotReadyError';
}

/** The work steps of a plan, in order: one per changing API call. */
export function workStepsOf(actions: readonly Action[]): WorkStep[] {
  const steps: WorkStep[] = [];
  for (const action of actions) {
    switch (action.type) {
      case 'UpdateShardCount':
        action.steps.forEach((to, index) => {
          steps.push({
            type: 'UpdateShardCount',
            streamName: action.streamName,
            from: index === 0 ? action.from : action.steps[index - 1]!,
            to,
            call: index + 1,
            calls: action.steps.length,
          });
        });
        break;
      case 'UpdateApplicationParallelism':
        steps.push({
          type: action.type,
          applicationName: action.applicationName,
          from: action.from,
          to: action.to,
          parallelismPerKpu: action.parallelismPerKpu,
          ...(action.autoScalingEnabled !== undefined ? { autoScalingEnabled: action.autoScalingEnabled } : {}),
        });
        break;
      case 'UpdateApplicationMonitoring':
        steps.push({
          type: action.type,
          applicationName: action.applicationName,
          logLevel: action.logLevel,
          metricsLevel: action.metricsLevel,
        });
        break;
      case 'IncreaseStreamRetention':
        steps.push({
          type: action.type,
          streamName: action.streamName,
          fromHours: action.fromHours,
          toHours: action.toHours,
        });
        break;
    }
  }
  return steps;
}

/**
 * Decides what the run does with a report. A change is made only when the engine says the plan is
 * to be applied and, independently, the run is live and the target is in `auto` mode: the second
 * check keeps a planner bug from turning a dry run into a change.
 */
export function dispositionOf(report: Report, run: Pick<RunContext, 'dryRun' | 'config'>): Disposition {
  const plan = report.plan;
  if (plan.actions.length === 0) return plan.refused.length > 0 ? 'all-refused' : 'nothing-to-do';
  if (run.dryRun) return 'dry-run';
  const mode = run.config.mode === 'auto' ? plan.mode : run.config.mode;
  if (mode === 'observe') return 'observe-mode';
  if (mode === 'recommend' || !plan.apply) return 'recommend-mode';
  return 'apply';
}

export function assessmentOf(report: Report, run: Pick<RunContext, 'dryRun' | 'config'>, now: Date): Assessment {
  const disposition = dispositionOf(report, run);
  return {
    report,
    steps: workStepsOf(report.plan.actions),
    disposition,
    apply: disposition === 'apply',
    assessedAt: now.toISOString(),
  };
}

export interface ApplyPorts {
  readonly streams?: StreamControl;
  readonly applications?: ApplicationControl;
  readonly ledger: Ledger;
  readonly clock: Clock;
}

function awaitingFor(step: WorkStep): Awaiting {
  return 'streamName' in step
    ? { kind: 'stream', name: step.streamName }
    : { kind: 'application', name: step.applicationName };
}

function required<T>(port: T | undefined, what: string): T {
  if (!port) throw new InvalidInputError(what, 'this step needs it, but no such control is configured');
  return port;
}

/** A step as the one-call action it carries out, so the model's rules (direction, resource) apply to it. */
export function actionOf(step: WorkStep): Action {
  if (step.type === 'UpdateShardCount') {
    return { type: step.type, streamName: step.streamName, from: step.from, to: step.to, steps: [step.to] };
  }
  return step;
}

/** The ledger entry a step leaves behind: one changing call. */
export function ledgerEntryFor(step: WorkStep, run: Pick<RunContext, 'target' | 'executionId'>, at: Date): LedgerEntry {
  const fromTo =
    step.type === 'IncreaseStreamRetention'
      ? { from: step.fromHours, to: step.toHours }
      : 'from' in step
        ? { from: step.from, to: step.to }
        : {};
  return {
    at: at.toISOString(),
    target: run.target,
    resource: actionResource(actionOf(step)),
    actionType: step.type,
    direction: actionDirection(actionOf(step)),
    ...fromTo,
    calls: 1,
    executionId: run.executionId,
  };
}

/** Application states from which an update can start; the others are transient or need a person. */
const APPLICATION_BUSY = new Set(['UPDATING', 'AUTOSCALING', 'STARTING', 'ROLLING_BACK', 'MAINTENANCE']);

async function applyStreamStep(
  ports: ApplyPorts,
  step: Extract<WorkStep, { streamName: string }>,
): Promise<'requested' | 'already-done'> {
  const streams = required(ports.streams, 'streams');
  const stream = streamStateFrom(await streams.describeStreamSummary(step.streamName));
  const context = { action: step.type === 'UpdateShardCount' ? 'UpdateShardCount' : 'IncreaseStreamRetentionPeriod' };
  if (stream.status !== 'ACTIVE') {
    // Kinesis refuses changes unless ACTIVE; the workflow retries this error with backoff.
    throw new ResourceInUseError(`stream is ${stream.status}, not ACTIVE`, {
      ...context,
      resource: streamResource(step.streamName),
    });
  }
  if (step.type === 'UpdateShardCount') {
    if (stream.openShards === step.to) return 'already-done';
    if (stream.mode !== 'PROVISIONED' || stream.openShards !== step.from) {
      throw new PlanDriftError(
        `stream ${step.streamName} has ${stream.openShards} open shards (${stream.mode}); ` +
          `the plan expected ${step.from} provisioned shards`,
      );
    }
    await streams.updateShardCount(step.streamName, step.to);
    return 'requested';
  }
  if (stream.retentionHours >= step.toHours) return 'already-done';
  await streams.increaseRetentionPeriod(step.streamName, step.toHours);
  return 'requested';
}

async function applyApplicationStep(
  ports: ApplyPorts,
  step: Extract<WorkStep, { applicationName: string }>,
): Promise<{ outcome: 'requested' | 'already-done'; versionId: number }> {
  const applications = required(ports.applications, 'applications');
  const app = appStateFrom(await applications.describeApplication(step.applicationName));
  const resource = applicationResource(step.applicationName);
  if (APPLICATION_BUSY.has(app.status)) {
    throw new ResourceInUseError(`application is ${app.status}, not RUNNING`, {
      action: 'UpdateApplication',
      resource,
    });
  }
  if (app.status !== 'RUNNING') {
    throw new ResourceStateError(`application ${step.applicationName} is ${app.status}; only a RUNNING one is updated`);
  }
  if (step.type === 'UpdateApplicationParallelism') {
    if (app.parallelism === step.to && app.parallelismPerKpu === step.parallelismPerKpu) {
      return { outcome: 'already-done', versionId: app.versionId };
    }
    if (app.parallelism !== step.from) {
      throw new PlanDriftError(
        `application ${step.applicationName} runs with parallelism ${app.parallelism}; the plan expected ${step.from}`,
      );
    }
    // The version is read just now, so a retry after ConcurrentModification uses the fresh one.
    await applications.updateParallelism({
      applicationName: step.applicationName,
      currentApplicationVersionId: app.versionId,
      parallelism: step.to,
      parallelismPerKpu: step.parallelismPerKpu,
      ...(step.autoScalingEnabled !== undefined ? { autoScalingEnabled: step.autoScalingEnabled } : {}),
    });
    return { outcome: 'requested', versionId: app.versionId };
  }
  if (app.logLevel === step.logLevel && app.metricsLevel === step.metricsLevel) {
    return { outcome: 'already-done', versionId: app.versionId };
  }
  await applications.updateMonitoring({
    applicationName: step.applicationName,
    currentApplicationVersionId: app.versionId,
    logLevel: step.logLevel,
    metricsLevel: step.metricsLevel,
  });
  return { outcome: 'requested', versionId: app.versionId };
}

/**
 * Applies the next step of the plan (one changing call), records it in the ledger, and returns the
 * loop state for the wait that follows. A step that finds its change already in place is not made
 * again; it is recorded only if no entry of this run says so yet.
 */
export async function applyNextStep(
  ports: ApplyPorts,
  run: Pick<RunContext, 'target' | 'executionId' | 'startedAt'>,
  steps: readonly WorkStep[],
  progress: Progress,
): Promise<Progress> {
  const step = steps[progress.next];
  if (!step) {
    throw new InvalidInputError('progress.next', `is ${progress.next}, but the plan has ${steps.length} steps`);
  }
  let outcome: 'requested' | 'already-done';
  let versionId: number | undefined;
  if ('streamName' in step) {
    outcome = await applyStreamStep(ports, step);
  } else {
    ({ outcome, versionId } = await applyApplicationStep(ports, step));
  }
  const at = ports.clock.now();
  const entry = ledgerEntryFor(step, run, at);
  if (outcome === 'requested' || !(await alreadyRecorded(ports.ledger, entry, run.startedAt))) {
    await ports.ledger.record(entry);
  }
  const next = progress.next + 1;
  return {
    next,
    applied: [
      ...progress.applied,
      { step, at: at.toISOString(), outcome, ...(versionId !== undefined ? { applicationVersionId: versionId } : {}) },
    ],
    more: next < steps.length,
    awaiting: awaitingFor(step),
    polls: 0,
    ready: false,
  };
}

async function alreadyRecorded(ledger: Ledger, entry: LedgerEntry, sinceIso: string): Promise<boolean> {
  const entries = await ledger.list(entry.target, sinceIso);
  return entries.some(
    (e) =>
      e.executionId === entry.executionId &&
      e.resource === entry.resource &&
      e.actionType === entry.actionType &&
      e.to === entry.to,
  );
}

/** Stream and application states that waiting will not turn into ACTIVE / RUNNING. */
const STREAM_DEAD_ENDS = new Set(['DELETING']);
const APPLICATION_DEAD_ENDS = new Set(['READY', 'DELETING', 'ROLLED_BACK', 'FORCE_STOPPING']);

export interface CheckPorts {
  readonly streams?: StreamControl;
  readonly applications?: ApplicationControl;
}

/**
 * One status check of the resource the last step changed. Throws {@link ResourceNotReadyError} when
 * this was the last allowed check and the resource is still changing, so the bound on waiting is
 * enforced here and the state machine only loops on `ready`.
 */
export async function checkResource(ports: CheckPorts, progress: Progress, maxPolls: number): Promise<Progress> {
  const awaiting = progress.awaiting;
  if (!awaiting) return { ...progress, ready: true };
  const polls = progress.polls + 1;
  let status: string;
  let ready: boolean;
  if (awaiting.kind === 'stream') {
    status = streamStateFrom(await required(ports.streams, 'streams').describeStreamSummary(awaiting.name)).status;
    ready = status === 'ACTIVE';
    if (STREAM_DEAD_ENDS.has(status)) throw new ResourceStateError(`stream ${awaiting.name} is ${status}`);
  } else {
    const app = appStateFrom(await required(ports.applications, 'applications').describeApplication(awaiting.name));
    status = app.status;
    ready = status === 'RUNNING';
    if (APPLICATION_DEAD_ENDS.has(status)) {
      throw new ResourceStateError(`application ${awaiting.name} is ${status} after the update, not RUNNING`);
    }
  }
  if (!ready && polls >= maxPolls) {
    throw new ResourceNotReadyError(
      `${awaiting.kind} ${awaiting.name} is still ${status} after ${polls} checks; expected ${
        awaiting.kind === 'stream' ? 'ACTIVE' : 'RUNNING'
      }`,
    );
  }
  return { ...progress, polls, ready, lastStatus: status };
}

/** What makes two calls the same change: the call, its resource, and where it takes the resource. */
function changeKey(step: WorkStep): string {
  const { from: _from, call: _call, calls: _calls, ...change } = step as WorkStep & Record<string, unknown>;
  return JSON.stringify({ resource: actionResource(actionOf(step)), ...change });
}

export interface RoundFacts {
  readonly run: Pick<RunContext, 'dryRun' | 'config'>;
  /** The round just verified. */
  readonly assessment: Assessment;
  readonly progress: Progress;
  readonly verification: Verification;
  /** The rounds before it. */
  readonly rounds: readonly CompletedRound[];
  /** Rounds one run may make, this one included. */
  readonly maxRounds: number;
  /** The verifying re-assessment, planned as a live run would plan it. */
  readonly replanned: Report;
  readonly now: Date;
}

/**
 * Whether the run goes round again after a verification, and with what. Only when the change did not
 * resolve the incident, the round bound allows another, and the re-assessment has a bounded plan this
 * run may apply (live, mode `auto`, past every guardrail) that repeats no change the run already made:
 * an incident found while the run held the target's lock is handled here, not lost.
 */
export function nextRoundOf(facts: RoundFacts): NextRound | undefined {
  if (facts.verification.outcome === 'resolved') return undefined;
  if (facts.rounds.length + 1 >= facts.maxRounds) return undefined;
  const next = assessmentOf(facts.replanned, facts.run, facts.now);
  if (!next.apply) return undefined;
  const made = new Set(
    [...facts.rounds.map((r) => r.progress), facts.progress].flatMap((p) => p.applied.map((a) => changeKey(a.step))),
  );
  if (next.steps.some((step) => made.has(changeKey(step)))) return undefined;
  const { assessment, progress, verification } = facts;
  return { assessment: next, rounds: [...facts.rounds, { assessment, progress, verification }] };
}

/** Causes that mean nothing is wrong any more. */
const SETTLED_CAUSES: ReadonlySet<Cause> = new Set(['HEALTHY', 'OVER_PROVISIONED']);

/** How much closer to its threshold a measure must move to count as improving. */
const IMPROVEMENT_SHARE = 0.2;

/**
 * Compares the assessment after the change with the one before it. Evidence is compared measure by
 * measure (same metric and statistic): a measure improves when its distance past the threshold
 * shrinks by at least {@link IMPROVEMENT_SHARE}, and worsens when that distance grows.
 */
export function judgeOutcome(before: Report, after: Report): { outcome: VerifyOutcome; reason: string } {
  const was = before.diagnosis;
  const now = after.diagnosis;
  if (SETTLED_CAUSES.has(now.cause)) {
    return { outcome: 'resolved', reason: `${was.cause} is no longer found; the target now assesses as ${now.cause}` };
  }
  if (now.cause === 'INSUFFICIENT_DATA') {
    return { outcome: 'inconclusive', reason: `the metrics needed to judge the change are missing: ${now.summary}` };
  }
  const severityDelta = severityRank(now.severity) - severityRank(was.severity);
  if (now.cause !== was.cause) {
    return severityDelta <= 0
      ? { outcome: 'improving', reason: `${was.cause} is no longer found, but ${now.cause} is: ${now.summary}` }
      : { outcome: 'not-improved', reason: `${was.cause} gave way to a more severe ${now.cause}: ${now.summary}` };
  }
  let improved = 0;
  let worsened = 0;
  const moves: string[] = [];
  for (const old of was.evidence) {
    const fresh = now.evidence.find((e) => e.metric === old.metric && e.stat === old.stat);
    if (!fresh) continue;
    const direction = Math.sign(old.value - old.threshold) || 1;
    const oldDistance = (old.value - old.threshold) * direction;
    const newDistance = (fresh.value - fresh.threshold) * direction;
    if (oldDistance > 0 && newDistance <= oldDistance * (1 - IMPROVEMENT_SHARE)) {
      improved += 1;
      moves.push(`${old.metric} ${formatNumber(old.value)} -> ${formatNumber(fresh.value)}`);
    } else if (newDistance > oldDistance) {
      worsened += 1;
      moves.push(`${old.metric} ${formatNumber(old.value)} -> ${formatNumber(fresh.value)} (worse)`);
    }
  }
  if (severityDelta < 0 || (improved > 0 && worsened === 0 && severityDelta <= 0)) {
    const detail = moves.length > 0 ? moves.join(', ') : `severity ${was.severity} -> ${now.severity}`;
    return { outcome: 'improving', reason: `${was.cause} is still found but easing: ${detail}` };
  }
  const detail = moves.length > 0 ? `: ${moves.join(', ')}` : '';
  return { outcome: 'not-improved', reason: `${was.cause} is still found and not easing${detail}` };
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
