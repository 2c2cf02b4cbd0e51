/**
 * Writes the example incident snapshots in examples/incidents/, one per scenario:
 *
 *   npx tsx examples/generate-incidents.ts
 *
 * Every number comes from a seeded PRNG and a fixed capture time, so the output is the same on every
 * run; test/examples checks that the checked-in files are exactly what this produces.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricKey } from '../lambdas/domain/metric-catalog';
import type { SnapshotInput } from '../lambdas/domain/snapshot';
import {
  MIB,
  SeededRandom,
  capturedQueries,
  catalogSeries,
  catalogSeriesFor,
  inRealShapes,
  describeApplication,
  describeStreamSummary,
  getMetricData,
  isoTime,
  round,
  sample,
  seedOf,
  simulatePipeline,
  smoothStep,
  timeWindow,
  type AppSetup,
  type MetricDataLayout,
  type PipelineRun,
  type QueryDef,
  type StreamSetup,
  type TimeWindow,
  type Values,
} from './incident-kit';

export interface Incident {
  readonly fileName: string;
  readonly snapshot: SnapshotInput;
}

type LedgerInput = NonNullable<SnapshotInput['ledger']>[number];

const NEWEST_FIRST: MetricDataLayout = { order: 'newest-first', timestampStyle: 'Z', pages: 1 };
const OLDEST_FIRST: MetricDataLayout = { order: 'oldest-first', timestampStyle: 'Z', pages: 1 };
const CLI_OLDEST_FIRST: MetricDataLayout = { order: 'oldest-first', timestampStyle: '+00:00', pages: 1 };
const CLI_NEWEST_FIRST: MetricDataLayout = { order: 'newest-first', timestampStyle: '+00:00', pages: 1 };

const constant = (value: number) => (): number => value;

/** Minutes before capture, as an ISO time. */
function minutesBefore(window: TimeWindow, minutes: number, seconds = 0): string {
  return isoTime(Date.parse(window.capturedAt) - minutes * 60_000 - seconds * 1000);
}

function executionArn(region: string, target: string, window: TimeWindow, minutesAgo: number): string {
  const stamp = minutesBefore(window, minutesAgo).replace(/[-:]/g, '').replace(/Z$/, '');
  return `arn:aws:states:${region}:123456789012:execution:StreamMedic-Remediation:${target}-${stamp}`;
}

function merged(
  run: PipelineRun,
  overrides: Partial<Record<MetricKey, Values>> = {},
): Partial<Record<MetricKey, Values>> {
  return { ...run.stream, ...run.app, ...overrides };
}

function captured(
  window: TimeWindow,
  resources: { readonly streamName?: string; readonly applicationName?: string },
  values: Partial<Record<MetricKey, Values>>,
  layout: MetricDataLayout,
) {
  return getMetricData(window, capturedQueries(catalogSeriesFor(resources, values, window.minutes)), layout);
}

/** Morning ramp: `from` to `to` records per second, centred on minute `at`. */
function ramp(from: number, to: number, at: number, width: number, random: SeededRandom, noise = 0.025) {
  return (m: number): number => random.jitter(from + (to - from) * smoothStep(m, at, width), noise);
}

function stream(setup: Omit<StreamSetup, 'createdAt'> & { createdAt?: string }): StreamSetup {
  return { createdAt: '2025-03-14T09:26:41Z', ...setup };
}

/** An application as the examples run them: TASK-level metrics (per-task busy time) unless an example says otherwise. */
function app(
  setup: Omit<AppSetup, 'createdAt' | 'description'> & { createdAt?: string; description?: string },
): AppSetup {
  return { createdAt: '2025-04-02T13:05:12Z', description: `${setup.name} (Flink)`, metricsLevel: 'TASK', ...setup };
}

// ---------------------------------------------------------------------------------------------
// Stream capacity
// ---------------------------------------------------------------------------------------------

function writeCapacityBytes(): Incident {
  const random = new SeededRandom(seedOf('write-capacity-bytes'));
  const window = timeWindow('2026-11-21T10:15:00Z', 180);
  const size = (): number => random.jitter(4300, 0.02);
  // Producers want 4.4 MiB/s at 07:15 and 11.6 MiB/s from 09:45; eight shards take 8 MiB/s.
  const demandBytes = ramp(4.4 * MIB, 11.6 * MIB, 120, 50, random, 0.03);
  const run = simulatePipeline(
    {
      window,
      stream: { name: 'orders-stream', shards: 8, demandRecords: (m) => demandBytes(m) / 4300, recordBytes: size },
      app: {
        name: 'orders-enricher',
        parallelism: constant(12),
        parallelismPerKpu: 2,
        perSubtaskRate: constant(900),
        stateBytes: (m) => 1.8e9 + m * 2.1e5,
      },
    },
    random,
  );
  const region = 'eu-west-1';
  return {
    fileName: 'write-capacity-bytes.json',
    snapshot: {
      version: 1,
      capturedAt: window.capturedAt,
      target: { name: 'orders', streamName: 'orders-stream', applicationName: 'orders-enricher' },
      config: {
        name: 'orders',
        mode: 'auto',
        stream: { name: 'orders-stream', minShards: 2, maxShards: 32 },
        application: { name: 'orders-enricher', minParallelism: 2, maxParallelism: 24 },
      },
      getMetricData: captured(
        window,
        { streamName: 'orders-stream', applicationName: 'orders-enricher' },
        merged(run),
        NEWEST_FIRST,
      ),
      describeStreamSummary: describeStreamSummary(stream({ name: 'orders-stream', region, shards: 8 })),
      describeApplication: describeApplication(
        app({
          name: 'orders-enricher',
          region,
          sourceStream: 'orders-stream',
          versionId: 23,
          updatedAt: '2026-11-18T16:40:03Z',
          parallelism: 12,
          parallelismPerKpu: 2,
          jarVersion: '3.8.1',
        }),
        random,
      ),
      ledger: [],
    },
  };
}

function writeCapacityRecords(): Incident {
  const random = new SeededRandom(seedOf('write-capacity-records'));
  const window = timeWindow('2026-10-06T19:40:00Z', 150);
  // Click events of ~190 bytes: two shards run out of records/s long before bytes/s.
  const run = simulatePipeline(
    {
      window,
      stream: {
        name: 'web-clicks',
        shards: 2,
        demandRecords: ramp(1250, 2900, 75, 60, random, 0.035),
        recordBytes: () => random.jitter(190, 0.03),
        putRecordsShare: 1,
      },
    },
    random,
  );
  const region = 'us-east-1';
  return {
    fileName: 'write-capacity-records.json',
    snapshot: {
      version: 1,
      capturedAt: window.capturedAt,
      target: { name: 'web-clicks', streamName: 'web-clicks' },
      config: { name: 'web-clicks', mode: 'observe', stream: { name: 'web-clicks', maxShards: 8 } },
      getMetricData: captured(window, { streamName: 'web-clicks' }, merged(run), OLDEST_FIRST),
      describeStreamSummary: describeStreamSummary(
        stream({ name: 'web-clicks', region, shards: 2, retentionHours: 48, encrypted: false }),
      ),
    },
  };
}

