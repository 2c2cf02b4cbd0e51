import type { Command } from 'commander';
import { CloudWatchMetricsSource } from '../../lambdas/adapters/cloudwatch-metrics-source';
import { FlinkApplicationControl } from '../../lambdas/adapters/flink-application-control';
import { KinesisStreamControl } from '../../lambdas/adapters/kinesis-stream-control';
import { DEFAULT_WINDOW_MINUTES, collectSnapshot } from '../../lambdas/domain/collect';
import { TargetSchema, type TargetConfig } from '../../lambdas/domain/config';
import { SNAPSHOT_VERSION, parseSnapshot, type Snapshot } from '../../lambdas/domain/snapshot';
import { InvalidInputError } from '../../lambdas/domain/validation';
import type { ApplicationControl, Ledger, StreamControl } from '../../lambdas/ports';
import { CommandFailure, explained, regionOf } from './aws-failure';
import type { CliServices } from './services';

/** The longest window a capture reads: a day of one-minute datapoints keeps a snapshot a few MB. */
export const MAX_CAPTURE_MINUTES = 1440;

/** What to read from the live account. */
export interface LiveRequest {
  readonly streamName?: string;
  readonly applicationName?: string;
  /** Minutes of metrics, ending at the last whole minute. */
  readonly minutes: number;
  /**
   * Region of the stream and the application.
   * @default the SDK's provider chain
   */
  readonly region?: string;
  /**
   * The config target the resources belong to; it is recorded in the snapshot.
   * @default none: the snapshot carries no config, and the engine plans as for any snapshot without one
   */
  readonly target?: TargetConfig;
}

/** The options `capture` and live `diagnose` share, as commander hands them over. */
export interface LiveOptions {
  readonly stream?: string;
  readonly app?: string;
  readonly minutes?: string;
  readonly region?: string;
}

export function addLiveOptions(command: Command): Command {
  return command
    .option('--stream <name>', 'Kinesis data stream to read (name, not ARN)')
    .option('--app <name>', 'Managed Service for Apache Flink application to read')
    .option('--minutes <n>', `minutes of metrics to read (1-${MAX_CAPTURE_MINUTES}, default ${DEFAULT_WINDOW_MINUTES})`)
    .option('--region <region>', 'AWS region of the stream and application');
}

/** Kinesis stream and Managed Flink application names: what the APIs accept. */
const RESOURCE_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
/** AWS region names: `eu-west-1`, `us-gov-west-1`, `cn-north-1`. */
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

function checkName(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!RESOURCE_NAME.test(value)) {
    const hint = value.startsWith('arn:') ? ': give the name, not the ARN' : '';
    throw new InvalidInputError(flag, `"${value}" is not a valid name (1-128 of A-Z a-z 0-9 _ . -)${hint}`);
  }
  return value;
}

export function checkRegion(value: string | undefined): string | undefined {
  if (value !== undefined && !REGION_NAME.test(value)) {
    throw new InvalidInputError('--region', `"${value}" is not a region name such as eu-west-1`);
  }
  return value;
}

function checkMinutes(value: string | undefined): number {
  if (value === undefined) return DEFAULT_WINDOW_MINUTES;
  const minutes = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_CAPTURE_MINUTES) {
    throw new InvalidInputError('--minutes', `must be a whole number from 1 to ${MAX_CAPTURE_MINUTES}, got "${value}"`);
  }
  return minutes;
}

/** Whether the options ask to read a live account at all. */
export function wantsLive(options: LiveOptions): boolean {
  return options.stream !== undefined || options.app !== undefined;
}

/** Validates the options; the caller has made sure a stream or an application is named. */
export function liveRequestFrom(options: LiveOptions): LiveRequest {
  const streamName = checkName('--stream', options.stream);
  const applicationName = checkName('--app', options.app);
  const minutes = checkMinutes(options.minutes);
  const region = checkRegion(options.region);
  return {
    ...(streamName !== undefined && { streamName }),
    ...(applicationName !== undefined && { applicationName }),
    minutes,
    ...(region !== undefined && { region }),
  };
}

/**
 * A snapshot with names only, for finding the config target before anything is read: the config's
 * target may name a resource the options left out, and that one must be read too.
 */
export function namesOnlySnapshot(request: LiveRequest, now: Date): Snapshot {
  return parseSnapshot({
    version: SNAPSHOT_VERSION,
    capturedAt: now.toISOString(),
    target: {
      ...(request.streamName !== undefined && { streamName: request.streamName }),
      ...(request.applicationName !== undefined && { applicationName: request.applicationName }),
    },
    getMetricData: { MetricDataQueries: [], MetricDataResults: [] },
  });
}

/**
 * The request for a config target: its stream and application are read even when only one was
 * named, and a named resource that is not the target's is refused before any call. The config's
 * region applies when `--region` is not given.
 */
export function forConfigTarget(
  request: LiveRequest,
  target: TargetConfig,
  index: number,
  configRegion: string | undefined,
): LiveRequest {
  const field = `targets[${index}]`;
  if (request.streamName !== undefined && target.stream?.name !== request.streamName) {
    throw new InvalidInputError(
      `${field}.stream${target.stream ? '.name' : ''}`,
      target.stream
        ? `"${target.stream.name}" does not match --stream "${request.streamName}"`
        : `target "${target.name}" has no stream, but --stream "${request.streamName}" was given`,
    );
  }
  if (request.applicationName !== undefined && target.application?.name !== request.applicationName) {
    throw new InvalidInputError(
      `${field}.application${target.application ? '.name' : ''}`,
      target.application
        ? `"${target.application.name}" does not match --app "${request.applicationName}"`
        : `target "${target.name}" has no application, but --app "${request.applicationName}" was given`,
    );
  }
  const region = request.region ?? configRegion;
  return {
    ...(target.stream && { streamName: target.stream.name }),
    ...(target.application && { applicationName: target.application.name }),
    minutes: request.minutes,
    ...(region !== undefined && { region }),
    target,
  };
}

