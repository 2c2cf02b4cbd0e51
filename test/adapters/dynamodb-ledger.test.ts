import {
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbLedger } from '../../lambdas/adapters/dynamodb-ledger';
import type { LedgerEntry } from '../../lambdas/domain/model';
import {
  AccessDeniedError,
  InvalidRequestError,
  ResourceNotFoundError,
  ThrottlingError,
} from '../../lambdas/ports/errors';
import { awsError } from './support/aws-errors';

const dynamo = mockClient(DynamoDBDocumentClient);
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const TABLE = 'stream-medic-ledger';

const entry: LedgerEntry = {
  at: '2026-11-21T10:15:00Z',
  target: 'orders',
  resource: 'stream/orders-stream',
  actionType: 'UpdateShardCount',
  direction: 'up',
  from: 4,
  to: 8,
  calls: 1,
  executionId: 'arn:aws:states:us-east-1:123456789012:execution:stream-medic:abc',
};

const AT_EPOCH_SECONDS = Date.parse('2026-11-21T10:15:00Z') / 1000;

beforeEach(() => dynamo.reset());

describe('DynamoDbLedger', () => {
  it('writes the entry under the target partition, keyed by canonical time, with a 30-day TTL', async () => {
    dynamo.on(PutCommand).resolves({});
    const ledger = new DynamoDbLedger(documentClient, { tableName: TABLE, uniqueId: () => 'u-1' });

    await ledger.record(entry);

    expect(dynamo.commandCalls(PutCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Item: {
        ...entry,
        pk: 'TARGET#orders',
        sk: 'LEDGER#2026-11-21T10:15:00.000Z#u-1',
        expiresAt: AT_EPOCH_SECONDS + 30 * 24 * 3600,
      },
    });
  });

  it('keeps entries for the configured number of days', async () => {
    dynamo.on(PutCommand).resolves({});
    const ledger = new DynamoDbLedger(documentClient, { tableName: TABLE, retentionDays: 2 });

    await ledger.record(entry);

    expect(dynamo.commandCalls(PutCommand)[0]!.args[0].input.Item!.expiresAt).toBe(AT_EPOCH_SECONDS + 2 * 24 * 3600);
  });

  it('refuses a malformed entry without writing, naming the field', async () => {
    const ledger = new DynamoDbLedger(documentClient, { tableName: TABLE });

    const error = await ledger.record({ ...entry, resource: 'orders-stream' }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toContain('resource');
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('queries the window oldest first, consistently, and follows LastEvaluatedKey', async () => {
    const second = { ...entry, at: '2026-11-21T11:00:00.000Z', from: 8, to: 16 };
    dynamo
      .on(QueryCommand, { ExclusiveStartKey: undefined })
      .resolves({
        Items: [{ ...entry, pk: 'TARGET#orders', sk: 'LEDGER#2026-11-21T10:15:00.000Z#a', expiresAt: 1 }],
        LastEvaluatedKey: { pk: 'TARGET#orders', sk: 'LEDGER#2026-11-21T10:15:00.000Z#a' },
      })
      .on(QueryCommand, { ExclusiveStartKey: { pk: 'TARGET#orders', sk: 'LEDGER#2026-11-21T10:15:00.000Z#a' } })
      .resolves({ Items: [{ ...second, pk: 'TARGET#orders', sk: 'LEDGER#2026-11-21T11:00:00.000Z#b', expiresAt: 2 }] });
    const ledger = new DynamoDbLedger(documentClient, { tableName: TABLE, queryPageSize: 1 });

    const listed = await ledger.list('orders', '2026-11-21T10:00:00Z');

    expect(listed).toEqual([entry, second]);
    const requests = dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(requests).toHaveLength(2);
    expect(requests[0]).toEqual({
      TableName: TABLE,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
      ExpressionAttributeValues: {
        ':pk': 'TARGET#orders',
        ':from': 'LEDGER#2026-11-21T10:00:00.000Z',
        ':to': 'LEDGER#~',
      },
      ScanIndexForward: true,
      ConsistentRead: true,
      Limit: 1,
    });
  });

  it('refuses a window start that is not a time', async () => {
    const ledger = new DynamoDbLedger(documentClient, { tableName: TABLE });

    await expect(ledger.list('orders', 'yesterday')).rejects.toBeInstanceOf(InvalidRequestError);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('fails loudly on an item that is not a ledger entry', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [{ pk: 'TARGET#orders', sk: 'LEDGER#x#y', at: 'not a time' }] });
    const ledger = new DynamoDbLedger(documentClient, { tableName: TABLE });

    await expect(ledger.list('orders', '2026-11-21T10:00:00Z')).rejects.toThrow(/LEDGER#x#y is malformed at at/);
  });

  it.each([
    {
      thrown: new ProvisionedThroughputExceededException({ message: 'throughput', $metadata: {} }),
      expected: ThrottlingError,
    },
    { thrown: awsError('ThrottlingException', 'Rate exceeded'), expected: ThrottlingError },
    { thrown: new ResourceNotFoundException({ message: 'no table', $metadata: {} }), expected: ResourceNotFoundError },
    { thrown: awsError('AccessDeniedException', 'not authorized'), expected: AccessDeniedError },
    { thrown: awsError('ValidationException', 'bad key'), expected: InvalidRequestError },
  ])('maps $thrown.name from PutItem and Query to $expected.name', async ({ thrown, expected }) => {
    dynamo.on(PutCommand).rejects(thrown).on(QueryCommand).rejects(thrown);
    const ledger = new DynamoDbLedger(documentClient, { tableName: TABLE });

    await expect(ledger.record(entry)).rejects.toMatchObject({
      name: expected.name,
      action: 'PutItem',
      resource: `${TABLE}/orders`,
    });
    await expect(ledger.list('orders', '2026-11-21T10:00:00Z')).rejects.toMatchObject({
      name: expected.name,
      action: 'Query',
    });
  });

  it.each([
    { props: { tableName: '' }, prop: 'tableName' },
    { props: { tableName: TABLE, retentionDays: 0 }, prop: 'retentionDays' },
    { props: { tableName: TABLE, queryPageSize: 0 }, prop: 'queryPageSize' },
  ])('refuses a bad $prop, naming it', ({ props, prop }) => {
    expect(() => new DynamoDbLedger(documentClient, props)).toThrow(prop);
  });
});
