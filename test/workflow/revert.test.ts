import { openIntents } from '../../lambdas/domain/ledger-intents';
import {
  INITIAL_PROGRESS,
  type Assessment,
  type CompletedRound,
  type Progress,
  type VerifyResult,
  type WorkStep,
} from '../../lambdas/domain/run-state';
import type { GetMetricDataRecord } from '../../lambdas/domain/aws-shapes';
import type { StepApplied } from '../../lambdas/workflow/apply-step';
import { buildSnapshot } from '../builders/snapshot-builder';
import { fakeWorldFrom, type FakeWorld } from '../fakes/world';
import { runContext } from '../fakes/runs';

const MIB = 1024 * 1024;
const run = runContext();
const VERIFIED_AT = '2026-11-21T10:40:00.000Z';

/** A CPU-bound job falling behind: the plan raises its parallelism. */
function behindSnapshot() {
  return buildSnapshot({
    stream: { shards: 4 },
    app: { parallelism: 4 },
    metrics: {
      incomingBytes: MIB * 60,
      incomingRecords: 1600 * 60,
      millisBehindLatest: (i) => 60_000 + i * 5000,
      containerCpu: 92,
      busyTime: 940,
      recordsInPerSecond: 1300,
    },
  });
}

/** The hour before verification: the job at parallelism 14 since the update at minute 35, as `after` describes it. */
function afterUpdate(after: { recordsInPerSecond: (i: number) => number; fullRestarts?: (i: number) => number }) {
  return buildSnapshot({
    capturedAt: VERIFIED_AT,
    stream: { shards: 4 },
    app: { parallelism: 14 },
    metrics: {
      incomingBytes: MIB * 60,
      incomingRecords: 1600 * 60,
      millisBehindLatest: (i) => 400_000 + i * 10_000,
      containerCpu: 95,
      busyTime: 990,
      ...after,
    },
  }).getMetricData as GetMetricDataRecord;
}

/**
 * After the update (at 10:15) the job processes 700 records/s where it processed 1,300 before, and
 * falls further behind: the change made things worse.
 */
function worseAfterUpdate(): GetMetricDataRecord {
  // Minute i of the hour before 10:40: the update went in at minute 35.
  return afterUpdate({ recordsInPerSecond: (i) => (i < 35 ? 1300 : 700) });
}

async function applyAll(world: FakeWorld, steps: readonly WorkStep[]): Promise<Progress> {
  let progress: Progress = INITIAL_PROGRESS;
  while (progress.next < steps.length) {
    ({ progress } = (await world.cores.apply({ run, steps, progress })) as StepApplied);
    // The application restarts after each update; the next step waits for it, as the workflow does.
    for (let i = 0; i < 3; i++) await world.applications.describeApplication('orders-enricher');
  }
  return progress;
}

async function verify(
  world: FakeWorld,
  assessment: Assessment,
  progress: Progress,
  rounds: readonly CompletedRound[] = [],
  round = 1,
) {
  return (await world.cores.verify({
    run,
    assessment,
    progress,
    round,
    rounds: [...rounds],
    maxRounds: 1,
  })) as VerifyResult;
}

describe('the verify and apply tasks on a change that made things worse', () => {
  it('verify proposes a revert round past the round bound; apply takes the parallelism back and records a revert', async () => {
    const world = fakeWorldFrom(behindSnapshot(), { laterMetrics: [worseAfterUpdate()] });
    const assessment = (await world.cores.assess({ run })) as Assessment;
    expect(assessment.steps).toEqual([
      expect.objectContaining({ type: 'UpdateApplicationParallelism', from: 4, to: 14 }),
    ]);
    const progress = await applyAll(world, assessment.steps);
    world.clock.set(VERIFIED_AT);

    const verification = await verify(world, assessment, progress);

    expect(verification.outcome).toBe('not-improved');
    expect(verification.harm).toBe(
      'CONSUMER_COMPUTE is worse after the change: processed 1300 -> 700 records/s after the scale-up',
    );
    const revert = verification.next!.assessment;
    expect(revert.revert).toEqual({ reason: verification.harm });
    expect(revert.steps).toEqual([
      {
        type: 'UpdateApplicationParallelism',
        applicationName: 'orders-enricher',
        from: 14,
        to: 4,
        parallelismPerKpu: 1,
        revert: true,
      },
    ]);

    const reverted = await applyAll(world, revert.steps);
    expect(world.applications.get('orders-enricher').parallelism).toBe(4);
    const intents = world.ledger.entries.filter((e) => e.phase === 'intent');
    expect(intents.map((e) => [e.kind ?? 'change', e.from, e.to])).toEqual([
      ['change', 4, 14],
      ['revert', 14, 4],
    ]);
    expect(openIntents(world.ledger.entries)).toEqual([]);

    // The revert round is verified like any other, and is the run's last: nothing is reverted twice.
    const last = await verify(world, revert, reverted, verification.next!.rounds, 2);
    expect(last.next).toBeUndefined();
    expect(world.applications.calls).toHaveLength(2);
  });
});

/** After the update (at 10:15) the job keeps failing: restarts every few minutes since. */
function failingAfterUpdate(): GetMetricDataRecord {
  return afterUpdate({
    recordsInPerSecond: (i) => (i < 35 ? 1300 : 400),
    fullRestarts: (i) => (i < 35 ? 0 : Math.floor((i - 35) / 5) + 1),
  });
}

describe('the verify and apply tasks on a change after which the job fails', () => {
  it('rolls the application back to the version before the change with RollbackApplication, once', async () => {
    const world = fakeWorldFrom(behindSnapshot(), { laterMetrics: [failingAfterUpdate()] });
    const assessment = (await world.cores.assess({ run })) as Assessment;
    const progress = await applyAll(world, assessment.steps);
    world.clock.set(VERIFIED_AT);

    const verification = await verify(world, assessment, progress);

    expect(verification.report.diagnosis.cause).toBe('APP_UNHEALTHY');
    expect(verification.harm).toMatch(/^CONSUMER_COMPUTE gave way to APP_UNHEALTHY after the change/);
    const revert = verification.next!.assessment;
    expect(revert.steps).toEqual([
      expect.objectContaining({ type: 'UpdateApplicationParallelism', from: 14, to: 4, revert: true, rollback: true }),
    ]);

    const reverted = await applyAll(world, revert.steps);
    expect(world.applications.calls.map((c) => [c.method, c.update.currentApplicationVersionId])).toEqual([
      ['updateParallelism', 7],
      ['rollbackApplication', 8],
    ]);
    expect(world.applications.get('orders-enricher')).toMatchObject({ parallelism: 4, status: 'RUNNING' });
    const intents = world.ledger.entries.filter((e) => e.phase === 'intent');
    expect(intents.map((e) => [e.kind ?? 'change', e.actionType, e.from, e.to])).toEqual([
      ['change', 'UpdateApplicationParallelism', 4, 14],
      ['revert', 'UpdateApplicationParallelism', 14, 4],
    ]);
    expect(openIntents(world.ledger.entries)).toEqual([]);
    const last = await verify(world, revert, reverted, verification.next!.rounds, 2);
    expect(last.next).toBeUndefined();
  });
});
