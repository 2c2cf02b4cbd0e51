/**
 * An application that never comes back after StreamMedic's parallelism update, played through the
 * synthesized workflow: the wait runs out, the run rolls the application back once, records the
 * rollback as a revert, tells on-call and releases the lock.
 */
import { openIntents } from '../../../lambdas/domain/ledger-intents';
import { playScenario, type Playthrough } from '../../../sim/run/player';
import { synthesizedWorkflow } from '../../../sim/run/workflow-template';
import { resolveScenario } from '../../../sim/scenario';

beforeAll(() => {
  synthesizedWorkflow();
});

const MINUTE_MS = 60_000;

describe('fault-update-stuck: the parallelism update never finishes', () => {
  let play: Playthrough;
  beforeAll(async () => {
    play = await playScenario(resolveScenario('fault-update-stuck'));
  });

  const changingCalls = () =>
    play.world
      .apiCalls()
      .filter((c) => (c.api === 'UpdateApplication' || c.api === 'RollbackApplication') && c.outcome === 'ok')
      .map((c) => ({ api: c.api, minute: (c.at - play.world.startMs) / MINUTE_MS }));

  it('meets its stated expectation', () => {
    expect(play.expectation!.misses).toEqual([]);
  });

  it('rolls the application back once, after the wait for the update ran out, and the job runs again at its old parallelism', () => {
    const calls = changingCalls();
    expect(calls.map((c) => c.api)).toEqual(['UpdateApplication', 'RollbackApplication']);
    const failed = play.runs.filter((r) => r.status === 'FAILED');
    expect(failed).toHaveLength(1);
    expect(play.world.app!.describe().ApplicationDetail.ApplicationStatus).toBe('RUNNING');
    expect(play.world.app!.currentParallelism).toBe(4);
  });

  it('records the rollback in the ledger as a revert, intent and result, with nothing left open', () => {
    const entries = play.world.ledger.all();
    expect(openIntents(entries)).toEqual([]);
    expect(entries.map((e) => [e.phase, e.from, e.to, e.kind, e.result])).toEqual([
      ['intent', 4, expect.any(Number), undefined, undefined],
      ['result', 4, expect.any(Number), undefined, 'made'],
      ['intent', expect.any(Number), 4, 'revert', undefined],
      ['result', expect.any(Number), 4, 'revert', 'made'],
    ]);
    expect(entries[2]!.from).toBe(entries[0]!.to);
  });

  it('tells on-call the application was rolled back, then holds the same move for a person', () => {
    const [first, ...later] = play.world.notifier.messages().map((m) => m.message);
    expect(first!.body).toMatch(
      /^ACTION REQUIRED: application orders-enricher did not come back after the update \(UPDATING\); StreamMedic rolled it back: RollbackApplication to its version before the change \(parallelism \d+ -> 4\)/,
    );
    expect(first!.body).toContain('ResourceNotReadyError: application orders-enricher is still UPDATING');
    // The same move is then held for a person, not made and rolled back again.
    const fromRuns = later.filter((m) => !m.subject.includes('run ended'));
    expect(fromRuns.length).toBeGreaterThan(0);
    for (const message of fromRuns) expect(message.body).toContain('stopped by the "reverted" guardrail');
  });

  it('ends the failed run on its own path: rollback, message, lock released', async () => {
    const [failed] = play.runs.filter((r) => r.status === 'FAILED');
    const rollbackAt = failed!.states.indexOf('RollBackStuckApplication');
    expect(failed!.states.slice(rollbackAt - 1)).toEqual([
      'CheckResource',
      'RollBackStuckApplication',
      'Notify',
      'ReleaseLock',
      'HowDidItEnd',
      'RemediationFailed',
    ]);
    expect(await play.world.lock.ownerOf('orders')).toBeUndefined();
  });
});
