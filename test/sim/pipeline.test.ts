import { createWorld, type SimWorld } from '../../sim/world';
import { scenario } from './support/scenario-builder';

const MINUTE = 60_000;

/** The Kinesis source's lag series: per source stream, with the Flow dimension. */
const SOURCE = { Id: 'orders-stream', Flow: 'Input' };
/** The processing task of the simulated job graph (TASK level and finer). */
const PROCESS_TASK = { TaskName: 'Process -> Sink: Writer' };

/** The datapoint a metric has for the minute that starts `minute` minutes after the start. */
function datapoint(
  world: SimWorld,
  metricName: string,
  statistic: string,
  minute: number,
  resource: 'stream' | 'application' = 'stream',
  extraDimensions: Record<string, string> = {},
): number | undefined {
  const namespace = resource === 'stream' ? 'AWS/Kinesis' : 'AWS/KinesisAnalytics';
  const dimensions: Record<string, string> =
    resource === 'stream' ? { StreamName: 'orders-stream' } : { Application: 'orders-enricher' };
  return world.cloudwatch.datapoint(
    { namespace, metricName, dimensions: { ...dimensions, ...extraDimensions }, statistic, periodSeconds: 60 },
    world.startMs + minute * MINUTE,
  );
}

describe('lag arithmetic', () => {
  it('falls behind by a third of the time when 6,000 records/s meet a 4,000 records/s job', () => {
    const world = createWorld(
      scenario({
        durationMinutes: 20,
        // Busy time exists only at TASK level and finer.
        pipeline: { stream: { shards: 8 }, application: { metricsLevel: 'TASK' } },
        traffic: { events: [{ type: 'step', atMinute: 10, factor: 3 }] },
      }),
    );
    world.runToEnd();
    // Ten minutes after the step the job has read what was written in its first 400 s: 200 s behind.
    expect(datapoint(world, 'millisBehindLatest', 'Maximum', 19, 'application', SOURCE)).toBeCloseTo(200_000, -2);
    expect(datapoint(world, 'GetRecords.IteratorAgeMilliseconds', 'Maximum', 19)).toBeCloseTo(200_000, -2);
    expect(world.stream.log.backlog(world.stream.log.cursor('flink-application'))).toBeCloseTo(2000 * 600, -1);
    expect(datapoint(world, 'busyTimeMsPerSecond', 'Average', 19, 'application', PROCESS_TASK)).toBeCloseTo(1000, 6);
    expect(datapoint(world, 'numRecordsInPerSecond', 'Average', 19, 'application')).toBeCloseTo(4000, 6);
    expect(datapoint(world, 'millisBehindLatest', 'Maximum', 5, 'application', SOURCE)).toBe(0);
  });

  it('when the sink takes 1,500 of 2,000 records/s, back-pressure rises, busy time and CPU fall, and lag grows by a quarter', () => {
    const world = createWorld(
      scenario({
        durationMinutes: 20,
        pipeline: { sink: { recordsPerSecond: 20_000 }, application: { metricsLevel: 'TASK' } },
        faults: [{ type: 'sinkCapacity', atMinute: 10, recordsPerSecond: 1500 }],
      }),
    );
    world.runToEnd();
    expect(datapoint(world, 'millisBehindLatest', 'Maximum', 19, 'application', SOURCE)).toBeCloseTo(150_000, -2);
    expect(datapoint(world, 'busyTimeMsPerSecond', 'Average', 19, 'application', PROCESS_TASK)).toBeCloseTo(375, 6);
    expect(datapoint(world, 'backPressuredTimeMsPerSecond', 'Average', 19, 'application', PROCESS_TASK)).toBeCloseTo(
      625,
      6,
    );
    expect(datapoint(world, 'idleTimeMsPerSecond', 'Average', 19, 'application', PROCESS_TASK)).toBeCloseTo(0, 6);
    const cpuBefore = datapoint(world, 'containerCPUUtilization', 'Average', 5, 'application')!;
    const cpuAfter = datapoint(world, 'containerCPUUtilization', 'Average', 19, 'application')!;
    expect(cpuBefore).toBeGreaterThan(45);
    expect(cpuAfter).toBeLessThan(42);
  });
});

