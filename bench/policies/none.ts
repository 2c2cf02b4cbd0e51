import { createWorld } from '../../sim/world';
import type { BenchPolicy } from './policy';

/** No remediation: the pipeline as the scenario leaves it (Managed Flink's own autoscaling still acts where it is on). */
export const nonePolicy: BenchPolicy = {
  name: 'none',
  summary: 'No remediation: the world runs as the scenario leaves it.',
  async play(scenario, options = {}) {
    const world = createWorld(scenario, { ...(options.seed !== undefined ? { seed: options.seed } : {}) });
    world.runToEnd();
    return { world, outcome: world.outcome() };
  },
};
