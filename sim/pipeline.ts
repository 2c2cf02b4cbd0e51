import { METRICS, type MetricKey } from '../lambdas/domain/metric-catalog';
import type { SimulatedCloudWatch, StatSet } from './cloudwatch';
import type { AppEvent, FlinkApplicationModel } from './flink-application';
import type { KinesisStreamModel, ReadDemand } from './kinesis-stream';
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

class MinuteAccumulator {
  putAttempted = false;
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

    const appCapacity = this.app && !this.streamGone ? this.app.capacity(this.stream.openShards, t) : 0;
    const appWants = this.appReadWish(appCapacity, dtSeconds);
    const readers: ReadDemand[] = [];
    if (appWants !== undefined) {
      readers.push({
        id: APP_READER_ID,
        efo: this.appSource.efo,
        callsPerSecond: this.appSource.callsPerSecond,
        recordsPerSecond: appWants,
        bytesPerRecord: this.recordBytes,
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
      }
      if (reader.id === APP_READER_ID) continue;
      const consumer = this.consumers.find((c) => c.props.name === reader.id)!;
      const took = this.stream.log.read(
        consumer.cursor,
        Math.min(reader.recordsPerSecond, allocation.recordsPerSecond) * dtSeconds,
      );
      if (!reader.efo) {
        acc.getRecordsRecords.add(took.records);
        acc.getRecordsBytes.add(took.bytes);
        acc.iteratorAge.add(this.stream.log.ageMs(consumer.cursor, end), dtSeconds);
      }
    }

    if (this.app) {
      events.push(
        ...this.appStep(t, dtSeconds, appCapacity, appWants, allocations.get(APP_READER_ID)?.recordsPerSecond ?? 0),
      );
    }
    if (polled) acc.polled = true;

    if (!this.streamGone) {
      for (const [id, lost] of this.stream.trim(end)) {
        if (this.isPrimary(id)) this.totals.expired += lost;
      }
    }
    return events;
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
    const written = this.stream.write({ records, bytes, hotKeyShare }, dt, t);
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
    return Math.min(capacity, this.sink.capacity, backlog / dtSeconds);
  }

  private appStep(t: number, dt: number, capacity: number, wish: number | undefined, readable: number): AppEvent[] {
    const app = this.app!;
    const cursor = this.appCursor!;
    const acc = this.minute;
    const end = t + dt * 1000;
    acc.sinkCapacity.add(this.sink.capacity, dt);
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
    const rate = Math.min(capacity, this.sink.capacity, readable);
    const read = this.stream.log.read(cursor, Math.min(backlog, rate * dt));
    // The sink held the job back if it, not the job or the source, set the pace while records waited.
    const sinkBound =
      this.sink.capacity < capacity &&
      readable >= this.sink.capacity * 0.999 &&
      backlog / dt > this.sink.capacity * 1.001;
    const { gauges, events } = app.step({ processed: read.records, capacity, sinkBound }, t, dt);
    if (!this.appSource.efo) {
      this.minute.getRecordsRecords.add(read.records);
      this.minute.getRecordsBytes.add(read.bytes);
      this.minute.iteratorAge.add(this.stream.log.ageMs(cursor, end), dt);
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
   * Publishes the minute that started at `minuteStart` and returns its sample. KDS counters are
   * sums; Managed Flink gauges are statistic sets; `KPUs` is reported once an hour.
   */
  publishMinute(minuteStart: number): MinuteSample {
    const acc = this.minute;
    this.minute = new MinuteAccumulator();
    this.stream.endMinute(minuteStart + 60_000);
    const stream = this.stream.name;
    const streamDims = { StreamName: stream };
    const put = (key: MetricKey, set: StatSet, dims: Record<string, string>): void => {
      const spec = METRICS[key];
      this.cloudwatch.put(
        { namespace: spec.namespace, metricName: spec.metricName, dimensions: dims },
        minuteStart,
        set,
      );
    };
    if (!this.streamGone && !this.outage.stream) {
      if (acc.putAttempted) {
        put('incomingBytes', acc.incomingBytes.toStatSet(), streamDims);
        put('incomingRecords', acc.incomingRecords.toStatSet(), streamDims);
        put('writeThrottled', acc.throttled.toStatSet(), streamDims);
        put('putRecordsThrottled', acc.throttled.toStatSet(), streamDims);
      }
      if (acc.polled) {
        put('getRecordsBytes', acc.getRecordsBytes.toStatSet(), streamDims);
        put('getRecordsRecords', acc.getRecordsRecords.toStatSet(), streamDims);
        put('readThrottled', acc.readThrottled.toStatSet(), streamDims);
        if (acc.iteratorAge.present) put('iteratorAge', acc.iteratorAge.toStatSet(), streamDims);
      }
    }
    const app = this.app;
    if (app && !this.outage.application) {
      const dims = { Application: app.name };
      if (acc.reporting) {
        const restarts = { sampleCount: 1, sum: app.restarts, min: app.restarts, max: app.restarts };
        put('fullRestarts', restarts, dims);
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
        if (acc.lag.present) put('millisBehindLatest', acc.lag.toStatSet(), dims);
        else if (acc.lagNotReported) put('millisBehindLatest', { sampleCount: 1, sum: -1, min: -1, max: -1 }, dims);
        put('busyTime', acc.busy.toStatSet(), dims);
        put('backPressuredTime', acc.backPressured.toStatSet(), dims);
        put('idleTime', acc.idle.toStatSet(), dims);
        put('recordsInPerSecond', acc.recordsIn.toStatSet(), dims);
        const duration = app.checkpointDurationMs;
        if (duration !== undefined) {
          put('checkpointDuration', { sampleCount: 1, sum: duration, min: duration, max: duration }, dims);
          const size = app.checkpointSizeBytes;
          put('checkpointSize', { sampleCount: 1, sum: size, min: size, max: size }, dims);
        }
        const failed = app.failedCheckpointCount;
        put('failedCheckpoints', { sampleCount: 1, sum: failed, min: failed, max: failed }, dims);
      }
      if (minuteStart % 3_600_000 === 0) {
        put('kpus', { sampleCount: 1, sum: app.kpus, min: app.kpus, max: app.kpus }, dims);
      }
    }

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
