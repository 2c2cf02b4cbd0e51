import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeStreamSummaryCommand,
  ListStreamsCommand,
  ListTagsForResourceCommand,
  type DescribeStreamSummaryCommandOutput,
} from '@aws-sdk/client-kinesis';
import {
  DescribeApplicationCommand,
  ListApplicationsCommand,
  ListTagsForResourceCommand as ListApplicationTagsCommand,
  type DescribeApplicationCommandOutput,
} from '@aws-sdk/client-kinesis-analytics-v2';
import { parseInventory } from '../../../lambdas/domain/inventory';
import { Scratch } from '../support/cli-harness';
import { NOW, REGION, liveRun, mockedAws, type MockedAws } from './support/live-harness';

const ACCOUNT = '123456789012';
const streamArn = (name: string) => `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${name}`;
const appArn = (name: string) => `arn:aws:kinesisanalytics:${REGION}:${ACCOUNT}:application/${name}`;

const STREAM_TAGS: Record<string, { Key: string; Value: string }[]> = {
  [streamArn('orders')]: [
    { Key: 'team', Value: 'payments' },
    { Key: 'env', Value: 'prod' },
  ],
  [streamArn('clicks')]: [],
};

/** Two streams over two ListStreams pages, two Flink applications over two ListApplications pages. */
function account(): MockedAws {
  const aws = mockedAws();
  aws.kinesis
    .on(ListStreamsCommand, {})
    .resolves({
      StreamNames: ['orders'],
      HasMoreStreams: true,
      NextToken: 'page-2',
      StreamSummaries: [
        {
          StreamName: 'orders',
          StreamARN: streamArn('orders'),
          StreamStatus: 'ACTIVE',
          StreamModeDetails: { StreamMode: 'PROVISIONED' },
        },
      ],
    })
    .on(ListStreamsCommand, { NextToken: 'page-2' })
    .resolves({
      StreamNames: ['clicks'],
      HasMoreStreams: false,
      StreamSummaries: [
        {
          StreamName: 'clicks',
          StreamARN: streamArn('clicks'),
          StreamStatus: 'ACTIVE',
          StreamModeDetails: { StreamMode: 'ON_DEMAND' },
        },
      ],
    });
  aws.kinesis.on(DescribeStreamSummaryCommand).callsFake(
    (input: { StreamName: string }) =>
      ({
        StreamDescriptionSummary: {
          StreamName: input.StreamName,
          OpenShardCount: input.StreamName === 'orders' ? 6 : 4,
        },
      }) as unknown as DescribeStreamSummaryCommandOutput,
  );
  aws.kinesis
    .on(ListTagsForResourceCommand)
    .callsFake((input: { ResourceARN: string }) => ({ Tags: STREAM_TAGS[input.ResourceARN] }));
  aws.kinesisAnalytics
    .on(ListApplicationsCommand, {})
    .resolves({
      NextToken: 'apps-2',
      ApplicationSummaries: [
        {
          ApplicationName: 'orders-enricher',
          ApplicationARN: appArn('orders-enricher'),
          ApplicationStatus: 'RUNNING',
          ApplicationVersionId: 3,
          RuntimeEnvironment: 'FLINK-1_20',
        },
      ],
    })
    .on(ListApplicationsCommand, { NextToken: 'apps-2' })
    .resolves({
      ApplicationSummaries: [
        {
          ApplicationName: 'clicks-sessionizer',
          ApplicationARN: appArn('clicks-sessionizer'),
          ApplicationStatus: 'READY',
          ApplicationVersionId: 1,
          RuntimeEnvironment: 'FLINK-1_19',
        },
      ],
    });
  aws.kinesisAnalytics.on(DescribeApplicationCommand).callsFake(
    (input: { ApplicationName: string }) =>
      ({
        ApplicationDetail: {
          ApplicationName: input.ApplicationName,
          ApplicationConfigurationDescription: {
            FlinkApplicationConfigurationDescription: {
              ParallelismConfigurationDescription: {
                ConfigurationType: 'CUSTOM',
                Parallelism: 4,
                ParallelismPerKPU: 2,
                CurrentParallelism: 4,
                AutoScalingEnabled: false,
              },
            },
            EnvironmentPropertyDescriptions: {
              PropertyGroupDescriptions: [
                {
                  PropertyGroupId: 'FlinkApplicationProperties',
                  PropertyMap:
                    input.ApplicationName === 'orders-enricher'
                      ? { 'input.stream': streamArn('orders'), 'output.stream': 'orders-enriched' }
                      : { 'sink.stream': 'clicks' },
                },
              ],
            },
          },
        },
      }) as unknown as DescribeApplicationCommandOutput,
  );
  aws.kinesisAnalytics.on(ListApplicationTagsCommand).callsFake((input: { ResourceARN: string }) => ({
    Tags: input.ResourceARN === appArn('orders-enricher') ? [{ Key: 'stream-medic/stream', Value: 'orders' }] : [],
  }));
  return aws;
}

