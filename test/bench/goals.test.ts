import type { RunFigures, RunResult } from '../../bench/figures';
import {
  checkCallCounts,
  checkNotDominated,
  checkOracleDistance,
  checkSafety,
  dominates,
  fewestShardCalls,
  recordsNotDelivered,
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

describe('no policy as good on lag, records not delivered and cost, and better on one', () => {
  const someRefused = { throttledRecords: 2000, producerRecordsDropped: 1000 };

  it.each([
    ['a peer with less lag at a higher cost', { lagMinutes: 8, costUsd: 1.2 }, 'met'],
    ['a peer with more lag at a lower cost', { lagMinutes: 12, costUsd: 0.8 }, 'met'],
    ['a peer with less lag at the same cost', { lagMinutes: 9.9, costUsd: 1 }, 'missed'],
    ['a peer with less lag at a lower cost', { lagMinutes: 5, costUsd: 0.5 }, 'missed'],
    ['a peer equal on everything', { lagMinutes: 10, costUsd: 1 }, 'met'],
    [
      'a peer equal on lag and cost that turns fewer producers away',
      { lagMinutes: 10, costUsd: 1, producerRecordsDropped: 0 },
      'missed',
    ],
    [
      'a peer with no lag at a lower cost that turns producers away for hours',
      { lagMinutes: 0, costUsd: 0.5, throttledRecords: 40_000_000, producerRecordsDropped: 20_000_000 },
      'met',
    ],
    ['a peer with less lag at a lower cost that loses records', { lagMinutes: 5, costUsd: 0.5, recordsLost: 1 }, 'met'],
  ] as const)('%s', (_case, peer, verdict) => {
    const checks = checkNotDominated(
      scenarioRuns(
        run('stream-medic', { lagMinutes: 10, costUsd: 1, ...someRefused }),
        run('none', { ...someRefused, ...peer }),
        // The oracle is the limit, not a peer.
        run('oracle', { lagMinutes: 1, costUsd: 0.5 }),
      ),
    ).checks;
    expect(checks.map((c) => c.verdict)).toEqual([verdict]);
  });

  it('prints the records each policy had refused and given up beside its lag and cost', () => {
    const [check] = checkNotDominated(
      scenarioRuns(
        run('stream-medic', {
          lagMinutes: 8.9,
          costUsd: 4.21,
          throttledRecords: 60_000,
          producerRecordsDropped: 30_000,
        }),
        run('alarm-doubling', { lagMinutes: 4.5, costUsd: 3.44 }),
      ),
    ).checks;
    expect(check!.detail).toBe(
      'StreamMedic 8.9 lag-min, 60k refused, 30k given up, $4.21; as good on all and better on one: ' +
        'alarm-doubling 4.5 lag-min, 0 refused, 0 given up, $3.44',
    );
  });

  it('counts records lost from the stream with those producers gave up on', () => {
    expect(recordsNotDelivered({ producerRecordsDropped: 300, recordsLost: 12 })).toBe(312);
    const lossy = run('alarm-doubling', { lagMinutes: 1, recordsLost: 200 })[1].figures;
    const refusing = run('stream-medic', { lagMinutes: 2, producerRecordsDropped: 100 })[1].figures;
    expect(dominates(lossy, refusing)).toBe(false);
    expect(dominates(refusing, lossy)).toBe(false);
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
