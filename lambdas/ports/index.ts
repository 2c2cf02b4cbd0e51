/**
 * The small interfaces the domain and the handler cores need. AWS SDK adapters implement them in
 * Lambda; in-memory fakes implement them in tests; the simulator implements them locally.
 */
import type {
  DescribeApplicationRecord,
  DescribeStreamSummaryRecord,
  GetMetricDataRecord,
  MetricDataQuery,
} from '../domain/aws-shapes';
import type { ApprovalEvent, ApprovalRequest } from '../domain/approval';
import type { ChatNotification } from '../domain/chat-notification';
import type { LedgerEntry } from '../domain/model';
import type { Pause, PauseEvent } from '../domain/pause';
import type { RefusalRecord } from '../domain/refusal-record';

export interface Clock {
  now(): Date;
}

export interface MetricDataRequest {
  readonly queries: readonly MetricDataQuery[];
  readonly startTime: Date;
  readonly endTime: Date;
}

export interface ListMetricsRequest {
  readonly namespace: string;
  readonly metricName?: string;
  /** Each filter matches metrics that have this dimension (with this value, when given). */
  readonly dimensions: readonly { readonly name: string; readonly value?: string }[];
}

export interface ListedMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** Reads CloudWatch metrics; returns the request and every response page, as a snapshot records them. */
export interface MetricsSource {
  getMetricData(request: MetricDataRequest): Promise<GetMetricDataRecord>;
  /**
   * CloudWatch ListMetrics, every page: the series that exist (had data in the last two weeks) with
   * their real dimensions, so GetMetricData can ask for each one.
   */
  listMetrics(request: ListMetricsRequest): Promise<ListedMetric[]>;
}

export interface StreamControl {
  describeStreamSummary(streamName: string): Promise<DescribeStreamSummaryRecord>;
  /** UpdateShardCount with UNIFORM_SCALING; one call, one step. */
  updateShardCount(streamName: string, targetShardCount: number): Promise<void>;
  increaseRetentionPeriod(streamName: string, retentionHours: number): Promise<void>;
}

export interface ParallelismUpdate {
  readonly applicationName: string;
  /** The version the plan was made against; a stale one fails with ConcurrentModificationException. */
  readonly currentApplicationVersionId: number;
  readonly parallelism: number;
  readonly parallelismPerKpu: number;
  readonly autoScalingEnabled?: boolean;
}

export interface MonitoringUpdate {
  readonly applicationName: string;
  readonly currentApplicationVersionId: number;
  readonly logLevel: string;
  readonly metricsLevel: string;
}

export interface ApplicationControl {
  describeApplication(applicationName: string): Promise<DescribeApplicationRecord>;
  updateParallelism(update: ParallelismUpdate): Promise<void>;
  updateMonitoring(update: MonitoringUpdate): Promise<void>;
  /**
   * RollbackApplication: back to the version that ran before the last update, restored from the
   * last snapshot; `currentApplicationVersionId` as for an update.
   */
  rollbackApplication(applicationName: string, currentApplicationVersionId: number): Promise<void>;
}

export interface NotificationMessage {
  /** Under 100 characters (SNS's limit for email subjects). */
  readonly subject: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** The same message as a chat custom notification; email and other subscribers get `body`. */
  readonly chat?: ChatNotification;
}

export interface Notifier {
  publish(message: NotificationMessage): Promise<void>;
}

export interface Ledger {
  record(entry: LedgerEntry): Promise<void>;
  /** Entries for a target at or after `sinceIso`, oldest first. */
  list(target: string, sinceIso: string): Promise<LedgerEntry[]>;
}

/**
 * What the guardrails refused, in the ledger table beside the changes but under a sort key prefix of
 * their own, so `Ledger.list` (what the guardrails count) never reads them.
 */
export interface RefusalLog {
  /** Keeps one run's refusals; a refusal the run kept already (a retried task) stays as it was. */
  record(refusals: readonly RefusalRecord[]): Promise<void>;
  /** The refusals of the target's runs started at or after `sinceIso`, oldest first. */
  list(target: string, sinceIso: string): Promise<RefusalRecord[]>;
}

export interface TargetLock {
  /** Takes the lock unless another live owner holds it; an expired lock may be taken. */
  acquire(target: string, owner: string, ttlSeconds: number): Promise<boolean>;
  /** Releases the lock if `owner` still holds it. */
  release(target: string, owner: string): Promise<void>;
  /** Who holds the lock now; undefined when nobody does or the holder's lease has expired. */
  ownerOf(target: string): Promise<string | undefined>;
}

/** Reads a workflow execution back from Step Functions. */
export interface ExecutionReader {
  /** The execution's input as it was started with (DescribeExecution `input`). */
  inputOf(executionArn: string): Promise<string>;
}

/** An alarm in ALARM, and since when (DescribeAlarms `StateTransitionedTimestamp`). */
export interface AlarmInAlarm {
  readonly alarmName: string;
  /** ISO time the alarm last changed state, when CloudWatch reports it. */
  readonly since?: string;
}

/** Reads the state of CloudWatch alarms (DescribeAlarms). */
export interface AlarmsSource {
  /** Those of the named alarms that are in ALARM now; names CloudWatch does not know are left out. */
  alarmsInAlarm(alarmNames: readonly string[]): Promise<AlarmInAlarm[]>;
}

/** Starts executions of the remediation workflow (Step Functions StartExecution). */
export interface ExecutionStarter {
  /** Starts one execution with `input`; `name` is unique per execution (Step Functions refuses a reused one). */
  start(input: unknown, name: string): Promise<{ readonly executionArn: string }>;
}

