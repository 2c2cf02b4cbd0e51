import { parseConfig } from '../../domain/config';
import type { RunContext } from '../../domain/run-state';
import { parseWorkflowInput, toRunContext } from '../input';
import { parsePayload, type IntakePayload, type StepCore } from '../state';
import type { StepTelemetry } from '../telemetry';

export interface IntakeDeps {
  /** Region the workflow runs in; used when the config names none. */
  readonly defaultRegion: string;
  readonly telemetry: StepTelemetry;
}

/**
 * Validates the execution input (an alarm state change or a manual request) against the config
 * embedded in the state machine, and returns the run every later step works from.
 */
export function createIntakeStep(deps: IntakeDeps): StepCore<unknown, RunContext> {
  return async (payload) => {
    const { input, executionId, startedAt, config: rawConfig } = parsePayload<IntakePayload>('intake', payload);
    const config = parseConfig(rawConfig);
    const request = parseWorkflowInput(input, config.alarms.namePrefix);
    const run = toRunContext(request, config, { executionId, startedAt, region: deps.defaultRegion });
    deps.telemetry.info('run accepted', {
      target: run.target,
      dryRun: run.dryRun,
      trigger: run.trigger.kind === 'alarm' ? run.trigger.alarmName : 'manual',
      mode: run.config.mode,
    });
    return run;
  };
}