describe('stream-medic discover', () => {
  const scratch = new Scratch();
  afterAll(() => scratch.remove());

  it('writes every stream and application of the region, with tags, shards, parallelism and source stream', async () => {
    const aws = account();
    const out = join(scratch.dir, 'inventory.json');

    const result = await liveRun(['discover', '--region', REGION, '--out', out], aws.factory);

    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `Wrote ${out}: 2 streams (1 tagged), 2 applications (1 with a source stream found), region ${REGION}\n`,
    );
    expect(aws.requests).toStrictEqual([{ region: REGION }]);
    const inventory = parseInventory(JSON.parse(readFileSync(out, 'utf8')));
    expect(inventory.capturedAt).toBe(NOW.toISOString());
    expect(inventory.region).toBe(REGION);
    expect(inventory.streams).toStrictEqual([
      { name: 'clicks', arn: streamArn('clicks'), mode: 'ON_DEMAND', status: 'ACTIVE', openShardCount: 4, tags: {} },
      {
        name: 'orders',
        arn: streamArn('orders'),
        mode: 'PROVISIONED',
        status: 'ACTIVE',
        openShardCount: 6,
        tags: { env: 'prod', team: 'payments' },
      },
    ]);
    expect(inventory.applications).toStrictEqual([
      {
        name: 'clicks-sessionizer',
        arn: appArn('clicks-sessionizer'),
        status: 'READY',
        runtime: 'FLINK-1_19',
        parallelism: {
          configurationType: 'CUSTOM',
          parallelism: 4,
          parallelismPerKpu: 2,
          currentParallelism: 4,
          autoScalingEnabled: false,
        },
        tags: {},
        sourceStreams: [],
      },
      {
        name: 'orders-enricher',
        arn: appArn('orders-enricher'),
        status: 'RUNNING',
        runtime: 'FLINK-1_20',
        parallelism: {
          configurationType: 'CUSTOM',
          parallelism: 4,
          parallelismPerKpu: 2,
          currentParallelism: 4,
          autoScalingEnabled: false,
        },
        tags: { 'stream-medic/stream': 'orders' },
        sourceStreams: [{ name: 'orders', via: 'FlinkApplicationProperties.input.stream', origin: 'runtime-property' }],
      },
    ]);
    expect(aws.kinesis.commandCalls(ListStreamsCommand)).toHaveLength(2);
    expect(aws.kinesisAnalytics.commandCalls(ListApplicationsCommand)).toHaveLength(2);
  });

  it('sends every call to --endpoint-url', async () => {
    const aws = account();

    const result = await liveRun(
      ['discover', '--endpoint-url', 'http://127.0.0.1:4567', '-o', join(scratch.dir, 'local.json')],
      aws.factory,
    );

    expect(result.code).toBe(0);
    expect(aws.requests).toStrictEqual([{ endpoint: 'http://127.0.0.1:4567' }]);
  });

  it.each([
    [['--region', 'Europe'], '--region: "Europe" is not a region name such as eu-west-1'],
    [['--endpoint-url', 'localhost:4567'], '--endpoint-url: "localhost:4567" is not an http:// or https:// URL'],
    [
      ['--out', '/nonexistent/dir/inventory.json'],
      '--out: cannot write /nonexistent/dir/inventory.json: no such directory',
    ],
  ])('refuses %j before calling AWS, exit 2', async (args, message) => {
    const aws = account();
    const before = readdirSync(scratch.dir);

    const result = await liveRun(['discover', '-o', join(scratch.dir, 'refused.json'), ...args], aws.factory);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`stream-medic: ${message}\n`);
    expect(aws.requests).toStrictEqual([]);
    expect(readdirSync(scratch.dir)).toStrictEqual(before);
  });

  it('fails with the IAM action to grant when a call is denied, and leaves the old inventory as it was', async () => {
    const aws = account();
    aws.kinesisAnalytics
      .on(ListApplicationsCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $fault: 'client' }));
    const out = join(scratch.dir, 'kept.json');
    writeFileSync(out, 'old inventory');

    const result = await liveRun(['discover', '--region', REGION, '-o', out], aws.factory);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ListApplications');
    expect(result.stderr).toContain('kinesisanalytics:ListApplications');
    expect(readFileSync(out, 'utf8')).toBe('old inventory');
    expect(readdirSync(scratch.dir).filter((name) => name.includes('kept.json.'))).toStrictEqual([]);
    expect(existsSync(out)).toBe(true);
  });
});
