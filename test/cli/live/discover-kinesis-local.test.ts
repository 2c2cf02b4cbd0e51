import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { ListApplicationsCommand } from '@aws-sdk/client-kinesis-analytics-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { createCliAwsClients, type AwsClientFactory, type CliAwsClients } from '../../../cli/commands/services';
import { parseInventory } from '../../../lambdas/domain/inventory';
import { startKinesisLocal, type KinesisLocalServer } from '../../adapters/support/kinesis-local-server';
import { Scratch } from '../support/cli-harness';
import { liveRun } from './support/live-harness';

/**
 * The Kinesis half of `discover` against the kinesis-local emulator, through the CLI's own client
 * factory: real ListStreams, DescribeStreamSummary and ListTagsForResource requests and responses.
 * The emulator has no Managed Flink, so that client is mocked with an account without applications.
 */
describe('stream-medic discover against kinesis-local', () => {
  const scratch = new Scratch();
  let server: KinesisLocalServer;
  let clients: CliAwsClients;
  let factory: AwsClientFactory;

  beforeAll(async () => {
    server = await startKinesisLocal({ env: { CREATE_STREAM_DURATION: '100ms' } });
    clients = createCliAwsClients({
      region: server.region,
      endpoints: { kinesis: server.endpoint },
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    mockClient(clients.kinesisAnalytics).on(ListApplicationsCommand).resolves({ ApplicationSummaries: [] });
    factory = () => clients;
    await createActiveStream(clients.kinesis, 'payments-orders', 3, { team: 'payments', tier: 'gold' });
    await createActiveStream(clients.kinesis, 'payments-refunds', 1, { team: 'payments' });
    await createActiveStream(clients.kinesis, 'web-clicks', 2, {});
  });

  afterAll(async () => {
    for (const client of Object.values(clients ?? {})) client.destroy();
    await server?.stop();
    scratch.remove();
  });

  it('lists every stream of the emulator with its open shards and its tags', async () => {
    const out = join(scratch.dir, 'inventory.json');

    const result = await liveRun(['discover', '--out', out], factory);

    expect(result.code).toBe(0);
    const inventory = parseInventory(JSON.parse(readFileSync(out, 'utf8')));
    expect(inventory.region).toBe(server.region);
    expect(
      inventory.streams.map((stream) => [stream.name, stream.mode, stream.status, stream.openShardCount, stream.tags]),
    ).toStrictEqual([
      ['payments-orders', 'PROVISIONED', 'ACTIVE', 3, { team: 'payments', tier: 'gold' }],
      ['payments-refunds', 'PROVISIONED', 'ACTIVE', 1, { team: 'payments' }],
      ['web-clicks', 'PROVISIONED', 'ACTIVE', 2, {}],
    ]);
    for (const stream of inventory.streams) expect(stream.arn).toMatch(new RegExp(`:stream/${stream.name}$`));
    expect(result.stderr).toContain('3 streams (2 tagged), 0 applications');
  });

  it('gives selectors the tagged streams: config validate resolves them into targets', async () => {
    const inventory = join(scratch.dir, 'selected.json');
    await liveRun(['discover', '--out', inventory], factory);
    const config = scratch.file('selected.config.json', {
      selectors: { inventory: 'selected.json', select: [{ streams: { tags: { team: 'payments' } } }] },
    });

    const result = await liveRun(['config', 'validate', config], factory);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('2 targets (payments-orders recommend, payments-refunds recommend)');
  });
});

async function createActiveStream(
  kinesis: KinesisClient,
  streamName: string,
  shards: number,
  tags: Record<string, string>,
): Promise<void> {
  await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shards }));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
    if (Date.now() > deadline) throw new Error(`${streamName} did not become ACTIVE`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (Object.keys(tags).length > 0)
    await kinesis.send(new AddTagsToStreamCommand({ StreamName: streamName, Tags: tags }));
}
