import { changesOf, openIntents } from '../../lambdas/domain/ledger-intents';
import { dispositionOf } from '../../lambdas/domain/disposition';
import { kpuQuotaRefusal } from '../../lambdas/domain/kpu-quota';
import { nextRoundOf, type RoundFacts } from '../../lambdas/domain/next-round';
import type { TimeBudget } from '../../lambdas/domain/time-budget';
import { judgeOutcome } from '../../lambdas/domain/outcome';
import {
  INITIAL_PROGRESS,
  type CompletedRound,
  type Progress,
  type ResourceWait,
  type Verification,
  type WorkStep,
} from '../../lambdas/domain/run-state';
import { workStepsOf } from '../../lambdas/domain/work-steps';
import { PlanDriftError, ResourceStateError, applyNextStep } from '../../lambdas/workflow/apply-step';
import { ResourceNotReadyError, checkResource } from '../../lambdas/workflow/check-resource';
import type { Diagnosis } from '../../lambdas/domain/model';
import {
  AccessDeniedError,
  QuotaExceededError,
  ResourceInUseError,
  ServiceUnavailableError,
  ThrottlingError,
} from '../../lambdas/ports/errors';
import { FakeApplicationControl, type FakeApplication } from '../fakes/application-control';
import { FakeClock } from '../fakes/clock';
import { InMemoryLedger } from '../fakes/ledger';
import { FakeStreamControl } from '../fakes/stream-control';
import { InMemoryFleetChangeLog } from '../../sim/adapters';
import { RAISE_PARALLELISM, SCALE_STREAM, assessment, report, runContext } from '../fakes/runs';

const run = runContext();

function world(
  stream: Partial<{ openShards: number; status: 'ACTIVE' | 'UPDATING' }> = {},
  app: Partial<FakeApplication> = {},
) {
  const clock = new FakeClock('2026-11-21T10:15:00.000Z');
  const streams = new FakeStreamControl(clock, 1);
  streams.add({
    name: 'orders-stream',
    status: 'ACTIVE',
    mode: 'PROVISIONED',
    openShards: 2,
    retentionHours: 24,
    ...stream,
  });
  const applications = new FakeApplicationControl(1);
  applications.add({
    name: 'orders-enricher',
    status: 'RUNNING',
    versionId: 7,
    parallelism: 4,
    parallelismPerKpu: 1,
    autoScalingEnabled: false,
    snapshotsEnabled: true,
    logLevel: 'INFO',
    metricsLevel: 'APPLICATION',
    ...app,
  });
  const ledger = new InMemoryLedger();
  return { streams, applications, ledger, fleetChanges: new InMemoryFleetChangeLog(), clock };
}

const shardSteps = workStepsOf([SCALE_STREAM]);
const appSteps = workStepsOf([RAISE_PARALLELISM]);

describe('workStepsOf', () => {
  it('splits an UpdateShardCount action into one step per call, each starting where the last ended', () => {
    expect(shardSteps).toEqual([
      { type: 'UpdateShardCount', streamName: 'orders-stream', from: 2, to: 4, call: 1, calls: 2 },
      { type: 'UpdateShardCount', streamName: 'orders-stream', from: 4, to: 7, call: 2, calls: 2 },
    ]);
  });

  it('keeps one step for an application update, and the plan order across actions', () => {
    expect(workStepsOf([RAISE_PARALLELISM, SCALE_STREAM]).map((s) => s.type)).toEqual([
      'UpdateApplicationParallelism',
      'UpdateShardCount',
      'UpdateShardCount',
    ]);
  });
});

describe('dispositionOf', () => {
  it.each<[string, string, Parameters<typeof report>[0], Parameters<typeof runContext>[0]]>([
    ['a live auto run with actions', 'apply', {}, {}],
    ['a dry run', 'dry-run', {}, { dryRun: true }],
    ['recommend mode', 'recommend-mode', { plan: { mode: 'recommend', apply: false } }, { mode: 'recommend' }],
    ['observe mode', 'observe-mode', { plan: { mode: 'observe', apply: false } }, { mode: 'observe' }],
    ['no actions', 'nothing-to-do', { actions: [] }, {}],
    [
      'only refused actions',
      'all-refused',
      { actions: [], refused: [{ action: SCALE_STREAM, guardrail: 'cooldown', reason: 'just scaled' }] },
      {},
    ],
    ['a plan the engine did not mark for applying', 'recommend-mode', { plan: { apply: false } }, {}],
    // The run's own mode wins even if a report claims otherwise: only `auto` targets are changed.
    [
      'a recommend target whose report says apply',
      'recommend-mode',
      { plan: { mode: 'auto', apply: true } },
      { mode: 'recommend' },
    ],
  ])('%s -> %s', (_case, expected, reportOptions, runOptions) => {
    expect(dispositionOf(report(reportOptions), runContext(runOptions))).toBe(expected);
  });
});

