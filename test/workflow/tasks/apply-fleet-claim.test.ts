import { INITIAL_PROGRESS, type Assessment } from '../../../lambdas/domain/run-state';
import { FleetBudgetError, type StepApplied } from '../../../lambdas/workflow/apply-step';
import { fakeWorldFrom, type FakeWorld } from '../../fakes/world';
import { runContext } from '../../fakes/runs';
import { writeThrottledSnapshot } from './scenarios';

const run = { ...runContext(), config: { ...runContext().config, application: undefined } };

async function planned() {
  const world = fakeWorldFrom(writeThrottledSnapshot(), { updatingDescribes: 1 });
  const assessment = (await world.cores.assess({ run })) as Assessment;
  return { world, assessment };
}

/** Other runs of the fleet take `count` change slots, `minutesAgo` before the world's now. */
async function otherRunsChanged(world: FakeWorld, count: number, minutesAgo: number, cap: number): Promise<void> {
  const at = new Date(world.clock.now().getTime() - minutesAgo * 60_000).toISOString();
  for (let i = 0; i < count; i += 1) {
    const other = { at, target: `other-${i}`, executionId: `other-run-${i}`, round: 1, step: 0 };
    await world.fleetChanges.claim(other, cap);
  }
}

/** The apply task on the plan's first step, with the fleet's cap (and the run's round, when given). */
async function applyFirst(
  world: FakeWorld,
  steps: Assessment['steps'],
  maxChangesPerHour = 20,
  round?: number,
): Promise<StepApplied> {
  const payload = { run, steps, progress: INITIAL_PROGRESS, maxChangesPerHour, ...(round ? { round } : {}) };
  return (await world.cores.apply(payload)) as StepApplied;
}

describe('apply task: the fleet change slot claimed before each call', () => {
  it('makes no call, records nothing and fails with FleetBudgetError when the fleet used every slot in the hour', async () => {
    const { world, assessment } = await planned();
    await otherRunsChanged(world, 20, 30, 20);

    const error = await applyFirst(world, assessment.steps).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(FleetBudgetError);
    expect((error as Error).message).toBe(
      `step 1 of ${assessment.steps.length} is not made: the fleet made 20 changes in the last hour (fleet.maxChangesPerHour 20)`,
    );
    expect(world.streams.calls).toEqual([]);
    expect(world.ledger.entries).toEqual([]);
    expect(world.fleetChanges.changes.size).toBe(0);
    expect(world.fleetChanges.slots.size).toBe(20);
  });

  it('takes the slot of a change that left the hour, then makes the call', async () => {
    const { world, assessment } = await planned();
    await otherRunsChanged(world, 20, 61, 20);

    const { progress } = await applyFirst(world, assessment.steps);

    expect(progress.applied.map((a) => a.outcome)).toEqual(['requested']);
    expect(world.streams.calls).toHaveLength(1);
    const ours = [...world.fleetChanges.slots.values()].filter((s) => s.executionId === run.executionId);
    expect(ours).toEqual([
      { at: world.clock.now().toISOString(), target: run.target, executionId: run.executionId, round: 1, step: 0 },
    ]);
  });

  it("goes on with the slot its own earlier attempt took, but not with a slot of the run's earlier round", async () => {
    const { world, assessment } = await planned();
    const now = world.clock.now().toISOString();
    await world.fleetChanges.claim({ at: now, target: run.target, executionId: run.executionId, round: 1, step: 0 }, 1);
    const apply = (round: number) => applyFirst(world, assessment.steps, 1, round);

    await expect(apply(2)).rejects.toBeInstanceOf(FleetBudgetError);
    expect(world.streams.calls).toEqual([]);
    await apply(1);
    expect(world.streams.calls).toHaveLength(1);
    expect(world.fleetChanges.slots.size).toBe(1);
  });

  it('claims nothing for a step whose change is already in place', async () => {
    const { world, assessment } = await planned();
    const step = assessment.steps[0]!;
    if (!('streamName' in step) || step.type !== 'UpdateShardCount') throw new Error('the plan starts with a reshard');
    await world.streams.updateShardCount(step.streamName, step.to);
    world.streams.calls.length = 0;
    // The one describe the stream stays UPDATING for, after someone else's reshard.
    await world.streams.describeStreamSummary(step.streamName);
    await otherRunsChanged(world, 20, 30, 20);

    const { progress } = await applyFirst(world, assessment.steps);

    expect(progress.applied.map((a) => a.outcome)).toEqual(['already-done']);
    expect(world.streams.calls).toEqual([]);
  });

  it('makes a revert with every slot taken: taking back harm is not held back by the cap', async () => {
    const { world, assessment } = await planned();
    await otherRunsChanged(world, 20, 30, 20);
    const revert = assessment.steps.map((step) => ({ ...step, revert: true as const }));

    const { progress } = await applyFirst(world, revert);

    expect(progress.applied.map((a) => a.outcome)).toEqual(['requested']);
    expect(world.streams.calls).toHaveLength(1);
    expect([...world.fleetChanges.slots.values()].some((s) => s.executionId === run.executionId)).toBe(false);
  });

  it('tells on-call the step was not made and why, before any change', async () => {
    const { world, assessment } = await planned();
    await otherRunsChanged(world, 20, 30, 20);
    const error = (await world.cores
      .apply({ run, steps: assessment.steps, progress: INITIAL_PROGRESS, maxChangesPerHour: 20 })
      .catch((e: unknown) => e)) as Error;

    await world.cores.notify({
      run,
      assessment,
      lock: { acquired: true },
      failure: { Error: error.name, Cause: JSON.stringify({ errorType: error.name, errorMessage: error.message }) },
    });

    const body = world.notifier.messages[0]!.body;
    expect(body).toContain('FAILED before any change was made.');
    expect(body).toContain(`FleetBudgetError: ${error.message}`);
  });
});
