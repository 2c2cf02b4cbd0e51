import { AWS_LIMITS } from '../lambdas/domain/config';
import type { DescribeStreamSummaryRecord } from '../lambdas/domain/aws-shapes';
import { streamResource } from '../lambdas/domain/model';
import {
  InvalidRequestError,
  LimitExceededError,
  ResourceInUseError,
  ResourceNotFoundError,
  type ErrorContext,
} from '../lambdas/ports/errors';
import { StreamLog } from './stream-log';

/** Kinesis's floor for a stream's retention period, in hours. */
export const MIN_RETENTION_HOURS = 24;
/** Records and bytes one GetRecords call may return. */
export const MAX_RECORDS_PER_GET_RECORDS = 10_000;
/** An on-demand stream starts with the write capacity of four shards. */
export const ON_DEMAND_MIN_SHARDS = 4;

const DAY_MS = 24 * 60 * 60 * 1000;
const RETENTION_UPDATE_MS = 30_000;

export type StreamMode = 'PROVISIONED' | 'ON_DEMAND';
/**
 * The shard-level metrics enhanced monitoring can turn on, and `ALL`
 * (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_EnhancedMetrics.html).
 */
export const SHARD_LEVEL_METRICS = [
  'IncomingBytes',
  'IncomingRecords',
  'OutgoingBytes',
  'OutgoingRecords',
  'WriteProvisionedThroughputExceeded',
  'ReadProvisionedThroughputExceeded',
  'IteratorAgeMilliseconds',
  'ALL',
] as const;
export type ShardLevelMetric = (typeof SHARD_LEVEL_METRICS)[number];
export type StreamStatus = 'ACTIVE' | 'UPDATING';

export interface KinesisStreamProps {
  readonly name: string;
  /** @default 'PROVISIONED' */
  readonly mode?: StreamMode;
  /**
   * Open shards of a provisioned stream (an on-demand stream sizes itself).
   * @default 4
   */
  readonly shards?: number;
  /** @default 24 */
  readonly retentionHours?: number;
  /** Shard-level metrics turned on with EnableEnhancedMonitoring. @default none */
  readonly enhancedMonitoring?: readonly ShardLevelMetric[];
  /**
   * Fixed part of how long `UpdateShardCount` keeps the stream `UPDATING`.
   * @default 120
   */
  readonly reshardBaseSeconds?: number;
  /**
   * Added per shard created or closed; doubled for targets that are not a multiple of 25% of the
   * current count, which AWS reshards more slowly.
   * @default 6
   */
  readonly reshardSecondsPerShard?: number;
  /**
   * The highest write rate (bytes/s) an on-demand stream has seen before the simulation; it accepts
   * up to twice its previous peak.
   * @default half the write capacity of four shards
   */
  readonly onDemandPeakBytesPerSecond?: number;
  /** @default half the write capacity of four shards */
  readonly onDemandPeakRecordsPerSecond?: number;
  /**
   * How long a new peak takes to raise an on-demand stream's capacity (AWS: within 15 minutes).
   * @default 15
   */
  readonly onDemandAdaptMinutes?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly account?: string;
  /** When the stream was created, epoch ms. */
  readonly createdAt: number;
}

/** What producers tried to write in one step. */
export interface WriteDemand {
  readonly records: number;
  readonly bytes: number;
  /** Share of the records on the hottest partition key (all on one shard). */
  readonly hotKeyShare: number;
}

/** What the shards of one class (the hot shard, or each of the others) accepted and refused in a step. */
export interface ShardClassWrite {
  /** Shards in the class. */
  readonly count: number;
  /** Per shard of the class. */
  readonly acceptedRecords: number;
  readonly acceptedBytes: number;
  readonly throttledRecords: number;
}

export interface WriteResult {
  /** Per class of shards, hot shard first; empty for an on-demand stream (it has no shard-level view here). */
  readonly shardClasses: readonly ShardClassWrite[];
  readonly acceptedRecords: number;
  readonly acceptedBytes: number;
  /** Records refused with ProvisionedThroughputExceeded. */
  readonly throttledRecords: number;
  /** The stream's write capacity in this step, records/s and bytes/s (for reports). */
  readonly capacityRecordsPerSecond: number;
  readonly capacityBytesPerSecond: number;
}

