import { SampleAlarm } from '../../../bench/policies/sample-alarm';
import {
  shardDoublingPolicy,
  shardDoublingTarget,
  shardUtilisationAlarm,
} from '../../../bench/policies/shard-doubling';
import type { DatapointRequest, DatapointSource } from '../../../sim/cloudwatch';
import { START, MINUTE, benchScenario, changeMinutes } from '../support/bench-scenario';

const PERIOD = 5 * MINUTE;

/** CloudWatch with the same IncomingRecords and IncomingBytes sums in every 5-minute period. */
function steadyStream(recordsPerSecond: number, bytesPerSecond: number): DatapointSource {
  return {
    datapoint(request: DatapointRequest) {
      return request.metricName === 'IncomingRecords' ? recordsPerSecond * 300 : bytesPerSecond * 300;
    },
  };
}

describe("the sample's per-shard utilisation", () => {
  it.each([
    // records/s, bytes/s on 4 shards -> utilisation
    [3000, 1024 * 1024, 0.75],
    [1000, 3.2 * 1024 * 1024, 0.8],
    [2960, 1024, 0.74],
  ])('%d records/s and %d bytes/s on 4 shards is %d', (records, bytes, expected) => {
    const alarm = new SampleAlarm(
      { name: 'up', ...shardUtilisationAlarm('orders-stream', 4, 'up') },
      steadyStream(records, bytes),
    );
    // Five datapoints at the utilisation: ALARM exactly when it is at or over 0.75.
    const state = alarm.evaluate(START + 60 * MINUTE);
    expect(state === 'ALARM').toBe(expected >= 0.75);
  });

  it('needs 5 datapoints over the threshold, not 4', () => {
    let periods = 0;
    const source: DatapointSource = {
      datapoint(request, start) {
        const high = start >= START + (12 - periods) * PERIOD;
        const records = high ? 3200 : 1000;
        return request.metricName === 'IncomingRecords' ? records * 300 : records * 1024 * 300;
      },
    };
    const alarm = new SampleAlarm({ name: 'up', ...shardUtilisationAlarm('orders-stream', 4, 'up') }, source);
    periods = 4;
    expect(alarm.evaluate(START + 12 * PERIOD)).toBe('OK');
    periods = 5;
    expect(alarm.evaluate(START + 12 * PERIOD)).toBe('ALARM');
  });

  it.each([
    ['up', 4, 8],
    ['up', 1, 2],
    ['down', 8, 4],
    ['down', 5, 2],
    ['down', 1, 1],
  ] as const)('scale-%s from %d shards asks for %d', (direction, shards, expected) => {
    expect(shardDoublingTarget(direction, shards)).toBe(expected);
  });
});

describe('shard-doubling in the world', () => {
  it('doubles the shards 25 minutes into a stream at 80% of its write limit', async () => {
    const scenario = benchScenario({
      durationMinutes: 40,
      application: null,
      traffic: { recordsPerSecond: 3200, bytesPerSecond: 3200 * 100 },
    });
    const { world } = await shardDoublingPolicy.play(scenario);
    const changes = changeMinutes(world);
    expect(changes.map((c) => c.minute)).toEqual([25]);
    expect(changes[0]!.call.change).toEqual({ kind: 'shards', from: 4, to: 8 });
  });

  it('leaves a stream at 72% alone', async () => {
    const scenario = benchScenario({
      durationMinutes: 40,
      application: null,
      traffic: { recordsPerSecond: 2880, bytesPerSecond: 2880 * 100 },
    });
    const { world } = await shardDoublingPolicy.play(scenario);
    expect(changeMinutes(world)).toEqual([]);
  });
});
