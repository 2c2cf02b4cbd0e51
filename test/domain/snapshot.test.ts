import type { DescribeApplicationRecord, DescribeStreamSummaryRecord } from '../../lambdas/domain/aws-shapes';
import { parseAppState, parseSnapshot, parseStreamState } from '../../lambdas/domain/snapshot';
import { InvalidInputError } from '../../lambdas/domain/validation';
import { CAPTURED_AT, buildSnapshotInput } from '../builders/snapshot-builder';

type Path = readonly (string | number)[];
type Node = Record<string | number, unknown>;

/** A full snapshot (stream, app, two metrics) with the value at `path` replaced, or removed for `undefined`. */
function snapshotWith(path: Path, value: unknown): unknown {
  const doc = structuredClone(
    buildSnapshotInput({
      stream: { shards: 4 },
      app: { parallelism: 4 },
      metrics: { incomingBytes: 1_000_000, millisBehindLatest: 5_000 },
      minutes: 5,
      ledger: [
        {
          at: '2026-11-21T09:00:00Z',
          target: 'orders',
          resource: 'stream/orders-stream',
          actionType: 'UpdateShardCount',
          direction: 'up',
          from: 2,
          to: 4,
          calls: 1,
        },
      ],
    }),
  ) as Node;
  let node = doc;
  for (const key of path.slice(0, -1)) node = node[key] as Node;
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return doc;
}

