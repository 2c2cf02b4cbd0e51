import { AWS_LIMITS, type Policy } from './config';
import { busyHighMsPerSecond } from './policy';
import type { Diagnosis, Evidence } from './model';
import type { Observed, Signals, StreamSignals } from './signals';
import type { UnknownValue } from './aws-values';
import type { Cause, SecondaryFinding, Severity } from './vocabulary';
import { severityRank } from './vocabulary';

/** One conclusion the rules reached; the first is the primary cause, the rest become `secondary`. */
export interface Finding {
  readonly cause: Cause | 'RETENTION_RISK';
  readonly severity: Severity;
  readonly confidence: number;
  readonly summary: string;
  readonly evidence: Evidence[];
}

/** Statuses in which a Managed Flink application is down or on its way down, not merely busy changing. */
const APP_DOWN_STATUSES = new Set([
  'READY',
  'STARTING',
  'STOPPING',
  'FORCE_STOPPING',
  'DELETING',
  'ROLLING_BACK',
  'ROLLED_BACK',
  'MAINTENANCE',
]);

const MIB = 1024 * 1024;

function evidenceOf(o: Observed, threshold: number): Evidence {
  return { metric: o.metric, stat: o.stat, value: round(o.value), threshold, unit: o.unit };
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function clampConfidence(value: number): number {
  return round(Math.min(0.99, Math.max(0.05, value)));
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${round(minutes / 60, 1)} h`;
}

/**
 * Lag growth (ms per ms over the last nowMinutes) that counts as falling behind rather than keeping
 * up: 5 s more lag each minute, well above the jitter of a job that keeps up.
 */
export const FALLING_BEHIND_SLOPE = 5_000 / 60_000;

/**
 * Lag growth (ms per ms) of a consumer that makes no progress at all: `millisBehindLatest` then grows
 * with the clock, a second each second. 0.9 leaves room for the few records a stuck job still reads.
 */
const STALLED_SLOPE = 0.9;

/**
 * A shard's peak share of its write limit from which it counts as at the limit: per-minute sums of a
 * shard that refuses writes sit just under the limit, as the accepted writes never pass it.
 */
const SHARD_AT_LIMIT = 0.95;

function timesText(count: number): string {
  return count === 1 ? 'once' : `${count} times`;
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** How far past its threshold a value is, mapped to a confidence between base and 0.95. */
function margin(value: number, threshold: number, base: number): number {
  if (threshold <= 0) return base;
  const over = Math.max(0, value / threshold - 1);
  return base + (0.95 - base) * Math.min(1, over * 2);
}

function above(o: Observed | undefined, threshold: number): boolean {
  return o !== undefined && o.value >= threshold;
}

interface RuleContext {
  readonly signals: Signals;
  readonly policy: Policy;
  readonly streamName: string | undefined;
  readonly appName: string | undefined;
  /** Job restarts inside the window that StreamMedic's own updates caused (from the ledger). */
  readonly ownRestarts: number;
}

function lagEvidence(ctx: RuleContext): Evidence[] {
  const { signals, policy } = ctx;
  if (signals.lagMs === undefined || !signals.lagSource) return [];
  return [evidenceOf(signals.lagSource, policy.lagThresholdMs)];
}

function lagSeverity(ctx: RuleContext, base: Severity): Severity {
  // Five times the threshold behind is an outage for any consumer that feeds people or systems live.
  return (ctx.signals.lagMs ?? 0) >= 5 * ctx.policy.lagThresholdMs ? 'critical' : base;
}

function appUnhealthy(ctx: RuleContext): Finding | undefined {
  const app = ctx.signals.app;
  if (!app) return undefined;
  const status = app.state?.status;
  if (status && APP_DOWN_STATUSES.has(status)) {
    return {
      cause: 'APP_UNHEALTHY',
      severity: 'critical',
      confidence: 0.95,
      summary: `Application ${ctx.appName} is ${status}, not RUNNING: it processes nothing until it is started or repaired; check its logs before changing capacity.`,
      evidence: [...lagEvidence(ctx)],
    };
  }
  // An update under way (ours or the service's autoscaling) restarts the job on purpose: that downtime is expected.
  const changing = status === 'UPDATING' || status === 'AUTOSCALING';
  const down = !changing && (app.downtimeMs ?? 0) > 0;
  const unexplained = Math.max(0, app.restarts - ctx.ownRestarts);
  // A job that failed and, back up, makes no progress fails on something it cannot get past (a record
  // or a dependency): the first round of a crash loop, before the second restart shows it as one.
  // A job that recovers from a single failure catches up instead, and is left to the other rules.
  const stalled =
    unexplained > 0 && (ctx.signals.lagMs ?? 0) >= ctx.policy.lagThresholdMs && (app.lagSlopeNow ?? 0) >= STALLED_SLOPE;
  if (
    unexplained >= ctx.policy.crashLoopRestarts ||
    (down && unexplained > 0) ||
    (down && ctx.ownRestarts === 0) ||
    stalled
  ) {
    const evidence: Evidence[] = [];
    if (app.restarts > 0) {
      evidence.push({
        metric: app.restartsMetric,
        stat: 'Maximum',
        value: app.restarts,
        threshold: ctx.policy.crashLoopRestarts,
        unit: 'Count',
      });
    }
    if (down) {
      evidence.push({
        metric: 'downtime',
        stat: 'Maximum',
        value: app.downtimeMs!,
        threshold: 0,
        unit: 'Milliseconds',
      });
    }
    return {
      cause: 'APP_UNHEALTHY',
      severity: 'critical',
      confidence: clampConfidence(0.8 + 0.05 * app.restarts),
      summary: `Application ${ctx.appName} restarted ${timesText(app.restarts)} in the window${down ? ' and is down now' : ''}${stalled && !down ? ` and makes no progress since (its lag grows with the clock, ${formatDuration((app.lagSlopeNow ?? 0) * 60_000)} each minute)` : ''}: a crash loop, not a capacity problem; read the exceptions in its logs and fix or roll back the job.`,
      evidence: [...evidence, ...lagEvidence(ctx)],
    };
  }
  return undefined;
}

function memoryPressure(ctx: RuleContext): Finding | undefined {
  const app = ctx.signals.app;
  if (!app) return undefined;
  const { policy } = ctx;
  const heapHigh = above(app.heap, policy.heapHighPercent);
  // A heap that only sits high is normal for a JVM; one that keeps climbing is not.
  const heapRising = (app.heapRise ?? 0) >= 5;
  const checkpointsFailing = app.failedCheckpoints > 0;
  const checkpointsSlow =
    (app.checkpointDurationMs ?? 0) >= policy.checkpointSlowMs && (app.checkpointDurationRise ?? 0) > 0;
  const heapNearHigh = above(app.heap, policy.heapHighPercent - 10);
  if (!((heapHigh && (heapRising || checkpointsFailing || checkpointsSlow)) || (heapNearHigh && checkpointsFailing))) {
    return undefined;
  }
  const evidence: Evidence[] = [evidenceOf(app.heap!, policy.heapHighPercent)];
  if (checkpointsFailing) {
    evidence.push({
      metric: 'numberOfFailedCheckpoints',
      stat: 'Maximum',
      value: app.failedCheckpoints,
      threshold: 0,
      unit: 'Count',
    });
  }
  if (app.checkpointDurationMs !== undefined) {
    evidence.push({
      metric: 'lastCheckpointDuration',
      stat: 'Maximum',
      value: round(app.checkpointDurationMs),
      threshold: policy.checkpointSlowMs,
      unit: 'Milliseconds',
    });
  }
  const signs = [heapRising, checkpointsFailing, checkpointsSlow].filter(Boolean).length;
  return {
    cause: 'MEMORY_PRESSURE',
    severity: checkpointsFailing ? 'critical' : 'warning',
    confidence: clampConfidence(0.6 + 0.12 * signs),
    summary: `Application ${ctx.appName} heap is at ${Math.round(app.heap!.value)}%${heapRising ? ` and rising (+${Math.round(app.heapRise!)} points)` : ''}${checkpointsFailing ? `, ${app.failedCheckpoints} checkpoints failed` : ''}${checkpointsSlow ? `, checkpoints take ${formatDuration(app.checkpointDurationMs!)}` : ''}: state or memory is outgrowing the workers; give each task more memory and check state growth (TTL, keys).`,
    evidence: [...evidence, ...lagEvidence(ctx)],
  };
}

function verboseMonitoring(ctx: RuleContext, lagging: boolean): Finding | undefined {
  const app = ctx.signals.app;
  const state = app?.state;
  if (!app || !state) return undefined;
  const debug = state.logLevel === 'DEBUG';
  const perSubtask = state.metricsLevel === 'PARALLELISM';
  if (!debug && !perSubtask) return undefined;
  const { policy } = ctx;
  const busy =
    above(app.cpu, policy.cpuHighPercent) ||
    above(app.busy, busyHighMsPerSecond(policy)) ||
    above(app.backPressured, policy.backPressureHighMsPerSecond);
  if (!busy && !lagging) return undefined;
  const what = [debug ? 'DEBUG logging' : '', perSubtask ? 'PARALLELISM-level metrics' : '']
    .filter(Boolean)
    .join(' and ');
  const evidence: Evidence[] = [];
  if (app.cpu) evidence.push(evidenceOf(app.cpu, policy.cpuHighPercent));
  if (app.busy) evidence.push(evidenceOf(app.busy, busyHighMsPerSecond(policy)));
  return {
    cause: 'VERBOSE_MONITORING',
    severity: lagSeverity(ctx, 'warning'),
    confidence: busy ? 0.8 : 0.6,
    // TASK level keeps the per-task busy time the diagnosis needs; APPLICATION level would blind it.
    summary: `Application ${ctx.appName} runs with ${what} while it is ${lagging ? 'falling behind' : 'busy'}: the logging and metric overhead slows every record; set ${[debug ? 'INFO logging' : '', perSubtask ? 'TASK-level metrics' : ''].filter(Boolean).join(' and ')} before adding capacity.`,
    evidence: [...evidence, ...lagEvidence(ctx)],
  };
}

function consumerSide(ctx: RuleContext, lagging: boolean): Finding | undefined {
  const app = ctx.signals.app;
  if (!app) return undefined;
  const { policy } = ctx;
  const cpuHigh = above(app.cpu, policy.cpuHighPercent);
  const busyHigh = above(app.busy, busyHighMsPerSecond(policy));
  const backPressured = above(app.backPressured, policy.backPressureHighMsPerSecond);
  const haveCpu = app.cpu !== undefined;
  const haveFlow = app.busy !== undefined || app.backPressured !== undefined || app.idle !== undefined;

  if (!lagging) {
    // Keeping up, but compute-bound (CPU and busy time past their thresholds): no headroom for the
    // next burst, and the same state Managed Flink's own autoscaler would double after 15 minutes.
    // Tasks upstream of the busiest one are back-pressured by it: that is the bottleneck showing, not a
    // slow sink, so back-pressure rules compute out only when no task is busy past the threshold.
    if (cpuHigh && (busyHigh || app.busy === undefined) && !(backPressured && !busyHigh)) {
      const load = `${Math.round(app.cpu!.value)}% CPU${app.busy ? ` and ${Math.round(app.busy.value)} ms/s busy` : ''}`;
      // Under the lag threshold is not keeping up when the lag climbs: a job that jumped to full CPU
      // is read within minutes, before its lag has had time to pass the threshold.
      const slope = app.lagSlopeNow ?? 0;
      const fallingBehind = slope >= FALLING_BEHIND_SLOPE;
      return {
        cause: 'CONSUMER_COMPUTE',
        severity: 'warning',
        confidence: clampConfidence(margin(app.cpu!.value, policy.cpuHighPercent, 0.55) - 0.1),
        summary: fallingBehind
          ? `Application ${ctx.appName} is ${formatDuration(ctx.signals.lagMs ?? 0)} behind and falling further behind (${formatDuration(slope * 60_000)} more each minute) at ${load}: it is short of compute; add parallelism.`
          : `Application ${ctx.appName} keeps up but runs at ${load}: little headroom for the next burst; the plan says whether that is worth a restart now.`,
        evidence: [
          evidenceOf(app.cpu!, policy.cpuHighPercent),
          ...(app.busy ? [evidenceOf(app.busy, busyHighMsPerSecond(policy))] : []),
        ],
      };
    }
    return undefined;
  }

  if (!haveCpu && !haveFlow) return undefined;

  // Busy with low CPU means waiting on something outside the job (a blocking sink or lookup).
  const waitingOnIo = busyHigh && haveCpu && !cpuHigh && app.cpu!.value < policy.cpuHighPercent * 0.6;
  if ((backPressured && !cpuHigh) || waitingOnIo) {
    const evidence: Evidence[] = [];
    if (app.backPressured) evidence.push(evidenceOf(app.backPressured, policy.backPressureHighMsPerSecond));
    if (waitingOnIo) evidence.push(evidenceOf(app.busy!, busyHighMsPerSecond(policy)));
    if (app.cpu) evidence.push(evidenceOf(app.cpu, policy.cpuHighPercent));
    return {
      cause: 'SINK_BACKPRESSURE',
      severity: lagSeverity(ctx, 'warning'),
      confidence: clampConfidence(
        backPressured ? margin(app.backPressured!.value, policy.backPressureHighMsPerSecond, 0.7) : 0.65,
      ),
      summary: `Application ${ctx.appName} is ${formatDuration(ctx.signals.lagMs ?? 0)} behind while ${backPressured ? `back-pressured ${Math.round(app.backPressured!.value)} ms/s` : `busy ${Math.round(app.busy!.value)} ms/s`} at only ${app.cpu ? Math.round(app.cpu.value) : '?'}% CPU: the sink or an external call is slow; more parallelism would push it harder, so fix the sink's capacity first.`,
      evidence: [...evidence, ...lagEvidence(ctx)],
    };
  }

  if (cpuHigh || busyHigh) {
    const evidence: Evidence[] = [];
    if (app.cpu) evidence.push(evidenceOf(app.cpu, policy.cpuHighPercent));
    if (app.busy) evidence.push(evidenceOf(app.busy, busyHighMsPerSecond(policy)));
    const base = cpuHigh && busyHigh ? 0.85 : 0.7;
    return {
      cause: 'CONSUMER_COMPUTE',
      severity: lagSeverity(ctx, 'warning'),
      confidence: clampConfidence(
        cpuHigh
          ? margin(app.cpu!.value, policy.cpuHighPercent, base)
          : margin(app.busy!.value, busyHighMsPerSecond(policy), base),
      ),
      summary: `Application ${ctx.appName} is ${formatDuration(ctx.signals.lagMs ?? 0)} behind and ${cpuHigh ? `at ${Math.round(app.cpu!.value)}% CPU` : `busy ${Math.round(app.busy!.value)} ms/s`}: it is short of compute; raise parallelism.`,
      evidence: [...evidence, ...lagEvidence(ctx)],
    };
  }

  return undefined;
}

