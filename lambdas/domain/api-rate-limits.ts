/**
 * The rates AWS documents for the APIs StreamMedic calls, per account and Region unless a row says
 * per resource: the one table the fleet's pacing (api-pacing.ts), the storm benchmark and
 * docs/fleet.md all read. A row without `limit` is an API whose documentation gives no figure; it is
 * never guessed.
 */

/** The AWS APIs StreamMedic calls whose rate a fleet storm can drive up. */
export const RATE_LIMITED_APIS = [
  'DescribeStreamSummary',
  'UpdateShardCount',
  'IncreaseStreamRetentionPeriod',
  'GetMetricData',
  'ListMetrics',
  'DescribeAlarms',
  'DescribeApplication',
  'UpdateApplication',
  'RollbackApplication',
  'StartExecution',
  'Publish',
] as const;
export type RateLimitedApi = (typeof RATE_LIMITED_APIS)[number];

/** At most `max` calls in any `windowSeconds`, counted per account (and Region) or per resource. */
export interface ApiRateLimit {
  readonly max: number;
  readonly windowSeconds: number;
  readonly per: 'account' | 'resource';
}

export interface DocumentedApiLimit {
  /** Absent where the documentation gives no figure. */
  readonly limit?: ApiRateLimit;
  /** What the page says, in short; for a Region-dependent figure, which Regions the one kept here is for. */
  readonly documented: string;
  readonly page: string;
}

const CLOUDWATCH_QUOTAS = 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html';
const FLINK_QUOTAS = 'https://docs.aws.amazon.com/general/latest/gr/ka.html';

export const DOCUMENTED_API_LIMITS: Readonly<Record<RateLimitedApi, DocumentedApiLimit>> = {
  DescribeStreamSummary: {
    limit: { max: 20, windowSeconds: 1, per: 'account' },
    documented: '20 transactions per second per account',
    page: 'https://docs.aws.amazon.com/kinesis/latest/APIReference/API_DescribeStreamSummary.html',
  },
  UpdateShardCount: {
    limit: { max: 10, windowSeconds: 24 * 60 * 60, per: 'resource' },
    documented: 'ten scalings per rolling 24 hours per stream',
    page: 'https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html',
  },
  IncreaseStreamRetentionPeriod: {
    documented: 'no rate given',
    page: 'https://docs.aws.amazon.com/kinesis/latest/APIReference/API_IncreaseStreamRetentionPeriod.html',
  },
  GetMetricData: {
    // StreamMedic's reads are MetricStat queries; requests with Metrics Insights queries have 10 TPS.
    limit: { max: 50, windowSeconds: 1, per: 'account' },
    documented: '50 TPS per Region for requests without Metrics Insights queries (10 TPS with them)',
    page: CLOUDWATCH_QUOTAS,
  },
  ListMetrics: {
    limit: { max: 25, windowSeconds: 1, per: 'account' },
    documented: '25 TPS per Region',
    page: CLOUDWATCH_QUOTAS,
  },
  DescribeAlarms: {
    limit: { max: 9, windowSeconds: 1, per: 'account' },
    documented: '9 TPS per Region',
    page: CLOUDWATCH_QUOTAS,
  },
  DescribeApplication: { documented: 'no per-API rate given', page: FLINK_QUOTAS },
  UpdateApplication: { documented: 'no per-API rate given', page: FLINK_QUOTAS },
  RollbackApplication: { documented: 'no per-API rate given', page: FLINK_QUOTAS },
  StartExecution: {
    // A token bucket: 800 calls at once, then 150 a second (1,300 and 300 in us-east-1, us-west-2, eu-west-1).
    limit: { max: 150, windowSeconds: 1, per: 'account' },
    documented:
      'token bucket of 800 refilled at 150 per second (Standard workflows, Regions other than us-east-1, us-west-2, eu-west-1)',
    page: 'https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html',
  },
  Publish: {
    limit: { max: 300, windowSeconds: 1, per: 'account' },
    documented: '300 messages per second to standard topics (the smallest Regions; 30,000 in us-east-1)',
    page: 'https://docs.aws.amazon.com/general/latest/gr/sns.html',
  },
};
