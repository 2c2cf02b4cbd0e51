import { outstandingBoost } from '../../lambdas/domain/boost';
import { PolicySchema, TargetSchema, type TargetConfig } from '../../lambdas/domain/config';
import { assess } from '../../lambdas/domain/engine';
import type { LedgerEntry, UpdateApplicationParallelismAction } from '../../lambdas/domain/model';
import { workStepsOf, ledgerEntryFor } from '../../lambdas/domain/work-steps';
import { buildSnapshot, CAPTURED_AT, type SnapshotSpec } from '../builders/snapshot-builder';

const MINUTE_MS = 60_000;
const MIB = 1024 * 1024;
const end = Date.parse(CAPTURED_AT);
const minutesBefore = (minutes: number) => new Date(end - minutes * MINUTE_MS).toISOString();

function target(application: Record<string, unknown> = {}, stream?: Record<string, unknown>): TargetConfig {
  return TargetSchema.parse({
    name: 'orders',
    mode: 'auto',
    ...(stream ? { stream: { name: 'orders-stream', maxShards: 64, ...stream } } : {}),
    application: { name: 'orders-enricher', maxParallelism: 64, builtInAutoscaling: 'turn-off', ...application },
  });
}

function run(spec: SnapshotSpec, config: TargetConfig = target()) {
  return assess(buildSnapshot(spec), {
    target: config,
    policy: PolicySchema.parse({ boostScaleBack: true }),
    dryRun: false,
  });
}

const parallelismChanges = (report: ReturnType<typeof run>) =>
  report.plan.actions.filter((a): a is UpdateApplicationParallelismAction => a.type === 'UpdateApplicationParallelism');

/** StreamMedic's boosted scale-up 20 minutes ago: 4 -> 12, of which 6 is the steady size. */
const boostedScaleUp: LedgerEntry = {
  at: minutesBefore(20),
  target: 'orders',
  resource: 'application/orders-enricher',
  actionType: 'UpdateApplicationParallelism',
  direction: 'up',
  from: 4,
  to: 12,
  calls: 1,
  executionId: 'run-1',
  boost: { steady: 6, drainedBy: minutesBefore(12) },
};

/** The job at parallelism 12 after the boost, lag and load given. */
function boosted(metrics: SnapshotSpec['metrics'], parallelism = 12, ledger: LedgerEntry[] = [boostedScaleUp]) {
  return { app: { parallelism }, stream: false as const, metrics, ledger };
}

describe('a scale-up sized with a catch-up share', () => {
  it('records the steady size as a boost, and when the backlog should have drained', () => {
    // 4,000 records/s arriving, 1,000 processed at 100% busy, 10 minutes behind and growing.
    const report = run({
      app: { parallelism: 4 },
      stream: false,
      metrics: {
        millisBehindLatest: (i) => 600_000 + i * 45_000,
        containerCpu: 99,
        busyTime: 1000,
        recordsInPerSecond: 1000,
      },
    });
    const [change] = parallelismChanges(report);
    expect(change).toBeDefined();
    expect(change!.boost).toBeDefined();
    const { steady, drainedBy } = change!.boost!;
    // Steady: the input at the 70% target over the per-subtask rate (the lag's growth gives the input).
    expect(steady).toBeLessThan(change!.to);
    expect(steady).toBeGreaterThan(4);
    const policy = PolicySchema.parse({ boostScaleBack: true });
    expect(Date.parse(drainedBy)).toBe(end + (policy.expectedRestartSeconds + policy.catchUpSeconds) * 1000);
    expect(report.plan.recommendations).toContainEqual(expect.stringContaining('come back off once it has drained'));
  });

  it('keeps the boost in the work step and the ledger entry the apply step writes', () => {
    const action: UpdateApplicationParallelismAction = {
      type: 'UpdateApplicationParallelism',
      applicationName: 'orders-enricher',
      from: 4,
      to: 12,
      parallelismPerKpu: 1,
      boost: { steady: 6, drainedBy: minutesBefore(0) },
    };
    const [step] = workStepsOf([action]);
    const entry = ledgerEntryFor(step!, { target: 'orders', executionId: 'run-1' }, new Date(end));
    expect(entry.boost).toEqual(action.boost);
    expect(outstandingBoost([entry], 'orders-enricher', end)).toEqual({ ...action.boost, to: 12, at: entry.at });
  });
});

