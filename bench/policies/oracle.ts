/**
 * `oracle`: a reference no one could run. From the incident's start (the first minute the pipeline
 * is unhealthy with nothing done about it, or the first alarm if that comes sooner) it knows the truth:
 * the scenario's true cause (its `expect`), the traffic to come, the job's real per-subtask rate and
 * the exact backlog. It changes every resource at once (the stream's calls one after another, each
 * the moment the stream is ACTIVE again, the application's update beside them), within the APIs'
 * limits and with the same reshard and restart delays as every policy, and it scales back to the
 * pre-incident size once the incident's traffic has passed.
 *
 * Its sizing is its own, not StreamMedic's (no target utilisation, no catch-up time from the policy):
 * - shards: the most of peak bytes / 1 MiB and peak records / 1,000 (and, for a read-capacity cause,
 *   peak bytes x polling readers / 2 MiB) over the incident, with a margin of three times the traffic's
 *   noise and nothing more; reached by doubling (or halving), ceil(log2(needed / current)) calls;
 * - parallelism: the peak input over the true per-subtask rate with the same margin, plus what drains
 *   the backlog (and the restart's own) within the restart's length, in the smallest size worth that
 *   many subtasks (for a keyed job, the busiest subtask's key groups set the pace, and past a bound
 *   it stops at the leanest size that carries as much); one UpdateApplication (which also
 *   turns Managed Flink's own autoscaling off); and, when that catch-up would read faster than the
 *   shards serve polling readers (2 MiB/s each), the shards that reading needs;
 * - when the incident's traffic has passed (demand back under 110% of its level before the incident,
 *   to the end), the backlog is gone (under a minute behind now and over the whole last minute) and
 *   no write or read was refused in that minute:
 *   back to the size before the incident, or what the rest of the scenario needs if that is more, in
 *   the fewest calls;
 * - memory pressure: the most tasks per KPU that keeps the heap under 80% to the end; verbose
 *   monitoring: INFO and APPLICATION; retention: raised only if the oldest unread record would
 *   expire before the job resumes.
 * It never restarts an application whose snapshots are off (that would lose its state), and does
 * nothing for causes no change can help.
 */
import { AWS_LIMITS } from '../../lambdas/domain/config';
import { effectiveParallelism, leanestParallelismWithin, parallelismCarrying } from '../../lambdas/domain/key-groups';
import { APP_READER_ID } from '../../sim/pipeline';
import { TrafficModel } from '../../sim/traffic';
import type { SimWorld, WorldEvent } from '../../sim/world';
import { controllerPolicy, type Controller } from './policy';
import { helpfulKinds } from './true-cause';
import { statedExpectation } from '../../sim/scenario';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Heap share at which garbage collection starts to slow the job (the simulator's and the JVM's). */
const GC_HEAP_PERCENT = 80;
/** Margin before the retention period at which the oracle raises it. */
const RETENTION_MARGIN_MS = 15 * MINUTE_MS;
/**
 * Errors after which a call is worth trying again. The oracle's calls are within the 2x rule and the
 * daily limit, so a LimitExceededError can only be the control plane's rate limit.
 */
const RETRYABLE = new Set(['ThrottlingError', 'ResourceInUseError', 'ServiceUnavailableError', 'LimitExceededError']);
/** Attempts per call before the oracle gives up on it (a fault that never clears). */
const MAX_ATTEMPTS = 60;
/** Demand under this share of its level before the incident means the incident's traffic has passed. */
const INCIDENT_OVER_SHARE = 1.1;

/** The share of capacity the oracle may fill: all of it but a margin for the traffic's own noise. */
export function oracleUtilization(scenario: SimWorld['scenario']): number {
  return 1 / (1 + 3 * (scenario.traffic.noise ?? 0.02));
}

/** The per-call targets from `from` to `to` shards: each call at most doubles or halves. */
export function oracleShardSteps(from: number, to: number): number[] {
  const steps: number[] = [];
  let current = from;
  while (current < to) {
    current = Math.min(current * 2, to);
    steps.push(current);
  }
  while (current > to) {
    current = Math.max(Math.ceil(current / 2), to);
    steps.push(current);
  }
  return steps;
}

