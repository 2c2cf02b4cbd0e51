import { FLINK_NAMESPACE, KINESIS_NAMESPACE, METRICS, type MetricKey } from '../lambdas/domain/metric-catalog';
import type { SimulatedCloudWatch, StatSet } from './cloudwatch';
import { countsNumRestarts, type AppEvent, type FlinkApplicationModel } from './flink-application';
import type { KinesisStreamModel, ReadDemand, ShardLevelMetric } from './kinesis-stream';
import type { SinkModel } from './sink';
import type { LogCursor } from './stream-log';
import type { TrafficModel } from './traffic';

/** A reader of the stream other than the Flink application (an archiver, a Lambda, a KCL app). */
export interface ConsumerProps {
  readonly name: string;
  /** Registered for enhanced fan-out. @default false */
  readonly efo?: boolean;
  /** GetRecords calls per second per shard while polling (KCL polls about once a second). @default 1 */
  readonly callsPerSecond?: number;
  /** Records per second the consumer can process. @default unlimited */
  readonly recordsPerSecond?: number;
  /** When the consumer starts reading (from the tip), epoch ms. @default from the beginning */
  readonly startAt?: number;
}

export interface PipelineProps {
  readonly stream: KinesisStreamModel;
  readonly app?: FlinkApplicationModel;
  /** How the Flink application's source reads. @default polling at 5 calls/s per shard (a 200 ms interval) */
  readonly appSource?: { readonly efo: boolean; readonly callsPerSecond: number };
  readonly sink: SinkModel;
  readonly consumers?: readonly ConsumerProps[];
  readonly traffic: TrafficModel;
  /**
   * Share of throttled records producers try again (after a backoff of about ten seconds); the rest
   * they give up on. Retried records that are refused again count again, as they do in CloudWatch.
   * @default 0.5
   */
  readonly producerRetryShare?: number;
  readonly cloudwatch: SimulatedCloudWatch;
  /** Lag above which a minute counts as unhealthy (the policy's lagThresholdMs). */
  readonly lagThresholdMs: number;
}

type PutCatalogMetric = (key: MetricKey, set: StatSet, dimensions: Record<string, string>) => void;
type PutMetric = (namespace: string, metricName: string, set: StatSet, dimensions: Record<string, string>) => void;

/** How long producers back off before retrying refused records. */
const PRODUCER_RETRY_SECONDS = 10;

/** The id under which the Flink application reads the stream. */
export const APP_READER_ID = 'flink-application';

/** One minute of the pipeline, for reports and for the recovery verdict. */
export interface MinuteSample {
  /** Start of the minute, epoch ms. */
  readonly t: number;
  /** What producers tried to write (new records, not retries), per second. */
  readonly demandRecordsPerSecond: number;
  readonly demandBytesPerSecond: number;
  readonly acceptedRecordsPerSecond: number;
  readonly acceptedBytesPerSecond: number;
  readonly writeCapacityRecordsPerSecond: number;
  readonly writeCapacityBytesPerSecond: number;
  readonly throttledRecords: number;
  readonly readThrottledCalls: number;
  readonly shards: number;
  readonly streamStatus: string;
  readonly retentionHours: number;
  /** The application's lag, or the stream's iterator age without an application; ms. */
  readonly lagMs: number;
  readonly iteratorAgeMs?: number;
  readonly appStatus?: string;
  readonly parallelism?: number;
  readonly kpus?: number;
  readonly appCapacityRecordsPerSecond?: number;
  readonly processedRecordsPerSecond?: number;
  readonly sinkCapacityRecordsPerSecond?: number;
  readonly cpuPercent?: number;
  readonly heapPercent?: number;
  readonly busyMsPerSecond?: number;
  readonly backPressuredMsPerSecond?: number;
  /** Seconds of the minute the application processed nothing (updating, restarting, failed). */
  readonly appDownSeconds?: number;
  /** Records lost so far (expired unread, skipped by a restart without state, deleted with the stream). */
  readonly recordsLostTotal: number;
  /** Producer records given up after throttling, so far. */
  readonly producerDroppedTotal: number;
  readonly healthy: boolean;
}

/** A gauge over a minute: time-weighted mean, min and max, published as a CloudWatch statistic set. */
class Gauge {
  private weight = 0;
  private weighted = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;

  add(value: number, seconds: number): void {
    if (!Number.isFinite(value)) return;
    this.weight += seconds;
    this.weighted += value * seconds;
    this.min = Math.min(this.min, value);
    this.max = Math.max(this.max, value);
  }

  get present(): boolean {
    return this.weight > 0;
  }

  get mean(): number {
    return this.weight > 0 ? this.weighted / this.weight : 0;
  }

  get maximum(): number {
    return this.max;
  }

