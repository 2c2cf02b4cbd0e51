import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sns from 'aws-cdk-lib/aws-sns';
import { parseConfig } from '../../lambdas/domain/config';
import { FLEET_SCOPE } from '../../lambdas/domain/pause';
import type { Assessment, Verification } from '../../lambdas/domain/run-state';
import { loadWorkflow, runLocalWorkflow, type LocalWorkflow } from '../../lambdas/workflow/local-runner';
import { RemediationWorkflow } from '../../lib/remediation-workflow';
import { fakeWorldFrom, type FakeWorld } from '../fakes/world';
import { runContext } from '../fakes/runs';
import { calmMetrics, writeThrottledSnapshot } from './tasks/scenarios';

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

function instantTime(world: FakeWorld) {
  return {
    now: () => world.clock.now().getTime(),
    sleep: async (ms: number) => world.clock.advance(ms),
    random: () => 0.5,
  };
}

describe('the kill switch in the workflow', () => {
  it.each([
    ['every target', FLEET_SCOPE],
    ['this target', 'orders'],
  ])(
    'a pause of %s wins over mode auto: nothing is changed and the message says who paused and why',
    async (_n, scope) => {
      const world = fakeWorldFrom(writeThrottledSnapshot(), { laterMetrics: [calmMetrics()] });
      await world.pauses.pause({ scope, by: 'alice', reason: 'failover drill', at: '2026-11-21T09:00:00.000Z' });

      const result = await runLocalWorkflow(
        workflow,
        { target: 'orders' },
        { cores: world.cores, virtualTime: instantTime(world) },
      );

      expect(result.status).toBe('SUCCEEDED');
      expect(world.streams.calls).toEqual([]);
      expect(world.ledger.entries).toEqual([]);
      const [message] = world.notifier.messages;
      expect(message!.attributes['outcome']).toBe('paused');
      expect(message!.attributes['pausedBy']).toBe('alice');
      expect(message!.subject).toMatch(/^ACTION REQUIRED, Paused \| StreamMedic orders: STREAM_WRITE_CAPACITY/);
      expect(message!.body).toContain('by alice since 2026-11-21T09:00:00.000Z: failover drill.');
      expect(message!.body).toContain('What would be done (StreamMedic is paused: nothing was changed)'.toUpperCase());
      expect(JSON.stringify(message!.chat)).toContain('failover drill');
    },
  );

  it('a pause of another target leaves this one to act', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot(), { laterMetrics: [calmMetrics()] });
    await world.pauses.pause({ scope: 'payments', by: 'alice', reason: 'drill', at: '2026-11-21T09:00:00.000Z' });

    await runLocalWorkflow(workflow, { target: 'orders' }, { cores: world.cores, virtualTime: instantTime(world) });

    expect(world.streams.calls.map((c) => c.value)).toEqual([4, 6]);
    expect(world.notifier.messages[0]!.body).not.toContain('PAUSED');
  });

  it('after resume the next run acts again', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot(), { laterMetrics: [calmMetrics()] });
    await world.pauses.pause({ scope: FLEET_SCOPE, by: 'alice', reason: 'drill', at: '2026-11-21T09:00:00.000Z' });
    await world.pauses.resume(FLEET_SCOPE, 'alice', '2026-11-21T09:30:00.000Z');

    await runLocalWorkflow(workflow, { target: 'orders' }, { cores: world.cores, virtualTime: instantTime(world) });

    expect(world.streams.calls.map((c) => c.value)).toEqual([4, 6]);
  });
});

describe('a pause set while a run is under way', () => {
  const run = { ...runContext(), config: { ...runContext().config, mode: 'auto' as const, application: undefined } };

  it('takes no further round after the verification, and the verification carries the pause', async () => {
    // The window looks the same after the round: without the pause, verify proposes another round.
    const world = fakeWorldFrom(writeThrottledSnapshot());
    const assessment = (await world.cores.assess({ run })) as Assessment;
    expect(assessment.disposition).toBe('apply');
    // A round whose call went nowhere (the stream kept its shards): the same plan is proposed again.
    const progress = { next: 0, applied: [], more: true };
    const unpaused = (await world.cores.verify({
      run,
      assessment,
      progress,
      round: 1,
      maxRounds: 3,
    })) as Verification & { next?: unknown };
    await world.pauses.pause({ scope: FLEET_SCOPE, by: 'bob', reason: 'stop now', at: '2026-11-21T10:01:00.000Z' });

    const paused = (await world.cores.verify({ run, assessment, progress, round: 1, maxRounds: 3 })) as Verification & {
      next?: unknown;
    };

    expect(unpaused.next).toBeDefined();
    expect(paused.next).toBeUndefined();
    expect(paused.pause).toMatchObject({ by: 'bob', reason: 'stop now' });
  });
});
