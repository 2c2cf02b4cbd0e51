import { PRICES, capacityCost, incidentStart, oscillations, timeToRecover, wrongActions } from '../../bench/figures';
import { nonePolicy } from '../../bench/policies/none';
import { changeKinds } from '../../bench/policies/true-cause';
import type { ApiCall, ResourceChange } from '../../sim/adapters';
import { MINUTE, START, benchScenario, sample, samplesFrom } from './support/bench-scenario';

describe('time to recover', () => {
  it.each([
    ['never unhealthy', '.'.repeat(60), 10, 0],
    [
      'healthy for good 12 minutes after the incident starts',
      `${'.'.repeat(10)}${'x'.repeat(12)}${'.'.repeat(40)}`,
      10,
      12,
    ],
    ['a stretch of five healthy minutes at the very end', `${'x'.repeat(55)}.....`, 0, 55],
    ['four healthy minutes at the end are not enough', `${'x'.repeat(56)}....`, 0, null],
    ['unhealthy to the end', `${'.'.repeat(10)}${'x'.repeat(50)}`, 10, null],
    // Lulls between bursts are not a recovery; the 30 healthy minutes at minute 42 are.
    [
      'lulls shorter than half an hour',
      `${'x'.repeat(5)}${'.'.repeat(8)}${'x'.repeat(5)}${'.'.repeat(20)}${'x'.repeat(4)}${'.'.repeat(30)}${'x'.repeat(8)}`,
      0,
      42,
    ],
    [
      'a healthy stretch that ended before the incident does not count',
      `${'.'.repeat(40)}${'x'.repeat(10)}${'.'.repeat(10)}`,
      40,
      10,
    ],
  ])('%s', (_case, pattern, incidentMinute, expected) => {
    expect(timeToRecover(samplesFrom(pattern), START + incidentMinute * MINUTE)).toBe(expected);
  });
});

describe('capacity cost', () => {
  it('prices shard-hours at $0.015 and KPU-hours (with the orchestration KPU) at $0.11', () => {
    expect(PRICES).toEqual({ shardHourUsd: 0.015, kpuHourUsd: 0.11 });
    expect(capacityCost({ shardHours: 24, kpuHours: 15 })).toBeCloseTo(24 * 0.015 + 15 * 0.11, 10);
  });

  it('bills one more KPU than the job uses, as the world does', async () => {
    // 4 shards and a 4-KPU job for one hour: 4 shard-hours and 5 KPU-hours.
    const { outcome } = await nonePolicy.play(benchScenario({ durationMinutes: 60 }));
    expect(outcome.shardHours).toBeCloseTo(4, 10);
    expect(outcome.kpuHours).toBeCloseTo(5, 10);
    expect(capacityCost(outcome)).toBeCloseTo(0.06 + 0.55, 10);
  });
});

describe('oscillations', () => {
  const sized = (sizes: readonly (readonly [minute: number, shards: number])[]) => {
    const out = [];
    let current = sizes[0]![1];
    for (let minute = 0; minute < 240; minute++) {
      const change = sizes.find(([m]) => m === minute);
      if (change) current = change[1];
      out.push(sample(minute, { shards: current }));
    }
    return out;
  };

  it.each([
    [
      'up then down within the hour',
      [
        [0, 4],
        [10, 8],
        [50, 4],
      ],
      1,
    ],
    [
      'up then down after more than an hour',
      [
        [0, 4],
        [10, 8],
        [71, 4],
      ],
      0,
    ],
    [
      'up, up, down, up',
      [
        [0, 4],
        [10, 8],
        [20, 16],
        [40, 8],
        [60, 16],
      ],
      2,
    ],
    ['steady', [[0, 4]], 0],
  ] as const)('%s', (_case, sizes, expected) => {
    expect(oscillations(sized(sizes))).toBe(expected);
  });

  it('counts the application size too', () => {
    const samples = [0, 1, 2, 3].map((m) =>
      sample(m * 20, { kpus: m % 2 === 0 ? 4 : 8, parallelism: m % 2 === 0 ? 4 : 8 }),
    );
    expect(oscillations(samples)).toBe(2);
  });
});

describe('what kind of change a call is', () => {
  it.each<[string, ResourceChange, string[]]>([
    ['more shards', { kind: 'shards', from: 4, to: 8 }, ['shards-up']],
    ['fewer shards', { kind: 'shards', from: 8, to: 4 }, ['shards-down']],
    [
      'fewer tasks per KPU',
      {
        kind: 'parallelism',
        from: { parallelism: 4, parallelismPerKpu: 2 },
        to: { parallelism: 4, parallelismPerKpu: 1 },
      },
      ['memory-per-task-up'],
    ],
    [
      'the same parallelism',
      {
        kind: 'parallelism',
        from: { parallelism: 4, parallelismPerKpu: 1 },
        to: { parallelism: 4, parallelismPerKpu: 1 },
      },
      [],
    ],
    [
      'DEBUG to INFO',
      {
        kind: 'monitoring',
        from: { logLevel: 'DEBUG', metricsLevel: 'APPLICATION' },
        to: { logLevel: 'INFO', metricsLevel: 'APPLICATION' },
      },
      ['monitoring-quieter'],
    ],
    [
      'more detailed metrics',
      {
        kind: 'monitoring',
        from: { logLevel: 'INFO', metricsLevel: 'APPLICATION' },
        to: { logLevel: 'INFO', metricsLevel: 'TASK' },
      },
      ['monitoring-louder'],
    ],
  ])('%s', (_case, change, kinds) => {
    expect(changeKinds(change)).toEqual(kinds);
  });
});

