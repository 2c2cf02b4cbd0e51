import { adviceText, adviseBeyondCapacity } from './advice';
import { outstandingBoost, SCALE_BACK_BAND, worthScaleBack } from './boost';
import { AWS_LIMITS, type Policy, type TargetConfig } from './config';
import {
  appIdle,
  catchUpAtReadLimit,
  FALLING_BEHIND_SLOPE,
  readCallBound,
  streamIdle,
  type Finding,
} from './diagnosis';
import { busyHighMsPerSecond } from './policy';
import { guardPlan } from './guardrails';
import {
  actionResource,
  applicationResource,
  streamResource,
  type Action,
  type AppState,
  type LedgerEntry,
  type Refusal,
  type StreamState,
  type UpdateShardCountAction,
  type UpdateApplicationParallelismAction,
} from './model';
import type { FleetBudget } from './fleet-budget';
import type { MetricWindow } from './metric-window';
import type { Signals, StreamSignals } from './signals';
import { ineffectiveScaleUp } from './scaling-effect';
import {
  busiestSubtaskKeyGroups,
  effectiveParallelism,
  keyGroupsOf,
  leanestParallelismWithin,
  parallelismScaledBy,
} from './key-groups';
import { describeKpuQuotaRefusal, parallelismUnderRefusedKpus, type KpuQuotaRefusal } from './kpu-quota';
import { inputTrend, projectedGrowth, projectedInput, TREND_MINUTES, trendHorizonMinutes } from './input-trend';
import { cpuLoadLine, outstandingScaleUp, parallelismForCpuLine, trafficAfterScaleUp } from './scale-back';
import {
  flinkParallelismNeeded,
  flinkSteadyParallelism,
  kpusFor,
  drainLagArea,
  restartThenDrainLagArea,
  backlogReadLimit,
  shardSteps,
  shardsNeeded,
  shardUtilization,
  trueProcessingRate,
  type ShardDemand,
} from './sizing';

export interface PlanContext {
  readonly target: TargetConfig;
  readonly policy: Policy;
  readonly signals: Signals;
  readonly findings: readonly Finding[];
  readonly lagging: boolean;
  readonly stream?: StreamState;
  readonly app?: AppState;
  readonly ledger: readonly LedgerEntry[];
  /** Epoch ms; "now" for cooldowns and the budget. */
  readonly now: number;
  /** The metric window behind the signals, for advice that reads per-shard or trend series. */
  readonly window?: MetricWindow;
  /** The fleet's changes in the last hour and its cap (the `fleet-budget` guardrail). */
  readonly fleet?: FleetBudget;
  /** Plan only the scale-back after an incident (a run the sweep started to follow a scale-up up). */
  readonly scaleBackOnly?: boolean;
  /** The smallest scale-up AWS refused for the application's KPU quota (kpu-quota.ts). */
  readonly kpuQuota?: KpuQuotaRefusal;
}

export interface BoundedPlan {
  readonly actions: Action[];
  readonly refused: Refusal[];
  readonly recommendations: string[];
}

const ACTION_ORDER: Record<Action['type'], number> = {
  // Protect unread data first, then the job, then the stream. The job's one update (a restart of a
  // few minutes) goes before the reshard's calls (minutes each), so the job, sized for the demand the
  // reshard lets in, is back and catching up while the stream grows, not only after it.
  IncreaseStreamRetention: 0,
  UpdateApplicationParallelism: 1,
  UpdateApplicationMonitoring: 2,
  UpdateShardCount: 3,
};

/** An UpdateShardCount whose `to` is where its steps end (the last step may round up to a 25% multiple). */
function shardAction(streamName: string, from: number, to: number, ceiling?: number): UpdateShardCountAction {
  const steps = shardSteps(from, to, ceiling);
  return { type: 'UpdateShardCount', streamName, from, to: steps[steps.length - 1] ?? to, steps };
}

function streamScaleUp(ctx: PlanContext, minimumShards: number, reason: string, out: Draft): void {
  const config = ctx.target.stream;
  const stream = ctx.stream;
  const s = ctx.signals.stream;
  if (!config) return;
  const from = stream?.openShards ?? s?.shards;
  if (from === undefined || !s) {
    out.recommendations.push(
      `Stream ${config.name}: ${reason}, but its shard count is unknown; describe the stream and retry.`,
    );
    return;
  }
  const demandNow = shardsNeeded(streamDemand(s), shardUtilization(ctx.policy));
  const needed = Math.max(minimumShards, demandNow, shardsForRisingDemand(ctx, demandNow, out) ?? 0);
  const ceiling = Math.min(config.maxShards, AWS_LIMITS.maxShardsPerStream);
  const to = Math.max(config.minShards, Math.min(needed, ceiling));
  const desired = shardAction(config.name, from, needed);
  if (to <= from) {
    out.refused.push({
      action: desired,
      guardrail: 'bounds',
      reason: `needs ${needed} shards but maxShards is ${config.maxShards} and the stream already has ${from}`,
    });
    return;
  }
  if (to < needed) {
    const advice = `Stream ${config.name} needs about ${needed} shards; StreamMedic stops at maxShards ${config.maxShards}. Raise the bound if the cost is acceptable.`;
    out.recommendations.push(advice);
    out.beyondBounds.push({
      action: shardAction(config.name, to, needed),
      guardrail: 'bounds',
      reason: `needs ${needed} shards but maxShards is ${config.maxShards}; raised to ${to} only`,
    });
  }
  out.add(shardAction(config.name, from, to, ceiling));
}

/** The producers' write demand and the recent reads, grown by `growth` (writes and reads grow together). */
function streamDemand(s: StreamSignals, growth = 1): ShardDemand {
  return {
    writeBytesPerSecond: (s.demandBytesPerSecond ?? 0) * growth,
    writeRecordsPerSecond: (s.demandRecordsPerSecond ?? 0) * growth,
    readBytesPerSecond: (s.readBytesPerSecond ?? 0) * growth,
  };
}

/**
 * As the job is sized for a rising input (appScaleUp), the stream is sized for a steadily rising
 * demand: for what producers are expected to send by the earliest the shards could be scaled in
 * again, so a ramp is not resharded again each time it passes the last size. Writes and reads grow
 * together (consumers read what is written). Undefined when the demand does not rise steadily.
 */
