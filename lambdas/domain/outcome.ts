/** Judging a change: the assessment after it against the one that led to it. */
import { METRICS } from './metric-catalog';
import type { Diagnosis, Report } from './model';
import type { VerifyOutcome } from './run-state';
import { severityRank, type Cause } from './vocabulary';

/** A backlog that falls now, how long it takes to be gone at that rate, and whether that is within the catch-up time. */
export interface BacklogDrain {
  readonly seconds: number;
  readonly onPlan: boolean;
}

/** Causes that mean nothing is wrong any more. */
const SETTLED_CAUSES: ReadonlySet<Cause> = new Set(['HEALTHY', 'OVER_PROVISIONED']);

/** Causes a falling backlog speaks for: the consumer's; a stream still refusing writes is not eased by it. */
const DRAINING_CAUSES: ReadonlySet<Cause> = new Set(['CONSUMER_COMPUTE']);

/** How much closer to its threshold a measure must move to count as improving. */
const IMPROVEMENT_SHARE = 0.2;

/**
 * How much further past its threshold a measure must move, as a share of its distance before (or of
 * the threshold, when it was barely past), before the change is judged harmful: smaller moves are noise.
 */
const HARM_SHARE = 0.2;

/**
 * Refusals are counted per interval, so a level that rises after a change is the change's doing. Lag
 * is not: it accumulates while any deficit lasts, so a lag larger than before says only that the
 * job is still short; a change that hurt the job shows as a lower processed rate instead.
 */
const THROTTLING_METRICS: ReadonlySet<string> = new Set([
  METRICS.writeThrottled.metricName,
  METRICS.readThrottled.metricName,
]);

/** The processed rate of the job before and after StreamMedic's last scale-up of it (scaling-effect.ts). */
export interface ProcessedRates {
  readonly beforePerSecond: number;
  readonly afterPerSecond: number;
}

/**
 * What the judged round changed. Refused writes and reads are the stream's: only fewer shards can
 * raise them. A job's parallelism cannot (writes come from producers, and each shard is read by one
 * source subtask however many there are), and a restarted job catching up reads at the shards' limits
 * by design, so throttling that rose after a change of the job alone is not its harm. Nor is it a
 * reshard's that added shards: more refusals after more capacity are producers' demand outgrowing it
 * (a ramp), met by the next scale-up, not undone.
 */
export interface ChangedResources {
  readonly shardsRemoved: boolean;
}

/** A change's judgement: `harm` says, with the figures, how the change made things worse. */
export interface Judgement {
  readonly outcome: VerifyOutcome;
  readonly reason: string;
  readonly harm?: string;
}

/**
 * Compares the assessment after the change with the one before it. Evidence is compared measure by
 * measure (same metric and statistic): a measure improves when its distance past the threshold
 * shrinks by at least {@link IMPROVEMENT_SHARE}, and worsens when that distance grows. A backlog that
 * drains on plan (`drain`, read from the lag's trend now) is improving whatever the levels say.
 *
 * Harm is found only in a `not-improved` judgement, whatever the cause is called now: the job failing
 * after the change (APP_UNHEALTHY found where it was not), throttling moved further past its
 * threshold by more than {@link HARM_SHARE} with no measure easing (only when the round took shards
 * away, `changed`; without it, any change is held to it), or a scale-up after which the job
 * processes less by more than {@link HARM_SHARE} (`rates`, read from the window now).
 */
