import type { NotificationMessage, Notifier } from '../../lambdas/ports';
import { FailureQueue } from './failures';

export class FakeNotifier implements Notifier {
  readonly messages: NotificationMessage[] = [];
  readonly failures = new FailureQueue<'publish'>();

  async publish(message: NotificationMessage): Promise<void> {
    this.failures.throwIfQueued('publish');
    this.messages.push(message);
  }
}