function refusal(parse: () => unknown): InvalidInputError {
  try {
    parse();
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('expected the snapshot to be refused');
}

const STREAM_SUMMARY = ['describeStreamSummary', 'StreamDescriptionSummary'];
const APP_DETAIL = ['describeApplication', 'ApplicationDetail'];
const RESULT_0 = ['getMetricData', 'MetricDataResults', 0];

describe('parseSnapshot', () => {
  it('accepts a snapshot in AWS shapes and defaults the ledger to empty', () => {
    const snapshot = parseSnapshot(snapshotWith(['ledger'], undefined));

    expect(snapshot.version).toBe(1);
    expect(snapshot.capturedAt).toBe(CAPTURED_AT);
    expect(snapshot.ledger).toStrictEqual([]);
    expect(snapshot.describeStreamSummary?.StreamDescriptionSummary.OpenShardCount).toBe(4);
  });

  it('keeps fields of AWS responses it does not read, so CLI output passes through', () => {
    const doc = snapshotWith([...STREAM_SUMMARY, 'EnhancedMonitoring'], [{ ShardLevelMetrics: ['IncomingBytes'] }]);

    const summary = parseSnapshot(doc).describeStreamSummary?.StreamDescriptionSummary as Record<string, unknown>;

    expect(summary['EnhancedMonitoring']).toStrictEqual([{ ShardLevelMetrics: ['IncomingBytes'] }]);
  });

  it.each([
    ['only metrics', ['describeStreamSummary', 'describeApplication']],
    ['only the stream description', ['getMetricData', 'describeApplication']],
    ['only the application description', ['getMetricData', 'describeStreamSummary']],
    ['a stream without a Flink app', ['describeApplication']],
    ['a Flink app without a stream description', ['describeStreamSummary']],
  ])('accepts a snapshot with %s', (_case, missing) => {
    const doc = snapshotWith([], undefined) as Node;
    for (const part of missing) delete doc[part];

    const snapshot = parseSnapshot(doc);

    for (const part of missing) expect(snapshot).not.toHaveProperty(part);
  });

  it('refuses a snapshot with none of the three AWS parts', () => {
    const error = refusal(() => parseSnapshot({ version: 1, capturedAt: CAPTURED_AT, target: { name: 'orders' } }));

    expect(error.message).toBe(
      'getMetricData: a snapshot needs at least one of getMetricData, describeStreamSummary, describeApplication',
    );
  });

  it.each([null, [], 'snapshot', 1])('refuses %p, which is not a JSON object', (doc) => {
    expect(refusal(() => parseSnapshot(doc)).message).toBe('(root): an incident snapshot must be a JSON object');
  });

  it.each<[string, Path, unknown, string, string | RegExp]>([
    ['version 2', ['version'], 2, 'version', 'must be 1'],
    ['version "1" (a string)', ['version'], '1', 'version', 'must be 1'],
    ['no version', ['version'], undefined, 'version', 'must be 1'],
    ['capturedAt that is a date only', ['capturedAt'], '2026-11-21', 'capturedAt', /datetime/i],
    ['capturedAt without a time zone', ['capturedAt'], '2026-11-21T10:15:00', 'capturedAt', /datetime/i],
    ['capturedAt that is not a date', ['capturedAt'], 'yesterday', 'capturedAt', /datetime/i],
    ['capturedAt as epoch milliseconds', ['capturedAt'], 1_795_000_000_000, 'capturedAt', /string/],
    ['an unknown top-level key', ['ledgerEntries'], [], 'ledgerEntries', 'is not a known field'],
    ['an unknown key in target', ['target'], { name: 'orders', stream: 'orders-stream' }, 'target.stream', /known/],
    ['an empty target name', ['target'], { name: '' }, 'target.name', /Too small/],
    [
      'OpenShardCount as a string',
      [...STREAM_SUMMARY, 'OpenShardCount'],
      '4',
      'describeStreamSummary.StreamDescriptionSummary.OpenShardCount',
      /expected number, received string/,
    ],
    [
      'a negative OpenShardCount',
      [...STREAM_SUMMARY, 'OpenShardCount'],
      -1,
      'describeStreamSummary.StreamDescriptionSummary.OpenShardCount',
      /0/,
    ],
    [
      'no StreamDescriptionSummary',
      ['describeStreamSummary'],
      { StreamName: 'orders-stream' },
      'describeStreamSummary.StreamDescriptionSummary',
      /expected object/,
    ],
    [
      'an application version of 0',
      [...APP_DETAIL, 'ApplicationVersionId'],
      0,
      'describeApplication.ApplicationDetail.ApplicationVersionId',
      /0/,
    ],
    [
      'a parallelism of 0',
      [
        ...APP_DETAIL,
        'ApplicationConfigurationDescription',
        'FlinkApplicationConfigurationDescription',
        'ParallelismConfigurationDescription',
        'Parallelism',
      ],
      0,
      'describeApplication.ApplicationDetail.ApplicationConfigurationDescription.FlinkApplicationConfigurationDescription.ParallelismConfigurationDescription.Parallelism',
      /0/,
    ],
    [
      'a Values entry that is a string',
      [...RESULT_0, 'Values', 2],
      'x',
      'getMetricData.MetricDataResults[0].Values[2]',
      /expected number, received string/,
    ],
    [
      'a timestamp that is not a date',
      [...RESULT_0, 'Timestamps', 1],
      'ten past ten',
      'getMetricData.MetricDataResults[0].Timestamps[1]',
      /Invalid/,
    ],
    [
      'more timestamps than values',
      [...RESULT_0, 'Values'],
      [1, 2],
      'getMetricData.MetricDataResults[0].Values',
      'has 2 values for 5 timestamps',
    ],
    [
      'a result whose Id no query has',
      [...RESULT_0, 'Id'],
      'm7',
      'getMetricData.MetricDataResults[0].Id',
      'no query in MetricDataQueries has Id "m7"',
    ],
    [
      'a query period of 0',
      ['getMetricData', 'MetricDataQueries', 1, 'MetricStat', 'Period'],
      0,
      'getMetricData.MetricDataQueries[1].MetricStat.Period',
      /0/,
    ],
    [
      'no MetricDataResults',
      ['getMetricData', 'MetricDataResults'],
      undefined,
      'getMetricData.MetricDataResults',
      /expected array/,
    ],
    [
      'a carried config whose maxShards is below minShards',
      ['config'],
      { name: 'orders', stream: { name: 'orders-stream', minShards: 8, maxShards: 4 } },
      'config.stream.maxShards',
      'must be >= minShards',
    ],
  ])('names the bad field for %s', (_case, at, value, path, detail) => {
    const error = refusal(() => parseSnapshot(snapshotWith(at, value)));

    expect(error.path).toBe(path);
    if (typeof detail === 'string') expect(error.message).toBe(`${path}: ${detail}`);
    else expect(error.detail).toMatch(detail);
  });

  // AWS adds values to these enumerations over time; a value this version does not know is read as it came.
  it.each([
    ['a stream status', [...STREAM_SUMMARY, 'StreamStatus'], 'RESHARDING'],
    ['a stream mode', [...STREAM_SUMMARY, 'StreamModeDetails', 'StreamMode'], 'SERVERLESS'],
    ['an application status', [...APP_DETAIL, 'ApplicationStatus'], 'HIBERNATING'],
    ['a runtime', [...APP_DETAIL, 'RuntimeEnvironment'], 'FLINK-2_3'],
  ])('reads %s AWS may add later without refusing the snapshot', (_case, at, value) => {
    const snapshot = parseSnapshot(snapshotWith(at, value));
    const stream = parseStreamState(snapshot.describeStreamSummary!);
    const app = parseAppState(snapshot.describeApplication!);

    expect([stream.status, stream.mode, app.status, app.runtime]).toContain(value);
  });

  it.each(['2026-11-21T10:15:00Z', '2026-11-21T11:15:00+01:00', '2026-11-21T10:15:00.123456+00:00'])(
    'accepts capturedAt %s',
    (capturedAt) => {
      expect(parseSnapshot(snapshotWith(['capturedAt'], capturedAt)).capturedAt).toBe(capturedAt);
    },
  );

  describe('ledger entries', () => {
    const LEDGER_0 = ['ledger', 0];

    it('defaults calls to 1 and keeps the entry as given', () => {
      const snapshot = parseSnapshot(snapshotWith([...LEDGER_0, 'calls'], undefined));

      expect(snapshot.ledger).toStrictEqual([
        {
          at: '2026-11-21T09:00:00Z',
          target: 'orders',
          resource: 'stream/orders-stream',
          actionType: 'UpdateShardCount',
          direction: 'up',
          from: 2,
          to: 4,
          calls: 1,
        },
      ]);
    });

    it.each<[string, string, unknown, string | RegExp]>([
      ['a time that is not ISO', 'at', '21/11/2026 09:00', /datetime/i],
      ['a resource without its kind', 'resource', 'orders-stream', 'must be "stream/<name>" or "application/<name>"'],
      ['an unknown action type', 'actionType', 'SplitShard', /"UpdateShardCount"/],
      ['an unknown direction', 'direction', 'sideways', /"up"\|"down"\|"none"/],
      ['a negative call count', 'calls', -1, /0/],
      ['a fractional call count', 'calls', 1.5, /int/i],
      ['an empty target', 'target', '', /Too small/],
      ['an unknown key', 'shards', 4, 'is not a known field'],
    ])('refuses %s', (_case, field, value, detail) => {
      const error = refusal(() => parseSnapshot(snapshotWith([...LEDGER_0, field], value)));

      expect(error.path).toBe(`ledger[0].${field}`);
      if (typeof detail === 'string') expect(error.detail).toBe(detail);
      else expect(error.detail).toMatch(detail);
    });
  });
});

describe('parseStreamState', () => {
  function summary(fields: Record<string, unknown>): DescribeStreamSummaryRecord {
    return {
      StreamDescriptionSummary: {
        StreamName: 'orders-stream',
        StreamStatus: 'ACTIVE',
        RetentionPeriodHours: 24,
        OpenShardCount: 4,
        ...fields,
      },
    } as DescribeStreamSummaryRecord;
  }

  it('reads the fields the planner needs', () => {
    const state = parseStreamState(
      summary({
        StreamARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders-stream',
        StreamModeDetails: { StreamMode: 'PROVISIONED' },
        ConsumerCount: 2,
      }),
    );

    expect(state).toStrictEqual({
      name: 'orders-stream',
      arn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders-stream',
      status: 'ACTIVE',
      mode: 'PROVISIONED',
      openShards: 4,
      retentionHours: 24,
      consumerCount: 2,
    });
  });

  it('reads an on-demand stream as ON_DEMAND', () => {
    expect(parseStreamState(summary({ StreamModeDetails: { StreamMode: 'ON_DEMAND' } })).mode).toBe('ON_DEMAND');
  });

  it('treats a summary without StreamModeDetails (older responses) as provisioned, with no ARN or consumer count', () => {
    expect(parseStreamState(summary({}))).toStrictEqual({
      name: 'orders-stream',
      status: 'ACTIVE',
      mode: 'PROVISIONED',
      openShards: 4,
      retentionHours: 24,
    });
  });

  it('refuses a bad summary with the snapshot path of the field', () => {
    const error = refusal(() => parseStreamState(summary({ RetentionPeriodHours: 0 })));

    expect(error.path).toBe('describeStreamSummary.StreamDescriptionSummary.RetentionPeriodHours');
  });
});

describe('parseAppState', () => {
  function detail(
    parallelism: Record<string, unknown> | undefined,
    extra: Record<string, unknown> = {},
  ): DescribeApplicationRecord {
    return {
      ApplicationDetail: {
        ApplicationName: 'orders-enricher',
        ApplicationStatus: 'RUNNING',
        ApplicationVersionId: 3,
        ApplicationConfigurationDescription: {
          FlinkApplicationConfigurationDescription: {
            ...(parallelism ? { ParallelismConfigurationDescription: parallelism } : {}),
          },
          ...extra,
        },
      },
    } as DescribeApplicationRecord;
  }

  it('reads the running parallelism from CurrentParallelism and the configured one from Parallelism', () => {
    const state = parseAppState(
      detail({
        ConfigurationType: 'CUSTOM',
        Parallelism: 4,
        CurrentParallelism: 12,
        ParallelismPerKPU: 2,
        AutoScalingEnabled: true,
      }),
    );

    expect(state).toMatchObject({
      parallelism: 12,
      configuredParallelism: 4,
      parallelismPerKpu: 2,
      autoScalingEnabled: true,
    });
  });

  it('uses Parallelism as the running parallelism when CurrentParallelism is missing', () => {
    const state = parseAppState(detail({ ConfigurationType: 'CUSTOM', Parallelism: 6, ParallelismPerKPU: 1 }));

    expect(state).toMatchObject({ parallelism: 6, configuredParallelism: 6, autoScalingEnabled: false });
  });

  it("reads a DEFAULT parallelism configuration as the service's defaults: 1, 1 per KPU, autoscaling on", () => {
    const state = parseAppState(detail({ ConfigurationType: 'DEFAULT' }));

    expect(state).toMatchObject({
      parallelism: 1,
      configuredParallelism: 1,
      parallelismPerKpu: 1,
      autoScalingEnabled: true,
    });
  });

  it('keeps what a DEFAULT configuration reports explicitly', () => {
    const state = parseAppState(
      detail({ ConfigurationType: 'DEFAULT', Parallelism: 1, CurrentParallelism: 3, AutoScalingEnabled: true }),
    );

    expect(state).toMatchObject({ parallelism: 3, configuredParallelism: 1, autoScalingEnabled: true });
  });

  it('assumes snapshots are on when the snapshot block is missing, and reads them off when it says so', () => {
    expect(parseAppState(detail({ ConfigurationType: 'CUSTOM', Parallelism: 2 })).snapshotsEnabled).toBe(true);
    expect(
      parseAppState(
        detail(
          { ConfigurationType: 'CUSTOM', Parallelism: 2 },
          { ApplicationSnapshotConfigurationDescription: { SnapshotsEnabled: false } },
        ),
      ).snapshotsEnabled,
    ).toBe(false);
  });

  it('reads an application without any configuration block', () => {
    const state = parseAppState({
      ApplicationDetail: { ApplicationName: 'orders-enricher', ApplicationStatus: 'READY', ApplicationVersionId: 1 },
    });

    expect(state).toStrictEqual({
      name: 'orders-enricher',
      status: 'READY',
      versionId: 1,
      parallelism: 1,
      configuredParallelism: 1,
      parallelismPerKpu: 1,
      autoScalingEnabled: false,
      snapshotsEnabled: true,
    });
  });

  it('reads the monitoring levels when present', () => {
    const record = detail({ ConfigurationType: 'CUSTOM', Parallelism: 2 });
    const flink = record.ApplicationDetail.ApplicationConfigurationDescription!
      .FlinkApplicationConfigurationDescription as Record<string, unknown>;
    flink['MonitoringConfigurationDescription'] = {
      ConfigurationType: 'CUSTOM',
      LogLevel: 'DEBUG',
      MetricsLevel: 'OPERATOR',
    };

    expect(parseAppState(record)).toMatchObject({ logLevel: 'DEBUG', metricsLevel: 'OPERATOR' });
  });

  it('refuses a bad detail with the snapshot path of the field', () => {
    const error = refusal(() => parseAppState(detail({ ParallelismPerKPU: 0 })));

    expect(error.path).toBe(
      'describeApplication.ApplicationDetail.ApplicationConfigurationDescription.FlinkApplicationConfigurationDescription.ParallelismConfigurationDescription.ParallelismPerKPU',
    );
  });
});