function shardsForRisingDemand(ctx: PlanContext, demandNow: number, out: Draft): number | undefined {
  const s = ctx.signals.stream;
  const name = ctx.target.stream?.name;
  const records = s?.demandRecordsPerSecond;
  if (!s || !name || !s.demandTrend || records === undefined || !(records > 0)) return undefined;
  const horizon = trendHorizonMinutes(ctx.policy);
  const ahead = projectedInput(records, s.demandTrend, horizon);
  if (!ahead.projected) return undefined;
  const shards = shardsNeeded(streamDemand(s, ahead.input / records), shardUtilization(ctx.policy));
  if (shards <= demandNow) return undefined;
  out.recommendations.push(
    `Stream ${name}: producers' demand rises ${Math.round(s.demandTrend.risePerHour)} records/s per hour (now ${Math.round(records)}); sized for the ${Math.round(ahead.input)} expected in ${horizon} min, the earliest it could be scaled in again: ${shards} shards rather than ${demandNow}.`,
  );
  return shards;
}

/** Shards for a peak of writes (and the recent reads) at the policy's shard utilisation: what a scale-in goes down to. */
function shardsForPeak(ctx: PlanContext, peakBytesPerSecond: number, peakRecordsPerSecond: number | undefined): number {
  return shardsNeeded(
    {
      writeBytesPerSecond: peakBytesPerSecond,
      writeRecordsPerSecond: peakRecordsPerSecond ?? 0,
      readBytesPerSecond: ctx.signals.stream?.readBytesPerSecond ?? 0,
    },
    shardUtilization(ctx.policy),
  );
}

/** The busiest task's busy share at a peak, or the CPU's when busy time is not published. */
function peakBusyShare(busyMsPerSecond: number | undefined, cpuPercent: number | undefined): number | undefined {
  if (busyMsPerSecond !== undefined) return busyMsPerSecond / 1000;
  return cpuPercent !== undefined ? cpuPercent / 100 : undefined;
}

/**
 * The parallelism that runs a job busy `peakBusy` at `current` subtasks at the target utilisation (a
 * keyed job's busiest subtask sets the pace, so it is sized in the subtasks its key groups are worth).
 */
function parallelismForPeak(ctx: PlanContext, current: number, peakBusy: number): number {
  return parallelismScaledBy(current, peakBusy / ctx.policy.targetUtilization, keyGroupsOf(ctx.target.application!));
}

/**
 * How much more than the quiet window's peak a scale-in leaves room for: on a steadily rising input,
 * what it is expected to be by the earliest the resource could be scaled up again without a new
 * incident (the trend horizon), as a factor of the input now; 1 on a flat or falling input.
 */
function scaleInGrowth(ctx: PlanContext): number {
  const inputNow = ctx.signals.stream?.demandRecordsPerSecond ?? ctx.signals.app?.recordsInPerSecond;
  if (!ctx.window || inputNow === undefined) return 1;
  const names = { streamName: ctx.target.stream?.name, applicationName: ctx.target.application?.name ?? '' };
  return projectedGrowth(inputNow, inputTrend(ctx.window, names, TREND_MINUTES), trendHorizonMinutes(ctx.policy));
}

function streamScaleIn(ctx: PlanContext, out: Draft): void {
  const config = ctx.target.stream;
  const s = ctx.signals.stream;
  const from = ctx.stream?.openShards;
  if (!config || !s || from === undefined || s.scaleInPeakBytesPerSecond === undefined) return;
  // A rising input is met at the size it will need, not scaled in under it and scaled up again.
  const growth = scaleInGrowth(ctx);
  const needed = shardsForPeak(
    ctx,
    s.scaleInPeakBytesPerSecond * growth,
    s.scaleInPeakRecordsPerSecond === undefined ? undefined : s.scaleInPeakRecordsPerSecond * growth,
  );
  // The whole way to what the quiet window's peak needs, never below the bound: the quiet window
  // (scaleInWindowMinutes) and the target utilisation are the safety, not a halving.
  const to = Math.max(needed, config.minShards);
  if (to >= from) {
    if (needed < from) {
      out.refused.push({
        action: {
          type: 'UpdateShardCount',
          streamName: config.name,
          from,
          to: needed,
          steps: shardSteps(from, needed),
        },
        guardrail: 'bounds',
        reason: `minShards is ${config.minShards}`,
      });
    }
    return;
  }
  out.add(shardAction(config.name, from, to));
}

function busyFraction(ctx: PlanContext): number | undefined {
  const app = ctx.signals.app;
  if (app?.busy) return app.busy.value / 1000;
  if (app?.cpu) return app.cpu.value / 100;
  return undefined;
}

/** The most parallelism the bounds allow, before a keyed job's key groups are taken into account. */
function appParallelismBound(ctx: PlanContext, perKpu: number): number {
  const config = ctx.target.application!;
  return Math.min(config.maxParallelism, AWS_LIMITS.maxParallelism, config.maxKpu * perKpu, config.maxJobParallelism);
}

/** Seconds until the job's lag reaches zero at the rate it falls now; undefined unless it falls. */
export function drainSeconds(signals: Signals): number | undefined {
  const lag = signals.app?.lagMs;
  const slope = signals.app?.lagSlopeNow;
  if (lag === undefined || slope === undefined || !(slope < 0)) return undefined;
  return lag / -slope / 1000;
}

/**
 * Whether a job behind on its backlog drains it on plan: its lag falls now fast enough to reach zero
 * within the catch-up time. FLIP-271 judges a job in catch-up by its drain rate, not its size: such a
 * job is left alone, since a restart would stop the draining and add its own backlog.
 */
export function drainsOnPlan(
  signals: Signals,
  policy: Pick<Policy, 'catchUpSeconds'>,
): { readonly seconds: number } | undefined {
  const seconds = drainSeconds(signals);
  return seconds !== undefined && seconds <= policy.catchUpSeconds ? { seconds } : undefined;
}

/**
 * Records/s a provisioned stream can ever admit within the target's bounds: `maxShards` at the
 * shard write limits (1,000 records/s and 1 MiB/s each), the bytes turned into records at the demand's
 * record size. Undefined for an on-demand stream (AWS sizes it) or without the demand.
 */
