import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisAnalyticsV2Client } from '@aws-sdk/client-kinesis-analytics-v2';
import { FlinkApplicationControl } from '../adapters/flink-application-control';
import { KinesisStreamControl } from '../adapters/kinesis-stream-control';
import { createWaitCheckTask } from '../workflow/tasks/wait-check';
import { ENV, lambdaHandler, requireEnv, sdkClientConfig, tracer } from './runtime';

const target = sdkClientConfig(requireEnv(ENV.targetRegion));

export const handler = lambdaHandler(
  createWaitCheckTask({
    streams: new KinesisStreamControl(tracer.captureAWSv3Client(new KinesisClient(target))),
    applications: new FlinkApplicationControl(tracer.captureAWSv3Client(new KinesisAnalyticsV2Client(target))),
  }),
);
