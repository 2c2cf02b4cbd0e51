import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbFleetSlots } from '../adapters/dynamodb-fleet-slots';
import { DynamoDbTargetLock } from '../adapters/dynamodb-target-lock';
import { createUnlockTask } from '../workflow/tasks/lock';
import { ENV, lambdaHandler, requireEnv, sdkClientConfig, telemetry, tracer } from './runtime';

const dynamoDb = tracer.captureAWSv3Client(new DynamoDBClient(sdkClientConfig(requireEnv('AWS_REGION'))));
const documents = DynamoDBDocumentClient.from(dynamoDb);
const table = { tableName: requireEnv(ENV.tableName), clock: { now: () => new Date() } };

export const handler = lambdaHandler(
  createUnlockTask({
    lock: new DynamoDbTargetLock(documents, table),
    slots: new DynamoDbFleetSlots(documents, table),
    telemetry,
  }),
);
