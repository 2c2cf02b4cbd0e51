import {
  ConcurrentModificationException,
  DescribeApplicationCommand,
  InvalidApplicationConfigurationException,
  InvalidArgumentException,
  InvalidRequestException,
  KinesisAnalyticsV2Client,
  LimitExceededException,
  ResourceInUseException,
  ResourceNotFoundException,
  RollbackApplicationCommand,
  UnsupportedOperationException,
  UpdateApplicationCommand,
} from '@aws-sdk/client-kinesis-analytics-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { FlinkApplicationControl } from '../../lambdas/adapters/flink-application-control';
import type { ParallelismUpdate } from '../../lambdas/ports';
import {
  AccessDeniedError,
  ConcurrentModificationError,
  InvalidRequestError,
  QuotaExceededError,
  ResourceInUseError,
  ResourceNotFoundError,
  ThrottlingError,
} from '../../lambdas/ports/errors';
import { awsError } from './support/aws-errors';

const analytics = mockClient(KinesisAnalyticsV2Client);
const control = new FlinkApplicationControl(new KinesisAnalyticsV2Client({ region: 'us-east-1' }));

const parallelismUpdate: ParallelismUpdate = {
  applicationName: 'orders-enricher',
  currentApplicationVersionId: 7,
  parallelism: 12,
  parallelismPerKpu: 2,
};

beforeEach(() => {
  analytics.reset();
  analytics.on(UpdateApplicationCommand).resolves({});
});

function sentUpdates() {
  return analytics.commandCalls(UpdateApplicationCommand).map((call) => call.args[0].input);
}

