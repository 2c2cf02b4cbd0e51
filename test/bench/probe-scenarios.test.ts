import { probeScenario } from '../../bench/probe-scenarios';
import { parseScenario } from '../../sim/scenario';

describe('the probe scenarios (npm run bench:probes)', () => {
  const drawn = Array.from({ length: 60 }, (_, index) => probeScenario(7, index));
  const probes = drawn.filter((p): p is Record<string, unknown> => p !== undefined);

  it('draws the same incidents from the same seed, and others from another', () => {
    expect(Array.from({ length: 60 }, (_, index) => probeScenario(7, index))).toEqual(drawn);
    expect(probeScenario(8, 0)).not.toEqual(probeScenario(7, 0));
  });

  it('writes only scenarios the scenario schema accepts, each needing some capacity', () => {
    expect(probes.length).toBeGreaterThan(30);
    for (const probe of probes) {
      const scenario = parseScenario(probe);
      expect(scenario.expect!.causes.length).toBeGreaterThan(0);
    }
  });

  it('states the causes from its own arithmetic: shards past their write limits, a job past 75% of what it processes', () => {
    for (const probe of probes) {
      const scenario = parseScenario(probe);
      const app = scenario.pipeline.application!;
      const stream = scenario.pipeline.stream;
      const traffic = scenario.traffic;
      const event = traffic.events[0]!;
      const peak = traffic.recordsPerSecond * ('factor' in event ? event.factor : 1);
      const recordBytes = traffic.bytesPerSecond / traffic.recordsPerSecond;
      const accepts = (shards: number) => Math.min(shards * 1000, (shards * 1024 * 1024) / recordBytes);
      const working = app.keyGroups ? app.keyGroups / Math.ceil(app.keyGroups / app.parallelism) : app.parallelism;
      const maxShards = scenario.streamMedic.target.stream!.maxShards;
      const causes = scenario.expect!.causes;
      expect(causes.includes('STREAM_WRITE_CAPACITY')).toBe(peak > accepts(stream.shards!));
      expect(causes.includes('CONSUMER_COMPUTE')).toBe(
        Math.min(peak, accepts(maxShards)) >= 0.75 * working * app.recordsPerSecondPerSubtask,
      );
    }
  });
});
