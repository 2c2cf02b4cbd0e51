import { busiestSubtaskKeyGroups, effectiveParallelism, keyGroupsOf, leanestParallelismWithin } from './key-groups';
import { AWS_LIMITS, type Policy, type TargetConfig } from './config';
import type { Finding } from './diagnosis';
import { describeKpuQuotaRefusal, type KpuQuotaRefusal } from './kpu-quota';
import { METRICS, type MetricSpec } from './metric-catalog';
import { since, sumOf, type MetricWindow, type Point } from './metric-window';
import type { Action, AppState, Refusal, StreamState } from './model';
import type { Signals } from './signals';
import {
  flinkParallelismNeeded,
  kpusFor,
  backlogReadLimit,
  shardsNeeded,
  shardUtilization,
  trueProcessingRate,
} from './sizing';

/**
 * The cheaper or more durable fix beside the bounded one: producer aggregation, compression,
 * backoff, partition keys, the bound that caps a scale-up, checkpoint causes, monitoring overhead.
 * Each piece of advice is given only when the metrics it rests on are present, states the numbers it
 * rests on, and is never turned into an action: a person applies it.
 */

/**
 * Size of a Kinesis record that producer aggregation packs user records into: the KPL's default
 * `AggregationMaxSize` (51,200 bytes). Framing bytes per user record are not counted.
 */
export const AGGREGATED_RECORD_BYTES = 51_200;

/** Compression ratio the byte-bound advice assumes (original size / compressed size): a cautious 2:1. */
export const ASSUMED_COMPRESSION_RATIO = 2;

/** Refused records at least this many times the accepted ones before retries are named. */
export const RETRY_EVIDENCE_RATIO = 2;

/** Checkpoint size change, relative to the first third of the window, that counts as growing or flat. */
export const CHECKPOINT_GROWTH_SHARE = 0.2;
export const CHECKPOINT_FLAT_SHARE = 0.1;

/** Records PutRecords accepts in one call. */
const PUT_RECORDS_MAX_RECORDS = 500;
const KIB = 1024;
const MIB = 1024 * 1024;

export type AdviceKind =
  | 'producer-aggregation'
  | 'compression'
  | 'producer-backoff'
  | 'partition-key'
  | 'compute-bound'
  | 'checkpoint-state-growth'
  | 'checkpoint-backpressure'
  | 'checkpoint-memory'
  | 'monitoring-overhead';

/** One measured quantity a piece of advice rests on. */
export interface AdviceBasis {
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
}

export interface Advice {
  readonly kind: AdviceKind;
  /** What to do and its estimated effect, in numbers. */
  readonly text: string;
  readonly basis: readonly AdviceBasis[];
}

export interface AdviceContext {
  readonly target: TargetConfig;
  readonly policy: Policy;
  readonly signals: Signals;
  readonly findings: readonly Finding[];
  readonly stream?: StreamState;
  readonly app?: AppState;
  /** The metric window the signals came from: per-shard series and checkpoint sizes are read from it. */
  readonly window?: MetricWindow;
  /** The smallest scale-up AWS refused for the application's KPU quota. */
  readonly kpuQuota?: KpuQuotaRefusal;
}

/** The bounded plan as the guardrails left it. */
export interface PlannedChanges {
  readonly actions: readonly Action[];
  readonly refused: readonly Refusal[];
}

function hasFinding(ctx: AdviceContext, cause: Finding['cause']): boolean {
  return ctx.findings.some((f) => f.cause === cause);
}

function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

function formatBytes(bytes: number): string {
  if (bytes >= MIB) return `${round(bytes / MIB, 2)} MiB`;
  if (bytes >= 10 * KIB) return `${round(bytes / KIB, 1)} KiB`;
  return `${Math.round(bytes)} bytes`;
}

