import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { FLEET_BUDGET_WINDOW_MS } from '../domain/fleet-budget';
import { InvalidRequestError, mapAwsError } from '../ports/errors';
import type { FleetChange, FleetChangeLog } from '../ports';
import {
  LEDGER_TABLE_SORT_KEY,
  LEDGER_TABLE_TTL_ATTRIBUTE,
  expiresAtEpochSeconds,
  fleetChangeKey,
  fleetChangePartitionKey,
  fleetChangeSortKeyRange,
} from '../ports/ledger-table';
import { queryRange } from './dynamodb-range-query';
import { parseStoredItem } from './stored-item';

const FleetChangeSchema = z
  .object({
    at: z.iso.datetime({ offset: true }),
    target: z.string().min(1),
    executionId: z.string().min(1),
    step: z.number().int().nonnegative(),
  })
  .strip();
const CONDITIONAL_CHECK_FAILED = 'ConditionalCheckFailedException';
/**
 * The items only serve the last hour's count; a few hours more keep them readable while a run is
 * looked into. The ledger keeps every change for the audit.
 */
export const FLEET_CHANGE_RETENTION_SECONDS = (3 * FLEET_BUDGET_WINDOW_MS) / 1000;

/**
 * The fleet's changes in the ledger table: one item per changing call in the `FLEET_CHANGE#fleet`
 * partition, keyed by time, execution and step (ports/ledger-table.ts), so one Query counts the hour.
 */
export class DynamoDbFleetChangeLog implements FleetChangeLog {
  private readonly tableName: string;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    props: { readonly tableName: string },
  ) {
    if (!props.tableName) throw new Error('tableName must not be empty');
    this.tableName = props.tableName;
  }

  async record(change: FleetChange): Promise<void> {
    const context = { action: 'PutItem', resource: `${this.tableName}/FLEET_CHANGE` };
    const parsed = FleetChangeSchema.safeParse(change);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InvalidRequestError(`fleet change ${issue.path.join('.') || '(root)'}: ${issue.message}`, context);
    }
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...parsed.data,
            ...fleetChangeKey(parsed.data),
            [LEDGER_TABLE_TTL_ATTRIBUTE]: expiresAtEpochSeconds(
              new Date(parsed.data.at),
              FLEET_CHANGE_RETENTION_SECONDS,
            ),
          },
          // A retried step writes the same key: the first record of the change stands.
          ConditionExpression: 'attribute_not_exists(#sk)',
          ExpressionAttributeNames: { '#sk': LEDGER_TABLE_SORT_KEY },
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name === CONDITIONAL_CHECK_FAILED) return;
      throw mapAwsError(error, context);
    }
  }

  async since(sinceIso: string): Promise<FleetChange[]> {
    const items = await queryRange(this.client, {
      tableName: this.tableName,
      partition: fleetChangePartitionKey(),
      range: fleetChangeSortKeyRange(sinceIso),
      context: { action: 'Query', resource: `${this.tableName}/FLEET_CHANGE` },
      // Eventually consistent: a change recorded in the last second or so may be missed, which lets
      // the fleet pass its cap by the few changes other runs make in that second at most; a strongly
      // consistent read would not close that gap either (the count and the change are not one
      // transaction), and costs twice the read capacity.
      consistentRead: false,
    });
    return items.map((item) => parseStoredItem(FleetChangeSchema, item, 'fleet change'));
  }
}
