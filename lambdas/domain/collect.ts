import type { MetricDataQuery } from './aws-shapes';
import type { TargetConfig } from './config';
import type { LedgerEntry } from './model';
import { METRICS, METRIC_KEYS, defaultDimensions, type MetricSpec } from './metric-catalog';
import { SNAPSHOT_VERSION, parseSnapshot, type Snapshot } from './snapshot';
import type { ApplicationControl, Clock, Ledger, MetricsSource, StreamControl } from '../ports';

/** CloudWatch's finest period for standard-resolution AWS metrics. */
export const METRIC_PERIOD_SECONDS = 60;

/** How far back an assessment reads by default: long enough for the scale-in window and trends. */
export const DEFAULT_WINDOW_MINUTES = 180;

/** Look-back for the ledger: the longest guardrail window (the daily budget). */
export const LEDGER_LOOKBACK_MS = 24 * 60 * 60 * 1000;

/**
 * The GetMetricData queries for a target: one per metric in the catalog whose resource the target
 * has. The same list serves the assess Lambda and `stream-medic capture`.
 */
export function metricQueriesFor(
  target: Pick<TargetConfig, 'stream' | 'application'>,
  periodSeconds = METRIC_PERIOD_SECONDS,
): MetricDataQuery[] {
  const queries: MetricDataQuery[] = [];
  const add = (spec: MetricSpec, resourceName: string): void => {
    // The Kinesis source publishes its lag per source stream ({Application, Id, Flow}), never on Application alone.
    const dimensions =
      spec.key === 'millisBehindLatest' && target.stream
        ? [
            ...defaultDimensions(spec, resourceName),
            { Name: 'Id', Value: target.stream.name },
            { Name: 'Flow', Value: 'Input' },
          ]
        : defaultDimensions(spec, resourceName);
    queries.push({
      Id: `m${queries.length}`,
      Label: spec.metricName,
      ReturnData: true,
      MetricStat: {
        Metric: {
          Namespace: spec.namespace,
          MetricName: spec.metricName,
          Dimensions: dimensions,
        },
        Period: periodSeconds,
        Stat: spec.stats[0]!,
      },
    });
  };
  for (const key of METRIC_KEYS) {
    const spec = METRICS[key];
    if (spec.resource === 'stream' && target.stream) add(spec, target.stream.name);
    if (spec.resource === 'application' && target.application) add(spec, target.application.name);
  }
  return queries;
}

export interface CollectPorts {
  readonly metrics: MetricsSource;
  readonly streams?: StreamControl;
  readonly applications?: ApplicationControl;
  readonly ledger?: Ledger;
  readonly clock: Clock;
}

/**
 * Reads everything an assessment needs through the ports, read-only, and returns it as an incident
 * snapshot: the live path and `diagnose --input` then run the very same engine on the same shape.
 */
export async function collectSnapshot(
  ports: CollectPorts,
  target: TargetConfig,
  windowMinutes = DEFAULT_WINDOW_MINUTES,
): Promise<Snapshot> {
  const end = ports.clock.now();
  // Align to whole periods so the last datapoint is complete.
  const endAligned = new Date(Math.floor(end.getTime() / 60_000) * 60_000);
  const start = new Date(endAligned.getTime() - windowMinutes * 60_000);
  const [getMetricData, describeStreamSummary, describeApplication, ledger] = await Promise.all([
    ports.metrics.getMetricData({ queries: metricQueriesFor(target), startTime: start, endTime: endAligned }),
    target.stream && ports.streams ? ports.streams.describeStreamSummary(target.stream.name) : undefined,
    target.application && ports.applications
      ? ports.applications.describeApplication(target.application.name)
      : undefined,
    ports.ledger
      ? ports.ledger.list(target.name, new Date(end.getTime() - LEDGER_LOOKBACK_MS).toISOString())
      : Promise.resolve<LedgerEntry[]>([]),
  ]);
  return parseSnapshot({
    version: SNAPSHOT_VERSION,
    capturedAt: endAligned.toISOString(),
    target: {
      name: target.name,
      ...(target.stream ? { streamName: target.stream.name } : {}),
      ...(target.application ? { applicationName: target.application.name } : {}),
    },
    config: target,
    getMetricData,
    ...(describeStreamSummary ? { describeStreamSummary } : {}),
    ...(describeApplication ? { describeApplication } : {}),
    ledger,
  });
}
