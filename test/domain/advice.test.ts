import { adviceText, adviseBeyondCapacity, type Advice } from '../../lambdas/domain/advice';
import { PolicySchema, TargetSchema, type TargetConfig } from '../../lambdas/domain/config';
import { assess } from '../../lambdas/domain/engine';
import { METRICS } from '../../lambdas/domain/metric-catalog';
import type { Report } from '../../lambdas/domain/model';
import { parseSnapshot, type SnapshotInput } from '../../lambdas/domain/snapshot';
import { buildSnapshotInput, type SeriesSpec, type SnapshotSpec } from '../builders/snapshot-builder';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const MINUTE = 60;
const WINDOW_MINUTES = 60;
const policy = PolicySchema.parse({});

function streamTarget(maxShards = 200): TargetConfig {
  return TargetSchema.parse({ name: 'orders', mode: 'auto', stream: { name: 'orders-stream', maxShards } });
}

function appTarget(application: Record<string, unknown> = {}): TargetConfig {
  return TargetSchema.parse({
    name: 'orders',
    mode: 'auto',
    application: { name: 'orders-enricher', maxParallelism: 64, ...application },
  });
}

/** Per-shard series (`{StreamName, ShardId}`), as enhanced monitoring publishes them, added to a snapshot. */
function withShardSeries(
  input: SnapshotInput,
  metric: 'incomingBytes' | 'incomingRecords',
  perShard: Record<string, number>,
): SnapshotInput {
  const gmd = input.getMetricData!;
  const spec = METRICS[metric];
  const end = Date.parse(input.capturedAt);
  const timestamps = Array.from({ length: WINDOW_MINUTES }, (_, i) =>
    new Date(end - (WINDOW_MINUTES - i) * 60_000).toISOString(),
  );
  const queries = [...gmd.MetricDataQueries];
  const results = [...gmd.MetricDataResults];
  for (const [shardId, perMinute] of Object.entries(perShard)) {
    const id = `s${queries.length}`;
    queries.push({
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: spec.namespace,
          MetricName: spec.metricName,
          Dimensions: [
            { Name: 'StreamName', Value: 'orders-stream' },
            { Name: 'ShardId', Value: shardId },
          ],
        },
        Period: 60,
        Stat: 'Sum',
      },
    });
    results.push({
      Id: id,
      Label: spec.metricName,
      StatusCode: 'Complete',
      Timestamps: timestamps,
      Values: timestamps.map(() => perMinute),
    });
  }
  return { ...input, getMetricData: { MetricDataQueries: queries, MetricDataResults: results } };
}

function run(input: SnapshotInput, target: TargetConfig): Report {
  return assess(parseSnapshot(input), { target, policy, dryRun: true });
}

function runSpec(spec: SnapshotSpec, target: TargetConfig): Report {
  return run(buildSnapshotInput({ minutes: WINDOW_MINUTES, ...spec }), target);
}

/** The recommendation that carries a piece of advice, recognised by words only that advice uses. */
function advised(report: Report, marker: RegExp): string | undefined {
  return report.plan.recommendations.find((r) => marker.test(r));
}

const AGGREGATION = /Aggregate user records/;
const COMPRESSION = /Compress payloads/;
const BACKOFF = /repeated attempts/;
const PARTITION_KEY = /random suffix of at least/;
const COMPUTE_BOUND = /short of compute and stops at parallelism/;
const STATE_GROWTH = /state is growing/;
const BARRIERS = /barriers wait behind back-pressure/;
const CHECKPOINT_MEMORY = /checkpoints fail for memory/;
const MONITORING = /paid to carry the monitoring/;

/** A stream of `shards` shards: accepted records/s, record size in bytes, refused records/s. */
function writes(
  shards: number,
  acceptedPerSecond: number,
  recordBytes: number,
  refusedPerSecond: number,
): SnapshotSpec {
  return {
    stream: { shards },
    app: false,
    metrics: {
      incomingRecords: acceptedPerSecond * MINUTE,
      incomingBytes: acceptedPerSecond * recordBytes * MINUTE,
      writeThrottled: refusedPerSecond * MINUTE,
      iteratorAge: 500,
    },
  };
}

