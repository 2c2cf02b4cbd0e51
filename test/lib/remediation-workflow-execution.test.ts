import { changesOf } from '../../lambdas/domain/ledger-intents';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sns from 'aws-cdk-lib/aws-sns';
import { alarmName } from '../../lambdas/domain/alarm-definitions';
import { parseConfig } from '../../lambdas/domain/config';
import { SERVICE_METRIC_NAMES } from '../../lambdas/domain/service-metrics';
import { AccessDeniedError, LimitExceededError, ResourceInUseError } from '../../lambdas/ports/errors';
import {
  loadWorkflow,
  runLocalWorkflow,
  type LocalRunResult,
  type LocalWorkflow,
} from '../../lambdas/workflow/local-runner';
import { RemediationWorkflow, STATE_NAMES } from '../../lib/remediation-workflow';
import { alarmStateChangeEvent } from '../fakes/events';
import { fakeWorldFrom, type FakeWorld } from '../fakes/world';
import { buildSnapshot } from '../builders/snapshot-builder';
import type { GetMetricDataRecord } from '../../lambdas/domain/aws-shapes';
import type { Verification, WorkStep } from '../../lambdas/domain/run-state';
import type { TaskPayload } from '../../lambdas/workflow/task-payloads';
import { calmMetrics, recentScaleUp, writeThrottledSnapshot } from '../workflow/tasks/scenarios';

const MAX_POLLS = 5;
const MAX_ROUNDS = 2;
let workflow: LocalWorkflow;
/** The same workflow for a target with a stream and a Flink application, at most {@link MAX_ROUNDS} rounds. */
let pipelineWorkflow: LocalWorkflow;

beforeAll(() => {
  // The machine under test is the one CDK synthesizes; the Lambda bundles are not needed to run it.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const table = new dynamodb.Table(stack, 'Ledger', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
  });
  const topic = new sns.Topic(stack, 'Topic');
  const streamOnly = new RemediationWorkflow(stack, 'Workflow', {
    config: parseConfig({ targets: [{ name: 'orders', mode: 'auto', stream: { name: 'orders-stream' } }] }),
    table,
    topic,
    maxPolls: MAX_POLLS,
  });
  const pipeline = new RemediationWorkflow(stack, 'PipelineWorkflow', {
    config: parseConfig({
      targets: [
        { name: 'orders', mode: 'auto', stream: { name: 'orders-stream' }, application: { name: 'orders-enricher' } },
      ],
    }),
    table,
    topic,
    maxPolls: MAX_POLLS,
    maxRounds: MAX_ROUNDS,
  });
  const template = Template.fromStack(stack).toJSON();
  const logicalId = (w: RemediationWorkflow) => stack.getLogicalId(w.stateMachine.node.defaultChild as CfnElement);
  workflow = loadWorkflow(template, { region: 'eu-west-1', stateMachineLogicalId: logicalId(streamOnly) });
  pipelineWorkflow = loadWorkflow(template, { region: 'eu-west-1', stateMachineLogicalId: logicalId(pipeline) });
});

function run(world: FakeWorld, input: unknown, executionName = 'run-1'): Promise<LocalRunResult> {
  return runLocalWorkflow(workflow, input, { cores: world.cores, executionName, startTime: world.clock.now() });
}

const scaledStream = (world: FakeWorld) => world.streams.calls.map((c) => c.value);