/** One reader's wish for a step. */
export interface ReadDemand {
  readonly id: string;
  /** Enhanced fan-out: a dedicated 2 MiB/s per shard and no GetRecords calls. */
  readonly efo: boolean;
  /** GetRecords calls per second per shard the reader makes (polling readers only). */
  readonly callsPerSecond: number;
  /** Records per second the reader would take if the stream allowed it. */
  readonly recordsPerSecond: number;
  readonly bytesPerRecord: number;
  /**
   * Shards the reader can read from now: after a reshard its backlog stays in the parent shards,
   * which it reads before their children. @default the open shards
   */
  readonly shards?: number;
}

export interface ReadAllocation {
  readonly id: string;
  /** Records per second the stream lets this reader have. */
  readonly recordsPerSecond: number;
  /** GetRecords calls per second refused with ProvisionedThroughputExceeded (summed over shards). */
  readonly throttledCallsPerSecond: number;
  /** GetRecords calls per second made (summed over shards); 0 for enhanced fan-out. */
  readonly callsPerSecond: number;
}

interface ShardClass {
  /** Shards in the class. */
  readonly count: number;
  /** Share of the stream's records each shard of the class receives. */
  readonly share: number;
}

interface PendingUpdate {
  readonly kind: 'reshard' | 'retention';
  readonly until: number;
  readonly shards?: number;
}

/** An event the stream reports to the world's timeline. */
export interface StreamEvent {
  readonly at: number;
  readonly message: string;
}

/**
 * A Kinesis data stream: the control plane's rules (UPDATING, the 2x / half rule, 10 reshards per
 * rolling day, 10,000 shards, on-demand streams refusing to reshard) and the data plane's limits
 * (1 MiB/s and 1,000 records/s of writes per shard, 2 MiB/s and 5 GetRecords calls/s of shared reads,
 * 2 MiB/s per enhanced fan-out consumer), with retention trimming unread records.
 */
export class KinesisStreamModel {
  readonly name: string;
  readonly arn: string;
  readonly mode: StreamMode;
  readonly log = new StreamLog();
  private shards: number;
  private retentionHours: number;
  private status: StreamStatus = 'ACTIVE';
  private pending: PendingUpdate | undefined;
  private deleted = false;
  private readonly reshardCalls: number[] = [];
  private readonly reshardBaseMs: number;
  private readonly reshardPerShardMs: number;
  private readonly createdAt: number;
  private hotKeyShare = 0;
  private consumerCount = 0;
  private readonly enhanced: readonly ShardLevelMetric[];
  /** Shard ids are numbered across generations: a reshard closes the open shards and opens new ones. */
  private firstShardNumber = 0;
  // On-demand capacity follows the peak seen `adaptMs` ago: peaks wait in a queue until then.
  private peakBytes: number;
  private peakRecords: number;
  private readonly adaptMs: number;
  private readonly pendingPeaks: { at: number; bytes: number; records: number }[] = [];
  private minuteAcceptedBytes = 0;
  private minuteAcceptedRecords = 0;

