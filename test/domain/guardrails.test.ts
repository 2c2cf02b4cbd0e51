import { PolicySchema, TargetSchema, type TargetConfig } from '../../lambdas/domain/config';
import { assess } from '../../lambdas/domain/engine';
import type { LedgerEntry, Report } from '../../lambdas/domain/model';
import {
  CAPTURED_AT,
  buildSnapshot,
  type AppSpec,
  type SnapshotSpec,
  type StreamSpec,
} from '../builders/snapshot-builder';

const MIB = 1024 * 1024;
const MINUTE = 60;
const policy = PolicySchema.parse({});

function target(
  overrides: Record<string, unknown> = {},
  app: Record<string, unknown> = {},
  stream: Record<string, unknown> = {},
): TargetConfig {
  return TargetSchema.parse({
    name: 'orders',
    mode: 'auto',
    stream: { name: 'orders-stream', minShards: 1, maxShards: 200, ...stream },
    application: { name: 'orders-enricher', maxParallelism: 64, builtInAutoscaling: 'turn-off', ...app },
    ...overrides,
  });
}

/** Producers throttled on a full 4-shard stream while the app is CPU-bound and behind. */
function incident(streamSpec: StreamSpec = {}, appSpec: AppSpec = {}, ledger: LedgerEntry[] = []): SnapshotSpec {
  return {
    stream: { shards: 4, ...streamSpec },
    app: { parallelism: 4, ...appSpec },
    ledger,
    metrics: {
      incomingBytes: 4 * MIB * MINUTE * 0.97,
      incomingRecords: 4 * 400 * MINUTE,
      writeThrottled: 20_000,
      millisBehindLatest: (i) => 60_000 + i * 5000,
      containerCpu: 92,
      busyTime: 940,
      recordsInPerSecond: 1300,
    },
  };
}

function run(spec: SnapshotSpec, t: TargetConfig = target(), dryRun = false): Report {
  return assess(buildSnapshot(spec), { target: t, policy, dryRun });
}

function minutesBefore(minutes: number): string {
  return new Date(Date.parse(CAPTURED_AT) - minutes * 60_000).toISOString();
}

function entry(resource: string, minutes: number, direction: LedgerEntry['direction'] = 'up', calls = 1): LedgerEntry {
  return {
    at: minutesBefore(minutes),
    target: 'orders',
    resource,
    actionType: resource.startsWith('stream/') ? 'UpdateShardCount' : 'UpdateApplicationParallelism',
    direction,
    calls,
  };
}

function guardrails(report: Report): string[] {
  return report.plan.refused.map((r) => r.guardrail);
}

describe('the plan for a full stream feeding a CPU-bound app', () => {
  it('scales the app first (its restart overlaps the reshard), then the stream, in one bounded plan', () => {
    const report = run(incident());
    // Refused writes are the first harm on the path, so the full stream leads the report.
    expect(report.diagnosis.cause).toBe('STREAM_WRITE_CAPACITY');
    expect(report.diagnosis.secondary).toContain('CONSUMER_COMPUTE');
    expect(report.plan.actions.map((a) => a.type)).toEqual(['UpdateApplicationParallelism', 'UpdateShardCount']);
    expect(report.plan.apply).toBe(true);
  });
});

describe('mode and dry run decide apply, never the plan', () => {
  it.each([
    ['auto', false, true],
    ['auto', true, false],
    ['recommend', false, false],
    ['observe', false, false],
  ] as const)('mode %s, dry run %s -> apply %s', (mode, dryRun, apply) => {
    const report = run(incident(), target({ mode }), dryRun);
    expect(report.plan.apply).toBe(apply);
    expect(report.plan.mode).toBe(mode);
    expect(report.plan.actions).toEqual(run(incident()).plan.actions);
  });
});

describe('resource state', () => {
  it('refuses to reshard an on-demand stream', () => {
    const report = run(incident({ mode: 'ON_DEMAND' }));
    expect(report.plan.actions.map((a) => a.type)).toEqual(['UpdateApplicationParallelism']);
    expect(report.plan.refused).toEqual([expect.objectContaining({ guardrail: 'on-demand' })]);
    // The finding tells on-call that AWS adapts the stream, not to add shards no call can add.
    expect(report.diagnosis.summary).toContain('it is on-demand, so AWS adds capacity as it adapts to the new peak');
    expect(report.diagnosis.summary).not.toContain('add shards');
    expect(run(incident()).diagnosis.summary).toMatch(/; add shards\.$/);
  });

  it('refuses to reshard a stream that is UPDATING', () => {
    const report = run(incident({ status: 'UPDATING' }));
    expect(report.plan.refused).toEqual([
      expect.objectContaining({ guardrail: 'resource-state', reason: expect.stringContaining('UPDATING') }),
    ]);
  });

  it.each(['UPDATING', 'AUTOSCALING'])('waits for an app that is %s', (status) => {
    const report = run(incident({}, { status }));
    expect(report.plan.actions.map((a) => a.type)).toEqual(['UpdateShardCount']);
    expect(report.plan.refused).toEqual([
      expect.objectContaining({ guardrail: 'resource-state', reason: expect.stringContaining('wait') }),
    ]);
  });

  it('refuses to restart an app whose snapshots are off', () => {
    const report = run(incident({}, { snapshotsEnabled: false }));
    expect(guardrails(report)).toEqual(['snapshots-disabled']);
  });

  it('restarts an app without snapshots when the target allows it', () => {
    const report = run(incident({}, { snapshotsEnabled: false }), target({}, { allowWithoutSnapshots: true }));
    expect(report.plan.actions.map((a) => a.type)).toContain('UpdateApplicationParallelism');
  });
});