function writeSide(ctx: RuleContext): Finding | undefined {
  const stream = ctx.signals.stream;
  if (!stream) return undefined;
  const { policy } = ctx;
  const sustained =
    stream.throttledMinutesRecent >= policy.throttleMinutes && stream.throttledShare >= policy.throttleShare;
  if (!sustained) return undefined;
  if (stream.acceptedWriteUtilization === undefined) {
    // Throttled, but without the shard count (or incoming metrics) a full stream and a hot key look alike.
    return {
      cause: 'INSUFFICIENT_DATA',
      severity: 'warning',
      confidence: 0.8,
      summary: `Stream ${ctx.streamName} refused ${stream.throttledRecordsRecent} records, but without ${stream.shards === undefined ? 'its shard count (DescribeStreamSummary)' : 'IncomingBytes and IncomingRecords'} a full stream cannot be told from a hot key; nothing will be resized until it can.`,
      evidence: [
        {
          metric: 'WriteProvisionedThroughputExceeded',
          stat: 'Sum',
          value: stream.throttledRecordsRecent,
          threshold: 0,
          unit: 'Count',
        },
      ],
    };
  }
  const accepted = stream.acceptedWriteUtilization;
  const throttleEvidence: Evidence = {
    metric: 'WriteProvisionedThroughputExceeded',
    stat: 'Sum',
    value: stream.throttledRecordsRecent,
    threshold: 0,
    unit: 'Count',
  };
  const utilEvidence: Evidence = {
    metric: stream.writeBound === 'records' ? 'IncomingRecords' : 'IncomingBytes',
    stat: 'Sum',
    value: round(accepted * 100, 1),
    threshold: round(policy.hotShardUtilization * 100, 1),
    unit: 'Percent of stream write capacity',
  };
  const shardEvidence: Evidence[] = stream.hottestShard
    ? [
        {
          metric: `IncomingBytes (${stream.hottestShard.shardId})`,
          stat: 'Sum',
          value: round(stream.hottestShard.utilization * 100, 1),
          threshold: 100,
          unit: 'Percent of shard write limit',
        },
      ]
    : [];
  if (accepted < policy.hotShardUtilization && !stream.hottestShard) {
    // Without shard-level series a hot shard is a guess: per-minute sums hide which shard, and hide
    // bursts shorter than a minute that fill every shard for a moment.
    return {
      cause: 'HOT_SHARD',
      severity: 'warning',
      confidence: clampConfidence(0.5 + ((policy.hotShardUtilization - accepted) / policy.hotShardUtilization) * 0.2),
      summary: `Stream ${ctx.streamName} refused ${stream.throttledRecordsRecent} records while using only ${percent(accepted)} of its write capacity: a hot key or sub-minute bursts; ${stream.shardMetricsEnabled ? 'no shard-level series were read to tell which' : 'shard-level metrics are off, so no shard can be named'}. Adding shards uniformly would not help a hot key.`,
      evidence: [throttleEvidence, utilEvidence],
    };
  }
  // Shard-level series tell a hot key from a full stream however busy the stream is on average: one
  // shard at its limit while the typical shard stays under the utilisation a reshard aims for is
  // skew, and a uniform reshard adds room where none is needed (the hot key stays on one shard).
  const typical = stream.typicalShardUtilization;
  const skewed =
    stream.hottestShard !== undefined &&
    typical !== undefined &&
    stream.hottestShard.utilization >= SHARD_AT_LIMIT &&
    typical < policy.shardWriteUtilization;
  if (accepted < policy.hotShardUtilization || skewed) {
    const hot = stream.hottestShard!;
    const using =
      accepted < policy.hotShardUtilization
        ? `using only ${percent(accepted)} of its write capacity`
        : `its typical shard used only ${percent(typical!)} of its write limit`;
    const typicalEvidence: Evidence[] =
      typical !== undefined
        ? [
            {
              metric: 'IncomingBytes/IncomingRecords (median shard)',
              stat: 'Sum',
              value: round(typical * 100, 1),
              threshold: round(policy.shardWriteUtilization * 100, 1),
              unit: 'Percent of shard write limit',
            },
          ]
        : [];
    return {
      cause: 'HOT_SHARD',
      severity: 'warning',
      confidence: clampConfidence(
        0.65 +
          (Math.max(0, policy.hotShardUtilization - Math.min(accepted, typical ?? accepted)) /
            policy.hotShardUtilization) *
            0.3 +
          0.05,
      ),
      summary: `Stream ${ctx.streamName} refused ${stream.throttledRecordsRecent} records while ${using}: shard ${hot.shardId} took ${percent(hot.share)} of the writes and peaked at ${percent(hot.utilization)} of its limit, a hot partition key; spread the key (add a suffix or use a higher-cardinality key) — adding shards uniformly would not help.`,
      evidence: [throttleEvidence, utilEvidence, ...shardEvidence, ...typicalEvidence],
    };
  }
  const shards = stream.shards ?? 0;
  const bound = stream.writeBound ?? 'bytes';
  const perShard =
    bound === 'bytes'
      ? `${round((stream.demandBytesPerSecond ?? 0) / Math.max(1, shards) / MIB, 2)} MiB/s per shard`
      : `${Math.round((stream.demandRecordsPerSecond ?? 0) / Math.max(1, shards))} records/s per shard`;
  // An on-demand stream is not resharded: AWS raises its capacity itself, after a new peak.
  const fix =
    stream.state?.mode === 'ON_DEMAND'
      ? 'it is on-demand, so AWS adds capacity as it adapts to the new peak (at once up to twice the previous one, within about 15 minutes past that) and it cannot be resharded'
      : 'add shards';
  return {
    cause: 'STREAM_WRITE_CAPACITY',
    severity: stream.throttledShare >= 0.05 ? 'critical' : 'warning',
    confidence: clampConfidence(margin(accepted, policy.hotShardUtilization, 0.7)),
    summary: `Stream ${ctx.streamName} is full: producers want ${perShard} over ${shards} shards (${bound}-bound, limit ${bound === 'bytes' ? '1 MiB/s' : `${AWS_LIMITS.shardWriteRecordsPerSecond} records/s`}) and ${percent(stream.throttledShare)} of records were refused; ${fix}.`,
    evidence: [throttleEvidence, utilEvidence],
  };
}

