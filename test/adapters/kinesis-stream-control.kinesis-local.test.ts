import { CreateStreamCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createAwsClients } from '../../lambdas/adapters/aws-clients';
import { KinesisStreamControl } from '../../lambdas/adapters/kinesis-stream-control';
import { DescribeStreamSummarySchema } from '../../lambdas/domain/aws-shapes';
import { InvalidRequestError, ResourceInUseError, ResourceNotFoundError } from '../../lambdas/ports/errors';
import { startKinesisLocal, type KinesisLocalServer } from './support/kinesis-local-server';

// Long enough that a second call surely lands while the stream is UPDATING, short enough to wait out.
const UPDATE_SHARD_COUNT_DURATION_MS = 1500;

describe('KinesisStreamControl against kinesis-local', () => {
  let server: KinesisLocalServer;
  let client: KinesisClient;
  let control: KinesisStreamControl;

  beforeAll(async () => {
    server = await startKinesisLocal({
      env: {
        CREATE_STREAM_DURATION: '100ms',
        UPDATE_SHARD_COUNT_DURATION: `${UPDATE_SHARD_COUNT_DURATION_MS}ms`,
      },
    });
    // The clients the Lambdas use (HTTP/1.1 NodeHttpHandler), pointed at the emulator.
    client = createAwsClients({
      region: server.region,
      endpoints: { kinesis: server.endpoint },
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      // Every named error must reach the test as the emulator sent it, not after retries.
      maxAttempts: 1,
    }).kinesis;
    control = new KinesisStreamControl(client);
  });

  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  async function createStream(streamName: string, shardCount: number): Promise<void> {
    await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
    await waitForStatus(streamName, 'ACTIVE');
  }

  async function waitForStatus(streamName: string, status: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const summary = await control.describeStreamSummary(streamName);
      if (summary.StreamDescriptionSummary.StreamStatus === status) return;
      if (Date.now() > deadline) throw new Error(`${streamName} did not become ${status} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('describes a stream as plain JSON in the shape the domain reads', async () => {
    await createStream('describe-stream', 2);

    const summary = await control.describeStreamSummary('describe-stream');

    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
    expect(DescribeStreamSummarySchema.parse(summary).StreamDescriptionSummary).toMatchObject({
      StreamName: 'describe-stream',
      StreamStatus: 'ACTIVE',
      OpenShardCount: 2,
      RetentionPeriodHours: 24,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
    });
    expect(summary.StreamDescriptionSummary.StreamCreationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
  });

  it('reshards up: the stream is UPDATING, refuses a second change meanwhile, then is ACTIVE with the new count', async () => {
    await createStream('reshard-stream', 2);

    await control.updateShardCount('reshard-stream', 4);
    const during = await control.describeStreamSummary('reshard-stream');
    const secondCall = await control.updateShardCount('reshard-stream', 6).catch((error: unknown) => error);

    expect(during.StreamDescriptionSummary.StreamStatus).toBe('UPDATING');
    expect(secondCall).toBeInstanceOf(ResourceInUseError);
    expect(secondCall).toMatchObject({
      name: 'ResourceInUseError',
      retryable: true,
      resource: 'stream/reshard-stream',
      awsErrorName: 'ResourceInUseException',
    });
    await waitForStatus('reshard-stream', 'ACTIVE');
    const after = await control.describeStreamSummary('reshard-stream');
    expect(after.StreamDescriptionSummary.OpenShardCount).toBe(4);
  });

  it('refuses a target beyond twice the current count as an invalid request', async () => {
    await createStream('beyond-double-stream', 2);

    const error = await control.updateShardCount('beyond-double-stream', 5).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ awsErrorName: 'InvalidArgumentException', retryable: false });
    expect((error as Error).message).toMatch(/^UpdateShardCount on stream\/beyond-double-stream: .*2x/);
    const summary = await control.describeStreamSummary('beyond-double-stream');
    expect(summary.StreamDescriptionSummary).toMatchObject({ StreamStatus: 'ACTIVE', OpenShardCount: 2 });
  });

  it('increases the retention period, and maps a decrease to an invalid request', async () => {
    await createStream('retention-stream', 1);

    await control.increaseRetentionPeriod('retention-stream', 48);
    const decrease = await control.increaseRetentionPeriod('retention-stream', 36).catch((error: unknown) => error);

    const summary = await control.describeStreamSummary('retention-stream');
    expect(summary.StreamDescriptionSummary.RetentionPeriodHours).toBe(48);
    expect(decrease).toBeInstanceOf(InvalidRequestError);
  });

  it('maps a stream that does not exist to ResourceNotFoundError', async () => {
    await expect(control.describeStreamSummary('no-such-stream')).rejects.toBeInstanceOf(ResourceNotFoundError);
  });
});
