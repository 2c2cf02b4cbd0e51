/**
 * The apply task after a wait that ended in failure: an application still UPDATING after its
 * parallelism update is rolled back once, with snapshots, and recorded as a revert; one that is
 * READY, takes no snapshots, or whose run already reverted is left to a person, and said so.
 */
import { openIntents } from '../../lambdas/domain/ledger-intents';
import { composeNotification } from '../../lambdas/domain/notification';
import { INITIAL_PROGRESS, type Progress, type ResourceWait, type WorkStep } from '../../lambdas/domain/run-state';
import { WAIT_FAILED_ERRORS } from '../../lambdas/domain/stuck-rollback';
import { ResourceStateError, type StepApplied } from '../../lambdas/workflow/apply-step';
import { ResourceNotReadyError } from '../../lambdas/workflow/check-resource';
import type { StuckRollbackResult } from '../../lambdas/workflow/state';
import { createApplyTask } from '../../lambdas/workflow/tasks/apply';
import { InvalidRequestError } from '../../lambdas/ports/errors';
import { FakeApplicationControl } from '../fakes/application-control';
import { FakeClock } from '../fakes/clock';
import { InMemoryLedger } from '../fakes/ledger';
import { InMemoryFleetChangeLog } from '../../sim/adapters';
import { runContext } from '../fakes/runs';
import { RecordingTelemetry } from '../fakes/telemetry';

const run = runContext();
const APP = 'orders-enricher';
const SCALE_UP: WorkStep = {
  type: 'UpdateApplicationParallelism',
  applicationName: APP,
  from: 4,
  to: 10,
  parallelismPerKpu: 1,
};
const STUCK_WAIT: ResourceWait = {
  awaiting: { kind: 'application', name: APP },
  polls: 40,
  ready: false,
  lastStatus: 'UPDATING',
};

function setUp(options: { snapshotsEnabled?: boolean } = {}) {
  // The update never finishes by itself: the application stays UPDATING until something else happens.
  const applications = new FakeApplicationControl(Number.POSITIVE_INFINITY);
  applications.add({
    name: APP,
    status: 'RUNNING',
    versionId: 7,
    parallelism: 4,
    parallelismPerKpu: 1,
    autoScalingEnabled: false,
    snapshotsEnabled: options.snapshotsEnabled ?? true,
    logLevel: 'INFO',
    metricsLevel: 'APPLICATION',
  });
  const ledger = new InMemoryLedger();
  const fleetChanges = new InMemoryFleetChangeLog();
  const apply = createApplyTask({
    applications,
    ledger,
    fleetChanges,
    clock: new FakeClock(),
    telemetry: new RecordingTelemetry(),
  });
  return { applications, ledger, fleetChanges, apply };
}

async function scaleUp(apply: ReturnType<typeof setUp>['apply']): Promise<Progress> {
  return ((await apply({ run, steps: [SCALE_UP], progress: INITIAL_PROGRESS })) as StepApplied).progress;
}

/** The apply task as the RollBackStuckApplication state invokes it, after the wait for the application failed. */
async function afterStuckWait(
  apply: ReturnType<typeof setUp>['apply'],
  progress: Progress,
  wait: ResourceWait = STUCK_WAIT,
): Promise<StuckRollbackResult> {
  return (await apply({ run, steps: [SCALE_UP], progress, stuckWait: wait })) as StuckRollbackResult;
}

const failure = {
  Error: 'ResourceNotReadyError',
  Cause: 'application orders-enricher is still UPDATING after 40 checks; expected RUNNING',
};

