/**
 * Faults injected into a whole incident, played through the synthesized workflow: what on-call is
 * told, what the ledger holds, and that the next incident is still handled.
 */
import { changesOf, openIntents } from '../../../lambdas/domain/ledger-intents';
import { historyByResource } from '../../../lambdas/domain/history';
import { playScenario, type Playthrough } from '../../../sim/run/player';
import { synthesizedWorkflow } from '../../../sim/run/workflow-template';
import { resolveScenario } from '../../../sim/scenario';

beforeAll(() => {
  synthesizedWorkflow();
});

const bodies = (play: Playthrough): string[] =>
  play.world.notifier.messages().map((m) => `${m.message.subject}\n${m.message.body}`);

describe('the apply function dies between the reshard and the ledger write', () => {
  let play: Playthrough;
  beforeAll(async () => {
    play = await playScenario(resolveScenario('fault-apply-crash'));
  });

  it('meets its stated expectation', () => {
    expect(play.expectation!.misses).toEqual([]);
  });

  it('never tells on-call the run failed before any change, and the run-ended report says the change was made', () => {
    const [own, ended] = bodies(play);
    expect(own).not.toContain('before any change was made');
    // About 5,000 records/s at 800 a shard (the write utilisation) = 7 shards.
    expect(own).toContain('MAY HAVE BEEN MADE (its result was not recorded): UpdateShardCount 4 -> 7');
    expect(ended).toContain('run ended FAILED');
    expect(ended).toMatch(/UpdateShardCount 4 -> 7 on stream\/orders-stream \(requested [^)]+\): MADE/);
  });

  it('leaves the ledger matching what Kinesis did: the crashed reshard settled as made, every call counted once', () => {
    const entries = play.world.ledger.all();
    expect(openIntents(entries)).toEqual([]);
    const accepted = play.world.apiCalls().filter((c) => c.api === 'UpdateShardCount' && c.outcome === 'ok');
    const changes = changesOf(entries);
    expect(changes.map((e) => [e.from, e.to])).toEqual(accepted.map((c) => [c.change!.from, c.change!.to]));
    const crashed = play.runs.find((r) => r.status === 'FAILED')!;
    expect(entries.filter((e) => e.executionId === crashed.executionArn).map((e) => [e.phase, e.result])).toEqual([
      ['intent', undefined],
      ['result', 'made'],
    ]);
    const history = historyByResource(entries, play.world.endMs)('stream/orders-stream');
    expect(history.callsLastDay).toBe(accepted.length);
  });

  it('handles the next incident: a later run takes the lock and reshards from where the crashed one left the stream', () => {
    const later = play.runs.filter((r) => r.status === 'SUCCEEDED' && r.lockAcquired);
    expect(later.length).toBeGreaterThan(0);
    const steps = later.flatMap((r) => r.rounds.flatMap((round) => round.applied));
    expect(steps[0]!.step).toMatchObject({ type: 'UpdateShardCount', from: 7 });
    expect(play.world.lock.holder('orders')).toBeUndefined();
  });
});

describe('Kinesis throttles every DescribeStreamSummary for ten minutes right after a reshard', () => {
  let play: Playthrough;
  beforeAll(async () => {
    play = await playScenario(resolveScenario('fault-describe-throttled'));
  });

  it('meets its stated expectation', () => {
    expect(play.expectation!.misses).toEqual([]);
  });

  it('keeps checking through the throttling instead of giving up, then makes the second step and reports it resolved', () => {
    const throttled = play.world
      .apiCalls()
      .filter((c) => c.api === 'DescribeStreamSummary' && c.outcome === 'ThrottlingError');
    // A check every 30 s for ten minutes, none of them retried by a retrier.
    expect(throttled.length).toBeGreaterThanOrEqual(19);
    const [run] = play.runs;
    expect(run!.status).toBe('SUCCEEDED');
    expect(run!.paused.filter((p) => p.reason.kind === 'retry')).toEqual([]);
    expect(run!.rounds[0]!.applied.map((a) => a.outcome)).toEqual(['requested', 'requested']);
    expect(bodies(play)).toEqual([expect.stringContaining('Resolved')]);
  });

  it('leaves every change of the run recorded as made', () => {
    const entries = play.world.ledger.all();
    expect(openIntents(entries)).toEqual([]);
    expect(changesOf(entries).map((e) => [e.from, e.to])).toEqual([
      [4, 8],
      [8, 10],
    ]);
  });
});

