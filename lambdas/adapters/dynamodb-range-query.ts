import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ErrorContext } from '../ports/errors';
import { LEDGER_TABLE_PARTITION_KEY, LEDGER_TABLE_SORT_KEY } from '../ports/ledger-table';
import { callAws } from './aws-call';

export interface SortKeyRangeQuery {
  readonly tableName: string;
  /** The partition's key value. */
  readonly partition: string;
  /** Sort keys from `from` to `to`, both included. */
  readonly range: { readonly from: string; readonly to: string };
  readonly context: ErrorContext;
  /** Items per page; unset, DynamoDB's own 1 MB page. */
  readonly pageSize?: number;
  /** Unset or true: strongly consistent. */
  readonly consistentRead?: boolean;
}

/**
 * Every item of one partition between two sort keys, oldest first, reading page after page.
 * Strongly consistent unless asked otherwise: the history and the guardrails must see what a run
 * wrote a moment ago.
 */
export async function queryRange(
  client: DynamoDBDocumentClient,
  query: SortKeyRangeQuery,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const exclusiveStartKey = startKey;
    const page = await callAws(query.context, () =>
      client.send(
        new QueryCommand({
          TableName: query.tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': LEDGER_TABLE_PARTITION_KEY, '#sk': LEDGER_TABLE_SORT_KEY },
          ExpressionAttributeValues: { ':pk': query.partition, ':from': query.range.from, ':to': query.range.to },
          ScanIndexForward: true,
          ConsistentRead: query.consistentRead ?? true,
          ExclusiveStartKey: exclusiveStartKey,
          ...(query.pageSize !== undefined && { Limit: query.pageSize }),
        }),
      ),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
