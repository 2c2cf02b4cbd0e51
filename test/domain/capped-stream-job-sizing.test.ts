import { PolicySchema, TargetSchema } from '../../lambdas/domain/config';
import { assess } from '../../lambdas/domain/engine';
import { buildSnapshot } from '../builders/snapshot-builder';

const MINUTE = 60;

/**
 * Producers send 20,000 records/s of 1 KiB to 8 shards, which admit 8,000; four subtasks process
 * them at full CPU and fall behind. The stream may grow to `maxShards`.
 */
function planWith(maxShards: number) {
  const snapshot = buildSnapshot({
    stream: { shards: 8 },
    app: { parallelism: 4 },
    metrics: {
      incomingRecords: (i) => (i >= 50 ? 8000 : 2000) * MINUTE,
      incomingBytes: (i) => (i >= 50 ? 8000 : 2000) * 1024 * MINUTE,
      writeThrottled: (i) => (i >= 50 ? 12_000 * MINUTE : 0),
      millisBehindLatest: (i) => (i >= 50 ? (i - 49) * 20_000 : 500),
      containerCpu: (i) => (i >= 50 ? 96 : 50),
      recordsInPerSecond: (i) => (i >= 50 ? 4000 : 2000),
    },
  });
  const target = TargetSchema.parse({
    name: 'orders',
    mode: 'auto',
    stream: { name: 'orders-stream', maxShards },
    application: { name: 'orders-enricher', maxParallelism: 64 },
  });
  return assess(snapshot, { target, policy: PolicySchema.parse({}), dryRun: true }).plan;
}

const parallelismTo = (plan: ReturnType<typeof planWith>): number =>
  plan.actions.find((a) => a.type === 'UpdateApplicationParallelism')!.to;

describe('a job behind a stream capped by maxShards', () => {
  it('is sized for what the capped stream can admit, not for all the producers send', () => {
    const capped = planWith(12);
    const open = planWith(64);
    // 12 shards admit 12,000 records/s: at 1,000 records/s a subtask and 0.7, 18 steady subtasks at
    // least (plus the catch-up boost); the producers' demand, past what 12 shards admit, would need more.
    expect(capped.actions).toContainEqual(expect.objectContaining({ type: 'UpdateShardCount', to: 12 }));
    expect(parallelismTo(capped)).toBeLessThan(parallelismTo(open));
    expect(parallelismTo(capped)).toBeGreaterThanOrEqual(18);
    expect(capped.recommendations.join('\n')).toContain('can admit at maxShards 12');
    expect(open.recommendations.join('\n')).not.toContain('can admit at maxShards');
  });
});
