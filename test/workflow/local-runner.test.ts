import { changesOf } from '../../lambdas/domain/ledger-intents';
import { paceGroups } from '../../lambdas/domain/api-pacing';
import { FLEET_DEFAULTS } from '../../lambdas/domain/fleet-limits';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sns from 'aws-cdk-lib/aws-sns';
import { parseConfig } from '../../lambdas/domain/config';
import type { RunContext } from '../../lambdas/domain/run-state';
import { ResourceInUseError } from '../../lambdas/ports/errors';
import {
  loadWorkflow,
  runLocalWorkflow,
  type LocalWorkflow,
  type PauseReason,
  type VirtualTime,
} from '../../lambdas/workflow/local-runner';
import { RemediationWorkflow, STATE_NAMES } from '../../lib/remediation-workflow';
import { fakeWorldFrom, type FakeWorld } from '../fakes/world';
import { calmMetrics, writeThrottledSnapshot } from './tasks/scenarios';

const POLL_SECONDS = 30;
const SETTLE_SECONDS = 300;
let workflow: LocalWorkflow;

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const table = new dynamodb.Table(stack, 'Ledger', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
  });
  new RemediationWorkflow(stack, 'Workflow', {
    config: parseConfig({ targets: [{ name: 'orders', mode: 'auto', stream: { name: 'orders-stream' } }] }),
    table,
    topic: new sns.Topic(stack, 'Topic'),
  });
  workflow = loadWorkflow(Template.fromStack(stack).toJSON(), { region: 'eu-west-1' });
});

/** Simulated time over the fake world's clock: every sleep moves it on at once, and is recorded. */
function virtualTimeOf(world: FakeWorld, draws: number[] = []) {
  const sleeps: { ms: number; reason: PauseReason; at: number }[] = [];
  let draw = 0;
  const time: VirtualTime = {
    now: () => world.clock.now().getTime(),
    sleep: async (ms, reason) => {
      sleeps.push({ ms, reason, at: world.clock.now().getTime() });
      world.clock.advance(ms);
    },
    random: () => draws[draw++ % Math.max(1, draws.length)] ?? 0.5,
  };
  return { time, sleeps };
}