describe('record-bound writes: producer aggregation and PutRecords batching', () => {
  // Demand = accepted + the half of refused records producers do not resend; without aggregation the
  // records bind, with it the bytes do.
  it.each([
    // shards, accepted/s, bytes/record, refused/s, shards with aggregation, without, records per aggregate
    // 3,950 records/s at 800 a shard need 5 shards; packed, 1.13 MiB/s at 0.8 MiB/s a shard need 2.
    [4, 3900, 300, 100, '2 shards', 5, 170],
    [4, 3900, 100, 100, '1 shard', 5, 512],
    // 7,900 records/s need 10 shards; packed, 3.77 MiB/s needs 5.
    [8, 7800, 500, 200, '5 shards', 10, 102],
  ])(
    '%i shards, %i records/s of %i bytes, %i refused/s: %s with aggregation instead of %i',
    (shards, accepted, bytes, refused, withAggregation, without, perAggregate) => {
      const report = runSpec(writes(shards, accepted, bytes, refused), streamTarget());
      expect(report.diagnosis.cause).toBe('STREAM_WRITE_CAPACITY');
      const text = advised(report, AGGREGATION);
      expect(text).toContain(`need ${withAggregation} instead of ${without} at 80% of each shard's write limits`);
      expect(text).toContain(`Packed ${perAggregate} to a record of up to 50 KiB`);
      expect(text).toContain(`its records average ${bytes} bytes`);
      expect(text).toContain('PutRecords, up to 500 records per call');
      expect(text).toContain(`IncomingBytes / IncomingRecords ${bytes} bytes per record`);
    },
  );

  it('is advice only: the bounded reshard is still sized for the records as they are sent', () => {
    const report = runSpec(writes(4, 3900, 200, 100), streamTarget());
    const reshard = report.plan.actions.find((a) => a.type === 'UpdateShardCount');
    // 3,950 records/s as sent at 800 a shard, where aggregation would need one shard.
    expect(reshard?.type === 'UpdateShardCount' && reshard.to).toBe(5);
    expect(report.plan.actions.every((a) => a.type === 'UpdateShardCount')).toBe(true);
  });

  it.each([
    ['the stream is bound by bytes', writes(4, 980, 4096, 20)],
    ['nothing is throttled', writes(4, 1000, 200, 0)],
  ])('says nothing when %s', (_why, spec) => {
    expect(advised(runSpec(spec, streamTarget()), AGGREGATION)).toBeUndefined();
  });
});

describe('byte-bound writes: compression at a stated ratio', () => {
  it.each([
    // shards, accepted/s, bytes/record, refused/s, shards at 2:1, without
    [4, 980, 4096, 20, '3 shards', 5],
    // 2,000 records/s of 4 KiB (7.8 MiB/s): 10 shards at 80%, not the 11 that counting every refusal would plan.
    [8, 1900, 4096, 200, '5 shards', 10],
    // Halving 1,440-byte records makes records per second bind: 4 shards (2,950 records/s at 800 a shard), not 3.
    [4, 2900, 1440, 100, '4 shards', 6],
  ])(
    '%i shards, %i records/s of %i bytes, %i refused/s: %s at 2:1 instead of %i',
    (shards, accepted, bytes, refused, atRatio, without) => {
      const report = runSpec(writes(shards, accepted, bytes, refused), streamTarget());
      expect(report.diagnosis.cause).toBe('STREAM_WRITE_CAPACITY');
      const text = advised(report, COMPRESSION);
      expect(text).toContain(`at a 2:1 compression ratio the same traffic needs ${atRatio} instead of ${without}`);
      expect(text).toContain(`records of ${bytes} bytes on average`);
    },
  );

  it('says nothing for a stream bound by records', () => {
    expect(advised(runSpec(writes(4, 3900, 200, 100), streamTarget()), COMPRESSION)).toBeUndefined();
  });
});

