import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { acceptedChanges, wrongActions } from '../../bench/figures';
import { playScenario } from '../../sim/run/player';
import { synthesizedWorkflow } from '../../sim/run/workflow-template';
import { builtInScenarioNames, loadScenarioFile, statedExpectation, type Scenario } from '../../sim/scenario';
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

  it.each(files)('%s states the causes its own traffic and faults make', (file) => {
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
    expect(causes.includes('STREAM_WRITE_CAPACITY')).toBe(records > writeCapacity(scenario));
    // The job sees what the stream admits; a job short only of the demand a reshard would let in is
    // sized in the same plan as the stream's finding, not named for itself.
    const admitted = Math.min(records, writeCapacity(scenario));
    // A keyed job runs at the pace of its busiest subtask, which holds ceil(keyGroups / parallelism) key groups.
    const { parallelism, keyGroups } = application!;
    const working = keyGroups === undefined ? parallelism : keyGroups / Math.ceil(keyGroups / parallelism);
    expect(causes.includes('CONSUMER_COMPUTE')).toBe(
      admitted >= BUSY_SHARE * working * application!.recordsPerSecondPerSubtask,
    );
    // One key's share all on one shard, with the rest spread: a hot shard over its 1,000 records/s.
    const hotShare = hotKeyShare(scenario);
    const hotShard = hotShare * records + ((1 - hotShare) * records) / (stream!.shards ?? 1);
    expect(causes.includes('HOT_SHARD')).toBe(hotShare > 0 && hotShard > 1000);
    const faults = scenario.faults ?? [];
    const sink = faults.find((fault) => fault.type === 'sinkCapacity');
    expect(causes.includes('SINK_BACKPRESSURE')).toBe(sink !== undefined && sink.recordsPerSecond < records);
    expect(causes.includes('APP_UNHEALTHY')).toBe(faults.some((fault) => fault.type === 'crashLoop'));
    expect(causes.includes('MEMORY_PRESSURE')).toBe(faults.some((fault) => fault.type === 'memoryLeak'));
    // Flink's source polls each shard 5 times a second by default, every other reader once: a shard serves 5.
    const calls =
      (application?.pollCallsPerSecond ?? 5) +
      (scenario.pipeline.consumers ?? []).reduce((sum, consumer) => sum + (consumer.callsPerSecond ?? 1), 0);
    expect(causes.includes('STREAM_READ_CAPACITY')).toBe(calls > 5);
  });
});

/**
 * Records/s the stream takes: 1,000 a shard; an on-demand stream, twice its previous peak and at
 * least what 4 shards take, until it adapts.
 */
function writeCapacity(scenario: Scenario): number {
  const stream = scenario.pipeline.stream!;
  if (stream.mode === 'ON_DEMAND') return Math.max(4 * 1000, 2 * (stream.onDemandPeakRecordsPerSecond ?? 0));
  return stream.shards! * 1000;
}

function hotKeyShare(scenario: Scenario): number {
  const event = scenario.traffic.events?.find((e) => e.type === 'hotKey');
  return event?.type === 'hotKey' ? event.share : 0;
}

describe('the benchmark variants, end to end through the synthesized workflow', () => {
  beforeAll(() => {
    synthesizedWorkflow();
  });

  it.each(files)('%s meets its stated expectation, with no change the benchmark judges wrong', async (file) => {
    const play = await playScenario(loadScenarioFile(join(VARIANTS, file)));
    expect(play.expectation!.misses).toEqual([]);
    const { world } = play;
    expect(wrongActions(play.scenario, acceptedChanges(world), world.samples(), world.policy.lagThresholdMs)).toEqual(
      [],
    );
  });
});