describe('a sink with a writer limit', () => {
  it('absorbs its full capacity up to the limit and less past it, so a scale-up makes the job process less', () => {
    const world = createWorld(
      scenario({
        durationMinutes: 25,
        pipeline: {
          stream: { shards: 8 },
          application: { metricsLevel: 'TASK' },
          sink: { recordsPerSecond: 5000, maxWriters: 4 },
        },
        traffic: { recordsPerSecond: 4800, bytesPerSecond: 4800 * 1024 },
      }),
    );
    world.advanceTo(world.startMs + 10 * MINUTE);
    // Four subtasks at 1,000 records/s: the job, not the sink, sets the pace.
    expect(datapoint(world, 'numRecordsInPerSecond', 'Average', 9, 'application')).toBeCloseTo(4000, 6);
    expect(datapoint(world, 'backPressuredTimeMsPerSecond', 'Average', 9, 'application', PROCESS_TASK)).toBe(0);
    const app = world.app!;
    app.updateParallelism(
      { currentApplicationVersionId: app.currentVersionId, parallelism: 10, parallelismPerKpu: 1 },
      world.now,
    );
    world.runToEnd();
    // Ten writers on four connections: 5,000 x 4 / 10 records/s, and the job waits on its sink.
    expect(world.samples()[24]).toMatchObject({ parallelism: 10, sinkCapacityRecordsPerSecond: 2000 });
    expect(datapoint(world, 'numRecordsInPerSecond', 'Average', 24, 'application')).toBeCloseTo(2000, 6);
    expect(datapoint(world, 'backPressuredTimeMsPerSecond', 'Average', 24, 'application', PROCESS_TASK)).toBeCloseTo(
      800,
      6,
    );
  });
});

describe('write throttling', () => {
  it('refuses the excess, counts retried records again, and drops what producers give up on', () => {
    const world = createWorld(
      scenario({
        durationMinutes: 6,
        pipeline: { application: { parallelism: 8 } },
        // 5,000 records/s of 512 B on 4 shards: records-bound at 4,000/s.
        traffic: { recordsPerSecond: 5000, bytesPerSecond: 5000 * 512, producerRetryShare: 0.5 },
      }),
    );
    world.runToEnd();
    // Steady state: refused = excess / (1 - retry share) = 2,000/s; half of them are retried.
    expect(datapoint(world, 'IncomingRecords', 'Sum', 5)).toBeCloseTo(240_000, -1);
    expect(datapoint(world, 'WriteProvisionedThroughputExceeded', 'Sum', 5)).toBeCloseTo(120_000, -2);
    expect(datapoint(world, 'PutRecords.ThrottledRecords', 'Sum', 5)).toBe(
      datapoint(world, 'WriteProvisionedThroughputExceeded', 'Sum', 5),
    );
    const sample = world.samples()[5]!;
    expect(sample.healthy).toBe(false);
    expect(world.samples()[5]!.producerDroppedTotal - world.samples()[4]!.producerDroppedTotal).toBeCloseTo(60_000, -2);
  });

  it('publishes zero throttling, not none, while writes succeed, and nothing while nobody writes', () => {
    const world = createWorld(
      scenario({ durationMinutes: 3, traffic: { events: [{ type: 'step', atMinute: 2, factor: 0 }] } }),
    );
    world.runToEnd();
    expect(datapoint(world, 'WriteProvisionedThroughputExceeded', 'Sum', 0)).toBe(0);
    expect(datapoint(world, 'IncomingBytes', 'Sum', 0)).toBeCloseTo(2000 * 1024 * 60, -1);
    expect(datapoint(world, 'IncomingBytes', 'Sum', 2)).toBeUndefined();
    expect(datapoint(world, 'WriteProvisionedThroughputExceeded', 'Sum', 2)).toBeUndefined();
  });
});

