import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RefusalRecordSchema, type RefusalRecord } from '../domain/refusal-record';
import type { RefusalLog } from '../ports';
import {
  DEFAULT_LEDGER_RETENTION_DAYS,
  LEDGER_TABLE_TTL_ATTRIBUTE,
  expiresAtEpochSeconds,
  refusalItemKey,
  refusalSortKeyRange,
  targetPartitionKey,
} from '../ports/ledger-table';
import { parseItemToWrite, parseStoredItem, putFirstRecord } from './stored-item';
import { queryRange } from './dynamodb-range-query';

const StoredRefusalSchema = RefusalRecordSchema.strip();
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
      const context = { action: 'PutItem', resource };
      const parsed = parseItemToWrite(RefusalRecordSchema, refusal, 'refusal', context);
      await putFirstRecord(
        this.client,
        this.tableName,
        {
          ...parsed,
          ...refusalItemKey(refusal.target, refusal),
          [LEDGER_TABLE_TTL_ATTRIBUTE]: expiresAtEpochSeconds(new Date(refusal.at), RETENTION_SECONDS),
        },
        context,
      );
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
