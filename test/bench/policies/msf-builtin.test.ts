import { MsfAutoscalingRule, msfBuiltInPolicy } from '../../../bench/policies/msf-builtin';
import { benchScenario, changeMinutes } from '../support/bench-scenario';

function feed(rule: MsfAutoscalingRule, values: readonly (number | undefined)[], parallelism: number) {
  return values.map((cpu) => rule.observe(cpu, parallelism));
}

describe('the Managed Flink autoscaling rule', () => {
  const rule = () => new MsfAutoscalingRule({ configuredParallelism: 4, ceilingParallelism: 64 });

  it('doubles on the 15th consecutive minute at or above 75%, not the 14th', () => {
    const decisions = feed(rule(), Array<number>(15).fill(75), 4);
    expect(decisions.slice(0, 14)).toEqual(Array(14).fill(undefined));
    expect(decisions[14]).toBe(8);
  });

  it.each([
    ['a minute under 75%', 74.9],
    ['a minute without a datapoint', undefined],
  ])('starts counting again after %s', (_case, breaker) => {
    const decisions = feed(rule(), [...Array<number>(14).fill(90), breaker, ...Array<number>(14).fill(90)], 4);
    expect(decisions.every((d) => d === undefined)).toBe(true);
  });

  it('stops at the KPU quota', () => {
    const capped = new MsfAutoscalingRule({ configuredParallelism: 4, ceilingParallelism: 12 });
    expect(feed(capped, Array<number>(15).fill(95), 8)[14]).toBe(12);
    expect(feed(capped, Array<number>(15).fill(95), 12).every((d) => d === undefined)).toBe(true);
  });

  it('halves, rounding up, after 360 minutes under 10%, and not after 359', () => {
    const decisions = feed(rule(), Array<number>(360).fill(9.9), 9);
    expect(decisions.slice(0, 359).every((d) => d === undefined)).toBe(true);
    expect(decisions[359]).toBe(5);
  });

  it('never scales below the configured parallelism', () => {
    expect(feed(rule(), Array<number>(360).fill(2), 6)[359]).toBe(4);
    expect(feed(rule(), Array<number>(720).fill(2), 4).every((d) => d === undefined)).toBe(true);
  });

  it('needs a fresh run of datapoints after it scales', () => {
    const r = rule();
    expect(feed(r, Array<number>(15).fill(95), 4)[14]).toBe(8);
    expect(feed(r, Array<number>(14).fill(95), 8).every((d) => d === undefined)).toBe(true);
    expect(r.observe(95, 8)).toBe(16);
  });
});

describe('msf-builtin in the world', () => {
  it('doubles parallelism through UpdateApplication exactly 15 minutes into a CPU-bound stretch', async () => {
    // 3,900 records/s on 4 x 1,000: busy 97%, CPU over 90% from the first minute.
    const scenario = benchScenario({
      durationMinutes: 30,
      traffic: { recordsPerSecond: 3900, bytesPerSecond: 3900 * 1024 },
    });
    const { world } = await msfBuiltInPolicy.play(scenario);
    const changes = changeMinutes(world);
    expect(changes.map((c) => c.minute)).toEqual([15]);
    expect(changes[0]!.call.change).toEqual({
      kind: 'parallelism',
      from: { parallelism: 4, parallelismPerKpu: 1 },
      to: { parallelism: 8, parallelismPerKpu: 1 },
    });
  });

  it('leaves a job under 75% CPU alone', async () => {
    const { world } = await msfBuiltInPolicy.play(benchScenario({ durationMinutes: 30 }));
    expect(changeMinutes(world)).toEqual([]);
  });

  it("stands in for the world's own copy of the rule, so that the application doubles once", async () => {
    const scenario = benchScenario({
      durationMinutes: 30,
      application: { autoScalingEnabled: true },
      traffic: { recordsPerSecond: 3900, bytesPerSecond: 3900 * 1024 },
    });
    const { world } = await msfBuiltInPolicy.play(scenario);
    expect(world.app?.currentParallelism).toBe(8);
    expect(changeMinutes(world)).toHaveLength(1);
  });
});
