import { alarmDefinitionsFor, targetFromAlarmName } from '../../lambdas/domain/alarm-definitions';
import { WATCHDOG_DEFAULTS, parseConfig, type StreamMedicConfigInput } from '../../lambdas/domain/config';
import { InvalidInputError } from '../../lambdas/domain/validation';
import { blindAlarmDefinitions, blindEvaluationPeriods, watchdogAlarmName } from '../../lambdas/domain/watchdog';

const ORDERS = { name: 'orders', stream: { name: 'orders-stream' }, application: { name: 'orders-enricher' } };
const CLICKS = {
  name: 'clicks',
  stream: { name: 'clicks-stream' },
  alarms: { streamLag: { periodSeconds: 300 } },
};

function config(extra: Partial<StreamMedicConfigInput> = {}) {
  return parseConfig({ targets: [ORDERS, CLICKS], ...extra });
}

describe('blind alarm definitions', () => {
  it('watches every lag and CPU alarm of every target, and no other kind', () => {
    const definitions = blindAlarmDefinitions(config());
    expect(definitions.map((d) => [d.target, d.watches.alarmName])).toEqual([
      ['orders', 'StreamMedic-orders-app-lag'],
      ['orders', 'StreamMedic-orders-app-cpu'],
      ['clicks', 'StreamMedic-clicks-stream-lag'],
    ]);
  });

  it('counts the datapoints of exactly the metric the watched alarm reads, and alarms when none arrive', () => {
    const cfg = config();
    const watched = alarmDefinitionsFor(cfg).find((d) => d.alarmName === 'StreamMedic-orders-app-cpu')!;
    const blind = blindAlarmDefinitions(cfg).find((d) => d.watches.alarmName === watched.alarmName)!;
    if (watched.value.type !== 'metric') throw new Error('the CPU alarm reads one metric');
    expect(blind.value).toEqual({ type: 'metric', metric: { ...watched.value.metric, statistic: 'SampleCount' } });
    expect(blind).toMatchObject({
      alarmName: 'StreamMedicWatch-orders-blind-app-cpu',
      threshold: 1,
      comparisonOperator: 'LessThanThreshold',
      treatMissingData: 'breaching',
      periodSeconds: watched.periodSeconds,
    });
  });

  it("counts what the lag alarm's Metrics Insights query reads, with COUNT for its function, within three hours", () => {
    const cfg = config({ watchdog: { blindAfterMinutes: 600 } });
    const watched = alarmDefinitionsFor(cfg).find((d) => d.alarmName === 'StreamMedic-orders-app-lag')!;
    const blind = blindAlarmDefinitions(cfg).find((d) => d.watches.alarmName === watched.alarmName)!;
    if (watched.value.type !== 'insights' || blind.value.type !== 'insights')
      throw new Error('lag is an Insights alarm');
    expect(blind.value.query).toBe(watched.value.query.replace(/^SELECT MAX\(/, 'SELECT COUNT('));
    // Alarms on an Insights query evaluate the latest three hours only.
    expect(blind.evaluationPeriods * blind.periodSeconds).toBeLessThanOrEqual(3 * 60 * 60);
    expect(blind).toMatchObject({
      alarmName: 'StreamMedicWatch-orders-blind-app-lag',
      threshold: 1,
      comparisonOperator: 'LessThanThreshold',
      treatMissingData: 'breaching',
      periodSeconds: watched.periodSeconds,
    });
    expect(blind.description).toMatch(/^StreamMedic cannot see orders: no millisBehindLatest datapoint/);
  });

  it(`fires after ${WATCHDOG_DEFAULTS.blindAfterMinutes} minutes without data by default, every period missing`, () => {
    const byName = new Map(blindAlarmDefinitions(config()).map((d) => [d.alarmName, d]));
    expect(byName.get('StreamMedicWatch-orders-blind-app-cpu')).toMatchObject({
      periodSeconds: 60,
      evaluationPeriods: 30,
      datapointsToAlarm: 30,
    });
    // A 5-minute alarm period: 6 periods make the same 30 minutes.
    expect(byName.get('StreamMedicWatch-clicks-blind-stream-lag')).toMatchObject({
      periodSeconds: 300,
      evaluationPeriods: 6,
      datapointsToAlarm: 6,
    });
  });

  it('follows watchdog.blindAfterMinutes', () => {
    const definitions = blindAlarmDefinitions(config({ watchdog: { blindAfterMinutes: 90 } }));
    expect(definitions.find((d) => d.target === 'orders')!.evaluationPeriods).toBe(90);
  });

  it.each([
    [30, 60, 30],
    [7, 300, 2],
    [3, 300, 1],
    [1440, 420, 205],
  ])('covers %i minutes with %i-second periods in %i periods, within a day', (minutes, period, expected) => {
    expect(blindEvaluationPeriods(minutes, period)).toBe(expected);
    expect(blindEvaluationPeriods(minutes, period) * period).toBeLessThanOrEqual(24 * 60 * 60);
  });

  it('names watchdog alarms so that the rule starting remediation runs never matches them', () => {
    for (const definition of blindAlarmDefinitions(config())) {
      expect(definition.alarmName.startsWith('StreamMedic-')).toBe(false);
      expect(targetFromAlarmName(definition.alarmName, 'StreamMedic')).toBeUndefined();
    }
    expect(watchdogAlarmName('Pay', 'executions-failed')).toBe('PayWatch-executions-failed');
  });
});

describe('watchdog config', () => {
  it(`defaults blindAfterMinutes to ${WATCHDOG_DEFAULTS.blindAfterMinutes}`, () => {
    expect(config().watchdog).toEqual({ blindAfterMinutes: WATCHDOG_DEFAULTS.blindAfterMinutes });
  });

  it.each([
    [4, 'too short: a few late datapoints are not blindness'],
    [1441, 'too long: a CloudWatch alarm spans at most a day'],
    [12.5, 'not whole minutes'],
  ])('refuses blindAfterMinutes %s (%s), naming the field', (minutes) => {
    const refusal = (): unknown => {
      try {
        config({ watchdog: { blindAfterMinutes: minutes } });
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(refusal()).toBeInstanceOf(InvalidInputError);
    expect(refusal()).toMatchObject({ path: 'watchdog.blindAfterMinutes' });
  });

  it('refuses an unknown watchdog field, naming it', () => {
    expect(() => parseConfig({ targets: [ORDERS], watchdog: { blindAfter: 10 } })).toThrow(/watchdog/);
  });
});
