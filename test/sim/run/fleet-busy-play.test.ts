import { CHANGING_APIS } from '../../../sim/faults';
import { playScenario } from '../../../sim/run/player';
import { resolveScenario } from '../../../sim/scenario';

const MINUTE = 60_000;

describe('a target whose alarm fires while every fleet slot is held by other targets', () => {
  it('has its alarm run turned away as fleet-busy, and is remediated by the sweep once a slot is free', async () => {
    const scenario = resolveScenario('traffic-spike-3x');
    const startMs = Date.parse(scenario.startTime);
    // The other targets' runs hold every slot until minute 44; the alarm fires at minute 35.
    const freeFrom = startMs + 44 * MINUTE;
    const play = await playScenario(scenario, {
      onWorld: (world) => {
        for (let slot = 0; slot < world.config.fleet.maxConcurrentRuns; slot++) {
          world.slots.held.set(`other-run-${slot}`, { index: slot, expiresAt: freeFrom });
        }
      },
    });

    const alarmRun = play.runs.find((run) => run.trigger.startsWith('alarm'))!;
    expect(alarmRun.lockAcquired).toBe(false);
    expect(play.world.turnedAway.runs.map((run) => run.reason)).toContain('fleet-busy');
    // Nothing is changed while the slots are held.
    const changes = play.world.apiCalls().filter((call) => CHANGING_APIS.has(call.api));
    expect(changes.every((call) => call.at >= freeFrom)).toBe(true);

    // The turned-away run gave the target's lock back: the sweep's run takes it.
    const remediating = play.runs.find((run) => run.lockAcquired === true)!;
    expect(remediating.trigger).toMatch(/^sweep/);
    expect(remediating.startedAt).toBeGreaterThanOrEqual(freeFrom);
    expect(changes.length).toBeGreaterThan(0);
    expect(remediating.rounds[0]!.assessment.report.diagnosis.cause).toBe('CONSUMER_COMPUTE');
  });
});
