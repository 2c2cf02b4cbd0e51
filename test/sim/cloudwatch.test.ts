import { collectSnapshot } from '../../lambdas/domain/collect';
import { assess } from '../../lambdas/domain/engine';
import { InvalidRequestError, ThrottlingError } from '../../lambdas/ports/errors';
import { SimulatedCloudWatch, type MetricId } from '../../sim/cloudwatch';
import { createWorld } from '../../sim/world';
import { scenario } from './support/scenario-builder';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const MINUTE = 60_000;
const BYTES: MetricId = { namespace: 'AWS/Kinesis', metricName: 'IncomingBytes', dimensions: { StreamName: 's' } };

function query(id: string, stat: string, period = 60, metric: MetricId = BYTES) {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: metric.namespace,
        MetricName: metric.metricName,
        Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: period,
      Stat: stat,
    },
  };
}

/** Five minutes of statistic sets: sums 10..50, maxima 1..5, two samples each. */
function fiveMinutes(): SimulatedCloudWatch {
  const cloudwatch = new SimulatedCloudWatch();
  for (let m = 0; m < 5; m++) {
    cloudwatch.put(BYTES, T0 + m * MINUTE, { sampleCount: 2, sum: (m + 1) * 10, min: 0, max: m + 1 });
  }
  return cloudwatch;
}

describe('SimulatedCloudWatch', () => {
  it.each([
    { stat: 'Sum', value: 150 },
    { stat: 'Maximum', value: 5 },
    { stat: 'Minimum', value: 0 },
    { stat: 'SampleCount', value: 10 },
    { stat: 'Average', value: 15 },
  ])('aggregates one-minute statistic sets into a 5-minute $stat', ({ stat, value }) => {
    const request = { ...BYTES, statistic: stat, periodSeconds: 300 };
    expect(fiveMinutes().datapoint(request, T0)).toBe(value);
  });

  it('answers GetMetricData newest first, with ISO timestamps, the label and the queries as sent', async () => {
    const queries = [{ ...query('m0', 'Sum'), Label: 'IncomingBytes' }];
    const record = await fiveMinutes().getMetricData({
      queries,
      startTime: new Date(T0 + MINUTE),
      endTime: new Date(T0 + 4 * MINUTE),
    });
    expect(record.MetricDataQueries).toEqual(queries);
    expect(record.MetricDataResults).toEqual([
      {
        Id: 'm0',
        Label: 'IncomingBytes',
        StatusCode: 'Complete',
        // The end is exclusive; the minute starting at endTime is not in the answer.
        Timestamps: ['2026-03-02T09:03:00.000Z', '2026-03-02T09:02:00.000Z', '2026-03-02T09:01:00.000Z'],
        Values: [40, 30, 20],
      },
    ]);
  });

  it('returns empty series for a metric nobody published, as CloudWatch does', async () => {
    const other = { ...BYTES, dimensions: { StreamName: 'other' } };
    const record = await fiveMinutes().getMetricData({
      queries: [query('m0', 'Sum', 60, other)],
      startTime: new Date(T0),
      endTime: new Date(T0 + 5 * MINUTE),
    });
    expect(record.MetricDataResults[0]).toMatchObject({ Timestamps: [], Values: [] });
  });

  it('evaluates metric math over the queries of the same request', async () => {
    const record = await fiveMinutes().getMetricData({
      queries: [
        { ...query('bytes', 'Sum'), ReturnData: false },
        { Id: 'perSecond', Expression: 'bytes / 60' },
      ],
      startTime: new Date(T0),
      endTime: new Date(T0 + 2 * MINUTE),
    });
    expect(record.MetricDataResults).toHaveLength(1);
    expect(record.MetricDataResults[0]!.Values).toEqual([20 / 60, 10 / 60]);
  });

  it.each([
    { name: 'a percentile statistic', request: { queries: [query('m0', 'p99')] }, detail: /statistic "p99"/ },
    {
      name: 'a period that is not whole minutes',
      request: { queries: [query('m0', 'Sum', 90)] },
      detail: /multiple of 60/,
    },
    {
      name: 'a repeated query id',
      request: { queries: [query('m0', 'Sum'), query('m0', 'Maximum')] },
      detail: /used twice/,
    },
  ])('refuses $name with InvalidRequestError', async ({ request, detail }) => {
    const call = fiveMinutes().getMetricData({ ...request, startTime: new Date(T0), endTime: new Date(T0 + MINUTE) });
    await expect(call).rejects.toThrow(InvalidRequestError);
    await expect(call).rejects.toThrow(detail);
  });

  it('lets fault injection fail the call before it is answered', async () => {
    const cloudwatch = new SimulatedCloudWatch(() => {
      throw new ThrottlingError('Rate exceeded', { action: 'GetMetricData' });
    });
    await expect(
      cloudwatch.getMetricData({ queries: [], startTime: new Date(T0), endTime: new Date(T0 + MINUTE) }),
    ).rejects.toThrow(ThrottlingError);
  });
});