function formatDuration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  const minutes = Math.ceil(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${round(minutes / 60, 1)} h`;
}

function shardCount(n: number): string {
  return n === 1 ? '1 shard' : `${n} shards`;
}

/** Points of the aggregate series of a metric over the recent window, or undefined when it is not there. */
function recentPoints(ctx: AdviceContext, spec: MetricSpec, resourceName: string): readonly Point[] | undefined {
  const view = ctx.window?.pick(spec, resourceName);
  if (!view || !ctx.window) return undefined;
  return since(view.series.points, ctx.window.end - ctx.policy.recentMinutes * 60_000);
}

/** IncomingBytes / IncomingRecords over the recent window: the average size of an accepted record. */
export function averageRecordBytes(ctx: AdviceContext): number | undefined {
  const name = ctx.target.stream?.name;
  if (!name) return undefined;
  const bytes = recentPoints(ctx, METRICS.incomingBytes, name);
  const records = recentPoints(ctx, METRICS.incomingRecords, name);
  if (!bytes || !records) return undefined;
  const totalRecords = sumOf(records);
  return totalRecords > 0 ? sumOf(bytes) / totalRecords : undefined;
}

/** A throttled stream's write demand (accepted plus refused, recent peak) and the shards it needs as sent. */
interface WriteDemand {
  readonly name: string;
  readonly bytesPerSecond: number;
  readonly recordsPerSecond: number;
  readonly readBytesPerSecond: number;
  readonly shardsAsSent: number;
}

function writeDemand(ctx: AdviceContext, bound: 'bytes' | 'records'): WriteDemand | undefined {
  const name = ctx.target.stream?.name;
  const s = ctx.signals.stream;
  if (!name || !s || !hasFinding(ctx, 'STREAM_WRITE_CAPACITY') || s.writeBound !== bound) return undefined;
  const bytesPerSecond = s.demandBytesPerSecond;
  const recordsPerSecond = s.demandRecordsPerSecond;
  if (bytesPerSecond === undefined || recordsPerSecond === undefined) return undefined;
  const readBytesPerSecond = s.readBytesPerSecond ?? 0;
  // The planner's own sizing, so "as sent" is the count a reshard would aim for.
  const shardsAsSent = shardsNeeded(
    { writeBytesPerSecond: bytesPerSecond, writeRecordsPerSecond: recordsPerSecond, readBytesPerSecond },
    shardUtilization(ctx.policy),
  );
  return { name, bytesPerSecond, recordsPerSecond, readBytesPerSecond, shardsAsSent };
}

/** Record-bound writes: aggregate small user records and batch the calls; shards needed with and without. */
export function producerAggregationAdvice(ctx: AdviceContext): Advice | undefined {
  const demand = writeDemand(ctx, 'records');
  const average = averageRecordBytes(ctx);
  if (!demand || average === undefined) return undefined;
  const perAggregate = Math.floor(AGGREGATED_RECORD_BYTES / average);
  if (perAggregate < 2) return undefined;
  const { name, bytesPerSecond, recordsPerSecond, shardsAsSent: without } = demand;
  const target = shardUtilization(ctx.policy);
  const aggregated = shardsNeeded(
    {
      writeBytesPerSecond: bytesPerSecond,
      writeRecordsPerSecond: recordsPerSecond / perAggregate,
      readBytesPerSecond: demand.readBytesPerSecond,
    },
    target,
  );
  if (aggregated >= without) return undefined;
  return {
    kind: 'producer-aggregation',
    text:
      `Stream ${name} is bound by records per second, not bytes: its records average ${formatBytes(average)}. ` +
      `Aggregate user records in the producers (KPL aggregation, or several user records packed into one Kinesis record) ` +
      `and send them with PutRecords, up to ${PUT_RECORDS_MAX_RECORDS} records per call. ` +
      `Packed ${perAggregate} to a record of up to ${formatBytes(AGGREGATED_RECORD_BYTES)} (the KPL's default aggregation size), ` +
      `the same ${Math.round(recordsPerSecond)} records/s need ${shardCount(aggregated)} instead of ${without} ` +
      `at ${percent(target.write)} of each shard's write limits. Consumers must de-aggregate (the KCL does).`,
    basis: [
      { metric: 'IncomingRecords + throttled (peak)', value: round(recordsPerSecond), unit: 'records/s' },
      { metric: 'IncomingBytes + throttled (peak)', value: round(bytesPerSecond / MIB, 3), unit: 'MiB/s' },
      { metric: 'IncomingBytes / IncomingRecords', value: round(average), unit: 'bytes per record' },
    ],
  };
}