function readThrottleEvidence(stream: StreamSignals): Evidence {
  return {
    metric: 'ReadProvisionedThroughputExceeded',
    stat: 'Sum',
    value: stream.readThrottledRecent,
    threshold: 0,
    unit: 'Count',
  };
}

/**
 * Whether throttled readers are a consumer draining its backlog: it is behind, yet the lag falls now,
 * so the stream carries the live data and only the catch-up hits the read limits. Records already
 * written stay in the shards that hold them (parents keep theirs after a reshard), so more shards
 * would not read the backlog faster.
 */
export function catchUpAtReadLimit(signals: Signals, policy: Policy): boolean {
  const stream = signals.stream;
  const slope = signals.app?.lagSlopeNow;
  return (
    stream !== undefined &&
    stream.readThrottledMinutesRecent >= policy.throttleMinutes &&
    (signals.lagMs ?? 0) >= policy.lagThresholdMs &&
    slope !== undefined &&
    slope < 0
  );
}

/**
 * Polling readers ask each shard for more GetRecords calls than the 5 a second it serves (more than 5%
 * over, so a lone consumer polling at the limit is not counted). Each reader polls every shard at its
 * own interval, so more shards do not lower the calls a shard gets: enhanced fan-out does.
 */
export function readCallBound(signals: Signals): boolean {
  const calls = signals.stream?.readCallsPerShardPerSecond;
  return calls !== undefined && calls > AWS_LIMITS.shardReadCallsPerSecond * 1.05;
}

