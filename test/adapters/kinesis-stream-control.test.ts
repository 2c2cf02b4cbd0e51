import {
  DescribeStreamSummaryCommand,
  IncreaseStreamRetentionPeriodCommand,
  InvalidArgumentException,
  KinesisClient,
  KMSAccessDeniedException,
  LimitExceededException,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateShardCountCommand,
} from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { KinesisStreamControl } from '../../lambdas/adapters/kinesis-stream-control';
import {
  AccessDeniedError,
  InvalidRequestError,
  LimitExceededError,
  ResourceInUseError,
  ResourceNotFoundError,
  ServiceUnavailableError,
  ThrottlingError,
} from '../../lambdas/ports/errors';
import { awsError } from './support/aws-errors';

const kinesis = mockClient(KinesisClient);
const control = new KinesisStreamControl(new KinesisClient({ region: 'us-east-1' }));

beforeEach(() => kinesis.reset());

describe('KinesisStreamControl', () => {
  it('returns DescribeStreamSummary as plain JSON, times as ISO strings and no SDK metadata', async () => {
    kinesis.on(DescribeStreamSummaryCommand, { StreamName: 'orders-stream' }).resolves({
      $metadata: { httpStatusCode: 200, requestId: 'r-1' },
      StreamDescriptionSummary: {
        StreamName: 'orders-stream',
        StreamARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/orders-stream',
        StreamStatus: 'ACTIVE',
        StreamModeDetails: { StreamMode: 'PROVISIONED' },
        RetentionPeriodHours: 24,
        StreamCreationTimestamp: new Date('2026-01-02T03:04:05Z'),
        EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
        EncryptionType: 'NONE',
        KeyId: undefined,
        OpenShardCount: 4,
        ConsumerCount: 1,
      },
    });

    const summary = await control.describeStreamSummary('orders-stream');

    expect(summary).toStrictEqual({
      StreamDescriptionSummary: {
        StreamName: 'orders-stream',
        StreamARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/orders-stream',
        StreamStatus: 'ACTIVE',
        StreamModeDetails: { StreamMode: 'PROVISIONED' },
        RetentionPeriodHours: 24,
        StreamCreationTimestamp: '2026-01-02T03:04:05.000Z',
        EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
        EncryptionType: 'NONE',
        OpenShardCount: 4,
        ConsumerCount: 1,
      },
    });
  });

  it('sends UpdateShardCount with uniform scaling to the requested target', async () => {
    kinesis.on(UpdateShardCountCommand).resolves({});

    await control.updateShardCount('orders-stream', 8);

    expect(kinesis.commandCalls(UpdateShardCountCommand).map((call) => call.args[0].input)).toEqual([
      { StreamName: 'orders-stream', TargetShardCount: 8, ScalingType: 'UNIFORM_SCALING' },
    ]);
  });

  it('sends IncreaseStreamRetentionPeriod with the hours requested', async () => {
    kinesis.on(IncreaseStreamRetentionPeriodCommand).resolves({});

    await control.increaseRetentionPeriod('orders-stream', 72);

    expect(kinesis.commandCalls(IncreaseStreamRetentionPeriodCommand)[0]!.args[0].input).toEqual({
      StreamName: 'orders-stream',
      RetentionPeriodHours: 72,
    });
  });

  it.each([0, -1, 2.5, Number.NaN])('refuses target shard count %p without calling Kinesis', async (target) => {
    await expect(control.updateShardCount('orders-stream', target)).rejects.toBeInstanceOf(InvalidRequestError);
    expect(kinesis.calls()).toHaveLength(0);
  });

  it.each([23, 8761, 48.5])('refuses retention of %p hours without calling Kinesis', async (hours) => {
    await expect(control.increaseRetentionPeriod('orders-stream', hours)).rejects.toBeInstanceOf(InvalidRequestError);
    expect(kinesis.calls()).toHaveLength(0);
  });

  const message = (name: string) => `${name}: what Kinesis said`;
  it.each([
    {
      thrown: new ResourceInUseException({ message: message('in use'), $metadata: {} }),
      expected: ResourceInUseError,
    },
    {
      thrown: new LimitExceededException({ message: message('limit'), $metadata: {} }),
      expected: LimitExceededError,
    },
    {
      thrown: new InvalidArgumentException({ message: message('invalid'), $metadata: {} }),
      expected: InvalidRequestError,
    },
    {
      thrown: new ResourceNotFoundException({ message: message('not found'), $metadata: {} }),
      expected: ResourceNotFoundError,
    },
    {
      thrown: new KMSAccessDeniedException({ message: message('kms'), $metadata: {} }),
      expected: AccessDeniedError,
    },
    { thrown: awsError('AccessDeniedException', message('denied')), expected: AccessDeniedError },
    { thrown: awsError('ThrottlingException', message('throttled')), expected: ThrottlingError },
    { thrown: awsError('InternalFailure', message('internal'), 500), expected: ServiceUnavailableError },
  ])('maps $thrown.name from UpdateShardCount to $expected.name', async ({ thrown, expected }) => {
    kinesis.on(UpdateShardCountCommand).rejects(thrown);

    const error = await control.updateShardCount('orders-stream', 8).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(expected);
    expect(error).toMatchObject({
      name: expected.name,
      action: 'UpdateShardCount',
      resource: 'stream/orders-stream',
      awsErrorName: thrown.name,
      message: `UpdateShardCount on stream/orders-stream: ${thrown.message}`,
      cause: thrown,
    });
  });

  it('treats LimitExceededException on DescribeStreamSummary as throttling (its request-rate limit)', async () => {
    kinesis
      .on(DescribeStreamSummaryCommand)
      .rejects(new LimitExceededException({ message: 'Rate exceeded', $metadata: {} }));

    const error = await control.describeStreamSummary('orders-stream').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ThrottlingError);
    expect(error).toMatchObject({ retryable: true, awsErrorName: 'LimitExceededException' });
  });
});
