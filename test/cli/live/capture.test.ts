import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeStreamSummaryCommand, type DescribeStreamSummaryCommandOutput } from '@aws-sdk/client-kinesis';
import { DescribeApplicationCommand } from '@aws-sdk/client-kinesis-analytics-v2';
import { metricQueriesFor } from '../../../lambdas/domain/collect';
import { TargetSchema } from '../../../lambdas/domain/config';
import { parseSnapshot, type SnapshotInput } from '../../../lambdas/domain/snapshot';
import { LAGGING_APP, Scratch } from '../support/cli-harness';
import {
  WINDOW_END,
  callCount,
  liveRun,
  mockedAws,
  serveAccount,
  serviceError,
  type MockedAws,
} from './support/live-harness';

const scratch = new Scratch();
afterAll(() => scratch.remove());

const BOTH = ['--stream', 'orders-stream', '--app', 'orders-enricher'];

describe('stream-medic capture (aws-sdk-client-mock)', () => {
  let aws: MockedAws;
  let world: SnapshotInput;
  beforeEach(() => {
    aws = mockedAws();
    world = serveAccount(aws, LAGGING_APP);
  });

  it('sends the shared queries over the window that ends at the last whole minute', async () => {
    const result = await liveRun(['capture', ...BOTH, '--minutes', '60'], aws.factory);

    expect(result.code).toBe(0);
    const sent = aws.cloudWatch.commandCalls(GetMetricDataCommand).map((call) => call.args[0].input);
    expect(sent).toHaveLength(1);
    const target = TargetSchema.parse({
      name: 'orders-stream',
      stream: { name: 'orders-stream' },
      application: { name: 'orders-enricher' },
    });
    // Every series the account publishes, found with ListMetrics and asked for with its real dimensions.
    const listed = world.getMetricData!.MetricDataQueries.map((query) => ({
      namespace: query.MetricStat!.Metric.Namespace,
      metricName: query.MetricStat!.Metric.MetricName,
      dimensions: Object.fromEntries((query.MetricStat!.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value])),
    }));
    expect(aws.cloudWatch.commandCalls(ListMetricsCommand).map((call) => call.args[0].input)).toStrictEqual([
      { Namespace: 'AWS/Kinesis', Dimensions: [{ Name: 'StreamName', Value: 'orders-stream' }] },
      { Namespace: 'AWS/KinesisAnalytics', Dimensions: [{ Name: 'Application', Value: 'orders-enricher' }] },
    ]);
    expect(sent[0]!.MetricDataQueries).toStrictEqual(metricQueriesFor(target, listed));
    expect(sent[0]!.EndTime).toStrictEqual(new Date(WINDOW_END));
    expect(sent[0]!.StartTime).toStrictEqual(new Date(Date.parse(WINDOW_END) - 60 * 60_000));
  });

  it('describes the stream and the application by name, and calls nothing that writes', async () => {
    await liveRun(['capture', ...BOTH], aws.factory);

    expect(aws.kinesis.commandCalls(DescribeStreamSummaryCommand).map((c) => c.args[0].input)).toStrictEqual([
      { StreamName: 'orders-stream' },
    ]);
    expect(aws.kinesisAnalytics.commandCalls(DescribeApplicationCommand).map((c) => c.args[0].input)).toStrictEqual([
      { ApplicationName: 'orders-enricher' },
    ]);
    // Two ListMetrics (one per namespace), one GetMetricData, two describes.
    expect(callCount(aws)).toBe(5);
  });

  it('prints a version 1 snapshot with every AWS part, and no made-up config', async () => {
    const result = await liveRun(['capture', ...BOTH], aws.factory);

    const snapshot = parseSnapshot(JSON.parse(result.stdout));
    expect(snapshot.capturedAt).toBe(WINDOW_END);
    expect(snapshot.target).toStrictEqual({
      name: 'orders-stream',
      streamName: 'orders-stream',
      applicationName: 'orders-enricher',
    });
    expect(snapshot.config).toBeUndefined();
    expect(snapshot.describeStreamSummary?.StreamDescriptionSummary.OpenShardCount).toBe(4);
    expect(snapshot.describeApplication?.ApplicationDetail.ApplicationName).toBe('orders-enricher');
    const cpu = snapshot.getMetricData!.MetricDataQueries.find(
      (q) => q.MetricStat?.Metric.MetricName === 'containerCPUUtilization',
    )!;
    const cpuResult = snapshot.getMetricData!.MetricDataResults.find((r) => r.Id === cpu.Id)!;
    expect(cpuResult.Values).toHaveLength(180);
    expect(cpuResult.Timestamps[0]).toBe('2026-11-21T10:14:00.000Z');
    expect(result.stderr).toBe('');
  });

  it('ends the window at the last whole minute of the clock it is given', async () => {
    const result = await liveRun(['capture', '--stream', 'orders-stream'], aws.factory, {
      now: new Date('2026-11-21T10:47:59.999Z'),
    });

    expect(JSON.parse(result.stdout).capturedAt).toBe('2026-11-21T10:47:00.000Z');
    const sent = aws.cloudWatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(sent.StartTime).toStrictEqual(new Date('2026-11-21T07:47:00.000Z'));
  });

  it('reads only the stream when no --app is given', async () => {
    const result = await liveRun(['capture', '--stream', 'orders-stream'], aws.factory);

    expect(result.code).toBe(0);
    expect(aws.kinesisAnalytics.calls()).toHaveLength(0);
    const queries = aws.cloudWatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries ?? [];
    expect(new Set(queries.map((q) => q.MetricStat?.Metric?.Namespace))).toStrictEqual(new Set(['AWS/Kinesis']));
  });

  it('asks for the region given with --region, and for the default chain without it', async () => {
    await liveRun(['capture', ...BOTH, '--region', 'ap-southeast-2'], aws.factory);
    await liveRun(['capture', ...BOTH], aws.factory);

    expect(aws.requests).toStrictEqual([{ region: 'ap-southeast-2' }, {}]);
  });

  it('writes the snapshot to -o FILE and says what it holds on stderr', async () => {
    const file = join(scratch.dir, 'incident.json');

    const result = await liveRun(['capture', ...BOTH, '-o', file], aws.factory);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(parseSnapshot(JSON.parse(readFileSync(file, 'utf8'))).capturedAt).toBe(WINDOW_END);
    expect(result.stderr).toMatch(
      new RegExp(
        `^Wrote ${file}: stream orders-stream \\(ACTIVE, 4 open shards\\), application orders-enricher \\(RUNNING, parallelism 4\\), \\d+ metrics over 180 minutes to ${WINDOW_END}; \\d+ without datapoints \\(`,
      ),
    );
  });

  it('replaces an existing file whole and leaves no temporary file behind', async () => {
    const dir = join(scratch.dir, 'replace');
    mkdirSync(dir);
    const file = join(dir, 'incident.json');
    writeFileSync(file, 'old');

    const printed = await liveRun(['capture', ...BOTH], aws.factory);

    await liveRun(['capture', ...BOTH, '-o', file], aws.factory);

    expect(readdirSync(dir)).toStrictEqual(['incident.json']);
    expect(readFileSync(file, 'utf8')).toBe(printed.stdout);
  });

  it('leaves the old file as it was when an AWS call fails', async () => {
    const dir = join(scratch.dir, 'keep');
    mkdirSync(dir);
    const file = join(dir, 'incident.json');
    writeFileSync(file, 'old');
    aws.cloudWatch.on(GetMetricDataCommand).rejects(serviceError('InternalFailure', 'oops', 500, 5));

    const result = await liveRun(['capture', ...BOTH, '-o', file], aws.factory);

    expect(result.code).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toStrictEqual(['incident.json']);
  });

  it('refuses an output path it cannot write before calling AWS, and leaves nothing behind', async () => {
    const dir = join(scratch.dir, 'a-directory');
    mkdirSync(dir);

    const intoMissing = await liveRun(['capture', ...BOTH, '-o', join(scratch.dir, 'no', 'x.json')], aws.factory);
    const ontoDirectory = await liveRun(['capture', ...BOTH, '-o', dir], aws.factory);

    expect(intoMissing.code).toBe(2);
    expect(intoMissing.stderr).toBe(
      `stream-medic: --output: cannot write ${join(scratch.dir, 'no', 'x.json')}: no such directory\n`,
    );
    expect(ontoDirectory.code).toBe(2);
    expect(ontoDirectory.stderr).toBe(`stream-medic: --output: cannot write ${dir}: is a directory\n`);
    expect(callCount(aws)).toBe(0);
    expect(existsSync(join(scratch.dir, 'no'))).toBe(false);
    expect(readdirSync(dir)).toStrictEqual([]);
  });
});