function admissibleRecordsPerSecond(ctx: PlanContext): number | undefined {
  const config = ctx.target.stream;
  const s = ctx.signals.stream;
  if (!config || !s || !ctx.stream || ctx.stream.mode === 'ON_DEMAND') return undefined;
  const records = s.demandRecordsPerSecond;
  const bytes = s.demandBytesPerSecond;
  if (records === undefined || !(records > 0)) return undefined;
  const shards = Math.min(config.maxShards, AWS_LIMITS.maxShardsPerStream);
  const byRecords = shards * AWS_LIMITS.shardWriteRecordsPerSecond;
  const recordBytes = bytes !== undefined && bytes > 0 ? bytes / records : undefined;
  const byBytes = recordBytes ? (shards * AWS_LIMITS.shardWriteBytesPerSecond) / recordBytes : Number.POSITIVE_INFINITY;
  return Math.min(byRecords, byBytes);
}

/**
 * How far ahead a job on a rising input must stay within the band over the target to be left alone:
 * three sweeps at their default five minutes, time to scale it before it passes the band.
 */
const BAND_LOOK_AHEAD_MINUTES = 15;

function appScaleUp(ctx: PlanContext, out: Draft): void {
  const config = ctx.target.application;
  const app = ctx.app;
  if (!config) return;
  if (!app) {
    out.recommendations.push(
      `Application ${config.name} needs more parallelism, but its configuration is unknown; describe it and retry.`,
    );
    return;
  }
  const keyGroups = keyGroupsOf(config);
  const ineffective = ctx.window
    ? ineffectiveScaleUp({
        applicationName: config.name,
        ledger: ctx.ledger,
        window: ctx.window,
        nowMinutes: ctx.policy.nowMinutes,
        restartSeconds: ctx.policy.expectedRestartSeconds,
        lagThresholdMs: ctx.policy.lagThresholdMs,
        keyGroups,
      })
    : undefined;
  const perKpu = config.parallelismPerKpu ?? app.parallelismPerKpu;
  const from = app.parallelism;
  const signals = ctx.signals;
  const busy = busyFraction(ctx) ?? 1;
  // Negative while the job drains: then it processes more than arrives, and the input is below the rate processed.
  const slope = signals.app?.lagSlope ?? 0;
  const processed = signals.app?.recordsInPerSecond;
  const admissible = admissibleRecordsPerSecond(ctx);
  const demand = signals.stream?.demandRecordsPerSecond;
  // The job can only ever get what the stream admits: producers' demand past the stream's bounds stays refused.
  const arriving = demand !== undefined && admissible !== undefined ? Math.min(demand, admissible) : demand;
  if (demand !== undefined && admissible !== undefined && demand > admissible) {
    out.recommendations.push(
      `Application ${config.name} is sized for the ${Math.round(admissible)} records/s stream ${ctx.target.stream!.name} can admit at maxShards ${ctx.target.stream!.maxShards}, not the ${Math.round(demand)} producers send: the rest stays refused until the bound is raised.`,
    );
  }
  // Lag that grows at s ms per ms means input = processed / (1 - s): recover the rate the source sees.
  const input = arriving ?? (processed !== undefined && slope < 0.95 ? processed / (1 - slope) : undefined);
  const processedRate = processed ?? (arriving !== undefined ? arriving * (1 - Math.min(slope, 0.95)) : undefined);
  let needed: number;
  let steady: number | undefined;
  let rising = false;
  let sizedAhead: string | undefined;
  let readCapped = false;
  if (input !== undefined && processedRate !== undefined && processedRate > 0) {
    steady = flinkSteadyParallelism({
      currentParallelism: from,
      inputRatePerSecond: input,
      processedRatePerSecond: processedRate,
      busyFraction: busy,
      targetUtilization: ctx.policy.targetUtilization,
      keyGroups,
    });
    // A job that drains on plan and will hold its input at the target utilisation once caught up is
    // left alone: a restart would stop the draining and add its own backlog. One that drains but will
    // run too hot afterwards is sized now, while the incident is open, rather than in the next one.
    const draining = drainsOnPlan(signals, ctx.policy);
    if (draining && steady <= from) {
      out.recommendations.push(
        `Application ${config.name} is draining its backlog on plan (about ${Math.ceil(draining.seconds / 60)} min to catch up, within the ${ctx.policy.catchUpSeconds} s catch-up time) and parallelism ${from} carries its input at the target utilisation: it is not restarted.`,
      );
      return;
    }
    const sizing = {
      currentParallelism: from,
      inputRatePerSecond: input,
      processedRatePerSecond: processedRate,
      busyFraction: busy,
      lagMs: signals.lagMs ?? 0,
      targetUtilization: ctx.policy.targetUtilization,
      catchUpSeconds: ctx.policy.catchUpSeconds,
      restartSeconds: ctx.policy.expectedRestartSeconds,
      keyGroups,
    };
    const readLimit = backlogReadLimit(ctx);
    needed = flinkParallelismNeeded({ ...sizing, readLimitPerSecond: readLimit?.recordsPerSecond });
    const unread = flinkParallelismNeeded(sizing);
    readCapped = unread > needed;
    if (readCapped) {
      out.recommendations.push(
        `Application ${config.name}: draining the backlog within the ${ctx.policy.catchUpSeconds} s catch-up time would need parallelism ${unread}, but the ${readLimit!.shards} shards that hold it feed at most ${Math.round(readLimit!.recordsPerSecond)} records/s (2 MiB/s each); parallelism ${needed} reads that fast, and more would wait on the stream.`,
      );
    }
    // A steadily rising input outgrows a size fitted to it now before the job may be scaled down
    // again: the steady size is fitted to the input expected by the earliest scale-in, which waits
    // for the scale-in cooldown and for a whole quiet window without lag (this incident's lag ends
    // no sooner than the change), whichever is longer.
    const trend = ctx.window
      ? inputTrend(ctx.window, { streamName: ctx.target.stream?.name, applicationName: config.name }, TREND_MINUTES)
      : undefined;
    const heldMinutes = trendHorizonMinutes(ctx.policy);
    const ahead = projectedInput(input, trend, heldMinutes);
    if (ahead.projected && trend) {
      const steadyAhead = flinkSteadyParallelism({
        currentParallelism: from,
        inputRatePerSecond: ahead.input,
        processedRatePerSecond: processedRate,
        busyFraction: busy,
        targetUtilization: ctx.policy.targetUtilization,
        keyGroups,
      });
      if (steadyAhead > steady) {
        sizedAhead = `Application ${config.name}: the input rises ${Math.round(trend.risePerHour)} records/s per hour (now ${Math.round(input)}); sized for the ${Math.round(ahead.input)} expected in ${heldMinutes} min, the earliest it could be scaled down again: parallelism ${steadyAhead} rather than ${steady}.`;
        steady = steadyAhead;
        needed = Math.max(needed, steadyAhead);
        rising = true;
      }
    }
    // FLIP-271 leaves a job alone while its utilisation stays within a band around the target
    // (job.autoscaler.target.utilization.boundary): a job that keeps up, busy at no more than the
    // target plus that band at the input it will get, would pay a restart's lag for headroom it does
    // not need yet. On a rising input it must stay within the band for the next few sweeps too, so it
    // is scaled (for the input ahead) before it passes the band, not on a ramp that may stop short.
    const utilization = (busy * input) / processedRate;
    const soon = rising ? projectedGrowth(input, trend, BAND_LOOK_AHEAD_MINUTES) : 1;
    const keepsUp = !ctx.lagging && (signals.app?.lagSlopeNow ?? 0) < FALLING_BEHIND_SLOPE;
    if (keepsUp && needed > from && utilization * soon <= ctx.policy.targetUtilization + SCALE_BACK_BAND) {
      const within = `within ${Math.round(SCALE_BACK_BAND * 100)} points of the ${Math.round(ctx.policy.targetUtilization * 100)}% target`;
      out.recommendations.push(
        `Application ${config.name} keeps up with its input at about ${Math.round(utilization * 100)}% busy, ${within}, ${rising ? `and at the rate its input rises it stays there for the next ${BAND_LOOK_AHEAD_MINUTES} min (about ${Math.round(utilization * soon * 100)}%)` : 'and the input is not rising'}: a restart to ${needed} would cost about ${ctx.policy.expectedRestartSeconds} s of lag for headroom it does not need now, so it is not restarted; StreamMedic looks again while the alarm stays on.`,
      );
      return;
    }
    if (sizedAhead) out.recommendations.push(sizedAhead);
  } else {
    needed = parallelismScaledBy(from, 2, keyGroups);
    out.recommendations.push(
      `No throughput metrics (numRecordsInPerSecond, IncomingRecords) for ${config.name}: the parallelism target is a doubling, not a measured size.`,
    );
  }
  // No floor at the current size plus one: a job the measured rates say is big enough is not restarted.
  needed = Math.max(needed, config.minParallelism);
  const desired = parallelismChange(config, ctx.app ?? {}, from, needed, perKpu);
  if (needed <= from) {
    out.recommendations.push(
      `Application ${config.name}: its measured rate (${processedRate === undefined ? 'unknown' : Math.round(processedRate)} records/s at ${Math.round(busy * 100)}% busy) carries the input at parallelism ${from}; it is not restarted.`,
    );
    return;
  }
  if (ineffective) {
    const e = ineffective;
    out.refused.push({
      action: desired,
      guardrail: 'ineffective-scaling',
      reason: `the last scale-up (parallelism ${e.entry.from} -> ${e.entry.to} at ${e.entry.at}) raised the processed rate from ${Math.round(e.beforePerSecond)} to ${Math.round(e.afterPerSecond)} records/s where about ${Math.round(e.expectedPerSecond)} was expected: more parallelism does not help this job (a skewed key, a slow sink or an external limit); a person must look`,
    });
    return;
  }
  const configBound = appParallelismBound(ctx, perKpu);
  // AWS enforces the KPU quota, whatever maxKpu says: past a refused size, ask for less, not the same again.
  const underQuota = ctx.kpuQuota
    ? { refusal: ctx.kpuQuota, ceiling: parallelismUnderRefusedKpus(ctx.kpuQuota, from, perKpu) }
    : undefined;
  const quota = underQuota && underQuota.ceiling < configBound ? underQuota : undefined;
  const bound = quota ? quota.ceiling : configBound;
  // A keyed job gains nothing from subtasks that leave its busiest one with as many key groups: at the
  // bound it stops at the leanest size that carries as much, and pays no KPU for the rest.
  const ceiling = leanestParallelismWithin(bound, keyGroups);
  const to = Math.min(needed, ceiling);
  const kpuBound = config.maxKpu * perKpu < Math.min(config.maxParallelism, AWS_LIMITS.maxParallelism);
  const jobBound = config.maxJobParallelism < Math.min(config.maxParallelism, AWS_LIMITS.maxParallelism);
  const boundHeld = quota
    ? `needs parallelism ${needed} but ${describeKpuQuotaRefusal(quota.refusal, config.maxKpu)}; it asks for ${bound} (${kpusFor(bound, perKpu)} KPU) at most`
    : jobBound
      ? `needs parallelism ${needed} but the job's max parallelism is ${config.maxJobParallelism} (maxJobParallelism): past it the job cannot restore its state`
      : kpuBound
        ? `needs parallelism ${needed} but maxKpu ${config.maxKpu} at ${perKpu} per KPU allows ${bound}`
        : `needs parallelism ${needed} but maxParallelism is ${Math.min(config.maxParallelism, AWS_LIMITS.maxParallelism)}`;
  const boundReason =
    ceiling < bound
      ? `${boundHeld}; up to ${bound} the busiest subtask still holds ${busiestSubtaskKeyGroups(bound, keyGroups!)} of the job's ${keyGroups} key groups, as at ${ceiling}, so ${ceiling} carries as much for fewer KPU`
      : boundHeld;
  const guardrail = quota || (kpuBound && !jobBound) ? 'kpu-limit' : 'bounds';
  if (to <= from) {
    out.refused.push({ action: desired, guardrail, reason: `${boundReason}, and it runs at ${from}` });
    return;
  }
  // A job that drains already and holds its input once caught up is restarted only when the restart
  // costs less lag than it saves: while it is down the lag grows, and the bigger size must win that back.
  const lagSeconds = (signals.app?.lagMs ?? 0) / 1000;
  const drainNow = -(signals.app?.lagSlopeNow ?? 0);
  // Per evenly loaded subtask: a keyed job at an unaligned size is worth fewer than it runs.
  const perTaskRate =
    processedRate !== undefined
      ? trueProcessingRate(processedRate, busy) / effectiveParallelism(from, keyGroups)
      : undefined;
  if (steady !== undefined && steady <= from && drainNow > 0 && lagSeconds > 0 && input && perTaskRate) {
    const drainAfter = (perTaskRate * effectiveParallelism(to, keyGroups) - input) / input;
    const restart = ctx.policy.expectedRestartSeconds;
    if (
      drainAfter <= 0 ||
      restartThenDrainLagArea(lagSeconds, restart, drainAfter) >= drainLagArea(lagSeconds, drainNow)
    ) {
      out.recommendations.push(
        `Application ${config.name} is draining its backlog (about ${Math.ceil(lagSeconds / drainNow / 60)} min to catch up at the rate its lag falls now) and parallelism ${from} carries its input at the target utilisation once caught up: a restart to ${to} (about ${restart} s down, its lag growing meanwhile) would add more lag than the bigger size wins back, so it is not restarted.`,
      );
      return;
    }
  }
  if (to < needed) {
    const held = quota
      ? `AWS refused ${quota.refusal.refusedKpus} KPU for the application`
      : `maxParallelism ${config.maxParallelism}, maxKpu ${config.maxKpu}, the job's max parallelism ${config.maxJobParallelism}`;
    const advice = cappedParallelismAdvice(config.name, to, needed, perKpu, held, {
      input,
      capacityAtCap: perTaskRate !== undefined ? perTaskRate * effectiveParallelism(to, keyGroups) : undefined,
      lagMs: signals.lagMs ?? 0,
    });
    out.recommendations.push(advice);
    // The part of the scale-up past the bound is refused, with what was needed, so the run says a bound stopped it.
    out.beyondBounds.push({
      action: { ...desired, from: to },
      guardrail,
      reason: `${boundReason}; raised to ${to} only. ${advice}`,
    });
  }
  // The share above the steady size drains the backlog; it is recorded as a boost for a later run to take back off.
  const steadyTo = steady === undefined ? undefined : Math.max(steady, config.minParallelism);
  // A boost too small to be worth a restart to take off is not one: the sweep would follow it up for nothing.
  const boost =
    steadyTo !== undefined && worthScaleBack(to, steadyTo, ctx.policy.targetUtilization)
      ? {
          steady: steadyTo,
          drainedBy: new Date(
            ctx.now + (ctx.policy.expectedRestartSeconds + ctx.policy.catchUpSeconds) * 1000,
          ).toISOString(),
        }
      : undefined;
  if (boost) {
    out.recommendations.push(
      `Application ${config.name}: parallelism ${boost.steady} carries the input at the target utilisation; the ${to - boost.steady} more drain the backlog ${readCapped ? 'as fast as the shards feed it' : `within the ${ctx.policy.catchUpSeconds} s catch-up time`}${ctx.policy.boostScaleBack ? ' and come back off once it has drained' : ', and stay until the scale-in finds them idle'}.`,
    );
  }
  out.add({ ...desired, to, ...(boost ? { boost } : {}) });
}

