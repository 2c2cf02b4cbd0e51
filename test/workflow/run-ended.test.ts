import { openIntents } from '../../lambdas/domain/ledger-intents';
import type { LedgerEntry } from '../../lambdas/domain/model';
import { createRunEndedCore } from '../../lambdas/workflow/run-ended';
import { ServiceUnavailableError } from '../../lambdas/ports/errors';
import { FakeClock } from '../fakes/clock';
import { FakeExecutionReader } from '../fakes/executions';
import { InMemoryLedger } from '../fakes/ledger';
import { FakeStreamControl } from '../fakes/stream-control';
import { FakeNotifier } from '../fakes/notifier';
import { InMemoryTargetLock } from '../fakes/target-lock';
import { InMemoryFleetSlots } from '../../sim/adapters';
import { RecordingTelemetry } from '../fakes/telemetry';

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:StreamMedicWorkflow';
const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:StreamMedicWorkflow:run-1';
const OTHER_EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:StreamMedicWorkflow:run-2';
const LOCK_TTL_SECONDS = 130 * 60;

function statusChange(status: string, input: unknown, extra: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: 'e1',
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '123456789012',
    time: '2026-11-21T12:15:00Z',
    region: 'eu-west-1',
    resources: [EXECUTION],
    detail: {
      executionArn: EXECUTION,
      stateMachineArn: MACHINE,
      name: 'run-1',
      status,
      startDate: Date.parse('2026-11-21T10:15:00Z'),
      stopDate: Date.parse('2026-11-21T12:15:00Z'),
      input: input === undefined ? null : JSON.stringify(input),
      inputDetails: { included: input !== undefined },
      output: null,
      outputDetails: null,
      ...extra,
    },
  };
}

const ALARM_INPUT = {
  'detail-type': 'CloudWatch Alarm State Change',
  source: 'aws.cloudwatch',
  resources: ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:StreamMedic-orders-app-lag'],
  detail: { alarmName: 'StreamMedic-orders-app-lag', state: { value: 'ALARM' } },
};

function setUp(inputs: Record<string, string> = {}) {
  const clock = new FakeClock('2026-11-21T12:15:00Z');
  const lock = new InMemoryTargetLock(clock);
  const notifier = new FakeNotifier();
  const telemetry = new RecordingTelemetry();
  const executions = new FakeExecutionReader(inputs);
  const slots = new InMemoryFleetSlots(clock);
  const core = createRunEndedCore({ lock, slots, notifier, executions, telemetry, alarmNamePrefix: 'StreamMedic' });
  return { clock, lock, slots, notifier, telemetry, executions, core };
}

