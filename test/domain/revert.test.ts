import { auditTrail } from '../../lambdas/domain/audit-trail';
import { PolicySchema, TargetSchema } from '../../lambdas/domain/config';
import { composeNotification } from '../../lambdas/domain/notification';
import { assess } from '../../lambdas/domain/engine';
import type { Diagnosis, LedgerEntry } from '../../lambdas/domain/model';
import { judgeOutcome } from '../../lambdas/domain/outcome';
import { decideRevert, revertStepsOf, type RevertFacts } from '../../lambdas/domain/revert';
import type { AppliedStep, Progress, Verification } from '../../lambdas/domain/run-state';
import { ledgerEntryFor, workStepsOf } from '../../lambdas/domain/work-steps';
import { CAPTURED_AT, buildSnapshot } from '../builders/snapshot-builder';
import { RAISE_PARALLELISM, SCALE_STREAM, assessment, report, runContext } from '../fakes/runs';

const MIB = 1024 * 1024;
const run = runContext();
const policy = PolicySchema.parse({});

function applied(actions = [SCALE_STREAM]): AppliedStep[] {
  return workStepsOf(actions).map((step) => ({ step, at: '2026-11-21T10:16:00.000Z', outcome: 'requested' }));
}

const lag = (value: number): Diagnosis['evidence'][number] => ({
  metric: 'millisBehindLatest',
  stat: 'Maximum',
  value,
  threshold: 60_000,
  unit: 'Milliseconds',
});
const behind = (value: number, severity: Diagnosis['severity'] = 'warning') =>
  report({ actions: [RAISE_PARALLELISM], diagnosis: { cause: 'CONSUMER_COMPUTE', severity, evidence: [lag(value)] } });

describe('judgeOutcome finds harm', () => {
  const before = behind(600_000);
  const throttledBy = (value: number) =>
    report({
      diagnosis: {
        evidence: [{ metric: 'WriteProvisionedThroughputExceeded', stat: 'Sum', value, threshold: 0, unit: 'Count' }],
      },
    });

  it('when throttling moves past its threshold by more than noise, with the figures', () => {
    const judged = judgeOutcome(throttledBy(1_800_000), throttledBy(3_600_000));
    expect(judged.outcome).toBe('not-improved');
    expect(judged.harm).toBe(
      'STREAM_WRITE_CAPACITY is worse after the change: WriteProvisionedThroughputExceeded 1800000 -> 3600000 (threshold 0)',
    );
  });

  it('from throttling only when the round took shards away: neither a job change nor added shards raise refused writes', () => {
    const judge = (shardsRemoved: boolean) =>
      judgeOutcome(throttledBy(1_800_000), throttledBy(3_600_000), undefined, undefined, { shardsRemoved });
    expect(judge(true).harm).toContain('WriteProvisionedThroughputExceeded 1800000 -> 3600000');
    expect(judge(false).outcome).toBe('not-improved');
    expect(judge(false).harm).toBeUndefined();
  });

  it('not when throttling only drifts (within noise)', () => {
    const judged = judgeOutcome(throttledBy(1_800_000), throttledBy(2_000_000));
    expect(judged.outcome).toBe('not-improved');
    expect(judged.harm).toBeUndefined();
  });

  it('not when only the lag is larger: it grows while the job is still short, whatever the change did', () => {
    const judged = judgeOutcome(before, behind(900_000));
    expect(judged.outcome).toBe('not-improved');
    expect(judged.harm).toBeUndefined();
  });

  it('when the job processes less after the scale-up, by more than noise', () => {
    const judged = judgeOutcome(before, behind(900_000), undefined, { beforePerSecond: 1300, afterPerSecond: 700 });
    expect(judged.harm).toBe(
      'CONSUMER_COMPUTE is worse after the change: processed 1300 -> 700 records/s after the scale-up',
    );
    expect(
      judgeOutcome(before, behind(900_000), undefined, { beforePerSecond: 1300, afterPerSecond: 1200 }).harm,
    ).toBeUndefined();
  });

  it('when the job fails after its update', () => {
    const failing = report({ diagnosis: { cause: 'APP_UNHEALTHY', severity: 'critical', evidence: [] } });
    expect(judgeOutcome(before, failing).harm).toMatch(
      /^CONSUMER_COMPUTE \(warning\) before the change, APP_UNHEALTHY/,
    );
  });

  it('when the trouble has a new name but the job processes less: a job now waiting on its sink', () => {
    const waiting = report({
      diagnosis: { cause: 'SINK_BACKPRESSURE', severity: 'warning', evidence: [lag(1_200_000)] },
    });
    const judged = judgeOutcome(before, waiting, undefined, { beforePerSecond: 1300, afterPerSecond: 650 });
    expect(judged.outcome).toBe('not-improved');
    expect(judged.harm).toBe(
      'CONSUMER_COMPUTE gave way to SINK_BACKPRESSURE after the change, worse: processed 1300 -> 650 records/s after the scale-up',
    );
  });

  it('not when another, more severe bottleneck surfaces: that is not the change', () => {
    const throttled = report({ diagnosis: { cause: 'STREAM_WRITE_CAPACITY', severity: 'critical' } });
    const judged = judgeOutcome(before, throttled);
    expect(judged.outcome).toBe('not-improved');
    expect(judged.harm).toBeUndefined();
  });

  it('not when the backlog, larger after the restart, drains on plan, whatever the rates', () => {
    const judged = judgeOutcome(
      before,
      behind(900_000),
      { seconds: 240, onPlan: true },
      { beforePerSecond: 1300, afterPerSecond: 700 },
    );
    expect(judged.outcome).toBe('improving');
    expect(judged.harm).toBeUndefined();
  });
});

