import { join } from 'node:path';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { DescribeApplicationCommand } from '@aws-sdk/client-kinesis-analytics-v2';
import type { Report } from '../../../lambdas/domain/model';
import { LAGGING_APP, Scratch } from '../support/cli-harness';
import { callCount, liveRun, mockedAws, serveAccount, type MockedAws } from './support/live-harness';

const scratch = new Scratch();
afterAll(() => scratch.remove());

const CONFIG = {
  region: 'eu-central-1',
  targets: [
    {
      name: 'orders',
      mode: 'recommend',
      stream: { name: 'orders-stream', maxShards: 8 },
      application: { name: 'orders-enricher', maxParallelism: 6, builtInAutoscaling: 'turn-off' },
    },
    { name: 'clicks', mode: 'auto', stream: { name: 'clicks-stream' } },
    { name: 'scoring', mode: 'observe', application: { name: 'scoring-app' } },
  ],
};
const config = scratch.file('stream-medic.config.json', CONFIG);

function served(): MockedAws {
  const aws = mockedAws();
  serveAccount(aws, LAGGING_APP);
  return aws;
}

describe('capture read back by diagnose --input gives what diagnose --stream gives', () => {
  it.each<[string, string[]]>([
    ['the stream and the application', ['--stream', 'orders-stream', '--app', 'orders-enricher']],
    ['the stream alone', ['--stream', 'orders-stream']],
    ['the application alone', ['--app', 'orders-enricher']],
  ])('%s', async (_case, resources) => {
    const file = join(scratch.dir, `${resources.join('-')}.json`);
    const captured = await liveRun(['capture', ...resources, '-o', file], served().factory);
    expect(captured.code).toBe(0);

    const fromFile = await liveRun(['diagnose', '--input', file, '--json'], served().factory);
    const live = await liveRun(['diagnose', ...resources, '--json'], served().factory);

    expect(fromFile.code).toBe(0);
    expect(live.code).toBe(0);
    expect(JSON.parse(live.stdout)).toStrictEqual(JSON.parse(fromFile.stdout));
  });

  it('is the same human report too, and one the engine had something to say about', async () => {
    const file = join(scratch.dir, 'human.json');
    await liveRun(['capture', '--stream', 'orders-stream', '--app', 'orders-enricher', '-o', file], served().factory);

    const fromFile = await liveRun(['diagnose', '-i', file], served().factory);
    const live = await liveRun(['diagnose', '--stream', 'orders-stream', '--app', 'orders-enricher'], served().factory);
    const json = JSON.parse(
      (await liveRun(['diagnose', '--stream', 'orders-stream', '--app', 'orders-enricher', '--json'], served().factory))
        .stdout,
    ) as Report;

    expect(live.stdout).toBe(fromFile.stdout);
    expect(json.diagnosis.cause).toBe('CONSUMER_COMPUTE');
    expect(json.diagnosis.secondary).toContain('RETENTION_RISK');
    expect(json.plan.apply).toBe(false);
    expect(live.stdout).toContain('Cause      CONSUMER_COMPUTE');
  });

  it('is the same with a config', async () => {
    const file = join(scratch.dir, 'with-config.json');
    await liveRun(['capture', '--stream', 'orders-stream', '--app', 'orders-enricher', '-o', file], served().factory);

    const fromFile = await liveRun(['diagnose', '-i', file, '-c', config, '--json'], served().factory);
    const live = await liveRun(['diagnose', '--stream', 'orders-stream', '-c', config, '--json'], served().factory);

    const report = JSON.parse(live.stdout) as Report;
    expect(report).toStrictEqual(JSON.parse(fromFile.stdout));
    expect(report.target.name).toBe('orders');
    expect(report.plan.mode).toBe('recommend');
  });
});