describe('stream-medic capture: errors a person can act on (exit 1)', () => {
  it.each<[string, (aws: MockedAws) => void, string]>([
    [
      'no credentials',
      (aws) =>
        aws.kinesis.on(DescribeStreamSummaryCommand).rejects(
          Object.assign(new Error('Could not load credentials from any providers'), {
            name: 'CredentialsProviderError',
          }),
        ),
      'stream-medic: no AWS credentials found (CredentialsProviderError: Could not load credentials from any providers): set AWS_PROFILE',
    ],
    [
      'no region',
      (aws) => aws.cloudWatch.on(GetMetricDataCommand).rejects(new Error('Region is missing')),
      'stream-medic: no AWS region is set: pass --region (e.g. --region eu-west-1) or set AWS_REGION',
    ],
    [
      'an endpoint that does not resolve (a wrong region)',
      (aws) =>
        aws.kinesis.on(DescribeStreamSummaryCommand).rejects(
          Object.assign(new Error('getaddrinfo ENOTFOUND kinesis.eu-west-1.amazonaws.com'), {
            code: 'ENOTFOUND',
            hostname: 'kinesis.eu-west-1.amazonaws.com',
            $metadata: { attempts: 1 },
          }),
        ),
      'stream-medic: DescribeStreamSummary for stream "orders-stream": cannot reach kinesis.eu-west-1.amazonaws.com (ENOTFOUND): is the region "eu-west-1" right (--region), and is the network up?',
    ],
    [
      'a stream that does not exist',
      (aws) =>
        aws.kinesis
          .on(DescribeStreamSummaryCommand)
          .rejects(
            serviceError('ResourceNotFoundException', 'Stream orders-stream under account 123456789012 not found.'),
          ),
      'stream-medic: stream "orders-stream" was not found in eu-west-1 (ResourceNotFoundException: Stream orders-stream under account 123456789012 not found): check the name, --region and the account (AWS_PROFILE)',
    ],
    [
      'an application that does not exist',
      (aws) =>
        aws.kinesisAnalytics
          .on(DescribeApplicationCommand)
          .rejects(serviceError('ResourceNotFoundException', 'Application orders-enricher not found')),
      'stream-medic: application "orders-enricher" was not found in eu-west-1 (ResourceNotFoundException: Application orders-enricher not found)',
    ],
    [
      'a missing kinesis:DescribeStreamSummary permission',
      (aws) =>
        aws.kinesis
          .on(DescribeStreamSummaryCommand)
          .rejects(
            serviceError('AccessDeniedException', 'User: arn:aws:iam::123456789012:user/oncall is not authorized'),
          ),
      'stream-medic: access denied: these credentials may not call kinesis:DescribeStreamSummary for stream "orders-stream" in eu-west-1 (AccessDeniedException: User: arn:aws:iam::123456789012:user/oncall is not authorized); grant kinesis:DescribeStreamSummary or use a role that has it',
    ],
    [
      'a missing cloudwatch:GetMetricData permission',
      (aws) => aws.cloudWatch.on(GetMetricDataCommand).rejects(serviceError('AccessDenied', 'not authorized', 403)),
      'stream-medic: access denied: these credentials may not call cloudwatch:GetMetricData in eu-west-1',
    ],
    [
      'a missing kinesisanalytics:DescribeApplication permission',
      (aws) =>
        aws.kinesisAnalytics
          .on(DescribeApplicationCommand)
          .rejects(serviceError('AccessDeniedException', 'not authorized')),
      'stream-medic: access denied: these credentials may not call kinesisanalytics:DescribeApplication for application "orders-enricher"',
    ],
    [
      'expired credentials',
      (aws) =>
        aws.kinesis
          .on(DescribeStreamSummaryCommand)
          .rejects(serviceError('ExpiredTokenException', 'The security token included in the request is expired')),
      'stream-medic: the AWS credentials have expired (ExpiredTokenException: The security token included in the request is expired): refresh them',
    ],
    [
      'credentials the region does not know',
      (aws) =>
        aws.kinesis
          .on(DescribeStreamSummaryCommand)
          .rejects(
            serviceError('UnrecognizedClientException', 'The security token included in the request is invalid'),
          ),
      'stream-medic: AWS does not recognise these credentials in eu-west-1 (UnrecognizedClientException',
    ],
    [
      'throttling that outlasts the retries',
      (aws) => aws.cloudWatch.on(GetMetricDataCommand).rejects(serviceError('Throttling', 'Rate exceeded', 400, 5)),
      'stream-medic: AWS throttled GetMetricData after 5 attempts with backoff (Throttling: Rate exceeded): other callers share this API',
    ],
    [
      "Kinesis's own throttling of describe calls",
      (aws) =>
        aws.kinesis
          .on(DescribeStreamSummaryCommand)
          .rejects(serviceError('LimitExceededException', 'Rate exceeded for stream orders-stream', 400, 5)),
      'stream-medic: AWS throttled DescribeStreamSummary for stream "orders-stream" after 5 attempts with backoff',
    ],
    [
      'a failure on AWS side',
      (aws) => aws.cloudWatch.on(GetMetricDataCommand).rejects(serviceError('InternalFailure', 'internal error', 500)),
      'stream-medic: AWS failed to serve GetMetricData in eu-west-1 (InternalFailure: internal error): try again shortly',
    ],
  ])('%s', async (_case, arrange, message) => {
    const aws = mockedAws();
    serveAccount(aws, LAGGING_APP);
    arrange(aws);

    const result = await liveRun(['capture', ...BOTH], aws.factory);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^stream-medic: [^\n]+\n$/);
    expect(result.stderr).toContain(message);
  });

  it('names the region given with --region in the message', async () => {
    const aws = mockedAws();
    serveAccount(aws, LAGGING_APP);
    aws.kinesis.on(DescribeStreamSummaryCommand).rejects(serviceError('ResourceNotFoundException', 'not found'));

    const result = await liveRun(['capture', ...BOTH, '--region', 'us-west-2'], aws.factory);

    expect(result.stderr).toContain('stream "orders-stream" was not found in us-west-2');
  });

  it('reports an AWS answer it cannot read as a failure, not as bad input', async () => {
    const aws = mockedAws();
    serveAccount(aws, LAGGING_APP);
    aws.kinesis.on(DescribeStreamSummaryCommand).resolves({
      StreamDescriptionSummary: { StreamName: 'orders-stream', StreamStatus: 'ACTIVE' },
    } as unknown as DescribeStreamSummaryCommandOutput);

    const result = await liveRun(['capture', ...BOTH], aws.factory);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^stream-medic: AWS answered in a shape StreamMedic does not read: describeStreamSummary\.StreamDescriptionSummary\.\w+: /,
    );
  });

  it('does not disguise a bug as an AWS failure', async () => {
    const aws = mockedAws();
    serveAccount(aws, LAGGING_APP);
    aws.kinesis.on(DescribeStreamSummaryCommand).rejects(new TypeError('x is not a function'));

    const result = await liveRun(['capture', ...BOTH], aws.factory);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe('stream-medic: TypeError: x is not a function\n');
  });
});

