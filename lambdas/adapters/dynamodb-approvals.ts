import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  ApprovalEventSchema,
  ApprovalRequestSchema,
  type ApprovalEvent,
  type ApprovalRequest,
} from '../domain/approval';
import { mapAwsError } from '../ports/errors';
import type { ApprovalDesk } from '../ports';
import {
  DEFAULT_LEDGER_RETENTION_DAYS,
  LEDGER_TABLE_TTL_ATTRIBUTE,
  approvalEventKey,
  approvalRequestKey,
  eventSortKeyRange,
  expiresAtEpochSeconds,
} from '../ports/ledger-table';
import { callAws } from './aws-call';
import { parseItemToWrite, parseStoredItem } from './stored-item';
import { queryRange } from './dynamodb-range-query';

export interface DynamoDbApprovalsProps {
  /** The ledger table, laid out as in `ports/ledger-table.ts`. */
  readonly tableName: string;
  /**
   * Makes the unique suffix of each event's sort key.
   * @default random UUIDs
   */
  readonly uniqueId?: () => string;
}

const StoredRequestSchema = ApprovalRequestSchema.strip();
const StoredEventSchema = ApprovalEventSchema.strip();
const CONDITIONAL_CHECK_FAILED = 'ConditionalCheckFailedException';

/**
 * Approval requests in the ledger table: the one a target's run waits on (with its task token, so
 * `stream-medic approve --target` finds it), and every decision and timeout for the history.
 */
export class DynamoDbApprovals implements ApprovalDesk {
  private readonly tableName: string;
  private readonly uniqueId: () => string;
  private readonly retentionSeconds = DEFAULT_LEDGER_RETENTION_DAYS * 24 * 60 * 60;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    props: DynamoDbApprovalsProps,
  ) {
    if (!props.tableName) throw new Error('tableName must not be empty');
    this.tableName = props.tableName;
    this.uniqueId = props.uniqueId ?? randomUUID;
  }

  async open(request: ApprovalRequest): Promise<void> {
    const context = { action: 'PutItem', resource: `${this.tableName}/approval/${request.target}` };
    const valid = parseItemToWrite(ApprovalRequestSchema, request, 'approval request', context);
    // The request goes when its wait would have timed out, whoever forgets to remove it.
    const expiresAt = Math.ceil(Date.parse(request.timesOutAt) / 1000);
    await callAws(context, () =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...valid, ...approvalRequestKey(request.target), [LEDGER_TABLE_TTL_ATTRIBUTE]: expiresAt },
        }),
      ),
    );
  }

  async close(event: ApprovalEvent, answeredToken?: string): Promise<void> {
    const context = { action: 'PutItem', resource: `${this.tableName}/approval/${event.target}/events` };
    const valid = parseItemToWrite(ApprovalEventSchema, event, 'approval event', context);
    const key = approvalEventKey(event.target, event.at, this.uniqueId());
    const expiresAt = expiresAtEpochSeconds(new Date(event.at), this.retentionSeconds);
    await callAws(context, () =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...valid, ...key, [LEDGER_TABLE_TTL_ATTRIBUTE]: expiresAt },
        }),
      ),
    );
    // Only this run's request goes: a newer run of the target may already wait on its own. A decision
    // withdraws only the request it answered: a run whose plan changed meanwhile asks again, same run, new token.
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: approvalRequestKey(event.target),
          ConditionExpression:
            answeredToken === undefined
              ? '#executionId = :executionId'
              : '#executionId = :executionId AND #taskToken = :taskToken',
          ExpressionAttributeNames: {
            '#executionId': 'executionId',
            ...(answeredToken === undefined ? {} : { '#taskToken': 'taskToken' }),
          },
          ExpressionAttributeValues: {
            ':executionId': event.executionId,
            ...(answeredToken === undefined ? {} : { ':taskToken': answeredToken }),
          },
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name === CONDITIONAL_CHECK_FAILED) return;
      throw mapAwsError(error, { action: 'DeleteItem', resource: `${this.tableName}/approval/${event.target}` });
    }
  }

  async waiting(target: string): Promise<ApprovalRequest | undefined> {
    const context = { action: 'GetItem', resource: `${this.tableName}/approval/${target}` };
    const found = await callAws(context, () =>
      this.client.send(
        new GetCommand({ TableName: this.tableName, Key: approvalRequestKey(target), ConsistentRead: true }),
      ),
    );
    return found.Item ? parseStoredItem(StoredRequestSchema, found.Item, 'approval request') : undefined;
  }

  async events(target: string, sinceIso: string): Promise<ApprovalEvent[]> {
    const items = await queryRange(this.client, {
      tableName: this.tableName,
      partition: approvalRequestKey(target).pk,
      range: eventSortKeyRange(sinceIso),
      context: { action: 'Query', resource: `${this.tableName}/approval/${target}` },
    });
    return items.map((item) => parseStoredItem(StoredEventSchema, item, 'approval event'));
  }
}
