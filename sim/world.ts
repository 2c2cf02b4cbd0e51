import { alarmDefinitionsForTarget, type AlarmDefinition, type AlarmKind } from '../lambdas/domain/alarm-definitions';
import { effectivePolicy, type Policy, type StreamMedicConfig, type TargetConfig } from '../lambdas/domain/config';
import { APPROVAL_DENIED_ERROR, denialCause, type ApprovalDecision } from '../lambdas/domain/approval';
import { FLEET_SCOPE } from '../lambdas/domain/pause';
import { LocalTaskTokens } from '../lambdas/workflow/local-task-tokens';
import type { WorkflowPorts } from '../lambdas/workflow/tasks';
import {
  InMemoryLedger,
  InMemoryNoticeLog,
  InMemoryPauseSwitch,
  InMemoryApprovals,
  InMemoryNotifier,
  InMemoryFleetChangeLog,
  InMemoryFleetSlots,
  InMemoryTargetLock,
  InMemoryTurnedAwayLog,
  InMemoryRefusalLog,
  SimulatedApplicationControl,
  SimulatedStreamControl,
  type ApiCall,
  type SimulatedAws,
} from './adapters';
import { AlarmEvaluator, alarmStateChangeEvent, type AlarmState, type AlarmStateChange } from './alarm-evaluator';
import { VirtualClock } from './clock';
import { SimulatedCloudWatch } from './cloudwatch';
import { CHANGING_APIS, FaultInjector, THROTTLING_EXCEPTION, type SimulatedApi } from './faults';
import { FlinkApplicationModel } from './flink-application';
import { KinesisStreamModel } from './kinesis-stream';
import { Pipeline, type MinuteSample } from './pipeline';
import { scenarioConfig, type Scenario, type ScenarioApproval, type ScenarioFault } from './scenario';
import { SinkModel } from './sink';
import { TrafficModel } from './traffic';

const MINUTE_MS = 60_000;

/** Healthy minutes in a row, at the end, that count as recovered: longer than one alarm's evaluation window. */
export const RECOVERY_STABLE_MINUTES = 10;

export interface WorldOptions {
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  /**
   * Longest simulation step; steps also end at every minute, fault and state change, so results do
   * not depend on it beyond the noise slots.
   * @default 10
   */
  readonly stepSeconds?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly account?: string;
}

/** Something that happened in the world, in time order. */
export type WorldEvent =
  | {
      readonly kind: 'alarm';
      readonly at: number;
      readonly change: AlarmStateChange;
      /** The EventBridge event CloudWatch sends; when `change.to` is ALARM it is the workflow's input. */
      readonly event: Record<string, unknown>;
    }
  | {
      readonly kind: 'manual-run';
      readonly at: number;
      readonly input: { readonly target: string; readonly dryRun: boolean };
    }
  | {
      /** The workflow started with an input as someone wrote it (see the `startExecution` fault). */
      readonly kind: 'execution-input';
      readonly at: number;
      readonly input: Readonly<Record<string, unknown>>;
      readonly by: string;
    }
  | { readonly kind: 'fault'; readonly at: number; readonly message: string }
  /** What an operator did by the scenario (an approval or a denial), or tried to do. */
  | { readonly kind: 'operator'; readonly at: number; readonly message: string }
  | { readonly kind: 'resource'; readonly at: number; readonly message: string }
  | { readonly kind: 'api-call'; readonly at: number; readonly call: ApiCall }
  | { readonly kind: 'records-lost'; readonly at: number; readonly records: number; readonly message: string };

export type WorldListener = (event: WorldEvent) => void;