/** Byte-bound writes: compress payloads; shards needed at the assumed ratio and without. */
export function compressionAdvice(ctx: AdviceContext): Advice | undefined {
  const demand = writeDemand(ctx, 'bytes');
  if (!demand) return undefined;
  const { name, bytesPerSecond, recordsPerSecond, shardsAsSent: without } = demand;
  const target = shardUtilization(ctx.policy);
  const compressed = shardsNeeded(
    {
      writeBytesPerSecond: bytesPerSecond / ASSUMED_COMPRESSION_RATIO,
      writeRecordsPerSecond: recordsPerSecond,
      readBytesPerSecond: demand.readBytesPerSecond / ASSUMED_COMPRESSION_RATIO,
    },
    target,
  );
  if (compressed >= without) return undefined;
  const average = averageRecordBytes(ctx);
  return {
    kind: 'compression',
    text:
      `Stream ${name} is bound by bytes per second (${round(bytesPerSecond / MIB, 2)} MiB/s${average !== undefined ? `, records of ${formatBytes(average)} on average` : ''}). ` +
      `Compress payloads in the producers (for example gzip or Snappy) and drop fields no consumer reads: ` +
      `at a ${ASSUMED_COMPRESSION_RATIO}:1 compression ratio the same traffic needs ${shardCount(compressed)} instead of ${without} ` +
      `at ${percent(target.write)} of each shard's write limits; measure the ratio on a sample of your records. Consumers must decompress.`,
    basis: [
      { metric: 'IncomingBytes + throttled (peak)', value: round(bytesPerSecond / MIB, 3), unit: 'MiB/s' },
      { metric: 'IncomingRecords + throttled (peak)', value: round(recordsPerSecond), unit: 'records/s' },
      ...(average !== undefined
        ? [{ metric: 'IncomingBytes / IncomingRecords', value: round(average), unit: 'bytes per record' }]
        : []),
    ],
  };
}

/**
 * Throttling with producer retries. A record refused and retried until it is accepted is counted once
 * in IncomingRecords and once per refusal in the throttled counts, so each accepted record accounts
 * for at most one first refusal: at least (refused - accepted) / refused of the refusals are repeats.
 */
export function producerBackoffAdvice(ctx: AdviceContext): Advice | undefined {
  const name = ctx.target.stream?.name;
  const s = ctx.signals.stream;
  if (!name || !s) return undefined;
  if (!hasFinding(ctx, 'STREAM_WRITE_CAPACITY') && !hasFinding(ctx, 'HOT_SHARD')) return undefined;
  const refused = s.throttledRecordsRecent;
  const share = s.throttledShare;
  if (!(refused > 0) || !(share > 0) || share >= 1) return undefined;
  const accepted = (refused * (1 - share)) / share;
  // Accepted is recovered from a ratio; the tolerance keeps an exact 2:1 at 2:1.
  if (refused < RETRY_EVIDENCE_RATIO * accepted * (1 - 1e-9)) return undefined;
  const repeats = (refused - accepted) / refused;
  return {
    kind: 'producer-backoff',
    text:
      `Producers of ${name} were refused ${Math.round(refused)} records while ${Math.round(accepted)} were accepted: ` +
      `if refused records are retried until accepted (the KPL and the AWS SDKs retry), each accepted record accounts for at most one first refusal, ` +
      `so at least ${percent(repeats)} of the refusals are repeated attempts, not new demand. ` +
      `Retry with capped exponential backoff and jitter in the producers so retries do not hammer full shards; ` +
      `the shard plan counts as demand only the refusals producers do not resend (policy producerResendShare), and StreamMedic re-checks the need from fresh metrics after each step.`,
    basis: [
      {
        metric: 'WriteProvisionedThroughputExceeded / PutRecords.ThrottledRecords (Sum)',
        value: Math.round(refused),
        unit: 'records',
      },
      { metric: 'IncomingRecords (Sum)', value: Math.round(accepted), unit: 'records' },
      { metric: 'refused share of attempts', value: round(share * 100, 1), unit: 'Percent' },
    ],
  };
}

