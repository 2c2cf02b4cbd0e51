import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbTargetLock } from '../adapters/dynamodb-target-lock';
import { createUnlockTask } from '../workflow/tasks/lock';
import { ENV, lambdaHandler, requireEnv, sdkClientConfig, telemetry, tracer } from './runtime';

const dynamoDb = tracer.captureAWSv3Client(new DynamoDBClient(sdkClientConfig(requireEnv('AWS_REGION'))));
const lock = new DynamoDbTargetLock(DynamoDBDocumentClient.from(dynamoDb), {
  tableName: requireEnv(ENV.tableName),
  clock: { now: () => new Date() },
});

export const handler = lambdaHandler(createUnlockTask({ lock, telemetry }));
