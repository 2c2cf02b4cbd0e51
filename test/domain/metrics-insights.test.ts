import {
  formatInsightsQuery,
  insightsGroupKey,
  insightsQueryMatches,
  parseInsightsQuery,
  tryParseInsightsQuery,
  type InsightsQuery,
} from '../../lambdas/domain/metrics-insights';

describe('parseInsightsQuery', () => {
  it('reads the lag query the docs show, with a quoted namespace and a WHERE on the application', () => {
    expect(
      parseInsightsQuery(
        `SELECT MAX(millisBehindLatest) FROM "AWS/KinesisAnalytics" WHERE Application = 'orders-enricher'`,
      ),
    ).toEqual({
      fn: 'MAX',
      metricName: 'millisBehindLatest',
      namespace: 'AWS/KinesisAnalytics',
      where: [{ key: 'Application', operator: '=', value: 'orders-enricher' }],
      groupBy: [],
    });
  });

  it('reads SCHEMA sources, several conditions, GROUP BY, ORDER BY and LIMIT; keywords in any case', () => {
    const query = parseInsightsQuery(
      `select max("GetRecords.IteratorAgeMilliseconds") from schema("AWS/Kinesis", StreamName, ShardId) ` +
        `where StreamName = 'orders' and ShardId != 'shardId-000000000001' group by ShardId order by max() desc limit 10`,
    );
    expect(query).toEqual({
      fn: 'MAX',
      metricName: 'GetRecords.IteratorAgeMilliseconds',
      namespace: 'AWS/Kinesis',
      schemaKeys: ['StreamName', 'ShardId'],
      where: [
        { key: 'StreamName', operator: '=', value: 'orders' },
        { key: 'ShardId', operator: '!=', value: 'shardId-000000000001' },
      ],
      groupBy: ['ShardId'],
      orderBy: { fn: 'MAX', direction: 'DESC' },
      limit: 10,
    });
  });

  it.each([
    ['metric math', 'SUM(METRICS())'],
    ['a search expression', `SEARCH('{AWS/Kinesis,StreamName} IncomingBytes', 'Sum', 60)`],
    ['an unknown function', 'SELECT P99(busyTimeMsPerSecond) FROM "AWS/KinesisAnalytics"'],
    ['an unquoted value', 'SELECT MAX(x) FROM "AWS/Kinesis" WHERE StreamName = orders'],
    ['an unterminated string', `SELECT MAX(x) FROM "AWS/Kinesis" WHERE StreamName = 'orders`],
    ['trailing words', 'SELECT MAX(x) FROM "AWS/Kinesis" PLEASE'],
  ])('refuses %s', (_label, text) => {
    expect(() => parseInsightsQuery(text)).toThrow();
    expect(tryParseInsightsQuery(text)).toBeUndefined();
  });
});

describe('formatInsightsQuery', () => {
  const queries: InsightsQuery[] = [
    {
      fn: 'MAX',
      metricName: 'busyTimeMsPerSecond',
      namespace: 'AWS/KinesisAnalytics',
      where: [{ key: 'Application', operator: '=', value: "o'brien's app" }],
      groupBy: ['TaskName'],
    },
    {
      fn: 'SUM',
      metricName: 'PutRecords.ThrottledRecords',
      namespace: 'AWS/Kinesis',
      schemaKeys: ['StreamName', 'ShardId'],
      where: [{ key: 'StreamName', operator: '=', value: 'orders' }],
      groupBy: [],
      orderBy: { fn: 'SUM', direction: 'ASC' },
      limit: 500,
    },
  ];

  it.each(queries.map((q) => [q.metricName, q] as const))('writes %s so that it reads back unchanged', (_name, q) => {
    expect(parseInsightsQuery(formatInsightsQuery(q))).toEqual(q);
  });

  it('quotes names that need it and escapes quotes in values', () => {
    expect(formatInsightsQuery(queries[0]!)).toBe(
      `SELECT MAX(busyTimeMsPerSecond) FROM "AWS/KinesisAnalytics" WHERE Application = 'o\\'brien\\'s app' GROUP BY TaskName`,
    );
  });
});

describe('insightsQueryMatches', () => {
  const lag = parseInsightsQuery(
    `SELECT MAX(millisBehindLatest) FROM "AWS/KinesisAnalytics" WHERE Application = 'app'`,
  );
  const exact = parseInsightsQuery(`SELECT MAX(millisBehindLatest) FROM SCHEMA("AWS/KinesisAnalytics", Application)`);

  it('a bare namespace matches every series of the metric whatever its extra dimensions', () => {
    expect(
      insightsQueryMatches(lag, 'AWS/KinesisAnalytics', 'millisBehindLatest', {
        Application: 'app',
        Id: 'orders',
        Flow: 'Input',
      }),
    ).toBe(true);
  });

  it('a SCHEMA matches only the exact dimension set, so {Application} alone misses the per-source series', () => {
    const perSource = { Application: 'app', Id: 'orders', Flow: 'Input' };
    expect(insightsQueryMatches(exact, 'AWS/KinesisAnalytics', 'millisBehindLatest', perSource)).toBe(false);
    expect(insightsQueryMatches(exact, 'AWS/KinesisAnalytics', 'millisBehindLatest', { Application: 'app' })).toBe(
      true,
    );
  });

  it('conditions, metric name and namespace all have to agree', () => {
    expect(insightsQueryMatches(lag, 'AWS/KinesisAnalytics', 'millisBehindLatest', { Application: 'other' })).toBe(
      false,
    );
    expect(insightsQueryMatches(lag, 'AWS/KinesisAnalytics', 'busyTimeMsPerSecond', { Application: 'app' })).toBe(
      false,
    );
    expect(insightsQueryMatches(lag, 'AWS/Kinesis', 'millisBehindLatest', { Application: 'app' })).toBe(false);
  });

  it('groups series by the GROUP BY keys in order', () => {
    const grouped = parseInsightsQuery('SELECT MAX(x) FROM "AWS/KinesisAnalytics" GROUP BY TaskName, SubtaskIndex');
    expect(insightsGroupKey(grouped, { TaskName: 'Source', SubtaskIndex: '3', Application: 'a' })).toEqual([
      'Source',
      '3',
    ]);
  });
});
