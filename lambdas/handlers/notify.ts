import { SNSClient } from '@aws-sdk/client-sns';
import { SnsNotifier } from '../adapters/sns-notifier';
import { createNotifyStep } from '../workflow/tasks/notify';
import { ENV, lambdaHandler, requireEnv, sdkClientConfig, telemetry, tracer } from './runtime';

const sns = tracer.captureAWSv3Client(new SNSClient(sdkClientConfig(requireEnv('AWS_REGION'))));

export const handler = lambdaHandler(
  createNotifyStep({ notifier: new SnsNotifier(sns, requireEnv(ENV.topicArn)), telemetry }),
);
