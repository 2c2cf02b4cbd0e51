/**
 * Building blocks for realistic incident snapshots: a seeded PRNG, the minute grid of a metric
 * window, GetMetricData request/response records laid out the way CloudWatch returns them, the
 * describe responses of Kinesis and Managed Flink with the fields the real APIs return, and two
 * small models (producers against shard limits, a consumer against its capacity) that keep the
 * numbers physically consistent.
 */
import type {
  DescribeApplicationRecord,
  DescribeStreamSummaryRecord,
  GetMetricDataRecord,
  MetricDataQuery,
} from '../lambdas/domain/aws-shapes';
import { METRICS, type MetricKey } from '../lambdas/domain/metric-catalog';

// Taken once: under jest's sandbox every lookup of the global `Math` costs as much as the call itself.
const { imul, log, sqrt, cos, max, min, floor, exp, PI } = Math;

export const MIB = 1024 * 1024;
/** The documentation account id: the examples point at no real account. */
export const ACCOUNT_ID = '123456789012';
export const SHARD_WRITE_BYTES = MIB;
export const SHARD_WRITE_RECORDS = 1000;
export const SHARD_READ_BYTES = 2 * MIB;
export const SHARD_READ_CALLS = 5;

/** mulberry32: tiny, fast and identical on every platform, which is all a fixture needs. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  between(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  int(low: number, high: number): number {
    return floor(this.between(low, high + 1));
  }

  /** Standard normal deviate (Box-Muller), clipped to +-3 so one draw never produces an absurd value. */
  gaussian(): number {
    const u = max(this.next(), 1e-12);
    const v = this.next();
    const z = sqrt(-2 * log(u)) * cos(2 * PI * v);
    return max(-3, min(3, z));
  }

  /** `value` with relative gaussian noise, never below zero. */
  jitter(value: number, relative: number): number {
    return max(0, value * (1 + relative * this.gaussian()));
  }

  hex(length: number): string {
    let out = '';
    while (out.length < length) out += this.int(0, 15).toString(16);
    return out;
  }
}

/** FNV-1a: a stable seed per scenario name, so adding a scenario never changes another's numbers. */
export function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export interface TimeWindow {
  readonly capturedAt: string;
  readonly minutes: number;
  /** Epoch ms of the start of each 60-second period, oldest first; the last one ends at capturedAt. */
  readonly starts: readonly number[];
}

export function timeWindow(capturedAt: string, minutes: number): TimeWindow {
  const end = Date.parse(capturedAt);
  if (end % 60_000 !== 0) throw new Error(`capturedAt ${capturedAt} is not on a minute boundary`);
  return { capturedAt, minutes, starts: Array.from({ length: minutes }, (_, i) => end - (minutes - i) * 60_000) };
}

/** One value per minute of the window; `null` where CloudWatch has no datapoint. */
export type Values = readonly (number | null)[];

export function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

export function minutesOf(window: TimeWindow): number[] {
  return window.starts.map((_, i) => i);
}

/** A smooth 0..1 step centred on `at` minutes, `width` minutes wide. */
export function smoothStep(minute: number, at: number, width: number): number {
  return 1 / (1 + exp(-(minute - at) / max(width / 6, 1e-6)));
}

export interface Dimension {
  readonly Name: string;
  readonly Value: string;
}

export interface SeriesDef {
  readonly namespace: string;
  readonly metricName: string;
  readonly stat: string;
  readonly dimensions: readonly Dimension[];
  readonly values: Values;
}

export interface QueryDef {
  readonly id: string;
  /** StreamMedic's own capture labels every query; a hand-written CLI request usually does not. */
  readonly label?: string;
  readonly returnData?: boolean;
  readonly series: SeriesDef;
}

export interface MetricDataLayout {
  /** ScanBy: CloudWatch's default is TimestampDescending (newest first). */
  readonly order: 'newest-first' | 'oldest-first';
  /** `Z` as the SDK serialises dates; `+00:00` as the AWS CLI prints them. */
  readonly timestampStyle: 'Z' | '+00:00';
  /** Two pages, as a NextToken round trip returns them: every Id appears on both. */
  readonly pages: 1 | 2;
}

export function isoTime(epochMs: number, style: 'Z' | '+00:00' = 'Z'): string {
  const text = new Date(epochMs).toISOString().replace(/\.000Z$/, 'Z');
  return style === 'Z' ? text : text.replace(/Z$/, '+00:00');
}

