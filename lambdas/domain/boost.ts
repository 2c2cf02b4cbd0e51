/**
 * The catch-up boost: a scale-up is sized as the steady size (the input at the target utilisation)
 * plus a share that drains the backlog within the catch-up time. The ledger entry of the scale-up
 * keeps the steady size and when the backlog should have drained, so that a later run takes the
 * share back off (a planned scale-back) and the sweep knows whom to ask.
 */
// A namespace import lets esbuild leave out the parts of zod nobody uses (its locales, JSON Schema).
import * as z from 'zod';
import { changesOf } from './ledger-intents';
import { applicationResource, type Boost, type LedgerEntry } from './model';
import type { Policy } from './policy';

export const BoostSchema = z
  .object({
    steady: z.number().int().positive(),
    drainedBy: z.iso.datetime({ offset: true }),
  })
  .strict();

/** A boost still on the job: its last parallelism change was a boosted scale-up that nothing has undone. */
export interface OutstandingBoost extends Boost {
  /** The boosted parallelism the scale-up went to. */
  readonly to: number;
  /** ISO-8601 time of the scale-up. */
  readonly at: string;
}

/**
 * The boost on an application, read from the ledger: the last parallelism change made (or possibly
 * made) up to `now`, if it carries a boost above its steady size. Any later change of the parallelism
 * (the scale-back, another scale-up, a scale-in) ends it.
 */
export function outstandingBoost(
  ledger: readonly LedgerEntry[],
  applicationName: string,
  now: number,
): OutstandingBoost | undefined {
  const resource = applicationResource(applicationName);
  const changes = changesOf(ledger).filter(
    (e) => e.resource === resource && e.actionType === 'UpdateApplicationParallelism' && Date.parse(e.at) <= now,
  );
  const last = changes.reduce<LedgerEntry | undefined>(
    (latest, e) => (latest === undefined || Date.parse(e.at) >= Date.parse(latest.at) ? e : latest),
    undefined,
  );
  if (!last?.boost || last.to === undefined || last.boost.steady >= last.to) return undefined;
  return { ...last.boost, to: last.to, at: last.at };
}

/**
 * Whether the sweep still asks after a boost: from the scale-up until a scale-in window past the time
 * the backlog should have drained. Past that, a boost nothing could take off (the input grew into it)
 * is left to the ordinary scale-in, which reads the quiet window's peak.
 */
export function boostFollowedUp(
  boost: OutstandingBoost,
  now: number,
  policy: Pick<Policy, 'scaleInWindowMinutes'>,
): boolean {
  return now <= Date.parse(boost.drainedBy) + policy.scaleInWindowMinutes * 60_000;
}

/**
 * How far under the target utilisation the job must run at its boosted size before the boost comes
 * off: the scale-back restarts the job, and a job near its target is left alone. The Flink Kubernetes
 * operator's autoscaler keeps such a band (`job.autoscaler.target.utilization.boundary`), 0.2 in
 * Amazon EMR's defaults.
 */
export const SCALE_BACK_BAND = 0.2;

/** Whether going from `from` to `to` subtasks is worth a restart: the job at `from` runs under the band. */
export function worthScaleBack(from: number, to: number, targetUtilization: number): boolean {
  return to < from && (targetUtilization * to) / from < targetUtilization - SCALE_BACK_BAND;
}