/** Each shard's sum of a per-shard metric over the recent window. */
function perShardTotals(ctx: AdviceContext, spec: MetricSpec, streamName: string): Map<string, number> {
  const totals = new Map<string, number>();
  const window = ctx.window;
  if (!window) return totals;
  const from = window.end - ctx.policy.recentMinutes * 60_000;
  for (const series of window.detail(spec, streamName)) {
    const shardId = series.dimensions['ShardId'];
    if (!shardId) continue;
    totals.set(shardId, (totals.get(shardId) ?? 0) + sumOf(since(series.points, from)));
  }
  return totals;
}

/** Hot key: the hot shard's share of the stream from shard-level metrics, and how far to spread its key. */
export function partitionKeyAdvice(ctx: AdviceContext): Advice | undefined {
  const name = ctx.target.stream?.name;
  const s = ctx.signals.stream;
  const hot = s?.hottestShard;
  if (!name || !s || !hot || !hasFinding(ctx, 'HOT_SHARD')) return undefined;
  let best: { metric: string; share: number; shards: number } | undefined;
  for (const spec of [METRICS.incomingBytes, METRICS.incomingRecords]) {
    const totals = perShardTotals(ctx, spec, name);
    const all = [...totals.values()].reduce((sum, v) => sum + v, 0);
    const mine = totals.get(hot.shardId);
    if (mine === undefined || !(all > 0)) continue;
    const share = mine / all;
    if (!best || share > best.share) best = { metric: spec.metricName, share, shards: totals.size };
  }
  if (!best) return undefined;
  const shards = s.shards ?? best.shards;
  // The shard's accepted rate is capped at its limit, so this is the least spread that brings it under target.
  const spread = Math.max(2, Math.ceil(hot.utilization / ctx.policy.shardWriteUtilization - 1e-9));
  return {
    kind: 'partition-key',
    text:
      `Shard ${hot.shardId} took ${percent(best.share)} of ${name}'s ${best.metric} (an even spread over ${shards} shards is ${percent(1 / Math.max(1, shards))}) ` +
      `at ${percent(hot.utilization)} of its own write limit: one partition key, or a few, carries that share. ` +
      `Spread it with a higher-cardinality key or a random suffix of at least ${spread} values on the hot key, ` +
      `which puts it on about ${spread} shards at ${percent(hot.utilization / spread)} each; readers that need that key's order must merge its sub-keys. ` +
      `Adding shards never splits a single key.`,
    basis: [
      { metric: `${best.metric} (${hot.shardId}) share of stream`, value: round(best.share * 100, 1), unit: 'Percent' },
      {
        metric: `IncomingBytes/IncomingRecords (${hot.shardId}) peak`,
        value: round(hot.utilization * 100, 1),
        unit: 'Percent of shard write limit',
      },
    ],
  };
}

interface ParallelismBound {
  readonly limit: number;
  readonly name: string;
  readonly raise: string;
}

