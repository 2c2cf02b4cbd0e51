import { SERVICE_METRIC_NAMES } from '../domain/service-metrics';
import type { NotificationMessage, Notifier } from '../ports';
import type { TaskTelemetry } from './telemetry';

/**
 * Counts every publish that fails in `NotificationsFailed`, then lets the failure through so the
 * caller's retries (the state machine's, or Lambda's for an asynchronous invocation) try again. The
 * metric has its own alarm: a message that never left is otherwise invisible.
 */
export class CountedNotifier implements Notifier {
  constructor(
    private readonly inner: Notifier,
    private readonly telemetry: TaskTelemetry,
  ) {}

  async publish(message: NotificationMessage): Promise<void> {
    try {
      await this.inner.publish(message);
    } catch (error) {
      this.telemetry.count(SERVICE_METRIC_NAMES.notificationsFailed, 1);
      this.telemetry.warn('notification not published', {
        subject: message.subject,
        error: error instanceof Error ? error.name : String(error),
      });
      throw error;
    }
  }
}
