import type { LedgerEntry } from '../../lambdas/domain/model';
import { InMemoryLedger as SimulatorLedger } from '../../sim/adapters';
import { FailureQueue } from './failures';

/** The simulator's in-memory ledger, with failures a test can queue. */
export class InMemoryLedger extends SimulatorLedger {
  readonly failures = new FailureQueue<'record' | 'list'>();

  override async record(entry: LedgerEntry): Promise<void> {
    this.failures.throwIfQueued('record');
    await super.record(entry);
  }

  override async list(target: string, sinceIso: string): Promise<LedgerEntry[]> {
    this.failures.throwIfQueued('list');
    return super.list(target, sinceIso);
  }
}
