import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { builtInScenarioNames, loadScenarioFile, statedExpectation } from '../../sim/scenario';
import { TrafficModel } from '../../sim/traffic';

const VARIANTS = join(__dirname, '../../bench/variants');
const files = readdirSync(VARIANTS).filter((file) => file.endsWith('.json'));
const MINUTE_MS = 60_000;
/** The CPU the diagnosis calls busy (policy.cpuHighPercent), as a share of the job's capacity. */
const BUSY_SHARE = 0.75;

describe('the benchmark variants (bench/variants)', () => {
  it('are there, each named as its file and none named as a built-in scenario', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
    const builtIn = new Set(builtInScenarioNames());
    for (const file of files) {
      const scenario = loadScenarioFile(join(VARIANTS, file));
      expect(`${scenario.name}.json`).toBe(file);
      expect(builtIn.has(scenario.name)).toBe(false);
    }
  });

  it.each(files)('%s states the causes its own traffic makes: a full stream, a busy job', (file) => {
    const scenario = loadScenarioFile(join(VARIANTS, file));
    const start = Date.parse(scenario.startTime);
    const traffic = new TrafficModel(scenario.traffic, start, 0);
    let peak = 0;
    for (let t = start; t < start + scenario.durationMinutes * MINUTE_MS; t += MINUTE_MS) {
      peak = Math.max(peak, traffic.multiplier(t));
    }
    const records = scenario.traffic.recordsPerSecond * peak;
    const { stream, application } = scenario.pipeline;
    const causes = statedExpectation(scenario).causes;
    // 1,000 records/s a shard is the write limit; the job is busy once it processes 75% of what it can.
    expect(causes.includes('STREAM_WRITE_CAPACITY')).toBe(records > stream!.shards * 1000);
    expect(causes.includes('CONSUMER_COMPUTE')).toBe(
      records >= BUSY_SHARE * application!.parallelism * application!.recordsPerSecondPerSubtask,
    );
  });
});
