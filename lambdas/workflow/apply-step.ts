/**
 * Applying one step of a plan: one changing call, made only when the resource still looks the way
 * the plan assumed, and recorded in the ledger. The apply task is a thin shell around this.
 */
import { changesOf, resultEntryFor, type DescribedResource } from '../domain/ledger-intents';
import { applicationResource, streamResource, type LedgerEntry } from '../domain/model';
import type { Awaiting, Progress, ResourceWait, RunContext, WorkStep } from '../domain/run-state';
import { parseAppState, parseStreamState } from '../domain/snapshot';
import { plural } from '../domain/units';
import { InvalidInputError } from '../domain/validation';
import { ledgerEntryFor } from '../domain/work-steps';
import type { ApplicationControl, Clock, FleetChangeLog, Ledger, StreamControl } from '../ports';
import { PortError, ResourceInUseError } from '../ports/errors';
import { reconcileOpenIntents } from './reconcile-intents';

/** The resource no longer looks the way the plan assumed; acting on the plan could do harm. */
export class PlanDriftError extends Error {
  override readonly name = 'PlanDriftError';
}

/**
 * The step, its wait, the settling wait and the verification may not finish before the execution's
 * timeout: the step is not made, so the run ends on its own path, told and unlocked.
 */
export class TimeBudgetError extends Error {
  override readonly name = 'TimeBudgetError';
}

/**
 * Every one of the fleet's change slots was taken in the last hour (fleet.maxChangesPerHour): the
 * step is not made, so the run ends on its own path, told and unlocked, and a later sweep assesses again.
 */
export class FleetBudgetError extends Error {
  override readonly name = 'FleetBudgetError';
}

/** The resource went into a state from which it will not become ACTIVE / RUNNING by waiting. */
export class ResourceStateError extends Error {
  override readonly name = 'ResourceStateError';
}

export interface ApplyPorts {
  readonly streams?: StreamControl;
  readonly applications?: ApplicationControl;
  readonly ledger: Ledger;
  /** The fleet's changes: each change claims a slot there and is counted, for fleet.maxChangesPerHour. */
  readonly fleetChanges: FleetChangeLog;
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

/** What a step found on the resource: its change already in place, or the one call that makes it. */
type PreparedStep = { readonly kind: 'already-done' } | { readonly kind: 'call'; readonly make: () => Promise<void> };

/** A step checked against the resource, with the description it was checked against. */
interface CheckedStep {
  readonly prepared: PreparedStep;
  readonly described: DescribedResource;
  /** The application version the update is made against. */
  readonly versionId?: number;
}

const ALREADY_DONE: PreparedStep = { kind: 'already-done' };

async function prepareStreamStep(
  ports: ApplyPorts,
  step: Extract<WorkStep, { streamName: string }>,
): Promise<CheckedStep> {
  const streams = required(ports.streams, 'streams');
  const stream = parseStreamState(await streams.describeStreamSummary(step.streamName));
  const described = { stream };
  const context = { action: step.type === 'UpdateShardCount' ? 'UpdateShardCount' : 'IncreaseStreamRetentionPeriod' };
  if (stream.status !== 'ACTIVE') {
    // Kinesis refuses changes unless ACTIVE; the workflow retries this error with backoff.
    throw new ResourceInUseError(`stream is ${stream.status}, not ACTIVE`, {
      ...context,
      resource: streamResource(step.streamName),
    });
  }
  if (step.type === 'UpdateShardCount') {
    if (stream.openShards === step.to) return { prepared: ALREADY_DONE, described };
    if (stream.mode !== 'PROVISIONED' || stream.openShards !== step.from) {
      throw new PlanDriftError(
        `stream ${step.streamName} has ${stream.openShards} open shards (${stream.mode}); ` +
          `the plan expected ${step.from} provisioned shards`,
      );
    }
    return { prepared: { kind: 'call', make: () => streams.updateShardCount(step.streamName, step.to) }, described };
  }
  if (stream.retentionHours >= step.toHours) return { prepared: ALREADY_DONE, described };
  return {
    prepared: { kind: 'call', make: () => streams.increaseRetentionPeriod(step.streamName, step.toHours) },
    described,
  };
}

async function prepareApplicationStep(
  ports: ApplyPorts,
  step: Extract<WorkStep, { applicationName: string }>,
): Promise<CheckedStep> {
  const applications = required(ports.applications, 'applications');
  const app = parseAppState(await applications.describeApplication(step.applicationName));
  const checked = { described: { app }, versionId: app.versionId };
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
      return { ...checked, prepared: ALREADY_DONE };
    }
    if (app.parallelism !== step.from) {
      throw new PlanDriftError(
        `application ${step.applicationName} runs with parallelism ${app.parallelism}; the plan expected ${step.from}`,
      );
    }
    if (step.rollback) {
      // The version that ran before the change, with the state of its snapshot; the version id is read just now.
      const rollback = () => applications.rollbackApplication(step.applicationName, app.versionId);
      return { ...checked, prepared: { kind: 'call', make: rollback } };
    }
    // The version is read just now, so a retry after ConcurrentModification uses the fresh one.
    const update = {
      applicationName: step.applicationName,
      currentApplicationVersionId: app.versionId,
      parallelism: step.to,
      parallelismPerKpu: step.parallelismPerKpu,
      ...(step.autoScalingEnabled !== undefined ? { autoScalingEnabled: step.autoScalingEnabled } : {}),
    };
    return { ...checked, prepared: { kind: 'call', make: () => applications.updateParallelism(update) } };
  }
  if (app.logLevel === step.logLevel && app.metricsLevel === step.metricsLevel) {
    return { ...checked, prepared: ALREADY_DONE };
  }
  const update = {
    applicationName: step.applicationName,
    currentApplicationVersionId: app.versionId,
    logLevel: step.logLevel,
    metricsLevel: step.metricsLevel,
  };
  return { ...checked, prepared: { kind: 'call', make: () => applications.updateMonitoring(update) } };
}