export function judgeOutcome(
  before: Report,
  after: Report,
  drain?: BacklogDrain,
  rates?: ProcessedRates,
  changed?: ChangedResources,
): Judgement {
  const was = before.diagnosis;
  const now = after.diagnosis;
  if (SETTLED_CAUSES.has(now.cause)) {
    // A change made while the target was already settled (a catch-up boost taken back off, a scale-in).
    if (was.cause === now.cause) {
      return { outcome: 'resolved', reason: `the target still assesses as ${now.cause} after the change` };
    }
    return { outcome: 'resolved', reason: `${was.cause} is no longer found; the target now assesses as ${now.cause}` };
  }
  if (now.cause === 'INSUFFICIENT_DATA') {
    return { outcome: 'inconclusive', reason: `the metrics needed to judge the change are missing: ${now.summary}` };
  }
  // Judged by the trend, not the level: a backlog still over the threshold, even larger than before
  // (the restart adds to it), is on its way out when it falls fast enough to be gone within the catch-up time.
  if (drain?.onPlan && DRAINING_CAUSES.has(now.cause)) {
    return {
      outcome: 'improving',
      reason: `${was.cause} is still found, but the backlog drains on plan: about ${Math.ceil(drain.seconds / 60)} min to catch up at the rate it falls now`,
    };
  }
  // Slower than the catch-up time (a change's restart took longer than planned), but the planner
  // would leave it to drain: no restart would get it there sooner, and none was stopped by a guardrail.
  if (drain && DRAINING_CAUSES.has(now.cause) && waitsForDrain(after)) {
    return {
      outcome: 'improving',
      reason: `${was.cause === now.cause ? `${now.cause} is still found` : `${now.cause} is found after the change`}, but the backlog drains: about ${Math.ceil(drain.seconds / 60)} min to catch up at the rate it falls now, sooner than a restart would get it there`,
    };
  }
  const moves = compareMeasures(was, now);
  const slower =
    rates && rates.afterPerSecond < rates.beforePerSecond * (1 - HARM_SHARE)
      ? [
          `processed ${Math.round(rates.beforePerSecond)} -> ${Math.round(rates.afterPerSecond)} records/s after the scale-up`,
        ]
      : [];
  const throttlingHarm = moves.improved === 0 && changed?.shardsRemoved !== false ? moves.harmful : [];
  const harmful = [...slower, ...throttlingHarm];
  const worse = harmful.length > 0 ? `${was.cause} is worse after the change: ${harmful.join(', ')}` : undefined;
  // FLIP-271's ineffective scaling: the change did not raise throughput, so it is not repeated.
  const ineffective = after.plan.refused.find((r) => r.guardrail === 'ineffective-scaling');
  if (ineffective) {
    const reason = `the scale-up was ineffective: ${ineffective.reason}`;
    return worse ? { outcome: 'not-improved', reason, harm: worse } : { outcome: 'not-improved', reason };
  }
  const severityDelta = severityRank(now.severity) - severityRank(was.severity);
  if (now.cause !== was.cause) {
    // A new name for the same trouble (a job now waiting on its sink) is no relief when the lag grew.
    if (worse) {
      return {
        outcome: 'not-improved',
        reason: `${was.cause} gave way to ${now.cause}, and it is worse: ${now.summary}`,
        harm: `${was.cause} gave way to ${now.cause} after the change, worse: ${harmful.join(', ')}`,
      };
    }
    if (severityDelta <= 0) {
      return { outcome: 'improving', reason: `${was.cause} is no longer found, but ${now.cause} is: ${now.summary}` };
    }
    const reason = `${was.cause} gave way to a more severe ${now.cause}: ${now.summary}`;
    // Another bottleneck surfacing is not the change's doing; a job failing after its update is.
    return now.cause === 'APP_UNHEALTHY' && was.cause !== 'APP_UNHEALTHY'
      ? {
          outcome: 'not-improved',
          reason,
          harm: `${was.cause} (${was.severity}) before the change, ${now.cause} (${now.severity}) after it: ${now.summary}`,
        }
      : { outcome: 'not-improved', reason };
  }
  if (severityDelta < 0 || (moves.improved > 0 && moves.worsened === 0 && severityDelta <= 0)) {
    const detail = moves.text.length > 0 ? moves.text.join(', ') : `severity ${was.severity} -> ${now.severity}`;
    return { outcome: 'improving', reason: `${was.cause} is still found but easing: ${detail}` };
  }
  const detail = moves.text.length > 0 ? `: ${moves.text.join(', ')}` : '';
  const reason = `${was.cause} is still found and not easing${detail}`;
  return worse ? { outcome: 'not-improved', reason, harm: worse } : { outcome: 'not-improved', reason };
}

/** The plan after the change neither scales the job up nor was stopped from doing so. */
function waitsForDrain(after: Report): boolean {
  const app = after.target.applicationName;
  const scalesJobUp = (a: Report['plan']['actions'][number]): boolean =>
    a.type === 'UpdateApplicationParallelism' && a.applicationName === app && a.to > a.from;
  return !after.plan.actions.some(scalesJobUp) && !after.plan.refused.some((r) => scalesJobUp(r.action));
}

interface MeasureMoves {
  readonly improved: number;
  readonly worsened: number;
  /** Each measure that moved, in words. */
  readonly text: readonly string[];
  /** The throttling measures that moved further past their threshold than noise, with the threshold. */
  readonly harmful: readonly string[];
}

/** Evidence compared measure by measure (same metric and statistic), by its distance past the threshold. */
function compareMeasures(was: Diagnosis, now: Diagnosis): MeasureMoves {
  let improved = 0;
  let worsened = 0;
  const text: string[] = [];
  const harmful: string[] = [];
  for (const old of was.evidence) {
    const fresh = now.evidence.find((e) => e.metric === old.metric && e.stat === old.stat);
    if (!fresh) continue;
    const direction = Math.sign(old.value - old.threshold) || 1;
    const oldDistance = (old.value - old.threshold) * direction;
    const newDistance = (fresh.value - fresh.threshold) * direction;
    const move = `${old.metric} ${formatNumber(old.value)} -> ${formatNumber(fresh.value)}`;
    if (oldDistance > 0 && newDistance <= oldDistance * (1 - IMPROVEMENT_SHARE)) {
      improved += 1;
      text.push(move);
    } else if (newDistance > oldDistance) {
      worsened += 1;
      text.push(`${move} (worse)`);
      const noise = HARM_SHARE * Math.max(Math.abs(oldDistance), Math.abs(old.threshold));
      if (THROTTLING_METRICS.has(old.metric) && newDistance - oldDistance > noise) {
        harmful.push(`${move} (threshold ${formatNumber(fresh.threshold)})`);
      }
    }
  }
  return { improved, worsened, text, harmful };
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
