import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger';
import { DynamoDbNoticeLog } from '../adapters/dynamodb-run-notes';
import { SnsNotifier } from '../adapters/sns-notifier';
import { CountedNotifier } from '../workflow/counted-notifier';
import { createNotifyTask } from '../workflow/tasks/notify';
import { ENV, lambdaHandler, requireEnv, sdkClientConfig, telemetry, tracer } from './runtime';

const region = sdkClientConfig(requireEnv('AWS_REGION'));
const sns = tracer.captureAWSv3Client(new SNSClient(region));
const dynamoDb = tracer.captureAWSv3Client(new DynamoDBClient(region));

export const handler = lambdaHandler(
  createNotifyTask({
    notifier: new CountedNotifier(new SnsNotifier(sns, requireEnv(ENV.topicArn)), telemetry),
    notices: new DynamoDbNoticeLog(DynamoDBDocumentClient.from(dynamoDb), requireEnv(ENV.tableName)),
    clock: { now: () => new Date() },
    telemetry,
    ledger: new DynamoDbLedger(DynamoDBDocumentClient.from(dynamoDb), { tableName: requireEnv(ENV.tableName) }),
  }),
);