/** The series of a catalog metric under its default dimension (StreamName or Application). */
export function catalogSeries(key: MetricKey, resourceName: string, values: Values, stat?: string): SeriesDef {
  const spec = METRICS[key];
  return {
    namespace: spec.namespace,
    metricName: spec.metricName,
    stat: stat ?? spec.stats[0]!,
    dimensions: [{ Name: spec.resource === 'stream' ? 'StreamName' : 'Application', Value: resourceName }],
    values,
  };
}

/** Queries the way StreamMedic's capture sends them: Ids m0.., labelled with the metric name. */
export function capturedQueries(series: readonly SeriesDef[]): QueryDef[] {
  return series.map((s, i) => ({ id: `m${i}`, label: s.metricName, returnData: true, series: s }));
}

/**
 * A GetMetricData exchange: the request as sent (queries, time range, ScanBy) and the response
 * pages concatenated, timestamps ordered as CloudWatch orders them.
 */
export function getMetricData(
  window: TimeWindow,
  queries: readonly QueryDef[],
  layout: MetricDataLayout,
): GetMetricDataRecord {
  const MetricDataQueries: MetricDataQuery[] = queries.map((q) => ({
    Id: q.id,
    MetricStat: {
      Metric: {
        Namespace: q.series.namespace,
        MetricName: q.series.metricName,
        Dimensions: q.series.dimensions.map((d) => ({ Name: d.Name, Value: d.Value })),
      },
      Period: 60,
      Stat: q.series.stat,
    },
    ...(q.label !== undefined ? { Label: q.label } : {}),
    ...(q.returnData !== undefined ? { ReturnData: q.returnData } : {}),
  }));
  // Formatting dates is the slow part: do it once per minute of the window, not once per point.
  const stamps = window.starts.map((t) => isoTime(t, layout.timestampStyle));
  const pointsOf = (q: QueryDef): number[] => {
    if (q.series.values.length !== window.minutes) {
      throw new Error(`${q.series.metricName}: ${q.series.values.length} values for a ${window.minutes}-minute window`);
    }
    const minutes: number[] = [];
    q.series.values.forEach((v, i) => {
      if (v !== null) minutes.push(i);
    });
    return layout.order === 'newest-first' ? minutes.reverse() : minutes;
  };
  const result = (q: QueryDef, minutes: readonly number[], statusCode: string) => ({
    Id: q.id,
    Label: q.label ?? q.series.metricName,
    Timestamps: minutes.map((i) => stamps[i]!),
    Values: minutes.map((i) => q.series.values[i]!),
    StatusCode: statusCode,
  });
  const pages = queries.map((q) => {
    const minutes = pointsOf(q);
    // CloudWatch fills the first page in scan order and hands back a NextToken for the rest.
    const split = layout.pages === 1 ? minutes.length : Math.ceil(minutes.length / 2);
    return { q, first: minutes.slice(0, split), rest: minutes.slice(split) };
  });
  const MetricDataResults = [
    ...pages.map(({ q, first, rest }) => result(q, first, rest.length > 0 ? 'PartialData' : 'Complete')),
    ...pages.filter(({ rest }) => rest.length > 0).map(({ q, rest }) => result(q, rest, 'Complete')),
  ];
  return {
    MetricDataQueries,
    StartTime: isoTime(window.starts[0]!, layout.timestampStyle),
    EndTime: isoTime(Date.parse(window.capturedAt), layout.timestampStyle),
    ScanBy: layout.order === 'newest-first' ? 'TimestampDescending' : 'TimestampAscending',
    MetricDataResults,
    Messages: [],
  };
}

export interface StreamSetup {
  readonly name: string;
  readonly region: string;
  readonly shards: number;
  readonly createdAt: string;
  readonly status?: 'CREATING' | 'DELETING' | 'ACTIVE' | 'UPDATING';
  readonly mode?: 'PROVISIONED' | 'ON_DEMAND';
  readonly retentionHours?: number;
  /** Registered enhanced fan-out consumers. */
  readonly consumerCount?: number;
  readonly shardLevelMetrics?: readonly string[];
  readonly encrypted?: boolean;
}

export function streamArn(setup: Pick<StreamSetup, 'name' | 'region'>): string {
  return `arn:aws:kinesis:${setup.region}:${ACCOUNT_ID}:stream/${setup.name}`;
}

