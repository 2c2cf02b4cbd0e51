import fc from 'fast-check';
import type { GetMetricDataRecord, MetricDataQuery, MetricDataResult } from '../../lambdas/domain/aws-shapes';
import { METRICS } from '../../lambdas/domain/metric-catalog';
import { MetricWindow, lastOf, maxOf, meanOf, since, sumOf } from '../../lambdas/domain/metric-window';
import { InvalidInputError } from '../../lambdas/domain/validation';

const END = Date.parse('2026-11-21T10:15:00Z');
const minute = (n: number) => END - n * 60_000;
const iso = (epoch: number) => new Date(epoch).toISOString();

interface QuerySpec {
  readonly id: string;
  readonly namespace?: string;
  readonly metricName: string;
  readonly stat: string;
  readonly dimensions?: Record<string, string>;
  readonly label?: string;
}

/** The catalog's namespace for a metric name, so a query reads as AWS would send it. */
function namespaceOf(metricName: string): string {
  return Object.values(METRICS).find((m) => m.metricName === metricName)!.namespace;
}

function query(spec: QuerySpec): MetricDataQuery {
  return {
    Id: spec.id,
    ...(spec.label ? { Label: spec.label } : {}),
    MetricStat: {
      Metric: {
        Namespace: spec.namespace ?? namespaceOf(spec.metricName),
        MetricName: spec.metricName,
        Dimensions: Object.entries(spec.dimensions ?? {}).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: 60,
      Stat: spec.stat,
    },
  };
}

/** A result page: `points` as [minutes before the end, value], in the order given. */
function result(id: string, points: readonly (readonly [number, number])[], label?: string): MetricDataResult {
  return {
    Id: id,
    ...(label ? { Label: label } : {}),
    StatusCode: 'Complete',
    Timestamps: points.map(([m]) => iso(minute(m))),
    Values: points.map(([, v]) => v),
  };
}

function windowOf(queries: MetricDataQuery[], results: MetricDataResult[]): MetricWindow {
  const record: GetMetricDataRecord = { MetricDataQueries: queries, MetricDataResults: results };
  return MetricWindow.fromGetMetricData(record, END);
}

function refusal(build: () => unknown): InvalidInputError {
  try {
    build();
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('expected the record to be refused');
}

const STREAM = { StreamName: 'orders-stream' };
const APP = { Application: 'orders-enricher' };

describe('MetricWindow.fromGetMetricData', () => {
  const bytes = query({ id: 'm0', metricName: 'IncomingBytes', stat: 'Sum', dimensions: STREAM });
  const oldestFirst: [number, number][] = [
    [3, 300],
    [2, 200],
    [1, 100],
  ];

  it('gives the same series, oldest point first, for newest-first and oldest-first timestamps', () => {
    const fromOldest = windowOf([bytes], [result('m0', oldestFirst)]);
    const fromNewest = windowOf([bytes], [result('m0', [...oldestFirst].reverse())]);

    const expected = [
      { t: minute(3), v: 300 },
      { t: minute(2), v: 200 },
      { t: minute(1), v: 100 },
    ];
    expect(fromOldest.pick(METRICS.incomingBytes, 'orders-stream')?.series.points).toStrictEqual(expected);
    expect(fromNewest.pick(METRICS.incomingBytes, 'orders-stream')?.series.points).toStrictEqual(expected);
  });

  it('gives the same series for any order of the datapoints', () => {
    const pairs = fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 179 }), fc.integer({ min: 0, max: 1e9 })), {
      minLength: 1,
      maxLength: 30,
      selector: ([m]) => m,
    });
    const pairsInAnyOrder = pairs.chain((list) =>
      fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }),
    );
    fc.assert(
      fc.property(pairsInAnyOrder, (shuffled) => {
        const window = windowOf([bytes], [result('m0', shuffled)]);

        const oldestFirst = [...shuffled].sort((a, b) => b[0] - a[0]);
        expect(window.pick(METRICS.incomingBytes, 'orders-stream')?.series.points).toStrictEqual(
          oldestFirst.map(([m, v]) => ({ t: minute(m), v })),
        );
      }),
    );
  });

  it('merges several result pages with the same Id into one series', () => {
    const pageOne = result('m0', [
      [1, 100],
      [2, 200],
    ]);
    const pageTwo = result('m0', [
      [3, 300],
      [4, 400],
    ]);

    const window = windowOf([bytes], [pageOne, pageTwo]);

    expect(window.pick(METRICS.incomingBytes, 'orders-stream')?.series.points.map((p) => p.v)).toStrictEqual([
      400, 300, 200, 100,
    ]);
    expect(window.series).toHaveLength(1);
  });

  it('accepts Date timestamps (as the SDK returns them) the same as ISO strings', () => {
    const withDates: MetricDataResult = {
      Id: 'm0',
      Timestamps: [new Date(minute(2)), new Date(minute(1))],
      Values: [20, 10],
    };

    const window = windowOf([bytes], [withDates]);

    expect(window.pick(METRICS.incomingBytes)?.series.points).toStrictEqual([
      { t: minute(2), v: 20 },
      { t: minute(1), v: 10 },
    ]);
  });

  it('reads every ISO form of the same instant as the same time', () => {
    const forms: MetricDataResult = {
      Id: 'm0',
      // 10:12, 10:13 and 10:14 UTC, written as CloudWatch, the AWS CLI and a person might.
      Timestamps: ['2026-11-21T10:12:00Z', '2026-11-21T11:13:00+01:00', '2026-11-21T10:14:00.000000+00:00'],
      Values: [3, 2, 1],
    };

    const window = windowOf([bytes], [forms]);

    expect(window.pick(METRICS.incomingBytes)?.series.points.map((p) => p.t)).toStrictEqual([
      minute(3),
      minute(2),
      minute(1),
    ]);
  });

  it('keeps sub-second precision to the millisecond and no further', () => {
    const precise: MetricDataResult = {
      Id: 'm0',
      Timestamps: ['2026-11-21T10:14:00.5Z', '2026-11-21T10:14:01.123456Z'],
      Values: [1, 2],
    };

    const window = windowOf([bytes], [precise]);

    expect(window.pick(METRICS.incomingBytes)?.series.points.map((p) => p.t - minute(1))).toStrictEqual([500, 1123]);
  });

  it('keeps one point per timestamp when pages overlap, the later page winning', () => {
    const window = windowOf(
      [bytes],
      [
        result('m0', [
          [2, 200],
          [1, 100],
        ]),
        result('m0', [
          [1, 111],
          [0, 0],
        ]),
      ],
    );

    expect(window.pick(METRICS.incomingBytes)?.series.points).toStrictEqual([
      { t: minute(2), v: 200 },
      { t: minute(1), v: 111 },
      { t: minute(0), v: 0 },
    ]);
  });

  it('keeps period, statistic and dimensions from the query', () => {
    const window = windowOf([bytes], [result('m0', oldestFirst)]);

    expect(window.series[0]).toMatchObject({
      namespace: 'AWS/Kinesis',
      metricName: 'IncomingBytes',
      stat: 'Sum',
      period: 60,
      dimensions: { StreamName: 'orders-stream' },
    });
    expect(window.end).toBe(END);
  });

  it('ignores math-expression queries, which name no metric', () => {
    const expression: MetricDataQuery = { Id: 'e0', Expression: 'SUM(METRICS())' };

    const window = windowOf([bytes, expression], [result('m0', oldestFirst), result('e0', [[1, 5]])]);

    expect(window.series.map((s) => s.metricName)).toStrictEqual(['IncomingBytes']);
  });

  it('refuses a result whose Id no query has, naming the result', () => {
    const error = refusal(() => windowOf([bytes], [result('m0', oldestFirst), result('m9', oldestFirst)]));

    expect(error.path).toBe('getMetricData.MetricDataResults[1].Id');
    expect(error.detail).toBe('no query in MetricDataQueries has Id "m9"');
  });

  it.each([
    ['more values than timestamps', [iso(minute(1))], [1, 2], 'has 2 values for 1 timestamps'],
    ['fewer values than timestamps', [iso(minute(2)), iso(minute(1))], [1], 'has 1 values for 2 timestamps'],
  ])('refuses %s, naming the Values field', (_case, timestamps, values, detail) => {
    const bad: MetricDataResult = { Id: 'm0', Timestamps: timestamps, Values: values };

    const error = refusal(() => windowOf([bytes], [result('m0', []), bad]));

    expect(error.message).toBe(`getMetricData.MetricDataResults[1].Values: ${detail}`);
  });
});