function hotShard(): Incident {
  const random = new SeededRandom(seedOf('hot-shard'));
  const window = timeWindow('2026-12-02T14:30:00Z', 180);
  const shards = 8;
  // A merchant's flash sale from 13:20 puts 45% of all payments on one partition key.
  const hotShare = (m: number): number => 0.04 + 0.41 * smoothStep(m, 110, 6);
  const run = simulatePipeline(
    {
      window,
      stream: {
        name: 'payments',
        shards,
        demandRecords: ramp(1900, 2450, 100, 40, random, 0.03),
        recordBytes: () => random.jitter(650, 0.02),
        hotKeyShare: hotShare,
        putRecordsShare: 0.91,
      },
    },
    random,
  );
  const write = run.write!;
  const shardIds = Array.from({ length: shards }, (_, i) => `shardId-0000000000${String(8 + i).padStart(2, '0')}`);
  const perShard = (metricName: 'IncomingRecords' | 'WriteProvisionedThroughputExceeded'): QueryDef[] =>
    shardIds.map((shardId, s) => ({
      id: `${metricName === 'IncomingRecords' ? 'shardRecords' : 'shardThrottled'}${s}`,
      label: `${metricName} ${shardId}`,
      returnData: true,
      series: {
        namespace: 'AWS/Kinesis',
        metricName,
        stat: 'Sum',
        dimensions: [
          { Name: 'StreamName', Value: 'payments' },
          { Name: 'ShardId', Value: shardId },
        ],
        values: run.minutes.map((m) => {
          const accepted = write.perShardRecords[m]![s]!;
          if (metricName === 'IncomingRecords') return Math.round(accepted * 60);
          // Only the hot shard refuses writes; the stream-wide counter is the sum of the shards'.
          return s === 0 ? write.writeThrottled[m]! : 0;
        }),
      },
    }));
  const queries: QueryDef[] = [
    ...capturedQueries(catalogSeriesFor({ streamName: 'payments' }, merged(run), window.minutes)),
    ...perShard('IncomingRecords'),
    ...perShard('WriteProvisionedThroughputExceeded'),
  ];
  return {
    fileName: 'hot-shard.json',
    snapshot: {
      version: 1,
      capturedAt: window.capturedAt,
      target: { name: 'payments', streamName: 'payments' },
      getMetricData: getMetricData(window, queries, { order: 'newest-first', timestampStyle: 'Z', pages: 2 }),
      describeStreamSummary: describeStreamSummary(
        stream({
          name: 'payments',
          region: 'eu-central-1',
          shards,
          retentionHours: 72,
          shardLevelMetrics: ['IncomingBytes', 'IncomingRecords', 'WriteProvisionedThroughputExceeded'],
        }),
      ),
    },
  };
}

/**
 * Several shared-throughput readers on one stream. Every reader reads every record; a shard serves
 * 2 MiB/s and 5 GetRecords calls/s to all of them together.
 */
function readCapacity(options: {
  readonly random: SeededRandom;
  readonly window: TimeWindow;
  readonly name: string;
  readonly shards: number;
  readonly recordBytes: number;
  readonly demandRecords: (m: number) => number;
  readonly readers: (m: number) => number;
  /** GetRecords calls per second per shard each reader makes. */
  readonly callsPerReader: number;
}): Partial<Record<MetricKey, Values>> {
  const { random, window, shards } = options;
  const run = simulatePipeline(
    {
      window,
      stream: {
        name: options.name,
        shards,
        demandRecords: options.demandRecords,
        recordBytes: () => random.jitter(options.recordBytes, 0.02),
      },
    },
    random,
  );
  const write = run.write!;
  const readCapacityBytes = shards * 2 * MIB;
  let behindMs = 800;
  const getRecordsBytes: number[] = [];
  const getRecordsRecords: number[] = [];
  const getRecordsSuccess: number[] = [];
  const readThrottled: number[] = [];
  const iteratorAge: number[] = [];
  run.minutes.forEach((m) => {
    const readers = options.readers(m);
    const size = write.incomingBytes[m]! / Math.max(write.incomingRecords[m]!, 1);
    const wantedBytes = (readers * write.incomingBytes[m]!) / 60;
    const servedBytes = Math.min(wantedBytes, readCapacityBytes * random.between(0.955, 0.985));
    const callDemand = readers * options.callsPerReader;
    const callExcess = Math.max(0, callDemand - 5) * shards * 60;
    const bytePressure = wantedBytes / readCapacityBytes;
    const byteThrottles = bytePressure > 0.9 ? (bytePressure - 0.9) * shards * 60 * 14 : 0;
    const throttledCalls = callExcess * random.between(0.55, 0.8) + byteThrottles * random.between(0.7, 1.3);
    // Readers lose the bytes the shards could not serve and the time they back off after a
    // throttled call; unthrottled, they catch up within a few polls.
    const shortfall = wantedBytes > 0 ? 1 - servedBytes / wantedBytes : 0;
    const refusedShare = throttledCalls / Math.max(readers * options.callsPerReader * shards * 60, 1);
    const falling = shortfall * readers + 0.4 * refusedShare;
    behindMs = Math.max(600, behindMs + (falling > 0.005 ? 60_000 * falling : -45_000));
    const records = Math.round((servedBytes * 60) / size);
    getRecordsRecords.push(records);
    getRecordsBytes.push(Math.round(records * size));
    readThrottled.push(Math.round(throttledCalls));
    // The calls the shards served: what the readers asked for, less those refused.
    getRecordsSuccess.push(Math.max(0, Math.round(callDemand * shards * 60 - throttledCalls)));
    iteratorAge.push(Math.round(random.jitter(behindMs, 0.05)));
  });
  return { ...run.stream, getRecordsBytes, getRecordsRecords, getRecordsSuccess, readThrottled, iteratorAge };
}

function readCapacityNearLimit(): Incident {
  const random = new SeededRandom(seedOf('read-capacity-near-limit'));
  const window = timeWindow('2026-09-15T16:05:00Z', 180);
  const bytes = 1100;
  // Three readers (a KCL app, a Lambda mapping, a Firehose stream) each read all 1.9-2.6 MiB/s.
  const values = readCapacity({
    random,
    window,
    name: 'clickstream',
    shards: 4,
    recordBytes: bytes,
    demandRecords: ramp((1.9 * MIB) / bytes, (2.62 * MIB) / bytes, 110, 45, random, 0.02),
    readers: constant(3),
    callsPerReader: 1,
  });
  return {
    fileName: 'read-capacity-near-limit.json',
    snapshot: {
      version: 1,
      capturedAt: window.capturedAt,
      target: { name: 'clickstream', streamName: 'clickstream' },
      config: { name: 'clickstream', mode: 'recommend', stream: { name: 'clickstream', minShards: 2, maxShards: 16 } },
      getMetricData: captured(window, { streamName: 'clickstream' }, values, NEWEST_FIRST),
      describeStreamSummary: describeStreamSummary(
        stream({ name: 'clickstream', region: 'us-west-2', shards: 4, retentionHours: 24 }),
      ),
    },
  };
}

