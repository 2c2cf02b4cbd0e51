import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { StreamMedicConfigInput } from '../../lambdas/domain/config';
import { StreamRemediator } from '../../lib/stream-remediator';

const CONFIG: StreamMedicConfigInput = {
  watchdog: { blindAfterMinutes: 45 },
  targets: [
    {
      name: 'orders',
      mode: 'auto',
      stream: { name: 'orders-stream' },
      application: { name: 'orders-enricher' },
    },
    { name: 'clicks', mode: 'recommend', stream: { name: 'clicks-stream' } },
  ],
};

let template: Template;

beforeAll(() => {
  // Template assertions only: no Lambda bundles (`npm run synth` builds them).
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test');
  new StreamRemediator(stack, 'StreamMedic', { config: CONFIG });
  template = Template.fromStack(stack);
});

function onlyId(type: string, filter: (id: string) => boolean = () => true): string {
  const ids = Object.keys(template.findResources(type)).filter(filter);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}: ${ids.join(', ')}`);
  return ids[0]!;
}

const machine = () => onlyId('AWS::StepFunctions::StateMachine');
const topic = () => onlyId('AWS::SNS::Topic');
const runEndedFunction = () => onlyId('AWS::Lambda::Function', (id) => id.includes('RunEnded'));
const runEndedQueue = () => onlyId('AWS::SQS::Queue', (id) => id.includes('RunEnded'));

/** What every watchdog alarm shares: it tells on-call through the topic. */
function alarmOn(properties: Record<string, unknown>): void {
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    ...properties,
    AlarmActions: [{ Ref: topic() }],
  });
}

const count = {
  Threshold: 1,
  ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  EvaluationPeriods: 1,
  Period: 300,
  TreatMissingData: 'notBreaching',
};

describe('run-ended rule', () => {
  it("matches only this state machine's executions that end FAILED, TIMED_OUT or ABORTED", () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [{ Ref: machine() }], status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [runEndedFunction(), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [runEndedQueue(), 'Arn'] } },
        }),
      ],
    });
  });

  it('gives the function what it needs to read the target: the table, the topic and the alarm name prefix', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          STREAM_MEDIC_TABLE_NAME: { Ref: onlyId('AWS::DynamoDB::Table') },
          STREAM_MEDIC_TOPIC_ARN: { Ref: topic() },
          STREAM_MEDIC_ALARM_NAME_PREFIX: 'StreamMedic',
        }),
      },
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [runEndedQueue(), 'Arn'] } },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: runEndedFunction() },
      MaximumRetryAttempts: 2,
    });
  });

  it('grants the function the lock item reads and deletes, the fleet slot reads and deletes, ledger reads and writes, describes of auto targets, DescribeExecution on this machine only, and Publish', () => {
    const role = onlyId('AWS::IAM::Role', (id) => id.includes('RunEnded'));
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } }),
    ) as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }[];
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((s) => [s.Action].flat()).sort();
    expect(actions).toEqual(
      [
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        // The fleet slot of the run that died (FLEET_SLOT# items).
        'dynamodb:DeleteItem',
        'dynamodb:Query',
        'kinesis:DescribeStreamSummary',
        'kinesisanalytics:DescribeApplication',
        'kms:Decrypt',
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'kms:GenerateDataKey*',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'sns:Publish',
        'sqs:SendMessage',
        'states:DescribeExecution',
      ].sort(),
    );
    // Only an auto target's resources can carry a change the dying run requested.
    const describeStream = statements.find((s) => s.Action === 'kinesis:DescribeStreamSummary')!;
    expect(JSON.stringify(describeStream.Resource)).toContain('stream/orders-stream');
    expect(JSON.stringify(describeStream.Resource)).not.toContain('clicks-stream');
    const describe = statements.find((s) => s.Action === 'states:DescribeExecution')!;
    expect(JSON.stringify(describe.Resource)).toContain(`":execution:",{"Fn::GetAtt":["${machine()}","Name"]},":*"`);
  });
});

describe('alarms on StreamMedic itself', () => {
  it.each(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])(
    'alarms on any execution of this state machine in %s',
    (metricName) => {
      alarmOn({
        Namespace: 'AWS/States',
        MetricName: metricName,
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machine() } }],
        Statistic: 'Sum',
        ...count,
      });
    },
  );

  it('alarms on a message in either dead-letter queue', () => {
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(2);
    for (const queue of queues) {
      alarmOn({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
        Statistic: 'Maximum',
        ...count,
      });
    }
  });

  it('alarms on the errors of every StreamMedic function', () => {
    const functions = Object.keys(template.findResources('AWS::Lambda::Function'));
    // 9 tasks (approval included), the sweep and the run-ended function.
    expect(functions).toHaveLength(11);
    for (const fn of functions) {
      alarmOn({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
        Statistic: 'Sum',
        ...count,
      });
    }
  });

  it('alarms on a failed publish, and says the topic it goes to may be what is down', () => {
    alarmOn({
      Namespace: 'StreamMedic',
      MetricName: 'NotificationsFailed',
      Dimensions: [{ Name: 'service', Value: 'stream-medic' }],
      Statistic: 'Sum',
      AlarmDescription: Match.stringLikeRegexp(
        'publishes to the same topic: if the topic or its KMS key is what fails',
      ),
      ...count,
    });
  });

  const blindAlarm = {
    Threshold: 1,
    ComparisonOperator: 'LessThanThreshold',
    EvaluationPeriods: 45,
    DatapointsToAlarm: 45,
    TreatMissingData: 'breaching',
  };

  it.each([
    [
      'orders',
      'app-cpu',
      'AWS/KinesisAnalytics',
      'containerCPUUtilization',
      [{ Name: 'Application', Value: 'orders-enricher' }],
    ],
    [
      'clicks',
      'stream-lag',
      'AWS/Kinesis',
      'GetRecords.IteratorAgeMilliseconds',
      [{ Name: 'StreamName', Value: 'clicks-stream' }],
    ],
  ])(
    'says StreamMedic cannot see %s when its %s metric is missing for blindAfterMinutes',
    (target, slug, namespace, metric, dimensions) => {
      alarmOn({
        AlarmName: `StreamMedicWatch-${target}-blind-${slug}`,
        AlarmDescription: Match.stringLikeRegexp(`^StreamMedic cannot see ${target}:`),
        Metrics: [
          Match.objectLike({
            MetricStat: {
              Metric: { Namespace: namespace, MetricName: metric, Dimensions: dimensions },
              Period: 60,
              Stat: 'SampleCount',
            },
            ReturnData: true,
          }),
        ],
        ...blindAlarm,
      });
    },
  );

  it("says StreamMedic cannot see orders when its lag alarm's Metrics Insights query finds nothing for blindAfterMinutes", () => {
    alarmOn({
      AlarmName: 'StreamMedicWatch-orders-blind-app-lag',
      AlarmDescription: Match.stringLikeRegexp('^StreamMedic cannot see orders:'),
      Metrics: [
        Match.objectLike({
          Expression: `SELECT COUNT(millisBehindLatest) FROM "AWS/KinesisAnalytics" WHERE Application = 'orders-enricher'`,
          Period: 60,
          ReturnData: true,
        }),
      ],
      ...blindAlarm,
    });
  });

  it('creates exactly these watchdog alarms', () => {
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .map((a) => (a as { Properties: { AlarmName: string } }).Properties.AlarmName)
      .filter((name) => name.startsWith('StreamMedicWatch-'));
    // 3 execution ends + 2 queues + 11 functions + failed publishes + 3 lag/CPU metrics watched.
    expect(names).toHaveLength(20);
  });

  it('lets CloudWatch alarms publish to the topic and use its key, from this account only', () => {
    const fromThisAccount = {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': Match.anyValue() },
    };
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: topic() },
            Condition: fromThisAccount,
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Condition: fromThisAccount,
          }),
        ]),
      },
    });
  });
});

describe('cdk-nag', () => {
  it.each([
    ['an environment-agnostic stack', undefined],
    ['a stack with a known region and account', { region: 'eu-west-1', account: '123456789012' }],
  ])('acknowledges exactly the run-ended role findings in %s', (_case, env) => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Nag', env ? { env } : {});
    new StreamRemediator(stack, 'StreamMedic', { config: CONFIG });
    const report = new AwsSolutionsChecks().validateScope(stack);
    const findings = report.violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
    );
    expect(findings).toEqual([]);
  });
});
