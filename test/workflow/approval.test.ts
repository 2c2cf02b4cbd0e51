import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { GetMetricDataRecord } from '../../lambdas/domain/aws-shapes';
import { APPROVAL_DENIED_ERROR } from '../../lambdas/domain/approval';
import { parseConfig } from '../../lambdas/domain/config';
import {
  loadWorkflow,
  runLocalWorkflow,
  type LocalWorkflow,
  type VirtualTime,
} from '../../lambdas/workflow/local-runner';
import { LocalTaskTokens, type IssuedToken } from '../../lambdas/workflow/local-task-tokens';
import { RemediationWorkflow, STATE_NAMES } from '../../lib/remediation-workflow';
import { fakeWorldFrom, type FakeWorld } from '../fakes/world';
import { calmMetrics, writeThrottledSnapshot } from './tasks/scenarios';

const APPROVAL_MINUTES = 20;
let workflow: LocalWorkflow;

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const table = new dynamodb.Table(stack, 'Ledger', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
  });
  new RemediationWorkflow(stack, 'Workflow', {
    config: parseConfig({
      approvals: { timeoutMinutes: APPROVAL_MINUTES },
      targets: [{ name: 'orders', mode: 'approve', stream: { name: 'orders-stream' } }],
    }),
    table,
    topic: new sns.Topic(stack, 'Topic'),
  });
  workflow = loadWorkflow(Template.fromStack(stack).toJSON(), { region: 'eu-west-1' });
});

/**
 * Simulated time in which every Wait passes at once, but the wait for approval lasts until the test
 * lets its timeout pass (`timeOut`), so a decision can come first.
 */
function approvalTime(world: FakeWorld) {
  const approvalWaits: Array<() => void> = [];
  const time: VirtualTime = {
    now: () => world.clock.now().getTime(),
    sleep: (ms, reason) => {
      if (reason.state !== STATE_NAMES.requestApproval) {
        world.clock.advance(ms);
        return Promise.resolve();
      }
      return new Promise<void>((resolve) =>
        approvalWaits.push(() => {
          world.clock.advance(ms);
          resolve();
        }),
      );
    },
    random: () => 0.5,
  };
  return { time, timeOut: () => approvalWaits.shift()?.() };
}

/** The next task that starts waiting for its token. */
function nextWait(tokens: LocalTaskTokens): Promise<IssuedToken> {
  return new Promise((resolve) => {
    const stop = tokens.onIssued((issued) => {
      stop();
      resolve(issued);
    });
  });
}

function throttledAgain(): GetMetricDataRecord {
  return writeThrottledSnapshot().getMetricData as GetMetricDataRecord;
}