  /** Managed Flink reports every ten seconds or so: one sample per ten seconds covered. */
  toStatSet(): StatSet {
    const count = Math.max(1, Math.round(this.weight / 10));
    return { sampleCount: count, sum: this.mean * count, min: this.min, max: this.max };
  }
}

/** A counter over a minute, published as one Sum. */
class Counter {
  total = 0;
  samples = 0;

  add(value: number): void {
    this.total += value;
    this.samples += 1;
  }

  /** CloudWatch counts whole records, bytes and calls. */
  toStatSet(): StatSet {
    const sum = Math.round(this.total);
    return { sampleCount: Math.max(1, this.samples), sum, min: 0, max: sum };
  }
}

/** Busy, back-pressured and idle time of one task of the job, over a minute. */
class TaskGauges {
  readonly busy = new Gauge();
  readonly backPressured = new Gauge();
  readonly idle = new Gauge();
}

/** What one shard accepted, refused and served over a minute (for enhanced monitoring). */
class ShardCounters {
  readonly incomingRecords = new Counter();
  readonly incomingBytes = new Counter();
  readonly throttled = new Counter();
  readonly outgoingRecords = new Counter();
  readonly outgoingBytes = new Counter();
  readonly readThrottled = new Counter();
}

/** What one enhanced fan-out consumer received over a minute (SubscribeToShardEvent.*). */
class EfoCounters {
  readonly records = new Counter();
  readonly bytes = new Counter();
  readonly millisBehindLatest = new Gauge();
}

/**
 * The job graph the simulated application runs, as Managed Flink names its tasks and operators: the
 * Kinesis source, then the processing chained with the sink; with a chained source, one task.
 */
export const JOB_GRAPH = {
  chained: [
    { task: 'Source: Kinesis -> Process -> Sink: Writer', operators: ['Source: Kinesis', 'Process', 'Sink: Writer'] },
  ],
  split: [
    { task: 'Source: Kinesis', operators: ['Source: Kinesis'] },
    { task: 'Process -> Sink: Writer', operators: ['Process', 'Sink: Writer'] },
  ],
} as const;

class MinuteAccumulator {
  putAttempted = false;
  readonly shards = new Map<string, ShardCounters>();
  readonly efo = new Map<string, EfoCounters>();
  readonly tasks = new Map<string, TaskGauges>();
  readonly demandRecords = new Counter();
  readonly demandBytes = new Counter();
  readonly incomingRecords = new Counter();
  readonly incomingBytes = new Counter();
  readonly throttled = new Counter();
  readonly capacityRecords = new Gauge();
  readonly capacityBytes = new Gauge();
  polled = false;
  readonly getRecordsRecords = new Counter();
  readonly getRecordsBytes = new Counter();
  readonly getRecordsSuccess = new Counter();
  readonly readThrottled = new Counter();
  readonly iteratorAge = new Gauge();
  // Managed Flink.
  readonly lag = new Gauge();
  lagNotReported = false;
  readonly cpu = new Gauge();
  readonly heap = new Gauge();
  readonly busy = new Gauge();
  readonly backPressured = new Gauge();
  readonly idle = new Gauge();
  readonly recordsIn = new Gauge();
  readonly downtime = new Gauge();
  readonly appCapacity = new Gauge();
  readonly processed = new Counter();
  readonly sinkCapacity = new Gauge();
  reporting = false;
  processing = false;
  appDownSeconds = 0;
  seconds = 0;
}

/**
 * Producers, the stream, the Flink application, its sink and other consumers, stepped together.
 * Each step moves records; each minute publishes the datapoints AWS would publish, with the
 * statistics AWS publishes them with.
 */
export class Pipeline {
  readonly stream: KinesisStreamModel;
  readonly app: FlinkApplicationModel | undefined;
  readonly sink: SinkModel;
  private readonly traffic: TrafficModel;
  private readonly cloudwatch: SimulatedCloudWatch;
  private readonly retryShare: number;
  private readonly appSource: { efo: boolean; callsPerSecond: number };
  private readonly consumers: { props: ConsumerProps; cursor: LogCursor; started: boolean }[];
  private readonly appCursor: LogCursor | undefined;
  private readonly lagThresholdMs: number;
  private retryRecords = 0;
  private currentHotKeyShare = 0;
  private retryBytes = 0;
  private recordBytes = 1024;
  private minute = new MinuteAccumulator();
  private readonly outage = { stream: false, application: false };
  private streamGone = false;
  private skippedBefore = 0;
  private readonly samples: MinuteSample[] = [];
  /** Totals over the whole simulation. */
  readonly totals = {
    producerDropped: 0,
    expired: 0,
    deleted: 0,
    peakLagMs: 0,
    shardMinutes: 0,
    kpuMinutes: 0,
  };

