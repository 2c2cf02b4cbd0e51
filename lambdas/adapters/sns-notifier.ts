import { PublishCommand, type MessageAttributeValue, type SNSClient } from '@aws-sdk/client-sns';
import { InvalidRequestError } from '../ports/errors';
import type { NotificationMessage, Notifier } from '../ports';
import { callAws } from './aws-call';

/** SNS refuses subjects of 100 characters or more ("less than 100 characters long"). */
export const MAX_SUBJECT_LENGTH = 99;
const ELLIPSIS = '...';

/** Publishes notifications to one SNS topic; the subject is made acceptable to SNS rather than refused. */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {
    if (!topicArn.startsWith('arn:')) throw new Error(`topicArn must be an SNS topic ARN, got "${topicArn}"`);
  }

  async publish(message: NotificationMessage): Promise<void> {
    const context = { action: 'Publish', resource: this.topicArn };
    if (!message.body) throw new InvalidRequestError('the message body must not be empty', context);
    const subject = toSnsSubject(message.subject);
    await callAws(context, () =>
      this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          ...(subject && { Subject: subject }),
          Message: message.body,
          MessageAttributes: toMessageAttributes(message.attributes),
        }),
      ),
    );
  }
}

/**
 * SNS accepts only printable ASCII on one line, under 100 characters, starting with a letter, digit or
 * punctuation. Accents are folded (`é` -> `e`), line breaks and tabs become spaces, other characters
 * become `?`, and an over-long subject is cut with `...`.
 */
export function toSnsSubject(subject: string): string {
  const ascii = subject
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/\s+/gu, ' ')
    .replace(/[^\x20-\x7e]/gu, '?')
    .trim();
  if (ascii.length <= MAX_SUBJECT_LENGTH) return ascii;
  return `${ascii.slice(0, MAX_SUBJECT_LENGTH - ELLIPSIS.length).trimEnd()}${ELLIPSIS}`;
}

function toMessageAttributes(attributes: Readonly<Record<string, string>>): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    // SNS rejects an attribute whose value is empty; an absent attribute says the same.
    if (value !== '') out[name] = { DataType: 'String', StringValue: value };
  }
  return out;
}
