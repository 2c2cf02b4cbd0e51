import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { giveBackLease, takeLease } from './dynamodb-lease';
import { InvalidRequestError, mapAwsError } from '../ports/errors';
import type { Clock, TargetLock } from '../ports';
import { LEDGER_TABLE_TTL_ATTRIBUTE, lockItemKey } from '../ports/ledger-table';

export interface DynamoDbTargetLockProps {
  /** The ledger table, laid out as in `ports/ledger-table.ts`; the lock is the target's `LOCK` item. */
  readonly tableName: string;
  /** Source of "now", so lock expiry can be tested without waiting. */
  readonly clock: Clock;
}

/**
 * One workflow per target at a time, as a lease in DynamoDB (`dynamodb-lease.ts`). A holder that dies
 * leaves a lock that expires by itself.
 */
export class DynamoDbTargetLock implements TargetLock {
  private readonly tableName: string;
  private readonly clock: Clock;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    props: DynamoDbTargetLockProps,
  ) {
    if (!props.tableName) throw new Error('tableName must not be empty');
    this.tableName = props.tableName;
    this.clock = props.clock;
  }

  async acquire(target: string, owner: string, ttlSeconds: number): Promise<boolean> {
    const context = { action: 'PutItem', resource: `${this.tableName}/${target}/LOCK` };
    if (!owner) throw new InvalidRequestError('lock owner must not be empty', context);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new InvalidRequestError(`lock ttlSeconds must be a positive integer, got ${ttlSeconds}`, context);
    }
    try {
      return await takeLease(this.client, {
        tableName: this.tableName,
        key: lockItemKey(target),
        owner,
        now: this.clock.now(),
        ttlSeconds,
      });
    } catch (error) {
      throw mapAwsError(error, context);
    }
  }

  async release(target: string, owner: string): Promise<void> {
    const context = { action: 'DeleteItem', resource: `${this.tableName}/${target}/LOCK` };
    try {
      await giveBackLease(this.client, this.tableName, lockItemKey(target), owner);
    } catch (error) {
      throw mapAwsError(error, context);
    }
  }

  async ownerOf(target: string): Promise<string | undefined> {
    const context = { action: 'GetItem', resource: `${this.tableName}/${target}/LOCK` };
    try {
      // Strongly consistent: an end-of-run check must see a release or a take that just happened.
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: lockItemKey(target), ConsistentRead: true }),
      );
      const owner: unknown = Item?.['owner'];
      const expiresAt: unknown = Item?.[LEDGER_TABLE_TTL_ATTRIBUTE];
      if (typeof owner !== 'string' || typeof expiresAt !== 'number') return undefined;
      return expiresAt >= Math.floor(this.clock.now().getTime() / 1000) ? owner : undefined;
    } catch (error) {
      throw mapAwsError(error, context);
    }
  }
}
