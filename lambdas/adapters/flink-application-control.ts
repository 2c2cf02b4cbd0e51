import {
  DescribeApplicationCommand,
  LogLevel,
  MetricsLevel,
  RollbackApplicationCommand,
  UpdateApplicationCommand,
  type ApplicationConfigurationUpdate,
  type KinesisAnalyticsV2Client,
} from '@aws-sdk/client-kinesis-analytics-v2';
import type { DescribeApplicationRecord } from '../domain/aws-shapes';
import { applicationResource } from '../domain/model';
import { InvalidRequestError, type ErrorContext } from '../ports/errors';
import type { ApplicationControl, MonitoringUpdate, ParallelismUpdate } from '../ports';
import { callAws } from './aws-call';
import { toPlainJson } from './plain-json';

/** Managed Service for Apache Flink's bounds for a custom parallelism configuration. */
export const PARALLELISM_RANGE = { min: 1, max: 256 } as const;
export const PARALLELISM_PER_KPU_RANGE = { min: 1, max: 8 } as const;

const LOG_LEVELS: readonly string[] = Object.values(LogLevel);
const METRICS_LEVELS: readonly string[] = Object.values(MetricsLevel);

/**
 * Managed Service for Apache Flink (`kinesisanalyticsv2`) through the SDK. Requests are checked against
 * the service's ranges first, so a bad plan fails with a clear InvalidRequestError and no API call.
 */
export class FlinkApplicationControl implements ApplicationControl {
  constructor(private readonly client: KinesisAnalyticsV2Client) {}

  async describeApplication(applicationName: string): Promise<DescribeApplicationRecord> {
    const context = { action: 'DescribeApplication', resource: applicationResource(applicationName) };
    const output = await callAws(context, () =>
      this.client.send(new DescribeApplicationCommand({ ApplicationName: applicationName })),
    );
    return { ApplicationDetail: toPlainJson(output.ApplicationDetail) } as DescribeApplicationRecord;
  }

  async updateParallelism(update: ParallelismUpdate): Promise<void> {
    const context = { action: 'UpdateApplication', resource: applicationResource(update.applicationName) };
    requireVersionId(update.currentApplicationVersionId, context);
    requireInRange('parallelism', update.parallelism, PARALLELISM_RANGE, context);
    requireInRange('parallelismPerKpu', update.parallelismPerKpu, PARALLELISM_PER_KPU_RANGE, context);
    await this.updateApplication(update.applicationName, update.currentApplicationVersionId, context, {
      FlinkApplicationConfigurationUpdate: {
        ParallelismConfigurationUpdate: {
          ConfigurationTypeUpdate: 'CUSTOM',
          ParallelismUpdate: update.parallelism,
          ParallelismPerKPUUpdate: update.parallelismPerKpu,
          // Left out unless asked, so an update never silently changes the app's autoscaling setting.
          ...(update.autoScalingEnabled !== undefined && { AutoScalingEnabledUpdate: update.autoScalingEnabled }),
        },
      },
    });
  }

  async updateMonitoring(update: MonitoringUpdate): Promise<void> {
    const context = { action: 'UpdateApplication', resource: applicationResource(update.applicationName) };
    requireVersionId(update.currentApplicationVersionId, context);
    requireOneOf('logLevel', update.logLevel, LOG_LEVELS, context);
    requireOneOf('metricsLevel', update.metricsLevel, METRICS_LEVELS, context);
    await this.updateApplication(update.applicationName, update.currentApplicationVersionId, context, {
      FlinkApplicationConfigurationUpdate: {
        MonitoringConfigurationUpdate: {
          ConfigurationTypeUpdate: 'CUSTOM',
          LogLevelUpdate: update.logLevel as LogLevel,
          MetricsLevelUpdate: update.metricsLevel as MetricsLevel,
        },
      },
    });
  }

  async rollbackApplication(applicationName: string, currentApplicationVersionId: number): Promise<void> {
    const context = { action: 'RollbackApplication', resource: applicationResource(applicationName) };
    requireVersionId(currentApplicationVersionId, context);
    await callAws(context, () =>
      this.client.send(
        new RollbackApplicationCommand({
          ApplicationName: applicationName,
          CurrentApplicationVersionId: currentApplicationVersionId,
        }),
      ),
    );
  }

  private async updateApplication(
    applicationName: string,
    currentApplicationVersionId: number,
    context: ErrorContext,
    configurationUpdate: ApplicationConfigurationUpdate,
  ): Promise<void> {
    await callAws(context, () =>
      this.client.send(
        new UpdateApplicationCommand({
          ApplicationName: applicationName,
          CurrentApplicationVersionId: currentApplicationVersionId,
          ApplicationConfigurationUpdate: configurationUpdate,
        }),
      ),
    );
  }
}

function requireVersionId(versionId: number, context: ErrorContext): void {
  if (!Number.isInteger(versionId) || versionId < 1) {
    throw new InvalidRequestError(`currentApplicationVersionId must be a positive integer, got ${versionId}`, context);
  }
}

function requireInRange(
  field: string,
  value: number,
  range: { readonly min: number; readonly max: number },
  context: ErrorContext,
): void {
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new InvalidRequestError(
      `${field} must be an integer from ${range.min} to ${range.max}, got ${value}`,
      context,
    );
  }
}

function requireOneOf(field: string, value: string, allowed: readonly string[], context: ErrorContext): void {
  if (!allowed.includes(value)) {
    throw new InvalidRequestError(`${field} must be one of ${allowed.join(', ')}, got "${value}"`, context);
  }
}
