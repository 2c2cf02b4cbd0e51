import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { narrate } from '../../../sim/run/narration';
import type { ResourceChange } from '../../../sim/adapters';
import { playScenario, type ExecutionRecord, type Playthrough } from '../../../sim/run/player';
import { summarize } from '../../../sim/run/summary';
import { synthesizedWorkflow } from '../../../sim/run/workflow-template';
import { parseScenario, resolveScenario, SCENARIO_DIR, type ScenarioInput } from '../../../sim/scenario';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** A built-in scenario's document, changed by `edit`, validated as a scenario file would be. */
function builtInWith(name: string, edit: (doc: ScenarioInput) => ScenarioInput) {
  const doc = JSON.parse(readFileSync(join(SCENARIO_DIR, `${name}.json`), 'utf8')) as ScenarioInput;
  return parseScenario(edit(doc));
}

/**
 * Producers outgrow a four-shard stream; the job reading it has room for all of them, until a
 * deployment makes each record dearer while the reshard is under way: the job falls short after the
 * run planned, which no projection in round 1 could see.
 */
const RESHARD_UNCOVERS_CONSUMER = parseScenario({
  name: 'reshard-uncovers-consumer',
  description: 'A 2.5x step on a full four-shard stream; the job slows down while the stream reshards.',
  seed: 7,
  startTime: '2026-03-02T09:00:00Z',
  durationMinutes: 150,
  pipeline: {
    stream: { name: 'orders-stream', shards: 4 },
    application: { name: 'orders-enricher', parallelism: 8, recordsPerSecondPerSubtask: 1000 },
  },
  traffic: {
    bytesPerSecond: 2_048_000,
    recordsPerSecond: 2000,
    events: [{ type: 'step', atMinute: 30, factor: 2.5 }],
  },
  faults: [{ type: 'subtaskRate', atMinute: 34, recordsPerSecondPerSubtask: 550 }],
  streamMedic: {
    target: {
      name: 'orders',
      mode: 'auto',
      stream: { name: 'orders-stream', maxShards: 16 },
      application: { name: 'orders-enricher', maxParallelism: 32 },
    },
  },
  expect: {
    rationale: 'STREAM_WRITE_CAPACITY, then CONSUMER_COMPUTE once the job slows down; both fixed in one run.',
    causes: ['STREAM_WRITE_CAPACITY', 'CONSUMER_COMPUTE'],
    actions: ['UpdateShardCount', 'UpdateApplicationParallelism'],
    recovers: true,
    maxRecordsLost: 0,
  },
});

const plays = new Map<string, Promise<Playthrough>>();
/** Each built-in scenario is played once per file; the tests read the same playthrough. */
function played(name: string): Promise<Playthrough> {
  if (!plays.has(name)) plays.set(name, playScenario(resolveScenario(name)));
  return plays.get(name)!;
}

const callsOf = (play: Playthrough, api: string) => play.world.apiCalls().filter((c) => c.api === api);
const firstActing = (play: Playthrough): ExecutionRecord => play.runs.find((r) => r.lockAcquired)!;

beforeAll(() => {
  synthesizedWorkflow();
});

