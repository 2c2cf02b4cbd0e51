/**
 * The SDK client settings of the workflow Lambdas, apart from runtime.ts so that they can be checked
 * without loading Powertools.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SERVICE_NAME } from '../domain/service-metrics';

/**
 * The SDK settings `createAwsClients` (adapters/aws-clients.ts) uses, but for the retry mode. They are
 * repeated here, not imported: importing that module would bundle every client into every function, since
 * @aws-sdk/lib-dynamodb does not declare itself free of side effects and so is never tree-shaken.
 */
const SDK_MAX_ATTEMPTS = 3;
/**
 * The SDK's `adaptive` retry mode: standard retries plus client-side rate limiting, which slows a
 * client's own requests once the service throttles them, first attempts included
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html). Each function builds
 * one client per service and calls few APIs through it, the pooling that mode expects; in a
 * fleet-wide storm the fleet cap bounds how many such clients call at once (docs/fleet.md).
 */
export const SDK_RETRY_MODE = 'adaptive' as const;
const SDK_CONNECTION_TIMEOUT_MS = 3_000;
const SDK_REQUEST_TIMEOUT_MS = 20_000;

// One HTTP handler per container: its keep-alive agent serves every client of the function.
const requestHandler = new NodeHttpHandler({
  connectionTimeout: SDK_CONNECTION_TIMEOUT_MS,
  requestTimeout: SDK_REQUEST_TIMEOUT_MS,
});

/**
 * SDK client settings for the workflow Lambdas. Each function builds only the clients it calls, so
 * its bundle carries no others. Few SDK attempts: the Step Functions retriers do the patient retrying.
 * Unlike the CLI's clients, these pace themselves (`adaptive`): many runs share the account's rates.
 */
export function sdkClientConfig(region: string) {
  return {
    region,
    maxAttempts: SDK_MAX_ATTEMPTS,
    retryMode: SDK_RETRY_MODE,
    requestHandler,
    customUserAgent: SERVICE_NAME,
  };
}