describe('the synthesized workflow, run locally over in-memory AWS', () => {
  it('scales a throttled stream up in two steps, waits for ACTIVE after each, verifies, tells and unlocks', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot(), { laterMetrics: [calmMetrics()] });
    const result = await run(world, { target: 'orders' });

    expect(result.status).toBe('SUCCEEDED');
    // 3,500 records/s of 1,398 bytes (4.67 MiB/s) at 80% of 1 MiB/s a shard = 6 shards: 2 -> 4 -> 6.
    expect(scaledStream(world)).toEqual([4, 6]);
    expect(changesOf(world.ledger.entries).map((e) => [e.from, e.to, e.executionId])).toEqual([
      [2, 4, result.executionArn],
      [4, 6, result.executionArn],
    ]);
    expect(result.states.filter((s) => s === STATE_NAMES.applyStep)).toHaveLength(2);
    // The second step starts only after the stream is ACTIVE again.
    const secondApply = result.states.lastIndexOf(STATE_NAMES.applyStep);
    expect(result.states.slice(0, secondApply).filter((s) => s === STATE_NAMES.checkResource).length).toBeGreaterThan(
      1,
    );
    expect(result.states.slice(-6)).toEqual([
      STATE_NAMES.verify,
      STATE_NAMES.anotherRound,
      STATE_NAMES.notify,
      STATE_NAMES.releaseLock,
      STATE_NAMES.howDidItEnd,
      STATE_NAMES.done,
    ]);
    expect(world.notifier.messages.map((m) => m.attributes['outcome'])).toEqual(['resolved']);
    expect(world.telemetry.total(SERVICE_METRIC_NAMES.actionsTaken)).toBe(2);
    expect(world.lock.held.size).toBe(0);
  });

  it('runs from a real alarm state change event', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot(), { laterMetrics: [calmMetrics()] });
    const result = await run(world, alarmStateChangeEvent(alarmName('orders', 'writeThrottling')));
    expect(result.status).toBe('SUCCEEDED');
    expect(scaledStream(world)).toEqual([4, 6]);
    expect(world.notifier.messages[0]!.body).toContain('Alarm StreamMedic-orders-write-throttling went into ALARM');
  });

  it('changes nothing in a dry run, and says what it would have done', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot());
    const result = await run(world, { target: 'orders', dryRun: true });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.states).not.toContain(STATE_NAMES.applyStep);
    expect(scaledStream(world)).toEqual([]);
    expect(world.ledger.entries).toEqual([]);
    expect(world.notifier.messages[0]!.body).toContain('- scale stream orders-stream from 2 to 6 shards in 2 calls');
    expect(world.notifier.messages[0]!.attributes['outcome']).toBe('dry-run');
    expect(world.lock.held.size).toBe(0);
  });

  it('reports an action a guardrail refused, and takes none', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot([recentScaleUp()]));
    const result = await run(world, { target: 'orders' });
    expect(result.status).toBe('SUCCEEDED');
    expect(scaledStream(world)).toEqual([]);
    expect(world.notifier.messages[0]!.body).toMatch(/refused by "cooldown"/);
    expect(world.notifier.messages[0]!.attributes['outcome']).toBe('all-refused');
    expect(world.telemetry.total(SERVICE_METRIC_NAMES.actionsRefused)).toBe(1);
  });

  it('when a step keeps failing, still tells on-call what was done and releases the lock, then fails', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot(), { updatingDescribes: 1 });
    world.streams.failures.failNext('updateShardCount', new ResourceInUseError('busy', { action: 'UpdateShardCount' }));
    const quota = new LimitExceededError('10 calls in 24 hours', { action: 'UpdateShardCount' });
    // The first step goes through after one retry; the second never does.
    const original = world.streams.updateShardCount.bind(world.streams);
    world.streams.updateShardCount = async (name, target) => {
      if (target === 6) throw quota;
      return original(name, target);
    };

    const result = await run(world, { target: 'orders' });

    expect(result).toMatchObject({ status: 'FAILED', error: 'LimitExceededError' });
    expect(result.status === 'FAILED' && JSON.parse(result.cause)).toMatchObject({
      errorMessage: 'UpdateShardCount: 10 calls in 24 hours',
    });
    expect(scaledStream(world)).toEqual([4]);
    const message = world.notifier.messages[0]!;
    expect(message.body).toContain('FAILED after 1 change had been made');
    expect(message.body).toContain('- NOT DONE: UpdateShardCount orders-stream 4 -> 6 shards (call 2 of 2)');
    expect(result.states.slice(-3)).toEqual([
      STATE_NAMES.releaseLock,
      STATE_NAMES.howDidItEnd,
      STATE_NAMES.remediationFailed,
    ]);
    expect(world.lock.held.size).toBe(0);
  });

  it('gives up waiting after the last allowed check, and says so', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot(), { updatingDescribes: 1000 });
    const result = await run(world, { target: 'orders' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'ResourceNotReadyError' });
    expect(result.states.filter((s) => s === STATE_NAMES.checkResource)).toHaveLength(MAX_POLLS);
    expect(world.notifier.messages[0]!.body).toContain(`still UPDATING after ${MAX_POLLS} checks`);
    expect(world.lock.held.size).toBe(0);
  });

  it('releases the lock even when the notification cannot be sent, and fails saying so', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot());
    world.notifier.failures.failAlways('publish', new AccessDeniedError('not authorized', { action: 'Publish' }));
    const result = await run(world, { target: 'orders', dryRun: true });
    expect(result).toMatchObject({ status: 'FAILED', error: 'AccessDeniedError' });
    expect(result.states.slice(-2)).toEqual([STATE_NAMES.howDidItEnd, STATE_NAMES.notificationFailed]);
    expect(world.lock.held.size).toBe(0);
  });

  it('ends quietly when another run holds the target, leaving its lock alone', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot());
    await world.lock.acquire('orders', 'another-execution', 3600);
    const result = await run(world, { target: 'orders' });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.states.at(-1)).toBe(STATE_NAMES.targetBusy);
    expect(result.states).not.toContain(STATE_NAMES.assess);
    expect(world.notifier.messages).toEqual([]);
    expect(world.lock.held.get('orders')?.owner).toBe('another-execution');
  });

  it('fails a bad manual input at once, naming the field, without locking or telling anyone', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot());
    const result = await run(world, { target: 'orders', dryRun: 'yes' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'InvalidInputError', states: [STATE_NAMES.intake] });
    expect(result.status === 'FAILED' && JSON.parse(result.cause).errorMessage).toBe('dryRun: must be true or false');
    expect(world.lock.held.size).toBe(0);
    expect(world.notifier.messages).toEqual([]);
  });
});