describe('FlinkApplicationControl', () => {
  it('returns DescribeApplication as plain JSON with times as ISO strings', async () => {
    analytics.on(DescribeApplicationCommand, { ApplicationName: 'orders-enricher' }).resolves({
      $metadata: { httpStatusCode: 200 },
      ApplicationDetail: {
        ApplicationName: 'orders-enricher',
        ApplicationARN: 'arn:aws:kinesisanalytics:us-east-1:123456789012:application/orders-enricher',
        ApplicationStatus: 'RUNNING',
        ApplicationVersionId: 7,
        RuntimeEnvironment: 'FLINK-1_20',
        CreateTimestamp: new Date('2026-01-02T03:04:05Z'),
        ApplicationConfigurationDescription: {
          FlinkApplicationConfigurationDescription: {
            ParallelismConfigurationDescription: {
              ConfigurationType: 'CUSTOM',
              Parallelism: 4,
              ParallelismPerKPU: 1,
              CurrentParallelism: 4,
              AutoScalingEnabled: false,
            },
          },
          ApplicationSnapshotConfigurationDescription: { SnapshotsEnabled: true },
        },
      },
    });

    const description = await control.describeApplication('orders-enricher');

    expect(description).toStrictEqual({
      ApplicationDetail: {
        ApplicationName: 'orders-enricher',
        ApplicationARN: 'arn:aws:kinesisanalytics:us-east-1:123456789012:application/orders-enricher',
        ApplicationStatus: 'RUNNING',
        ApplicationVersionId: 7,
        RuntimeEnvironment: 'FLINK-1_20',
        CreateTimestamp: '2026-01-02T03:04:05.000Z',
        ApplicationConfigurationDescription: {
          FlinkApplicationConfigurationDescription: {
            ParallelismConfigurationDescription: {
              ConfigurationType: 'CUSTOM',
              Parallelism: 4,
              ParallelismPerKPU: 1,
              CurrentParallelism: 4,
              AutoScalingEnabled: false,
            },
          },
          ApplicationSnapshotConfigurationDescription: { SnapshotsEnabled: true },
        },
      },
    });
  });

  it('updates parallelism against the planned version and leaves autoscaling alone unless asked', async () => {
    await control.updateParallelism(parallelismUpdate);

    expect(sentUpdates()).toEqual([
      {
        ApplicationName: 'orders-enricher',
        CurrentApplicationVersionId: 7,
        ApplicationConfigurationUpdate: {
          FlinkApplicationConfigurationUpdate: {
            ParallelismConfigurationUpdate: {
              ConfigurationTypeUpdate: 'CUSTOM',
              ParallelismUpdate: 12,
              ParallelismPerKPUUpdate: 2,
            },
          },
        },
      },
    ]);
    const sent = sentUpdates()[0]!.ApplicationConfigurationUpdate!.FlinkApplicationConfigurationUpdate!;
    expect(sent.ParallelismConfigurationUpdate).not.toHaveProperty('AutoScalingEnabledUpdate');
  });

  it.each([true, false])('sends AutoScalingEnabledUpdate %p when asked', async (autoScalingEnabled) => {
    await control.updateParallelism({ ...parallelismUpdate, autoScalingEnabled });

    const sent = sentUpdates()[0]!.ApplicationConfigurationUpdate!.FlinkApplicationConfigurationUpdate!;
    expect(sent.ParallelismConfigurationUpdate).toEqual({
      ConfigurationTypeUpdate: 'CUSTOM',
      ParallelismUpdate: 12,
      ParallelismPerKPUUpdate: 2,
      AutoScalingEnabledUpdate: autoScalingEnabled,
    });
  });

  it('updates monitoring with a custom log and metrics level', async () => {
    await control.updateMonitoring({
      applicationName: 'orders-enricher',
      currentApplicationVersionId: 9,
      logLevel: 'INFO',
      metricsLevel: 'APPLICATION',
    });

    expect(sentUpdates()).toEqual([
      {
        ApplicationName: 'orders-enricher',
        CurrentApplicationVersionId: 9,
        ApplicationConfigurationUpdate: {
          FlinkApplicationConfigurationUpdate: {
            MonitoringConfigurationUpdate: {
              ConfigurationTypeUpdate: 'CUSTOM',
              LogLevelUpdate: 'INFO',
              MetricsLevelUpdate: 'APPLICATION',
            },
          },
        },
      },
    ]);
  });

  it.each([
    { change: { parallelism: 0 }, field: 'parallelism' },
    { change: { parallelism: 257 }, field: 'parallelism' },
    { change: { parallelism: 2.5 }, field: 'parallelism' },
    { change: { parallelismPerKpu: 0 }, field: 'parallelismPerKpu' },
    { change: { parallelismPerKpu: 9 }, field: 'parallelismPerKpu' },
    { change: { currentApplicationVersionId: 0 }, field: 'currentApplicationVersionId' },
  ])('refuses $field out of range ($change) without calling the service', async ({ change, field }) => {
    const error = await control
      .updateParallelism({ ...parallelismUpdate, ...change })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toContain(field);
    expect(analytics.calls()).toHaveLength(0);
  });

  it.each([
    { parallelism: 1, parallelismPerKpu: 1 },
    { parallelism: 256, parallelismPerKpu: 8 },
  ])('accepts the range ends $parallelism / $parallelismPerKpu', async (bounds) => {
    await control.updateParallelism({ ...parallelismUpdate, ...bounds });

    expect(sentUpdates()).toHaveLength(1);
  });

  it.each([
    { logLevel: 'TRACE', metricsLevel: 'APPLICATION', field: 'logLevel' },
    { logLevel: 'INFO', metricsLevel: 'SHARD', field: 'metricsLevel' },
  ])('refuses monitoring $field outside the allowed values', async ({ logLevel, metricsLevel, field }) => {
    const update = { applicationName: 'orders-enricher', currentApplicationVersionId: 3, logLevel, metricsLevel };

    await expect(control.updateMonitoring(update)).rejects.toThrow(new RegExp(`^UpdateApplication .*${field}`));
    expect(analytics.calls()).toHaveLength(0);
  });

  it.each([
    {
      thrown: new ConcurrentModificationException({ message: 'stale version', $metadata: {} }),
      expected: ConcurrentModificationError,
    },
    { thrown: new ResourceInUseException({ message: 'app is UPDATING', $metadata: {} }), expected: ResourceInUseError },
    {
      thrown: new ResourceNotFoundException({ message: 'no such app', $metadata: {} }),
      expected: ResourceNotFoundError,
    },
    { thrown: new LimitExceededException({ message: 'KPU limit', $metadata: {} }), expected: QuotaExceededError },
    { thrown: new InvalidArgumentException({ message: 'bad argument', $metadata: {} }), expected: InvalidRequestError },
    { thrown: new InvalidRequestException({ message: 'bad request', $metadata: {} }), expected: InvalidRequestError },
    {
      thrown: new InvalidApplicationConfigurationException({ message: 'bad config', $metadata: {} }),
      expected: InvalidRequestError,
    },
    { thrown: new UnsupportedOperationException({ message: 'not now', $metadata: {} }), expected: InvalidRequestError },
    {
      thrown: awsError('AccessDeniedException', 'not authorized to perform UpdateApplication'),
      expected: AccessDeniedError,
    },
    { thrown: awsError('ThrottlingException', 'Rate exceeded'), expected: ThrottlingError },
  ])('maps $thrown.name from UpdateApplication to $expected.name', async ({ thrown, expected }) => {
    analytics.on(UpdateApplicationCommand).rejects(thrown);

    const error = await control.updateParallelism(parallelismUpdate).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(expected);
    expect(error).toMatchObject({
      action: 'UpdateApplication',
      resource: 'application/orders-enricher',
      message: `UpdateApplication on application/orders-enricher: ${thrown.message}`,
    });
  });

  it('rolls the application back against the version it runs now', async () => {
    analytics.on(RollbackApplicationCommand).resolves({});

    await control.rollbackApplication('orders-enricher', 9);

    expect(analytics.commandCalls(RollbackApplicationCommand).map((call) => call.args[0].input)).toEqual([
      { ApplicationName: 'orders-enricher', CurrentApplicationVersionId: 9 },
    ]);
    expect(sentUpdates()).toEqual([]);
  });

  it('refuses a rollback without a valid version id, without calling the service', async () => {
    const error = await control.rollbackApplication('orders-enricher', 0).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ action: 'RollbackApplication', resource: 'application/orders-enricher' });
    expect(analytics.calls()).toHaveLength(0);
  });

  it.each([
    {
      thrown: new ConcurrentModificationException({ message: 'stale version', $metadata: {} }),
      expected: ConcurrentModificationError,
    },
    { thrown: new ResourceInUseException({ message: 'app is READY', $metadata: {} }), expected: ResourceInUseError },
    { thrown: new InvalidRequestException({ message: 'no snapshots', $metadata: {} }), expected: InvalidRequestError },
    {
      thrown: awsError('AccessDeniedException', 'not authorized to perform RollbackApplication'),
      expected: AccessDeniedError,
    },
  ])('maps $thrown.name from RollbackApplication to $expected.name', async ({ thrown, expected }) => {
    analytics.on(RollbackApplicationCommand).rejects(thrown);

    const error = await control.rollbackApplication('orders-enricher', 9).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(expected);
    expect(error).toMatchObject({
      action: 'RollbackApplication',
      resource: 'application/orders-enricher',
      message: `RollbackApplication on application/orders-enricher: ${thrown.message}`,
    });
  });

  it('maps a missing application on DescribeApplication to ResourceNotFoundError', async () => {
    analytics.on(DescribeApplicationCommand).rejects(new ResourceNotFoundException({ message: 'gone', $metadata: {} }));

    await expect(control.describeApplication('orders-enricher')).rejects.toMatchObject({
      name: 'ResourceNotFoundError',
      action: 'DescribeApplication',
    });
  });
});
