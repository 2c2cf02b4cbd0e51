import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  type GetMetricDataCommandInput,
  type ListMetricsCommandInput,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeStreamSummaryCommand,
  KinesisClient,
  type DescribeStreamSummaryCommandOutput,
} from '@aws-sdk/client-kinesis';
import {
  DescribeApplicationCommand,
  KinesisAnalyticsV2Client,
  type DescribeApplicationCommandOutput,
} from '@aws-sdk/client-kinesis-analytics-v2';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { CliIo } from '../../../../cli/io';
import { runCli } from '../../../../cli/main';
import type { AwsClientFactory, AwsClientRequest, CliAwsClients, CliServices } from '../../../../cli/commands/services';
import type { SnapshotInput } from '../../../../lambdas/domain/snapshot';
import { buildSnapshotInput, type SnapshotSpec } from '../../../builders/snapshot-builder';
import type { CliRun } from '../../support/cli-harness';

/** "Now" for every live test: half a minute past the end of the window the capture reads. */
export const NOW = new Date('2026-11-21T10:15:30.000Z');
/** The end of the metric window: the last whole minute before {@link NOW}. */
export const WINDOW_END = '2026-11-21T10:15:00.000Z';
export const REGION = 'eu-west-1';

/** Every SDK client of the CLI, each with its own aws-sdk-client-mock stub. */
/** Who the mocked STS says runs the operator commands. */
export const OPERATOR_ARN = 'arn:aws:sts::123456789012:assumed-role/StreamMedicOperators/alice';

export function mockedAws() {
  const clients: CliAwsClients = {
    cloudWatch: new CloudWatchClient({ region: REGION }),
    kinesis: new KinesisClient({ region: REGION }),
    kinesisAnalytics: new KinesisAnalyticsV2Client({ region: REGION }),
    stepFunctions: new SFNClient({ region: REGION }),
    cloudFormation: new CloudFormationClient({ region: REGION }),
    dynamoDbDocument: DynamoDBDocumentClient.from(new DynamoDBClient({ region: REGION })),
    sts: new STSClient({ region: REGION }),
  };
  const requests: AwsClientRequest[] = [];
  const factory: AwsClientFactory = (request) => {
    requests.push(request);
    return clients;
  };
  const sts = mockClient(clients.sts);
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Arn: OPERATOR_ARN, Account: '123456789012', UserId: 'AROAEXAMPLE:alice' });
  return {
    clients,
    factory,
    /** What each command asked the factory for: the region it wants. */
    requests,
    cloudWatch: mockClient(clients.cloudWatch),
    kinesis: mockClient(clients.kinesis),
    kinesisAnalytics: mockClient(clients.kinesisAnalytics),
    stepFunctions: mockClient(clients.stepFunctions),
    cloudFormation: mockClient(clients.cloudFormation),
    dynamoDbDocument: mockClient(clients.dynamoDbDocument),
    sts,
  };
}
export type MockedAws = ReturnType<typeof mockedAws>;

/** The number of calls made to any of the mocked clients. */
export function callCount(aws: MockedAws): number {
  return [
    aws.cloudWatch,
    aws.kinesis,
    aws.kinesisAnalytics,
    aws.stepFunctions,
    aws.cloudFormation,
    aws.dynamoDbDocument,
    aws.sts,
  ].reduce((sum, stub) => sum + stub.calls().length, 0);
}

export interface LiveRunOptions {
  readonly isTTY?: boolean;
  readonly env?: Record<string, string>;
  /** Records each wait; the default returns at once. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: Date;
}

/** Runs the CLI in-process with a capturing io and the given clients. */
export async function liveRun(
  argv: readonly string[],
  awsClients: AwsClientFactory,
  options: LiveRunOptions = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isTTY: options.isTTY ?? false,
    env: options.env ?? {},
  };
  const services: CliServices = {
    awsClients,
    clock: { now: () => options.now ?? NOW },
    sleep: options.sleep ?? (() => Promise.resolve()),
  };
  const code = await runCli(argv, io, services);
  return { code, stdout, stderr };
}

/**
 * An account as AWS would describe it: the snapshot builder's picture of a pipeline, served through
 * the mocked clients. GetMetricData answers each query by namespace and metric name, newest first as
 * the adapter asks, with `Date` timestamps as the SDK returns them.
 */
export function serveAccount(aws: MockedAws, spec: SnapshotSpec): SnapshotInput {
  const world = buildSnapshotInput({ minutes: 180, ...spec, capturedAt: WINDOW_END });
  const byMetric = new Map<string, { Timestamps: Date[]; Values: number[] }>();
  world.getMetricData?.MetricDataQueries.forEach((query, index) => {
    const result = world.getMetricData!.MetricDataResults[index]!;
    const metric = query.MetricStat!.Metric;
    byMetric.set(`${metric.Namespace}/${metric.MetricName}`, {
      Timestamps: (result.Timestamps ?? []).map((t) => new Date(t)).reverse(),
      Values: [...(result.Values ?? [])].reverse(),
    });
  });
  // ListMetrics lists the series the account publishes, filtered as AWS filters (dimension among others).
  aws.cloudWatch.on(ListMetricsCommand).callsFake((input: ListMetricsCommandInput) => ({
    Metrics: (world.getMetricData?.MetricDataQueries ?? [])
      .map((query) => query.MetricStat!.Metric)
      .filter(
        (metric) =>
          metric.Namespace === input.Namespace &&
          (input.Dimensions ?? []).every((filter) =>
            (metric.Dimensions ?? []).some(
              (d) => d.Name === filter.Name && (filter.Value === undefined || d.Value === filter.Value),
            ),
          ),
      )
      .map((metric) => ({ Namespace: metric.Namespace, MetricName: metric.MetricName, Dimensions: metric.Dimensions })),
    $metadata: {},
  }));
  aws.cloudWatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
    MetricDataResults: (input.MetricDataQueries ?? []).map((query) => {
      const metric = query.MetricStat!.Metric!;
      const found = byMetric.get(`${metric.Namespace}/${metric.MetricName}`);
      return {
        Id: query.Id,
        Label: query.Label,
        StatusCode: 'Complete',
        Timestamps: found?.Timestamps ?? [],
        Values: found?.Values ?? [],
      };
    }),
    $metadata: {},
  }));
  const summary = world.describeStreamSummary?.StreamDescriptionSummary;
  if (summary) {
    aws.kinesis.on(DescribeStreamSummaryCommand, { StreamName: summary.StreamName }).resolves({
      StreamDescriptionSummary: summary,
    } as unknown as DescribeStreamSummaryCommandOutput);
  }
  const detail = world.describeApplication?.ApplicationDetail;
  if (detail) {
    aws.kinesisAnalytics.on(DescribeApplicationCommand, { ApplicationName: detail.ApplicationName }).resolves({
      ApplicationDetail: detail,
    } as unknown as DescribeApplicationCommandOutput);
  }
  return world;
}

/** An error shaped as the SDK raises a service exception: a name, a message, `$fault` and `$metadata`. */
export function serviceError(name: string, message: string, httpStatusCode = 400, attempts = 1): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode, attempts },
  });
}