describe("Managed Flink's own autoscaling", () => {
  it('defers to it when configured to', () => {
    const report = run(incident({}, { autoScalingEnabled: true }), target({}, { builtInAutoscaling: 'defer' }));
    expect(guardrails(report)).toEqual(['builtin-autoscaling']);
  });

  it('turns it off in the same update when configured to', () => {
    const report = run(incident({}, { autoScalingEnabled: true }), target({}, { builtInAutoscaling: 'turn-off' }));
    expect(report.plan.actions[0]).toMatchObject({ type: 'UpdateApplicationParallelism', autoScalingEnabled: false });
  });
});

describe('cooldowns', () => {
  it.each([
    [9, ['cooldown']],
    [10, []],
  ])('a stream scale-up %i minutes ago -> refused by %j', (minutes, refused) => {
    const report = run(incident({}, {}, [entry('stream/orders-stream', minutes)]));
    expect(guardrails(report)).toEqual(refused);
  });

  it('any recent app update blocks another restart', () => {
    const ledger: LedgerEntry[] = [
      { ...entry('application/orders-enricher', 4, 'none'), actionType: 'UpdateApplicationMonitoring' },
    ];
    expect(guardrails(run(incident({}, {}, ledger)))).toEqual(['cooldown']);
  });

  it('scale-in waits an hour after any change', () => {
    const idle: SnapshotSpec = {
      minutes: 180,
      stream: { shards: 16 },
      ledger: [entry('stream/orders-stream', 59, 'up')],
      metrics: { incomingBytes: 16 * MIB * MINUTE * 0.05, incomingRecords: 1000, writeThrottled: 0, iteratorAge: 100 },
    };
    const report = run(idle, target({ application: undefined }));
    expect(report.diagnosis.cause).toBe('OVER_PROVISIONED');
    expect(guardrails(report)).toEqual(['cooldown']);
  });
});

describe('changes recorded as intent and result', () => {
  const intent = (minutes: number): LedgerEntry => ({
    ...entry('stream/orders-stream', minutes),
    executionId: 'run-1',
    phase: 'intent',
  });
  const result = (minutes: number, outcome: 'made' | 'not-made'): LedgerEntry => ({
    ...entry('stream/orders-stream', minutes),
    executionId: 'run-1',
    phase: 'result',
    result: outcome,
    intentAt: minutesBefore(minutes),
    calls: 0,
  });

  it('holds the cooldown for a change whose run died before recording its result: it may have been made', () => {
    expect(guardrails(run(incident({}, {}, [intent(5)])))).toEqual(['cooldown']);
  });

  it('holds the cooldown for a change recorded as made, counted once', () => {
    expect(guardrails(run(incident({}, {}, [intent(5), result(5, 'made')])))).toEqual(['cooldown']);
  });

  it('does not hold the cooldown for a change AWS refused', () => {
    expect(guardrails(run(incident({}, {}, [intent(5), result(5, 'not-made')])))).toEqual([]);
  });
});

describe('daily budget (8 of the API limit of 10)', () => {
  it('refuses when the budget is spent', () => {
    const ledger = [entry('stream/orders-stream', 600, 'up', 4), entry('stream/orders-stream', 120, 'down', 4)];
    expect(guardrails(run(incident({}, {}, ledger)))).toEqual(['daily-budget']);
  });

  it('forgets calls older than 24 hours', () => {
    const ledger = [entry('stream/orders-stream', 24 * 60 + 1, 'up', 8)];
    expect(guardrails(run(incident({}, {}, ledger)))).toEqual([]);
  });

  it('keeps the steps the budget allows and refuses the rest', () => {
    const spec = incident({ shards: 2 }, {}, [entry('stream/orders-stream', 300, 'up', 7)]);
    spec.metrics!.incomingBytes = 2 * MIB * MINUTE;
    spec.metrics!.writeThrottled = 200_000;
    const report = run(spec);
    const shard = report.plan.actions.find((a) => a.type === 'UpdateShardCount');
    expect(shard).toMatchObject({ from: 2, steps: [4], to: 4 });
    expect(report.plan.refused).toEqual([
      expect.objectContaining({ guardrail: 'daily-budget', action: expect.objectContaining({ from: 4 }) }),
    ]);
  });
});