/** `aws kinesis describe-stream-summary` output. */
export function describeStreamSummary(setup: StreamSetup): DescribeStreamSummaryRecord {
  const encrypted = setup.encrypted ?? true;
  return {
    StreamDescriptionSummary: {
      StreamName: setup.name,
      StreamARN: streamArn(setup),
      StreamStatus: setup.status ?? 'ACTIVE',
      StreamModeDetails: { StreamMode: setup.mode ?? 'PROVISIONED' },
      RetentionPeriodHours: setup.retentionHours ?? 24,
      StreamCreationTimestamp: setup.createdAt,
      EnhancedMonitoring: [{ ShardLevelMetrics: [...(setup.shardLevelMetrics ?? [])] }],
      EncryptionType: encrypted ? 'KMS' : 'NONE',
      ...(encrypted ? { KeyId: 'alias/aws/kinesis' } : {}),
      OpenShardCount: setup.shards,
      ConsumerCount: setup.consumerCount ?? 0,
      MaxRecordSizeInKiB: 1024,
    },
  };
}

export type ApplicationStatus = DescribeApplicationRecord['ApplicationDetail']['ApplicationStatus'];
export type LogLevel = 'INFO' | 'WARN' | 'ERROR' | 'DEBUG';
export type MetricsLevel = 'APPLICATION' | 'TASK' | 'OPERATOR' | 'PARALLELISM';

export interface AppSetup {
  readonly name: string;
  readonly region: string;
  readonly description: string;
  readonly sourceStream: string;
  readonly versionId: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The configured parallelism. */
  readonly parallelism: number;
  /** What the job runs with now; differs from `parallelism` after the service's own autoscaling acted. */
  readonly currentParallelism?: number;
  readonly parallelismPerKpu?: number;
  readonly autoScalingEnabled?: boolean;
  readonly snapshotsEnabled?: boolean;
  readonly status?: ApplicationStatus;
  readonly logLevel?: LogLevel;
  readonly metricsLevel?: MetricsLevel;
  readonly runtime?: string;
  readonly jarVersion?: string;
  /** Extra runtime properties the job reads (sink endpoints and the like). */
  readonly properties?: Readonly<Record<string, string>>;
}

export function applicationArn(setup: Pick<AppSetup, 'name' | 'region'>): string {
  return `arn:aws:kinesisanalytics:${setup.region}:${ACCOUNT_ID}:application/${setup.name}`;
}

