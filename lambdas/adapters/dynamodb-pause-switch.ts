import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { FLEET_SCOPE, PauseEventSchema, PauseSchema, type Pause, type PauseEvent } from '../domain/pause';
import type { PauseControl } from '../ports';
import {
  DEFAULT_LEDGER_RETENTION_DAYS,
  LEDGER_TABLE_TTL_ATTRIBUTE,
  expiresAtEpochSeconds,
  pauseEventKey,
  eventSortKeyRange,
  pauseItemKey,
} from '../ports/ledger-table';
import { callAws } from './aws-call';
import { parseItemToWrite, parseStoredItem } from './stored-item';
import { queryRange } from './dynamodb-range-query';

// Items written by another version may carry more fields; keep what the domain knows.
const StoredPauseSchema = PauseSchema.strip();
const StoredPauseEventSchema = PauseEventSchema.strip();

export interface DynamoDbPauseSwitchProps {
  /** The ledger table, laid out as in `ports/ledger-table.ts`. */
  readonly tableName: string;
  /**
   * Makes the unique suffix of each event's sort key.
   * @default random UUIDs
   */
  readonly uniqueId?: () => string;
}

/**
 * The kill switch in the ledger table: one item per paused scope, which the workflow reads with
 * consistent reads on every assessment, and one event item per pause or resume for the history.
 */
export class DynamoDbPauseSwitch implements PauseControl {
  private readonly tableName: string;
  private readonly uniqueId: () => string;
  private readonly eventRetentionSeconds = DEFAULT_LEDGER_RETENTION_DAYS * 24 * 60 * 60;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    props: DynamoDbPauseSwitchProps,
  ) {
    if (!props.tableName) throw new Error('tableName must not be empty');
    this.tableName = props.tableName;
    this.uniqueId = props.uniqueId ?? randomUUID;
  }

  async pausesFor(target: string): Promise<Pause[]> {
    const pauses: Pause[] = [];
    for (const scope of [target, FLEET_SCOPE]) {
      const context = { action: 'GetItem', resource: `${this.tableName}/pause/${scope}` };
      const found = await callAws(context, () =>
        this.client.send(new GetCommand({ TableName: this.tableName, Key: pauseItemKey(scope), ConsistentRead: true })),
      );
      if (found.Item) pauses.push(parseStoredItem(StoredPauseSchema, found.Item, 'pause'));
    }
    return pauses;
  }

  async pause(pause: Pause): Promise<void> {
    const context = { action: 'PutItem', resource: `${this.tableName}/pause/${pause.scope}` };
    const valid = parseItemToWrite(PauseSchema, pause, 'pause', context);
    // The switch first: a pause that takes effect but misses its history entry is the safer half.
    await callAws(context, () =>
      this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...valid, ...pauseItemKey(pause.scope) } })),
    );
    await this.recordEvent({
      kind: 'pause',
      scope: pause.scope,
      by: pause.by,
      ...(pause.operatorArn ? { operatorArn: pause.operatorArn } : {}),
      reason: pause.reason,
      at: pause.at,
    });
  }

  async resume(scope: string, by: string, at: string, operatorArn?: string): Promise<Pause | undefined> {
    const context = { action: 'DeleteItem', resource: `${this.tableName}/pause/${scope}` };
    const deleted = await callAws(context, () =>
      this.client.send(
        new DeleteCommand({ TableName: this.tableName, Key: pauseItemKey(scope), ReturnValues: 'ALL_OLD' }),
      ),
    );
    if (!deleted.Attributes) return undefined;
    await this.recordEvent({ kind: 'resume', scope, by, ...(operatorArn ? { operatorArn } : {}), at });
    return parseStoredItem(StoredPauseSchema, deleted.Attributes, 'pause');
  }

  async events(scope: string, sinceIso: string): Promise<PauseEvent[]> {
    const items = await queryRange(this.client, {
      tableName: this.tableName,
      partition: pauseItemKey(scope).pk,
      range: eventSortKeyRange(sinceIso),
      context: { action: 'Query', resource: `${this.tableName}/pause/${scope}` },
    });
    return items.map((item) => parseStoredItem(StoredPauseEventSchema, item, 'pause event'));
  }

  private async recordEvent(event: PauseEvent): Promise<void> {
    const context = { action: 'PutItem', resource: `${this.tableName}/pause/${event.scope}/events` };
    const key = pauseEventKey(event.scope, event.at, this.uniqueId());
    const expiresAt = expiresAtEpochSeconds(new Date(event.at), this.eventRetentionSeconds);
    await callAws(context, () =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...event, ...key, [LEDGER_TABLE_TTL_ATTRIBUTE]: expiresAt },
        }),
      ),
    );
  }
}
