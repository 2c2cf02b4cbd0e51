import { parseInsightsQuery } from '../../lambdas/domain/metrics-insights';
import {
  alarmDefinitionsForTarget,
  type AlarmDefinition,
  type TreatMissingData,
} from '../../lambdas/domain/alarm-definitions';
import { parseConfig } from '../../lambdas/domain/config';
import { parseWorkflowInput } from '../../lambdas/workflow/input';
import { AlarmEvaluator, alarmStateChangeEvent, decideAlarmState, type AlarmState } from '../../sim/alarm-evaluator';
import type { DatapointRequest, DatapointSource } from '../../sim/cloudwatch';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const MINUTE = 60_000;

/** `0` within the threshold, `X` breaching, `-` missing; oldest first, as in CloudWatch's documentation. */
function points(text: string): (boolean | undefined)[] {
  return text.split(' ').map((p) => (p === '-' ? undefined : p === 'X'));
}

type Row = [string, AlarmState | 'retain', AlarmState | 'retain', AlarmState, AlarmState];

function cases(rows: Row[], evaluationPeriods: number, datapointsToAlarm: number) {
  const treatments: TreatMissingData[] = ['missing', 'ignore', 'breaching', 'notBreaching'];
  return rows.flatMap(([data, ...states]) =>
    treatments.map((treatment, i) => ({ data, treatment, expected: states[i]!, evaluationPeriods, datapointsToAlarm })),
  );
}