/** `aws kinesisanalyticsv2 describe-application` output for a Flink application. */
export function describeApplication(setup: AppSetup, random: SeededRandom): DescribeApplicationRecord {
  const logLevel = setup.logLevel ?? 'INFO';
  const metricsLevel = setup.metricsLevel ?? 'APPLICATION';
  const monitoringIsDefault = logLevel === 'INFO' && metricsLevel === 'APPLICATION';
  const jar = `${setup.name}-${setup.jarVersion ?? '1.0.0'}.jar`;
  const jobPlan = {
    jid: random.hex(32),
    name: setup.name,
    type: 'STREAMING',
    nodes: [
      {
        id: random.hex(32),
        parallelism: setup.currentParallelism ?? setup.parallelism,
        operator: '',
        description: 'Source: Kinesis',
      },
    ],
  };
  return {
    ApplicationDetail: {
      ApplicationARN: applicationArn(setup),
      ApplicationDescription: setup.description,
      ApplicationName: setup.name,
      RuntimeEnvironment: setup.runtime ?? 'FLINK-1_20',
      ServiceExecutionRole: `arn:aws:iam::${ACCOUNT_ID}:role/service-role/kinesis-analytics-${setup.name}-${setup.region}`,
      ApplicationStatus: setup.status ?? 'RUNNING',
      ApplicationVersionId: setup.versionId,
      CreateTimestamp: setup.createdAt,
      LastUpdateTimestamp: setup.updatedAt,
      ApplicationConfigurationDescription: {
        ApplicationCodeConfigurationDescription: {
          CodeContentType: 'ZIPFILE',
          CodeContentDescription: {
            CodeMD5: random.hex(32),
            CodeSize: random.int(18_000_000, 95_000_000),
            S3ApplicationCodeLocationDescription: {
              BucketARN: `arn:aws:s3:::flink-artifacts-${ACCOUNT_ID}-${setup.region}`,
              FileKey: `${setup.name}/${jar}`,
            },
          },
        },
        RunConfigurationDescription: {
          ApplicationRestoreConfigurationDescription: {
            ApplicationRestoreType:
              setup.snapshotsEnabled === false ? 'SKIP_RESTORE_FROM_SNAPSHOT' : 'RESTORE_FROM_LATEST_SNAPSHOT',
          },
          FlinkRunConfigurationDescription: { AllowNonRestoredState: false },
        },
        FlinkApplicationConfigurationDescription: {
          CheckpointConfigurationDescription: {
            ConfigurationType: 'DEFAULT',
            CheckpointingEnabled: true,
            CheckpointInterval: 60_000,
            MinPauseBetweenCheckpoints: 5_000,
          },
          MonitoringConfigurationDescription: {
            ConfigurationType: monitoringIsDefault ? 'DEFAULT' : 'CUSTOM',
            MetricsLevel: metricsLevel,
            LogLevel: logLevel,
          },
          ParallelismConfigurationDescription: {
            ConfigurationType: 'CUSTOM',
            Parallelism: setup.parallelism,
            ParallelismPerKPU: setup.parallelismPerKpu ?? 1,
            CurrentParallelism: setup.currentParallelism ?? setup.parallelism,
            AutoScalingEnabled: setup.autoScalingEnabled ?? false,
          },
          JobPlanDescription: JSON.stringify(jobPlan),
        },
        EnvironmentPropertyDescriptions: {
          PropertyGroupDescriptions: [
            {
              PropertyGroupId: 'FlinkApplicationProperties',
              PropertyMap: {
                'source.stream.arn': streamArn({ name: setup.sourceStream, region: setup.region }),
                'source.init.position': 'LATEST',
                'aws.region': setup.region,
                ...(setup.properties ?? {}),
              },
            },
          ],
        },
        ApplicationSnapshotConfigurationDescription: { SnapshotsEnabled: setup.snapshotsEnabled ?? true },
        ApplicationSystemRollbackConfigurationDescription: { RollbackEnabled: true },
      },
      CloudWatchLoggingOptionDescriptions: [
        {
          CloudWatchLoggingOptionId: '1.1',
          LogStreamARN: `arn:aws:logs:${setup.region}:${ACCOUNT_ID}:log-group:/aws/kinesis-analytics/${setup.name}:log-stream:kinesis-analytics-log-stream`,
        },
      ],
      ApplicationMaintenanceConfigurationDescription: {
        ApplicationMaintenanceWindowStartTime: '03:00',
        ApplicationMaintenanceWindowEndTime: '11:00',
      },
      ...(setup.versionId > 1 ? { ApplicationVersionUpdatedFrom: setup.versionId - 1 } : {}),
      ApplicationVersionCreateTimestamp: setup.updatedAt,
      ConditionalToken: random.hex(32),
      ApplicationMode: 'STREAMING',
    },
  };
}

export interface WriteModel {
  /** Records per second the producers try to put, per minute. */
  readonly demandRecords: readonly number[];
  /** Average record size in bytes, per minute. */
  readonly recordBytes: readonly number[];
  readonly shards: number;
  /** Share of all records that goes to one partition key (a hot key); 0 for an even spread. */
  readonly hotKeyShare?: readonly number[];
}

export interface WriteOutcome {
  /** Records per second accepted. */
  readonly acceptedRecords: number[];
  /** IncomingRecords, Sum per minute. */
  readonly incomingRecords: number[];
  /** IncomingBytes, Sum per minute: exactly records times the average size. */
  readonly incomingBytes: number[];
  /** WriteProvisionedThroughputExceeded, Sum per minute (rejected records, retries included). */
  readonly writeThrottled: number[];
  /** Accepted records per second on each shard; the first shard is the hot one. */
  readonly perShardRecords: number[][];
}

/**
 * Producers against provisioned shard limits. A shard takes 1 MiB/s or 1,000 records/s; the hash
 * spread is never perfectly even, so a stream tops out just below its nominal capacity, and
 * producers retry rejected records, so the rejection count runs above the shortfall.
 */