function readSide(ctx: RuleContext): Finding | undefined {
  const stream = ctx.signals.stream;
  if (!stream) return undefined;
  if (stream.readThrottledMinutesRecent < ctx.policy.throttleMinutes) return undefined;
  if (catchUpAtReadLimit(ctx.signals, ctx.policy)) return catchUpReads(ctx);
  // Behind earlier in the window, caught up now and not falling back: the throttling was the catch-up's.
  const app = ctx.signals.app;
  const caughtUp =
    (app?.lagPeakMs ?? 0) >= ctx.policy.lagThresholdMs &&
    (ctx.signals.lagMs ?? Number.POSITIVE_INFINITY) < ctx.policy.lagThresholdMs &&
    app?.lagSlopeNow !== undefined &&
    app.lagSlopeNow <= 0;
  if (caughtUp) return undefined;
  const util = stream.readUtilization;
  const callBound = readCallBound(ctx.signals);
  const nearLimit = !callBound && util !== undefined && util >= ctx.policy.readScaleUtilization;
  const evidence: Evidence[] = [readThrottleEvidence(stream)];
  if (stream.readCallsPerShardPerSecond !== undefined) {
    evidence.push({
      metric: 'GetRecords.Success',
      stat: 'Sum',
      value: round(stream.readCallsPerShardPerSecond, 1),
      threshold: AWS_LIMITS.shardReadCallsPerSecond,
      unit: 'Calls/Second per shard, served and refused',
    });
  }
  if (util !== undefined) {
    evidence.push({
      metric: 'GetRecords.Bytes',
      stat: 'Sum',
      value: round(util * 100, 1),
      threshold: round(ctx.policy.readScaleUtilization * 100, 1),
      unit: 'Percent of stream read capacity',
    });
  }
  return {
    cause: 'STREAM_READ_CAPACITY',
    severity: lagSeverity(ctx, 'warning'),
    confidence: clampConfidence(util === undefined ? 0.6 : 0.8),
    summary: callBound
      ? `Stream ${ctx.streamName} readers are throttled asking each shard for ${round(stream.readCallsPerShardPerSecond!, 1)} GetRecords calls a second, over the ${AWS_LIMITS.shardReadCallsPerSecond} a shard serves${util === undefined ? '' : `, while reading ${percent(util)} of the 2 MiB/s-per-shard read limit`}: every polling reader calls every shard, so more shards would not lower the calls each one gets; register consumers with enhanced fan-out.`
      : nearLimit
        ? `Stream ${ctx.streamName} readers are throttled at ${percent(util!)} of the 2 MiB/s-per-shard read limit: add shards (or move readers to enhanced fan-out).`
        : `Stream ${ctx.streamName} readers are throttled while reading ${util === undefined ? 'an unknown share' : percent(util)} of the read limit: too many readers share each shard's 5 GetRecords calls per second; register consumers with enhanced fan-out.`,
    evidence: [...evidence, ...lagEvidence(ctx)],
  };
}