  constructor(props: KinesisStreamProps) {
    this.name = props.name;
    this.mode = props.mode ?? 'PROVISIONED';
    const region = props.region ?? 'us-east-1';
    const account = props.account ?? '123456789012';
    this.arn = `arn:aws:kinesis:${region}:${account}:stream/${props.name}`;
    this.shards = this.mode === 'ON_DEMAND' ? ON_DEMAND_MIN_SHARDS : (props.shards ?? 4);
    this.retentionHours = props.retentionHours ?? 24;
    this.enhanced = [...(props.enhancedMonitoring ?? [])];
    this.reshardBaseMs = (props.reshardBaseSeconds ?? 120) * 1000;
    this.reshardPerShardMs = (props.reshardSecondsPerShard ?? 6) * 1000;
    this.createdAt = props.createdAt;
    this.peakBytes =
      props.onDemandPeakBytesPerSecond ?? (ON_DEMAND_MIN_SHARDS * AWS_LIMITS.shardWriteBytesPerSecond) / 2;
    this.peakRecords =
      props.onDemandPeakRecordsPerSecond ?? (ON_DEMAND_MIN_SHARDS * AWS_LIMITS.shardWriteRecordsPerSecond) / 2;
    this.adaptMs = (props.onDemandAdaptMinutes ?? 15) * 60_000;
    if (!Number.isInteger(this.shards) || this.shards < 1 || this.shards > AWS_LIMITS.maxShardsPerStream) {
      throw new Error(`shards must be an integer from 1 to ${AWS_LIMITS.maxShardsPerStream}, got ${props.shards}`);
    }
    this.log.markShards(0, this.shards);
    if (
      !Number.isInteger(this.retentionHours) ||
      this.retentionHours < MIN_RETENTION_HOURS ||
      this.retentionHours > AWS_LIMITS.maxRetentionHours
    ) {
      throw new Error(
        `retentionHours must be an integer from ${MIN_RETENTION_HOURS} to ${AWS_LIMITS.maxRetentionHours}, got ${props.retentionHours}`,
      );
    }
  }

  get isDeleted(): boolean {
    return this.deleted;
  }

  get openShards(): number {
    return this.mode === 'ON_DEMAND' ? this.onDemandShards() : this.shards;
  }

  get currentStatus(): StreamStatus {
    return this.status;
  }

  get retentionMs(): number {
    return this.retentionHours * 3_600_000;
  }

  get retention(): number {
    return this.retentionHours;
  }

  /** Whether enhanced monitoring publishes any shard-level metric. */
  get hasShardLevelMetrics(): boolean {
    return this.enhanced.length > 0;
  }

  /** Whether enhanced monitoring publishes this shard-level metric. */
  publishesShardMetric(metric: Exclude<ShardLevelMetric, 'ALL'>): boolean {
    return this.enhanced.includes('ALL') || this.enhanced.includes(metric);
  }

  /** The ids of the open shards, as Kinesis names them (`shardId-000000000004`). */
  openShardIds(): string[] {
    return Array.from(
      { length: this.openShards },
      (_, i) => `shardId-${String(this.firstShardNumber + i).padStart(12, '0')}`,
    );
  }

  /**
   * The shards a reader at this position reads from: records written before a reshard completed stay
   * in the parent shards, and a reader finishes a parent before it reads the children.
   */
  readableShards(position: number): number {
    return this.mode === 'ON_DEMAND' ? this.openShards : this.log.shardsAt(position);
  }

  /** Consumers registered for enhanced fan-out (reported as ConsumerCount). */
  setConsumerCount(count: number): void {
    this.consumerCount = count;
  }

  // ---- control plane ------------------------------------------------------------------------

  describe(): DescribeStreamSummaryRecord {
    this.requireExists({ action: 'DescribeStreamSummary', resource: streamResource(this.name) });
    return {
      StreamDescriptionSummary: {
        StreamName: this.name,
        StreamARN: this.arn,
        StreamStatus: this.status,
        StreamModeDetails: { StreamMode: this.mode },
        RetentionPeriodHours: this.retentionHours,
        StreamCreationTimestamp: new Date(this.createdAt).toISOString(),
        EnhancedMonitoring: [{ ShardLevelMetrics: [...this.enhanced] }],
        EncryptionType: 'NONE',
        OpenShardCount: this.openShards,
        ConsumerCount: this.consumerCount,
      },
    } as DescribeStreamSummaryRecord;
  }

