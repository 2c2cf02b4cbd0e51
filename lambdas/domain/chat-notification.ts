/**
 * The notification as Amazon Q Developer in chat applications (formerly AWS Chatbot) renders it in
 * Slack, Microsoft Teams or Amazon Chime. It shows only its own "custom notification" event, not
 * plain text, and groups messages with the same `threadId` into one thread. Schema and fields:
 * https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html
 */

/** The custom-notification event, as documented ("Event schema" and "Parameter details"). */
export interface ChatNotification {
  /** Must be `1.0`. */
  readonly version: '1.0';
  /** Must be `custom`. */
  readonly source: 'custom';
  readonly id?: string;
  readonly content: {
    /** Only `client-markdown` is supported: the chat platform's own markdown. */
    readonly textType?: 'client-markdown';
    readonly title?: string;
    readonly description: string;
    readonly nextSteps?: readonly string[];
    readonly keywords?: readonly string[];
  };
  readonly metadata?: {
    readonly threadId?: string;
    readonly summary?: string;
    readonly eventType?: string;
    readonly relatedResources?: readonly string[];
    readonly additionalContext?: Readonly<Record<string, string>>;
    readonly enableCustomActions?: boolean;
  };
}

export interface ChatSection {
  readonly title: string;
  readonly lines: readonly string[];
}

export interface ChatNotificationParts {
  readonly title: string;
  /** The line that says whether a person must act; shown first, in bold. */
  readonly headline: string;
  readonly sections: readonly ChatSection[];
  readonly nextSteps: readonly string[];
  readonly keywords: readonly string[];
  readonly threadId: string;
  readonly summary: string;
  readonly eventType: string;
  readonly relatedResources: readonly string[];
  readonly additionalContext: Readonly<Record<string, string>>;
}

/**
 * Longest description sent: a chat message is read on a phone, and the full text still goes to
 * email; the links at its end stay in `nextSteps` and the Links section.
 */
export const MAX_CHAT_DESCRIPTION = 3500;

function keepWithin(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 3).trimEnd()}...`;
}

export function chatNotification(parts: ChatNotificationParts): ChatNotification {
  const blocks = [
    `*${parts.headline}*`,
    ...parts.sections.filter((s) => s.lines.length > 0).map((s) => [`*${s.title}*`, ...s.lines].join('\n')),
  ];
  const description = keepWithin(blocks.join('\n\n'), MAX_CHAT_DESCRIPTION);
  return {
    version: '1.0',
    source: 'custom',
    content: {
      textType: 'client-markdown',
      title: parts.title,
      description,
      nextSteps: [...parts.nextSteps],
      keywords: [...new Set(parts.keywords)],
    },
    metadata: {
      threadId: parts.threadId,
      summary: parts.summary,
      eventType: parts.eventType,
      relatedResources: [...parts.relatedResources],
      additionalContext: { ...parts.additionalContext },
      enableCustomActions: false,
    },
  };
}