/** What the world measured: the pipeline's side of whether a scenario went as expected. */
export interface WorldOutcome {
  readonly startedAt: number;
  readonly endedAt: number;
  /** Records that reached the stream and were never processed: expired, skipped by a stateless restart, or deleted. */
  readonly recordsLost: number;
  readonly recordsExpired: number;
  readonly recordsSkipped: number;
  readonly recordsDeleted: number;
  /** Records producers gave up on after throttling (never in the stream). */
  readonly producerRecordsDropped: number;
  readonly peakLagMs: number;
  /** The area under the lag curve: each minute's lag, in minutes, summed (a minute 3 minutes behind adds 3). */
  readonly lagMinutes: number;
  /** Producer records the stream refused (WriteProvisionedThroughputExceeded); a retry refused again counts again. */
  readonly throttledRecords: number;
  /** Times the application's job stopped and started again: updates, Managed Flink's own autoscaling, failures. */
  readonly appRestarts: number;
  /** Seconds the application processed nothing: updating, restarting, or down after a failure. */
  readonly appDowntimeSeconds: number;
  /** The first alarm going to ALARM, or the first manual run. */
  readonly firstTriggerAt?: number;
  readonly recovered: boolean;
  readonly recoveredAt?: number;
  readonly minutesToRecover?: number;
  readonly alarmsFired: AlarmKind[];
  readonly notificationsSent: number;
  /** Changing calls AWS accepted (the actions StreamMedic took). */
  readonly actions: ApiCall[];
  readonly shardHours: number;
  /** KPU-hours billed, with the orchestration KPU. */
  readonly kpuHours: number;
  readonly final: {
    readonly shards: number;
    readonly streamStatus: string;
    readonly retentionHours: number;
    readonly parallelism?: number;
    readonly parallelismPerKpu?: number;
    readonly appStatus?: string;
  };
}

interface Scheduled {
  readonly at: number;
  readonly apply: () => void;
}

/**
 * The simulated world of one scenario: a pipeline behind the same ports the Lambdas use, CloudWatch
 * with StreamMedic's own alarms, faults at their times, and a virtual clock that only this class moves.
 *
 * A workflow runner drives it: `advanceTo` simulates up to an instant and returns what happened
 * (alarm state changes carry the EventBridge event that starts a run); `ports` are the ports the
 * handler cores take; `outcome` says how the pipeline fared.
 */
export class SimWorld implements SimulatedAws {
  readonly scenario: Scenario;
  readonly clock: VirtualClock;
  readonly config: StreamMedicConfig;
  readonly target: TargetConfig;
  readonly policy: Policy;
  readonly cloudwatch: SimulatedCloudWatch;
  readonly alarms: AlarmEvaluator;
  readonly injector: FaultInjector;
  readonly pipeline: Pipeline;
  readonly stream: KinesisStreamModel;
  readonly app: FlinkApplicationModel | undefined;
  readonly sink: SinkModel;
  readonly notifier: InMemoryNotifier;
  readonly ledger: InMemoryLedger;
  readonly lock: InMemoryTargetLock;
  /** The fleet's run slots. */
  readonly slots: InMemoryFleetSlots;
  /** The fleet's changes (fleet.maxChangesPerHour). */
  readonly fleetChanges = new InMemoryFleetChangeLog();
  readonly notices: InMemoryNoticeLog;
  readonly turnedAway: InMemoryTurnedAwayLog;
  /** The operators' kill switch. */
  readonly pauses = new InMemoryPauseSwitch();
  /** Approval requests of targets in mode `approve`. */
  readonly approvals = new InMemoryApprovals();
  /** What the guardrails refused. */
  readonly refusals = new InMemoryRefusalLog();
  /** Where the runs' `.waitForTaskToken` tasks wait: the scenario's approvals and denials answer them. */
  readonly taskTokens = new LocalTaskTokens();
  readonly streams: SimulatedStreamControl;
  readonly applications: SimulatedApplicationControl;
  readonly region: string;
  readonly account: string;
  readonly startMs: number;
  readonly endMs: number;
  private readonly stepMs: number;
  private readonly schedule: Scheduled[] = [];
  private nextScheduled = 0;
  private readonly listeners = new Set<WorldListener>();
  private readonly events: WorldEvent[] = [];
  private readonly calls: ApiCall[] = [];
  private pending: WorldEvent[] = [];
  /** Off while the history before startTime runs: nothing that happens then is an event of the scenario. */
  private recording = false;
  private advancing = false;
  /** Restarts the application made during the history, which the outcome leaves out. */
  private restartsBefore = 0;

