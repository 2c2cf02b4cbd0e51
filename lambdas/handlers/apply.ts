import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisAnalyticsV2Client } from '@aws-sdk/client-kinesis-analytics-v2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbFleetChangeLog } from '../adapters/dynamodb-fleet-changes';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger';
import { FlinkApplicationControl } from '../adapters/flink-application-control';
import { KinesisStreamControl } from '../adapters/kinesis-stream-control';
import { createApplyTask } from '../workflow/tasks/apply';
import { ENV, lambdaHandler, requireEnv, sdkClientConfig, telemetry, tracer } from './runtime';

const target = sdkClientConfig(requireEnv(ENV.targetRegion));
const dynamoDb = tracer.captureAWSv3Client(new DynamoDBClient(sdkClientConfig(requireEnv('AWS_REGION'))));
const documents = DynamoDBDocumentClient.from(dynamoDb);
const tableName = requireEnv(ENV.tableName);

export const handler = lambdaHandler(
  createApplyTask({
    streams: new KinesisStreamControl(tracer.captureAWSv3Client(new KinesisClient(target))),
    applications: new FlinkApplicationControl(tracer.captureAWSv3Client(new KinesisAnalyticsV2Client(target))),
    ledger: new DynamoDbLedger(documents, { tableName }),
    fleetChanges: new DynamoDbFleetChangeLog(documents, { tableName }),
    clock: { now: () => new Date() },
    telemetry,
  }),
);