describe('revertStepsOf', () => {
  it('takes a two-call reshard back call by call, last first, each within the double/half rule', () => {
    expect(revertStepsOf(applied())).toEqual([
      { type: 'UpdateShardCount', streamName: 'orders-stream', from: 7, to: 4, call: 1, calls: 2, revert: true },
      { type: 'UpdateShardCount', streamName: 'orders-stream', from: 4, to: 2, call: 2, calls: 2, revert: true },
    ]);
  });

  it('puts parallelism back, and leaves retention and monitoring changes alone', () => {
    const steps = applied([
      RAISE_PARALLELISM,
      { type: 'IncreaseStreamRetention', streamName: 'orders-stream', fromHours: 24, toHours: 48 },
    ]);
    expect(revertStepsOf(steps)).toEqual([
      {
        type: 'UpdateApplicationParallelism',
        applicationName: 'orders-enricher',
        from: 10,
        to: 4,
        parallelismPerKpu: 1,
        revert: true,
      },
    ]);
  });

  it('leaves a revert entry in the ledger', () => {
    const [step] = revertStepsOf(applied());
    expect(ledgerEntryFor(step!, run, new Date(CAPTURED_AT))).toEqual(
      expect.objectContaining({ kind: 'revert', direction: 'down', from: 7, to: 4 }),
    );
  });
});

