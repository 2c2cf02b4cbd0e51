import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod';
import { InvalidRequestError, mapAwsError, type ErrorContext } from '../ports/errors';
import { LEDGER_TABLE_PARTITION_KEY, LEDGER_TABLE_SORT_KEY, LEDGER_TABLE_TTL_ATTRIBUTE } from '../ports/ledger-table';

const KEY_ATTRIBUTES = new Set([LEDGER_TABLE_PARTITION_KEY, LEDGER_TABLE_SORT_KEY, LEDGER_TABLE_TTL_ATTRIBUTE]);

/**
 * An item of the ledger table read back through its schema, without the key attributes; an item no
 * schema reads is refused with its key and the field at fault, never guessed at.
 */
export function parseStoredItem<T>(schema: z.ZodType<T>, item: Record<string, unknown>, what: string): T {
  const fields = Object.fromEntries(Object.entries(item).filter(([name]) => !KEY_ATTRIBUTES.has(name)));
  const parsed = schema.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(
      `${what} item ${String(item[LEDGER_TABLE_PARTITION_KEY])}/${String(item[LEDGER_TABLE_SORT_KEY])} is malformed at ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`,
    );
  }
  return parsed.data;
}

/**
 * A value about to be written, read through its schema first: a malformed one is refused with the
 * field at fault before any call is made, so nothing half-formed reaches the table.
 */
export function parseItemToWrite<T>(schema: z.ZodType<T>, value: unknown, what: string, context: ErrorContext): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidRequestError(`${what} ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`, context);
  }
  return parsed.data;
}

/**
 * Writes an item unless its key is already in the table. A retried step writes the same key, and the
 * first record of it stands: the failed condition is that retry, not an error.
 */
export async function putFirstRecord(
  client: DynamoDBDocumentClient,
  tableName: string,
  item: Record<string, unknown>,
  context: ErrorContext,
): Promise<void> {
  try {
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(#sk)',
        ExpressionAttributeNames: { '#sk': LEDGER_TABLE_SORT_KEY },
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return;
    throw mapAwsError(error, context);
  }
}