function catchUpReads(ctx: RuleContext): Finding {
  const stream = ctx.signals.stream!;
  const lagMs = ctx.signals.lagMs!;
  const drainMs = lagMs / -ctx.signals.app!.lagSlopeNow!;
  return {
    cause: 'STREAM_READ_CAPACITY',
    severity: lagSeverity(ctx, 'warning'),
    confidence: 0.75,
    summary: `Stream ${ctx.streamName} readers are throttled while ${ctx.appName ?? 'the consumer'} drains a ${formatDuration(lagMs)} backlog (about ${formatDuration(drainMs)} to go at this rate): the catch-up reads at each shard's limits (2 MiB/s and 5 GetRecords calls per second) from the shards that hold the backlog, and records already written stay in those shards (after a reshard, in the parents, read before their children), so more shards or parallelism would not read them faster; nothing to change while it drains.`,
    evidence: [readThrottleEvidence(stream), ...lagEvidence(ctx)],
  };
}

function retentionRisk(ctx: RuleContext): Finding | undefined {
  const retentionHours = ctx.signals.stream?.state?.retentionHours;
  const lag = ctx.signals.lagMs;
  if (retentionHours === undefined || lag === undefined) return undefined;
  const limit = (retentionHours * 3_600_000) / 2;
  if (lag <= limit) return undefined;
  return {
    cause: 'RETENTION_RISK',
    severity: 'critical',
    confidence: 0.9,
    summary: `Lag of ${formatDuration(lag)} is past half the ${retentionHours} h retention: records will expire unread.`,
    evidence: [
      {
        metric: ctx.signals.lagSource!.metric,
        stat: 'Maximum',
        value: round(lag),
        threshold: limit,
        unit: 'Milliseconds',
      },
    ],
  };
}

