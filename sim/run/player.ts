/**
 * Plays a scenario end to end: the world runs on its virtual clock, every alarm that goes into ALARM
 * (and every manual run) starts an execution of the synthesized state machine, each Task runs the
 * handler core over the world's ports, and each Wait state or retry backoff lets the world's time
 * pass for that execution only. Executions overlap as they would in Step Functions; the target lock
 * is the one thing that keeps them apart.
 */
import { performance } from 'node:perf_hooks';
import type { StreamMedicConfig } from '../../lambdas/domain/config';
import type { Assessment, AppliedStep, Verification, VerifyResult } from '../../lambdas/domain/run-state';
import type { StepApplied } from '../../lambdas/workflow/apply-step';
import type { StuckRollbackResult } from '../../lambdas/workflow/state';
import { describeAction, describeStep } from '../../lambdas/domain/notification';
import type { Cause, Guardrail, SecondaryFinding, Severity } from '../../lambdas/domain/vocabulary';
import { createTaskCores } from '../../lambdas/workflow/tasks';
import { TASK_NAMES, type TaskCores, type TaskName } from '../../lambdas/workflow/task-payloads';
import { createRunEndedCore } from '../../lambdas/workflow/run-ended';
import { createSweepCore, sweepPlan } from '../../lambdas/workflow/sweep';
import { SILENT_TELEMETRY } from '../../lambdas/workflow/telemetry';
import {
  runLocalWorkflow,
  type LocalRunResult,
  type LocalWorkflow,
  type PauseReason,
} from '../../lambdas/workflow/local-runner';
import { embeddedConfig } from '../../lib/remediation-workflow';
import { SimulatedAlarmsSource } from '../adapters';
import { checkExpectation, type ExpectationResult, type RunEnds, type RunObservation } from '../expectation';
import { CHANGING_APIS } from '../faults';
import { uniformAt } from '../random';
import type { Scenario } from '../scenario';
import { createWorld, RECOVERY_STABLE_MINUTES, type SimWorld, type WorldEvent, type WorldOutcome } from '../world';
import { ExecutionScheduler } from './execution-scheduler';
import { synthesizedWorkflow } from './workflow-template';

const MINUTE_MS = 60_000;
/** Channel of the retriers' jitter in the counter-based random numbers (the world uses small ones). */
const JITTER_CHANNEL = 9_001;
/** Step Functions caps execution names at 80 characters. */
const MAX_EXECUTION_NAME = 80;

export interface PlayOptions {
  /** Overrides the scenario's seed (the world's noise and the retriers' jitter). */
  readonly seed?: number;
  /**
   * The world's longest simulation step.
   * @default 10
   */
  readonly stepSeconds?: number;
  /**
   * The workflow to run; the scenario's config is embedded in it.
   * @default the synthesized StreamMedic stack's state machine
   */
  readonly workflow?: LocalWorkflow;
  /** Every event as it happens, in simulated time order. */
  readonly onEvent?: (event: PlayEvent) => void;
  /** After each stretch of simulated time: simulated ms played so far of `total`. */
  readonly onProgress?: (played: number, total: number) => void;
  /**
   * The world once built, before anything plays: to set its state as the rest of a fleet would (hold
   * fleet slots, say) or to watch calls its timeline does not keep.
   */
  readonly onWorld?: (world: SimWorld) => void;
}

/** Something that happened while the scenario played: in the world, or in a workflow execution. */
export type PlayEvent =
  | { readonly kind: 'world'; readonly at: number; readonly event: WorldEvent }
  | { readonly kind: 'run-started'; readonly at: number; readonly run: string; readonly trigger: string }
  | { readonly kind: 'target-busy'; readonly at: number; readonly run: string }
  | {
      readonly kind: 'diagnosis';
      readonly at: number;
      readonly run: string;
      readonly round: number;
      readonly cause: Cause;
      readonly severity: Severity;
      readonly summary: string;
      readonly disposition: string;
      readonly planned: string[];
    }
  | {
      readonly kind: 'refusal';
      readonly at: number;
      readonly run: string;
      readonly round: number;
      readonly guardrail: Guardrail;
      readonly description: string;
    }
  | {
      readonly kind: 'action';
      readonly at: number;
      readonly run: string;
      readonly round: number;
      readonly description: string;
    }
  | {
      readonly kind: 'verification';
      readonly at: number;
      readonly run: string;
      readonly round: number;
      readonly outcome: string;
      readonly reason: string;
    }
  | { readonly kind: 'notification'; readonly at: number; readonly run: string; readonly subject: string }
  | {
      readonly kind: 'run-ended';
      readonly at: number;
      readonly run: string;
      readonly status: LocalRunResult['status'];
      readonly error?: string;
    }
  | { readonly kind: 'recovered'; readonly at: number; readonly since: number };

