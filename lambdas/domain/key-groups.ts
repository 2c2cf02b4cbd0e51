/**
 * Flink splits a keyed operator's state into as many key groups as the job's max parallelism and
 * gives each subtask a contiguous range of them: `ceil(K / p)` for the busiest of `p` subtasks. With
 * keys spread evenly over key groups, the job runs as fast as its busiest subtask allows, so a keyed
 * job at parallelism `p` carries what `K / ceil(K / p)` evenly loaded subtasks would. With K = 128,
 * parallelism 40 carries what 32 do and anything from 65 to 127 what 64 do. FLIP-271's autoscaler
 * aligns its sizes to key-group boundaries for this reason (see docs/sizing.md).
 *
 * `keyGroups` undefined means the work is not keyed (rebalanced evenly): every subtask counts.
 */

/** Key groups the busiest of `parallelism` subtasks holds. */
export function busiestSubtaskKeyGroups(parallelism: number, keyGroups: number): number {
  return Math.ceil(keyGroups / parallelism);
}

/** How many evenly loaded subtasks a job at `parallelism` is worth: fewer when its key groups split unevenly. */
export function effectiveParallelism(parallelism: number, keyGroups: number | undefined): number {
  if (keyGroups === undefined) return parallelism;
  // Past the key groups every subtask holds one at most: the rest have none.
  if (parallelism >= keyGroups) return keyGroups;
  return keyGroups / busiestSubtaskKeyGroups(parallelism, keyGroups);
}

/**
 * The smallest parallelism worth at least `subtasks` evenly loaded subtasks: for a keyed job, the
 * smallest whose busiest subtask holds no more than `floor(K / subtasks)` key groups; never past K,
 * where each subtask holds one.
 */
export function parallelismCarrying(subtasks: number, keyGroups: number | undefined): number {
  const whole = Math.max(1, Math.ceil(subtasks - 1e-9));
  if (keyGroups === undefined) return whole;
  if (whole >= keyGroups) return keyGroups;
  const perSubtask = Math.max(1, Math.floor(keyGroups / Math.max(subtasks, 1) + 1e-9));
  return Math.max(whole, Math.ceil(keyGroups / perSubtask));
}

/**
 * The parallelism that carries `ratio` times what a job at `parallelism` carries: the ratio applies to
 * the subtasks that size is worth, which for a keyed job is fewer than it runs.
 */
export function parallelismScaledBy(parallelism: number, ratio: number, keyGroups: number | undefined): number {
  return parallelismCarrying(effectiveParallelism(parallelism, keyGroups) * ratio, keyGroups);
}

/**
 * How far short of the subtasks asked for a keyed job's catch-up size may fall when the key-group
 * boundary below carries nearly all of it: the catch-up time is a target, a drain a few seconds
 * longer costs little, and the boundary above can cost a third more subtasks (33 subtasks' worth over
 * 128 key groups is 43, where 32 carry 97% of it). The steady size is not rounded down: a job run past
 * its target utilisation stays there.
 */
export const KEY_GROUP_SHORTFALL = 0.05;

/**
 * The size StreamMedic gives a job for `subtasks` evenly loaded subtasks of catch-up work: the smallest
 * parallelism that carries them, or for a keyed job the key-group boundary below it when that carries
 * all but {@link KEY_GROUP_SHORTFALL} of them.
 */
export function parallelismToPlan(subtasks: number, keyGroups: number | undefined): number {
  const carrying = parallelismCarrying(subtasks, keyGroups);
  if (keyGroups === undefined || carrying <= 1) return carrying;
  const below = leanestParallelismWithin(carrying - 1, keyGroups);
  return effectiveParallelism(below, keyGroups) >= subtasks * (1 - KEY_GROUP_SHORTFALL) ? below : carrying;
}

/**
 * The leanest parallelism at or below `ceiling` that carries as much as `ceiling` does: for a keyed job
 * with K = 128 and a ceiling of 100, 64, since 100 subtasks still leave one with two key groups.
 */
export function leanestParallelismWithin(ceiling: number, keyGroups: number | undefined): number {
  return parallelismCarrying(effectiveParallelism(ceiling, keyGroups), keyGroups);
}

/** The key groups a target's job shares among its subtasks: its max parallelism when the work is keyed. */
export function keyGroupsOf(application: {
  readonly keyed: boolean;
  readonly maxJobParallelism: number;
}): number | undefined {
  return application.keyed ? application.maxJobParallelism : undefined;
}