describe('Wait states and retries on the world clock', () => {
  it('polls the application every 30 s after the change and verifies 5 min after it is RUNNING again', async () => {
    const play = await played('traffic-spike-3x');
    const run = firstActing(play);
    const [update] = callsOf(play, 'UpdateApplication');
    const verifiedAt = Date.parse(run.rounds[0]!.verification!.verifiedAt);
    // The status checks of the wait loop: between the change and the verification's own reads.
    const checks = callsOf(play, 'DescribeApplication')
      .map((c) => c.at)
      .filter((at) => at > update!.at && at < verifiedAt);

    expect(checks.length).toBeGreaterThan(1);
    expect(checks[0]! - update!.at).toBe(30 * SECOND);
    expect(checks.slice(1).map((at, i) => at - checks[i]!)).toEqual(checks.slice(1).map(() => 30 * SECOND));
    // The verify step reads its window after the settling wait that follows the last (ready) check.
    expect(verifiedAt - checks[checks.length - 1]!).toBe(5 * MINUTE);
    expect(run.paused.map((p) => p.reason.state)).toEqual([...checks.map(() => 'WaitForResource'), 'Settle']);
  });

  it('retries Kinesis rate limiting (LimitExceededException) in the SDK, then with the backoff of the state machine, until the reshard lands', async () => {
    const scenario = builtInWith('fault-api-throttling', (doc) => ({
      ...doc,
      name: 'reshard-rate-limited',
      faults: [
        { type: 'apiError', atMinute: 0, apis: ['UpdateShardCount'], awsError: 'LimitExceededException', count: 7 },
      ],
      // Seven refused attempts, the accepted one, and the plan's second call.
      expect: { ...doc.expect!, maxChangeAttempts: 9 },
    }));
    const play = await playScenario(scenario);
    const attempts = callsOf(play, 'UpdateShardCount');
    const retries = play.runs.flatMap((r) => r.paused).filter((p) => p.reason.kind === 'retry');

    expect(attempts.map((c) => c.outcome).slice(0, 8)).toEqual([
      ...Array.from({ length: 7 }, () => 'LimitExceededError'),
      'ok',
    ]);
    // Each task attempt is three SDK attempts at once; between task attempts, full jitter: somewhere
    // from 0 to 10 s x 2^n, and the next attempt comes exactly that much later.
    expect(retries).toHaveLength(2);
    retries.forEach((retry, n) => {
      expect(retry.ms).toBeLessThanOrEqual(10 * SECOND * 2 ** n);
      const first = 3 * (n + 1);
      expect(attempts[first]!.at - attempts[first - 1]!.at).toBe(retry.ms);
      expect(attempts[first - 1]!.at).toBe(attempts[first - 3]!.at);
    });
    expect(play.expectation!.misses).toEqual([]);
  });

  it('plays the same scenario the same way every time, and a different seed differently', async () => {
    const lines = (play: Playthrough) => play.events.flatMap((e) => narrate(e) ?? []);
    const [a, b, c] = await Promise.all([
      playScenario(resolveScenario('fault-resource-in-use')),
      playScenario(resolveScenario('fault-resource-in-use')),
      playScenario(resolveScenario('fault-resource-in-use'), { seed: 4242 }),
    ]);
    expect(lines(b)).toEqual(lines(a));
    expect(b.world.notifier.messages()).toEqual(a.world.notifier.messages());
    expect(b.world.samples()).toEqual(a.world.samples());
    expect(c.world.samples()).not.toEqual(a.world.samples());
  });
});

describe('overlapping executions and the target lock', () => {
  it('lets one of two executions started at the same instant act, and turns the other away', async () => {
    const play = await played('fault-two-alarms-at-once');
    const together = play.runs.filter((r) => r.startedAt === play.runs[0]!.startedAt);
    expect(together.length).toBeGreaterThanOrEqual(2);
    expect(together.filter((r) => r.lockAcquired)).toHaveLength(1);
    const turnedAway = together.find((r) => r.lockAcquired === false)!;
    expect(turnedAway.states.at(-1)).toBe('TargetBusy');
    expect(turnedAway.rounds).toEqual([]);
    expect(callsOf(play, 'UpdateApplication').filter((c) => c.outcome === 'ok')).toHaveLength(1);
  });

  it.each(['fault-two-alarms-at-once', 'traffic-spike-3x', 'traffic-spike-10x'])(
    'never has two executions holding the lock at once (%s)',
    async (name) => {
      const holders = (await played(name)).runs.filter((r) => r.lockAcquired);
      const sorted = [...holders].sort((x, y) => x.startedAt - y.startedAt);
      sorted.slice(1).forEach((run, i) => expect(run.startedAt).toBeGreaterThanOrEqual(sorted[i]!.endedAt!));
    },
  );
});

describe('another round under the lock', () => {
  it('fixes the job that falls short during the reshard, though its alarm fired while the lock turned it away', async () => {
    const play = await playScenario(RESHARD_UNCOVERS_CONSUMER);
    const acting = firstActing(play);
    const turnedAway = play.runs.filter((r) => r.lockAcquired === false);

    expect(acting.rounds.map((r) => r.assessment.report.diagnosis.cause)).toEqual([
      'STREAM_WRITE_CAPACITY',
      'CONSUMER_COMPUTE',
    ]);
    expect(turnedAway.map((r) => r.trigger)).toContain('alarm StreamMedic-orders-app-cpu');
    expect(turnedAway.every((r) => r.startedAt < acting.endedAt!)).toBe(true);
    expect(play.world.notifier.messages()).toHaveLength(1);
    const { body } = play.world.notifier.messages()[0]!.message;
    expect(body).toContain('Round 1 of 2: STREAM_WRITE_CAPACITY');
    expect(body).toContain('Round 2 of 2: CONSUMER_COMPUTE');
    expect(play.expectation!.misses).toEqual([]);
  });
});

