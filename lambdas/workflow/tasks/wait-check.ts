import { checkResource, type CheckPorts, type Progress } from '../../domain/run-state';
import { parsePayload, type StepCore, type WaitCheckPayload } from '../state';

/** Read-only: one status check of the resource the last step changed (ACTIVE stream, RUNNING app). */
export function createWaitCheckStep(deps: CheckPorts): StepCore<unknown, Progress> {
  return async (payload) => {
    const { progress, maxPolls } = parsePayload<WaitCheckPayload>('wait-check', payload);
    return checkResource(deps, progress, maxPolls);
  };
}
