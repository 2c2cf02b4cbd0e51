import { METRICS } from '../../lambdas/domain/metric-catalog';
import { createWorld, type SimWorld } from '../../sim/world';
import { scenario } from './support/scenario-builder';

const MINUTE = 60_000;

/** The datapoint a metric has for the minute that starts `minute` minutes after the start. */
function datapoint(
  world: SimWorld,
  metricName: string,
  statistic: string,
  minute: number,
  resource: 'stream' | 'application' = 'stream',
): number | undefined {
  const spec = Object.values(METRICS).find((m) => m.metricName === metricName)!;
  return world.cloudwatch.datapoint(
    {
      namespace: spec.namespace,
      metricName,
      dimensions: resource === 'stream' ? { StreamName: 'orders-stream' } : { Application: 'orders-enricher' },
      statistic,
      periodSeconds: 60,
    },
    world.startMs + minute * MINUTE,
  );
}

describe('lag arithmetic', () => {
  it('falls behind by a third of the time when 6,000 records/s meet a 4,000 records/s job', () => {
    const world = createWorld(
      scenario({
        durationMinutes: 20,
        pipeline: { stream: { shards: 8 } },
        traffic: { events: [{ type: 'step', atMinute: 10, factor: 3 }] },
      }),
    );
    world.runToEnd();
    // Ten minutes after the step the job has read what was written in its first 400 s: 200 s behind.
    expect(datapoint(world, 'millisBehindLatest', 'Maximum', 19, 'application')).toBeCloseTo(200_000, -2);
    expect(datapoint(world, 'GetRecords.IteratorAgeMilliseconds', 'Maximum', 19)).toBeCloseTo(200_000, -2);
    expect(world.stream.log.backlog(world.stream.log.cursor('flink-application'))).toBeCloseTo(2000 * 600, -1);
    expect(datapoint(world, 'busyTimeMsPerSecond', 'Average', 19, 'application')).toBeCloseTo(1000, 6);
    expect(datapoint(world, 'numRecordsInPerSecond', 'Average', 19, 'application')).toBeCloseTo(4000, 6);
    expect(datapoint(world, 'millisBehindLatest', 'Maximum', 5, 'application')).toBe(0);
  });

  it('when the sink takes 1,500 of 2,000 records/s, back-pressure rises, busy time and CPU fall, and lag grows by a quarter', () => {
    const world = createWorld(
      scenario({
        durationMinutes: 20,
        pipeline: { sink: { recordsPerSecond: 20_000 } },
        faults: [{ type: 'sinkCapacity', atMinute: 10, recordsPerSecond: 1500 }],
      }),
    );
    world.runToEnd();
    expect(datapoint(world, 'millisBehindLatest', 'Maximum', 19, 'application')).toBeCloseTo(150_000, -2);
    expect(datapoint(world, 'busyTimeMsPerSecond', 'Average', 19, 'application')).toBeCloseTo(375, 6);
    expect(datapoint(world, 'backPressuredTimeMsPerSecond', 'Average', 19, 'application')).toBeCloseTo(625, 6);
    expect(datapoint(world, 'idleTimeMsPerSecond', 'Average', 19, 'application')).toBeCloseTo(0, 6);
    const cpuBefore = datapoint(world, 'containerCPUUtilization', 'Average', 5, 'application')!;
    const cpuAfter = datapoint(world, 'containerCPUUtilization', 'Average', 19, 'application')!;
    expect(cpuBefore).toBeGreaterThan(45);
    expect(cpuAfter).toBeLessThan(42);
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
  });
});

describe('what Managed Flink publishes', () => {
  it('uses only catalog metric names, with the StreamName and Application dimensions', () => {
    const world = createWorld(scenario({ durationMinutes: 61 }));
    world.runToEnd();
    const names = new Set(Object.values(METRICS).map((m) => `${m.namespace}/${m.metricName}`));
    const published = world.cloudwatch.listMetrics();
    for (const metric of published) {
      expect(names.has(`${metric.namespace}/${metric.metricName}`)).toBe(true);
      expect(Object.keys(metric.dimensions)).toEqual([
        metric.namespace === 'AWS/Kinesis' ? 'StreamName' : 'Application',
      ]);
    }
    // Everything in the catalog that a quiet, healthy pipeline on a Flink 1.x runtime with polling
    // readers reports: numRestarts exists only from Flink 2.2, SubscribeToShardEvent.* only for fan-out readers.
    const expected = Object.values(METRICS).filter(
      (m) => m.runtimes !== '2.2-and-later' && m.metricName !== 'SubscribeToShardEvent.MillisBehindLatest',
    );
    expect(published.length).toBe(expected.length);
  });

  it('reports KPUs once an hour and fullRestarts as a running count', () => {
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
    const restarts = [40, 60, 80].map((m) => datapoint(world, 'fullRestarts', 'Maximum', m, 'application')!);
    expect(restarts[0]).toBeGreaterThan(0);
    expect(restarts[1]).toBeGreaterThan(restarts[0]!);
    expect(restarts[2]).toBeGreaterThan(restarts[1]!);
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