/**
 * The planned scale-back: once the backlog a boosted scale-up was to drain is gone (the consumer is no
 * longer behind), the boost comes off, down to the steady size or what the input needs now, whichever
 * is more. It does not wait for the scale-in's quiet window or cooldown: it undoes a share planned to
 * be temporary and sized from measured rates, not a guess from a quiet spell.
 */
function boostScaleBack(ctx: PlanContext, out: Draft): void {
  const config = ctx.target.application;
  const app = ctx.app;
  // Never while a backlog still drains: the boost is there for it.
  if (!config || !app || ctx.lagging || drainsOnPlan(ctx.signals, ctx.policy)) return;
  if (out.actions.some((a) => 'applicationName' in a && a.applicationName === config.name)) return;
  const boost = outstandingBoost(ctx.ledger, config.name, ctx.now);
  // A size someone else changed since (a person, Managed Flink's autoscaling) is not StreamMedic's boost any more.
  if (!boost || app.parallelism !== boost.to) return;
  const from = app.parallelism;
  const signals = ctx.signals;
  const processed = signals.app?.recordsInPerSecond;
  const input = signals.stream?.demandRecordsPerSecond ?? processed;
  const busy = busyFraction(ctx);
  const steadyNow =
    input !== undefined && processed !== undefined && processed > 0 && busy !== undefined
      ? flinkSteadyParallelism({
          currentParallelism: from,
          inputRatePerSecond: input,
          processedRatePerSecond: processed,
          busyFraction: busy,
          targetUtilization: ctx.policy.targetUtilization,
          keyGroups: keyGroupsOf(config),
        })
      : undefined;
  if (steadyNow === undefined) {
    out.recommendations.push(
      `Application ${config.name} still runs the catch-up boost (parallelism ${from}, steady ${boost.steady}), but its throughput metrics are missing: it is not scaled back blind.`,
    );
    return;
  }
  const to = Math.max(boost.steady, steadyNow, config.minParallelism);
  if (!worthScaleBack(from, to, ctx.policy.targetUtilization)) {
    out.recommendations.push(
      `Application ${config.name}: the backlog has drained, and the input needs parallelism ${steadyNow}: at ${from} the job runs within ${Math.round(SCALE_BACK_BAND * 100)} points of the target utilisation, too close to be worth a restart, so the catch-up boost (${from} where ${boost.steady} was steady) stays.`,
    );
    return;
  }
  const perKpu = config.parallelismPerKpu ?? app.parallelismPerKpu;
  out.recommendations.push(
    `Application ${config.name}: the backlog has drained; the catch-up boost comes off: parallelism ${from} -> ${to} (the steady size for the input at the target utilisation).`,
  );
  out.add(parallelismChange(config, app, from, to, perKpu));
}

