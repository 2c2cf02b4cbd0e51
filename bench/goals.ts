/**
 * The goals set for StreamMedic, checked against the figures. Each check says met or missed and,
 * either way, the numbers it was judged on. Every goal is one the oracle itself meets, so none is
 * out of reach by construction.
 */
import type { Scenario } from '../sim/scenario';
import type { RunFigures, RunResult } from './figures';
import type { PolicyName } from './policies/policy';
import { capacityCanFix } from './policies/true-cause';
import { compact } from './format';
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

const SUBJECT: PolicyName = 'stream-medic';

export interface ScenarioRuns {
  readonly scenario: Scenario;
  readonly runs: ReadonlyMap<PolicyName, RunResult>;
}

/** Lag-minutes and cost StreamMedic may reach over the oracle's and still be "close to the limit". */
export const ORACLE_LAG_TOLERANCE = 1.25;
export const ORACLE_COST_TOLERANCE = 1.1;

function money(usd: number): string {
  return `$${usd.toFixed(2)}`;
}

/**
 * Where capacity can fix the cause: lag-minutes within 1.25x and cost within 1.10x of the oracle's.
 * Records not delivered are not judged here: the oracle turns producers away only from the first
 * unhealthy minute until its reshard lands, while any alarm needs minutes of throttling before it
 * fires, so a ratio to the oracle's records measures the alarm's datapoints rule more than the
 * policy, and no tolerance for it follows from the goal. The dominance goal judges them.
 */
export function checkOracleDistance(all: readonly ScenarioRuns[]): GoalReport {
  const checks: GoalCheck[] = [];
  for (const { scenario, runs } of all) {
    if (!capacityCanFix(statedExpectation(scenario))) continue;
    const subject = runs.get(SUBJECT)?.figures;
    const oracle = runs.get('oracle')?.figures;
    if (!subject || !oracle) continue;
    const lagRatio =
      oracle.lagMinutes > 0 ? subject.lagMinutes / oracle.lagMinutes : subject.lagMinutes > 0 ? Infinity : 1;
    const costRatio = oracle.costUsd > 0 ? subject.costUsd / oracle.costUsd : 1;
    const misses: string[] = [];
    if (subject.lagMinutes > oracle.lagMinutes * ORACLE_LAG_TOLERANCE + 1e-9)
      misses.push(`lag over ${ORACLE_LAG_TOLERANCE}x`);
    if (subject.costUsd > oracle.costUsd * ORACLE_COST_TOLERANCE + 1e-9)
      misses.push(`cost over ${ORACLE_COST_TOLERANCE}x`);
    const numbers = `StreamMedic ${subject.lagMinutes} lag-min, ${money(subject.costUsd)}; oracle ${oracle.lagMinutes} lag-min, ${money(oracle.costUsd)} (${Number.isFinite(lagRatio) ? lagRatio.toFixed(2) : 'inf'}x lag, ${costRatio.toFixed(2)}x cost)`;
    checks.push({
      scenario: scenario.name,
      verdict: misses.length === 0 ? 'met' : 'missed',
      detail: misses.length === 0 ? numbers : `${numbers}: ${misses.join(' and ')}`,
    });
  }
  return {
    goal: `Where capacity can fix the cause: lag-minutes within ${ORACLE_LAG_TOLERANCE}x and cost within ${ORACLE_COST_TOLERANCE}x of the oracle`,
    checks,
  };
}

/**
 * Records the pipeline never processed: those producers gave up on after the stream refused them,
 * and those that reached the stream and were lost. A policy that leaves the stream too small keeps
 * the lag low by turning producers away, and one that skips a backlog keeps it low by losing it: both
 * are harm the lag does not show.
 */
export function recordsNotDelivered(figures: Pick<RunFigures, 'producerRecordsDropped' | 'recordsLost'>): number {
  return figures.producerRecordsDropped + figures.recordsLost;
}

/** One policy's figures as the dominance goal reads them. */
function paretoLine(policy: string, figures: RunFigures): string {
  const refused = `${compact(figures.throttledRecords)} refused, ${compact(figures.producerRecordsDropped)} given up`;
  const lost = figures.recordsLost > 0 ? `, ${compact(figures.recordsLost)} lost` : '';
  return `${policy} ${figures.lagMinutes} lag-min, ${refused}${lost}, ${money(figures.costUsd)}`;
}

/**
 * Whether `other` is at least as good as `subject` on lag-minutes, records not delivered and cost,
 * and better on one of them (Pareto dominance).
 */
export function dominates(other: RunFigures, subject: RunFigures): boolean {
  const lag = Math.sign(other.lagMinutes - subject.lagMinutes);
  const records = Math.sign(recordsNotDelivered(other) - recordsNotDelivered(subject));
  const cost = Math.abs(other.costUsd - subject.costUsd) <= 1e-9 ? 0 : Math.sign(other.costUsd - subject.costUsd);
  const signs = [lag, records, cost];
  return signs.every((s) => s <= 0) && signs.some((s) => s < 0);
}

/**
 * Where capacity can fix the cause: no other policy (the oracle aside) is at least as good on
 * lag-minutes, records not delivered and cost, and better on one. Doing nothing counts as a policy:
 * where a spike passes by itself, it is a real alternative; where it keeps lag low only by turning
 * producers away, the records they gave up on count against it.
 */
export function checkNotDominated(all: readonly ScenarioRuns[]): GoalReport {
  const checks: GoalCheck[] = [];
  for (const { scenario, runs } of all) {
    if (!capacityCanFix(statedExpectation(scenario))) continue;
    const subject = runs.get(SUBJECT)?.figures;
    if (!subject) continue;
    const dominating: string[] = [];
    for (const [policy, run] of runs) {
      if (policy === SUBJECT || policy === 'oracle') continue;
      if (dominates(run.figures, subject)) dominating.push(paretoLine(policy, run.figures));
    }
    const numbers = paretoLine('StreamMedic', subject);
    checks.push({
      scenario: scenario.name,
      verdict: dominating.length === 0 ? 'met' : 'missed',
      detail:
        dominating.length === 0 ? numbers : `${numbers}; as good on all and better on one: ${dominating.join('; ')}`,
    });
  }
  return {
    goal: 'Where capacity can fix the cause: no other policy is as good on lag-minutes, records not delivered and cost, and better on one',
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

export function checkGoals(all: readonly ScenarioRuns[]): GoalReport[] {
  return [checkOracleDistance(all), checkNotDominated(all), checkSafety(all), checkCallCounts(all)];
}
