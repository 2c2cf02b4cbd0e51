import {
  InvalidRequestError,
  LimitExceededError,
  ResourceInUseError,
  ResourceNotFoundError,
} from '../../lambdas/ports/errors';
import { KinesisStreamModel, maxMinFair, type ReadDemand } from '../../sim/kinesis-stream';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const MIB = 1024 * 1024;
const HOUR = 3_600_000;

function stream(props: Partial<ConstructorParameters<typeof KinesisStreamModel>[0]> = {}): KinesisStreamModel {
  return new KinesisStreamModel({ name: 'orders-stream', shards: 4, createdAt: T0 - 24 * HOUR, ...props });
}

/** Lets a pending reshard finish and returns the time it did. */
function settle(model: KinesisStreamModel): number {
  const done = model.nextTransition()!;
  model.advanceTo(done);
  return done;
}

describe('UpdateShardCount', () => {
  it.each([
    { from: 4, to: 8, accepted: true },
    { from: 4, to: 2, accepted: true },
    { from: 5, to: 3, accepted: true },
    { from: 5, to: 10, accepted: true },
    { from: 4, to: 9, accepted: false },
    { from: 4, to: 1, accepted: false },
    { from: 5, to: 2, accepted: false },
    { from: 5, to: 11, accepted: false },
  ])('from $from to $to: within [ceil(N/2), 2N] is $accepted', ({ from, to, accepted }) => {
    const model = stream({ shards: from });
    const call = (): void => model.updateShardCount(to, T0);
    if (accepted) {
      call();
      expect(model.currentStatus).toBe('UPDATING');
      settle(model);
      expect(model.openShards).toBe(to);
    } else {
      expect(call).toThrow(LimitExceededError);
      expect(model.openShards).toBe(from);
      expect(model.currentStatus).toBe('ACTIVE');
    }
  });

  it('keeps the stream UPDATING, with the old shard count, until the reshard is done', () => {
    const model = stream({ shards: 4, reshardBaseSeconds: 120, reshardSecondsPerShard: 6 });
    model.updateShardCount(8, T0);
    // 120 s + 4 shards x 6 s: eight is a multiple of 25% of four.
    expect(model.nextTransition()).toBe(T0 + 144_000);
    model.advanceTo(T0 + 143_999);
    expect(model.describe().StreamDescriptionSummary).toMatchObject({ StreamStatus: 'UPDATING', OpenShardCount: 4 });
    model.advanceTo(T0 + 144_000);
    expect(model.describe().StreamDescriptionSummary).toMatchObject({ StreamStatus: 'ACTIVE', OpenShardCount: 8 });
  });

  it.each([
    { from: 8, to: 14, seconds: 120 + 6 * 6 },
    { from: 8, to: 13, seconds: 120 + 6 * 5 * 2 },
    { from: 16, to: 8, seconds: 120 + 6 * 8 },
  ])('takes longer for targets off the 25% grid: $from -> $to in $seconds s', ({ from, to, seconds }) => {
    expect(stream({ shards: from }).reshardDurationMs(from, to)).toBe(seconds * 1000);
  });

  it('refuses a second change while UPDATING with ResourceInUseError', () => {
    const model = stream();
    model.updateShardCount(8, T0);
    expect(() => model.updateShardCount(6, T0 + 10_000)).toThrow(ResourceInUseError);
    expect(() => model.increaseRetention(48, T0 + 10_000)).toThrow(ResourceInUseError);
  });

  it('allows 10 reshards per rolling 24 hours and refuses the eleventh with LimitExceededError', () => {
    const model = stream({ shards: 4 });
    let now = T0;
    for (let call = 0; call < 10; call++) {
      model.updateShardCount(model.openShards === 4 ? 8 : 4, now);
      now = settle(model) + 60_000;
    }
    expect(() => model.updateShardCount(model.openShards === 4 ? 8 : 4, now)).toThrow(/10 times in the last 24 hours/);
    expect(() => model.updateShardCount(model.openShards === 4 ? 8 : 4, now)).toThrow(LimitExceededError);
    // A day after the first call, one call is free again.
    model.updateShardCount(model.openShards === 4 ? 8 : 4, T0 + 24 * HOUR + 1);
    expect(model.currentStatus).toBe('UPDATING');
  });

  it('refuses to go past 10,000 shards even within 2x', () => {
    const model = stream({ shards: 6000 });
    expect(() => model.updateShardCount(12_000, T0)).toThrow(/10000 shard limit/);
  });

  it.each([
    { target: 4, why: 'the current count' },
    { target: 0, why: 'not positive' },
    { target: 2.5, why: 'not an integer' },
  ])('refuses a target that is $why with InvalidRequestError', ({ target }) => {
    expect(() => stream({ shards: 4 }).updateShardCount(target, T0)).toThrow(InvalidRequestError);
  });

  it('refuses to reshard an on-demand stream, as a ValidationException', () => {
    const model = stream({ mode: 'ON_DEMAND' });
    let error: unknown;
    try {
      model.updateShardCount(8, T0);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).awsErrorName).toBe('ValidationException');
    expect(model.describe().StreamDescriptionSummary.StreamModeDetails).toEqual({ StreamMode: 'ON_DEMAND' });
  });

  it('answers ResourceNotFoundError for every call once the stream is deleted', () => {
    const model = stream();
    model.delete();
    expect(() => model.describe()).toThrow(ResourceNotFoundError);
    expect(() => model.updateShardCount(8, T0)).toThrow(ResourceNotFoundError);
    expect(() => model.increaseRetention(48, T0)).toThrow(ResourceNotFoundError);
  });
});

