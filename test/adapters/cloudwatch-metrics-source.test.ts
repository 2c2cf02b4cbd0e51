import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  InvalidNextToken,
  LimitExceededException,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchMetricsSource, MAX_QUERIES_PER_REQUEST } from '../../lambdas/adapters/cloudwatch-metrics-source';
import { GetMetricDataSchema, type MetricDataQuery } from '../../lambdas/domain/aws-shapes';
import {
  AccessDeniedError,
  InvalidRequestError,
  ServiceUnavailableError,
  ThrottlingError,
} from '../../lambdas/ports/errors';
import { awsError } from './support/aws-errors';

const cloudWatch = mockClient(CloudWatchClient);
const client = new CloudWatchClient({ region: 'us-east-1' });
const source = new CloudWatchMetricsSource(client);

const startTime = new Date('2026-11-21T07:15:00Z');
const endTime = new Date('2026-11-21T10:15:00Z');

function query(index: number): MetricDataQuery {
  return {
    Id: `m${index}`,
    Label: 'IncomingBytes',
    ReturnData: true,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/Kinesis',
        MetricName: 'IncomingBytes',
        Dimensions: [{ Name: 'StreamName', Value: `stream-${index}` }],
      },
      Period: 60,
      Stat: 'Sum',
    },
  };
}

function queries(count: number): MetricDataQuery[] {
  return Array.from({ length: count }, (_, index) => query(index));
}

beforeEach(() => cloudWatch.reset());

function sentRequests() {
  return cloudWatch.commandCalls(GetMetricDataCommand).map((call) => call.args[0].input);
}

describe('CloudWatchMetricsSource', () => {
  it('sends one request for the window and returns the queries as sent with ISO timestamps', async () => {
    const sent = queries(2);
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        {
          Id: 'm0',
          Label: 'IncomingBytes',
          StatusCode: 'Complete',
          Timestamps: [new Date('2026-11-21T10:14:00Z'), new Date('2026-11-21T10:13:00Z')],
          Values: [61234567, 60000000],
        },
        { Id: 'm1', Label: 'IncomingBytes', StatusCode: 'Complete', Timestamps: [], Values: [] },
      ],
    });

    const record = await source.getMetricData({ queries: sent, startTime, endTime });

    expect(sentRequests()).toEqual([
      { MetricDataQueries: sent, StartTime: startTime, EndTime: endTime, ScanBy: 'TimestampDescending' },
    ]);
    expect(record).toStrictEqual({
      MetricDataQueries: sent,
      MetricDataResults: [
        {
          Id: 'm0',
          Label: 'IncomingBytes',
          StatusCode: 'Complete',
          Timestamps: ['2026-11-21T10:14:00.000Z', '2026-11-21T10:13:00.000Z'],
          Values: [61234567, 60000000],
        },
        { Id: 'm1', Label: 'IncomingBytes', StatusCode: 'Complete', Timestamps: [], Values: [] },
      ],
    });
    expect(() => GetMetricDataSchema.parse(JSON.parse(JSON.stringify(record)))).not.toThrow();
  });

  it('follows NextToken and concatenates every page in order', async () => {
    cloudWatch
      .on(GetMetricDataCommand, { NextToken: undefined })
      .resolves({
        MetricDataResults: [
          { Id: 'm0', StatusCode: 'PartialData', Timestamps: [new Date('2026-11-21T10:14:00Z')], Values: [3] },
        ],
        NextToken: 'page-2',
      })
      .on(GetMetricDataCommand, { NextToken: 'page-2' })
      .resolves({
        MetricDataResults: [
          { Id: 'm0', StatusCode: 'PartialData', Timestamps: [new Date('2026-11-21T10:13:00Z')], Values: [2] },
        ],
        NextToken: 'page-3',
      })
      .on(GetMetricDataCommand, { NextToken: 'page-3' })
      .resolves({
        MetricDataResults: [
          { Id: 'm0', StatusCode: 'Complete', Timestamps: [new Date('2026-11-21T10:12:00Z')], Values: [1] },
        ],
      });

    const record = await source.getMetricData({ queries: queries(1), startTime, endTime });

    expect(sentRequests().map((request) => request.NextToken)).toEqual([undefined, 'page-2', 'page-3']);
    expect(record.MetricDataResults.map((result) => [result.Timestamps, result.Values])).toEqual([
      [['2026-11-21T10:14:00.000Z'], [3]],
      [['2026-11-21T10:13:00.000Z'], [2]],
      [['2026-11-21T10:12:00.000Z'], [1]],
    ]);
  });

  it.each([
    { count: 1, batchSizes: [1] },
    { count: MAX_QUERIES_PER_REQUEST, batchSizes: [500] },
    { count: MAX_QUERIES_PER_REQUEST + 1, batchSizes: [500, 1] },
    { count: 1234, batchSizes: [500, 500, 234] },
  ])('splits $count queries into requests of $batchSizes', async ({ count, batchSizes }) => {
    cloudWatch.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: MetricDataQuery[] }) => ({
      MetricDataResults: input.MetricDataQueries.map((sent) => ({ Id: sent.Id, Timestamps: [], Values: [] })),
    }));
    const all = queries(count);

    const record = await source.getMetricData({ queries: all, startTime, endTime });

    expect(sentRequests().map((request) => request.MetricDataQueries!.length)).toEqual(batchSizes);
    expect(sentRequests().flatMap((request) => request.MetricDataQueries)).toEqual(all);
    expect(record.MetricDataQueries).toEqual(all);
    expect(record.MetricDataResults.map((result) => result.Id)).toEqual(all.map((sent) => sent.Id));
  });

  it('follows NextToken within each batch', async () => {
    const small = new CloudWatchMetricsSource(client, { maxQueriesPerRequest: 2 });
    cloudWatch
      .on(GetMetricDataCommand)
      .callsFake((input: { MetricDataQueries: MetricDataQuery[]; NextToken?: string }) => ({
        MetricDataResults: input.MetricDataQueries.map((sent) => ({
          Id: `${sent.Id}${input.NextToken ? '-more' : ''}`,
        })),
        ...(input.NextToken ? {} : { NextToken: 'more' }),
      }));

    const record = await small.getMetricData({ queries: queries(3), startTime, endTime });

    expect(record.MetricDataResults.map((result) => result.Id)).toEqual([
      'm0',
      'm1',
      'm0-more',
      'm1-more',
      'm2',
      'm2-more',
    ]);
    expect(
      record.MetricDataResults.every((result) => result.Timestamps?.length === 0 && result.Values?.length === 0),
    ).toBe(true);
  });

  it.each([
    {
      name: 'a window that ends before it starts',
      request: { queries: queries(1), startTime: endTime, endTime: startTime },
    },
    { name: 'a query Id used twice', request: { queries: [query(1), query(1)], startTime, endTime } },
    {
      name: 'math expressions that would be split across requests',
      request: { queries: [...queries(500), { Id: 'e1', Expression: 'SUM(METRICS())' }], startTime, endTime },
    },
  ])('refuses $name without calling CloudWatch', async ({ request }) => {
    await expect(source.getMetricData(request)).rejects.toBeInstanceOf(InvalidRequestError);
    expect(cloudWatch.calls()).toHaveLength(0);
  });

  it.each([
    { thrown: awsError('Throttling', 'Rate exceeded'), expected: ThrottlingError },
    {
      thrown: new LimitExceededException({ message: 'too many datapoints', $metadata: {} }),
      expected: ThrottlingError,
    },
    { thrown: new InvalidNextToken({ message: 'token expired', $metadata: {} }), expected: InvalidRequestError },
    {
      thrown: awsError('AccessDenied', 'not authorized to perform cloudwatch:GetMetricData', 403),
      expected: AccessDeniedError,
    },
    { thrown: awsError('InternalServiceFault', 'internal', 500), expected: ServiceUnavailableError },
  ])('maps $thrown.name from GetMetricData to $expected.name', async ({ thrown, expected }) => {
    cloudWatch.on(GetMetricDataCommand).rejects(thrown);

    const error = await source
      .getMetricData({ queries: queries(3), startTime, endTime })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(expected);
    expect(error).toMatchObject({ action: 'GetMetricData', resource: '3 metric queries' });
    expect((error as Error).message).toContain(thrown.message);
  });

  it.each([0, 501, 1.5])('refuses maxQueriesPerRequest %p, naming it', (maxQueriesPerRequest) => {
    expect(() => new CloudWatchMetricsSource(client, { maxQueriesPerRequest })).toThrow(/maxQueriesPerRequest/);
  });
});

