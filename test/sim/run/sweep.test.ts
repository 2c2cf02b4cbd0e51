/**
 * The sweep in the simulator: the schedule invokes it on the world's clock, it starts a run while an
 * alarm stays in ALARM, the runs go through the lock, and on-call hears each change once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { playScenario, type ExecutionRecord, type Playthrough } from '../../../sim/run/player';
import { synthesizedWorkflow } from '../../../sim/run/workflow-template';
import { parseScenario, resolveScenario, SCENARIO_DIR, type ScenarioInput } from '../../../sim/scenario';

const MINUTE = 60_000;

function builtInWith(name: string, edit: (doc: ScenarioInput) => ScenarioInput) {
  const doc = JSON.parse(readFileSync(join(SCENARIO_DIR, `${name}.json`), 'utf8')) as ScenarioInput;
  return parseScenario(edit(doc));
}

const bySweep = (run: ExecutionRecord): boolean => run.trigger.startsWith('sweep');
const causesOf = (run: ExecutionRecord): string[] => run.rounds.map((r) => r.assessment.report.diagnosis.cause);
const subjects = (play: Playthrough): string[] => play.world.notifier.messages().map((m) => m.message.subject);

beforeAll(() => {
  synthesizedWorkflow();
});

describe('the sweep, played on the simulated clock', () => {
  // The slow ramp as it was when the busy threshold was a fixed 800 ms/s: the CPU alarm fires at 75%
  // with the busiest task under 800, and the run it starts answers HEALTHY.
  let disagreeing: Playthrough;
  beforeAll(async () => {
    disagreeing = await playScenario(
      builtInWith('slow-ramp-task-metrics', (doc) => ({
        ...doc,
        streamMedic: { ...doc.streamMedic, policy: { busyHighMsPerSecond: 800 } },
      })),
    );
  });

  it('asks again while the alarm the first run answered HEALTHY stays in ALARM, and acts before the job falls behind', () => {
    const [first] = disagreeing.runs;
    expect(first!.trigger).toBe('alarm StreamMedic-orders-app-cpu');
    expect(causesOf(first!)).toEqual(['HEALTHY']);

    const followUp = disagreeing.runs.find((run) => bySweep(run) && causesOf(run).includes('CONSUMER_COMPUTE'))!;
    expect(followUp.startedAt - first!.startedAt).toBeLessThanOrEqual(10 * MINUTE);
    expect(followUp.rounds[0]!.applied.map((a) => a.step.type)).toEqual(['UpdateApplicationParallelism']);
    // No minute before the sweep's change had lag past the threshold: answered before lag.
    const lagThreshold = disagreeing.world.policy.lagThresholdMs;
    const before = disagreeing.world.samples().filter((s) => s.t < followUp.startedAt && s.t >= first!.startedAt);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((s) => s.lagMs <= lagThreshold)).toBe(true);
    expect(disagreeing.expectation!.misses).toEqual([]);
  });

  it("tells on-call the alarm's answer and the sweep's change, and nothing for the follow-ups that find nothing to do", () => {
    expect(subjects(disagreeing).slice(0, 2)).toEqual([
      'No action needed | StreamMedic orders: HEALTHY (info)',
      'Resolved | StreamMedic orders: CONSUMER_COMPUTE (warning) - parallelism 4->10',
    ]);
  });

  it('repeats nothing while an incident it cannot fix goes on: many sweep runs, one message', async () => {
    const play = await playScenario(resolveScenario('crash-loop'));
    const sweeps = play.runs.filter(bySweep);
    expect(sweeps.length).toBeGreaterThanOrEqual(10);
    expect(sweeps.every((run) => causesOf(run).every((cause) => cause === 'APP_UNHEALTHY'))).toBe(true);
    expect(subjects(play)).toHaveLength(1);
  });

  it('records the runs a busy lock turned away, and finishes with a sweep what the alarm runs left', async () => {
    const play = await playScenario(resolveScenario('monday-ramp-after-scale-in'));
    const turnedAway = play.runs.filter((run) => run.lockAcquired === false);
    expect(turnedAway.length).toBeGreaterThan(0);
    expect(play.world.turnedAway.runs.map((r) => r.executionId)).toEqual(turnedAway.map((r) => r.executionArn));
    for (const record of play.world.turnedAway.runs) expect(record.heldBy).toMatch(/:execution:StreamMedic:/);

    const reshards = play.runs.filter((run) =>
      run.rounds.some((r) => r.applied.some((a) => a.step.type === 'UpdateShardCount')),
    );
    expect(reshards.length).toBeGreaterThan(0);
    expect(reshards.some(bySweep)).toBe(true);
    expect(play.expectation!.misses).toEqual([]);
  });
});