  constructor(props: PipelineProps) {
    this.stream = props.stream;
    this.app = props.app;
    this.sink = props.sink;
    this.traffic = props.traffic;
    this.cloudwatch = props.cloudwatch;
    this.retryShare = props.producerRetryShare ?? 0.5;
    this.appSource = props.appSource ?? { efo: false, callsPerSecond: 5 };
    this.lagThresholdMs = props.lagThresholdMs;
    if (this.app) {
      this.appCursor = this.stream.log.cursor(APP_READER_ID);
      this.app.attachSource(this.stream.log, this.appCursor);
    }
    const names = new Set<string>();
    this.consumers = (props.consumers ?? []).map((consumer) => {
      if (consumer.name === APP_READER_ID || names.has(consumer.name)) {
        throw new Error(`consumer name "${consumer.name}" is used twice`);
      }
      names.add(consumer.name);
      return {
        props: consumer,
        cursor: this.stream.log.cursor(consumer.name),
        started: consumer.startAt === undefined,
      };
    });
    const efoConsumers = this.consumers.filter((c) => c.props.efo).length + (this.app && this.appSource.efo ? 1 : 0);
    this.stream.setConsumerCount(efoConsumers);
  }

  /** Starts the application's source `minutes` behind the tip, with the stream holding that backlog. */
  prefillBacklog(minutes: number, startMs: number): void {
    if (!(minutes > 0)) return;
    for (let m = minutes; m >= 1; m--) {
      const t = startMs - m * 60_000;
      const rate = this.traffic.at(t);
      this.stream.log.append(t, t + 60_000, rate.recordsPerSecond * 60, rate.bytesPerSecond * 60);
    }
    for (const consumer of this.consumers) this.stream.log.seek(consumer.cursor, this.stream.log.totalWritten);
    if (this.appCursor) this.stream.log.seek(this.appCursor, this.stream.log.trimmed);
    this.stream.trim(startMs);
  }

  /** Stops (or resumes) publishing a resource's metrics: a broken metrics pipeline or a wrong dimension. */
  setMetricsOutage(resource: 'stream' | 'application', on: boolean): void {
    this.outage[resource] = on;
  }

  /** The stream was deleted: its records are gone, producers fail, readers find nothing. */
  streamDeleted(): number {
    this.streamGone = true;
    const losses = this.stream.delete();
    let lost = 0;
    for (const [id, records] of losses) if (this.isPrimary(id)) lost += records;
    this.totals.deleted += lost;
    return lost;
  }

  get recordsLost(): number {
    return this.totals.expired + this.totals.deleted + this.recordsSkipped;
  }

  /** Records a restart without a snapshot skipped since the records were last reset. */
  get recordsSkipped(): number {
    return (this.app?.recordsSkipped ?? 0) - this.skippedBefore;
  }

  minuteSamples(): readonly MinuteSample[] {
    return this.samples;
  }

  /** Forgets the samples and totals so far: the history before a scenario starts is not part of its outcome. */
  resetRecords(): void {
    this.samples.length = 0;
    this.totals.producerDropped = 0;
    this.totals.expired = 0;
    this.totals.deleted = 0;
    this.totals.peakLagMs = 0;
    this.totals.shardMinutes = 0;
    this.totals.kpuMinutes = 0;
    this.skippedBefore = this.app?.recordsSkipped ?? 0;
  }

