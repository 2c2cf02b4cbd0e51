import { INITIAL_PROGRESS, type Assessment } from '../../../lambdas/domain/run-state';
import { fakeWorldFrom, type FakeWorld } from '../../fakes/world';
import { EXECUTION_ARN, runContext } from '../../fakes/runs';
import { writeThrottledSnapshot } from './scenarios';

const run = { ...runContext(), config: { ...runContext().config, application: undefined } };

/** Changes other targets' runs made `minutesAgo` before the world's now. */
async function othersChanged(world: FakeWorld, minutesAgo: readonly number[]): Promise<void> {
  for (const [index, minutes] of minutesAgo.entries()) {
    await world.fleetChanges.record({
      at: new Date(world.clock.now().getTime() - minutes * 60_000).toISOString(),
      target: `other-${index}`,
      executionId: `arn:aws:states:eu-west-1:123456789012:execution:stream-medic:other-${index}`,
      step: 0,
    });
  }
}

describe('assess step: the fleet budget (fleet.maxChangesPerHour)', () => {
  it("refuses the plan's two shard steps when the fleet's changes of the last hour leave room for one", async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot());
    await othersChanged(world, [10, 20, 90, 120]);
    const assessment = (await world.cores.assess({ run, maxChangesPerHour: 3 })) as Assessment;

    expect(assessment.disposition).toBe('all-refused');
    expect(assessment.steps).toEqual([]);
    expect(assessment.report.plan.refused).toEqual([
      expect.objectContaining({
        guardrail: 'fleet-budget',
        reason: 'the fleet made 2 change(s) in the last hour; 2 more would pass fleet.maxChangesPerHour (3)',
      }),
    ]);
    // Kept for the history like every refusal.
    expect(world.refusals.refusals.map((r) => r.guardrail)).toEqual(['fleet-budget']);
  });

  it('plans the steps while the fleet has room for them', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot());
    await othersChanged(world, [10, 20]);
    const assessment = (await world.cores.assess({ run, maxChangesPerHour: 4 })) as Assessment;
    expect(assessment.disposition).toBe('apply');
    expect(assessment.steps).toHaveLength(2);
  });

  it('reads nothing of the fleet without a cap in its payload', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot());
    let reads = 0;
    world.fleetChanges.since = async () => {
      reads += 1;
      return [];
    };
    await world.cores.assess({ run });
    expect(reads).toBe(0);
  });
});

describe('apply step: each change is counted for the fleet', () => {
  it('records one fleet change per step made, which the next assessment of any target counts', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot());
    const assessment = (await world.cores.assess({ run, maxChangesPerHour: 20 })) as Assessment;
    await world.cores.apply({ run, steps: assessment.steps, progress: INITIAL_PROGRESS });

    expect([...world.fleetChanges.changes.values()]).toEqual([
      { at: world.clock.now().toISOString(), target: 'orders', executionId: EXECUTION_ARN, step: 0 },
    ]);
    // Another target's assessment, over the same fleet log: with the cap at 2, the change just
    // made leaves no room for its two steps.
    const other = fakeWorldFrom(writeThrottledSnapshot());
    for (const change of world.fleetChanges.changes.values()) await other.fleetChanges.record(change);
    const planned = (await other.cores.assess({ run, maxChangesPerHour: 2 })) as Assessment;
    expect(planned.report.plan.refused.map((r) => r.guardrail)).toEqual(['fleet-budget']);
    expect(planned.report.plan.refused[0]!.reason).toContain('the fleet made 1 change(s) in the last hour');
  });
});