  constructor(scenario: Scenario, options: WorldOptions = {}) {
    this.scenario = scenario;
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '123456789012';
    this.stepMs = (options.stepSeconds ?? 10) * 1000;
    if (!(this.stepMs >= 1000) || MINUTE_MS % this.stepMs !== 0) {
      throw new Error(`stepSeconds must divide a minute into whole seconds, got ${options.stepSeconds}`);
    }
    const seed = options.seed ?? scenario.seed;
    this.startMs = Date.parse(scenario.startTime);
    this.endMs = this.startMs + scenario.durationMinutes * MINUTE_MS;
    const historyStart = this.startMs - scenario.historyMinutes * MINUTE_MS;
    this.clock = new VirtualClock(historyStart);
    this.config = scenarioConfig(scenario);
    this.target = this.config.targets[0]!;
    this.policy = effectivePolicy(this.config, this.target);
    this.injector = new FaultInjector(() => this.clock.nowMs());
    this.cloudwatch = new SimulatedCloudWatch(
      (api, resource) => this.injector.checkAsSdk(api as SimulatedApi, resource),
      () => this.clock.nowMs(),
    );
    this.alarms = new AlarmEvaluator(alarmDefinitionsForTarget(this.config, this.target), this.cloudwatch);

    const { stream, application, sink, consumers } = scenario.pipeline;
    const env = { region: this.region, account: this.account, createdAt: this.startMs - 90 * 24 * 3_600_000 };
    this.stream = new KinesisStreamModel({
      name: stream.name,
      mode: stream.mode,
      shards: stream.shards,
      retentionHours: stream.retentionHours,
      enhancedMonitoring: stream.enhancedMonitoring,
      reshardBaseSeconds: stream.reshardBaseSeconds,
      reshardSecondsPerShard: stream.reshardSecondsPerShard,
      ...(stream.onDemandPeakBytesPerSecond !== undefined
        ? { onDemandPeakBytesPerSecond: stream.onDemandPeakBytesPerSecond }
        : {}),
      ...(stream.onDemandPeakRecordsPerSecond !== undefined
        ? { onDemandPeakRecordsPerSecond: stream.onDemandPeakRecordsPerSecond }
        : {}),
      onDemandAdaptMinutes: stream.onDemandAdaptMinutes,
      ...env,
    });
    this.app = application
      ? new FlinkApplicationModel({
          name: application.name,
          parallelism: application.parallelism,
          parallelismPerKpu: application.parallelismPerKpu,
          autoScalingEnabled: application.autoScalingEnabled,
          recordsPerSecondPerSubtask: application.recordsPerSecondPerSubtask,
          sourceRecordsPerSecondPerSubtask: application.sourceRecordsPerSecondPerSubtask,
          chainedSource: application.chainedSource,
          ...(application.keyGroups !== undefined ? { keyGroups: application.keyGroups } : {}),
          snapshotsEnabled: application.snapshotsEnabled,
          initialPosition: application.initialPosition,
          logLevel: application.logLevel,
          metricsLevel: application.metricsLevel,
          runtimeEnvironment: application.runtimeEnvironment,
          restartSeconds: application.restartSeconds,
          checkpointIntervalSeconds: application.checkpointIntervalSeconds,
          stateBytes: application.stateBytes,
          stateGrowthBytesPerHour: application.stateGrowthBytesPerHour,
          heapBasePercent: application.heapBasePercent,
          maxKpu: application.maxKpu,
          cpuBasePercent: application.cpuBasePercent,
          seed,
          ...env,
          createdAt: historyStart,
        })
      : undefined;
    this.sink = new SinkModel(sink?.recordsPerSecond, sink?.maxWriters);
    this.pipeline = new Pipeline({
      stream: this.stream,
      ...(this.app ? { app: this.app } : {}),
      ...(application ? { appSource: { efo: application.efo, callsPerSecond: application.pollCallsPerSecond } } : {}),
      sink: this.sink,
      consumers: consumers.map(({ startMinute, ...consumer }) => ({
        ...consumer,
        ...(startMinute !== undefined ? { startAt: this.startMs + startMinute * MINUTE_MS } : {}),
      })),
      traffic: new TrafficModel(scenario.traffic, this.startMs, seed),
      producerRetryShare: scenario.traffic.producerRetryShare,
      cloudwatch: this.cloudwatch,
      lagThresholdMs: this.policy.lagThresholdMs,
    });
    if (application && application.initialLagMinutes > 0) {
      this.pipeline.prefillBacklog(application.initialLagMinutes, historyStart);
    }

    this.notifier = new InMemoryNotifier(this, `arn:aws:sns:${this.region}:${this.account}:stream-medic`);
    this.ledger = new InMemoryLedger([], this.injector);
    this.lock = new InMemoryTargetLock(this.clock, this.injector);
    this.slots = new InMemoryFleetSlots(this.clock);
    this.notices = new InMemoryNoticeLog();
    this.turnedAway = new InMemoryTurnedAwayLog();
    this.streams = new SimulatedStreamControl(this);
    this.applications = new SimulatedApplicationControl(this);

    for (const fault of scenario.faults) this.scheduleFault(fault);
    for (const run of scenario.manualRuns) {
      this.at(run.atMinute, () =>
        this.emit({
          kind: 'manual-run',
          at: this.clock.nowMs(),
          input: { target: this.target.name, dryRun: run.dryRun },
        }),
      );
    }
    for (const pause of scenario.pauses) {
      const scope = pause.fleet ? FLEET_SCOPE : this.target.name;
      this.at(pause.atMinute, () => {
        const at = this.clock.now().toISOString();
        void this.pauses.pause({ scope, by: pause.by, reason: pause.reason, at });
      });
      if (pause.untilMinute !== undefined) {
        this.at(pause.untilMinute, () => void this.pauses.resume(scope, pause.by, this.clock.now().toISOString()));
      }
    }
    for (const approval of scenario.approvals) this.at(approval.atMinute, () => this.decide(approval));
    this.schedule.sort((a, b) => a.at - b.at);

    // The pipeline's past: metrics and alarm states exist when the scenario starts.
    this.advanceTo(this.startMs);
    this.pipeline.resetRecords();
    this.restartsBefore = this.app?.totalRestarts ?? 0;
    this.recording = true;
  }

