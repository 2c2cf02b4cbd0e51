import type { DescribeApplicationRecord, DescribeStreamSummaryRecord } from '../lambdas/domain/aws-shapes';
import type { LedgerEntry } from '../lambdas/domain/model';
import type { ApprovalEvent, ApprovalRequest } from '../lambdas/domain/approval';
import { FLEET_SCOPE, type Pause, type PauseEvent } from '../lambdas/domain/pause';
import type { RefusalRecord } from '../lambdas/domain/refusal-record';
import type { ActionType } from '../lambdas/domain/vocabulary';
import { assertChangeCap, chooseChangeSlot } from '../lambdas/domain/fleet-budget';
import { applicationResource, streamResource } from '../lambdas/domain/model';
import { InvalidRequestError, ResourceNotFoundError } from '../lambdas/ports/errors';
import { fleetChangeClaimOwner, fleetChangeKey, fleetChangeSortKeyRange } from '../lambdas/ports/ledger-table';
import type {
  AlarmInAlarm,
  AlarmsSource,
  ApplicationControl,
  ApprovalDesk,
  Clock,
  Ledger,
  MonitoringUpdate,
  Notice,
  NoticeLog,
  NotificationMessage,
  Notifier,
  ParallelismUpdate,
  PauseControl,
  RefusalLog,
  StreamControl,
  TargetLock,
  FleetChange,
  FleetChangeClaim,
  FleetChangeLog,
  FleetSlots,
  HeldFleetSlot,
  TurnedAwayLog,
  TurnedAwayRun,
} from '../lambdas/ports';
import { LambdaCrash, type FaultInjector, type SimulatedApi } from './faults';
import type { FlinkApplicationModel } from './flink-application';
import type { KinesisStreamModel } from './kinesis-stream';

/** One call to simulated AWS, as the world's timeline records it. */
export interface ApiCall {
  readonly at: number;
  readonly api: SimulatedApi;
  readonly resource: string;
  /** `ok`, or the name of the port error the call failed with. */
  readonly outcome: string;
  readonly detail?: string;
  /** For a call that changes something, the StreamMedic action it carries out. */
  readonly actionType?: ActionType;
  /** For a call that changes something, what the resource had when it was called and what the call asked for. */
  readonly change?: ResourceChange;
}

/** A change a call asked for, next to what the resource had at the time: enough to tell a scale-up from a scale-in. */
export type ResourceChange =
  | { readonly kind: 'shards'; readonly from: number; readonly to: number }
  | { readonly kind: 'retention'; readonly from: number; readonly to: number }
  | {
      readonly kind: 'parallelism';
      readonly from: { readonly parallelism: number; readonly parallelismPerKpu: number };
      readonly to: { readonly parallelism: number; readonly parallelismPerKpu: number };
    }
  | {
      readonly kind: 'monitoring';
      readonly from: { readonly logLevel: string; readonly metricsLevel: string };
      readonly to: { readonly logLevel: string; readonly metricsLevel: string };
    };

/** What the simulated adapters need from the world. */
export interface SimulatedAws {
  readonly clock: Clock;
  readonly injector: FaultInjector;
  findStream(name: string): KinesisStreamModel | undefined;
  findApplication(name: string): FlinkApplicationModel | undefined;
  recordCall(call: ApiCall): void;
}

/** Runs a call: injected faults first, then the model; every call and its outcome goes to the timeline. */
function call<T>(
  aws: Pick<SimulatedAws, 'clock' | 'injector' | 'recordCall'>,
  api: SimulatedApi,
  resource: string,
  run: () => T,
  detail?: { readonly text: string; readonly actionType?: ActionType; readonly change?: ResourceChange },
): T {
  const at = aws.clock.now().getTime();
  const extra = {
    ...(detail ? { detail: detail.text } : {}),
    ...(detail?.actionType ? { actionType: detail.actionType } : {}),
    ...(detail?.change ? { change: detail.change } : {}),
  };
  aws.injector.checkAsSdk(api, resource, (error) =>
    aws.recordCall({ at, api, resource, outcome: error.name, ...extra }),
  );
  try {
    const result = run();
    aws.recordCall({ at, api, resource, outcome: 'ok', ...extra });
    aws.injector.changed(api);
    return result;
  } catch (error) {
    aws.recordCall({ at, api, resource, outcome: (error as Error).name, ...extra });
    throw error;
  }
}

/** Kinesis Data Streams' control plane over the simulated streams. */
export class SimulatedStreamControl implements StreamControl {
  constructor(private readonly aws: SimulatedAws) {}

