/**
 * A scenario's true cause, and which kinds of change can help it. The true cause is what the scenario
 * file says must be named (`expect.causes`, plus `expect.secondary`), which its author wrote from
 * DESIGN.md's rules before any run; the benchmark never takes it from a run.
 *
 * | true cause              | changes that can help it                                              |
 * | ----------------------- | --------------------------------------------------------------------- |
 * | STREAM_WRITE_CAPACITY   | more shards                                                           |
 * | STREAM_READ_CAPACITY    | more shards, when the scenario's fix is a reshard (bytes at the limit) |
 * | CONSUMER_COMPUTE        | more parallelism                                                      |
 * | MEMORY_PRESSURE         | more memory per task (fewer tasks per KPU)                            |
 * | VERBOSE_MONITORING      | quieter logging or metrics                                            |
 * | OVER_PROVISIONED        | fewer shards, less parallelism                                        |
 * | RETENTION_RISK (2nd)    | longer retention                                                      |
 * | HOT_SHARD, SINK_BACKPRESSURE, APP_UNHEALTHY, HEALTHY, INSUFFICIENT_DATA | none            |
 */
import type { ResourceChange } from '../../sim/adapters';
import type { ScenarioExpectation } from '../../sim/scenario';

export const FIX_KINDS = [
  'shards-up',
  'shards-down',
  'parallelism-up',
  'parallelism-down',
  'memory-per-task-up',
  'memory-per-task-down',
  'monitoring-quieter',
  'monitoring-louder',
  'retention-up',
] as const;
export type FixKind = (typeof FIX_KINDS)[number];

/** Changes that take capacity away: judged by whether they hurt, not by the cause. */
export const SHRINKING_KINDS: readonly FixKind[] = ['shards-down', 'parallelism-down', 'memory-per-task-down'];

/** The kinds of change that can help the scenario's true causes. */
export function helpfulKinds(expect: Pick<ScenarioExpectation, 'causes' | 'secondary' | 'actions'>): Set<FixKind> {
  const kinds = new Set<FixKind>();
  for (const cause of expect.causes) {
    switch (cause) {
      case 'STREAM_WRITE_CAPACITY':
        kinds.add('shards-up');
        // A job fed only what a full stream admits is starved once the stream is fixed: where the
        // scenario expects its parallelism raised too, raising it helps.
        if (expect.actions.includes('UpdateApplicationParallelism')) kinds.add('parallelism-up');
        break;
      case 'STREAM_READ_CAPACITY':
        // Too many GetRecords calls per shard are not helped by more shards (each reader polls every shard).
        if (expect.actions.includes('UpdateShardCount')) kinds.add('shards-up');
        break;
      case 'CONSUMER_COMPUTE':
        kinds.add('parallelism-up');
        break;
      case 'MEMORY_PRESSURE':
        kinds.add('memory-per-task-up');
        break;
      case 'VERBOSE_MONITORING':
        kinds.add('monitoring-quieter');
        break;
      case 'OVER_PROVISIONED':
        kinds.add('shards-down');
        kinds.add('parallelism-down');
        break;
      default:
        break;
    }
  }
  if (expect.secondary.includes('RETENTION_RISK')) kinds.add('retention-up');
  return kinds;
}

/**
 * Whether more capacity (shards or parallelism) fixes the scenario: a capacity cause whose expected
 * fix is a reshard or a parallelism change. The goals on time to recover are judged on these.
 */
export function capacityCanFix(expect: Pick<ScenarioExpectation, 'causes' | 'secondary' | 'actions'>): boolean {
  const kinds = helpfulKinds(expect);
  const fixedBy =
    (kinds.has('shards-up') && expect.actions.includes('UpdateShardCount')) ||
    (kinds.has('parallelism-up') && expect.actions.includes('UpdateApplicationParallelism'));
  return fixedBy;
}

const LOG_VERBOSITY: Readonly<Record<string, number>> = { ERROR: 0, WARN: 1, INFO: 2, DEBUG: 3 };
const METRICS_VERBOSITY: Readonly<Record<string, number>> = { APPLICATION: 0, TASK: 1, OPERATOR: 2, PARALLELISM: 3 };

/** What kinds of change one call made. */
export function changeKinds(change: ResourceChange): FixKind[] {
  switch (change.kind) {
    case 'shards':
      return change.to > change.from ? ['shards-up'] : change.to < change.from ? ['shards-down'] : [];
    case 'retention':
      return change.to > change.from ? ['retention-up'] : [];
    case 'parallelism': {
      const kinds: FixKind[] = [];
      if (change.to.parallelism > change.from.parallelism) kinds.push('parallelism-up');
      if (change.to.parallelism < change.from.parallelism) kinds.push('parallelism-down');
      // Heap per task is the KPU's heap over the tasks it runs.
      if (change.to.parallelismPerKpu < change.from.parallelismPerKpu) kinds.push('memory-per-task-up');
      if (change.to.parallelismPerKpu > change.from.parallelismPerKpu) kinds.push('memory-per-task-down');
      return kinds;
    }
    case 'monitoring': {
      const log = (LOG_VERBOSITY[change.to.logLevel] ?? 0) - (LOG_VERBOSITY[change.from.logLevel] ?? 0);
      const metrics =
        (METRICS_VERBOSITY[change.to.metricsLevel] ?? 0) - (METRICS_VERBOSITY[change.from.metricsLevel] ?? 0);
      if (log > 0 || metrics > 0) return ['monitoring-louder'];
      return log < 0 || metrics < 0 ? ['monitoring-quieter'] : [];
    }
  }
}
