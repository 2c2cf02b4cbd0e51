/**
 * Mode `approve` through the synthesized workflow in the simulator: the run waits on its task token
 * until the scenario's operator answers (or the wait times out), and an approved plan is re-assessed
 * before it is applied.
 */
import { STATE_NAMES } from '../../../lib/remediation-workflow';
import { playScenario, type Playthrough } from '../../../sim/run/player';
import { synthesizedWorkflow } from '../../../sim/run/workflow-template';
import { resolveScenario, ScenarioSchema, type ScenarioInput } from '../../../sim/scenario';

beforeAll(() => {
  synthesizedWorkflow();
});

const MINUTE_MS = 60_000;

const minuteOf = (play: Playthrough, at: number): number => (at - play.world.startMs) / MINUTE_MS;
const messages = (play: Playthrough) => play.world.notifier.messages().map((m) => m.message);
const requests = (play: Playthrough) => messages(play).filter((m) => m.subject.startsWith('APPROVAL REQUIRED'));
const shardTargets = (play: Playthrough): number[] =>
  play.outcome.actions.flatMap((call) => (call.change?.kind === 'shards' ? [call.change.to] : []));
const decisions = (play: Playthrough) =>
  play.world.approvals.history.map(({ outcome, by, reason, at }) => ({
    outcome,
    by,
    ...(reason ? { reason } : {}),
    minute: minuteOf(play, Date.parse(at)),
  }));

describe('approve-approved: a plan approved while the run waits', () => {
  let play: Playthrough;
  beforeAll(async () => {
    play = await playScenario(resolveScenario('approve-approved'));
  });

  it('meets its stated expectation', () => {
    expect(play.expectation!.misses).toEqual([]);
  });

  it('waits on its token until the approval, re-assesses, then applies the plan as it was shown', () => {
    const run = play.runs.find((r) => r.states.includes(STATE_NAMES.requestApproval))!;
    const afterWait = run.states.slice(run.states.indexOf(STATE_NAMES.requestApproval) + 1);
    expect(afterWait[0]).toBe(STATE_NAMES.reassessApproved);
    expect(afterWait).not.toContain(STATE_NAMES.expireApproval);
    expect(decisions(play)).toEqual([
      { outcome: 'approved', by: 'alice', reason: 'matches the traffic dashboard', minute: 40 },
    ]);
    expect(play.outcome.actions.map((call) => minuteOf(play, call.at)).every((minute) => minute >= 40)).toBe(true);
    // About 6,000 records/s at 800 a shard = 8 shards: one doubling call.
    expect(requests(play)[0]!.subject).toContain('shards 4->8');
    expect(shardTargets(play)).toEqual([8]);
  });
});

describe('approve-denied: a plan denied while the run waits', () => {
  let play: Playthrough;
  beforeAll(async () => {
    play = await playScenario(resolveScenario('approve-denied'));
  });

  it('meets its stated expectation', () => {
    expect(play.expectation!.misses).toEqual([]);
  });

  it('changes nothing, records the denial with who and why, and tells on-call the same', () => {
    expect(play.outcome.actions).toEqual([]);
    expect(decisions(play)).toEqual([
      { outcome: 'denied', by: 'bob', reason: 'change freeze until 12:00', minute: 40 },
    ]);
    const refusal = messages(play).find((m) => m.subject.includes('Not approved'))!;
    expect(refusal.body).toContain('denied by bob: change freeze until 12:00');
    const run = play.runs.find((r) => r.states.includes(STATE_NAMES.requestApproval))!;
    expect(run.states).not.toContain(STATE_NAMES.reassessApproved);
    expect(minuteOf(play, run.endedAt!)).toBe(40);
  });
});