/** One round of a run: the assessment it acted on, the calls it made, and how it was judged. */
export interface RoundRecord {
  readonly round: number;
  readonly assessment: Assessment;
  readonly applied: AppliedStep[];
  readonly verification?: Verification;
}

/** One workflow execution, as the player saw it. */
export interface ExecutionRecord {
  readonly name: string;
  readonly executionArn: string;
  readonly trigger: string;
  readonly startedAt: number;
  endedAt?: number;
  status?: LocalRunResult['status'];
  /** The named failure the run ended with. */
  error?: string;
  /** False when another run held the target. */
  lockAcquired?: boolean;
  /**
   * True once its notify step decided what to tell: a message, or nothing new for a sweep's run whose
   * news on-call already has.
   */
  toldOnCall?: boolean;
  readonly rounds: RoundRecord[];
  states: string[];
  /** Simulated time the execution let pass, by Wait state or retried state. */
  readonly paused: { readonly reason: PauseReason; readonly ms: number; readonly at: number }[];
}

export interface Playthrough {
  readonly scenario: Scenario;
  /** The seed the world and the retriers' jitter used. */
  readonly seed: number;
  readonly world: SimWorld;
  readonly runs: readonly ExecutionRecord[];
  /**
   * The pipeline judged over the scenario's duration; the calls and messages of runs still going at
   * its end, which the player lets finish, are counted too.
   */
  readonly outcome: WorldOutcome;
  readonly observations: readonly RunObservation[];
  /** Absent when the scenario states no expectation. */
  readonly expectation: ExpectationResult | undefined;
  readonly events: readonly PlayEvent[];
  /** Real time the play took, ms. */
  readonly wallMs: number;
}

function triggerOf(event: WorldEvent): { input: unknown; label: string } | undefined {
  if (event.kind === 'alarm' && event.change.to === 'ALARM') {
    return { input: event.event, label: `alarm ${event.change.definition.alarmName}` };
  }
  if (event.kind === 'manual-run') {
    return { input: event.input, label: `manual run${event.input.dryRun ? ' (dry run)' : ''}` };
  }
  if (event.kind === 'execution-input') return { input: event.input, label: `an input from ${event.by}` };
  return undefined;
}

/** Instants the scenario starts something at, besides minute ends: a manual run or SetAlarmState at a part minute. */
function triggerInstants(scenario: Scenario, startMs: number): number[] {
  const minutes = [
    ...scenario.manualRuns.map((r) => r.atMinute),
    ...scenario.faults.filter((f) => f.type === 'setAlarmState' || f.type === 'startExecution').map((f) => f.atMinute),
  ];
  return minutes.map((m) => startMs + m * MINUTE_MS);
}

/**
 * The cores with the scenario's config handed to the intake task in place of the one embedded in the
 * definition: exactly what the definition would carry had it been synthesized with this config.
 */
function withConfig(cores: TaskCores, config: StreamMedicConfig): TaskCores {
  const scenarioConfig = embeddedConfig(config);
  return {
    ...cores,
    intake: (payload) =>
      cores.intake(typeof payload === 'object' && payload !== null ? { ...payload, config: scenarioConfig } : payload),
  };
}

interface TaskObserver {
  /** Before a task runs (each attempt). */
  readonly before: (task: TaskName) => void;
  /** After a task returned. */
  readonly after: (task: TaskName, result: unknown) => void;
}

function observeCores(cores: TaskCores, observer: TaskObserver): TaskCores {
  const observed = {} as Record<TaskName, TaskCores[TaskName]>;
  for (const task of TASK_NAMES) {
    observed[task] = async (payload) => {
      observer.before(task);
      const result = await cores[task](payload);
      observer.after(task, result);
      return result;
    };
  }
  return observed;
}