  /** Moves records for `dtSeconds` from `t`; nothing changes state inside a step. */
  step(t: number, dtSeconds: number): AppEvent[] {
    const end = t + dtSeconds * 1000;
    const acc = this.minute;
    acc.seconds += dtSeconds;
    const events: AppEvent[] = [];
    const rate = this.traffic.at(t);
    acc.demandRecords.add(rate.recordsPerSecond * dtSeconds);
    acc.demandBytes.add(rate.bytesPerSecond * dtSeconds);
    if (rate.recordsPerSecond > 0) this.recordBytes = rate.bytesPerSecond / rate.recordsPerSecond;

    if (this.streamGone) {
      // Every put fails with ResourceNotFound: producers drop what they had.
      this.totals.producerDropped += rate.recordsPerSecond * dtSeconds + this.retryRecords;
      this.retryRecords = 0;
      this.retryBytes = 0;
    } else {
      this.writeStep(rate.recordsPerSecond, rate.bytesPerSecond, rate.hotKeyShare, t, dtSeconds);
    }

    const appShards = this.appCursor ? this.stream.readableShards(this.appCursor.position) : this.stream.openShards;
    const appCapacity = this.app && !this.streamGone ? this.app.capacity(appShards, t) : 0;
    const appWants = this.appReadWish(appCapacity, dtSeconds);
    const readers: ReadDemand[] = [];
    if (appWants !== undefined) {
      readers.push({
        id: APP_READER_ID,
        efo: this.appSource.efo,
        callsPerSecond: this.appSource.callsPerSecond,
        recordsPerSecond: appWants,
        bytesPerRecord: this.recordBytes,
        shards: appShards,
      });
    }
    if (!this.streamGone) {
      for (const consumer of this.consumers) {
        if (!consumer.started) {
          if (t < consumer.props.startAt!) continue;
          // A new consumer starts at the tip (LATEST).
          consumer.started = true;
          this.stream.log.seek(consumer.cursor, this.stream.log.totalWritten);
        }
        const backlog = this.stream.log.backlog(consumer.cursor);
        readers.push({
          id: consumer.props.name,
          efo: consumer.props.efo ?? false,
          callsPerSecond: consumer.props.callsPerSecond ?? 1,
          recordsPerSecond: Math.min(consumer.props.recordsPerSecond ?? Number.POSITIVE_INFINITY, backlog / dtSeconds),
          bytesPerRecord: this.recordBytes,
          shards: this.stream.readableShards(consumer.cursor.position),
        });
      }
    }
    const allocations = new Map(this.stream.allocateReads(readers).map((a) => [a.id, a]));
    let polled = false;
    for (const reader of readers) {
      const allocation = allocations.get(reader.id)!;
      if (!reader.efo) {
        polled = true;
        acc.readThrottled.add(allocation.throttledCallsPerSecond * dtSeconds);
        acc.getRecordsSuccess.add(
          Math.max(0, allocation.callsPerSecond - allocation.throttledCallsPerSecond) * dtSeconds,
        );
      }
      if (reader.id === APP_READER_ID) continue;
      const consumer = this.consumers.find((c) => c.props.name === reader.id)!;
      const took = this.stream.log.read(
        consumer.cursor,
        Math.min(reader.recordsPerSecond, allocation.recordsPerSecond) * dtSeconds,
      );
      const age = this.stream.log.ageMs(consumer.cursor, end);
      this.countRead(reader.id, reader.efo, took.records, took.bytes, age, dtSeconds);
    }

    if (this.app) {
      const readable = allocations.get(APP_READER_ID)?.recordsPerSecond ?? 0;
      events.push(...this.appStep(t, dtSeconds, appCapacity, appWants, readable, appShards));
    }
    if (!this.streamGone && this.stream.hasShardLevelMetrics) {
      // Refused GetRecords calls are spread over the open shards.
      let throttled = 0;
      for (const r of readers) if (!r.efo) throttled += allocations.get(r.id)!.throttledCallsPerSecond;
      const ids = this.stream.openShardIds();
      for (const id of ids) this.shardCounters(id).readThrottled.add((throttled * dtSeconds) / ids.length);
    }
    if (polled) acc.polled = true;

    if (!this.streamGone) {
      for (const [id, lost] of this.stream.trim(end)) {
        if (this.isPrimary(id)) this.totals.expired += lost;
      }
    }
    return events;
  }

  /** The minute's counters of one shard, created on first use. */
  private shardCounters(shardId: string): ShardCounters {
    let counters = this.minute.shards.get(shardId);
    if (!counters) {
      counters = new ShardCounters();
      this.minute.shards.set(shardId, counters);
    }
    return counters;
  }

  /**
   * Records one reader's read: polling readers count in GetRecords.* (and the iterator age), enhanced
   * fan-out readers in their own consumer's SubscribeToShardEvent.*; both in the shards' outgoing counts.
   */
  private countRead(id: string, efo: boolean, records: number, bytes: number, ageMs: number, dt: number): void {
    const acc = this.minute;
    if (efo) {
      const name = id === APP_READER_ID ? this.app!.name : id;
      let counters = acc.efo.get(name);
      if (!counters) {
        counters = new EfoCounters();
        acc.efo.set(name, counters);
      }
      counters.records.add(records);
      counters.bytes.add(bytes);
      counters.millisBehindLatest.add(ageMs, dt);
    } else {
      acc.getRecordsRecords.add(records);
      acc.getRecordsBytes.add(bytes);
      acc.iteratorAge.add(ageMs, dt);
    }
    if (this.streamGone || !this.stream.hasShardLevelMetrics) return;
    // Readers take from each shard what was written to it: the hot shard's share comes from the hot shard.
    const ids = this.stream.openShardIds();
    let index = 0;
    for (const shardClass of this.stream.shardClasses(this.currentHotKeyShare)) {
      for (let i = 0; i < shardClass.count; i++, index++) {
        const counters = this.shardCounters(ids[index]!);
        counters.outgoingRecords.add(records * shardClass.share);
        counters.outgoingBytes.add(bytes * shardClass.share);
      }
    }
  }