export function writeModel(model: WriteModel, random: SeededRandom): WriteOutcome {
  const out: WriteOutcome = {
    acceptedRecords: [],
    incomingRecords: [],
    incomingBytes: [],
    writeThrottled: [],
    perShardRecords: [],
  };
  model.demandRecords.forEach((demand, m) => {
    const size = model.recordBytes[m]!;
    const shardLimit = min(SHARD_WRITE_RECORDS, SHARD_WRITE_BYTES / size);
    const hot = model.hotKeyShare?.[m] ?? 0;
    const spreadEfficiency = random.between(0.965, 0.99);
    const perShard: number[] = [];
    for (let s = 0; s < model.shards; s += 1) {
      const even = ((1 - hot) * demand) / model.shards;
      const wanted = s === 0 ? even + hot * demand : even;
      // Below 85% of a shard's limit per-second bursts are absorbed; above it some are refused.
      const limit = shardLimit * (hot > 0 && s === 0 ? 1 : spreadEfficiency);
      perShard.push(min(wanted, limit));
    }
    const accepted = perShard.reduce((a, b) => a + b, 0);
    const pressure = demand / (shardLimit * model.shards);
    const burstRejects = pressure > 0.85 ? demand * 0.004 * (pressure - 0.85) * 20 : 0;
    const rejected = max(0, demand - accepted) * random.between(1.05, 1.35) + burstRejects * random.between(0.5, 1.5);
    const records = Math.round(accepted * 60);
    out.acceptedRecords.push(accepted);
    out.incomingRecords.push(records);
    out.incomingBytes.push(Math.round(records * size));
    out.writeThrottled.push(Math.round(rejected * 60));
    out.perShardRecords.push(perShard);
  });
  return out;
}

export interface ConsumerOutcome {
  /** Records per second processed. */
  readonly processed: number[];
  /** Unprocessed records at the end of each minute. */
  readonly backlog: number[];
  /** How far behind the newest record the consumer reads, in ms (millisBehindLatest). */
  readonly lagMs: number[];
}

/**
 * A consumer reading what the stream accepted, at most `capacity` records per second. Its lag is the
 * age of what it is reading: the backlog divided by the arrival rate.
 */
export function consumerModel(
  input: readonly number[],
  capacity: readonly number[],
  initialBacklog: number,
  random: SeededRandom,
): ConsumerOutcome {
  const out: ConsumerOutcome = { processed: [], backlog: [], lagMs: [] };
  let backlog = initialBacklog;
  // The records being read arrived over many minutes: their age follows the smoothed arrival rate.
  let arrival = input[0] ?? 0;
  input.forEach((rate, m) => {
    arrival = 0.9 * arrival + 0.1 * rate;
    const available = backlog + rate * 60;
    const done = min(available, max(0, capacity[m]!) * 60);
    backlog = available - done;
    // A consumer that keeps up still reads a poll interval behind.
    const pollDelay = random.between(80, 900);
    out.processed.push(done / 60);
    out.backlog.push(backlog);
    out.lagMs.push(backlog > rate * 0.5 ? (backlog / max(arrival, 1)) * 1000 + pollDelay : pollDelay);
  });
  return out;
}

/** Samples a series at every minute, `null` where `present` says the metric was not emitted. */
export function sample(
  minutes: readonly number[],
  value: (minute: number) => number,
  decimals: number,
  present: (minute: number) => boolean = () => true,
): (number | null)[] {
  return minutes.map((m) => (present(m) ? round(value(m), decimals) : null));
}

/** KPUs is reported once an hour: a value on the hour, nothing in between. */
export function hourly(
  window: TimeWindow,
  value: number,
  present: (minute: number) => boolean = () => true,
): (number | null)[] {
  return window.starts.map((t, m) => (t % 3_600_000 === 0 && present(m) ? value : null));
}

/** The KPUs an application is billed for: its task KPUs plus one for orchestration. */
export function billedKpus(parallelism: number, perKpu: number): number {
  return Math.ceil(parallelism / perKpu) + 1;
}

export interface StreamSide {
  readonly name: string;
  readonly shards: number;
  /** Records per second producers try to write at minute m. */
  readonly demandRecords: (minute: number) => number;
  readonly recordBytes: (minute: number) => number;
  readonly hotKeyShare?: (minute: number) => number;
  /** Share of rejected records that went through PutRecords rather than PutRecord. */
  readonly putRecordsShare?: number;
}

export interface AppSide {
  readonly name: string;
  readonly parallelism: (minute: number) => number;
  readonly parallelismPerKpu: number;
  /** Records per second one subtask processes when fully busy. */
  readonly perSubtaskRate: (minute: number) => number;
  /** Records per second the sink accepts; unlimited when absent. */
  readonly sinkRate?: (minute: number) => number;
  /** Whether the job runs (and reports metrics) at minute m. */
  readonly running?: (minute: number) => boolean;
  readonly initialBacklog?: number;
  /** Bytes of keyed state, for lastCheckpointSize. */
  readonly stateBytes: (minute: number) => number;
}

