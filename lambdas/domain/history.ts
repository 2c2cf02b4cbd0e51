/**
 * What the ledger says about each resource, worked out once per plan: the changes already made
 * (for the cooldowns) and the changing calls of the last 24 hours (for the daily budget).
 */
import { changesOf } from './ledger-intents';
import type { LedgerEntry } from './model';

/** The window the daily budget counts calls in. */
const BUDGET_WINDOW_MINUTES = 24 * 60;

export interface PastChange {
  readonly entry: LedgerEntry;
  readonly minutesAgo: number;
}

export interface ResourceHistory {
  /** Changes made up to now, in ledger order. */
  readonly changes: readonly PastChange[];
  /** Changing calls made in the last 24 hours. */
  readonly callsLastDay: number;
}

const NO_HISTORY: ResourceHistory = { changes: [], callsLastDay: 0 };

/**
 * The ledger read per resource; entries dated after `now` are not history yet and are left out. A
 * change that may have been made (an intent without a result) counts as made until it is settled.
 */
export function historyByResource(ledger: readonly LedgerEntry[], now: number): (resource: string) => ResourceHistory {
  const byResource = new Map<string, { changes: PastChange[]; callsLastDay: number }>();
  for (const entry of changesOf(ledger)) {
    const minutesAgo = (now - Date.parse(entry.at)) / 60_000;
    if (!(minutesAgo >= 0)) continue;
    const history = byResource.get(entry.resource) ?? { changes: [], callsLastDay: 0 };
    history.changes.push({ entry, minutesAgo });
    if (minutesAgo < BUDGET_WINDOW_MINUTES) history.callsLastDay += entry.calls;
    byResource.set(entry.resource, history);
  }
  return (resource) => byResource.get(resource) ?? NO_HISTORY;
}
