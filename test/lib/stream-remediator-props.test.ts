import { App, Duration, Stack } from 'aws-cdk-lib';
import type { StreamMedicConfigInput } from '../../lambdas/domain/config';
import { StreamRemediator, type StreamRemediatorProps } from '../../lib/stream-remediator';

const VALID: StreamMedicConfigInput = { targets: [{ name: 'orders', stream: { name: 'orders-stream' } }] };

/** Each case fails validation before any resource (or Lambda bundle) is created, so no synthesis is needed. */
function build(
  props: Omit<Partial<StreamRemediatorProps>, 'config'> & { readonly config: unknown },
): () => StreamRemediator {
  return () =>
    new StreamRemediator(new Stack(new App(), 'Test'), 'StreamMedic', {
      ...props,
      config: props.config as StreamMedicConfigInput,
    });
}

describe('StreamRemediator props validation', () => {
  it.each<[string, unknown, string]>([
    ['no config at all', undefined, 'config: Invalid input: expected object, received undefined'],
    ['no targets', { targets: [] }, 'config.targets: Too small'],
    [
      'a target with neither stream nor application',
      { targets: [{ name: 'orders' }] },
      'config.targets[0].stream: a target needs a stream, an application or both',
    ],
    [
      'two targets with the same name',
      { targets: [VALID.targets[0], VALID.targets[0]] },
      'config.targets[1].name: duplicates targets[0].name "orders"',
    ],
    [
      'an email that is not an address',
      { notifications: { emails: ['on-call'] }, targets: VALID.targets },
      'config.notifications.emails[0]',
    ],
    [
      'alarm datapoints above the evaluation periods',
      { alarms: { writeThrottling: { evaluationPeriods: 2, datapointsToAlarm: 3 } }, targets: VALID.targets },
      'config.alarms.writeThrottling.datapointsToAlarm: must be <= evaluationPeriods (2)',
    ],
    ['a misspelt field', { targets: VALID.targets, alarm: {} }, 'config.alarm'],
  ])('throws on %s, naming the field', (_label, config, message) => {
    expect(build({ config })).toThrow(message);
  });

  it.each([
    ['a name with a space', 'StreamMedic dashboard'],
    ['an empty name', ''],
    ['a name longer than 255 characters', 'd'.repeat(256)],
  ])('throws on a dashboardName with %s', (_label, dashboardName) => {
    expect(build({ config: VALID, dashboardName })).toThrow(/^dashboardName: /);
  });

  it.each([
    ['shorter than a minute', Duration.seconds(30)],
    ['longer than 14 days', Duration.days(15)],
  ])('throws on a deadLetterRetention %s', (_label, deadLetterRetention) => {
    expect(build({ config: VALID, deadLetterRetention })).toThrow(/^deadLetterRetention: /);
  });
});
