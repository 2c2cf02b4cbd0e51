import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbApprovals } from '../adapters/dynamodb-approvals';
import { SnsNotifier } from '../adapters/sns-notifier';
import { CountedNotifier } from '../workflow/counted-notifier';
import { createApprovalTask } from '../workflow/tasks/approval';
import { ENV, lambdaHandler, requireEnv, sdkClientConfig, telemetry, tracer } from './runtime';

const region = sdkClientConfig(requireEnv('AWS_REGION'));
const sns = tracer.captureAWSv3Client(new SNSClient(region));
const dynamoDb = tracer.captureAWSv3Client(new DynamoDBClient(region));

export const handler = lambdaHandler(
  createApprovalTask({
    approvals: new DynamoDbApprovals(DynamoDBDocumentClient.from(dynamoDb), { tableName: requireEnv(ENV.tableName) }),
    notifier: new CountedNotifier(new SnsNotifier(sns, requireEnv(ENV.topicArn)), telemetry),
    clock: { now: () => new Date() },
    telemetry,
  }),
);
