import type { ResourceWait } from '../../domain/run-state';
import { checkResource, type CheckPorts } from '../check-resource';
import { parseTaskPayload, type TaskCore } from '../task-payloads';

/** Read-only: one status check of the resource the last step changed (ACTIVE stream, RUNNING app). */
export function createWaitCheckTask(deps: CheckPorts): TaskCore<unknown, ResourceWait> {
  return async (payload) => {
    const { wait, maxPolls } = parseTaskPayload('wait-check', payload);
    return checkResource(deps, wait, maxPolls);
  };
}