/** fleet.maxChangesPerHour, and the run's round the step belongs to (a step's index names it within its round). */
export interface FleetCap {
  readonly maxChangesPerHour: number;
  readonly round: number;
}

/** The apply loop after a step: the cursor moved on, and a fresh wait for the resource the step changed. */
export interface StepApplied {
  readonly progress: Progress;
  readonly wait: ResourceWait;
}

/** A failure in which AWS answered and refused the call (or the adapter refused before calling): nothing was changed. */
export function refusedWithoutChange(error: unknown): error is PortError {
  // A server fault (5xx) may come after the change went in; only the resource can tell.
  return error instanceof PortError && error.name !== 'ServiceUnavailableError';
}

/**
 * Applies the next step of the plan (one changing call) and returns the moved cursor and the wait that
 * follows. The ledger gets an intent before the call and its result after: a run that dies between
 * the two leaves the intent open, for the next reader of the ledger to settle from the resource
 * (reconcile-intents.ts). This run's own open intents on the resource (an earlier attempt of the step
 * that died) are settled first, from the description the step was just checked against. A step that
 * finds its change already in place is not made again; it is recorded only if no entry of this run
 * says so yet. With the fleet's cap, a step that makes a call (a revert excepted) first claims one of
 * the fleet's change slots; when none is left, it is not made (FleetBudgetError) and nothing is recorded.
 */