describe('MetricWindow.pick', () => {
  it('treats a metric whose result has empty arrays as absent', () => {
    const window = windowOf(
      [query({ id: 'm0', metricName: 'millisBehindLatest', stat: 'Maximum', dimensions: APP })],
      [result('m0', [])],
    );

    expect(window.pick(METRICS.millisBehindLatest, 'orders-enricher')).toBeUndefined();
  });

  it('treats a queried metric with no result at all as absent', () => {
    const window = windowOf(
      [query({ id: 'm0', metricName: 'millisBehindLatest', stat: 'Maximum', dimensions: APP })],
      [],
    );

    expect(window.pick(METRICS.millisBehindLatest, 'orders-enricher')).toBeUndefined();
  });

  const cpuMaximum = query({ id: 'a', metricName: 'containerCPUUtilization', stat: 'Maximum', dimensions: APP });
  const cpuAverage = query({ id: 'b', metricName: 'containerCPUUtilization', stat: 'Average', dimensions: APP });

  it('prefers the first accepted statistic (Maximum before Average for CPU)', () => {
    const window = windowOf([cpuAverage, cpuMaximum], [result('b', [[1, 40]]), result('a', [[1, 90]])]);

    const picked = window.pick(METRICS.containerCpu, 'orders-enricher');

    expect(picked?.stat).toBe('Maximum');
    expect(picked?.series.points[0]?.v).toBe(90);
  });

  it('falls back to the next accepted statistic when the preferred one has no data', () => {
    const window = windowOf([cpuMaximum, cpuAverage], [result('a', []), result('b', [[1, 40]])]);

    const picked = window.pick(METRICS.containerCpu, 'orders-enricher');

    expect(picked?.stat).toBe('Average');
    expect(picked?.series.points[0]?.v).toBe(40);
  });

  it('never uses a statistic the metric does not accept', () => {
    const minimum = query({ id: 'c', metricName: 'containerCPUUtilization', stat: 'Minimum', dimensions: APP });

    const window = windowOf([minimum], [result('c', [[1, 5]])]);

    expect(window.pick(METRICS.containerCpu, 'orders-enricher')).toBeUndefined();
  });

  it('recognises metrics by namespace, metric name and statistic, not by Id or label', () => {
    const misleading = [
      query({
        id: 'IncomingBytes',
        metricName: 'containerCPUUtilization',
        stat: 'Maximum',
        dimensions: APP,
        label: 'IncomingBytes',
      }),
      query({
        id: 'cpu',
        metricName: 'IncomingBytes',
        stat: 'Sum',
        dimensions: STREAM,
        label: 'containerCPUUtilization',
      }),
    ];

    const window = windowOf(misleading, [
      result('IncomingBytes', [[1, 88]], 'IncomingBytes'),
      result('cpu', [[1, 5_000_000]], 'containerCPUUtilization'),
    ]);

    expect(window.pick(METRICS.containerCpu, 'orders-enricher')?.series.points[0]?.v).toBe(88);
    expect(window.pick(METRICS.incomingBytes, 'orders-stream')?.series.points[0]?.v).toBe(5_000_000);
  });

  it('ignores a metric of the same name in another namespace', () => {
    const custom = query({
      id: 'm0',
      namespace: 'Custom/Orders',
      metricName: 'IncomingBytes',
      stat: 'Sum',
      dimensions: STREAM,
    });

    const window = windowOf([custom], [result('m0', [[1, 1]])]);

    expect(window.pick(METRICS.incomingBytes, 'orders-stream')).toBeUndefined();
  });

  it("uses only the named resource's series and never another stream's", () => {
    const other = query({ id: 'm0', metricName: 'IncomingBytes', stat: 'Sum', dimensions: { StreamName: 'other' } });
    const mine = query({ id: 'm1', metricName: 'IncomingBytes', stat: 'Sum', dimensions: STREAM });

    const window = windowOf([other, mine], [result('m0', [[1, 1]]), result('m1', [[1, 2]])]);

    expect(window.pick(METRICS.incomingBytes, 'orders-stream')?.series.dimensions).toStrictEqual(STREAM);
    expect(windowOf([other], [result('m0', [[1, 1]])]).pick(METRICS.incomingBytes, 'orders-stream')).toBeUndefined();
  });

  it('falls back to a series recorded without the resource dimension (a hand-made snapshot)', () => {
    const bare = query({ id: 'm0', metricName: 'IncomingBytes', stat: 'Sum' });

    const window = windowOf([bare], [result('m0', [[1, 7]])]);

    expect(window.pick(METRICS.incomingBytes, 'orders-stream')?.series.points[0]?.v).toBe(7);
  });

  describe('aggregate and per-shard series', () => {
    const shard = (n: number) => ({ ...STREAM, ShardId: `shardId-00000000000${n}` });
    const queries = [
      query({ id: 's0', metricName: 'IncomingBytes', stat: 'Sum', dimensions: shard(0) }),
      query({ id: 'agg', metricName: 'IncomingBytes', stat: 'Sum', dimensions: STREAM }),
      query({ id: 's1', metricName: 'IncomingBytes', stat: 'Sum', dimensions: shard(1) }),
      query({ id: 's2', metricName: 'IncomingBytes', stat: 'Sum', dimensions: shard(2) }),
    ];
    const results = [
      result('s0', [[1, 10]]),
      result('agg', [[1, 30]]),
      result('s1', [[1, 20]]),
      // A shard that reported nothing is not detail worth showing.
      result('s2', []),
    ];
    const window = windowOf(queries, results);

    it('picks the aggregate series (fewest dimensions) over the per-shard ones', () => {
      expect(window.pick(METRICS.incomingBytes, 'orders-stream')?.series.dimensions).toStrictEqual(STREAM);
    });

    it('returns the per-shard series with data as detail', () => {
      expect(window.detail(METRICS.incomingBytes, 'orders-stream').map((s) => s.dimensions['ShardId'])).toStrictEqual([
        'shardId-000000000000',
        'shardId-000000000001',
      ]);
    });

    it('adds up the per-shard series when the stream-level one is empty (an empty series hides no full one)', () => {
      const emptyAggregate = windowOf(queries, [results[0]!, result('agg', []), results[2]!]);

      expect(emptyAggregate.pick(METRICS.incomingBytes, 'orders-stream')?.series.points).toStrictEqual([
        { t: minute(1), v: 30 },
      ]);
    });

    it('adds up the per-shard series when only shard-level series were queried, in any order', () => {
      const shardsOnly = [queries[0]!, queries[2]!, queries[3]!];
      const forward = windowOf(shardsOnly, [results[0]!, results[2]!, results[3]!]);
      const backward = windowOf([...shardsOnly].reverse(), [results[3]!, results[2]!, results[0]!]);

      for (const window of [forward, backward]) {
        const picked = window.pick(METRICS.incomingBytes, 'orders-stream');
        expect(picked?.series.points).toStrictEqual([{ t: minute(1), v: 30 }]);
        expect(picked?.series.dimensions).toStrictEqual(STREAM);
        expect(picked?.parts).toHaveLength(2);
      }
    });

    it('has no detail when only the aggregate was queried', () => {
      const aggregateOnly = windowOf([queries[1]!], [results[1]!]);

      expect(aggregateOnly.detail(METRICS.incomingBytes, 'orders-stream')).toStrictEqual([]);
    });
  });
});