describe('throttling with producer retries', () => {
  // 4 shards accept 3,900 records/s; refusals per second against them.
  it.each([
    [7800, '50%'],
    [10_000, '61%'],
    [11_700, '67%'],
  ])('%i refused/s against 3,900 accepted/s: at least %s are repeated attempts', (refused, repeats) => {
    const report = runSpec(writes(4, 3900, 200, refused), streamTarget());
    const text = advised(report, BACKOFF);
    expect(text).toContain(`at least ${repeats} of the refusals are repeated attempts`);
    expect(text).toContain('exponential backoff and jitter');
    // 15 recent minutes of each.
    expect(text).toContain(`refused ${refused * MINUTE * 15} records while ${3900 * MINUTE * 15} were accepted`);
  });

  it.each([
    ['refusals under twice the accepted records', 5000],
    ['a small refused share', 100],
  ])('says nothing with %s', (_why, refused) => {
    expect(advised(runSpec(writes(4, 3900, 200, refused), streamTarget()), BACKOFF)).toBeUndefined();
  });
});

describe('hot key: the hot shard share of the stream from shard-level metrics', () => {
  /** A stream far from full whose hottest shard takes `hot` records/s and each other shard `cold`. */
  function hotKey(shards: number, hot: number, cold: number): SnapshotInput {
    const total = hot + cold * (shards - 1);
    const input = buildSnapshotInput({
      minutes: WINDOW_MINUTES,
      stream: { shards },
      app: false,
      metrics: {
        incomingRecords: total * MINUTE,
        incomingBytes: total * 100 * MINUTE,
        writeThrottled: 3000,
        iteratorAge: 500,
      },
    });
    const perShard = Object.fromEntries(
      Array.from({ length: shards }, (_, i) => [`shardId-00000000000${i}`, (i === 0 ? hot : cold) * MINUTE]),
    );
    return withShardSeries(input, 'incomingRecords', perShard);
  }

  it.each([
    // shards, hot records/s, other shards' records/s, share, even share, suffix values, per shard after
    [4, 1000, 100, '77%', '25%', 2, '50%'],
    [4, 950, 350, '48%', '25%', 2, '48%'],
    [8, 1000, 50, '74%', '13%', 2, '50%'],
  ])(
    '%i shards, hot shard %i/s, others %i/s: %s of the stream (even %s), suffix of %i values',
    (shards, hot, cold, share, even, spread, after) => {
      const report = run(hotKey(shards, hot, cold), streamTarget());
      expect(report.diagnosis.cause).toBe('HOT_SHARD');
      const text = advised(report, PARTITION_KEY);
      expect(text).toContain(`Shard shardId-000000000000 took ${share} of orders-stream's IncomingRecords`);
      expect(text).toContain(`an even spread over ${shards} shards is ${even}`);
      expect(text).toContain(`random suffix of at least ${spread} values`);
      expect(text).toContain(`about ${spread} shards at ${after} each`);
    },
  );

  it('gives no share without shard-level metrics, only the generic advice', () => {
    const input = buildSnapshotInput({
      minutes: WINDOW_MINUTES,
      stream: { shards: 4 },
      app: false,
      metrics: { incomingRecords: 1300 * MINUTE, incomingBytes: 1300 * 100 * MINUTE, writeThrottled: 3000 },
    });
    const report = run(input, streamTarget());
    expect(report.diagnosis.cause).toBe('HOT_SHARD');
    expect(advised(report, PARTITION_KEY)).toBeUndefined();
    expect(report.plan.recommendations.join(' ')).toMatch(/shard-level metrics/);
  });
});

