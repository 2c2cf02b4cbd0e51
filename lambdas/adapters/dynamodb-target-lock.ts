import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InvalidRequestError, mapAwsError } from '../ports/errors';
import type { Clock, TargetLock } from '../ports';
import { LEDGER_TABLE_PARTITION_KEY, LEDGER_TABLE_TTL_ATTRIBUTE, lockItemKey } from '../ports/ledger-table';

export interface DynamoDbTargetLockProps {
  /** The ledger table, laid out as in `ports/ledger-table.ts`; the lock is the target's `LOCK` item. */
  readonly tableName: string;
  /** Source of "now", so lock expiry can be tested without waiting. */
  readonly clock: Clock;
}

const CONDITIONAL_CHECK_FAILED = 'ConditionalCheckFailedException';

/**
 * One workflow per target at a time, as a lease in DynamoDB. A holder that dies leaves a lock that
 * expires by itself; `expiresAt` is also the table's TTL attribute, but TTL deletion lags by up to days,
 * so acquiring compares it with the clock rather than waiting for the item to go.
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
    const now = this.clock.now();
    const nowSeconds = Math.floor(now.getTime() / 1000);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...lockItemKey(target),
            owner,
            acquiredAt: now.toISOString(),
            [LEDGER_TABLE_TTL_ATTRIBUTE]: nowSeconds + ttlSeconds,
          },
          // The same owner may take it again: a retried step must not lock itself out.
          ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt < :now OR #owner = :owner',
          ExpressionAttributeNames: {
            '#pk': LEDGER_TABLE_PARTITION_KEY,
            '#expiresAt': LEDGER_TABLE_TTL_ATTRIBUTE,
            '#owner': 'owner',
          },
          ExpressionAttributeValues: { ':now': nowSeconds, ':owner': owner },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw mapAwsError(error, context);
    }
  }

  async release(target: string, owner: string): Promise<void> {
    const context = { action: 'DeleteItem', resource: `${this.tableName}/${target}/LOCK` };
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: lockItemKey(target),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      // Someone else holds it now (ours expired and was taken), or it is gone: nothing of ours to release.
      if (!isConditionalCheckFailed(error)) throw mapAwsError(error, context);
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

function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === CONDITIONAL_CHECK_FAILED;
}
