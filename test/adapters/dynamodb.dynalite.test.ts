import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbLedger } from '../../lambdas/adapters/dynamodb-ledger';
import { DynamoDbTargetLock } from '../../lambdas/adapters/dynamodb-target-lock';
import type { LedgerEntry } from '../../lambdas/domain/model';
import type { Clock } from '../../lambdas/ports';
import { lockItemKey } from '../../lambdas/ports/ledger-table';
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

function entry(target: string, at: string, to: number): LedgerEntry {
  return {
    at,
    target,
    resource: `stream/${target}-stream`,
    actionType: 'UpdateShardCount',
    direction: 'up',
    from: to / 2,
    to,
    calls: 1,
  };
}

describe('DynamoDB ledger and lock against dynalite', () => {
  let table: DynaliteLedgerTable;

  beforeAll(async () => {
    table = await startDynaliteLedgerTable();
  });

  afterAll(async () => {
    await table?.stop();
  });

  async function lockOwner(target: string): Promise<string | undefined> {
    const { Item } = await table.documentClient.send(
      new GetCommand({ TableName: table.tableName, Key: lockItemKey(target), ConsistentRead: true }),
    );
    return Item?.owner as string | undefined;
  }

  describe('DynamoDbTargetLock', () => {
    const start = new Date('2026-11-21T10:00:00Z');

    it('lets exactly one of several concurrent attempts take a free lock', async () => {
      const lock = new DynamoDbTargetLock(table.documentClient, {
        tableName: table.tableName,
        clock: new ManualClock(start),
      });
      const owners = ['execution-a', 'execution-b', 'execution-c', 'execution-d'];

      const results = await Promise.all(owners.map((owner) => lock.acquire('contended', owner, 900)));

      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await lockOwner('contended')).toBe(owners[results.indexOf(true)]);
    });

    it('refuses a live lock to another owner, and gives an expired one to the next owner', async () => {
      const clock = new ManualClock(start);
      const lock = new DynamoDbTargetLock(table.documentClient, { tableName: table.tableName, clock });
      expect(await lock.acquire('expiring', 'first', 60)).toBe(true);

      clock.advanceSeconds(59);
      const whileLive = await lock.acquire('expiring', 'second', 60);
      clock.advanceSeconds(2);
      const afterExpiry = await lock.acquire('expiring', 'second', 60);

      expect(whileLive).toBe(false);
      expect(afterExpiry).toBe(true);
      expect(await lockOwner('expiring')).toBe('second');
    });

    it('lets the holder take its own lock again (a retried step)', async () => {
      const lock = new DynamoDbTargetLock(table.documentClient, {
        tableName: table.tableName,
        clock: new ManualClock(start),
      });
      await lock.acquire('reentrant', 'holder', 60);

      expect(await lock.acquire('reentrant', 'holder', 60)).toBe(true);
    });

    it('ignores a release by a non-owner, and frees the lock on release by its owner', async () => {
      const lock = new DynamoDbTargetLock(table.documentClient, {
        tableName: table.tableName,
        clock: new ManualClock(start),
      });
      await lock.acquire('released', 'holder', 900);

      await lock.release('released', 'intruder');
      const ownerAfterIntruder = await lockOwner('released');
      await lock.release('released', 'holder');

      expect(ownerAfterIntruder).toBe('holder');
      expect(await lockOwner('released')).toBeUndefined();
      expect(await lock.acquire('released', 'next', 900)).toBe(true);
    });

    it('does nothing when releasing a lock that does not exist', async () => {
      const lock = new DynamoDbTargetLock(table.documentClient, {
        tableName: table.tableName,
        clock: new ManualClock(start),
      });

      await expect(lock.release('never-locked', 'anyone')).resolves.toBeUndefined();
    });
  });

  describe('DynamoDbLedger', () => {
    it('lists the target entries at or after the given time, oldest first, across pages', async () => {
      // Two items per page, so the five entries in the window take three pages.
      const ledger = new DynamoDbLedger(table.documentClient, { tableName: table.tableName, queryPageSize: 2 });
      const lock = new DynamoDbTargetLock(table.documentClient, {
        tableName: table.tableName,
        clock: new ManualClock(new Date('2026-11-21T10:00:00Z')),
      });
      const inWindow = [
        entry('orders', '2026-11-21T09:00:00Z', 4), // exactly at the window's start
        entry('orders', '2026-11-21T09:00:00.500Z', 8), // as text it sorts before the one above
        entry('orders', '2026-11-21T09:45:00.000Z', 16),
        entry('orders', '2026-11-21T11:00:00+01:00', 32), // 10:00 UTC
        entry('orders', '2026-11-22T00:00:00Z', 64),
      ];
      const outside = [
        entry('orders', '2026-11-21T09:30:00+01:00', 2), // 08:30 UTC, although the text reads later
        entry('orders', '2026-11-20T23:59:59.999Z', 2),
        entry('payments', '2026-11-21T09:10:00Z', 2),
      ];
      // Written newest first so the order returned is the time order, not the order of writing.
      for (const written of [...outside, ...inWindow].reverse()) await ledger.record(written);
      // The lock item shares the partition and must not be read as an entry.
      await lock.acquire('orders', 'execution-1', 900);

      const listed = await ledger.list('orders', '2026-11-21T09:00:00.000Z');

      expect(listed).toEqual(inWindow);
    });

    it('keeps two entries recorded at the same instant', async () => {
      const ledger = new DynamoDbLedger(table.documentClient, { tableName: table.tableName });
      const first = entry('same-instant', '2026-11-21T12:00:00.000Z', 4);
      const second = { ...first, to: 8, executionId: 'execution-2' };

      await ledger.record(first);
      await ledger.record(second);

      expect(await ledger.list('same-instant', '2026-11-21T00:00:00Z')).toHaveLength(2);
    });

    it('reads back entries without the table keys and drops attributes the domain does not know', async () => {
      const ledger = new DynamoDbLedger(table.documentClient, { tableName: table.tableName });
      const stored = entry('extra-fields', '2026-11-21T12:00:00.000Z', 4);
      await table.documentClient.send(
        new PutCommand({
          TableName: table.tableName,
          Item: {
            ...stored,
            pk: 'TARGET#extra-fields',
            sk: 'LEDGER#2026-11-21T12:00:00.000Z#x',
            expiresAt: 1,
            note: 'written by a newer version',
          },
        }),
      );

      expect(await ledger.list('extra-fields', '2026-11-21T00:00:00Z')).toEqual([stored]);
    });
  });
});