/** What the rounds of one run named, for checking the scenario's expectation. */
function observationsOf(record: ExecutionRecord): RunObservation[] {
  // What verification found counts too: a cause a change uncovered is a cause of the run.
  const reports = record.rounds.flatMap((round) => [
    round.assessment.report,
    ...(round.verification ? [round.verification.report] : []),
  ]);
  const rounds = reports.map((report) => ({
    cause: report.diagnosis.cause,
    secondary: report.diagnosis.secondary as SecondaryFinding[],
    refused: report.plan.refused.map((r) => r.guardrail),
  }));
  const failed = record.status !== 'SUCCEEDED' && record.error ? [{ failure: record.error }] : [];
  return [...rounds, ...failed];
}

/** How every run ended, what on-call was told, and what was attempted, for the scenario's expectation. */
function runEndsOf(world: SimWorld, runs: readonly ExecutionRecord[], events: readonly PlayEvent[]): RunEnds {
  const notified = new Set(events.flatMap((e) => (e.kind === 'notification' ? [e.run] : [])));
  return {
    runs: runs.map((r) => ({
      name: r.name,
      ...(r.status ? { status: r.status } : {}),
      ...(r.lockAcquired !== undefined ? { lockAcquired: r.lockAcquired } : {}),
      notified: notified.has(r.name) || r.toldOnCall === true,
    })),
    ...(world.lock.holder(world.target.name) ? { lockHolder: world.lock.holder(world.target.name)! } : {}),
    messages: world.notifier.messages().map((m) => `${m.message.subject}\n${m.message.body}`),
    changeAttempts: world.apiCalls().filter((c) => CHANGING_APIS.has(c.api)).length,
  };
}

