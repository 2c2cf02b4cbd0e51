import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { FLEET_BUDGET_WINDOW_MS, assertChangeCap, chooseChangeSlot, type ChangeSlot } from '../domain/fleet-budget';
import type { FleetChange, FleetChangeClaim, FleetChangeLog } from '../ports';
import { mapAwsError } from '../ports/errors';
import {
  LEDGER_TABLE_PARTITION_KEY,
  LEDGER_TABLE_SORT_KEY,
  LEDGER_TABLE_TTL_ATTRIBUTE,
  canonicalIsoTime,
  expiresAtEpochSeconds,
  fleetChangeClaimOwner,
  fleetChangeKey,
  fleetChangePartitionKey,
  fleetChangeSlotKey,
  fleetChangeSlotPartitionKey,
  fleetChangeSlotSortKeyRange,
  fleetChangeSortKeyRange,
  fleetSlotIndex,
} from '../ports/ledger-table';
import { queryRange } from './dynamodb-range-query';
import { spreadIndex } from './dynamodb-fleet-slots';
import { isConditionalCheckFailed } from './dynamodb-lease';
import { parseItemToWrite, parseStoredItem, putFirstRecord } from './stored-item';

const FleetChangeSchema = z
  .object({
    at: z.iso.datetime({ offset: true }),
    target: z.string().min(1),
    executionId: z.string().min(1),
    step: z.number().int().nonnegative(),
  })
  .strip();
/** A change slot's item: the change that last took the slot, with its round. */
const FleetChangeClaimSchema = FleetChangeSchema.extend({ round: z.number().int().positive() });

/**
 * The items only serve the last hour's count; a few hours more keep them readable while a run is
 * looked into. The ledger keeps every change for the audit.
 */
export const FLEET_CHANGE_RETENTION_SECONDS = (3 * FLEET_BUDGET_WINDOW_MS) / 1000;

/**
 * The fleet's changes in the ledger table: one item per changing call in the `FLEET_CHANGE#fleet`
 * partition, keyed by time, execution and step (ports/ledger-table.ts), so one Query counts the hour.
 * The bound itself is a ring of `fleet.maxChangesPerHour` slot items in the `FLEET_CHANGE_SLOT#fleet`
 * partition: each change takes one with a conditional write that succeeds only if nobody took that
 * slot in the hour before, so whatever the races, no more changes than slots go through in an hour.
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
    const parsed = parseItemToWrite(FleetChangeSchema, change, 'fleet change', context);
    await putFirstRecord(
      this.client,
      this.tableName,
      {
        ...parsed,
        ...fleetChangeKey(parsed),
        [LEDGER_TABLE_TTL_ATTRIBUTE]: expiresAtEpochSeconds(new Date(parsed.at), FLEET_CHANGE_RETENTION_SECONDS),
      },
      context,
    );
  }

  async since(sinceIso: string): Promise<FleetChange[]> {
    const items = await queryRange(this.client, {
      tableName: this.tableName,
      partition: fleetChangePartitionKey(),
      range: fleetChangeSortKeyRange(sinceIso),
      context: { action: 'Query', resource: `${this.tableName}/FLEET_CHANGE` },
      // Eventually consistent: a change recorded in the last second or so may be missed by the
      // planners' count, which only refuses early; the claim (below) is what holds the cap.
      consistentRead: false,
    });
    return items.map((item) => parseStoredItem(FleetChangeSchema, item, 'fleet change'));
  }

  async claim(change: FleetChangeClaim, maxChangesPerHour: number): Promise<boolean> {
    const context = { action: 'PutItem', resource: `${this.tableName}/FLEET_CHANGE_SLOT` };
    const parsed = parseItemToWrite(FleetChangeClaimSchema, change, 'fleet change', context);
    assertChangeCap(maxChangesPerHour, context);
    const at = canonicalIsoTime(parsed.at);
    const hourBefore = new Date(Date.parse(at) - FLEET_BUDGET_WINDOW_MS).toISOString();
    const owner = fleetChangeClaimOwner(parsed);
    // A failed write means another run took that very slot since the read, and the next read shows
    // it taken for an hour: after `maxChangesPerHour` failures every slot has been seen taken, so one
    // more try always ends with a slot or with none free.
    for (let attempt = 0; attempt <= maxChangesPerHour; attempt += 1) {
      const choice = chooseChangeSlot(await this.slots(), owner, at, maxChangesPerHour);
      if (choice.kind !== 'free') return choice.kind === 'held';
      const index = choice.indexes[spreadIndex(owner, attempt, choice.indexes.length)]!;
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...parsed,
              at,
              ...fleetChangeSlotKey(index),
              [LEDGER_TABLE_TTL_ATTRIBUTE]: expiresAtEpochSeconds(new Date(at), FLEET_CHANGE_RETENTION_SECONDS),
            },
            // ISO times in one format (canonicalIsoTime) compare as text in time order.
            ConditionExpression: 'attribute_not_exists(#pk) OR #at <= :hourBefore',
            ExpressionAttributeNames: { '#pk': LEDGER_TABLE_PARTITION_KEY, '#at': 'at' },
            ExpressionAttributeValues: { ':hourBefore': hourBefore },
          }),
        );
        return true;
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw mapAwsError(error, context);
      }
    }
    return false;
  }

  /** Every change slot with the change that last took it; strongly consistent, so a slot taken a moment ago is seen taken. */
  private async slots(): Promise<ChangeSlot[]> {
    const items = await queryRange(this.client, {
      tableName: this.tableName,
      partition: fleetChangeSlotPartitionKey(),
      range: fleetChangeSlotSortKeyRange(),
      context: { action: 'Query', resource: `${this.tableName}/FLEET_CHANGE_SLOT` },
      consistentRead: true,
    });
    return items.flatMap((item) => {
      const index = fleetSlotIndex(String(item[LEDGER_TABLE_SORT_KEY]));
      if (index === undefined) return [];
      const slot = parseStoredItem(FleetChangeClaimSchema, item, 'fleet change slot');
      return [{ index, at: canonicalIsoTime(slot.at), owner: fleetChangeClaimOwner(slot) }];
    });
  }
}
