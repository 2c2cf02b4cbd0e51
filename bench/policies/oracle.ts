/**
 * `oracle`: a lower bound, not a policy anyone could run. At the instant the first alarm fires it
 * knows the truth: the scenario's true cause (its `expect`), the traffic to come, the job's real
 * per-subtask rate and the exact backlog. It computes the capacity that is needed and reaches it in
 * the fewest calls the APIs allow, each call the instant the API accepts it (the stream's next call
 * the moment it is ACTIVE again), paying the same reshard and restart delays as every policy.
 *
 * "Needed" is DESIGN.md's definition evaluated with true values instead of estimates, within the
 * target's bounds:
 * - shards: the most of peak bytes / 1 MiB and peak records / 1,000 (and, for a read-capacity cause,
 *   peak bytes x polling readers / 2 MiB) over the rest of the scenario, at the policy's target
 *   utilisation; reached by doubling (or halving), so ceil(log2(needed / current)) calls;
 * - parallelism: (peak input / target utilisation + backlog when the job resumes / catch-up time)
 *   over the true per-subtask rate; one UpdateApplication (which also turns Managed Flink's own
 *   autoscaling off, so it cannot undo the change); and, when the job's catch-up would read faster
 *   than the shards serve polling readers (2 MiB/s each), the shards that reading needs;
 * - memory pressure: the most tasks per KPU that keeps the heap under 80% to the end; verbose
 *   monitoring: INFO and APPLICATION; retention: raised only if the oldest unread record would
 *   expire before the job resumes.
 * It never restarts an application whose snapshots are off (that would lose its state), and does
 * nothing for causes no change can help.
 */
import { AWS_LIMITS } from '../../lambdas/domain/config';
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

/** What the oracle does, decided once, from the truth at `now`. */
export function planOracle(world: SimWorld, now: number): OraclePlan {
  const helpful = helpfulKinds(statedExpectation(world.scenario));
  const policy = world.policy;
  const u = policy.targetUtilization;
  const peak = peakDemand(world, now);
  const stream = world.stream;
  const streamTarget = world.target.stream;
  let shardSteps: number[] = [];
  let shardsAfter = stream.isDeleted ? 0 : stream.openShards;
  if (stream.mode === 'PROVISIONED' && !stream.isDeleted && streamTarget) {
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
    needed = Math.min(streamTarget.maxShards, Math.max(streamTarget.minShards, needed));
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
    const perTask = app.capacity(AWS_LIMITS.maxShardsPerStream, now) / app.currentParallelism;
    const perKpu = app.parallelismPerKpu;
    const ceiling = Math.min(
      AWS_LIMITS.maxParallelism,
      appTarget.maxParallelism,
      Math.min(appTarget.maxKpu, appScenario.maxKpu) * perKpu,
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
      const required = incomingPeak / u + backlogAtResume / policy.catchUpSeconds;
      const needed = Math.min(ceiling, Math.max(appTarget.minParallelism, Math.ceil(required / perTask - 1e-9)));
      if (needed > app.currentParallelism) {
        plan.application = { parallelism: needed, parallelismPerKpu: perKpu };
        // A job catching up reads as fast as its processing allows, and the shards serve at most
        // 2 MiB/s each to the polling readers: when that is the limit, the catch-up needs shards too.
        const pollingBytes =
          (appScenario.efo ? 0 : needed * perTask * recordBytes) +
          world.scenario.pipeline.consumers.filter((c) => !c.efo).length * peak.bytes;
        const forReads = Math.ceil(pollingBytes / AWS_LIMITS.shardReadBytesPerSecond - 1e-9);
        if (stream.mode === 'PROVISIONED' && streamTarget && forReads > shardsAfter) {
          shardsAfter = Math.min(streamTarget.maxShards, forReads);
          if (shardsAfter > stream.openShards) plan.shardSteps = oracleShardSteps(stream.openShards, shardsAfter);
        }
      }
    } else if (helpful.has('parallelism-down')) {
      const needed = Math.max(appTarget.minParallelism, Math.ceil(incomingPeak / u / perTask - 1e-9));
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

  constructor(private readonly world: SimWorld) {}

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
    if (!this.plan) {
      if (!events.some((e) => e.kind === 'alarm' && e.change.to === 'ALARM')) return;
      this.plan = planOracle(this.world, now);
      if (this.plan.retentionHours !== undefined) {
        this.streamQueue.push({ kind: 'retention', hours: this.plan.retentionHours });
      }
      for (const to of this.plan.shardSteps) this.streamQueue.push({ kind: 'shards', to });
      this.appPending = this.plan.application !== undefined || this.plan.monitoring !== undefined;
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
    'Lower bound: at the first alarm it knows the true cause, the traffic to come and the real rates, and reaches the needed capacity in the fewest calls, each as soon as the API accepts it.',
  controller: (world) => new OracleController(world),
});
