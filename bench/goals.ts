/**
 * The goals issue 5 sets for StreamMedic, checked against the figures. Each check says met or missed
 * and, either way, the numbers it was judged on.
 */
import type { Scenario } from '../sim/scenario';
import type { RunResult } from './figures';
import type { PolicyName } from './policies/policy';
import { capacityCanFix } from './policies/true-cause';
import { statedExpectation } from '../sim/scenario';

export type Verdict = 'met' | 'missed' | 'n/a';

export interface GoalCheck {
  readonly scenario: string;
  readonly verdict: Verdict;
  readonly detail: string;
}

export interface GoalReport {
  readonly goal: string;
  readonly checks: readonly GoalCheck[];
}

/** Changes of one resource less than this far apart belong to one incident. */
const INCIDENT_GAP_MS = 60 * 60_000;
const COST_TOLERANCE = 1.1;

const SUBJECT: PolicyName = 'stream-medic';

export interface ScenarioRuns {
  readonly scenario: Scenario;
  readonly runs: ReadonlyMap<PolicyName, RunResult>;
}

function ttrText(ttr: number | null): string {
  return ttr === null ? 'never' : `${ttr} min`;
}

/** TTR at most half the best other non-oracle policy's, and within 1.5x the oracle's, where capacity can fix the cause. */
export function checkTimeToRecover(all: readonly ScenarioRuns[]): GoalReport {
  const checks: GoalCheck[] = [];
  for (const { scenario, runs } of all) {
    if (!capacityCanFix(statedExpectation(scenario))) continue;
    const subject = runs.get(SUBJECT)?.figures.ttrMinutes ?? null;
    let best: { policy: PolicyName; ttr: number } | undefined;
    for (const [policy, run] of runs) {
      const ttr = run.figures.ttrMinutes;
      if (policy === SUBJECT || policy === 'oracle' || ttr === null) continue;
      if (!best || ttr < best.ttr) best = { policy, ttr };
    }
    const oracle = runs.get('oracle')?.figures.ttrMinutes ?? null;
    const numbers = `StreamMedic ${ttrText(subject)}; best other ${best ? `${best.policy} ${best.ttr} min` : 'none recovered'}; oracle ${ttrText(oracle)}`;
    if (subject === null) {
      checks.push({ scenario: scenario.name, verdict: 'missed', detail: `${numbers}: StreamMedic never recovered` });
      continue;
    }
    const misses: string[] = [];
    if (best && subject > best.ttr / 2) misses.push(`more than half of ${best.policy}'s`);
    if (oracle !== null && subject > oracle * 1.5) misses.push("more than 1.5x the oracle's");
    checks.push({
      scenario: scenario.name,
      verdict: misses.length === 0 ? 'met' : 'missed',
      detail: misses.length === 0 ? numbers : `${numbers}: ${misses.join(' and ')}`,
    });
  }
  return {
    goal: 'Where capacity can fix the cause: time to recover at most half the best other non-oracle policy, and within 1.5x the oracle',
    checks,
  };
}

/** No wrong action and no record lost, on every scenario. */
export function checkSafety(all: readonly ScenarioRuns[]): GoalReport {
  const checks = all.map(({ scenario, runs }): GoalCheck => {
    const run = runs.get(SUBJECT);
    if (!run) return { scenario: scenario.name, verdict: 'n/a', detail: 'not played' };
    const { wrongActions, recordsLost } = run.figures;
    const wrong = run.wrong.map((w) => `${w.detail} (${w.reason})`).join('; ');
    const ok = wrongActions === 0 && recordsLost === 0;
    return {
      scenario: scenario.name,
      verdict: ok ? 'met' : 'missed',
      detail: `${wrongActions} wrong action(s)${wrong ? `: ${wrong}` : ''}; ${recordsLost} records lost`,
    };
  });
  return { goal: 'Zero wrong actions and zero records lost', checks };
}

/** Groups changes of one kind into incidents: each less than an hour after the one before, the same way. */
function incidents<T extends { readonly at: number; readonly direction: number }>(changes: readonly T[]): T[][] {
  const groups: T[][] = [];
  for (const change of changes) {
    const group = groups.at(-1);
    const last = group?.at(-1);
    if (group && last && change.at - last.at < INCIDENT_GAP_MS && change.direction === last.direction) {
      group.push(change);
    } else {
      groups.push([change]);
    }
  }
  return groups;
}