/**
 * Whether the stream was idle for the whole quiet window: no write refused, and the peak under the
 * scale-in utilisation. Judged apart from the application: one idle resource is scaled in by itself.
 */
export function streamIdle(signals: Signals, policy: Policy): boolean {
  const stream = signals.stream;
  return (
    stream?.scaleInPeakUtilization !== undefined &&
    stream.throttledInScaleInWindow === 0 &&
    stream.scaleInPeakUtilization < policy.scaleInUtilization
  );
}

/** Whether the application was idle for the whole quiet window: its CPU peak under the scale-in utilisation. */
export function appIdle(signals: Signals, policy: Policy): boolean {
  const cpuPeak = signals.app?.scaleInPeakCpu;
  // A job fed by a stream that refuses writes now sees less than producers send: it looks idle only
  // until the stream admits the rest, so it is not scaled in then.
  if ((signals.stream?.throttledMinutesRecent ?? 0) > 0) return false;
  return cpuPeak !== undefined && cpuPeak < policy.scaleInUtilization * 100;
}

function overProvisioned(ctx: RuleContext): Finding | undefined {
  const { signals, policy } = ctx;
  if (signals.coveredMinutes < policy.scaleInWindowMinutes - 1) return undefined;
  const stream = signals.stream;
  const app = signals.app;
  // Nothing is scaled in after the consumer was behind within the window, whichever resource is idle.
  if (app) {
    const lagPeak = app.lagInScaleInWindowMs ?? signals.stream?.iteratorAgeMs;
    if (lagPeak === undefined || lagPeak >= policy.lagThresholdMs) return undefined;
  } else if (stream && (stream.iteratorAgeMs ?? 0) >= policy.lagThresholdMs) {
    return undefined;
  }
  const evidence: Evidence[] = [];
  const idle: string[] = [];
  if (stream && streamIdle(signals, policy)) {
    if ((stream.shards ?? 0) > 1 && stream.state?.mode !== 'ON_DEMAND') idle.push(`stream ${ctx.streamName}`);
    evidence.push({
      metric: 'IncomingBytes',
      stat: 'Sum',
      value: round(stream.scaleInPeakUtilization! * 100, 1),
      threshold: round(policy.scaleInUtilization * 100, 1),
      unit: 'Percent of stream write capacity',
    });
  }
  if (app && appIdle(signals, policy)) {
    if ((app.state?.parallelism ?? 1) > 1) idle.push(`application ${ctx.appName}`);
    evidence.push({
      metric: app.cpu?.metric ?? 'containerCPUUtilization',
      stat: app.cpu?.stat ?? 'Maximum',
      value: round(app.scaleInPeakCpu!),
      threshold: round(policy.scaleInUtilization * 100, 1),
      unit: 'Percent',
    });
  }
  if (idle.length === 0) return undefined;
  const hours = Math.round((policy.scaleInWindowMinutes / 60) * 10) / 10;
  const both = idle.length === 2 || (stream === undefined) !== (app === undefined);
  return {
    cause: 'OVER_PROVISIONED',
    severity: 'info',
    confidence: 0.8,
    summary: both
      ? `For ${hours} h the pipeline peaked under ${percent(policy.scaleInUtilization)} of its capacity with no lag or throttling: it can be scaled in, slowly.`
      : `For ${hours} h ${idle[0]} peaked under ${percent(policy.scaleInUtilization)} of its capacity with no lag or throttling: it can be scaled in by itself, slowly.`,
    evidence,
  };
}

