import {
  GetMetricDataCommand,
  ListMetricsCommand,
  type CloudWatchClient,
  type MetricDataQuery as SdkMetricDataQuery,
  type MetricDataResult as SdkMetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import type { GetMetricDataRecord, MetricDataResult } from '../domain/aws-shapes';
import { InvalidRequestError, type ErrorContext } from '../ports/errors';
import type { ListMetricsRequest, ListedMetric, MetricDataRequest, MetricsSource } from '../ports';
import { callAws } from './aws-call';
import { toPlainJson } from './plain-json';

/** GetMetricData's limit on queries in one request. */
export const MAX_QUERIES_PER_REQUEST = 500;

export interface CloudWatchMetricsSourceProps {
  /**
   * Queries per GetMetricData request; more are split into several requests.
   * @default 500 (the API's limit)
   */
  readonly maxQueriesPerRequest?: number;
}

/**
 * Reads a whole assessment window with as few GetMetricData calls as the API allows, and returns the
 * queries as sent and every result page concatenated, as an incident snapshot records them.
 */
export class CloudWatchMetricsSource implements MetricsSource {
  private readonly maxQueriesPerRequest: number;

  constructor(
    private readonly client: CloudWatchClient,
    props: CloudWatchMetricsSourceProps = {},
  ) {
    this.maxQueriesPerRequest = props.maxQueriesPerRequest ?? MAX_QUERIES_PER_REQUEST;
    if (
      !Number.isInteger(this.maxQueriesPerRequest) ||
      this.maxQueriesPerRequest < 1 ||
      this.maxQueriesPerRequest > MAX_QUERIES_PER_REQUEST
    ) {
      throw new Error(
        `maxQueriesPerRequest must be an integer from 1 to ${MAX_QUERIES_PER_REQUEST}, got ${props.maxQueriesPerRequest}`,
      );
    }
  }

  async getMetricData(request: MetricDataRequest): Promise<GetMetricDataRecord> {
    const context = { action: 'GetMetricData', resource: `${request.queries.length} metric queries` };
    validateRequest(request, this.maxQueriesPerRequest, context);
    const results: MetricDataResult[] = [];
    for (let start = 0; start < request.queries.length; start += this.maxQueriesPerRequest) {
      const batch = request.queries.slice(start, start + this.maxQueriesPerRequest);
      let nextToken: string | undefined;
      do {
        const token = nextToken;
        const page = await callAws(context, () =>
          this.client.send(
            new GetMetricDataCommand({
              MetricDataQueries: batch as SdkMetricDataQuery[],
              StartTime: request.startTime,
              EndTime: request.endTime,
              ScanBy: 'TimestampDescending',
              NextToken: token,
            }),
          ),
        );
        for (const result of page.MetricDataResults ?? []) results.push(toResultRecord(result));
        nextToken = page.NextToken;
      } while (nextToken);
    }
    return { MetricDataQueries: [...request.queries], MetricDataResults: results };
  }

  async listMetrics(request: ListMetricsRequest): Promise<ListedMetric[]> {
    const context = {
      action: 'ListMetrics',
      resource: `${request.namespace}${request.metricName ? ` ${request.metricName}` : ''}`,
    };
    const listed: ListedMetric[] = [];
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const page = await callAws(context, () =>
        this.client.send(
          new ListMetricsCommand({
            Namespace: request.namespace,
            ...(request.metricName ? { MetricName: request.metricName } : {}),
            Dimensions: request.dimensions.map((d) => ({
              Name: d.name,
              ...(d.value !== undefined ? { Value: d.value } : {}),
            })),
            ...(token ? { NextToken: token } : {}),
          }),
        ),
      );
      for (const metric of page?.Metrics ?? []) {
        if (!metric.Namespace || !metric.MetricName) continue;
        const dimensions: Record<string, string> = {};
        for (const d of metric.Dimensions ?? []) if (d.Name && d.Value !== undefined) dimensions[d.Name] = d.Value;
        listed.push({ namespace: metric.Namespace, metricName: metric.MetricName, dimensions });
      }
      nextToken = page?.NextToken;
    } while (nextToken);
    return listed;
  }
}

function validateRequest(request: MetricDataRequest, maxQueriesPerRequest: number, context: ErrorContext): void {
  if (!(request.startTime.getTime() < request.endTime.getTime())) {
    throw new InvalidRequestError(
      `startTime ${request.startTime.toISOString()} must be before endTime ${request.endTime.toISOString()}`,
      context,
    );
  }
  const ids = new Set<string>();
  for (const query of request.queries) {
    // Results are matched to queries by Id, so an Id repeated across batches would be ambiguous.
    if (ids.has(query.Id)) throw new InvalidRequestError(`query Id "${query.Id}" is used twice`, context);
    ids.add(query.Id);
  }
  // A math expression can only refer to queries in the same request; splitting could separate them.
  if (request.queries.length > maxQueriesPerRequest && request.queries.some((query) => query.Expression)) {
    throw new InvalidRequestError(
      `${request.queries.length} queries with math expressions cannot be split into requests of ${maxQueriesPerRequest}`,
      context,
    );
  }
}

function toResultRecord(result: SdkMetricDataResult): MetricDataResult {
  const plain = toPlainJson(result) as MetricDataResult;
  return { ...plain, Id: result.Id ?? '', Timestamps: plain.Timestamps ?? [], Values: plain.Values ?? [] };
}
