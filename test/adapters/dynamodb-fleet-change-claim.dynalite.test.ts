import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbFleetChangeLog, FLEET_CHANGE_RETENTION_SECONDS } from '../../lambdas/adapters/dynamodb-fleet-changes';
import type { FleetChangeClaim } from '../../lambdas/ports';
import { InvalidRequestError } from '../../lambdas/ports/errors';
import { fleetChangeSlotPartitionKey } from '../../lambdas/ports/ledger-table';
import { startDynaliteLedgerTable, type DynaliteLedgerTable } from './support/dynalite-server';

const AT = '2026-12-07T03:00:00.000Z';

function change(executionId: string, overrides: Partial<FleetChangeClaim> = {}): FleetChangeClaim {
  return { at: AT, target: 'orders', executionId, round: 1, step: 0, ...overrides };
}

function minutesAfter(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString();
}

describe('DynamoDbFleetChangeLog.claim against dynalite', () => {
  let table: DynaliteLedgerTable;
  let changes: DynamoDbFleetChangeLog;

  beforeEach(async () => {
    table = await startDynaliteLedgerTable('fleet-change-claims');
    changes = new DynamoDbFleetChangeLog(table.documentClient, { tableName: table.tableName });
  });
  afterEach(async () => {
    await table?.stop();
  });

  async function slotItems(): Promise<Record<string, unknown>[]> {
    const { Items } = await table.documentClient.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': fleetChangeSlotPartitionKey() },
        ConsistentRead: true,
      }),
    );
    return Items ?? [];
  }

  it('lets exactly the cap of 30 claims made in the same second through', async () => {
    const claims = Array.from({ length: 30 }, (_, i) => change(`run-${i}`));

    const granted = await Promise.all(claims.map((c) => changes.claim(c, 20)));

    expect(granted.filter(Boolean)).toHaveLength(20);
    const items = await slotItems();
    expect(items.map((item) => item['sk'])).toEqual(
      Array.from({ length: 20 }, (_, i) => `SLOT#${String(i).padStart(4, '0')}`),
    );
    // Each slot names the change that took it, and only changes that were granted took one.
    expect(items.map((item) => item['executionId']).sort()).toEqual(
      claims
        .filter((_, i) => granted[i])
        .map((c) => c.executionId)
        .sort(),
    );
  });

  it('claims a retried step of the same execution again without taking a second slot', async () => {
    await expect(changes.claim(change('run-a'), 2)).resolves.toBe(true);
    await expect(changes.claim(change('run-a', { at: minutesAfter(AT, 5) }), 2)).resolves.toBe(true);
    expect(await slotItems()).toHaveLength(1);
    // Another step of the same execution is another change.
    await expect(changes.claim(change('run-a', { step: 1, at: minutesAfter(AT, 6) }), 2)).resolves.toBe(true);
    await expect(changes.claim(change('run-b', { at: minutesAfter(AT, 7) }), 2)).resolves.toBe(false);
  });

  it("counts the first step of the execution's next round as another change", async () => {
    await changes.claim(change('run-a'), 2);
    await expect(changes.claim(change('run-a', { round: 2, at: minutesAfter(AT, 20) }), 2)).resolves.toBe(true);
    await expect(changes.claim(change('run-a', { round: 3, at: minutesAfter(AT, 40) }), 2)).resolves.toBe(false);
    expect((await slotItems()).map((item) => item['round'])).toEqual([1, 2]);
  });

  it('frees a slot only once the change that took it has left the hour, as the planners count it', async () => {
    await changes.claim(change('run-a'), 1);
    const justInside = minutesAfter(AT, 59.999);
    await expect(changes.claim(change('run-b', { at: justInside }), 1)).resolves.toBe(false);
    await expect(changes.claim(change('run-b', { at: minutesAfter(AT, 60) }), 1)).resolves.toBe(true);
    const [slot] = await slotItems();
    expect(slot).toMatchObject({
      sk: 'SLOT#0000',
      executionId: 'run-b',
      at: minutesAfter(AT, 60),
      expiresAt: Date.parse(AT) / 1000 + 3600 + FLEET_CHANGE_RETENTION_SECONDS,
    });
  });

  it('still counts the changes of the hour in slots past a lowered cap', async () => {
    for (const [i, id] of ['run-a', 'run-b', 'run-c'].entries()) {
      await changes.claim(change(id, { at: minutesAfter(AT, i) }), 3);
    }
    await expect(changes.claim(change('run-d', { at: minutesAfter(AT, 10) }), 2)).resolves.toBe(false);
  });

  it('keeps its slots out of the changes the planners count', async () => {
    await changes.claim(change('run-a'), 5);
    expect(await changes.since('2026-12-07T00:00:00.000Z')).toEqual([]);
  });

  it('refuses a cap that is not a positive integer, naming the config field, and writes nothing', async () => {
    await expect(changes.claim(change('run-a'), 0)).rejects.toThrow(/fleet\.maxChangesPerHour/);
    await expect(changes.claim(change('run-a', { at: 'yesterday' }), 5)).rejects.toBeInstanceOf(InvalidRequestError);
    expect(await slotItems()).toEqual([]);
  });
});
