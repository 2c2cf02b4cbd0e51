/**
 * Applying one step of a plan: one changing call, made only when the resource still looks the way
 * the plan assumed, and recorded in the ledger. The apply task is a thin shell around this.
 */
import { applicationResource, streamResource, type LedgerEntry } from '../domain/model';
import type { Awaiting, Progress, ResourceWait, RunContext, WorkStep } from '../domain/run-state';
import { parseAppState, parseStreamState } from '../domain/snapshot';
import { InvalidInputError } from '../domain/validation';
import { ledgerEntryFor } from '../domain/work-steps';
import type { ApplicationControl, Clock, Ledger, StreamControl } from '../ports';
import { ResourceInUseError } from '../ports/errors';

/** The resource no longer looks the way the plan assumed; acting on the plan could do harm. */
export class PlanDriftError extends Error {
  override readonly name = 'PlanDriftError';
}

/** The resource went into a state from which it will not become ACTIVE / RUNNING by waiting. */
export class ResourceStateError extends Error {
  override readonly name = 'ResourceStateError';
}

export interface ApplyPorts {
  readonly streams?: StreamControl;
  readonly applications?: ApplicationControl;
  readonly ledger: Ledger;
  readonly clock: Clock;
}

function awaitingFor(step: WorkStep): Awaiting {
  return 'streamName' in step
    ? { kind: 'stream', name: step.streamName }
    : { kind: 'application', name: step.applicationName };
}

/** A control the step needs; a wiring without it is refused with the field at fault. */
export function required<T>(port: T | undefined, what: string): T {
  if (!port) throw new InvalidInputError(what, 'this step needs it, but no such control is configured');
  return port;
}

/** Application states from which an update can start; the others are transient or need a person. */
const APPLICATION_BUSY = new Set(['UPDATING', 'AUTOSCALING', 'STARTING', 'ROLLING_BACK', 'MAINTENANCE']);

async function applyStreamStep(
  ports: ApplyPorts,
  step: Extract<WorkStep, { streamName: string }>,
): Promise<'requested' | 'already-done'> {
  const streams = required(ports.streams, 'streams');
  const stream = parseStreamState(await streams.describeStreamSummary(step.streamName));
  const context = { action: step.type === 'UpdateShardCount' ? 'UpdateShardCount' : 'IncreaseStreamRetentionPeriod' };
  if (stream.status !== 'ACTIVE') {
    // Kinesis refuses changes unless ACTIVE; the workflow retries this error with backoff.
    throw new ResourceInUseError(`stream is ${stream.status}, not ACTIVE`, {
      ...context,
      resource: streamResource(step.streamName),
    });
  }
  if (step.type === 'UpdateShardCount') {
    if (stream.openShards === step.to) return 'already-done';
    if (stream.mode !== 'PROVISIONED' || stream.openShards !== step.from) {
      throw new PlanDriftError(
        `stream ${step.streamName} has ${stream.openShards} open shards (${stream.mode}); ` +
          `the plan expected ${step.from} provisioned shards`,
      );
    }
    await streams.updateShardCount(step.streamName, step.to);
    return 'requested';
  }
  if (stream.retentionHours >= step.toHours) return 'already-done';
  await streams.increaseRetentionPeriod(step.streamName, step.toHours);
  return 'requested';
}

async function applyApplicationStep(
  ports: ApplyPorts,
  step: Extract<WorkStep, { applicationName: string }>,
): Promise<{ outcome: 'requested' | 'already-done'; versionId: number }> {
  const applications = required(ports.applications, 'applications');
  const app = parseAppState(await applications.describeApplication(step.applicationName));
  const resource = applicationResource(step.applicationName);
  if (APPLICATION_BUSY.has(app.status)) {
    throw new ResourceInUseError(`application is ${app.status}, not RUNNING`, {
      action: 'UpdateApplication',
      resource,
    });
  }
  if (app.status !== 'RUNNING') {
    throw new ResourceStateError(`application ${step.applicationName} is ${app.status}; only a RUNNING one is updated`);
  }
  if (step.type === 'UpdateApplicationParallelism') {
    if (app.parallelism === step.to && app.parallelismPerKpu === step.parallelismPerKpu) {
      return { outcome: 'already-done', versionId: app.versionId };
    }
    if (app.parallelism !== step.from) {
      throw new PlanDriftError(
        `application ${step.applicationName} runs with parallelism ${app.parallelism}; the plan expected ${step.from}`,
      );
    }
    // The version is read just now, so a retry after ConcurrentModification uses the fresh one.
    await applications.updateParallelism({
      applicationName: step.applicationName,
      currentApplicationVersionId: app.versionId,
      parallelism: step.to,
      parallelismPerKpu: step.parallelismPerKpu,
      ...(step.autoScalingEnabled !== undefined ? { autoScalingEnabled: step.autoScalingEnabled } : {}),
    });
    return { outcome: 'requested', versionId: app.versionId };
  }
  if (app.logLevel === step.logLevel && app.metricsLevel === step.metricsLevel) {
    return { outcome: 'already-done', versionId: app.versionId };
  }
  await applications.updateMonitoring({
    applicationName: step.applicationName,
    currentApplicationVersionId: app.versionId,
    logLevel: step.logLevel,
    metricsLevel: step.metricsLevel,
  });
  return { outcome: 'requested', versionId: app.versionId };
}

/** The apply loop after a step: the cursor moved on, and a fresh wait for the resource the step changed. */
export interface StepApplied {
  readonly progress: Progress;
  readonly wait: ResourceWait;
}

/**
 * Applies the next step of the plan (one changing call), records it in the ledger, and returns the
 * moved cursor and the wait that follows. A step that finds its change already in place is not made
 * again; it is recorded only if no entry of this run says so yet.
 */
export async function applyNextStep(
  ports: ApplyPorts,
  run: Pick<RunContext, 'target' | 'executionId' | 'startedAt'>,
  steps: readonly WorkStep[],
  progress: Progress,
): Promise<StepApplied> {
  const step = steps[progress.next];
  if (!step) {
    throw new InvalidInputError('progress.next', `is ${progress.next}, but the plan has ${steps.length} steps`);
  }
  let outcome: 'requested' | 'already-done';
  let versionId: number | undefined;
  if ('streamName' in step) {
    outcome = await applyStreamStep(ports, step);
  } else {
    ({ outcome, versionId } = await applyApplicationStep(ports, step));
  }
  const at = ports.clock.now();
  const entry = ledgerEntryFor(step, run, at);
  if (outcome === 'requested' || !(await alreadyRecorded(ports.ledger, entry, run.startedAt))) {
    await ports.ledger.record(entry);
  }
  const next = progress.next + 1;
  return {
    progress: {
      next,
      applied: [
        ...progress.applied,
        {
          step,
          at: at.toISOString(),
          outcome,
          ...(versionId !== undefined ? { applicationVersionId: versionId } : {}),
        },
      ],
      more: next < steps.length,
    },
    wait: { awaiting: awaitingFor(step), polls: 0, ready: false },
  };
}

async function alreadyRecorded(ledger: Ledger, entry: LedgerEntry, sinceIso: string): Promise<boolean> {
  const entries = await ledger.list(entry.target, sinceIso);
  return entries.some(
    (e) =>
      e.executionId === entry.executionId &&
      e.resource === entry.resource &&
      e.actionType === entry.actionType &&
      e.to === entry.to,
  );
}
