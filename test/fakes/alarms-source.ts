import type { AlarmInAlarm, AlarmsSource } from '../../lambdas/ports';
import { FailureQueue } from './failures';

type State = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** Alarm states by name, as DescribeAlarms would report them; records the names of every call. */
export class FakeAlarmsSource implements AlarmsSource {
  readonly calls: string[][] = [];
  readonly failures = new FailureQueue<'alarmsInAlarm'>();
  private readonly alarms = new Map<string, { state: State; since?: string }>();

  set(alarmName: string, state: State, since?: string): this {
    this.alarms.set(alarmName, { state, ...(since !== undefined ? { since } : {}) });
    return this;
  }

  async alarmsInAlarm(alarmNames: readonly string[]): Promise<AlarmInAlarm[]> {
    this.calls.push([...alarmNames]);
    this.failures.throwIfQueued('alarmsInAlarm');
    return alarmNames.flatMap((alarmName) => {
      const alarm = this.alarms.get(alarmName);
      if (alarm?.state !== 'ALARM') return [];
      return [{ alarmName, ...(alarm.since !== undefined ? { since: alarm.since } : {}) }];
    });
  }
}