describe('runLocalWorkflow on a simulated clock', () => {
  it("lets each Wait state's seconds pass on the clock before the Task after it, and no real time", async () => {
    // The stream stays UPDATING for two status checks after each call.
    const world = fakeWorldFrom(writeThrottledSnapshot(), { laterMetrics: [calmMetrics()], updatingDescribes: 2 });
    const start = world.clock.now().getTime();
    const { time, sleeps } = virtualTimeOf(world);

    const result = await runLocalWorkflow(workflow, { target: 'orders' }, { cores: world.cores, virtualTime: time });

    expect(result.status).toBe('SUCCEEDED');
    const polls = { kind: 'wait', state: STATE_NAMES.waitForResource };
    // Two steps, each checked until ACTIVE (UPDATING, UPDATING, ACTIVE), then one settling wait.
    expect(sleeps.map((s) => [s.reason, s.ms])).toEqual([
      ...Array.from({ length: 3 }, () => [polls, POLL_SECONDS * 1000]),
      ...Array.from({ length: 3 }, () => [polls, POLL_SECONDS * 1000]),
      [{ kind: 'wait', state: STATE_NAMES.settle }, SETTLE_SECONDS * 1000],
    ]);
    expect(world.clock.now().getTime() - start).toBe((6 * POLL_SECONDS + SETTLE_SECONDS) * 1000);
    // The second reshard is asked for only after the first had the stream ACTIVE again, 90 s later.
    expect(changesOf(world.ledger.entries).map((e) => e.at)).toEqual([
      new Date(start).toISOString(),
      new Date(start + 3 * POLL_SECONDS * 1000).toISOString(),
    ]);
  });

  it("paces a run to its fleet slot's second: it waits that long before its first read", async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot(), { laterMetrics: [calmMetrics()] });
    // Another target's run holds slot 0, so this run takes slot 1, which owns the seconds one past a
    // multiple of the classes the default cap is spread over; the run is let in on such a multiple.
    world.slots.held.set('another-targets-run', { index: 0, expiresAt: Number.MAX_SAFE_INTEGER });
    const groups = paceGroups(FLEET_DEFAULTS.maxConcurrentRuns, POLL_SECONDS);
    expect(groups).toBeGreaterThan(1);
    while (Math.floor(world.clock.now().getTime() / 1000) % groups !== 0) world.clock.advance(1000);
    const start = world.clock.now().getTime();
    const { time, sleeps } = virtualTimeOf(world);

    const result = await runLocalWorkflow(workflow, { target: 'orders' }, { cores: world.cores, virtualTime: time });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.states.slice(0, 5)).toEqual([
      STATE_NAMES.intake,
      STATE_NAMES.acquireLock,
      STATE_NAMES.isLockAcquired,
      STATE_NAMES.paceFirstRead,
      STATE_NAMES.assess,
    ]);
    expect(sleeps[0]).toEqual({ ms: 1000, reason: { kind: 'wait', state: STATE_NAMES.paceFirstRead }, at: start });
    // The assessment, and the change it leads to, come a second later: in the slot's own second.
    expect(changesOf(world.ledger.entries)[0]!.at).toBe(new Date(start + 1000).toISOString());
  });

  it('passes a retrier backoff with full jitter on the clock before the retry, drawn from the given numbers', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot(), { laterMetrics: [calmMetrics()] });
    const busy = () => new ResourceInUseError('stream is UPDATING', { action: 'UpdateShardCount' });
    world.streams.failures.failNext('updateShardCount', busy());
    world.streams.failures.failNext('updateShardCount', busy());
    const { time, sleeps } = virtualTimeOf(world, [0.5, 0.25]);

    const result = await runLocalWorkflow(workflow, { target: 'orders' }, { cores: world.cores, virtualTime: time });

    expect(result.status).toBe('SUCCEEDED');
    const retries = sleeps.filter((s) => s.reason.kind === 'retry');
    // The transient-error retrier: 2 s, then 4 s, each scaled by the jitter draw (full jitter: 0 to the delay).
    expect(retries.map((s) => [s.reason.state, s.ms])).toEqual([
      [STATE_NAMES.applyStep, Math.floor(0.5 * 2001)],
      [STATE_NAMES.applyStep, Math.floor(0.25 * 4001)],
    ]);
  });

  it('reports the simulated start time, not the wall clock, as the run start', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot(), { laterMetrics: [calmMetrics()] });
    const started = world.clock.now().toISOString();
    const { time } = virtualTimeOf(world);
    let run: RunContext | undefined;
    const cores = {
      ...world.cores,
      intake: async (payload: unknown) => (run = (await world.cores.intake(payload)) as RunContext),
    };
    await runLocalWorkflow(workflow, { target: 'orders', dryRun: true }, { cores, virtualTime: time });
    expect(run?.startedAt).toBe(started);
    expect(world.notifier.messages[0]!.body).toContain(`Started by hand as a dry run at ${started}.`);
  });

  it('times the execution out when its TimeoutSeconds pass on the simulated clock, leaving the lock to expire', async () => {
    // A stream that never becomes ACTIVE again: only the timeout (shorter than the polls) ends the run.
    const world = fakeWorldFrom(writeThrottledSnapshot(), { updatingDescribes: 1000 });
    const { time } = virtualTimeOf(world);
    const short: LocalWorkflow = { ...workflow, definition: { ...workflow.definition, TimeoutSeconds: 120 } };
    const start = world.clock.now().getTime();

    const result = await runLocalWorkflow(short, { target: 'orders' }, { cores: world.cores, virtualTime: time });

    expect(result.status).toBe('TIMED_OUT');
    expect(world.clock.now().getTime() - start).toBe(120_000);
    expect(result.states).not.toContain(STATE_NAMES.notify);
    expect(world.lock.held.get('orders')?.owner).toBe(result.executionArn);
  });
});
