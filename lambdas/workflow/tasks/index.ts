import type {
  ApplicationControl,
  Clock,
  Ledger,
  MetricsSource,
  Notifier,
  StreamControl,
  TargetLock,
} from '../../ports';
import { createApplyStep } from './apply';
import { createAssessStep } from './assess';
import type { StepCores } from '../state';
import { createIntakeStep } from './intake';
import { createLockStep, createUnlockStep } from './lock';
import { createNotifyStep } from './notify';
import { SILENT_TELEMETRY, type StepTelemetry } from '../telemetry';
import { createVerifyStep } from './verify';
import { createWaitCheckStep } from './wait-check';

/** Every port the workflow touches, for running all of its steps in one process. */
export interface WorkflowPorts {
  readonly metrics: MetricsSource;
  readonly streams: StreamControl;
  readonly applications: ApplicationControl;
  readonly ledger: Ledger;
  readonly lock: TargetLock;
  readonly notifier: Notifier;
  readonly clock: Clock;
  /** Region reported when the config names none. */
  readonly region: string;
  /** @default SILENT_TELEMETRY */
  readonly telemetry?: StepTelemetry;
}

/**
 * All step cores over one set of ports: what the local workflow runner plugs into the synthesized
 * state machine in place of the Lambda functions.
 */
export function createStepCores(ports: WorkflowPorts): StepCores {
  const telemetry = ports.telemetry ?? SILENT_TELEMETRY;
  const deps = { ...ports, telemetry };
  return {
    intake: createIntakeStep({ defaultRegion: ports.region, telemetry }),
    lock: createLockStep(deps),
    assess: createAssessStep(deps),
    apply: createApplyStep(deps),
    'wait-check': createWaitCheckStep(deps),
    verify: createVerifyStep(deps),
    notify: createNotifyStep(deps),
    unlock: createUnlockStep(deps),
  };
}