describe('the planned scale-back', () => {
  it('takes the boost off once the backlog has drained, without waiting for the scale-in cooldown', () => {
    // Caught up (lag 1 s), 40% busy at 12: the input needs ceil(12 x 0.4 / 0.7) = 7.
    const report = run(
      boosted({ millisBehindLatest: 1000, containerCpu: 40, busyTime: 400, recordsInPerSecond: 4000 }),
    );
    expect(report.diagnosis.cause).toBe('HEALTHY');
    expect(parallelismChanges(report)).toEqual([expect.objectContaining({ from: 12, to: 7 })]);
    expect(report.plan.refused).toEqual([]);
    expect(report.plan.recommendations).toContainEqual(expect.stringContaining('the catch-up boost comes off'));
  });

  it('never goes below the steady size the scale-up recorded', () => {
    const report = run(
      boosted({ millisBehindLatest: 1000, containerCpu: 10, busyTime: 100, recordsInPerSecond: 1000 }),
    );
    expect(parallelismChanges(report)).toEqual([expect.objectContaining({ from: 12, to: 6 })]);
  });

  it('waits while the backlog still drains', () => {
    // 3 min behind, falling 1 s per second: the boost is doing its work.
    const report = run(
      boosted({
        millisBehindLatest: (i) => 180_000 + (59 - i) * 60_000,
        containerCpu: 90,
        busyTime: 900,
        recordsInPerSecond: 6000,
      }),
    );
    expect(parallelismChanges(report).filter((a) => a.to < a.from)).toEqual([]);
  });

  it('keeps the boost when the input has grown into it', () => {
    const report = run(
      boosted({ millisBehindLatest: 1000, containerCpu: 68, busyTime: 680, recordsInPerSecond: 8000 }),
    );
    expect(parallelismChanges(report)).toEqual([]);
    expect(report.plan.recommendations).toContainEqual(
      expect.stringContaining('the catch-up boost (12 where 6 was steady) stays'),
    );
  });

  it('leaves a boost too small to be worth a restart: the job runs near its target at the boosted size', () => {
    const small: LedgerEntry = { ...boostedScaleUp, to: 9, boost: { steady: 7, drainedBy: minutesBefore(12) } };
    // 50% busy at 9: the input needs 7, and 9 runs at 54%, within 20 points of the 70% target.
    const report = run(
      boosted({ millisBehindLatest: 1000, containerCpu: 50, busyTime: 500, recordsInPerSecond: 4000 }, 9, [small]),
    );
    expect(parallelismChanges(report)).toEqual([]);
    expect(report.plan.recommendations).toContainEqual(expect.stringContaining('too close to be worth a restart'));
  });

  it('leaves a size someone else set since the boost alone', () => {
    const report = run(
      boosted({ millisBehindLatest: 1000, containerCpu: 30, busyTime: 300, recordsInPerSecond: 3000 }, 10),
    );
    expect(parallelismChanges(report)).toEqual([]);
  });

  it('is over once a later change of the parallelism is in the ledger', () => {
    const scaledBack: LedgerEntry = {
      ...boostedScaleUp,
      at: minutesBefore(5),
      direction: 'down',
      from: 12,
      to: 7,
      executionId: 'run-2',
    };
    const { boost: _boost, ...plain } = scaledBack;
    expect(outstandingBoost([boostedScaleUp, plain], 'orders-enricher', end)).toBeUndefined();
    expect(outstandingBoost([boostedScaleUp], 'orders-enricher', end)).toMatchObject({ steady: 6, to: 12 });
  });
});

describe('an idle resource is scaled in by itself', () => {
  const quiet = { minutes: 180, stream: { shards: 16 }, app: { parallelism: 8 } };

  it('scales in an idle stream while the job, busy but not short, keeps its size', () => {
    const report = run(
      {
        ...quiet,
        metrics: {
          incomingBytes: 16 * MIB * 60 * 0.05,
          incomingRecords: 16 * 50 * 60,
          writeThrottled: 0,
          millisBehindLatest: 300,
          containerCpu: 60,
          recordsInPerSecond: 800,
        },
      },
      target({}, {}),
    );
    expect(report.diagnosis.cause).toBe('OVER_PROVISIONED');
    expect(report.plan.actions.map((a) => a.type)).toEqual(['UpdateShardCount']);
  });

  it('scales in an idle job while the stream, half full, keeps its shards', () => {
    const report = run(
      {
        ...quiet,
        metrics: {
          incomingBytes: 16 * MIB * 60 * 0.5,
          incomingRecords: 16 * 500 * 60,
          writeThrottled: 0,
          millisBehindLatest: 300,
          containerCpu: 10,
          recordsInPerSecond: 8000,
        },
      },
      target({}, {}),
    );
    expect(report.diagnosis.cause).toBe('OVER_PROVISIONED');
    expect(parallelismChanges(report)).toEqual([expect.objectContaining({ from: 8 })]);
    expect(report.plan.actions.filter((a) => a.type === 'UpdateShardCount')).toEqual([]);
  });
});
