/**
 * The read-only ports the assess and verify tasks share: metrics, the stream and application
 * descriptions in the target's region, and the ledger and the kill switch in the function's own region.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisAnalyticsV2Client } from '@aws-sdk/client-kinesis-analytics-v2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CloudWatchMetricsSource } from '../adapters/cloudwatch-metrics-source';
import { DynamoDbFleetChangeLog } from '../adapters/dynamodb-fleet-changes';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger';
import { DynamoDbPauseSwitch } from '../adapters/dynamodb-pause-switch';
import { DynamoDbRefusalLog } from '../adapters/dynamodb-refusal-log';
import { FlinkApplicationControl } from '../adapters/flink-application-control';
import { KinesisStreamControl } from '../adapters/kinesis-stream-control';
import { ENV, requireEnv, sdkClientConfig, telemetry, tracer } from './runtime';

export function assessmentPorts() {
  const target = sdkClientConfig(requireEnv(ENV.targetRegion));
  const dynamoDb = tracer.captureAWSv3Client(new DynamoDBClient(sdkClientConfig(requireEnv('AWS_REGION'))));
  const tableName = requireEnv(ENV.tableName);
  const document = DynamoDBDocumentClient.from(dynamoDb);
  return {
    metrics: new CloudWatchMetricsSource(tracer.captureAWSv3Client(new CloudWatchClient(target))),
    streams: new KinesisStreamControl(tracer.captureAWSv3Client(new KinesisClient(target))),
    applications: new FlinkApplicationControl(tracer.captureAWSv3Client(new KinesisAnalyticsV2Client(target))),
    ledger: new DynamoDbLedger(document, { tableName }),
    pauses: new DynamoDbPauseSwitch(document, { tableName }),
    // Written by the assess step only: the verify step's role may not put ledger items.
    refusals: new DynamoDbRefusalLog(document, { tableName }),
    fleetChanges: new DynamoDbFleetChangeLog(document, { tableName }),
    clock: { now: () => new Date() },
    telemetry,
  };
}
