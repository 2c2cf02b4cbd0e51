import { assess, resolveTarget } from '../../lambdas/domain/engine';
import type { Report } from '../../lambdas/domain/model';
import { buildSnapshot, type SnapshotSpec } from '../builders/snapshot-builder';

const MIB = 1024 * 1024;
const MINUTE = 60;
const HOUR_MS = 3_600_000;

function assessSpec(spec: SnapshotSpec): Report {
  const snapshot = buildSnapshot(spec);
  const { target, policy } = resolveTarget(snapshot, undefined, undefined);
  return assess(snapshot, { target, policy, dryRun: true });
}

/**
 * A job at parallelism 16 reading a 2-shard stream that carries 500 KiB/s, with its reads throttled
 * for the last 10 minutes at the shards' 2 MiB/s each, and the given lag per minute (0 = oldest).
 */
function catchUpSpec(lagMs: (minute: number) => number, cpu: number): SnapshotSpec {
  return {
    stream: { shards: 2, retentionHours: 60 },
    app: { parallelism: 16 },
    metrics: {
      incomingBytes: 500 * 1024 * MINUTE,
      incomingRecords: 500 * MINUTE,
      writeThrottled: 0,
      readThrottled: (i) => (i >= 50 ? 40 : 0),
      getRecordsBytes: 2 * 2 * MIB * MINUTE,
      iteratorAge: (i) => lagMs(i),
      millisBehindLatest: (i) => lagMs(i),
      containerCpu: cpu,
      recordsInPerSecond: 4000,
    },
  };
}

const actionTypes = (report: Report): string[] => report.plan.actions.map((a) => a.type);

describe('a backlog drained at the read limits of the shards that hold it', () => {
  // 20 h behind and falling 6 minutes a minute: the job reads about 7x what producers write.
  const draining = (i: number): number => 20 * HOUR_MS - i * 6 * 60_000;

  it.each([
    ['with CPU to spare', 66],
    ['at high CPU', 98],
  ])('%s: names the read limit and neither reshards nor adds parallelism', (_label, cpu) => {
    const report = assessSpec(catchUpSpec(draining, cpu));
    expect(report.diagnosis.cause).toBe('STREAM_READ_CAPACITY');
    expect(report.diagnosis.summary).toMatch(/records already written stay in those shards/);
    expect(report.diagnosis.summary).toMatch(/nothing to change while it drains/);
    expect(actionTypes(report)).not.toContain('UpdateShardCount');
    expect(actionTypes(report)).not.toContain('UpdateApplicationParallelism');
  });

  it('says how long the drain takes at the rate the lag falls now', () => {
    const report = assessSpec(catchUpSpec(draining, 66));
    // 14.1 h behind at the last minute, falling 0.1 h a minute: about 141 min to go.
    expect(report.diagnosis.summary).toMatch(/about 2\.\d h to go/);
  });

  it('treats throttling left over from a catch-up that has just finished as no cause', () => {
    const caughtUp = (i: number): number => (i < 55 ? Math.max(1_000, (54 - i) * 5 * 60_000) : 1_000);
    const report = assessSpec(catchUpSpec(caughtUp, 40));
    expect(report.diagnosis.cause).toBe('HEALTHY');
    expect(report.plan.actions).toHaveLength(0);
  });

  it('still adds shards when throttled readers fall further behind', () => {
    const growing = (i: number): number => 60_000 + i * 30_000;
    const report = assessSpec(catchUpSpec(growing, 40));
    expect(report.diagnosis.cause).toBe('STREAM_READ_CAPACITY');
    expect(actionTypes(report)).toContain('UpdateShardCount');
  });
});

