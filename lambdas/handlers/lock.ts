import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbTurnedAwayLog } from '../adapters/dynamodb-run-notes';
import { DynamoDbFleetSlots } from '../adapters/dynamodb-fleet-slots';
import { DynamoDbTargetLock } from '../adapters/dynamodb-target-lock';
import { createLockTask } from '../workflow/tasks/lock';
import { ENV, lambdaHandler, requireEnv, sdkClientConfig, telemetry, tracer } from './runtime';

const dynamoDb = tracer.captureAWSv3Client(new DynamoDBClient(sdkClientConfig(requireEnv('AWS_REGION'))));
const documents = DynamoDBDocumentClient.from(dynamoDb);
const clock = { now: () => new Date() };
const tableName = requireEnv(ENV.tableName);

export const handler = lambdaHandler(
  createLockTask({
    lock: new DynamoDbTargetLock(documents, { tableName, clock }),
    slots: new DynamoDbFleetSlots(documents, { tableName, clock }),
    turnedAway: new DynamoDbTurnedAwayLog(documents, tableName),
    clock,
    telemetry,
  }),
);
