import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CloudWatchAlarmsSource } from '../adapters/cloudwatch-alarms-source';
import { DynamoDbFleetChangeLog } from '../adapters/dynamodb-fleet-changes';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger';
import { DynamoDbFleetSlots } from '../adapters/dynamodb-fleet-slots';
import { DynamoDbNoticeLog } from '../adapters/dynamodb-run-notes';
import { SfnExecutionStarter } from '../adapters/sfn-execution-starter';
import { SWEEP_ENV, createSweepCore } from '../workflow/sweep';
import { ENV, lambdaHandler, requireEnv, sdkClientConfig, telemetry, tracer } from './runtime';

const region = requireEnv('AWS_REGION');
const cloudwatch = tracer.captureAWSv3Client(new CloudWatchClient(sdkClientConfig(region)));
const sfn = tracer.captureAWSv3Client(new SFNClient(sdkClientConfig(region)));
const documents = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient(sdkClientConfig(region))));
const clock = { now: () => new Date() };
const tableName = requireEnv(ENV.tableName);

export const handler = lambdaHandler(
  createSweepCore({
    alarms: new CloudWatchAlarmsSource(cloudwatch),
    executions: new SfnExecutionStarter(sfn, requireEnv(SWEEP_ENV.stateMachineArn)),
    notices: new DynamoDbNoticeLog(documents, tableName),
    ledger: new DynamoDbLedger(documents, { tableName }),
    slots: new DynamoDbFleetSlots(documents, { tableName, clock }),
    fleetChanges: new DynamoDbFleetChangeLog(documents, { tableName }),
    clock,
    telemetry,
    pause: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  }),
);