/** The fewest calls of at most 2x (or half) each from `from` to `to` shards. */
export function fewestShardCalls(from: number, to: number): number {
  if (from === to) return 0;
  return Math.ceil(Math.log2(Math.max(from, to) / Math.min(from, to)) - 1e-9);
}

/** Shard changes in ceil(log2(needed / current)) calls; one Flink update per incident. */
export function checkCallCounts(all: readonly ScenarioRuns[]): GoalReport {
  const checks: GoalCheck[] = [];
  for (const { scenario, runs } of all) {
    const run = runs.get(SUBJECT);
    if (!run) continue;
    const shardCalls = run.calls.flatMap((c) =>
      c.change?.kind === 'shards'
        ? [{ at: c.at, from: c.change.from, to: c.change.to, direction: Math.sign(c.change.to - c.change.from) }]
        : [],
    );
    const appCalls = run.calls.flatMap((c) =>
      c.change?.kind === 'parallelism' || c.change?.kind === 'monitoring' ? [{ at: c.at, direction: 0 }] : [],
    );
    if (shardCalls.length === 0 && appCalls.length === 0) continue;
    const parts: string[] = [];
    let ok = true;
    for (const group of incidents(shardCalls)) {
      const from = group[0]!.from;
      const to = group.at(-1)!.to;
      const fewest = fewestShardCalls(from, to);
      if (group.length > fewest) ok = false;
      parts.push(`shards ${from} -> ${to} in ${group.length} call(s) (fewest ${fewest})`);
    }
    for (const group of incidents(appCalls)) {
      if (group.length > 1) ok = false;
      parts.push(`${group.length} Flink update(s) in one incident`);
    }
    checks.push({ scenario: scenario.name, verdict: ok ? 'met' : 'missed', detail: parts.join('; ') });
  }
  return { goal: 'Shard changes in ceil(log2(needed/current)) calls; one Flink update per incident', checks };
}

/** Capacity cost within 10% of the cheapest policy that also recovers. */
export function checkCost(all: readonly ScenarioRuns[]): GoalReport {
  const checks: GoalCheck[] = [];
  for (const { scenario, runs } of all) {
    const run = runs.get(SUBJECT);
    if (!run) continue;
    if (run.figures.ttrMinutes === null) {
      checks.push({ scenario: scenario.name, verdict: 'n/a', detail: 'StreamMedic did not recover' });
      continue;
    }
    const cheapest = (include: (policy: PolicyName) => boolean): { policy: PolicyName; cost: number } | undefined => {
      let best: { policy: PolicyName; cost: number } | undefined;
      for (const [policy, other] of runs) {
        if (other.figures.ttrMinutes === null || !include(policy)) continue;
        if (!best || other.figures.costUsd < best.cost) best = { policy, cost: other.figures.costUsd };
      }
      return best;
    };
    const cost = run.figures.costUsd;
    const describe = (label: string, best: { policy: PolicyName; cost: number } | undefined): string =>
      best
        ? `${label} ${best.policy} $${best.cost.toFixed(3)} (StreamMedic ${(best.cost > 0 ? cost / best.cost : 1).toFixed(2)}x)`
        : `${label}: none`;
    // The goal counts every policy that recovers, `none` too (a spike that ends recovers by itself);
    // the cheapest that acted is shown beside it.
    const any = cheapest(() => true);
    const acting = cheapest((policy) => policy !== SUBJECT && (runs.get(policy)?.figures.apiCalls ?? 0) > 0);
    const ok = !any || cost <= any.cost * COST_TOLERANCE + 1e-9;
    checks.push({
      scenario: scenario.name,
      verdict: ok ? 'met' : 'missed',
      detail: `StreamMedic $${cost.toFixed(3)}; ${describe('cheapest that recovers:', any)}; ${describe('cheapest other that acts and recovers:', acting)}`,
    });
  }
  return { goal: 'Capacity cost within 10% of the cheapest policy that also recovers', checks };
}

export function checkGoals(all: readonly ScenarioRuns[]): GoalReport[] {
  return [checkTimeToRecover(all), checkSafety(all), checkCallCounts(all), checkCost(all)];
}
