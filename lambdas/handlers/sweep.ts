import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CloudWatchAlarmsSource } from '../adapters/cloudwatch-alarms-source';
import { SfnExecutionStarter } from '../adapters/sfn-execution-starter';
import { SWEEP_ENV, createSweepCore } from '../workflow/sweep';
import { lambdaHandler, requireEnv, sdkClientConfig, telemetry, tracer } from './runtime';

const region = requireEnv('AWS_REGION');
const cloudwatch = tracer.captureAWSv3Client(new CloudWatchClient(sdkClientConfig(region)));
const sfn = tracer.captureAWSv3Client(new SFNClient(sdkClientConfig(region)));

export const handler = lambdaHandler(
  createSweepCore({
    alarms: new CloudWatchAlarmsSource(cloudwatch),
    executions: new SfnExecutionStarter(sfn, requireEnv(SWEEP_ENV.stateMachineArn)),
    clock: { now: () => new Date() },
    telemetry,
  }),
);
