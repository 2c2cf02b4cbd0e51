/**
 * After the wait for an updated application ended in failure (it never came back RUNNING): one
 * RollbackApplication call when the domain says so, recorded in the ledger as a revert (intent
 * before the call, result after), so budgets, the `reverted` guardrail and reconciliation count it.
 */
import { resultEntryFor } from '../domain/ledger-intents';
import type { LedgerEntry } from '../domain/model';
import type { Progress, ResourceWait, RunContext } from '../domain/run-state';
import { parseAppState } from '../domain/snapshot';
import { decideStuckRollback, type StuckRollback } from '../domain/stuck-rollback';
import { ledgerEntryFor } from '../domain/work-steps';
import { refusedWithoutChange, required, type ApplyPorts } from './apply-step';

/** Returns what was done about the application, or undefined when the wait was not for an application this round updated. */
export async function rollBackStuckApplication(
  ports: ApplyPorts,
  run: Pick<RunContext, 'target' | 'executionId' | 'startedAt'>,
  wait: ResourceWait,
  progress: Progress,
): Promise<StuckRollback | undefined> {
  if (wait.awaiting.kind !== 'application') return undefined;
  const name = wait.awaiting.name;
  const applications = required(ports.applications, 'applications');
  const app = parseAppState(await applications.describeApplication(name));
  const ownEntries = (await ports.ledger.list(run.target, run.startedAt)).filter(
    (e) => e.executionId === run.executionId,
  );
  const decision = decideStuckRollback({ awaiting: wait.awaiting, progress, app, ownEntries });
  if (!decision) return undefined;
  if (decision.kind === 'leave') {
    return { application: name, status: app.status, outcome: 'not-rolled-back', reason: decision.reason };
  }
  const step = decision.step;
  const intent: LedgerEntry = {
    ...ledgerEntryFor(step, run, ports.clock.now()),
    phase: 'intent',
    applicationVersionId: app.versionId,
  };
  await ports.ledger.record(intent);
  // A rollback restarts the job like any change, so the fleet's hourly count includes it.
  await ports.fleetChanges.record({
    at: intent.at,
    target: run.target,
    executionId: run.executionId,
    step: progress.next,
  });
  try {
    await applications.rollbackApplication(name, app.versionId);
  } catch (error) {
    // Any other failure may come after the call went in: the intent stays open, and the message
    // says the rollback may have been made.
    if (!refusedWithoutChange(error)) throw error;
    const detail = `${error.name}: ${error.message}`;
    await ports.ledger.record(
      resultEntryFor(intent, { result: 'not-made', detail: `AWS refused it: ${detail}` }, ports.clock.now()),
    );
    return { application: name, status: app.status, outcome: 'not-rolled-back', reason: `AWS refused it: ${detail}` };
  }
  await ports.ledger.record(
    resultEntryFor(intent, { result: 'made', detail: 'AWS accepted the call' }, ports.clock.now()),
  );
  return {
    application: name,
    status: app.status,
    outcome: 'rolled-back',
    reason: `RollbackApplication to its version before the change (parallelism ${step.from} -> ${step.to}), restarted from its last snapshot`,
  };
}
