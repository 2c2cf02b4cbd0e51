/**
 * Intent before action: the apply step records what it will change (an `intent` entry) before the
 * changing call and whether AWS made it (a `result` entry) after. A run that dies between the two
 * leaves an open intent; whoever next reads the ledger for the target settles it from the resource's
 * own description, so the ledger, the guardrails and the messages say what AWS did.
 */
import type { AppState, ChangeResult, LedgerEntry, StreamState } from './model';

function intentKey(executionId: string | undefined, atIso: string): string {
  return `${executionId ?? ''}|${Date.parse(atIso)}`;
}

function resultsByIntent(entries: readonly LedgerEntry[]): Map<string, LedgerEntry> {
  const results = new Map<string, LedgerEntry>();
  for (const entry of entries) {
    if (entry.phase === 'result' && entry.intentAt) results.set(intentKey(entry.executionId, entry.intentAt), entry);
  }
  return results;
}

/** Intents whose result is not recorded: the call may or may not have been made. */
export function openIntents(entries: readonly LedgerEntry[]): LedgerEntry[] {
  const results = resultsByIntent(entries);
  return entries.filter((e) => e.phase === 'intent' && !results.has(intentKey(e.executionId, e.at)));
}

/**
 * The changes a ledger records, each once and dated when it was requested: entries recorded whole,
 * and intents whose result is made, unknown or not recorded yet. A change that may have been made
 * counts against cooldown and budget until the resource shows otherwise; intents AWS refused, and the
 * result entries themselves, are left out.
 */
export function changesOf(entries: readonly LedgerEntry[]): LedgerEntry[] {
  const results = resultsByIntent(entries);
  return entries.filter((entry) => {
    if (entry.phase === 'result') return false;
    if (entry.phase !== 'intent') return true;
    return results.get(intentKey(entry.executionId, entry.at))?.result !== 'not-made';
  });
}

/** What the resource's description says about an intent. */
export interface Reconciliation {
  readonly result: ChangeResult;
  readonly detail: string;
  /** The AWS exception a refused call was answered with. */
  readonly awsError?: string;
}

/** What is known of the resource an intent names: its description, or that it could not be described. */
export interface DescribedResource {
  readonly stream?: StreamState;
  readonly app?: AppState;
  /** Why the resource could not be described (deleted, access denied). */
  readonly unreadable?: string;
}

function reconcileStream(intent: LedgerEntry, stream: StreamState): Reconciliation {
  const seen = `stream ${stream.name} is ${stream.status}`;
  if (intent.actionType === 'UpdateShardCount') {
    const shards = `${seen} with ${stream.openShards} open shards`;
    if (stream.openShards === intent.to) return { result: 'made', detail: `${shards}, as the change asked` };
    if (stream.status === 'UPDATING') return { result: 'made', detail: `${shards}: a reshard is in progress` };
    if (stream.openShards === intent.from && stream.status === 'ACTIVE') {
      return { result: 'not-made', detail: `${shards}, as before the change` };
    }
    return { result: 'unknown', detail: `${shards}, neither ${intent.from} nor ${intent.to}` };
  }
  const hours = `${seen} with ${stream.retentionHours} h retention`;
  if (intent.to !== undefined && stream.retentionHours >= intent.to) {
    return { result: 'made', detail: `${hours}, as the change asked` };
  }
  if (stream.retentionHours === intent.from) return { result: 'not-made', detail: `${hours}, as before the change` };
  return { result: 'unknown', detail: hours };
}

function reconcileApplication(intent: LedgerEntry, app: AppState): Reconciliation {
  const seen = `application ${app.name} is ${app.status} at version ${app.versionId} with parallelism ${app.parallelism}`;
  const before = intent.applicationVersionId;
  // Every UpdateApplication moves the version on, so the version tells whether one went in.
  if (before !== undefined) {
    if (app.versionId === before)
      return { result: 'not-made', detail: `${seen}, the version the change was made against` };
    if (app.versionId > before)
      return { result: 'made', detail: `${seen}; the change was made against version ${before}` };
  }
  if (intent.actionType === 'UpdateApplicationParallelism') {
    if (app.parallelism === intent.to) return { result: 'made', detail: `${seen}, as the change asked` };
    if (app.parallelism === intent.from) return { result: 'not-made', detail: `${seen}, as before the change` };
  }
  return { result: 'unknown', detail: seen };
}

/** Settles an open intent from the resource as it is now described. */
export function reconcileIntent(intent: LedgerEntry, resource: DescribedResource): Reconciliation {
  if (intent.resource.startsWith('stream/') && resource.stream) return reconcileStream(intent, resource.stream);
  if (intent.resource.startsWith('application/') && resource.app) return reconcileApplication(intent, resource.app);
  return {
    result: 'unknown',
    detail: `${intent.resource} could not be described: ${resource.unreadable ?? 'no description'}`,
  };
}

/** The entry that closes an intent. */
export function resultEntryFor(intent: LedgerEntry, reconciliation: Reconciliation, at: Date): LedgerEntry {
  const { phase: _phase, applicationVersionId: _version, detail: _detail, ...change } = intent;
  return {
    ...change,
    at: at.toISOString(),
    phase: 'result',
    result: reconciliation.result,
    intentAt: intent.at,
    calls: 0,
    detail: reconciliation.detail,
    ...(reconciliation.awsError ? { awsError: reconciliation.awsError } : {}),
  };
}

/** An intent in words, for messages: the change it asked for on its resource. */
export function describeIntent(intent: LedgerEntry): string {
  const fromTo = intent.from !== undefined && intent.to !== undefined ? ` ${intent.from} -> ${intent.to}` : '';
  return `${intent.actionType}${fromTo} on ${intent.resource} (requested ${intent.at})`;
}
