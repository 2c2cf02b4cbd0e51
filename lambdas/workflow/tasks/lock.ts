import type { TargetLock } from '../../ports';
import type { LockResult } from '../state';
import { parseTaskPayload, type TaskCore } from '../task-payloads';
import type { TaskTelemetry } from '../telemetry';

export interface LockDeps {
  readonly lock: TargetLock;
  readonly telemetry: TaskTelemetry;
}

/**
 * Takes the target's lock for this execution. A target that another execution is remediating is
 * not an error: the run ends quietly, and the log records which alarm was set aside.
 */
export function createLockTask(deps: LockDeps): TaskCore<unknown, LockResult> {
  return async (payload) => {
    const { run, ttlSeconds } = parseTaskPayload('lock', payload);
    const acquired = await deps.lock.acquire(run.target, run.executionId, ttlSeconds);
    if (!acquired) {
      deps.telemetry.warn('target is busy with another run; this run ends without acting', {
        target: run.target,
        executionId: run.executionId,
        trigger: run.trigger.kind === 'alarm' ? run.trigger.alarmName : 'manual',
      });
    }
    return { acquired };
  };
}

/** Releases the target's lock if this execution still holds it; releasing twice is harmless. */
export function createUnlockTask(deps: LockDeps): TaskCore<unknown, { readonly released: true }> {
  return async (payload) => {
    const { run } = parseTaskPayload('unlock', payload);
    await deps.lock.release(run.target, run.executionId);
    deps.telemetry.info('lock released', { target: run.target });
    return { released: true };
  };
}
