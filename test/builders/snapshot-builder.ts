import { METRICS, defaultDimensions, type MetricKey } from '../../lambdas/domain/metric-catalog';
import type { LedgerEntry } from '../../lambdas/domain/model';
import { parseSnapshot, type Snapshot, type SnapshotInput } from '../../lambdas/domain/snapshot';

/** A value per minute: a constant, or a function of the minute index (0 = oldest). */
export type SeriesSpec = number | ((minute: number) => number | undefined);

export interface StreamSpec {
  readonly name?: string;
  readonly shards?: number;
  readonly status?: 'ACTIVE' | 'UPDATING' | 'CREATING' | 'DELETING';
  readonly mode?: 'PROVISIONED' | 'ON_DEMAND';
  readonly retentionHours?: number;
  /** false leaves DescribeStreamSummary out while keeping the stream's metrics. */
  readonly describe?: boolean;
  /** Registered enhanced fan-out consumers. */
  readonly consumerCount?: number;
  /** EnhancedMonitoring's shard-level metrics; absent leaves the field out. */
  readonly shardLevelMetrics?: readonly string[];
}

export interface AppSpec {
  readonly name?: string;
  readonly status?: string;
  readonly parallelism?: number;
  readonly parallelismPerKpu?: number;
  readonly autoScalingEnabled?: boolean;
  readonly snapshotsEnabled?: boolean;
  readonly logLevel?: string;
  readonly metricsLevel?: string;
  readonly versionId?: number;
  readonly runtime?: string;
  readonly rollbackEnabled?: boolean;
}

/** A series with dimensions beyond the resource's own (per task, per source stream, per shard, per consumer). */
export interface ExtraSeries {
  readonly key: MetricKey;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly values: SeriesSpec;
}

export interface SnapshotSpec {
  readonly capturedAt?: string;
  readonly minutes?: number;
  readonly stream?: StreamSpec | false;
  readonly app?: AppSpec | false;
  readonly metrics?: Partial<Record<MetricKey, SeriesSpec>>;
  /** Series in the real shapes AWS publishes, after `metrics`, in the order given. */
  readonly series?: readonly ExtraSeries[];
  readonly ledger?: LedgerEntry[];
  readonly config?: SnapshotInput['config'];
  readonly newestFirst?: boolean;
}

export const CAPTURED_AT = '2026-11-21T10:15:00.000Z';

/** Builds a valid snapshot in AWS's shapes from per-minute values, for rule and planner tests. */
export function buildSnapshotInput(spec: SnapshotSpec): SnapshotInput {
  const capturedAt = spec.capturedAt ?? CAPTURED_AT;
  const minutes = spec.minutes ?? 60;
  const end = Date.parse(capturedAt);
  const streamName = spec.stream === false ? undefined : (spec.stream?.name ?? 'orders-stream');
  const appName = spec.app === false || spec.app === undefined ? undefined : (spec.app.name ?? 'orders-enricher');
  const queries: NonNullable<SnapshotInput['getMetricData']>['MetricDataQueries'] = [];
  const results: NonNullable<SnapshotInput['getMetricData']>['MetricDataResults'] = [];
  const all: [MetricKey, SeriesSpec, Readonly<Record<string, string>>][] = [
    ...(Object.entries(spec.metrics ?? {}) as [MetricKey, SeriesSpec][]).map(
      ([key, values]) => [key, values, {}] as [MetricKey, SeriesSpec, Readonly<Record<string, string>>],
    ),
    ...(spec.series ?? []).map(
      (extra) =>
        [extra.key, extra.values, extra.dimensions] as [MetricKey, SeriesSpec, Readonly<Record<string, string>>],
    ),
  ];
  for (const [key, series, extraDimensions] of all) {
    const metric = METRICS[key];
    const resource = metric.resource === 'stream' ? streamName : appName;
    if (!resource) continue;
    const id = `m${queries.length}`;
    queries.push({
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: metric.namespace,
          MetricName: metric.metricName,
          Dimensions: [
            ...defaultDimensions(metric, resource),
            ...Object.entries(extraDimensions).map(([Name, Value]) => ({ Name, Value })),
          ],
        },
        Period: 60,
        Stat: metric.stats[0]!,
      },
    });
    const timestamps: string[] = [];
    const values: number[] = [];
    for (let i = 0; i < minutes; i++) {
      const value = typeof series === 'number' ? series : series(i);
      if (value === undefined) continue;
      timestamps.push(new Date(end - (minutes - i) * 60_000).toISOString());
      values.push(value);
    }
    if (spec.newestFirst) {
      timestamps.reverse();
      values.reverse();
    }
    results.push({ Id: id, Label: metric.metricName, StatusCode: 'Complete', Timestamps: timestamps, Values: values });
  }
  const stream = spec.stream === false ? undefined : spec.stream;
  const app = spec.app === false ? undefined : spec.app;
  return {
    version: 1,
    capturedAt,
    getMetricData: { MetricDataQueries: queries, MetricDataResults: results },
    ...(streamName && stream !== undefined && stream.describe !== false
      ? {
          describeStreamSummary: {
            StreamDescriptionSummary: {
              StreamName: streamName,
              StreamARN: `arn:aws:kinesis:eu-west-1:123456789012:stream/${streamName}`,
              StreamStatus: stream.status ?? 'ACTIVE',
              StreamModeDetails: { StreamMode: stream.mode ?? 'PROVISIONED' },
              RetentionPeriodHours: stream.retentionHours ?? 24,
              OpenShardCount: stream.shards ?? 4,
              ConsumerCount: stream.consumerCount ?? 0,
              ...(stream.shardLevelMetrics
                ? { EnhancedMonitoring: [{ ShardLevelMetrics: [...stream.shardLevelMetrics] }] }
                : {}),
            },
          },
        }
      : {}),
    ...(appName && app
      ? {
          describeApplication: {
            ApplicationDetail: {
              ApplicationName: appName,
              ApplicationARN: `arn:aws:kinesisanalytics:eu-west-1:123456789012:application/${appName}`,
              ApplicationStatus: (app.status ?? 'RUNNING') as 'RUNNING',
              ApplicationVersionId: app.versionId ?? 7,
              RuntimeEnvironment: app.runtime ?? 'FLINK-1_20',
              ApplicationConfigurationDescription: {
                FlinkApplicationConfigurationDescription: {
                  ParallelismConfigurationDescription: {
                    ConfigurationType: 'CUSTOM',
                    Parallelism: app.parallelism ?? 4,
                    ParallelismPerKPU: app.parallelismPerKpu ?? 1,
                    CurrentParallelism: app.parallelism ?? 4,
                    AutoScalingEnabled: app.autoScalingEnabled ?? false,
                  },
                  MonitoringConfigurationDescription: {
                    ConfigurationType: 'CUSTOM',
                    MetricsLevel: (app.metricsLevel ?? 'APPLICATION') as 'APPLICATION',
                    LogLevel: (app.logLevel ?? 'INFO') as 'INFO',
                  },
                },
                ApplicationSnapshotConfigurationDescription: { SnapshotsEnabled: app.snapshotsEnabled ?? true },
                ...(app.rollbackEnabled !== undefined
                  ? { ApplicationSystemRollbackConfigurationDescription: { RollbackEnabled: app.rollbackEnabled } }
                  : {}),
              },
            },
          },
        }
      : {}),
    ledger: spec.ledger ?? [],
    ...(spec.config ? { config: spec.config } : {}),
  };
}

export function buildSnapshot(spec: SnapshotSpec): Snapshot {
  return parseSnapshot(buildSnapshotInput(spec));
}
