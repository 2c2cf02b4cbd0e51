/**
 * Resource states as DescribeStreamSummary and DescribeApplication report them: every status and
 * mode, shard counts from 1 to the 10,000 limit, every parallelism and parallelism-per-KPU.
 */
import fc from 'fast-check';
import {
  SeededRandom,
  describeApplication,
  describeStreamSummary,
  type ApplicationStatus,
  type LogLevel,
  type MetricsLevel,
} from '../../examples/incident-kit';
import type { DescribeApplicationRecord, DescribeStreamSummaryRecord } from '../../lambdas/domain/aws-shapes';

export const STREAM_NAME = 'prop-stream';
export const APPLICATION_NAME = 'prop-app';
export const REGION = 'eu-west-1';

export interface StreamFixture {
  readonly status: 'CREATING' | 'DELETING' | 'ACTIVE' | 'UPDATING';
  readonly mode: 'PROVISIONED' | 'ON_DEMAND';
  readonly shards: number;
  readonly retentionHours: number;
  readonly consumerCount: number;
}

export interface AppFixture {
  readonly status: ApplicationStatus;
  /** What the job runs with. */
  readonly parallelism: number;
  /** Configured; built-in autoscaling never goes below it. */
  readonly configuredParallelism: number;
  readonly parallelismPerKpu: number;
  readonly autoScalingEnabled: boolean;
  readonly snapshotsEnabled: boolean;
  readonly logLevel: LogLevel;
  readonly metricsLevel: MetricsLevel;
  readonly versionId: number;
}

/** Mostly the states that allow an action, so the planner is exercised; the rest often enough to check refusals. */
export const streamFixture: fc.Arbitrary<StreamFixture> = fc.record({
  status: fc.oneof(
    { weight: 7, arbitrary: fc.constant('ACTIVE' as const) },
    { weight: 3, arbitrary: fc.constantFrom('CREATING' as const, 'DELETING' as const, 'UPDATING' as const) },
  ),
  mode: fc.oneof(
    { weight: 4, arbitrary: fc.constant('PROVISIONED' as const) },
    { weight: 1, arbitrary: fc.constant('ON_DEMAND' as const) },
  ),
  shards: fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 64 }) },
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 2_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: 5_000, max: 10_000 }) },
  ),
  retentionHours: fc.oneof(fc.constantFrom(24, 48, 168, 8760), fc.integer({ min: 24, max: 8760 })),
  consumerCount: fc.integer({ min: 0, max: 5 }),
});

const APP_STATUSES: readonly ApplicationStatus[] = [
  'DELETING',
  'STARTING',
  'STOPPING',
  'READY',
  'UPDATING',
  'AUTOSCALING',
  'FORCE_STOPPING',
  'ROLLING_BACK',
  'MAINTENANCE',
  'ROLLED_BACK',
];

export const appFixture: fc.Arbitrary<AppFixture> = fc
  .record({
    status: fc.oneof(
      { weight: 7, arbitrary: fc.constant('RUNNING' as ApplicationStatus) },
      { weight: 3, arbitrary: fc.constantFrom(...APP_STATUSES) },
    ),
    parallelism: fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 1, max: 32 }) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 256 }) },
    ),
    configuredShare: fc.double({ min: 0, max: 1, noNaN: true }),
    parallelismPerKpu: fc.oneof(
      { weight: 3, arbitrary: fc.constant(1) },
      { weight: 2, arbitrary: fc.integer({ min: 1, max: 8 }) },
    ),
    autoScalingEnabled: fc.boolean(),
    snapshotsEnabled: fc.oneof(
      { weight: 4, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: fc.constant(false) },
    ),
    logLevel: fc.constantFrom<LogLevel>('INFO', 'INFO', 'WARN', 'ERROR', 'DEBUG'),
    metricsLevel: fc.constantFrom<MetricsLevel>('APPLICATION', 'APPLICATION', 'TASK', 'OPERATOR', 'PARALLELISM'),
    versionId: fc.integer({ min: 1, max: 5_000 }),
  })
  .map(({ configuredShare, ...app }) => ({
    ...app,
    // Built-in autoscaling only ever raises parallelism above what is configured.
    configuredParallelism: app.autoScalingEnabled
      ? Math.max(1, Math.round(app.parallelism * (0.25 + 0.75 * configuredShare)))
      : app.parallelism,
  }));

export function streamRecord(stream: StreamFixture): DescribeStreamSummaryRecord {
  return describeStreamSummary({
    name: STREAM_NAME,
    region: REGION,
    shards: stream.shards,
    createdAt: '2025-01-01T00:00:00Z',
    status: stream.status,
    mode: stream.mode,
    retentionHours: stream.retentionHours,
    consumerCount: stream.consumerCount,
  });
}

export function appRecord(app: AppFixture): DescribeApplicationRecord {
  return describeApplication(
    {
      name: APPLICATION_NAME,
      region: REGION,
      description: 'property-test application',
      sourceStream: STREAM_NAME,
      versionId: app.versionId,
      createdAt: '2025-01-01T00:00:00Z',
      updatedAt: '2025-06-01T00:00:00Z',
      parallelism: app.configuredParallelism,
      currentParallelism: app.parallelism,
      parallelismPerKpu: app.parallelismPerKpu,
      autoScalingEnabled: app.autoScalingEnabled,
      snapshotsEnabled: app.snapshotsEnabled,
      status: app.status,
      logLevel: app.logLevel,
      metricsLevel: app.metricsLevel,
    },
    new SeededRandom(app.versionId),
  );
}
