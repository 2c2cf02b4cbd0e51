/**
 * A change that made things worse, played through the synthesized workflow: the scale-up, the harm
 * verification finds, the revert made once, the ledger marking it, and what on-call is told.
 */
import { openIntents } from '../../../lambdas/domain/ledger-intents';
import { playScenario, type Playthrough, type RoundRecord } from '../../../sim/run/player';
import { synthesizedWorkflow } from '../../../sim/run/workflow-template';
import { resolveScenario } from '../../../sim/scenario';

beforeAll(() => {
  synthesizedWorkflow();
});

const MINUTE_MS = 60_000;

describe('reverted-change: a scale-up past the sink database writer limit halves what the job processes', () => {
  let play: Playthrough;
  beforeAll(async () => {
    play = await playScenario(resolveScenario('reverted-change'));
  });

  const parallelismCalls = (): { minute: number; from: number; to: number }[] =>
    play.world
      .apiCalls()
      .filter((c) => c.api === 'UpdateApplication' && c.outcome === 'ok' && c.change?.kind === 'parallelism')
      .map((c) => {
        const change = c.change as { from: { parallelism: number }; to: { parallelism: number } };
        return {
          minute: (c.at - play.world.startMs) / MINUTE_MS,
          from: change.from.parallelism,
          to: change.to.parallelism,
        };
      });

  /** What the job processed, per second, over the minutes the job ran at this parallelism. */
  const processedAt = (parallelism: number, fromMinute: number, toMinute: number): number[] =>
    play.world
      .samples()
      .slice(fromMinute, toMinute)
      .filter((s) => s.parallelism === parallelism && s.appDownSeconds === 0)
      .map((s) => s.processedRecordsPerSecond ?? 0);

  it('meets its stated expectation', () => {
    expect(play.expectation!.misses).toEqual([]);
  });

  it('scales up once, finds the job processes half as much behind its sink, and puts the parallelism back once', () => {
    const calls = parallelismCalls();
    expect(calls.map(({ from, to }) => [from, to])).toEqual([
      [4, 10],
      [10, 4],
    ]);
    const [scaleUp, revert] = calls;
    // Before: four busy subtasks, 4,000 records/s. After: ten writers on a four-connection pool.
    const before = processedAt(4, 31, Math.floor(scaleUp!.minute));
    const after = processedAt(10, Math.ceil(scaleUp!.minute), Math.floor(revert!.minute));
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    for (const rate of before) expect(rate).toBeCloseTo(4000, -1);
    for (const rate of after) expect(rate).toBeCloseTo(2000, -1);
    // Back at four subtasks, the job processes what it did before the change.
    const reverted = processedAt(4, Math.ceil(revert!.minute) + 2, play.scenario.durationMinutes);
    expect(reverted.length).toBeGreaterThan(10);
    for (const rate of reverted) expect(rate).toBeCloseTo(4000, -1);
  });

  const parallelismStepsOf = (round: RoundRecord): unknown[][] =>
    round.applied.map(({ step }) =>
      step.type === 'UpdateApplicationParallelism' ? [step.type, step.from, step.to, step.revert] : [step.type],
    );

  it('reverts within the run that made the change, naming the harm with its figures, and never again', () => {
    const withRevert = play.runs.filter((r) =>
      r.rounds.some((round) => round.applied.some(({ step }) => 'revert' in step && step.revert)),
    );
    expect(withRevert).toHaveLength(1);
    const [run] = withRevert;
    expect(run!.status).toBe('SUCCEEDED');
    const [change, undo] = run!.rounds;
    expect(parallelismStepsOf(change!)).toEqual([['UpdateApplicationParallelism', 4, 10, undefined]]);
    expect(change!.verification!.harm).toMatch(/SINK_BACKPRESSURE after the change.*processed 4000 -> 2000 records\/s/);
    expect(undo!.assessment.revert?.reason).toBe(change!.verification!.harm);
    expect(parallelismStepsOf(undo!)).toEqual([['UpdateApplicationParallelism', 10, 4, true]]);
    expect(run!.rounds).toHaveLength(2);
  });

  it('marks the revert in the ledger, intent and result, with nothing left open', () => {
    const entries = play.world.ledger.all();
    expect(openIntents(entries)).toEqual([]);
    expect(entries.map((e) => [e.phase, e.from, e.to, e.kind, e.result])).toEqual([
      ['intent', 4, 10, undefined, undefined],
      ['result', 4, 10, undefined, 'made'],
      ['intent', 10, 4, 'revert', undefined],
      ['result', 10, 4, 'revert', 'made'],
    ]);
  });

  it('tells on-call what was reverted and why, then holds the same move for a person while the job is still short', () => {
    const [first, ...later] = play.world.notifier.messages().map((m) => m.message);
    expect(first!.body).toContain(
      'ACTION REQUIRED: a change made things worse and StreamMedic reverted it (REVERT UpdateApplication orders-enricher parallelism 10 -> 4',
    );
    expect(first!.body).toContain('processed 4000 -> 2000 records/s after the scale-up');
    expect(later.length).toBeGreaterThan(0);
    for (const message of later) expect(message.body).toContain('stopped by the "reverted" guardrail');
    expect(play.world.app!.currentParallelism).toBe(4);
  });
});
