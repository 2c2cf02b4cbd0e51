import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbLedger } from '../../lambdas/adapters/dynamodb-ledger';
import { DynamoDbRefusalLog } from '../../lambdas/adapters/dynamodb-refusal-log';
import { historyByResource } from '../../lambdas/domain/history';
import type { LedgerEntry } from '../../lambdas/domain/model';
import type { RefusalRecord } from '../../lambdas/domain/refusal-record';
import { startDynaliteLedgerTable, type DynaliteLedgerTable } from './support/dynalite-server';

const RUN = 'arn:aws:states:eu-west-1:111122223333:execution:StreamMedic:run-1';

function refusal(overrides: Partial<RefusalRecord> = {}): RefusalRecord {
  return {
    target: 'orders',
    executionId: RUN,
    runStartedAt: '2026-12-07T03:00:00.000Z',
    index: 0,
    at: '2026-12-07T03:00:20.000Z',
    guardrail: 'cooldown',
    actionType: 'UpdateShardCount',
    resource: 'stream/orders-stream',
    action: 'scale stream orders-stream from 4 to 8 shards',
    reason: 'stream/orders-stream scaled up 3 min ago; the cooldown is 15 min, so the last change is still settling',
    ...overrides,
  };
}

const change: LedgerEntry = {
  at: '2026-12-07T02:57:00.000Z',
  target: 'orders',
  resource: 'stream/orders-stream',
  actionType: 'UpdateShardCount',
  direction: 'up',
  from: 2,
  to: 4,
  calls: 1,
  executionId: 'run-0',
};

describe('DynamoDbRefusalLog against dynalite', () => {
  let table: DynaliteLedgerTable;
  let refusals: DynamoDbRefusalLog;
  let ledger: DynamoDbLedger;

  beforeAll(async () => {
    table = await startDynaliteLedgerTable('refusals');
    refusals = new DynamoDbRefusalLog(table.documentClient, { tableName: table.tableName });
    ledger = new DynamoDbLedger(table.documentClient, { tableName: table.tableName });
    await ledger.record(change);
  });
  afterAll(async () => {
    await table?.stop();
  });

  it("keeps each refusal once per run: a retried task's second write leaves the first record as it was", async () => {
    await refusals.record([refusal(), refusal({ index: 1, guardrail: 'daily-budget', reason: 'budget spent' })]);
    await refusals.record([refusal({ at: '2026-12-07T03:01:05.000Z', reason: 'the retry saw it a minute later' })]);

    expect(await refusals.list('orders', '2026-12-07T00:00:00Z')).toEqual([
      refusal(),
      refusal({ index: 1, guardrail: 'daily-budget', reason: 'budget spent' }),
    ]);
  });

  it('shares the target partition with the ledger, and the guardrails count none of it', async () => {
    await refusals.record([refusal({ executionId: 'run-2', runStartedAt: '2026-12-07T03:05:00.000Z' })]);

    const { Items } = await table.documentClient.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'TARGET#orders' },
      }),
    );
    expect(Items!.map((i) => String(i['sk']).split('#')[0])).toEqual(['LEDGER', 'REFUSAL', 'REFUSAL', 'REFUSAL']);

    const listed = await ledger.list('orders', '2026-12-06T00:00:00Z');
    expect(listed).toEqual([change]);
    const history = historyByResource(listed, Date.parse('2026-12-07T03:10:00Z'))('stream/orders-stream');
    expect(history.callsLastDay).toBe(1);
    expect(history.changes.map((c) => c.entry)).toEqual([change]);
  });

  it('reads the refusals of the runs started in the span, oldest first, and keeps them as long as the ledger', async () => {
    const listed = await refusals.list('orders', '2026-12-07T03:04:00Z');
    expect(listed.map((r) => r.executionId)).toEqual(['run-2']);
    expect(await refusals.list('clicks', '2026-12-07T00:00:00Z')).toEqual([]);

    const { Items } = await table.documentClient.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :refusal)',
        ExpressionAttributeValues: { ':pk': 'TARGET#orders', ':refusal': 'REFUSAL#' },
      }),
    );
    const thirtyDays = 30 * 24 * 60 * 60;
    expect(Items![0]!['expiresAt']).toBe(Date.parse('2026-12-07T03:00:20.000Z') / 1000 + thirtyDays);
  });

  it('refuses a record with a guardrail the vocabulary does not know, naming the field, and writes nothing', async () => {
    const bad = { ...refusal({ executionId: 'run-3' }), guardrail: 'mood' } as unknown as RefusalRecord;

    await expect(refusals.record([bad])).rejects.toThrow(/refusal guardrail/);
    expect((await refusals.list('orders', '2026-12-07T00:00:00Z')).map((r) => r.executionId)).not.toContain('run-3');
  });
});