describe('rolling back an application that did not come back after its update', () => {
  it('names the errors the wait ends with as the workflow catches them', () => {
    expect(WAIT_FAILED_ERRORS).toEqual([new ResourceStateError('x').name, new ResourceNotReadyError('x').name]);
  });

  it('rolls back an application still UPDATING, once, against its current version, and records a revert', async () => {
    const { applications, ledger, fleetChanges, apply } = setUp();
    const progress = await scaleUp(apply);
    expect(applications.get(APP).status).toBe('UPDATING');

    const result = await afterStuckWait(apply, progress);

    expect(result.rollback).toEqual({
      application: APP,
      status: 'UPDATING',
      outcome: 'rolled-back',
      reason:
        'RollbackApplication to its version before the change (parallelism 10 -> 4), restarted from its last snapshot',
    });
    expect(applications.calls.map((c) => [c.method, c.update.currentApplicationVersionId])).toEqual([
      ['updateParallelism', 7],
      ['rollbackApplication', 8],
    ]);
    expect(applications.get(APP).parallelism).toBe(4);
    const entries = ledger.all();
    expect(openIntents(entries)).toEqual([]);
    expect(entries.map((e) => [e.phase, e.from, e.to, e.kind, e.result])).toEqual([
      ['intent', 4, 10, undefined, undefined],
      ['result', 4, 10, undefined, 'made'],
      ['intent', 10, 4, 'revert', undefined],
      ['result', 10, 4, 'revert', 'made'],
    ]);
    // The scale-up and the rollback both restart the job: both count against the fleet's hourly cap.
    expect(fleetChanges.changes.size).toBe(2);

    // A second failed wait in the same run (the rollback itself stuck) does not roll back again.
    applications.get(APP).status = 'UPDATING';
    const again = await afterStuckWait(apply, progress);
    expect(again.rollback?.outcome).toBe('not-rolled-back');
    expect(again.rollback?.reason).toMatch(/already reverted a change; a run reverts at most once/);
    expect(applications.calls).toHaveLength(2);
  });

  it('tells on-call what was rolled back, with the failed wait', async () => {
    const { apply } = setUp();
    const progress = await scaleUp(apply);
    const { rollback } = await afterStuckWait(apply, progress);
    const message = composeNotification({ run, region: run.region, progress, failure, stuckRollback: rollback! });
    expect(message.body.split('\n')[0]).toBe(
      'ACTION REQUIRED: application orders-enricher did not come back after the update (UPDATING); StreamMedic rolled it back: RollbackApplication to its version before the change (parallelism 10 -> 4), restarted from its last snapshot; check that it is RUNNING and why the update failed.',
    );
    expect(message.body).toContain(
      'ResourceNotReadyError: application orders-enricher is still UPDATING after 40 checks',
    );
    expect(message.attributes['actionRequired']).toBe('true');
  });

  it('does not call RollbackApplication on a READY application, which the API does not accept, and says so', async () => {
    const { applications, ledger, apply } = setUp();
    const progress = await scaleUp(apply);
    applications.get(APP).status = 'READY';

    const { rollback } = await afterStuckWait(apply, progress, { ...STUCK_WAIT, lastStatus: 'READY' });

    expect(rollback?.outcome).toBe('not-rolled-back');
    expect(rollback?.reason).toMatch(
      /accepts only an application that is UPDATING, AUTOSCALING or RUNNING, and this one is READY/,
    );
    expect(applications.calls.map((c) => c.method)).toEqual(['updateParallelism']);
    expect(ledger.all()).toHaveLength(2);
    const message = composeNotification({
      run,
      region: run.region,
      progress,
      failure: {
        Error: 'ResourceStateError',
        Cause: 'application orders-enricher is READY after the update, not RUNNING',
      },
      stuckRollback: rollback!,
    });
    expect(message.body.split('\n')[0]).toMatch(
      /^ACTION REQUIRED: application orders-enricher did not come back after the update \(READY\) and was not rolled back: RollbackApplication accepts only/,
    );
  });

  it('does not roll back an application without snapshots (AWS refuses it) nor one that is RUNNING again', async () => {
    const noSnapshots = setUp({ snapshotsEnabled: false });
    const progress = await scaleUp(noSnapshots.apply);
    const first = await afterStuckWait(noSnapshots.apply, progress);
    expect(first.rollback?.reason).toBe('it takes no snapshots, and AWS refuses a rollback without them');

    const late = setUp();
    const lateProgress = await scaleUp(late.apply);
    late.applications.get(APP).status = 'RUNNING';
    const second = await afterStuckWait(late.apply, lateProgress);
    expect(second.rollback?.reason).toMatch(/^it is RUNNING again/);
    for (const world of [noSnapshots, late]) {
      expect(world.applications.calls.map((c) => c.method)).toEqual(['updateParallelism']);
    }
  });

  it('leaves a stream that did not come back to the failure message alone', async () => {
    const { apply } = setUp();
    const result = await apply({
      run,
      steps: [SCALE_UP],
      progress: INITIAL_PROGRESS,
      stuckWait: { awaiting: { kind: 'stream', name: 'orders-stream' }, polls: 40, ready: false },
    });
    expect(result).toEqual({});
  });

  it('records a rollback AWS refused as not made, and says so', async () => {
    const { applications, ledger, apply } = setUp();
    const progress = await scaleUp(apply);
    applications.failures.failNext(
      'rollbackApplication',
      new InvalidRequestError('no snapshot to roll back to', {
        action: 'RollbackApplication',
        resource: 'application/orders-enricher',
      }),
    );
    const { rollback } = await afterStuckWait(apply, progress);
    expect(rollback?.outcome).toBe('not-rolled-back');
    expect(rollback?.reason).toMatch(
      /^AWS refused it: InvalidRequestError: RollbackApplication on application\/orders-enricher: no snapshot to roll back to$/,
    );
    expect(ledger.all().map((e) => [e.phase, e.kind, e.result])).toEqual([
      ['intent', undefined, undefined],
      ['result', undefined, 'made'],
      ['intent', 'revert', undefined],
      ['result', 'revert', 'not-made'],
    ]);
  });
});
