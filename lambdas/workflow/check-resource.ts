/**
 * Waiting for a changed resource: one status check at a time, bounded by a number of checks (the
 * workflow spaces them by its poll interval, so the bound is a time). A check whose describe call is
 * throttled or fails on AWS's side counts as a check that did not see the resource ready.
 */
import type { Awaiting, ResourceWait } from '../domain/run-state';
import { parseAppState, parseStreamState } from '../domain/snapshot';
import type { ApplicationControl, StreamControl } from '../ports';
import { ServiceUnavailableError, ThrottlingError } from '../ports/errors';
import { required, ResourceStateError } from './apply-step';

/** The resource was still changing after the last allowed status check. */
export class ResourceNotReadyError extends Error {
  override readonly name = 'ResourceNotReadyError';
}

/** Stream and application states that waiting will not turn into ACTIVE / RUNNING. */
const STREAM_DEAD_ENDS = new Set(['DELETING']);
const APPLICATION_DEAD_ENDS = new Set(['READY', 'DELETING', 'ROLLED_BACK', 'FORCE_STOPPING']);

export interface CheckPorts {
  readonly streams?: StreamControl;
  readonly applications?: ApplicationControl;
}

/**
 * One status check of each resource the run waits for: the one the last step changed, and any other
 * the round changed that must be back before the run goes on (`also`, dropped as each is seen ready).
 * Throws {@link ResourceNotReadyError} when this was the last allowed check and one is still changing,
 * so the bound on waiting is enforced here and the state machine only loops on `ready`.
 */
export async function checkResource(ports: CheckPorts, wait: ResourceWait, maxPolls: number): Promise<ResourceWait> {
  const polls = wait.polls + 1;
  const main = await checkOne(ports, wait.awaiting, polls, maxPolls, wait.lastStatus);
  const also: Awaiting[] = [];
  for (const other of wait.also ?? []) {
    if (!(await checkOne(ports, other, polls, maxPolls, undefined)).ready) also.push(other);
  }
  const ready = main.ready && also.length === 0;
  if (!ready && polls >= maxPolls) {
    const [awaiting, status] = main.ready ? [also[0]!, 'changing'] : [wait.awaiting, main.status];
    throw new ResourceNotReadyError(
      `${awaiting.kind} ${awaiting.name} is still ${status} after ${polls} checks; expected ${
        awaiting.kind === 'stream' ? 'ACTIVE' : 'RUNNING'
      }`,
    );
  }
  return { awaiting: wait.awaiting, polls, ready, lastStatus: main.status, ...(also.length > 0 ? { also } : {}) };
}

/** One resource's status; a throttled or failed-on-AWS's-side read is a check that did not see it ready. */
async function checkOne(
  ports: CheckPorts,
  awaiting: Awaiting,
  polls: number,
  maxPolls: number,
  lastStatus: string | undefined,
): Promise<{ status: string; ready: boolean }> {
  try {
    return await readStatus(ports, awaiting);
  } catch (error) {
    // Describe calls are throttled hardest right after a change, while the wait still has time.
    if (!(error instanceof ThrottlingError || error instanceof ServiceUnavailableError)) throw error;
    if (polls >= maxPolls) {
      throw new ResourceNotReadyError(
        `${awaiting.kind} ${awaiting.name} could not be read at the last of ${polls} checks (${error.name}: ${error.message}); ` +
          `it was last seen ${lastStatus ?? 'never'}`,
      );
    }
    return { status: lastStatus ?? `unread (${error.name})`, ready: false };
  }
}

async function readStatus(ports: CheckPorts, awaiting: Awaiting): Promise<{ status: string; ready: boolean }> {
  let status: string;
  let ready: boolean;
  if (awaiting.kind === 'stream') {
    status = parseStreamState(await required(ports.streams, 'streams').describeStreamSummary(awaiting.name)).status;
    ready = status === 'ACTIVE';
    if (STREAM_DEAD_ENDS.has(status)) throw new ResourceStateError(`stream ${awaiting.name} is ${status}`);
  } else {
    const app = parseAppState(await required(ports.applications, 'applications').describeApplication(awaiting.name));
    status = app.status;
    ready = status === 'RUNNING';
    if (APPLICATION_DEAD_ENDS.has(status)) {
      throw new ResourceStateError(`application ${awaiting.name} is ${status} after the update, not RUNNING`);
    }
  }
  return { status, ready };
}
