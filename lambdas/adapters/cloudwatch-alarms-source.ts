import { DescribeAlarmsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { InvalidRequestError } from '../ports/errors';
import type { AlarmInAlarm, AlarmsSource } from '../ports';
import { callAws } from './aws-call';

/** DescribeAlarms takes at most 100 names in `AlarmNames`. */
const MAX_ALARM_NAMES = 100;

/**
 * Which of the named metric alarms are in ALARM, with DescribeAlarms (`AlarmNames`, `StateValue`
 * ALARM, every page). Naming the alarms keeps the call within the alarms IAM lets the caller read.
 */
export class CloudWatchAlarmsSource implements AlarmsSource {
  constructor(private readonly client: CloudWatchClient) {}

  async alarmsInAlarm(alarmNames: readonly string[]): Promise<AlarmInAlarm[]> {
    const context = { action: 'DescribeAlarms', resource: alarmNames[0] ?? '(none)' };
    if (alarmNames.length > MAX_ALARM_NAMES) {
      throw new InvalidRequestError(
        `${alarmNames.length} alarm names in one call; DescribeAlarms takes ${MAX_ALARM_NAMES}`,
        context,
      );
    }
    if (alarmNames.length === 0) return [];
    const found: AlarmInAlarm[] = [];
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const page = await callAws(context, () =>
        this.client.send(
          new DescribeAlarmsCommand({
            AlarmNames: [...alarmNames],
            AlarmTypes: ['MetricAlarm'],
            StateValue: 'ALARM',
            ...(token !== undefined ? { NextToken: token } : {}),
          }),
        ),
      );
      for (const alarm of page.MetricAlarms ?? []) {
        if (alarm.AlarmName === undefined || alarm.StateValue !== 'ALARM') continue;
        const since = alarm.StateTransitionedTimestamp;
        found.push({
          alarmName: alarm.AlarmName,
          ...(since instanceof Date && !Number.isNaN(since.getTime()) ? { since: since.toISOString() } : {}),
        });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return found;
  }
}