  /** UpdateShardCount with UNIFORM_SCALING, under the rules AWS enforces. */
  updateShardCount(target: number, now: number): void {
    const context = { action: 'UpdateShardCount', resource: streamResource(this.name) };
    this.requireExists(context);
    if (this.mode === 'ON_DEMAND') {
      throw new InvalidRequestError('UpdateShardCount is not supported for streams in ON_DEMAND mode', context, {
        awsErrorName: 'ValidationException',
      });
    }
    if (this.status !== 'ACTIVE') {
      throw new ResourceInUseError(`stream ${this.name} is ${this.status}, not ACTIVE`, context, {
        awsErrorName: 'ResourceInUseException',
      });
    }
    if (!Number.isInteger(target) || target < 1) {
      throw new InvalidRequestError(`TargetShardCount must be a positive integer, got ${target}`, context, {
        awsErrorName: 'InvalidArgumentException',
      });
    }
    if (target === this.shards) {
      throw new InvalidRequestError(`stream ${this.name} already has ${target} shards`, context, {
        awsErrorName: 'InvalidArgumentException',
      });
    }
    const most = this.shards * 2;
    const least = Math.ceil(this.shards / 2);
    if (target > most || target < least) {
      throw new LimitExceededError(
        `TargetShardCount ${target} is outside [${least}, ${most}]: one call may at most double or halve ${this.shards} shards`,
        context,
        { awsErrorName: 'LimitExceededException' },
      );
    }
    if (target > AWS_LIMITS.maxShardsPerStream) {
      throw new LimitExceededError(
        `TargetShardCount ${target} exceeds the ${AWS_LIMITS.maxShardsPerStream} shard limit`,
        context,
        { awsErrorName: 'LimitExceededException' },
      );
    }
    const recent = this.reshardCalls.filter((at) => at > now - DAY_MS);
    if (recent.length >= AWS_LIMITS.shardUpdatesPerDay) {
      throw new LimitExceededError(
        `stream ${this.name} was rescaled ${recent.length} times in the last 24 hours; the limit is ${AWS_LIMITS.shardUpdatesPerDay}`,
        context,
        { awsErrorName: 'LimitExceededException' },
      );
    }
    this.reshardCalls.push(now);
    this.status = 'UPDATING';
    this.pending = { kind: 'reshard', until: now + this.reshardDurationMs(this.shards, target), shards: target };
  }

  /** How long a reshard from `from` to `to` shards keeps the stream UPDATING. */
  reshardDurationMs(from: number, to: number): number {
    const quarterMultiple = (to * 4) % from === 0;
    return this.reshardBaseMs + this.reshardPerShardMs * Math.abs(to - from) * (quarterMultiple ? 1 : 2);
  }

  increaseRetention(hours: number, now: number): void {
    const context = { action: 'IncreaseStreamRetentionPeriod', resource: streamResource(this.name) };
    this.requireExists(context);
    if (this.status !== 'ACTIVE') {
      throw new ResourceInUseError(`stream ${this.name} is ${this.status}, not ACTIVE`, context, {
        awsErrorName: 'ResourceInUseException',
      });
    }
    if (!Number.isInteger(hours) || hours > AWS_LIMITS.maxRetentionHours) {
      throw new InvalidRequestError(
        `RetentionPeriodHours must be an integer up to ${AWS_LIMITS.maxRetentionHours}, got ${hours}`,
        context,
        { awsErrorName: 'InvalidArgumentException' },
      );
    }
    if (hours <= this.retentionHours) {
      throw new InvalidRequestError(
        `RetentionPeriodHours ${hours} must be greater than the current ${this.retentionHours}`,
        context,
        { awsErrorName: 'InvalidArgumentException' },
      );
    }
    this.retentionHours = hours;
    this.status = 'UPDATING';
    this.pending = { kind: 'retention', until: now + RETENTION_UPDATE_MS };
  }

  /** Deletes the stream and everything in it; returns the unread records each consumer loses. */
  delete(): Map<string, number> {
    this.deleted = true;
    this.pending = undefined;
    return this.log.clear();
  }

  /** When the stream's state next changes by itself, if it will. */
  nextTransition(): number | undefined {
    return this.pending?.until;
  }

