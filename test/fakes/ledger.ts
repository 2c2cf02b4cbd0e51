import type { LedgerEntry } from '../../lambdas/domain/model';
import type { Ledger } from '../../lambdas/ports';
import { FailureQueue } from './failures';

export class InMemoryLedger implements Ledger {
  readonly entries: LedgerEntry[] = [];
  readonly failures = new FailureQueue<'record' | 'list'>();

  constructor(initial: readonly LedgerEntry[] = []) {
    this.entries.push(...initial);
  }

  async record(entry: LedgerEntry): Promise<void> {
    this.failures.throwIfQueued('record');
    this.entries.push({ ...entry });
  }

  async list(target: string, sinceIso: string): Promise<LedgerEntry[]> {
    this.failures.throwIfQueued('list');
    const since = Date.parse(sinceIso);
    return this.entries
      .filter((e) => e.target === target && Date.parse(e.at) >= since)
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
      .map((e) => ({ ...e }));
  }
}