export async function applyNextStep(
  ports: ApplyPorts,
  run: Pick<RunContext, 'target' | 'executionId' | 'startedAt'>,
  steps: readonly WorkStep[],
  progress: Progress,
  fleetCap?: FleetCap,
): Promise<StepApplied> {
  const step = steps[progress.next];
  if (!step) {
    throw new InvalidInputError('progress.next', `is ${progress.next}, but the plan has ${steps.length} steps`);
  }
  const { prepared, described, versionId } =
    'streamName' in step ? await prepareStreamStep(ports, step) : await prepareApplicationStep(ports, step);
  const at = ports.clock.now();
  const entry = ledgerEntryFor(step, run, at);
  const ownEntries = (await ports.ledger.list(run.target, run.startedAt)).filter(
    (e) => e.executionId === run.executionId && e.resource === entry.resource,
  );
  const settled = await reconcileOpenIntents(ports, run.target, {
    executionId: run.executionId,
    entries: ownEntries,
    described,
  });
  // The fleet counts a step once, at its first attempt: a retry finds that attempt's intent and
  // writes the same fleet item again, which is harmless.
  const firstIntentAt = ownEntries
    .filter((e) => e.phase === 'intent' && e.actionType === entry.actionType && e.to === entry.to)
    .map((e) => e.at)
    .sort((a, b) => Date.parse(a) - Date.parse(b))[0];
  const countForFleet = (at: string): Promise<void> =>
    ports.fleetChanges.record({ at, target: run.target, executionId: run.executionId, step: progress.next });
  let outcome: 'requested' | 'already-done';
  if (prepared.kind === 'already-done') {
    outcome = 'already-done';
    if (!changesOf([...ownEntries, ...settled]).some((e) => e.actionType === entry.actionType && e.to === entry.to)) {
      await ports.ledger.record(entry);
    }
    // An earlier attempt of this step made the change and died before counting it.
    if (firstIntentAt) await countForFleet(firstIntentAt);
  } else {
    outcome = 'requested';
    // The planners' count refuses early; this claim is the bound, since runs that assessed together
    // all saw the same count. A revert takes back harm this run did, which the cap does not hold back.
    const reverts = 'revert' in step && step.revert === true;
    if (
      fleetCap &&
      !reverts &&
      !(await ports.fleetChanges.claim(
        {
          at: at.toISOString(),
          target: run.target,
          executionId: run.executionId,
          round: fleetCap.round,
          step: progress.next,
        },
        fleetCap.maxChangesPerHour,
      ))
    ) {
      const cap = fleetCap.maxChangesPerHour;
      throw new FleetBudgetError(
        `step ${progress.next + 1} of ${steps.length} is not made: the fleet made ` +
          `${plural(cap, 'change')} in the last hour (fleet.maxChangesPerHour ${cap})`,
      );
    }
    const intent: LedgerEntry = {
      ...entry,
      phase: 'intent',
      ...(versionId !== undefined ? { applicationVersionId: versionId } : {}),
    };
    await ports.ledger.record(intent);
    await countForFleet(firstIntentAt ?? intent.at);
    try {
      await prepared.make();
    } catch (error) {
      if (refusedWithoutChange(error)) {
        const refused = {
          result: 'not-made',
          detail: `AWS refused it: ${error.name}: ${error.message}`,
          ...(error.awsErrorName ? { awsError: error.awsErrorName } : {}),
        } as const;
        // Unrecorded, the intent stays open and the next reader settles it from the resource.
        await ports.ledger.record(resultEntryFor(intent, refused, ports.clock.now())).catch(() => undefined);
      }
      throw error;
    }
    await ports.ledger.record(
      resultEntryFor(intent, { result: 'made', detail: 'AWS accepted the call' }, ports.clock.now()),
    );
  }
  const next = progress.next + 1;
  const { changing, wait } = waitAfter(step, steps[next], progress.changing ?? []);
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
      ...(changing.length > 0 ? { changing } : {}),
    },
    wait,
  };
}

function sameResource(a: Awaiting, b: Awaiting): boolean {
  return a.kind === b.kind && a.name === b.name;
}

/**
 * What the run waits for after a step. A next step that changes another resource is made at once:
 * a Flink restart does not wait behind a reshard, nor a reshard behind a restart, since neither call
 * needs the other resource settled. The run waits only for the resource the next step changes, and,
 * after the last step, for every resource the round changed, so the settling wait starts from a
 * pipeline that is whole again.
 */
export function waitAfter(
  step: WorkStep,
  nextStep: WorkStep | undefined,
  changingBefore: readonly Awaiting[],
): { readonly changing: Awaiting[]; readonly wait: ResourceWait } {
  const changed = awaitingFor(step);
  const changing = [...changingBefore.filter((r) => !sameResource(r, changed)), changed];
  const nextResource = nextStep ? awaitingFor(nextStep) : undefined;
  if (nextResource && !changing.some((r) => sameResource(r, nextResource))) {
    return { changing, wait: { awaiting: changed, polls: 0, ready: true } };
  }
  const blocking = nextResource ? [nextResource] : changing;
  const [awaiting, ...also] = [
    ...blocking.filter((r) => sameResource(r, changed)),
    ...blocking.filter((r) => !sameResource(r, changed)),
  ] as [Awaiting, ...Awaiting[]];
  return {
    changing: changing.filter((r) => !blocking.some((b) => sameResource(b, r))),
    wait: { awaiting, polls: 0, ready: false, ...(also.length > 0 ? { also } : {}) },
  };
}
