import type { TargetLock } from '../../ports';
import {
  parsePayload,
  type LockPayload,
  type LockResult,
  type StepCore,
  type UnlockPayload,
  type UnlockResult,
} from '../state';
import type { StepTelemetry } from '../telemetry';

export interface LockDeps {
  readonly lock: TargetLock;
  readonly telemetry: StepTelemetry;
}

/**
 * Takes the target's lock for this execution. A target that another execution is remediating is
 * not an error: the run ends quietly, and the log records which alarm was set aside.
 */
export function createLockStep(deps: LockDeps): StepCore<unknown, LockResult> {
  return async (payload) => {
    const { run, ttlSeconds } = parsePayload<LockPayload>('lock', payload);
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
export function createUnlockStep(deps: LockDeps): StepCore<unknown, UnlockResult> {
  return async (payload) => {
    const { run } = parsePayload<UnlockPayload>('unlock', payload);
    await deps.lock.release(run.target, run.executionId);
    deps.telemetry.info('lock released', { target: run.target });
    return { released: true };
  };
}
