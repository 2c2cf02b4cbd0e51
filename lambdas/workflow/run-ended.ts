import {
  composeRunEndedNotification,
  isAbnormalEnd,
  parseExecutionStatusChange,
  targetOfInput,
  type AbnormalEndStatus,
  type LockOutcome,
} from './run-ended-event';
import type { ExecutionReader, FleetSlots, Notifier, TargetLock } from '../ports';
import { CountedNotifier } from './counted-notifier';
import { reconcileOpenIntents, type ReconcilePorts } from './reconcile-intents';
import type { SettledChanges } from './run-ended-event';
import type { TaskTelemetry } from './telemetry';

/** Environment the run-ended function reads besides the table and the topic. */
export const RUN_ENDED_ENV = {
  /** The config's `alarms.namePrefix`: the target of an alarm-started run is read from the alarm's name. */
  alarmNamePrefix: 'STREAM_MEDIC_ALARM_NAME_PREFIX',
} as const;

export interface RunEndedDeps {
  readonly lock: TargetLock;
  /** The fleet's run slots: the slot of a run that died is freed with its lock. */
  readonly slots: FleetSlots;
  readonly notifier: Notifier;
  readonly executions: ExecutionReader;
  readonly telemetry: TaskTelemetry;
  /** The config's `alarms.namePrefix`. */
  readonly alarmNamePrefix: string;
  /**
   * The ledger and the resources' descriptions: a change the run requested and died before recording
   * the result of is settled from the resource, and the message says whether it was made.
   */
  readonly reconcile?: ReconcilePorts;
}

export type RunEndedResult =
  | { readonly handled: false; readonly status: string }
  | {
      readonly handled: true;
      readonly status: AbnormalEndStatus;
      readonly target?: string;
      readonly lock: LockOutcome['kind'];
      readonly subject: string;
      /** False for a sweep's run that went through its own notify and unlock steps: it has told what it had to. */
      readonly published: boolean;
    };

/**
 * Runs when an execution of the workflow ends FAILED, TIMED_OUT or ABORTED: frees the target's lock
 * and its fleet slot if that execution still holds them (the lock's owner is the execution ARN), settles any change the run
 * requested without recording its result, then tells on-call how the run ended, what AWS did, and
 * what to check. A failed publish is counted and thrown, so Lambda retries the event;
 * the lock is released first, so a topic that is down cannot keep a target locked.
 */
export function createRunEndedCore(deps: RunEndedDeps): (event: unknown) => Promise<RunEndedResult> {
  const notifier = new CountedNotifier(deps.notifier, deps.telemetry);
  return async (event) => {
    const end = parseExecutionStatusChange(event);
    const status = end.status;
    if (!isAbnormalEnd(status)) return { handled: false, status };

    const input = end.input ?? (await deps.executions.inputOf(end.executionArn));
    const read = targetOfInput(input, deps.alarmNamePrefix);
    const target = 'target' in read ? read.target : undefined;
    let lock: LockOutcome;
    if (target === undefined) {
      lock = { kind: 'no-target', reason: 'refused' in read ? read.refused : 'unknown' };
    } else {
      const owner = await deps.lock.ownerOf(target);
      if (owner === end.executionArn) {
        await deps.lock.release(target, end.executionArn);
        lock = { kind: 'freed' };
      } else if (owner === undefined) {
        lock = { kind: 'not-held' };
      } else {
        lock = { kind: 'held-by-another', owner };
      }
    }
    await deps.slots.release(end.executionArn);
    let changes: SettledChanges | undefined;
    if (target !== undefined && deps.reconcile) {
      try {
        changes = {
          settled: await reconcileOpenIntents(deps.reconcile, target, { executionId: end.executionArn }),
        };
      } catch (error) {
        // The message goes out either way; the next assessment of the target settles what is left.
        changes = { unsettled: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
      }
    }
    deps.telemetry.warn('run ended without finishing its own path', {
      executionArn: end.executionArn,
      status,
      target,
      lock: lock.kind,
    });

    const message = composeRunEndedNotification({
      end: { ...end, status },
      ...(target ? { target } : {}),
      lock,
      ...(changes ? { changes } : {}),
    });
    const result = {
      handled: true,
      status,
      ...(target ? { target } : {}),
      lock: lock.kind,
      subject: message.subject,
    } as const;
    // A sweep repeats a failing re-assessment every few minutes; its notify step already held back
    // what it had said before, so a message per failed run would be the repetition it avoids. A run
    // that died still holding the lock never reached that step, and is reported, as is a run whose
    // changes were settled or could not be settled here: that news is in no other message.
    const changesToTell = changes !== undefined && ('unsettled' in changes || changes.settled.length > 0);
    if (
      'trigger' in read &&
      read.trigger === 'sweep' &&
      status === 'FAILED' &&
      lock.kind === 'not-held' &&
      !changesToTell
    ) {
      return { ...result, published: false };
    }
    await notifier.publish(message);
    return { ...result, published: true };
  };
}
