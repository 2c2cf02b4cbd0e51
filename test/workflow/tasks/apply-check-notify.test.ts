import { changesOf } from '../../../lambdas/domain/ledger-intents';
import { INITIAL_PROGRESS, type Assessment, type ResourceWait } from '../../../lambdas/domain/run-state';
import type { StepApplied } from '../../../lambdas/workflow/apply-step';
import { SERVICE_METRIC_NAMES } from '../../../lambdas/domain/service-metrics';
import type { NotifyResult } from '../../../lambdas/workflow/state';
import { ConcurrentModificationError } from '../../../lambdas/ports/errors';
import { fakeWorldFrom } from '../../fakes/world';
import { runContext } from '../../fakes/runs';
import { writeThrottledSnapshot } from './scenarios';

const run = { ...runContext(), config: { ...runContext().config, application: undefined } };

async function planned() {
  const world = fakeWorldFrom(writeThrottledSnapshot(), { updatingDescribes: 1 });
  const assessment = (await world.cores.assess({ run })) as Assessment;
  return { world, assessment };
}

describe('apply task', () => {
  it('applies one step per call and counts it in ActionsTaken', async () => {
    const { world, assessment } = await planned();
    const { progress } = (await world.cores.apply({
      run,
      steps: assessment.steps,
      progress: INITIAL_PROGRESS,
    })) as StepApplied;
    expect(progress).toMatchObject({ next: 1, more: true });
    expect(world.streams.calls).toEqual([{ method: 'updateShardCount', streamName: 'orders-stream', value: 4 }]);
    expect(world.telemetry.total(SERVICE_METRIC_NAMES.actionsTaken)).toBe(1);
  });

  it('makes no call when the step, its wait and the end of the run may not finish before the timeout', async () => {
    const { world, assessment } = await planned();
    // The run started at 10:15; the world's clock is at 10:15 too, with a 30-minute timeout.
    const budget = { timeoutSeconds: 1800, stepSeconds: 1500, settleSeconds: 300, closeSeconds: 212 };
    const error = await world.cores
      .apply({ run, steps: assessment.steps, progress: INITIAL_PROGRESS, budget })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TimeBudgetError' });
    expect((error as Error).message).toContain('step 1 of');
    expect(world.streams.calls).toEqual([]);
    expect(world.ledger.entries).toEqual([]);
    const fits = { ...budget, timeoutSeconds: 7200 };
    await world.cores.apply({ run, steps: assessment.steps, progress: INITIAL_PROGRESS, budget: fits });
    expect(world.streams.calls).toHaveLength(1);
  });

  it('lets a port failure through under its own name, for the workflow to retry or catch', async () => {
    const { world, assessment } = await planned();
    world.streams.failures.failNext(
      'updateShardCount',
      new ConcurrentModificationError('changed meanwhile', { action: 'UpdateShardCount' }),
    );
    const error = await world.cores
      .apply({ run, steps: assessment.steps, progress: INITIAL_PROGRESS })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ConcurrentModificationError' });
    // The intent was written before the call; AWS's refusal closes it as not made, so nothing counts.
    expect(world.ledger.entries.map((e) => [e.phase, e.result])).toEqual([
      ['intent', undefined],
      ['result', 'not-made'],
    ]);
    expect(changesOf(world.ledger.entries)).toEqual([]);
    expect(world.telemetry.total(SERVICE_METRIC_NAMES.actionsTaken)).toBe(0);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['no steps', { steps: [] }, 'steps'],
    ['a step of an unknown type', { steps: [{ type: 'DeleteStream', streamName: 'orders-stream' }] }, 'steps[0].type'],
    ['a negative step index', { progress: { ...INITIAL_PROGRESS, next: -1 } }, 'progress.next'],
  ])('refuses a payload with %s, naming the field', async (_case, change, path) => {
    const { world, assessment } = await planned();
    const payload = { run, steps: assessment.steps, progress: INITIAL_PROGRESS, ...change };
    await expect(world.cores.apply(payload)).rejects.toMatchObject({ name: 'InvalidInputError', path });
    expect(world.streams.calls).toEqual([]);
  });
});

describe('wait-check task', () => {
  it('reports ready once the stream is ACTIVE again', async () => {
    const { world, assessment } = await planned();
    const applied = (await world.cores.apply({
      run,
      steps: assessment.steps,
      progress: INITIAL_PROGRESS,
    })) as StepApplied;
    const first = (await world.cores['wait-check']({ wait: applied.wait, maxPolls: 5 })) as ResourceWait;
    const second = (await world.cores['wait-check']({ wait: first, maxPolls: 5 })) as ResourceWait;
    expect([first.ready, second.ready]).toEqual([false, true]);
    expect(second).toMatchObject({ polls: 2, lastStatus: 'ACTIVE' });
  });
});