/** Every bound on the application's parallelism, the lowest first. */
function parallelismBounds(
  config: NonNullable<TargetConfig['application']>,
  perKpu: number,
  kpuQuota: KpuQuotaRefusal | undefined,
): ParallelismBound[] {
  const bounds: ParallelismBound[] = [
    ...(kpuQuota
      ? [
          {
            limit: (kpuQuota.refusedKpus - 1) * perKpu,
            name: `the application's KPU quota in AWS: ${describeKpuQuotaRefusal(kpuQuota, config.maxKpu)}`,
            raise: `request a higher KPU limit for the application in Service Quotas; StreamMedic stays under the refused size for a day after the refusal`,
          },
        ]
      : []),
    {
      limit: config.maxKpu * perKpu,
      name: `the KPU limit (maxKpu ${config.maxKpu} at ${perKpu} per KPU)`,
      raise: `request a higher KPU limit for the application in Service Quotas (the default is 64 KPU per application), then raise application.maxKpu in the StreamMedic config`,
    },
    {
      limit: config.maxParallelism,
      name: `application.maxParallelism ${config.maxParallelism} in the StreamMedic config`,
      raise: `raise application.maxParallelism in the config, no higher than every operator's max parallelism in the job (Flink derives 128 for jobs below 128 when it is not set), or the job cannot restore its snapshot at the new size`,
    },
    {
      limit: AWS_LIMITS.maxParallelism,
      name: `Managed Flink's Parallelism maximum of ${AWS_LIMITS.maxParallelism}`,
      raise: `no setting goes past it: make each record cheaper to process, or split the job`,
    },
  ];
  return bounds.sort((a, b) => a.limit - b.limit);
}

interface ConsumerRates {
  /** Records per second arriving at the source. */
  readonly input: number;
  /** Records per second the job processes now. */
  readonly processed: number;
  /** Busy share of each second of the busiest task (CPU when busy time is not published). */
  readonly busy: number;
}

/** The rates the planner's sizing reads: the source's demand, what the job does, and how busy it is doing it. */
function consumerRates(ctx: AdviceContext): ConsumerRates | undefined {
  const app = ctx.signals.app;
  const slope = Math.min(0.95, Math.max(0, app?.lagSlope ?? 0));
  const processed = app?.recordsInPerSecond;
  const arriving = ctx.signals.stream?.demandRecordsPerSecond;
  const input = arriving ?? (processed !== undefined ? processed / (1 - slope) : undefined);
  const done = processed ?? (arriving !== undefined ? arriving * (1 - slope) : undefined);
  const busy = app?.busy ? app.busy.value / 1000 : app?.cpu ? app.cpu.value / 100 : undefined;
  if (input === undefined || done === undefined || busy === undefined || !(done > 0)) return undefined;
  return { input, processed: done, busy: Math.min(1, Math.max(0.05, busy)) };
}

