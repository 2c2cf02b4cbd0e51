/**
 * `npm run bench:probes -- --out DIR [--seed 1] [--count 40]`: writes capacity incidents nobody tuned
 * StreamMedic on, for `npm run bench -- --scenario DIR`. Each is a pipeline sized at random (shards,
 * parallelism, tasks per KPU, per-subtask rate, record size, state size, keyed or not) carrying 35% to
 * 70% of what its job and stream can, then a spike, a step or a ramp of 1.5x to 8x. Its `expect` comes
 * from its own arithmetic, as the variants' do (bench/variants/README.md), never from StreamMedic:
 * - `STREAM_WRITE_CAPACITY` when the peak passes the shards' write limits (1,000 records/s, 1 MiB/s);
 * - `CONSUMER_COMPUTE` when the peak the stream can admit at `maxShards` keeps the job at 75% or more of
 *   what it can process (for a keyed job, at the pace of the subtask with the most key groups);
 * - the actions that add those capacities.
 * A draw that names neither cause is skipped, so a run writes at most `count` files. The same seed
 * writes the same files.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseScenario } from '../sim/scenario';
import { uniformAt } from '../sim/random';

const MIB = 1024 * 1024;
const KEY_GROUPS = 128;

interface Draw {
  pick<T>(values: readonly T[]): T;
  between(low: number, high: number): number;
}

function draws(seed: number, index: number): Draw {
  let channel = 0;
  const next = (): number => uniformAt(seed, 1000 + channel++, index);
  return {
    pick: (values) => values[Math.min(values.length - 1, Math.floor(next() * values.length))]!,
    between: (low, high) => low + next() * (high - low),
  };
}

/** One probe, or undefined when its incident needs no capacity. */
export function probeScenario(seed: number, index: number): Record<string, unknown> | undefined {
  const d = draws(seed, index);
  const shards = d.pick([2, 4, 8, 12, 16, 24, 32]);
  const parallelismPerKpu = d.pick([1, 1, 1, 2, 4]);
  const parallelism = d.pick([2, 3, 4, 6, 8, 12, 16, 24]);
  const rate = d.pick([500, 1000, 1500, 2500]);
  const keyed = d.between(0, 1) < 0.4;
  const recordBytes = d.pick([100, 256, 512, 1024, 2048]);
  const working = keyed ? KEY_GROUPS / Math.ceil(KEY_GROUPS / parallelism) : parallelism;
  const jobCapacity = working * rate;
  const streamCapacity = (n: number): number => Math.min(n * 1000, (n * MIB) / recordBytes);
  const base = Math.max(
    100,
    Math.round(Math.min(jobCapacity * d.between(0.35, 0.7), streamCapacity(shards) * d.between(0.3, 0.7))),
  );
  const factor = Math.round(d.between(1.5, 8) * 10) / 10;
  const shape = d.pick(['spike', 'spike', 'ramp', 'step'] as const);
  const event =
    shape === 'spike'
      ? { type: 'spike', atMinute: 30, durationMinutes: d.pick([30, 60, 90]), factor }
      : shape === 'ramp'
        ? { type: 'ramp', fromMinute: 20, toMinute: d.pick([80, 140]), factor }
        : { type: 'step', atMinute: 30, factor };
  const maxShards = d.pick([64, 128, 256]);
  const maxParallelism = d.pick([64, 64, 128]);
  const noise = d.pick([0, 0.02, 0.05]);
  const stateGiB = d.pick([1, 2, 8]);
  const peak = base * factor;
  const causes: string[] = [];
  if (peak > streamCapacity(shards)) causes.push('STREAM_WRITE_CAPACITY');
  if (Math.min(peak, streamCapacity(maxShards)) >= 0.75 * jobCapacity) causes.push('CONSUMER_COMPUTE');
  if (causes.length === 0) return undefined;
  const name = `probe-${seed}-${index}`;
  return {
    name,
    description: `${shape} of ${factor}x into ${shards} shards and a ${keyed ? 'keyed ' : ''}job of ${parallelism} subtasks at ${rate} records/s each`,
    seed: seed * 1000 + index,
    startTime: '2026-03-02T09:00:00Z',
    durationMinutes: 240,
    pipeline: {
      stream: { name: 'orders-stream', shards, retentionHours: 24 },
      application: {
        name: 'orders-enricher',
        parallelism,
        parallelismPerKpu,
        recordsPerSecondPerSubtask: rate,
        stateBytes: stateGiB * 1024 * MIB,
        ...(keyed ? { keyGroups: KEY_GROUPS } : {}),
      },
    },
    traffic: { bytesPerSecond: base * recordBytes, recordsPerSecond: base, noise, events: [event] },
    streamMedic: {
      target: {
        name: 'orders',
        mode: 'auto',
        stream: { name: 'orders-stream', maxShards },
        application: { name: 'orders-enricher', maxParallelism, ...(keyed ? { keyed: true } : {}) },
      },
    },
    expect: {
      rationale: `A peak of ${Math.round(peak)} records/s of ${recordBytes} bytes against ${Math.round(streamCapacity(shards))} records/s the ${shards} shards accept and ${Math.round(jobCapacity)} the job processes (busy from 75%).`,
      causes,
      actions: [
        ...(causes.includes('STREAM_WRITE_CAPACITY') ? ['UpdateShardCount'] : []),
        ...(causes.includes('CONSUMER_COMPUTE') ? ['UpdateApplicationParallelism'] : []),
      ],
      recovers: true,
      maxRecordsLost: 0,
    },
  };
}

function positiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag}: must be a positive integer, got "${value}"`);
  return n;
}

function main(): void {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, seed: { type: 'string' }, count: { type: 'string' } },
    strict: true,
  });
  if (!values.out) throw new Error('--out: the folder to write the scenario files to is required');
  const seed = positiveInt('seed', values.seed, 1);
  const count = positiveInt('count', values.count, 40);
  mkdirSync(values.out, { recursive: true });
  let written = 0;
  for (let index = 0; index < count; index += 1) {
    const scenario = probeScenario(seed, index);
    if (!scenario) continue;
    // Each file is checked against the scenario schema before it exists, and appears whole.
    parseScenario(scenario);
    const file = join(values.out, `${String(scenario.name)}.json`);
    writeFileSync(`${file}.tmp`, `${JSON.stringify(scenario, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
    written += 1;
  }
  console.log(`wrote ${written} probe scenario(s) to ${values.out} (seed ${seed}, ${count} drawn)`);
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error(`bench:probes: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
