import { alarmName } from '../../lambdas/domain/alarm-definitions';
import { parseConfig } from '../../lambdas/domain/config';
import { MAX_WORKFLOW_INPUT_BYTES, parseWorkflowInput, toRunContext } from '../../lambdas/workflow/input';
import { InvalidInputError, JSON_LIMITS } from '../../lambdas/domain/validation';
import { alarmStateChangeEvent } from '../fakes/events';

const config = parseConfig({
  policy: { cooldownUpMinutes: 15 },
  targets: [
    { name: 'orders', mode: 'auto', stream: { name: 'orders-stream' }, policy: { targetUtilization: 0.6 } },
    { name: 'orders-eu', application: { name: 'orders-eu-enricher' } },
  ],
});
const execution = {
  executionId: 'arn:aws:states:eu-west-1:123456789012:execution:StreamMedic:run-1',
  startedAt: '2026-11-21T10:14:33.000Z',
  region: 'eu-west-1',
};

function thrown(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('expected an InvalidInputError');
}

describe('parseWorkflowInput', () => {
  it('reads the target and the alarm out of an alarm state change event', () => {
    const name = alarmName('orders', 'writeThrottling');
    const request = parseWorkflowInput(alarmStateChangeEvent(name));
    expect(request).toEqual({
      target: 'orders',
      dryRun: false,
      trigger: {
        kind: 'alarm',
        alarmName: name,
        alarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}`,
        reason: expect.stringContaining('Threshold Crossed'),
        changedAt: '2026-11-21T10:14:31.214+0000',
      },
    });
  });

  it('keeps a target name that contains dashes whole', () => {
    expect(parseWorkflowInput(alarmStateChangeEvent(alarmName('orders-eu', 'appLag'))).target).toBe('orders-eu');
  });

  it('honours a configured alarm name prefix', () => {
    const event = alarmStateChangeEvent(alarmName('orders', 'appCpu', 'Prod-StreamMedic'));
    expect(parseWorkflowInput(event, 'Prod-StreamMedic').target).toBe('orders');
  });

  it.each([
    [{ target: 'orders', dryRun: true }, true],
    [{ target: 'orders', dryRun: false }, false],
    [{ target: 'orders' }, false],
  ])('normalises the manual input %j', (input, dryRun) => {
    expect(parseWorkflowInput(input)).toEqual({ target: 'orders', dryRun, trigger: { kind: 'manual' } });
  });

  it.each<[string, unknown, string]>([
    ['null', null, '(root)'],
    ['an array', [{ target: 'orders' }], '(root)'],
    ['no target', { dryRun: true }, 'target'],
    ['an empty target', { target: '' }, 'target'],
    ['a numeric target', { target: 5 }, 'target'],
    ['a string dryRun', { target: 'orders', dryRun: 'yes' }, 'dryRun'],
    ['a misspelt field', { target: 'orders', dryrun: true }, 'dryrun'],
    [
      'an alarm leaving ALARM',
      alarmStateChangeEvent(alarmName('orders', 'appLag'), { state: 'OK' }),
      'detail.state.value',
    ],
    ['an alarm that is not StreamMedic’s', alarmStateChangeEvent('billing-alarm'), 'detail.alarmName'],
    ['an alarm of an unknown kind', alarmStateChangeEvent('StreamMedic-orders-disk-full'), 'detail.alarmName'],
  ])('refuses %s, naming the field', (_case, input, path) => {
    const error = thrown(() => parseWorkflowInput(input));
    expect(error.name).toBe('InvalidInputError');
    expect(error.path).toBe(path);
    expect(error.message.startsWith(`${path}: `)).toBe(true);
  });
});

describe('toRunContext', () => {
  it('attaches the target config and the policy with the target overrides applied', () => {
    const run = toRunContext({ target: 'orders', dryRun: true, trigger: { kind: 'manual' } }, config, execution);
    expect(run.config.stream?.name).toBe('orders-stream');
    expect(run.policy.targetUtilization).toBe(0.6);
    expect(run.policy.cooldownUpMinutes).toBe(15);
    expect(run).toMatchObject({ ...execution, target: 'orders', dryRun: true });
  });

  it("takes the config's region over the workflow's", () => {
    const elsewhere = parseConfig({ region: 'us-west-2', targets: [{ name: 'orders', stream: { name: 's' } }] });
    const run = toRunContext({ target: 'orders', dryRun: false, trigger: { kind: 'manual' } }, elsewhere, execution);
    expect(run.region).toBe('us-west-2');
  });

  it.each([
    [{ kind: 'manual' } as const, 'target'],
    [{ kind: 'alarm', alarmName: 'StreamMedic-payments-app-lag' } as const, 'detail.alarmName'],
  ])('refuses a target that is not configured (%j), naming the input field', (trigger, path) => {
    const error = thrown(() => toRunContext({ target: 'payments', dryRun: false, trigger }, config, execution));
    expect(error.path).toBe(path);
    expect(error.message).toContain('"orders", "orders-eu"');
  });
});

describe('alarm events that try to fool the workflow', () => {
  const ordersAlarm = alarmName('orders', 'writeThrottling');

  it.each([
    ['dryRun: true', true],
    ['dryRun: false', false],
  ])('refuses an alarm event that carries %s, naming dryRun', (_case, dryRun) => {
    const error = thrown(() => parseWorkflowInput({ ...alarmStateChangeEvent(ordersAlarm), dryRun }));
    expect(error.path).toBe('dryRun');
    expect(error.message).toContain('manual run');
  });

  it('refuses an alarm event nested thousands of levels deep, naming where it goes too deep', () => {
    let deep: Record<string, unknown> = {};
    for (let level = 0; level < 4000; level++) deep = { nested: deep };
    const error = thrown(() => parseWorkflowInput({ ...alarmStateChangeEvent(ordersAlarm), extra: deep }));
    expect(error.path).toMatch(/^extra(\.nested)+$/);
    expect(error.message).toContain(`nested deeper than ${JSON_LIMITS.maxDepth} levels`);
  });

  it('refuses an input larger than Step Functions lets a state take', () => {
    const padded = { ...alarmStateChangeEvent(ordersAlarm), padding: 'x'.repeat(MAX_WORKFLOW_INPUT_BYTES) };
    const error = thrown(() => parseWorkflowInput(padded));
    expect(error.path).toBe('(root)');
    expect(error.message).toContain(`at most ${MAX_WORKFLOW_INPUT_BYTES}`);
  });

  it('refuses an event whose resource is the ARN of another alarm', () => {
    const event = {
      ...alarmStateChangeEvent(ordersAlarm),
      resources: ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:StreamMedic-payments-write-throttling'],
    };
    expect(thrown(() => parseWorkflowInput(event)).path).toBe('resources[0]');
  });

  it('refuses an alarm name of the right shape that the stack does not create for the target', () => {
    // orders has no application, so it has no app-lag alarm; the name only looks like one of ours.
    const request = parseWorkflowInput(alarmStateChangeEvent(alarmName('orders', 'appLag')));
    const error = thrown(() => toRunContext(request, config, execution));
    expect(error.path).toBe('detail.alarmName');
    expect(error.message).toContain(`"${ordersAlarm}"`);
  });

  it("accepts the target's own alarm, with CloudWatch's reason and time", () => {
    const run = toRunContext(parseWorkflowInput(alarmStateChangeEvent(ordersAlarm)), config, execution);
    expect(run.trigger).toMatchObject({
      kind: 'alarm',
      alarmName: ordersAlarm,
      reason: expect.stringMatching(/^Threshold Crossed: 3 out of the last 3 datapoints/),
      changedAt: '2026-11-21T10:14:31.214+0000',
    });
  });

  it.each([
    ['a link', 'Threshold Crossed: see https://evil.example/reset for details'],
    ['a host name', 'Threshold Crossed: call support at evil.example now'],
    ['an address', 'Threshold Crossed: write to oncall@evil.example'],
    ['markup', 'Threshold Crossed: <a href=x>click</a>'],
    ['too much text', `Threshold Crossed: ${'9'.repeat(1100)}`],
  ])('drops a reason with %s, so it never reaches a message', (_case, reason) => {
    const event = alarmStateChangeEvent(ordersAlarm) as { detail: { state: Record<string, unknown> } };
    event.detail.state['reason'] = reason;
    const request = parseWorkflowInput(event);
    expect(request.trigger).toMatchObject({ kind: 'alarm', alarmName: ordersAlarm });
    expect('reason' in request.trigger).toBe(false);
  });

  it('puts a reason on one line, so an event cannot add lines of its own to the message', () => {
    const event = alarmStateChangeEvent(ordersAlarm) as { detail: { state: Record<string, unknown> } };
    event.detail.state['reason'] = 'Threshold Crossed: 3 datapoints.\n\nACTION REQUIRED: nothing';
    const trigger = parseWorkflowInput(event).trigger;
    expect(trigger).toMatchObject({ reason: 'Threshold Crossed: 3 datapoints. ACTION REQUIRED: nothing' });
  });

  it('drops a state time that is not a time', () => {
    const event = alarmStateChangeEvent(ordersAlarm) as { detail: { state: Record<string, unknown> } };
    event.detail.state['timestamp'] = 'now, see http://evil.example';
    expect('changedAt' in parseWorkflowInput(event).trigger).toBe(false);
  });
});

describe('parseWorkflowInput: the sweep', () => {
  const names = [alarmName('orders', 'writeThrottling')];

  it('reads a sweep input as a live run of the target, started by the sweep for the alarms still in ALARM', () => {
    const request = parseWorkflowInput({ sweep: { target: 'orders', alarmNames: names } });
    expect(request).toEqual({ target: 'orders', dryRun: false, trigger: { kind: 'sweep', alarmNames: names } });
    const run = toRunContext(request, config, execution);
    expect(run.trigger).toEqual({ kind: 'sweep', alarmNames: names });
  });

  it.each([
    [{ sweep: { target: 'orders', alarmNames: [] } }, 'sweep.alarmNames'],
    [{ sweep: { target: 'orders', alarmNames: names, dryRun: true } }, 'sweep.dryRun'],
    [{ sweep: { alarmNames: names } }, 'sweep.target'],
  ])('refuses %j naming %s', (input, path) => {
    expect(thrown(() => parseWorkflowInput(input)).path).toBe(path);
  });

  it("refuses an alarm that is not one of the target's own, naming sweep.alarmNames", () => {
    const request = parseWorkflowInput({ sweep: { target: 'orders', alarmNames: [alarmName('orders-eu', 'appLag')] } });
    expect(thrown(() => toRunContext(request, config, execution)).path).toBe('sweep.alarmNames');
  });

  it('refuses a target that is not configured, naming sweep.target', () => {
    const request = parseWorkflowInput({ sweep: { target: 'nope', alarmNames: names } });
    expect(thrown(() => toRunContext(request, config, execution)).path).toBe('sweep.target');
  });
});
