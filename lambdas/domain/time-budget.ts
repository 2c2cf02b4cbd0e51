/**
 * A run's time budget: the execution's timeout, and how long the parts of a round can take at worst.
 * Checked before each step and before each new round, so normal work ends on the run's own path
 * (told and unlocked) instead of being cut off by the state machine's timeout.
 */
// A namespace import lets esbuild leave out the parts of zod nobody uses (its locales, JSON Schema).
import * as z from 'zod';

const seconds = z.number().int().nonnegative();

export const TimeBudgetSchema = z
  .object({
    /** The state machine's timeout: no execution runs longer. */
    timeoutSeconds: z.number().int().positive(),
    /** Longest one step may take: its call with the retriers' backoff, and the wait for the resource. */
    stepSeconds: seconds,
    /** The settling wait before the verification. */
    settleSeconds: seconds,
    /** The verification, the message and the unlock, with their retries. */
    closeSeconds: seconds,
  })
  .strict();
export type TimeBudget = z.infer<typeof TimeBudgetSchema>;

/** The longest a round of `steps` steps takes from its first call to the end of the run. */
export function roundWorstSeconds(steps: number, budget: TimeBudget): number {
  return steps * budget.stepSeconds + budget.settleSeconds + budget.closeSeconds;
}

/** Seconds the run has left before its timeout. */
export function secondsLeft(startedAt: string, now: Date, budget: TimeBudget): number {
  return budget.timeoutSeconds - (now.getTime() - Date.parse(startedAt)) / 1000;
}

/**
 * Whether `steps` more steps, the settling wait and the end of the run fit in the time left; when
 * not, says how much is needed and how much is left.
 */
export function fitsTimeBudget(
  steps: number,
  startedAt: string,
  now: Date,
  budget: TimeBudget,
): { readonly fits: true } | { readonly fits: false; readonly reason: string } {
  const needed = roundWorstSeconds(steps, budget);
  const left = secondsLeft(startedAt, now, budget);
  if (needed <= left) return { fits: true };
  return {
    fits: false,
    reason:
      `${steps} step${steps === 1 ? '' : 's'}, the settling wait and the verification may take ${Math.ceil(needed / 60)} min; ` +
      `the run has ${Math.max(0, Math.floor(left / 60))} min left of its ${Math.round(budget.timeoutSeconds / 60)}-min timeout`,
  };
}
