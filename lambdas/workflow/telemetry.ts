import type { ServiceMetricName } from '../domain/service-metrics';

/**
 * What a task core reports besides its result. In Lambda this is Powertools Logger and Metrics; in
 * tests and the simulator it is a recorder, so the task cores never import Powertools themselves.
 */
export interface TaskTelemetry {
  info(message: string, attributes?: Readonly<Record<string, unknown>>): void;
  warn(message: string, attributes?: Readonly<Record<string, unknown>>): void;
  /** Adds to one of StreamMedic's own metrics (unit Count), or records a level the sweep samples. */
  count(metric: ServiceMetricName, value: number): void;
}

/** Telemetry that drops everything, for callers that have no use for it. */
export const SILENT_TELEMETRY: TaskTelemetry = {
  info: () => undefined,
  warn: () => undefined,
  count: () => undefined,
};