describe('decideRevert', () => {
  const progress: Progress = { next: 2, applied: applied(), more: false };
  const harmed: Verification = {
    outcome: 'not-improved',
    reason: 'STREAM_WRITE_CAPACITY is still found and not easing',
    harm: 'STREAM_WRITE_CAPACITY is worse after the change: WriteProvisionedThroughputExceeded 1800000 -> 3600000',
    report: report(),
    verifiedAt: '2026-11-21T10:30:00.000Z',
  };
  const facts: RevertFacts = {
    assessment: assessment(run, report()),
    progress,
    verification: harmed,
    rounds: [],
    policy,
    ledger: [],
    now: new Date('2026-11-21T10:30:00.000Z'),
  };

  it('makes no decision when the verification found no harm', () => {
    const { harm: _harm, ...unharmed } = harmed;
    expect(decideRevert({ ...facts, verification: unharmed })).toBeUndefined();
  });

  it('proposes one round that reverts the change, named by the harm, after the round it undoes', () => {
    const decision = decideRevert(facts);
    if (decision?.kind !== 'revert') throw new Error(`expected a revert, got ${JSON.stringify(decision)}`);
    expect(decision.next.assessment).toEqual(
      expect.objectContaining({
        disposition: 'apply',
        revert: { reason: harmed.harm },
        steps: revertStepsOf(progress.applied),
      }),
    );
    expect(decision.next.rounds).toEqual([{ assessment: facts.assessment, progress, verification: harmed }]);
  });

  it('never reverts twice: a run that reverted already asks a person instead', () => {
    const decision = decideRevert(facts);
    if (decision?.kind !== 'revert') throw new Error('expected a revert');
    const again = decideRevert({
      ...facts,
      assessment: decision.next.assessment,
      rounds: decision.next.rounds,
      progress: {
        next: 2,
        applied: decision.next.assessment.steps.map((step) => ({
          step,
          at: '2026-11-21T10:31:00.000Z',
          outcome: 'requested' as const,
        })),
        more: false,
      },
    });
    expect(again).toEqual({ kind: 'refused', reason: 'this run already reverted a change; it never reverts twice' });
  });

  it('refuses when the daily budget cannot take the revert calls', () => {
    const made = (minutes: number): LedgerEntry => ({
      at: new Date(Date.parse('2026-11-21T10:30:00.000Z') - minutes * 60_000).toISOString(),
      target: 'orders',
      resource: 'stream/orders-stream',
      actionType: 'UpdateShardCount',
      direction: 'up',
      calls: 1,
    });
    const decision = decideRevert({ ...facts, ledger: [1, 2, 3, 4, 5, 6, 7].map(made) });
    expect(decision).toEqual({
      kind: 'refused',
      reason: 'reverting stream/orders-stream takes 2 calls; it has used 7 of its 8 changes in the last 24 h',
    });
  });

  it("refuses when the revert would not finish inside the run's time", () => {
    const budget = { timeoutSeconds: 3600, stepSeconds: 900, settleSeconds: 300, closeSeconds: 300 };
    const decision = decideRevert({ ...facts, timeBudget: { budget, startedAt: '2026-11-21T10:00:00.000Z' } });
    expect(decision).toEqual({
      kind: 'refused',
      reason: expect.stringMatching(/^the revert does not fit the run's time: 2 steps/),
    });
  });

  it('is held by the kill switch like every other change', () => {
    const pause = { scope: 'orders', by: 'alice', reason: 'drill', at: '2026-11-21T10:20:00.000Z' };
    expect(decideRevert({ ...facts, pause })).toEqual({
      kind: 'refused',
      reason: 'StreamMedic is paused by alice; it changes nothing, reverts included',
    });
  });
});

describe('decideRevert for a job that fails after its update', () => {
  const raised: Progress = { next: 1, applied: applied([RAISE_PARALLELISM]), more: false };
  const failing: Verification = {
    outcome: 'not-improved',
    reason: 'CONSUMER_COMPUTE gave way to a more severe APP_UNHEALTHY',
    harm: 'CONSUMER_COMPUTE (warning) before the change, APP_UNHEALTHY (critical) after it: the job restarts',
    report: report({ diagnosis: { cause: 'APP_UNHEALTHY', severity: 'critical', evidence: [] } }),
    verifiedAt: '2026-11-21T10:30:00.000Z',
  };
  const facts: RevertFacts = {
    assessment: assessment(run, behind(900_000)),
    progress: raised,
    verification: failing,
    rounds: [],
    policy,
    ledger: [],
    now: new Date('2026-11-21T10:30:00.000Z'),
    appSnapshotsEnabled: true,
  };
  const stepsOf = (decision: ReturnType<typeof decideRevert>) => {
    if (decision?.kind !== 'revert') throw new Error(`expected a revert, got ${JSON.stringify(decision)}`);
    return decision.next.assessment.steps;
  };

  it('rolls the application back to the version that ran before the change', () => {
    const [back] = revertStepsOf(raised.applied);
    expect(stepsOf(decideRevert(facts))).toEqual([{ ...back, rollback: true }]);
    expect(back).toMatchObject({ from: 10, to: 4 });
  });

  it('updates the parallelism back instead when the application takes no snapshots (AWS refuses a rollback then)', () => {
    expect(stepsOf(decideRevert({ ...facts, appSnapshotsEnabled: false }))).toEqual(revertStepsOf(raised.applied));
  });

  it('updates the parallelism back when the job runs but processes less: the version before is no cure for a slow sink', () => {
    const slower: Verification = {
      ...failing,
      harm: 'CONSUMER_COMPUTE gave way to SINK_BACKPRESSURE after the change, worse: processed 4000 -> 2000 records/s after the scale-up',
      report: report({ diagnosis: { cause: 'SINK_BACKPRESSURE', severity: 'warning', evidence: [] } }),
    };
    expect(stepsOf(decideRevert({ ...facts, verification: slower }))).toEqual(revertStepsOf(raised.applied));
  });

  it('tells on-call the application was rolled back', () => {
    const steps = stepsOf(decideRevert(facts));
    const message = composeNotification({
      run,
      region: 'eu-west-1',
      rounds: [{ assessment: facts.assessment, progress: raised, verification: failing }],
      assessment: { ...facts.assessment, steps, revert: { reason: failing.harm! } },
      progress: {
        next: 1,
        more: false,
        applied: steps.map((step) => ({ step, at: '2026-11-21T10:31:00.000Z', outcome: 'requested' })),
      },
      verification: { ...failing, outcome: 'improving', harm: undefined, reason: 'easing' },
    });
    expect(message.body.split('\n')[0]).toBe(
      `ACTION REQUIRED: a change made things worse and StreamMedic reverted it (REVERT RollbackApplication orders-enricher to its version before the change (parallelism 10 -> 4)): ${failing.harm}; a person must look at why before it is tried again.`,
    );
  });
});

describe('the reverted guardrail', () => {
  const target = TargetSchema.parse({
    name: 'orders',
    mode: 'auto',
    stream: { name: 'orders-stream', minShards: 1, maxShards: 200 },
  });
  const minutesAgo = (m: number) => new Date(Date.parse(CAPTURED_AT) - m * 60_000).toISOString();
  const change = (m: number, from: number, to: number, kind?: 'revert'): LedgerEntry => ({
    at: minutesAgo(m),
    target: 'orders',
    resource: 'stream/orders-stream',
    actionType: 'UpdateShardCount',
    direction: to > from ? 'up' : 'down',
    from,
    to,
    calls: 1,
    ...(kind ? { kind } : {}),
  });
  const throttled = (ledger: LedgerEntry[]) =>
    assess(
      buildSnapshot({
        stream: { shards: 4 },
        ledger,
        metrics: {
          incomingBytes: 4 * MIB * 60,
          incomingRecords: 1600 * 60,
          writeThrottled: 200_000,
          iteratorAge: 1000,
        },
      }),
      { target, policy, dryRun: false },
    );

  it('keeps later runs from making the reverted change again for the ledger look-back (24 h)', () => {
    const report = throttled([change(40, 4, 8), change(30, 8, 4, 'revert')]);
    expect(report.plan.actions).toEqual([]);
    expect(report.plan.refused).toEqual([
      expect.objectContaining({
        guardrail: 'reverted',
        reason: expect.stringMatching(/^stream\/orders-stream was reverted 30 min ago \(8 -> 4\)/),
      }),
    ]);
  });

  it('still holds 23 h on, lets it after 24 h, and never holds after a plain scale-in', () => {
    expect(throttled([change(23 * 60 + 10, 4, 8), change(23 * 60, 8, 4, 'revert')]).plan.refused).toEqual([
      expect.objectContaining({ guardrail: 'reverted' }),
    ]);
    expect(throttled([change(24 * 60 + 10, 4, 8), change(24 * 60 + 1, 8, 4, 'revert')]).plan.actions).not.toEqual([]);
    expect(throttled([change(40, 4, 8), change(30, 8, 4)]).plan.actions).not.toEqual([]);
  });
});

describe('what on-call and history are told of a revert', () => {
  const harm = 'STREAM_WRITE_CAPACITY is worse after the change: WriteProvisionedThroughputExceeded 1800000 -> 3600000';
  const first = assessment(run, report());
  const firstProgress: Progress = { next: 2, applied: applied(), more: false };
  const harmed: Verification = {
    outcome: 'not-improved',
    reason: 'STREAM_WRITE_CAPACITY is still found and not easing',
    harm,
    report: report(),
    verifiedAt: '2026-11-21T10:30:00.000Z',
  };

  it('a reverted change: what was taken back, why with the figures, and that a person must look', () => {
    const steps = revertStepsOf(firstProgress.applied);
    const revertRound = { ...first, steps, revert: { reason: harm } };
    const message = composeNotification({
      run,
      region: 'eu-west-1',
      rounds: [{ assessment: first, progress: firstProgress, verification: harmed }],
      assessment: revertRound,
      progress: {
        next: 2,
        more: false,
        applied: steps.map((step) => ({ step, at: '2026-11-21T10:31:00.000Z', outcome: 'requested' })),
      },
      verification: { ...harmed, outcome: 'improving', harm: undefined, reason: 'easing' },
    });
    expect(message.attributes['actionRequired']).toBe('true');
    expect(message.body.split('\n')[0]).toBe(
      `ACTION REQUIRED: a change made things worse and StreamMedic reverted it (REVERT UpdateShardCount orders-stream 7 -> 4 shards (call 1 of 2); REVERT UpdateShardCount orders-stream 4 -> 2 shards (call 2 of 2)): ${harm}; a person must look at why before it is tried again.`,
    );
    expect(message.body).toContain(`Revert of the change before it, because ${harm}`);
  });

  it('a harmful change that could not be reverted: why not, and that a person must undo it', () => {
    const message = composeNotification({
      run,
      region: 'eu-west-1',
      assessment: first,
      progress: firstProgress,
      verification: { ...harmed, revertRefused: "the revert does not fit the run's time" },
    });
    expect(message.body.split('\n')[0]).toBe(
      `ACTION REQUIRED: a change made things worse and was NOT reverted (the revert does not fit the run's time): ${harm}; a person must undo it.`,
    );
  });

  it('history lists a revert as a revert', () => {
    const [step] = revertStepsOf(applied());
    const entry = ledgerEntryFor(step!, run, new Date(CAPTURED_AT));
    const [event] = auditTrail([entry], []);
    expect(event).toEqual(
      expect.objectContaining({ kind: 'revert', what: 'UpdateShardCount stream/orders-stream 7 -> 4 (down, 1 call)' }),
    );
  });
});
