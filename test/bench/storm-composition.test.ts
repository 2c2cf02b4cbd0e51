import {
  admitByFreeSlots,
  apiRate,
  freeSlotIndexes,
  peakInWindow,
  peakPerSecond,
  slotsHeldAt,
  type TimedCall,
} from '../../bench/storm-composition';

const T0 = Date.parse('2026-03-02T09:35:00Z');

describe('fleet slots in the storm composition', () => {
  const holds = [
    { from: T0, to: T0 + 450_000 },
    { from: T0, to: T0 + 600_000 },
    { from: T0 + 300_000, to: T0 + 900_000 },
  ];

  it('counts a slot from the instant it is taken until the instant it is given back', () => {
    expect(slotsHeldAt(holds, T0 - 1)).toBe(0);
    expect(slotsHeldAt(holds, T0)).toBe(2);
    expect(slotsHeldAt(holds, T0 + 300_000)).toBe(3);
    expect(slotsHeldAt(holds, T0 + 450_000)).toBe(2);
    expect(slotsHeldAt(holds, T0 + 900_000)).toBe(0);
  });

  it('lets in as many of the runs starting together as slots are free, in order, and turns the rest away', () => {
    const targets = ['a', 'b', 'c', 'd', 'e'];
    expect(admitByFreeSlots(targets, 10, 7)).toEqual({ admitted: ['a', 'b', 'c'], turnedAway: ['d', 'e'] });
    expect(admitByFreeSlots(targets, 10, 0)).toEqual({ admitted: targets, turnedAway: [] });
  });

  it("hands out the free slots lowest first: a known slot stays its run's, the others take the lowest left", () => {
    const known = [
      { from: T0, to: T0 + 600_000, slot: 1 },
      { from: T0, to: T0 + 600_000 },
      { from: T0 - 60_000, to: T0, slot: 3 },
    ];
    // Slot 1 is held, the run of unknown slot takes 0, slot 3 was given back at T0.
    expect(freeSlotIndexes(known, T0, 5)).toEqual([2, 3, 4]);
    expect(freeSlotIndexes(known, T0 + 600_000, 5)).toEqual([0, 1, 2, 3, 4]);
  });

  it('turns every run away while the slots are all held, or more are held than a lowered cap allows', () => {
    expect(admitByFreeSlots(['a', 'b'], 10, 10)).toEqual({ admitted: [], turnedAway: ['a', 'b'] });
    expect(admitByFreeSlots(['a', 'b'], 5, 8)).toEqual({ admitted: [], turnedAway: ['a', 'b'] });
  });
});

describe('call rates in the storm composition', () => {
  it('buckets calls by the second they fall in, not by a sliding second', () => {
    // 3 in [0 s, 1 s), 2 in [1 s, 2 s): 5 within 600 ms of each other, but never more than 3 per bucket.
    const times = [T0 + 500, T0 + 700, T0 + 999, T0 + 1000, T0 + 1100];
    expect(peakPerSecond(times)).toBe(3);
    expect(peakInWindow(times, 1000)).toBe(5);
  });

  it('finds the busiest window of a limit that counts over a longer span', () => {
    const hour = 3_600_000;
    const times = [T0, T0 + 2 * hour, T0 + 23 * hour, T0 + 24 * hour, T0 + 30 * hour];
    expect(peakInWindow(times, 24 * hour)).toBe(3);
    expect(peakInWindow([], 1000)).toBe(0);
  });

  it('judges a per-account limit over every call of the API, and a per-resource one by the busiest resource', () => {
    const calls: TimedCall[] = [
      ...Array.from({ length: 21 }, (_, i) => ({ at: T0 + i, api: 'DescribeStreamSummary', resource: `s${i}` })),
      { at: T0, api: 'UpdateShardCount', resource: 's1' },
      { at: T0 + 60_000, api: 'UpdateShardCount', resource: 's1' },
      { at: T0, api: 'UpdateShardCount', resource: 's2' },
    ];
    expect(apiRate('DescribeStreamSummary', calls, { max: 20, windowSeconds: 1, per: 'account' })).toEqual({
      api: 'DescribeStreamSummary',
      calls: 21,
      peakPerSecond: 21,
      peakInLimitWindow: 21,
      verdict: 'FAIL',
    });
    expect(apiRate('UpdateShardCount', calls, { max: 2, windowSeconds: 86_400, per: 'resource' })).toMatchObject({
      calls: 3,
      peakPerSecond: 2,
      peakInLimitWindow: 2,
      verdict: 'PASS',
    });
  });

  it('gives no verdict for an API whose limit is not confirmed', () => {
    const calls: TimedCall[] = [{ at: T0, api: 'GetMetricData', resource: 'account' }];
    expect(apiRate('GetMetricData', calls, undefined)).toEqual({
      api: 'GetMetricData',
      calls: 1,
      peakPerSecond: 1,
      verdict: 'NO CONFIRMED LIMIT',
    });
  });
});
