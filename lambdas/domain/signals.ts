import { countsNumRestarts } from './aws-values';
import { AWS_LIMITS, type Policy } from './config';
import { trendOf, type InputTrend } from './input-trend';
import { METRICS, type MetricKey } from './metric-catalog';
import {
  lastOf,
  maxOf,
  meanOf,
  medianOf,
  since,
  sumOf,
  type MetricWindow,
  type Point,
  type SeriesView,
} from './metric-window';
import type { AppState, StreamState } from './model';

/**
 * What the metric window says, reduced to the quantities the rules and planners reason about.
 * "Now" is the last `policy.nowMinutes` (gauges: CPU, busy, heap); "recent" is the last `recentMinutes`
 * (peaks and throttling); the scale-in window is the last `scaleInWindowMinutes`.
 */

export interface Observed {
  readonly value: number;
  readonly metric: string;
  readonly stat: string;
  readonly unit: string;
}

export interface StreamSignals {
  readonly state?: StreamState;
  readonly shards?: number;
  /** Accepted writes, recent peak per second. */
  readonly incomingBytesPerSecond?: number;
  readonly incomingRecordsPerSecond?: number;
  /**
   * Accepted writes plus the refused ones producers do not resend, recent peak per second: the demand
   * the stream must carry, without counting a resent record twice (docs/demand-estimation.md).
   */
  readonly demandBytesPerSecond?: number;
  readonly demandRecordsPerSecond?: number;
  /**
   * The line through the demand records/s of the last hour (input-trend.ts): the demand itself, not
   * the accepted writes, which a full stream caps (and which rise in steps as reshards let more in).
   */
  readonly demandTrend?: InputTrend;
  /** Recent peak share of the stream's write capacity that was accepted (bytes or records, whichever binds). */
  readonly acceptedWriteUtilization?: number;
  /** The same, counting refused records as demand. */
  readonly demandWriteUtilization?: number;
  readonly writeBound?: 'bytes' | 'records';
  readonly throttledRecordsRecent: number;
  readonly throttledMinutesRecent: number;
  /** Refused share of write demand over the recent window. */
  readonly throttledShare: number;
  readonly readThrottledRecent: number;
  readonly readThrottledMinutesRecent: number;
  readonly readBytesPerSecond?: number;
  readonly readUtilization?: number;
  /** GetRecords calls polling readers make on each shard each second (served and refused), at the busiest recent minute. */
  readonly readCallsPerShardPerSecond?: number;
  readonly iteratorAgeMs?: number;
  /** Peak write utilisation over the scale-in window (accepted, since idle streams do not throttle). */
  readonly scaleInPeakUtilization?: number;
  readonly scaleInPeakBytesPerSecond?: number;
  readonly scaleInPeakRecordsPerSecond?: number;
  readonly throttledInScaleInWindow: number;
  /**
   * Hottest shard, only when shard-level series are present: its share of the per-shard write limit
   * and its share of the stream's writes in the recent window.
   */
  readonly hottestShard?: { readonly shardId: string; readonly utilization: number; readonly share: number };
  /**
   * The median shard's peak share of its write limit, with the hottest shard: what the stream's shards
   * carry apart from a hot one. Only with shard-level series for two shards or more.
   */
  readonly typicalShardUtilization?: number;
  /**
   * Whether enhanced monitoring publishes shard-level write metrics (DescribeStreamSummary's
   * EnhancedMonitoring); undefined when the stream was not described.
   */
  readonly shardMetricsEnabled?: boolean;
  /** Registered enhanced fan-out consumers (ConsumerCount) or consumers seen in SubscribeToShardEvent series. */
  readonly fanOutConsumers: number;
  /** Furthest-behind enhanced fan-out reader now (SubscribeToShardEvent.MillisBehindLatest), ms. */
  readonly fanOutMillisBehind?: number;
}