describe('bounds', () => {
  it('stops at maxShards and says what is needed', () => {
    const report = run(incident(), target({}, {}, { maxShards: 5 }));
    expect(report.plan.actions).toContainEqual(
      expect.objectContaining({ type: 'UpdateShardCount', to: 5, steps: [5] }),
    );
    expect(report.plan.recommendations.join(' ')).toMatch(/maxShards 5/);
  });

  it('refuses when the stream is already at maxShards', () => {
    const report = run(incident(), target({}, {}, { maxShards: 4 }));
    expect(report.plan.refused).toEqual([expect.objectContaining({ guardrail: 'bounds' })]);
  });

  it('refuses parallelism past the KPU limit', () => {
    const report = run(incident(), target({}, { maxKpu: 4, parallelismPerKpu: 1 }));
    expect(report.plan.refused).toEqual([expect.objectContaining({ guardrail: 'kpu-limit' })]);
  });

  it('leaves a stream alone that is already outside its bounds', () => {
    const report = run(incident(), target({}, {}, { minShards: 10, maxShards: 40 }));
    expect(report.plan.actions.map((a) => a.type)).toEqual(['UpdateApplicationParallelism']);
    expect(report.plan.refused).toEqual([
      expect.objectContaining({ guardrail: 'bounds', reason: expect.stringContaining('outside its bounds [10, 40]') }),
    ]);
  });

  it('refuses parallelism bounds that the KPU limit makes impossible', () => {
    const report = run(incident({}, { parallelismPerKpu: 1 }), target({}, { minParallelism: 4, maxKpu: 3 }));
    expect(report.plan.refused).toEqual([expect.objectContaining({ guardrail: 'kpu-limit' })]);
  });

  it('keeps parallelism within maxParallelism', () => {
    const report = run(incident(), target({}, { maxParallelism: 6 }));
    expect(report.plan.actions[0]).toMatchObject({ type: 'UpdateApplicationParallelism', to: 6 });
  });
});

describe('optional fixes', () => {
  const verbose: SnapshotSpec = {
    stream: { shards: 8 },
    app: { parallelism: 4, logLevel: 'DEBUG', parallelismPerKpu: 2 },
    metrics: {
      incomingBytes: 8 * MIB * 18,
      incomingRecords: 1000,
      writeThrottled: 0,
      millisBehindLatest: 200_000,
      containerCpu: 90,
      busyTime: 900,
    },
  };

  it('recommends INFO logging unless allowed to apply it', () => {
    const report = run(verbose);
    expect(report.diagnosis.cause).toBe('VERBOSE_MONITORING');
    expect(report.plan.actions).toEqual([]);
    expect(report.plan.recommendations.join(' ')).toMatch(/INFO logging/);
  });

  it('applies INFO logging and APPLICATION metrics when allowed', () => {
    const report = run(verbose, target({}, { applyMonitoringFix: true }));
    expect(report.plan.actions).toEqual([
      {
        type: 'UpdateApplicationMonitoring',
        applicationName: 'orders-enricher',
        logLevel: 'INFO',
        metricsLevel: 'APPLICATION',
      },
    ]);
  });

  it('halves tasks per KPU for memory pressure when allowed', () => {
    const memory: SnapshotSpec = {
      ...verbose,
      app: { parallelism: 4, parallelismPerKpu: 2 },
      metrics: { ...verbose.metrics, heap: (i) => 70 + i * 0.4, failedCheckpoints: (i) => (i > 40 ? 2 : 0) },
    };
    const report = run(memory, target({}, { applyMemoryFix: true }));
    expect(report.diagnosis.cause).toBe('MEMORY_PRESSURE');
    expect(report.plan.actions).toEqual([
      {
        type: 'UpdateApplicationParallelism',
        applicationName: 'orders-enricher',
        from: 4,
        to: 4,
        parallelismPerKpu: 1,
      },
    ]);
  });

  it('turns built-in autoscaling off in the memory fix too when configured to', () => {
    const memory: SnapshotSpec = {
      ...verbose,
      app: { parallelism: 4, parallelismPerKpu: 2, autoScalingEnabled: true },
      metrics: { ...verbose.metrics, heap: (i) => 70 + i * 0.4, failedCheckpoints: (i) => (i > 40 ? 2 : 0) },
    };
    const report = run(memory, target({}, { applyMemoryFix: true, builtInAutoscaling: 'turn-off' }));
    expect(report.plan.actions).toEqual([expect.objectContaining({ parallelismPerKpu: 1, autoScalingEnabled: false })]);
  });

  it('refuses a retention increase when the target turns it off', () => {
    const spec = incident();
    spec.metrics!.millisBehindLatest = 13 * 3_600_000;
    const report = run(spec, target({}, {}, { maxRetentionHours: 0 }));
    expect(report.diagnosis.secondary).toContain('RETENTION_RISK');
    expect(report.plan.refused).toContainEqual(
      expect.objectContaining({
        action: expect.objectContaining({ type: 'IncreaseStreamRetention' }),
        guardrail: 'bounds',
        reason: expect.stringContaining('turned off'),
      }),
    );
    expect(report.plan.actions.some((a) => a.type === 'IncreaseStreamRetention')).toBe(false);
  });
});
