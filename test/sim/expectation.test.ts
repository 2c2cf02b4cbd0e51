import { checkExpectation, type RunEnds, type RunObservation } from '../../sim/expectation';
import { parseScenario, type ScenarioExpectation } from '../../sim/scenario';
import type { WorldOutcome } from '../../sim/world';
import { scenarioInput } from './support/scenario-builder';

function expectation(expect: Partial<ScenarioExpectation>): ScenarioExpectation {
  return parseScenario(scenarioInput({ expect: { rationale: 'test', recovers: true, ...expect } })).expect!;
}

const outcome: WorldOutcome = {
  startedAt: 0,
  endedAt: 0,
  recordsLost: 0,
  recordsExpired: 0,
  recordsSkipped: 0,
  recordsDeleted: 0,
  producerRecordsDropped: 0,
  peakLagMs: 120_000,
  lagMinutes: 30,
  throttledRecords: 0,
  appRestarts: 1,
  appDowntimeSeconds: 120,
  firstTriggerAt: 0,
  recovered: true,
  recoveredAt: 1_200_000,
  minutesToRecover: 20,
  alarmsFired: ['appLag'],
  notificationsSent: 1,
  actions: [
    {
      at: 0,
      api: 'UpdateApplication',
      resource: 'application/orders-enricher',
      outcome: 'ok',
      actionType: 'UpdateApplicationParallelism',
    },
  ],
  shardHours: 4,
  kpuHours: 5,
  final: { shards: 4, streamStatus: 'ACTIVE', retentionHours: 24 },
};

const runs: RunObservation[] = [
  { cause: 'SINK_BACKPRESSURE' },
  { cause: 'CONSUMER_COMPUTE', secondary: ['RETENTION_RISK'], refused: ['cooldown'] },
  { failure: 'LockLost' },
];

describe('checkExpectation', () => {
  it('is met when every stated expectation holds', () => {
    const result = checkExpectation(
      expectation({
        causes: ['CONSUMER_COMPUTE'],
        secondary: ['RETENTION_RISK'],
        actions: ['UpdateApplicationParallelism'],
        forbiddenActions: ['UpdateShardCount'],
        forbiddenCauses: ['HOT_SHARD'],
        refused: ['cooldown'],
        alarms: ['appLag'],
        maxMinutesToRecover: 30,
        maxRecordsLost: 0,
        notified: true,
        maxActions: 1,
      }),
      runs,
      outcome,
    );
    expect(result).toEqual({ met: true, misses: [] });
  });

  it.each([
    {
      expect: { causes: ['HOT_SHARD' as const] },
      miss: 'expect.causes: HOT_SHARD was never named (named: SINK_BACKPRESSURE, CONSUMER_COMPUTE, RETENTION_RISK)',
    },
    {
      expect: { forbiddenCauses: ['SINK_BACKPRESSURE' as const] },
      miss: 'expect.forbiddenCauses: SINK_BACKPRESSURE was named by 1 run(s)',
    },
    {
      expect: { actions: ['UpdateShardCount' as const] },
      miss: 'expect.actions: no UpdateShardCount was taken (taken: UpdateApplicationParallelism)',
    },
    {
      expect: { forbiddenActions: ['UpdateApplicationParallelism' as const] },
      miss: 'expect.forbiddenActions: UpdateApplicationParallelism was taken',
    },
    {
      expect: { refused: ['on-demand' as const] },
      miss: 'expect.refused: no action was refused by on-demand (refused by: cooldown)',
    },
    {
      expect: { alarms: ['writeThrottling' as const] },
      miss: 'expect.alarms: writeThrottling never went to ALARM (fired: appLag)',
    },
    { expect: { recovers: false }, miss: 'expect.recovers: the pipeline recovered' },
    { expect: { maxMinutesToRecover: 10 }, miss: 'expect.maxMinutesToRecover: took 20 min (at most 10)' },
    { expect: { notified: false }, miss: 'expect.notified: 1 message(s) reached on-call' },
    { expect: { maxActions: 0 }, miss: 'expect.maxActions: 1 changing calls (at most 0)' },
    {
      expect: { failure: 'ResourceNotFoundError' as const },
      miss: 'expect.failure: no run ended with ResourceNotFoundError (failures: LockLost)',
    },
  ])('names the missed field: $miss', ({ expect: stated, miss }) => {
    const result = checkExpectation(expectation(stated), runs, outcome);
    expect(result).toEqual({ met: false, misses: [miss] });
  });

  it('counts lost records against maxRecordsLost', () => {
    const result = checkExpectation(expectation({ maxRecordsLost: 0 }), runs, { ...outcome, recordsLost: 12.6 });
    expect(result.misses).toEqual(['expect.maxRecordsLost: 13 records lost (at most 0)']);
  });
});

describe('checkExpectation: how every run ended', () => {
  const ends: RunEnds = {
    runs: [
      { name: 'run-1', status: 'SUCCEEDED', lockAcquired: true, notified: true },
      { name: 'run-2', status: 'SUCCEEDED', lockAcquired: false, notified: false },
    ],
    messages: ['Resolved | StreamMedic orders\nStream orders-stream hit its quota of 10 UpdateShardCount calls'],
    changeAttempts: 3,
  };
  const check = (stated: Partial<ScenarioExpectation>, actual: RunEnds = ends) =>
    checkExpectation(expectation(stated), [{ failure: 'ThrottlingError' }], outcome, actual).misses;

  it('is met when every run ended on its own path, told on-call and freed the lock', () => {
    expect(check({ everyRunEnds: true, maxChangeAttempts: 3, told: ['quota of 10 UpdateShardCount'] })).toEqual([]);
  });

  it.each<[string, Partial<ScenarioExpectation>, RunEnds, string]>([
    [
      'a run that timed out',
      { everyRunEnds: true },
      { ...ends, runs: [{ name: 'run-1', status: 'TIMED_OUT', lockAcquired: true, notified: false }] },
      'expect.everyRunEnds: run-1 ended TIMED_OUT, not on its own path',
    ],
    [
      'a run that held the lock and sent nothing',
      { everyRunEnds: true },
      { ...ends, runs: [{ name: 'run-1', status: 'FAILED', lockAcquired: true, notified: false }] },
      'expect.everyRunEnds: run-1 held the lock and told on-call nothing',
    ],
    [
      'a lock still held at the end',
      { everyRunEnds: true },
      { ...ends, lockHolder: 'run-1' },
      'expect.everyRunEnds: the lock is still held by run-1 after every run ended',
    ],
    [
      'a retry storm',
      { maxChangeAttempts: 2 },
      ends,
      'expect.maxChangeAttempts: 3 changing calls attempted (at most 2)',
    ],
    [
      'a reason on-call was not told',
      { told: ['stream orders-stream does not exist'] },
      ends,
      'expect.told: no message said "stream orders-stream does not exist" (1 message(s) sent)',
    ],
  ])('names %s', (_case, stated, actual, miss) => {
    expect(check(stated, actual)).toEqual([miss]);
  });

  it('names a forbidden failure some run ended with', () => {
    expect(check({ forbiddenFailures: ['ThrottlingError'] })).toEqual([
      'expect.forbiddenFailures: a run ended with ThrottlingError',
    ]);
  });
});
