import {
  AuthorizationErrorException,
  InvalidParameterException,
  KMSDisabledException,
  NotFoundException,
  PublishCommand,
  SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { MAX_SUBJECT_LENGTH, SnsNotifier, toSnsSubject } from '../../lambdas/adapters/sns-notifier';
import type { ChatNotification } from '../../lambdas/domain/chat-notification';
import {
  AccessDeniedError,
  InvalidRequestError,
  ResourceNotFoundError,
  ServiceUnavailableError,
  ThrottlingError,
} from '../../lambdas/ports/errors';
import { awsError } from './support/aws-errors';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:stream-medic';
const sns = mockClient(SNSClient);
const notifier = new SnsNotifier(new SNSClient({ region: 'us-east-1' }), TOPIC_ARN);

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

function sentPublishes() {
  return sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
}

describe('SnsNotifier', () => {
  it('publishes the subject, the full body and the attributes as String message attributes', async () => {
    const body = `CONSUMER_COMPUTE on orders\n${'evidence line\n'.repeat(2000)}`;

    await notifier.publish({
      subject: '[StreamMedic] orders: CONSUMER_COMPUTE (critical)',
      body,
      attributes: { target: 'orders', cause: 'CONSUMER_COMPUTE', severity: 'critical' },
    });

    expect(sentPublishes()).toEqual([
      {
        TopicArn: TOPIC_ARN,
        Subject: '[StreamMedic] orders: CONSUMER_COMPUTE (critical)',
        Message: body,
        MessageAttributes: {
          target: { DataType: 'String', StringValue: 'orders' },
          cause: { DataType: 'String', StringValue: 'CONSUMER_COMPUTE' },
          severity: { DataType: 'String', StringValue: 'critical' },
        },
      },
    ]);
  });

  it('sends a message with a chat form as MessageStructure json: text for email and by default, the chat JSON over HTTPS', async () => {
    const chat: ChatNotification = {
      version: '1.0',
      source: 'custom',
      content: {
        textType: 'client-markdown',
        title: 'ACTION REQUIRED | StreamMedic orders',
        description: '*ACTION REQUIRED*',
      },
      metadata: { threadId: 'orders/APP_UNHEALTHY/2026-03-02T09:00Z' },
    };
    const body = 'ACTION REQUIRED: the job is failing.\n';

    await notifier.publish({
      subject: 'ACTION REQUIRED | StreamMedic orders',
      body,
      attributes: { actionRequired: 'true', incident: 'orders/APP_UNHEALTHY/2026-03-02T09:00Z' },
      chat,
    });

    const sent = sentPublishes()[0]!;
    expect(sent.MessageStructure).toBe('json');
    const perProtocol = JSON.parse(sent.Message!) as Record<string, string>;
    expect(perProtocol['default']).toBe(body);
    expect(perProtocol['email']).toBe(body);
    expect(JSON.parse(perProtocol['https']!)).toEqual(chat);
    expect(sent.MessageAttributes).toEqual({
      actionRequired: { DataType: 'String', StringValue: 'true' },
      incident: { DataType: 'String', StringValue: 'orders/APP_UNHEALTHY/2026-03-02T09:00Z' },
    });
  });

  it('leaves out attributes with empty values, which SNS rejects', async () => {
    await notifier.publish({ subject: 's', body: 'b', attributes: { target: 'orders', executionArn: '' } });

    expect(sentPublishes()[0]!.MessageAttributes).toEqual({ target: { DataType: 'String', StringValue: 'orders' } });
  });

  it('sends no Subject when nothing printable is left of it', async () => {
    await notifier.publish({ subject: ' \n\t ', body: 'b', attributes: {} });

    expect(sentPublishes()[0]).not.toHaveProperty('Subject');
  });

  it('refuses an empty body without calling SNS', async () => {
    await expect(notifier.publish({ subject: 's', body: '', attributes: {} })).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    expect(sns.calls()).toHaveLength(0);
  });

  it('sends the subject made safe for SNS', async () => {
    await notifier.publish({ subject: `Lag on orders\r\n${'x'.repeat(200)}`, body: 'b', attributes: {} });

    const subject = sentPublishes()[0]!.Subject!;
    expect(subject).toHaveLength(MAX_SUBJECT_LENGTH);
    expect(subject).toMatch(/^Lag on orders x+\.\.\.$/);
  });

  it.each([
    { subject: 'orders: lag 5 min', expected: 'orders: lag 5 min' },
    { subject: 'first line\nsecond\r\nthird\tcolumn', expected: 'first line second third column' },
    { subject: 'Café – débit élevé', expected: 'Cafe ? debit eleve' },
    { subject: 'lag ↑ 🔥 on orders', expected: 'lag ? ? on orders' },
    { subject: '  padded  ', expected: 'padded' },
    { subject: 'a'.repeat(MAX_SUBJECT_LENGTH), expected: 'a'.repeat(MAX_SUBJECT_LENGTH) },
    { subject: 'a'.repeat(MAX_SUBJECT_LENGTH + 1), expected: `${'a'.repeat(MAX_SUBJECT_LENGTH - 3)}...` },
  ])('makes subject $subject acceptable to SNS', ({ subject, expected }) => {
    expect(toSnsSubject(subject)).toBe(expected);
  });

  it('keeps every subject under 100 characters of printable ASCII', () => {
    const subject = toSnsSubject(`${'ünïcödé \u0000\u0007 '.repeat(40)}`);

    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x21-\x7e][\x20-\x7e]*$/);
  });

  it.each([
    { thrown: new ThrottledException({ message: 'Rate exceeded', $metadata: {} }), expected: ThrottlingError },
    {
      thrown: new AuthorizationErrorException({ message: 'not authorized', $metadata: {} }),
      expected: AccessDeniedError,
    },
    { thrown: new KMSDisabledException({ message: 'key disabled', $metadata: {} }), expected: AccessDeniedError },
    {
      thrown: new NotFoundException({ message: 'Topic does not exist', $metadata: {} }),
      expected: ResourceNotFoundError,
    },
    {
      thrown: new InvalidParameterException({ message: 'Invalid parameter: Subject', $metadata: {} }),
      expected: InvalidRequestError,
    },
    { thrown: awsError('InternalError', 'internal', 500), expected: ServiceUnavailableError },
  ])('maps $thrown.name from Publish to $expected.name', async ({ thrown, expected }) => {
    sns.on(PublishCommand).rejects(thrown);

    const error = await notifier
      .publish({ subject: 's', body: 'b', attributes: {} })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(expected);
    expect(error).toMatchObject({ action: 'Publish', resource: TOPIC_ARN });
    expect((error as Error).message).toContain(thrown.message);
  });

  it('refuses a topic that is not an ARN, naming it', () => {
    expect(() => new SnsNotifier(new SNSClient({ region: 'us-east-1' }), 'stream-medic')).toThrow(/topicArn/);
  });
});
