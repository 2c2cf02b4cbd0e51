import type { Cause, Guardrail, SecondaryFinding } from '../lambdas/domain/vocabulary';
import type { ScenarioExpectation } from './scenario';
import type { WorldOutcome } from './world';

/** What one workflow execution did, as the runner saw it. */
export interface RunObservation {
  /** The primary cause its assessment named, if it got that far. */
  readonly cause?: Cause;
  readonly secondary?: readonly SecondaryFinding[];
  /** Guardrails that refused an action in its plan. */
  readonly refused?: readonly Guardrail[];
  /** The named failure (port error name) it ended with, if it failed. */
  readonly failure?: string;
}

/** How the runs ended, for the expectations about every run (`everyRunEnds`, `told`, `maxChangeAttempts`). */
export interface RunEnds {
  /**
   * Each execution: how it ended, whether it held the lock, and whether its own path told on-call (or,
   * for a sweep's run, found that on-call already had its news).
   */
  readonly runs: readonly {
    readonly name: string;
    readonly status?: string;
    readonly lockAcquired?: boolean;
    readonly notified: boolean;
  }[];
  /** Who holds the target's lock once every run has ended; undefined when nobody does. */
  readonly lockHolder?: string;
  /** Every message on-call received, subject and body. */
  readonly messages: readonly string[];
  /** Changing calls StreamMedic attempted, those AWS refused included. */
  readonly changeAttempts: number;
}

export interface ExpectationResult {
  readonly met: boolean;
  /** One line per missed expectation, naming the field of `expect` it comes from. */
  readonly misses: string[];
}

function list(values: Iterable<string>): string {
  const all = [...new Set(values)];
  return all.length > 0 ? all.join(', ') : 'none';
}

/**
 * Checks a scenario's `expect` against what the runs named and what the world measured. Actions are
 * taken from the world (the changing calls AWS accepted), not from plans, so a planned action that
 * never landed does not count.
 */
export function checkExpectation(
  expect: ScenarioExpectation,
  runs: readonly RunObservation[],
  outcome: WorldOutcome,
  ends?: RunEnds,
): ExpectationResult {
  const misses: string[] = [];
  const causes = runs.flatMap((r) => (r.cause ? [r.cause] : []));
  const secondary = runs.flatMap((r) => r.secondary ?? []);
  const refused = runs.flatMap((r) => r.refused ?? []);
  const failures = runs.flatMap((r) => (r.failure ? [r.failure] : []));
  const taken = outcome.actions.flatMap((a) => (a.actionType ? [a.actionType] : []));

  // A cause counts as named when a run leads with it or reports it beside the lead: one plan acts on both.
  const named = [...causes, ...secondary];
  for (const cause of expect.causes) {
    if (!named.includes(cause)) misses.push(`expect.causes: ${cause} was never named (named: ${list(named)})`);
  }
  for (const cause of expect.forbiddenCauses) {
    const runsNaming = runs.filter((r) => r.cause === cause || (r.secondary ?? []).includes(cause)).length;
    if (runsNaming > 0) misses.push(`expect.forbiddenCauses: ${cause} was named by ${runsNaming} run(s)`);
  }
  for (const finding of expect.secondary) {
    if (!secondary.includes(finding)) {
      misses.push(`expect.secondary: ${finding} was never a secondary finding (found: ${list(secondary)})`);
    }
  }
  for (const action of expect.actions) {
    if (!taken.includes(action)) misses.push(`expect.actions: no ${action} was taken (taken: ${list(taken)})`);
  }
  for (const action of expect.forbiddenActions) {
    if (taken.includes(action)) misses.push(`expect.forbiddenActions: ${action} was taken`);
  }
  for (const guardrail of expect.refused) {
    if (!refused.includes(guardrail)) {
      misses.push(`expect.refused: no action was refused by ${guardrail} (refused by: ${list(refused)})`);
    }
  }
  for (const kind of expect.alarms) {
    if (!outcome.alarmsFired.includes(kind)) {
      misses.push(`expect.alarms: ${kind} never went to ALARM (fired: ${list(outcome.alarmsFired)})`);
    }
  }
  if (outcome.recovered !== expect.recovers) {
    misses.push(`expect.recovers: the pipeline ${outcome.recovered ? 'recovered' : 'did not recover'}`);
  }
  if (
    expect.maxMinutesToRecover !== undefined &&
    (outcome.minutesToRecover === undefined || outcome.minutesToRecover > expect.maxMinutesToRecover)
  ) {
    misses.push(
      `expect.maxMinutesToRecover: ${outcome.minutesToRecover === undefined ? 'never recovered' : `took ${outcome.minutesToRecover} min`} (at most ${expect.maxMinutesToRecover})`,
    );
  }
  if (expect.maxRecordsLost !== undefined && Math.round(outcome.recordsLost) > expect.maxRecordsLost) {
    misses.push(
      `expect.maxRecordsLost: ${Math.round(outcome.recordsLost)} records lost (at most ${expect.maxRecordsLost})`,
    );
  }
  if (expect.notified !== undefined && outcome.notificationsSent > 0 !== expect.notified) {
    misses.push(`expect.notified: ${outcome.notificationsSent} message(s) reached on-call`);
  }
  if (expect.maxActions !== undefined && outcome.actions.length > expect.maxActions) {
    misses.push(`expect.maxActions: ${outcome.actions.length} changing calls (at most ${expect.maxActions})`);
  }
  if (expect.failure !== undefined && !failures.includes(expect.failure)) {
    misses.push(`expect.failure: no run ended with ${expect.failure} (failures: ${list(failures)})`);
  }
  for (const name of expect.forbiddenFailures) {
    if (failures.includes(name)) misses.push(`expect.forbiddenFailures: a run ended with ${name}`);
  }
  if (ends) misses.push(...runEndMisses(expect, ends));
  return { met: misses.length === 0, misses };
}

function runEndMisses(expect: ScenarioExpectation, ends: RunEnds): string[] {
  const misses: string[] = [];
  if (expect.maxChangeAttempts !== undefined && ends.changeAttempts > expect.maxChangeAttempts) {
    misses.push(
      `expect.maxChangeAttempts: ${ends.changeAttempts} changing calls attempted (at most ${expect.maxChangeAttempts})`,
    );
  }
  if (expect.everyRunEnds) {
    for (const run of ends.runs) {
      if (run.status === 'TIMED_OUT' || run.status === 'ABORTED' || run.status === undefined) {
        misses.push(`expect.everyRunEnds: ${run.name} ended ${run.status ?? 'never'}, not on its own path`);
      } else if (run.lockAcquired && !run.notified) {
        misses.push(`expect.everyRunEnds: ${run.name} held the lock and told on-call nothing`);
      }
    }
    if (ends.lockHolder !== undefined) {
      misses.push(`expect.everyRunEnds: the lock is still held by ${ends.lockHolder} after every run ended`);
    }
  }
  for (const text of expect.told) {
    if (!ends.messages.some((message) => message.includes(text))) {
      misses.push(`expect.told: no message said "${text}" (${ends.messages.length} message(s) sent)`);
    }
  }
  return misses;
}