export interface AppSignals {
  readonly state?: AppState;
  /** Current lag (last valid millisBehindLatest), ms. */
  readonly lagMs?: number;
  readonly lagPeakMs?: number;
  /** Lag growth in ms per ms over the recent window (> 0: falling further behind). */
  readonly lagSlope?: number;
  /** Lag growth in ms per ms over the last `nowMinutes` (< 0: draining now), for judging a catch-up by its drain rate. */
  readonly lagSlopeNow?: number;
  readonly cpu?: Observed;
  readonly busy?: Observed;
  readonly backPressured?: Observed;
  readonly idle?: Observed;
  readonly heap?: Observed;
  /** Heap rise from the first third of the window to the last third, percentage points. */
  readonly heapRise?: number;
  readonly checkpointDurationMs?: number;
  readonly checkpointDurationRise?: number;
  readonly failedCheckpoints: number;
  readonly restarts: number;
  /** The counter restarts were read from: `numRestarts` from Flink 2.2 on, `fullRestarts` before. */
  readonly restartsMetric: string;
  /** The metrics level the application publishes at (MetricsLevel), when it was described. */
  readonly metricsLevel?: string;
  /**
   * Task-level signals the application's metrics level does not publish (busy, back-pressured and idle
   * time at APPLICATION level): the diagnosis says it lacked them.
   */
  readonly unpublished: readonly string[];
  readonly downtimeMs?: number;
  readonly recordsInPerSecond?: number;
  readonly scaleInPeakCpu?: number;
  readonly scaleInPeakBusy?: number;
  readonly lagInScaleInWindowMs?: number;
  /** Peak CPU (%) and busy time (ms/s) over the recent window, for sizing a scale-back after an incident. */
  readonly recentPeakCpu?: number;
  readonly recentPeakBusy?: number;
}

export interface Signals {
  readonly end: number;
  /** Minutes the window actually covers with data. */
  readonly coveredMinutes: number;
  readonly stream?: StreamSignals;
  readonly app?: AppSignals;
  /** The lag that counts for the pipeline: the app's when reported, else the stream's iterator age. */
  readonly lagMs?: number;
  readonly lagSource?: Observed;
  /** Metric names that were asked for but returned no datapoints (for the stream's writes: none in the recent window). */
  readonly missing: string[];
  /** Why the stream's iterator age was not taken as the application's lag, when it was not. */
  readonly lagNote?: string;
}

export interface SignalInputs {
  readonly window: MetricWindow;
  readonly policy: Policy;
  readonly stream?: StreamState;
  readonly app?: AppState;
  readonly streamName?: string;
  readonly appName?: string;
  /** Epoch ms of StreamMedic's last change to the stream's shard count, from the ledger. */
  readonly streamChangedAt?: number;
}

interface Picked {
  readonly view: SeriesView;
  readonly points: readonly Point[];
}

function ratePoints(points: readonly Point[], period: number): Point[] {
  return points.map((p) => ({ t: p.t, v: p.v / period }));
}

/** Whether two series have the same timestamps, as series from one GetMetricData call do. */
function aligned(a: readonly Point[], b: readonly Point[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.t !== b[i]!.t) return false;
  return true;
}

/** Combines two series per timestamp, treating a missing side as 0. */
function combine(a: readonly Point[], b: readonly Point[], fn: (x: number, y: number) => number): Point[] {
  if (b.length === 0) return a.map((p) => ({ t: p.t, v: fn(p.v, 0) }));
  if (a.length === 0) return b.map((p) => ({ t: p.t, v: fn(0, p.v) }));
  if (aligned(a, b)) return a.map((p, i) => ({ t: p.t, v: fn(p.v, b[i]!.v) }));
  const av = new Map(a.map((p) => [p.t, p.v]));
  const bv = new Map(b.map((p) => [p.t, p.v]));
  const ts = [...new Set([...av.keys(), ...bv.keys()])].sort((x, y) => x - y);
  return ts.map((t) => ({ t, v: fn(av.get(t) ?? 0, bv.get(t) ?? 0) }));
}

const add = (x: number, y: number): number => x + y;

function thirdsRise(points: readonly Point[]): number | undefined {
  if (points.length < 6) return undefined;
  const third = Math.floor(points.length / 3);
  const first = meanOf(points.slice(0, third))!;
  const last = meanOf(points.slice(points.length - third))!;
  return last - first;
}

function observed(picked: Picked | undefined, points: readonly Point[], unit: string): Observed | undefined {
  const value = meanOf(points);
  if (!picked || value === undefined) return undefined;
  return { value, metric: picked.view.series.metricName, stat: picked.view.stat, unit };
}