  /** Completes an update whose time has come. */
  advanceTo(now: number): StreamEvent[] {
    const events: StreamEvent[] = [];
    if (this.pending && this.pending.until <= now) {
      const done = this.pending;
      this.pending = undefined;
      this.status = 'ACTIVE';
      if (done.kind === 'reshard' && done.shards !== undefined) {
        events.push({ at: done.until, message: `stream ${this.name} resharded ${this.shards} -> ${done.shards}` });
        this.firstShardNumber += this.shards;
        this.shards = done.shards;
        this.log.markShards(this.log.totalWritten, done.shards);
      } else {
        events.push({ at: done.until, message: `stream ${this.name} retention is ${this.retentionHours} h` });
      }
    }
    return events;
  }

  // ---- data plane ---------------------------------------------------------------------------

  /** Write capacity now: per-shard limits times shards, or an on-demand stream's adaptive limit. */
  writeCapacity(): { recordsPerSecond: number; bytesPerSecond: number } {
    if (this.mode === 'ON_DEMAND') return this.onDemandCapacity();
    return {
      recordsPerSecond: this.shards * AWS_LIMITS.shardWriteRecordsPerSecond,
      bytesPerSecond: this.shards * AWS_LIMITS.shardWriteBytesPerSecond,
    };
  }

  /**
   * Accepts what the shards allow of one step's writes and appends it to the log. The hottest key's
   * records all hash to one shard, so that shard fills first.
   */
  write(demand: WriteDemand, dtSeconds: number, t: number): WriteResult {
    this.adaptOnDemand(t);
    const capacity = this.writeCapacity();
    if (!(demand.records > 0) || !(dtSeconds > 0)) {
      return {
        shardClasses: [],
        acceptedRecords: 0,
        acceptedBytes: 0,
        throttledRecords: 0,
        capacityRecordsPerSecond: capacity.recordsPerSecond,
        capacityBytesPerSecond: capacity.bytesPerSecond,
      };
    }
    this.hotKeyShare = demand.hotKeyShare;
    const recordsPerSecond = demand.records / dtSeconds;
    const bytesPerSecond = demand.bytes / dtSeconds;
    let acceptedRecords = 0;
    let acceptedBytes = 0;
    const classes: ShardClassWrite[] = [];
    if (this.mode === 'ON_DEMAND') {
      // One key still lives on one shard: it never gets more than a shard's limits.
      const hotRecords = recordsPerSecond * demand.hotKeyShare;
      const hotBytes = bytesPerSecond * demand.hotKeyShare;
      const hotFraction = acceptFraction(
        hotRecords,
        hotBytes,
        AWS_LIMITS.shardWriteRecordsPerSecond,
        AWS_LIMITS.shardWriteBytesPerSecond,
      );
      const restRecords = recordsPerSecond - hotRecords;
      const restBytes = bytesPerSecond - hotBytes;
      const restFraction = acceptFraction(
        restRecords,
        restBytes,
        Math.max(0, capacity.recordsPerSecond - hotRecords * hotFraction),
        Math.max(0, capacity.bytesPerSecond - hotBytes * hotFraction),
      );
      acceptedRecords = (hotRecords * hotFraction + restRecords * restFraction) * dtSeconds;
      acceptedBytes = (hotBytes * hotFraction + restBytes * restFraction) * dtSeconds;
    } else {
      for (const shardClass of this.shardClasses(demand.hotKeyShare)) {
        const perShardRecords = recordsPerSecond * shardClass.share;
        const perShardBytes = bytesPerSecond * shardClass.share;
        const fraction = acceptFraction(
          perShardRecords,
          perShardBytes,
          AWS_LIMITS.shardWriteRecordsPerSecond,
          AWS_LIMITS.shardWriteBytesPerSecond,
        );
        acceptedRecords += shardClass.count * perShardRecords * fraction * dtSeconds;
        acceptedBytes += shardClass.count * perShardBytes * fraction * dtSeconds;
        classes.push({
          count: shardClass.count,
          acceptedRecords: perShardRecords * fraction * dtSeconds,
          acceptedBytes: perShardBytes * fraction * dtSeconds,
          throttledRecords: perShardRecords * (1 - fraction) * dtSeconds,
        });
      }
    }
    this.log.append(t, t + dtSeconds * 1000, acceptedRecords, acceptedBytes);
    this.minuteAcceptedBytes += acceptedBytes;
    this.minuteAcceptedRecords += acceptedRecords;
    // Below a millionth of the demand the difference is rounding, not a refused record.
    const refused = demand.records - acceptedRecords;
    return {
      shardClasses: classes,
      acceptedRecords,
      acceptedBytes,
      throttledRecords: refused > demand.records * 1e-9 ? refused : 0,
      capacityRecordsPerSecond: capacity.recordsPerSecond,
      capacityBytesPerSecond: capacity.bytesPerSecond,
    };
  }