describe('notify task', () => {
  it('publishes the message for the state it is given and returns its subject and outcome', async () => {
    const { world, assessment } = await planned();
    const result = (await world.cores.notify({
      run: { ...run, dryRun: true },
      assessment,
      lock: { acquired: true },
    })) as NotifyResult;
    expect(world.notifier.messages).toHaveLength(1);
    expect(result.subject).toBe(world.notifier.messages[0]!.subject);
    expect(world.notifier.messages[0]!.attributes['target']).toBe('orders');
  });

  it('fails under the notifier’s error name when SNS refuses', async () => {
    const { world, assessment } = await planned();
    world.notifier.failures.failNext('publish', Object.assign(new Error('denied'), { name: 'AccessDeniedError' }));
    await expect(world.cores.notify({ run, assessment })).rejects.toMatchObject({ name: 'AccessDeniedError' });
  });
});

describe('notify task: one message per incident and per change of state', () => {
  const sweep = { kind: 'sweep' as const, alarmNames: ['StreamMedic-orders-write-throttling'] };
  const alarm = { kind: 'alarm' as const, alarmName: 'StreamMedic-orders-write-throttling' };

  it("keeps a sweep's run quiet when it would tell what the last message told, and remembers each message sent", async () => {
    const { world, assessment } = await planned();
    const first = (await world.cores.notify({ run: { ...run, trigger: alarm }, assessment })) as NotifyResult;
    const again = (await world.cores.notify({
      run: { ...run, trigger: sweep, executionId: `${run.executionId}-sweep` },
      assessment,
    })) as NotifyResult;
    expect(first.published).toBe(true);
    expect(again).toEqual({ subject: first.subject, outcome: first.outcome, published: false });
    expect(world.notifier.messages).toHaveLength(1);
    expect(await world.notices.last('orders')).toMatchObject({ executionId: run.executionId, subject: first.subject });
  });

  it('lets an alarm-started run tell on-call even when nothing changed since the last message', async () => {
    const { world, assessment } = await planned();
    await world.cores.notify({ run: { ...run, trigger: alarm }, assessment });
    await world.cores.notify({ run: { ...run, trigger: alarm }, assessment });
    expect(world.notifier.messages).toHaveLength(2);
  });

  it("publishes a sweep's run whose outcome differs from the last message", async () => {
    const { world, assessment } = await planned();
    await world.cores.notify({
      run: { ...run, trigger: alarm },
      assessment: { ...assessment, disposition: 'all-refused' },
    });
    const result = (await world.cores.notify({ run: { ...run, trigger: sweep }, assessment })) as NotifyResult;
    expect(result.published).toBe(true);
    expect(world.notifier.messages.map((m) => m.attributes['outcome'])).toEqual(['all-refused', 'applied']);
  });

  it("keeps a sweep's run quiet when it finds nothing to do", async () => {
    const { world, assessment } = await planned();
    const report = { ...assessment.report, diagnosis: { ...assessment.report.diagnosis, cause: 'HEALTHY' as const } };
    const healthy: Assessment = { ...assessment, report, disposition: 'nothing-to-do', steps: [] };
    const result = (await world.cores.notify({ run: { ...run, trigger: sweep }, assessment: healthy })) as NotifyResult;
    expect(result).toMatchObject({ outcome: 'nothing-to-do', published: false });
    expect(world.notifier.messages).toEqual([]);
  });
  it('keeps a scale-back follow-up quiet when it finds a problem it may not plan for, but not an alarm-started run', async () => {
    const { world, assessment } = await planned();
    // Busy but unplanned: the follow-up plans only the scale-back, so the same finding has no step.
    const unplanned: Assessment = { ...assessment, disposition: 'nothing-to-do', steps: [] };
    const followUp = { kind: 'sweep' as const, alarmNames: [], scaleBack: true as const };
    const quiet = (await world.cores.notify({
      run: { ...run, trigger: followUp },
      assessment: unplanned,
    })) as NotifyResult;
    expect(quiet).toMatchObject({ outcome: 'action-required', published: false });
    expect(world.notifier.messages).toEqual([]);

    const told = (await world.cores.notify({ run: { ...run, trigger: alarm }, assessment: unplanned })) as NotifyResult;
    expect(told).toMatchObject({ outcome: 'action-required', published: true });
  });

  it('lets a scale-back follow-up tell on-call what it changed', async () => {
    const { world, assessment } = await planned();
    const followUp = { kind: 'sweep' as const, alarmNames: [], scaleBack: true as const };
    const result = (await world.cores.notify({ run: { ...run, trigger: followUp }, assessment })) as NotifyResult;
    expect(result).toMatchObject({ outcome: 'applied', published: true });
  });
});
