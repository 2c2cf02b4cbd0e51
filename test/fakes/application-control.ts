import type { DescribeApplicationRecord } from '../../lambdas/domain/aws-shapes';
import { applicationResource } from '../../lambdas/domain/model';
import { parseAppState } from '../../lambdas/domain/snapshot';
import {
  ConcurrentModificationError,
  InvalidRequestError,
  ResourceInUseError,
  ResourceNotFoundError,
} from '../../lambdas/ports/errors';
import type { ApplicationControl, MonitoringUpdate, ParallelismUpdate } from '../../lambdas/ports';
import { FailureQueue } from './failures';

export interface FakeApplication {
  name: string;
  status: string;
  versionId: number;
  parallelism: number;
  parallelismPerKpu: number;
  autoScalingEnabled: boolean;
  snapshotsEnabled: boolean;
  logLevel: 'INFO' | 'WARN' | 'ERROR' | 'DEBUG';
  metricsLevel: 'APPLICATION' | 'TASK' | 'OPERATOR' | 'PARALLELISM';
}

/**
 * Managed Flink as far as StreamMedic sees it: UpdateApplication needs the current version id and a
 * RUNNING application; each update bumps the version and keeps the app UPDATING for a few describes.
 */
export class FakeApplicationControl implements ApplicationControl {
  readonly applications = new Map<string, FakeApplication>();
  readonly calls: (
    | { method: 'updateParallelism' | 'updateMonitoring'; update: ParallelismUpdate | MonitoringUpdate }
    | { method: 'rollbackApplication'; update: { applicationName: string; currentApplicationVersionId: number } }
  )[] = [];
  readonly failures = new FailureQueue<
    'describeApplication' | 'updateParallelism' | 'updateMonitoring' | 'rollbackApplication'
  >();
  private readonly pending = new Map<string, number>();
  /** What each application ran before its last update: what RollbackApplication goes back to. */
  private readonly beforeLastUpdate = new Map<string, FakeApplication>();

  constructor(private readonly updatingDescribes = 2) {}

  static fromRecord(record: DescribeApplicationRecord, updatingDescribes?: number): FakeApplicationControl {
    const fake = new FakeApplicationControl(updatingDescribes);
    const app = parseAppState(record);
    fake.add({
      name: app.name,
      status: app.status,
      versionId: app.versionId,
      parallelism: app.parallelism,
      parallelismPerKpu: app.parallelismPerKpu,
      autoScalingEnabled: app.autoScalingEnabled,
      snapshotsEnabled: app.snapshotsEnabled,
      logLevel: (app.logLevel ?? 'INFO') as FakeApplication['logLevel'],
      metricsLevel: (app.metricsLevel ?? 'APPLICATION') as FakeApplication['metricsLevel'],
    });
    return fake;
  }

  add(app: FakeApplication): void {
    this.applications.set(app.name, { ...app });
  }

  get(name: string): FakeApplication {
    const app = this.applications.get(name);
    if (!app) {
      throw new ResourceNotFoundError('application not found', {
        action: 'DescribeApplication',
        resource: applicationResource(name),
      });
    }
    return app;
  }

  async describeApplication(applicationName: string): Promise<DescribeApplicationRecord> {
    this.failures.throwIfQueued('describeApplication');
    const app = this.get(applicationName);
    const left = this.pending.get(applicationName);
    if (left !== undefined) {
      if (left <= 0) {
        app.status = 'RUNNING';
        this.pending.delete(applicationName);
      } else {
        this.pending.set(applicationName, left - 1);
      }
    }
    return {
      ApplicationDetail: {
        ApplicationName: app.name,
        ApplicationARN: `arn:aws:kinesisanalytics:eu-west-1:123456789012:application/${app.name}`,
        ApplicationStatus: app.status as 'RUNNING',
        ApplicationVersionId: app.versionId,
        RuntimeEnvironment: 'FLINK-1_20',
        ApplicationConfigurationDescription: {
          FlinkApplicationConfigurationDescription: {
            ParallelismConfigurationDescription: {
              ConfigurationType: 'CUSTOM',
              Parallelism: app.parallelism,
              ParallelismPerKPU: app.parallelismPerKpu,
              CurrentParallelism: app.parallelism,
              AutoScalingEnabled: app.autoScalingEnabled,
            },
            MonitoringConfigurationDescription: {
              ConfigurationType: 'CUSTOM',
              LogLevel: app.logLevel,
              MetricsLevel: app.metricsLevel,
            },
          },
          ApplicationSnapshotConfigurationDescription: { SnapshotsEnabled: app.snapshotsEnabled },
        },
      },
    };
  }

