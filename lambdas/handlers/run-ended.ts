import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbTargetLock } from '../adapters/dynamodb-target-lock';
import { SfnExecutionReader } from '../adapters/sfn-execution-reader';
import { SnsNotifier } from '../adapters/sns-notifier';
import { RUN_ENDED_ENV, createRunEndedCore } from '../workflow/run-ended';
import { ENV, lambdaHandler, requireEnv, sdkClientConfig, telemetry, tracer } from './runtime';

const region = requireEnv('AWS_REGION');
const dynamoDb = tracer.captureAWSv3Client(new DynamoDBClient(sdkClientConfig(region)));
const sns = tracer.captureAWSv3Client(new SNSClient(sdkClientConfig(region)));
const sfn = tracer.captureAWSv3Client(new SFNClient(sdkClientConfig(region)));

export const handler = lambdaHandler(
  createRunEndedCore({
    lock: new DynamoDbTargetLock(DynamoDBDocumentClient.from(dynamoDb), {
      tableName: requireEnv(ENV.tableName),
      clock: { now: () => new Date() },
    }),
    notifier: new SnsNotifier(sns, requireEnv(ENV.topicArn)),
    executions: new SfnExecutionReader(sfn),
    telemetry,
    alarmNamePrefix: requireEnv(RUN_ENDED_ENV.alarmNamePrefix),
  }),
);
