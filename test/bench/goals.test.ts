import type { RunFigures, RunResult } from '../../bench/figures';
import {
  checkCallCounts,
  checkCost,
  checkSafety,
  checkTimeToRecover,
  fewestShardCalls,
  type ScenarioRuns,
} from '../../bench/goals';
import type { PolicyName } from '../../bench/policies/policy';
import type { ApiCall } from '../../sim/adapters';
import { MINUTE, START, benchScenario } from './support/bench-scenario';

function run(policy: PolicyName, figures: Partial<RunFigures>, calls: ApiCall[] = []): [PolicyName, RunResult] {
  return [
    policy,
    {
      figures: {
        scenario: 'bench-test',
        policy,
        ttrMinutes: null,
        peakLagSeconds: 0,
        lagMinutes: 0,
        throttledRecords: 0,
        recordsLost: 0,
        producerRecordsDropped: 0,
        apiCalls: calls.length,
        restarts: 0,
        downtimeSeconds: 0,
        costUsd: 1,
        wrongActions: 0,
        oscillations: 0,
        ...figures,
      },
      wrong: [],
      calls,
      samples: [],
      incidentStartMs: START,
    },
  ];
}

const computeShortage = benchScenario({
  expect: { causes: ['CONSUMER_COMPUTE'], actions: ['UpdateApplicationParallelism'] },
});

function scenarioRuns(...runs: [PolicyName, RunResult][]): ScenarioRuns[] {
  return [{ scenario: computeShortage, runs: new Map(runs) }];
}

describe('the time-to-recover goal', () => {
  it.each([
    ['half the best other and within 1.5x the oracle', 5, 10, 4, 'met'],
    ['more than half the best other', 6, 10, 4, 'missed'],
    ['more than 1.5x the oracle', 5, 10, 3, 'missed'],
    ['never recovering', null, 10, 4, 'missed'],
  ] as const)('%s', (_case, subject, other, oracle, verdict) => {
    const checks = checkTimeToRecover(
      scenarioRuns(
        run('stream-medic', { ttrMinutes: subject }),
        run('alarm-doubling', { ttrMinutes: other }),
        run('msf-builtin', { ttrMinutes: null }),
        run('oracle', { ttrMinutes: oracle }),
      ),
    ).checks;
    expect(checks.map((c) => c.verdict)).toEqual([verdict]);
  });

  it('judges only scenarios whose cause capacity can fix', () => {
    const slowSink = benchScenario({ expect: { causes: ['SINK_BACKPRESSURE'], recovers: false } });
    const report = checkTimeToRecover([
      { scenario: slowSink, runs: new Map([run('stream-medic', { ttrMinutes: null })]) },
    ]);
    expect(report.checks).toEqual([]);
  });
});

describe('the safety goal', () => {
  it.each([
    [0, 0, 'met'],
    [1, 0, 'missed'],
    [0, 12, 'missed'],
  ] as const)('%d wrong actions and %d records lost: %s', (wrongActions, recordsLost, verdict) => {
    const checks = checkSafety(scenarioRuns(run('stream-medic', { wrongActions, recordsLost }))).checks;
    expect(checks.map((c) => c.verdict)).toEqual([verdict]);
  });
});

describe('the call-count goal', () => {
  it.each([
    [4, 10, 2],
    [8, 48, 3],
    [8, 16, 1],
    [48, 24, 1],
    [8, 2, 2],
    [5, 5, 0],
  ])('%d -> %d shards takes at least %d calls', (from, to, calls) => {
    expect(fewestShardCalls(from, to)).toBe(calls);
  });

  const shardCall = (minute: number, from: number, to: number): ApiCall => ({
    at: START + minute * MINUTE,
    api: 'UpdateShardCount',
    resource: 'stream/orders-stream',
    outcome: 'ok',
    change: { kind: 'shards', from, to },
  });
  const appCall = (minute: number, from: number, to: number): ApiCall => ({
    at: START + minute * MINUTE,
    api: 'UpdateApplication',
    resource: 'application/orders-enricher',
    outcome: 'ok',
    change: {
      kind: 'parallelism',
      from: { parallelism: from, parallelismPerKpu: 1 },
      to: { parallelism: to, parallelismPerKpu: 1 },
    },
  });

  it.each([
    ['4 -> 8 -> 10 in two calls', [shardCall(0, 4, 8), shardCall(3, 8, 10)], 'met'],
    [
      '4 -> 6 -> 9 -> 10 in three calls where two do',
      [shardCall(0, 4, 6), shardCall(3, 6, 9), shardCall(6, 9, 10)],
      'missed',
    ],
    ['one Flink update', [appCall(0, 4, 8)], 'met'],
    ['two Flink updates in one incident', [appCall(0, 4, 8), appCall(20, 8, 12)], 'missed'],
    ['two Flink updates hours apart', [appCall(0, 4, 8), appCall(200, 8, 4)], 'met'],
  ])('%s', (_case, calls, verdict) => {
    const checks = checkCallCounts(scenarioRuns(run('stream-medic', {}, calls))).checks;
    expect(checks.map((c) => c.verdict)).toEqual([verdict]);
  });
});

describe('the cost goal', () => {
  it.each([
    ['within 10% of the cheapest that recovers', 1.1, 'met'],
    ['more than 10% over it', 1.11, 'missed'],
  ] as const)('%s', (_case, cost, verdict) => {
    const checks = checkCost(
      scenarioRuns(
        run('stream-medic', { ttrMinutes: 5, costUsd: cost }),
        run('alarm-doubling', { ttrMinutes: 9, costUsd: 1 }),
        // Cheaper, but never recovers: not a comparison.
        run('none', { ttrMinutes: null, costUsd: 0.5 }),
      ),
    ).checks;
    expect(checks.map((c) => c.verdict)).toEqual([verdict]);
  });

  it('is not judged when StreamMedic does not recover', () => {
    const checks = checkCost(scenarioRuns(run('stream-medic', { ttrMinutes: null, costUsd: 9 }))).checks;
    expect(checks.map((c) => c.verdict)).toEqual(['n/a']);
  });
});
