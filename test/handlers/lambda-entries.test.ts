import { DescribeStreamSummaryCommand, KinesisClient, UpdateShardCountCommand } from '@aws-sdk/client-kinesis';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { build } from 'esbuild';
import { INITIAL_PROGRESS } from '../../lambdas/domain/run-state';
import { workStepsOf } from '../../lambdas/domain/work-steps';
import type { StepApplied } from '../../lambdas/workflow/apply-step';
import { SERVICE_METRICS_NAMESPACE } from '../../lambdas/domain/service-metrics';
import type { TaskName } from '../../lambdas/workflow/task-payloads';
import { ENV } from '../../lambdas/workflow/env';
import { esbuildOptionsFor } from '../../lib/lambda-bundling';
import { SCALE_STREAM, runContext } from '../fakes/runs';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * Middy 6 is an ES module, which Jest cannot require; so the entries are bundled as they are for
 * Lambda, except that the AWS SDK stays outside the bundle, where aws-sdk-client-mock can reach it.
 * The bundles go under node_modules so that their requires of the SDK resolve.
 */
async function loadEntry(step: TaskName): Promise<Handler> {
  const dir = join(__dirname, '..', '..', 'node_modules', '.cache', 'stream-medic-entry-tests');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `${step}.js`);
  await build({ ...esbuildOptionsFor(step, outfile), minify: false, external: ['@aws-sdk/*'] });
  return ((await import(outfile)) as { handler: Handler }).handler;
}

const context = {
  functionName: 'StreamMedic-Apply',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:StreamMedic-Apply',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  logGroupName: '/aws/lambda/StreamMedic-Apply',
  logStreamName: '2026/11/21/[$LATEST]abcdef',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;

const kinesis = mockClient(KinesisClient);
const dynamoDb = mockClient(DynamoDBDocumentClient);
const saved = { ...process.env };
let printed: string[] = [];
let apply: Handler;
let intake: Handler;

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    [ENV.tableName]: 'stream-medic-ledger',
    [ENV.targetRegion]: 'eu-west-1',
    // Powertools writes to the global console in dev mode, where the test can read the EMF record.
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_METRICS_DISABLED: 'false',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_TRACE_ENABLED: 'false',
  });
  jest.spyOn(console, 'log').mockImplementation((line: unknown) => {
    printed.push(String(line));
  });
  [apply, intake] = await Promise.all([loadEntry('apply'), loadEntry('intake')]);
});

afterAll(() => {
  process.env = saved;
  jest.restoreAllMocks();
});

beforeEach(() => {
  printed = [];
  kinesis.reset();
  dynamoDb.reset();
});

describe('Lambda entries', () => {
  it('apply: one UpdateShardCount through the SDK, a ledger item, and ActionsTaken in the StreamMedic namespace', async () => {
    kinesis.on(DescribeStreamSummaryCommand).resolves({
      StreamDescriptionSummary: {
        StreamName: 'orders-stream',
        StreamARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders-stream',
        StreamStatus: 'ACTIVE',
        StreamModeDetails: { StreamMode: 'PROVISIONED' },
        RetentionPeriodHours: 24,
        OpenShardCount: 2,
        StreamCreationTimestamp: new Date('2026-01-01T00:00:00Z'),
        EnhancedMonitoring: [],
      },
    });
    kinesis.on(UpdateShardCountCommand).resolves({});
    dynamoDb.on(PutCommand).resolves({});
    dynamoDb.on(QueryCommand).resolves({ Items: [] });

    const payload = { run: runContext(), steps: workStepsOf([SCALE_STREAM]), progress: INITIAL_PROGRESS };
    const { progress } = (await apply(payload, context)) as StepApplied;

    expect(progress.next).toBe(1);
    expect(kinesis.commandCalls(UpdateShardCountCommand)[0]!.args[0].input).toEqual({
      StreamName: 'orders-stream',
      TargetShardCount: 4,
      ScalingType: 'UNIFORM_SCALING',
    });
    expect(dynamoDb.commandCalls(PutCommand)[0]!.args[0].input.TableName).toBe('stream-medic-ledger');
    const emf = printed.map((line) => JSON.parse(line) as Record<string, unknown>).find((r) => 'ActionsTaken' in r);
    expect(emf).toMatchObject({
      ActionsTaken: 1,
      service: 'stream-medic',
      _aws: { CloudWatchMetrics: [{ Namespace: SERVICE_METRICS_NAMESPACE, Dimensions: [['service']] }] },
    });
  });

  it('intake: a bad manual input fails under the name InvalidInputError, naming the field', async () => {
    const error = await intake(
      {
        input: { target: 7 },
        executionId: 'arn:aws:states:eu-west-1:1:execution:x:y',
        startedAt: 'now',
        config: { targets: [{ name: 'orders', stream: { name: 's' } }] },
      },
      context,
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InvalidInputError', path: 'target' });
  });
});