describe('compute-bound at a bound or quota', () => {
  /** A CPU-bound job processing 1,000 records/s whose lag grows 5 s a minute (input about 1,091 records/s). */
  function computeBound(parallelism: number): SnapshotSpec {
    return {
      app: { parallelism },
      stream: false,
      metrics: {
        millisBehindLatest: (i) => 60_000 + i * 5000,
        containerCpu: 95,
        busyTime: 950,
        recordsInPerSecond: 1000,
      },
    };
  }

  it.each([
    // parallelism now, config, cap, bound named, how to raise it, drain
    [
      4,
      { maxParallelism: 6 },
      6,
      'application.maxParallelism 6 in the StreamMedic config',
      'raise application.maxParallelism in the config',
      // 263 records/s per task x 6 = 1,579; spare 488/s drains 355 s x 1,091/s in 794 s.
      'the 6 min backlog drains in about 14 min',
    ],
    [
      4,
      { maxParallelism: 4 },
      4,
      'application.maxParallelism 4 in the StreamMedic config',
      'Flink derives 128 for jobs below 128',
      'can process about 1053 of the 1091 records/s arriving: the lag keeps growing',
    ],
    [
      4,
      { maxKpu: 4 },
      4,
      'the KPU limit (maxKpu 4 at 1 per KPU)',
      'request a higher KPU limit for the application in Service Quotas',
      'the lag keeps growing until the bound is raised',
    ],
  ])('at parallelism %i with %o: stops at %i, held by %s', (parallelism, config, cap, bound, raise, drain) => {
    const report = runSpec(computeBound(parallelism), appTarget(config));
    expect(report.diagnosis.cause).toBe('CONSUMER_COMPUTE');
    const text = advised(report, COMPUTE_BOUND);
    expect(text).toContain(`stops at parallelism ${cap} (${cap} KPU), held by ${bound}`);
    expect(text).toContain(raise);
    expect(text).toContain(drain);
  });

  it('says nothing when the scale-up reaches what is needed', () => {
    const report = runSpec(computeBound(4), appTarget({ maxParallelism: 64 }));
    expect(report.diagnosis.cause).toBe('CONSUMER_COMPUTE');
    expect(advised(report, COMPUTE_BOUND)).toBeUndefined();
  });
});

describe('checkpoints: what their duration and size point at', () => {
  const thirds =
    (first: number, middle: number, last: number): SeriesSpec =>
    (i) =>
      i < 20 ? first : i < 40 ? middle : last;

  function checkpoints(metrics: SnapshotSpec['metrics']): SnapshotSpec {
    return {
      app: { parallelism: 4, parallelismPerKpu: 2 },
      stream: false,
      metrics: { millisBehindLatest: 1000, containerCpu: 50, recordsInPerSecond: 1000, ...metrics },
    };
  }

  it.each([
    [
      thirds(GIB, 1.5 * GIB, 2 * GIB),
      thirds(30_000, 60_000, 90_000),
      'grew from 1024 MiB to 2048 MiB (+100%)',
      'from 30 s to 90 s',
    ],
    [
      thirds(GIB, GIB, 1.5 * GIB),
      thirds(20_000, 20_000, 40_000),
      'grew from 1024 MiB to 1536 MiB (+50%)',
      'from 20 s to 40 s',
    ],
  ])('duration growing with size points at state growth', (size, duration, grew, took) => {
    const text = advised(
      runSpec(checkpoints({ checkpointSize: size, checkpointDuration: duration }), appTarget()),
      STATE_GROWTH,
    );
    expect(text).toContain(grew);
    expect(text).toContain(took);
    expect(text).toContain('state TTL');
  });

  it.each([
    [GIB, thirds(20_000, 60_000, 120_000), 'take 2 min while their size stays at about 1024 MiB'],
    [512 * MIB, 90_000, 'take 90 s while their size stays at about 512 MiB'],
  ])('duration high while size is flat points at back-pressure on the barriers', (size, duration, take) => {
    const report = runSpec(checkpoints({ checkpointSize: size, checkpointDuration: duration }), appTarget());
    const text = advised(report, BARRIERS);
    expect(text).toContain(take);
    expect(advised(report, STATE_GROWTH)).toBeUndefined();
  });

  it.each([
    [90, 2, 'failed 4 checkpoints with the heap at 90%', '2 tasks per KPU share 3 GB of heap'],
    [80, 1, 'failed 4 checkpoints with the heap at 80%', 'at 1 task per KPU there is no more heap per task'],
  ])('failed checkpoints with the heap at %i%% (%i per KPU) point at memory', (heap, perKpu, failed, fix) => {
    const spec = checkpoints({ heap, failedCheckpoints: (i) => Math.min(4, Math.floor(i / 10)) });
    const report = runSpec({ ...spec, app: { parallelism: 4, parallelismPerKpu: perKpu } }, appTarget());
    const text = advised(report, CHECKPOINT_MEMORY);
    expect(text).toContain(failed);
    expect(text).toContain(fix);
  });

  it.each([
    ['no checkpoint size is published', checkpoints({ checkpointDuration: thirds(20_000, 60_000, 120_000) })],
    [
      'the size grows but the duration does not',
      checkpoints({ checkpointSize: thirds(GIB, 1.5 * GIB, 2 * GIB), checkpointDuration: 20_000 }),
    ],
    ['checkpoints are quick and flat', checkpoints({ checkpointSize: GIB, checkpointDuration: 20_000 })],
    [
      'checkpoints fail with the heap at 50%',
      checkpoints({ heap: 50, failedCheckpoints: (i) => Math.min(4, Math.floor(i / 10)) }),
    ],
  ])('says nothing about checkpoints when %s', (_why, spec) => {
    const report = runSpec(spec, appTarget());
    for (const marker of [STATE_GROWTH, BARRIERS, CHECKPOINT_MEMORY]) expect(advised(report, marker)).toBeUndefined();
  });
});