/**
 * The scale-back once an incident's traffic has passed (scale-back.ts): each resource StreamMedic
 * scaled up, whose input rose well above its level before the scale-up and has stayed back near that
 * level over the recent window, with no lag and no throttling in it, goes back to what the recent
 * window's peak needs at the target utilisation, never below it nor the configured minimum, in the
 * fewest calls UpdateShardCount's halving allows. The cooldown and backlog-draining guardrails still apply.
 */
function incidentScaleBack(ctx: PlanContext, out: Draft): void {
  if (!ctx.policy.scaleBackAfterIncident || !ctx.window || ctx.lagging) return;
  if (drainsOnPlan(ctx.signals, ctx.policy)) return;
  const stream = ctx.signals.stream;
  const app = ctx.signals.app;
  if ((app?.lagPeakMs ?? 0) >= ctx.policy.lagThresholdMs || (ctx.signals.lagMs ?? 0) >= ctx.policy.lagThresholdMs) {
    return;
  }
  if (stream && (stream.throttledMinutesRecent > 0 || stream.readThrottledMinutesRecent > 0)) return;
  const names = { streamName: ctx.target.stream?.name, applicationName: ctx.target.application?.name };
  const touched = (resource: string): boolean => out.actions.some((a) => actionResource(a) === resource);
  const streamConfig = ctx.target.stream;
  const from = ctx.stream?.openShards;
  if (streamConfig && stream && from !== undefined && !touched(streamResource(streamConfig.name))) {
    const up = outstandingScaleUp(ctx.ledger, streamResource(streamConfig.name), ctx.now);
    const traffic = up && from === up.to ? trafficAfterScaleUp(ctx.window, names, up, ctx.policy) : undefined;
    if (up && traffic?.passed && stream.demandBytesPerSecond !== undefined) {
      const needed = shardsForPeak(ctx, stream.demandBytesPerSecond, stream.demandRecordsPerSecond);
      const to = Math.max(needed, streamConfig.minShards);
      if (to < from) {
        out.recommendations.push(
          `Stream ${streamConfig.name}: the incident's traffic has passed (${Math.round(traffic.recentPeak)} records/s at most over the last ${ctx.policy.recentMinutes} min, ${Math.round(traffic.before)} before the scale-up, ${Math.round(traffic.peak)} at its peak): ${from} -> ${to} shards, what that input needs at the target utilisation.`,
        );
        out.add(shardAction(streamConfig.name, from, to));
      }
    }
  }
  const appConfig = ctx.target.application;
  if (appConfig && ctx.app && app && !touched(applicationResource(appConfig.name))) {
    const current = ctx.app.parallelism;
    const up = outstandingScaleUp(ctx.ledger, applicationResource(appConfig.name), ctx.now);
    const traffic = up && current === up.to ? trafficAfterScaleUp(ctx.window, names, up, ctx.policy) : undefined;
    const peakBusy = peakBusyShare(app.recentPeakBusy, app.recentPeakCpu);
    if (up && traffic?.passed && peakBusy !== undefined) {
      // As the ordinary scale-in sizes it: the recent peak at the target utilisation, so that one does not follow.
      const byPeak = parallelismForPeak(ctx, current, peakBusy);
      // Read from CPU alone, a nearly idle job looks busier than it is: its CPU line, fitted since it
      // reached this size (the spike's minutes and the quiet ones after), leaves out the idle share.
      const line =
        app.recentPeakBusy === undefined
          ? cpuLoadLine(
              ctx.window,
              appConfig.name,
              Date.parse(up.lastAt) + ctx.policy.expectedRestartSeconds * 1000,
              ctx.window.end - ctx.policy.recentMinutes * 60_000,
            )
          : undefined;
      const byLine = line ? parallelismForCpuLine(line, current, ctx.policy, keyGroupsOf(appConfig)) : undefined;
      const needed = byLine !== undefined ? Math.min(byPeak, byLine) : byPeak;
      const to = Math.max(needed, appConfig.minParallelism);
      // A restart is worth it only when the job runs well under its target at its present size.
      if (worthScaleBack(current, to, ctx.policy.targetUtilization)) {
        const perKpu = appConfig.parallelismPerKpu ?? ctx.app.parallelismPerKpu;
        const sizing =
          line && byLine !== undefined && byLine < byPeak
            ? `its recent peak (${Math.round(line.recentPeakProcessed)} records/s processed, ${Math.round(peakBusy * 100)}% CPU at ${current}, of which about ${Math.round(line.idlePercent)}% is the job's CPU with nothing to process) at the target utilisation, with as much again to drain the restart's backlog`
            : `what its recent peak (${Math.round(peakBusy * 100)}% busy at ${current}) needs at the target utilisation`;
        out.recommendations.push(
          `Application ${appConfig.name}: the incident's traffic has passed (${Math.round(traffic.recentPeak)} records/s at most over the last ${ctx.policy.recentMinutes} min, ${Math.round(traffic.before)} before the scale-up): parallelism ${current} -> ${to}, ${sizing}.`,
        );
        out.add(parallelismChange(appConfig, ctx.app, current, to, perKpu));
      }
    }
  }
}

