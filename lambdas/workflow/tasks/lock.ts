import type { Clock, TargetLock, TurnedAwayLog } from '../../ports';
import { triggerLabel } from '../input';
import type { LockResult } from '../state';
import { parseTaskPayload, type TaskCore } from '../task-payloads';
import type { TaskTelemetry } from '../telemetry';

export interface LockDeps {
  readonly lock: TargetLock;
  /** Where a run the lock turns away is recorded, so the target's history shows it. */
  readonly turnedAway: TurnedAwayLog;
  readonly clock: Clock;
  readonly telemetry: TaskTelemetry;
}

export type UnlockDeps = Pick<LockDeps, 'lock' | 'telemetry'>;

/**
 * Takes the target's lock for this execution. A target that another execution is remediating is
 * not an error: the run ends quietly, and the log and the ledger table record which run was set
 * aside and who held the target. The sweep asks again a few minutes later while an alarm stays in
 * ALARM, so a run turned away is not a question left unanswered.
 */
export function createLockTask(deps: LockDeps): TaskCore<unknown, LockResult> {
  return async (payload) => {
    const { run, ttlSeconds } = parseTaskPayload('lock', payload);
    const acquired = await deps.lock.acquire(run.target, run.executionId, ttlSeconds);
    if (!acquired) {
      const trigger = triggerLabel(run.trigger);
      deps.telemetry.warn('target is busy with another run; this run ends without acting', {
        target: run.target,
        executionId: run.executionId,
        trigger,
      });
      const heldBy = await deps.lock.ownerOf(run.target);
      await deps.turnedAway.record({
        target: run.target,
        at: deps.clock.now().toISOString(),
        executionId: run.executionId,
        trigger,
        ...(heldBy !== undefined ? { heldBy } : {}),
      });
    }
    return { acquired };
  };
}

/** Releases the target's lock if this execution still holds it; releasing twice is harmless. */
export function createUnlockTask(deps: UnlockDeps): TaskCore<unknown, { readonly released: true }> {
  return async (payload) => {
    const { run } = parseTaskPayload('unlock', payload);
    await deps.lock.release(run.target, run.executionId);
    deps.telemetry.info('lock released', { target: run.target });
    return { released: true };
  };
}