describe('read throttling', () => {
  it('counts GetRecords calls beyond 5 per second per shard once more readers attach', () => {
    const world = createWorld(
      scenario({
        durationMinutes: 4,
        pipeline: {
          stream: { shards: 2 },
          consumers: ['a', 'b', 'c', 'd'].map((name) => ({ name, startMinute: 2 })),
        },
        traffic: { recordsPerSecond: 400, bytesPerSecond: 400 * 1024 },
      }),
    );
    world.runToEnd();
    expect(datapoint(world, 'ReadProvisionedThroughputExceeded', 'Sum', 1)).toBe(0);
    // Flink's 5 calls plus four readers' 1 call = 9 per second per shard: 4 refused, on 2 shards, for 60 s.
    expect(datapoint(world, 'ReadProvisionedThroughputExceeded', 'Sum', 3)).toBe(480);
    expect(datapoint(world, 'GetRecords.Records', 'Sum', 3)).toBeCloseTo(5 * 400 * 60, -1);
    // The calls served: 5 of the 9 per second on each shard, and all of Flink's 5 before the readers attach.
    expect(datapoint(world, 'GetRecords.Success', 'Sum', 3)).toBeCloseTo(5 * 2 * 60, 6);
    expect(datapoint(world, 'GetRecords.Success', 'Sum', 1)).toBeCloseTo(5 * 2 * 60, 6);
  });
});

