import { FLEET_BUDGET_WINDOW_MS, type FleetBudget } from '../domain/fleet-budget';
import type { Clock, FleetChangeLog } from '../ports';

/**
 * The fleet's changes of the last hour and its cap, for the `fleet-budget` guardrail: one Query of the
 * fleet's changes. Without a cap (a payload from a state machine that passes none) nothing is read.
 */
export async function readFleetBudget(
  deps: { readonly fleetChanges: Pick<FleetChangeLog, 'since'>; readonly clock: Clock },
  maxChangesPerHour: number | undefined,
): Promise<FleetBudget | undefined> {
  if (maxChangesPerHour === undefined) return undefined;
  const since = new Date(deps.clock.now().getTime() - FLEET_BUDGET_WINDOW_MS).toISOString();
  const changes = await deps.fleetChanges.since(since);
  return { maxChangesPerHour, changesAt: changes.map((c) => c.at) };
}