  /**
   * Shares the read limits among readers for one step. Polling readers share each shard's 2 MiB/s
   * (max-min fair) and 5 GetRecords calls/s; each enhanced fan-out reader gets its own 2 MiB/s.
   */
  allocateReads(readers: readonly ReadDemand[]): ReadAllocation[] {
    const classes = this.shardClasses(this.hotKeyShare);
    const shards = this.openShards;
    const polling = readers.filter((r) => !r.efo);
    const callsPerShard = polling.reduce((sum, r) => sum + r.callsPerSecond, 0);
    const grantedShare = callsPerShard > 0 ? Math.min(1, AWS_LIMITS.shardReadCallsPerSecond / callsPerShard) : 1;
    const callThrottledPerShard = Math.max(0, callsPerShard - AWS_LIMITS.shardReadCallsPerSecond);
    const totals = new Map<string, { bytes: number; throttled: number }>(
      readers.map((r) => [r.id, { bytes: 0, throttled: 0 }]),
    );
    for (const shardClass of classes) {
      // Each reader's backlog is spread over the shards that hold it, as the writes were: a reader still
      // in the parents' backlog asks each parent for its share of the whole, within that parent's limits.
      const wants = readers.map((r) =>
        Math.max(0, r.recordsPerSecond * r.bytesPerRecord * shardClass.share * (shards / (r.shards ?? shards))),
      );
      const pollingWants = polling.map((r) => wants[readers.indexOf(r)]!);
      const pollingAlloc = maxMinFair(pollingWants, AWS_LIMITS.shardReadBytesPerSecond);
      readers.forEach((reader, index) => {
        const want = wants[index]!;
        let bytes: number;
        let byteThrottled = 0;
        if (reader.efo) {
          bytes = Math.min(want, AWS_LIMITS.shardReadBytesPerSecond);
        } else {
          const byBytes = pollingAlloc[polling.indexOf(reader)]!;
          const byCalls = reader.callsPerSecond * grantedShare * MAX_RECORDS_PER_GET_RECORDS * reader.bytesPerRecord;
          bytes = Math.min(byBytes, byCalls);
          // Calls that arrive after the shard's bytes for the second are spent are refused too.
          if (want > 0 && bytes < want) byteThrottled = reader.callsPerSecond * grantedShare * (1 - bytes / want);
        }
        const total = totals.get(reader.id)!;
        total.bytes += shardClass.count * bytes;
        total.throttled += shardClass.count * byteThrottled;
      });
    }
    return readers.map((reader) => {
      const total = totals.get(reader.id)!;
      // A reader still in the parents' backlog reads from (and calls) as many shards as there were then.
      const readable = reader.shards ?? shards;
      const scale = readable / shards;
      return {
        id: reader.id,
        recordsPerSecond: reader.bytesPerRecord > 0 ? (total.bytes * scale) / reader.bytesPerRecord : 0,
        throttledCallsPerSecond: reader.efo
          ? 0
          : (total.throttled +
              (callsPerShard > 0 ? (callThrottledPerShard * shards * reader.callsPerSecond) / callsPerShard : 0)) *
            scale,
        callsPerSecond: reader.efo ? 0 : reader.callsPerSecond * readable,
      };
    });
  }

  /** Drops records older than the retention period; returns what each consumer lost. */
  trim(now: number): Map<string, number> {
    return this.log.trimBefore(now - this.retentionMs);
  }