  private writeStep(
    recordsPerSecond: number,
    bytesPerSecond: number,
    hotKeyShare: number,
    t: number,
    dt: number,
  ): void {
    const acc = this.minute;
    // Producers retry what was refused after a backoff: each second, a tenth of the waiting records.
    const retryShare = Math.min(1, dt / PRODUCER_RETRY_SECONDS);
    const retried = this.retryRecords * retryShare;
    const retriedBytes = this.retryBytes * retryShare;
    this.retryRecords -= retried;
    this.retryBytes -= retriedBytes;
    const records = recordsPerSecond * dt + retried;
    const bytes = bytesPerSecond * dt + retriedBytes;
    this.currentHotKeyShare = hotKeyShare;
    const written = this.stream.write({ records, bytes, hotKeyShare }, dt, t);
    if (this.stream.hasShardLevelMetrics) {
      const ids = this.stream.openShardIds();
      let index = 0;
      for (const shardClass of written.shardClasses) {
        for (let i = 0; i < shardClass.count; i++, index++) {
          const counters = this.shardCounters(ids[index]!);
          counters.incomingRecords.add(shardClass.acceptedRecords);
          counters.incomingBytes.add(shardClass.acceptedBytes);
          counters.throttled.add(shardClass.throttledRecords);
        }
      }
    }
    acc.capacityRecords.add(written.capacityRecordsPerSecond, dt);
    acc.capacityBytes.add(written.capacityBytesPerSecond, dt);
    if (records > 0) acc.putAttempted = true;
    acc.incomingRecords.add(written.acceptedRecords);
    acc.incomingBytes.add(written.acceptedBytes);
    acc.throttled.add(written.throttledRecords);
    const size = records > 0 ? bytes / records : this.recordBytes;
    this.retryRecords += written.throttledRecords * this.retryShare;
    this.retryBytes += written.throttledRecords * this.retryShare * size;
    this.totals.producerDropped += written.throttledRecords * (1 - this.retryShare);
  }

  /** Records per second the application would read in this step, or undefined when it is not reading. */
  private appReadWish(capacity: number, dtSeconds: number): number | undefined {
    if (!this.app || !this.appCursor || this.streamGone || !this.app.isProcessing()) return undefined;
    const backlog = this.stream.log.backlog(this.appCursor);
    return Math.min(capacity, this.sinkCapacity(this.app), backlog / dtSeconds);
  }

  /** What the sink absorbs from the job as it runs now: each of its subtasks is one writer. */
  private sinkCapacity(app: FlinkApplicationModel): number {
    return this.sink.capacityFor(app.currentParallelism);
  }

  private appStep(
    t: number,
    dt: number,
    capacity: number,
    wish: number | undefined,
    readable: number,
    shards: number,
  ): AppEvent[] {
    const app = this.app!;
    const cursor = this.appCursor!;
    const acc = this.minute;
    const end = t + dt * 1000;
    const sinkCapacity = this.sinkCapacity(app);
    acc.sinkCapacity.add(sinkCapacity, dt);
    if (wish === undefined) {
      acc.appDownSeconds += dt;
      if (app.isReporting()) {
        // Down after a failure: the JobManager still reports restarts and downtime; the idle containers report CPU.
        acc.reporting = true;
        acc.downtime.add(app.downtimeMs(end), dt);
        acc.cpu.add(app.downCpuPercent(), dt);
        acc.heap.add(app.heapPercent(end), dt);
      }
      return [];
    }
    const backlog = this.stream.log.backlog(cursor);
    const rate = Math.min(capacity, sinkCapacity, readable);
    const read = this.stream.log.read(cursor, Math.min(backlog, rate * dt));
    // The sink held the job back if it, not the job or the source, set the pace while records waited.
    const sinkBound =
      sinkCapacity < capacity && readable >= sinkCapacity * 0.999 && backlog / dt > sinkCapacity * 1.001;
    const { gauges, events } = app.step({ processed: read.records, capacity, sinkBound }, t, dt);
    this.countRead(APP_READER_ID, this.appSource.efo, read.records, read.bytes, this.stream.log.ageMs(cursor, end), dt);
    if (gauges) {
      const processing = app.processingCapacity(shards, t);
      this.addTaskGauges(read.records / dt, processing, app.readingCapacity(shards), sinkBound, dt);
    }
    acc.reporting = true;
    acc.processing = true;
    acc.appCapacity.add(capacity, dt);
    acc.processed.add(read.records);
    if (gauges) {
      acc.cpu.add(gauges.cpuPercent, dt);
      acc.heap.add(gauges.heapPercent, dt);
      acc.busy.add(gauges.busyMsPerSecond, dt);
      acc.backPressured.add(gauges.backPressuredMsPerSecond, dt);
      acc.idle.add(gauges.idleMsPerSecond, dt);
      acc.recordsIn.add(gauges.recordsInPerSecond, dt);
      acc.downtime.add(0, dt);
      if (app.hasReadSinceStart) acc.lag.add(this.stream.log.ageMs(cursor, end), dt);
      else acc.lagNotReported = true;
    }
    return events;
  }