export interface OraclePlan {
  readonly shardSteps: readonly number[];
  readonly retentionHours?: number;
  readonly application?: {
    readonly parallelism: number;
    readonly parallelismPerKpu: number;
  };
  readonly monitoring?: { readonly logLevel: string; readonly metricsLevel: string };
}

/** Peak producer rates (without noise) from `from` to the end of the scenario. */
function peakDemand(world: SimWorld, from: number): { records: number; bytes: number } {
  const traffic = new TrafficModel(world.scenario.traffic, world.startMs, 0);
  let peak = 0;
  for (let t = Math.floor(from / MINUTE_MS) * MINUTE_MS; t < world.endMs; t += MINUTE_MS) {
    peak = Math.max(peak, traffic.multiplier(t));
  }
  return {
    records: world.scenario.traffic.recordsPerSecond * peak,
    bytes: world.scenario.traffic.bytesPerSecond * peak,
  };
}

/** Shards that carry `peak` at utilisation `u` (and its reads, for a read-capacity cause), within the target's bounds. */
function shardsFor(world: SimWorld, peak: { records: number; bytes: number }, u: number): number {
  const streamTarget = world.target.stream!;
  let needed = Math.ceil(
    Math.max(peak.bytes / AWS_LIMITS.shardWriteBytesPerSecond, peak.records / AWS_LIMITS.shardWriteRecordsPerSecond) /
      u -
      1e-9,
  );
  if (statedExpectation(world.scenario).causes.includes('STREAM_READ_CAPACITY')) {
    const app = world.scenario.pipeline.application;
    const readers =
      (app && !app.efo ? 1 : 0) + world.scenario.pipeline.consumers.filter((consumer) => !consumer.efo).length;
    needed = Math.max(needed, Math.ceil((peak.bytes * readers) / (AWS_LIMITS.shardReadBytesPerSecond * u) - 1e-9));
  }
  return Math.min(streamTarget.maxShards, Math.max(streamTarget.minShards, needed));
}

/**
 * When the incident's traffic has passed: the minute after the last one whose demand is over
 * {@link INCIDENT_OVER_SHARE} of its level before the incident; undefined when it lasts to the end,
 * or when the traffic never rose (the incident is not the traffic's).
 */
export function incidentOverAt(world: SimWorld, from: number, incidentStartMs: number): number | undefined {
  const traffic = new TrafficModel(world.scenario.traffic, world.startMs, 0);
  let before = 0;
  for (let t = world.startMs; t < incidentStartMs - 5 * MINUTE_MS; t += MINUTE_MS) {
    before = Math.max(before, traffic.multiplier(t));
  }
  if (before === 0) before = traffic.multiplier(world.startMs);
  let last: number | undefined;
  for (let t = Math.floor(from / MINUTE_MS) * MINUTE_MS; t < world.endMs; t += MINUTE_MS) {
    if (traffic.multiplier(t) > before * INCIDENT_OVER_SHARE) last = t;
  }
  // An incident that is not the traffic's (a job too small for steady traffic) has no end to wait for.
  if (last === undefined) return undefined;
  return last + MINUTE_MS < world.endMs - MINUTE_MS ? last + MINUTE_MS : undefined;
}

/** The size before the incident, where the plan raised it: what the oracle scales back to. */
export interface SizeBefore {
  readonly shards: number;
  readonly parallelism?: number;
}

/**
 * The job's true records/s per evenly loaded subtask, however many shards feed it: a keyed job runs at
 * the pace of the subtask with the most key groups, so its capacity is shared by the subtasks it is worth.
 */
function perSubtaskCapacity(app: NonNullable<SimWorld['app']>, now: number): number {
  return app.capacity(AWS_LIMITS.maxShardsPerStream, now) / effectiveParallelism(app.currentParallelism, app.keyGroups);
}

/**
 * Back to the size before the incident once its traffic has passed, or to what the rest of the
 * scenario needs if that is more; only what the incident's plan raised.
 */
