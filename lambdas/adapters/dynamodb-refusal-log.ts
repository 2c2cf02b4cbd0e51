import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RefusalRecordSchema, type RefusalRecord } from '../domain/refusal-record';
import { InvalidRequestError, mapAwsError } from '../ports/errors';
import type { RefusalLog } from '../ports';
import {
  DEFAULT_LEDGER_RETENTION_DAYS,
  LEDGER_TABLE_SORT_KEY,
  LEDGER_TABLE_TTL_ATTRIBUTE,
  expiresAtEpochSeconds,
  refusalItemKey,
  refusalSortKeyRange,
  targetPartitionKey,
} from '../ports/ledger-table';
import { parseStoredItem } from './stored-item';
import { queryRange } from './dynamodb-range-query';

const StoredRefusalSchema = RefusalRecordSchema.strip();
const CONDITIONAL_CHECK_FAILED = 'ConditionalCheckFailedException';
const RETENTION_SECONDS = DEFAULT_LEDGER_RETENTION_DAYS * 24 * 60 * 60;

/**
 * The guardrails' refusals in the ledger table: one item per refusal in the target's `TARGET#`
 * partition under the `REFUSAL#` sort key prefix (ports/ledger-table.ts), kept as long as the ledger.
 */
export class DynamoDbRefusalLog implements RefusalLog {
  private readonly tableName: string;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    props: { readonly tableName: string },
  ) {
    if (!props.tableName) throw new Error('tableName must not be empty');
    this.tableName = props.tableName;
  }

  async record(refusals: readonly RefusalRecord[]): Promise<void> {
    for (const refusal of refusals) {
      const resource = `${this.tableName}/${refusal.target}/REFUSAL`;
      const parsed = RefusalRecordSchema.safeParse(refusal);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new InvalidRequestError(`refusal ${issue.path.join('.') || '(root)'}: ${issue.message}`, {
          action: 'PutItem',
          resource,
        });
      }
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...parsed.data,
              ...refusalItemKey(refusal.target, refusal),
              [LEDGER_TABLE_TTL_ATTRIBUTE]: expiresAtEpochSeconds(new Date(refusal.at), RETENTION_SECONDS),
            },
            // A retried task writes the same key: the first record of the refusal stands.
            ConditionExpression: 'attribute_not_exists(#sk)',
            ExpressionAttributeNames: { '#sk': LEDGER_TABLE_SORT_KEY },
          }),
        );
      } catch (error) {
        if ((error as { name?: string }).name === CONDITIONAL_CHECK_FAILED) continue;
        throw mapAwsError(error, { action: 'PutItem', resource });
      }
    }
  }

  async list(target: string, sinceIso: string): Promise<RefusalRecord[]> {
    const items = await queryRange(this.client, {
      tableName: this.tableName,
      partition: targetPartitionKey(target),
      range: refusalSortKeyRange(sinceIso),
      context: { action: 'Query', resource: `${this.tableName}/${target}/REFUSAL` },
    });
    return items
      .map((item) => parseStoredItem(StoredRefusalSchema, item, 'refusal'))
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.index - b.index);
  }
}