describe('wrong actions', () => {
  const call = (minute: number, change: ResourceChange): ApiCall => ({
    at: START + minute * MINUTE,
    api: change.kind === 'shards' ? 'UpdateShardCount' : 'UpdateApplication',
    resource: 'r',
    outcome: 'ok',
    change,
  });
  const shards = (from: number, to: number): ResourceChange => ({ kind: 'shards', from, to });
  const parallelism = (from: number, to: number): ResourceChange => ({
    kind: 'parallelism',
    from: { parallelism: from, parallelismPerKpu: 1 },
    to: { parallelism: to, parallelismPerKpu: 1 },
  });
  const quiet = Array.from({ length: 120 }, (_, m) => sample(m));
  const throttledAt20 = quiet.map((s, m) => (m >= 15 && m < 30 ? { ...s, throttledRecords: 5000, healthy: false } : s));

  it.each<[string, readonly string[], readonly string[], ResourceChange, readonly ReturnType<typeof sample>[], number]>(
    [
      ['more parallelism for a compute shortage', ['CONSUMER_COMPUTE'], [], parallelism(4, 8), quiet, 0],
      ['more shards for a compute shortage', ['CONSUMER_COMPUTE'], [], shards(4, 8), quiet, 1],
      ['more parallelism for a slow sink', ['SINK_BACKPRESSURE'], [], parallelism(4, 8), quiet, 1],
      ['more shards for a hot key', ['HOT_SHARD'], [], shards(4, 8), quiet, 1],
      ['more shards for write capacity', ['STREAM_WRITE_CAPACITY'], ['UpdateShardCount'], shards(4, 8), quiet, 0],
      ['more shards for a GetRecords-call limit', ['STREAM_READ_CAPACITY'], [], shards(4, 8), quiet, 1],
      ['more shards for a read-bytes limit', ['STREAM_READ_CAPACITY'], ['UpdateShardCount'], shards(4, 8), quiet, 0],
      ['a change that changes nothing', ['CONSUMER_COMPUTE'], [], parallelism(4, 4), quiet, 1],
      ['a scale-in while producers are throttled', ['OVER_PROVISIONED'], [], shards(8, 4), throttledAt20, 1],
      ['a scale-in on a quiet pipeline that has room', ['CONSUMER_COMPUTE'], [], shards(8, 4), quiet, 0],
      ['a scale-in that leaves less than producers want', ['OVER_PROVISIONED'], [], shards(8, 1), quiet, 1],
      [
        'a job scaled in below its input',
        ['OVER_PROVISIONED'],
        [],
        parallelism(8, 1),
        quiet.map((s, m) => ({ ...s, appCapacityRecordsPerSecond: m < 20 ? 8000 : 1000 })),
        1,
      ],
      [
        // 10 writers contend for a pool of 4: at 4 subtasks the job carries more than it did at 10.
        'a job scaled back to where its sink serves it better, though still short',
        ['CONSUMER_COMPUTE'],
        [],
        parallelism(10, 4),
        quiet.map((s, m) => ({
          ...s,
          appCapacityRecordsPerSecond: m < 20 ? 10_000 : 1000,
          sinkCapacityRecordsPerSecond: m < 20 ? 500 : 5000,
        })),
        0,
      ],
    ],
  )('%s', (_case, causes, actions, change, samples, expected) => {
    const scenario = benchScenario({ expect: { causes, actions, recovers: true } });
    expect(wrongActions(scenario, [call(20, change)], samples, 60_000)).toHaveLength(expected);
  });

  it('counts any restart of an application whose snapshots are off', () => {
    const scenario = benchScenario({
      application: { snapshotsEnabled: false },
      expect: { causes: ['CONSUMER_COMPUTE'], actions: ['UpdateApplicationParallelism'] },
    });
    const wrong = wrongActions(scenario, [call(20, parallelism(4, 8))], quiet, 60_000);
    expect(wrong.map((w) => w.reason)).toEqual([expect.stringContaining('snapshots are off')]);
  });

  it('does not blame a scale-in for the lag of the restart just before it', () => {
    const restarted = quiet.map((s, m) => (m >= 18 && m < 22 ? { ...s, lagMs: 90_000, healthy: false } : s));
    const scenario = benchScenario({ expect: { causes: ['OVER_PROVISIONED'] } });
    const calls = [call(16, parallelism(8, 4)), call(20, shards(8, 4))];
    expect(wrongActions(scenario, calls, restarted, 60_000)).toEqual([]);
  });

  it('lets more shards help a job behind on a backlog it could read faster than its shards serve', () => {
    // 4 shards serve 8 MiB/s; a job that could process 12,000 records of 1 KiB per second is held back.
    const sourceBound = quiet.map((s) => ({
      ...s,
      lagMs: 600_000,
      appCapacityRecordsPerSecond: 12_000,
      healthy: false,
    }));
    const scenario = benchScenario({ expect: { causes: ['CONSUMER_COMPUTE'] } });
    expect(wrongActions(scenario, [call(20, shards(4, 8))], sourceBound, 60_000)).toEqual([]);
  });
});

describe('the incident start', () => {
  it('is the first unhealthy minute when nothing is done', async () => {
    // 5,000 records/s into 4 shards from minute 12.
    const scenario = benchScenario({
      durationMinutes: 30,
      traffic: { bytesPerSecond: 2000 * 512, events: [{ type: 'step', atMinute: 12, factor: 2.5 }] },
    });
    const { world } = await nonePolicy.play(scenario);
    expect(incidentStart(world)).toBe(START + 12 * MINUTE);
  });

  it('is the start for a pipeline that never goes wrong and never alarms', async () => {
    const { world } = await nonePolicy.play(benchScenario({ durationMinutes: 30 }));
    expect(incidentStart(world)).toBe(START);
  });
});
