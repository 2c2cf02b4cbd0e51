import type { GetMetricDataRecord } from '../../lambdas/domain/aws-shapes';
import type { MetricDataRequest, MetricsSource } from '../../lambdas/ports';
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
}
