import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbFleetSlots } from '../../lambdas/adapters/dynamodb-fleet-slots';
import type { Clock } from '../../lambdas/ports';
import { fleetSlotPartitionKey } from '../../lambdas/ports/ledger-table';
import { startDynaliteLedgerTable, type DynaliteLedgerTable } from './support/dynalite-server';

class ManualClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  advanceSeconds(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

describe('DynamoDbFleetSlots against dynalite', () => {
  let table: DynaliteLedgerTable;
  let clock: ManualClock;
  let slots: DynamoDbFleetSlots;

  beforeAll(async () => {
    table = await startDynaliteLedgerTable();
  });

  afterAll(async () => {
    await table?.stop();
  });

  beforeEach(async () => {
    clock = new ManualClock(new Date('2026-11-21T10:00:00Z'));
    slots = new DynamoDbFleetSlots(table.documentClient, { tableName: table.tableName, clock });
    for (const owner of await slots.holders()) await slots.release(owner);
  });

  it('lets exactly `capacity` of many concurrent runs take a slot', async () => {
    const owners = Array.from({ length: 8 }, (_, i) => `execution-${i}`);

    const results = await Promise.all(owners.map((owner) => slots.acquire(owner, 3, 900)));

    expect(results.filter(Boolean)).toHaveLength(3);
    expect((await slots.holders()).sort()).toEqual(owners.filter((_, i) => results[i]).sort());
    // Each winner is told its own slot: the index its reads are paced by.
    expect(results.flatMap((slot) => (slot ? [slot.index] : [])).sort()).toEqual([0, 1, 2]);
  });

  it('keeps the slots in one partition of their own, one item per slot', async () => {
    await slots.acquire('execution-a', 2, 900);
    await slots.acquire('execution-b', 2, 900);
    const { Items } = await table.documentClient.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': fleetSlotPartitionKey() },
      }),
    );
    expect(Items?.map((item) => item['sk'])).toEqual(['SLOT#0000', 'SLOT#0001']);
    expect(Items?.map((item) => item['owner']).sort()).toEqual(['execution-a', 'execution-b']);
    expect(Items?.[0]?.['expiresAt']).toBe(Math.floor(clock.now().getTime() / 1000) + 900);
  });

  it('takes a slot its owner holds already again (a retried lock step) without taking a second', async () => {
    const taken = await slots.acquire('execution-a', 2, 900);
    await expect(slots.acquire('execution-a', 2, 900)).resolves.toEqual(taken);
    expect(await slots.holders()).toEqual(['execution-a']);
  });

  it('frees a slot on release, for its owner only', async () => {
    await slots.acquire('execution-a', 1, 900);
    await slots.release('execution-b');
    await expect(slots.acquire('execution-b', 1, 900)).resolves.toBeUndefined();
    await slots.release('execution-a');
    await expect(slots.acquire('execution-b', 1, 900)).resolves.toEqual({ index: 0 });
  });

  it('lets a run take the slot of a run that died once its lease has expired', async () => {
    await slots.acquire('execution-a', 1, 900);
    clock.advanceSeconds(901);
    expect(await slots.holders()).toEqual([]);
    await expect(slots.acquire('execution-b', 1, 900)).resolves.toEqual({ index: 0 });
    expect(await slots.holders()).toEqual(['execution-b']);
  });

  it('still counts runs holding slots past a lowered capacity', async () => {
    await slots.acquire('execution-a', 3, 900);
    await slots.acquire('execution-b', 3, 900);
    await expect(slots.acquire('execution-c', 2, 900)).resolves.toBeUndefined();
  });

  it('refuses a capacity that is not a positive integer, naming the config field', async () => {
    await expect(slots.acquire('execution-a', 0, 900)).rejects.toThrow(/fleet\.maxConcurrentRuns/);
  });
});
