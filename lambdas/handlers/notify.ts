import { SNSClient } from '@aws-sdk/client-sns';
import { SnsNotifier } from '../adapters/sns-notifier';
import { CountedNotifier } from '../workflow/counted-notifier';
import { createNotifyTask } from '../workflow/tasks/notify';
import { ENV, lambdaHandler, requireEnv, sdkClientConfig, telemetry, tracer } from './runtime';

const sns = tracer.captureAWSv3Client(new SNSClient(sdkClientConfig(requireEnv('AWS_REGION'))));

export const handler = lambdaHandler(
  createNotifyTask({
    notifier: new CountedNotifier(new SnsNotifier(sns, requireEnv(ENV.topicArn)), telemetry),
    telemetry,
  }),
);
