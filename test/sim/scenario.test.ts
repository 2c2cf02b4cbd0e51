import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../../lambdas/domain/validation';
import {
  builtInScenarioNames,
  loadScenarioFile,
  parseScenario,
  resolveScenario,
  type ScenarioInput,
  statedExpectation,
} from '../../sim/scenario';
import { scenarioInput } from './support/scenario-builder';

function failure(input: unknown): InvalidInputError {
  try {
    parseScenario(input);
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('the scenario was accepted');
}

describe('built-in scenarios', () => {
  const names = builtInScenarioNames();

  it('cover every cause, the faults, and the incidents the simulator promises', () => {
    const scenarios = names.map((name) => resolveScenario(name));
    const causes = new Set(scenarios.flatMap((s) => s.expect!.causes));
    expect([...causes].sort()).toEqual(
      [
        'APP_UNHEALTHY',
        'CONSUMER_COMPUTE',
        'HEALTHY',
        'HOT_SHARD',
        'INSUFFICIENT_DATA',
        'MEMORY_PRESSURE',
        'OVER_PROVISIONED',
        'SINK_BACKPRESSURE',
        'STREAM_READ_CAPACITY',
        'STREAM_WRITE_CAPACITY',
        'VERBOSE_MONITORING',
      ].sort(),
    );
    const faults = new Set(scenarios.flatMap((s) => s.faults.map((f) => f.type)));
    for (const fault of [
      'apiThrottling',
      'resourceInUse',
      'concurrentModification',
      'deleteStream',
      'snsFailure',
      'setAlarmState',
    ]) {
      expect(faults).toContain(fault);
    }
    for (const name of [
      'traffic-spike-3x',
      'traffic-spike-10x',
      'slow-ramp',
      'hot-partition-key',
      'read-fan-out',
      'cpu-bound-consumer',
      'slow-sink',
      'memory-leak',
      'crash-loop',
      'debug-logging',
      'idle-night',
      'flapping-traffic',
      'lag-near-retention',
    ]) {
      expect(names).toContain(name);
    }
    expect(scenarios.some((s) => s.expect!.secondary.includes('RETENTION_RISK'))).toBe(true);
  });

  it('cover the shapes a real account has: APPLICATION level, Flink 2.2, enhanced fan-out readers', () => {
    const apps = names
      .map((name) => resolveScenario(name))
      .flatMap((s) => (s.pipeline.application ? [{ s, app: s.pipeline.application }] : []));
    expect(
      apps.some(
        ({ s, app }) => app.metricsLevel === 'APPLICATION' && statedExpectation(s).causes.includes('CONSUMER_COMPUTE'),
      ),
    ).toBe(true);
    expect(
      apps.some(({ s, app }) => app.runtimeEnvironment === 'FLINK-2_2' && s.faults.some((f) => f.type === 'crashLoop')),
    ).toBe(true);
    expect(apps.some(({ app }) => app.efo)).toBe(true);
    // AWS's default level is APPLICATION: a scenario that sets a finer one says why in its rationale.
    for (const { s, app } of apps) {
      if (app.metricsLevel === 'TASK') expect(statedExpectation(s).rationale).toMatch(/TASK/);
    }
  });

  it.each(names)('%s is valid and named after its file', (name) => {
    const scenario = resolveScenario(name);
    expect(scenario.name).toBe(name);
    expect(statedExpectation(scenario).rationale.length).toBeGreaterThan(40);
  });
});

describe('the scenario validator', () => {
  const base = (): ScenarioInput => scenarioInput();
  const cases: {
    name: string;
    edit: (s: ScenarioInput & Record<string, unknown>) => void;
    path: string;
    detail?: RegExp;
  }[] = [
    {
      name: 'zero shards',
      edit: (s) => void ((s.pipeline.stream as Record<string, unknown>).shards = 0),
      path: 'pipeline.stream.shards',
    },
    {
      name: 'a misspelt field',
      edit: (s) => void ((s.pipeline.stream as Record<string, unknown>).shard = 4),
      path: 'pipeline.stream.shard',
      detail: /not a known field/,
    },
    {
      name: 'retention under a day',
      edit: (s) => void ((s.pipeline.stream as Record<string, unknown>).retentionHours = 12),
      path: 'pipeline.stream.retentionHours',
    },
    {
      name: 'parallelism past 256',
      edit: (s) => void ((s.pipeline.application as Record<string, unknown>).parallelism = 300),
      path: 'pipeline.application.parallelism',
    },
    {
      name: 'an unknown log level',
      edit: (s) => void ((s.pipeline.application as Record<string, unknown>).logLevel = 'TRACE'),
      path: 'pipeline.application.logLevel',
    },
    {
      name: 'a sink serving no writers',
      edit: (s) => void (s.pipeline.sink = { recordsPerSecond: 5000, maxWriters: 0 }),
      path: 'pipeline.sink.maxWriters',
    },
    {
      name: 'a missing traffic rate',
      edit: (s) => void delete (s.traffic as Record<string, unknown>).recordsPerSecond,
      path: 'traffic.recordsPerSecond',
    },
    {
      name: 'a ramp that ends before it starts',
      edit: (s) => void (s.traffic.events = [{ type: 'ramp', fromMinute: 30, toMinute: 10, factor: 2 }]),
      path: 'traffic.events[0].toMinute',
    },
    {
      name: 'an unknown fault type',
      edit: (s) => void (s.faults = [{ type: 'meteor', atMinute: 5 } as never]),
      path: 'faults[0].type',
    },
    {
      name: 'a fault after the end',
      edit: (s) => void (s.faults = [{ type: 'deleteStream', atMinute: 600 }]),
      path: 'faults[0].atMinute',
      detail: /past the end/,
    },
    {
      name: 'an alarm the target does not have',
      edit: (s) => {
        s.streamMedic.target.application = undefined;
        s.pipeline.application = undefined;
        s.faults = [{ type: 'setAlarmState', atMinute: 5, alarms: ['appLag'] }];
      },
      path: 'faults[0].alarms[0]',
      detail: /no appLag alarm/,
    },
    {
      name: 'a target stream other than the pipeline stream',
      edit: (s) => void (s.streamMedic.target.stream!.name = 'payments-stream'),
      path: 'streamMedic.target.stream.name',
    },
    {
      name: 'an unknown mode',
      edit: (s) => void ((s.streamMedic.target as Record<string, unknown>).mode = 'yolo'),
      path: 'streamMedic.target.mode',
    },
    {
      name: 'a daily budget at the API limit',
      edit: (s) => void (s.streamMedic.policy = { dailyActionBudget: 10 }),
      path: 'streamMedic.policy.dailyActionBudget',
    },
    {
      name: 'more datapoints to alarm than evaluation periods',
      edit: (s) => void (s.streamMedic.alarms = { appLag: { evaluationPeriods: 3, datapointsToAlarm: 4 } }),
      path: 'streamMedic.alarms.appLag.datapointsToAlarm',
    },
    { name: 'an unknown cause', edit: (s) => void (s.expect!.causes = ['ON_FIRE' as never]), path: 'expect.causes[0]' },
    {
      name: 'an action both expected and forbidden',
      edit: (s) => {
        s.expect!.actions = ['UpdateShardCount'];
        s.expect!.forbiddenActions = ['UpdateShardCount'];
      },
      path: 'expect.forbiddenActions[0]',
    },
    {
      name: 'a cause both expected and forbidden',
      edit: (s) => {
        s.expect!.causes = ['HOT_SHARD'];
        s.expect!.forbiddenCauses = ['HOT_SHARD'];
      },
      path: 'expect.forbiddenCauses[0]',
    },
    {
      name: 'a missing rationale',
      edit: (s) => void delete (s.expect as Record<string, unknown>).rationale,
      path: 'expect.rationale',
    },
    {
      name: 'a start off the minute',
      edit: (s) => void (s.startTime = '2026-03-02T09:00:30Z'),
      path: 'startTime',
      detail: /whole minute/,
    },
    {
      name: 'a backlog older than retention',
      edit: (s) => void ((s.pipeline.application as Record<string, unknown>).initialLagMinutes = 1440),
      path: 'pipeline.application.initialLagMinutes',
    },
    {
      name: 'fewer key groups than subtasks',
      edit: (s) => void ((s.pipeline.application as Record<string, unknown>).keyGroups = 2),
      path: 'pipeline.application.keyGroups',
      detail: /must be >= parallelism/,
    },
    {
      name: 'keyed work chained to the source',
      edit: (s) =>
        void Object.assign(s.pipeline.application as Record<string, unknown>, { keyGroups: 128, chainedSource: true }),
      path: 'pipeline.application.keyGroups',
      detail: /not keyed/,
    },
  ];

  it.each(cases)('names the field for $name: $path', ({ edit, path, detail }) => {
    const input = base() as ScenarioInput & Record<string, unknown>;
    edit(input);
    const error = failure(input);
    expect(error.path).toBe(path);
    if (detail) expect(error.detail).toMatch(detail);
  });

  it('accepts the base scenario, filling defaults', () => {
    const scenario = parseScenario(base());
    expect(scenario.pipeline.application).toMatchObject({
      parallelismPerKpu: 1,
      snapshotsEnabled: true,
      logLevel: 'INFO',
    });
    expect(scenario.faults).toEqual([]);
  });

  it('refuses a file that is not JSON, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "name": ');
    expect(() => loadScenarioFile(file)).toThrow(/^broken\.json: is not valid JSON/);
  });

  it('refuses a file nested thousands of levels deep before reading it as a scenario', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
    const file = join(dir, 'deep.json');
    writeFileSync(file, `{"name": "deep", "faults": ${'['.repeat(4000)}${']'.repeat(4000)}}`);
    expect(() => loadScenarioFile(file)).toThrow(/^deep\.json: faults(\[0\]){63}: nested deeper than 64 levels$/);
  });

  it('refuses a scenario name that is neither built in nor a file', () => {
    expect(() => resolveScenario('no-such-scenario')).toThrow(/^scenario: "no-such-scenario" is neither/);
  });
});