  /**
   * Busy, back-pressured and idle time per task. The source task is busy reading; when the processing
   * task is saturated (or the sink holds it back) the source spends the rest of its time back-pressured.
   * The processing task is busy with what it processes and back-pressured by a slow sink. With a chained
   * source both are one task, as busy as the tighter of the two.
   */
  private addTaskGauges(rate: number, processing: number, reading: number, sinkBound: boolean, dt: number): void {
    const share = (capacity: number): number => (capacity > 0 ? Math.min(1, rate / capacity) : 0);
    const add = (task: string, busy: number, backPressured: number): void => {
      let gauges = this.minute.tasks.get(task);
      if (!gauges) {
        gauges = new TaskGauges();
        this.minute.tasks.set(task, gauges);
      }
      gauges.busy.add(busy * 1000, dt);
      gauges.backPressured.add(backPressured * 1000, dt);
      gauges.idle.add(Math.max(0, 1 - busy - backPressured) * 1000, dt);
    };
    if (this.app!.chainedSource) {
      const busy = share(Math.min(processing, reading));
      add(JOB_GRAPH.chained[0].task, busy, sinkBound ? 1 - busy : 0);
      return;
    }
    const sourceBusy = share(reading);
    const processBusy = share(processing);
    const downstreamFull = sinkBound || processBusy >= 0.999;
    add(JOB_GRAPH.split[0].task, sourceBusy, downstreamFull ? 1 - sourceBusy : 0);
    add(JOB_GRAPH.split[1].task, processBusy, sinkBound ? 1 - processBusy : 0);
  }

  /**
   * Kinesis Data Streams' metrics: stream-level ones ({StreamName}) always; GetRecords.* and the
   * iterator age only when a polling reader read; SubscribeToShardEvent.* per enhanced fan-out
   * consumer ({StreamName, ConsumerName}); shard-level ones ({StreamName, ShardId}) only for the
   * metrics enhanced monitoring turned on, with their shard-level names.
   */
  private publishStream(acc: MinuteAccumulator, put: PutCatalogMetric, publish: PutMetric): void {
    const streamDims = { StreamName: this.stream.name };
    if (acc.putAttempted) {
      put('incomingBytes', acc.incomingBytes.toStatSet(), streamDims);
      put('incomingRecords', acc.incomingRecords.toStatSet(), streamDims);
      put('writeThrottled', acc.throttled.toStatSet(), streamDims);
      put('putRecordsThrottled', acc.throttled.toStatSet(), streamDims);
    }
    if (acc.polled) {
      put('getRecordsBytes', acc.getRecordsBytes.toStatSet(), streamDims);
      put('getRecordsRecords', acc.getRecordsRecords.toStatSet(), streamDims);
      put('getRecordsSuccess', acc.getRecordsSuccess.toStatSet(), streamDims);
      put('readThrottled', acc.readThrottled.toStatSet(), streamDims);
      if (acc.iteratorAge.present) put('iteratorAge', acc.iteratorAge.toStatSet(), streamDims);
    }
    for (const [consumerName, efo] of acc.efo) {
      const dims = { StreamName: this.stream.name, ConsumerName: consumerName };
      publish(KINESIS_NAMESPACE, 'SubscribeToShardEvent.Records', efo.records.toStatSet(), dims);
      publish(KINESIS_NAMESPACE, 'SubscribeToShardEvent.Bytes', efo.bytes.toStatSet(), dims);
      if (efo.millisBehindLatest.present) {
        publish(
          KINESIS_NAMESPACE,
          'SubscribeToShardEvent.MillisBehindLatest',
          efo.millisBehindLatest.toStatSet(),
          dims,
        );
      }
    }
    const shard = (metric: Exclude<ShardLevelMetric, 'ALL'>, pick: (c: ShardCounters) => Counter | Gauge): void => {
      if (!this.stream.publishesShardMetric(metric)) return;
      for (const [shardId, counters] of acc.shards) {
        const value = pick(counters);
        if (value instanceof Gauge && !value.present) continue;
        publish(KINESIS_NAMESPACE, metric, value.toStatSet(), { StreamName: this.stream.name, ShardId: shardId });
      }
    };
    if (acc.putAttempted) {
      shard('IncomingBytes', (c) => c.incomingBytes);
      shard('IncomingRecords', (c) => c.incomingRecords);
      shard('WriteProvisionedThroughputExceeded', (c) => c.throttled);
    }
    shard('OutgoingBytes', (c) => c.outgoingBytes);
    shard('OutgoingRecords', (c) => c.outgoingRecords);
    if (acc.polled) {
      shard('ReadProvisionedThroughputExceeded', (c) => c.readThrottled);
      // Every shard's reader is as far behind as the stream's oldest unread record, the stream-level maximum.
      if (acc.iteratorAge.present) shard('IteratorAgeMilliseconds', () => acc.iteratorAge);
    }
  }