export interface PipelineSpec {
  readonly window: TimeWindow;
  readonly stream?: StreamSide;
  readonly app?: AppSide;
}

export interface PipelineRun {
  readonly minutes: number[];
  readonly stream: Partial<Record<MetricKey, (number | null)[]>>;
  readonly app: Partial<Record<MetricKey, (number | null)[]>>;
  readonly write?: WriteOutcome;
  readonly consumer?: ConsumerOutcome;
  /** Per minute: what held the application back. */
  readonly appBound: ('compute' | 'sink' | 'none' | 'down')[];
}

/**
 * Runs producers, the stream and one Flink consumer minute by minute and returns every catalog
 * metric for both. Scenarios override the series their incident is about (heap, checkpoints,
 * restarts) and keep the rest: the flow of records stays consistent end to end.
 */
export function simulatePipeline(spec: PipelineSpec, random: SeededRandom): PipelineRun {
  const minutes = minutesOf(spec.window);
  const run: PipelineRun = { minutes, stream: {}, app: {}, appBound: [] };
  const running = spec.app?.running ?? (() => true);
  let accepted: number[] = minutes.map(() => 0);
  let sizes: number[] = minutes.map(() => 1000);
  if (spec.stream) {
    const s = spec.stream;
    sizes = minutes.map((m) => s.recordBytes(m));
    const write = writeModel(
      {
        shards: s.shards,
        demandRecords: minutes.map((m) => s.demandRecords(m)),
        recordBytes: sizes,
        ...(s.hotKeyShare ? { hotKeyShare: minutes.map((m) => s.hotKeyShare!(m)) } : {}),
      },
      random,
    );
    accepted = write.acceptedRecords;
    Object.assign(run, { write });
    run.stream.incomingBytes = write.incomingBytes;
    run.stream.incomingRecords = write.incomingRecords;
    run.stream.writeThrottled = write.writeThrottled;
    const share = s.putRecordsShare ?? 0.97;
    run.stream.putRecordsThrottled = write.writeThrottled.map((v) => Math.round(v * share));
    run.stream.readThrottled = minutes.map(() => 0);
  }
  if (spec.app) {
    const a = spec.app;
    const computeCapacity = minutes.map((m) => a.parallelism(m) * a.perSubtaskRate(m));
    const capacity = minutes.map((m) =>
      running(m) ? min(computeCapacity[m]!, a.sinkRate ? a.sinkRate(m) : Infinity) : 0,
    );
    const consumer = consumerModel(accepted, capacity, a.initialBacklog ?? 0, random);
    Object.assign(run, { consumer });
    const busy: number[] = [];
    const backPressured: number[] = [];
    const cpu: number[] = [];
    minutes.forEach((m) => {
      if (!running(m)) {
        run.appBound.push('down');
        busy.push(0);
        backPressured.push(0);
        cpu.push(0);
        return;
      }
      const saturated = consumer.backlog[m]! > accepted[m]! * 0.5;
      const sinkLimited = a.sinkRate !== undefined && a.sinkRate(m) < computeCapacity[m]!;
      if (saturated && !sinkLimited) {
        run.appBound.push('compute');
        busy.push(min(1000, random.jitter(975, 0.012)));
        backPressured.push(random.between(4, 35));
        cpu.push(min(100, random.between(88, 97.5)));
      } else if (saturated) {
        run.appBound.push('sink');
        busy.push(random.between(90, 210));
        backPressured.push(random.between(640, 820));
        cpu.push(random.between(17, 31));
      } else {
        run.appBound.push('none');
        const utilisation = consumer.processed[m]! / max(computeCapacity[m]!, 1);
        busy.push(min(960, 1000 * utilisation * random.between(0.92, 1.0) + random.between(5, 25)));
        backPressured.push(random.between(0, 18));
        cpu.push(min(100, 11 + 78 * utilisation + 3 * random.gaussian()));
      }
    });
    const present = (m: number): boolean => running(m);
    run.app.millisBehindLatest = sample(minutes, (m) => consumer.lagMs[m]!, 0, present);
    run.app.containerCpu = sample(minutes, (m) => cpu[m]!, 4, present);
    run.app.cpu = sample(minutes, (m) => cpu[m]! * random.between(0.9, 0.95), 4, present);
    run.app.heap = sample(minutes, (m) => 38 + 17 * ((m % 7) / 7) + 2 * random.gaussian(), 4, present);
    run.app.containerMemory = sample(minutes, (m) => 58 + 6 * ((m % 7) / 7) + random.gaussian(), 4, present);
    run.app.busyTime = sample(minutes, (m) => busy[m]!, 3, present);
    run.app.backPressuredTime = sample(minutes, (m) => backPressured[m]!, 3, present);
    run.app.idleTime = sample(minutes, (m) => max(0, 1000 - busy[m]! - backPressured[m]!), 3, present);
    run.app.recordsInPerSecond = sample(minutes, (m) => consumer.processed[m]!, 3, present);
    run.app.checkpointDuration = sample(
      minutes,
      (m) => random.jitter(1800 + 2600 * min(1, busy[m]! / 1000), 0.15),
      0,
      present,
    );
    run.app.checkpointSize = sample(minutes, (m) => random.jitter(a.stateBytes(m), 0.004), 0, present);
    run.app.failedCheckpoints = sample(minutes, () => 0, 0, present);
    run.app.fullRestarts = sample(minutes, () => 0, 0, present);
    run.app.downtime = sample(minutes, () => 0, 0, present);
    run.app.kpus = minutes.map((m) =>
      spec.window.starts[m]! % 3_600_000 === 0 && present(m) ? billedKpus(a.parallelism(m), a.parallelismPerKpu) : null,
    );
  }
  if (spec.stream) {
    const processed = run.consumer?.processed ?? accepted;
    const readRecords = minutes.map((m) => (spec.app && !running(m) ? 0 : Math.round(processed[m]! * 60)));
    run.stream.getRecordsRecords = readRecords.map((r, m) => (spec.app && !running(m) ? null : r));
    run.stream.getRecordsBytes = readRecords.map((r, m) =>
      spec.app && !running(m) ? null : Math.round(r * sizes[m]!),
    );
    run.stream.iteratorAge = minutes.map((m) =>
      spec.app && !running(m)
        ? null
        : // GetRecords ages the records it returns a moment later than the job reports its position.
          Math.round(run.consumer ? run.consumer.lagMs[m]! + random.between(0, 250) : random.between(150, 900)),
    );
  }
  return run;
}