describe('decideAlarmState', () => {
  // The two tables of "How alarm state is evaluated when data is missing" (CloudWatch User Guide).
  const threeOfThree: Row[] = [
    ['0 - X - X', 'OK', 'OK', 'OK', 'OK'],
    ['0 - - - -', 'OK', 'OK', 'OK', 'OK'],
    ['- - - - -', 'INSUFFICIENT_DATA', 'retain', 'ALARM', 'OK'],
    ['0 X X - X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
    ['- - - - X', 'INSUFFICIENT_DATA', 'retain', 'ALARM', 'OK'],
    ['X - - - -', 'ALARM', 'retain', 'ALARM', 'OK'],
  ];
  const twoOfThree: Row[] = [
    ['0 - X - X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
    ['0 0 X 0 X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
    ['0 - X - -', 'OK', 'OK', 'ALARM', 'OK'],
    ['- - - - 0', 'OK', 'OK', 'ALARM', 'OK'],
    ['- - - - X', 'INSUFFICIENT_DATA', 'retain', 'ALARM', 'OK'],
  ];

  it.each([...cases(threeOfThree, 3, 3), ...cases(twoOfThree, 3, 2)])(
    '$datapointsToAlarm of $evaluationPeriods, "$data", treat missing as $treatment: $expected',
    ({ data, treatment, expected, evaluationPeriods, datapointsToAlarm }) => {
      for (const current of ['OK', 'ALARM'] as const) {
        const decision = decideAlarmState(points(data), evaluationPeriods, datapointsToAlarm, treatment, current);
        expect(decision.state).toBe(expected === 'retain' ? current : expected);
      }
    },
  );

  it.each([
    { data: '0 0 X X X 0 0', n: 5, m: 3, state: 'ALARM' },
    { data: 'X X X 0 0 0 0', n: 5, m: 3, state: 'OK' },
    { data: '0 0 X 0 X 0 X', n: 5, m: 3, state: 'ALARM' },
    { data: '0 0 X 0 X 0 0', n: 5, m: 3, state: 'OK' },
    { data: 'X X - X X X -', n: 5, m: 5, state: 'ALARM' },
    { data: 'X X - X 0 X -', n: 5, m: 5, state: 'OK' },
  ])('counts $m of the $n most recent real datapoints: "$data" is $state', ({ data, n, m, state }) => {
    expect(decideAlarmState(points(data), n, m, 'missing', 'OK').state).toBe(state);
  });
});

/** Datapoints by metric name and minute index from T0. */
class FakeSource implements DatapointSource {
  constructor(private readonly values: Record<string, (minute: number) => number | undefined>) {}

  datapoint(request: DatapointRequest, periodStartMs: number): number | undefined {
    const minute = (periodStartMs - T0) / MINUTE;
    return this.values[request.metricName]?.(minute);
  }

  /** An Insights query's value is the value of the metric it selects. */
  insightsDatapoint(query: string, _periodSeconds: number, periodStartMs: number): number | undefined {
    const metricName = parseInsightsQuery(query).metricName;
    return this.values[metricName]?.((periodStartMs - T0) / MINUTE);
  }
}

function definitions(): AlarmDefinition[] {
  const config = parseConfig({
    targets: [
      {
        name: 'orders',
        mode: 'auto',
        stream: { name: 'orders-stream', minShards: 4 },
        application: { name: 'orders-enricher' },
      },
    ],
  });
  return alarmDefinitionsForTarget(config, config.targets[0]!);
}

function definition(kind: string): AlarmDefinition {
  return definitions().find((d) => d.kind === kind)!;
}

describe('AlarmEvaluator', () => {
  it('raises the lag alarm on the third of five minutes above 60 s, and reports each change once', () => {
    const lag = (minute: number): number => (minute < 10 ? 1000 : 90_000);
    const evaluator = new AlarmEvaluator([definition('appLag')], new FakeSource({ millisBehindLatest: lag }));
    const changes = [];
    for (let m = 1; m <= 15; m++) changes.push(...evaluator.evaluate(T0 + m * MINUTE).map((c) => ({ ...c, m })));
    // Minutes 10, 11 and 12 breach; the evaluation after minute 12 completes is at minute 13.
    expect(changes.map((c) => [c.m, c.from, c.to])).toEqual([
      [1, 'INSUFFICIENT_DATA', 'OK'],
      [13, 'OK', 'ALARM'],
    ]);
    expect(changes[1]!.reason).toMatch(/greater than the threshold \(60000\.0\)/);
  });

  it('treats missing write-throttling datapoints as not breaching: no writes, no alarm', () => {
    const evaluator = new AlarmEvaluator([definition('writeThrottling')], new FakeSource({}));
    expect(evaluator.evaluate(T0 + 30 * MINUTE).map((c) => c.to)).toEqual(['OK']);
  });

  it('evaluates the low-utilisation alarm as metric math over bytes and records, and treats silence as idle', () => {
    const utilization = definition('streamLowUtilization');
    expect(utilization.value.type).toBe('expression');
    // 4 shards accept 4 MiB/s and 4,000 records/s; 1,000 records/s of 1 KiB is 24% on both counts.
    const busy = new AlarmEvaluator(
      [utilization],
      new FakeSource({ IncomingBytes: () => 1000 * 1024 * 60, IncomingRecords: () => 1000 * 60 }),
    );
    const idleAt = utilization.evaluationPeriods + 2;
    expect(busy.valueAt(utilization, T0)).toBeCloseTo((100 * 1000 * 60) / (60 * 1000 * 4), 9);
    expect(busy.evaluate(T0 + idleAt * MINUTE).map((c) => c.to)).toEqual(['ALARM']);
    // 1,500 records/s is 37.5% of the records limit: MAX of the two shares is above the 30% threshold.
    const active = new AlarmEvaluator(
      [utilization],
      new FakeSource({ IncomingBytes: () => 1500 * 100 * 60, IncomingRecords: () => 1500 * 60 }),
    );
    expect(active.evaluate(T0 + idleAt * MINUTE).map((c) => c.to)).toEqual(['OK']);
    const silent = new AlarmEvaluator([utilization], new FakeSource({}));
    expect(silent.evaluate(T0 + idleAt * MINUTE).map((c) => c.to)).toEqual(['ALARM']);
  });

  it('holds a state set with SetAlarmState only until the next evaluation', () => {
    const evaluator = new AlarmEvaluator([definition('appCpu')], new FakeSource({ containerCPUUtilization: () => 40 }));
    evaluator.evaluate(T0 + 10 * MINUTE);
    const forced = evaluator.setAlarmState('StreamMedic-orders-app-cpu', 'ALARM', 'test', T0 + 10 * MINUTE + 1);
    expect(forced).toMatchObject({ from: 'OK', to: 'ALARM' });
    expect(evaluator.evaluate(T0 + 11 * MINUTE).map((c) => [c.from, c.to])).toEqual([['ALARM', 'OK']]);
  });

  it('recomputes settled periods when a late datapoint arrives', () => {
    const values: Record<number, number> = {};
    const source = {
      datapoint: (_request: DatapointRequest, start: number) => values[(start - T0) / MINUTE],
      insightsDatapoint: (_query: string, _period: number, start: number) => values[(start - T0) / MINUTE],
      settledBefore: () => T0 + 20 * MINUTE,
      lateWrites: () => late,
    };
    let late = 0;
    for (let m = 0; m < 20; m++) values[m] = 1000;
    const evaluator = new AlarmEvaluator([definition('appLag')], source);
    expect(evaluator.evaluate(T0 + 20 * MINUTE).map((c) => c.to)).toEqual(['OK']);
    for (let m = 15; m < 20; m++) values[m] = 90_000;
    expect(evaluator.evaluate(T0 + 20 * MINUTE)).toEqual([]);
    late += 1;
    expect(evaluator.evaluate(T0 + 20 * MINUTE).map((c) => c.to)).toEqual(['ALARM']);
  });

  it('emits the EventBridge event the workflow takes as its input', () => {
    const evaluator = new AlarmEvaluator([definition('appLag')], new FakeSource({ millisBehindLatest: () => 90_000 }));
    const [change] = evaluator.evaluate(T0 + 10 * MINUTE);
    const event = alarmStateChangeEvent(change!, { region: 'eu-west-1', account: '111122223333' });
    expect(event).toMatchObject({
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      resources: ['arn:aws:cloudwatch:eu-west-1:111122223333:alarm:StreamMedic-orders-app-lag'],
      detail: { alarmName: 'StreamMedic-orders-app-lag', state: { value: 'ALARM' } },
    });
    expect(parseWorkflowInput(event)).toMatchObject({ target: 'orders', trigger: { kind: 'alarm' } });
  });
});
