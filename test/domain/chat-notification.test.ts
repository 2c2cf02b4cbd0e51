import * as z from 'zod';
import { MAX_CHAT_DESCRIPTION } from '../../lambdas/domain/chat-notification';
import { composeNotification, type NotificationFacts } from '../../lambdas/domain/notification';
import { RAISE_PARALLELISM, assessment, report, runContext } from '../fakes/runs';

/**
 * The custom-notification event of Amazon Q Developer in chat applications, written from its
 * documentation ("Event schema" and "Parameter details"):
 * https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html
 * `version` must be "1.0", `source` must be "custom"; `textType` supports only "client-markdown";
 * `nextSteps`, `keywords` and `relatedResources` are lists of strings; `additionalContext` maps
 * string keys to string values. Unknown fields are refused, so a misspelt one fails here.
 */
const CustomNotificationSchema = z
  .object({
    version: z.literal('1.0'),
    source: z.literal('custom'),
    id: z.string().optional(),
    content: z
      .object({
        textType: z.literal('client-markdown').optional(),
        title: z.string().optional(),
        description: z.string().min(1),
        nextSteps: z.array(z.string()).optional(),
        keywords: z.array(z.string()).optional(),
      })
      .strict(),
    metadata: z
      .object({
        threadId: z.string().optional(),
        summary: z.string().optional(),
        eventType: z.string().optional(),
        relatedResources: z.array(z.string()).optional(),
        additionalContext: z.record(z.string(), z.string()).optional(),
        enableCustomActions: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const crashLoop = (alarm: string, changedAt: string, day = '2026-03-02'): NotificationFacts => {
  const base = runContext({ alarm });
  const run = {
    ...base,
    trigger: { kind: 'alarm' as const, alarmName: alarm, changedAt: `${day}T${changedAt}Z` },
    startedAt: `${day}T${changedAt}.500Z`,
  };
  return {
    run,
    assessment: assessment(
      run,
      report({ diagnosis: { cause: 'APP_UNHEALTHY', severity: 'critical', summary: 'A crash loop.' }, actions: [] }),
    ),
    region: 'eu-west-1',
  };
};

describe('the chat form of a notification', () => {
  const run = runContext({ alarm: 'StreamMedic-orders-app-cpu' });
  const cases: [string, NotificationFacts][] = [
    ['a crash loop', crashLoop('StreamMedic-orders-app-cpu', '09:38:00')],
    [
      'a planned scale-up',
      { run, assessment: assessment(run, report({ actions: [RAISE_PARALLELISM] })), region: 'eu-west-1' },
    ],
    [
      'a run that failed before assessing',
      { run, failure: { Error: 'AccessDeniedError', Cause: 'denied' }, region: 'eu-west-1' },
    ],
  ];

  it.each(cases)('is a valid custom notification for %s, serialised as SNS sends it', (_case, facts) => {
    const message = composeNotification(facts);

    const parsed = CustomNotificationSchema.safeParse(JSON.parse(JSON.stringify(message.chat)));

    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it('shows the same message as the email: subject as title, first line first, what to look at as next steps', () => {
    const message = composeNotification(crashLoop('StreamMedic-orders-app-cpu', '09:38:00'));
    const chat = message.chat!;

    expect(chat.content.title).toBe(message.subject);
    expect(chat.content.description.split('\n')[0]).toBe(`*${message.body.split('\n')[0]}*`);
    expect(chat.content.description).toContain('*Evidence*');
    expect(chat.content.nextSteps?.[0]).toMatch(/^The exceptions in the application's logs/);
    expect(chat.content.nextSteps).toContain('Runbook: docs/runbooks/app-unhealthy.md');
    expect(chat.content.keywords).toEqual([
      'ACTION REQUIRED',
      'action-required',
      'APP_UNHEALTHY',
      'critical',
      'orders',
    ]);
    expect(chat.metadata?.additionalContext).toEqual(message.attributes);
    expect(chat.metadata?.relatedResources).toEqual(['orders-stream', 'orders-enricher', run.executionId]);
  });

  it('keeps the description short enough to read in a chat', () => {
    const long = report({ diagnosis: { summary: 'x '.repeat(5000) } });
    const message = composeNotification({ run, assessment: assessment(run, long), region: 'eu-west-1' });

    expect(message.chat!.content.description.length).toBeLessThanOrEqual(MAX_CHAT_DESCRIPTION);
    expect(message.chat!.content.description.endsWith('...')).toBe(true);
  });
});

describe('one incident, one key', () => {
  it('gives the runs one incident sets off the same key, as attribute and chat thread', () => {
    const first = composeNotification(crashLoop('StreamMedic-orders-app-cpu', '09:38:00'));
    const second = composeNotification(crashLoop('StreamMedic-orders-app-lag', '09:40:00'));

    expect(first.attributes['incident']).toBe('orders/APP_UNHEALTHY/2026-03-02T09:00Z');
    expect(second.attributes['incident']).toBe(first.attributes['incident']);
    expect(second.chat!.metadata?.threadId).toBe(first.chat!.metadata?.threadId);
    expect(first.chat!.metadata?.threadId).toBe(first.attributes['incident']);
    expect(first.body).toContain('Incident orders/APP_UNHEALTHY/2026-03-02T09:00Z');
  });

  it.each([
    ['another day', crashLoop('StreamMedic-orders-app-cpu', '09:38:00', '2026-03-03')],
    [
      'another cause',
      {
        ...crashLoop('StreamMedic-orders-app-cpu', '09:38:00'),
        assessment: assessment(runContext(), report({ diagnosis: { cause: 'SINK_BACKPRESSURE' }, actions: [] })),
      },
    ],
    [
      'another target',
      {
        ...crashLoop('StreamMedic-orders-app-cpu', '09:38:00'),
        run: { ...crashLoop('StreamMedic-orders-app-lag', '09:38:00').run, target: 'clicks' },
      },
    ],
  ])('gives %s another key', (_case, facts) => {
    const first = composeNotification(crashLoop('StreamMedic-orders-app-cpu', '09:38:00'));

    expect(composeNotification(facts).attributes['incident']).not.toBe(first.attributes['incident']);
  });

  it('keys a run started by hand by the time it started', () => {
    const message = composeNotification({
      run: runContext(),
      assessment: assessment(runContext()),
      region: 'eu-west-1',
    });

    expect(message.attributes['incident']).toBe('orders/STREAM_WRITE_CAPACITY/2026-11-21T10:00Z');
  });
});
