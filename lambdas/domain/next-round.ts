/** Whether a run goes round again after its verification, and what the next round starts from. */
import { assessmentOf } from './disposition';
import { actionResource, type Report } from './model';
import { fitsTimeBudget, type TimeBudget } from './time-budget';
import type { Pause } from './pause';
import type { Assessment, CompletedRound, NextRound, Progress, RunContext, Verification, WorkStep } from './run-state';
import { actionOf } from './work-steps';

/** What makes two calls the same change: the call, its resource, and where it takes the resource. */
function changeKey(step: WorkStep): string {
  const { from: _from, call: _call, calls: _calls, ...change } = step as WorkStep & Record<string, unknown>;
  return JSON.stringify({ resource: actionResource(actionOf(step)), ...change });
}

export interface RoundFacts {
  readonly run: Pick<RunContext, 'dryRun' | 'config'>;
  /** The round just verified. */
  readonly assessment: Assessment;
  readonly progress: Progress;
  readonly verification: Verification;
  /** The rounds before it. */
  readonly rounds: readonly CompletedRound[];
  /** Which round was just verified (1-based), as the workflow counts it. */
  readonly round: number;
  /** Rounds one run may make, this one included. */
  readonly maxRounds: number;
  /** The verifying re-assessment, planned as a live run would plan it; made only when it can matter. */
  readonly replan: () => Report;
  readonly now: Date;
  /** The run's time budget and start: a round that may not finish before the timeout is not started. */
  readonly timeBudget?: { readonly budget: TimeBudget; readonly startedAt: string };
  /** The pause in force at the verification, if any: a paused run takes no further round. */
  readonly pause?: Pause;
}

/**
 * Whether the run goes round again after a verification, and with what. Only when the change did not
 * resolve the incident, the round bound allows another, and the re-assessment has a bounded plan this
 * run may apply (live, mode `auto`, past every guardrail) that repeats no change the run already made,
 * and that can finish inside the run's time budget: an incident found while the run held the target's
 * lock is handled here, not lost.
 */
export function nextRoundOf(facts: RoundFacts): NextRound | undefined {
  if (facts.verification.outcome === 'resolved') return undefined;
  if (facts.round >= facts.maxRounds) return undefined;
  const next = assessmentOf(facts.replan(), facts.run, facts.now, facts.pause ? { pause: facts.pause } : {});
  if (next.disposition !== 'apply') return undefined;
  const made = new Set(
    [...facts.rounds.map((r) => r.progress), facts.progress].flatMap((p) => p.applied.map((a) => changeKey(a.step))),
  );
  if (next.steps.some((step) => made.has(changeKey(step)))) return undefined;
  const time = facts.timeBudget;
  if (time && !fitsTimeBudget(next.steps.length, time.startedAt, facts.now, time.budget).fits) return undefined;
  const { assessment, progress, verification } = facts;
  return { assessment: next, rounds: [...facts.rounds, { assessment, progress, verification }] };
}
