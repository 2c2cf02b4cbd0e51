import * as z from 'zod';
import {
  DescribeApplicationSchema,
  DescribeStreamSummarySchema,
  GetMetricDataSchema,
  type DescribeApplicationRecord,
  type DescribeStreamSummaryRecord,
  type GetMetricDataRecord,
} from './aws-shapes';
import { BoostSchema } from './boost';
import { TargetSchema } from './config';
import {
  CHANGE_RESULTS,
  LEDGER_ENTRY_KINDS,
  LEDGER_PHASES,
  type AppState,
  type LedgerEntry,
  type StreamState,
} from './model';
import { ACTION_TYPES } from './vocabulary';
import { InvalidInputError, parseWith } from './validation';

export const SNAPSHOT_VERSION = 1;

export const LedgerEntrySchema = z
  .object({
    at: z.iso.datetime({ offset: true }),
    target: z.string().min(1),
    resource: z
      .string()
      .regex(/^(stream|application)\/.+/, { message: 'must be "stream/<name>" or "application/<name>"' }),
    actionType: z.enum(ACTION_TYPES),
    direction: z.enum(['up', 'down', 'none']),
    from: z.number().optional(),
    to: z.number().optional(),
    calls: z.number().int().nonnegative().default(1),
    executionId: z.string().optional(),
    phase: z.enum(LEDGER_PHASES).optional(),
    result: z.enum(CHANGE_RESULTS).optional(),
    intentAt: z.iso.datetime({ offset: true }).optional(),
    applicationVersionId: z.number().int().optional(),
    detail: z.string().optional(),
    boost: BoostSchema.optional(),
    kind: z.enum(LEDGER_ENTRY_KINDS).optional(),
    kpus: z.number().int().positive().optional(),
    awsError: z.string().min(1).optional(),
  })
  .strict();

export const SnapshotSchema = z
  .object({
    version: z.literal(SNAPSHOT_VERSION, { message: `must be ${SNAPSHOT_VERSION}` }),
    capturedAt: z.iso.datetime({ offset: true }),
    target: z
      .object({
        name: z.string().min(1).optional(),
        streamName: z.string().min(1).optional(),
        applicationName: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    config: TargetSchema.optional(),
    getMetricData: GetMetricDataSchema.optional(),
    describeStreamSummary: DescribeStreamSummarySchema.optional(),
    describeApplication: DescribeApplicationSchema.optional(),
    ledger: z.array(LedgerEntrySchema).default([]),
    /**
     * Series ListMetrics found that did not fit in GetMetricData's query limit, as
     * `metricName{Dimension=value,...}`: the diagnosis says it read without them.
     */
    leftOut: z.array(z.string()).optional(),
  })
  .strict();

export type Snapshot = z.output<typeof SnapshotSchema>;
export type SnapshotInput = z.input<typeof SnapshotSchema>;

/** Validates a parsed snapshot document; throws InvalidInputError naming the first bad field. */
export function parseSnapshot(value: unknown): Snapshot {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidInputError('(root)', 'an incident snapshot must be a JSON object');
  }
  const snapshot = parseWith(SnapshotSchema, value);
  if (!snapshot.getMetricData && !snapshot.describeStreamSummary && !snapshot.describeApplication) {
    throw new InvalidInputError(
      'getMetricData',
      'a snapshot needs at least one of getMetricData, describeStreamSummary, describeApplication',
    );
  }
  return snapshot;
}

/** Validates a DescribeStreamSummary response and reads the stream state out of it. */
export function parseStreamState(record: DescribeStreamSummaryRecord): StreamState {
  return streamStateOf(parseWith(DescribeStreamSummarySchema, record, 'describeStreamSummary'));
}

/** The stream state of a response already validated (a parsed snapshot's). */
export function streamStateOf(record: NonNullable<Snapshot['describeStreamSummary']>): StreamState {
  const s = record.StreamDescriptionSummary;
  return {
    name: s.StreamName,
    ...(s.StreamARN ? { arn: s.StreamARN } : {}),
    status: s.StreamStatus,
    mode: s.StreamModeDetails?.StreamMode ?? 'PROVISIONED',
    openShards: s.OpenShardCount,
    retentionHours: s.RetentionPeriodHours,
    ...(s.ConsumerCount !== undefined ? { consumerCount: s.ConsumerCount } : {}),
    ...(s.EnhancedMonitoring
      ? { shardLevelMetrics: s.EnhancedMonitoring.flatMap((m) => m.ShardLevelMetrics ?? []) }
      : {}),
  };
}

/** Validates a DescribeApplication response and reads the application state out of it. */
export function parseAppState(record: DescribeApplicationRecord): AppState {
  return appStateOf(parseWith(DescribeApplicationSchema, record, 'describeApplication'));
}

/** The application state of a response already validated (a parsed snapshot's). */
export function appStateOf(record: NonNullable<Snapshot['describeApplication']>): AppState {
  const detail = record.ApplicationDetail;
  const flink = detail.ApplicationConfigurationDescription?.FlinkApplicationConfigurationDescription;
  const parallelism = flink?.ParallelismConfigurationDescription;
  const monitoring = flink?.MonitoringConfigurationDescription;
  const rollback = detail.ApplicationConfigurationDescription?.ApplicationSystemRollbackConfigurationDescription;
  // DEFAULT parallelism configuration means the service's defaults: parallelism 1, 1 per KPU, autoscaling on.
  const isDefault = parallelism?.ConfigurationType === 'DEFAULT';
  const configured = parallelism?.Parallelism ?? 1;
  return {
    name: detail.ApplicationName,
    ...(detail.ApplicationARN ? { arn: detail.ApplicationARN } : {}),
    status: detail.ApplicationStatus,
    versionId: detail.ApplicationVersionId,
    parallelism: parallelism?.CurrentParallelism ?? configured,
    configuredParallelism: configured,
    parallelismPerKpu: parallelism?.ParallelismPerKPU ?? 1,
    autoScalingEnabled: parallelism?.AutoScalingEnabled ?? isDefault,
    // Snapshots are on unless the application says otherwise; the API always reports this block.
    snapshotsEnabled:
      detail.ApplicationConfigurationDescription?.ApplicationSnapshotConfigurationDescription?.SnapshotsEnabled ?? true,
    ...(monitoring?.LogLevel ? { logLevel: monitoring.LogLevel } : {}),
    // A DEFAULT monitoring configuration is the service's: APPLICATION-level metrics, INFO logging.
    ...(monitoring?.MetricsLevel
      ? { metricsLevel: monitoring.MetricsLevel }
      : monitoring?.ConfigurationType === 'DEFAULT'
        ? { metricsLevel: 'APPLICATION' }
        : {}),
    ...(detail.RuntimeEnvironment ? { runtime: detail.RuntimeEnvironment } : {}),
    ...(rollback ? { rollbackEnabled: rollback.RollbackEnabled } : {}),
  };
}

export type { GetMetricDataRecord, DescribeStreamSummaryRecord, DescribeApplicationRecord, LedgerEntry };
