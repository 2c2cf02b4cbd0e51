import {
  ALARM_KINDS,
  ALARM_KIND_SLUGS,
  alarmDefinitionsFor,
  alarmName,
  breaches,
  parseAlarmName,
  targetFromAlarmName,
  type AlarmDefinition,
  type AlarmKind,
  type ComparisonOperator,
} from '../../lambdas/domain/alarm-definitions';
import { MetricMathError, evaluateAlarmValue, evaluateMetricMath } from '../../sim/metric-math';
import { parseConfig, type StreamMedicConfigInput } from '../../lambdas/domain/config';
import { InvalidInputError } from '../../lambdas/domain/validation';

const ORDERS = {
  name: 'orders',
  mode: 'auto',
  stream: { name: 'orders-stream', minShards: 2 },
  application: { name: 'orders-enricher' },
} as const;
const CLICKS = { name: 'clicks', stream: { name: 'clicks-stream', minShards: 4 } } as const;
const FRAUD = { name: 'fraud', application: { name: 'fraud-app' } } as const;

function definitions(input: Partial<StreamMedicConfigInput> = {}): AlarmDefinition[] {
  return alarmDefinitionsFor(parseConfig({ targets: [ORDERS, CLICKS, FRAUD], ...input }));
}

function find(list: readonly AlarmDefinition[], target: string, kind: AlarmKind): AlarmDefinition {
  const found = list.find((d) => d.target === target && d.kind === kind);
  if (!found) throw new Error(`no ${kind} alarm for ${target}`);
  return found;
}

function metricOf(definition: AlarmDefinition) {
  if (definition.value.type !== 'metric') throw new Error(`${definition.alarmName} is an expression`);
  return definition.value.metric;
}

describe('alarmDefinitionsFor: which alarms each target gets', () => {
  it.each([
    [
      'orders',
      ['appLag', 'appCpu', 'appCpuSaturated', 'writeThrottling', 'readThrottling', 'streamLowUtilization', 'appLowCpu'],
    ],
    ['clicks', ['streamLag', 'writeThrottling', 'readThrottling', 'streamLowUtilization']],
    ['fraud', ['appLag', 'appCpu', 'appCpuSaturated', 'appLowCpu']],
  ])('%s gets %j', (target, kinds) => {
    expect(
      definitions()
        .filter((d) => d.target === target)
        .map((d) => d.kind),
    ).toEqual(kinds);
  });

  it('watches the iterator age beside an application when streamLag.withApplication is set', () => {
    const list = definitions({ alarms: { streamLag: { withApplication: true } } });
    expect(metricOf(find(list, 'orders', 'streamLag')).metricName).toBe('GetRecords.IteratorAgeMilliseconds');
    expect(list.filter((d) => d.target === 'orders').map((d) => d.kind)).toContain('appLag');
  });

  it('leaves out a kind that is disabled for one target only', () => {
    const list = alarmDefinitionsFor(
      parseConfig({
        targets: [
          { ...CLICKS, alarms: { readThrottling: { enabled: false } } },
          { ...CLICKS, name: 'other', stream: { ...CLICKS.stream, name: 'other-stream' } },
        ],
      }),
    );
    expect(list.filter((d) => d.kind === 'readThrottling').map((d) => d.target)).toEqual(['other']);
  });
});

