/**
 * The ledger table's layout, shared by the CDK stack (which creates the table) and the DynamoDB
 * adapters (which read and write it). One table holds, per target, the ledger entries and the lock:
 *
 * | item                  | pk                   | sk                            |
 * | --------------------- | -------------------- | ----------------------------- |
 * | ledger                | `TARGET#<name>`      | `LEDGER#<ISO time>#<unique>`  |
 * | guardrail refusal     | `TARGET#<name>`      | `REFUSAL#<run start>#<execution>#<guardrail>#<index>` |
 * | lock                  | `LOCK#<name>`        | `LOCK`                        |
 * | last notice           | `NOTICE#<name>`      | `LAST`                        |
 * | turned-away run       | `TURNED_AWAY#<name>` | `<ISO time>#<execution ARN>`  |
 * | pause                 | `PAUSE#<scope>`      | `PAUSE`                       |
 * | pause or resume event | `PAUSE#<scope>`      | `EVENT#<ISO time>#<unique>`   |
 * | approval request      | `APPROVAL#<name>`    | `WAITING`                     |
 * | approval decision     | `APPROVAL#<name>`    | `EVENT#<ISO time>#<unique>`   |
 * | fleet run slot        | `FLEET_SLOT#fleet`   | `SLOT#<index>`                |
 * | fleet change          | `FLEET_CHANGE#fleet` | `<ISO time>#<execution>#<step>` |
 * | fleet change slot     | `FLEET_CHANGE_SLOT#fleet` | `SLOT#<index>`           |
 *
 * A pause's scope is a target's name or `*` for every target (domain/pause.ts). Pauses have a
 * partition prefix of their own too: the operators' policy may set them and touch nothing else, and
 * the workflow may only read them. Approval requests (mode `approve`) have theirs: the workflow
 * opens and closes them, the operators decide on them.
 *
 * Guardrail refusals share the ledger's partition (the assess step may write there already) under a
 * sort key prefix of their own: the ledger's key range (`LEDGER#...`) never reaches them, so the
 * guardrails count changes only, and their key names each refusal once per run.
 *
 * Each kind of item has partition keys of its own prefix, so IAM's `dynamodb:LeadingKeys` condition
 * can keep the lock steps off the audit trail, the ledger writer off the locks, and the notify step
 * to its notices.
 *
 * No AWS SDK import here: the CDK app must not pull the runtime clients in.
 */
import { InvalidRequestError } from './errors';

export const LEDGER_TABLE_PARTITION_KEY = 'pk';
export const LEDGER_TABLE_SORT_KEY = 'sk';
/** Epoch seconds; DynamoDB's TTL deletes an item some time after this passes, so reads must check it too. */
export const LEDGER_TABLE_TTL_ATTRIBUTE = 'expiresAt';

/** Key schema in the form both CDK (`AttributeType.STRING` is `'S'`) and CreateTable accept. */
export const LEDGER_TABLE_KEY_SCHEMA = {
  partitionKey: { name: LEDGER_TABLE_PARTITION_KEY, type: 'S' },
  sortKey: { name: LEDGER_TABLE_SORT_KEY, type: 'S' },
  timeToLiveAttribute: LEDGER_TABLE_TTL_ATTRIBUTE,
} as const;

/** Partition key prefix of ledger entries (the audit trail). */
export const LEDGER_PARTITION_PREFIX = 'TARGET#';
/** Partition key prefix of lock items. */
export const LOCK_PARTITION_PREFIX = 'LOCK#';
/** Partition key prefix of the last notice per target (notification de-duplication). */
export const NOTICE_PARTITION_PREFIX = 'NOTICE#';
/** Partition key prefix of the runs a busy lock turned away. */
export const TURNED_AWAY_PARTITION_PREFIX = 'TURNED_AWAY#';
export const NOTICE_SORT_KEY = 'LAST';
const LEDGER_PREFIX = 'LEDGER#';
const REFUSAL_PREFIX = 'REFUSAL#';
/** Partition key prefix of pauses and of their history. */
export const PAUSE_PARTITION_PREFIX = 'PAUSE#';
export const PAUSE_SORT_KEY = 'PAUSE';
/** Partition key prefix of approval requests and decisions. */
export const APPROVAL_PARTITION_PREFIX = 'APPROVAL#';
const APPROVAL_WAITING_SORT_KEY = 'WAITING';
const EVENT_PREFIX = 'EVENT#';
/** Partition key prefix of the fleet's run slots (fleet.maxConcurrentRuns), all in one partition so one Query reads them. */
export const FLEET_SLOT_PARTITION_PREFIX = 'FLEET_SLOT#';
const FLEET_SLOT_PARTITION_KEY = `${FLEET_SLOT_PARTITION_PREFIX}fleet`;
const FLEET_SLOT_SORT_PREFIX = 'SLOT#';
/** Partition key prefix of the fleet's changes (fleet.maxChangesPerHour), all in one partition so one Query counts them. */
export const FLEET_CHANGE_PARTITION_PREFIX = 'FLEET_CHANGE#';
const FLEET_CHANGE_PARTITION_KEY = `${FLEET_CHANGE_PARTITION_PREFIX}fleet`;
/**
 * Partition key prefix of the fleet's change slots (fleet.maxChangesPerHour): the apply step claims one
 * before each changing call, so the cap holds whatever the races (adapters/dynamodb-fleet-changes.ts).
 */
