import {
  admitByFreeSlots,
  apiRate,
  freeSlotIndexes,
  nextFleetChanges,
  otherChangesShown,
  peakInWindow,
  peakPerSecond,
  sawTheFleetAsItWas,
  slotsHeldAt,
  type FleetChangeMark,
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

describe("the fleet's changes in the storm composition", () => {
  it("shows a play the fleet's changes recorded before the instant, within the hour read, less its own", () => {
    const seeded = [T0 - 3_600_000, T0, T0, T0 + 1000, T0 + 2000];
    // Its own change at T0 is in its log already: one of the two seeded at T0 is the other target's.
    expect(otherChangesShown(seeded, [T0], T0 - 3_599_999, T0 + 2000)).toEqual([T0, T0 + 1000]);
    // A change recorded at the very instant of the read is not shown: runs deciding together race.
    expect(otherChangesShown(seeded, [], T0 - 3_599_999, T0)).toEqual([]);
    expect(otherChangesShown(seeded, [], T0 - 3_600_000, T0 + 1)).toEqual([T0 - 3_600_000, T0, T0]);
  });

  it("lets a play's change stand only when its log held exactly the fleet's changes made before it", () => {
    const made = [T0, T0, T0 + 1000];
    // Seeded before the change at T0 + 1 s was counted: a decision after it missed one change.
    expect(sawTheFleetAsItWas([T0, T0], made, T0 + 2000)).toBe(false);
    // The same play stands for a decision at T0 + 1 s, which could not see the change made then.
    expect(sawTheFleetAsItWas([T0, T0], made, T0 + 1000)).toBe(true);
    expect(sawTheFleetAsItWas([T0, T0, T0 + 1000, T0 + 5000], made, T0 + 2000)).toBe(true);
    expect(sawTheFleetAsItWas([T0, T0 + 500], [T0, T0 + 400], T0 + 1000)).toBe(false);
  });

  it('takes the changes of the earliest instant together, whichever targets make them', () => {
    const candidates: FleetChangeMark[] = [
      { at: T0 + 1000, target: 0 },
      { at: T0, target: 7 },
      { at: T0, target: 4 },
    ];
    expect(nextFleetChanges(candidates)).toEqual([
      { at: T0, target: 7 },
      { at: T0, target: 4 },
    ]);
  });
});
