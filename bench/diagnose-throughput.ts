/**
 * Diagnoses per second on one core for a snapshot of 25 metrics x 360 one-minute datapoints (six hours).
 * Run with `npm run bench:diagnose`. Prints the figure for the engine alone (parsed snapshot in memory) and
 * for the whole path a CLI run takes (JSON text -> validated snapshot -> report).
 */
import { assess, resolveTarget } from '../lambdas/domain/engine';
import { METRIC_KEYS, METRICS } from '../lambdas/domain/metric-catalog';
import { parseSnapshot } from '../lambdas/domain/snapshot';
import { buildSnapshotInput, type SeriesSpec } from '../test/builders/snapshot-builder';

const MINUTES = 360;
const MIB = 1024 * 1024;

function shape(base: number, i: number): number {
  // A daily-ish wave plus deterministic jitter, so no series is flat.
  return base * (1 + 0.3 * Math.sin(i / 40) + 0.05 * Math.sin(i * 12.9898));
}

const bases: Record<string, number> = {
  incomingBytes: 8 * MIB * 60 * 0.5,
  incomingRecords: 8 * 500 * 60,
  writeThrottled: 0,
  putRecordsThrottled: 0,
  readThrottled: 0,
  iteratorAge: 800,
  getRecordsBytes: 8 * MIB * 60 * 0.5,
  getRecordsRecords: 8 * 500 * 60,
  getRecordsSuccess: 8 * 5 * 60,
  millisBehindLatest: 90_000,
  containerCpu: 88,
  cpu: 85,
  heap: 60,
  containerMemory: 55,
  busyTime: 900,
  backPressuredTime: 40,
  idleTime: 60,
  recordsInPerSecond: 3500,
  checkpointDuration: 4000,
  checkpointSize: 2e8,
  failedCheckpoints: 0,
  fullRestarts: 0,
  downtime: 0,
  kpus: 4,
};

// Shares and per-second times cannot pass their whole (100 %, 1,000 ms/s); the engine refuses such a
// datapoint as implausible, so the wave is clipped there as the real gauge would be.
const ceilings: Record<string, number> = {
  containerCpu: 100,
  cpu: 100,
  heap: 100,
  containerMemory: 100,
  busyTime: 1000,
  backPressuredTime: 1000,
  idleTime: 1000,
};

const metrics: Record<string, SeriesSpec> = {};
// What a Flink 1.x job read by polling publishes: no numRestarts (Flink 2.2) and no SubscribeToShardEvent.* (fan-out readers).
const notPublished = new Set(['numRestarts', 'subscribeMillisBehind']);
for (const key of METRIC_KEYS)
  if (!notPublished.has(key))
    metrics[key] = (i: number) => Math.min(shape(bases[key] ?? 1, i), ceilings[key] ?? Infinity);
const input = buildSnapshotInput({ minutes: MINUTES, stream: { shards: 8 }, app: { parallelism: 4 }, metrics });
// Two per-shard series bring the total to 25 metrics, as a snapshot with shard-level metrics would have.
for (const shard of ['shardId-000000000000', 'shardId-000000000001']) {
  const id = `s${shard.slice(-1)}`;
  input.getMetricData!.MetricDataQueries.push({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: METRICS.incomingBytes.namespace,
        MetricName: 'IncomingBytes',
        Dimensions: [
          { Name: 'StreamName', Value: 'orders-stream' },
          { Name: 'ShardId', Value: shard },
        ],
      },
      Period: 60,
      Stat: 'Sum',
    },
  });
  const base = input.getMetricData!.MetricDataResults[0]!;
  input.getMetricData!.MetricDataResults.push({ ...base, Id: id, Values: (base.Values ?? []).map((v) => v / 8) });
}
const text = JSON.stringify(input);
const queries = input.getMetricData!.MetricDataQueries.length;
const points = input.getMetricData!.MetricDataResults.reduce((n, r) => n + (r.Values?.length ?? 0), 0);

const snapshot = parseSnapshot(JSON.parse(text));
const { target, policy } = resolveTarget(snapshot, undefined, undefined);

/**
 * Runs `fn` for about `seconds` and reports runs per second of this process's own CPU time and of wall
 * time. On a shared machine the CPU-time figure is the one-core figure: it leaves out the time other
 * processes held the core.
 */
function measure(name: string, fn: () => unknown, seconds = 3): number {
  for (let i = 0; i < 200; i++) fn(); // warm up the JIT
  let runs = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const budget = BigInt(seconds * 1e9);
  while (process.hrtime.bigint() - start < budget) {
    fn();
    runs++;
  }
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const perCpuSecond = runs / cpuSeconds;
  console.log(
    `${name.padEnd(40)} ${perCpuSecond.toFixed(0).padStart(7)}/s per CPU-second ${(runs / wall).toFixed(0).padStart(7)}/s wall (${runs} runs, ${cpuSeconds.toFixed(2)} s CPU in ${wall.toFixed(2)} s)`,
  );
  return perCpuSecond;
}

console.log(
  `snapshot: ${queries} metrics, ${points} datapoints, ${(text.length / 1024).toFixed(0)} KiB of JSON; node ${process.version}`,
);
const cause = assess(snapshot, { target, policy, dryRun: true }).diagnosis.cause;
console.log(`diagnosis: ${cause}`);
const engine = measure('assess (parsed snapshot)', () => assess(snapshot, { target, policy, dryRun: true }));
measure('parse + validate + assess (JSON text)', () =>
  assess(parseSnapshot(JSON.parse(text)), { target, policy, dryRun: true }),
);
console.log(`goal: over 2,000 diagnoses/s on one core -> ${engine > 2000 ? 'met' : 'MISSED'}`);
