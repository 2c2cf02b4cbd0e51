import type { ApiCall } from '../../../sim/adapters';
import type { MinuteSample } from '../../../sim/pipeline';
import { parseScenario, type Scenario } from '../../../sim/scenario';
import type { SimWorld } from '../../../sim/world';

export const START = Date.parse('2026-03-02T09:00:00Z');
export const MINUTE = 60_000;

type Fields = Readonly<Record<string, unknown>>;

interface Overrides {
  readonly durationMinutes?: number;
  readonly stream?: Fields;
  /** null: a stream-only pipeline. */
  readonly application?: Fields | null;
  readonly traffic?: Fields;
  readonly faults?: readonly Fields[];
  readonly expect?: Fields;
  readonly target?: Fields;
}

/** A quiet pipeline with no history or noise: 4 shards, a 4-subtask job at 1,000 records/s each. */
export function benchScenario(overrides: Overrides = {}): Scenario {
  const application =
    overrides.application === null
      ? undefined
      : { name: 'orders-enricher', parallelism: 4, recordsPerSecondPerSubtask: 1000, ...overrides.application };
  return parseScenario({
    name: 'bench-test',
    description: 'a pipeline for benchmark tests',
    seed: 3,
    startTime: new Date(START).toISOString(),
    durationMinutes: overrides.durationMinutes ?? 60,
    historyMinutes: 0,
    pipeline: {
      stream: { name: 'orders-stream', shards: 4, retentionHours: 24, ...overrides.stream },
      ...(application ? { application } : {}),
    },
    traffic: { bytesPerSecond: 2000 * 1024, recordsPerSecond: 2000, noise: 0, ...overrides.traffic },
    faults: overrides.faults ?? [],
    streamMedic: {
      target: {
        name: 'orders',
        mode: 'auto',
        stream: { name: 'orders-stream', maxShards: 64 },
        ...(application ? { application: { name: 'orders-enricher', maxParallelism: 64 } } : {}),
        ...overrides.target,
      },
    },
    expect: { rationale: 'a test', recovers: true, ...overrides.expect },
  });
}

/** The changing calls AWS accepted, as minutes from the start. */
export function changeMinutes(world: SimWorld): { minute: number; call: ApiCall }[] {
  return world
    .apiCalls()
    .filter((c) => c.outcome === 'ok' && c.change !== undefined)
    .map((call) => ({ minute: (call.at - START) / MINUTE, call }));
}

/** A minute sample with healthy, quiet defaults. */
export function sample(minute: number, overrides: Partial<MinuteSample> = {}): MinuteSample {
  return {
    t: START + minute * MINUTE,
    demandRecordsPerSecond: 2000,
    demandBytesPerSecond: 2000 * 1024,
    acceptedRecordsPerSecond: 2000,
    acceptedBytesPerSecond: 2000 * 1024,
    writeCapacityRecordsPerSecond: 4000,
    writeCapacityBytesPerSecond: 4 * 1024 * 1024,
    throttledRecords: 0,
    readThrottledCalls: 0,
    shards: 4,
    streamStatus: 'ACTIVE',
    retentionHours: 24,
    lagMs: 500,
    appStatus: 'RUNNING',
    parallelism: 4,
    kpus: 4,
    appCapacityRecordsPerSecond: 4000,
    processedRecordsPerSecond: 2000,
    appDownSeconds: 0,
    recordsLostTotal: 0,
    producerDroppedTotal: 0,
    healthy: true,
    ...overrides,
  };
}

/** Samples from a string of minutes: `.` healthy, `x` unhealthy (lag over the threshold). */
export function samplesFrom(pattern: string): MinuteSample[] {
  return [...pattern].map((c, minute) =>
    c === '.' ? sample(minute) : sample(minute, { healthy: false, lagMs: 300_000 }),
  );
}
