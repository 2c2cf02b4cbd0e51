import { MAX_METRIC_QUERIES, collectSnapshot, listRequestsFor, planMetricQueries } from '../../lambdas/domain/collect';
import { PolicySchema, TargetSchema } from '../../lambdas/domain/config';
import { assess } from '../../lambdas/domain/engine';
import { METRICS } from '../../lambdas/domain/metric-catalog';
import type { ListedMetric } from '../../lambdas/ports';
import { buildSnapshot } from '../builders/snapshot-builder';
import { FakeClock } from '../fakes/clock';
import { FakeMetricsSource } from '../fakes/metrics-source';

const target = TargetSchema.parse({
  name: 'orders',
  mode: 'auto',
  stream: { name: 'orders-stream' },
  application: { name: 'orders-enricher' },
});

const flink = (metricName: string, dimensions: Record<string, string>): ListedMetric => ({
  namespace: 'AWS/KinesisAnalytics',
  metricName,
  dimensions: { Application: 'orders-enricher', ...dimensions },
});

const dimensionsOf = (query: ReturnType<typeof planMetricQueries>['queries'][number]) =>
  Object.fromEntries((query.MetricStat!.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));

describe('planMetricQueries', () => {
  it('asks for every listed series with its real dimensions, and for unlisted metrics under the resource', () => {
    const listed = [
      flink('millisBehindLatest', { Flow: 'Input', Id: 'orders-stream' }),
      flink('busyTimeMsPerSecond', { TaskName: 'Source: Kinesis' }),
      flink('busyTimeMsPerSecond', { TaskName: 'Window -> Sink' }),
      // Another application's series: ListMetrics filters, but the plan does not trust it to.
      { ...flink('busyTimeMsPerSecond', { TaskName: 'Other' }), dimensions: { Application: 'other', TaskName: 'x' } },
    ];

    const { queries, leftOut } = planMetricQueries(target, listed);

    const of = (name: string) => queries.filter((q) => q.MetricStat!.Metric.MetricName === name).map(dimensionsOf);
    expect(of('millisBehindLatest')).toEqual([{ Application: 'orders-enricher', Flow: 'Input', Id: 'orders-stream' }]);
    expect(of('busyTimeMsPerSecond')).toEqual([
      { Application: 'orders-enricher', TaskName: 'Source: Kinesis' },
      { Application: 'orders-enricher', TaskName: 'Window -> Sink' },
    ]);
    expect(of('IncomingBytes')).toEqual([{ StreamName: 'orders-stream' }]);
    expect(new Set(queries.map((q) => q.Id)).size).toBe(queries.length);
    expect(leftOut).toEqual([]);
  });

  it('keeps within the 500-query limit, leaving out the finest series first and naming them', () => {
    // A PARALLELISM-level job: busy time per subtask for 600 subtasks, besides the per-task series.
    const listed = [
      flink('busyTimeMsPerSecond', { TaskName: 'Window -> Sink' }),
      ...Array.from({ length: 600 }, (_, i) =>
        flink('busyTimeMsPerSecond', { TaskName: 'Window -> Sink', SubtaskIndex: String(i) }),
      ),
    ];

    const { queries, leftOut } = planMetricQueries(target, listed);

    expect(queries).toHaveLength(MAX_METRIC_QUERIES);
    // Every metric's least detailed series and the per-task one are kept.
    for (const spec of Object.values(METRICS)) {
      expect(queries.some((q) => q.MetricStat!.Metric.MetricName === spec.metricName)).toBe(true);
    }
    expect(queries.map(dimensionsOf)).toContainEqual({ Application: 'orders-enricher', TaskName: 'Window -> Sink' });
    // Every other catalog metric under its resource, the per-task series and the 600 per-subtask ones.
    expect(leftOut.length).toBe(Object.keys(METRICS).length - 1 + 1 + 600 - MAX_METRIC_QUERIES);
    expect(leftOut.every((name) => name.startsWith('busyTimeMsPerSecond{') && name.includes('SubtaskIndex='))).toBe(
      true,
    );
  });
});

describe('collectSnapshot', () => {
  const recorded = buildSnapshot({
    stream: { shards: 4 },
    app: { parallelism: 4, metricsLevel: 'TASK' },
    metrics: { incomingBytes: 1_000_000, containerCpu: 40 },
    series: [{ key: 'millisBehindLatest', dimensions: { Flow: 'Input', Id: 'orders-stream' }, values: 900 }],
  });

  it('lists the series of each resource, then reads them all in one GetMetricData call', async () => {
    const metrics = new FakeMetricsSource(recorded.getMetricData!);

    const snapshot = await collectSnapshot({ metrics, clock: new FakeClock(recorded.capturedAt) }, target, 60);

    expect(metrics.listRequests).toEqual(listRequestsFor(target));
    expect(metrics.requests).toHaveLength(1);
    const lag = metrics.requests[0]!.queries.find((q) => q.MetricStat!.Metric.MetricName === 'millisBehindLatest');
    expect(dimensionsOf(lag!)).toEqual({ Application: 'orders-enricher', Flow: 'Input', Id: 'orders-stream' });
    // Read back, the snapshot gives the lag the account published.
    const report = assess(snapshot, { target, policy: PolicySchema.parse({}), dryRun: true });
    expect(report.diagnosis.evidence.find((e) => e.metric === 'millisBehindLatest')?.value).toBe(900);
  });
});
