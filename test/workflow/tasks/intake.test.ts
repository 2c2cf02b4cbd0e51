import { alarmName } from '../../../lambdas/domain/alarm-definitions';
import { parseConfig } from '../../../lambdas/domain/config';
import type { RunContext } from '../../../lambdas/domain/run-state';
import { createIntakeTask } from '../../../lambdas/workflow/tasks/intake';
import { alarmStateChangeEvent } from '../../fakes/events';
import { RecordingTelemetry } from '../../fakes/telemetry';

const config = parseConfig({
  targets: [
    { name: 'orders', mode: 'auto', stream: { name: 'orders-stream' }, application: { name: 'orders-enricher' } },
  ],
});
const telemetry = new RecordingTelemetry();
const intake = createIntakeTask({ defaultRegion: 'eu-west-1', telemetry });
const execution = {
  executionId: 'arn:aws:states:eu-west-1:123456789012:execution:StreamMedic:run-1',
  startedAt: '2026-11-21T10:14:33.000Z',
};

function payload(input: unknown): unknown {
  return { input, ...execution, config: JSON.parse(JSON.stringify(config)) };
}

describe('intake step', () => {
  it('turns a real alarm state change event into a live run of the alarm’s target', async () => {
    const name = alarmName('orders', 'writeThrottling');
    const run = (await intake(payload(alarmStateChangeEvent(name)))) as RunContext;
    expect(run).toMatchObject({
      target: 'orders',
      dryRun: false,
      region: 'eu-west-1',
      executionId: execution.executionId,
      trigger: { kind: 'alarm', alarmName: name },
    });
    expect(run.config.stream?.name).toBe('orders-stream');
    expect(telemetry.logs.at(-1)).toMatchObject({ message: 'run accepted', attributes: { trigger: name } });
  });

  it('accepts a manual dry run', async () => {
    const run = (await intake(payload({ target: 'orders', dryRun: true }))) as RunContext;
    expect(run).toMatchObject({ target: 'orders', dryRun: true, trigger: { kind: 'manual' } });
  });

  it.each<[string, unknown, string]>([
    ['an unknown target', { target: 'payments' }, 'target: no target named "payments" is configured (known: "orders")'],
    ['a string dryRun', { target: 'orders', dryRun: 'true' }, 'dryRun: must be true or false'],
    ['an empty object', {}, 'target: must be the name of a configured target'],
    ['an unknown field', { target: 'orders', force: true }, 'force: is not a known field'],
  ])('fails %s with InvalidInputError naming the field', async (_case, input, message) => {
    const error = await intake(payload(input)).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InvalidInputError' });
    expect((error as Error).message.startsWith(message)).toBe(true);
  });

  it('refuses a payload the state machine did not build, naming the missing field', async () => {
    const error = await intake({ input: { target: 'orders' }, config }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InvalidInputError', path: 'executionId' });
  });
});