function insufficientData(ctx: RuleContext): Finding | undefined {
  const { signals } = ctx;
  const stream = signals.stream;
  const app = signals.app;
  const canJudgeStream = stream !== undefined && stream.acceptedWriteUtilization !== undefined;
  const canJudgeConsumer = signals.lagMs !== undefined;
  const appHasSignals = app !== undefined && (app.cpu !== undefined || app.busy !== undefined);
  // A stream in the target whose writes StreamMedic cannot see now is not known to be healthy either.
  const streamSeen =
    !ctx.streamName ||
    (stream !== undefined &&
      (stream.incomingBytesPerSecond !== undefined || stream.incomingRecordsPerSecond !== undefined));
  const enough = streamSeen && (ctx.appName ? canJudgeConsumer && appHasSignals : canJudgeStream || canJudgeConsumer);
  if (enough) return undefined;
  const missing = signals.missing.length > 0 ? signals.missing.join(', ') : "the target's metrics";
  return {
    cause: 'INSUFFICIENT_DATA',
    severity: 'warning',
    confidence: 0.9,
    summary: `Not enough data to name a cause: no datapoints for ${missing}${signals.lagNote ? ` (${signals.lagNote})` : ''}; check that the metrics are published (and the dimensions match) before trusting any automatic action.`,
    evidence: [],
  };
}

function healthy(ctx: RuleContext): Finding {
  const { signals, policy } = ctx;
  const evidence = lagEvidence(ctx);
  const peak = Math.max(signals.app?.lagPeakMs ?? 0, 0);
  const transient = peak >= policy.lagThresholdMs;
  return {
    cause: 'HEALTHY',
    severity: 'info',
    confidence: transient ? 0.8 : 0.9,
    summary: transient
      ? `The pipeline was up to ${formatDuration(peak)} behind in the last ${policy.recentMinutes} min but has caught up: the alarm was transient; nothing to do.`
      : 'No lag, throttling or resource pressure now: nothing to do.',
    evidence,
  };
}

export interface DiagnosisResult {
  readonly diagnosis: Diagnosis;
  /** Primary first, then secondary findings, each as the rules produced it. */
  readonly findings: Finding[];
  readonly lagging: boolean;
}

interface RuleState extends RuleContext {
  readonly lagging: boolean;
  /** Findings of the rules before this one, primary first. */
  readonly found: readonly Finding[];
}

interface Rule {
  readonly name: string;
  /** `while-none`: only when no earlier rule found anything (a fallback); `always`: beside earlier findings. */
  readonly runs: 'always' | 'while-none';
  /** A finding of this rule is the whole answer: later rules are not asked. */
  readonly final?: boolean;
  readonly evaluate: (state: RuleState) => Finding | undefined;
}

function found(state: RuleState, cause: Finding['cause']): boolean {
  return state.found.some((f) => f.cause === cause);
}

/** Readers throttled while the job is neither back-pressured nor CPU-bound: they starve the job. */
function starvedReaders(state: RuleState): Finding | undefined {
  const app = state.signals.app;
  if (
    !state.lagging ||
    above(app?.backPressured, state.policy.backPressureHighMsPerSecond) ||
    above(app?.cpu, state.policy.cpuHighPercent)
  ) {
    return undefined;
  }
  return readSide(state);
}

/** A stream-only target: the consumer is not visible to StreamMedic, only its lag is. */
function unmanagedConsumer(state: RuleState): Finding | undefined {
  const { signals } = state;
  if (!state.lagging || state.appName || !signals.lagSource) return undefined;
  return {
    cause: 'CONSUMER_COMPUTE',
    severity: lagSeverity(state, 'warning'),
    confidence: 0.45,
    summary: `Consumers of stream ${state.streamName} are ${formatDuration(signals.lagMs!)} behind with no stream throttling: the consumer itself is the bottleneck; StreamMedic does not manage it, so scale or fix the consumer.`,
    evidence: lagEvidence(state),
  };
}

/** Behind, nothing busy, nothing throttled, nothing back-pressured: the job is waiting on something downstream. */
function waitingOnSink(state: RuleState): Finding | undefined {
  if (!state.lagging) return undefined;
  const app = state.signals.app;
  const idleEvidence: Evidence[] = app?.idle ? [evidenceOf(app.idle, 0)] : [];
  return {
    cause: 'SINK_BACKPRESSURE',
    severity: lagSeverity(state, 'warning'),
    confidence: 0.5,
    summary: `Application ${state.appName} is ${formatDuration(state.signals.lagMs!)} behind yet neither CPU-bound nor busy${app?.cpu ? ` (${Math.round(app.cpu.value)}% CPU)` : ''}: it is waiting on its sink or an external call; more parallelism would not help.`,
    evidence: [...idleEvidence, ...lagEvidence(state)],
  };
}

/**
 * The rules in the order they are asked, reading the data path from the sink back to the source. The
 * order is the priority: an earlier finding leads unless the capacity ordering below moves it.
 */
const RULES: readonly Rule[] = [
  { name: 'app-unhealthy', runs: 'always', final: true, evaluate: appUnhealthy },
  { name: 'memory-pressure', runs: 'always', evaluate: memoryPressure },
  { name: 'verbose-monitoring', runs: 'always', evaluate: (s) => verboseMonitoring(s, s.lagging) },
  { name: 'starved-readers', runs: 'always', evaluate: starvedReaders },
  {
    name: 'consumer-side',
    runs: 'always',
    // High CPU under memory pressure or verbose logging is their symptom, not a shortage to scale for.
    evaluate: (s) =>
      found(s, 'MEMORY_PRESSURE') || found(s, 'VERBOSE_MONITORING') ? undefined : consumerSide(s, s.lagging),
  },
  { name: 'write-side', runs: 'always', evaluate: writeSide },
  { name: 'read-side', runs: 'always', evaluate: readSide },
  { name: 'unmanaged-consumer', runs: 'while-none', evaluate: unmanagedConsumer },
  { name: 'insufficient-data', runs: 'while-none', evaluate: insufficientData },
  { name: 'waiting-on-sink', runs: 'while-none', evaluate: waitingOnSink },
  { name: 'over-provisioned', runs: 'while-none', evaluate: overProvisioned },
  { name: 'healthy', runs: 'while-none', evaluate: healthy },
];