/**
 * A job fed by a stream that refuses writes sees only the records the stream admits, so it can look
 * comfortable while its producers are turned away. Once the reshard lets that demand in, a job busy
 * at the compute rule's threshold or more at the projected input would be the next bottleneck: it is
 * planned in the same round, not found by the verification after the reshard and a settling wait.
 */
function starvedJobScaleUp(ctx: PlanContext, out: Draft): void {
  const config = ctx.target.application;
  if (!config || !ctx.findings.some((f) => f.cause === 'STREAM_WRITE_CAPACITY')) return;
  if (ctx.findings.some((f) => f.cause === 'CONSUMER_COMPUTE')) return;
  const reshard = out.actions.find((a) => a.type === 'UpdateShardCount' && a.to > a.from);
  const demand = ctx.signals.stream?.demandRecordsPerSecond;
  const processed = ctx.signals.app?.recordsInPerSecond;
  const busy = busyFraction(ctx);
  if (!reshard || demand === undefined || processed === undefined || !(processed > 0) || busy === undefined) return;
  const projectedBusy = (busy * demand) / processed;
  const threshold = busyHighMsPerSecond(ctx.policy) / 1000;
  if (projectedBusy < threshold) return;
  out.recommendations.push(
    `Application ${config.name} processes ${Math.round(processed)} records/s at ${Math.round(busy * 100)}% busy; once the reshard admits the ${Math.round(demand)} records/s producers send, it would be about ${Math.round(projectedBusy * 100)}% busy (the compute threshold is ${Math.round(threshold * 100)}%), so it is sized for that input in the same round.`,
  );
  appScaleUp(ctx, out);
}

/**
 * Source subtasks beyond the shard count read nothing. Compared with the shards the stream will have
 * once this plan's reshard is done, not the ones it has now, so advice does not ask for shards the
 * plan already adds.
 */
function sourceShardAdvice(ctx: PlanContext, out: Draft): void {
  const app = out.actions.find((a) => a.type === 'UpdateApplicationParallelism');
  const stream = ctx.stream;
  if (!app || !stream) return;
  const reshard = out.actions.find((a) => a.type === 'UpdateShardCount' && a.streamName === stream.name);
  const shards = reshard && 'to' in reshard ? reshard.to : stream.openShards;
  if (app.to <= shards) return;
  const has = reshard ? `will have after this plan's reshard` : 'has';
  out.recommendations.push(
    `Parallelism ${app.to} exceeds the ${shards} shards ${stream.name} ${has}: source subtasks beyond ${shards} read nothing, so if the source operator is the busy one, the stream needs shards too.`,
  );
}

