import { parseConfig } from '../../domain/config';
import type { RunContext } from '../../domain/run-state';
import { parseWorkflowInput, toRunContext, triggerLabel } from '../input';
import { parseTaskPayload, type TaskCore } from '../task-payloads';
import type { TaskTelemetry } from '../telemetry';

export interface IntakeDeps {
  /** Region the workflow runs in; used when the config names none. */
  readonly defaultRegion: string;
  readonly telemetry: TaskTelemetry;
}

/**
 * Validates the execution input (an alarm state change or a manual request) against the config
 * embedded in the state machine, and returns the run every later task works from.
 */
export function createIntakeTask(deps: IntakeDeps): TaskCore<unknown, RunContext> {
  return async (payload) => {
    const { input, executionId, startedAt, config: rawConfig } = parseTaskPayload('intake', payload);
    const config = parseConfig(rawConfig);
    const request = parseWorkflowInput(input, config.alarms.namePrefix);
    const run = toRunContext(request, config, { executionId, startedAt, region: deps.defaultRegion });
    deps.telemetry.info('run accepted', {
      target: run.target,
      dryRun: run.dryRun,
      trigger: triggerLabel(run.trigger),
      mode: run.config.mode,
    });
    return run;
  };
}
