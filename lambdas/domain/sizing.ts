import { AWS_LIMITS } from './config';
import { effectiveParallelism, parallelismScaledBy, parallelismToPlan } from './key-groups';
import type { Signals } from './signals';

/**
 * Capacity arithmetic: how much is needed, and how to get there in the fewest calls the APIs allow.
 * Nothing here knows about guardrails; the planner clamps and the guardrails refuse.
 */

/** Smallest and largest shard counts one UpdateShardCount call may move to from `current`. */
export function shardCallRange(current: number): { min: number; max: number } {
  return { min: Math.ceil(current / 2), max: Math.min(current * 2, AWS_LIMITS.maxShardsPerStream) };
}

/**
 * The per-call targets from `from` to `to`: as few calls as the 2x / half rule allows, each call as
 * large as it may be, and the last one nudged up to a multiple of 25% of the count before it (which
 * AWS reshards fastest) when that still fits the call and `ceiling`, and costs at most 10% (or one shard) more.
 */
export function shardSteps(from: number, target: number, ceiling: number = AWS_LIMITS.maxShardsPerStream): number[] {
  // No call can go past the per-stream maximum, so neither can the last step.
  const to = Math.min(target, AWS_LIMITS.maxShardsPerStream);
  if (from < 1 || to < 1 || from === to) return [];
  const steps: number[] = [];
  let current = from;
  if (to > from) {
    for (;;) {
      const callMax = shardCallRange(current).max;
      if (to <= callMax) {
        steps.push(preferQuarterMultiple(current, to, Math.min(ceiling, callMax)));
        break;
      }
      steps.push(callMax);
      current = callMax;
    }
  } else {
    while (current > to) {
      current = Math.max(to, shardCallRange(current).min);
      steps.push(current);
    }
  }
  return steps;
}

function preferQuarterMultiple(previous: number, target: number, ceiling: number): number {
  const quarter = previous / 4;
  if (quarter < 1) return target;
  // Extra shards cost money every hour: accept at most 10% (or one shard) more for the faster reshard.
  const slack = Math.min(quarter - 1e-9, Math.max(1, Math.floor(target * 0.1)));
  for (let candidate = target; candidate <= ceiling && candidate - target <= slack; candidate++) {
    if ((candidate * 4) % previous === 0) return candidate;
  }
  return target;
}

/** Calls the 2x / half rule needs between two counts: ceil(log2(to / from)) going up. */
export function minimumShardCalls(from: number, to: number): number {
  return shardSteps(from, to).length;
}

export interface ShardDemand {
  readonly writeBytesPerSecond: number;
  readonly writeRecordsPerSecond: number;
  readonly readBytesPerSecond: number;
}

/** The share of a shard's write and read limits a planned count fills (`policy.shardWriteUtilization`, `targetUtilization`). */
export interface ShardUtilization {
  readonly write: number;
  readonly read: number;
}

/** The policy's shard utilisation: writes at `shardWriteUtilization`, reads at `targetUtilization`. */
export function shardUtilization(policy: {
  shardWriteUtilization: number;
  targetUtilization: number;
}): ShardUtilization {
  return { write: policy.shardWriteUtilization, read: policy.targetUtilization };
}

/** Shards that carry the demand at the target utilisation: the most of bytes, records and reads. */
export function shardsNeeded(demand: ShardDemand, utilization: ShardUtilization): number {
  const byBytes = demand.writeBytesPerSecond / (AWS_LIMITS.shardWriteBytesPerSecond * utilization.write);
  const byRecords = demand.writeRecordsPerSecond / (AWS_LIMITS.shardWriteRecordsPerSecond * utilization.write);
  const byReads = demand.readBytesPerSecond / (AWS_LIMITS.shardReadBytesPerSecond * utilization.read);
  return Math.max(1, Math.ceil(Math.max(byBytes, byRecords, byReads) - 1e-9));
}

export interface FlinkSizingInput {
  readonly currentParallelism: number;
  /** Records per second arriving at the source that the job must keep up with. */
  readonly inputRatePerSecond: number;
  /** Records per second the job processes now. */
  readonly processedRatePerSecond: number;
  /** Share of each second the job's busiest tasks are busy (0..1). */
  readonly busyFraction: number;
  /** Time the job is behind now, ms. */
  readonly lagMs: number;
  readonly targetUtilization: number;
  readonly catchUpSeconds: number;
  readonly restartSeconds: number;
  /**
   * Records per second the stream can feed the job's source at most (its shards' read limits): the
   * catch-up share is capped there, since subtasks past it would wait on the same shards. @default no cap
   */
  readonly readLimitPerSecond?: number;
  /** The key groups a keyed job's subtasks share (docs/sizing.md); undefined when the work is not keyed. */
  readonly keyGroups?: number;
}