/** Compute-bound at a bound: which bound stops the scale-up, how to raise it, and the drain time at the cap. */
export function computeBoundAdvice(ctx: AdviceContext, plan: PlannedChanges): Advice | undefined {
  const config = ctx.target.application;
  const app = ctx.app;
  if (!config || !app || !hasFinding(ctx, 'CONSUMER_COMPUTE')) return undefined;
  const perKpu = config.parallelismPerKpu ?? app.parallelismPerKpu;
  const bounds = parallelismBounds(config, perKpu, ctx.kpuQuota);
  const bound = bounds[0]!.limit;
  const keyGroups = keyGroupsOf(config);
  // As the planner stops: a keyed job at the leanest size that carries what the bound would.
  const ceiling = leanestParallelismWithin(bound, keyGroups);
  const from = app.parallelism;
  const rates = consumerRates(ctx);
  const stoppedAt = plan.refused.find(
    (r) =>
      r.action.type === 'UpdateApplicationParallelism' &&
      r.action.applicationName === config.name &&
      (r.guardrail === 'bounds' || r.guardrail === 'kpu-limit') &&
      r.action.to > r.action.from,
  );
  const capped = plan.actions.some(
    (a) =>
      a.type === 'UpdateApplicationParallelism' && a.applicationName === config.name && a.to === ceiling && a.to > from,
  );
  const stopped = stoppedAt !== undefined;
  if (!stopped && !capped) return undefined;
  // A refused scale-up leaves the job where it is; a capped one takes it to the bound (where its
  // refused remainder starts).
  const cap = stoppedAt && 'from' in stoppedAt.action ? stoppedAt.action.from : ceiling;
  if (capped && !stopped) {
    // Reaching the bound is only being stopped by it when the measured need lies beyond it.
    const needed = rates
      ? flinkParallelismNeeded({
          currentParallelism: from,
          inputRatePerSecond: rates.input,
          processedRatePerSecond: rates.processed,
          busyFraction: rates.busy,
          lagMs: ctx.signals.lagMs ?? 0,
          targetUtilization: ctx.policy.targetUtilization,
          catchUpSeconds: ctx.policy.catchUpSeconds,
          restartSeconds: ctx.policy.expectedRestartSeconds,
          readLimitPerSecond: backlogReadLimit(ctx)?.recordsPerSecond,
          keyGroups,
        })
      : from * 2;
    if (needed <= ceiling) return undefined;
  }
  const binding = bounds.filter((b) => b.limit === bound);
  const basis: AdviceBasis[] = [
    { metric: 'Parallelism', value: from, unit: 'tasks' },
    { metric: 'parallelism cap', value: cap, unit: 'tasks' },
  ];
  let drain = '';
  if (rates) {
    const perTask = trueProcessingRate(rates.processed, rates.busy) / effectiveParallelism(from, keyGroups);
    basis.push({ metric: 'input', value: round(rates.input), unit: 'records/s' });
    basis.push({ metric: 'numRecordsInPerSecond / busy share per task', value: round(perTask), unit: 'records/s' });
    const atCap = perTask * effectiveParallelism(cap, keyGroups);
    const spare = atCap - rates.input;
    const lagSeconds = (ctx.signals.lagMs ?? 0) / 1000;
    if (spare <= 0) {
      drain = ` At parallelism ${cap} it can process about ${Math.round(atCap)} of the ${Math.round(rates.input)} records/s arriving: the lag keeps growing until the bound is raised.`;
    } else if (lagSeconds > 0) {
      drain = ` At parallelism ${cap} the ${formatDuration(lagSeconds)} backlog drains in about ${formatDuration((lagSeconds * rates.input) / spare)}.`;
    }
  }
  return {
    kind: 'compute-bound',
    text:
      `Application ${config.name} is short of compute and stops at parallelism ${cap} (${kpusFor(cap, perKpu)} KPU), held by ${binding.map((b) => b.name).join(' and ')}${cap === ceiling && ceiling < bound ? ` (up to ${bound} its busiest subtask would still hold ${busiestSubtaskKeyGroups(bound, keyGroups!)} of ${keyGroups} key groups, so ${cap} carries as much)` : ''}. ` +
      `To go further: ${binding.map((b) => b.raise).join('; ')}.${drain}`,
    basis,
  };
}

interface Trend {
  readonly first: number;
  readonly last: number;
}

/** Mean of the first and of the last third of a series: enough points to tell growth from noise. */
function trend(points: readonly Point[]): Trend | undefined {
  if (points.length < 6) return undefined;
  const third = Math.floor(points.length / 3);
  const mean = (part: readonly Point[]): number => sumOf(part) / part.length;
  return { first: mean(points.slice(0, third)), last: mean(points.slice(points.length - third)) };
}

function checkpointTrends(ctx: AdviceContext): { duration: Trend; size: Trend } | undefined {
  const name = ctx.target.application?.name;
  const window = ctx.window;
  if (!name || !window) return undefined;
  const duration = window.pick(METRICS.checkpointDuration, name);
  const size = window.pick(METRICS.checkpointSize, name);
  const durationTrend = duration && trend(duration.series.points);
  const sizeTrend = size && trend(size.series.points);
  return durationTrend && sizeTrend ? { duration: durationTrend, size: sizeTrend } : undefined;
}