describe('run-ended core', () => {
  it('frees the fleet slot of a run that died, so the next run of the fleet may take it', async () => {
    const { slots, core } = setUp();
    await slots.acquire(EXECUTION, 1, LOCK_TTL_SECONDS);
    expect(await slots.acquire(OTHER_EXECUTION, 1, LOCK_TTL_SECONDS)).toBeUndefined();

    await core(statusChange('FAILED', { target: 'orders', dryRun: false }));

    expect(await slots.holders()).toEqual([]);
    expect(await slots.acquire(OTHER_EXECUTION, 1, LOCK_TTL_SECONDS)).toEqual({ index: 0 });
  });

  it.each(['TIMED_OUT', 'ABORTED', 'FAILED'])(
    'frees the lock a run that ended %s still holds, and says so',
    async (status) => {
      const { lock, notifier, core } = setUp();
      await lock.acquire('orders', EXECUTION, LOCK_TTL_SECONDS);

      const result = await core(statusChange(status, { target: 'orders', dryRun: false }));

      expect(result).toMatchObject({ handled: true, status, target: 'orders', lock: 'freed' });
      expect(await lock.ownerOf('orders')).toBeUndefined();
      expect(await lock.acquire('orders', OTHER_EXECUTION, LOCK_TTL_SECONDS)).toBe(true);
      expect(notifier.messages).toHaveLength(1);
      const message = notifier.messages[0]!;
      expect(message.subject).toBe(`StreamMedic orders: run ended ${status} - lock freed`);
      expect(message.body).toContain('The lock on orders was still held by this run and is now released');
      expect(message.body).toContain('WHAT TO CHECK');
      expect(message.body).toContain('start a run by hand with {"target": "orders"}');
      expect(message.body).toContain(
        'https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/',
      );
      expect(message.attributes).toEqual({ outcome: 'run-ended', status, lock: 'freed', target: 'orders' });
    },
  );

  it('reads the target of an alarm-started run from the alarm name, as the intake does', async () => {
    const { lock, core } = setUp();
    await lock.acquire('orders', EXECUTION, LOCK_TTL_SECONDS);

    await expect(core(statusChange('TIMED_OUT', ALARM_INPUT))).resolves.toMatchObject({
      target: 'orders',
      lock: 'freed',
    });
  });

  it('tells a timed-out run that a change it started may still be in progress', async () => {
    const { core, notifier } = setUp();
    await core(statusChange('TIMED_OUT', { target: 'orders' }));
    expect(notifier.messages[0]!.body).toContain('still in progress');
    expect(notifier.messages[0]!.body).not.toContain("the run's own report did not arrive");
  });

  it("says a failed run's own report may be missing, and not that a change may still be in progress", async () => {
    const { core, notifier } = setUp();
    await core(statusChange('FAILED', { target: 'orders' }));
    expect(notifier.messages[0]!.body).toContain(
      "If the run's own report did not arrive, this is the only notice of it.",
    );
    expect(notifier.messages[0]!.body).not.toContain('still in progress');
  });

  it("leaves another run's lock alone", async () => {
    const { lock, notifier, core } = setUp();
    await lock.acquire('orders', OTHER_EXECUTION, LOCK_TTL_SECONDS);

    const result = await core(statusChange('ABORTED', { target: 'orders' }));

    expect(result).toMatchObject({ lock: 'held-by-another' });
    expect(await lock.ownerOf('orders')).toBe(OTHER_EXECUTION);
    expect(notifier.messages[0]!.subject).toBe('StreamMedic orders: run ended ABORTED');
    expect(notifier.messages[0]!.body).toContain(`held by another run (${OTHER_EXECUTION}); it was left alone`);
  });

  it('reports a failed run whose lock was already released, without freeing anything', async () => {
    const { notifier, core } = setUp();

    const result = await core(
      statusChange(
        'FAILED',
        { target: 'orders' },
        {
          error: 'ServiceUnavailableError',
          cause: '{"errorType":"ServiceUnavailableError","errorMessage":"Publish failed"}',
        },
      ),
    );

    expect(result).toMatchObject({ lock: 'not-held' });
    expect(notifier.messages[0]!.body).toContain('ServiceUnavailableError: Publish failed');
    expect(notifier.messages[0]!.body).toContain('was not held by this run any more');
  });

  it('reads the input with DescribeExecution when the event left it out', async () => {
    const { lock, executions, core } = setUp({ [EXECUTION]: JSON.stringify({ target: 'orders' }) });
    await lock.acquire('orders', EXECUTION, LOCK_TTL_SECONDS);

    const result = await core(statusChange('TIMED_OUT', undefined));

    expect(executions.asked).toEqual([EXECUTION]);
    expect(result).toMatchObject({ target: 'orders', lock: 'freed' });
  });

  it('uses the input the event carries without calling DescribeExecution', async () => {
    const { executions, core } = setUp();
    await core(statusChange('TIMED_OUT', { target: 'orders' }));
    expect(executions.asked).toEqual([]);
  });

  it.each([
    ['a forged target name', { target: 'orders http://evil.example' }],
    [
      'an alarm that is not a StreamMedic alarm',
      { ...ALARM_INPUT, detail: { alarmName: 'Other', state: { value: 'ALARM' } } },
    ],
    ['an unknown field', { target: 'orders', force: true }],
  ])('reports a run refused at intake (%s) as holding no lock', async (_case, input) => {
    const { lock, notifier, core } = setUp();
    await lock.acquire('orders', OTHER_EXECUTION, LOCK_TTL_SECONDS);

    const result = await core(
      statusChange('FAILED', input, {
        error: 'InvalidInputError',
        cause: `{"errorType":"InvalidInputError","errorMessage":"target: no target named ${JSON.stringify(input).replace(/"/g, "'")}"}`,
      }),
    );

    expect(result).toMatchObject({ handled: true, lock: 'no-target' });
    expect(result).not.toHaveProperty('target');
    expect(await lock.ownerOf('orders')).toBe(OTHER_EXECUTION);
    expect(notifier.messages[0]!.subject).toBe('StreamMedic run: run ended FAILED');
    expect(notifier.messages[0]!.body).not.toContain('evil');
    expect(notifier.messages[0]!.body).toContain('held no lock');
    expect(notifier.messages[0]!.body).toContain('InvalidInputError');
  });

  it('does nothing for an execution that succeeded', async () => {
    const { lock, notifier, core } = setUp();
    await lock.acquire('orders', EXECUTION, LOCK_TTL_SECONDS);

    await expect(core(statusChange('SUCCEEDED', { target: 'orders' }))).resolves.toEqual({
      handled: false,
      status: 'SUCCEEDED',
    });
    expect(notifier.messages).toEqual([]);
    expect(await lock.ownerOf('orders')).toBe(EXECUTION);
  });

  it('frees the lock before publishing, counts a failed publish and throws so Lambda retries', async () => {
    const { lock, notifier, telemetry, core } = setUp();
    await lock.acquire('orders', EXECUTION, LOCK_TTL_SECONDS);
    notifier.failures.failNext(
      'publish',
      new ServiceUnavailableError('SNS is down', { action: 'Publish', resource: 'topic' }),
    );

    await expect(core(statusChange('TIMED_OUT', { target: 'orders' }))).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
    });
    expect(await lock.ownerOf('orders')).toBeUndefined();
    expect(telemetry.total('NotificationsFailed')).toBe(1);

    // Lambda's retry: the lock is already free, and the message now goes out.
    await expect(core(statusChange('TIMED_OUT', { target: 'orders' }))).resolves.toMatchObject({ lock: 'not-held' });
    expect(notifier.messages).toHaveLength(1);
    expect(telemetry.total('NotificationsFailed')).toBe(1);
  });

  it.each([
    ['detail-type', { 'detail-type': 'Other' }, 'detail-type'],
    [
      'executionArn',
      { detail: { ...statusChange('FAILED', {}).detail, executionArn: 'run-1' } },
      'detail.executionArn',
    ],
    ['status', { detail: { ...statusChange('FAILED', {}).detail, status: 'DONE' } }, 'detail.status'],
  ])('refuses an event with a bad %s, naming the field', async (_field, change, path) => {
    const { notifier, core } = setUp();
    await expect(core({ ...statusChange('FAILED', {}), ...change })).rejects.toMatchObject({
      name: 'InvalidInputError',
      path,
    });
    expect(notifier.messages).toEqual([]);
  });
});