describe('stream-medic diagnose --stream/--app with --config', () => {
  it("reads the config target's application too when only its stream is named", async () => {
    const aws = served();

    const result = await liveRun(['diagnose', '--stream', 'orders-stream', '--config', config], aws.factory);

    expect(result.code).toBe(0);
    expect(aws.kinesisAnalytics.commandCalls(DescribeApplicationCommand)[0]!.args[0].input).toStrictEqual({
      ApplicationName: 'orders-enricher',
    });
  });

  it('finds the target named by --target and reads its resources', async () => {
    const aws = served();

    await liveRun(['diagnose', '--app', 'orders-enricher', '-c', config, '-t', 'orders'], aws.factory);

    expect(aws.kinesis.commandCalls(DescribeStreamSummaryCommand)).toHaveLength(1);
  });

  it("uses the config's region unless --region is given", async () => {
    const aws = served();

    await liveRun(['diagnose', '--stream', 'orders-stream', '-c', config], aws.factory);
    await liveRun(['diagnose', '--stream', 'orders-stream', '-c', config, '--region', 'us-east-2'], aws.factory);

    // Each run asks for its clients (the stack's ledger, the metrics) in one region: the config's, then --region.
    expect([...new Set(aws.requests.map((r) => r.region))]).toStrictEqual(['eu-central-1', 'us-east-2']);
  });

  it.each<[string, string[], string]>([
    [
      'a stream no target has',
      ['--stream', 'payments-stream', '-c', config],
      `stream-medic: ${config}: --target: the config has no target for this snapshot (payments-stream); name one with --target`,
    ],
    [
      'an unknown --target',
      ['--stream', 'orders-stream', '-c', config, '-t', 'payments'],
      `stream-medic: ${config}: --target: no target named "payments" in the config (known: orders, clicks, scoring)`,
    ],
    [
      "a --stream that is not the target's",
      ['--stream', 'orders-stream', '-c', config, '-t', 'clicks'],
      `stream-medic: ${config}: targets[1].stream.name: "clicks-stream" does not match the snapshot's stream "orders-stream"`,
    ],
    [
      'an --app for a target without one',
      ['--app', 'orders-enricher', '-c', config, '-t', 'clicks'],
      `stream-medic: ${config}: targets[1].application: target "clicks" has no application, but --app "orders-enricher" was given`,
    ],
  ])('refuses %s before calling AWS (exit 2)', async (_case, args, message) => {
    const aws = served();

    const result = await liveRun(['diagnose', ...args], aws.factory);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`${message}\n`);
    expect(callCount(aws)).toBe(0);
  });
});

describe('stream-medic diagnose: --input or --stream/--app, exactly one (exit 2)', () => {
  it.each<[string, string[], string]>([
    [
      'both',
      ['--input', 'incident.json', '--stream', 'orders-stream'],
      "stream-medic: --input reads a saved snapshot and --stream/--app read the live account: give one or the other, not both (see 'stream-medic diagnose --help')",
    ],
    [
      'neither',
      ['--json'],
      "stream-medic: required option '-i, --input <file>' not specified (or read the live account with --stream <name> and/or --app <name>) (see 'stream-medic diagnose --help')",
    ],
    [
      '--minutes with --input',
      ['--input', 'incident.json', '--minutes', '30'],
      "stream-medic: --minutes applies to a live read (--stream/--app), not to --input (see 'stream-medic diagnose --help')",
    ],
    [
      '--region with --input',
      ['--input', 'incident.json', '--region', 'eu-west-1'],
      "stream-medic: --region applies to a live read (--stream/--app), not to --input (see 'stream-medic diagnose --help')",
    ],
    ['a bad --minutes', ['--stream', 's', '--minutes', '-5'], 'stream-medic: --minutes: must be a whole number'],
  ])('%s', async (_case, args, message) => {
    const aws = served();

    const result = await liveRun(['diagnose', ...args], aws.factory);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^stream-medic: [^\n]+\n$/);
    expect(result.stderr).toContain(message);
    expect(callCount(aws)).toBe(0);
  });
});

describe('stream-medic diagnose --stream: AWS failures (exit 1)', () => {
  it('reports a stream that is not there and prints no report', async () => {
    const aws = served();
    aws.kinesis.on(DescribeStreamSummaryCommand).rejects(
      Object.assign(new Error('Stream nope under account 123456789012 not found.'), {
        name: 'ResourceNotFoundException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    const result = await liveRun(['diagnose', '--stream', 'nope', '--json'], aws.factory);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^stream-medic: stream "nope" was not found in eu-west-1 /);
  });

  it('reads the metric window of --minutes', async () => {
    const aws = served();

    await liveRun(['diagnose', '--stream', 'orders-stream', '--minutes', '90'], aws.factory);

    const input = aws.cloudWatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(input.EndTime!.getTime() - input.StartTime!.getTime()).toBe(90 * 60_000);
  });
});