export const FLEET_CHANGE_SLOT_PARTITION_PREFIX = 'FLEET_CHANGE_SLOT#';
const FLEET_CHANGE_SLOT_PARTITION_KEY = `${FLEET_CHANGE_SLOT_PARTITION_PREFIX}fleet`;
export const LOCK_SORT_KEY = 'LOCK';

/** How long ledger entries are kept: past every guardrail window (the longest is a day), for audits. */
export const DEFAULT_LEDGER_RETENTION_DAYS = 30;

export interface LedgerTableKey {
  readonly pk: string;
  readonly sk: string;
}

export function targetPartitionKey(target: string): string {
  if (!target) throw new InvalidRequestError('target name must not be empty', { action: 'LedgerKey' });
  return `${LEDGER_PARTITION_PREFIX}${target}`;
}

/**
 * ISO times sort as text only in one format: `...:00Z` sorts after `...:00.500Z`. Keys always use
 * `Date#toISOString()` (milliseconds, UTC) so the sort key order is the time order.
 */
export function canonicalIsoTime(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) {
    throw new InvalidRequestError(`"${iso}" is not an ISO-8601 time`, { action: 'LedgerKey' });
  }
  return new Date(time).toISOString();
}

export function ledgerItemKey(target: string, atIso: string, unique: string): LedgerTableKey {
  if (!unique) throw new InvalidRequestError('unique part must not be empty', { action: 'LedgerKey' });
  return { pk: targetPartitionKey(target), sk: `${LEDGER_PREFIX}${canonicalIsoTime(atIso)}#${unique}` };
}

export function lockItemKey(target: string): LedgerTableKey {
  if (!target) throw new InvalidRequestError('target name must not be empty', { action: 'LedgerKey' });
  return { pk: `${LOCK_PARTITION_PREFIX}${target}`, sk: LOCK_SORT_KEY };
}

export function noticeItemKey(target: string): LedgerTableKey {
  if (!target) throw new InvalidRequestError('target name must not be empty', { action: 'LedgerKey' });
  return { pk: `${NOTICE_PARTITION_PREFIX}${target}`, sk: NOTICE_SORT_KEY };
}

export function turnedAwayItemKey(target: string, atIso: string, executionId: string): LedgerTableKey {
  if (!target) throw new InvalidRequestError('target name must not be empty', { action: 'LedgerKey' });
  if (!executionId) throw new InvalidRequestError('execution id must not be empty', { action: 'LedgerKey' });
  return { pk: `${TURNED_AWAY_PARTITION_PREFIX}${target}`, sk: `${canonicalIsoTime(atIso)}#${executionId}` };
}

/**
 * Inclusive sort key bounds for the ledger entries at or after `sinceIso`. The upper bound stops
 * short of any non-ledger sort key in the partition, such as `LOCK` (locks written before they had
 * a partition of their own).
 */
export function ledgerSortKeyRange(sinceIso: string): { readonly from: string; readonly to: string } {
  return { from: `${LEDGER_PREFIX}${canonicalIsoTime(sinceIso)}`, to: `${LEDGER_PREFIX}~` };
}

/**
 * One guardrail refusal of a run's plan. The run's start time leads, so the history reads a span by
 * key; the execution, the guardrail and the refusal's index make it the same key when the task is retried.
 */
export function refusalItemKey(
  target: string,
  refusal: {
    readonly runStartedAt: string;
    readonly executionId: string;
    readonly guardrail: string;
    readonly index: number;
  },
): LedgerTableKey {
  if (!refusal.executionId) {
    throw new InvalidRequestError('execution id must not be empty', { action: 'LedgerKey' });
  }
  const at = canonicalIsoTime(refusal.runStartedAt);
  return {
    pk: targetPartitionKey(target),
    sk: `${REFUSAL_PREFIX}${at}#${refusal.executionId}#${refusal.guardrail}#${refusal.index}`,
  };
}

/** Inclusive sort key bounds of the refusals of the runs started at or after `sinceIso`. */
export function refusalSortKeyRange(sinceIso: string): { readonly from: string; readonly to: string } {
  return { from: `${REFUSAL_PREFIX}${canonicalIsoTime(sinceIso)}`, to: `${REFUSAL_PREFIX}~` };
}

/** TTL value for an item that should disappear `seconds` after `from`. */
export function expiresAtEpochSeconds(from: Date, seconds: number): number {
  return Math.floor(from.getTime() / 1000) + seconds;
}

/** The item that holds the pause of a target, or of every target (scope `*`), while it is set. */
export function pauseItemKey(scope: string): LedgerTableKey {
  if (!scope) throw new InvalidRequestError('pause scope must not be empty', { action: 'LedgerKey' });
  return { pk: `${PAUSE_PARTITION_PREFIX}${scope}`, sk: PAUSE_SORT_KEY };
}