/** Causes whose answer per-task busy and back-pressured time could change (the cause, or the size). */
const TASK_METRICS_MATTER: ReadonlySet<Finding['cause']> = new Set([
  'CONSUMER_COMPUTE',
  'SINK_BACKPRESSURE',
  'OVER_PROVISIONED',
]);

/** Whether the primary finding was reached without task-level signals that could have changed it. */
export function lacksTaskMetrics(signals: Signals, cause: Cause, appName: string | undefined): boolean {
  return appName !== undefined && (signals.app?.unpublished.length ?? 0) > 0 && TASK_METRICS_MATTER.has(cause);
}

export interface DiagnoseOptions {
  readonly signals: Signals;
  readonly policy: Policy;
  readonly streamName?: string;
  readonly appName?: string;
  /** Job restarts inside the window that StreamMedic's own updates caused (from the ledger). */
  readonly ownRestarts?: number;
  /** Values of AWS's enumerations this version does not know (a new status or runtime). */
  readonly unknownValues?: readonly UnknownValue[];
}

/**
 * Names the cause, reading the data path from the sink back to the source: a consumer that is
 * unhealthy, memory-bound, back-pressured or verbose is not short of capacity, and write throttling
 * on a mostly empty stream is a hot key, not a full stream.
 */
export function diagnose(options: DiagnoseOptions): DiagnosisResult {
  const { signals, policy, streamName, appName } = options;
  const ctx: RuleContext = { signals, policy, streamName, appName, ownRestarts: options.ownRestarts ?? 0 };
  const lagging = signals.lagMs !== undefined && signals.lagMs >= policy.lagThresholdMs;

  const findings: Finding[] = [];
  for (const rule of RULES) {
    if (rule.runs === 'while-none' && findings.length > 0) continue;
    const finding = rule.evaluate({ ...ctx, lagging, found: findings });
    if (!finding || findings.some((x) => x.cause === finding.cause)) continue;
    findings.push(finding);
    if (rule.final) break;
  }

  // When the stream and the job are both short, producers being refused is the first harm on the
  // path and what on-call reads first; among capacity findings the graver, then the upstream one, leads.
  const capacityOrder: Finding['cause'][] = ['STREAM_WRITE_CAPACITY', 'STREAM_READ_CAPACITY', 'CONSUMER_COMPUTE'];
  if (findings.length > 1 && capacityOrder.includes(findings[0]!.cause)) {
    const lead = findings
      .filter((f) => capacityOrder.includes(f.cause))
      .sort(
        (a, b) =>
          severityRank(b.severity) - severityRank(a.severity) ||
          capacityOrder.indexOf(a.cause) - capacityOrder.indexOf(b.cause),
      )[0]!;
    findings.splice(findings.indexOf(lead), 1);
    findings.unshift(lead);
  }
  const risk = retentionRisk(ctx);
  const primary = findings[0]!;
  const secondary: SecondaryFinding[] = findings
    .slice(1)
    .map((f) => f.cause as SecondaryFinding)
    .filter((c) => c !== 'HEALTHY' && c !== 'INSUFFICIENT_DATA');
  let severity = primary.severity;
  for (const f of findings.slice(1)) if (severityRank(f.severity) > severityRank(severity)) severity = f.severity;
  const evidence = [...primary.evidence];
  let summary = primary.summary;
  let confidence = primary.confidence;
  if (lacksTaskMetrics(signals, primary.cause as Cause, appName)) {
    // Read from CPU, lag and rates alone: say what was lacking, and trust the answer less.
    confidence = clampConfidence(confidence * 0.8);
    const level = signals.app!.metricsLevel;
    const lacking = signals.app!.unpublished.join(', ');
    summary = `${summary.replace(/[.:;]$/, '')}. ${level ? `Read at ${level} metrics level without ${lacking}` : `Read without ${lacking} (the metrics level was not described; APPLICATION, the default, publishes none of them)`}: the busiest task is not known, so this rests on CPU, lag and rates.`;
  }
  const unknown = options.unknownValues ?? [];
  if (unknown.length > 0) {
    summary = `${summary.replace(/[.:;]$/, '')}. ${unknown.map((u) => `${u.field} ${u.value}`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} unknown to this version of StreamMedic: nothing is changed on a resource in a state it does not know.`;
  }
  if (risk) {
    secondary.push('RETENTION_RISK');
    severity = 'critical';
    evidence.push(...risk.evidence);
    summary = `${summary.replace(/[.:;]$/, '')}; worse, ${risk.summary.charAt(0).toLowerCase()}${risk.summary.slice(1)}`;
    findings.push(risk);
  }
  return {
    diagnosis: {
      cause: primary.cause as Cause,
      severity,
      confidence,
      summary,
      evidence,
      secondary,
    },
    findings,
    lagging,
  };
}