  /** The ports the handler cores take, over this world. */
  get ports(): WorkflowPorts {
    return {
      metrics: this.cloudwatch,
      streams: this.streams,
      applications: this.applications,
      ledger: this.ledger,
      lock: this.lock,
      slots: this.slots,
      fleetChanges: this.fleetChanges,
      notifier: this.notifier,
      notices: this.notices,
      turnedAway: this.turnedAway,
      pauses: this.pauses,
      approvals: this.approvals,
      refusals: this.refusals,
      clock: this.clock,
      region: this.region,
    };
  }

  /** Whether the scenario's duration has passed (a runner may go on to let running workflows finish). */
  get done(): boolean {
    return this.clock.nowMs() >= this.endMs;
  }

  get now(): number {
    return this.clock.nowMs();
  }

  /** Calls `listener` with every event as it happens; returns a function that stops it. */
  onEvent(listener: WorldListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every event so far, oldest first. */
  timeline(): readonly WorldEvent[] {
    return this.events;
  }

  /** One sample per simulated minute so far. */
  samples(): readonly MinuteSample[] {
    return this.pipeline.minuteSamples();
  }

  alarmDefinitions(): readonly AlarmDefinition[] {
    return this.alarms.definitions;
  }

  /** The name of the target's alarm of a kind; throws if the target has none. */
  alarmName(kind: AlarmKind): string {
    const definition = this.alarms.definitions.find((d) => d.kind === kind);
    if (!definition) throw new Error(`target ${this.target.name} has no ${kind} alarm`);
    return definition.alarmName;
  }

  alarmState(kind: AlarmKind): AlarmState {
    return this.alarms.state(this.alarmName(kind));
  }

  // SimulatedAws
  findStream(name: string): KinesisStreamModel | undefined {
    return name === this.stream.name && !this.stream.isDeleted ? this.stream : undefined;
  }

  findApplication(name: string): FlinkApplicationModel | undefined {
    return this.app && name === this.app.name ? this.app : undefined;
  }

  recordCall(call: ApiCall): void {
    this.calls.push(call);
    this.emit({ kind: 'api-call', at: call.at, call });
  }

  /** Every call to simulated AWS so far. */
  apiCalls(): readonly ApiCall[] {
    return this.calls;
  }

  /** Simulates up to `ms` (epoch); returns the events that happened on the way, in order. */
  advanceTo(ms: number): WorldEvent[] {
    if (!(ms >= this.clock.nowMs())) {
      throw new Error(
        `cannot advance to ${new Date(ms).toISOString()}: the world is at ${this.clock.now().toISOString()}`,
      );
    }
    // A listener that advanced the world would reorder time under the events being delivered.
    if (this.advancing) throw new Error('advanceTo was called from a listener; advance after it returns');
    this.advancing = true;
    try {
      return this.advanceUnguarded(ms);
    } finally {
      this.advancing = false;
    }
  }

  private advanceUnguarded(ms: number): WorldEvent[] {
    this.pending = [];
    this.applyDue();
    while (this.clock.nowMs() < ms) {
      const now = this.clock.nowMs();
      const next = this.nextBoundary(now, ms);
      for (const event of this.pipeline.step(now, (next - now) / 1000)) {
        this.emit({ kind: 'resource', at: event.at, message: event.message });
      }
      this.clock.advanceTo(next);
      if (next % MINUTE_MS === 0) this.closeMinute(next);
      this.applyDue();
    }
    const happened = this.pending;
    this.pending = [];
    return happened;
  }

  advanceBy(ms: number): WorldEvent[] {
    return this.advanceTo(this.clock.nowMs() + ms);
  }

  /** Simulates to the end of the scenario. */
  runToEnd(): WorldEvent[] {
    return this.advanceTo(Math.max(this.endMs, this.clock.nowMs()));
  }

  /** How the pipeline fared, from the samples so far. */
  outcome(): WorldOutcome {
    const samples = this.samples();
    const triggers = this.events.filter(
      (e) => (e.kind === 'alarm' && e.change.to === 'ALARM') || e.kind === 'manual-run',
    );
    const firstTriggerAt = triggers[0]?.at;
    let stableFrom = samples.length;
    while (stableFrom > 0 && samples[stableFrom - 1]!.healthy) stableFrom -= 1;
    const stableMinutes = samples.length - stableFrom;
    const recovered = samples.length > 0 && stableMinutes >= Math.min(RECOVERY_STABLE_MINUTES, samples.length);
    const recoveredAt = recovered ? samples[stableFrom]!.t : undefined;
    const fired = new Set<AlarmKind>();
    for (const change of this.alarms.history()) {
      if (change.to === 'ALARM' && change.at >= this.startMs) fired.add(change.definition.kind);
    }
    const totals = this.pipeline.totals;
    return {
      startedAt: this.startMs,
      endedAt: this.clock.nowMs(),
      recordsLost: this.pipeline.recordsLost,
      recordsExpired: totals.expired,
      recordsSkipped: this.pipeline.recordsSkipped,
      recordsDeleted: totals.deleted,
      producerRecordsDropped: totals.producerDropped,
      peakLagMs: totals.peakLagMs,
      lagMinutes: samples.reduce((sum, s) => sum + s.lagMs / MINUTE_MS, 0),
      throttledRecords: samples.reduce((sum, s) => sum + s.throttledRecords, 0),
      appRestarts: (this.app?.totalRestarts ?? 0) - this.restartsBefore,
      appDowntimeSeconds: samples.reduce((sum, s) => sum + (s.appDownSeconds ?? 0), 0),
      ...(firstTriggerAt !== undefined ? { firstTriggerAt } : {}),
      recovered,
      ...(recoveredAt !== undefined ? { recoveredAt } : {}),
      ...(recoveredAt !== undefined && firstTriggerAt !== undefined
        ? { minutesToRecover: Math.max(0, (recoveredAt - firstTriggerAt) / MINUTE_MS) }
        : {}),
      alarmsFired: [...fired],
      notificationsSent: this.notifier.messages().length,
      actions: this.calls.filter((c) => c.outcome === 'ok' && CHANGING_APIS.has(c.api)),
      shardHours: totals.shardMinutes / 60,
      kpuHours: totals.kpuMinutes / 60,
      final: {
        shards: this.stream.isDeleted ? 0 : this.stream.openShards,
        streamStatus: this.stream.isDeleted ? 'DELETED' : this.stream.currentStatus,
        retentionHours: this.stream.retention,
        ...(this.app
          ? {
              parallelism: this.app.currentParallelism,
              parallelismPerKpu: this.app.parallelismPerKpu,
              appStatus: this.app.currentStatus,
            }
          : {}),
      },
    };
  }

  // ---- internals ----------------------------------------------------------------------------

  private emit(event: WorldEvent): void {
    if (!this.recording) return;
    this.events.push(event);
    this.pending.push(event);
    for (const listener of this.listeners) listener(event);
  }

  /**
   * `stream-medic approve` or `deny` as the operator runs it: finds the waiting request, sends the
   * decision with its task token, and records it. Everything here is synchronous so the decision is
   * recorded before the run it resumes takes its next step, as the command's calls come back long
   * before the run's re-assessment does.
   */
  private decide(approval: ScenarioApproval): void {
    const target = approval.target ?? this.target.name;
    const command = `${approval.by} runs stream-medic ${approval.decision} --target ${target}`;
    const request = this.approvals.requests.get(target);
    const at = this.clock.now().toISOString();
    if (!request) {
      this.emit({ kind: 'operator', at: this.clock.nowMs(), message: `${command}: no run waits for a decision` });
      return;
    }
    try {
      if (approval.decision === 'approve') {
        const decision: ApprovalDecision = { decision: 'approved', by: approval.by, at };
        this.taskTokens.sendTaskSuccess(request.taskToken, decision);
      } else {
        this.taskTokens.sendTaskFailure(
          request.taskToken,
          APPROVAL_DENIED_ERROR,
          denialCause(approval.by, approval.reason),
        );
      }
    } catch (error) {
      const message = `${command}: refused by Step Functions (${(error as Error).name})`;
      this.emit({ kind: 'operator', at: this.clock.nowMs(), message });
      return;
    }
    void this.approvals.close(
      {
        outcome: approval.decision === 'approve' ? 'approved' : 'denied',
        target,
        executionId: request.executionId,
        by: approval.by,
        ...(approval.reason ? { reason: approval.reason } : {}),
        at,
      },
      request.taskToken,
    );
    const what = approval.decision === 'approve' ? 'approved' : 'denied';
    const why = approval.reason ? `: ${approval.reason}` : '';
    this.emit({
      kind: 'operator',
      at: this.clock.nowMs(),
      message: `${approval.by} ${what} the plan of ${target} (${request.plan.join('; ')})${why}`,
    });
  }

  private at(minute: number, apply: () => void): void {
    this.schedule.push({ at: this.startMs + minute * MINUTE_MS, apply });
  }

  private nextBoundary(now: number, limit: number): number {
    let next = Math.min(limit, (Math.floor(now / this.stepMs) + 1) * this.stepMs);
    const candidates = [
      this.schedule[this.nextScheduled]?.at,
      this.stream.isDeleted ? undefined : this.stream.nextTransition(),
      this.stream.nextOnDemandChange(),
      this.app?.nextTransition(now),
    ];
    for (const candidate of candidates)
      if (candidate !== undefined && candidate > now) next = Math.min(next, candidate);
    return next;
  }

  /** Applies model transitions and scheduled items due by now. */
  private applyDue(): void {
    const now = this.clock.nowMs();
    if (!this.stream.isDeleted) {
      for (const event of this.stream.advanceTo(now))
        this.emit({ kind: 'resource', at: event.at, message: event.message });
    }
    if (this.app) {
      for (const event of this.app.advanceTo(now)) {
        this.emit({ kind: 'resource', at: event.at, message: event.message });
        if (event.skippedRecords) {
          this.emit({
            kind: 'records-lost',
            at: event.at,
            records: event.skippedRecords,
            message: `${Math.round(event.skippedRecords)} records skipped: the application restarted without a snapshot`,
          });
        }
      }
    }
    // Scheduled items belong to the scenario, not its history: the first advance after it applies those at minute 0.
    while (
      this.recording &&
      this.nextScheduled < this.schedule.length &&
      this.schedule[this.nextScheduled]!.at <= now
    ) {
      const item = this.schedule[this.nextScheduled]!;
      this.nextScheduled += 1;
      item.apply();
    }
  }

  private closeMinute(minuteEnd: number): void {
    const sample = this.pipeline.publishMinute(minuteEnd - MINUTE_MS);
    if (this.app) {
      for (const event of this.app.evaluateAutoscaling(minuteEnd, sample.cpuPercent)) {
        this.emit({ kind: 'resource', at: event.at, message: event.message });
      }
    }
    for (const change of this.alarms.evaluate(minuteEnd)) this.emitAlarm(change);
  }

  private emitAlarm(change: AlarmStateChange): void {
    this.emit({
      kind: 'alarm',
      at: change.at,
      change,
      event: alarmStateChangeEvent(change, { region: this.region, account: this.account }),
    });
  }

  private fault(message: string): void {
    this.emit({ kind: 'fault', at: this.clock.nowMs(), message });
  }

  private scheduleFault(fault: ScenarioFault): void {
    const from = this.startMs + fault.atMinute * MINUTE_MS;
    const until =
      'untilMinute' in fault && fault.untilMinute !== undefined
        ? this.startMs + fault.untilMinute * MINUTE_MS
        : undefined;
    const window = { from, ...(until !== undefined ? { until } : {}) };
    const times = (count: number | undefined): string => (count !== undefined ? `${count} call(s)` : 'every call');
    switch (fault.type) {
      case 'sinkCapacity':
        this.at(fault.atMinute, () => {
          this.sink.setCapacity(fault.recordsPerSecond);
          this.fault(`the sink now takes ${fault.recordsPerSecond} records/s`);
        });
        return;
      case 'subtaskRate':
        this.at(fault.atMinute, () => {
          this.app!.setSubtaskRate(fault.recordsPerSecondPerSubtask);
          this.fault(
            `a deployment changed the cost per record: ${fault.recordsPerSecondPerSubtask} records/s per subtask`,
          );
        });
        return;
      case 'memoryLeak':
        this.at(fault.atMinute, () => {
          this.app!.startLeak(fault.percentPerHour);
          this.fault(`heap starts leaking ${fault.percentPerHour}% per hour`);
        });
        return;
      case 'crashLoop':
        this.app!.setCrashLoop({
          ...window,
          uptimeMs: fault.uptimeSeconds * 1000,
          recoveryMs: fault.recoverySeconds * 1000,
        });
        this.at(fault.atMinute, () => this.fault(`the job starts failing every ${fault.uptimeSeconds} s of uptime`));
        return;
      case 'updateStuck':
        this.at(fault.atMinute, () => {
          this.app!.failNextUpdates(fault.count);
          this.fault(`the next ${fault.count} parallelism update(s) will never finish: the application stays UPDATING`);
        });
        return;
      case 'logLevel':
        this.at(fault.atMinute, () => {
          this.app!.externalUpdate(
            { logLevel: fault.logLevel, ...(fault.metricsLevel ? { metricsLevel: fault.metricsLevel } : {}) },
            this.clock.nowMs(),
          );
          this.fault(
            `someone updates the application to ${fault.logLevel} logging${fault.metricsLevel ? ` and ${fault.metricsLevel} metrics` : ''}`,
          );
        });
        return;
      case 'apiThrottling':
        this.injector.add({
          apis: fault.apis,
          awsError: 'throttling',
          ...window,
          ...(fault.count ? { count: fault.count } : {}),
        });
        this.at(fault.atMinute, () =>
          this.fault(
            `AWS throttles ${times(fault.count)} to ${fault.apis.join(', ')} (${fault.apis.map((a) => THROTTLING_EXCEPTION[a]).join(', ')})`,
          ),
        );
        return;
      case 'resourceInUse':
        this.injector.add({
          apis: fault.apis,
          awsError: 'ResourceInUseException',
          ...window,
          ...(fault.count ? { count: fault.count } : {}),
          message: 'the resource is busy with another operation',
        });
        this.at(fault.atMinute, () =>
          this.fault(`${fault.apis.join(', ')} answer ResourceInUseException for ${times(fault.count)}`),
        );
        return;
      case 'apiError':
        this.injector.add({
          apis: fault.apis,
          awsError: fault.awsError,
          ...window,
          ...(fault.count ? { count: fault.count } : {}),
        });
        this.at(fault.atMinute, () =>
          this.fault(`${fault.apis.join(', ')} answer ${fault.awsError} for ${times(fault.count)}`),
        );
        return;
      case 'concurrentModification':
        this.injector.addVersionRace(from, fault.count);
        this.at(fault.atMinute, () =>
          this.fault(`the next ${fault.count} UpdateApplication call(s) race someone else's change to the application`),
        );
        return;
      case 'deleteStream':
        this.at(fault.atMinute, () => {
          const lost = this.pipeline.streamDeleted();
          // The job's source can no longer find its stream: every restart fails.
          this.app?.setCrashLoop({ from: this.clock.nowMs(), uptimeMs: 30_000, recoveryMs: 30_000 });
          this.fault(`stream ${this.stream.name} is deleted`);
          if (lost > 0) {
            this.emit({
              kind: 'records-lost',
              at: this.clock.nowMs(),
              records: lost,
              message: `${Math.round(lost)} unread records deleted with the stream`,
            });
          }
        });
        return;
      case 'snsFailure':
        this.injector.add({
          apis: ['Publish'],
          awsError: fault.awsError,
          ...window,
          ...(fault.count ? { count: fault.count } : {}),
        });
        this.at(fault.atMinute, () => this.fault(`SNS Publish fails with ${fault.awsError} for ${times(fault.count)}`));
        return;
      case 'setAlarmState':
        this.at(fault.atMinute, () => {
          this.fault(`SetAlarmState ${fault.state} on ${fault.alarms.join(', ')}`);
          for (const kind of fault.alarms) {
            const change = this.alarms.setAlarmState(
              this.alarmName(kind),
              fault.state,
              fault.reason,
              this.clock.nowMs(),
            );
            if (change) this.emitAlarm(change);
          }
        });
        return;
      case 'unlockFailure':
        this.injector.addLockReleaseFailure(from, fault.count);
        this.at(fault.atMinute, () =>
          this.fault(`DynamoDB fails the next ${fault.count} lock release(s) with InternalServerError`),
        );
        return;
      case 'startExecution':
        this.at(fault.atMinute, () => {
          this.fault(`${fault.by} starts the workflow with an input of their own`);
          this.emit({ kind: 'execution-input', at: this.clock.nowMs(), input: fault.input, by: fault.by });
        });
        return;
      case 'applyCrash':
        this.injector.addCrashAfterChange(from, fault.count);
        this.at(fault.atMinute, () =>
          this.fault(
            `the apply function dies (Lambda.Unknown) after each of the next ${fault.count} change(s) AWS accepts, before recording the result`,
          ),
        );
        return;
      case 'metricsOutage':
        this.at(fault.atMinute, () => {
          this.pipeline.setMetricsOutage(fault.resource, true);
          this.fault(`the ${fault.resource}'s metrics stop reaching CloudWatch`);
        });
        if (fault.untilMinute !== undefined) {
          this.at(fault.untilMinute, () => {
            this.pipeline.setMetricsOutage(fault.resource, false);
            this.fault(`the ${fault.resource}'s metrics are back`);
          });
        }
        return;
    }
  }
}

/** Builds the world of a validated scenario. */
export function createWorld(scenario: Scenario, options: WorldOptions = {}): SimWorld {
  return new SimWorld(scenario, options);
}
