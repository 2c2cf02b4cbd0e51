import fc from 'fast-check';
import { PolicySchema, TargetSchema } from '../../lambdas/domain/config';
import { assess } from '../../lambdas/domain/engine';
import {
  busiestSubtaskKeyGroups,
  effectiveParallelism,
  leanestParallelismWithin,
  parallelismCarrying,
  parallelismToPlan,
} from '../../lambdas/domain/key-groups';
import { parallelismForCpuLine } from '../../lambdas/domain/scale-back';
import { flinkParallelismNeeded, flinkSteadyParallelism } from '../../lambdas/domain/sizing';
import { buildSnapshot } from '../builders/snapshot-builder';

const MINUTE = 60;

describe('key groups (Flink assigns each subtask a contiguous range of the max parallelism)', () => {
  it.each([
    // [parallelism, key groups, busiest subtask's key groups, evenly loaded subtasks it is worth]
    [32, 128, 4, 32],
    [33, 128, 4, 32],
    [40, 128, 4, 32],
    [43, 128, 3, 128 / 3],
    [64, 128, 2, 64],
    [100, 128, 2, 64],
    [127, 128, 2, 64],
    [128, 128, 1, 128],
    [10, 12, 2, 6],
  ])('parallelism %i over %i key groups: the busiest subtask holds %i of them', (p, k, busiest, worth) => {
    expect(busiestSubtaskKeyGroups(p, k)).toBe(busiest);
    expect(effectiveParallelism(p, k)).toBeCloseTo(worth, 9);
  });

  it('counts every subtask of work that is not keyed', () => {
    expect(effectiveParallelism(40, undefined)).toBe(40);
    expect(parallelismCarrying(40.2, undefined)).toBe(41);
    expect(leanestParallelismWithin(100, undefined)).toBe(100);
  });

  it.each([
    // [subtasks needed, key groups, smallest parallelism that carries them]
    [9, 128, 10],
    [13, 128, 15],
    [32, 128, 32],
    [33, 128, 43],
    [42.5, 128, 43],
    [42.7, 128, 64],
    [51.4, 128, 64],
    [65, 128, 128],
    [500, 128, 128],
  ])('%d subtasks of work over %i key groups take parallelism %i', (needed, k, p) => {
    expect(parallelismCarrying(needed, k)).toBe(p);
  });

  it.each([
    // [subtasks needed, key groups, size planned]
    [33, 128, 32],
    [33.6, 128, 32],
    [33.7, 128, 43],
    [40.9, 128, 43],
    [44, 128, 43],
    [45, 128, 64],
    [33, undefined, 33],
  ])('plans %d subtasks of work over %s key groups at %i: the boundary below when it carries 95%', (needed, k, p) => {
    expect(parallelismToPlan(needed, k)).toBe(p);
  });

  it('stops at the leanest size under a ceiling that carries as much as the ceiling', () => {
    expect(leanestParallelismWithin(100, 128)).toBe(64);
    expect(leanestParallelismWithin(40, 128)).toBe(32);
    expect(leanestParallelismWithin(64, 128)).toBe(64);
    expect(leanestParallelismWithin(7, 128)).toBe(7);
  });

  const keyGroups = fc.integer({ min: 1, max: 32_768 });

  it('never counts more than the subtasks there are, and never less as parallelism grows', () => {
    fc.assert(
      fc.property(keyGroups, fc.integer({ min: 1, max: 40_000 }), (k, p) => {
        const worth = effectiveParallelism(p, k);
        expect(worth).toBeLessThanOrEqual(Math.min(p, k) + 1e-9);
        expect(effectiveParallelism(p + 1, k)).toBeGreaterThanOrEqual(worth - 1e-9);
      }),
    );
  });

  it('sizes to the smallest parallelism worth the subtasks needed (up to the key groups)', () => {
    fc.assert(
      fc.property(keyGroups, fc.double({ min: 0.01, max: 40_000, noNaN: true }), (k, needed) => {
        const p = parallelismCarrying(needed, k);
        expect(p).toBeLessThanOrEqual(k);
        if (needed <= k) expect(effectiveParallelism(p, k)).toBeGreaterThanOrEqual(needed - 1e-6);
        if (p > 1 && needed <= k) expect(effectiveParallelism(p - 1, k)).toBeLessThan(needed);
      }),
    );
  });

  it('under a ceiling, gives up nothing the ceiling would carry and no smaller size does as much', () => {
    fc.assert(
      fc.property(keyGroups, fc.integer({ min: 1, max: 32_768 }), (k, ceiling) => {
        const p = leanestParallelismWithin(ceiling, k);
        expect(p).toBeLessThanOrEqual(ceiling);
        expect(effectiveParallelism(p, k)).toBeCloseTo(effectiveParallelism(ceiling, k), 9);
        if (p > 1) expect(effectiveParallelism(p - 1, k)).toBeLessThan(effectiveParallelism(ceiling, k) - 1e-9);
      }),
    );
  });
});

