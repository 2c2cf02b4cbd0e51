/**
 * An EventBridge `CloudWatch Alarm State Change` event as CloudWatch sends it, for one alarm going
 * from OK to ALARM.
 */
export function alarmStateChangeEvent(
  alarmName: string,
  options: { readonly state?: string; readonly region?: string } = {},
): Record<string, unknown> {
  const region = options.region ?? 'eu-west-1';
  return {
    version: '0',
    id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '123456789012',
    time: '2026-11-21T10:14:31Z',
    region,
    resources: [`arn:aws:cloudwatch:${region}:123456789012:alarm:${alarmName}`],
    detail: {
      alarmName,
      state: {
        value: options.state ?? 'ALARM',
        reason:
          'Threshold Crossed: 3 out of the last 3 datapoints [4210.0 (21/11/26 10:13:00), 3890.0 (21/11/26 10:12:00), ' +
          '4022.0 (21/11/26 10:11:00)] were greater than the threshold (0.0) (minimum 3 datapoints for OK -> ALARM transition).',
        reasonData:
          '{"version":"1.0","queryDate":"2026-11-21T10:14:31.210+0000","statistic":"Sum","period":60,"recentDatapoints":[4022.0,3890.0,4210.0],"threshold":0.0}',
        timestamp: '2026-11-21T10:14:31.214+0000',
      },
      previousState: {
        value: 'OK',
        reason: 'Threshold Crossed: 3 datapoints were not greater than the threshold (0.0).',
        timestamp: '2026-11-21T09:02:11.870+0000',
      },
      configuration: {
        description: 'StreamMedic write throttling',
        metrics: [
          {
            id: 'm1',
            metricStat: {
              metric: {
                namespace: 'AWS/Kinesis',
                name: 'WriteProvisionedThroughputExceeded',
                dimensions: { StreamName: 'orders-stream' },
              },
              period: 60,
              stat: 'Sum',
            },
            returnData: true,
          },
        ],
      },
    },
  };
}