/** What a run told on-call about a target, kept so that a re-assessment telling the same says nothing. */
export interface Notice {
  readonly target: string;
  /** ISO time the message was published. */
  readonly at: string;
  readonly executionId: string;
  /** What the message said that matters: outcome, cause and plan (see domain/notice.ts). */
  readonly fingerprint: string;
  readonly subject: string;
}

/** The last notice per target, in the ledger table under a key prefix of its own. */
export interface NoticeLog {
  last(target: string): Promise<Notice | undefined>;
  remember(notice: Notice): Promise<void>;
}

/** A run the target's lock turned away because another run held it. */
export interface TurnedAwayRun {
  readonly target: string;
  /** ISO time the run was turned away. */
  readonly at: string;
  readonly executionId: string;
  /** What started it: an alarm's name, `sweep` or `manual`. */
  readonly trigger: string;
  /** The execution that held the lock, when it could be read. */
  readonly heldBy?: string;
  /** Why: the target's lock was held (`target-busy`, also when absent) or every fleet slot was (`fleet-busy`). */
  readonly reason?: TurnedAwayReason;
}

/** Why a run was turned away before it assessed anything. */
export type TurnedAwayReason = 'target-busy' | 'fleet-busy';

/** Records of turned-away runs, in the ledger table under a key prefix of their own. */
export interface TurnedAwayLog {
  record(run: TurnedAwayRun): Promise<void>;
}

/** The operators' kill switch (domain/pause.ts), as the assess and verify tasks read it. */
export interface PauseSwitch {
  /** The pauses set for the target and for every target (the fleet), whichever are set. */
  pausesFor(target: string): Promise<Pause[]>;
}

/** The kill switch as the pause and resume commands change it, with the history of its changes. */
export interface PauseControl extends PauseSwitch {
  /** Sets (or replaces) the pause of `pause.scope` and records the event. */
  pause(pause: Pause): Promise<void>;
  /**
   * Clears the scope's pause and records the event (with the caller's verified ARN, when known);
   * returns the pause it cleared, if one was set.
   */
  resume(scope: string, by: string, at: string, operatorArn?: string): Promise<Pause | undefined>;
  /** The pause and resume events of one scope at or after `sinceIso`, oldest first. */
  events(scope: string, sinceIso: string): Promise<PauseEvent[]>;
}

/** Approval requests (mode `approve`) as the workflow opens and closes them. */
export interface ApprovalRequests {
  /** Keeps the request where the approve and deny commands find it by target. */
  open(request: ApprovalRequest): Promise<void>;
  /**
   * Records how a request ended and withdraws it, if it is still the one waiting for its target: the
   * run's, and when `answeredToken` is given, the very request answered with that task token (the
   * run may have asked again since, with a new token).
   */
  close(event: ApprovalEvent, answeredToken?: string): Promise<void>;
}

/** Approval requests as the approve and deny commands find and decide them, with their history. */
export interface ApprovalDesk extends ApprovalRequests {
  /** The request waiting for a decision on the target, if any. */
  waiting(target: string): Promise<ApprovalRequest | undefined>;
  /** Decisions and timeouts of the target's requests at or after `sinceIso`, oldest first. */
  events(target: string, sinceIso: string): Promise<ApprovalEvent[]>;
}

/**
 * The fleet's run slots (config `fleet.maxConcurrentRuns`): at most `capacity` runs hold one at a
 * time across every target. A slot is a lease that expires by itself, so a run that dies frees it.
 */
/** A fleet slot a run holds: its index (0-based) decides the seconds the run's reads are paced to (api-pacing.ts). */
export interface HeldFleetSlot {
  readonly index: number;
}

export interface FleetSlots {
  /**
   * Takes a slot for `owner` unless `capacity` live runs hold one, and tells which; a slot `owner`
   * holds already is returned again. Undefined when every slot is held.
   */
  acquire(owner: string, capacity: number, ttlSeconds: number): Promise<HeldFleetSlot | undefined>;
  /** Frees the slot `owner` holds, if any; freeing twice is harmless. */
  release(owner: string): Promise<void>;
  /** The runs holding a live slot now. */
  holders(): Promise<string[]>;
}

/** One changing call of the fleet, recorded by the apply step for the fleet's budget (fleet.maxChangesPerHour). */
export interface FleetChange {
  /** ISO time of the step's first attempt (its first intent in the ledger). */
  readonly at: string;
  readonly target: string;
  readonly executionId: string;
  /** The step's index in the run's plan. */
  readonly step: number;
}

/** A change about to be made, as the apply step claims a fleet change slot for it. */
export interface FleetChangeClaim extends FleetChange {
  /** The run's round (1-based): the step index names a change of one round only. */
  readonly round: number;
}

/** The fleet's changes, every target, kept a few hours: what the `fleet-budget` guardrail counts. */
export interface FleetChangeLog {
  /** Records a change; recording the same one (same time, execution and step) again is harmless. */
  record(change: FleetChange): Promise<void>;
  /** The changes at or after `sinceIso`, every target, oldest first. */
  since(sinceIso: string): Promise<FleetChange[]>;
  /**
   * Takes one of `maxChangesPerHour` change slots for `change` (its `at` is the time of the claim),
   * atomically: only a slot nobody took in the hour before `at` is taken, so no more than
   * `maxChangesPerHour` claims succeed in any hour, however many runs claim at once. A slot this
   * execution's round and step took in that hour already (a retried step) is claimed again without
   * taking another. False when every slot was taken in the hour: the change must not be made.
   */
  claim(change: FleetChangeClaim, maxChangesPerHour: number): Promise<boolean>;
}