describe('what Managed Flink publishes', () => {
  /** Every published series as "metric {dimension names}", sorted. */
  function shapes(world: SimWorld, namespace: string): string[] {
    const seen = new Set<string>();
    for (const m of world.cloudwatch.publishedMetrics()) {
      if (m.namespace === namespace) seen.add(`${m.metricName} {${Object.keys(m.dimensions).sort().join(',')}}`);
    }
    return [...seen].sort();
  }

  it('at APPLICATION level (the default): application metrics on {Application}, lag per source stream, no busy time', () => {
    const world = createWorld(scenario({ durationMinutes: 61 }));
    world.runToEnd();
    expect(shapes(world, 'AWS/KinesisAnalytics')).toEqual([
      'KPUs {Application}',
      'containerCPUUtilization {Application}',
      'containerMemoryUtilization {Application}',
      'cpuUtilization {Application}',
      'downtime {Application}',
      'fullRestarts {Application}',
      'heapMemoryUtilization {Application}',
      'lastCheckpointDuration {Application}',
      'lastCheckpointSize {Application}',
      'millisBehindLatest {Application,Flow,Id}',
      'numRecordsInPerSecond {Application}',
      'numberOfFailedCheckpoints {Application}',
    ]);
    // A query on {Application} alone finds no lag: the series has three dimensions.
    expect(datapoint(world, 'millisBehindLatest', 'Maximum', 30, 'application')).toBeUndefined();
    expect(datapoint(world, 'millisBehindLatest', 'Maximum', 30, 'application', SOURCE)).toBe(0);
  });

  it('at TASK level: busy, back-pressured and idle time per task; OPERATOR adds operators; PARALLELISM subtasks and shards', () => {
    const run = (metricsLevel: 'TASK' | 'OPERATOR' | 'PARALLELISM'): string[] => {
      const world = createWorld(scenario({ durationMinutes: 3, pipeline: { application: { metricsLevel } } }));
      world.runToEnd();
      return shapes(world, 'AWS/KinesisAnalytics').filter((s) => /TimeMsPerSecond|millisBehindLatest/.test(s));
    };
    expect(run('TASK')).toEqual([
      'backPressuredTimeMsPerSecond {Application,TaskName}',
      'busyTimeMsPerSecond {Application,TaskName}',
      'idleTimeMsPerSecond {Application,TaskName}',
      'millisBehindLatest {Application,Flow,Id}',
    ]);
    expect(run('OPERATOR')).toContain('busyTimeMsPerSecond {Application,OperatorName,TaskName}');
    expect(run('PARALLELISM')).toEqual(
      expect.arrayContaining([
        'busyTimeMsPerSecond {Application,OperatorName,SubtaskIndex,TaskName}',
        'millisBehindLatest {Application,Flow,Id,ShardId}',
      ]),
    );
  });

  it('publishes one series per task, so the bottleneck is the busiest task, not the first', () => {
    const world = createWorld(
      scenario({
        durationMinutes: 20,
        pipeline: { stream: { shards: 8 }, application: { metricsLevel: 'TASK' } },
        traffic: { events: [{ type: 'step', atMinute: 10, factor: 3 }] },
      }),
    );
    world.runToEnd();
    const source = datapoint(world, 'busyTimeMsPerSecond', 'Average', 19, 'application', {
      TaskName: 'Source: Kinesis',
    })!;
    const process = datapoint(world, 'busyTimeMsPerSecond', 'Average', 19, 'application', PROCESS_TASK)!;
    // 4,000 records/s through 4 source subtasks (parallelism 4) of 20,000/s each; the processing task is full.
    expect(source).toBeCloseTo(50, 6);
    expect(process).toBeCloseTo(1000, 6);
    // The source is held back by the full task after it.
    expect(
      datapoint(world, 'backPressuredTimeMsPerSecond', 'Average', 19, 'application', { TaskName: 'Source: Kinesis' }),
    ).toBeCloseTo(950, 6);
  });

  it('reports KPUs once an hour, with the orchestration KPU, and fullRestarts as a running count', () => {
    const world = createWorld(
      scenario({
        durationMinutes: 121,
        faults: [{ type: 'crashLoop', atMinute: 30, uptimeSeconds: 120, recoverySeconds: 60 }],
      }),
    );
    world.runToEnd();
    const kpus = [...Array(121).keys()].filter(
      (m) => datapoint(world, 'KPUs', 'Maximum', m, 'application') !== undefined,
    );
    expect(kpus).toEqual([0, 60, 120]);
    // Parallelism 4 at one per KPU, plus the orchestration KPU.
    expect(datapoint(world, 'KPUs', 'Maximum', 60, 'application')).toBe(5);
    const restarts = [40, 60, 80].map((m) => datapoint(world, 'fullRestarts', 'Maximum', m, 'application')!);
    expect(restarts[0]).toBeGreaterThan(0);
    expect(restarts[1]).toBeGreaterThan(restarts[0]!);
    expect(restarts[2]).toBeGreaterThan(restarts[1]!);
    expect(datapoint(world, 'numRestarts', 'Maximum', 60, 'application')).toBeUndefined();
  });

  it('on Flink 2.2 counts restarts in numRestarts and publishes no fullRestarts', () => {
    const world = createWorld(
      scenario({
        durationMinutes: 61,
        pipeline: { application: { runtimeEnvironment: 'FLINK-2_2' } },
        faults: [{ type: 'crashLoop', atMinute: 30, uptimeSeconds: 120, recoverySeconds: 60 }],
      }),
    );
    world.runToEnd();
    expect(datapoint(world, 'numRestarts', 'Maximum', 50, 'application')).toBeGreaterThan(0);
    expect(shapes(world, 'AWS/KinesisAnalytics').some((s) => s.startsWith('fullRestarts'))).toBe(false);
    expect(world.app!.describe().ApplicationDetail.RuntimeEnvironment).toBe('FLINK-2_2');
  });

  it('makes no progress in a crash loop: nothing is processed between restarts', () => {
    const world = createWorld(
      scenario({
        durationMinutes: 40,
        faults: [{ type: 'crashLoop', atMinute: 10, uptimeSeconds: 120, recoverySeconds: 60 }],
      }),
    );
    world.runToEnd();
    const processed = world
      .samples()
      .slice(12)
      .map((s) => s.processedRecordsPerSecond);
    expect(processed.every((p) => p === 0)).toBe(true);
  });
});

