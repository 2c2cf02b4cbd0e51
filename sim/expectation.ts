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
  return { met: misses.length === 0, misses };
}
