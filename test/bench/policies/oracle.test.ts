import fc from 'fast-check';
import { effectiveParallelism, leanestParallelismWithin } from '../../../lambdas/domain/key-groups';
import { join } from 'node:path';
import { acceptedChanges, wrongActions } from '../../../bench/figures';
import { oraclePolicy, oracleShardSteps } from '../../../bench/policies/oracle';
import { loadScenarioFile } from '../../../sim/scenario';
import { MINUTE, START, benchScenario, changeMinutes } from '../support/bench-scenario';

describe("the oracle's shard steps", () => {
  it.each([
    [4, 10, [8, 10]],
    [8, 29, [16, 29]],
    [8, 64, [16, 32, 64]],
    [4, 5, [5]],
    [8, 3, [4, 3]],
    [8, 8, []],
  ])('%d -> %d shards in %j', (from, to, steps) => {
    expect(oracleShardSteps(from, to)).toEqual(steps);
  });

  it('takes ceil(log2(needed / current)) calls, each within the 2x / half rule', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 5000 }), (from, to) => {
        const steps = oracleShardSteps(from, to);
        const ratio = Math.max(from, to) / Math.min(from, to);
        expect(steps).toHaveLength(Math.ceil(Math.log2(ratio) - 1e-9));
        let current = from;
        for (const step of steps) {
          expect(step).toBeLessThanOrEqual(current * 2);
          expect(step).toBeGreaterThanOrEqual(Math.ceil(current / 2));
          current = step;
        }
        expect(current).toBe(to);
      }),
    );
  });
});