/** What a capped scale-up still buys: how long the backlog takes to drain at the cap, or that it never will. */
function cappedParallelismAdvice(
  name: string,
  to: number,
  needed: number,
  perKpu: number,
  heldBy: string,
  rates: { readonly input: number | undefined; readonly capacityAtCap: number | undefined; readonly lagMs: number },
): string {
  const cap = `StreamMedic stops at parallelism ${to} (${heldBy})`;
  const { input, capacityAtCap } = rates;
  if (input === undefined || capacityAtCap === undefined || !(capacityAtCap > 0)) {
    return `Application ${name}: ${cap}; the catch-up target needs about ${needed} (${kpusFor(needed, perKpu)} KPU).`;
  }
  const spare = capacityAtCap - input;
  if (spare <= 0) {
    return `Application ${name}: ${cap}, which cannot keep up with ${Math.round(input)} records/s: the lag keeps growing until the bounds are raised.`;
  }
  const drainMinutes = Math.ceil(((rates.lagMs / 1000) * input) / spare / 60);
  return `Application ${name}: ${cap}; at that size the backlog drains in about ${drainMinutes} min (draining within the catch-up time would need about ${needed}).`;
}

function appScaleIn(ctx: PlanContext, out: Draft): void {
  const config = ctx.target.application;
  const app = ctx.app;
  const s = ctx.signals.app;
  if (!config || !app || !s) return;
  const peakBusy = peakBusyShare(s.scaleInPeakBusy, s.scaleInPeakCpu);
  if (peakBusy === undefined) return;
  const from = app.parallelism;
  const perKpu = config.parallelismPerKpu ?? app.parallelismPerKpu;
  const needed = parallelismForPeak(ctx, from, peakBusy * scaleInGrowth(ctx));
  const to = Math.max(needed, config.minParallelism);
  if (to >= from) {
    if (needed < from) {
      out.refused.push({
        action: {
          type: 'UpdateApplicationParallelism',
          applicationName: config.name,
          from,
          to: needed,
          parallelismPerKpu: perKpu,
        },
        guardrail: 'bounds',
        reason: `minParallelism is ${config.minParallelism}`,
      });
    }
    return;
  }
  out.add(parallelismChange(config, app, from, to, perKpu));
}

/**
 * A parallelism change of the target's application. Managed Flink's own autoscaling is turned off in
 * the same update when the target says so (`builtInAutoscaling: turn-off`), so the two do not fight.
 */
function parallelismChange(
  config: NonNullable<TargetConfig['application']>,
  app: { readonly autoScalingEnabled?: boolean },
  from: number,
  to: number,
  parallelismPerKpu: number,
): UpdateApplicationParallelismAction {
  return {
    type: 'UpdateApplicationParallelism',
    applicationName: config.name,
    from,
    to,
    parallelismPerKpu,
    ...(app.autoScalingEnabled && config.builtInAutoscaling === 'turn-off' ? { autoScalingEnabled: false } : {}),
  };
}

function memoryFix(ctx: PlanContext, out: Draft): void {
  const config = ctx.target.application;
  const app = ctx.app;
  if (!config || !app) return;
  const perKpu = app.parallelismPerKpu;
  const advice = `Application ${config.name}: look for state that grows without bound (state TTL, key cardinality), large windows, or a leak; checkpoints slow as state grows.`;
  out.recommendations.push(advice);
  if (perKpu <= 1) {
    out.recommendations.push(
      `It already runs 1 task per KPU; more memory per task needs a code or state change, not a config change.`,
    );
    return;
  }
  const newPerKpu = Math.max(1, Math.floor(perKpu / 2));
  if (!config.applyMemoryFix) {
    out.recommendations.push(
      `Run ${newPerKpu} instead of ${perKpu} tasks per KPU so each task gets more memory (${kpusFor(app.parallelism, newPerKpu)} KPU instead of ${kpusFor(app.parallelism, perKpu)}); set applyMemoryFix to let StreamMedic do it.`,
    );
    return;
  }
  // More KPUs than maxKpu allows is refused by the bounds guard, like every parallelism change.
  out.add(parallelismChange(config, app, app.parallelism, app.parallelism, newPerKpu));
}

function monitoringFix(ctx: PlanContext, out: Draft): void {
  const config = ctx.target.application;
  const app = ctx.app;
  if (!config || !app) return;
  const logLevel = app.logLevel === 'DEBUG' ? 'INFO' : ((app.logLevel ?? 'INFO') as 'INFO' | 'WARN' | 'ERROR');
  // PARALLELISM goes to TASK, which still publishes the per-task busy time the diagnosis reads.
  const metricsLevel =
    app.metricsLevel === 'PARALLELISM'
      ? 'TASK'
      : ((app.metricsLevel ?? 'APPLICATION') as 'APPLICATION' | 'TASK' | 'OPERATOR');
  if (!config.applyMonitoringFix) {
    out.recommendations.push(
      `Set ${config.name} to ${logLevel} logging and ${metricsLevel}-level metrics (UpdateApplication MonitoringConfigurationUpdate); set applyMonitoringFix to let StreamMedic do it.`,
    );
    return;
  }
  out.add({ type: 'UpdateApplicationMonitoring', applicationName: config.name, logLevel, metricsLevel });
}

function retentionFix(ctx: PlanContext, out: Draft): void {
  const config = ctx.target.stream;
  const stream = ctx.stream;
  const lag = ctx.signals.lagMs;
  if (!config || !stream || lag === undefined) return;
  const lagHours = lag / 3_600_000;
  // Lag must sit under half the new retention with room to keep growing while the fix lands.
  const wanted = Math.min(AWS_LIMITS.maxRetentionHours, Math.max(stream.retentionHours * 2, Math.ceil(lagHours * 3)));
  const toHours = Math.min(wanted, config.maxRetentionHours);
  const action = {
    type: 'IncreaseStreamRetention' as const,
    streamName: config.name,
    fromHours: stream.retentionHours,
    toHours: wanted,
  };
  if (toHours <= stream.retentionHours) {
    out.refused.push({
      action,
      guardrail: 'bounds',
      reason:
        config.maxRetentionHours === 0
          ? 'retention increases are turned off for this stream (maxRetentionHours 0)'
          : `maxRetentionHours is ${config.maxRetentionHours} and the stream keeps ${stream.retentionHours} h already`,
    });
    return;
  }
  out.add({ ...action, toHours });
}