describe('the catch-up is sized no faster than the shards holding the backlog can be read', () => {
  // 20 h behind on 2 shards of 1 KiB records: 2 x 2 MiB/s feed at most 4,096 records/s; at parallelism
  // 2 and 98% CPU the job does 520 records/s, so about 16 subtasks read what the shards can give.
  const spec = (): SnapshotSpec => ({
    stream: { shards: 2, retentionHours: 60 },
    app: { parallelism: 2 },
    config: {
      name: 'orders',
      mode: 'auto',
      stream: { name: 'orders-stream' },
      application: { name: 'orders-enricher', maxParallelism: 256, maxKpu: 256 },
    },
    metrics: {
      incomingBytes: 500 * 1024 * MINUTE,
      incomingRecords: 500 * MINUTE,
      writeThrottled: 0,
      readThrottled: 0,
      getRecordsBytes: 520 * 1024 * MINUTE,
      iteratorAge: (i) => 20 * HOUR_MS + i * 1_000,
      millisBehindLatest: (i) => 20 * HOUR_MS + i * 1_000,
      containerCpu: 98,
      recordsInPerSecond: 520,
    },
  });

  it('plans the parallelism that reads at the limit, not the one that would drain in the catch-up time', () => {
    const report = assessSpec(spec());
    expect(report.diagnosis.cause).toBe('CONSUMER_COMPUTE');
    const scaleUp = report.plan.actions.find((a) => a.type === 'UpdateApplicationParallelism');
    expect(scaleUp).toMatchObject({ from: 2 });
    expect(scaleUp && 'to' in scaleUp ? scaleUp.to : 0).toBeGreaterThanOrEqual(15);
    expect(scaleUp && 'to' in scaleUp ? scaleUp.to : 0).toBeLessThanOrEqual(17);
    expect(report.plan.recommendations.join(' ')).toMatch(/feed at most 4096 records\/s/);
  });
});

describe('a catch-up while producers are refused and the stream is resharded', () => {
  // A spike on 8 shards of 1 KiB records: they admit 8,000 records/s and refuse the rest; the job at
  // parallelism 4 and 98% CPU does 4,000 records/s and has fallen 5 minutes behind.
  const spike = (i: number): boolean => i >= 55;
  const spec = (): SnapshotSpec => ({
    stream: { shards: 8, retentionHours: 24 },
    app: { parallelism: 4 },
    config: {
      name: 'orders',
      mode: 'auto',
      stream: { name: 'orders-stream', maxShards: 64 },
      application: { name: 'orders-enricher', maxParallelism: 64, maxKpu: 64 },
    },
    metrics: {
      incomingBytes: (i) => (spike(i) ? 8000 : 2000) * 1024 * MINUTE,
      incomingRecords: (i) => (spike(i) ? 8000 : 2000) * MINUTE,
      writeThrottled: (i) => (spike(i) ? 12_000 * MINUTE : 0),
      putRecordsThrottled: (i) => (spike(i) ? 12_000 * MINUTE : 0),
      readThrottled: 0,
      getRecordsBytes: 4000 * 1024 * MINUTE,
      iteratorAge: (i) => (spike(i) ? (i - 54) * 60_000 : 0),
      millisBehindLatest: (i) => (spike(i) ? (i - 54) * 60_000 : 0),
      containerCpu: (i) => (spike(i) ? 98 : 50),
      recordsInPerSecond: (i) => (spike(i) ? 4000 : 2000),
    },
  });

  it('sizes the catch-up to what the open shards and the first reshard call feed, not to the whole resized stream', () => {
    const report = assessSpec(spec());
    expect(report.diagnosis.cause).toBe('STREAM_WRITE_CAPACITY');
    const reshard = report.plan.actions.find((a) => a.type === 'UpdateShardCount');
    expect(reshard && 'steps' in reshard ? reshard.steps[0] : 0).toBe(16);
    // The backlog the job finds when it resumes sits in the 8 open shards and the 16 the first call
    // opens: 16 x 2 MiB/s = 32,768 records/s of 1 KiB, which 33 subtasks process at this true rate
    // (the 39 that would drain it within the catch-up time would wait on those shards).
    const scaleUp = report.plan.actions.find((a) => a.type === 'UpdateApplicationParallelism');
    expect(scaleUp).toMatchObject({ from: 4, to: 33 });
    expect(report.plan.recommendations.join(' ')).toMatch(
      /would need parallelism 39, but the 16 shards that hold it feed at most 32768 records\/s/,
    );
  });
});
