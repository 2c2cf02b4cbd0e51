import type { RunFigures, RunResult } from '../../bench/figures';
import {
  checkCallCounts,
  checkNotDominated,
  checkOracleDistance,
  checkSafety,
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

describe('the distance to the oracle', () => {
  it.each([
    ['within 1.25x the lag and 1.10x the cost', 12.5, 1.1, 'met'],
    ['more than 1.25x the lag', 12.6, 1, 'missed'],
    ['more than 1.10x the cost', 10, 1.11, 'missed'],
  ] as const)('%s', (_case, lagMinutes, costUsd, verdict) => {
    const checks = checkOracleDistance(
      scenarioRuns(run('stream-medic', { lagMinutes, costUsd }), run('oracle', { lagMinutes: 10, costUsd: 1 })),
    ).checks;
    expect(checks.map((c) => c.verdict)).toEqual([verdict]);
  });

  it('judges only scenarios whose cause capacity can fix', () => {
    const slowSink = benchScenario({ expect: { causes: ['SINK_BACKPRESSURE'], recovers: false } });
    const report = checkOracleDistance([
      {
        scenario: slowSink,
        runs: new Map([run('stream-medic', { lagMinutes: 900 }), run('oracle', { lagMinutes: 1 })]),
      },
    ]);
    expect(report.checks).toEqual([]);
  });
});

describe('no policy with less lag for no more cost', () => {
  it.each([
    ['a peer with less lag at a higher cost', 8, 1.2, 'met'],
    ['a peer with more lag at a lower cost', 12, 0.8, 'met'],
    ['a peer with less lag at the same cost', 9.9, 1, 'missed'],
    ['a peer with less lag at a lower cost', 5, 0.5, 'missed'],
  ] as const)('%s: %s', (_case, lagMinutes, costUsd, verdict) => {
    const checks = checkNotDominated(
      scenarioRuns(
        run('stream-medic', { lagMinutes: 10, costUsd: 1 }),
        run('alarm-doubling', { lagMinutes, costUsd }),
        // The oracle is the limit, not a peer.
        run('oracle', { lagMinutes: 1, costUsd: 0.5 }),
      ),
    ).checks;
    expect(checks.map((c) => c.verdict)).toEqual([verdict]);
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
