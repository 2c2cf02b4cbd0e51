import { PolicySchema, TargetSchema } from '../../lambdas/domain/config';
import { assess } from '../../lambdas/domain/engine';
import { MetricWindow } from '../../lambdas/domain/metric-window';
import { extractSignals } from '../../lambdas/domain/signals';
import { buildSnapshot, CAPTURED_AT, type SnapshotSpec } from '../builders/snapshot-builder';

const MINUTE = 60;
const RECORD_BYTES = 100;
const SHARDS = 8;
const ACCEPTED_LIMIT = SHARDS * 1000;

/**
 * Eight shards of 100-byte records (records bind), producers wanting `demand(i)` records/s in minute
 * i of the hour (0 = oldest). What the stream refuses is resent once: half of the refused attempts are
 * resends, so the estimator (accepted + refused x 0.5) reads the demand back exactly.
 */
function stream(demand: (minute: number) => number): SnapshotSpec {
  const accepted = (i: number) => Math.min(demand(i), ACCEPTED_LIMIT);
  const refusedAttempts = (i: number) => 2 * Math.max(0, demand(i) - ACCEPTED_LIMIT);
  return {
    stream: { shards: SHARDS },
    app: false,
    metrics: {
      incomingRecords: (i) => accepted(i) * MINUTE,
      incomingBytes: (i) => accepted(i) * RECORD_BYTES * MINUTE,
      writeThrottled: (i) => refusedAttempts(i) * MINUTE,
      iteratorAge: 500,
    },
  };
}

const target = TargetSchema.parse({
  name: 'orders',
  mode: 'auto',
  stream: { name: 'orders-stream', maxShards: 200 },
});

function run(spec: SnapshotSpec) {
  return assess(buildSnapshot(spec), { target, policy: PolicySchema.parse({}), dryRun: false });
}

/** The stream's demand trend as the assessment reads it from the snapshot's metrics. */
function demandTrend(spec: SnapshotSpec) {
  const window = MetricWindow.fromGetMetricData(buildSnapshot(spec).getMetricData!, Date.parse(CAPTURED_AT));
  return extractSignals({ window, policy: PolicySchema.parse({}), streamName: 'orders-stream' }).stream?.demandTrend;
}

const reshard = (report: ReturnType<typeof run>) => report.plan.actions.find((a) => a.type === 'UpdateShardCount');

describe('a stream whose producers ask steadily more', () => {
  // 4,000 records/s an hour ago, 80 more each minute: 8,720 in the last minute, 4,800 more an hour.
  const ramp = (i: number) => 4000 + 80 * i;

  it('reads the trend from the demand, not from the accepted writes a full stream caps', () => {
    // The accepted writes are flat at 8,000 for the last nine minutes; the demand keeps its line.
    const trend = demandTrend(stream(ramp));
    expect(trend?.risePerHour).toBeCloseTo(4800, 0);
    expect(trend?.r2).toBeCloseTo(1, 6);
  });

  it('is sized for the demand expected by the earliest scale-in, not resharded again as the ramp goes on', () => {
    const report = run(stream(ramp));
    // Two hours ahead (the quiet window) is 8,720 + 9,600, capped at twice the demand now: 17,440
    // records/s at 800 a shard = 22 shards, where the demand now needs 11 (8,720 / 800). The last
    // call rounds 22 up to 24, a multiple of a quarter of 16, within the 10% the rounding may add.
    expect(reshard(report)).toMatchObject({ from: 8, to: 24, steps: [16, 24] });
    expect(report.plan.recommendations).toContainEqual(
      expect.stringMatching(
        /^Stream orders-stream: producers' demand rises 4800 records\/s per hour \(now 8720\); sized for the 17440 expected in 120 min, the earliest it could be scaled in again: 22 shards rather than 11\./,
      ),
    );
  });

  it('sizes a step in the demand for the demand now: a jump is not a trend', () => {
    // Flat at 4,000, then 8,720 for the last ten minutes: the line through it explains too little.
    const step = stream((i) => (i >= 50 ? 8720 : 4000));
    expect(demandTrend(step)?.r2).toBeLessThan(0.8);
    const report = run(step);
    // 8,720 / 800 = 10.9: 11, rounded up to 12 (a multiple of a quarter of 8).
    expect(reshard(report)).toMatchObject({ from: 8, to: 12 });
    expect(report.plan.recommendations.some((r) => r.includes('demand rises'))).toBe(false);
  });
});