/** One pause or resume of a scope, kept for the history. */
export function pauseEventKey(scope: string, atIso: string, unique: string): LedgerTableKey {
  if (!unique) throw new InvalidRequestError('unique part must not be empty', { action: 'LedgerKey' });
  return { pk: pauseItemKey(scope).pk, sk: `${EVENT_PREFIX}${canonicalIsoTime(atIso)}#${unique}` };
}

/** The request of the run of a target that waits for a decision. */
export function approvalRequestKey(target: string): LedgerTableKey {
  if (!target) throw new InvalidRequestError('target name must not be empty', { action: 'LedgerKey' });
  return { pk: `${APPROVAL_PARTITION_PREFIX}${target}`, sk: APPROVAL_WAITING_SORT_KEY };
}

/** One decision on (or timeout of) a target's approval request, kept for the history. */
export function approvalEventKey(target: string, atIso: string, unique: string): LedgerTableKey {
  if (!unique) throw new InvalidRequestError('unique part must not be empty', { action: 'LedgerKey' });
  return { pk: approvalRequestKey(target).pk, sk: `${EVENT_PREFIX}${canonicalIsoTime(atIso)}#${unique}` };
}

/** Inclusive sort key bounds of the pause or approval events at or after `sinceIso`. */
export function eventSortKeyRange(sinceIso: string): { readonly from: string; readonly to: string } {
  return { from: `${EVENT_PREFIX}${canonicalIsoTime(sinceIso)}`, to: `${EVENT_PREFIX}~` };
}

/** The partition that holds every fleet run slot. */
export function fleetSlotPartitionKey(): string {
  return FLEET_SLOT_PARTITION_KEY;
}

/** Fleet run slot `index` (0-based); zero-padded so the slots sort in order. */
export function fleetSlotKey(index: number): LedgerTableKey {
  if (!Number.isInteger(index) || index < 0) {
    throw new InvalidRequestError(`fleet slot index must be a whole number >= 0, got ${index}`, {
      action: 'LedgerKey',
    });
  }
  return { pk: FLEET_SLOT_PARTITION_KEY, sk: `${FLEET_SLOT_SORT_PREFIX}${String(index).padStart(4, '0')}` };
}

/** The index of the fleet slot a sort key names (see {@link fleetSlotKey}); undefined for any other key. */
export function fleetSlotIndex(sk: string): number | undefined {
  const match = /^SLOT#(\d+)$/.exec(sk);
  return match ? Number(match[1]) : undefined;
}

/** The partition that holds every fleet change. */
export function fleetChangePartitionKey(): string {
  return FLEET_CHANGE_PARTITION_KEY;
}

/**
 * One changing call of the fleet: its time leads, so the changes since a time are one key range;
 * the execution and the step make it the same key when the step is retried.
 */
export function fleetChangeKey(change: {
  readonly at: string;
  readonly executionId: string;
  readonly step: number;
}): LedgerTableKey {
  if (!change.executionId) throw new InvalidRequestError('execution id must not be empty', { action: 'LedgerKey' });
  if (!Number.isInteger(change.step) || change.step < 0) {
    throw new InvalidRequestError(`fleet change step must be a whole number >= 0, got ${change.step}`, {
      action: 'LedgerKey',
    });
  }
  return {
    pk: FLEET_CHANGE_PARTITION_KEY,
    sk: `${canonicalIsoTime(change.at)}#${change.executionId}#${String(change.step).padStart(4, '0')}`,
  };
}

/** Inclusive sort key bounds of the fleet changes at or after `sinceIso`. */
export function fleetChangeSortKeyRange(sinceIso: string): { readonly from: string; readonly to: string } {
  return { from: canonicalIsoTime(sinceIso), to: '~' };
}

/** The partition that holds every fleet change slot. */
export function fleetChangeSlotPartitionKey(): string {
  return FLEET_CHANGE_SLOT_PARTITION_KEY;
}

/** Fleet change slot `index` (0-based), numbered as the run slots are. */
export function fleetChangeSlotKey(index: number): LedgerTableKey {
  return { pk: FLEET_CHANGE_SLOT_PARTITION_KEY, sk: fleetSlotKey(index).sk };
}

/**
 * Who holds a fleet change slot: the execution, its round and the step's index in the round's plan,
 * so a retried step finds its own slot and the same index in a later round is another change.
 */
export function fleetChangeClaimOwner(change: {
  readonly executionId: string;
  readonly round: number;
  readonly step: number;
}): string {
  return `${change.executionId}#${change.round}#${change.step}`;
}

/** Inclusive sort key bounds of every fleet change slot. */
export function fleetChangeSlotSortKeyRange(): { readonly from: string; readonly to: string } {
  return { from: FLEET_SLOT_SORT_PREFIX, to: `${FLEET_SLOT_SORT_PREFIX}~` };
}