function checkpointBasis(t: { duration: Trend; size: Trend }): AdviceBasis[] {
  return [
    { metric: 'lastCheckpointDuration (first third)', value: round(t.duration.first), unit: 'Milliseconds' },
    { metric: 'lastCheckpointDuration (last third)', value: round(t.duration.last), unit: 'Milliseconds' },
    { metric: 'lastCheckpointSize (first third)', value: round(t.size.first / MIB, 1), unit: 'MiB' },
    { metric: 'lastCheckpointSize (last third)', value: round(t.size.last / MIB, 1), unit: 'MiB' },
  ];
}

/** Checkpoints that take longer as they grow: state grows (missing TTL, long windows). */
export function checkpointStateGrowthAdvice(ctx: AdviceContext): Advice | undefined {
  const name = ctx.target.application?.name;
  const t = checkpointTrends(ctx);
  if (!name || !t || !(t.size.first > 0) || !(t.duration.first > 0)) return undefined;
  const sizeGrowth = t.size.last / t.size.first - 1;
  const durationGrowth = t.duration.last / t.duration.first - 1;
  if (sizeGrowth < CHECKPOINT_GROWTH_SHARE || durationGrowth < CHECKPOINT_GROWTH_SHARE) return undefined;
  return {
    kind: 'checkpoint-state-growth',
    text:
      `Application ${name}'s checkpoints grew from ${formatBytes(t.size.first)} to ${formatBytes(t.size.last)} (+${percent(sizeGrowth)}) ` +
      `and their duration from ${formatDuration(t.duration.first / 1000)} to ${formatDuration(t.duration.last / 1000)} over the window: state is growing. ` +
      `Give keyed state a time-to-live (state TTL), shorten long windows, and check for keys that are never cleared; more KPUs only delay it.`,
    basis: checkpointBasis(t),
  };
}

/** Checkpoints slow while their size is flat: barriers wait behind the bottleneck, not the state. */
export function checkpointBackpressureAdvice(ctx: AdviceContext): Advice | undefined {
  const name = ctx.target.application?.name;
  const t = checkpointTrends(ctx);
  if (!name || !t || !(t.size.first > 0)) return undefined;
  const sizeChange = Math.abs(t.size.last / t.size.first - 1);
  if (sizeChange > CHECKPOINT_FLAT_SHARE || t.duration.last < ctx.policy.checkpointSlowMs) return undefined;
  const app = ctx.signals.app;
  const pressure = app?.backPressured ?? app?.busy;
  return {
    kind: 'checkpoint-backpressure',
    text:
      `Application ${name}'s checkpoints take ${formatDuration(t.duration.last / 1000)} while their size stays at about ${formatBytes(t.size.last)}: ` +
      `the state is not the cause; the checkpoint barriers wait behind back-pressure. Fix the bottleneck ` +
      `(the busiest or back-pressured operator, or the sink it waits on) and the checkpoints shorten with it.`,
    basis: [
      ...checkpointBasis(t),
      ...(pressure ? [{ metric: pressure.metric, value: round(pressure.value), unit: pressure.unit }] : []),
    ],
  };
}