describe('run-ended core: a change the dying run requested without recording its result', () => {
  const intent: LedgerEntry = {
    at: '2026-11-21T11:00:00.000Z',
    target: 'orders',
    resource: 'stream/orders-stream',
    actionType: 'UpdateShardCount',
    direction: 'up',
    from: 4,
    to: 8,
    calls: 1,
    executionId: EXECUTION,
    phase: 'intent',
  };

  function withLedger(openShards: number) {
    const clock = new FakeClock('2026-11-21T12:15:00Z');
    const ledger = new InMemoryLedger([intent]);
    const streams = new FakeStreamControl(clock);
    streams.add({ name: 'orders-stream', status: 'ACTIVE', mode: 'PROVISIONED', openShards, retentionHours: 24 });
    const notifier = new FakeNotifier();
    const core = createRunEndedCore({
      lock: new InMemoryTargetLock(clock),
      slots: new InMemoryFleetSlots(clock),
      notifier,
      executions: new FakeExecutionReader({}),
      telemetry: new RecordingTelemetry(),
      alarmNamePrefix: 'StreamMedic',
      reconcile: { ledger, streams, clock },
    });
    return { ledger, notifier, core };
  }

  it.each([
    [8, 'made', 'MADE'],
    [4, 'not-made', 'NOT MADE'],
  ])('settles it from the stream (%i open shards: %s) and tells on-call', async (shards, result, words) => {
    const { ledger, notifier, core } = withLedger(shards);
    await core(statusChange('FAILED', { target: 'orders', dryRun: false }));
    expect(openIntents(ledger.entries)).toEqual([]);
    expect(ledger.entries.at(-1)).toMatchObject({ phase: 'result', result, intentAt: intent.at });
    expect(notifier.messages[0]!.body).toContain(
      `UpdateShardCount 4 -> 8 on stream/orders-stream (requested ${intent.at}): ${words}:`,
    );
  });

  it("leaves another run's open intent alone", async () => {
    const { ledger, core } = withLedger(8);
    ledger.entries[0] = { ...intent, executionId: OTHER_EXECUTION };
    await core(statusChange('TIMED_OUT', { target: 'orders', dryRun: false }));
    expect(openIntents(ledger.entries)).toHaveLength(1);
  });

  it('still tells on-call when the resource cannot be read, and says the change may have been made', async () => {
    const { ledger, notifier, core } = withLedger(8);
    ledger.failures.failNext('list', new ServiceUnavailableError('down', { action: 'Query' }));
    await core(statusChange('FAILED', { target: 'orders', dryRun: false }));
    expect(notifier.messages).toHaveLength(1);
    expect(notifier.messages[0]!.body).toContain('A change this run requested may have been made');
  });
});

describe('run-ended core: runs the sweep started', () => {
  const SWEEP_INPUT = { sweep: { target: 'orders', alarmNames: ['StreamMedic-orders-app-lag'] } };

  it('says nothing of a failed sweep run that went through its own notify and unlock steps', async () => {
    const { notifier, core } = setUp();
    const result = await core(statusChange('FAILED', SWEEP_INPUT));
    expect(result).toMatchObject({ handled: true, target: 'orders', lock: 'not-held', published: false });
    expect(notifier.messages).toEqual([]);
  });

  it.each(['TIMED_OUT', 'ABORTED'])('reports a sweep run that ended %s, which told nobody', async (status) => {
    const { notifier, core } = setUp();
    const result = await core(statusChange(status, SWEEP_INPUT));
    expect(result).toMatchObject({ handled: true, published: true });
    expect(notifier.messages).toHaveLength(1);
  });

  it('frees and reports a sweep run that died holding the lock', async () => {
    const { lock, notifier, core } = setUp();
    await lock.acquire('orders', EXECUTION, LOCK_TTL_SECONDS);
    const result = await core(statusChange('FAILED', SWEEP_INPUT));
    expect(result).toMatchObject({ lock: 'freed', published: true });
    expect(notifier.messages).toHaveLength(1);
  });

  it('still reports a failed alarm-started run that released its lock', async () => {
    const { notifier, core } = setUp();
    await core(statusChange('FAILED', ALARM_INPUT));
    expect(notifier.messages).toHaveLength(1);
  });
});