describe('CloudWatchMetricsSource.listMetrics', () => {
  const request = {
    namespace: 'AWS/KinesisAnalytics',
    dimensions: [{ name: 'Application', value: 'orders-enricher' }],
  };

  it('follows NextToken through every page and returns each series with its dimensions', async () => {
    cloudWatch
      .on(ListMetricsCommand, { Namespace: 'AWS/KinesisAnalytics' })
      .resolvesOnce({
        Metrics: [
          {
            Namespace: 'AWS/KinesisAnalytics',
            MetricName: 'millisBehindLatest',
            Dimensions: [
              { Name: 'Application', Value: 'orders-enricher' },
              { Name: 'Flow', Value: 'Input' },
              { Name: 'Id', Value: 'orders-stream' },
            ],
          },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        Metrics: [
          {
            Namespace: 'AWS/KinesisAnalytics',
            MetricName: 'busyTimeMsPerSecond',
            Dimensions: [
              { Name: 'Application', Value: 'orders-enricher' },
              { Name: 'TaskName', Value: 'Window' },
            ],
          },
        ],
      });

    const listed = await source.listMetrics(request);

    expect(listed).toStrictEqual([
      {
        namespace: 'AWS/KinesisAnalytics',
        metricName: 'millisBehindLatest',
        dimensions: { Application: 'orders-enricher', Flow: 'Input', Id: 'orders-stream' },
      },
      {
        namespace: 'AWS/KinesisAnalytics',
        metricName: 'busyTimeMsPerSecond',
        dimensions: { Application: 'orders-enricher', TaskName: 'Window' },
      },
    ]);
    expect(cloudWatch.commandCalls(ListMetricsCommand).map((call) => call.args[0].input)).toStrictEqual([
      { Namespace: 'AWS/KinesisAnalytics', Dimensions: [{ Name: 'Application', Value: 'orders-enricher' }] },
      {
        Namespace: 'AWS/KinesisAnalytics',
        Dimensions: [{ Name: 'Application', Value: 'orders-enricher' }],
        NextToken: 'page-2',
      },
    ]);
  });

  it('maps an access denial to the port error, naming ListMetrics', async () => {
    cloudWatch
      .on(ListMetricsCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized to cloudwatch:ListMetrics'));

    const error = await source.listMetrics(request).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AccessDeniedError);
    expect(error).toMatchObject({ action: 'ListMetrics' });
  });
});