const MIB = 1024 * 1024;

/** Producers want 3.5 times what the 2-shard stream takes; the Flink job reading it is at ease. */
function throttledStreamCalmApp() {
  return buildSnapshot({
    stream: { shards: 2 },
    app: { parallelism: 4 },
    metrics: {
      incomingBytes: 2 * MIB * 60,
      incomingRecords: 1500 * 60,
      // Half of the refusals are resends (docs/demand-estimation.md): 2,000 records/s of new demand.
      writeThrottled: 240_000,
      putRecordsThrottled: 240_000,
      millisBehindLatest: 1000,
      containerCpu: 40,
      busyTime: 300,
      backPressuredTime: 50,
      recordsInPerSecond: 1500,
    },
  });
}

/** After the reshard every record gets in, and the job cannot keep up with them: it falls behind at full CPU. */
function computeBoundMetrics(): GetMetricDataRecord {
  return buildSnapshot({
    stream: { shards: 6 },
    app: { parallelism: 4 },
    metrics: {
      incomingBytes: 6 * MIB * 60,
      incomingRecords: 5200 * 60,
      writeThrottled: 0,
      putRecordsThrottled: 0,
      millisBehindLatest: (minute) => (minute < 45 ? 1000 : 60_000 + (minute - 45) * 20_000),
      containerCpu: (minute) => (minute < 45 ? 40 : 96),
      busyTime: (minute) => (minute < 45 ? 300 : 1000),
      backPressuredTime: 20,
      recordsInPerSecond: (minute) => (minute < 45 ? 1500 : 4000),
    },
  }).getMetricData as GetMetricDataRecord;
}

/** Everything caught up with room to spare. */
function pipelineCalmMetrics(): GetMetricDataRecord {
  return buildSnapshot({
    stream: { shards: 6 },
    app: { parallelism: 10 },
    metrics: {
      incomingBytes: 6 * MIB * 60,
      incomingRecords: 5200 * 60,
      writeThrottled: 0,
      putRecordsThrottled: 0,
      millisBehindLatest: 500,
      containerCpu: 45,
      busyTime: 450,
      backPressuredTime: 20,
      recordsInPerSecond: 5200,
    },
  }).getMetricData as GetMetricDataRecord;
}

