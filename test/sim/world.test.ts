import { metricQueriesFor } from '../../lambdas/domain/collect';
import { parseWorkflowInput } from '../../lambdas/workflow/input';
import { resolveScenario } from '../../sim/scenario';
import { RECOVERY_STABLE_MINUTES, createWorld, type SimWorld, type WorldEvent } from '../../sim/world';
import { scenario } from './support/scenario-builder';

const MINUTE = 60_000;

async function everyDatapoint(world: SimWorld): Promise<unknown> {
  return world.cloudwatch.getMetricData({
    queries: metricQueriesFor(world.target),
    startTime: new Date(world.startMs - 180 * MINUTE),
    endTime: new Date(world.now),
  });
}

describe('determinism', () => {
  const noisy = () =>
    scenario({
      durationMinutes: 45,
      historyMinutes: 30,
      traffic: { noise: 0.05, events: [{ type: 'spike', atMinute: 10, durationMinutes: 20, factor: 3 }] },
    });

  it('gives the same datapoints, samples and events for the same seed', async () => {
    const first = createWorld(noisy());
    const second = createWorld(noisy());
    first.runToEnd();
    second.runToEnd();
    expect(await everyDatapoint(first)).toEqual(await everyDatapoint(second));
    expect(first.samples()).toEqual(second.samples());
    expect(first.timeline()).toEqual(second.timeline());
  });

  it('gives different noise for a different seed', async () => {
    const first = createWorld(noisy());
    const other = createWorld(noisy(), { seed: 99 });
    first.runToEnd();
    other.runToEnd();
    expect(await everyDatapoint(first)).not.toEqual(await everyDatapoint(other));
  });

  it('does not depend on how the runner slices time', async () => {
    const whole = createWorld(noisy());
    whole.runToEnd();
    const sliced = createWorld(noisy());
    while (!sliced.done) sliced.advanceTo(Math.min(sliced.endMs, sliced.now + 7_000));
    const a = whole.samples();
    const b = sliced.samples();
    expect(b).toHaveLength(a.length);
    // Producers' retries are spread over time, not over steps: slices move the numbers by a fraction of a percent.
    a.forEach((sample, i) => {
      expect(Math.abs(b[i]!.acceptedRecordsPerSecond - sample.acceptedRecordsPerSecond)).toBeLessThan(
        sample.acceptedRecordsPerSecond * 0.002 + 1,
      );
      expect(Math.abs(b[i]!.throttledRecords - sample.throttledRecords)).toBeLessThan(
        sample.throttledRecords * 0.02 + 1,
      );
      expect(Math.abs(b[i]!.lagMs - sample.lagMs)).toBeLessThan(1000);
    });
  });
});

describe('the clock', () => {
  it('only moves when the world advances, and never back', () => {
    const world = createWorld(scenario());
    expect(world.clock.nowMs()).toBe(world.startMs);
    world.advanceBy(90_000);
    expect(world.clock.nowMs()).toBe(world.startMs + 90_000);
    expect(() => world.advanceTo(world.startMs)).toThrow(/cannot advance/);
  });

  it('refuses to be advanced from inside a listener', () => {
    const world = createWorld(scenario({ manualRuns: [{ atMinute: 1, dryRun: true }] }));
    world.onEvent(() => world.advanceBy(1000));
    expect(() => world.advanceBy(2 * MINUTE)).toThrow(/called from a listener/);
  });
});

describe('history before the start', () => {
  it('gives metrics and settled alarms a past, and reports nothing from it', async () => {
    const world = createWorld(scenario({ historyMinutes: 120 }));
    expect(world.timeline()).toEqual([]);
    expect(world.samples()).toEqual([]);
    expect(world.alarmState('appLag')).toBe('OK');
    expect(world.alarmState('writeThrottling')).toBe('OK');
    const data = (await everyDatapoint(world)) as { MetricDataResults: { Values: number[] }[] };
    expect(data.MetricDataResults[0]!.Values).toHaveLength(120);
  });
});

