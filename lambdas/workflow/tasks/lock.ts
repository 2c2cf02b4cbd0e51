import { paceGroups, paceSeconds } from '../../domain/api-pacing';
import type { Clock, FleetSlots, TargetLock, TurnedAwayLog, TurnedAwayReason } from '../../ports';
import { triggerLabel } from '../input';
import type { LockResult } from '../state';
import { parseTaskPayload, type TaskCore } from '../task-payloads';
import type { TaskTelemetry } from '../telemetry';

export interface LockDeps {
  readonly lock: TargetLock;
  /** The fleet's run slots: a run holds one besides its target's lock while `fleet.maxConcurrentRuns` is set. */
  readonly slots: FleetSlots;
  /** Where a run the lock turns away is recorded, so the target's history shows it. */
  readonly turnedAway: TurnedAwayLog;
  readonly clock: Clock;
  readonly telemetry: TaskTelemetry;
}

export type UnlockDeps = Pick<LockDeps, 'lock' | 'slots' | 'telemetry'>;

/**
 * Takes the target's lock for this execution, then one of the fleet's run slots. A target that another
 * execution is remediating is not an error: the run ends quietly, and the log and the ledger table
 * record which run was set aside and who held the target. So does a run that finds every fleet slot
 * held (`fleet-busy`), after giving the target's lock back. The sweep asks again a few minutes later
 * while an alarm stays in ALARM, so a run turned away is not a question left unanswered. A run let in
 * is told how long to wait before its first read: the seconds its fleet slot owns (domain/api-pacing.ts).
 */
export function createLockTask(deps: LockDeps): TaskCore<unknown, LockResult> {
  return async (payload) => {
    const { run, ttlSeconds, fleetSlots, paceCycleSeconds } = parseTaskPayload('lock', payload);
    const trigger = triggerLabel(run.trigger);
    const turnAway = async (reason: TurnedAwayReason, heldBy: string | undefined): Promise<LockResult> => {
      await deps.turnedAway.record({
        target: run.target,
        at: deps.clock.now().toISOString(),
        executionId: run.executionId,
        trigger,
        reason,
        ...(heldBy !== undefined ? { heldBy } : {}),
      });
      return { acquired: false };
    };
    if (!(await deps.lock.acquire(run.target, run.executionId, ttlSeconds))) {
      deps.telemetry.warn('target is busy with another run; this run ends without acting', {
        target: run.target,
        executionId: run.executionId,
        trigger,
      });
      return turnAway('target-busy', await deps.lock.ownerOf(run.target));
    }
    if (fleetSlots === undefined) return { acquired: true, paceSeconds: 0 };
    const slot = await deps.slots.acquire(run.executionId, fleetSlots, ttlSeconds);
    if (!slot) {
      await deps.lock.release(run.target, run.executionId);
      deps.telemetry.warn('every fleet slot is held (fleet.maxConcurrentRuns); this run ends without acting', {
        target: run.target,
        executionId: run.executionId,
        trigger,
        maxConcurrentRuns: fleetSlots,
      });
      return turnAway('fleet-busy', undefined);
    }
    const pace = paceSeconds(slot.index, paceGroups(fleetSlots, paceCycleSeconds), deps.clock.now().getTime());
    if (pace > 0) {
      deps.telemetry.info("the run waits for its fleet slot's second before its first read", {
        target: run.target,
        slot: slot.index,
        paceSeconds: pace,
      });
    }
    return { acquired: true, paceSeconds: pace };
  };
}

/** Releases the target's lock and the fleet slot if this execution still holds them; releasing twice is harmless. */
export function createUnlockTask(deps: UnlockDeps): TaskCore<unknown, { readonly released: true }> {
  return async (payload) => {
    const { run } = parseTaskPayload('unlock', payload);
    await deps.lock.release(run.target, run.executionId);
    await deps.slots.release(run.executionId);
    deps.telemetry.info('lock released', { target: run.target });
    return { released: true };
  };
}
