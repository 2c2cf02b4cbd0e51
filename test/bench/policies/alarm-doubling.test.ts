import { alarmDoublingPolicy, alarmDoublingTarget } from '../../../bench/policies/alarm-doubling';
import { benchScenario, changeMinutes } from '../support/bench-scenario';

describe("the sample Lambda's target", () => {
  const bounds = { minKpu: 1, maxKpu: 10 };

  it.each([
    ['out', 2, { kpu: 4, stop: false }],
    ['out', 4, { kpu: 8, stop: false }],
    ['out', 6, { kpu: 10, stop: true }],
    ['out', 5, { kpu: 10, stop: true }],
    ['out', 10, undefined],
    ['in', 8, { kpu: 4, stop: false }],
    ['in', 5, { kpu: 2, stop: false }],
    ['in', 3, { kpu: 1, stop: true }],
    ['in', 1, undefined],
  ] as const)('scale-%s from %d KPUs -> %j', (direction, kpu, expected) => {
    expect(alarmDoublingTarget(direction, kpu, bounds)).toEqual(expected);
  });
});

describe('alarm-doubling in the world', () => {
  // 12,000 records/s, far more than 4 subtasks of 1,000 process; after each restart the job drains
  // its backlog at full CPU, so the alarm holds until the target's maximum (64).
  const overloaded = () =>
    benchScenario({
      durationMinutes: 40,
      stream: { shards: 16 },
      traffic: { recordsPerSecond: 12_000, bytesPerSecond: 12_000 * 512 },
    });

  it('scales out when the alarm fires after 5 minutes over 80%, and again only after the update and a 300 s cool-down', async () => {
    const { world } = await alarmDoublingPolicy.play(overloaded());
    const changes = changeMinutes(world);
    // Alarm at minute 5; UPDATING for the restart, then 5 minutes of cool-down. The restart grows with
    // the new cluster (2 s per KPU): RUNNING at +2 min with 8 and 16 KPUs, at +3 min with 32 and 64.
    expect(changes.map((c) => c.minute)).toEqual([5, 12, 20, 28]);
    expect(changes.map((c) => c.call.change?.kind === 'parallelism' && c.call.change.to.parallelism)).toEqual([
      8, 16, 32, 64,
    ]);
  });

  it("stops at the target's maximum, expressed in KPUs", async () => {
    const scenario = benchScenario({
      durationMinutes: 40,
      stream: { shards: 16 },
      traffic: { recordsPerSecond: 12_000, bytesPerSecond: 12_000 * 512 },
      target: { application: { name: 'orders-enricher', maxParallelism: 12 } },
    });
    const { world } = await alarmDoublingPolicy.play(scenario);
    expect(changeMinutes(world).map((c) => c.minute)).toEqual([5, 12]);
    expect(world.app?.currentParallelism).toBe(12);
  });

  it('scales in when CPU stays at or under 20% for 5 minutes', async () => {
    // 400 records/s on 8 subtasks: 5% busy.
    const scenario = benchScenario({
      durationMinutes: 20,
      application: { parallelism: 8 },
      traffic: { recordsPerSecond: 400, bytesPerSecond: 400 * 1024 },
    });
    const { world } = await alarmDoublingPolicy.play(scenario);
    const changes = changeMinutes(world);
    expect(changes[0]?.minute).toBe(5);
    expect(changes[0]?.call.change).toMatchObject({ to: { parallelism: 4 } });
  });
});