describe('collectSnapshot over the simulated world', () => {
  it('reads a three-hour window the engine can assess, with the values the world published', async () => {
    const world = createWorld(scenario({ durationMinutes: 30, historyMinutes: 180 }));
    world.runToEnd();
    const snapshot = await collectSnapshot(world.ports, world.target);
    const results = snapshot.getMetricData!.MetricDataResults;
    const queries = snapshot.getMetricData!.MetricDataQueries;
    const incoming = results.find(
      (r) => queries.find((q) => q.Id === r.Id)!.MetricStat!.Metric.MetricName === 'IncomingRecords',
    )!;
    expect(incoming.Values).toHaveLength(180);
    for (const value of incoming.Values) expect(value).toBeGreaterThan(2000 * 60 * 0.9);
    expect(snapshot.describeStreamSummary!.StreamDescriptionSummary).toMatchObject({
      StreamName: 'orders-stream',
      StreamStatus: 'ACTIVE',
      OpenShardCount: 4,
    });
    expect(snapshot.describeApplication!.ApplicationDetail).toMatchObject({
      ApplicationName: 'orders-enricher',
      ApplicationStatus: 'RUNNING',
    });
    const report = assess(snapshot, { target: world.target, policy: world.policy, dryRun: true });
    expect(report.diagnosis.cause).toBe('HEALTHY');
  });
});