function readCapacityFanOut(): Incident {
  const random = new SeededRandom(seedOf('read-capacity-fan-out'));
  const window = timeWindow('2026-08-27T11:50:00Z', 150);
  const bytes = 480;
  // Five Lambda mappings poll once a second per shard; a sixth was added 55 minutes ago.
  const values = readCapacity({
    random,
    window,
    name: 'inventory-changes',
    shards: 4,
    recordBytes: bytes,
    demandRecords: ramp(880, 990, 70, 80, random, 0.04),
    readers: (m) => (m >= 95 ? 6 : 5),
    callsPerReader: 1,
  });
  return {
    fileName: 'read-capacity-fan-out.json',
    snapshot: {
      version: 1,
      capturedAt: window.capturedAt,
      getMetricData: captured(window, { streamName: 'inventory-changes' }, values, NEWEST_FIRST),
      describeStreamSummary: describeStreamSummary(
        stream({ name: 'inventory-changes', region: 'us-east-2', shards: 4, retentionHours: 24 }),
      ),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The Flink application
// ---------------------------------------------------------------------------------------------

/** The orders pipeline of a weekday morning: input outgrows four subtasks around 08:55. */
function cpuBoundOrders(
  random: SeededRandom,
  window: TimeWindow,
  options: {
    readonly parallelism?: (m: number) => number;
    readonly running?: (m: number) => boolean;
    /** Minute the morning ramp is half way up. */
    readonly rampAt?: number;
    readonly rampWidth?: number;
  } = {},
) {
  return simulatePipeline(
    {
      window,
      stream: {
        name: 'orders-stream',
        shards: 24,
        demandRecords: ramp(5200, 8200, options.rampAt ?? 95, options.rampWidth ?? 60, random, 0.02),
        recordBytes: () => random.jitter(720, 0.02),
      },
      app: {
        name: 'orders-enricher',
        parallelism: options.parallelism ?? constant(4),
        parallelismPerKpu: 1,
        ...(options.running ? { running: options.running } : {}),
        perSubtaskRate: () => random.jitter(1450, 0.01),
        stateBytes: (m) => 2.4e9 + m * 3.2e5,
      },
    },
    random,
  );
}

function consumerCompute(): Incident {
  const random = new SeededRandom(seedOf('consumer-compute'));
  const window = timeWindow('2026-11-21T10:15:00Z', 180);
  const run = cpuBoundOrders(random, window);
  return {
    fileName: 'consumer-compute.json',
    snapshot: {
      version: 1,
      capturedAt: window.capturedAt,
      target: { name: 'orders', streamName: 'orders-stream', applicationName: 'orders-enricher' },
      getMetricData: captured(
        window,
        { streamName: 'orders-stream', applicationName: 'orders-enricher' },
        merged(run),
        NEWEST_FIRST,
      ),
      describeStreamSummary: describeStreamSummary(
        stream({ name: 'orders-stream', region: 'eu-west-1', shards: 24, retentionHours: 24 }),
      ),
      describeApplication: describeApplication(
        app({
          name: 'orders-enricher',
          region: 'eu-west-1',
          sourceStream: 'orders-stream',
          versionId: 41,
          updatedAt: '2026-11-19T08:12:55Z',
          parallelism: 4,
          parallelismPerKpu: 1,
          jarVersion: '4.2.0',
          properties: { 'sink.dynamodb.table': 'orders-enriched' },
        }),
        random,
      ),
      ledger: [],
    },
  };
}

function sinkBackpressure(): Incident {
  const random = new SeededRandom(seedOf('sink-backpressure'));
  const window = timeWindow('2026-10-14T22:45:00Z', 180);
  // The OpenSearch domain the job writes to degrades at 21:35 and takes a third of what it did.
  const run = simulatePipeline(
    {
      window,
      stream: {
        name: 'shipment-events',
        shards: 8,
        demandRecords: () => random.jitter(3000, 0.03),
        recordBytes: () => random.jitter(900, 0.02),
      },
      app: {
        name: 'shipment-indexer',
        parallelism: constant(8),
        parallelismPerKpu: 1,
        perSubtaskRate: constant(1500),
        sinkRate: (m) => (m < 110 ? 6400 : random.jitter(2250, 0.04)),
        stateBytes: constant(2.2e8),
      },
    },
    random,
  );
  const region = 'us-east-1';
  return {
    fileName: 'sink-backpressure.json',
    snapshot: {
      version: 1,
      capturedAt: window.capturedAt,
      target: { name: 'shipments', streamName: 'shipment-events', applicationName: 'shipment-indexer' },
      config: {
        name: 'shipments',
        mode: 'recommend',
        stream: { name: 'shipment-events', maxShards: 16 },
        application: { name: 'shipment-indexer', minParallelism: 4, maxParallelism: 32 },
      },
      getMetricData: captured(
        window,
        { streamName: 'shipment-events', applicationName: 'shipment-indexer' },
        merged(run),
        NEWEST_FIRST,
      ),
      describeStreamSummary: describeStreamSummary(stream({ name: 'shipment-events', region, shards: 8 })),
      describeApplication: describeApplication(
        app({
          name: 'shipment-indexer',
          region,
          sourceStream: 'shipment-events',
          versionId: 9,
          updatedAt: '2026-09-30T10:02:47Z',
          parallelism: 8,
          jarVersion: '2.1.4',
          properties: { 'sink.opensearch.endpoint': 'https://search-shipments-prod.us-east-1.es.amazonaws.com' },
        }),
        random,
      ),
    },
  };
}

/** Heap that garbage collection no longer brings down, and checkpoints that slow and then fail. */
function memoryPressure(fileName: string, name: string, parallelismPerKpu: number, applyFix: boolean): Incident {
  const random = new SeededRandom(seedOf(fileName));
  const window = timeWindow(applyFix ? '2026-07-09T05:20:00Z' : '2026-07-08T23:50:00Z', 180);
  const streamName = `${name}-input`;
  const run = simulatePipeline(
    {
      window,
      stream: {
        name: streamName,
        shards: 16,
        demandRecords: () => random.jitter(4100, 0.03),
        recordBytes: () => random.jitter(1300, 0.02),
      },
      app: {
        name,
        parallelism: constant(8),
        parallelismPerKpu,
        perSubtaskRate: constant(1100),
        stateBytes: (m) => 3.1e9 + 2.7e9 * (m / 180) ** 1.6,
      },
    },
    random,
  );
  const minutes = run.minutes;
  const pressure = (m: number): number => smoothStep(m, 120, 70);
  // The GC sawtooth flattens as live state fills the heap.
  const heap = sample(
    minutes,
    (m) => Math.min(99.2, 61 + 33 * pressure(m) + (1 - pressure(m)) * 12 * ((m % 6) / 6) + random.gaussian()),
    4,
  );
  const containerMemory = sample(minutes, (m) => 68 + 24 * pressure(m) + random.gaussian(), 4);
  const checkpointDuration = sample(minutes, (m) => random.jitter(9_000 + 165_000 * smoothStep(m, 150, 40), 0.08), 0);
  let failed = 0;
  const failedCheckpoints = sample(
    minutes,
    (m) => {
      // A checkpoint that runs past its 3-minute timeout fails; the counter is cumulative.
      if (m >= 140 && m % 9 === 4) failed += 1;
      return failed;
    },
    0,
  );
  // Long GC pauses stall the job: lag creeps up, still below what counts as behind.
  const lag = sample(
    minutes,
    (m) => (m < 130 ? random.between(100, 900) : random.jitter(1_000 + 32_000 * ((m - 130) / 50), 0.1)),
    0,
  );
  const cpu = sample(minutes, (m) => 44 + 22 * pressure(m) + 2.5 * random.gaussian(), 4);
  const busy = sample(minutes, (m) => 430 + 260 * pressure(m) + 20 * random.gaussian(), 3);
  const backPressured = sample(minutes, () => random.between(5, 40), 3);
  const idle = minutes.map((m) => round(Math.max(0, 1000 - busy[m]! - backPressured[m]!), 3));
  const region = 'eu-west-1';
  const values = merged(run, {
    heap,
    containerMemory,
    checkpointDuration,
    failedCheckpoints,
    millisBehindLatest: lag,
    iteratorAge: lag.map((v) => (v === null ? null : Math.round(v * 1.02 + 50))),
    containerCpu: cpu,
    cpu: cpu.map((v) => (v === null ? null : round(v * 0.93, 4))),
    busyTime: busy,
    backPressuredTime: backPressured,
    idleTime: idle,
  });
  return {
    fileName,
    snapshot: {
      version: 1,
      capturedAt: window.capturedAt,
      target: { name, streamName, applicationName: name },
      ...(applyFix
        ? {
            config: {
              name,
              mode: 'auto' as const,
              stream: { name: streamName, maxShards: 32 },
              application: { name, minParallelism: 2, maxParallelism: 32, maxKpu: 32, applyMemoryFix: true },
            },
          }
        : {}),
      getMetricData: captured(window, { streamName, applicationName: name }, values, NEWEST_FIRST),
      describeStreamSummary: describeStreamSummary(stream({ name: streamName, region, shards: 16 })),
      describeApplication: describeApplication(
        app({
          metricsLevel: 'APPLICATION',
          name,
          region,
          sourceStream: streamName,
          versionId: 14,
          updatedAt: '2026-07-01T09:31:20Z',
          parallelism: 8,
          parallelismPerKpu,
          jarVersion: '1.9.0',
        }),
        random,
      ),
      ...(applyFix ? { ledger: [] } : {}),
    },
  };
}

function appCrashLoop(): Incident {
  const random = new SeededRandom(seedOf('app-crash-loop'));
  const window = timeWindow('2026-11-03T04:10:00Z', 180);
  // A poison record from 02:35 makes the job fail and restart from its last checkpoint, over and over.
  const restartsAt = [95, 110, 124, 137, 149, 160, 170, 178];
  const downMinutes = new Set(restartsAt.flatMap((m) => [m, m + 1]));
  const run = simulatePipeline(
    {
      window,
      stream: {
        name: 'ledger-entries',
        shards: 8,
        demandRecords: () => random.jitter(2600, 0.03),
        recordBytes: () => random.jitter(880, 0.02),
      },
      app: {
        name: 'ledger-poster',
        parallelism: constant(8),
        parallelismPerKpu: 1,
        // Between failures the job replays from its checkpoint, so little of its capacity is progress.
        perSubtaskRate: (m) => (m < 95 ? 900 : random.between(120, 260)),
        running: (m) => !downMinutes.has(m),
        stateBytes: constant(7.5e8),
      },
    },
    random,
  );
  let restarts = 0;
  const fullRestarts = run.minutes.map((m) => {
    if (restartsAt.includes(m)) restarts += 1;
    return restarts;
  });
  // Flink keeps reporting while it restarts: downtime is how long the current outage has lasted.
  const downtime = run.minutes.map((m) => (downMinutes.has(m) ? Math.round(random.between(8_000, 55_000)) : 0));
  const recovering = (m: number): boolean => restartsAt.some((r) => m >= r + 2 && m <= r + 4);
  const cpu = run.minutes.map((m) =>
    downMinutes.has(m)
      ? round(random.between(3, 9), 4)
      : recovering(m)
        ? round(random.between(70, 86), 4)
        : run.app.containerCpu![m]!,
  );
  const region = 'eu-west-1';
  return {
    fileName: 'app-crash-loop.json',
    snapshot: {
      version: 1,
      capturedAt: window.capturedAt,
      target: { name: 'ledger', streamName: 'ledger-entries', applicationName: 'ledger-poster' },
      getMetricData: captured(
        window,
        { streamName: 'ledger-entries', applicationName: 'ledger-poster' },
        merged(run, {
          fullRestarts,
          downtime,
          containerCpu: cpu,
          cpu: cpu.map((v) => (v === null ? null : round(v * 0.92, 4))),
        }),
        NEWEST_FIRST,
      ),
      describeStreamSummary: describeStreamSummary(
        stream({ name: 'ledger-entries', region, shards: 8, retentionHours: 168 }),
      ),
      describeApplication: describeApplication(
        app({
          // The service's default metrics level, on the newest runtime: restarts are numRestarts there.
          metricsLevel: 'APPLICATION',
          runtime: 'FLINK-2_2',
          name: 'ledger-poster',
          region,
          sourceStream: 'ledger-entries',
          versionId: 31,
          updatedAt: '2026-11-02T17:44:09Z',
          parallelism: 8,
          jarVersion: '5.0.3',
        }),
        random,
      ),
    },
  };
}

function appNotRunning(): Incident {
  const random = new SeededRandom(seedOf('app-not-running'));
  const window = timeWindow('2026-06-30T08:25:00Z', 150);
  // The job was stopped at 07:57 and nobody started it again; nothing reads the stream since.
  const stoppedAt = 122;
  const run = simulatePipeline(
    {
      window,
      stream: {
        name: 'audit-events',
        shards: 4,
        demandRecords: () => random.jitter(1700, 0.04),
        recordBytes: () => random.jitter(960, 0.02),
      },
      app: {
        name: 'audit-archiver',
        parallelism: constant(4),
        parallelismPerKpu: 1,
        perSubtaskRate: constant(1200),
        running: (m) => m < stoppedAt,
        stateBytes: constant(1.2e8),
      },
    },
    random,
  );
  const region = 'ap-southeast-2';
  return {
    fileName: 'app-not-running.json',
    snapshot: {
      version: 1,
      capturedAt: window.capturedAt,
      target: { name: 'audit', streamName: 'audit-events', applicationName: 'audit-archiver' },
      getMetricData: captured(
        window,
        { streamName: 'audit-events', applicationName: 'audit-archiver' },
        merged(run),
        NEWEST_FIRST,
      ),
      describeStreamSummary: describeStreamSummary(
        stream({ name: 'audit-events', region, shards: 4, retentionHours: 48 }),
      ),
      describeApplication: describeApplication(
        app({
          metricsLevel: 'APPLICATION',
          name: 'audit-archiver',
          region,
          sourceStream: 'audit-events',
          status: 'READY',
          versionId: 6,
          updatedAt: minutesBefore(window, 28, 14),
          parallelism: 4,
          jarVersion: '1.3.2',
        }),
        random,
      ),
    },
  };
}

function verboseMonitoring(options: {
  readonly fileName: string;
  readonly name: string;
  readonly capturedAt: string;
  readonly parallelism: number;
  readonly logLevel: 'INFO' | 'DEBUG';
  readonly metricsLevel: 'APPLICATION' | 'PARALLELISM';
  readonly applyFix: boolean;
}): Incident {
  const random = new SeededRandom(seedOf(options.fileName));
  const window = timeWindow(options.capturedAt, 180);
  const streamName = `${options.name}-input`;
  const p = options.parallelism;
  // Logging every record (or reporting every subtask's metrics) eats the time that should process them.
  const run = simulatePipeline(
    {
      window,
      stream: {
        name: streamName,
        shards: Math.max(8, 2 * p),
        demandRecords: ramp(p * 560, p * 820, 120, 50, random, 0.025),
        recordBytes: () => random.jitter(300, 0.02),
      },
      app: {
        name: options.name,
        parallelism: constant(p),
        parallelismPerKpu: 1,
        perSubtaskRate: () => random.jitter(790, 0.01),
        stateBytes: constant(6.0e8),
      },
    },
    random,
  );
  const saturated = (m: number): boolean => run.appBound[m] === 'compute';
  // A logging operator is busy and the source behind it waits on it: both gauges run high.
  const busy = sample(run.minutes, (m) => (saturated(m) ? random.between(860, 930) : run.app.busyTime![m]!), 3);
  const backPressured = sample(
    run.minutes,
    (m) => (saturated(m) ? random.between(520, 690) : run.app.backPressuredTime![m]!),
    3,
  );
  const cpu = sample(run.minutes, (m) => (saturated(m) ? random.between(77, 86) : run.app.containerCpu![m]!), 4);
  const region = 'us-west-2';
  return {
    fileName: options.fileName,
    snapshot: {
      version: 1,
      capturedAt: window.capturedAt,
      target: { name: options.name, streamName, applicationName: options.name },
      ...(options.applyFix
        ? {
            config: {
              name: options.name,
              mode: 'auto' as const,
              stream: { name: streamName, maxShards: 32 },
              application: { name: options.name, maxParallelism: 48, applyMonitoringFix: true },
            },
            ledger: [],
          }
        : {}),
      getMetricData: captured(
        window,
        { streamName, applicationName: options.name },
        merged(run, {
          busyTime: busy,
          backPressuredTime: backPressured,
          idleTime: run.minutes.map((m) => round(Math.max(0, 1000 - busy[m]! - backPressured[m]!), 3)),
          containerCpu: cpu,
          cpu: cpu.map((v) => (v === null ? null : round(v * 0.94, 4))),
        }),
        NEWEST_FIRST,
      ),
      describeStreamSummary: describeStreamSummary(stream({ name: streamName, region, shards: Math.max(8, 2 * p) })),
      describeApplication: describeApplication(
        app({
          name: options.name,
          region,
          sourceStream: streamName,
          versionId: 12,
          updatedAt: minutesBefore(window, 200),
          parallelism: p,
          logLevel: options.logLevel,
          metricsLevel: options.metricsLevel,
          jarVersion: '2.0.0',
        }),
        random,
      ),
    },
  };
}

function overProvisioned(): Incident {
  const random = new SeededRandom(seedOf('over-provisioned'));
  const window = timeWindow('2026-12-27T03:40:00Z', 180);
  // Sized for the November peak; over the holidays a night's traffic uses a few percent of it.
  const run = simulatePipeline(
    {
      window,
      stream: {
        name: 'metrics-ingest',
        shards: 32,
        demandRecords: () => random.jitter(1650, 0.05),
        recordBytes: () => random.jitter(900, 0.02),
      },
      app: {
        name: 'metrics-rollup',
        parallelism: constant(16),
        parallelismPerKpu: 1,
        perSubtaskRate: constant(1400),
        stateBytes: (m) => 9.0e8 + m * 1.0e4,
      },
    },
    random,
  );
  const region = 'us-east-1';
  return {
    fileName: 'over-provisioned.json',
    snapshot: {
      version: 1,
      capturedAt: window.capturedAt,
      target: { name: 'metrics', streamName: 'metrics-ingest', applicationName: 'metrics-rollup' },
      config: {
        name: 'metrics',
        mode: 'auto',
        stream: { name: 'metrics-ingest', minShards: 4, maxShards: 64 },
        application: { name: 'metrics-rollup', minParallelism: 2, maxParallelism: 32 },
      },
      getMetricData: captured(
        window,
        { streamName: 'metrics-ingest', applicationName: 'metrics-rollup' },
        merged(run),
        OLDEST_FIRST,
      ),
      describeStreamSummary: describeStreamSummary(stream({ name: 'metrics-ingest', region, shards: 32 })),
      describeApplication: describeApplication(
        app({
          metricsLevel: 'APPLICATION',
          name: 'metrics-rollup',
          region,
          sourceStream: 'metrics-ingest',
          versionId: 18,
          updatedAt: '2026-11-24T07:18:40Z',
          parallelism: 16,
          jarVersion: '3.1.0',
        }),
        random,
      ),
      ledger: [
        {
          at: minutesBefore(window, 26 * 60 + 5),
          target: 'metrics',
          resource: 'stream/metrics-ingest',
          actionType: 'UpdateShardCount',
          direction: 'up',
          from: 16,
          to: 32,
          calls: 1,
          executionId: executionArn(region, 'metrics', window, 26 * 60 + 5),
        },
      ],
    },
  };
}

function healthyTransientSpike(): Incident {
  const random = new SeededRandom(seedOf('healthy-transient-spike'));
  const window = timeWindow('2026-05-16T18:30:00Z', 120);
  // A push notification at 17:33 brings 2.6x the traffic for seven minutes; by 17:45 it has drained.
  const spike = (m: number): number => (m >= 63 && m < 70 ? 2.6 : 1);
  const run = simulatePipeline(
    {
      window,
      stream: {
        name: 'ride-events',
        shards: 6,
        demandRecords: (m) => random.jitter(3000 * spike(m), 0.03),
        recordBytes: () => random.jitter(840, 0.02),
      },
      app: {
        name: 'ride-eta',
        parallelism: constant(6),
        parallelismPerKpu: 1,
        perSubtaskRate: constant(800),
        stateBytes: constant(4.0e8),
      },
    },
    random,
  );
  // Written by hand with the AWS CLI: own Ids, no labels, Average where a person would pick it.
  const query = (id: string, key: MetricKey, resource: string, values: Values, stat?: string): QueryDef => ({
    id,
    series: catalogSeries(key, resource, values, stat),
  });
  const cpuAverage = run.app.containerCpu!.map((v) => (v === null ? null : round(v * random.between(0.86, 0.93), 4)));
  const queries: QueryDef[] = [
    query('incomingBytes', 'incomingBytes', 'ride-events', run.stream.incomingBytes!),
    query('incomingRecords', 'incomingRecords', 'ride-events', run.stream.incomingRecords!),
    query('writeThrottled', 'writeThrottled', 'ride-events', run.stream.writeThrottled!),
    query('readThrottled', 'readThrottled', 'ride-events', run.stream.readThrottled!),
    query('iteratorAge', 'iteratorAge', 'ride-events', run.stream.iteratorAge!),
    query('behind', 'millisBehindLatest', 'ride-eta', run.app.millisBehindLatest!),
    query('cpu', 'containerCpu', 'ride-eta', cpuAverage, 'Average'),
    query('heap', 'heap', 'ride-eta', run.app.heap!, 'Average'),
    query('busy', 'busyTime', 'ride-eta', run.app.busyTime!, 'Average'),
    query('backPressured', 'backPressuredTime', 'ride-eta', run.app.backPressuredTime!, 'Average'),
    query('recordsIn', 'recordsInPerSecond', 'ride-eta', run.app.recordsInPerSecond!),
    query('restarts', 'fullRestarts', 'ride-eta', run.app.fullRestarts!),
  ];
  const region = 'eu-north-1';
  return {
    fileName: 'healthy-transient-spike.json',
    snapshot: {
      version: 1,
      capturedAt: isoTime(Date.parse(window.capturedAt), '+00:00'),
      getMetricData: getMetricData(window, queries, CLI_OLDEST_FIRST),
      describeStreamSummary: describeStreamSummary(stream({ name: 'ride-events', region, shards: 6 })),
      describeApplication: describeApplication(
        app({
          name: 'ride-eta',
          region,
          sourceStream: 'ride-events',
          versionId: 57,
          updatedAt: '2026-05-12T09:00:31Z',
          parallelism: 6,
          jarVersion: '7.4.1',
        }),
        random,
      ),
    },
  };
}

function insufficientData(): Incident {
  const random = new SeededRandom(seedOf('insufficient-data'));
  const window = timeWindow('2026-04-11T13:00:00Z', 120);
  // The consumer fell behind from 12:20, but CloudWatch returned no datapoints for any of the
  // application's metrics: nothing tells a slow job from a slow sink.
  const run = simulatePipeline(
    {
      window,
      stream: {
        name: 'quote-requests',
        shards: 4,
        demandRecords: () => random.jitter(1500, 0.04),
        recordBytes: () => random.jitter(700, 0.02),
      },
      app: {
        name: 'quote-pricer',
        parallelism: constant(2),
        parallelismPerKpu: 1,
        perSubtaskRate: (m) => (m < 80 ? 1000 : 560),
        stateBytes: constant(5.0e7),
      },
    },
    random,
  );
  const appValues = Object.fromEntries(Object.keys(run.app).map((key) => [key, run.minutes.map(() => null)]));
  return {
    fileName: 'insufficient-data.json',
    snapshot: {
      version: 1,
      capturedAt: isoTime(Date.parse(window.capturedAt), '+00:00'),
      getMetricData: captured(
        window,
        { streamName: 'quote-requests', applicationName: 'quote-pricer' },
        { ...run.stream, ...appValues },
        CLI_NEWEST_FIRST,
      ),
      describeStreamSummary: describeStreamSummary(stream({ name: 'quote-requests', region: 'us-east-1', shards: 4 })),
      describeApplication: describeApplication(
        app({
          metricsLevel: 'APPLICATION',
          name: 'quote-pricer',
          region: 'us-east-1',
          sourceStream: 'quote-requests',
          versionId: 3,
          updatedAt: '2026-04-09T15:27:02Z',
          parallelism: 2,
          jarVersion: '0.9.2',
        }),
        random,
      ),
    },
  };
}

function retentionRisk(): Incident {
  const random = new SeededRandom(seedOf('retention-risk'));
  const window = timeWindow('2026-03-02T09:00:00Z', 180);
  const input = 14_000;
  // Behind since a deploy yesterday evening: 12.6 hours of a 24-hour retention, and still losing ground.
  const lagAtStartSeconds = 12.6 * 3600;
  const run = simulatePipeline(
    {
      window,
      stream: {
        name: 'billing-events',
        shards: 32,
        demandRecords: () => random.jitter(input, 0.02),
        recordBytes: () => random.jitter(420, 0.02),
      },
      app: {
        name: 'billing-aggregator',
        parallelism: constant(8),
        parallelismPerKpu: 1,
        perSubtaskRate: () => random.jitter(1500, 0.01),
        initialBacklog: lagAtStartSeconds * input,
        stateBytes: (m) => 5.2e9 + m * 4.0e5,
      },
    },
    random,
  );
  const region = 'eu-west-1';
  return {
    fileName: 'retention-risk.json',
    snapshot: {
      version: 1,
      capturedAt: window.capturedAt,
      target: { name: 'billing', streamName: 'billing-events', applicationName: 'billing-aggregator' },
      config: {
        name: 'billing',
        mode: 'auto',
        stream: { name: 'billing-events', minShards: 8, maxShards: 32, maxRetentionHours: 72 },
        application: { name: 'billing-aggregator', minParallelism: 2, maxParallelism: 32 },
      },
      getMetricData: captured(
        window,
        { streamName: 'billing-events', applicationName: 'billing-aggregator' },
        merged(run),
        OLDEST_FIRST,
      ),
      describeStreamSummary: describeStreamSummary(
        stream({ name: 'billing-events', region, shards: 32, retentionHours: 24 }),
      ),
      describeApplication: describeApplication(
        app({
          metricsLevel: 'APPLICATION',
          name: 'billing-aggregator',
          region,
          sourceStream: 'billing-events',
          versionId: 66,
          updatedAt: '2026-03-01T19:48:30Z',
          parallelism: 8,
          jarVersion: '9.12.0',
        }),
        random,
      ),
      ledger: [],
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Guardrails
// ---------------------------------------------------------------------------------------------

function refusedOnDemand(): Incident {
  const random = new SeededRandom(seedOf('refused-on-demand'));
  const window = timeWindow('2026-11-27T05:10:00Z', 120);
  // Black Friday opens at 04:00: traffic jumps to three times the stream's previous peak, more than
  // on-demand capacity (twice the previous peak) absorbs at once.
  const run = simulatePipeline(
    {
      window,
      stream: {
        name: 'checkout-events',
        shards: 4,
        demandRecords: (m) => random.jitter(m < 50 ? 1300 : 1300 + 4300 * smoothStep(m, 58, 10), 0.03),
        recordBytes: () => random.jitter(1010, 0.02),
      },
    },
    random,
  );
  return {
    fileName: 'refused-on-demand.json',
    snapshot: {
      version: 1,
      capturedAt: window.capturedAt,
      target: { name: 'checkout', streamName: 'checkout-events' },
      getMetricData: captured(window, { streamName: 'checkout-events' }, merged(run), NEWEST_FIRST),
      describeStreamSummary: describeStreamSummary(
        stream({ name: 'checkout-events', region: 'us-east-1', shards: 4, mode: 'ON_DEMAND', retentionHours: 24 }),
      ),
    },
  };
}

/** A CPU-bound orders job with one thing that forbids touching it. */
function refusedApp(options: {
  readonly fileName: string;
  readonly capturedAt: string;
  readonly setup: Partial<AppSetup>;
  readonly config?: SnapshotInput['config'];
  readonly ledger?: LedgerInput[];
  readonly parallelism?: (m: number) => number;
  /** Minutes the job was stopped and reported nothing (an update in progress, a restart). */
  readonly gap?: readonly [number, number];
  readonly rampAt?: number;
  readonly rampWidth?: number;
}): Incident {
  const random = new SeededRandom(seedOf(options.fileName));
  const window = timeWindow(options.capturedAt, 180);
  const [gapFrom, gapTo] = options.gap ?? [Infinity, Infinity];
  const run = cpuBoundOrders(random, window, {
    ...(options.parallelism ? { parallelism: options.parallelism } : {}),
    ...(options.rampAt !== undefined ? { rampAt: options.rampAt } : {}),
    ...(options.rampWidth !== undefined ? { rampWidth: options.rampWidth } : {}),
    running: (m) => m < gapFrom || m >= gapTo,
  });
  return {
    fileName: options.fileName,
    snapshot: {
      version: 1,
      capturedAt: window.capturedAt,
      target: { name: 'orders', streamName: 'orders-stream', applicationName: 'orders-enricher' },
      ...(options.config ? { config: options.config } : {}),
      getMetricData: captured(
        window,
        { streamName: 'orders-stream', applicationName: 'orders-enricher' },
        merged(run),
        NEWEST_FIRST,
      ),
      describeStreamSummary: describeStreamSummary(
        stream({ name: 'orders-stream', region: 'eu-west-1', shards: 24, retentionHours: 24 }),
      ),
      describeApplication: describeApplication(
        app({
          name: 'orders-enricher',
          region: 'eu-west-1',
          sourceStream: 'orders-stream',
          versionId: 41,
          updatedAt: '2026-11-19T08:12:55Z',
          parallelism: 4,
          jarVersion: '4.2.0',
          ...options.setup,
        }),
        random,
      ),
      ...(options.ledger ? { ledger: options.ledger } : {}),
    },
  };
}

const ORDERS_AUTO = {
  name: 'orders',
  mode: 'auto' as const,
  stream: { name: 'orders-stream', minShards: 4, maxShards: 48 },
  application: { name: 'orders-enricher', minParallelism: 2, maxParallelism: 24 },
};

function refusedAppUpdating(): Incident {
  const capturedAt = '2026-11-24T10:20:00Z';
  return refusedApp({
    fileName: 'refused-app-updating.json',
    capturedAt,
    // A deploy started two minutes ago; the job stopped reporting when it began.
    setup: { status: 'UPDATING', versionId: 42, updatedAt: isoTime(Date.parse(capturedAt) - 2 * 60_000 - 9_000) },
    gap: [178, 180],
  });
}

function refusedSnapshotsDisabled(): Incident {
  return refusedApp({
    fileName: 'refused-snapshots-disabled.json',
    capturedAt: '2026-11-25T10:05:00Z',
    setup: { snapshotsEnabled: false },
    config: ORDERS_AUTO,
    ledger: [],
  });
}

function refusedBuiltinAutoscaling(): Incident {
  return refusedApp({
    fileName: 'refused-builtin-autoscaling.json',
    capturedAt: '2026-11-26T10:10:00Z',
    setup: { autoScalingEnabled: true },
    // The input outgrew the job a quarter of an hour ago: the service's own 15-minute rule is about to act.
    rampAt: 165,
    rampWidth: 14,
    config: { ...ORDERS_AUTO, application: { ...ORDERS_AUTO.application, builtInAutoscaling: 'defer' } },
  });
}

/** Input well past what eight subtasks process, so the job stays CPU-bound after the service doubled it. */
function builtinAutoscalingTurnOff(): Incident {
  // The service's own autoscaling took the job from 4 to 8 at 08:22 and the input outgrew that too.
  const fileName = 'builtin-autoscaling-turn-off.json';
  const random = new SeededRandom(seedOf(fileName));
  const window = timeWindow('2026-12-01T11:35:00Z', 180);
  const run = simulatePipeline(
    {
      window,
      stream: {
        name: 'orders-stream',
        shards: 24,
        demandRecords: ramp(9000, 14_500, 100, 60, random, 0.02),
        recordBytes: () => random.jitter(720, 0.02),
      },
      app: {
        name: 'orders-enricher',
        parallelism: constant(8),
        parallelismPerKpu: 1,
        perSubtaskRate: () => random.jitter(1450, 0.01),
        stateBytes: (m) => 2.4e9 + m * 3.2e5,
      },
    },
    random,
  );
  return {
    fileName,
    snapshot: {
      version: 1,
      capturedAt: window.capturedAt,
      target: { name: 'orders', streamName: 'orders-stream', applicationName: 'orders-enricher' },
      config: { ...ORDERS_AUTO, application: { ...ORDERS_AUTO.application, builtInAutoscaling: 'turn-off' } },
      getMetricData: captured(
        window,
        { streamName: 'orders-stream', applicationName: 'orders-enricher' },
        merged(run),
        NEWEST_FIRST,
      ),
      describeStreamSummary: describeStreamSummary(
        stream({ name: 'orders-stream', region: 'eu-west-1', shards: 24, retentionHours: 24 }),
      ),
      describeApplication: describeApplication(
        app({
          name: 'orders-enricher',
          region: 'eu-west-1',
          sourceStream: 'orders-stream',
          status: 'RUNNING',
          versionId: 44,
          updatedAt: minutesBefore(window, 193),
          parallelism: 4,
          currentParallelism: 8,
          autoScalingEnabled: true,
          jarVersion: '4.2.0',
        }),
        random,
      ),
      ledger: [],
    },
  };
}

function refusedCooldown(): Incident {
  const capturedAt = '2026-11-27T09:40:00Z';
  const window = timeWindow(capturedAt, 180);
  // StreamMedic doubled the job three minutes ago; it restarted, and is now catching up flat out.
  return refusedApp({
    fileName: 'refused-cooldown.json',
    capturedAt,
    setup: { versionId: 42, parallelism: 4 * 2, updatedAt: minutesBefore(window, 3, 2) },
    parallelism: (m) => (m < 177 ? 4 : 8),
    gap: [175, 177],
    config: ORDERS_AUTO,
    ledger: [
      {
        at: minutesBefore(window, 3, 5),
        target: 'orders',
        resource: 'application/orders-enricher',
        actionType: 'UpdateApplicationParallelism',
        direction: 'up',
        from: 4,
        to: 8,
        calls: 1,
        executionId: executionArn('eu-west-1', 'orders', window, 3),
      },
    ],
  });
}

/** A stream outgrowing its shards whose ledger already holds earlier changes. */
function budgetCase(
  fileName: string,
  shards: number,
  demandMib: number,
  ledger: (w: TimeWindow) => LedgerInput[],
): Incident {
  const random = new SeededRandom(seedOf(fileName));
  const window = timeWindow(fileName.includes('rolling') ? '2026-10-20T21:10:00Z' : '2026-10-19T21:10:00Z', 180);
  const size = 2100;
  const run = simulatePipeline(
    {
      window,
      stream: {
        name: 'bid-requests',
        shards,
        demandRecords: ramp((demandMib * 0.6 * MIB) / size, (demandMib * MIB) / size, 120, 40, random, 0.025),
        recordBytes: () => random.jitter(size, 0.02),
      },
    },
    random,
  );
  return {
    fileName,
    snapshot: {
      version: 1,
      capturedAt: window.capturedAt,
      target: { name: 'adtech', streamName: 'bid-requests' },
      config: { name: 'adtech', mode: 'auto', stream: { name: 'bid-requests', minShards: 4, maxShards: 64 } },
      getMetricData: captured(window, { streamName: 'bid-requests' }, merged(run), NEWEST_FIRST),
      describeStreamSummary: describeStreamSummary(stream({ name: 'bid-requests', region: 'us-east-1', shards })),
      ledger: ledger(window),
    },
  };
}

function shardChange(
  window: TimeWindow,
  minutesAgo: number,
  from: number,
  to: number,
  calls = 1,
  resource = 'stream/bid-requests',
): LedgerInput {
  return {
    at: minutesBefore(window, minutesAgo, 12),
    target: 'adtech',
    resource,
    actionType: 'UpdateShardCount',
    direction: to > from ? 'up' : 'down',
    from,
    to,
    calls,
    executionId: executionArn('us-east-1', 'adtech', window, minutesAgo),
  };
}

function refusedDailyBudget(): Incident {
  // A day of flapping traffic: eight changing calls in the last 24 hours, the last one at 18:10.
  return budgetCase('refused-daily-budget.json', 24, 27, (w) => [
    shardChange(w, 26 * 60, 8, 16),
    shardChange(w, 22 * 60, 16, 12),
    shardChange(w, 19 * 60, 12, 32, 2),
    shardChange(w, 14 * 60, 32, 24),
    shardChange(w, 11 * 60, 24, 16),
    shardChange(w, 8 * 60, 16, 24),
    shardChange(w, 5 * 60, 24, 20),
    shardChange(w, 3 * 60, 20, 24),
  ]);
}

function dailyBudgetRollingWindow(): Incident {
  // Seven calls inside the last 24 hours and three just before: one more call fits the budget of 8.
  return budgetCase('daily-budget-rolling-window.json', 16, 17, (w) => [
    shardChange(w, 29 * 60, 8, 16),
    shardChange(w, 26 * 60, 16, 32, 2),
    shardChange(w, 23 * 60, 32, 16),
    shardChange(w, 20 * 60, 16, 24),
    shardChange(w, 16 * 60, 24, 12),
    shardChange(w, 12 * 60, 12, 24),
    shardChange(w, 9 * 60, 24, 12),
    shardChange(w, 6 * 60, 12, 20),
    shardChange(w, 4 * 60, 20, 16),
  ]);
}

/** Every example, in the order the README lists them. Pure: the same list on every call. */
export function generateIncidents(): Incident[] {
  return incidentsAsCaptured().map((incident) => ({ ...incident, snapshot: inRealShapes(incident.snapshot) }));
}

function incidentsAsCaptured(): Incident[] {
  return [
    writeCapacityBytes(),
    writeCapacityRecords(),
    hotShard(),
    readCapacityNearLimit(),
    readCapacityFanOut(),
    consumerCompute(),
    sinkBackpressure(),
    memoryPressure('memory-pressure.json', 'sessions-aggregator', 2, false),
    memoryPressure('memory-pressure-apply-fix.json', 'sessions-aggregator', 4, true),
    appCrashLoop(),
    appNotRunning(),
    verboseMonitoring({
      fileName: 'verbose-monitoring-debug.json',
      name: 'geo-enricher',
      capturedAt: '2026-02-17T15:25:00Z',
      parallelism: 6,
      logLevel: 'DEBUG',
      metricsLevel: 'APPLICATION',
      applyFix: true,
    }),
    verboseMonitoring({
      fileName: 'verbose-monitoring-metrics.json',
      name: 'fraud-features',
      capturedAt: '2026-02-19T12:55:00Z',
      parallelism: 32,
      logLevel: 'INFO',
      metricsLevel: 'PARALLELISM',
      applyFix: false,
    }),
    overProvisioned(),
    healthyTransientSpike(),
    insufficientData(),
    retentionRisk(),
    refusedOnDemand(),
    refusedAppUpdating(),
    refusedSnapshotsDisabled(),
    refusedBuiltinAutoscaling(),
    builtinAutoscalingTurnOff(),
    refusedCooldown(),
    refusedDailyBudget(),
    dailyBudgetRollingWindow(),
  ];
}

/** The file text for a snapshot: two-space JSON and a final newline. */
export function renderIncident(snapshot: SnapshotInput): string {
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}

export const INCIDENTS_DIR = join(__dirname, 'incidents');

function main(): void {
  mkdirSync(INCIDENTS_DIR, { recursive: true });
  for (const incident of generateIncidents()) {
    writeFileSync(join(INCIDENTS_DIR, incident.fileName), renderIncident(incident.snapshot));
    console.log(`wrote examples/incidents/${incident.fileName}`);
  }
}

if (require.main === module) main();
