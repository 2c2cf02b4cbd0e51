import {
  changesOf,
  describeIntent,
  openIntents,
  reconcileIntent,
  resultEntryFor,
} from '../../lambdas/domain/ledger-intents';
import type { AppState, LedgerEntry, StreamState } from '../../lambdas/domain/model';

const reshard: LedgerEntry = {
  at: '2026-03-02T09:33:00.000Z',
  target: 'orders',
  resource: 'stream/orders-stream',
  actionType: 'UpdateShardCount',
  direction: 'up',
  from: 4,
  to: 8,
  calls: 1,
  executionId: 'run-1',
  phase: 'intent',
};
const resize: LedgerEntry = {
  ...reshard,
  resource: 'application/orders-enricher',
  actionType: 'UpdateApplicationParallelism',
  from: 4,
  to: 10,
  applicationVersionId: 12,
};
const stream = (overrides: Partial<StreamState>): StreamState => ({
  name: 'orders-stream',
  status: 'ACTIVE',
  mode: 'PROVISIONED',
  openShards: 4,
  retentionHours: 24,
  ...overrides,
});
const app = (overrides: Partial<AppState>): AppState => ({
  name: 'orders-enricher',
  status: 'RUNNING',
  versionId: 12,
  parallelism: 4,
  configuredParallelism: 4,
  parallelismPerKpu: 1,
  autoScalingEnabled: false,
  snapshotsEnabled: true,
  ...overrides,
});
const at = new Date('2026-03-02T09:40:00.000Z');

describe('settling an open intent from the resource', () => {
  it.each<[string, Partial<StreamState>, string]>([
    ['has the shards the change asked for', { openShards: 8 }, 'made'],
    ['is resharding', { status: 'UPDATING', openShards: 4 }, 'made'],
    ['is ACTIVE with the shards it had before', { openShards: 4 }, 'not-made'],
    ['has neither count', { openShards: 6 }, 'unknown'],
  ])('a reshard whose stream %s is %s', (_case, seen, result) => {
    expect(reconcileIntent(reshard, { stream: stream(seen) }).result).toBe(result);
  });

  it.each<[string, Partial<AppState>, string]>([
    ['moved past the version the update was made against', { versionId: 13, parallelism: 10 }, 'made'],
    ['moved on and was rolled back', { versionId: 14, parallelism: 4 }, 'made'],
    ['still at that version', { versionId: 12 }, 'not-made'],
  ])('an application update whose application %s is %s', (_case, seen, result) => {
    expect(reconcileIntent(resize, { app: app(seen) }).result).toBe(result);
  });

  it('cannot tell for a resource that is gone, and says why', () => {
    const settled = reconcileIntent(reshard, { unreadable: 'stream/orders-stream does not exist (deleted)' });
    expect(settled).toEqual({ result: 'unknown', detail: expect.stringContaining('deleted') });
  });
});

describe('what the ledger counts', () => {
  const made = resultEntryFor(reshard, { result: 'made', detail: 'AWS accepted the call' }, at);
  const refused = resultEntryFor(reshard, { result: 'not-made', detail: 'AWS refused it' }, at);

  it('counts an open intent as a change until it is settled', () => {
    expect(openIntents([reshard])).toEqual([reshard]);
    expect(changesOf([reshard])).toEqual([reshard]);
  });

  it('counts a made change once, dated when it was requested', () => {
    expect(openIntents([reshard, made])).toEqual([]);
    expect(changesOf([reshard, made])).toEqual([reshard]);
    expect(made).toMatchObject({ phase: 'result', intentAt: reshard.at, calls: 0, at: at.toISOString() });
  });

  it('does not count a change AWS refused', () => {
    expect(changesOf([reshard, refused])).toEqual([]);
  });

  it("does not let another run's result close this run's intent", () => {
    const other = { ...made, executionId: 'run-2' };
    expect(openIntents([reshard, other])).toEqual([reshard]);
  });

  it('keeps entries recorded whole (no phase) as changes', () => {
    const { phase: _phase, ...whole } = reshard;
    expect(changesOf([whole])).toEqual([whole]);
  });

  it('names the change in words', () => {
    expect(describeIntent(reshard)).toBe(
      'UpdateShardCount 4 -> 8 on stream/orders-stream (requested 2026-03-02T09:33:00.000Z)',
    );
  });
});