/** Every catalog metric of the target's resources, in catalog order, as StreamMedic's capture asks for them. */
export function catalogSeriesFor(
  resources: { readonly streamName?: string; readonly applicationName?: string },
  values: Partial<Record<MetricKey, Values>>,
  minutes: number,
): SeriesDef[] {
  const series: SeriesDef[] = [];
  for (const key of Object.keys(METRICS) as MetricKey[]) {
    const spec = METRICS[key];
    const name = spec.resource === 'stream' ? resources.streamName : resources.applicationName;
    if (!name) continue;
    series.push(catalogSeries(key, name, values[key] ?? Array.from({ length: minutes }, () => null)));
  }
  return series;
}

/** The tasks a two-task job reports at TASK level: the source first, then the task that limits it. */
const EXAMPLE_TASKS = ['Source: Kinesis -> Parse', 'Enrich -> Sink'] as const;

/** What the source task of a job shows while its downstream task has `busy`: it mostly waits. */
const SOURCE_BUSY_SHARE = 0.4;

type Query = GetMetricDataRecord['MetricDataQueries'][number];
type Result = GetMetricDataRecord['MetricDataResults'][number];

/**
 * Rewrites a snapshot captured with one `{Application}` series per metric into what Managed Flink
 * really publishes for the application's metrics level and runtime (DESIGN.md, "What AWS really
 * publishes"): busy, back-pressured and idle time only from TASK level, one series per task (the
 * limiting task keeps the modelled values, the source task shows less); `millisBehindLatest` per source
 * stream with `Flow` and `Id`; restarts as `numRestarts` from Flink 2.2 and `fullRestarts` before. A
 * series AWS would not publish is still asked for, as a capture asks for every catalog metric, and
 * comes back empty. Consumes no randomness, so every other number stays as modelled.
 */
export function inRealShapes<
  T extends {
    getMetricData?: GetMetricDataRecord;
    describeApplication?: DescribeApplicationRecord;
    describeStreamSummary?: DescribeStreamSummaryRecord;
    target?: { streamName?: string };
  },