describe('stream-medic capture: bad input (exit 2, no AWS call)', () => {
  it.each<[string, string[], string]>([
    ['neither --stream nor --app', [], 'stream-medic: give --stream <name> and/or --app <name>: the resources to read'],
    ['an ARN for --stream', ['--stream', 'arn:aws:kinesis:eu-west-1:1:stream/x'], 'give the name, not the ARN'],
    ['a bad --app name', ['--app', 'orders enricher'], '--app: "orders enricher" is not a valid name'],
    [
      '--minutes that is not a number',
      ['--stream', 's', '--minutes', 'ten'],
      '--minutes: must be a whole number from 1 to 1440, got "ten"',
    ],
    [
      '--minutes past a day',
      ['--stream', 's', '--minutes', '1441'],
      '--minutes: must be a whole number from 1 to 1440',
    ],
    ['--minutes of zero', ['--stream', 's', '--minutes', '0'], '--minutes: must be a whole number'],
    [
      'a --region that is no region name',
      ['--stream', 's', '--region', 'Ireland'],
      '--region: "Ireland" is not a region name such as eu-west-1',
    ],
    ['an unknown option', ['--stream', 's', '--output-file', 'x'], "unknown option '--output-file'"],
  ])('%s', async (_case, args, message) => {
    const aws = mockedAws();

    const result = await liveRun(['capture', ...args], aws.factory);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^stream-medic: [^\n]+\n$/);
    expect(result.stderr).toContain(message);
    expect(callCount(aws)).toBe(0);
  });
});