/**
 * The lag a backlog still costs, as the area under its lag curve (lag-seconds x seconds): `lagSeconds`
 * behind and falling `drainPerSecond` seconds each second, left to drain.
 */
export function drainLagArea(lagSeconds: number, drainPerSecond: number): number {
  return (lagSeconds * lagSeconds) / (2 * drainPerSecond);
}

/**
 * The same backlog if the job is first restarted: its lag grows a second each second while it is down
 * for `restartSeconds`, then falls `drainAfterPerSecond` seconds each second at the new size.
 */
export function restartThenDrainLagArea(
  lagSeconds: number,
  restartSeconds: number,
  drainAfterPerSecond: number,
): number {
  const peak = lagSeconds + restartSeconds;
  return (lagSeconds + peak) * restartSeconds * 0.5 + drainLagArea(peak, drainAfterPerSecond);
}

/**
 * FLIP-271's rule: the true processing rate is what the job does per unit of busy time; the
 * required rate is the input at the target utilisation plus the backlog (including what builds up
 * while the job restarts) drained within the catch-up time.
 */
export function flinkParallelismNeeded(input: FlinkSizingInput): number {
  const trueRate = trueProcessingRate(input.processedRatePerSecond, input.busyFraction);
  if (!(trueRate > 0) || !(input.inputRatePerSecond > 0)) return input.currentParallelism;
  const backlogRecords = (input.lagMs / 1000) * input.inputRatePerSecond;
  const restartBacklog = input.restartSeconds * input.inputRatePerSecond;
  const steady = input.inputRatePerSecond / input.targetUtilization;
  const catchUp = steady + (backlogRecords + restartBacklog) / input.catchUpSeconds;
  const required = Math.max(steady, Math.min(catchUp, input.readLimitPerSecond ?? Number.POSITIVE_INFINITY));
  // The steady share is held to; the catch-up share is a drain-time target, so a keyed job may stop
  // at the key-group boundary just under it rather than pay for the next one.
  const worth = effectiveParallelism(input.currentParallelism, input.keyGroups);
  return Math.max(
    parallelismScaledBy(input.currentParallelism, steady / trueRate, input.keyGroups),
    parallelismToPlan((worth * required) / trueRate, input.keyGroups),
  );
}

/**
 * FLIP-271's true processing rate: what the job processes per unit of its busiest task's busy time,
 * the busy share held between 5% (an idle reading says little) and all of it.
 */
export function trueProcessingRate(processedRatePerSecond: number, busyFraction: number): number {
  return processedRatePerSecond / Math.min(1, Math.max(0.05, busyFraction));
}

/**
 * The steady size: the input at the target utilisation over the true per-subtask rate, without the
 * catch-up share. A job draining its backlog on plan at or above this size needs no restart.
 */
export function flinkSteadyParallelism(
  input: Omit<FlinkSizingInput, 'lagMs' | 'catchUpSeconds' | 'restartSeconds' | 'readLimitPerSecond'>,
): number {
  const trueRate = trueProcessingRate(input.processedRatePerSecond, input.busyFraction);
  if (!(trueRate > 0) || !(input.inputRatePerSecond > 0)) return input.currentParallelism;
  const required = input.inputRatePerSecond / input.targetUtilization;
  return parallelismScaledBy(input.currentParallelism, required / trueRate, input.keyGroups);
}

/**
 * The most records per second the job can read its backlog at: 2 MiB/s for each shard that holds it,
 * at the record size the stream carries, since records already written stay in the shards they were
 * written to and a reader finishes a parent before its children, whatever a reshard adds. That is the
 * open shards; while producers are refused the stream is being resharded, and the backlog the job
 * finds when it resumes from its restart also sits in the shards the first UpdateShardCount call opens
 * (at most twice as many): the later calls' shards open only after that one, once the catch-up is
 * under way. Undefined (no cap) without the shard count or the incoming rates.
 */
export function backlogReadLimit(ctx: {
  readonly stream?: { readonly openShards: number };
  readonly signals: Signals;
  readonly findings: readonly { readonly cause: string }[];
}): { readonly recordsPerSecond: number; readonly shards: number } | undefined {
  const open = ctx.stream?.openShards;
  const bytes = ctx.signals.stream?.incomingBytesPerSecond ?? 0;
  const records = ctx.signals.stream?.incomingRecordsPerSecond ?? 0;
  if (open === undefined || !(bytes > 0) || !(records > 0)) return undefined;
  const resharding = ctx.findings.some((f) => f.cause === 'STREAM_WRITE_CAPACITY' || f.cause === 'HOT_SHARD');
  const shards = resharding ? shardCallRange(open).max : open;
  return { recordsPerSecond: (shards * AWS_LIMITS.shardReadBytesPerSecond) / (bytes / records), shards };
}

export function kpusFor(parallelism: number, parallelismPerKpu: number): number {
  return Math.ceil(parallelism / parallelismPerKpu);
}
