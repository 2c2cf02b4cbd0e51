import { CHANGING_APIS } from '../../../sim/faults';
import { playScenario } from '../../../sim/run/player';
import { resolveScenario } from '../../../sim/scenario';

const MINUTE = 60_000;

describe('a target whose run assessed while other runs took the last of the fleet change slots', () => {
  it('makes no change, ends told and unlocked, and is remediated by a sweep once a slot leaves the hour', async () => {
    const scenario = resolveScenario('traffic-spike-3x');
    const startMs = Date.parse(scenario.startTime);
    // Other runs that assessed in the same second took every slot at minute 20, after the count this
    // run's assessment reads (nothing in the FLEET_CHANGE items): its plan passes the guardrail.
    const takenAt = startMs + 20 * MINUTE;
    const freeFrom = takenAt + 60 * MINUTE;
    const play = await playScenario(scenario, {
      onWorld: (world) => {
        for (let slot = 0; slot < world.config.fleet.maxChangesPerHour; slot++) {
          world.fleetChanges.slots.set(slot, {
            at: new Date(takenAt).toISOString(),
            target: `other-${slot}`,
            executionId: `other-run-${slot}`,
            round: 1,
            step: 0,
          });
        }
      },
    });

    const refused = play.runs.filter((run) => run.error === 'FleetBudgetError');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((run) => run.states.at(-1) === 'RemediationFailed')).toBe(true);
    const changes = play.world.apiCalls().filter((call) => CHANGING_APIS.has(call.api));
    expect(changes.every((call) => call.at >= freeFrom)).toBe(true);
    const told = play.world.notifier.messages().map((m) => m.message.body);
    expect(told.some((body) => body.includes('FleetBudgetError: step 1 of'))).toBe(true);
    expect(told.some((body) => body.includes('(fleet.maxChangesPerHour 20)'))).toBe(true);

    // The refused runs gave the target's lock back: a later sweep's run takes it and makes the change.
    expect(changes.length).toBeGreaterThan(0);
    const remediating = play.runs.find((run) => run.status === 'SUCCEEDED' && run.startedAt >= freeFrom);
    expect(remediating?.trigger).toMatch(/^sweep/);
  });
});