export function planScaleBack(world: SimWorld, now: number, before: SizeBefore, raised: OraclePlan): OraclePlan {
  const u = oracleUtilization(world.scenario);
  const peak = peakDemand(world, now);
  const stream = world.stream;
  let shardSteps: number[] = [];
  if (raised.shardSteps.length > 0 && !stream.isDeleted && world.target.stream) {
    const to = Math.max(before.shards, shardsFor(world, peak, u));
    if (to < stream.openShards) shardSteps = oracleShardSteps(stream.openShards, to);
  }
  const app = world.app;
  if (!raised.application || !app || before.parallelism === undefined) return { shardSteps };
  const perTask = perSubtaskCapacity(app, now);
  // The scale-back restarts the job too: room to drain its own backlog within as long as the restart takes.
  const to = Math.max(
    before.parallelism,
    parallelismCarrying((peak.records / u + peak.records) / perTask, app.keyGroups),
  );
  return to < app.currentParallelism
    ? { shardSteps, application: { parallelism: to, parallelismPerKpu: app.parallelismPerKpu } }
    : { shardSteps };
}

/** What the oracle does, decided once, from the truth at `now`. */
export function planOracle(world: SimWorld, now: number): OraclePlan {
  const helpful = helpfulKinds(statedExpectation(world.scenario));
  const u = oracleUtilization(world.scenario);
  const peak = peakDemand(world, now);
  const stream = world.stream;
  const streamTarget = world.target.stream;
  let shardSteps: number[] = [];
  let shardsAfter = stream.isDeleted ? 0 : stream.openShards;
  if (stream.mode === 'PROVISIONED' && !stream.isDeleted && streamTarget) {
    const needed = shardsFor(world, peak, u);
    const current = stream.openShards;
    if ((helpful.has('shards-up') && needed > current) || (helpful.has('shards-down') && needed < current)) {
      shardSteps = oracleShardSteps(current, needed);
      shardsAfter = needed;
    }
  }

  const plan: {
    shardSteps: readonly number[];
    retentionHours?: number;
    application?: { parallelism: number; parallelismPerKpu: number };
    monitoring?: { logLevel: string; metricsLevel: string };
  } = { shardSteps };

  const app = world.app;
  const appScenario = world.scenario.pipeline.application;
  const appTarget = world.target.application;
  if (app && appScenario && appTarget && appScenario.snapshotsEnabled && !stream.isDeleted) {
    const cursor = stream.log.cursor(APP_READER_ID);
    const restartMs = appScenario.restartSeconds * 1000 + (app.checkpointDurationMs ?? 1000);
    const keyGroups = app.keyGroups;
    const perTask = perSubtaskCapacity(app, now);
    const perKpu = app.parallelismPerKpu;
    const ceiling = leanestParallelismWithin(
      Math.min(
        AWS_LIMITS.maxParallelism,
        appTarget.maxParallelism,
        Math.min(appTarget.maxKpu, appScenario.maxKpu) * perKpu,
      ),
      keyGroups,
    );
    const recordBytes = world.scenario.traffic.bytesPerSecond / world.scenario.traffic.recordsPerSecond;
    const streamRecordsPerSecond = (shards: number): number =>
      shards *
      Math.min(AWS_LIMITS.shardWriteRecordsPerSecond, AWS_LIMITS.shardWriteBytesPerSecond / Math.max(1, recordBytes));
    const incomingPeak =
      stream.mode === 'PROVISIONED' ? Math.min(peak.records, streamRecordsPerSecond(shardsAfter)) : peak.records;
    if (helpful.has('parallelism-up')) {
      const arrivingNow = Math.min(
        new TrafficModel(world.scenario.traffic, world.startMs, 0).multiplier(now) *
          world.scenario.traffic.recordsPerSecond,
        stream.mode === 'PROVISIONED' ? streamRecordsPerSecond(stream.openShards) : Number.POSITIVE_INFINITY,
      );
      const backlogAtResume = stream.log.backlog(cursor) + (arrivingNow * restartMs) / 1000;
      // The backlog (with the restart's own) drained within as long as the restart took.
      const required = incomingPeak / u + backlogAtResume / (restartMs / 1000);
      const needed = Math.min(
        ceiling,
        Math.max(appTarget.minParallelism, parallelismCarrying(required / perTask, keyGroups)),
      );
      if (needed > app.currentParallelism) {
        plan.application = { parallelism: needed, parallelismPerKpu: perKpu };
        // A job catching up reads as fast as its processing allows, and the shards serve at most
        // 2 MiB/s each to the polling readers: when that is the limit, the catch-up needs shards too.
        const pollingBytes =
          (appScenario.efo ? 0 : effectiveParallelism(needed, keyGroups) * perTask * recordBytes) +
          world.scenario.pipeline.consumers.filter((c) => !c.efo).length * peak.bytes;
        const forReads = Math.ceil(pollingBytes / AWS_LIMITS.shardReadBytesPerSecond - 1e-9);
        if (stream.mode === 'PROVISIONED' && streamTarget && forReads > shardsAfter) {
          shardsAfter = Math.min(streamTarget.maxShards, forReads);
          if (shardsAfter > stream.openShards) plan.shardSteps = oracleShardSteps(stream.openShards, shardsAfter);
        }
      }
    } else if (helpful.has('parallelism-down')) {
      const needed = Math.max(appTarget.minParallelism, parallelismCarrying(incomingPeak / u / perTask, keyGroups));
      if (needed < app.currentParallelism) plan.application = { parallelism: needed, parallelismPerKpu: perKpu };
    } else if (helpful.has('memory-per-task-up') && perKpu > 1) {
      const leak = world.scenario.faults.reduce(
        (rate, fault) => (fault.type === 'memoryLeak' ? fault.percentPerHour : rate),
        0,
      );
      const hoursLeft = (world.endMs - now) / HOUR_MS;
      // Heap shares are quoted against a task's heap at the scenario's own tasks per KPU.
      const heapAt = (q: number): number =>
        ((appScenario.heapBasePercent + leak * hoursLeft) * q) / appScenario.parallelismPerKpu;
      let q = perKpu - 1;
      while (q > 1 && heapAt(q) >= GC_HEAP_PERCENT) q -= 1;
      plan.application = { parallelism: app.currentParallelism, parallelismPerKpu: q };
    } else if (helpful.has('monitoring-quieter')) {
      plan.monitoring = { logLevel: 'INFO', metricsLevel: 'APPLICATION' };
    }
    if (helpful.has('retention-up') && streamTarget) {
      const oldestAtResume = stream.log.ageMs(cursor, now) + restartMs;
      if (oldestAtResume + RETENTION_MARGIN_MS >= stream.retentionMs) {
        const hours = Math.min(streamTarget.maxRetentionHours, Math.ceil((oldestAtResume + HOUR_MS) / HOUR_MS));
        if (hours > stream.retention) plan.retentionHours = hours;
      }
    }
  }
  return plan;
}

