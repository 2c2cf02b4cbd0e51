import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { FLEET_BUDGET_WINDOW_MS } from '../domain/fleet-budget';
import type { FleetChange, FleetChangeLog } from '../ports';
import {
  LEDGER_TABLE_TTL_ATTRIBUTE,
  expiresAtEpochSeconds,
  fleetChangeKey,
  fleetChangePartitionKey,
  fleetChangeSortKeyRange,
} from '../ports/ledger-table';
import { queryRange } from './dynamodb-range-query';
import { parseItemToWrite, parseStoredItem, putFirstRecord } from './stored-item';

const FleetChangeSchema = z
  .object({
    at: z.iso.datetime({ offset: true }),
    target: z.string().min(1),
    executionId: z.string().min(1),
    step: z.number().int().nonnegative(),
  })
  .strip();
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
      // Eventually consistent: a change recorded in the last second or so may be missed, which lets
      // the fleet pass its cap by the few changes other runs make in that second at most; a strongly
      // consistent read would not close that gap either (the count and the change are not one
      // transaction), and costs twice the read capacity.
      consistentRead: false,
    });
    return items.map((item) => parseStoredItem(FleetChangeSchema, item, 'fleet change'));
  }
}
