import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LEDGER_TABLE_PARTITION_KEY, LEDGER_TABLE_TTL_ATTRIBUTE, type LedgerTableKey } from '../ports/ledger-table';

/**
 * Leases in the ledger table (the target lock, the fleet's run slots): an item with an owner and an
 * expiry. `expiresAt` is also the table's TTL attribute, but TTL deletion lags by up to days, so a
 * lease is judged by comparing it with the clock rather than by whether the item is still there.
 */

const CONDITIONAL_CHECK_FAILED = 'ConditionalCheckFailedException';

export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === CONDITIONAL_CHECK_FAILED;
}

export interface LeaseRequest {
  readonly tableName: string;
  /** The lease item's key. */
  readonly key: LedgerTableKey;
  readonly owner: string;
  readonly now: Date;
  readonly ttlSeconds: number;
}

/**
 * Takes the lease when it is free, expired, or already this owner's: a retried step must not lock
 * itself out. False when someone else holds it; any other error is thrown as the SDK raised it.
 */
export async function takeLease(client: DynamoDBDocumentClient, request: LeaseRequest): Promise<boolean> {
  const nowSeconds = Math.floor(request.now.getTime() / 1000);
  try {
    await client.send(
      new PutCommand({
        TableName: request.tableName,
        Item: {
          ...request.key,
          owner: request.owner,
          acquiredAt: request.now.toISOString(),
          [LEDGER_TABLE_TTL_ATTRIBUTE]: nowSeconds + request.ttlSeconds,
        },
        ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt < :now OR #owner = :owner',
        ExpressionAttributeNames: {
          '#pk': LEDGER_TABLE_PARTITION_KEY,
          '#expiresAt': LEDGER_TABLE_TTL_ATTRIBUTE,
          '#owner': 'owner',
        },
        ExpressionAttributeValues: { ':now': nowSeconds, ':owner': request.owner },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/**
 * Gives the lease back if this owner still holds it. Someone else holding it now (ours expired and
 * was taken), or its being gone, leaves nothing of ours to free; any other error is thrown as raised.
 */
export async function giveBackLease(
  client: DynamoDBDocumentClient,
  tableName: string,
  key: LedgerTableKey,
  owner: string,
): Promise<void> {
  try {
    await client.send(
      new DeleteCommand({
        TableName: tableName,
        Key: key,
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': owner },
      }),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
}