  async describeStreamSummary(streamName: string): Promise<DescribeStreamSummaryRecord> {
    const resource = streamResource(streamName);
    return call(this.aws, 'DescribeStreamSummary', resource, () =>
      this.require(streamName, 'DescribeStreamSummary').describe(),
    );
  }

  async updateShardCount(streamName: string, targetShardCount: number): Promise<void> {
    const resource = streamResource(streamName);
    const stream = this.aws.findStream(streamName);
    call(
      this.aws,
      'UpdateShardCount',
      resource,
      () =>
        this.require(streamName, 'UpdateShardCount').updateShardCount(targetShardCount, this.aws.clock.now().getTime()),
      {
        text: `TargetShardCount ${targetShardCount}`,
        actionType: 'UpdateShardCount',
        ...(stream ? { change: { kind: 'shards', from: stream.openShards, to: targetShardCount } } : {}),
      },
    );
  }

  async increaseRetentionPeriod(streamName: string, retentionHours: number): Promise<void> {
    const resource = streamResource(streamName);
    const stream = this.aws.findStream(streamName);
    call(
      this.aws,
      'IncreaseStreamRetentionPeriod',
      resource,
      () =>
        this.require(streamName, 'IncreaseStreamRetentionPeriod').increaseRetention(
          retentionHours,
          this.aws.clock.now().getTime(),
        ),
      {
        text: `RetentionPeriodHours ${retentionHours}`,
        actionType: 'IncreaseStreamRetention',
        ...(stream ? { change: { kind: 'retention', from: stream.retention, to: retentionHours } } : {}),
      },
    );
  }

  private require(streamName: string, action: string): KinesisStreamModel {
    const stream = this.aws.findStream(streamName);
    if (!stream) {
      throw new ResourceNotFoundError(
        `Stream ${streamName} under account not found.`,
        {
          action,
          resource: streamResource(streamName),
        },
        { awsErrorName: 'ResourceNotFoundException' },
      );
    }
    return stream;
  }
}

/** Managed Service for Apache Flink's control plane over the simulated applications. */
export class SimulatedApplicationControl implements ApplicationControl {
  constructor(private readonly aws: SimulatedAws) {}

  async describeApplication(applicationName: string): Promise<DescribeApplicationRecord> {
    const resource = applicationResource(applicationName);
    return call(this.aws, 'DescribeApplication', resource, () =>
      this.require(applicationName, 'DescribeApplication').describe(),
    );
  }

  async updateParallelism(update: ParallelismUpdate): Promise<void> {
    const resource = applicationResource(update.applicationName);
    const before = this.aws.findApplication(update.applicationName);
    call(
      this.aws,
      'UpdateApplication',
      resource,
      () => {
        const app = this.require(update.applicationName, 'UpdateApplication');
        const now = this.aws.clock.now().getTime();
        if (this.aws.injector.takeVersionRace()) app.bumpVersion(now);
        app.updateParallelism(update, now);
      },
      {
        text: `parallelism ${update.parallelism}, ${update.parallelismPerKpu} per KPU${
          update.autoScalingEnabled !== undefined ? `, autoscaling ${update.autoScalingEnabled ? 'on' : 'off'}` : ''
        }`,
        actionType: 'UpdateApplicationParallelism',
        ...(before
          ? {
              change: {
                kind: 'parallelism',
                from: { parallelism: before.currentParallelism, parallelismPerKpu: before.parallelismPerKpu },
                to: { parallelism: update.parallelism, parallelismPerKpu: update.parallelismPerKpu },
              },
            }
          : {}),
      },
    );
  }

  async rollbackApplication(applicationName: string, currentApplicationVersionId: number): Promise<void> {
    const resource = applicationResource(applicationName);
    const before = this.aws.findApplication(applicationName);
    const back = before?.versionBeforeLastUpdate;
    call(
      this.aws,
      'RollbackApplication',
      resource,
      () => {
        const app = this.require(applicationName, 'RollbackApplication');
        app.rollback(currentApplicationVersionId, this.aws.clock.now().getTime());
      },
      {
        text: back
          ? `back to parallelism ${back.parallelism}, ${back.parallelismPerKpu} per KPU`
          : 'back to the version before',
        actionType: 'UpdateApplicationParallelism',
        ...(before && back
          ? {
              change: {
                kind: 'parallelism',
                from: { parallelism: before.currentParallelism, parallelismPerKpu: before.parallelismPerKpu },
                to: back,
              },
            }
          : {}),
      },
    );
  }

