import { createWorld } from '../../sim/world';
import { scenario } from './support/scenario-builder';

const MINUTE = 60_000;

describe('the figures the outcome reports', () => {
  it('sums the lag curve and the refused writes minute by minute', () => {
    // 6,000 records/s into 4 shards (4,000): a third is refused every minute.
    const world = createWorld(scenario({ durationMinutes: 20, traffic: { recordsPerSecond: 6000 } }));
    world.runToEnd();
    const samples = world.samples();
    const outcome = world.outcome();
    expect(outcome.throttledRecords).toBeCloseTo(
      samples.reduce((sum, s) => sum + s.throttledRecords, 0),
      6,
    );
    expect(outcome.throttledRecords).toBeGreaterThan(20 * 60 * 2000);
    expect(outcome.lagMinutes).toBeCloseTo(
      samples.reduce((sum, s) => sum + s.lagMs / MINUTE, 0),
      9,
    );
  });

  it('counts an update as one restart and its downtime, and the history not at all', async () => {
    const world = createWorld(scenario({ durationMinutes: 20, historyMinutes: 10 }));
    world.advanceTo(world.startMs + 5 * MINUTE);
    const detail = await world.ports.applications.describeApplication('orders-enricher');
    await world.ports.applications.updateParallelism({
      applicationName: 'orders-enricher',
      currentApplicationVersionId: detail.ApplicationDetail.ApplicationVersionId,
      parallelism: 8,
      parallelismPerKpu: 1,
    });
    world.runToEnd();
    const outcome = world.outcome();
    expect(outcome.appRestarts).toBe(1);
    // Down for the snapshot (a few seconds), the 90 s restart, 2 s for each of 8 KPUs and 4 s to restore 1 GiB.
    expect(outcome.appDowntimeSeconds).toBeGreaterThanOrEqual(110);
    expect(outcome.appDowntimeSeconds).toBeLessThan(120);
  });

  it('counts every failure of a crash loop as a restart', () => {
    const world = createWorld(
      scenario({
        durationMinutes: 30,
        faults: [{ type: 'crashLoop', atMinute: 0, untilMinute: 20, uptimeSeconds: 120, recoverySeconds: 60 }],
      }),
    );
    world.runToEnd();
    // Fails at 2, 5, 8, 11, 14, 17 minutes (two up, one down); the next would be at 20, when the loop ends.
    expect(world.outcome().appRestarts).toBe(6);
    expect(world.outcome().appDowntimeSeconds).toBeCloseTo(6 * 60, 0);
  });
});

describe('what an accepted change records', () => {
  it('has the shard count before and after a reshard', async () => {
    const world = createWorld(scenario({ durationMinutes: 10 }));
    await world.ports.streams.updateShardCount('orders-stream', 8);
    expect(world.apiCalls().at(-1)?.change).toEqual({ kind: 'shards', from: 4, to: 8 });
  });

  it('has the parallelism and parallelism per KPU before and after an update', async () => {
    const world = createWorld(scenario({ durationMinutes: 10 }));
    await world.ports.applications.updateParallelism({
      applicationName: 'orders-enricher',
      currentApplicationVersionId: 1,
      parallelism: 6,
      parallelismPerKpu: 2,
    });
    expect(world.apiCalls().at(-1)?.change).toEqual({
      kind: 'parallelism',
      from: { parallelism: 4, parallelismPerKpu: 1 },
      to: { parallelism: 6, parallelismPerKpu: 2 },
    });
  });

  it('has the log and metrics levels before and after a monitoring update', async () => {
    const world = createWorld(scenario({ durationMinutes: 10, pipeline: { application: { logLevel: 'DEBUG' } } }));
    await world.ports.applications.updateMonitoring({
      applicationName: 'orders-enricher',
      currentApplicationVersionId: 1,
      logLevel: 'INFO',
      metricsLevel: 'APPLICATION',
    });
    expect(world.apiCalls().at(-1)?.change).toEqual({
      kind: 'monitoring',
      from: { logLevel: 'DEBUG', metricsLevel: 'APPLICATION' },
      to: { logLevel: 'INFO', metricsLevel: 'APPLICATION' },
    });
  });
});
