/**
 * What every workflow Lambda shares: Powertools logger, metrics and tracer built once per container,
 * the Middy wrapper around a task core, and the environment it reads.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SERVICE_METRICS_NAMESPACE, SERVICE_NAME } from '../domain/service-metrics';
import type { TaskCore } from '../workflow/task-payloads';
import { ENV } from '../workflow/env';

export { ENV };
import type { TaskTelemetry } from '../workflow/telemetry';

export const logger = new Logger({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({ namespace: SERVICE_METRICS_NAMESPACE, serviceName: SERVICE_NAME });
export const tracer = new Tracer({ serviceName: SERVICE_NAME });

export const telemetry: TaskTelemetry = {
  info: (message, attributes) => logger.info(message, { ...attributes }),
  warn: (message, attributes) => logger.warn(message, { ...attributes }),
  count: (metric, value) => metrics.addMetric(metric, MetricUnit.Count, value),
};

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} must be set`);
  return value;
}

/**
 * The SDK settings `createAwsClients` (adapters/aws-clients.ts) uses. They are repeated here, not
 * imported: importing that module would bundle every client into every function, since
 * @aws-sdk/lib-dynamodb does not declare itself free of side effects and so is never tree-shaken.
 */
const SDK_MAX_ATTEMPTS = 3;
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
 */
export function sdkClientConfig(region: string) {
  return { region, maxAttempts: SDK_MAX_ATTEMPTS, requestHandler, customUserAgent: SERVICE_NAME };
}

function flushMetrics(): void {
  // Powertools warns on every invocation that has nothing to publish; most tasks emit no metric.
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

const publishMetrics: MiddlewareObj = {
  before: () => {
    metrics.captureColdStartMetric();
  },
  after: flushMetrics,
  onError: flushMetrics,
};

/**
 * Wraps a task core for Lambda. Errors pass through unchanged, so Step Functions sees the error's
 * `name` (ThrottlingError, InvalidInputError, ...) and can retry or catch it; they are logged first.
 */
export function lambdaHandler(core: TaskCore) {
  return middy(async (event: unknown) => core(event))
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger))
    .use(publishMetrics)
    .use({
      onError: (request) => {
        logger.error('task failed', request.error as Error);
      },
    });
}