/** Failed checkpoints with the heap near full: the checkpoints fail for memory. */
export function checkpointMemoryAdvice(ctx: AdviceContext): Advice | undefined {
  const name = ctx.target.application?.name;
  const app = ctx.signals.app;
  const heap = app?.heap;
  if (!name || !app || !heap || app.failedCheckpoints <= 0) return undefined;
  if (heap.value < ctx.policy.heapHighPercent - 10) return undefined;
  const perKpu = ctx.app?.parallelismPerKpu;
  return {
    kind: 'checkpoint-memory',
    text:
      `Application ${name} failed ${app.failedCheckpoints} checkpoints with the heap at ${Math.round(heap.value)}%: the checkpoints fail for memory, not time. ` +
      (perKpu !== undefined && perKpu > 1
        ? `Give each task more memory (${perKpu} tasks per KPU share 3 GB of heap; fewer per KPU give each more) and reduce the state each task holds.`
        : `Reduce the state each task holds (state TTL, smaller windows); at 1 task per KPU there is no more heap per task to give.`),
    basis: [
      { metric: 'numberOfFailedCheckpoints', value: app.failedCheckpoints, unit: 'Count' },
      { metric: heap.metric, value: round(heap.value, 1), unit: heap.unit },
    ],
  };
}

/** Verbose monitoring: the capacity that sizing by today's CPU would buy to carry the logging and metrics. */
export function monitoringOverheadAdvice(ctx: AdviceContext): Advice | undefined {
  const name = ctx.target.application?.name;
  const app = ctx.app;
  const cpu = ctx.signals.app?.cpu;
  if (!name || !app || !cpu || !hasFinding(ctx, 'VERBOSE_MONITORING')) return undefined;
  const debug = app.logLevel === 'DEBUG';
  const perSubtask = app.metricsLevel === 'PARALLELISM';
  if (!debug && !perSubtask) return undefined;
  const perKpu = ctx.target.application?.parallelismPerKpu ?? app.parallelismPerKpu;
  const from = app.parallelism;
  const byCpu = Math.max(from, Math.ceil((from * cpu.value) / 100 / ctx.policy.targetUtilization - 1e-9));
  const extraKpu = kpusFor(byCpu, perKpu) - kpusFor(from, perKpu);
  if (extraKpu <= 0) return undefined;
  const levels = [debug ? 'DEBUG logging' : '', perSubtask ? 'PARALLELISM-level metrics' : ''].filter(Boolean);
  return {
    kind: 'monitoring-overhead',
    text:
      `Application ${name} runs ${levels.join(' and ')} at ${Math.round(cpu.value)}% CPU: sizing for that CPU would take parallelism ${from} to ${byCpu}, ` +
      `${extraKpu} more KPU paid to carry the monitoring. ` +
      `${debug ? 'Set INFO logging and log nothing per record. ' : ''}` +
      `${perSubtask ? `Use TASK-level metrics, which keep busy and back-pressure time per task${from > 64 ? `; AWS does not recommend PARALLELISM level above parallelism 64, and this job runs ${from}` : ''}. ` : ''}` +
      `Then judge the CPU again before adding capacity.`,
    basis: [
      { metric: cpu.metric, value: round(cpu.value, 1), unit: cpu.unit },
      { metric: 'Parallelism', value: from, unit: 'tasks' },
      { metric: 'ParallelismPerKPU', value: perKpu, unit: 'tasks per KPU' },
    ],
  };
}

/** The advice a plan carries beside its bounded actions, in the order a person would act on it. */
export function adviseBeyondCapacity(ctx: AdviceContext, plan: PlannedChanges): Advice[] {
  const found = [
    producerAggregationAdvice(ctx),
    compressionAdvice(ctx),
    producerBackoffAdvice(ctx),
    partitionKeyAdvice(ctx),
    monitoringOverheadAdvice(ctx),
    checkpointStateGrowthAdvice(ctx),
    checkpointBackpressureAdvice(ctx),
    checkpointMemoryAdvice(ctx),
    computeBoundAdvice(ctx, plan),
  ];
  return found.filter((a): a is Advice => a !== undefined);
}

/** One line for `plan.recommendations`: the advice, then what it is based on. */
export function adviceText(advice: Advice): string {
  const basis = advice.basis.map((b) => `${b.metric} ${b.value} ${b.unit}`).join('; ');
  return `${advice.text} (Based on: ${basis}.)`;
}
