import { AWS_LIMITS } from '../lambdas/domain/config';
import type { DescribeApplicationRecord } from '../lambdas/domain/aws-shapes';
import { effectiveParallelism } from '../lambdas/domain/key-groups';
import { applicationResource } from '../lambdas/domain/model';
import {
  ConcurrentModificationError,
  InvalidRequestError,
  mapAwsError,
  ResourceInUseError,
  type ErrorContext,
} from '../lambdas/ports/errors';
import { NOISE_CHANNEL, normalAt } from './random';
import type { LogCursor, StreamLog } from './stream-log';

export const LOG_LEVELS = ['INFO', 'WARN', 'ERROR', 'DEBUG'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const METRICS_LEVELS = ['APPLICATION', 'TASK', 'OPERATOR', 'PARALLELISM'] as const;
export type MetricsLevel = (typeof METRICS_LEVELS)[number];
export type AppStatus = 'RUNNING' | 'UPDATING' | 'AUTOSCALING' | 'ROLLING_BACK';
/**
 * The statuses RollbackApplication accepts
 * (https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_RollbackApplication.html).
 */
const ROLLBACK_STATUSES: ReadonlySet<AppStatus> = new Set(['UPDATING', 'AUTOSCALING', 'RUNNING']);
/**
 * Runtimes the simulator runs. FLINK-2_2 publishes numRestarts where earlier runtimes publish
 * fullRestarts (https://docs.aws.amazon.com/managed-flink/latest/java/metrics-dimensions.html).
 */
export const RUNTIME_ENVIRONMENTS = ['FLINK-1_15', 'FLINK-1_18', 'FLINK-1_19', 'FLINK-1_20', 'FLINK-2_2'] as const;
export type RuntimeEnvironment = (typeof RUNTIME_ENVIRONMENTS)[number];

/** Whether a runtime counts restarts in numRestarts (Flink 2.2 removed fullRestarts). */
export function countsNumRestarts(runtime: RuntimeEnvironment): boolean {
  return runtime === 'FLINK-2_2';
}
export type InitialPosition = 'LATEST' | 'TRIM_HORIZON';

/**
 * Share of processing capacity left at each log level: DEBUG logging formats and ships a line for
 * most records, which on a busy job costs about half its throughput.
 */
export const LOG_LEVEL_CAPACITY: Readonly<Record<LogLevel, number>> = { DEBUG: 0.45, INFO: 1, WARN: 1, ERROR: 1 };
/**
 * The same for metric levels: PARALLELISM reports every metric of every subtask, which AWS advises
 * only for troubleshooting; TASK adds a few series per task, too few to cost throughput.
 */
export const METRICS_LEVEL_CAPACITY: Readonly<Record<MetricsLevel, number>> = {
  APPLICATION: 1,
  TASK: 1,
  OPERATOR: 0.93,
  PARALLELISM: 0.8,
};

/** A KPU has 4 GB of memory, 3 GB of it JVM heap, shared by the subtasks it runs. */
export const HEAP_MB_PER_KPU = 3072;
/** Managed Flink's own autoscaling: CPU at or above this for `AUTOSCALE_UP_MINUTES` doubles parallelism. */
export const AUTOSCALE_UP_CPU = 75;
export const AUTOSCALE_UP_MINUTES = 15;
/** ... and under this for `AUTOSCALE_DOWN_MINUTES` halves it, never below the configured parallelism. */
export const AUTOSCALE_DOWN_CPU = 10;
export const AUTOSCALE_DOWN_MINUTES = 6 * 60;
/** Heap at which garbage collection starts to eat into processing. */
const GC_PRESSURE_FROM_PERCENT = 80;
/** Heap at which checkpoints fail (no room to snapshot state) and at which the JVM dies. */
const CHECKPOINT_FAIL_HEAP_PERCENT = 97;
const OOM_HEAP_PERCENT = 100;
/** How long a job takes to come back after a task failure or OutOfMemoryError (restart strategy plus redeploy). */
const FAILURE_RECOVERY_MS = 60_000;
/** How fast state is written to a checkpoint, per subtask. */
const CHECKPOINT_BYTES_PER_SECOND_PER_SUBTASK = 64 * 1024 * 1024;
/**
 * How fast a restarted job downloads its state from the snapshot, per subtask: RocksDB state is
 * fetched from durable storage and re-opened before the job processes anything (see docs/simulator.md).
 */
const RESTORE_BYTES_PER_SECOND_PER_SUBTASK = 32 * 1024 * 1024;
/** Provisioning and starting the TaskManagers of one KPU, on top of the fixed restart time. */
const START_MS_PER_KPU = 2_000;

export interface FlinkApplicationProps {
  readonly name: string;
  readonly parallelism: number;
  /** @default 1 */
  readonly parallelismPerKpu?: number;
  /** Managed Flink's own autoscaling. @default false */
  readonly autoScalingEnabled?: boolean;
  /** Records per second one subtask processes when it is busy all the time. */
  readonly recordsPerSecondPerSubtask: number;
  /**
   * Records per second one source subtask can read and deserialize; source subtasks beyond the shard
   * count read nothing.
   * @default 20000
   */
  readonly sourceRecordsPerSecondPerSubtask?: number;
  /**
   * Whether the heavy work is chained to the source (no keyBy or rebalance after it): then only as
   * many subtasks as there are shards do any work.
   * @default false
   */
  readonly chainedSource?: boolean;
  /**
   * The key groups of the job's keyed operator (its max parallelism) when the heavy work follows a
   * keyBy: the busiest subtask holds `ceil(keyGroups / parallelism)` of them and sets the pace. Unset:
   * the work is rebalanced evenly over the subtasks.
   */
  readonly keyGroups?: number;
  /** @default true */
  readonly snapshotsEnabled?: boolean;
  /** Where a job restarted without a snapshot starts reading. @default 'LATEST' */
  readonly initialPosition?: InitialPosition;
  /** @default 'INFO' */
  readonly logLevel?: LogLevel;
  /** @default 'APPLICATION' */
  readonly metricsLevel?: MetricsLevel;
  /**
   * Fixed part of how long an update keeps the job down after its snapshot; the restart also takes
   * 2 s per KPU and the state's download (see docs/simulator.md). @default 90
   */
  readonly restartSeconds?: number;
  /** @default 'FLINK-1_20' */
  readonly runtimeEnvironment?: RuntimeEnvironment;
  /** @default 60 */
  readonly checkpointIntervalSeconds?: number;
  /** Size of the job's state, bytes. @default 1 GiB */
  readonly stateBytes?: number;
  /** @default 0 */
  readonly stateGrowthBytesPerHour?: number;
  /** Heap used by each subtask with nothing leaking, in percent of its share of heap at the initial parallelism per KPU. @default 40 */
  readonly heapBasePercent?: number;
  /** The account's KPU quota for the application; the built-in autoscaler stops there. @default 64 */
  readonly maxKpu?: number;
  /** Container CPU with nothing to do. @default 4 */
  readonly cpuBasePercent?: number;
  /** @default 1 */
  readonly versionId?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly account?: string;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Seed of the CPU and heap noise. @default 1 */
  readonly seed?: number;
}

/** A configuration change that restarts the job when it lands. */
interface ConfigChange {
  parallelism?: number;
  /** Autoscaling changes only the running parallelism, not the configured one. */
  currentOnly?: boolean;
  parallelismPerKpu?: number;
  autoScalingEnabled?: boolean;
  logLevel?: LogLevel;
  metricsLevel?: MetricsLevel;
}

interface Transition {
  readonly kind: 'update' | 'autoscale' | 'rollback';
  readonly until: number;
  change: ConfigChange;
}

export interface CrashLoop {
  readonly from: number;
  readonly until?: number;
  /** How long each restarted job runs before it fails again. */
  readonly uptimeMs: number;
  /** How long each failure keeps the job down. */
  readonly recoveryMs: number;
}

/** What one step of processing looked like, for the gauges Managed Flink reports. */
export interface StepLoad {
  /** Records processed in the step. */
  readonly processed: number;
  /** Processing capacity in the step, records/s. */
  readonly capacity: number;
  /** Whether the sink, not the job, held processing back while records were waiting. */
  readonly sinkBound: boolean;
}

export interface AppGauges {
  readonly cpuPercent: number;
  readonly heapPercent: number;
  readonly busyMsPerSecond: number;
  readonly backPressuredMsPerSecond: number;
  readonly idleMsPerSecond: number;
  readonly recordsInPerSecond: number;
}

export interface AppEvent {
  readonly at: number;
  readonly message: string;
  /** Records a restart without a snapshot skipped (initial position LATEST): data never processed. */
  readonly skippedRecords?: number;
}

/**
 * A Managed Service for Apache Flink application: the control plane (version ids, RUNNING-only
 * updates, restarts from a snapshot, the built-in autoscaler) and the job's behaviour (capacity from
 * parallelism and per-subtask rate, busy / back-pressured / idle time, CPU, heap with an optional
 * leak, checkpoints, crash loops).
 */
export class FlinkApplicationModel {
  readonly name: string;
  readonly arn: string;
  private readonly account: string;
  private status: AppStatus = 'RUNNING';
  private versionId: number;
  private configuredParallelism: number;
  private parallelism: number;
  private perKpu: number;
  private autoScaling: boolean;
  private logLevel: LogLevel;
  private metricsLevel: MetricsLevel;
  readonly runtime: RuntimeEnvironment;
  private readonly snapshots: boolean;
  private readonly initialPosition: InitialPosition;
  private subtaskRate: number;
  private readonly sourceRate: number;
  private readonly chained: boolean;
  /** Key groups of the keyed operator; undefined when the work is not keyed. */
  readonly keyGroups: number | undefined;
  private readonly restartMs: number;
  private readonly checkpointIntervalMs: number;
  private stateBytes: number;
  private readonly stateGrowthPerHour: number;
  private readonly baseHeapMb: number;
  /** The heap share of a subtask at the initial parallelism per KPU: leak rates are quoted against it. */
  private readonly referenceHeapMb: number;
  private readonly maxKpu: number;
  private readonly cpuBase: number;
  private readonly createdAt: number;
  private lastUpdatedAt: number;
  private readonly seed: number;
  private transition: Transition | undefined;
  /**
   * What RollbackApplication goes back to: the configuration that ran before the last update, and
   * the source position of the snapshot that update took when it stopped the job.
   */
  private beforeLastUpdate: { readonly config: ConfigChange; readonly snapshotPosition: number } | undefined;
  private crashLoop: CrashLoop | undefined;
  /** Parallelism updates still to come that never finish (see failNextUpdates). */
  private updatesThatHang = 0;
  private leakMbPerHour = 0;
  private sourceLog: StreamLog | undefined;
  private cursor: LogCursor | undefined;
  // The running job.
  private jobStartedAt: number;
  private downSince: number | undefined;
  private downUntil: number | undefined;
  private fullRestarts = 0;
  /** Every stop and start of the job since the model was created: unlike fullRestarts, an update does not reset it. */
  private jobRestarts = 0;
  private failedCheckpoints = 0;
  private nextCheckpointAt: number;
  private lastCheckpointDurationMs: number | undefined;
  private lastCheckpointPosition = 0;
  private leakedMb = 0;
  private hasRead = false;
  private skippedRecords = 0;
  private lastLoad: { busy: number; backPressured: number; recordsPerSecond: number } = {
    busy: 0,
    backPressured: 0,
    recordsPerSecond: 0,
  };
  // Built-in autoscaling's clocks, in whole minutes.
  private highCpuMinutes = 0;
  private lowCpuMinutes = 0;

  constructor(props: FlinkApplicationProps) {
    this.name = props.name;
    const region = props.region ?? 'us-east-1';
    const account = props.account ?? '123456789012';
    this.account = account;
    this.arn = `arn:aws:kinesisanalytics:${region}:${account}:application/${props.name}`;
    this.versionId = props.versionId ?? 1;
    this.configuredParallelism = props.parallelism;
    this.parallelism = props.parallelism;
    this.perKpu = props.parallelismPerKpu ?? 1;
    this.autoScaling = props.autoScalingEnabled ?? false;
    this.logLevel = props.logLevel ?? 'INFO';
    this.metricsLevel = props.metricsLevel ?? 'APPLICATION';
    this.runtime = props.runtimeEnvironment ?? 'FLINK-1_20';
    this.snapshots = props.snapshotsEnabled ?? true;
    this.initialPosition = props.initialPosition ?? 'LATEST';
    this.subtaskRate = props.recordsPerSecondPerSubtask;
    this.sourceRate = props.sourceRecordsPerSecondPerSubtask ?? 20_000;
    this.chained = props.chainedSource ?? false;
    this.keyGroups = props.keyGroups;
    this.restartMs = (props.restartSeconds ?? 90) * 1000;
    this.checkpointIntervalMs = (props.checkpointIntervalSeconds ?? 60) * 1000;
    this.stateBytes = props.stateBytes ?? 1024 ** 3;
    this.stateGrowthPerHour = props.stateGrowthBytesPerHour ?? 0;
    this.referenceHeapMb = HEAP_MB_PER_KPU / this.perKpu;
    this.baseHeapMb = ((props.heapBasePercent ?? 40) / 100) * this.referenceHeapMb;
    this.maxKpu = props.maxKpu ?? 64;
    this.cpuBase = props.cpuBasePercent ?? 4;
    this.createdAt = props.createdAt;
    this.lastUpdatedAt = props.createdAt;
    this.seed = props.seed ?? 1;
    this.jobStartedAt = props.createdAt;
    this.nextCheckpointAt = props.createdAt + this.checkpointIntervalMs;
    const context = { action: 'constructor', resource: applicationResource(props.name) };
    requireRange('parallelism', this.parallelism, 1, AWS_LIMITS.maxParallelism, context);
    requireRange('parallelismPerKpu', this.perKpu, 1, AWS_LIMITS.maxParallelismPerKpu, context);
    if (!(this.subtaskRate > 0))
      throw new Error(`recordsPerSecondPerSubtask must be positive, got ${this.subtaskRate}`);
    if (this.keyGroups !== undefined) {
      requireRange('keyGroups', this.keyGroups, this.parallelism, AWS_LIMITS.maxJobParallelism, context);
      if (this.chained) throw new Error('keyGroups: work chained to the source is not keyed');
    }
  }

  /** Connects the job's Kinesis source: its position in the stream is this cursor. */
  attachSource(log: StreamLog, cursor: LogCursor): void {
    this.sourceLog = log;
    this.cursor = cursor;
    this.lastCheckpointPosition = cursor.position;
  }

  get currentStatus(): AppStatus {
    return this.status;
  }

  get currentVersionId(): number {
    return this.versionId;
  }

  get currentParallelism(): number {
    return this.parallelism;
  }

  get parallelismPerKpu(): number {
    return this.perKpu;
  }

  /** The parallelism RollbackApplication would go back to; undefined when there is no earlier version. */
  get versionBeforeLastUpdate(): { readonly parallelism: number; readonly parallelismPerKpu: number } | undefined {
    const config = this.beforeLastUpdate?.config;
    return config?.parallelism !== undefined && config.parallelismPerKpu !== undefined
      ? { parallelism: config.parallelism, parallelismPerKpu: config.parallelismPerKpu }
      : undefined;
  }

  get restarts(): number {
    return this.fullRestarts;
  }

  /** Times the job stopped and started again, in total: updates, autoscaling and failures. */
  get totalRestarts(): number {
    return this.jobRestarts;
  }

  /** The log and metrics levels in force. */
  get monitoring(): { readonly logLevel: LogLevel; readonly metricsLevel: MetricsLevel } {
    return { logLevel: this.logLevel, metricsLevel: this.metricsLevel };
  }

  /** KPUs running the job's subtasks. */
  get kpus(): number {
    return Math.ceil(this.parallelism / this.perKpu);
  }

  /** KPUs billed: the job's plus one for orchestration. */
  get billedKpus(): number {
    return this.kpus + 1;
  }

  /** Records a restart without a snapshot skipped, in total. */
  get recordsSkipped(): number {
    return this.skippedRecords;
  }

  /** Whether the job is running and processing (not updating, not down after a failure). */
  isProcessing(): boolean {
    return this.status === 'RUNNING' && this.downUntil === undefined;
  }

  /** Whether the job's JobManager is up and reporting (down after a failure counts; an update does not). */
  isReporting(): boolean {
    return this.status === 'RUNNING';
  }

  /** Whether the job has read from its source since it (re)started: until then millisBehindLatest is -1. */
  get hasReadSinceStart(): boolean {
    return this.hasRead;
  }

  /** Milliseconds the job has been down after a failure; 0 when running. */
  downtimeMs(now: number): number {
    return this.downSince === undefined ? 0 : Math.max(0, now - this.downSince);
  }

  heapPercent(now: number): number {
    const heapMb = HEAP_MB_PER_KPU / this.perKpu;
    const sawtooth = normalAt(this.seed, NOISE_CHANNEL.heap, Math.floor(now / 10_000)) * 1.5;
    return Math.max(1, ((this.baseHeapMb + this.leakedMb) / heapMb) * 100 + sawtooth);
  }

  /** 0 below 80% heap, rising to 1 at 100%: how much of the time garbage collection takes. */
  private gcPressure(now: number): number {
    return Math.min(
      1,
      Math.max(0, (this.heapPercent(now) - GC_PRESSURE_FROM_PERCENT) / (100 - GC_PRESSURE_FROM_PERCENT)),
    );
  }

  /**
   * Records per second the job can process now with `shards` shards in its source: the per-subtask
   * rate times the subtasks that get work, less the cost of verbose logging and metrics and of GC.
   */
  capacity(shards: number, now: number): number {
    if (this.stuckAt(now)) return 0;
    return Math.min(this.processingCapacity(shards, now), this.readingCapacity(shards));
  }

  /**
   * What the processing subtasks can do: per-subtask rate times working subtasks (for keyed work, as
   * many as the busiest subtask's share of the key groups allows), less logging, metrics and GC.
   */
  processingCapacity(shards: number, now: number): number {
    const working = this.chained
      ? Math.min(this.parallelism, shards)
      : effectiveParallelism(this.parallelism, this.keyGroups);
    return (
      this.subtaskRate *
      working *
      LOG_LEVEL_CAPACITY[this.logLevel] *
      METRICS_LEVEL_CAPACITY[this.metricsLevel] *
      (1 - 0.6 * this.gcPressure(now))
    );
  }

  /** What the source subtasks can read: one subtask per shard at most. */
  readingCapacity(shards: number): number {
    return this.sourceRate * Math.min(this.parallelism, shards);
  }

  /** Whether the job's source work is chained into the processing task (one task in the job graph). */
  get chainedSource(): boolean {
    return this.chained;
  }

  /**
   * A crash loop is a record or a dependency the job fails on every time: each run fails on it again
   * before it can checkpoint past it, so between restarts the job makes no progress.
   */
  private stuckAt(now: number): boolean {
    const loop = this.crashLoop;
    return loop !== undefined && now >= loop.from && (loop.until === undefined || now < loop.until);
  }

  // ---- control plane ------------------------------------------------------------------------

  describe(): DescribeApplicationRecord {
    return {
      ApplicationDetail: {
        ApplicationARN: this.arn,
        ApplicationName: this.name,
        RuntimeEnvironment: this.runtime,
        ServiceExecutionRole: `arn:aws:iam::${this.account}:role/${this.name}-service-role`,
        ApplicationStatus: this.status,
        ApplicationVersionId: this.versionId,
        ApplicationMode: 'STREAMING',
        CreateTimestamp: new Date(this.createdAt).toISOString(),
        LastUpdateTimestamp: new Date(this.lastUpdatedAt).toISOString(),
        ApplicationConfigurationDescription: {
          FlinkApplicationConfigurationDescription: {
            CheckpointConfigurationDescription: {
              ConfigurationType: 'DEFAULT',
              CheckpointingEnabled: true,
              CheckpointInterval: this.checkpointIntervalMs,
              MinPauseBetweenCheckpoints: 5000,
            },
            MonitoringConfigurationDescription: {
              ConfigurationType: 'CUSTOM',
              MetricsLevel: this.metricsLevel,
              LogLevel: this.logLevel,
            },
            ParallelismConfigurationDescription: {
              ConfigurationType: 'CUSTOM',
              Parallelism: this.configuredParallelism,
              ParallelismPerKPU: this.perKpu,
              CurrentParallelism: this.parallelism,
              AutoScalingEnabled: this.autoScaling,
            },
          },
          ApplicationSnapshotConfigurationDescription: { SnapshotsEnabled: this.snapshots },
        },
      },
    } as DescribeApplicationRecord;
  }

  /** UpdateApplication with a ParallelismConfigurationUpdate. */
  updateParallelism(
    update: {
      readonly currentApplicationVersionId: number;
      readonly parallelism: number;
      readonly parallelismPerKpu: number;
      readonly autoScalingEnabled?: boolean;
    },
    now: number,
  ): void {
    const context = { action: 'UpdateApplication', resource: applicationResource(this.name) };
    this.requireUpdatable(update.currentApplicationVersionId, context);
    requireRange('ParallelismUpdate', update.parallelism, 1, AWS_LIMITS.maxParallelism, context);
    requireRange('ParallelismPerKPUUpdate', update.parallelismPerKpu, 1, AWS_LIMITS.maxParallelismPerKpu, context);
    const kpus = Math.ceil(update.parallelism / update.parallelismPerKpu);
    if (kpus > this.maxKpu) {
      // As the SDK raises it, in the API reference's words: the limit itself is not in the answer.
      throw mapAwsError(
        Object.assign(new Error('The number of allowed resources has been exceeded.'), {
          name: 'LimitExceededException',
        }),
        context,
      );
    }
    this.startUpdate(
      {
        parallelism: update.parallelism,
        parallelismPerKpu: update.parallelismPerKpu,
        ...(update.autoScalingEnabled !== undefined ? { autoScalingEnabled: update.autoScalingEnabled } : {}),
      },
      now,
    );
    if (this.updatesThatHang > 0) {
      this.updatesThatHang -= 1;
      // The new configuration never starts and no system rollback takes it back: UPDATING until a rollback.
      this.transition = undefined;
    }
  }

  /** UpdateApplication with a MonitoringConfigurationUpdate; it restarts the job like any update. */
  updateMonitoring(
    update: { readonly currentApplicationVersionId: number; readonly logLevel: string; readonly metricsLevel: string },
    now: number,
  ): void {
    const context = { action: 'UpdateApplication', resource: applicationResource(this.name) };
    this.requireUpdatable(update.currentApplicationVersionId, context);
    if (!(LOG_LEVELS as readonly string[]).includes(update.logLevel)) {
      throw new InvalidRequestError(`LogLevelUpdate must be one of ${LOG_LEVELS.join(', ')}`, context, {
        awsErrorName: 'InvalidArgumentException',
      });
    }
    if (!(METRICS_LEVELS as readonly string[]).includes(update.metricsLevel)) {
      throw new InvalidRequestError(`MetricsLevelUpdate must be one of ${METRICS_LEVELS.join(', ')}`, context, {
        awsErrorName: 'InvalidArgumentException',
      });
    }
    this.startUpdate({ logLevel: update.logLevel as LogLevel, metricsLevel: update.metricsLevel as MetricsLevel }, now);
  }

  /**
   * A change someone else makes (a person in the console, a deployment pipeline): a new version and
   * a restart, as any update, without StreamMedic's version check.
   */
  externalUpdate(
    change: { logLevel?: LogLevel; metricsLevel?: MetricsLevel; parallelism?: number },
    now: number,
  ): void {
    if (this.transition) {
      Object.assign(this.transition.change, change);
      this.versionId += 1;
      return;
    }
    this.startUpdate(change, now);
  }

  /**
   * RollbackApplication: back to the version that ran before the last update, restored from the
   * snapshot that update took; the records processed since are read again. Refused without snapshots
   * and with no earlier version to go back to.
   */
  rollback(currentApplicationVersionId: number, now: number): void {
    const context = { action: 'RollbackApplication', resource: applicationResource(this.name) };
    if (!ROLLBACK_STATUSES.has(this.status)) {
      throw new ResourceInUseError(
        `Application ${this.name} is in ${this.status} state; a rollback needs UPDATING, AUTOSCALING or RUNNING`,
        context,
        { awsErrorName: 'ResourceInUseException' },
      );
    }
    if (currentApplicationVersionId !== this.versionId) {
      throw new ConcurrentModificationError(
        `CurrentApplicationVersionId ${currentApplicationVersionId} does not match the application's version ${this.versionId}`,
        context,
        { awsErrorName: 'ConcurrentModificationException' },
      );
    }
    const previous = this.beforeLastUpdate;
    if (!this.snapshots || !previous) {
      throw new InvalidRequestError(
        `Application ${this.name} has ${this.snapshots ? 'no earlier running version' : 'no snapshots'} to roll back to`,
        context,
        { awsErrorName: 'InvalidRequestException' },
      );
    }
    this.beforeLastUpdate = undefined;
    this.versionId += 1;
    this.lastUpdatedAt = now;
    this.status = 'ROLLING_BACK';
    this.stopJob();
    if (this.cursor && this.sourceLog) {
      this.sourceLog.seek(this.cursor, Math.max(previous.snapshotPosition, this.sourceLog.trimmed));
      this.lastCheckpointPosition = this.cursor.position;
    }
    this.transition = {
      kind: 'rollback',
      until: now + this.stopAndRestartMs(previous.config),
      change: previous.config,
    };
  }

  /** Someone else changed the application (a new version) without restarting it: a tag or description edit. */
  bumpVersion(now: number): void {
    this.versionId += 1;
    this.lastUpdatedAt = now;
  }

  // ---- faults -------------------------------------------------------------------------------

  setSubtaskRate(recordsPerSecond: number): void {
    this.subtaskRate = recordsPerSecond;
  }

  /** Starts a leak of `percentPerHour` of a subtask's heap share (at the initial parallelism per KPU). */
  startLeak(percentPerHour: number): void {
    this.leakMbPerHour = (percentPerHour / 100) * this.referenceHeapMb;
  }

  /**
   * The next `count` parallelism updates hang: the application stays UPDATING, its job down, until
   * someone rolls it back (a configuration the job cannot start with, system rollback off).
   */
  failNextUpdates(count: number): void {
    this.updatesThatHang = count;
  }

  setCrashLoop(crashLoop: CrashLoop | undefined): void {
    this.crashLoop = crashLoop;
  }

  // ---- time ---------------------------------------------------------------------------------

  /** The next instant the application's state changes by itself, so the world can step exactly there. */
  nextTransition(now: number): number | undefined {
    const candidates: number[] = [];
    if (this.transition) candidates.push(this.transition.until);
    if (this.downUntil !== undefined) candidates.push(this.downUntil);
    const crash = this.nextCrashAt();
    if (crash !== undefined && crash > now) candidates.push(crash);
    return candidates.length > 0 ? Math.min(...candidates) : undefined;
  }

  /** Applies what is due at `now`: the end of an update or a failure, or the next crash of a crash loop. */
  advanceTo(now: number): AppEvent[] {
    const events: AppEvent[] = [];
    if (this.transition && this.transition.until <= now) events.push(this.finishTransition(this.transition));
    if (this.downUntil !== undefined && this.downUntil <= now && this.status === 'RUNNING') {
      events.push({ at: this.downUntil, message: `application ${this.name} job recovered after a failure` });
      this.jobStartedAt = this.downUntil;
      this.nextCheckpointAt = this.downUntil + this.checkpointIntervalMs;
      this.downSince = undefined;
      this.downUntil = undefined;
      this.hasRead = false;
    }
    const crash = this.nextCrashAt();
    if (crash !== undefined && crash <= now && this.isProcessing()) {
      events.push(this.fail(crash, 'the job failed with an exception (crash loop)', false));
    }
    return events;
  }

  /**
   * Accounts for one step of processing: heap, state and checkpoints move on, and the gauges the
   * step produced are returned (undefined while the job is not processing).
   */
  step(load: StepLoad, t: number, dtSeconds: number): { gauges?: AppGauges; events: AppEvent[] } {
    const events: AppEvent[] = [];
    if (!this.isProcessing()) return { events };
    const end = t + dtSeconds * 1000;
    const possible = load.capacity * dtSeconds;
    const busy = possible > 0 ? Math.min(1, load.processed / possible) : 0;
    const backPressured = load.sinkBound ? Math.max(0, 1 - busy) : 0;
    const recordsPerSecond = dtSeconds > 0 ? load.processed / dtSeconds : 0;
    this.lastLoad = { busy, backPressured, recordsPerSecond };
    // A job stuck on a record has fetched it: the source reports how far behind the fetch is.
    if (load.processed > 0 || this.stuckAt(t)) this.hasRead = true;
    this.leakedMb += (this.leakMbPerHour * dtSeconds) / 3600;
    this.stateBytes += (this.stateGrowthPerHour * dtSeconds) / 3600;
    while (this.nextCheckpointAt <= end) {
      this.checkpoint(this.nextCheckpointAt, backPressured);
      this.nextCheckpointAt += this.checkpointIntervalMs;
    }
    const gauges = this.gauges(end);
    if (this.heapPercent(end) >= OOM_HEAP_PERCENT) {
      events.push(this.fail(end, 'a TaskManager ran out of heap (OutOfMemoryError)', true));
    }
    return { gauges, events };
  }

  /** The gauges of the last step, as Managed Flink reports them. */
  gauges(now: number): AppGauges {
    const { busy, backPressured, recordsPerSecond } = this.lastLoad;
    const gc = this.gcPressure(now);
    const noise = normalAt(this.seed, NOISE_CHANNEL.cpu, Math.floor(now / 10_000)) * 1.5;
    const cpu = Math.min(100, Math.max(0, this.cpuBase + (95 - this.cpuBase) * busy + 15 * gc + noise));
    return {
      cpuPercent: cpu,
      heapPercent: Math.min(100, this.heapPercent(now)),
      busyMsPerSecond: busy * 1000,
      backPressuredMsPerSecond: backPressured * 1000,
      idleMsPerSecond: Math.max(0, 1 - busy - backPressured) * 1000,
      recordsInPerSecond: recordsPerSecond,
    };
  }

  /** Container CPU while the job is down after a failure: the containers are up, idle. */
  downCpuPercent(): number {
    return this.cpuBase / 2;
  }

  get checkpointDurationMs(): number | undefined {
    return this.lastCheckpointDurationMs;
  }

  get checkpointSizeBytes(): number {
    return this.stateBytes;
  }

  get failedCheckpointCount(): number {
    return this.failedCheckpoints;
  }

  /**
   * The built-in autoscaler, once a minute, on the minute's average container CPU: 15 minutes at or
   * above 75% doubles parallelism (up to the KPU quota); six hours under 10% halves it, never below
   * the configured parallelism.
   */
  evaluateAutoscaling(minuteEnd: number, averageCpu: number | undefined): AppEvent[] {
    if (!this.autoScaling || this.status !== 'RUNNING' || averageCpu === undefined) {
      this.highCpuMinutes = 0;
      this.lowCpuMinutes = 0;
      return [];
    }
    this.highCpuMinutes = averageCpu >= AUTOSCALE_UP_CPU ? this.highCpuMinutes + 1 : 0;
    this.lowCpuMinutes = averageCpu < AUTOSCALE_DOWN_CPU ? this.lowCpuMinutes + 1 : 0;
    const ceiling = Math.min(AWS_LIMITS.maxParallelism, this.maxKpu * this.perKpu);
    if (this.highCpuMinutes >= AUTOSCALE_UP_MINUTES && this.parallelism < ceiling) {
      const to = Math.min(ceiling, this.parallelism * 2);
      this.highCpuMinutes = 0;
      return [this.startAutoscale(to, minuteEnd)];
    }
    if (this.lowCpuMinutes >= AUTOSCALE_DOWN_MINUTES && this.parallelism > this.configuredParallelism) {
      const to = Math.max(this.configuredParallelism, Math.ceil(this.parallelism / 2));
      this.lowCpuMinutes = 0;
      return [this.startAutoscale(to, minuteEnd)];
    }
    return [];
  }

  // ---- internals ----------------------------------------------------------------------------

  private requireUpdatable(versionId: number, context: ErrorContext): void {
    if (this.status !== 'RUNNING') {
      throw new ResourceInUseError(`Application ${this.name} is in ${this.status} state; it must be RUNNING`, context, {
        awsErrorName: 'ResourceInUseException',
      });
    }
    if (versionId !== this.versionId) {
      throw new ConcurrentModificationError(
        `CurrentApplicationVersionId ${versionId} does not match the application's version ${this.versionId}`,
        context,
        { awsErrorName: 'ConcurrentModificationException' },
      );
    }
  }

  private startUpdate(change: ConfigChange, now: number): void {
    const running: ConfigChange = {
      parallelism: this.configuredParallelism,
      parallelismPerKpu: this.perKpu,
      autoScalingEnabled: this.autoScaling,
      logLevel: this.logLevel,
      metricsLevel: this.metricsLevel,
    };
    this.versionId += 1;
    this.lastUpdatedAt = now;
    this.status = 'UPDATING';
    this.transition = { kind: 'update', until: now + this.stopAndRestartMs(change), change };
    this.stopJob();
    this.beforeLastUpdate = { config: running, snapshotPosition: this.lastCheckpointPosition };
  }

  private startAutoscale(to: number, now: number): AppEvent {
    const from = this.parallelism;
    this.versionId += 1;
    this.lastUpdatedAt = now;
    this.status = 'AUTOSCALING';
    const change = { parallelism: to, currentOnly: true };
    this.transition = { kind: 'autoscale', until: now + this.stopAndRestartMs(change), change };
    this.stopJob();
    return { at: now, message: `application ${this.name} autoscaling ${from} -> ${to} (Managed Flink's own rule)` };
  }

  /**
   * A snapshot (as long as a checkpoint takes), then the new cluster: a fixed start, the TaskManagers
   * of each KPU, and the state's download by every subtask (see docs/simulator.md).
   */
  private stopAndRestartMs(change: ConfigChange): number {
    const parallelism = change.parallelism ?? this.parallelism;
    const kpus = Math.ceil(parallelism / (change.parallelismPerKpu ?? this.perKpu));
    const snapshot = this.snapshots ? (this.lastCheckpointDurationMs ?? 1000) : 0;
    const restore = this.snapshots
      ? (this.stateBytes / (RESTORE_BYTES_PER_SECOND_PER_SUBTASK * parallelism)) * 1000
      : 0;
    return snapshot + this.restartMs + START_MS_PER_KPU * kpus + restore;
  }

  private stopJob(): void {
    this.downSince = undefined;
    this.downUntil = undefined;
    this.lastLoad = { busy: 0, backPressured: 0, recordsPerSecond: 0 };
    // A planned stop ends with a snapshot at the current position.
    if (this.cursor) this.lastCheckpointPosition = this.cursor.position;
    this.nextCheckpointAt = Number.POSITIVE_INFINITY;
  }

  private finishTransition(transition: Transition): AppEvent {
    const change = transition.change;
    const before = {
      parallelism: this.parallelism,
      perKpu: this.perKpu,
      log: this.logLevel,
      metrics: this.metricsLevel,
    };
    if (change.parallelism !== undefined) {
      this.parallelism = change.parallelism;
      if (!change.currentOnly) this.configuredParallelism = change.parallelism;
    }
    if (change.parallelismPerKpu !== undefined) this.perKpu = change.parallelismPerKpu;
    if (change.autoScalingEnabled !== undefined) this.autoScaling = change.autoScalingEnabled;
    if (change.logLevel !== undefined) this.logLevel = change.logLevel;
    if (change.metricsLevel !== undefined) this.metricsLevel = change.metricsLevel;
    this.transition = undefined;
    this.status = 'RUNNING';
    this.jobRestarts += 1;
    // A new job: its counters start again, and the JVMs (and any leak) are fresh.
    this.jobStartedAt = transition.until;
    this.fullRestarts = 0;
    this.failedCheckpoints = 0;
    this.leakedMb = 0;
    this.hasRead = false;
    this.highCpuMinutes = 0;
    this.lowCpuMinutes = 0;
    this.nextCheckpointAt = transition.until + this.checkpointIntervalMs;
    let skipped = 0;
    let restored = 'restored from a snapshot';
    if (!this.snapshots && this.cursor && this.sourceLog) {
      // No snapshot: the state is gone and the source starts from its configured initial position.
      this.stateBytes = Math.min(this.stateBytes, 64 * 1024 * 1024);
      if (this.initialPosition === 'LATEST') {
        skipped = this.sourceLog.backlog(this.cursor);
        this.sourceLog.seek(this.cursor, this.sourceLog.totalWritten);
        this.skippedRecords += skipped;
        restored = `started without state from LATEST, skipping ${Math.round(skipped)} unread records`;
      } else {
        this.sourceLog.seek(this.cursor, this.sourceLog.trimmed);
        restored = 'started without state from TRIM_HORIZON, reprocessing the stream';
      }
    }
    const changes: string[] = [];
    if (this.parallelism !== before.parallelism)
      changes.push(`parallelism ${before.parallelism} -> ${this.parallelism}`);
    if (this.perKpu !== before.perKpu) changes.push(`parallelism per KPU ${before.perKpu} -> ${this.perKpu}`);
    if (this.logLevel !== before.log) changes.push(`log level ${before.log} -> ${this.logLevel}`);
    if (this.metricsLevel !== before.metrics) changes.push(`metrics level ${before.metrics} -> ${this.metricsLevel}`);
    return {
      at: transition.until,
      message: `application ${this.name} RUNNING again (${changes.join(', ') || 'no change'}), ${restored}`,
      ...(skipped > 0 ? { skippedRecords: skipped } : {}),
    };
  }

  private checkpoint(at: number, backPressured: number): void {
    if (this.heapPercent(at) >= CHECKPOINT_FAIL_HEAP_PERCENT) {
      this.failedCheckpoints += 1;
      return;
    }
    const transfer = (this.stateBytes / (CHECKPOINT_BYTES_PER_SECOND_PER_SUBTASK * this.parallelism)) * 1000;
    // Barriers queue behind back-pressured buffers, and GC pauses stretch everything.
    const alignment = backPressured * 20_000;
    const jitter = 1 + 0.1 * normalAt(this.seed, NOISE_CHANNEL.checkpoint, Math.floor(at / 1000));
    this.lastCheckpointDurationMs = Math.max(
      100,
      (300 + transfer + alignment) * (1 + 5 * this.gcPressure(at)) * jitter,
    );
    if (this.cursor) this.lastCheckpointPosition = this.cursor.position;
  }

  private nextCrashAt(): number | undefined {
    const loop = this.crashLoop;
    if (!loop || !this.isProcessing()) return undefined;
    const at = Math.max(loop.from, this.jobStartedAt + loop.uptimeMs);
    if (loop.until !== undefined && at >= loop.until) return undefined;
    return at;
  }

  /** A failure: the job restarts from its last checkpoint after a recovery time; fullRestarts counts it. */
  private fail(at: number, reason: string, outOfMemory: boolean): AppEvent {
    this.fullRestarts += 1;
    this.jobRestarts += 1;
    this.downSince = at;
    this.downUntil = at + (outOfMemory || !this.crashLoop ? FAILURE_RECOVERY_MS : this.crashLoop.recoveryMs);
    this.lastLoad = { busy: 0, backPressured: 0, recordsPerSecond: 0 };
    if (outOfMemory) this.leakedMb = 0;
    let rewound = 0;
    if (this.cursor && this.sourceLog) {
      rewound = Math.max(0, this.cursor.position - this.lastCheckpointPosition);
      this.sourceLog.seek(this.cursor, this.lastCheckpointPosition);
    }
    return {
      at,
      message: `application ${this.name}: ${reason}; restart ${this.fullRestarts}, rewinding ${Math.round(rewound)} records to the last checkpoint`,
    };
  }
}

function requireRange(field: string, value: number, min: number, max: number, context: ErrorContext): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidRequestError(`${field} must be an integer from ${min} to ${max}, got ${value}`, context, {
      awsErrorName: 'InvalidArgumentException',
    });
  }
}
