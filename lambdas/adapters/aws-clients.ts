import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisAnalyticsV2Client } from '@aws-sdk/client-kinesis-analytics-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export type AwsServiceKey = 'cloudWatch' | 'kinesis' | 'kinesisAnalytics' | 'sns' | 'dynamoDb';

export interface AwsClientsProps {
  /**
   * AWS region of every client.
   * @default the SDK's provider chain (`AWS_REGION` in Lambda)
   */
  readonly region?: string;
  /**
   * Attempts per call, the first included. Kept modest: the workflow retries named errors with its
   * own backoff, and a Lambda should fail before its timeout rather than retry past it.
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * `adaptive` adds client-side rate limiting after throttling, useful when many targets are assessed
   * at once.
   * @default 'standard'
   */
  readonly retryMode?: 'standard' | 'adaptive';
  /**
   * Endpoint for every service, e.g. a local emulator. The SDK's own `AWS_ENDPOINT_URL` and
   * `AWS_ENDPOINT_URL_<SERVICE>` variables work as well.
   * @default the public AWS endpoint of each service
   */
  readonly endpoint?: string;
  /**
   * Per-service endpoints; they win over `endpoint`. Emulators usually serve one service each.
   * @default `endpoint`
   */
  readonly endpoints?: Readonly<Partial<Record<AwsServiceKey, string>>>;
  /**
   * Fixed credentials, for emulators that only need a well-formed signature.
   * @default the SDK's provider chain (the Lambda execution role)
   */
  readonly credentials?: StaticCredentials;
  /**
   * Time to establish a connection, in milliseconds.
   * @default 3000
   */
  readonly connectionTimeoutMs?: number;
  /**
   * Time without a response before a request is abandoned (and retried), in milliseconds.
   * @default 20000
   */
  readonly requestTimeoutMs?: number;
}

export interface AwsClients {
  readonly cloudWatch: CloudWatchClient;
  readonly kinesis: KinesisClient;
  readonly kinesisAnalytics: KinesisAnalyticsV2Client;
  readonly sns: SNSClient;
  readonly dynamoDb: DynamoDBClient;
  /** Marshals plain JavaScript values; used by the ledger and lock adapters. */
  readonly dynamoDbDocument: DynamoDBDocumentClient;
}

export const DEFAULT_MAX_ATTEMPTS = 3;
export const DEFAULT_CONNECTION_TIMEOUT_MS = 3_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

/**
 * Builds every SDK client once, with one HTTP/1.1 handler and one retry policy. Call it at module scope
 * in a handler so warm invocations reuse the clients and their connections.
 */
export function createAwsClients(props: AwsClientsProps = {}): AwsClients {
  const maxAttempts = props.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  requirePositiveInteger('maxAttempts', maxAttempts);
  const connectionTimeout = props.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS;
  requirePositiveInteger('connectionTimeoutMs', connectionTimeout);
  const requestTimeout = props.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  requirePositiveInteger('requestTimeoutMs', requestTimeout);
  for (const [service, endpoint] of Object.entries({ all: props.endpoint, ...props.endpoints })) {
    if (endpoint !== undefined) requireUrl(service === 'all' ? 'endpoint' : `endpoints.${service}`, endpoint);
  }

  // One handler for all clients: its keep-alive agent pools connections per host.
  const requestHandler = new NodeHttpHandler({ connectionTimeout, requestTimeout });
  const configFor = (service: AwsServiceKey) => {
    const endpoint = props.endpoints?.[service] ?? props.endpoint;
    return {
      maxAttempts,
      retryMode: props.retryMode ?? 'standard',
      requestHandler,
      customUserAgent: 'stream-medic',
      ...(props.region !== undefined && { region: props.region }),
      ...(endpoint !== undefined && { endpoint }),
      ...(props.credentials !== undefined && { credentials: props.credentials }),
    };
  };

  const dynamoDb = new DynamoDBClient(configFor('dynamoDb'));
  return {
    cloudWatch: new CloudWatchClient(configFor('cloudWatch')),
    kinesis: new KinesisClient(configFor('kinesis')),
    kinesisAnalytics: new KinesisAnalyticsV2Client(configFor('kinesisAnalytics')),
    sns: new SNSClient(configFor('sns')),
    dynamoDb,
    dynamoDbDocument: DynamoDBDocumentClient.from(dynamoDb, {
      // Optional fields of a ledger entry are absent, not null.
      marshallOptions: { removeUndefinedValues: true },
    }),
  };
}

function requirePositiveInteger(prop: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${prop} must be a positive integer, got ${value}`);
  }
}

function requireUrl(prop: string, value: string): void {
  const protocol = URL.canParse(value) ? new URL(value).protocol : undefined;
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new Error(`${prop} must be an http(s) URL such as http://127.0.0.1:4566, got "${value}"`);
  }
}
