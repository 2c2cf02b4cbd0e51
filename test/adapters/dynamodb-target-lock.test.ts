import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbTargetLock } from '../../lambdas/adapters/dynamodb-target-lock';
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
const NOW = new Date('2026-11-21T10:15:00.750Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const lock = new DynamoDbTargetLock(documentClient, { tableName: TABLE, clock: { now: () => NOW } });

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

beforeEach(() => dynamo.reset());

describe('DynamoDbTargetLock', () => {
  it('puts the lock item only if it is absent, expired, or already ours', async () => {
    dynamo.on(PutCommand).resolves({});

    expect(await lock.acquire('orders', 'execution-1', 900)).toBe(true);

    expect(dynamo.commandCalls(PutCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Item: {
        pk: 'LOCK#orders',
        sk: 'LOCK',
        owner: 'execution-1',
        acquiredAt: '2026-11-21T10:15:00.750Z',
        expiresAt: NOW_SECONDS + 900,
      },
      ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt < :now OR #owner = :owner',
      ExpressionAttributeNames: { '#pk': 'pk', '#expiresAt': 'expiresAt', '#owner': 'owner' },
      ExpressionAttributeValues: { ':now': NOW_SECONDS, ':owner': 'execution-1' },
    });
  });

  it('reports a lock held by someone else as not acquired', async () => {
    dynamo.on(PutCommand).rejects(conditionFailed());

    expect(await lock.acquire('orders', 'execution-2', 900)).toBe(false);
  });

  it('releases with a delete conditioned on the owner', async () => {
    dynamo.on(DeleteCommand).resolves({});

    await lock.release('orders', 'execution-1');

    expect(dynamo.commandCalls(DeleteCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: 'LOCK#orders', sk: 'LOCK' },
      ConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':owner': 'execution-1' },
    });
  });

  it('does nothing when the lock is no longer ours to release', async () => {
    dynamo.on(DeleteCommand).rejects(conditionFailed());

    await expect(lock.release('orders', 'execution-1')).resolves.toBeUndefined();
  });

  it('reads the owner of a live lock with a strongly consistent read', async () => {
    dynamo
      .on(GetCommand)
      .resolves({ Item: { pk: 'TARGET#orders', sk: 'LOCK', owner: 'execution-1', expiresAt: NOW_SECONDS } });

    await expect(lock.ownerOf('orders')).resolves.toBe('execution-1');
    expect(dynamo.commandCalls(GetCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: 'LOCK#orders', sk: 'LOCK' },
      ConsistentRead: true,
    });
  });

  it.each([
    ['no lock item', undefined],
    ['an expired lock', { pk: 'TARGET#orders', sk: 'LOCK', owner: 'execution-1', expiresAt: NOW_SECONDS - 1 }],
  ])('says nobody holds the lock for %s', async (_case, item) => {
    dynamo.on(GetCommand).resolves(item ? { Item: item } : {});

    await expect(lock.ownerOf('orders')).resolves.toBeUndefined();
  });

  it('maps a throttled read of the owner to ThrottlingError', async () => {
    dynamo.on(GetCommand).rejects(new ProvisionedThroughputExceededException({ message: 'throughput', $metadata: {} }));

    await expect(lock.ownerOf('orders')).rejects.toMatchObject({ name: 'ThrottlingError', action: 'GetItem' });
  });

  it.each([
    { owner: '', ttlSeconds: 900, field: 'owner' },
    { owner: 'execution-1', ttlSeconds: 0, field: 'ttlSeconds' },
    { owner: 'execution-1', ttlSeconds: 1.5, field: 'ttlSeconds' },
  ])('refuses a bad $field without calling DynamoDB', async ({ owner, ttlSeconds, field }) => {
    const error = await lock.acquire('orders', owner, ttlSeconds).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toContain(field);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it.each([
    {
      thrown: new ProvisionedThroughputExceededException({ message: 'throughput', $metadata: {} }),
      expected: ThrottlingError,
    },
    { thrown: new ResourceNotFoundException({ message: 'no table', $metadata: {} }), expected: ResourceNotFoundError },
    {
      thrown: awsError('AccessDeniedException', 'not authorized to perform dynamodb:PutItem'),
      expected: AccessDeniedError,
    },
  ])('maps $thrown.name on acquire and release to $expected.name', async ({ thrown, expected }) => {
    dynamo.on(PutCommand).rejects(thrown).on(DeleteCommand).rejects(thrown);

    await expect(lock.acquire('orders', 'execution-1', 900)).rejects.toMatchObject({
      name: expected.name,
      action: 'PutItem',
      resource: `${TABLE}/orders/LOCK`,
    });
    await expect(lock.release('orders', 'execution-1')).rejects.toMatchObject({
      name: expected.name,
      action: 'DeleteItem',
    });
  });
});