describe('approve-timeout: nobody answers', () => {
  let play: Playthrough;
  beforeAll(async () => {
    play = await playScenario(resolveScenario('approve-timeout'));
  });

  it('meets its stated expectation', () => {
    expect(play.expectation!.misses).toEqual([]);
  });

  it('refuses the plan when the 30-minute wait times out, changing nothing', () => {
    expect(play.outcome.actions).toEqual([]);
    expect(decisions(play)).toEqual([
      {
        outcome: 'timed-out',
        by: 'StreamMedic',
        reason: 'nobody approved or denied the plan before the wait timed out',
        minute: 62,
      },
    ]);
    const run = play.runs.find((r) => r.states.includes(STATE_NAMES.requestApproval))!;
    expect(run.states).toContain(STATE_NAMES.expireApproval);
    expect(run.status).toBe('SUCCEEDED');
  });

  it('does not ask again while the alarm holds: the sweep leaves the refused target alone', () => {
    expect(requests(play)).toHaveLength(1);
    const sweepRunsAfterRefusal = play.runs.filter(
      (r) => r.trigger.startsWith('sweep') && minuteOf(play, r.startedAt) > 62,
    );
    expect(sweepRunsAfterRefusal).toEqual([]);
  });
});

describe('approve-stale-plan: the traffic changes between the request and the approval', () => {
  let play: Playthrough;
  beforeAll(async () => {
    play = await playScenario(resolveScenario('approve-stale-plan'));
  });

  it('meets its stated expectation', () => {
    expect(play.expectation!.misses).toEqual([]);
  });

  it('asks again instead of applying the approved plan, and applies only the plan approved the second time', () => {
    const [first, second] = requests(play);
    // About 6,000 records/s at 800 a shard = 8 shards; after the second step about 9,060 = 12 shards.
    expect(first!.subject).toContain('shards 4->8');
    expect(second!.subject).toContain('shards 4->12');
    expect(decisions(play).map((d) => [d.outcome, d.minute])).toEqual([
      ['approved', 40],
      ['approved', 44],
    ]);
    expect(play.outcome.actions.every((call) => minuteOf(play, call.at) >= 44)).toBe(true);
    expect(shardTargets(play)).toEqual([8, 12]);
  });
});

describe('the approvals of a scenario', () => {
  const base = (): ScenarioInput => {
    const scenario = resolveScenario('approve-denied');
    return JSON.parse(JSON.stringify({ ...scenario, approvals: [] })) as ScenarioInput;
  };
  const refusal = (input: ScenarioInput): string[] => {
    const parsed = ScenarioSchema.safeParse(input);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('refuses a decision past the end, for another target, or for a target not in mode approve, naming the field', () => {
    const input = base();
    expect(refusal({ ...input, approvals: [{ atMinute: 500, decision: 'approve', by: 'alice' }] })).toEqual([
      'approvals.0.atMinute: is past the end of the scenario (durationMinutes 120)',
    ]);
    expect(refusal({ ...input, approvals: [{ atMinute: 40, target: 'clicks', decision: 'deny', by: 'bob' }] })).toEqual(
      ['approvals.0.target: must be the scenario\'s target "orders"'],
    );
    expect(
      refusal({
        ...input,
        streamMedic: { ...input.streamMedic, target: { ...input.streamMedic.target, mode: 'auto' } },
        approvals: [{ atMinute: 40, decision: 'approve', by: 'alice' }],
      }),
    ).toEqual(['approvals.0: the target is in mode "auto"; only a target in mode "approve" waits for a decision']);
    expect(refusal({ ...input, approvals: [{ atMinute: 40, decision: 'maybe', by: 'alice' } as never] })).toHaveLength(
      1,
    );
  });

  it('tells that a decision found no waiting run instead of answering a later request', async () => {
    const input = base();
    const play = await playScenario(
      ScenarioSchema.parse({ ...input, approvals: [{ atMinute: 10, decision: 'approve', by: 'alice' }] }),
    );
    const operator = play.events.flatMap((e) => (e.kind === 'world' && e.event.kind === 'operator' ? [e.event] : []));
    expect(operator.map((e) => e.message)).toEqual([
      'alice runs stream-medic approve --target orders: no run waits for a decision',
    ]);
    expect(play.outcome.actions).toEqual([]);
  });
});