>(snapshot: T): T {
  const record = snapshot.getMetricData;
  const detail = snapshot.describeApplication?.ApplicationDetail;
  if (!record || !detail) return snapshot;
  const flink = detail.ApplicationConfigurationDescription?.FlinkApplicationConfigurationDescription;
  const level = flink?.MonitoringConfigurationDescription?.MetricsLevel ?? 'APPLICATION';
  const runtime = detail.RuntimeEnvironment ?? 'FLINK-1_20';
  const numRestarts = /^FLINK-(\d+)_(\d+)$/.exec(runtime);
  const restartsRenamed = numRestarts !== null && Number(numRestarts[1]) * 100 + Number(numRestarts[2]) >= 202;
  const sourceStream =
    snapshot.describeStreamSummary?.StreamDescriptionSummary.StreamName ?? snapshot.target?.streamName ?? 'source';
  const perTask = new Set([
    METRICS.busyTime.metricName,
    METRICS.backPressuredTime.metricName,
    METRICS.idleTime.metricName,
  ]);
  const queries: Query[] = [];
  const results: Result[] = [];
  const resultsOf = (id: string): Result[] => record.MetricDataResults.filter((r) => r.Id === id);
  const emptied = (r: Result): Result => ({ ...r, Timestamps: [], Values: [] });
  for (const query of record.MetricDataQueries) {
    const metric = query.MetricStat?.Metric;
    const isApp = metric?.Namespace === METRICS.busyTime.namespace;
    const name = metric?.MetricName ?? '';
    if (!metric || !isApp) {
      queries.push(query);
      results.push(...resultsOf(query.Id));
      continue;
    }
    if (perTask.has(name)) {
      if (level === 'APPLICATION') {
        queries.push(query);
        results.push(...resultsOf(query.Id).map(emptied));
        continue;
      }
      EXAMPLE_TASKS.forEach((task, index) => {
        const id = `${query.Id}t${index}`;
        const source = index === 0;
        queries.push({
          ...query,
          Id: id,
          ...(query.Label !== undefined ? { Label: `${query.Label} ${task}` } : {}),
          MetricStat: {
            ...query.MetricStat!,
            Metric: { ...metric, Dimensions: [...(metric.Dimensions ?? []), { Name: 'TaskName', Value: task }] },
          },
        });
        for (const r of resultsOf(query.Id)) {
          const values = r.Values ?? [];
          const shaped =
            !source || name === METRICS.backPressuredTime.metricName
              ? values
              : name === METRICS.busyTime.metricName
                ? values.map((v) => round(v * SOURCE_BUSY_SHARE, 3))
                : values.map((v) => round(Math.min(1000, 1000 - (1000 - v) * SOURCE_BUSY_SHARE), 3));
          results.push({
            ...r,
            Id: id,
            ...(r.Label !== undefined ? { Label: `${r.Label} ${task}` } : {}),
            Values: shaped,
          });
        }
      });
      continue;
    }
    if (name === METRICS.millisBehindLatest.metricName) {
      queries.push({
        ...query,
        MetricStat: {
          ...query.MetricStat!,
          Metric: {
            ...metric,
            Dimensions: [
              ...(metric.Dimensions ?? []),
              { Name: 'Flow', Value: 'Input' },
              { Name: 'Id', Value: sourceStream },
            ],
          },
        },
      });
      results.push(...resultsOf(query.Id));
      continue;
    }
    const restartsName = restartsRenamed ? METRICS.numRestarts.metricName : METRICS.fullRestarts.metricName;
    if (name === METRICS.fullRestarts.metricName || name === METRICS.numRestarts.metricName) {
      // The modelled restart counts belong to the runtime's counter; the other one is not published.
      const modelled = resultsOf(
        record.MetricDataQueries.find((q) => q.MetricStat?.Metric.MetricName === METRICS.fullRestarts.metricName)?.Id ??
          query.Id,
      );
      queries.push(query);
      results.push(
        ...(name === restartsName
          ? modelled.map((r) => ({ ...r, Id: query.Id, ...(r.Label !== undefined ? { Label: name } : {}) }))
          : resultsOf(query.Id).map(emptied)),
      );
      continue;
    }
    queries.push(query);
    results.push(...resultsOf(query.Id));
  }
  return { ...snapshot, getMetricData: { ...record, MetricDataQueries: queries, MetricDataResults: results } };
}