describe('SimulatedCloudWatch: ListMetrics and Metrics Insights', () => {
  const NS = 'AWS/KinesisAnalytics';
  const busy = (task: string): MetricId => ({
    namespace: NS,
    metricName: 'busyTimeMsPerSecond',
    dimensions: { Application: 'app', TaskName: task },
  });
  /** Two tasks of one application, and one task of another, for ten minutes from T0. */
  function tasks(now = T0 + 10 * MINUTE): SimulatedCloudWatch {
    const cloudwatch = new SimulatedCloudWatch(undefined, () => now);
    for (let m = 0; m < 10; m++) {
      cloudwatch.putValue(busy('source'), T0 + m * MINUTE, 100);
      cloudwatch.putValue(busy('process'), T0 + m * MINUTE, 900 + m);
      cloudwatch.putValue(
        { ...busy('other'), dimensions: { Application: 'other', TaskName: 'x' } },
        T0 + m * MINUTE,
        1000,
      );
    }
    return cloudwatch;
  }
  const insights = (expression: string, period = 60) => ({ Id: 'q', Expression: expression, Period: period });
  const window = { startTime: new Date(T0), endTime: new Date(T0 + 10 * MINUTE) };

  it('lists metrics that have every filtered dimension, with or without a value', async () => {
    const cloudwatch = tasks();
    const byApp = await cloudwatch.listMetrics({ namespace: NS, dimensions: [{ name: 'Application', value: 'app' }] });
    expect(byApp.map((m) => m.dimensions['TaskName']).sort()).toEqual(['process', 'source']);
    const withTask = await cloudwatch.listMetrics({
      namespace: NS,
      metricName: 'busyTimeMsPerSecond',
      dimensions: [{ name: 'TaskName' }],
    });
    expect(withTask).toHaveLength(3);
    expect(await cloudwatch.listMetrics({ namespace: 'AWS/Kinesis', dimensions: [] })).toEqual([]);
  });

  it('does not list metrics without a datapoint in the last two weeks', async () => {
    const cloudwatch = tasks(T0 + 15 * 24 * 60 * MINUTE);
    expect(await cloudwatch.listMetrics({ namespace: NS, dimensions: [] })).toEqual([]);
  });

  it('aggregates every matched series per period with the query function: MAX is the busiest task', async () => {
    const result = await tasks().getMetricData({
      queries: [insights(`SELECT MAX(busyTimeMsPerSecond) FROM "${NS}" WHERE Application = 'app'`)],
      ...window,
    });
    expect(result.MetricDataResults).toHaveLength(1);
    expect(result.MetricDataResults[0]!.Values![0]).toBe(909);
    const sum = await tasks().getMetricData({
      queries: [insights(`SELECT SUM(busyTimeMsPerSecond) FROM "${NS}" WHERE Application = 'app'`, 120)],
      ...window,
    });
    // Newest first: minutes 8 and 9 of both tasks.
    expect(sum.MetricDataResults[0]!.Values![0]).toBe(100 + 908 + 100 + 909);
  });

  it('returns one result per GROUP BY group, labelled with the group value, ordered and limited', async () => {
    const result = await tasks().getMetricData({
      queries: [
        insights(
          `SELECT AVG(busyTimeMsPerSecond) FROM "${NS}" WHERE Application = 'app' GROUP BY TaskName ORDER BY AVG() DESC LIMIT 1`,
        ),
      ],
      ...window,
    });
    expect(result.MetricDataResults.map((r) => [r.Id, r.Label])).toEqual([['q', 'process']]);
  });

  it('reads only the most recent three hours with an Insights query', async () => {
    const cloudwatch = tasks(T0 + 4 * 60 * MINUTE);
    const result = await cloudwatch.getMetricData({
      queries: [insights(`SELECT MAX(busyTimeMsPerSecond) FROM "${NS}"`)],
      ...window,
    });
    expect(result.MetricDataResults[0]!.Values).toEqual([]);
  });

  it('refuses a second Insights query in one request', async () => {
    await expect(
      tasks().getMetricData({
        queries: [
          { ...insights(`SELECT MAX(busyTimeMsPerSecond) FROM "${NS}"`), Id: 'a' },
          { ...insights(`SELECT MIN(busyTimeMsPerSecond) FROM "${NS}"`), Id: 'b' },
        ],
        ...window,
      }),
    ).rejects.toThrow(/only 1 Metrics Insights query/);
  });

  it('keeps metric math next to an Insights query, and in any order of definition', async () => {
    const result = await fiveMinutes().getMetricData({
      queries: [
        { Id: 'doubled', Expression: 'twice * 1' },
        { Id: 'twice', Expression: 'bytes * 2', ReturnData: false },
        { ...query('bytes', 'Sum'), ReturnData: false },
        insights(`SELECT MAX(IncomingBytes) FROM "AWS/Kinesis"`),
      ],
      startTime: new Date(T0),
      endTime: new Date(T0 + 5 * MINUTE),
    });
    const doubled = result.MetricDataResults.find((r) => r.Id === 'doubled')!;
    expect(doubled.Values).toEqual([100, 80, 60, 40, 20]);
    expect(result.MetricDataResults.find((r) => r.Id === 'q')!.Values).toEqual([5, 4, 3, 2, 1]);
  });
});
