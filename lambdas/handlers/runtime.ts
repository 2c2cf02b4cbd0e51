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
import { SERVICE_METRICS_NAMESPACE, SERVICE_NAME } from '../domain/service-metrics';
import type { TaskCore } from '../workflow/task-payloads';
import { ENV } from '../workflow/env';

export { ENV };
export { sdkClientConfig } from './sdk-client-config';
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