/** A target for reading only: its name is the one the engine would give a snapshot of these resources. */
function readingTarget(request: LiveRequest): TargetConfig {
  const base = request.streamName ?? request.applicationName ?? 'target';
  const name =
    base
      .replace(/[^A-Za-z0-9_.-]/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 64) || 'target';
  return TargetSchema.parse({
    name,
    ...(request.streamName !== undefined && { stream: { name: request.streamName } }),
    ...(request.applicationName !== undefined && { application: { name: request.applicationName } }),
  });
}

function refuseWrite(): Promise<never> {
  // The CLI reads; only the deployed workflow changes anything.
  return Promise.reject(new Error('stream-medic capture and diagnose never change AWS resources'));
}

/**
 * Reads the live metrics and descriptions with the user's credentials, through the same adapters and
 * the same `collectSnapshot` as the assess Lambda, and returns them as an incident snapshot, with
 * the ledger's last day when a `ledger` is given. Only read calls can be made: the ports' writing
 * methods refuse.
 */
export async function captureLive(services: CliServices, request: LiveRequest, ledger?: Ledger): Promise<Snapshot> {
  const clients = services.awsClients(request.region !== undefined ? { region: request.region } : {});
  const region = async () => request.region ?? (await regionOf(clients.kinesis));
  const metricsSource = new CloudWatchMetricsSource(clients.cloudWatch);
  const streamControl = new KinesisStreamControl(clients.kinesis);
  const appControl = new FlinkApplicationControl(clients.kinesisAnalytics);
  const streams: StreamControl = {
    describeStreamSummary: (name) =>
      explained(
        { action: 'DescribeStreamSummary', iamAction: 'kinesis:DescribeStreamSummary', resource: `stream "${name}"` },
        region,
        () => streamControl.describeStreamSummary(name),
      ),
    updateShardCount: refuseWrite,
    increaseRetentionPeriod: refuseWrite,
  };
  const applications: ApplicationControl = {
    describeApplication: (name) =>
      explained(
        {
          action: 'DescribeApplication',
          iamAction: 'kinesisanalytics:DescribeApplication',
          resource: `application "${name}"`,
        },
        region,
        () => appControl.describeApplication(name),
      ),
    updateParallelism: refuseWrite,
    updateMonitoring: refuseWrite,
    rollbackApplication: refuseWrite,
  };
  const target = request.target ?? readingTarget(request);
  const snapshot = await collectSnapshot(
    {
      metrics: {
        getMetricData: (metricRequest) =>
          explained({ action: 'GetMetricData', iamAction: 'cloudwatch:GetMetricData' }, region, () =>
            metricsSource.getMetricData(metricRequest),
          ),
        listMetrics: (listRequest) =>
          explained({ action: 'ListMetrics', iamAction: 'cloudwatch:ListMetrics' }, region, () =>
            metricsSource.listMetrics(listRequest),
          ),
      },
      streams,
      applications,
      ...(ledger !== undefined ? { ledger } : {}),
      clock: services.clock,
    },
    target,
    request.minutes,
  ).catch((error: unknown) => {
    // The snapshot is checked as any snapshot file is; a failure here is AWS's answer, not the user's input.
    if (error instanceof InvalidInputError) {
      throw new CommandFailure(`AWS answered in a shape StreamMedic does not read: ${error.message}`, { cause: error });
    }
    throw error;
  });
  if (request.target) return snapshot;
  // The reading target's bounds are made up; a snapshot without config lets the engine plan as it
  // does for any snapshot of these resources.
  const { config: _madeUp, ...withoutConfig } = snapshot;
  return withoutConfig;
}

/** One line about what a snapshot holds, for the person who asked for it. */
export function describeSnapshot(snapshot: Snapshot, minutes: number): string {
  const parts: string[] = [];
  const stream = snapshot.describeStreamSummary?.StreamDescriptionSummary;
  if (stream) parts.push(`stream ${stream.StreamName} (${stream.StreamStatus}, ${stream.OpenShardCount} open shards)`);
  const app = snapshot.describeApplication?.ApplicationDetail;
  if (app) {
    const parallelism =
      app.ApplicationConfigurationDescription?.FlinkApplicationConfigurationDescription
        ?.ParallelismConfigurationDescription?.CurrentParallelism;
    parts.push(
      `application ${app.ApplicationName} (${app.ApplicationStatus}${parallelism !== undefined ? `, parallelism ${parallelism}` : ''})`,
    );
  }
  const queries = snapshot.getMetricData?.MetricDataQueries ?? [];
  const results = snapshot.getMetricData?.MetricDataResults ?? [];
  const withData = new Set(results.filter((r) => r.Values.length > 0).map((r) => r.Id));
  const empty = queries.filter((q) => !withData.has(q.Id)).map((q) => q.MetricStat?.Metric.MetricName ?? q.Id);
  const emptyNote =
    empty.length > 0
      ? `; ${empty.length} without datapoints (${empty.slice(0, 4).join(', ')}${empty.length > 4 ? ', ...' : ''})`
      : '';
  parts.push(`${queries.length} metrics over ${minutes} minutes to ${snapshot.capturedAt}${emptyNote}`);
  return parts.join(', ');
}