  async updateMonitoring(update: MonitoringUpdate): Promise<void> {
    const resource = applicationResource(update.applicationName);
    const before = this.aws.findApplication(update.applicationName);
    call(
      this.aws,
      'UpdateApplication',
      resource,
      () => {
        const app = this.require(update.applicationName, 'UpdateApplication');
        const now = this.aws.clock.now().getTime();
        if (this.aws.injector.takeVersionRace()) app.bumpVersion(now);
        app.updateMonitoring(update, now);
      },
      {
        text: `log level ${update.logLevel}, metrics level ${update.metricsLevel}`,
        actionType: 'UpdateApplicationMonitoring',
        ...(before
          ? {
              change: {
                kind: 'monitoring',
                from: before.monitoring,
                to: { logLevel: update.logLevel, metricsLevel: update.metricsLevel },
              },
            }
          : {}),
      },
    );
  }

  private require(applicationName: string, action: string): FlinkApplicationModel {
    const app = this.aws.findApplication(applicationName);
    if (!app) {
      throw new ResourceNotFoundError(
        `Application ${applicationName} not found`,
        {
          action,
          resource: applicationResource(applicationName),
        },
        { awsErrorName: 'ResourceNotFoundException' },
      );
    }
    return app;
  }
}

/** A message as on-call would receive it, with when it was sent. */
export interface SentNotification {
  readonly at: number;
  readonly message: NotificationMessage;
}

/** SNS: keeps what it is given; fault injection makes it fail like SNS does. */
export class InMemoryNotifier implements Notifier {
  private readonly sent: SentNotification[] = [];

  constructor(
    private readonly aws: Pick<SimulatedAws, 'clock' | 'injector' | 'recordCall'>,
    private readonly topicArn = 'arn:aws:sns:us-east-1:123456789012:stream-medic',
  ) {}

  async publish(message: NotificationMessage): Promise<void> {
    call(this.aws, 'Publish', this.topicArn, () => {
      const context = { action: 'Publish', resource: this.topicArn };
      if (!message.body) throw new InvalidRequestError('the message body must not be empty', context);
      if (message.subject.length > 100) {
        throw new InvalidRequestError(`the subject has ${message.subject.length} characters; SNS allows 100`, context);
      }
      this.sent.push({ at: this.aws.clock.now().getTime(), message });
    });
  }

  messages(): readonly SentNotification[] {
    return this.sent;
  }
}

/**
 * The ledger table, in memory: entries per target, read back oldest first. The simulator and the
 * tests share it; entries are copied in and out, as a table would.
 */
export class InMemoryLedger implements Ledger {
  readonly entries: LedgerEntry[] = [];

  /**
   * @param crashes the world's faults: a crash armed by an accepted change kills the apply function
   *   at its next ledger write, the result, so the intent stays open
   */
  constructor(
    initial: readonly LedgerEntry[] = [],
    private readonly crashes?: Pick<FaultInjector, 'takeCrash'>,
  ) {
    this.entries.push(...initial.map((entry) => ({ ...entry })));
  }

  async record(entry: LedgerEntry): Promise<void> {
    if (entry.phase === 'result' && this.crashes?.takeCrash()) {
      throw new LambdaCrash('the apply function died after its call and before it recorded the result');
    }
    this.entries.push({ ...entry });
  }

  async list(target: string, sinceIso: string): Promise<LedgerEntry[]> {
    const since = Date.parse(sinceIso);
    return this.entries
      .filter((e) => e.target === target && Date.parse(e.at) >= since)
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
      .map((e) => ({ ...e }));
  }

  all(): readonly LedgerEntry[] {
    return this.entries;
  }
}

/** The kill switch, in memory: the pauses set now, and every pause and resume for the history. */
export class InMemoryPauseSwitch implements PauseControl {
  readonly set = new Map<string, Pause>();
  readonly history: PauseEvent[] = [];

  async pausesFor(target: string): Promise<Pause[]> {
    return [target, FLEET_SCOPE].flatMap((scope) => {
      const pause = this.set.get(scope);
      return pause ? [{ ...pause }] : [];
    });
  }

  async pause(pause: Pause): Promise<void> {
    this.set.set(pause.scope, { ...pause });
    const { scope, by, operatorArn, reason, at } = pause;
    this.history.push({ kind: 'pause', scope, by, ...(operatorArn ? { operatorArn } : {}), reason, at });
  }

  async resume(scope: string, by: string, at: string, operatorArn?: string): Promise<Pause | undefined> {
    const pause = this.set.get(scope);
    if (!pause) return undefined;
    this.set.delete(scope);
    this.history.push({ kind: 'resume', scope, by, ...(operatorArn ? { operatorArn } : {}), at });
    return pause;
  }

