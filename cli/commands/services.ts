import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisAnalyticsV2Client } from '@aws-sdk/client-kinesis-analytics-v2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  DEFAULT_CONNECTION_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  createAwsClients,
  type AwsClientsProps,
} from '../../lambdas/adapters/aws-clients';
import type { Clock } from '../../lambdas/ports';

/** The SDK clients the CLI's AWS commands use. */
export interface CliAwsClients {
  readonly cloudWatch: CloudWatchClient;
  readonly kinesis: KinesisClient;
  readonly kinesisAnalytics: KinesisAnalyticsV2Client;
  readonly stepFunctions: SFNClient;
  readonly cloudFormation: CloudFormationClient;
  /** The ledger table: pauses and the history. */
  readonly dynamoDbDocument: DynamoDBDocumentClient;
  /** Who runs an operator command (GetCallerIdentity). */
  readonly sts: STSClient;
}

export interface AwsClientRequest {
  /**
   * The region the command was asked to use.
   * @default the SDK's provider chain (`AWS_REGION`, the profile's region)
   */
  readonly region?: string;
  /**
   * One endpoint for every service, e.g. an emulator (`--endpoint-url`).
   * @default each service's AWS endpoint
   */
  readonly endpoint?: string;
}

/** Builds the clients for one command; tests pass mocked clients or clients aimed at an emulator. */
export type AwsClientFactory = (request: AwsClientRequest) => CliAwsClients;

/** What the AWS commands need from outside: clients, the time, and a way to wait. */
export interface CliServices {
  readonly awsClients: AwsClientFactory;
  readonly clock: Clock;
  /** Waits between status checks; tests pass one that returns at once. */
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * Attempts per call for a person at a terminal: more patient than the Lambdas (which leave retrying
 * to the state machine), so a burst of throttling is ridden out before it is reported.
 */
export const CLI_MAX_ATTEMPTS = 5;

export type CliAwsClientsProps = Omit<AwsClientsProps, 'endpoints'> & {
  /**
   * Per-service endpoints, e.g. a local Kinesis emulator; they win over `endpoint`.
   * @default `endpoint`
   */
  readonly endpoints?: Readonly<Partial<Record<keyof CliAwsClients, string>>>;
};

/**
 * The CLI's clients, with the same HTTP handler settings as the Lambdas' and the user's own
 * credentials (the SDK's provider chain: `AWS_PROFILE`, SSO, environment variables, ...).
 */
export function createCliAwsClients(props: CliAwsClientsProps = {}): CliAwsClients {
  const { endpoints, ...common } = props;
  const maxAttempts = props.maxAttempts ?? CLI_MAX_ATTEMPTS;
  const shared = createAwsClients({
    ...common,
    maxAttempts,
    endpoints: {
      ...(endpoints?.cloudWatch !== undefined && { cloudWatch: endpoints.cloudWatch }),
      ...(endpoints?.kinesis !== undefined && { kinesis: endpoints.kinesis }),
      ...(endpoints?.kinesisAnalytics !== undefined && { kinesisAnalytics: endpoints.kinesisAnalytics }),
      ...(endpoints?.dynamoDbDocument !== undefined && { dynamoDb: endpoints.dynamoDbDocument }),
    },
  });
  const requestHandler = new NodeHttpHandler({
    connectionTimeout: props.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    requestTimeout: props.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
  });
  const configFor = (endpoint: string | undefined) => ({
    maxAttempts,
    retryMode: props.retryMode ?? 'standard',
    requestHandler,
    customUserAgent: 'stream-medic',
    ...(props.region !== undefined && { region: props.region }),
    ...((endpoint ?? props.endpoint) !== undefined && { endpoint: endpoint ?? props.endpoint }),
    ...(props.credentials !== undefined && { credentials: props.credentials }),
  });
  return {
    cloudWatch: shared.cloudWatch,
    kinesis: shared.kinesis,
    kinesisAnalytics: shared.kinesisAnalytics,
    stepFunctions: new SFNClient(configFor(endpoints?.stepFunctions)),
    cloudFormation: new CloudFormationClient(configFor(endpoints?.cloudFormation)),
    dynamoDbDocument: shared.dynamoDbDocument,
    sts: new STSClient(configFor(endpoints?.sts)),
  };
}

/** The real world: the user's AWS account and the wall clock. */
export function defaultServices(): CliServices {
  return {
    awsClients: (request) =>
      createCliAwsClients({
        ...(request.region !== undefined && { region: request.region }),
        ...(request.endpoint !== undefined && { endpoint: request.endpoint }),
      }),
    clock: { now: () => new Date() },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}
