/** Judging a change: the assessment after it against the one that led to it. */
import type { Report } from './model';
import type { VerifyOutcome } from './run-state';
import { severityRank, type Cause } from './vocabulary';

/** A backlog falling fast enough to be gone within the catch-up time, and how long that takes. */
export interface BacklogDrain {
  readonly seconds: number;
}

/** Causes that mean nothing is wrong any more. */
const SETTLED_CAUSES: ReadonlySet<Cause> = new Set(['HEALTHY', 'OVER_PROVISIONED']);

/** Causes a falling backlog speaks for: the consumer's; a stream still refusing writes is not eased by it. */
const DRAINING_CAUSES: ReadonlySet<Cause> = new Set(['CONSUMER_COMPUTE']);

/** How much closer to its threshold a measure must move to count as improving. */
const IMPROVEMENT_SHARE = 0.2;

/**
 * Compares the assessment after the change with the one before it. Evidence is compared measure by
 * measure (same metric and statistic): a measure improves when its distance past the threshold
 * shrinks by at least {@link IMPROVEMENT_SHARE}, and worsens when that distance grows. A backlog that
 * drains on plan (`drain`, read from the lag's trend now) is improving whatever the levels say.
 */
export function judgeOutcome(
  before: Report,
  after: Report,
  drain?: BacklogDrain,
): { outcome: VerifyOutcome; reason: string } {
  const was = before.diagnosis;
  const now = after.diagnosis;
  if (SETTLED_CAUSES.has(now.cause)) {
    return { outcome: 'resolved', reason: `${was.cause} is no longer found; the target now assesses as ${now.cause}` };
  }
  if (now.cause === 'INSUFFICIENT_DATA') {
    return { outcome: 'inconclusive', reason: `the metrics needed to judge the change are missing: ${now.summary}` };
  }
  // Judged by the trend, not the level: a backlog still over the threshold, even larger than before
  // (the restart adds to it), is on its way out when it falls fast enough to be gone within the catch-up time.
  if (drain && DRAINING_CAUSES.has(now.cause)) {
    return {
      outcome: 'improving',
      reason: `${was.cause} is still found, but the backlog drains on plan: about ${Math.ceil(drain.seconds / 60)} min to catch up at the rate it falls now`,
    };
  }
  // FLIP-271's ineffective scaling: the change did not raise throughput, so it is not repeated.
  const ineffective = after.plan.refused.find((r) => r.guardrail === 'ineffective-scaling');
  if (ineffective) return { outcome: 'not-improved', reason: `the scale-up was ineffective: ${ineffective.reason}` };
  const severityDelta = severityRank(now.severity) - severityRank(was.severity);
  if (now.cause !== was.cause) {
    return severityDelta <= 0
      ? { outcome: 'improving', reason: `${was.cause} is no longer found, but ${now.cause} is: ${now.summary}` }
      : { outcome: 'not-improved', reason: `${was.cause} gave way to a more severe ${now.cause}: ${now.summary}` };
  }
  let improved = 0;
  let worsened = 0;
  const moves: string[] = [];
  for (const old of was.evidence) {
    const fresh = now.evidence.find((e) => e.metric === old.metric && e.stat === old.stat);
    if (!fresh) continue;
    const direction = Math.sign(old.value - old.threshold) || 1;
    const oldDistance = (old.value - old.threshold) * direction;
    const newDistance = (fresh.value - fresh.threshold) * direction;
    if (oldDistance > 0 && newDistance <= oldDistance * (1 - IMPROVEMENT_SHARE)) {
      improved += 1;
      moves.push(`${old.metric} ${formatNumber(old.value)} -> ${formatNumber(fresh.value)}`);
    } else if (newDistance > oldDistance) {
      worsened += 1;
      moves.push(`${old.metric} ${formatNumber(old.value)} -> ${formatNumber(fresh.value)} (worse)`);
    }
  }
  if (severityDelta < 0 || (improved > 0 && worsened === 0 && severityDelta <= 0)) {
    const detail = moves.length > 0 ? moves.join(', ') : `severity ${was.severity} -> ${now.severity}`;
    return { outcome: 'improving', reason: `${was.cause} is still found but easing: ${detail}` };
  }
  const detail = moves.length > 0 ? `: ${moves.join(', ')}` : '';
  return { outcome: 'not-improved', reason: `${was.cause} is still found and not easing${detail}` };
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