describe('series helpers', () => {
  const points = [
    { t: minute(3), v: 4 },
    { t: minute(2), v: 10 },
    { t: minute(1), v: 1 },
  ];

  it.each([
    ['maxOf', maxOf(points), 10],
    ['meanOf', meanOf(points), 5],
    ['sumOf', sumOf(points), 15],
    ['lastOf (the newest point)', lastOf(points), 1],
    ['maxOf of nothing', maxOf([]), undefined],
    ['meanOf of nothing', meanOf([]), undefined],
    ['lastOf of nothing', lastOf([]), undefined],
  ])('%s', (_name, actual, expected) => {
    expect(actual).toBe(expected);
  });

  it('since keeps the points at or after the given time', () => {
    expect(since(points, minute(2)).map((p) => p.v)).toStrictEqual([10, 1]);
  });
});

describe('MetricWindow.fromGetMetricData: values no real datapoint can have', () => {
  it.each<[string, string, string, Record<string, string>, number]>([
    ['a byte sum past any stream (1e308 once sized a stream at 2,048 shards)', 'IncomingBytes', 'Sum', STREAM, 1e308],
    ['a negative record count', 'IncomingRecords', 'Sum', STREAM, -5],
    ['CPU above 100%', 'containerCPUUtilization', 'Maximum', APP, 150],
    ['busy time above 1,000 ms per second', 'busyTimeMsPerSecond', 'Maximum', { ...APP, TaskName: 't' }, 1500],
    ['lag below the -1 that means "not reported"', 'millisBehindLatest', 'Maximum', APP, -2],
  ])('refuses %s, naming the value', (_case, metricName, stat, dimensions, value) => {
    const q = query({ id: 'm0', metricName, stat, dimensions });
    const error = refusal(() =>
      windowOf(
        [q],
        [
          result('m0', [
            [2, 1],
            [1, value],
          ]),
        ],
      ),
    );
    expect(error.path).toBe('getMetricData.MetricDataResults[0].Values[1]');
    expect(error.detail).toMatch(
      new RegExp(`^${String(value).replace('+', '\\+')} is not a plausible ${metricName} ${stat}`),
    );
  });

  it.each<[string, string, string, Record<string, string>, number]>([
    ['lag of -1, "not reported yet"', 'millisBehindLatest', 'Maximum', APP, -1],
    ['CPU at exactly 100%', 'containerCPUUtilization', 'Maximum', APP, 100],
    ['a full stream of 10,000 shards for a minute', 'IncomingBytes', 'Sum', STREAM, 10_000 * 1024 * 1024 * 60],
  ])('reads %s', (_case, metricName, stat, dimensions, value) => {
    const q = query({ id: 'm0', metricName, stat, dimensions });
    expect(() => windowOf([q], [result('m0', [[1, value]])])).not.toThrow();
  });
});