describe('applyNextStep', () => {
  it('records the intended change before the call and its result after, then waits on the stream', async () => {
    const w = world();
    const change = {
      target: 'orders',
      resource: 'stream/orders-stream',
      actionType: 'UpdateShardCount',
      direction: 'up',
      from: 2,
      to: 4,
      executionId: run.executionId,
    };
    let ledgerAtCall: readonly unknown[] = [];
    let fleetChangesAtCall: readonly unknown[] = [];
    const makeCall = w.streams.updateShardCount.bind(w.streams);
    w.streams.updateShardCount = async (name, count) => {
      ledgerAtCall = [...w.ledger.entries];
      fleetChangesAtCall = [...w.fleetChanges.changes.values()];
      await makeCall(name, count);
    };
    const { progress, wait } = await applyNextStep(w, run, shardSteps, INITIAL_PROGRESS);
    expect(w.streams.calls).toEqual([{ method: 'updateShardCount', streamName: 'orders-stream', value: 4 }]);
    const intent = { ...change, at: '2026-11-21T10:15:00.000Z', calls: 1, phase: 'intent' };
    expect(ledgerAtCall).toEqual([intent]);
    // The fleet's budget counts the change before it is made, like the ledger.
    expect(fleetChangesAtCall).toEqual([
      { at: '2026-11-21T10:15:00.000Z', target: 'orders', executionId: run.executionId, step: 0 },
    ]);
    expect(w.ledger.entries).toEqual([
      intent,
      {
        ...change,
        at: '2026-11-21T10:15:00.000Z',
        calls: 0,
        phase: 'result',
        result: 'made',
        intentAt: '2026-11-21T10:15:00.000Z',
        detail: 'AWS accepted the call',
      },
    ]);
    expect(changesOf(w.ledger.entries)).toEqual([intent]);
    expect(progress).toMatchObject({ next: 1, more: true });
    expect(wait).toMatchObject({ polls: 0, ready: false });
    expect(wait.awaiting).toEqual({ kind: 'stream', name: 'orders-stream' });
  });

  it('does not repeat a change a retried step finds in place, and records it once', async () => {
    const w = world({ openShards: 4 });
    await applyNextStep(w, run, shardSteps, INITIAL_PROGRESS);
    const again = await applyNextStep(w, run, shardSteps, INITIAL_PROGRESS);
    expect(w.streams.calls).toEqual([]);
    expect(again.progress.applied[0]!.outcome).toBe('already-done');
    expect(w.ledger.entries).toHaveLength(1);
  });

  it('settles its own earlier attempt that died after the call: the change is found in place and counted once', async () => {
    const w = world();
    // The first attempt's call went through, and the function died before it recorded the result.
    const originalRecord = w.ledger.record.bind(w.ledger);
    let writes = 0;
    w.ledger.record = async (entry) => {
      writes += 1;
      if (writes === 2) throw Object.assign(new Error('the function died'), { name: 'Lambda.Unknown' });
      await originalRecord(entry);
    };
    await expect(applyNextStep(w, run, shardSteps, INITIAL_PROGRESS)).rejects.toMatchObject({ name: 'Lambda.Unknown' });
    expect(openIntents(w.ledger.entries)).toHaveLength(1);

    // The workflow retries the step while the stream is UPDATING, as its retrier does.
    let retried: Awaited<ReturnType<typeof applyNextStep>> | undefined;
    for (let attempt = 0; attempt < 5 && !retried; attempt++) {
      retried = await applyNextStep(w, run, shardSteps, INITIAL_PROGRESS).catch((error: unknown) => {
        if (error instanceof ResourceInUseError) return undefined;
        throw error;
      });
    }
    expect(retried!.progress.applied[0]!.outcome).toBe('already-done');
    expect(w.streams.calls).toHaveLength(1);
    expect(openIntents(w.ledger.entries)).toEqual([]);
    expect(w.ledger.entries.at(-1)).toMatchObject({ phase: 'result', result: 'made' });
    expect(changesOf(w.ledger.entries)).toHaveLength(1);
    expect(w.fleetChanges.changes.size).toBe(1);
  });

  it('counts a step once in the fleet when a retry makes its call again, at its first attempt', async () => {
    const w = world();
    // The first attempt recorded its intent and the call was refused before the change went in.
    w.streams.failures.failNext(
      'updateShardCount',
      new ServiceUnavailableError('internal failure', { action: 'UpdateShardCount' }),
    );
    await expect(applyNextStep(w, run, shardSteps, INITIAL_PROGRESS)).rejects.toBeInstanceOf(ServiceUnavailableError);
    w.clock.advance(30_000);
    await applyNextStep(w, run, shardSteps, INITIAL_PROGRESS);
    expect(w.streams.calls).toHaveLength(1);
    expect([...w.fleetChanges.changes.values()]).toEqual([
      { at: '2026-11-21T10:15:00.000Z', target: 'orders', executionId: run.executionId, step: 0 },
    ]);
  });

  it('leaves the intent open when the call fails on the server side, where the change may have gone in', async () => {
    const w = world();
    w.streams.failures.failNext(
      'updateShardCount',
      new ServiceUnavailableError('internal failure', { action: 'UpdateShardCount' }),
    );
    await expect(applyNextStep(w, run, shardSteps, INITIAL_PROGRESS)).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(openIntents(w.ledger.entries)).toHaveLength(1);
    // Until settled, a change that may have been made counts against cooldown and budget.
    expect(changesOf(w.ledger.entries)).toHaveLength(1);
  });

  it('says there are no more steps after the last one', async () => {
    const w = world({ openShards: 4 });
    const progress: Progress = { ...INITIAL_PROGRESS, next: 1 };
    expect((await applyNextStep(w, run, shardSteps, progress)).progress.more).toBe(false);
  });

  it('refuses to act on a stream that no longer has the shards the plan started from', async () => {
    const w = world({ openShards: 3 });
    await expect(applyNextStep(w, run, shardSteps, INITIAL_PROGRESS)).rejects.toBeInstanceOf(PlanDriftError);
    expect(w.streams.calls).toEqual([]);
  });

  it('reports a stream that is still UPDATING as in use, which the workflow retries', async () => {
    const w = world({ status: 'UPDATING' });
    const error = await applyNextStep(w, run, shardSteps, INITIAL_PROGRESS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceInUseError);
    expect((error as Error).name).toBe('ResourceInUseError');
  });

  it('updates the application with the version id it reads just before the call', async () => {
    const w = world({}, { versionId: 12 });
    await applyNextStep(w, run, appSteps, INITIAL_PROGRESS);
    expect(w.applications.calls).toEqual([
      {
        method: 'updateParallelism',
        update: {
          applicationName: 'orders-enricher',
          currentApplicationVersionId: 12,
          parallelism: 10,
          parallelismPerKpu: 1,
        },
      },
    ]);
    expect(w.ledger.entries[0]).toMatchObject({ resource: 'application/orders-enricher', from: 4, to: 10 });
  });

  it('records an update refused for the KPU quota with the AWS exception and the KPUs it asked for', async () => {
    const w = world();
    w.applications.failures.failNext(
      'updateParallelism',
      new QuotaExceededError(
        'the number of allowed resources has been exceeded',
        { action: 'UpdateApplication' },
        { awsErrorName: 'LimitExceededException' },
      ),
    );
    await expect(applyNextStep(w, run, appSteps, INITIAL_PROGRESS)).rejects.toBeInstanceOf(QuotaExceededError);
    const result = w.ledger.entries.find((e) => e.phase === 'result');
    expect(result).toMatchObject({ result: 'not-made', awsError: 'LimitExceededException', kpus: 10, from: 4, to: 10 });
    // Not a change (no cooldown, no budget), but the next plan knows the quota is below 10 KPU.
    expect(changesOf(w.ledger.entries)).toEqual([]);
    expect(kpuQuotaRefusal(w.ledger.entries, 'orders-enricher')).toEqual({
      refusedKpus: 10,
      at: '2026-11-21T10:15:00.000Z',
    });
  });

  it.each<[string, Partial<FakeApplication>, new (...args: never[]) => Error]>([
    ['autoscaling', { status: 'AUTOSCALING' }, ResourceInUseError],
    ['stopped', { status: 'READY' }, ResourceStateError],
    ['resized by someone else', { parallelism: 8 }, PlanDriftError],
  ])('does not update an application that is %s', async (_case, app, errorClass) => {
    const w = world({}, app);
    await expect(applyNextStep(w, run, appSteps, INITIAL_PROGRESS)).rejects.toBeInstanceOf(errorClass);
    expect(w.applications.calls).toEqual([]);
  });
});