describe('alarmDefinitionsFor: defaults', () => {
  const list = definitions();

  it.each<[string, AlarmKind, string, string, number, ComparisonOperator, number, number, number, string]>([
    // target, kind, metric, statistic, threshold, comparison, period, evaluation periods, datapoints, missing data
    [
      'clicks',
      'streamLag',
      'GetRecords.IteratorAgeMilliseconds',
      'Maximum',
      60_000,
      'GreaterThanThreshold',
      60,
      5,
      3,
      'missing',
    ],
    [
      'orders',
      'appCpu',
      'containerCPUUtilization',
      'Maximum',
      75,
      'GreaterThanOrEqualToThreshold',
      60,
      5,
      5,
      'missing',
    ],
    [
      'orders',
      'readThrottling',
      'ReadProvisionedThroughputExceeded',
      'Sum',
      0,
      'GreaterThanThreshold',
      60,
      15,
      2,
      'notBreaching',
    ],
    ['fraud', 'appLowCpu', 'containerCPUUtilization', 'Maximum', 30, 'LessThanThreshold', 300, 24, 24, 'notBreaching'],
  ])(
    '%s %s: %s %s, threshold %d (%s), %d s x %d, %d to alarm, missing data %s',
    (target, kind, metricName, statistic, threshold, comparison, period, evaluations, datapoints, missing) => {
      const definition = find(list, target, kind);
      expect(metricOf(definition)).toMatchObject({ metricName, statistic, periodSeconds: period });
      expect(definition).toMatchObject({
        threshold,
        comparisonOperator: comparison,
        periodSeconds: period,
        evaluationPeriods: evaluations,
        datapointsToAlarm: datapoints,
        treatMissingData: missing,
      });
    },
  );

  it('alarms on write throttling from both counters, whichever is larger', () => {
    const definition = find(list, 'orders', 'writeThrottling');
    expect(definition).toMatchObject({
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      evaluationPeriods: 15,
      datapointsToAlarm: 2,
      treatMissingData: 'notBreaching',
      value: { type: 'expression', expression: 'MAX([writeThrottled, putRecordsThrottled])' },
    });
    if (definition.value.type !== 'expression') throw new Error('expected an expression');
    expect(definition.value.inputs.map((i) => [i.id, i.metricName, i.statistic])).toEqual([
      ['writeThrottled', 'WriteProvisionedThroughputExceeded', 'Sum'],
      ['putRecordsThrottled', 'PutRecords.ThrottledRecords', 'Sum'],
    ]);
  });

  it('alarms on low write utilisation over the scale-in window, silence counting as idle', () => {
    expect(find(list, 'clicks', 'streamLowUtilization')).toMatchObject({
      threshold: 30,
      comparisonOperator: 'LessThanThreshold',
      periodSeconds: 60,
      evaluationPeriods: 120,
      datapointsToAlarm: 120,
      treatMissingData: 'breaching',
    });
  });

  it('alarms on the lag of the slowest source with one Metrics Insights query over every series of the app', () => {
    // millisBehindLatest exists only with {Application, Id, Flow} (and per shard): {Application} alone has no data.
    expect(find(list, 'orders', 'appLag')).toMatchObject({
      threshold: 60_000,
      comparisonOperator: 'GreaterThanThreshold',
      periodSeconds: 60,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: 'missing',
      value: {
        type: 'insights',
        query: `SELECT MAX(millisBehindLatest) FROM "AWS/KinesisAnalytics" WHERE Application = 'orders-enricher'`,
        periodSeconds: 60,
      },
    });
  });

  it('puts the stream or application name in the default dimension', () => {
    expect(metricOf(find(list, 'orders', 'appCpu')).dimensions).toEqual({ Application: 'orders-enricher' });
    expect(metricOf(find(list, 'clicks', 'streamLag')).dimensions).toEqual({ StreamName: 'clicks-stream' });
  });
});

