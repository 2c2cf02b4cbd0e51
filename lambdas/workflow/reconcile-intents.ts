/**
 * Settling open intents: a changing call whose result the ledger does not hold (its run died between
 * the call and the result) is judged from the resource's own description, and the result is written,
 * so cooldown, budget and messages count what AWS did. Run by whatever next reads the target's ledger:
 * the apply step (its own earlier attempts), the assess task (any run's), the run-ended function (the
 * dying run's).
 */
import { LEDGER_LOOKBACK_MS } from '../domain/collect';
import { openIntents, reconcileIntent, resultEntryFor, type DescribedResource } from '../domain/ledger-intents';
import type { LedgerEntry } from '../domain/model';
import { parseAppState, parseStreamState } from '../domain/snapshot';
import type { ApplicationControl, Clock, Ledger, StreamControl } from '../ports';
import { ResourceNotFoundError } from '../ports/errors';

export interface ReconcilePorts {
  readonly ledger: Ledger;
  readonly streams?: StreamControl;
  readonly applications?: ApplicationControl;
  readonly clock: Clock;
}

export interface ReconcileOptions {
  /** Only this execution's intents. */
  readonly executionId?: string;
  /** The target's entries, when the caller has just read them. */
  readonly entries?: readonly LedgerEntry[];
  /** The resource as the caller has just described it; otherwise each intent's resource is described. */
  readonly described?: DescribedResource;
}

/** Describes the resource a ledger entry names; a resource that is gone is said so, not thrown. */
export async function describeLedgerResource(ports: ReconcilePorts, resource: string): Promise<DescribedResource> {
  const [kind, ...rest] = resource.split('/');
  const name = rest.join('/');
  try {
    if (kind === 'stream') {
      if (!ports.streams) return { unreadable: 'no stream control is configured' };
      return { stream: parseStreamState(await ports.streams.describeStreamSummary(name)) };
    }
    if (!ports.applications) return { unreadable: 'no application control is configured' };
    return { app: parseAppState(await ports.applications.describeApplication(name)) };
  } catch (error) {
    if (error instanceof ResourceNotFoundError) return { unreadable: `${resource} does not exist (deleted)` };
    throw error;
  }
}

/** Writes a result for every open intent of the target (or of one execution); returns the results written. */
export async function reconcileOpenIntents(
  ports: ReconcilePorts,
  target: string,
  options: ReconcileOptions = {},
): Promise<LedgerEntry[]> {
  const entries =
    options.entries ??
    (await ports.ledger.list(target, new Date(ports.clock.now().getTime() - LEDGER_LOOKBACK_MS).toISOString()));
  const open = openIntents(entries).filter(
    (intent) => options.executionId === undefined || intent.executionId === options.executionId,
  );
  const described = new Map<string, DescribedResource>();
  const written: LedgerEntry[] = [];
  for (const intent of open) {
    let resource = options.described ?? described.get(intent.resource);
    if (!resource) {
      resource = await describeLedgerResource(ports, intent.resource);
      described.set(intent.resource, resource);
    }
    const reconciliation = reconcileIntent(intent, resource);
    const result = resultEntryFor(
      intent,
      { ...reconciliation, detail: `settled from the resource's description: ${reconciliation.detail}` },
      ports.clock.now(),
    );
    await ports.ledger.record(result);
    written.push(result);
  }
  return written;
}
