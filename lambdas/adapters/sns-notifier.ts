import { PublishCommand, type MessageAttributeValue, type SNSClient } from '@aws-sdk/client-sns';
import { InvalidRequestError } from '../ports/errors';
import type { NotificationMessage, Notifier } from '../ports';
import { callAws } from './aws-call';

/**
 * SNS refuses subjects of 100 characters or more ("less than 100 characters long", SNS Publish API:
 * https://docs.aws.amazon.com/sns/latest/api/API_Publish.html).
 */
export const MAX_SUBJECT_LENGTH = 99;
const ELLIPSIS = '...';

/**
 * Publishes notifications to one SNS topic; the subject is made acceptable to SNS rather than refused.
 * A message with a chat form goes out with `MessageStructure: json`: email and every other protocol
 * get the text (`default`, `email`), HTTPS subscribers, which is how Amazon Q Developer in chat
 * applications subscribes, get the custom-notification JSON (`https`).
 */
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
          ...messageOf(message),
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

/** The `Message` (and `MessageStructure`) of a Publish call for a notification. */
export function messageOf(message: NotificationMessage): { Message: string; MessageStructure?: 'json' } {
  if (!message.chat) return { Message: message.body };
  const perProtocol = { default: message.body, email: message.body, https: JSON.stringify(message.chat) };
  return { Message: JSON.stringify(perProtocol), MessageStructure: 'json' };
}

function toMessageAttributes(attributes: Readonly<Record<string, string>>): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    // SNS rejects an attribute whose value is empty; an absent attribute says the same.
    if (value !== '') out[name] = { DataType: 'String', StringValue: value };
  }
  return out;
}
