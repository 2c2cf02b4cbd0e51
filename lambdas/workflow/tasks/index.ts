import type {
  ApplicationControl,
  ApprovalRequests,
  Clock,
  FleetChangeLog,
  FleetSlots,
  Ledger,
  MetricsSource,
  NoticeLog,
  Notifier,
  PauseSwitch,
  RefusalLog,
  StreamControl,
  TargetLock,
  TurnedAwayLog,
} from '../../ports';
import type { TaskCores } from '../task-payloads';
import { SILENT_TELEMETRY, type TaskTelemetry } from '../telemetry';
import { createApplyTask } from './apply';
import { createApprovalTask } from './approval';
import { createAssessTask } from './assess';
import { createIntakeTask } from './intake';
import { createLockTask, createUnlockTask } from './lock';
import { createNotifyTask } from './notify';
import { createVerifyTask } from './verify';
import { createWaitCheckTask } from './wait-check';

/** Every port the workflow touches, for running all of its tasks in one process. */
export interface WorkflowPorts {
  readonly metrics: MetricsSource;
  readonly streams: StreamControl;
  readonly applications: ApplicationControl;
  readonly ledger: Ledger;
  readonly lock: TargetLock;
  /** The fleet's run slots (fleet.maxConcurrentRuns). */
  readonly slots: FleetSlots;
  /** The fleet's changes (fleet.maxChangesPerHour). */
  readonly fleetChanges: FleetChangeLog;
  readonly notifier: Notifier;
  /** The last message per target (notification de-duplication). */
  readonly notices: NoticeLog;
  /** Runs the lock turned away. */
  readonly turnedAway: TurnedAwayLog;
  /** The operators' kill switch. */
  readonly pauses: PauseSwitch;
  /** Approval requests of targets in mode `approve`. */
  readonly approvals: ApprovalRequests;
  /** What the guardrails refused, for the history. */
  readonly refusals: RefusalLog;
  readonly clock: Clock;
  /** Region reported when the config names none. */
  readonly region: string;
  /** @default SILENT_TELEMETRY */
  readonly telemetry?: TaskTelemetry;
}

/**
 * All task cores over one set of ports: what the local workflow runner plugs into the synthesized
 * state machine in place of the Lambda functions.
 */
export function createTaskCores(ports: WorkflowPorts): TaskCores {
  const telemetry = ports.telemetry ?? SILENT_TELEMETRY;
  const deps = { ...ports, telemetry };
  return {
    intake: createIntakeTask({ defaultRegion: ports.region, telemetry }),
    lock: createLockTask(deps),
    assess: createAssessTask(deps),
    apply: createApplyTask(deps),
    'wait-check': createWaitCheckTask(deps),
    verify: createVerifyTask(deps),
    notify: createNotifyTask(deps),
    unlock: createUnlockTask(deps),
    approval: createApprovalTask(deps),
  };
}
