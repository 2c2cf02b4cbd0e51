/**
 * StreamMedic's own custom metrics. The Lambdas emit them with Powertools Metrics and the CDK
 * dashboard graphs them; both sides read the names from here, so a rename cannot leave the
 * dashboard graphing a metric nobody emits.
 */

/** CloudWatch namespace of StreamMedic's own metrics (Powertools `namespace` / `POWERTOOLS_METRICS_NAMESPACE`). */
export const SERVICE_METRICS_NAMESPACE = 'StreamMedic';

/**
 * Powertools' `serviceName` (`POWERTOOLS_SERVICE_NAME`). Powertools adds it to every metric as the
 * `service` dimension, and a dashboard series only matches a metric with exactly the same dimensions.
 */
export const SERVICE_NAME = 'stream-medic';

/** The dimension Powertools adds from `serviceName`. */
export const SERVICE_DIMENSION = 'service';

export const SERVICE_METRIC_NAMES = {
  /** Changing API calls StreamMedic made (one per applied step), unit Count. */
  actionsTaken: 'ActionsTaken',
  /** Planned actions a guardrail stopped, unit Count. */
  actionsRefused: 'ActionsRefused',
  /**
   * Notifications that could not be published (after the SDK's own retries), unit Count. Its alarm
   * publishes to the same topic, which may be the very thing that is down.
   */
  notificationsFailed: 'NotificationsFailed',
  /**
   * Targets the sweep looks after with a lag, CPU or throttling alarm in ALARM, published by every
   * sweep (unit Count): a level, read with the Maximum statistic.
   */
  targetsAlarmed: 'TargetsAlarmed',
  /**
   * The fleet's changing calls in the last hour, as the `fleet-budget` guardrail counts them,
   * published by every sweep (unit Count): a level, read beside `fleet.maxChangesPerHour`.
   */
  fleetChangesLastHour: 'FleetChangesLastHour',
} as const;
export type ServiceMetricName = (typeof SERVICE_METRIC_NAMES)[keyof typeof SERVICE_METRIC_NAMES];

/**
 * The dimensions each service metric is emitted with: `service` only, so the dashboard can graph one
 * series per metric. Per-target detail belongs in the log record, not in extra dimensions here.
 */
export function serviceMetricDimensions(): Readonly<Record<string, string>> {
  return { [SERVICE_DIMENSION]: SERVICE_NAME };
}
