import { CountedNotifier } from '../../lambdas/workflow/counted-notifier';
import { AccessDeniedError } from '../../lambdas/ports/errors';
import { FakeNotifier } from '../fakes/notifier';
import { RecordingTelemetry } from '../fakes/telemetry';

const MESSAGE = { subject: 'StreamMedic orders: resolved', body: 'body\n', attributes: { target: 'orders' } };

describe('CountedNotifier', () => {
  it('publishes through the inner notifier and counts nothing when that works', async () => {
    const inner = new FakeNotifier();
    const telemetry = new RecordingTelemetry();
    await new CountedNotifier(inner, telemetry).publish(MESSAGE);
    expect(inner.messages).toEqual([MESSAGE]);
    expect(telemetry.total('NotificationsFailed')).toBe(0);
  });

  it('counts each failed publish in NotificationsFailed and passes the same error on, for the retries', async () => {
    const inner = new FakeNotifier();
    const telemetry = new RecordingTelemetry();
    const denied = new AccessDeniedError('KMS key disabled', { action: 'Publish', resource: 'topic' });
    inner.failures.failNext('publish', denied, 2);
    const notifier = new CountedNotifier(inner, telemetry);

    await expect(notifier.publish(MESSAGE)).rejects.toBe(denied);
    await expect(notifier.publish(MESSAGE)).rejects.toBe(denied);
    await notifier.publish(MESSAGE);

    expect(telemetry.total('NotificationsFailed')).toBe(2);
    expect(inner.messages).toEqual([MESSAGE]);
    expect(telemetry.logs.filter((l) => l.level === 'warn')).toEqual([
      {
        level: 'warn',
        message: 'notification not published',
        attributes: { subject: MESSAGE.subject, error: 'AccessDeniedError' },
      },
      {
        level: 'warn',
        message: 'notification not published',
        attributes: { subject: MESSAGE.subject, error: 'AccessDeniedError' },
      },
    ]);
  });
});
