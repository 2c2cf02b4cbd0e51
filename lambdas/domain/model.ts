import type { ActionType, Cause, Guardrail, Mode, SecondaryFinding, Severity } from './vocabulary';

/** A stream as StreamMedic needs to see it, read from DescribeStreamSummary. */
export interface StreamState {
  readonly name: string;
  readonly arn?: string;
  /** AWS's StreamStatus; a value this version does not know is kept as it came (see aws-values.ts). */
  readonly status: string;
  readonly mode: string;
  readonly openShards: number;
  readonly retentionHours: number;
  /** Registered enhanced fan-out consumers. */
  readonly consumerCount?: number;
  /** Shard-level metrics enhanced monitoring publishes (`ALL` for every one); empty when it is off. */
  readonly shardLevelMetrics?: readonly string[];
}

/** A Managed Flink application as StreamMedic needs to see it, read from DescribeApplication. */
export interface AppState {
  readonly name: string;
  readonly arn?: string;
  readonly status: string;
  readonly versionId: number;
  /** The parallelism the job runs with now (the autoscaled value when the service changed it). */
  readonly parallelism: number;
  /** The configured parallelism, which built-in autoscaling never goes below. */
  readonly configuredParallelism: number;
  readonly parallelismPerKpu: number;
  readonly autoScalingEnabled: boolean;
  readonly snapshotsEnabled: boolean;
  readonly logLevel?: string;
  readonly metricsLevel?: string;
  /** RuntimeEnvironment, e.g. `FLINK-1_20`; decides which restart counter exists. */
  readonly runtime?: string;
  /** Whether Managed Flink rolls a failed update back by itself (system rollback). */
  readonly rollbackEnabled?: boolean;
}

export interface TargetRef {
  readonly name: string;
  readonly streamName?: string;
  readonly applicationName?: string;
}

export interface Evidence {
  readonly metric: string;
  readonly stat: string;
  readonly value: number;
  readonly threshold: number;
  readonly unit: string;
}

export interface Diagnosis {
  readonly cause: Cause;
  readonly severity: Severity;
  readonly confidence: number;
  readonly summary: string;
  readonly evidence: Evidence[];
  readonly secondary: SecondaryFinding[];
}

export interface UpdateShardCountAction {
  readonly type: 'UpdateShardCount';
  readonly streamName: string;
  readonly from: number;
  readonly to: number;
  /** Per-call targets, each within [ceil(prev/2), 2 * prev]; the last one is `to`. */
  readonly steps: number[];
}

export interface UpdateApplicationParallelismAction {
  readonly type: 'UpdateApplicationParallelism';
  readonly applicationName: string;
  readonly from: number;
  readonly to: number;
  readonly parallelismPerKpu: number;
  /** Set when the same update turns Managed Flink's own autoscaling off. */
  readonly autoScalingEnabled?: boolean;
  /** Set on a scale-up whose size holds a catch-up share above the steady size: a boost to take back off. */
  readonly boost?: Boost;
}

/**
 * The catch-up share of a scale-up: the job is sized for its input at the target utilisation
 * (`steady`) plus what drains the backlog in time; the part above `steady` is removed by a planned
 * scale-back once the backlog has drained (boost.ts).
 */
export interface Boost {
  /** The parallelism that carries the input at the target utilisation once the job has caught up. */
  readonly steady: number;
  /** ISO-8601 time by which the backlog is expected to have drained (the restart plus the catch-up time). */
  readonly drainedBy: string;
}

export interface UpdateApplicationMonitoringAction {
  readonly type: 'UpdateApplicationMonitoring';
  readonly applicationName: string;
  readonly logLevel: 'INFO' | 'WARN' | 'ERROR' | 'DEBUG';
  readonly metricsLevel: 'APPLICATION' | 'TASK' | 'OPERATOR' | 'PARALLELISM';
}

export interface IncreaseStreamRetentionAction {
  readonly type: 'IncreaseStreamRetention';
  readonly streamName: string;
  readonly fromHours: number;
  readonly toHours: number;
}

