import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Notice, NoticeLog, TurnedAwayLog, TurnedAwayRun } from '../ports';
import {
  DEFAULT_LEDGER_RETENTION_DAYS,
  LEDGER_TABLE_TTL_ATTRIBUTE,
  expiresAtEpochSeconds,
  noticeItemKey,
  turnedAwayItemKey,
} from '../ports/ledger-table';
import { callAws } from './aws-call';

const RETENTION_SECONDS = DEFAULT_LEDGER_RETENTION_DAYS * 24 * 60 * 60;

function requireTableName(tableName: string): string {
  if (!tableName) throw new Error('tableName must not be empty');
  return tableName;
}

/** The last notice per target: one `NOTICE#<target>` item, replaced by every message published. */
export class DynamoDbNoticeLog implements NoticeLog {
  private readonly tableName: string;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    tableName: string,
  ) {
    this.tableName = requireTableName(tableName);
  }

  async last(target: string): Promise<Notice | undefined> {
    const context = { action: 'GetItem', resource: `${this.tableName}/${target}/NOTICE` };
    const read = await callAws(context, () =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: noticeItemKey(target), ConsistentRead: true })),
    );
    const item = read.Item;
    if (
      !item ||
      typeof item['at'] !== 'string' ||
      typeof item['executionId'] !== 'string' ||
      typeof item['fingerprint'] !== 'string' ||
      typeof item['subject'] !== 'string'
    ) {
      // No notice yet, or one this version cannot read: the next message is published.
      return undefined;
    }
    return {
      target,
      at: item['at'],
      executionId: item['executionId'],
      fingerprint: item['fingerprint'],
      subject: item['subject'],
    };
  }

  async remember(notice: Notice): Promise<void> {
    const context = { action: 'PutItem', resource: `${this.tableName}/${notice.target}/NOTICE` };
    await callAws(context, () =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...noticeItemKey(notice.target),
            at: notice.at,
            executionId: notice.executionId,
            fingerprint: notice.fingerprint,
            subject: notice.subject,
            [LEDGER_TABLE_TTL_ATTRIBUTE]: expiresAtEpochSeconds(new Date(notice.at), RETENTION_SECONDS),
          },
        }),
      ),
    );
  }
}

/** Runs the lock turned away: one `TURNED_AWAY#<target>` item each, kept as long as the ledger. */
export class DynamoDbTurnedAwayLog implements TurnedAwayLog {
  private readonly tableName: string;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    tableName: string,
  ) {
    this.tableName = requireTableName(tableName);
  }

  async record(run: TurnedAwayRun): Promise<void> {
    const context = { action: 'PutItem', resource: `${this.tableName}/${run.target}/TURNED_AWAY` };
    await callAws(context, () =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...turnedAwayItemKey(run.target, run.at, run.executionId),
            ...run,
            [LEDGER_TABLE_TTL_ATTRIBUTE]: expiresAtEpochSeconds(new Date(run.at), RETENTION_SECONDS),
          },
        }),
      ),
    );
  }
}
