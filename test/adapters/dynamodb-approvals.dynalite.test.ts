import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbApprovals } from '../../lambdas/adapters/dynamodb-approvals';
import type { ApprovalRequest } from '../../lambdas/domain/approval';
import { approvalRequestKey } from '../../lambdas/ports/ledger-table';
import { startDynaliteLedgerTable, type DynaliteLedgerTable } from './support/dynalite-server';

describe('DynamoDbApprovals against dynalite', () => {
  let table: DynaliteLedgerTable;
  let approvals: DynamoDbApprovals;

  beforeAll(async () => {
    table = await startDynaliteLedgerTable('approvals');
    approvals = new DynamoDbApprovals(table.documentClient, { tableName: table.tableName });
  });
  afterAll(async () => {
    await table?.stop();
  });

  const request = (executionId: string): ApprovalRequest => ({
    target: 'orders',
    executionId,
    taskToken: `token-${executionId}`,
    requestedAt: '2026-12-07T03:00:00.000Z',
    timesOutAt: '2026-12-07T03:30:00.000Z',
    plan: ['UpdateShardCount orders-stream 2 -> 4 shards (call 1 of 2)'],
  });

  it('keeps the waiting request until its time is out, as the TTL sees it', async () => {
    await approvals.open(request('run-1'));

    expect(await approvals.waiting('orders')).toEqual(request('run-1'));
    const { Item } = await table.documentClient.send(
      new GetCommand({ TableName: table.tableName, Key: approvalRequestKey('orders') }),
    );
    expect(Item!['expiresAt']).toBe(Date.parse('2026-12-07T03:30:00.000Z') / 1000);
  });

  it("withdraws only the closing run's own request, and keeps every decision", async () => {
    await approvals.open(request('run-2'));
    const at = '2026-12-07T03:10:00.000Z';

    await approvals.close({ outcome: 'timed-out', target: 'orders', executionId: 'run-1', by: 'StreamMedic', at });
    expect((await approvals.waiting('orders'))?.executionId).toBe('run-2');

    await approvals.close({
      outcome: 'approved',
      target: 'orders',
      executionId: 'run-2',
      by: 'alice',
      at: '2026-12-07T03:11:00.000Z',
    });
    expect(await approvals.waiting('orders')).toBeUndefined();
    expect((await approvals.events('orders', '2026-12-07T00:00:00Z')).map((e) => `${e.outcome} ${e.by}`)).toEqual([
      'timed-out StreamMedic',
      'approved alice',
    ]);
  });

  it('a decision withdraws only the request it answered: the same run asking again (its plan changed) keeps waiting', async () => {
    const first = request('run-3');
    await approvals.open(first);
    const askedAgain = {
      ...request('run-3'),
      taskToken: 'token-run-3-asked-again',
      requestedAt: '2026-12-07T03:12:00.000Z',
    };
    await approvals.open(askedAgain);

    await approvals.close(
      { outcome: 'approved', target: 'orders', executionId: 'run-3', by: 'alice', at: '2026-12-07T03:12:01.000Z' },
      first.taskToken,
    );
    expect(await approvals.waiting('orders')).toEqual(askedAgain);

    await approvals.close(
      { outcome: 'approved', target: 'orders', executionId: 'run-3', by: 'alice', at: '2026-12-07T03:14:00.000Z' },
      askedAgain.taskToken,
    );
    expect(await approvals.waiting('orders')).toBeUndefined();
  });
});