describe('IncreaseStreamRetentionPeriod', () => {
  it('raises retention, with a short UPDATING, and refuses values that do not raise it', () => {
    const model = stream({ retentionHours: 24 });
    expect(() => model.increaseRetention(24, T0)).toThrow(/must be greater than the current 24/);
    expect(() => model.increaseRetention(9000, T0)).toThrow(InvalidRequestError);
    model.increaseRetention(48, T0);
    expect(model.describe().StreamDescriptionSummary).toMatchObject({
      StreamStatus: 'UPDATING',
      RetentionPeriodHours: 48,
    });
    settle(model);
    expect(model.currentStatus).toBe('ACTIVE');
  });
});

describe('write limits', () => {
  it.each([
    {
      name: 'records-bound: 5,000 small records/s on 4 shards',
      shards: 4,
      recordsPerSecond: 5000,
      bytesPerRecord: 512,
      hot: 0,
      accepted: 4000,
    },
    {
      name: 'bytes-bound: 6 MiB/s of 3 KiB records on 4 shards',
      shards: 4,
      recordsPerSecond: 2048,
      bytesPerRecord: 3072,
      hot: 0,
      // 4 MiB/s of 3 KiB records
      accepted: (4 * MIB) / 3072,
    },
    {
      name: 'hot key: 30% of 3,000 records/s on one of 8 shards',
      shards: 8,
      recordsPerSecond: 3000,
      bytesPerRecord: 1000,
      hot: 0.3,
      // The hot shard gets 0.3 x 3000 + 0.7 x 3000 / 8 = 1162.5/s and keeps 1000/s of it.
      accepted: 3000 - 162.5,
    },
    { name: 'under every limit', shards: 8, recordsPerSecond: 3000, bytesPerRecord: 1024, hot: 0, accepted: 3000 },
  ])('$name', ({ shards, recordsPerSecond, bytesPerRecord, hot, accepted }) => {
    const model = stream({ shards });
    const result = model.write(
      { records: recordsPerSecond * 10, bytes: recordsPerSecond * bytesPerRecord * 10, hotKeyShare: hot },
      10,
      T0,
    );
    expect(result.acceptedRecords / 10).toBeCloseTo(accepted, 6);
    expect(result.throttledRecords / 10).toBeCloseTo(recordsPerSecond - accepted, 6);
    expect(model.log.totalWritten).toBeCloseTo(accepted * 10, 6);
  });

  it('lets an on-demand stream take twice its previous peak, and raises that after the adapt time', () => {
    const model = stream({
      mode: 'ON_DEMAND',
      onDemandPeakBytesPerSecond: 2 * MIB,
      onDemandPeakRecordsPerSecond: 2000,
      onDemandAdaptMinutes: 15,
    });
    const demand = { records: 6000 * 60, bytes: 6000 * 1024 * 60, hotKeyShare: 0 };
    expect(model.write(demand, 60, T0).acceptedRecords).toBeCloseTo(4000 * 60, 6);
    model.endMinute(T0 + 60_000);
    expect(model.write(demand, 60, T0 + 60_000).acceptedRecords).toBeCloseTo(4000 * 60, 6);
    // Fifteen minutes after the 4,000/s minute, capacity is twice that: 8,000/s.
    const later = model.write(demand, 60, T0 + 16 * 60_000);
    expect(later.throttledRecords).toBe(0);
    expect(model.openShards).toBe(8);
  });
});

