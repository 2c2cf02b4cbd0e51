import {
  flinkParallelismNeeded,
  kpusFor,
  shardCallRange,
  shardSteps,
  shardsNeeded,
  shardUtilization,
} from '../../lambdas/domain/sizing';

const MIB = 1024 * 1024;

describe('shardSteps', () => {
  it.each([
    // from, to, expected steps
    [4, 7, [7]],
    [4, 8, [8]],
    [4, 9, [8, 10]],
    [4, 16, [8, 16]],
    [4, 17, [8, 16, 17]],
    [10, 13, [13]],
    [10, 100, [20, 40, 80, 100]],
    [1, 3, [2, 3]],
    [16, 8, [8]],
    [16, 5, [8, 5]],
    [7, 4, [4]],
    [5, 5, []],
  ])('from %i to %i takes %j', (from, to, steps) => {
    expect(shardSteps(from, to)).toEqual(steps);
  });

  it('takes ceil(log2(to/from)) calls going up', () => {
    for (const [from, to] of [
      [3, 5],
      [3, 7],
      [2, 33],
      [100, 1000],
      [1, 10_000],
    ] as const) {
      expect(shardSteps(from, to)).toHaveLength(Math.ceil(Math.log2(to / from)));
    }
  });

  it('keeps every call within [ceil(prev/2), 2 * prev]', () => {
    for (const [from, to] of [
      [3, 50],
      [50, 3],
      [9, 10_000],
    ] as const) {
      let prev: number = from;
      for (const step of shardSteps(from, to)) {
        expect(step).toBeGreaterThanOrEqual(Math.ceil(prev / 2));
        expect(step).toBeLessThanOrEqual(2 * prev);
        prev = step;
      }
      expect(prev).toBeGreaterThanOrEqual(to);
    }
  });

  it('rounds the last call up to a 25% multiple when it costs less than a quarter step', () => {
    // 8 -> 11: 12 is 150% of 8 and one shard more, in the same call.
    expect(shardSteps(8, 11)).toEqual([12]);
    // 8 -> 10: already 125% of 8.
    expect(shardSteps(8, 10)).toEqual([10]);
  });

  it('does not round past the ceiling', () => {
    expect(shardSteps(8, 11, 11)).toEqual([11]);
  });

  it('stops at 10,000 shards when asked for more', () => {
    expect(shardSteps(6000, 12_000)).toEqual([10_000]);
    expect(shardSteps(3000, 25_000)).toEqual([6000, 10_000]);
  });

  it('never goes past 10,000 shards in one call', () => {
    expect(shardCallRange(6000).max).toBe(10_000);
  });
});

describe('shardsNeeded', () => {
  // Writes at 80% of each shard's limits, reads at 70%: the policy's defaults.
  const utilization = { write: 0.8, read: 0.7 };
  it.each([
    // 7 MiB/s over 0.8 MiB/s a shard = 8.75.
    ['bytes-bound', { writeBytesPerSecond: 7 * MIB, writeRecordsPerSecond: 100, readBytesPerSecond: 0 }, 9],
    // 14,000 records/s over 800 a shard = 17.5.
    ['records-bound', { writeBytesPerSecond: MIB, writeRecordsPerSecond: 14_000, readBytesPerSecond: 0 }, 18],
    // 28 MiB/s over 1.4 MiB/s a shard = 20: reads keep the lower utilisation.
    ['read-bound', { writeBytesPerSecond: MIB, writeRecordsPerSecond: 100, readBytesPerSecond: 28 * MIB }, 20],
    ['idle', { writeBytesPerSecond: 0, writeRecordsPerSecond: 0, readBytesPerSecond: 0 }, 1],
  ])('%s demand at 80%% of the write limits and 70%% of the read limit', (_name, demand, expected) => {
    expect(shardsNeeded(demand, utilization)).toBe(expected);
  });

  it('takes the write utilisation for writes and the read utilisation for reads, not one for both', () => {
    const writes = { writeBytesPerSecond: 0, writeRecordsPerSecond: 14_000, readBytesPerSecond: 0 };
    const reads = { writeBytesPerSecond: 0, writeRecordsPerSecond: 0, readBytesPerSecond: 28 * MIB };
    expect(shardsNeeded(writes, { write: 0.7, read: 0.95 })).toBe(20);
    expect(shardsNeeded(reads, { write: 0.95, read: 0.7 })).toBe(20);
  });

  it('reads the policy: writes at shardWriteUtilization, reads at targetUtilization', () => {
    expect(shardUtilization({ shardWriteUtilization: 0.85, targetUtilization: 0.6 })).toEqual({
      write: 0.85,
      read: 0.6,
    });
  });
});

describe('flinkParallelismNeeded (FLIP-271)', () => {
  const base = {
    currentParallelism: 4,
    inputRatePerSecond: 1000,
    processedRatePerSecond: 1000,
    busyFraction: 0.5,
    lagMs: 0,
    targetUtilization: 0.7,
    catchUpSeconds: 300,
    restartSeconds: 0,
  };

  it('sizes for the input at the target utilisation using the true processing rate', () => {
    // true rate = 1000 / 0.5 = 2000/s for 4 tasks; need 1000 / 0.7 = 1428.6/s -> 4 * 0.714 = 2.86 -> 3
    expect(flinkParallelismNeeded(base)).toBe(3);
  });

  it('adds the backlog drained within the catch-up time', () => {
    // backlog = 600 s * 1000/s = 600k records over 300 s = 2000/s more: 4 * (1428.6 + 2000) / 2000 = 6.86 -> 7
    expect(flinkParallelismNeeded({ ...base, lagMs: 600_000 })).toBe(7);
  });

  it('counts the backlog that builds while the job restarts', () => {
    // 120 s * 1000/s / 300 s = 400/s more: 4 * 1828.6 / 2000 = 3.66 -> 4
    expect(flinkParallelismNeeded({ ...base, restartSeconds: 120 })).toBe(4);
  });

  it('scales with how busy the job is for the same throughput', () => {
    expect(
      flinkParallelismNeeded({ ...base, busyFraction: 1, processedRatePerSecond: 700, inputRatePerSecond: 1000 }),
    ).toBe(9);
  });

  it('keeps the current size when it has no rate to reason from', () => {
    expect(flinkParallelismNeeded({ ...base, processedRatePerSecond: 0 })).toBe(4);
  });

  it('counts KPUs per the tasks-per-KPU setting', () => {
    expect(kpusFor(9, 2)).toBe(5);
    expect(kpusFor(8, 1)).toBe(8);
  });
});
