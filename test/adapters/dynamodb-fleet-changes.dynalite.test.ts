import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbFleetChangeLog, FLEET_CHANGE_RETENTION_SECONDS } from '../../lambdas/adapters/dynamodb-fleet-changes';
import { DynamoDbLedger } from '../../lambdas/adapters/dynamodb-ledger';
import type { LedgerEntry } from '../../lambdas/domain/model';
import type { FleetChange } from '../../lambdas/ports';
import { InvalidRequestError } from '../../lambdas/ports/errors';
import { fleetChangeKey } from '../../lambdas/ports/ledger-table';
import { startDynaliteLedgerTable, type DynaliteLedgerTable } from './support/dynalite-server';

const RUN = 'arn:aws:states:eu-west-1:111122223333:execution:StreamMedic:run-1';

function change(overrides: Partial<FleetChange> = {}): FleetChange {
  return { at: '2026-12-07T03:00:00.000Z', target: 'orders', executionId: RUN, step: 0, ...overrides };
}

describe('DynamoDbFleetChangeLog against dynalite', () => {
  let table: DynaliteLedgerTable;
  let changes: DynamoDbFleetChangeLog;

  beforeAll(async () => {
    table = await startDynaliteLedgerTable('fleet-changes');
    changes = new DynamoDbFleetChangeLog(table.documentClient, { tableName: table.tableName });
  });
  afterAll(async () => {
    await table?.stop();
  });

  it('keeps each change once: a retried step writing the same change leaves one item', async () => {
    await changes.record(change());
    await changes.record(change());
    expect(await changes.since('2026-12-07T02:00:00.000Z')).toEqual([change()]);
  });

  it('writes the item in the fleet partition, keyed by time, execution and step, with a TTL of a few hours', async () => {
    const at = change({ step: 3 });
    await changes.record(at);
    const key = fleetChangeKey(at);
    expect(key).toEqual({ pk: 'FLEET_CHANGE#fleet', sk: `2026-12-07T03:00:00.000Z#${RUN}#0003` });
    const stored = await table.documentClient.send(new GetCommand({ TableName: table.tableName, Key: key }));
    expect(stored.Item).toMatchObject({
      ...at,
      expiresAt: Date.parse(at.at) / 1000 + FLEET_CHANGE_RETENTION_SECONDS,
    });
    expect(FLEET_CHANGE_RETENTION_SECONDS).toBe(3 * 60 * 60);
  });

  it('reads every target since a time, oldest first, and nothing before it nor of the ledger', async () => {
    const ledgerEntry: LedgerEntry = {
      at: '2026-12-07T03:20:00.000Z',
      target: 'clicks',
      resource: 'stream/clicks-stream',
      actionType: 'UpdateShardCount',
      direction: 'up',
      calls: 1,
    };
    await new DynamoDbLedger(table.documentClient, { tableName: table.tableName }).record(ledgerEntry);
    await changes.record(change({ at: '2026-12-07T03:30:00.000Z', target: 'clicks', executionId: 'run-2' }));
    await changes.record(change({ at: '2026-12-07T01:59:59.000Z', target: 'old', executionId: 'run-0' }));

    const since = await changes.since('2026-12-07T03:00:00Z');
    expect(since.map((c) => [c.at, c.target, c.step])).toEqual([
      ['2026-12-07T03:00:00.000Z', 'orders', 0],
      ['2026-12-07T03:00:00.000Z', 'orders', 3],
      ['2026-12-07T03:30:00.000Z', 'clicks', 0],
    ]);
  });

  it('refuses a change without an execution, naming the field', async () => {
    await expect(changes.record(change({ executionId: '' }))).rejects.toThrow(InvalidRequestError);
    await expect(changes.record(change({ executionId: '' }))).rejects.toThrow(/fleet change executionId/);
  });
});
