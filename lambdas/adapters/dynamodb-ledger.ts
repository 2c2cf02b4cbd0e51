import { randomUUID } from 'node:crypto';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LedgerEntry } from '../domain/model';
import { LedgerEntrySchema } from '../domain/snapshot';
import type { Ledger } from '../ports';
import {
  DEFAULT_LEDGER_RETENTION_DAYS,
  LEDGER_TABLE_PARTITION_KEY,
  LEDGER_TABLE_SORT_KEY,
  LEDGER_TABLE_TTL_ATTRIBUTE,
  ledgerItemKey,
  ledgerSortKeyRange,
  expiresAtEpochSeconds,
  targetPartitionKey,
} from '../ports/ledger-table';
import { callAws } from './aws-call';
import { parseItemToWrite } from './stored-item';
import { queryRange } from './dynamodb-range-query';

export interface DynamoDbLedgerProps {
  /** The ledger table, laid out as in `ports/ledger-table.ts`. */
  readonly tableName: string;
  /**
   * Days an entry is kept before DynamoDB's TTL removes it, counted from the entry's `at`.
   * @default 30
   */
  readonly retentionDays?: number;
  /**
   * Items per Query page.
   * @default DynamoDB's 1 MB pages
   */
  readonly queryPageSize?: number;
  /**
   * Makes the unique suffix of each sort key, so entries at the same instant do not overwrite each other.
   * @default random UUIDs
   */
  readonly uniqueId?: () => string;
}

const KEY_ATTRIBUTES = new Set([LEDGER_TABLE_PARTITION_KEY, LEDGER_TABLE_SORT_KEY, LEDGER_TABLE_TTL_ATTRIBUTE]);

/** The action ledger in DynamoDB: one item per change, keyed by target and time. */
export class DynamoDbLedger implements Ledger {
  private readonly tableName: string;
  private readonly retentionSeconds: number;
  private readonly queryPageSize: number | undefined;
  private readonly uniqueId: () => string;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    props: DynamoDbLedgerProps,
  ) {
    if (!props.tableName) throw new Error('tableName must not be empty');
    const retentionDays = props.retentionDays ?? DEFAULT_LEDGER_RETENTION_DAYS;
    if (!(retentionDays > 0)) throw new Error(`retentionDays must be positive, got ${props.retentionDays}`);
    if (props.queryPageSize !== undefined && !(Number.isInteger(props.queryPageSize) && props.queryPageSize > 0)) {
      throw new Error(`queryPageSize must be a positive integer, got ${props.queryPageSize}`);
    }
    this.tableName = props.tableName;
    this.retentionSeconds = Math.round(retentionDays * 24 * 60 * 60);
    this.queryPageSize = props.queryPageSize;
    this.uniqueId = props.uniqueId ?? randomUUID;
  }

  async record(entry: LedgerEntry): Promise<void> {
    const context = { action: 'PutItem', resource: `${this.tableName}/${entry.target}` };
    const valid = parseItemToWrite(LedgerEntrySchema, entry, 'ledger entry', context);
    const key = ledgerItemKey(entry.target, entry.at, this.uniqueId());
    const expiresAt = expiresAtEpochSeconds(new Date(entry.at), this.retentionSeconds);
    await callAws(context, () =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...valid, ...key, [LEDGER_TABLE_TTL_ATTRIBUTE]: expiresAt },
        }),
      ),
    );
  }

  async list(target: string, sinceIso: string): Promise<LedgerEntry[]> {
    const items = await queryRange(this.client, {
      tableName: this.tableName,
      partition: targetPartitionKey(target),
      range: ledgerSortKeyRange(sinceIso),
      context: { action: 'Query', resource: `${this.tableName}/${target}` },
      ...(this.queryPageSize !== undefined && { pageSize: this.queryPageSize }),
    });
    return items.map(toLedgerEntry);
  }
}

// Items written by another version may carry more fields; keep what the domain knows.
const StoredLedgerEntrySchema = LedgerEntrySchema.strip();

function toLedgerEntry(item: Record<string, unknown>): LedgerEntry {
  const fields = Object.fromEntries(Object.entries(item).filter(([name]) => !KEY_ATTRIBUTES.has(name)));
  const parsed = StoredLedgerEntrySchema.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(
      `ledger item ${String(item[LEDGER_TABLE_SORT_KEY])} is malformed at ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  return parsed.data;
}