  async events(scope: string, sinceIso: string): Promise<PauseEvent[]> {
    const since = Date.parse(sinceIso);
    return this.history.filter((e) => e.scope === scope && Date.parse(e.at) >= since).map((e) => ({ ...e }));
  }
}

/** Approval requests, in memory: the one waiting per target, and every decision and timeout. */
export class InMemoryApprovals implements ApprovalDesk {
  readonly requests = new Map<string, ApprovalRequest>();
  readonly history: ApprovalEvent[] = [];

  async open(request: ApprovalRequest): Promise<void> {
    this.requests.set(request.target, { ...request, plan: [...request.plan] });
  }

  async close(event: ApprovalEvent, answeredToken?: string): Promise<void> {
    this.history.push({ ...event });
    const waiting = this.requests.get(event.target);
    if (
      waiting?.executionId === event.executionId &&
      (answeredToken === undefined || waiting.taskToken === answeredToken)
    ) {
      this.requests.delete(event.target);
    }
  }

  async waiting(target: string): Promise<ApprovalRequest | undefined> {
    const request = this.requests.get(target);
    return request ? { ...request, plan: [...request.plan] } : undefined;
  }

  async events(target: string, sinceIso: string): Promise<ApprovalEvent[]> {
    const since = Date.parse(sinceIso);
    return this.history.filter((e) => e.target === target && Date.parse(e.at) >= since).map((e) => ({ ...e }));
  }
}

/** One workflow per target: a lease that expires on the given clock, as the DynamoDB lock's does. */
export class InMemoryTargetLock implements TargetLock {
  readonly held = new Map<string, { owner: string; expiresAt: number }>();

  /** @param faults the world's faults: a lock release may fail as DynamoDB fails on its side */
  constructor(
    private readonly clock: Clock,
    private readonly faults?: Pick<FaultInjector, 'lockReleaseFailure'>,
  ) {}

  async acquire(target: string, owner: string, ttlSeconds: number): Promise<boolean> {
    const context = { action: 'PutItem', resource: `lock/${target}` };
    if (!owner) throw new InvalidRequestError('lock owner must not be empty', context);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new InvalidRequestError(`lock ttlSeconds must be a positive integer, got ${ttlSeconds}`, context);
    }
    const now = this.clock.now().getTime();
    const held = this.held.get(target);
    if (held && held.owner !== owner && held.expiresAt > now) return false;
    this.held.set(target, { owner, expiresAt: now + ttlSeconds * 1000 });
    return true;
  }

  async release(target: string, owner: string): Promise<void> {
    const failure = this.faults?.lockReleaseFailure(`lock/${target}`);
    if (failure) throw failure;
    if (this.held.get(target)?.owner === owner) this.held.delete(target);
  }

  async ownerOf(target: string): Promise<string | undefined> {
    return this.holder(target);
  }

  /** Who holds a target's lock now, if anyone. */
  holder(target: string): string | undefined {
    const held = this.held.get(target);
    return held && held.expiresAt > this.clock.now().getTime() ? held.owner : undefined;
  }
}

/** The fleet's run slots, in memory: leases that expire on the given clock, as the DynamoDB slots do. */
export class InMemoryFleetSlots implements FleetSlots {
  /** Each holder's slot and when its lease runs out (epoch ms). */
  readonly held = new Map<string, { readonly index: number; readonly expiresAt: number }>();

  constructor(private readonly clock: Clock) {}

  async acquire(owner: string, capacity: number, ttlSeconds: number): Promise<HeldFleetSlot | undefined> {
    const context = { action: 'PutItem', resource: 'fleet-slot' };
    if (!owner) throw new InvalidRequestError('fleet slot owner must not be empty', context);
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new InvalidRequestError(`fleet.maxConcurrentRuns must be a positive integer, got ${capacity}`, context);
    }
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new InvalidRequestError(`fleet slot ttlSeconds must be a positive integer, got ${ttlSeconds}`, context);
    }
    const live = this.live();
    const mine = live.find(([holder]) => holder === owner);
    if (mine) return { index: mine[1].index };
    if (live.length >= capacity) return undefined;
    // The lowest free slot: which one a run gets decides only the seconds its reads are paced to.
    const taken = new Set(live.map(([, slot]) => slot.index));
    let index = 0;
    while (taken.has(index)) index += 1;
    this.held.set(owner, { index, expiresAt: this.clock.now().getTime() + ttlSeconds * 1000 });
    return { index };
  }

  async release(owner: string): Promise<void> {
    this.held.delete(owner);
  }

  async holders(): Promise<string[]> {
    return this.live().map(([owner]) => owner);
  }

  private live(): [string, { readonly index: number; readonly expiresAt: number }][] {
    const now = this.clock.now().getTime();
    return [...this.held].filter(([, slot]) => slot.expiresAt > now);
  }
}