/** Carries out a plan: the application change at once, the stream's calls one after another. */
class OracleController implements Controller {
  private plan: OraclePlan | undefined;
  private streamQueue: ({ kind: 'retention'; hours: number } | { kind: 'shards'; to: number })[] = [];
  private appPending = false;
  private streamRetryAt: number | undefined;
  private appRetryAt: number | undefined;
  private streamAttempts = 0;
  private appAttempts = 0;

  private raised: OraclePlan | undefined;
  private scaleBackAt: number | undefined;
  private readonly before: SizeBefore;

  constructor(
    private readonly world: SimWorld,
    private readonly incidentStartMs: number | undefined,
  ) {
    this.before = {
      shards: world.stream.openShards,
      ...(world.app ? { parallelism: world.app.currentParallelism } : {}),
    };
  }

  private start(plan: OraclePlan): void {
    this.plan = plan;
    if (plan.retentionHours !== undefined) this.streamQueue.push({ kind: 'retention', hours: plan.retentionHours });
    for (const to of plan.shardSteps) this.streamQueue.push({ kind: 'shards', to });
    this.appPending = plan.application !== undefined || plan.monitoring !== undefined;
    this.appAttempts = 0;
  }

  /** Whether the job has read what was written up to a minute ago (or there is no job). */
  private caughtUp(now: number): boolean {
    const stream = this.world.stream;
    if (!this.world.app || stream.isDeleted) return true;
    // Caught up now, and over the last whole minute too, with no write or read refused in it: a
    // scale-back in the minute the backlog empties, or while producers are still turned away, takes
    // capacity from a pipeline in trouble.
    const lastMinute = this.world.samples().at(-1);
    return (
      stream.log.ageMs(stream.log.cursor(APP_READER_ID), now) < MINUTE_MS &&
      (lastMinute === undefined ||
        (lastMinute.lagMs < MINUTE_MS && lastMinute.throttledRecords < 1 && lastMinute.readThrottledCalls < 1))
    );
  }