describe('what Kinesis publishes', () => {
  it('publishes shard-level series only for the metrics enhanced monitoring turned on', () => {
    const plain = createWorld(scenario({ durationMinutes: 3 }));
    plain.runToEnd();
    expect(plain.cloudwatch.publishedMetrics().some((m) => 'ShardId' in m.dimensions)).toBe(false);
    expect(plain.stream.describe().StreamDescriptionSummary.EnhancedMonitoring).toEqual([{ ShardLevelMetrics: [] }]);

    const enhanced = createWorld(
      scenario({
        durationMinutes: 3,
        pipeline: { stream: { enhancedMonitoring: ['IncomingBytes', 'IteratorAgeMilliseconds'] } },
        traffic: { hotKeyShare: 0.2 },
      }),
    );
    enhanced.runToEnd();
    const shardSeries = enhanced.cloudwatch.publishedMetrics().filter((m) => 'ShardId' in m.dimensions);
    expect(new Set(shardSeries.map((m) => m.metricName))).toEqual(
      new Set(['IncomingBytes', 'IteratorAgeMilliseconds']),
    );
    const bytes = enhanced.stream.openShardIds().map((ShardId) =>
      enhanced.cloudwatch.datapoint(
        {
          namespace: 'AWS/Kinesis',
          metricName: 'IncomingBytes',
          dimensions: { StreamName: 'orders-stream', ShardId },
          statistic: 'Sum',
          periodSeconds: 60,
        },
        enhanced.startMs + MINUTE,
      )!,
    );
    // The hot key's fifth of 2,000 KiB/s lands on one shard: 400 + 400 KiB/s there, 400 on each other.
    expect(bytes[0]).toBeCloseTo(800 * 1024 * 60, -3);
    expect(bytes[1]).toBeCloseTo(400 * 1024 * 60, -3);
    expect(bytes.reduce((a, b) => a + b, 0)).toBeCloseTo(datapoint(enhanced, 'IncomingBytes', 'Sum', 1)!, -2);
  });

  it('counts an enhanced fan-out reader in SubscribeToShardEvent.* of its consumer, not in GetRecords.*', () => {
    const world = createWorld(
      scenario({
        durationMinutes: 3,
        pipeline: { application: { efo: true } },
      }),
    );
    world.runToEnd();
    expect(world.stream.describe().StreamDescriptionSummary.ConsumerCount).toBe(1);
    expect(datapoint(world, 'GetRecords.Records', 'Sum', 1)).toBeUndefined();
    expect(datapoint(world, 'GetRecords.Success', 'Sum', 1)).toBeUndefined();
    expect(
      datapoint(world, 'SubscribeToShardEvent.Records', 'Sum', 1, 'stream', { ConsumerName: 'orders-enricher' }),
    ).toBeCloseTo(2000 * 60, -1);
  });
});

describe('records lost', () => {
  it('counts records that expire unread as lost', () => {
    const world = createWorld(
      scenario({
        durationMinutes: 25 * 60,
        pipeline: { application: undefined, consumers: [{ name: 'stuck', recordsPerSecond: 1e-9 }] },
        traffic: { recordsPerSecond: 100, bytesPerSecond: 100 * 1024 },
        streamMedic: { target: { application: undefined } },
      }),
    );
    world.runToEnd();
    // After 25 h with 24 h retention, the first hour has expired: 100 records/s for 3,600 s.
    expect(world.outcome().recordsLost).toBeCloseTo(360_000, -1);
    expect(world.outcome().recovered).toBe(false);
  });
});