  async updateParallelism(update: ParallelismUpdate): Promise<void> {
    this.failures.throwIfQueued('updateParallelism');
    const app = this.checkUpdatable(update.applicationName, update.currentApplicationVersionId);
    this.calls.push({ method: 'updateParallelism', update });
    this.beforeLastUpdate.set(app.name, { ...app });
    app.parallelism = update.parallelism;
    app.parallelismPerKpu = update.parallelismPerKpu;
    if (update.autoScalingEnabled !== undefined) app.autoScalingEnabled = update.autoScalingEnabled;
    this.startUpdate(app);
  }

  async updateMonitoring(update: MonitoringUpdate): Promise<void> {
    this.failures.throwIfQueued('updateMonitoring');
    const app = this.checkUpdatable(update.applicationName, update.currentApplicationVersionId);
    this.calls.push({ method: 'updateMonitoring', update });
    this.beforeLastUpdate.set(app.name, { ...app });
    app.logLevel = update.logLevel as FakeApplication['logLevel'];
    app.metricsLevel = update.metricsLevel as FakeApplication['metricsLevel'];
    this.startUpdate(app);
  }

  /** Back to the version before the last update (AWS accepts UPDATING, AUTOSCALING or RUNNING). */
  async rollbackApplication(applicationName: string, currentApplicationVersionId: number): Promise<void> {
    this.failures.throwIfQueued('rollbackApplication');
    const context = { action: 'RollbackApplication', resource: applicationResource(applicationName) };
    const app = this.get(applicationName);
    if (!['UPDATING', 'AUTOSCALING', 'RUNNING'].includes(app.status)) {
      throw new ResourceInUseError(`application is ${app.status}`, context);
    }
    if (currentApplicationVersionId !== app.versionId) {
      throw new ConcurrentModificationError(
        `version ${currentApplicationVersionId} is stale; current is ${app.versionId}`,
        context,
      );
    }
    const previous = this.beforeLastUpdate.get(applicationName);
    if (!app.snapshotsEnabled || !previous) {
      throw new InvalidRequestError('no snapshot of an earlier running version to roll back to', context);
    }
    this.calls.push({ method: 'rollbackApplication', update: { applicationName, currentApplicationVersionId } });
    this.beforeLastUpdate.delete(applicationName);
    app.parallelism = previous.parallelism;
    app.parallelismPerKpu = previous.parallelismPerKpu;
    app.logLevel = previous.logLevel;
    app.metricsLevel = previous.metricsLevel;
    app.versionId += 1;
    app.status = 'ROLLING_BACK';
    this.pending.set(app.name, this.updatingDescribes);
  }

  private checkUpdatable(name: string, versionId: number): FakeApplication {
    const context = { action: 'UpdateApplication', resource: applicationResource(name) };
    const app = this.get(name);
    if (app.status !== 'RUNNING') throw new ResourceInUseError(`application is ${app.status}`, context);
    if (versionId !== app.versionId) {
      throw new ConcurrentModificationError(`version ${versionId} is stale; current is ${app.versionId}`, context);
    }
    return app;
  }

  private startUpdate(app: FakeApplication): void {
    app.versionId += 1;
    app.status = 'UPDATING';
    this.pending.set(app.name, this.updatingDescribes);
  }
}