describe('alarmDefinitionsFor: settings and the policy', () => {
  it.each<[string, Partial<StreamMedicConfigInput>, number]>([
    ['the default policy', {}, 60_000],
    ['the global policy', { policy: { lagThresholdMs: 90_000 } }, 90_000],
    [
      'the global alarm setting over the policy',
      { policy: { lagThresholdMs: 90_000 }, alarms: { appLag: { threshold: 45_000 } } },
      45_000,
    ],
  ])('takes the lag threshold from %s', (_label, input, expected) => {
    expect(find(definitions(input), 'orders', 'appLag').threshold).toBe(expected);
  });

  it("takes a target's own policy over the global one", () => {
    const config = parseConfig({ targets: [{ ...ORDERS, policy: { lagThresholdMs: 300_000 } }, FRAUD] });
    const list = alarmDefinitionsFor(config);
    expect(find(list, 'orders', 'appLag').threshold).toBe(300_000);
    expect(find(list, 'fraud', 'appLag').threshold).toBe(60_000);
  });

  it("takes a target's alarm override over the global alarm setting, field by field", () => {
    const config = parseConfig({
      alarms: { appCpu: { threshold: 80, evaluationPeriods: 10, datapointsToAlarm: 8 } },
      targets: [{ ...ORDERS, alarms: { appCpu: { threshold: 90 } } }],
    });
    expect(find(alarmDefinitionsFor(config), 'orders', 'appCpu')).toMatchObject({
      threshold: 90,
      evaluationPeriods: 10,
      datapointsToAlarm: 8,
    });
  });

  it('derives the throttling window from policy.recentMinutes and policy.throttleMinutes', () => {
    const list = definitions({ policy: { recentMinutes: 10, throttleMinutes: 4 } });
    expect(find(list, 'clicks', 'writeThrottling')).toMatchObject({ evaluationPeriods: 10, datapointsToAlarm: 4 });
  });

  it('derives the scale-in window and threshold from the policy, in periods of the chosen length', () => {
    const list = definitions({
      policy: { scaleInWindowMinutes: 360, scaleInUtilization: 0.2 },
      alarms: { appLowCpu: { periodSeconds: 600 } },
    });
    expect(find(list, 'fraud', 'appLowCpu')).toMatchObject({
      threshold: 20,
      evaluationPeriods: 36,
      datapointsToAlarm: 36,
    });
  });

  it('caps derived datapoints at an explicit, shorter evaluation window', () => {
    const list = definitions({ alarms: { streamLowUtilization: { evaluationPeriods: 30 } } });
    expect(find(list, 'clicks', 'streamLowUtilization')).toMatchObject({
      evaluationPeriods: 30,
      datapointsToAlarm: 30,
    });
  });

  it('watches cpuUtilization when a target asks for it', () => {
    const config = parseConfig({ targets: [{ ...FRAUD, alarms: { appCpu: { metric: 'cpu' } } }] });
    expect(metricOf(find(alarmDefinitionsFor(config), 'fraud', 'appCpu')).metricName).toBe('cpuUtilization');
  });

  it("narrows the lag query with a target's extra dimensions", () => {
    const config = parseConfig({
      targets: [{ ...FRAUD, alarms: { appLag: { dimensions: { Id: 'source-1', Flow: 'Input' } } } }],
    });
    expect(find(alarmDefinitionsFor(config), 'fraud', 'appLag').value).toMatchObject({
      query: `SELECT MAX(millisBehindLatest) FROM "AWS/KinesisAnalytics" WHERE Application = 'fraud-app' AND Id = 'source-1' AND Flow = 'Input'`,
    });
  });

  it("merges a target's extra dimensions over the default one of a metric alarm", () => {
    const config = parseConfig({
      targets: [{ ...FRAUD, alarms: { appCpu: { dimensions: { Host: 'tm-1' } } } }],
    });
    expect(metricOf(find(alarmDefinitionsFor(config), 'fraud', 'appCpu')).dimensions).toEqual({
      Application: 'fraud-app',
      Host: 'tm-1',
    });
  });

  it('refuses an Insights alarm that would evaluate more than the three hours CloudWatch evaluates it on', () => {
    expect(() =>
      parseConfig({
        targets: [
          { ...FRAUD, alarms: { appLag: { periodSeconds: 3600, evaluationPeriods: 4, datapointsToAlarm: 2 } } },
        ],
      }),
    ).toThrow(/targets\[0\]\.alarms\.appLag\.evaluationPeriods.*3 hours/);
  });

  it('measures stream utilisation against shardCount, defaulting to minShards', () => {
    const config = parseConfig({
      targets: [
        CLICKS,
        {
          ...CLICKS,
          name: 'sized',
          stream: { ...CLICKS.stream, name: 'sized-stream' },
          alarms: { streamLowUtilization: { shardCount: 10 } },
        },
      ],
    });
    const list = alarmDefinitionsFor(config);
    const halfOfOneShardPerMinute = { bytes: 0.5 * 60 * 1024 * 1024, records: 0 };
    // Half of one shard's bytes: 12.5% of 4 shards, 5% of 10 shards.
    expect(evaluateAlarmValue(find(list, 'clicks', 'streamLowUtilization').value, halfOfOneShardPerMinute)).toBeCloseTo(
      12.5,
    );
    expect(evaluateAlarmValue(find(list, 'sized', 'streamLowUtilization').value, halfOfOneShardPerMinute)).toBeCloseTo(
      5,
    );
  });

  it('counts whichever write limit binds: small records fill a shard by count first', () => {
    const definition = find(definitions(), 'clicks', 'streamLowUtilization');
    // 4 shards; 2,000 records/s of 100 bytes: 50% of the record limit, under 5% of the byte limit.
    const perMinute = { bytes: 2000 * 100 * 60, records: 2000 * 60 };
    expect(evaluateAlarmValue(definition.value, perMinute)).toBeCloseTo(50);
  });
});