const ADVICE: Partial<Record<Finding['cause'], (ctx: PlanContext) => string>> = {
  HOT_SHARD: (ctx) =>
    `Find the hot key with shard-level metrics (IncomingBytes by ShardId) and spread it: a random suffix or a higher-cardinality key on ${ctx.target.stream?.name ?? 'the stream'}; uniform scaling would double cost and leave that shard as full.`,
  SINK_BACKPRESSURE: () =>
    'Check the sink: its throttling and latency metrics, batch sizes, and connection limits; raise its capacity or use async I/O. Adding Flink parallelism pushes a slow sink harder.',
  APP_UNHEALTHY: (ctx) =>
    `Read the job's exceptions (CloudWatch Logs for ${ctx.target.application?.name ?? 'the application'}), fix or roll back the last change; restart from the latest snapshot once it is fixed.`,
  INSUFFICIENT_DATA: () =>
    'Check that the alarms and GetMetricData use the right dimensions (StreamName, Application) and that the application publishes metrics at the configured level.',
  STREAM_READ_CAPACITY: (ctx) =>
    `Register the heavy readers of ${ctx.target.stream?.name ?? 'the stream'} as enhanced fan-out consumers: each gets its own 2 MiB/s per shard and does not share the 5 GetRecords calls per second.`,
};

class Draft {
  readonly actions: Action[] = [];
  readonly refused: Refusal[] = [];
  /** What a capped scale-up leaves out, from the cap on: refused by its bound only if the capped part goes ahead. */
  readonly beyondBounds: Refusal[] = [];
  readonly recommendations: string[] = [];

  /** One action per resource and type: the larger change wins when two findings want the same. */
  add(action: Action): void {
    const existing = this.actions.findIndex(
      (a) => a.type === action.type && actionResource(a) === actionResource(action),
    );
    if (existing < 0) {
      this.actions.push(action);
      return;
    }
    const current = this.actions[existing]!;
    if ('to' in action && 'to' in current && action.to > current.to) this.actions[existing] = action;
  }
}

/** Candidate actions for every finding, before the guardrails that depend on history and state. */
function draftPlan(ctx: PlanContext): Draft {
  const out = new Draft();
  if (ctx.scaleBackOnly) {
    incidentScaleBack(ctx, out);
    return out;
  }
  for (const finding of ctx.findings) {
    switch (finding.cause) {
      case 'STREAM_WRITE_CAPACITY': {
        const shards = ctx.stream?.openShards ?? 1;
        // Throttled means the stream is short, even when the minute averages look just under target.
        streamScaleUp(ctx, Math.ceil(shards * 1.25), 'it is write-bound', out);
        break;
      }
      case 'STREAM_READ_CAPACITY': {
        const util = ctx.signals.stream?.readUtilization;
        // A draining catch-up reads from the shards that already hold the backlog: new shards add nothing to it.
        const catchUp = catchUpAtReadLimit(ctx.signals, ctx.policy);
        // Every polling reader calls every shard: more shards do not lower the calls each one gets.
        if (!catchUp && !readCallBound(ctx.signals) && util !== undefined && util >= ctx.policy.readScaleUtilization) {
          streamScaleUp(ctx, (ctx.stream?.openShards ?? 0) + 1, 'reads are near the shard limit', out);
        }
        break;
      }
      case 'CONSUMER_COMPUTE':
        // The stream refuses the job's reads: more subtasks would wait on the same shards' read limits.
        if (catchUpAtReadLimit(ctx.signals, ctx.policy)) break;
        if (ctx.target.application) appScaleUp(ctx, out);
        else
          out.recommendations.push(
            `Scale the consumer of ${ctx.target.stream?.name ?? 'the stream'} (more workers, a higher parallelization factor, or a faster handler); StreamMedic cannot see or change it.`,
          );
        break;
      case 'MEMORY_PRESSURE':
        memoryFix(ctx, out);
        break;
      case 'VERBOSE_MONITORING':
        monitoringFix(ctx, out);
        break;
      case 'OVER_PROVISIONED':
        // Each resource that was idle by itself is scaled in; the other keeps its size.
        if (streamIdle(ctx.signals, ctx.policy)) streamScaleIn(ctx, out);
        if (appIdle(ctx.signals, ctx.policy)) appScaleIn(ctx, out);
        break;
      case 'RETENTION_RISK':
        retentionFix(ctx, out);
        break;
      default:
        break;
    }
    const advice = ADVICE[finding.cause];
    if (advice) out.recommendations.push(advice(ctx));
  }
  starvedJobScaleUp(ctx, out);
  // A job this plan already sizes up (compute-bound, or starved behind the reshard) keeps its boost.
  const sizedUp = out.actions.some((a) => a.type === 'UpdateApplicationParallelism');
  if (ctx.policy.boostScaleBack && !sizedUp && !ctx.findings.some((f) => f.cause === 'CONSUMER_COMPUTE')) {
    boostScaleBack(ctx, out);
  }
  incidentScaleBack(ctx, out);
  sourceShardAdvice(ctx, out);
  return out;
}

/**
 * The bounded plan: candidate actions for the findings, in the order they would be applied, then
 * the guardrails (guardrails.ts).
 */
export function planActions(ctx: PlanContext): BoundedPlan {
  const draft = draftPlan(ctx);
  const ordered = [...draft.actions].sort((a, b) => ACTION_ORDER[a.type] - ACTION_ORDER[b.type]);
  const guarded = guardPlan(ctx, { actions: ordered, refused: draft.refused });
  const { actions } = guarded;
  // A capped scale-up that a guardrail stopped is refused once, for that guardrail, not also for its bound.
  const refused = [
    ...guarded.refused,
    ...draft.beyondBounds.filter((r) =>
      actions.some(
        (a) =>
          a.type === r.action.type &&
          actionResource(a) === actionResource(r.action) &&
          'to' in a &&
          'from' in r.action &&
          a.to === r.action.from,
      ),
    ),
  ];
  // Advice beside the bounded plan is only ever recommended: it never becomes an action.
  const advice = adviseBeyondCapacity(ctx, { actions, refused }).map(adviceText);
  return { actions, refused, recommendations: [...new Set([...draft.recommendations, ...advice])] };
}
