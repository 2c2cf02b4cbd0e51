import { MAX_TABLE_WIDTH, table, wrapText } from '../../cli/render';

describe('table', () => {
  const headers = ['scenario', 'cause', 'actions', 'recovered'];
  const rows = [
    [
      'traffic-spike-10x',
      'STREAM_WRITE_CAPACITY, OVER_PROVISIONED',
      'UpdateShardCount, UpdateApplicationParallelism',
      '19 min',
    ],
    ['crash-loop', 'APP_UNHEALTHY', '-', 'no'],
    ['read-fan-out', 'STREAM_READ_CAPACITY, CONSUMER_COMPUTE, HEALTHY', 'UpdateShardCount', '7 min'],
  ];

  it('fits the width by wrapping the widest cells, words whole where they fit', () => {
    const text = table(headers, rows, 90);
    const lines = text.split('\n');

    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(90);
    expect(text).toContain('STREAM_WRITE_CAPACITY,');
    expect(text).toContain('UpdateApplicationParallelism');
    expect(lines.length).toBeGreaterThan(rows.length + 2);
  });

  it('keeps every word of every cell, in order', () => {
    const lines = table(headers, rows, 90).split('\n').slice(2);
    const column = (start: number, end?: number) =>
      lines
        .map((l) => l.slice(start, end).trim())
        .filter(Boolean)
        .join(' ');
    const header = table(headers, rows, 90).split('\n')[0]!;
    const causeAt = header.indexOf('cause');
    const actionsAt = header.indexOf('actions');

    expect(column(causeAt, actionsAt)).toBe(rows.map((r) => r[1]).join(' '));
  });

  it('keeps each row on one line when no width is given', () => {
    expect(table(headers, rows).split('\n')).toHaveLength(rows.length + 2);
  });

  it('leaves a table that fits as it is', () => {
    expect(table(['a', 'b'], [['x', 'y']])).toBe('a  b\n-  -\nx  y');
  });

  it('holds to the terminal width with long identifiers', () => {
    const wide = [['x'.repeat(40), 'y '.repeat(60).trim(), 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz', 'w']];
    const lines = table(headers, wide, MAX_TABLE_WIDTH).split('\n');

    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(MAX_TABLE_WIDTH);
  });
});

describe('wrapText', () => {
  it('breaks at spaces, and inside a long identifier after punctuation or before a capital', () => {
    expect(wrapText('Throttled write records (WriteProvisionedThroughputExceeded)', 16)).toEqual([
      'Throttled write',
      'records (Write',
      'Provisioned',
      'Throughput',
      'Exceeded)',
    ]);
  });
});
