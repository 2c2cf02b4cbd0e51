/**
 * The fleet's budget of changes per hour (config `fleet.maxChangesPerHour`): how many changing calls
 * every target together made in the last hour, from the times the apply step recorded them.
 */

import { InvalidRequestError, type ErrorContext } from '../ports/errors';

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

/** Refuses a cap a claim cannot count slots by, before a claim reads or writes anything. */
export function assertChangeCap(maxChangesPerHour: number, context: ErrorContext): void {
  if (!Number.isInteger(maxChangesPerHour) || maxChangesPerHour < 1) {
    throw new InvalidRequestError(
      `fleet.maxChangesPerHour must be a positive integer, got ${maxChangesPerHour}`,
      context,
    );
  }
}

/** A change slot as a claim reads it: its index, when its change was made, and whose change it was. */
export interface ChangeSlot {
  readonly index: number;
  /** ISO time of the change that last took the slot. */
  readonly at: string;
  /** The execution, round and step that took it (ports/ledger-table.ts fleetChangeClaimOwner). */
  readonly owner: string;
}

/** What a claim finds: its own slot in the hour (a retried step), every slot taken, or the free ones. */
export type ChangeSlotChoice =
  | { readonly kind: 'held' }
  | { readonly kind: 'full' }
  | { readonly kind: 'free'; readonly indexes: readonly number[] };

/**
 * Which of the fleet's `maxChangesPerHour` change slots a claim by `owner` at `atIso` may take. A slot
 * is taken while its change is within the hour, as the guardrail counts changes; slots past a lowered
 * cap still count while they are. Both stores of the slots decide with this, and then write the slot
 * as atomically as they can.
 */
export function chooseChangeSlot(
  slots: readonly ChangeSlot[],
  owner: string,
  atIso: string,
  maxChangesPerHour: number,
): ChangeSlotChoice {
  const hourBefore = Date.parse(atIso) - FLEET_BUDGET_WINDOW_MS;
  const live = slots.filter((slot) => Date.parse(slot.at) > hourBefore);
  if (live.some((slot) => slot.owner === owner)) return { kind: 'held' };
  if (live.length >= maxChangesPerHour) return { kind: 'full' };
  const taken = new Set(live.map((slot) => slot.index));
  const indexes = Array.from({ length: maxChangesPerHour }, (_, index) => index).filter((index) => !taken.has(index));
  return indexes.length > 0 ? { kind: 'free', indexes } : { kind: 'full' };
}