describe('checkResource', () => {
  const after = (steps: WorkStep[]): Promise<ResourceWait> => {
    const w = world();
    return applyNextStep(w, run, steps, INITIAL_PROGRESS).then((applied) => checkAll(w, applied.wait));
  };
  const checkAll = async (w: ReturnType<typeof world>, wait: ResourceWait): Promise<ResourceWait> => {
    let current = wait;
    while (!current.ready) current = await checkResource(w, current, 5);
    return current;
  };

  it('counts checks until the stream is ACTIVE again', async () => {
    const done = await after(shardSteps);
    expect(done).toMatchObject({ ready: true, polls: 2, lastStatus: 'ACTIVE' });
  });

  it('fails with ResourceNotReadyError on the last allowed check', async () => {
    const w = world();
    const { wait } = await applyNextStep(w, run, shardSteps, INITIAL_PROGRESS);
    const first = await checkResource(w, wait, 1).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ResourceNotReadyError);
    expect((first as Error).message).toBe('stream orders-stream is still UPDATING after 1 checks; expected ACTIVE');
  });

  it('counts a throttled or server-failed status check as one not ready yet, and keeps waiting', async () => {
    const w = world();
    const { wait } = await applyNextStep(w, run, shardSteps, INITIAL_PROGRESS);
    w.streams.failures.failNext(
      'describeStreamSummary',
      new ThrottlingError('Rate exceeded', { action: 'DescribeStreamSummary' }),
    );
    w.streams.failures.failNext(
      'describeStreamSummary',
      new ServiceUnavailableError('internal', { action: 'DescribeStreamSummary' }),
    );
    const throttled = await checkResource(w, wait, 5);
    expect(throttled).toMatchObject({ ready: false, polls: 1, lastStatus: 'unread (ThrottlingError)' });
    const failed = await checkResource(w, throttled, 5);
    expect(failed).toMatchObject({ ready: false, polls: 2 });
    expect(await checkAll(w, failed)).toMatchObject({ ready: true, lastStatus: 'ACTIVE' });
  });

  it('gives up with ResourceNotReadyError when the last allowed check is throttled, naming the throttling', async () => {
    const w = world();
    const { wait } = await applyNextStep(w, run, shardSteps, INITIAL_PROGRESS);
    w.streams.failures.failNext(
      'describeStreamSummary',
      new ThrottlingError('Rate exceeded', { action: 'DescribeStreamSummary' }),
    );
    const error = await checkResource(w, { ...wait, polls: 4, lastStatus: 'UPDATING' }, 5).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotReadyError);
    expect((error as Error).message).toContain('could not be read at the last of 5 checks (ThrottlingError');
    expect((error as Error).message).toContain('last seen UPDATING');
  });

  it('lets a describe failure that waiting cannot fix through under its own name', async () => {
    const w = world();
    const { wait } = await applyNextStep(w, run, shardSteps, INITIAL_PROGRESS);
    w.streams.failures.failNext(
      'describeStreamSummary',
      new AccessDeniedError('denied', { action: 'DescribeStreamSummary' }),
    );
    await expect(checkResource(w, wait, 5)).rejects.toBeInstanceOf(AccessDeniedError);
  });

  it('gives up at once on an application that stopped after the update', async () => {
    const w = world();
    const { wait } = await applyNextStep(w, run, appSteps, INITIAL_PROGRESS);
    w.applications.get('orders-enricher').status = 'READY';
    await expect(checkResource(w, wait, 40)).rejects.toBeInstanceOf(ResourceStateError);
  });
});

