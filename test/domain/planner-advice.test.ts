import { PolicySchema, TargetSchema } from '../../lambdas/domain/config';
import { assess } from '../../lambdas/domain/engine';
import { buildSnapshot, type SnapshotSpec } from '../builders/snapshot-builder';

const MIB = 1024 * 1024;
const MINUTE = 60;

/** A full stream of `shards` shards, and a CPU-bound job of parallelism 4 behind it. */
function incident(shards: number): SnapshotSpec {
  return {
    stream: { shards },
    app: { parallelism: 4 },
    metrics: {
      incomingBytes: shards * MIB * MINUTE * 0.97,
      incomingRecords: shards * 400 * MINUTE,
      writeThrottled: 20_000,
      millisBehindLatest: (i) => 60_000 + i * 5000,
      containerCpu: 92,
      busyTime: 940,
    },
  };
}

const target = TargetSchema.parse({
  name: 'orders',
  mode: 'auto',
  stream: { name: 'orders-stream', minShards: 1, maxShards: 200 },
  application: { name: 'orders-enricher', maxParallelism: 64, builtInAutoscaling: 'turn-off' },
});

function plan(shards: number, recordsInPerSecond: number) {
  const spec = incident(shards);
  return assess(buildSnapshot({ ...spec, metrics: { ...spec.metrics, recordsInPerSecond } }), {
    target,
    policy: PolicySchema.parse({}),
    dryRun: false,
  }).plan;
}

const advice = (p: ReturnType<typeof plan>) => p.recommendations.filter((r) => r.includes('source subtasks beyond'));

describe('advice about source subtasks beyond the shard count', () => {
  it('compares the parallelism with the shards the plan reaches, not the shards the stream has now', () => {
    const p = plan(2, 1300);

    expect(p.actions).toEqual([
      expect.objectContaining({ type: 'UpdateApplicationParallelism', to: 9 }),
      expect.objectContaining({ type: 'UpdateShardCount', from: 2, to: 3 }),
    ]);
    expect(advice(p)).toEqual([
      expect.stringMatching(/^Parallelism 9 exceeds the 3 shards orders-stream will have after this plan's reshard:/),
    ]);
  });

  it('says nothing when the reshard brings the stream up to the parallelism', () => {
    const p = plan(4, 3400);

    expect(p.actions).toEqual([
      expect.objectContaining({ type: 'UpdateApplicationParallelism', to: 6 }),
      expect.objectContaining({ type: 'UpdateShardCount', from: 4, to: 6 }),
    ]);
    expect(advice(p)).toEqual([]);
  });
});