  /**
   * Managed Flink's metrics, as the application's metrics level and runtime decide
   * (https://docs.aws.amazon.com/managed-flink/latest/java/metrics-dimensions.html): application-level
   * ones on {Application}; the source's lag on {Application, Id, Flow} and, at PARALLELISM level, per
   * shard; busy, back-pressured and idle time only at TASK level and finer, per task, operator and
   * subtask; restarts as fullRestarts before Flink 2.2 and numRestarts on it; KPUs once an hour,
   * counting the orchestration KPU.
   */
  private publishApplication(
    app: FlinkApplicationModel,
    acc: MinuteAccumulator,
    minuteStart: number,
    put: PutCatalogMetric,
    publish: PutMetric,
  ): void {
    const dims = { Application: app.name };
    const level = app.monitoring.metricsLevel;
    const once = (v: number): StatSet => ({ sampleCount: 1, sum: v, min: v, max: v });
    if (acc.reporting) {
      const restarts = once(app.restarts);
      if (countsNumRestarts(app.runtime)) publish(FLINK_NAMESPACE, 'numRestarts', restarts, dims);
      else put('fullRestarts', restarts, dims);
      if (acc.downtime.present) put('downtime', acc.downtime.toStatSet(), dims);
      if (acc.cpu.present) {
        put('containerCpu', acc.cpu.toStatSet(), dims);
        // The JVM's own share is a little below the container's.
        const jvm = acc.cpu.toStatSet();
        put('cpu', { ...jvm, sum: jvm.sum * 0.95, min: jvm.min * 0.95, max: jvm.max * 0.95 }, dims);
      }
      if (acc.heap.present) {
        put('heap', acc.heap.toStatSet(), dims);
        // The container also holds native memory (RocksDB, network buffers): a quarter of it, plus the heap.
        const container = acc.heap.toStatSet();
        const share = (v: number): number => 25 + v * 0.6;
        put(
          'containerMemory',
          {
            ...container,
            sum: share(container.sum / container.sampleCount) * container.sampleCount,
            min: share(container.min),
            max: share(container.max),
          },
          dims,
        );
      }
    }
    if (acc.processing) {
      const source = { Application: app.name, Id: this.stream.name, Flow: 'Input' };
      const lag = acc.lag.present ? acc.lag.toStatSet() : acc.lagNotReported ? once(-1) : undefined;
      if (lag) {
        put('millisBehindLatest', lag, source);
        if (level === 'PARALLELISM') {
          for (const shardId of this.stream.openShardIds())
            put('millisBehindLatest', lag, { ...source, ShardId: shardId });
        }
      }
      if (level !== 'APPLICATION') this.publishTaskTimes(app, acc, put);
      put('recordsInPerSecond', acc.recordsIn.toStatSet(), dims);
      const duration = app.checkpointDurationMs;
      if (duration !== undefined) {
        put('checkpointDuration', once(duration), dims);
        put('checkpointSize', once(app.checkpointSizeBytes), dims);
      }
      put('failedCheckpoints', once(app.failedCheckpointCount), dims);
    }
    if (minuteStart % 3_600_000 === 0) put('kpus', once(app.billedKpus), dims);
  }

  /**
   * Busy, back-pressured and idle time: per task at TASK level; also per operator of the task at
   * OPERATOR level; also per subtask at PARALLELISM level, where source subtasks beyond the shard
   * count have nothing to read.
   */
  private publishTaskTimes(app: FlinkApplicationModel, acc: MinuteAccumulator, put: PutCatalogMetric): void {
    const level = app.monitoring.metricsLevel;
    const graph = app.chainedSource ? JOB_GRAPH.chained : JOB_GRAPH.split;
    const idleSet = { sampleCount: 6, sum: 6000, min: 1000, max: 1000 };
    const zeroSet = { sampleCount: 6, sum: 0, min: 0, max: 0 };
    for (const { task, operators } of graph) {
      const gauges = acc.tasks.get(task);
      if (!gauges?.busy.present) continue;
      const times: [MetricKey, StatSet][] = [
        ['busyTime', gauges.busy.toStatSet()],
        ['backPressuredTime', gauges.backPressured.toStatSet()],
        ['idleTime', gauges.idle.toStatSet()],
      ];
      const taskDims = { Application: app.name, TaskName: task };
      for (const [key, set] of times) put(key, set, taskDims);
      if (level === 'TASK') continue;
      for (const operator of operators) {
        const operatorDims = { ...taskDims, OperatorName: operator };
        for (const [key, set] of times) put(key, set, operatorDims);
        if (level !== 'PARALLELISM') continue;
        const reads = operator.startsWith('Source') ? this.stream.openShards : app.currentParallelism;
        for (let subtask = 0; subtask < app.currentParallelism; subtask++) {
          const subtaskDims = { ...operatorDims, SubtaskIndex: String(subtask) };
          for (const [key, set] of times) {
            const idle = subtask >= reads;
            put(key, idle ? (key === 'idleTime' ? idleSet : zeroSet) : set, subtaskDims);
          }
        }
      }
    }
  }