describe('another round after the verification, under the same lock', () => {
  function runPipeline(world: FakeWorld): Promise<LocalRunResult> {
    return runLocalWorkflow(pipelineWorkflow, { target: 'orders' }, { cores: world.cores, executionName: 'rounds' });
  }

  it('fixes what the verification finds next (the job short of compute after a reshard), then tells both rounds', async () => {
    const world = fakeWorldFrom(throttledStreamCalmApp(), {
      laterMetrics: [computeBoundMetrics(), pipelineCalmMetrics()],
    });
    const result = await runPipeline(world);

    expect(result.status).toBe('SUCCEEDED');
    // 3,500 records/s of 1,398 bytes (4.67 MiB/s) at 80% of 1 MiB/s a shard = 6 shards: 2 -> 4 -> 6.
    expect(scaledStream(world)).toEqual([4, 6]);
    expect(world.applications.calls.map((c) => c.method)).toEqual(['updateParallelism']);
    expect(result.states.filter((s) => s === STATE_NAMES.nextRound)).toHaveLength(1);
    expect(result.states.filter((s) => s === STATE_NAMES.verify)).toHaveLength(2);
    expect(result.states.filter((s) => s === STATE_NAMES.acquireLock)).toHaveLength(1);
    const [message] = world.notifier.messages;
    expect(world.notifier.messages).toHaveLength(1);
    expect(message!.attributes).toMatchObject({ cause: 'STREAM_WRITE_CAPACITY', outcome: 'resolved' });
    expect(message!.body).toContain('Round 1 of 2: STREAM_WRITE_CAPACITY');
    expect(message!.body).toContain('Round 2 of 2: CONSUMER_COMPUTE');
    expect(message!.body).toMatch(/- UpdateShardCount orders-stream 4 -> 6 shards \(call 2 of 2\)/);
    expect(message!.body).toMatch(/- UpdateApplication orders-enricher parallelism 4 -> \d+/);
    expect(changesOf(world.ledger.entries).map((e) => e.actionType)).toEqual([
      'UpdateShardCount',
      'UpdateShardCount',
      'UpdateApplicationParallelism',
    ]);
    expect(world.lock.held.size).toBe(0);
  });

  it('holds the round bound in the state machine even when the verify step proposes another round', async () => {
    const world = fakeWorldFrom(throttledStreamCalmApp(), { laterMetrics: [computeBoundMetrics()] });
    // A verify step that always proposes another round (a harmless retention step): only the Choice stops it.
    const retention: WorkStep = {
      type: 'IncreaseStreamRetention',
      streamName: 'orders-stream',
      fromHours: 24,
      toHours: 48,
    };
    const cores = {
      ...world.cores,
      verify: async (payload: unknown) => {
        const verification = (await world.cores.verify(payload)) as Verification;
        const { assessment, progress, rounds } = payload as TaskPayload<'verify'>;
        return {
          ...verification,
          round: 1,
          next: {
            assessment: { ...assessment, steps: [retention] },
            rounds: [...(rounds ?? []), { assessment, progress, verification }],
          },
        };
      },
    };
    const result = await runLocalWorkflow(pipelineWorkflow, { target: 'orders' }, { cores, executionName: 'bound' });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.states.filter((s) => s === STATE_NAMES.nextRound)).toHaveLength(MAX_ROUNDS - 1);
    expect(result.states.slice(-5)).toEqual([
      STATE_NAMES.anotherRound,
      STATE_NAMES.notify,
      STATE_NAMES.releaseLock,
      STATE_NAMES.howDidItEnd,
      STATE_NAMES.done,
    ]);
  });

  it('does not go round again in a dry run', async () => {
    const world = fakeWorldFrom(throttledStreamCalmApp(), { laterMetrics: [computeBoundMetrics()] });
    const result = await runLocalWorkflow(
      pipelineWorkflow,
      { target: 'orders', dryRun: true },
      { cores: world.cores, executionName: 'dry' },
    );
    expect(result.states).not.toContain(STATE_NAMES.verify);
    expect(result.states).not.toContain(STATE_NAMES.nextRound);
    expect(scaledStream(world)).toEqual([]);
  });

  it('tells the rounds made when a later round fails, and still releases the lock', async () => {
    const world = fakeWorldFrom(throttledStreamCalmApp(), { laterMetrics: [computeBoundMetrics()] });
    world.applications.failures.failAlways(
      'updateParallelism',
      new AccessDeniedError('not authorized to UpdateApplication', { action: 'UpdateApplication' }),
    );
    const result = await runPipeline(world);

    expect(result).toMatchObject({ status: 'FAILED', error: 'AccessDeniedError' });
    const body = world.notifier.messages[0]!.body;
    expect(body).toContain('Round 1 of 2: STREAM_WRITE_CAPACITY');
    expect(body).toMatch(/- NOT DONE: UpdateApplication orders-enricher parallelism 4 -> \d+/);
    expect(body).toContain('FAILED after 2 changes had been made');
    expect(world.lock.held.size).toBe(0);
  });
});
