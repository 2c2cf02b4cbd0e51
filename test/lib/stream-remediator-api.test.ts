import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { StreamRemediator, type StreamRemediatorProps } from '../../lib/stream-remediator';

const ENV = { account: '123456789012', region: 'eu-west-1' };

function synth(
  props: StreamRemediatorProps,
  extra?: (stack: Stack) => void,
): { remediator: StreamRemediator; template: Template } {
  const stack = new Stack(new App(), 'Test', { env: ENV });
  extra?.(stack);
  const remediator = new StreamRemediator(stack, 'StreamMedic', props);
  return { remediator, template: Template.fromStack(stack) };
}

const ORDERS = { name: 'orders', mode: 'auto', stream: { name: 'orders-stream', maxShards: 8 } } as const;

describe('StreamRemediator with an existing topic and key', () => {
  const setup = () => {
    const stack = new Stack(new App(), 'Test', { env: ENV });
    const key = new kms.Key(stack, 'TeamKey');
    const topic = new sns.Topic(stack, 'TeamTopic', { masterKey: key });
    const remediator = new StreamRemediator(stack, 'StreamMedic', {
      config: { notifications: { emails: ['on-call@example.com'] }, targets: [ORDERS] },
      topic,
      topicKey: key,
    });
    return { stack, key, topic, remediator, template: Template.fromStack(stack) };
  };

  it('reports to the topic given and creates neither a topic nor a key of its own', () => {
    const { stack, topic, key, remediator, template } = setup();

    expect(remediator.topic).toBe(topic);
    expect(remediator.topicKey).toBe(key);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'on-call@example.com',
      TopicArn: { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) },
    });
  });

  it('lets the notify function publish to that topic and use its key', () => {
    const { stack, key, template } = setup();
    const keyId = stack.getLogicalId(key.node.defaultChild as kms.CfnKey);

    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
          }),
        ]),
      },
    });
  });

  it('uses a key it is given for its own topic', () => {
    const stack = new Stack(new App(), 'Test', { env: ENV });
    const key = new kms.Key(stack, 'TeamKey');
    const remediator = new StreamRemediator(stack, 'StreamMedic', { config: { targets: [ORDERS] }, topicKey: key });
    const template = Template.fromStack(stack);

    expect(remediator.topicKey).toBe(key);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] },
    });
  });
});

describe('StreamRemediator with streams given as constructs', () => {
  it('watches and scales the stream of another construct, named by it', () => {
    const stack = new Stack(new App(), 'Test', { env: ENV });
    const stream = new kinesis.Stream(stack, 'Orders', { shardCount: 2 });
    const remediator = new StreamRemediator(stack, 'StreamMedic', {
      config: { targets: [{ name: 'orders', mode: 'auto', stream: { maxShards: 8 } }] },
      streams: { orders: stream },
    });
    const resolved = stack.resolve(remediator.config.targets[0]!.stream!.name);
    const streamId = stack.getLogicalId(stream.node.defaultChild as kinesis.CfnStream);

    expect(resolved).toEqual({ Ref: streamId });
    expect(remediator.config.targets[0]!.stream!.maxShards).toBe(8);
    const alarms = JSON.stringify(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toContain(JSON.stringify({ Name: 'StreamName', Value: { Ref: streamId } }));
  });

  it('takes an imported stream for a target that has no stream section', () => {
    const stack = new Stack(new App(), 'Test', { env: ENV });
    const stream = kinesis.Stream.fromStreamArn(
      stack,
      'Clicks',
      'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks',
    );
    const remediator = new StreamRemediator(stack, 'StreamMedic', {
      config: { targets: [{ name: 'clicks', application: { name: 'clicks-app' } }] },
      streams: { clicks: stream },
    });

    expect(remediator.config.targets[0]!.stream).toMatchObject({ name: 'clicks', minShards: 1 });
  });

  it('refuses a stream for a target the config does not have, naming it', () => {
    const stack = new Stack(new App(), 'Test', { env: ENV });
    const stream = kinesis.Stream.fromStreamArn(
      stack,
      'Clicks',
      'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks',
    );

    expect(
      () => new StreamRemediator(stack, 'StreamMedic', { config: { targets: [ORDERS] }, streams: { clicks: stream } }),
    ).toThrow('streams.clicks: names no target in config.targets');
  });

  it('refuses a config whose stream name is not the stream given', () => {
    const stack = new Stack(new App(), 'Test', { env: ENV });
    const stream = kinesis.Stream.fromStreamArn(stack, 'Other', 'arn:aws:kinesis:eu-west-1:123456789012:stream/other');

    expect(
      () => new StreamRemediator(stack, 'StreamMedic', { config: { targets: [ORDERS] }, streams: { orders: stream } }),
    ).toThrow('config.targets[0].stream.name: is "orders-stream", but streams.orders is the stream "other"');
  });

  it('still needs a stream name when no construct gives one', () => {
    const stack = new Stack(new App(), 'Test', { env: ENV });

    expect(
      () => new StreamRemediator(stack, 'StreamMedic', { config: { targets: [{ name: 'orders', stream: {} }] } }),
    ).toThrow('config.targets[0].stream.name');
  });
});

describe('StreamRemediator Lambda tracing', () => {
  const codeKeys = (template: Template): string[] =>
    Object.values(template.findResources('AWS::Lambda::Function')).map(
      (fn) => (fn['Properties'] as { Code: { S3Key: string } }).Code.S3Key,
    );

  it('deploys the traced bundles with active tracing when asked, other code than the untraced default', () => {
    const untraced = synth({ config: { targets: [ORDERS] } }).template;
    const traced = synth({ config: { targets: [ORDERS] }, lambdaTracing: true }).template;

    // Nine task functions (approval included), the run-ended function and the sweep.
    traced.resourcePropertiesCountIs('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } }, 11);
    untraced.resourcePropertiesCountIs('AWS::Lambda::Function', { TracingConfig: Match.absent() }, 11);
    const tracedKeys = new Set(codeKeys(traced));
    expect(tracedKeys.size).toBe(11);
    expect(codeKeys(untraced).filter((key) => tracedKeys.has(key))).toEqual([]);
  });
});