describe('the 10x spike', () => {
  it('sizes the stream and the job once, from real demand, the job first', async () => {
    const play = await played('traffic-spike-10x');
    const spikeEnds = play.world.startMs + 70 * 60_000;
    const during = (api: string) => callsOf(play, api).filter((c) => c.outcome === 'ok' && c.at < spikeEnds);
    // 20,000 real records/s of 1 KiB (not the 32,000 that counting resends would read): about 20,200
    // records/s at 800 a shard = 26 shards, which the second call rounds up to 28, a multiple of a
    // quarter of its 16 (AWS reshards those fastest), within the 10% the rounding may add.
    expect(during('UpdateShardCount').map((c) => c.change)).toEqual([
      { kind: 'shards', from: 8, to: 16 },
      { kind: 'shards', from: 16, to: 28 },
    ]);
    const updates = during('UpdateApplication');
    // 29 subtasks carry 20,000 records/s at 70%. The backlog the job finds when it resumes sits in the
    // 8 open shards and the 16 the first reshard opens, read at 2 MiB/s each: at most 32,768 records/s
    // of 1 KiB, so 3 more subtasks drain it about as fast as it can be read (not the 13 more that would
    // need the 28 shards, which open once the catch-up is nearly done). The write-throttling alarm starts
    // the run at 09:32, after two throttled minutes; it reads each subtask's true rate at about 1,000
    // records/s, so 33 subtasks read 32,768.
    expect(updates[0]!.change).toMatchObject({
      kind: 'parallelism',
      from: { parallelism: 4 },
      to: { parallelism: 33 },
    });
    // The job's update goes first and the reshard does not wait for its restart: both are under way at once.
    const firstReshard = during('UpdateShardCount')[0]!.at;
    expect(updates[0]!.at).toBeLessThanOrEqual(firstReshard);
    expect(firstReshard - updates[0]!.at).toBeLessThan(MINUTE);
  });

  it('with boostScaleBack on, takes the catch-up boost back off once the backlog has drained, to the steady size', async () => {
    // Records of 256 bytes: the shards are records-bound for writes (28 for 20,000 records/s, as with
    // 1 KiB) but their 2 MiB/s of reads no longer bounds the catch-up, so the whole boost is sized.
    const scenario = builtInWith('traffic-spike-10x', (doc) => ({
      ...doc,
      traffic: { ...doc.traffic, bytesPerSecond: doc.traffic.recordsPerSecond * 256 },
      streamMedic: {
        ...doc.streamMedic,
        target: { ...doc.streamMedic.target, policy: { ...doc.streamMedic.target.policy, boostScaleBack: true } },
      },
    }));
    const play = await playScenario(scenario);
    // The scale-up's ledger entry: 29 subtasks carry 20,000 records/s at 70%; the other 12 drain the backlog
    // (the run starts at 09:32, after two throttled minutes, with two minutes of backlog to drain).
    const boosted = play.world.ledger.entries.find((e) => e.boost !== undefined && e.phase !== 'result')!;
    expect(boosted).toMatchObject({ from: 4, to: 41, boost: { steady: 29 } });
    // While the spike runs, the input's need read over three minutes is 30 to 32 subtasks: at 41 the job
    // is within the band of the target utilisation, too close to be worth a restart, so the boost stays
    // until that reading falls; then it comes off to the steady size, before any scale-in would.
    const quietWindowEnds = play.world.startMs + (70 + 120) * 60_000;
    const updates = callsOf(play, 'UpdateApplication').filter((c) => c.outcome === 'ok' && c.at < quietWindowEnds);
    expect(updates).toHaveLength(2);
    const back = updates[1]!.change as Extract<ResourceChange, { kind: 'parallelism' }>;
    expect(back.from.parallelism).toBe(41);
    expect(back.to.parallelism).toBeGreaterThanOrEqual(29);
    expect(back.to.parallelism).toBeLessThan(41);
    // Not before the backlog has drained: the lag is back under the threshold when it is asked for.
    const lagAt = play.world
      .samples()
      .filter((s) => s.t + 60_000 <= updates[1]!.at)
      .at(-1)!;
    expect(lagAt.lagMs).toBeLessThan(60_000);
  });
});

