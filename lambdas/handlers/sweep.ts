import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CloudWatchAlarmsSource } from '../adapters/cloudwatch-alarms-source';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger';
import { DynamoDbNoticeLog } from '../adapters/dynamodb-run-notes';
import { SfnExecutionStarter } from '../adapters/sfn-execution-starter';
import { SWEEP_ENV, createSweepCore } from '../workflow/sweep';
import { ENV, lambdaHandler, requireEnv, sdkClientConfig, telemetry, tracer } from './runtime';

const region = requireEnv('AWS_REGION');
const cloudwatch = tracer.captureAWSv3Client(new CloudWatchClient(sdkClientConfig(region)));
const sfn = tracer.captureAWSv3Client(new SFNClient(sdkClientConfig(region)));
const dynamoDb = tracer.captureAWSv3Client(new DynamoDBClient(sdkClientConfig(region)));
const documents = DynamoDBDocumentClient.from(dynamoDb);

export const handler = lambdaHandler(
  createSweepCore({
    alarms: new CloudWatchAlarmsSource(cloudwatch),
    executions: new SfnExecutionStarter(sfn, requireEnv(SWEEP_ENV.stateMachineArn)),
    notices: new DynamoDbNoticeLog(documents, requireEnv(ENV.tableName)),
    ledger: new DynamoDbLedger(documents, { tableName: requireEnv(ENV.tableName) }),
    clock: { now: () => new Date() },
    telemetry,
  }),
);
