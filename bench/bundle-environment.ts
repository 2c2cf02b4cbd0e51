import { ENV } from '../lambdas/workflow/env';
import { RUN_ENDED_ENV } from '../lambdas/workflow/run-ended';
import { SWEEP_ENV } from '../lambdas/workflow/sweep';
import type { LambdaName } from '../lib/lambda-bundling';

/**
 * What a function's module scope reads from its environment in Lambda, for loading a bundle in a
 * fresh node outside Lambda (the bundle benchmark and the bundle tests).
 */
export function bundleEnvironment(name: LambdaName, functionName: string): Record<string, string> {
  return {
    AWS_REGION: 'eu-west-1',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    [ENV.tableName]: 'stream-medic-ledger',
    [ENV.topicArn]: 'arn:aws:sns:eu-west-1:123456789012:stream-medic',
    [ENV.targetRegion]: 'eu-west-1',
    [ENV.task]: name,
    [RUN_ENDED_ENV.alarmNamePrefix]: 'StreamMedic',
    [SWEEP_ENV.stateMachineArn]: 'arn:aws:states:eu-west-1:123456789012:stateMachine:StreamMedic',
    POWERTOOLS_SERVICE_NAME: 'stream-medic',
    POWERTOOLS_METRICS_NAMESPACE: 'StreamMedic',
  };
}