describe('the pipeline planned in round 1', () => {
  it('sizes the starved job with the reshard in one round, and restarts it while the stream reshards', async () => {
    const play = await played('starved-job-found-in-round-1');
    const acting = firstActing(play);
    expect(acting.rounds).toHaveLength(1);
    // About 3,040 records/s at 800 a shard = 4 shards: one doubling call from 2, after the job's update.
    expect(acting.rounds[0]!.assessment.steps.map((s) => s.type)).toEqual([
      'UpdateApplicationParallelism',
      'UpdateShardCount',
    ]);
    const [update] = callsOf(play, 'UpdateApplication').filter((c) => c.outcome === 'ok');
    const [firstReshard] = callsOf(play, 'UpdateShardCount').filter((c) => c.outcome === 'ok');
    // The reshard does not wait behind the job's restart, which takes about two minutes.
    expect(firstReshard!.at - update!.at).toBeLessThan(MINUTE);
    expect(play.expectation!.misses).toEqual([]);
  });
});

describe('runs started by hand, and runs still going at the end', () => {
  it('starts a run at the manual time, with that time as its start', async () => {
    const play = await played('metrics-outage');
    const manual = play.runs.find((r) => r.trigger.startsWith('manual run'))!;
    expect(manual.startedAt).toBe(Date.parse('2026-03-02T10:00:00Z'));
    expect(play.world.notifier.messages()[0]!.message.body).toContain('Started by hand at 2026-03-02T10:00:00.000Z.');
  });

  it('lets a run still going at the end of the scenario finish, and counts its message', async () => {
    // The first alarm comes 35 minutes in; the scenario ends before the verification 5 minutes after the change.
    const scenario = builtInWith('traffic-spike-3x', (doc) => ({ ...doc, name: 'cut-short', durationMinutes: 38 }));
    const play = await playScenario(scenario);
    const run = firstActing(play);
    expect(run.endedAt!).toBeGreaterThan(play.world.endMs);
    expect(run.status).toBe('SUCCEEDED');
    expect(play.outcome.notificationsSent).toBe(1);
    // The pipeline is judged over the scenario's 38 minutes only.
    expect(play.outcome.endedAt).toBe(play.world.endMs);
  });
});

describe('runs that end without finishing their own path', () => {
  it('frees the lock of a run that timed out and tells on-call, so the next run is not turned away', async () => {
    // The synthesized workflow with a 3-minute timeout: the first run times out waiting for its change,
    // and an operator starts another run ten minutes later, long before the lock's TTL would end.
    const synthesized = synthesizedWorkflow();
    const workflow = { ...synthesized, definition: { ...synthesized.definition, TimeoutSeconds: 180 } };
    const scenario = builtInWith('traffic-spike-3x', (doc) => ({
      ...doc,
      name: 'timed-out',
      manualRuns: [{ atMinute: 50, dryRun: true }],
    }));
    const play = await playScenario(scenario, { workflow });

    const timedOut = play.runs.find((r) => r.status === 'TIMED_OUT')!;
    expect(timedOut.lockAcquired).toBe(true);
    const subjects = play.world.notifier.messages().map((m) => m.message.subject);
    expect(subjects).toContain('StreamMedic orders: run ended TIMED_OUT - lock freed');
    const manual = play.runs.find((r) => r.trigger.startsWith('manual run'))!;
    expect(manual.startedAt).toBeGreaterThan(timedOut.endedAt!);
    expect(manual.lockAcquired).toBe(true);
    expect(play.world.lock.holder('orders')).toBeUndefined();
  });
});

describe('a scenario that states no expectation', () => {
  it('is played and summarized with no verdict', async () => {
    const scenario = builtInWith('traffic-spike-3x', ({ expect: _expect, ...doc }) => ({
      ...doc,
      name: 'my-numbers',
    }));
    const play = await playScenario(scenario);

    expect(play.expectation).toBeUndefined();
    expect(play.outcome.actions.length).toBeGreaterThan(0);
    expect(summarize(play)).toMatchObject({ name: 'my-numbers', expectationMet: null, misses: [] });
  });
});
