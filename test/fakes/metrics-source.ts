import type { GetMetricDataRecord } from '../../lambdas/domain/aws-shapes';
import type { ListMetricsRequest, ListedMetric, MetricDataRequest, MetricsSource } from '../../lambdas/ports';
import { FailureQueue } from './failures';

/**
 * Serves recorded GetMetricData exchanges. The n-th call gets the n-th record (the last one repeats),
 * so an assessment and the verification after it can see different windows.
 */
export class FakeMetricsSource implements MetricsSource {
  readonly requests: MetricDataRequest[] = [];
  readonly failures = new FailureQueue<'getMetricData'>();
  private readonly records: GetMetricDataRecord[];

  constructor(...records: GetMetricDataRecord[]) {
    if (records.length === 0) throw new Error('FakeMetricsSource needs at least one record to serve');
    this.records = records;
  }

  async getMetricData(request: MetricDataRequest): Promise<GetMetricDataRecord> {
    this.failures.throwIfQueued('getMetricData');
    const record = this.records[Math.min(this.requests.length, this.records.length - 1)]!;
    this.requests.push(request);
    return structuredClone(record);
  }

  /** The MetricStat metrics of the first record, filtered as ListMetrics filters. */
  async listMetrics(request: ListMetricsRequest): Promise<ListedMetric[]> {
    const listed: ListedMetric[] = [];
    for (const query of this.records[0]!.MetricDataQueries) {
      const metric = query.MetricStat?.Metric;
      if (!metric || metric.Namespace !== request.namespace) continue;
      if (request.metricName !== undefined && metric.MetricName !== request.metricName) continue;
      const dimensions: Record<string, string> = {};
      for (const d of metric.Dimensions ?? []) dimensions[d.Name] = d.Value;
      const matches = request.dimensions.every((f) =>
        f.value === undefined ? f.name in dimensions : dimensions[f.name] === f.value,
      );
      if (matches) listed.push({ namespace: metric.Namespace, metricName: metric.MetricName, dimensions });
    }
    return listed;
  }
}
