/**
 * `stream-medic`: StreamMedic itself, with the scenario's config and every default: the player in
 * sim/run runs the state machine CDK synthesizes, with the handler cores over the world's ports,
 * started by the world's alarms exactly as EventBridge would start it.
 */
import { playScenario } from '../../sim/run';
import type { BenchPolicy } from './policy';

export const streamMedicPolicy: BenchPolicy = {
  name: 'stream-medic',
  summary: "StreamMedic with its default policy: the synthesized workflow and handler cores, run by sim/run's player.",
  async play(scenario, options = {}) {
    const played = await playScenario(scenario, { ...(options.seed !== undefined ? { seed: options.seed } : {}) });
    return { world: played.world, outcome: played.outcome };
  },
};
