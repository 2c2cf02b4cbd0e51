import { parseScenario, type Scenario, type ScenarioInput } from '../../../sim/scenario';

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** A small, quiet pipeline: 4 shards, a 4-subtask job at half its capacity, no history, no noise. */
export function scenarioInput(overrides: DeepPartial<ScenarioInput> = {}): ScenarioInput {
  const base: ScenarioInput = {
    name: 'test-pipeline',
    description: 'a pipeline for tests',
    seed: 7,
    startTime: '2026-03-02T09:00:00Z',
    durationMinutes: 60,
    historyMinutes: 0,
    pipeline: {
      stream: { name: 'orders-stream', shards: 4, retentionHours: 24 },
      application: { name: 'orders-enricher', parallelism: 4, recordsPerSecondPerSubtask: 1000 },
    },
    traffic: { bytesPerSecond: 2000 * 1024, recordsPerSecond: 2000, noise: 0 },
    streamMedic: {
      target: {
        name: 'orders',
        mode: 'auto',
        stream: { name: 'orders-stream', maxShards: 16 },
        application: { name: 'orders-enricher', maxParallelism: 16 },
      },
    },
    expect: { rationale: 'a test', recovers: true },
  };
  return merge(base, overrides) as ScenarioInput;
}

export function scenario(overrides: DeepPartial<ScenarioInput> = {}): Scenario {
  return parseScenario(scenarioInput(overrides));
}

function merge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (
    base === null ||
    override === null ||
    typeof base !== 'object' ||
    typeof override !== 'object' ||
    Array.isArray(base) ||
    Array.isArray(override)
  ) {
    return override;
  }
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(override as Record<string, unknown>)) {
    // A key given as undefined removes it (a pipeline without an application, say).
    if (value === undefined) delete out[key];
    else out[key] = merge(out[key], value);
  }
  return out;
}
