import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { giveBackLease, takeLease } from './dynamodb-lease';
import { InvalidRequestError, mapAwsError } from '../ports/errors';
import type { Clock, FleetSlots, HeldFleetSlot } from '../ports';
import {
  LEDGER_TABLE_PARTITION_KEY,
  LEDGER_TABLE_SORT_KEY,
  LEDGER_TABLE_TTL_ATTRIBUTE,
  fleetSlotIndex,
  fleetSlotKey,
  fleetSlotPartitionKey,
} from '../ports/ledger-table';

export interface DynamoDbFleetSlotsProps {
  /** The ledger table, laid out as in `ports/ledger-table.ts`; the slots are the `FLEET_SLOT#fleet` items. */
  readonly tableName: string;
  readonly clock: Clock;
}

/** Another run may take the slot read as free between the read and the write; a few tries settle it. */
const ACQUIRE_TRIES = 3;

interface SlotItem {
  readonly sk: string;
  readonly owner: string;
  readonly expiresAt: number;
}

/**
 * The fleet's run slots as leases in the ledger table: slot `i` is one item, taken with a conditional
 * write (free, expired, or already this owner's) exactly as the target lock is, so two runs never hold
 * one slot. One strongly consistent Query of the slots' partition tells which are free.
 */
export class DynamoDbFleetSlots implements FleetSlots {
  private readonly tableName: string;
  private readonly clock: Clock;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    props: DynamoDbFleetSlotsProps,
  ) {
    if (!props.tableName) throw new Error('tableName must not be empty');
    this.tableName = props.tableName;
    this.clock = props.clock;
  }

  async acquire(owner: string, capacity: number, ttlSeconds: number): Promise<HeldFleetSlot | undefined> {
    const context = { action: 'PutItem', resource: `${this.tableName}/FLEET_SLOT` };
    if (!owner) throw new InvalidRequestError('fleet slot owner must not be empty', context);
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new InvalidRequestError(`fleet.maxConcurrentRuns must be a positive integer, got ${capacity}`, context);
    }
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new InvalidRequestError(`fleet slot ttlSeconds must be a positive integer, got ${ttlSeconds}`, context);
    }
    for (let attempt = 0; attempt < ACQUIRE_TRIES; attempt += 1) {
      const nowSeconds = this.nowSeconds();
      const live = (await this.slots()).filter((slot) => slot.expiresAt >= nowSeconds);
      const mine = live.find((slot) => slot.owner === owner);
      const mineIndex = mine ? fleetSlotIndex(mine.sk) : undefined;
      if (mineIndex !== undefined) return { index: mineIndex };
      // Slots past a lowered capacity still count while their runs hold them.
      if (live.length >= capacity) return undefined;
      const taken = new Set(live.map((slot) => slot.sk));
      const freeIndexes = Array.from({ length: capacity }, (_, index) => index).filter(
        (index) => !taken.has(fleetSlotKey(index).sk),
      );
      // Runs that start together spread over the free slots rather than all writing the first one.
      const index = freeIndexes[spreadIndex(owner, attempt, freeIndexes.length)];
      if (index === undefined) return undefined;
      const free = fleetSlotKey(index);
      try {
        if (
          await takeLease(this.client, {
            tableName: this.tableName,
            key: free,
            owner,
            now: this.clock.now(),
            ttlSeconds,
          })
        ) {
          return { index };
        }
      } catch (error) {
        throw mapAwsError(error, context);
      }
    }
    return undefined;
  }

  async release(owner: string): Promise<void> {
    const context = { action: 'DeleteItem', resource: `${this.tableName}/FLEET_SLOT` };
    for (const slot of (await this.slots()).filter((s) => s.owner === owner)) {
      try {
        // Ours expired and another run took it: nothing of ours to free.
        await giveBackLease(this.client, this.tableName, { pk: fleetSlotPartitionKey(), sk: slot.sk }, owner);
      } catch (error) {
        throw mapAwsError(error, context);
      }
    }
  }

  async holders(): Promise<string[]> {
    const nowSeconds = this.nowSeconds();
    return (await this.slots()).filter((slot) => slot.expiresAt >= nowSeconds).map((slot) => slot.owner);
  }

  private async slots(): Promise<SlotItem[]> {
    const context = { action: 'Query', resource: `${this.tableName}/FLEET_SLOT` };
    const items: SlotItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    try {
      do {
        // Strongly consistent: a slot freed or taken a moment ago must be seen as such.
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': LEDGER_TABLE_PARTITION_KEY },
            ExpressionAttributeValues: { ':pk': fleetSlotPartitionKey() },
            ConsistentRead: true,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        for (const item of page.Items ?? []) {
          const sk: unknown = item[LEDGER_TABLE_SORT_KEY];
          const owner: unknown = item['owner'];
          const expiresAt: unknown = item[LEDGER_TABLE_TTL_ATTRIBUTE];
          if (typeof sk === 'string' && typeof owner === 'string' && typeof expiresAt === 'number') {
            items.push({ sk, owner, expiresAt });
          }
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    } catch (error) {
      throw mapAwsError(error, context);
    }
    return items;
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }
}

/** An index below `count` picked from `owner` and `attempt`: claimants that read together spread over the free slots. */
export function spreadIndex(owner: string, attempt: number, count: number): number {
  let hash = attempt;
  for (const char of owner) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return count > 0 ? hash % count : 0;
}
