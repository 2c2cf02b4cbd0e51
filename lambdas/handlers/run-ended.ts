import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisAnalyticsV2Client } from '@aws-sdk/client-kinesis-analytics-v2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbFleetSlots } from '../adapters/dynamodb-fleet-slots';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger';
import { DynamoDbTargetLock } from '../adapters/dynamodb-target-lock';
import { FlinkApplicationControl } from '../adapters/flink-application-control';
import { KinesisStreamControl } from '../adapters/kinesis-stream-control';
import { SfnExecutionReader } from '../adapters/sfn-execution-reader';
import { SnsNotifier } from '../adapters/sns-notifier';
import { RUN_ENDED_ENV, createRunEndedCore } from '../workflow/run-ended';
import { ENV, lambdaHandler, requireEnv, sdkClientConfig, telemetry, tracer } from './runtime';

const region = requireEnv('AWS_REGION');
const dynamoDb = tracer.captureAWSv3Client(new DynamoDBClient(sdkClientConfig(region)));
const sns = tracer.captureAWSv3Client(new SNSClient(sdkClientConfig(region)));
const sfn = tracer.captureAWSv3Client(new SFNClient(sdkClientConfig(region)));
const targetRegion = sdkClientConfig(requireEnv(ENV.targetRegion));
const clock = { now: () => new Date() };

export const handler = lambdaHandler(
  createRunEndedCore({
    lock: new DynamoDbTargetLock(DynamoDBDocumentClient.from(dynamoDb), {
      tableName: requireEnv(ENV.tableName),
      clock,
    }),
    slots: new DynamoDbFleetSlots(DynamoDBDocumentClient.from(dynamoDb), {
      tableName: requireEnv(ENV.tableName),
      clock,
    }),
    notifier: new SnsNotifier(sns, requireEnv(ENV.topicArn)),
    executions: new SfnExecutionReader(sfn),
    telemetry,
    alarmNamePrefix: requireEnv(RUN_ENDED_ENV.alarmNamePrefix),
    reconcile: {
      ledger: new DynamoDbLedger(DynamoDBDocumentClient.from(dynamoDb), { tableName: requireEnv(ENV.tableName) }),
      streams: new KinesisStreamControl(tracer.captureAWSv3Client(new KinesisClient(targetRegion))),
      applications: new FlinkApplicationControl(tracer.captureAWSv3Client(new KinesisAnalyticsV2Client(targetRegion))),
      clock,
    },
  }),
);
