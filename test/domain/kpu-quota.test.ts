import { PolicySchema, TargetSchema } from '../../lambdas/domain/config';
import { assess } from '../../lambdas/domain/engine';
import { kpuQuotaRefusal, parallelismUnderRefusedKpus } from '../../lambdas/domain/kpu-quota';
import type { LedgerEntry } from '../../lambdas/domain/model';
import { buildSnapshot } from '../builders/snapshot-builder';

const MINUTE = 60;

/** The result entry the apply step writes when AWS refuses an update (apply-step.ts). */
function refusedUpdate(to: number, at: string, overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    at,
    target: 'orders',
    resource: 'application/orders-enricher',
    actionType: 'UpdateApplicationParallelism',
    direction: 'up',
    from: 4,
    to,
    kpus: to,
    calls: 0,
    executionId: 'run-1',
    phase: 'result',
    result: 'not-made',
    intentAt: at,
    awsError: 'LimitExceededException',
    detail: 'AWS refused it: LimitExceededError: the number of allowed resources has been exceeded',
    ...overrides,
  };
}

describe('kpuQuotaRefusal', () => {
  it('is the smallest update AWS refused for the quota, and ignores refusals for other reasons', () => {
    const entries = [
      refusedUpdate(12, '2026-03-02T09:33:00.000Z'),
      refusedUpdate(8, '2026-03-02T09:35:00.000Z'),
      refusedUpdate(5, '2026-03-02T09:36:00.000Z', { awsError: 'InvalidArgumentException' }),
      refusedUpdate(6, '2026-03-02T09:37:00.000Z', { result: 'made' }),
      refusedUpdate(7, '2026-03-02T09:38:00.000Z', { resource: 'application/other-job' }),
      refusedUpdate(3, '2026-03-02T09:39:00.000Z', { direction: 'down', from: 8, to: 3, kpus: 3 }),
    ];
    expect(kpuQuotaRefusal(entries, 'orders-enricher')).toEqual({ refusedKpus: 8, at: '2026-03-02T09:35:00.000Z' });
    expect(kpuQuotaRefusal(entries.slice(2), 'orders-enricher')).toBeUndefined();
  });
});

describe('parallelismUnderRefusedKpus', () => {
  it.each([
    // [current parallelism, per KPU, refused KPUs, largest to ask for]
    [4, 1, 12, 8],
    [4, 1, 8, 6],
    [6, 1, 8, 7],
    [6, 1, 7, 6],
    [8, 2, 10, 14],
    [3, 2, 4, 6],
  ])(
    'from parallelism %i at %i per KPU with %i KPU refused, asks for at most %i',
    (from, perKpu, refused, expected) => {
      const to = parallelismUnderRefusedKpus({ refusedKpus: refused, at: '2026-03-02T09:33:00.000Z' }, from, perKpu);
      expect(to).toBe(expected);
      expect(Math.ceil(to / perKpu)).toBeLessThan(refused);
    },
  );
});

describe('a scale-up after AWS refused the KPUs it needs', () => {
  /** 6,000 records/s for four subtasks of 1,000 at full CPU: the measured need is about 12. */
  function planAfter(ledger: LedgerEntry[]) {
    const snapshot = buildSnapshot({
      stream: { shards: 8 },
      app: { parallelism: 4 },
      metrics: {
        incomingRecords: (i) => (i >= 50 ? 6000 : 2000) * MINUTE,
        incomingBytes: (i) => (i >= 50 ? 6000 : 2000) * 1024 * MINUTE,
        millisBehindLatest: (i) => (i >= 50 ? (i - 49) * 30_000 : 500),
        containerCpu: (i) => (i >= 50 ? 97 : 50),
        recordsInPerSecond: (i) => (i >= 50 ? 4000 : 2000),
      },
      ledger,
    });
    const target = TargetSchema.parse({
      name: 'orders',
      mode: 'auto',
      stream: { name: 'orders-stream', maxShards: 64 },
      application: { name: 'orders-enricher', maxParallelism: 64 },
    });
    return assess(snapshot, { target, policy: PolicySchema.parse({}), dryRun: false }).plan;
  }
  const raised = (plan: ReturnType<typeof planAfter>) =>
    plan.actions.find((a) => a.type === 'UpdateApplicationParallelism');

  it('asks for less than the refused size, says why, and names the quota as the bound', () => {
    const free = raised(planAfter([]));
    expect(free?.to).toBeGreaterThanOrEqual(12);
    const refusedAt = new Date(Date.parse(buildSnapshot({}).capturedAt) - 2 * 60_000).toISOString();
    const plan = planAfter([refusedUpdate(free!.to, refusedAt)]);
    expect(raised(plan)).toMatchObject({ from: 4, to: Math.floor((4 + free!.to) / 2) });
    const refusal = plan.refused.find((r) => r.guardrail === 'kpu-limit');
    expect(refusal?.reason).toContain(`AWS refused ${free!.to} KPU`);
    expect(refusal?.reason).toContain('LimitExceededException');
    expect(plan.recommendations.join('\n')).toContain("the application's KPU quota in AWS");
  });

  it('refuses the scale-up by kpu-limit once nothing lies between the size it runs at and the refused one', () => {
    const refusedAt = new Date(Date.parse(buildSnapshot({}).capturedAt) - 2 * 60_000).toISOString();
    const plan = planAfter([refusedUpdate(5, refusedAt)]);
    expect(raised(plan)).toBeUndefined();
    expect(plan.refused).toContainEqual(
      expect.objectContaining({ guardrail: 'kpu-limit', reason: expect.stringContaining('and it runs at 4') }),
    );
  });
});