/** Plays a scenario to its end, and lets the runs still going then finish. */
export async function playScenario(scenario: Scenario, options: PlayOptions = {}): Promise<Playthrough> {
  const started = performance.now();
  const world = createWorld(scenario, {
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.stepSeconds !== undefined ? { stepSeconds: options.stepSeconds } : {}),
  });
  options.onWorld?.(world);
  const seed = options.seed ?? scenario.seed;
  const workflow = options.workflow ?? synthesizedWorkflow({ region: world.region, account: world.account });
  const scheduler = new ExecutionScheduler(() => world.now);
  const cores = withConfig(createTaskCores(world.ports), world.config);
  const events: PlayEvent[] = [];
  // As in AWS, a run that ends FAILED or TIMED_OUT is followed by the run-ended function.
  const runEnded = createRunEndedCore({
    lock: world.lock,
    slots: world.slots,
    notifier: world.notifier,
    executions: { inputOf: (arn) => Promise.reject(new Error(`${arn}: the event carries the input`)) },
    telemetry: SILENT_TELEMETRY,
    alarmNamePrefix: world.config.alarms.namePrefix,
    reconcile: world.ports,
  });
  const runs: ExecutionRecord[] = [];
  const finished: Promise<unknown>[] = [];
  const emit = (event: PlayEvent): void => {
    events.push(event);
    options.onEvent?.(event);
  };

  const startExecution = (input: unknown, trigger: string): string => {
    const index = runs.length;
    const name = `${scenario.name}-${index + 1}`.slice(-MAX_EXECUTION_NAME);
    const record: ExecutionRecord = {
      name,
      executionArn: `arn:aws:states:${workflow.region}:${workflow.account}:execution:StreamMedic:${name}`,
      trigger,
      startedAt: world.now,
      rounds: [],
      states: [],
      paused: [],
    };
    runs.push(record);
    emit({ kind: 'run-started', at: world.now, run: name, trigger });
    let draws = 0;
    const round = (): RoundRecord => record.rounds[record.rounds.length - 1]!;
    const diagnosed = (assessment: Assessment): void => {
      const number = record.rounds.length + 1;
      record.rounds.push({ round: number, assessment, applied: [] });
      const { diagnosis, plan } = assessment.report;
      emit({
        kind: 'diagnosis',
        at: world.now,
        run: name,
        round: number,
        cause: diagnosis.cause,
        severity: diagnosis.severity,
        summary: diagnosis.summary,
        disposition: assessment.disposition,
        planned: plan.actions.map(describeAction),
      });
      for (const refusal of plan.refused) {
        emit({
          kind: 'refusal',
          at: world.now,
          run: name,
          round: number,
          guardrail: refusal.guardrail,
          description: `${describeAction(refusal.action)}: ${refusal.reason}`,
        });
      }
    };
    // A round the verify task proposes is a round once the state machine takes it: at its first call.
    let proposed: Assessment | undefined;
    const before = (task: TaskName): void => {
      if (task === 'apply' && proposed) {
        diagnosed(proposed);
        proposed = undefined;
      }
    };
    const observed = observeCores(cores, {
      before,
      after: (task, result) => {
        switch (task) {
          case 'lock':
            record.lockAcquired = (result as { acquired: boolean }).acquired;
            if (!record.lockAcquired) emit({ kind: 'target-busy', at: world.now, run: name });
            return;
          case 'assess':
            diagnosed(result as Assessment);
            return;
          case 'apply': {
            if (!('progress' in (result as object))) {
              // The rollback of an application that did not come back after its update.
              const { rollback } = result as StuckRollbackResult;
              if (rollback) {
                const description = `${rollback.outcome === 'rolled-back' ? 'RollbackApplication' : 'no rollback'} ${rollback.application}: ${rollback.reason}`;
                emit({ kind: 'action', at: world.now, run: name, round: round().round, description });
              }
              return;
            }
            const applied = (result as StepApplied).progress.applied.at(-1)!;
            round().applied.push(applied);
            const note = applied.outcome === 'already-done' ? ' (already in place)' : '';
            emit({
              kind: 'action',
              at: world.now,
              run: name,
              round: round().round,
              description: `${describeStep(applied.step)}${note}`,
            });
            return;
          }
          case 'verify': {
            const { next, ...verification } = result as VerifyResult;
            const current = round();
            record.rounds[record.rounds.length - 1] = { ...current, verification };
            emit({
              kind: 'verification',
              at: world.now,
              run: name,
              round: current.round,
              outcome: verification.outcome,
              reason: verification.reason,
            });
            proposed = next?.assessment;
            return;
          }
          case 'notify': {
            const notified = result as { subject: string; published?: boolean };
            record.toldOnCall = true;
            // A sweep's run with nothing new to tell publishes nothing.
            if (notified.published !== false) {
              emit({ kind: 'notification', at: world.now, run: name, subject: notified.subject });
            }
            return;
          }
          default:
            return;
        }
      },
    });
    const done = scheduler
      .start(() =>
        runLocalWorkflow(workflow, input, {
          cores: observed,
          executionName: name,
          taskTokens: world.taskTokens,
          virtualTime: {
            now: () => world.now,
            sleep: (ms, reason, answered) => {
              record.paused.push({ reason, ms, at: world.now });
              return scheduler.sleep(ms, answered);
            },
            random: () => uniformAt(seed, JITTER_CHANNEL + index, draws++),
          },
        }),
      )
      .then((result) => {
        record.endedAt = world.now;
        record.status = result.status;
        record.states = result.states;
        if (result.status === 'FAILED') record.error = result.error;
        emit({
          kind: 'run-ended',
          at: world.now,
          run: name,
          status: result.status,
          ...(result.status === 'FAILED' ? { error: result.error } : {}),
        });
        if (result.status === 'SUCCEEDED') return undefined;
        const stateMachineArn = `arn:aws:states:${workflow.region}:${workflow.account}:stateMachine:StreamMedic`;
        const detail = { executionArn: result.executionArn, stateMachineArn };
        const event = {
          'detail-type': 'Step Functions Execution Status Change',
          source: 'aws.states',
          detail: { ...detail, status: result.status, input: JSON.stringify(input), inputDetails: { included: true } },
        };
        // A publish the world's SNS refuses is counted and retried in AWS; here it is simply not sent.
        return runEnded(event).then(
          (ended) =>
            ended.handled &&
            ended.published &&
            emit({ kind: 'notification', at: world.now, run: name, subject: ended.subject }),
          () => undefined,
        );
      });
    // Failures surface when the play waits for every run; until then they are not unhandled.
    done.catch(() => undefined);
    finished.push(done);
    return record.executionArn;
  };

  // Recovery as the world judges it at the end, announced live the first time it holds after trouble.
  let sampled = 0;
  let streak = 0;
  let troubled = false;
  let triggered = false;
  const watchRecovery = (): void => {
    const samples = world.samples();
    for (; sampled < samples.length; sampled++) {
      const sample = samples[sampled]!;
      if (!sample.healthy) {
        streak = 0;
        troubled = true;
        continue;
      }
      streak += 1;
      if (streak === RECOVERY_STABLE_MINUTES && troubled && triggered) {
        troubled = false;
        emit({ kind: 'recovered', at: sample.t + MINUTE_MS, since: samples[sampled - streak + 1]!.t });
      }
    }
  };

  // As in AWS, the schedule invokes the sweep every `rateMinutes`, counted from the scenario's start;
  // it starts a run for the target while one of its lag, CPU or throttling alarms stays in ALARM.
  const plan = sweepPlan(world.config);
  const sweep = plan
    ? createSweepCore({
        alarms: new SimulatedAlarmsSource(world.alarms),
        executions: {
          start: async (input) => {
            triggered = true;
            const { alarmNames, boost, scaleBack } = (
              input as { sweep: { alarmNames: string[]; boost?: true; scaleBack?: true } }
            ).sweep;
            const why =
              alarmNames.length > 0
                ? `${alarmNames.join(', ')} still in ALARM`
                : scaleBack
                  ? "an incident's scale-up still on"
                  : 'catch-up boost still on';
            return {
              executionArn: startExecution(
                input,
                `sweep (${why}${boost && alarmNames.length > 0 ? '; catch-up boost still on' : ''})`,
              ),
            };
          },
        },
        notices: world.notices,
        ledger: world.ledger,
        slots: world.slots,
        fleetChanges: world.fleetChanges,
        clock: world.clock,
        telemetry: SILENT_TELEMETRY,
      })
    : undefined;
  const sweepDue = (at: number): boolean =>
    plan !== undefined &&
    at > world.startMs &&
    at < world.endMs &&
    (at - world.startMs) % (plan.rateMinutes * MINUTE_MS) === 0;

  const end = world.endMs;
  const instants = triggerInstants(scenario, world.startMs);
  let atEnd: WorldOutcome | undefined;
  for (;;) {
    await scheduler.idle();
    const now = world.now;
    if (now >= end) {
      atEnd ??= world.outcome();
      if (scheduler.activeExecutions === 0) break;
    }
    const wake = scheduler.nextWake();
    let next: number;
    if (now < end) {
      next = Math.min(end, (Math.floor(now / MINUTE_MS) + 1) * MINUTE_MS, wake ?? Infinity);
      for (const instant of instants) if (instant > now && instant < next) next = instant;
    } else if (wake !== undefined) {
      next = wake;
    } else {
      throw new Error(`${scheduler.activeExecutions} execution(s) neither sleep nor end after the scenario`);
    }
    for (const event of world.advanceTo(next)) {
      emit({ kind: 'world', at: event.at, event });
      const trigger = triggerOf(event);
      if (trigger && event.at < end) {
        triggered = true;
        startExecution(trigger.input, trigger.label);
      }
    }
    if (sweep && sweepDue(world.now)) await sweep(plan);
    await scheduler.idle();
    await scheduler.wakeDue();
    watchRecovery();
    options.onProgress?.(Math.min(world.now, end) - world.startMs, end - world.startMs);
  }
  await Promise.all(finished);
  const final = world.outcome();
  const outcome: WorldOutcome = {
    ...(atEnd ?? final),
    actions: final.actions,
    notificationsSent: final.notificationsSent,
  };
  const observations = runs.flatMap(observationsOf);
  return {
    scenario,
    seed,
    world,
    runs,
    outcome,
    observations,
    expectation: scenario.expect
      ? checkExpectation(scenario.expect, observations, outcome, runEndsOf(world, runs, events))
      : undefined,
    events,
    wallMs: performance.now() - started,
  };
}