  /** Closes a minute of on-demand accounting: the minute's accepted rate becomes a peak candidate. */
  endMinute(minuteEnd: number): void {
    if (this.mode === 'ON_DEMAND') {
      this.pendingPeaks.push({
        at: minuteEnd,
        bytes: this.minuteAcceptedBytes / 60,
        records: this.minuteAcceptedRecords / 60,
      });
    }
    this.minuteAcceptedBytes = 0;
    this.minuteAcceptedRecords = 0;
  }

  private onDemandCapacity(): { recordsPerSecond: number; bytesPerSecond: number } {
    return {
      recordsPerSecond: Math.max(ON_DEMAND_MIN_SHARDS * AWS_LIMITS.shardWriteRecordsPerSecond, 2 * this.peakRecords),
      bytesPerSecond: Math.max(ON_DEMAND_MIN_SHARDS * AWS_LIMITS.shardWriteBytesPerSecond, 2 * this.peakBytes),
    };
  }

  /** Folds in the peaks old enough to have raised capacity by `now`. */
  adaptOnDemand(now: number): void {
    while (this.pendingPeaks.length > 0 && this.pendingPeaks[0]!.at + this.adaptMs <= now) {
      const peak = this.pendingPeaks.shift()!;
      this.peakBytes = Math.max(this.peakBytes, peak.bytes);
      this.peakRecords = Math.max(this.peakRecords, peak.records);
    }
  }

  /** When on-demand capacity next grows, so the world can step exactly there. */
  nextOnDemandChange(): number | undefined {
    const next = this.pendingPeaks[0];
    return next ? next.at + this.adaptMs : undefined;
  }

  private onDemandShards(): number {
    const capacity = this.onDemandCapacity();
    return Math.max(
      ON_DEMAND_MIN_SHARDS,
      Math.ceil(capacity.bytesPerSecond / AWS_LIMITS.shardWriteBytesPerSecond - 1e-9),
      Math.ceil(capacity.recordsPerSecond / AWS_LIMITS.shardWriteRecordsPerSecond - 1e-9),
    );
  }

  /** The shards as one hot shard (the hottest key's) and the rest, each with its share of the records. */
  shardClasses(hotKeyShare: number): ShardClass[] {
    const n = this.openShards;
    if (n === 1 || !(hotKeyShare > 0)) return [{ count: n, share: 1 / n }];
    return [
      { count: 1, share: hotKeyShare + (1 - hotKeyShare) / n },
      { count: n - 1, share: (1 - hotKeyShare) / n },
    ];
  }

  private requireExists(context: ErrorContext): void {
    if (this.deleted) {
      throw new ResourceNotFoundError(`Stream ${this.name} under account not found.`, context, {
        awsErrorName: 'ResourceNotFoundException',
      });
    }
  }
}

/** Share of a write rate a shard accepts: both its records and its bytes limit must hold. */
function acceptFraction(records: number, bytes: number, recordLimit: number, byteLimit: number): number {
  let fraction = 1;
  if (records > 0) fraction = Math.min(fraction, recordLimit / records);
  if (bytes > 0) fraction = Math.min(fraction, byteLimit / bytes);
  return Math.max(0, fraction);
}

/** Max-min fair shares of `capacity` for `wants`: nobody gets more than they want, the rest is split evenly. */
export function maxMinFair(wants: readonly number[], capacity: number): number[] {
  const alloc = wants.map(() => 0);
  let remaining = capacity;
  let open = wants.map((_, i) => i).filter((i) => wants[i]! > 0);
  while (open.length > 0 && remaining > 1e-9) {
    const share = remaining / open.length;
    const satisfied = open.filter((i) => wants[i]! - alloc[i]! <= share);
    if (satisfied.length === 0) {
      for (const i of open) alloc[i] = alloc[i]! + share;
      remaining = 0;
      break;
    }
    for (const i of satisfied) {
      remaining -= wants[i]! - alloc[i]!;
      alloc[i] = wants[i]!;
    }
    open = open.filter((i) => !satisfied.includes(i));
  }
  return alloc;
}