describe('alarm names', () => {
  it('names every alarm <prefix>-<target>-<kind>', () => {
    expect(definitions().map((d) => d.alarmName)).toContain('StreamMedic-orders-app-lag');
    expect(definitions({ alarms: { namePrefix: 'StreamMedic-staging' } })[0]!.alarmName).toBe(
      'StreamMedic-staging-orders-app-lag',
    );
  });

  it('uses slugs no one of which ends with "-" and another, so names parse back', () => {
    const slugs = Object.values(ALARM_KIND_SLUGS);
    for (const slug of slugs) {
      expect(slugs.filter((other) => other !== slug && slug.endsWith(`-${other}`))).toEqual([]);
    }
  });

  it.each(
    ALARM_KINDS.flatMap((kind) =>
      ['orders', 'orders-app', 'my.stream_2-app-lag', 'stream-lag-x'].map((target) => [target, kind] as const),
    ),
  )('parses target %s and kind %s back out of the name', (target, kind) => {
    expect(parseAlarmName(alarmName(target, kind))).toEqual({ target, kind });
  });

  it.each([
    ['an alarm of someone else', 'orders-app-lag', undefined],
    ['a name with no target', 'StreamMedic-app-lag', undefined],
    ['an unknown kind', 'StreamMedic-orders-disk-full', undefined],
    ['another deployment with a longer prefix', 'StreamMedicStaging-orders-app-lag', undefined],
    ['a StreamMedic alarm', 'StreamMedic-orders-app-cpu', 'orders'],
  ])('finds the target of %s (%s): %s', (_label, name, expected) => {
    expect(targetFromAlarmName(name)).toBe(expected);
  });

  it('parses with a configured prefix', () => {
    expect(parseAlarmName('Medic-eu-orders-read-throttling', 'Medic-eu')).toEqual({
      target: 'orders',
      kind: 'readThrottling',
    });
  });
});

describe('config validation of alarm settings', () => {
  function issue(input: unknown): string {
    try {
      parseConfig(input);
    } catch (error) {
      if (error instanceof InvalidInputError) return error.message;
      throw error;
    }
    throw new Error('config was accepted');
  }

  it.each<[string, unknown, string]>([
    [
      'datapoints above the evaluation periods',
      { alarms: { appLag: { datapointsToAlarm: 6 } }, targets: [FRAUD] },
      'alarms.appLag.datapointsToAlarm: must be <= evaluationPeriods (5)',
    ],
    [
      "a target's datapoints above its evaluation periods",
      { targets: [{ ...FRAUD, alarms: { appCpu: { evaluationPeriods: 3, datapointsToAlarm: 4 } } }] },
      'targets[0].alarms.appCpu.datapointsToAlarm: must be <= evaluationPeriods (3)',
    ],
    [
      'a scale-in window longer than a day',
      { policy: { scaleInWindowMinutes: 2000 }, targets: [CLICKS] },
      'policy.scaleInWindowMinutes: gives the streamLowUtilization alarm of targets[0] a window of 120000 s',
    ],
    [
      "a target's scale-in window longer than a day",
      { targets: [{ ...FRAUD, policy: { scaleInWindowMinutes: 1500 } }] },
      'targets[0].policy.scaleInWindowMinutes: gives the appLowCpu alarm',
    ],
    [
      'an explicit window longer than a day',
      { alarms: { appLag: { periodSeconds: 3600, evaluationPeriods: 25 } }, targets: [FRAUD] },
      'alarms.appLag.evaluationPeriods: gives the appLag alarm of targets[0] a window of 90000 s',
    ],
    [
      'a period that is not whole minutes',
      { alarms: { appLag: { periodSeconds: 90 } }, targets: [FRAUD] },
      'alarms.appLag.periodSeconds: must be a whole number of minutes',
    ],
    [
      'a CPU threshold above 100%',
      { alarms: { appCpu: { threshold: 120 } }, targets: [FRAUD] },
      'alarms.appCpu.threshold',
    ],
    [
      'a negative throttling threshold',
      { alarms: { readThrottling: { threshold: -1 } }, targets: [CLICKS] },
      'alarms.readThrottling.threshold',
    ],
    [
      'an unknown missing-data treatment',
      { alarms: { appLag: { treatMissingData: 'zero' } }, targets: [FRAUD] },
      'alarms.appLag.treatMissingData',
    ],
    [
      'a shard count in the global settings',
      { alarms: { streamLowUtilization: { shardCount: 4 } }, targets: [CLICKS] },
      'alarms.streamLowUtilization',
    ],
    [
      'dimensions in the global settings',
      { alarms: { appLag: { dimensions: { Id: 'x' } } }, targets: [FRAUD] },
      'alarms.appLag',
    ],
    ['a name prefix with a space', { alarms: { namePrefix: 'Stream Medic' }, targets: [FRAUD] }, 'alarms.namePrefix'],
    [
      'a saturated-CPU threshold under the busy one',
      { policy: { cpuHighPercent: 95 }, targets: [FRAUD] },
      'policy.cpuSaturatedPercent: gives the appCpuSaturated alarm of targets[0] a threshold of 90%, under policy.cpuHighPercent (95%)',
    ],
    [
      "a target's saturated-CPU threshold under the busy one",
      { targets: [{ ...FRAUD, policy: { cpuSaturatedPercent: 70 } }] },
      'targets[0].policy.cpuSaturatedPercent: gives the appCpuSaturated alarm of targets[0] a threshold of 70%',
    ],
    [
      'an explicit saturated-CPU alarm threshold under the busy one',
      { alarms: { appCpuSaturated: { threshold: 60 } }, targets: [FRAUD] },
      'alarms.appCpuSaturated.threshold: gives the appCpuSaturated alarm of targets[0] a threshold of 60%',
    ],
  ])('refuses %s', (_label, input, message) => {
    expect(issue(input)).toContain(message);
  });

  it('accepts a saturated-CPU threshold at the busy one, and ignores a disabled saturated alarm', () => {
    expect(() => parseConfig({ policy: { cpuHighPercent: 90 }, targets: [FRAUD] })).not.toThrow();
    expect(() =>
      parseConfig({
        policy: { cpuHighPercent: 95 },
        alarms: { appCpuSaturated: { enabled: false } },
        targets: [FRAUD],
      }),
    ).not.toThrow();
  });

  it('does not check a disabled alarm', () => {
    expect(() =>
      parseConfig({ alarms: { appLag: { enabled: false, datapointsToAlarm: 9 } }, targets: [FRAUD] }),
    ).not.toThrow();
  });
});