describe('mode approve in the workflow', () => {
  it('asks with the plan, waits for the decision, and applies the approved plan after re-assessing it', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot(), { laterMetrics: [throttledAgain(), calmMetrics()] });
    const tokens = new LocalTaskTokens();
    const { time } = approvalTime(world);
    const waiting = nextWait(tokens);

    const run = runLocalWorkflow(
      workflow,
      { target: 'orders' },
      { cores: world.cores, virtualTime: time, taskTokens: tokens },
    );
    const issued = await waiting;

    // Waiting: the request is kept with its token, on-call is asked, and nothing is changed yet.
    const request = world.approvals.requests.get('orders')!;
    expect(request.taskToken).toBe(issued.token);
    expect(request.plan).toHaveLength(2);
    expect(Date.parse(request.timesOutAt) - Date.parse(request.requestedAt)).toBe(APPROVAL_MINUTES * 60_000);
    expect(world.streams.calls).toEqual([]);
    const [asked] = world.notifier.messages;
    expect(asked!.attributes['outcome']).toBe('awaiting-approval');
    expect(asked!.subject).toMatch(/^APPROVAL REQUIRED \| StreamMedic orders/);
    expect(asked!.body).toContain('stream-medic approve --target orders, or stream-medic deny --target orders');

    tokens.sendTaskSuccess(issued.token, { decision: 'approved', by: 'alice', at: world.clock.now().toISOString() });
    const result = await run;

    expect(result.status).toBe('SUCCEEDED');
    expect(result.states).toContain(STATE_NAMES.reassessApproved);
    // 4.67 MiB/s at 80% of 1 MiB/s a shard = 6 shards: 2 -> 4 -> 6.
    expect(world.streams.calls.map((c) => c.value)).toEqual([4, 6]);
    const told = world.notifier.messages.at(-1)!;
    expect(told.attributes['outcome']).toBe('resolved');
    expect(told.body).toContain('Approved by alice at ');
  });

  it('asks again when the re-assessment after the approval plans something else, and applies only what was approved', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot(), {
      laterMetrics: [throttledAgain(), throttledAgain(), calmMetrics()],
    });
    const tokens = new LocalTaskTokens();
    const { time } = approvalTime(world);
    let waiting = nextWait(tokens);
    const run = runLocalWorkflow(
      workflow,
      { target: 'orders' },
      { cores: world.cores, virtualTime: time, taskTokens: tokens },
    );
    const first = await waiting;
    // Someone reshards by hand while the request waits: the approved 2 -> 4 -> 6 no longer fits.
    world.streams.get('orders-stream').openShards = 3;
    waiting = nextWait(tokens);

    tokens.sendTaskSuccess(first.token, { decision: 'approved', by: 'alice', at: world.clock.now().toISOString() });
    const second = await waiting;

    expect(world.streams.calls).toEqual([]);
    expect(world.approvals.requests.get('orders')!.taskToken).toBe(second.token);
    expect(world.approvals.requests.get('orders')!.plan.join(' ')).toMatch(/orders-stream 3 -> 6 shards/);
    tokens.sendTaskSuccess(second.token, { decision: 'approved', by: 'bob', at: world.clock.now().toISOString() });
    const result = await run;

    expect(result.status).toBe('SUCCEEDED');
    expect(world.streams.calls.map((c) => c.value).at(-1)).toBe(6);
    expect(world.streams.calls[0]!.value).not.toBe(4);
  });

  it('refuses the plan when nobody decides before the wait times out, and records the refusal', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot(), { laterMetrics: [calmMetrics()] });
    const tokens = new LocalTaskTokens();
    const { time, timeOut } = approvalTime(world);
    const waiting = nextWait(tokens);
    const run = runLocalWorkflow(
      workflow,
      { target: 'orders' },
      { cores: world.cores, virtualTime: time, taskTokens: tokens },
    );
    const issued = await waiting;
    const askedAt = world.clock.now().getTime();

    timeOut();
    const result = await run;

    expect(result.status).toBe('SUCCEEDED');
    expect(world.clock.now().getTime() - askedAt).toBe(APPROVAL_MINUTES * 60_000);
    expect(world.streams.calls).toEqual([]);
    expect(world.approvals.history).toEqual([
      expect.objectContaining({ outcome: 'timed-out', target: 'orders', by: 'StreamMedic' }),
    ]);
    expect(world.approvals.requests.has('orders')).toBe(false);
    const told = world.notifier.messages.at(-1)!;
    expect(told.attributes['outcome']).toBe('not-approved');
    expect(told.body).toContain('nobody approved it before the wait timed out');
    expect(() => tokens.sendTaskSuccess(issued.token, {})).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
  });

  it('refuses the plan on a denial, with who denied and why', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot(), { laterMetrics: [calmMetrics()] });
    const tokens = new LocalTaskTokens();
    const { time } = approvalTime(world);
    const waiting = nextWait(tokens);
    const run = runLocalWorkflow(
      workflow,
      { target: 'orders' },
      { cores: world.cores, virtualTime: time, taskTokens: tokens },
    );
    const issued = await waiting;

    tokens.sendTaskFailure(issued.token, APPROVAL_DENIED_ERROR, 'denied by bob: a deploy is rolling out');
    const result = await run;

    expect(result.status).toBe('SUCCEEDED');
    expect(world.streams.calls).toEqual([]);
    const told = world.notifier.messages.at(-1)!;
    expect(told.attributes['outcome']).toBe('not-approved');
    expect(told.body).toContain('denied by bob: a deploy is rolling out');
  });
});