  nextWake(now: number): number | undefined {
    const candidates: number[] = [];
    if (this.streamQueue.length > 0) {
      candidates.push(this.streamRetryAt ?? this.world.stream.nextTransition() ?? now);
    }
    if (this.appPending) candidates.push(this.appRetryAt ?? this.world.app?.nextTransition(now) ?? now);
    const future = candidates.filter((t) => t > now);
    return future.length > 0 ? Math.min(...future) : undefined;
  }

  async tick(now: number, events: readonly WorldEvent[]): Promise<void> {
    if (!this.raised) {
      const alarmed = events.some((e) => e.kind === 'alarm' && e.change.to === 'ALARM');
      const started = this.incidentStartMs !== undefined && now >= this.incidentStartMs;
      if (!alarmed && !started) return;
      this.raised = planOracle(this.world, now);
      this.start(this.raised);
      const raisedSize = this.raised.shardSteps.length > 0 || this.raised.application !== undefined;
      this.scaleBackAt = raisedSize ? incidentOverAt(this.world, now, this.incidentStartMs ?? now) : undefined;
    } else if (
      this.scaleBackAt !== undefined &&
      now >= this.scaleBackAt &&
      this.streamQueue.length === 0 &&
      !this.appPending &&
      this.caughtUp(now)
    ) {
      this.scaleBackAt = undefined;
      this.start(planScaleBack(this.world, now, this.before, this.raised));
    }
    await this.stepApplication(now);
    await this.stepStream(now);
  }

  private async stepApplication(now: number): Promise<void> {
    const app = this.world.app;
    if (!this.appPending || !app || (this.appRetryAt !== undefined && now < this.appRetryAt)) return;
    this.appRetryAt = undefined;
    if (app.currentStatus !== 'RUNNING') return;
    const applications = this.world.ports.applications;
    try {
      const version = (await applications.describeApplication(app.name)).ApplicationDetail.ApplicationVersionId;
      if (this.plan?.application) {
        await applications.updateParallelism({
          applicationName: app.name,
          currentApplicationVersionId: version,
          parallelism: this.plan.application.parallelism,
          parallelismPerKpu: this.plan.application.parallelismPerKpu,
          autoScalingEnabled: false,
        });
      } else if (this.plan?.monitoring) {
        await applications.updateMonitoring({
          applicationName: app.name,
          currentApplicationVersionId: version,
          ...this.plan.monitoring,
        });
      }
      this.appPending = false;
    } catch (error) {
      const name = (error as Error).name;
      this.appAttempts += 1;
      const retry = name === 'ConcurrentModificationError' || RETRYABLE.has(name);
      if (retry && this.appAttempts < MAX_ATTEMPTS) this.appRetryAt = now + 1000;
      else this.appPending = false;
    }
  }

  private async stepStream(now: number): Promise<void> {
    const stream = this.world.stream;
    while (this.streamQueue.length > 0) {
      if (this.streamRetryAt !== undefined && now < this.streamRetryAt) return;
      this.streamRetryAt = undefined;
      if (stream.isDeleted) {
        this.streamQueue = [];
        return;
      }
      if (stream.currentStatus !== 'ACTIVE') return;
      const next = this.streamQueue[0]!;
      try {
        if (next.kind === 'retention') await this.world.ports.streams.increaseRetentionPeriod(stream.name, next.hours);
        else await this.world.ports.streams.updateShardCount(stream.name, next.to);
        this.streamQueue.shift();
        this.streamAttempts = 0;
      } catch (error) {
        this.streamAttempts += 1;
        if (RETRYABLE.has((error as Error).name) && this.streamAttempts < MAX_ATTEMPTS) this.streamRetryAt = now + 1000;
        else this.streamQueue = [];
        return;
      }
    }
  }
}

export const oraclePolicy = controllerPolicy({
  name: 'oracle',
  summary:
    "Reference: from the incident's start it knows the true cause, the traffic to come and the real rates; it sizes each resource for the true peak (no target utilisation), changes them all at once in the fewest calls the APIs allow, and scales back when the incident's traffic has passed.",
  controller: (world, options) => new OracleController(world, options.incidentStartMs),
});