describe('verbose monitoring: the capacity it costs', () => {
  function verbose(
    app: { parallelism: number; parallelismPerKpu: number; logLevel?: string; metricsLevel?: string },
    cpu: number,
  ): SnapshotSpec {
    return {
      app,
      stream: false,
      metrics: { millisBehindLatest: (i) => 60_000 + i * 2000, containerCpu: cpu, recordsInPerSecond: 1000 },
    };
  }

  it.each([
    // app, CPU, sized by CPU, extra KPU, what to set
    [
      { parallelism: 8, parallelismPerKpu: 1, logLevel: 'DEBUG' },
      91,
      11,
      3,
      'Set INFO logging and log nothing per record',
    ],
    [{ parallelism: 8, parallelismPerKpu: 2, logLevel: 'DEBUG' }, 91, 11, 2, 'Set INFO logging'],
    [
      { parallelism: 80, parallelismPerKpu: 1, metricsLevel: 'PARALLELISM' },
      84,
      96,
      16,
      'AWS does not recommend PARALLELISM level above parallelism 64',
    ],
  ])('%o at %i%% CPU: sizing by CPU takes it to %i, %i more KPU', (app, cpu, sized, extra, fix) => {
    const report = runSpec(verbose(app, cpu), appTarget({ maxParallelism: 128, maxKpu: 128 }));
    expect(report.diagnosis.cause).toBe('VERBOSE_MONITORING');
    const text = advised(report, MONITORING);
    expect(text).toContain(`take parallelism ${app.parallelism} to ${sized}, ${extra} more KPU`);
    expect(text).toContain(fix);
  });

  it('says nothing when the CPU is already under the target utilisation', () => {
    const report = runSpec(verbose({ parallelism: 8, parallelismPerKpu: 1, logLevel: 'DEBUG' }, 60), appTarget());
    expect(report.diagnosis.cause).toBe('VERBOSE_MONITORING');
    expect(advised(report, MONITORING)).toBeUndefined();
  });
});

describe('advice and its basis', () => {
  it('states what each piece of advice is based on', () => {
    const advice: Advice = {
      kind: 'compression',
      text: 'Compress.',
      basis: [
        { metric: 'IncomingBytes', value: 3.9, unit: 'MiB/s' },
        { metric: 'IncomingRecords', value: 1000, unit: 'records/s' },
      ],
    };
    expect(adviceText(advice)).toBe('Compress. (Based on: IncomingBytes 3.9 MiB/s; IncomingRecords 1000 records/s.)');
  });

  it('gives nothing for a healthy pipeline', () => {
    const target = appTarget();
    const report = runSpec(
      { app: { parallelism: 4 }, stream: false, metrics: { millisBehindLatest: 500, containerCpu: 30 } },
      target,
    );
    expect(report.diagnosis.cause).toBe('HEALTHY');
    expect(report.plan.recommendations).toEqual([]);
  });

  it('gives nothing from an empty window', () => {
    const advice = adviseBeyondCapacity(
      {
        target: streamTarget(),
        policy,
        signals: { end: 0, coveredMinutes: 0, missing: [] },
        findings: [],
      },
      { actions: [], refused: [] },
    );
    expect(advice).toEqual([]);
  });
});
