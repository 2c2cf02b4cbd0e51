import type { GetMetricDataRecord } from '../../lambdas/domain/aws-shapes';
import type { ListMetricsRequest, ListedMetric, MetricDataRequest, MetricsSource } from '../../lambdas/ports';
import { listMetricsMatches } from '../../lambdas/domain/collect';
import { FailureQueue } from './failures';

/**
 * Serves recorded GetMetricData exchanges. The n-th call gets the n-th record (the last one repeats),
 * so an assessment and the verification after it can see different windows.
 */
export class FakeMetricsSource implements MetricsSource {
  readonly requests: MetricDataRequest[] = [];
  readonly listRequests: ListMetricsRequest[] = [];
  readonly failures = new FailureQueue<'getMetricData'>();
  private readonly records: GetMetricDataRecord[];

  constructor(...records: GetMetricDataRecord[]) {
    if (records.length === 0) throw new Error('FakeMetricsSource needs at least one record to serve');
    this.records = records;
  }

  /**
   * The series the first record's MetricStat queries name, filtered as ListMetrics filters: by
   * namespace, metric name, and dimensions the metric has among others.
   */
  async listMetrics(request: ListMetricsRequest): Promise<ListedMetric[]> {
    this.listRequests.push(request);
    const seen = new Map<string, ListedMetric>();
    for (const query of this.records[0]!.MetricDataQueries) {
      const metric = query.MetricStat?.Metric;
      if (!metric) continue;
      const dimensions = Object.fromEntries((metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
      const listed = { namespace: metric.Namespace, metricName: metric.MetricName, dimensions };
      if (listMetricsMatches(listed, request)) seen.set(JSON.stringify(listed), listed);
    }
    return [...seen.values()];
  }

  async getMetricData(request: MetricDataRequest): Promise<GetMetricDataRecord> {
    this.failures.throwIfQueued('getMetricData');
    const record = this.records[Math.min(this.requests.length, this.records.length - 1)]!;
    this.requests.push(request);
    return structuredClone(record);
  }
}