describe('read limits', () => {
  it.each([
    { wants: [1, 1, 1], capacity: 2, shares: [2 / 3, 2 / 3, 2 / 3] },
    { wants: [0.5, 2, 2], capacity: 2, shares: [0.5, 0.75, 0.75] },
    { wants: [0.2, 0.3], capacity: 2, shares: [0.2, 0.3] },
    { wants: [0, 3], capacity: 2, shares: [0, 2] },
  ])('shares $capacity among $wants max-min fairly', ({ wants, capacity, shares }) => {
    const result = maxMinFair(wants, capacity);
    result.forEach((value, i) => expect(value).toBeCloseTo(shares[i]!, 9));
  });

  const reader = (id: string, overrides: Partial<ReadDemand> = {}): ReadDemand => ({
    id,
    efo: false,
    callsPerSecond: 1,
    recordsPerSecond: 1000,
    bytesPerRecord: 1024,
    ...overrides,
  });

  it('splits a shard 2 MiB/s among polling readers that want more, and counts the refused calls', () => {
    const model = stream({ shards: 1 });
    // Three readers each want 1,500 KiB/s of one shard: 4.4 MiB/s against 2 MiB/s.
    const allocations = model.allocateReads(['a', 'b', 'c'].map((id) => reader(id, { recordsPerSecond: 1500 })));
    for (const allocation of allocations) {
      expect(allocation.recordsPerSecond).toBeCloseTo(2048 / 3, 6);
      // Each reader's one call per second is refused for the share of its wish it did not get.
      expect(allocation.throttledCallsPerSecond).toBeCloseTo(1 - 2048 / 3 / 1500, 6);
    }
  });

  it('refuses GetRecords calls beyond 5 per second per shard, shared by the readers who make them', () => {
    const model = stream({ shards: 2 });
    const allocations = model.allocateReads([
      reader('flink', { callsPerSecond: 5, recordsPerSecond: 100 }),
      ...['a', 'b', 'c', 'd'].map((id) => reader(id, { recordsPerSecond: 100 })),
    ]);
    const refused = allocations.reduce((sum, a) => sum + a.throttledCallsPerSecond, 0);
    // 9 calls per second per shard against 5: 4 refused per shard, 8 over two shards.
    expect(refused).toBeCloseTo(8, 9);
    expect(allocations[0]!.throttledCallsPerSecond).toBeCloseTo((8 * 5) / 9, 9);
    // Few bytes: every reader still gets what it asked for.
    for (const allocation of allocations) expect(allocation.recordsPerSecond).toBeCloseTo(100, 9);
  });

  it('gives an enhanced fan-out reader its own 2 MiB/s per shard, outside the shared limits', () => {
    const model = stream({ shards: 1 });
    const allocations = model.allocateReads([
      reader('efo', { efo: true, recordsPerSecond: 2000 }),
      ...['a', 'b'].map((id) => reader(id, { recordsPerSecond: 1000 })),
    ]);
    expect(allocations[0]).toMatchObject({ recordsPerSecond: 2000, throttledCallsPerSecond: 0, callsPerSecond: 0 });
    expect(allocations[1]!.recordsPerSecond).toBeCloseTo(1000, 9);
    expect(allocations[2]!.recordsPerSecond).toBeCloseTo(1000, 9);
  });
});