describe('the oracle in the world', () => {
  // 5,000 records/s into 4 shards from minute 10, without noise: exactly the 5 shards that carry it
  // (no target utilisation; the margin is three times the traffic's noise, here none).
  const writeIncident = (faults: readonly Readonly<Record<string, unknown>>[] = []) =>
    benchScenario({
      durationMinutes: 40,
      application: { parallelism: 8 },
      traffic: {
        recordsPerSecond: 2000,
        bytesPerSecond: 2000 * 512,
        events: [{ type: 'step', atMinute: 10, factor: 2.5 }],
      },
      faults,
      expect: { causes: ['STREAM_WRITE_CAPACITY'], actions: ['UpdateShardCount'] },
    });

  it('reshards at the first alarm, in ceil(log2(needed / current)) calls', async () => {
    const { world } = await oraclePolicy.play(writeIncident());
    const firstAlarm = world.timeline().find((e) => e.kind === 'alarm' && e.change.to === 'ALARM')!;
    const changes = changeMinutes(world);
    expect(changes.map((c) => c.call.change)).toEqual([{ kind: 'shards', from: 4, to: 5 }]);
    expect(changes[0]!.call.at).toBe(firstAlarm.at);
  });

  it('makes each next call the moment the stream is ACTIVE again', async () => {
    // 20,000 records/s into 4 shards: 20 shards, 4 -> 8 -> 16 -> 20.
    const scenario = benchScenario({
      durationMinutes: 60,
      application: { parallelism: 40 },
      traffic: {
        recordsPerSecond: 2000,
        bytesPerSecond: 2000 * 512,
        events: [{ type: 'step', atMinute: 10, factor: 10 }],
      },
      expect: { causes: ['STREAM_WRITE_CAPACITY'], actions: ['UpdateShardCount'] },
    });
    const { world } = await oraclePolicy.play(scenario);
    const shards = changeMinutes(world).filter((c) => c.call.change?.kind === 'shards');
    expect(shards.map((c) => c.call.change)).toEqual([
      { kind: 'shards', from: 4, to: 8 },
      { kind: 'shards', from: 8, to: 16 },
      { kind: 'shards', from: 16, to: 20 },
    ]);
    // 4 -> 8 keeps the stream UPDATING 120 s + 4 x 6 s; 8 -> 16, 120 s + 8 x 6 s.
    expect(shards[1]!.call.at - shards[0]!.call.at).toBe(144_000);
    expect(shards[2]!.call.at - shards[1]!.call.at).toBe(168_000);
  });

  it("acts at the incident's start when it is told it, before any alarm", async () => {
    const incidentStartMs = START + 10 * MINUTE;
    const { world } = await oraclePolicy.play(writeIncident(), { incidentStartMs });
    const firstAlarm = world.timeline().find((e) => e.kind === 'alarm' && e.change.to === 'ALARM')!;
    const changes = changeMinutes(world);
    expect(changes[0]!.call.at).toBe(incidentStartMs);
    expect(changes[0]!.call.at).toBeLessThan(firstAlarm.at);
  });

  it("scales back to the size before the incident once the incident's traffic has passed", async () => {
    // Ten times the orders from minute 10 to 30; 4 shards and parallelism 4 carry the rest.
    const scenario = benchScenario({
      durationMinutes: 90,
      application: { parallelism: 4 },
      traffic: {
        recordsPerSecond: 2000,
        bytesPerSecond: 2000 * 512,
        events: [{ type: 'spike', atMinute: 10, durationMinutes: 20, factor: 10 }],
      },
      expect: {
        causes: ['STREAM_WRITE_CAPACITY', 'CONSUMER_COMPUTE'],
        actions: ['UpdateShardCount', 'UpdateApplicationParallelism'],
      },
    });
    const { world } = await oraclePolicy.play(scenario, { incidentStartMs: START + 10 * MINUTE });
    const calls = changeMinutes(world).map((c) => c.call);
    const shards = calls.flatMap((c) => (c.change?.kind === 'shards' ? [c.change] : []));
    const parallelism = calls.flatMap((c) => (c.change?.kind === 'parallelism' ? [c.change] : []));
    expect(shards.at(-1)!.to).toBe(4);
    expect(Math.max(...shards.map((c) => c.to))).toBeGreaterThan(16);
    expect(parallelism).toHaveLength(2);
    expect(parallelism[1]!.to.parallelism).toBeLessThan(parallelism[0]!.to.parallelism);
    // Nothing is scaled back before the spike ends.
    const back = calls.find((c) => c.change?.kind === 'shards' && c.change.to < c.change.from)!;
    expect(back.at).toBeGreaterThanOrEqual(START + 30 * MINUTE);
  });

  it("retries a reshard the control plane throttles past the SDK's own three attempts", async () => {
    const { world } = await oraclePolicy.play(
      writeIncident([{ type: 'apiThrottling', atMinute: 0, apis: ['UpdateShardCount'], count: 4 }]),
    );
    const attempts = world.apiCalls().filter((c) => c.api === 'UpdateShardCount');
    expect(attempts.map((c) => c.outcome)).toEqual([
      'LimitExceededError',
      'LimitExceededError',
      'LimitExceededError',
      'LimitExceededError',
      'ok',
    ]);
    // The SDK's three attempts come at once; the policy's own retry a second later.
    expect(attempts[2]!.at).toBe(attempts[0]!.at);
    expect(attempts[3]!.at - attempts[0]!.at).toBe(1000);
  });

  it('does nothing for a cause no change can help', async () => {
    const scenario = benchScenario({
      durationMinutes: 40,
      traffic: { events: [{ type: 'step', atMinute: 10, factor: 2.5 }] },
      expect: { causes: ['SINK_BACKPRESSURE'], recovers: false },
    });
    const { world } = await oraclePolicy.play(scenario);
    expect(world.timeline().some((e) => e.kind === 'alarm' && e.change.to === 'ALARM')).toBe(true);
    expect(changeMinutes(world)).toEqual([]);
  });

  it('raises parallelism in one call to carry the peak and drain the backlog', async () => {
    // The job falls behind at minute 10: 3,000 records/s on 2 x 1,000.
    const scenario = benchScenario({
      durationMinutes: 40,
      application: { parallelism: 2 },
      traffic: { events: [{ type: 'step', atMinute: 10, factor: 1.5 }] },
      expect: { causes: ['CONSUMER_COMPUTE'], actions: ['UpdateApplicationParallelism'] },
    });
    const { world } = await oraclePolicy.play(scenario);
    const changes = changeMinutes(world);
    expect(changes).toHaveLength(1);
    const change = changes[0]!.call.change;
    if (change?.kind !== 'parallelism') throw new Error('expected a parallelism change');
    // At least 3,000 / 0.7 = 4,286 records/s of processing, plus the backlog over 300 s.
    expect(change.to.parallelism).toBeGreaterThanOrEqual(5);
    expect(world.now).toBe(START + 40 * MINUTE);
  });

  it.each(['spike-10x-stream-capped', 'hot-key-busy-stream', 'keyed-capped-past-64'])(
    'scales back on %s only once the pipeline is caught up and nothing is refused, as the judge reads it',
    async (name) => {
      // Each once scaled back in the minute its backlog emptied, or while producers were still refused.
      const scenario = loadScenarioFile(join(__dirname, '../../../bench/variants', `${name}.json`));
      const { world } = await oraclePolicy.play(scenario);
      const calls = acceptedChanges(world);
      expect(calls.some((c) => c.change?.kind === 'parallelism')).toBe(true);
      expect(wrongActions(scenario, calls, world.samples(), world.policy.lagThresholdMs)).toEqual([]);
    },
  );

  it('raises a keyed job to a size whose busiest subtask holds fewer key groups, not one between', async () => {
    // 28,600 records/s on 16 subtasks of 1,000 over 128 key groups: any size from 43 to 63 carries
    // what 43 does (3 key groups on the busiest subtask), and the catch-up needs more.
    const scenario = benchScenario({
      durationMinutes: 40,
      stream: { shards: 64 },
      application: { parallelism: 16, keyGroups: 128 },
      traffic: {
        recordsPerSecond: 11_000,
        bytesPerSecond: 11_000 * 200,
        events: [{ type: 'step', atMinute: 10, factor: 2.6 }],
      },
      target: { application: { name: 'orders-enricher', maxParallelism: 128, maxKpu: 128 } },
      expect: { causes: ['CONSUMER_COMPUTE'], actions: ['UpdateApplicationParallelism'] },
    });
    const { world } = await oraclePolicy.play(scenario);
    const change = changeMinutes(world)[0]?.call.change;
    if (change?.kind !== 'parallelism') throw new Error('expected a parallelism change');
    const to = change.to.parallelism;
    expect(to).toBeGreaterThan(43);
    expect(leanestParallelismWithin(to, 128)).toBe(to);
    expect(world.app!.capacity(64, world.now)).toBeCloseTo(effectiveParallelism(to, 128) * 1000, 6);
  });
});