describe('events', () => {
  it('raise the lag alarm after a 3x spike outruns the job, as the event that starts the workflow', () => {
    const world = createWorld(resolveScenario('traffic-spike-3x'));
    const alarms: WorldEvent[] = [];
    world.onEvent((event) => {
      if (event.kind === 'alarm' && event.change.to === 'ALARM') alarms.push(event);
    });
    world.advanceTo(world.startMs + 60 * MINUTE);
    const lag = alarms.find((e) => e.kind === 'alarm' && e.change.definition.kind === 'appLag');
    expect(lag).toBeDefined();
    // The spike starts at minute 30; lag passes 60 s after three minutes and alarms on the third such minute.
    expect((lag!.at - world.startMs) / MINUTE).toBeGreaterThan(33);
    expect((lag!.at - world.startMs) / MINUTE).toBeLessThan(38);
    const input = lag!.kind === 'alarm' ? lag!.event : undefined;
    expect(parseWorkflowInput(input)).toMatchObject({ target: 'orders', dryRun: false });
  });

  it('reports what is scheduled at minute 0 to listeners registered after the world is built', () => {
    const world = createWorld(scenario({ historyMinutes: 30, manualRuns: [{ atMinute: 0, dryRun: false }] }));
    const seen: WorldEvent[] = [];
    world.onEvent((event) => seen.push(event));
    const returned = world.advanceBy(MINUTE);
    expect(seen.map((e) => e.kind)).toEqual(['manual-run']);
    expect(returned).toEqual(seen);
  });

  it('announce manual runs and faults at their minute, and return them from advanceTo', () => {
    const world = createWorld(
      scenario({
        manualRuns: [{ atMinute: 5, dryRun: true }],
        faults: [{ type: 'sinkCapacity', atMinute: 3, recordsPerSecond: 500 }],
      }),
    );
    const notAlarms = (events: WorldEvent[]): WorldEvent[] => events.filter((e) => e.kind !== 'alarm');
    const early = notAlarms(world.advanceTo(world.startMs + 4 * MINUTE));
    expect(early.map((e) => [e.kind, (e.at - world.startMs) / MINUTE])).toEqual([['fault', 3]]);
    const later = notAlarms(world.advanceTo(world.startMs + 6 * MINUTE));
    expect(later).toEqual([
      { kind: 'manual-run', at: world.startMs + 5 * MINUTE, input: { target: 'orders', dryRun: true } },
    ]);
  });

  it('start two alarms of one target at the same instant with SetAlarmState', () => {
    const world = createWorld(
      scenario({ historyMinutes: 30, faults: [{ type: 'setAlarmState', atMinute: 10, alarms: ['appLag', 'appCpu'] }] }),
    );
    const events = world.advanceTo(world.startMs + 10 * MINUTE).filter((e) => e.kind === 'alarm');
    expect(events.map((e) => (e.kind === 'alarm' ? [e.change.alarmName, e.change.to, e.at] : []))).toEqual([
      ['StreamMedic-orders-app-lag', 'ALARM', world.startMs + 10 * MINUTE],
      ['StreamMedic-orders-app-cpu', 'ALARM', world.startMs + 10 * MINUTE],
    ]);
    // The next evaluation puts them back, as CloudWatch does.
    const after = world.advanceTo(world.startMs + 11 * MINUTE).filter((e) => e.kind === 'alarm');
    expect(after.map((e) => (e.kind === 'alarm' ? e.change.to : ''))).toEqual(['OK', 'OK']);
  });
});

describe('outcome', () => {
  it('counts a pipeline that ends with healthy minutes as recovered, from the first alarm', () => {
    const world = createWorld(
      scenario({
        durationMinutes: 90,
        pipeline: { stream: { shards: 8 } },
        traffic: { events: [{ type: 'spike', atMinute: 10, durationMinutes: 15, factor: 3 }] },
      }),
    );
    world.runToEnd();
    const outcome = world.outcome();
    expect(outcome.alarmsFired).toContain('appLag');
    expect(outcome.recovered).toBe(true);
    // 15 minutes at 6,000 records/s take the job 1,350 s at 4,000/s: the last of them, written 900 s
    // into the spike, is read 450 s after it was written.
    expect(outcome.peakLagMs).toBeGreaterThan(440_000);
    expect(outcome.peakLagMs).toBeLessThan(460_000);
    expect(outcome.minutesToRecover).toBeGreaterThan(0);
    expect(outcome.recordsLost).toBe(0);
    expect(outcome.actions).toEqual([]);
  });

  it(`needs ${RECOVERY_STABLE_MINUTES} healthy minutes at the end`, () => {
    const world = createWorld(
      scenario({
        durationMinutes: 30,
        faults: [{ type: 'crashLoop', atMinute: 22, uptimeSeconds: 60, recoverySeconds: 60 }],
      }),
    );
    world.runToEnd();
    expect(world.outcome().recovered).toBe(false);
  });
});