describe('evaluateMetricMath', () => {
  it.each<[string, Record<string, number | undefined>, number | undefined]>([
    ['1 + 2 * 3', {}, 7],
    ['(1 + 2) * 3', {}, 9],
    ['10 - 4 - 3', {}, 3],
    ['100 * a / (60 * 4)', { a: 120 }, 50],
    ['-a + 1', { a: 3 }, -2],
    ['MAX([a, b])', { a: 2, b: 5 }, 5],
    ['MAX([a, b])', { a: 2, b: undefined }, 2],
    ['MAX([a, b])', { a: undefined, b: undefined }, undefined],
    ['MAX([a * 2, b + 1])', { a: 4, b: 1 }, 8],
    ['a + b', { a: 1, b: undefined }, undefined],
    ['a / b', { a: 1, b: 0 }, undefined],
    ['0.5 * a', { a: 3 }, 1.5],
  ])('%s with %j is %s', (expression, values, expected) => {
    expect(evaluateMetricMath(expression, values)).toBe(expected);
  });

  it.each([
    ['an unknown id', 'a + c'],
    ['an unclosed parenthesis', '(a + 1'],
    ['a trailing operator', 'a +'],
    ['a function outside the subset', 'FILL(a, 0)'],
  ])('refuses %s: %s', (_label, expression) => {
    expect(() => evaluateMetricMath(expression, { a: 1 })).toThrow(MetricMathError);
  });

  it('evaluates every generated expression with only the ids it declares', () => {
    for (const definition of definitions()) {
      if (definition.value.type !== 'expression') continue;
      const datapoints = Object.fromEntries(definition.value.inputs.map((input) => [input.id, 1]));
      expect(typeof evaluateAlarmValue(definition.value, datapoints)).toBe('number');
    }
  });
});

describe('breaches', () => {
  it.each<[ComparisonOperator, number, boolean]>([
    ['GreaterThanThreshold', 10, false],
    ['GreaterThanThreshold', 11, true],
    ['GreaterThanOrEqualToThreshold', 10, true],
    ['GreaterThanOrEqualToThreshold', 9, false],
    ['LessThanThreshold', 10, false],
    ['LessThanThreshold', 9, true],
  ])('%s against 10: %d breaches is %s', (comparison, value, expected) => {
    expect(breaches(comparison, value, 10)).toBe(expected);
  });
});