/** The fleet's changes, in memory: the ledger table's `FLEET_CHANGE#` items, keyed the same way. */
export class InMemoryFleetChangeLog implements FleetChangeLog {
  readonly changes = new Map<string, FleetChange>();
  /** The change slots by index, each with the change that last took it: the `FLEET_CHANGE_SLOT#` items. */
  readonly slots = new Map<number, FleetChangeClaim>();

  async record(change: FleetChange): Promise<void> {
    const { sk } = fleetChangeKey(change);
    // A retried step writes the same key: the first record of the change stands.
    if (!this.changes.has(sk)) this.changes.set(sk, { ...change });
  }

  async since(sinceIso: string): Promise<FleetChange[]> {
    const { from } = fleetChangeSortKeyRange(sinceIso);
    return [...this.changes]
      .filter(([sk]) => sk >= from)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, change]) => ({ ...change }));
  }

  async claim(change: FleetChangeClaim, maxChangesPerHour: number): Promise<boolean> {
    assertChangeCap(maxChangesPerHour, { action: 'PutItem', resource: 'fleet-change-slot' });
    const slots = [...this.slots].map(([index, slot]) => ({ index, at: slot.at, owner: fleetChangeClaimOwner(slot) }));
    // Chosen and taken in one turn of the event loop: as atomic as the conditional write.
    const choice = chooseChangeSlot(slots, fleetChangeClaimOwner(change), change.at, maxChangesPerHour);
    if (choice.kind !== 'free') return choice.kind === 'held';
    this.slots.set(choice.indexes[0]!, { ...change });
    return true;
  }
}

/** The last notice per target, in memory: the ledger table's `NOTICE#` items. */
export class InMemoryNoticeLog implements NoticeLog {
  readonly notices = new Map<string, Notice>();

  async last(target: string): Promise<Notice | undefined> {
    const notice = this.notices.get(target);
    return notice ? { ...notice } : undefined;
  }

  async remember(notice: Notice): Promise<void> {
    this.notices.set(notice.target, { ...notice });
  }
}

/** Runs the lock turned away, in memory: the ledger table's `TURNED_AWAY#` items, oldest first. */
export class InMemoryTurnedAwayLog implements TurnedAwayLog {
  readonly runs: TurnedAwayRun[] = [];

  async record(run: TurnedAwayRun): Promise<void> {
    this.runs.push({ ...run });
  }
}

/** The guardrails' refusals, in memory: the ledger table's `REFUSAL#` items, one per run, guardrail and index. */
export class InMemoryRefusalLog implements RefusalLog {
  readonly refusals: RefusalRecord[] = [];

  async record(refusals: readonly RefusalRecord[]): Promise<void> {
    for (const refusal of refusals) {
      const kept = this.refusals.some(
        (r) =>
          r.target === refusal.target &&
          r.executionId === refusal.executionId &&
          r.guardrail === refusal.guardrail &&
          r.index === refusal.index,
      );
      if (!kept) this.refusals.push({ ...refusal });
    }
  }

  async list(target: string, sinceIso: string): Promise<RefusalRecord[]> {
    const since = Date.parse(sinceIso);
    return this.refusals
      .filter((r) => r.target === target && Date.parse(r.runStartedAt) >= since)
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.index - b.index)
      .map((r) => ({ ...r }));
  }
}

/** CloudWatch DescribeAlarms over the simulated alarms: which of the named ones are in ALARM now, and since when. */
export class SimulatedAlarmsSource implements AlarmsSource {
  constructor(
    private readonly alarms: {
      readonly definitions: readonly { readonly alarmName: string }[];
      state(name: string): string;
      history(): readonly { readonly alarmName: string; readonly at: number }[];
    },
  ) {}

  async alarmsInAlarm(alarmNames: readonly string[]): Promise<AlarmInAlarm[]> {
    const known = new Set(this.alarms.definitions.map((d) => d.alarmName));
    const changed = new Map<string, number>();
    for (const change of this.alarms.history()) changed.set(change.alarmName, change.at);
    return alarmNames
      .filter((name) => known.has(name) && this.alarms.state(name) === 'ALARM')
      .map((alarmName) => {
        const at = changed.get(alarmName);
        return { alarmName, ...(at !== undefined ? { since: new Date(at).toISOString() } : {}) };
      });
  }
}