describe('judgeOutcome', () => {
  const lag = (value: number): Diagnosis['evidence'][number] => ({
    metric: 'millisBehindLatest',
    stat: 'Maximum',
    value,
    threshold: 60_000,
    unit: 'Milliseconds',
  });
  const before = report({ diagnosis: { cause: 'CONSUMER_COMPUTE', severity: 'warning', evidence: [lag(600_000)] } });

  it.each<[string, string, Partial<Diagnosis>]>([
    ['healthy now', 'resolved', { cause: 'HEALTHY', severity: 'info', evidence: [] }],
    [
      'same cause, lag well down',
      'improving',
      { cause: 'CONSUMER_COMPUTE', severity: 'warning', evidence: [lag(200_000)] },
    ],
    [
      'same cause, lag barely down',
      'not-improved',
      { cause: 'CONSUMER_COMPUTE', severity: 'warning', evidence: [lag(560_000)] },
    ],
    [
      'same cause, lag up',
      'not-improved',
      { cause: 'CONSUMER_COMPUTE', severity: 'warning', evidence: [lag(900_000)] },
    ],
    ['same cause, less severe', 'improving', { cause: 'CONSUMER_COMPUTE', severity: 'info', evidence: [lag(590_000)] }],
    ['another cause, no more severe', 'improving', { cause: 'SINK_BACKPRESSURE', severity: 'warning', evidence: [] }],
    ['another cause, more severe', 'not-improved', { cause: 'APP_UNHEALTHY', severity: 'critical', evidence: [] }],
    ['no data to judge', 'inconclusive', { cause: 'INSUFFICIENT_DATA', severity: 'info', evidence: [] }],
  ])('%s -> %s', (_case, expected, now) => {
    expect(judgeOutcome(before, report({ diagnosis: now })).outcome).toBe(expected);
  });

  it('names the measures that moved', () => {
    const { reason } = judgeOutcome(
      before,
      report({ diagnosis: { cause: 'CONSUMER_COMPUTE', severity: 'warning', evidence: [lag(200_000)] } }),
    );
    expect(reason).toBe('CONSUMER_COMPUTE is still found but easing: millisBehindLatest 600000 -> 200000');
  });

  it('calls a backlog that drains on plan improving, though it is larger than before the restart', () => {
    const after = report({ diagnosis: { cause: 'CONSUMER_COMPUTE', severity: 'warning', evidence: [lag(700_000)] } });

    expect(judgeOutcome(before, after).outcome).toBe('not-improved');
    const judged = judgeOutcome(before, after, { seconds: 240, onPlan: true });
    expect(judged.outcome).toBe('improving');
    expect(judged.reason).toMatch(/the backlog drains on plan: about 4 min to catch up/);
  });

  it('calls a backlog slower than the catch-up time improving only when the plan after it would wait for it', () => {
    const behind: Partial<Diagnosis> = { cause: 'CONSUMER_COMPUTE', severity: 'warning', evidence: [lag(700_000)] };
    const drain = { seconds: 600, onPlan: false };
    // After a restart that took longer than planned: no restart would get it there sooner.
    const waits = judgeOutcome(before, report({ diagnosis: behind, actions: [] }), drain);
    expect(waits.outcome).toBe('improving');
    expect(waits.reason).toMatch(/the backlog drains: about 10 min to catch up at the rate it falls now/);
    // The plan after it scales the job up, or was stopped from doing so: the job is still short.
    expect(judgeOutcome(before, report({ diagnosis: behind, actions: [RAISE_PARALLELISM] }), drain).outcome).toBe(
      'not-improved',
    );
    const stopped = report({
      diagnosis: behind,
      actions: [],
      refused: [{ action: RAISE_PARALLELISM, guardrail: 'cooldown', reason: 'scaled up 4 minutes ago' }],
    });
    expect(judgeOutcome(before, stopped, drain).outcome).toBe('not-improved');
  });

  it('calls a scale-up that did not raise throughput ineffective, whatever else eased', () => {
    const after = report({
      diagnosis: { cause: 'CONSUMER_COMPUTE', severity: 'warning', evidence: [lag(200_000)] },
      refused: [
        { action: RAISE_PARALLELISM, guardrail: 'ineffective-scaling', reason: 'processed 1300 -> 1300 records/s' },
      ],
    });
    expect(judgeOutcome(before, after)).toEqual({
      outcome: 'not-improved',
      reason: 'the scale-up was ineffective: processed 1300 -> 1300 records/s',
    });
  });

  it('does not let a draining backlog speak for a stream that still refuses writes', () => {
    const throttled = report({ diagnosis: { cause: 'STREAM_WRITE_CAPACITY', severity: 'critical', evidence: [] } });

    expect(judgeOutcome(before, throttled, { seconds: 60, onPlan: true }).outcome).toBe('not-improved');
  });
});