describe('retention', () => {
  it('trims records older than retention and counts them lost for the reader that had not read them', () => {
    const model = stream({ retentionHours: 24 });
    const slow = model.log.cursor('slow');
    const fast = model.log.cursor('fast');
    model.write({ records: 600, bytes: 600 * 1024, hotKeyShare: 0 }, 60, T0);
    model.write({ records: 600, bytes: 600 * 1024, hotKeyShare: 0 }, 60, T0 + 60_000);
    model.log.read(fast, 1200);
    model.log.read(slow, 100);
    // One day after the first minute was written, that minute expires: 500 of it unread by `slow`.
    const lost = model.trim(T0 + 24 * HOUR + 60_000);
    expect(lost.get('slow')).toBeCloseTo(500, 9);
    expect(lost.has('fast')).toBe(false);
    expect(model.log.backlog(slow)).toBeCloseTo(600, 9);
  });

  it('reports how far behind a reader is as the age of its next record', () => {
    const model = stream();
    const cursor = model.log.cursor('reader');
    model.write({ records: 1000, bytes: 1000 * 1024, hotKeyShare: 0 }, 10, T0);
    model.log.read(cursor, 500);
    // The 501st of 1,000 records spread over ten seconds was written at T0 + 5 s.
    expect(model.log.ageMs(cursor, T0 + 65_000)).toBeCloseTo(60_000, 6);
    model.log.read(cursor, 500);
    expect(model.log.ageMs(cursor, T0 + 65_000)).toBe(0);
  });
});

describe('after a reshard', () => {
  it('keeps the backlog in the parent shards: a reader behind the reshard reads as many shards as there were', () => {
    const model = stream({ shards: 2 });
    model.write({ records: 60_000, bytes: 60_000 * 1024, hotKeyShare: 0 }, 60, T0);
    const behind = model.log.cursor('behind');
    model.log.seek(behind, 0);
    model.updateShardCount(4, T0 + 60_000);
    settle(model);
    model.write({ records: 1000, bytes: 1000 * 1024, hotKeyShare: 0 }, 1, T0 + 10 * 60_000);
    expect(model.openShards).toBe(4);
    // The 60,000 records written before the reshard are in the two parents; what follows is in the children.
    expect(model.readableShards(0)).toBe(2);
    expect(model.readableShards(59_999)).toBe(2);
    expect(model.readableShards(60_000)).toBe(4);
    // A polling reader wanting 8 MiB/s gets 2 MiB/s from each readable shard: 4 MiB/s from the parents.
    const wants = { id: 'r', efo: false, callsPerSecond: 5, recordsPerSecond: 8 * 1024, bytesPerRecord: 1024 };
    const [parents] = model.allocateReads([{ ...wants, shards: model.readableShards(0) }]);
    const [children] = model.allocateReads([{ ...wants, shards: model.readableShards(60_000) }]);
    expect(parents!.recordsPerSecond).toBeCloseTo((2 * 2 * MIB) / 1024, 6);
    expect(children!.recordsPerSecond).toBeCloseTo((4 * 2 * MIB) / 1024, 6);
  });

  it("serves a reader behind the reshard all it asks within the parents' limits, whatever the children number", () => {
    const model = stream({ shards: 2 });
    model.updateShardCount(3, T0);
    settle(model);
    // 4,000 records/s of 1 KiB is under the two parents' 4 MiB/s: each parent serves its half.
    const wants = { id: 'r', efo: false, callsPerSecond: 5, recordsPerSecond: 4000, bytesPerRecord: 1024, shards: 2 };
    const [parents] = model.allocateReads([wants]);
    expect(parents!.recordsPerSecond).toBeCloseTo(4000, 6);
    expect(parents!.throttledCallsPerSecond).toBe(0);
  });

  it('names the children with new shard ids', () => {
    const model = stream({ shards: 2 });
    expect(model.openShardIds()).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    model.updateShardCount(3, T0);
    settle(model);
    expect(model.openShardIds()).toEqual(['shardId-000000000002', 'shardId-000000000003', 'shardId-000000000004']);
  });
});