/**
 * A per-task gauge now: the mean since `from` of the task that decides (the busiest for busy and
 * back-pressured time, the least idle for idle time), never of whichever series came first.
 */
function observedTask(
  picked: Picked | undefined,
  from: number,
  decide: 'max' | 'min',
  unit: string,
): Observed | undefined {
  if (!picked) return undefined;
  let value: number | undefined;
  for (const part of picked.view.parts) {
    const mean = meanOf(since(part.points, from));
    if (mean === undefined) continue;
    if (value === undefined || (decide === 'max' ? mean > value : mean < value)) value = mean;
  }
  return value === undefined
    ? undefined
    : { value, metric: picked.view.series.metricName, stat: picked.view.stat, unit };
}

/** Metrics AWS publishes only from TASK level on. */
const TASK_LEVEL_KEYS = ['busyTime', 'backPressuredTime', 'idleTime'] as const;

/** Counter increase over the window; a counter that resets (job restart) counts from the reset. */
function counterIncrease(points: readonly Point[]): number {
  let total = 0;
  for (let i = 1; i < points.length; i++) {
    const delta = points[i]!.v - points[i - 1]!.v;
    total += delta >= 0 ? delta : points[i]!.v;
  }
  return total;
}

export function extractSignals(inputs: SignalInputs): Signals {
  const { window, policy, stream, app, streamName, appName, streamChangedAt } = inputs;
  const recentFrom = window.end - policy.recentMinutes * 60_000;
  const nowFrom = window.end - Math.min(policy.nowMinutes, policy.recentMinutes) * 60_000;
  const scaleInFrom = window.end - policy.scaleInWindowMinutes * 60_000;
  const missing: string[] = [];
  let earliest = Number.POSITIVE_INFINITY;

  const pick = (key: MetricKey, resourceName: string | undefined, required: boolean): Picked | undefined => {
    const spec = METRICS[key];
    const view = window.pick(spec, resourceName);
    if (!view) {
      if (required) missing.push(spec.metricName);
      return undefined;
    }
    const first = view.series.points[0];
    if (first) earliest = Math.min(earliest, first.t);
    return { view, points: view.series.points };
  };

  let streamSignals: StreamSignals | undefined;
  if (streamName) {
    const shards = stream?.openShards;
    // Minutes before a reshard were judged against another shard count: after one, only the last
    // few minutes (all at the new count by the time a run verifies) describe the stream now. A reshard
    // finishes minutes after it was asked for (up to a cooldown's worth), so one asked for that long
    // before the recent window may still have ended inside it.
    const streamFrom =
      streamChangedAt !== undefined && streamChangedAt >= recentFrom - policy.cooldownUpMinutes * 60_000
        ? Math.max(recentFrom, nowFrom)
        : recentFrom;
    // Stream rates matter only inside the recent and scale-in windows; older points would be work for nothing.
    const relevantFrom = Math.min(streamFrom, scaleInFrom);
    const pickRecent = (key: MetricKey, required: boolean): Picked | undefined => {
      const picked = pick(key, streamName, required);
      return picked && { view: picked.view, points: since(picked.points, relevantFrom) };
    };
    // A series whose datapoints stopped before the recent window says nothing about now: the stream is
    // not idle, its metrics are missing (a broken metrics path, or no producer writing at all), and an
    // old quiet spell must not read as a stream idle enough to scale in.
    const recentOrMissing = (key: MetricKey): Picked | undefined => {
      const picked = pickRecent(key, true);
      if (picked && since(picked.points, recentFrom).length === 0) {
        missing.push(METRICS[key].metricName);
        return undefined;
      }
      return picked;
    };
    const bytes = recentOrMissing('incomingBytes');
    const records = recentOrMissing('incomingRecords');
    const writeExceeded = recentOrMissing('writeThrottled');
    const putThrottled = pickRecent('putRecordsThrottled', false);
    const readExceeded = pickRecent('readThrottled', false);
    const readBytes = pickRecent('getRecordsBytes', false);
    const readCalls = pickRecent('getRecordsSuccess', false);
    const iteratorAge = pick('iteratorAge', streamName, !appName);
    const period = bytes?.view.series.period ?? records?.view.series.period ?? 60;

    // The two counters measure the same refusals from different calls; take the larger per minute.
    const throttled = combine(writeExceeded?.points ?? [], putThrottled?.points ?? [], Math.max);
    const throttledRecent = since(throttled, streamFrom);
    const bytesRate = ratePoints(bytes?.points ?? [], period);
    const recordsRate = ratePoints(records?.points ?? [], period);
    // Average accepted record size turns refused records into refused bytes.
    const totalBytes = (bytes?.points ?? []).reduce((s, p) => s + p.v, 0);
    const totalRecords = (records?.points ?? []).reduce((s, p) => s + p.v, 0);
    const avgRecordBytes = totalRecords > 0 ? totalBytes / totalRecords : 0;
    // Refused attempts include the resends of records refused before: only the share producers do not
    // resend is new demand, or a stream under retry storms looks twice as busy as its producers are.
    // The estimator and its reasoning: docs/demand-estimation.md.
    const refusedRate = ratePoints(throttled, period).map((p) => ({
      t: p.t,
      v: p.v * (1 - policy.producerResendShare),
    }));
    const demandRecordsRate = combine(recordsRate, refusedRate, add);
    const demandBytesRate = combine(
      bytesRate,
      refusedRate,
      (bytesPerSecond, refused) => bytesPerSecond + refused * avgRecordBytes,
    );

    const utilization = (bytesPerSecond: number, recordsPerSecond: number): number =>
      shards && shards > 0
        ? Math.max(
            bytesPerSecond / (shards * AWS_LIMITS.shardWriteBytesPerSecond),
            recordsPerSecond / (shards * AWS_LIMITS.shardWriteRecordsPerSecond),
          )
        : 0;
    const utilSeries = (bytesSeries: readonly Point[], recordsSeries: readonly Point[]): Point[] =>
      combine(bytesSeries, recordsSeries, utilization);
    const acceptedUtil = utilSeries(bytesRate, recordsRate);
    const demandUtil = utilSeries(demandBytesRate, demandRecordsRate);
    const recentDemandBytes = maxOf(since(demandBytesRate, streamFrom));
    const recentDemandRecords = maxOf(since(demandRecordsRate, streamFrom));
    const demandTrend = trendOf(demandRecordsRate, window.end);
    const writeBound =
      shards && recentDemandBytes !== undefined && recentDemandRecords !== undefined
        ? recentDemandBytes / AWS_LIMITS.shardWriteBytesPerSecond >=
          recentDemandRecords / AWS_LIMITS.shardWriteRecordsPerSecond
          ? 'bytes'
          : 'records'
        : undefined;
    const recentIncomingRecords = since(records?.points ?? [], streamFrom).reduce((s, p) => s + p.v, 0);
    const recentThrottledTotal = throttledRecent.reduce((s, p) => s + p.v, 0);
    const readThrottledRecent = since(readExceeded?.points ?? [], streamFrom);
    const readRate = ratePoints(readBytes?.points ?? [], readBytes?.view.series.period ?? period);
    const readPeak = maxOf(since(readRate, streamFrom));
    // Calls readers make: those served plus those refused, per second at the busiest minute, per shard.
    const readCallsPeak =
      readCalls && readCalls.points.length > 0
        ? maxOf(since(ratePoints(combine(readCalls.points, readExceeded?.points ?? [], add), period), streamFrom))
        : undefined;
    const readCallsPerShard = readCallsPeak !== undefined && shards ? readCallsPeak / shards : undefined;
    const iteratorRecent = since(iteratorAge?.points ?? [], streamFrom);

    let hottestShard: StreamSignals['hottestShard'];
    // Each shard's peak share of its write limit, the higher of bytes and records.
    const shardPeaks = new Map<string, number>();
    const perShardLimits = [
      [METRICS.incomingBytes, AWS_LIMITS.shardWriteBytesPerSecond],
      [METRICS.incomingRecords, AWS_LIMITS.shardWriteRecordsPerSecond],
    ] as const;
    for (const [spec, limitPerSecond] of perShardLimits) {
      const shards = window.detail(spec, streamName).filter((series) => series.dimensions['ShardId']);
      const recentTotal = shards.reduce((sum, series) => sum + sumOf(since(series.points, streamFrom)), 0);
      for (const series of shards) {
        const shardId = series.dimensions['ShardId']!;
        const recent = since(series.points, streamFrom);
        const peak = maxOf(recent);
        if (peak === undefined) continue;
        const util = peak / series.period / limitPerSecond;
        shardPeaks.set(shardId, Math.max(util, shardPeaks.get(shardId) ?? 0));
        if (!hottestShard || util > hottestShard.utilization) {
          hottestShard = { shardId, utilization: util, share: recentTotal > 0 ? sumOf(recent) / recentTotal : 0 };
        }
      }
    }
    const typicalShardUtilization = shardPeaks.size >= 2 ? medianOf([...shardPeaks.values()]) : undefined;
    const enhanced = stream?.shardLevelMetrics;
    const shardMetricsEnabled =
      enhanced === undefined
        ? undefined
        : enhanced.some((m) => m === 'ALL' || m === 'IncomingBytes' || m === 'IncomingRecords');
    const fanOut = window.pick(METRICS.subscribeMillisBehind, streamName);
    const fanOutNow = fanOut ? lastOf(since(fanOut.series.points, streamFrom)) : undefined;
    const fanOutSeen = fanOut ? new Set(fanOut.parts.map((p) => p.dimensions['ConsumerName'] ?? '')).size : 0;
    const fanOutConsumers = Math.max(stream?.consumerCount ?? 0, fanOutSeen);

    const scaleInBytes = maxOf(since(bytesRate, scaleInFrom));
    const scaleInRecords = maxOf(since(recordsRate, scaleInFrom));
    streamSignals = {
      ...(stream ? { state: stream } : {}),
      ...(shards !== undefined ? { shards } : {}),
      ...(bytes ? { incomingBytesPerSecond: maxOf(since(bytesRate, streamFrom)) ?? 0 } : {}),
      ...(records ? { incomingRecordsPerSecond: maxOf(since(recordsRate, streamFrom)) ?? 0 } : {}),
      ...(recentDemandBytes !== undefined ? { demandBytesPerSecond: recentDemandBytes } : {}),
      ...(recentDemandRecords !== undefined ? { demandRecordsPerSecond: recentDemandRecords } : {}),
      ...(demandTrend ? { demandTrend } : {}),
      ...(shards && (bytes || records)
        ? {
            acceptedWriteUtilization: maxOf(since(acceptedUtil, streamFrom)) ?? 0,
            demandWriteUtilization: maxOf(since(demandUtil, streamFrom)) ?? 0,
            scaleInPeakUtilization: maxOf(since(acceptedUtil, scaleInFrom)) ?? 0,
          }
        : {}),
      ...(writeBound ? { writeBound } : {}),
      throttledRecordsRecent: recentThrottledTotal,
      throttledMinutesRecent: throttledRecent.filter((p) => p.v > 0).length,
      throttledShare:
        recentThrottledTotal > 0 ? recentThrottledTotal / (recentIncomingRecords + recentThrottledTotal) : 0,
      readThrottledRecent: readThrottledRecent.reduce((s, p) => s + p.v, 0),
      readThrottledMinutesRecent: readThrottledRecent.filter((p) => p.v > 0).length,
      ...(readPeak !== undefined ? { readBytesPerSecond: readPeak } : {}),
      ...(readPeak !== undefined && shards
        ? { readUtilization: readPeak / (shards * AWS_LIMITS.shardReadBytesPerSecond) }
        : {}),
      ...(readCallsPerShard !== undefined ? { readCallsPerShardPerSecond: readCallsPerShard } : {}),
      ...(iteratorRecent.length > 0 ? { iteratorAgeMs: lastOf(iteratorRecent)! } : {}),
      ...(scaleInBytes !== undefined ? { scaleInPeakBytesPerSecond: scaleInBytes } : {}),
      ...(scaleInRecords !== undefined ? { scaleInPeakRecordsPerSecond: scaleInRecords } : {}),
      throttledInScaleInWindow: since(throttled, scaleInFrom).reduce((s, p) => s + p.v, 0),
      ...(hottestShard ? { hottestShard } : {}),
      ...(typicalShardUtilization !== undefined ? { typicalShardUtilization } : {}),
      ...(shardMetricsEnabled !== undefined ? { shardMetricsEnabled } : {}),
      fanOutConsumers,
      ...(fanOutNow !== undefined ? { fanOutMillisBehind: fanOutNow } : {}),
    };
  }

  let appSignals: AppSignals | undefined;
  if (appName) {
    const lag = pick('millisBehindLatest', appName, true);
    const containerCpu = pick('containerCpu', appName, false);
    const cpu = containerCpu ?? pick('cpu', appName, false);
    if (!cpu) missing.push(METRICS.containerCpu.metricName);
    const busy = pick('busyTime', appName, false);
    const backPressured = pick('backPressuredTime', appName, false);
    const idle = pick('idleTime', appName, false);
    // APPLICATION, the default, publishes no per-task metric: without them (and with no finer level
    // reported) the diagnosis says what it lacked.
    const metricsLevel = app?.metricsLevel;
    const unpublished =
      metricsLevel === undefined || metricsLevel === 'APPLICATION'
        ? TASK_LEVEL_KEYS.filter((key) => !window.pick(METRICS[key], appName))
        : [];
    const heap = pick('heap', appName, false);
    const checkpointDuration = pick('checkpointDuration', appName, false);
    const failedCheckpoints = pick('failedCheckpoints', appName, false);
    // Flink 2.2 removed fullRestarts for numRestarts; read the runtime's counter, else whichever exists.
    const restartKeys: MetricKey[] =
      countsNumRestarts(app?.runtime) === false ? ['fullRestarts', 'numRestarts'] : ['numRestarts', 'fullRestarts'];
    const restartsKey = restartKeys.find((key) => window.pick(METRICS[key], appName)) ?? restartKeys[0]!;
    const restarts = pick(restartsKey, appName, false);
    const downtime = pick('downtime', appName, false);
    const recordsIn = pick('recordsInPerSecond', appName, false);

    // -1 means "not reported yet", never "caught up".
    const lagPoints = (lag?.points ?? []).filter((p) => p.v >= 0);
    const lagRecent = since(lagPoints, recentFrom);
    let lagSlope: number | undefined;
    if (lagRecent.length >= 2) {
      const first = lagRecent[0]!;
      const last = lagRecent[lagRecent.length - 1]!;
      lagSlope = last.t > first.t ? (last.v - first.v) / (last.t - first.t) : 0;
    }
    const lagNow = since(lagPoints, nowFrom);
    const lagSlopeNow =
      lagNow.length >= 2 && lagNow.at(-1)!.t > lagNow[0]!.t
        ? (lagNow.at(-1)!.v - lagNow[0]!.v) / (lagNow.at(-1)!.t - lagNow[0]!.t)
        : undefined;
    const current = (p: Picked | undefined): readonly Point[] => since(p?.points ?? [], nowFrom);
    const heapRecent = current(heap);
    const checkpointPoints = checkpointDuration?.points ?? [];
    const scaleInLag = maxOf(since(lagPoints, scaleInFrom));
    const scaleInCpu = maxOf(since(cpu?.points ?? [], scaleInFrom));
    const scaleInBusy = maxOf(since(busy?.points ?? [], scaleInFrom));
    const recentCpu = maxOf(since(cpu?.points ?? [], recentFrom));
    const recentBusy = maxOf(since(busy?.points ?? [], recentFrom));
    const cpuObserved = observed(cpu, current(cpu), 'Percent');
    const busyObserved = observedTask(busy, nowFrom, 'max', 'Milliseconds/Second');
    const bpObserved = observedTask(backPressured, nowFrom, 'max', 'Milliseconds/Second');
    const idleObserved = observedTask(idle, nowFrom, 'min', 'Milliseconds/Second');
    const heapObserved = observed(heap, heapRecent, 'Percent');
    const heapRise = thirdsRise(heap?.points ?? []);
    const checkpointRise = thirdsRise(checkpointPoints);
    const checkpointRecent = maxOf(since(checkpointPoints, recentFrom));
    const downtimeLast = lastOf(downtime?.points ?? []);
    const recordsInMean = meanOf(current(recordsIn));
    appSignals = {
      ...(app ? { state: app } : {}),
      ...(lagRecent.length > 0 ? { lagMs: lastOf(lagRecent)!, lagPeakMs: maxOf(lagRecent)! } : {}),
      ...(lagSlope !== undefined ? { lagSlope } : {}),
      ...(lagSlopeNow !== undefined ? { lagSlopeNow } : {}),
      ...(cpuObserved ? { cpu: cpuObserved } : {}),
      ...(busyObserved ? { busy: busyObserved } : {}),
      ...(bpObserved ? { backPressured: bpObserved } : {}),
      ...(idleObserved ? { idle: idleObserved } : {}),
      ...(heapObserved ? { heap: heapObserved } : {}),
      ...(heapRise !== undefined ? { heapRise } : {}),
      ...(checkpointRecent !== undefined ? { checkpointDurationMs: checkpointRecent } : {}),
      ...(checkpointRise !== undefined ? { checkpointDurationRise: checkpointRise } : {}),
      failedCheckpoints: counterIncrease(failedCheckpoints?.points ?? []),
      restarts: counterIncrease(restarts?.points ?? []),
      restartsMetric: METRICS[restartsKey].metricName,
      ...(metricsLevel ? { metricsLevel } : {}),
      unpublished: unpublished.map((key) => METRICS[key].metricName),
      ...(downtimeLast !== undefined ? { downtimeMs: downtimeLast } : {}),
      ...(recordsInMean !== undefined ? { recordsInPerSecond: recordsInMean } : {}),
      ...(scaleInCpu !== undefined ? { scaleInPeakCpu: scaleInCpu } : {}),
      ...(scaleInBusy !== undefined ? { scaleInPeakBusy: scaleInBusy } : {}),
      ...(scaleInLag !== undefined ? { lagInScaleInWindowMs: scaleInLag } : {}),
      ...(recentCpu !== undefined ? { recentPeakCpu: recentCpu } : {}),
      ...(recentBusy !== undefined ? { recentPeakBusy: recentBusy } : {}),
    };
  }

  let lagMs: number | undefined;
  let lagSource: Observed | undefined;
  let lagNote: string | undefined;
  // An enhanced fan-out reader never shows in GetRecords.*: with fan-out readers on the stream, its
  // iterator age may be another reader's, so it stands in for the application's lag only without them.
  const fanOutReaders = (streamSignals?.fanOutConsumers ?? 0) > 0;
  if (appSignals?.lagMs !== undefined) {
    lagMs = appSignals.lagMs;
    lagSource = { value: lagMs, metric: 'millisBehindLatest', stat: 'Maximum', unit: 'Milliseconds' };
  } else if (appName && fanOutReaders) {
    lagNote = `the stream has ${streamSignals!.fanOutConsumers} enhanced fan-out consumer(s), so its GetRecords.IteratorAgeMilliseconds is not ${appName}'s lag`;
  } else if (streamSignals?.iteratorAgeMs !== undefined || streamSignals?.fanOutMillisBehind !== undefined) {
    // A stream-only target: the furthest-behind reader, polling or fan-out.
    const polling = streamSignals.iteratorAgeMs ?? -1;
    const fanOut = !appName ? (streamSignals.fanOutMillisBehind ?? -1) : -1;
    if (fanOut > polling) {
      lagMs = fanOut;
      lagSource = {
        value: lagMs,
        metric: 'SubscribeToShardEvent.MillisBehindLatest',
        stat: 'Maximum',
        unit: 'Milliseconds',
      };
    } else if (polling >= 0) {
      lagMs = polling;
      lagSource = { value: lagMs, metric: 'GetRecords.IteratorAgeMilliseconds', stat: 'Maximum', unit: 'Milliseconds' };
    }
  }

  const coveredMinutes = Number.isFinite(earliest) ? (window.end - earliest) / 60_000 : 0;
  return {
    end: window.end,
    coveredMinutes,
    ...(streamSignals ? { stream: streamSignals } : {}),
    ...(appSignals ? { app: appSignals } : {}),
    ...(lagMs !== undefined ? { lagMs } : {}),
    ...(lagSource ? { lagSource } : {}),
    missing,
    ...(lagNote ? { lagNote } : {}),
  };
}