describe('nextRoundOf', () => {
  const now = new Date('2026-11-21T10:30:00.000Z');
  const budget: TimeBudget = { timeoutSeconds: 7200, stepSeconds: 1500, settleSeconds: 300, closeSeconds: 960 };
  const scaled = assessment(run, report({ actions: [SCALE_STREAM] }));
  const scaledProgress: Progress = {
    ...INITIAL_PROGRESS,
    next: 2,
    more: false,
    applied: workStepsOf([SCALE_STREAM]).map((step) => ({
      step,
      at: '2026-11-21T10:16:00.000Z',
      outcome: 'requested',
    })),
  };
  const improving: Verification = {
    outcome: 'improving',
    reason: 'STREAM_WRITE_CAPACITY is no longer found, but CONSUMER_COMPUTE is',
    report: report({ diagnosis: { cause: 'CONSUMER_COMPUTE' }, actions: [RAISE_PARALLELISM], plan: { apply: false } }),
    verifiedAt: now.toISOString(),
  };
  const compute = report({ diagnosis: { cause: 'CONSUMER_COMPUTE' }, actions: [RAISE_PARALLELISM] });
  const facts = (overrides: Partial<RoundFacts> = {}): RoundFacts => ({
    run,
    assessment: scaled,
    progress: scaledProgress,
    verification: improving,
    rounds: [],
    round: 1,
    maxRounds: 3,
    replan: () => compute,
    now,
    ...overrides,
  });

  it('goes round again with the new plan, carrying the finished round', () => {
    const next = nextRoundOf(facts());
    expect(next?.assessment).toMatchObject({
      disposition: 'apply',
      steps: [{ type: 'UpdateApplicationParallelism', to: 10 }],
    });
    expect(next?.rounds).toEqual([{ assessment: scaled, progress: scaledProgress, verification: improving }]);
  });

  const earlier: CompletedRound = { assessment: scaled, progress: scaledProgress, verification: improving };
  it.each<[string, Partial<RoundFacts>]>([
    ['the incident is resolved', { verification: { ...improving, outcome: 'resolved' } }],
    ['the round bound is reached', { rounds: [earlier, earlier], round: 3, maxRounds: 3 }],
    ['one round is allowed', { maxRounds: 1 }],
    ['the re-assessment plans nothing', { replan: () => report({ actions: [] }) }],
    [
      'a guardrail refused everything',
      {
        replan: () =>
          report({
            actions: [],
            refused: [{ action: RAISE_PARALLELISM, guardrail: 'cooldown', reason: 'x' }],
          }),
      },
    ],
    [
      'the target is in recommend mode',
      {
        run: runContext({ mode: 'recommend' }),
        replan: () => report({ actions: [RAISE_PARALLELISM], plan: { mode: 'recommend', apply: false } }),
      },
    ],
    ['the run is a dry run', { run: runContext({ dryRun: true }) }],
    [
      'the plan repeats a change the run made',
      {
        replan: () =>
          report({
            actions: [{ type: 'UpdateShardCount', streamName: 'orders-stream', from: 4, to: 7, steps: [7] }],
          }),
      },
    ],
    [
      'the round may not finish before the timeout',
      // Started 10:15; at 10:30 a 60-min timeout leaves 45 min, one step and the end need 46.
      { timeBudget: { budget: { ...budget, timeoutSeconds: 3600 }, startedAt: '2026-11-21T10:15:00.000Z' } },
    ],
  ])('stops when %s', (_case, overrides) => {
    expect(nextRoundOf(facts(overrides))).toBeUndefined();
  });

  it('goes round again when the round fits in the time left', () => {
    const timeBudget = { budget, startedAt: '2026-11-21T10:15:00.000Z' };
    expect(nextRoundOf(facts({ timeBudget }))?.assessment.steps).toHaveLength(1);
  });
});