describe('reshards so slow that the plan would outlast the two-hour timeout', () => {
  let play: Playthrough;
  beforeAll(async () => {
    play = await playScenario(resolveScenario('fault-slow-reshards'));
  });

  it('meets its stated expectation', () => {
    expect(play.expectation!.misses).toEqual([]);
  });

  it('makes the calls that fit in the time budget, stops before the one that does not, and ends on its own path', () => {
    const [run] = play.runs;
    expect(run!.status).toBe('FAILED');
    expect(run!.error).toBe('TimeBudgetError');
    expect(run!.endedAt! - run!.startedAt).toBeLessThan(2 * 60 * 60 * 1000);
    expect(run!.states.at(-1)).toBe('RemediationFailed');
    expect(play.world.lock.holder('orders')).toBeUndefined();
    const [own] = bodies(play);
    expect(own).toMatch(/NOT DONE: UpdateShardCount orders-stream 128 -> \d+ shards \(call 6 of 6\)/);
    expect(own).toMatch(/the run has \d+ min left of its 120-min timeout/);
  });

  it('records every call it made, and nothing it did not make; the sweep makes the step it left', () => {
    const entries = play.world.ledger.all();
    expect(openIntents(entries)).toEqual([]);
    const [first] = play.runs;
    const changes = changesOf(entries);
    expect(changes.filter((e) => e.executionId === first!.executionArn).map((e) => e.to)).toEqual([8, 16, 32, 64, 128]);
    const rest = changes.filter((e) => e.executionId !== first!.executionArn);
    expect(rest).toHaveLength(1);
    expect(rest[0]).toMatchObject({ from: 128 });
    expect(rest[0]!.to).toBeGreaterThan(128);
    const finisher = play.runs.find((r) => r.executionArn === rest[0]!.executionId);
    expect(finisher!.trigger).toMatch(/sweep/);
  });
});

describe('DynamoDB fails every release of the lock the first run makes; a second incident an hour later', () => {
  let play: Playthrough;
  beforeAll(async () => {
    play = await playScenario(resolveScenario('fault-stuck-lock'));
  });

  it('meets its stated expectation', () => {
    expect(play.expectation!.misses).toEqual([]);
  });

  it('frees the lock the failed unlock left, tells on-call, and lets the next incident act long before the TTL', () => {
    // The runs the alarms started; the sweep's runs in between find the target busy or already told.
    const byAlarm = play.runs.filter((r) => r.trigger.startsWith('alarm'));
    const first = byAlarm[0];
    // Alarms that fire while the first run still holds the lock are turned away as busy; the second
    // incident's alarm comes after that run has ended.
    const second = byAlarm.find((r) => r.startedAt > first!.endedAt!);
    expect(first!.status).toBe('FAILED');
    expect(first!.states.at(-1)).toBe('UnlockFailed');
    expect(bodies(play)[1]).toContain('The lock on orders was still held by this run and is now released');
    expect(second!.lockAcquired).toBe(true);
    // The lock's TTL is the two-hour timeout plus ten minutes; the second run came much sooner.
    expect(second!.startedAt - first!.endedAt!).toBeLessThan(130 * 60 * 1000);
    expect(second!.rounds[0]!.applied.map((a) => a.outcome)).toEqual(['requested']);
    expect(play.world.lock.holder('orders')).toBeUndefined();
  });

  it('records both changes in the ledger, each once', () => {
    const entries = play.world.ledger.all();
    expect(openIntents(entries)).toEqual([]);
    expect(changesOf(entries).map((e) => [e.from, e.to])).toEqual([
      [4, 9],
      [9, 19],
    ]);
  });
});

describe('SNS down for a whole incident', () => {
  let play: Playthrough;
  beforeAll(async () => {
    play = await playScenario(resolveScenario('fault-sns-failing'));
  });

  it('still makes the fix, records it, and frees the lock though no message can be sent', () => {
    expect(play.expectation!.misses).toEqual([]);
    expect(play.world.notifier.messages()).toEqual([]);
    const [run] = play.runs;
    expect(run!.states.at(-1)).toBe('NotificationFailed');
    expect(openIntents(play.world.ledger.all())).toEqual([]);
    expect(changesOf(play.world.ledger.all()).map((e) => e.actionType)).toEqual(['UpdateApplicationParallelism']);
    expect(play.world.lock.holder('orders')).toBeUndefined();
  });
});

describe('forged and dry-run alarm events, then a real incident', () => {
  let play: Playthrough;
  beforeAll(async () => {
    play = await playScenario(resolveScenario('fault-forged-events'));
  });

  it('meets its stated expectation', () => {
    expect(play.expectation!.misses).toEqual([]);
  });

  it('refuses the dry-run and the unconfigured alarm events at intake: no lock, no call, on-call told', () => {
    const [dryRun, unconfigured] = play.runs;
    for (const run of [dryRun!, unconfigured!]) {
      expect(run.status).toBe('FAILED');
      expect(run.error).toBe('InvalidInputError');
      expect(run.states).toEqual(['Intake']);
      expect(run.lockAcquired).toBeUndefined();
    }
    expect(bodies(play)[0]).toContain('the input was refused at dryRun');
  });

  it('never passes the link in a forged reason to on-call', () => {
    expect(bodies(play).join('\n')).not.toContain('evil.example.com');
    expect(play.runs[2]!.rounds[0]!.assessment.report.diagnosis.cause).toBe('HEALTHY');
  });

  it('handles the real incident that follows with one change, recorded as made', () => {
    const changes = changesOf(play.world.ledger.all());
    expect(changes.map((e) => [e.actionType, e.from, e.to])).toEqual([['UpdateApplicationParallelism', 4, 9]]);
    expect(openIntents(play.world.ledger.all())).toEqual([]);
  });
});
