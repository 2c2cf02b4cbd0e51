import { PolicySchema, TargetSchema, type TargetConfig } from '../../lambdas/domain/config';
import { assess, backlogDrain } from '../../lambdas/domain/engine';
import type { LedgerEntry } from '../../lambdas/domain/model';
import { buildSnapshot, CAPTURED_AT, type SnapshotSpec } from '../builders/snapshot-builder';

const MINUTE_MS = 60_000;
const end = Date.parse(CAPTURED_AT);

function target(application: Record<string, unknown> = {}, stream?: Record<string, unknown>): TargetConfig {
  return TargetSchema.parse({
    name: 'orders',
    mode: 'auto',
    ...(stream ? { stream: { name: 'orders-stream', maxShards: 200, ...stream } } : {}),
    application: { name: 'orders-enricher', maxParallelism: 64, builtInAutoscaling: 'turn-off', ...application },
  });
}

function run(spec: SnapshotSpec, config: TargetConfig = target()) {
  return assess(buildSnapshot(spec), { target: config, policy: PolicySchema.parse({}), dryRun: false });
}

/** A CPU-bound job at parallelism 4, 60 minutes of metrics, the lag given per minute (0 = oldest). */
function job(lag: (minute: number) => number, recordsIn: (minute: number) => number, ledger: LedgerEntry[] = []) {
  return {
    app: { parallelism: 4 },
    stream: false as const,
    metrics: { millisBehindLatest: lag, containerCpu: 95, busyTime: 950, recordsInPerSecond: recordsIn },
    ledger,
  };
}

const parallelismChanges = (report: ReturnType<typeof run>) =>
  report.plan.actions.filter((a) => a.type === 'UpdateApplicationParallelism');

describe('a job in catch-up is judged by its drain rate', () => {
  it('leaves a job alone that drains its backlog within the catch-up time, however busy it is', () => {
    // 4 min behind, falling 1.5 s per second over the last minutes: caught up in under 3 minutes.
    const report = run(
      job(
        (i) => 240_000 + (59 - i) * 90_000,
        () => 4000,
      ),
    );

    expect(parallelismChanges(report)).toEqual([]);
    expect(report.plan.refused).toEqual([]);
    expect(report.plan.recommendations).toContainEqual(expect.stringContaining('draining its backlog on plan'));
  });

  it('leaves a job alone that drains slower than the catch-up time when a restart would add more lag than it wins back', () => {
    // 6 min behind and falling 1 s per second (4,000 records/s processed where 2,000 arrive): 6 min to
    // catch up. Two minutes down add 2 min of lag, and even twice the size drains that no sooner.
    const report = run(
      job(
        (i) => 360_000 + (59 - i) * 60_000,
        () => 4000,
      ),
    );

    expect(parallelismChanges(report)).toEqual([]);
    expect(report.plan.refused).toEqual([]);
    expect(report.plan.recommendations).toContainEqual(
      expect.stringContaining('would add more lag than the bigger size wins back, so it is not restarted'),
    );
    expect(
      backlogDrain(
        buildSnapshot(
          job(
            (i) => 360_000 + (59 - i) * 60_000,
            () => 4000,
          ),
        ),
        {
          target: target(),
          policy: PolicySchema.parse({}),
        },
      ),
    ).toEqual({ seconds: 360, onPlan: false });
  });

  it('scales a job that drains too slowly for the catch-up time', () => {
    // 30 min behind and falling 2 s a minute: an hour and more to catch up.
    const report = run(
      job(
        (i) => 1_800_000 + (59 - i) * 2000,
        () => 1000,
      ),
    );

    expect(parallelismChanges(report)).toEqual([expect.objectContaining({ from: 4 })]);
    expect(parallelismChanges(report)[0]!.to).toBeGreaterThan(4);
  });
});

describe('no floor at the current size plus one', () => {
  it('does not restart a job whose busiest task has room, though its CPU is over the threshold', () => {
    // CPU 90% but the busiest task busy 450 ms/s: 8 subtasks can do 4,000 / 0.45 = 8,900 records/s,
    // enough for the 4,000/s input at 70% plus the backlog and a restart's worth drained in 300 s.
    const report = run({
      app: { parallelism: 8 },
      stream: false,
      metrics: { millisBehindLatest: 65_000, containerCpu: 90, busyTime: 450, recordsInPerSecond: 4000 },
    });

    expect(report.diagnosis.cause).toBe('CONSUMER_COMPUTE');
    expect(parallelismChanges(report)).toEqual([]);
    expect(report.plan.recommendations).toContainEqual(expect.stringContaining('it is not restarted'));
  });
});