export type Action =
  | UpdateShardCountAction
  | UpdateApplicationParallelismAction
  | UpdateApplicationMonitoringAction
  | IncreaseStreamRetentionAction;

export interface Refusal {
  readonly action: Action;
  readonly guardrail: Guardrail;
  readonly reason: string;
}

export interface Plan {
  readonly mode: Mode;
  readonly apply: boolean;
  readonly actions: Action[];
  readonly refused: Refusal[];
  readonly recommendations: string[];
}

export interface Report {
  readonly target: TargetRef;
  readonly diagnosis: Diagnosis;
  readonly plan: Plan;
}

export type Direction = 'up' | 'down' | 'none';

/** One change StreamMedic made, as kept in the ledger; guardrails read these back. */
export interface LedgerEntry {
  /** ISO-8601 time the change was requested. */
  readonly at: string;
  readonly target: string;
  /** `stream/<name>` or `application/<name>`. */
  readonly resource: string;
  readonly actionType: ActionType;
  readonly direction: Direction;
  readonly from?: number;
  readonly to?: number;
  /** Changing API calls this entry made (an UpdateShardCount step is one call). */
  readonly calls: number;
  readonly executionId?: string;
  /**
   * `intent`: written before the changing call, saying what will be changed from what to what;
   * `result`: written after it (or by reconciliation), saying whether AWS made the change. Entries
   * without a phase are changes recorded whole (ledgers written before intents were kept).
   */
  readonly phase?: LedgerPhase;
  /** A parallelism scale-up's catch-up boost: the steady size it comes back to and when it is expected to drain. */
  readonly boost?: Boost;
  /** A result's answer: made, not made (AWS refused it), or unknown (the resource cannot tell). */
  readonly result?: ChangeResult;
  /** A result's intent: the `at` of the intent entry of the same execution it closes. */
  readonly intentAt?: string;
  /** An application intent's version: the one the update is made against, for reconciliation. */
  readonly applicationVersionId?: number;
  /** How a result is known: AWS's answer, the error AWS refused with, or what the description showed. */
  readonly detail?: string;
  /** `revert`: the change undoes one this run made that verification found harmful (revert.ts). */
  readonly kind?: LedgerEntryKind;
  /** An application parallelism change's KPUs: ceil(parallelism / parallelism per KPU) of the size it asks for. */
  readonly kpus?: number;
  /** A `not-made` result's AWS exception (e.g. `LimitExceededException`), when AWS refused the call. */
  readonly awsError?: string;
}

export const LEDGER_ENTRY_KINDS = ['revert'] as const;
export type LedgerEntryKind = (typeof LEDGER_ENTRY_KINDS)[number];

export const LEDGER_PHASES = ['intent', 'result'] as const;
export type LedgerPhase = (typeof LEDGER_PHASES)[number];
export const CHANGE_RESULTS = ['made', 'not-made', 'unknown'] as const;
export type ChangeResult = (typeof CHANGE_RESULTS)[number];

export function streamResource(name: string): string {
  return `stream/${name}`;
}

export function applicationResource(name: string): string {
  return `application/${name}`;
}

/** The resource an action changes, in ledger form. */
export function actionResource(action: Action): string {
  return 'streamName' in action ? streamResource(action.streamName) : applicationResource(action.applicationName);
}

/** Whether an action adds capacity, removes it, or neither. */
export function actionDirection(action: Action): Direction {
  switch (action.type) {
    case 'UpdateShardCount':
    case 'UpdateApplicationParallelism':
      if (action.to > action.from) return 'up';
      if (action.to < action.from) return 'down';
      // Same parallelism with fewer tasks per KPU buys more KPUs: capacity goes up.
      return action.type === 'UpdateApplicationParallelism' ? 'up' : 'none';
    // Retention and monitoring changes add or remove no processing capacity.
    case 'IncreaseStreamRetention':
    case 'UpdateApplicationMonitoring':
      return 'none';
  }
}

/** Changing API calls an action needs. */
export function actionCalls(action: Action): number {
  return action.type === 'UpdateShardCount' ? action.steps.length : 1;
}