  /**
   * Publishes the minute that started at `minuteStart` and returns its sample. KDS counters are
   * sums; Managed Flink gauges are statistic sets; `KPUs` is reported once an hour.
   */
  publishMinute(minuteStart: number): MinuteSample {
    const acc = this.minute;
    this.minute = new MinuteAccumulator();
    this.stream.endMinute(minuteStart + 60_000);
    const publish = (namespace: string, metricName: string, set: StatSet, dims: Record<string, string>): void => {
      this.cloudwatch.put({ namespace, metricName, dimensions: dims }, minuteStart, set);
    };
    const put = (key: MetricKey, set: StatSet, dims: Record<string, string>): void => {
      publish(METRICS[key].namespace, METRICS[key].metricName, set, dims);
    };
    if (!this.streamGone && !this.outage.stream) this.publishStream(acc, put, publish);
    const app = this.app;
    if (app && !this.outage.application) this.publishApplication(app, acc, minuteStart, put, publish);

    const seconds = Math.max(acc.seconds, 1e-9);
    const appLag = acc.lag.present ? acc.lag.maximum : undefined;
    const iteratorAge = acc.iteratorAge.present ? acc.iteratorAge.maximum : undefined;
    const lagMs = app ? (appLag ?? this.appLagNow(minuteStart + 60_000)) : (iteratorAge ?? 0);
    this.totals.peakLagMs = Math.max(this.totals.peakLagMs, lagMs);
    this.totals.shardMinutes += this.streamGone ? 0 : this.stream.openShards;
    if (app) this.totals.kpuMinutes += app.billedKpus;
    const throttledRecords = acc.throttled.total;
    const readThrottledCalls = acc.readThrottled.total;
    const appDown = app !== undefined && acc.appDownSeconds > 0;
    const healthy =
      !this.streamGone && lagMs <= this.lagThresholdMs && throttledRecords < 1 && readThrottledCalls < 1 && !appDown;
    const sample: MinuteSample = {
      t: minuteStart,
      demandRecordsPerSecond: acc.demandRecords.total / seconds,
      demandBytesPerSecond: acc.demandBytes.total / seconds,
      acceptedRecordsPerSecond: acc.incomingRecords.total / seconds,
      acceptedBytesPerSecond: acc.incomingBytes.total / seconds,
      writeCapacityRecordsPerSecond: acc.capacityRecords.mean,
      writeCapacityBytesPerSecond: acc.capacityBytes.mean,
      throttledRecords,
      readThrottledCalls,
      shards: this.streamGone ? 0 : this.stream.openShards,
      streamStatus: this.streamGone ? 'DELETED' : this.stream.currentStatus,
      retentionHours: this.stream.retention,
      lagMs,
      ...(iteratorAge !== undefined ? { iteratorAgeMs: iteratorAge } : {}),
      ...(app
        ? {
            appStatus: app.currentStatus,
            parallelism: app.currentParallelism,
            kpus: app.kpus,
            appCapacityRecordsPerSecond: acc.appCapacity.mean,
            processedRecordsPerSecond: acc.processed.total / seconds,
            sinkCapacityRecordsPerSecond: acc.sinkCapacity.mean,
            ...(acc.cpu.present ? { cpuPercent: acc.cpu.mean } : {}),
            ...(acc.heap.present ? { heapPercent: acc.heap.mean } : {}),
            ...(acc.busy.present ? { busyMsPerSecond: acc.busy.mean } : {}),
            ...(acc.backPressured.present ? { backPressuredMsPerSecond: acc.backPressured.mean } : {}),
            appDownSeconds: acc.appDownSeconds,
          }
        : {}),
      recordsLostTotal: this.recordsLost,
      producerDroppedTotal: this.totals.producerDropped,
      healthy,
    };
    this.samples.push(sample);
    return sample;
  }

  /** Average container CPU of the minute just published, for the built-in autoscaler. */
  lastMinuteCpu(): number | undefined {
    return this.samples[this.samples.length - 1]?.cpuPercent;
  }

  /** The application's lag while it is not processing: how old its next record is. */
  private appLagNow(now: number): number {
    return this.appCursor ? this.stream.log.ageMs(this.appCursor, now) : 0;
  }

  /** The reader whose losses count as the pipeline's: the application, else the first consumer. */
  private isPrimary(id: string): boolean {
    return this.app ? id === APP_READER_ID : id === this.consumers[0]?.props.name;
  }
}
