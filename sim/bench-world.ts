/**
 * How long six simulated hours of one pipeline take: `npx tsx sim/bench-world.ts [scenario]`.
 * Prints the first (cold) run and the median of the following ones. Not a test: a figure to watch.
 */
import { performance } from 'node:perf_hooks';
import { resolveScenario } from './scenario';
import { createWorld } from './world';

const SIMULATED_MINUTES = 6 * 60;
const RUNS = 6;

function main(): void {
  const name = process.argv[2] ?? 'traffic-spike-3x';
  // Exactly six hours: no history before the start, so the figure is the six hours alone.
  const scenario = { ...resolveScenario(name), durationMinutes: SIMULATED_MINUTES, historyMinutes: 0 };
  const times: number[] = [];
  let datapoints = 0;
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const world = createWorld(scenario);
    world.runToEnd();
    times.push(performance.now() - started);
    datapoints = world.cloudwatch.publishedMetrics().length;
    if (world.samples().length !== SIMULATED_MINUTES) throw new Error('the world did not simulate six hours');
  }
  const warm = times.slice(1).sort((a, b) => a - b);
  const median = warm[Math.floor(warm.length / 2)]!;
  console.log(
    `scenario ${name}: ${SIMULATED_MINUTES} simulated minutes, ${datapoints} metric series, alarms evaluated every minute`,
  );
  console.log(`first run (cold): ${times[0]!.toFixed(0)} ms`);
  console.log(`median of ${warm.length} warm runs: ${median.toFixed(0)} ms`);
}

main();
