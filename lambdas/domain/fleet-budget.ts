/**
 * The fleet's budget of changes per hour (config `fleet.maxChangesPerHour`): how many changing calls
 * every target together made in the last hour, from the times the apply step recorded them.
 */

/** The window the fleet budget counts changes in. */
export const FLEET_BUDGET_WINDOW_MS = 60 * 60 * 1000;

/** What the `fleet-budget` guardrail reads: the cap and when each change of the fleet was requested. */
export interface FleetBudget {
  /** fleet.maxChangesPerHour */
  readonly maxChangesPerHour: number;
  /** ISO times of the fleet's changing calls, every target; those outside the last hour are not counted. */
  readonly changesAt: readonly string[];
}

/**
 * The fleet's changes in the hour up to `now` (epoch ms). One recorded after `now` counts too: an
 * assessment's "now" is the start of its last whole metric minute, and the changes other runs made
 * since then have been made all the same.
 */
export function fleetChangesLastHour(budget: FleetBudget, now: number): number {
  return budget.changesAt.filter((at) => Date.parse(at) > now - FLEET_BUDGET_WINDOW_MS).length;
}