describe('a scale-up that did not raise throughput', () => {
  const scaledAt = new Date(end - 30 * MINUTE_MS).toISOString();
  const ledger: LedgerEntry[] = [
    {
      at: scaledAt,
      target: 'orders',
      resource: 'application/orders-enricher',
      actionType: 'UpdateApplicationParallelism',
      direction: 'up',
      from: 2,
      to: 4,
      calls: 1,
    },
  ];

  it('is marked ineffective, not repeated, and left to a person', () => {
    // Still 1,000 records/s after going from 2 to 4 subtasks, and the lag still grows.
    const report = run(
      job(
        (i) => 60_000 + i * 5000,
        () => 1000,
        ledger,
      ),
    );

    expect(parallelismChanges(report)).toEqual([]);
    expect(report.plan.refused).toEqual([
      expect.objectContaining({
        guardrail: 'ineffective-scaling',
        reason: expect.stringMatching(
          /parallelism 2 -> 4 .* from 1000 to 1000 records\/s where about 2000 was expected/,
        ),
      }),
    ]);
  });

  it('is not judged on a job that kept up before the change: it processed what arrived, whatever its size', () => {
    const report = run(
      job(
        (i) => (i < 30 ? 1000 : 60_000 + (i - 30) * 5000),
        () => 1000,
        ledger,
      ),
    );

    expect(report.plan.refused.filter((r) => r.guardrail === 'ineffective-scaling')).toEqual([]);
  });

  it('is not flagged when the scale-up raised the processed rate', () => {
    const minuteOfChange = 30;
    const report = run(
      job(
        (i) => 60_000 + i * 5000,
        (i) => (i < minuteOfChange ? 500 : 1000),
        ledger,
      ),
    );

    expect(report.plan.refused.filter((r) => r.guardrail === 'ineffective-scaling')).toEqual([]);
    expect(parallelismChanges(report)).toHaveLength(1);
  });

  it('is judged by the minutes after the change, not by a later slowdown that has another cause', () => {
    // The 2 -> 4 at minute 30 doubled the rate (1,000 -> 2,000) and the job caught up; 20 minutes
    // later a deployment halved each subtask's rate and it fell behind again at 1,000 records/s.
    const report = run(
      job(
        (i) => (i < 30 ? 60_000 + i * 5000 : i < 50 ? 1000 : 1000 + (i - 49) * 30_000),
        (i) => (i < 30 ? 1000 : i < 50 ? 2000 : 1000),
        ledger,
      ),
    );

    expect(report.plan.refused.filter((r) => r.guardrail === 'ineffective-scaling')).toEqual([]);
    expect(parallelismChanges(report)).toEqual([expect.objectContaining({ from: 4 })]);
  });
});

describe('a scale-up capped by a bound', () => {
  it('goes to the bound and records the rest as a bounds refusal that says what was needed', () => {
    const report = run(
      job(
        (i) => 60_000 + i * 5000,
        () => 1000,
      ),
      target({ maxParallelism: 6 }),
    );

    expect(parallelismChanges(report)).toEqual([expect.objectContaining({ from: 4, to: 6 })]);
    const refusal = report.plan.refused.find((r) => r.guardrail === 'bounds');
    expect(refusal?.action).toEqual(expect.objectContaining({ type: 'UpdateApplicationParallelism', from: 6 }));
    expect(refusal?.reason).toMatch(/^needs parallelism \d+ but maxParallelism is 6; raised to 6 only/);
  });
});

describe('write demand behind throttling', () => {
  it('counts only the refused records producers do not resend: 20,000 records/s on 8 full shards plans 25 shards', () => {
    // 8 shards accept 8,000 records/s; producers offer 20,000 and resend half of what is refused, so
    // 24,000 refusals a second are counted, 12,000 of them resends.
    const report = run(
      {
        stream: { shards: 8 },
        app: false,
        metrics: {
          incomingRecords: 8000 * 60,
          incomingBytes: 8000 * 1000 * 60,
          writeThrottled: 24_000 * 60,
          iteratorAge: 500,
        },
      },
      TargetSchema.parse({ name: 'orders', mode: 'auto', stream: { name: 'orders-stream', maxShards: 200 } }),
    );

    // 20,000 records/s at 800 a shard (80% of the write limit); counting every refusal would plan 40.
    expect(report.plan.actions).toEqual([expect.objectContaining({ type: 'UpdateShardCount', from: 8, to: 25 })]);
  });
});

describe('the backlog drain verification reads', () => {
  const config = target();
  const policy = PolicySchema.parse({});

  it('is the time to catch up at the rate the lag falls now, when that is within the catch-up time', () => {
    // 4 min behind, falling 1.5 s per second: 160 s to go.
    const drain = backlogDrain(
      buildSnapshot(
        job(
          (i) => 240_000 + (59 - i) * 90_000,
          () => 4000,
        ),
      ),
      {
        target: config,
        policy,
      },
    );
    expect(drain?.seconds).toBeCloseTo(160, 0);
    expect(drain?.onPlan).toBe(true);
  });

  it('is absent for a backlog that grows, and not on plan for one that falls too slowly', () => {
    expect(
      backlogDrain(
        buildSnapshot(
          job(
            (i) => 60_000 + i * 5000,
            () => 1000,
          ),
        ),
        { target: config, policy },
      ),
    ).toBeUndefined();
    expect(
      backlogDrain(
        buildSnapshot(
          job(
            (i) => 1_800_000 + (59 - i) * 2000,
            () => 1000,
          ),
        ),
        { target: config, policy },
      ),
    ).toEqual({ seconds: 54_000, onPlan: false });
  });
});

describe('a job on a steadily rising input', () => {
  // Behind and falling further, its input up 20 records/s every minute (1,200 an hour) to 3,180/s now.
  const rising = job(
    (i) => 90_000 + i * 1000,
    (i) => 2000 + i * 20,
  );
  const planned = (policy: Record<string, unknown>) =>
    assess(buildSnapshot(rising), { target: target(), policy: PolicySchema.parse(policy), dryRun: false });

  it('is sized for the input expected by the earliest scale-in: after the whole quiet window', () => {
    const report = planned({});

    expect(report.plan.recommendations).toContainEqual(expect.stringMatching(/sized for the \d+ expected in 120 min/));
  });

  it('looks only as far ahead as the cooldown when that is the longer wait, and buys less for the nearer input', () => {
    const quietWindowFirst = parallelismChanges(planned({}))[0]!;
    const cooldownFirst = planned({ scaleInWindowMinutes: 30 });

    expect(cooldownFirst.plan.recommendations).toContainEqual(
      expect.stringMatching(/sized for the \d+ expected in 60 min/),
    );
    expect(parallelismChanges(cooldownFirst)[0]!.to).toBeLessThan(quietWindowFirst.to);
  });
});
