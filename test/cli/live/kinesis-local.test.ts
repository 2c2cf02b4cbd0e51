import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateStreamCommand, DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { createCliAwsClients, type AwsClientFactory, type CliAwsClients } from '../../../cli/commands/services';
import type { Report } from '../../../lambdas/domain/model';
import { parseSnapshot } from '../../../lambdas/domain/snapshot';
import { startKinesisLocal, type KinesisLocalServer } from '../../adapters/support/kinesis-local-server';
import { Scratch } from '../support/cli-harness';
import { liveRun } from './support/live-harness';

/**
 * The Kinesis half of `capture` and live `diagnose` against the kinesis-local emulator, through the
 * CLI's own client factory: real requests, real responses, real errors. The emulator has no
 * CloudWatch, so metrics come from a mocked client.
 */
describe('stream-medic capture and diagnose against kinesis-local', () => {
  const scratch = new Scratch();
  let server: KinesisLocalServer;
  let clients: CliAwsClients;
  let factory: AwsClientFactory;
  const asked: (string | undefined)[] = [];

  beforeAll(async () => {
    server = await startKinesisLocal({ env: { CREATE_STREAM_DURATION: '100ms' } });
    clients = createCliAwsClients({
      region: server.region,
      endpoints: { kinesis: server.endpoint },
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      // An error must reach the CLI as the emulator sent it.
      maxAttempts: 1,
    });
    const cloudWatch = mockClient(clients.cloudWatch);
    cloudWatch.on(GetMetricDataCommand).callsFake((input) => ({
      MetricDataResults: (input.MetricDataQueries ?? []).map((q: { Id: string }) => ({
        Id: q.Id,
        StatusCode: 'Complete',
        Timestamps: [],
        Values: [],
      })),
    }));
    factory = (request) => {
      asked.push(request.region);
      return clients;
    };
    await createActiveStream(clients.kinesis, 'clicks-stream', 3);
  });

  afterAll(async () => {
    for (const client of Object.values(clients ?? {})) client.destroy();
    await server?.stop();
    scratch.remove();
  });

  it("captures the emulator stream's DescribeStreamSummary as the stream reports it", async () => {
    const file = join(scratch.dir, 'clicks.json');

    const result = await liveRun(['capture', '--stream', 'clicks-stream', '-o', file], factory);

    expect(result.code).toBe(0);
    const snapshot = parseSnapshot(JSON.parse(readFileSync(file, 'utf8')));
    const direct = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'clicks-stream' }));
    const summary = snapshot.describeStreamSummary!.StreamDescriptionSummary;
    expect(summary).toMatchObject({
      StreamName: 'clicks-stream',
      StreamStatus: 'ACTIVE',
      OpenShardCount: 3,
      StreamARN: direct.StreamDescriptionSummary!.StreamARN,
      RetentionPeriodHours: direct.StreamDescriptionSummary!.RetentionPeriodHours,
    });
    expect(summary.StreamCreationTimestamp).toBe(
      direct.StreamDescriptionSummary!.StreamCreationTimestamp!.toISOString(),
    );
    expect(result.stderr).toContain('stream clicks-stream (ACTIVE, 3 open shards)');
  });

  it('diagnoses the emulator stream live as it diagnoses its capture', async () => {
    const file = join(scratch.dir, 'clicks-again.json');
    await liveRun(['capture', '--stream', 'clicks-stream', '-o', file], factory);

    const live = await liveRun(['diagnose', '--stream', 'clicks-stream', '--json'], factory);
    const fromFile = await liveRun(['diagnose', '--input', file, '--json'], factory);

    expect(live.code).toBe(0);
    const report = JSON.parse(live.stdout) as Report;
    expect(report).toStrictEqual(JSON.parse(fromFile.stdout));
    // No datapoints at all: the engine must say so rather than guess.
    expect(report.diagnosis.cause).toBe('INSUFFICIENT_DATA');
  });

  it("reports the emulator's ResourceNotFoundException for a stream that does not exist (exit 1)", async () => {
    const result = await liveRun(['capture', '--stream', 'no-such-stream', '--region', 'us-east-1'], factory);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^stream-medic: stream "no-such-stream" was not found in us-east-1 \(ResourceNotFoundException: [^)]*\): check the name, --region and the account \(AWS_PROFILE\)\n$/,
    );
    expect(asked.at(-1)).toBe('us-east-1');
  });
});

async function createActiveStream(kinesis: KinesisClient, streamName: string, shards: number): Promise<void> {
  await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shards }));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`${streamName} did not become ACTIVE`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