describe('FLIP-271 sizing of a keyed job', () => {
  const base = {
    currentParallelism: 16,
    inputRatePerSecond: 28_600,
    processedRatePerSecond: 16_000,
    busyFraction: 1,
    lagMs: 0,
    targetUtilization: 0.7,
    catchUpSeconds: 300,
    restartSeconds: 0,
  };

  it('rounds up to the next key-group boundary', () => {
    // 28,600 / 0.7 = 40,857 records/s over 1,000 a subtask: 40.9 subtasks' worth. Parallelism 41 leaves
    // one subtask 4 key groups (32 subtasks' worth); 43 is the first with 3 (42.7).
    expect(flinkSteadyParallelism(base)).toBe(41);
    expect(flinkSteadyParallelism({ ...base, keyGroups: 128 })).toBe(43);
    expect(flinkParallelismNeeded({ ...base, keyGroups: 128 })).toBe(43);
  });

  it('reads the true rate of an unaligned size as what its busiest subtask allows', () => {
    // At 40 over 128 key groups the job is worth 32 subtasks: fully busy at 32,000 records/s, 1,000
    // each. 40,000 records/s need 40 subtasks' worth, which takes 43; read as 40 subtasks of 800
    // each, the same rates would ask for 50.
    const at40 = { ...base, currentParallelism: 40, processedRatePerSecond: 32_000, inputRatePerSecond: 28_000 };
    expect(flinkSteadyParallelism({ ...at40, keyGroups: 128 })).toBe(43);
    expect(flinkSteadyParallelism(at40)).toBe(50);
  });

  it('scales a keyed job back in key-group steps from its CPU line', () => {
    // The line: idle at 5% CPU, 95 points for 64 subtasks of 1,000 records/s; the recent peak 12,000
    // records/s needs 12,000 / 0.7 + 12,000 = 29,143 records/s, 29.1 subtasks' worth.
    const line = { idlePercent: 5, percentPerRecordPerSecond: 95 / 64_000, recentPeakProcessed: 12_000 };
    expect(parallelismForCpuLine(line, 64, { targetUtilization: 0.7 })).toBe(30);
    expect(parallelismForCpuLine(line, 64, { targetUtilization: 0.7 }, 128)).toBe(32);
  });
});

describe('a keyed job capped by its bounds', () => {
  /** 80,000 records/s for 32 subtasks of 1,000 at 2 per KPU: about 114 subtasks' worth at the target. */
  function planFor(keyed: boolean) {
    const snapshot = buildSnapshot({
      stream: { shards: 128 },
      app: { parallelism: 32, parallelismPerKpu: 2 },
      metrics: {
        incomingRecords: (i) => (i >= 50 ? 80_000 : 20_000) * MINUTE,
        incomingBytes: (i) => (i >= 50 ? 80_000 : 20_000) * 100 * MINUTE,
        millisBehindLatest: (i) => (i >= 50 ? (i - 49) * 40_000 : 500),
        containerCpu: (i) => (i >= 50 ? 97 : 62),
        recordsInPerSecond: (i) => (i >= 50 ? 32_000 : 20_000),
      },
    });
    const target = TargetSchema.parse({
      name: 'orders',
      mode: 'auto',
      stream: { name: 'orders-stream', maxShards: 128 },
      application: { name: 'orders-enricher', maxParallelism: 100, keyed },
    });
    return assess(snapshot, { target, policy: PolicySchema.parse({}), dryRun: false }).plan;
  }
  const raised = (plan: ReturnType<typeof planFor>) =>
    plan.actions.find((a) => a.type === 'UpdateApplicationParallelism');

  it('stops at 64, which carries all that 100 would, and says so in the bounds refusal', () => {
    const plan = planFor(true);
    expect(raised(plan)).toMatchObject({ from: 32, to: 64 });
    const refusal = plan.refused.find((r) => r.guardrail === 'bounds');
    expect(refusal?.reason).toContain('maxParallelism is 100');
    expect(refusal?.reason).toContain("2 of the job's 128 key groups, as at 64");
    const text = plan.recommendations.join('\n');
    expect(text).toContain('stops at parallelism 64 (32 KPU)');
    expect(text).toContain('cannot keep up');
  });

  it('goes to the bound itself when the work is not keyed', () => {
    expect(raised(planFor(false))).toMatchObject({ from: 32, to: 100 });
  });
});
