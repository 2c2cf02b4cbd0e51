import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { parseConfig, type StreamMedicConfig } from '../../lambdas/domain/config';
import type { StepId } from '../../lambdas/handlers/contracts';
import { ENV } from '../../lambdas/handlers/env';
import { loadWorkflow, type LocalWorkflow } from '../../lib/local-workflow-runner';
import { RemediationWorkflow, STATE_NAMES, type RemediationWorkflowProps } from '../../lib/remediation-workflow';

const config = parseConfig({
  notifications: { emails: ['oncall@example.com'] },
  targets: [
    { name: 'orders', mode: 'auto', stream: { name: 'orders-stream' }, application: { name: 'orders-enricher' } },
    { name: 'clicks', stream: { name: 'clickstream' } },
  ],
});

function newStack(): { stack: Stack; props: Omit<RemediationWorkflowProps, 'config'> } {
  // Template assertions need no Lambda bundles; bench:lambda and `npm run synth` build them.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const tableKey = new kms.Key(stack, 'TableKey');
  const table = new dynamodb.Table(stack, 'Ledger', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: tableKey,
  });
  const topicKey = new kms.Key(stack, 'TopicKey');
  const topic = new sns.Topic(stack, 'Topic', { masterKey: topicKey });
  return { stack, props: { table, topic, topicKey } };
}

let template: Template;
let workflow: LocalWorkflow;

beforeAll(() => {
  const { stack, props } = newStack();
  new RemediationWorkflow(stack, 'Workflow', { ...props, config });
  template = Template.fromStack(stack);
  workflow = loadWorkflow(template.toJSON(), { region: 'eu-west-1' });
});

type Statement = { Action: string | string[]; Resource: unknown };

/** Renders the ARNs CDK writes as `Fn::Join` with the partition, for comparison as plain text. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(render).join(join[0]);
  const ref = (value as { Ref?: string }).Ref;
  if (ref === 'AWS::Partition') return 'aws';
  return JSON.stringify(value);
}

/** Each step's IAM statements, as action -> resources, found through its function's role. */
function permissionsByStep(): Record<StepId, Map<string, string[]>> {
  const functions = template.findResources('AWS::Lambda::Function');
  const roleOfStep = new Map<string, StepId>();
  for (const fn of Object.values(functions)) {
    const step = fn['Properties'].Environment.Variables[ENV.step] as StepId;
    roleOfStep.set(fn['Properties'].Role['Fn::GetAtt'][0] as string, step);
  }
  const result = {} as Record<StepId, Map<string, string[]>>;
  for (const step of roleOfStep.values()) result[step] = new Map();
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    for (const role of policy['Properties'].Roles as { Ref: string }[]) {
      const step = roleOfStep.get(role.Ref);
      if (!step) continue;
      for (const statement of policy['Properties'].PolicyDocument.Statement as Statement[]) {
        const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
        const resources = (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).map(render);
        for (const action of actions) result[step].set(action, [...(result[step].get(action) ?? []), ...resources]);
      }
    }
  }
  return result;
}

const STREAM_ARNS = [
  'arn:aws:kinesis:eu-west-1:123456789012:stream/orders-stream',
  'arn:aws:kinesis:eu-west-1:123456789012:stream/clickstream',
];
const APP_ARNS = ['arn:aws:kinesisanalytics:eu-west-1:123456789012:application/orders-enricher'];

describe('RemediationWorkflow functions', () => {
  it('runs eight arm64 Node.js 22 functions with their own log groups, untraced unless asked', () => {
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: Match.absent(),
        LoggingConfig: { LogGroup: Match.anyValue() },
      },
      8,
    );
  });

  it('keeps every log group for a month', () => {
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 9);
  });

  it.each([
    ['kinesis:UpdateShardCount', STREAM_ARNS],
    ['kinesis:IncreaseStreamRetentionPeriod', STREAM_ARNS],
    ['kinesisanalytics:UpdateApplication', APP_ARNS],
  ])('lets only the apply function call %s, and only on the configured resources', (action, arns) => {
    const permissions = permissionsByStep();
    const holders = Object.entries(permissions).filter(([, actions]) => actions.has(action));
    expect(holders.map(([step]) => step)).toEqual(['apply']);
    expect(permissions.apply.get(action)).toEqual(arns);
  });

  it('lets only assess and verify read metrics, the one action that needs "*"', () => {
    const permissions = permissionsByStep();
    const readers = Object.entries(permissions).filter(([, actions]) => actions.has('cloudwatch:GetMetricData'));
    expect(readers.map(([step]) => step).sort()).toEqual(['assess', 'verify']);
  });

  it.each<StepId>(['assess', 'verify', 'apply', 'wait-check'])(
    'scopes the describe calls of %s to the configured ARNs',
    (step) => {
      const permissions = permissionsByStep()[step];
      expect(permissions.get('kinesis:DescribeStreamSummary')).toEqual(STREAM_ARNS);
      expect(permissions.get('kinesisanalytics:DescribeApplication')).toEqual(APP_ARNS);
    },
  );

  it.each<[StepId, string[]]>([
    ['intake', []],
    ['lock', ['dynamodb:PutItem']],
    ['unlock', ['dynamodb:DeleteItem']],
    ['assess', ['dynamodb:Query']],
    ['verify', ['dynamodb:Query']],
    ['apply', ['dynamodb:PutItem', 'dynamodb:Query']],
    ['wait-check', []],
    ['notify', []],
  ])('gives %s only the table actions it uses: %j', (step, expected) => {
    const actions = [...permissionsByStep()[step].keys()].filter((a) => a.startsWith('dynamodb:')).sort();
    expect(actions).toEqual(expected);
  });

  it('lets only the notify function publish, with use of the topic key', () => {
    const permissions = permissionsByStep();
    const publishers = Object.entries(permissions).filter(([, actions]) => actions.has('sns:Publish'));
    expect(publishers.map(([step]) => step)).toEqual(['notify']);
    expect(permissions.notify.has('kms:GenerateDataKey')).toBe(true);
  });

  it('sets each function the environment it reads, and no more', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    const withTable = functions.filter((f) => ENV.tableName in f['Properties'].Environment.Variables);
    const withTopic = functions.filter((f) => ENV.topicArn in f['Properties'].Environment.Variables);
    expect(withTable.map((f) => f['Properties'].Environment.Variables[ENV.step]).sort()).toEqual([
      'apply',
      'assess',
      'lock',
      'unlock',
      'verify',
    ]);
    expect(withTopic.map((f) => f['Properties'].Environment.Variables[ENV.step])).toEqual(['notify']);
  });
});

describe('RemediationWorkflow state machine', () => {
  it('is a Standard state machine with tracing and full logging', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    });
  });

  it('retries the four named AWS errors with backoff and full jitter on every step that calls AWS', () => {
    const tasks = Object.entries(workflow.definition.States).filter(
      ([name, state]) => state.Type === 'Task' && name !== STATE_NAMES.intake,
    );
    expect(tasks).toHaveLength(7);
    for (const [, state] of tasks) {
      const retriers = 'Retry' in state ? (state.Retry ?? []) : [];
      for (const error of [
        'ThrottlingError',
        'LimitExceededError',
        'ResourceInUseError',
        'ConcurrentModificationError',
      ]) {
        const retrier = retriers.find((r) => r.ErrorEquals.includes(error));
        expect(retrier).toMatchObject({ JitterStrategy: 'FULL', BackoffRate: 2 });
      }
    }
  });

  it('retries LimitExceededError five times with full jitter: Kinesis reports reshard rate limits with it', () => {
    for (const name of [STATE_NAMES.applyStep, STATE_NAMES.checkResource, STATE_NAMES.assess]) {
      const state = workflow.definition.States[name]!;
      const retrier = ('Retry' in state ? (state.Retry ?? []) : []).find((r) =>
        r.ErrorEquals.includes('LimitExceededError'),
      );
      expect(retrier).toMatchObject({ MaxAttempts: 5, JitterStrategy: 'FULL', BackoffRate: 2 });
    }
  });

  it('goes round again only from a verification that proposes it, and counts the rounds itself', () => {
    const choice = workflow.definition.States[STATE_NAMES.anotherRound]!;
    expect(choice).toMatchObject({
      Type: 'Choice',
      Default: STATE_NAMES.notify,
      Choices: [
        {
          And: [
            { Variable: '$.verification.next', IsPresent: true },
            { Variable: '$.round', NumericLessThan: 3 },
          ],
          Next: STATE_NAMES.nextRound,
        },
      ],
    });
    expect(workflow.definition.States[STATE_NAMES.nextRound]).toMatchObject({
      Next: STATE_NAMES.beginSteps,
      Parameters: { 'round.$': 'States.MathAdd($.round, 1)' },
    });
    const verify = workflow.definition.States[STATE_NAMES.verify]!;
    expect(('Parameters' in verify ? verify.Parameters : {}) as object).toMatchObject({ maxRounds: 3 });
  });

  it('sends every failure after the intake to Notify, then to ReleaseLock', () => {
    const states = workflow.definition.States;
    for (const name of [
      STATE_NAMES.acquireLock,
      STATE_NAMES.assess,
      STATE_NAMES.applyStep,
      STATE_NAMES.checkResource,
      STATE_NAMES.verify,
    ]) {
      const state = states[name]!;
      expect('Catch' in state && state.Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: STATE_NAMES.notify },
      ]);
    }
    const notify = states[STATE_NAMES.notify]!;
    expect('Catch' in notify && notify.Catch?.[0]?.Next).toBe(STATE_NAMES.releaseLock);
  });

  it('embeds the targets in the definition, but not the notification addresses', () => {
    const intake = workflow.definition.States[STATE_NAMES.intake]!;
    const parameters = ('Parameters' in intake ? intake.Parameters : {}) as { config: StreamMedicConfig };
    expect(parameters.config.targets.map((t) => t.name)).toEqual(['orders', 'clicks']);
    expect(JSON.stringify(workflow.definition)).not.toContain('oncall@example.com');
  });

  it('holds the lock ten minutes longer than the longest run', () => {
    const acquire = workflow.definition.States[STATE_NAMES.acquireLock]!;
    expect(('Parameters' in acquire ? acquire.Parameters : {}) as object).toMatchObject({ ttlSeconds: 2 * 3600 + 600 });
  });

  it('bounds the wait for a resource by the number of checks', () => {
    const check = workflow.definition.States[STATE_NAMES.checkResource]!;
    expect(('Parameters' in check ? check.Parameters : {}) as object).toMatchObject({ maxPolls: 40 });
  });
});

describe('RemediationWorkflow props', () => {
  it.each<[string, Partial<RemediationWorkflowProps>, RegExp]>([
    ['maxPolls of 0', { maxPolls: 0 }, /^maxPolls must be a positive integer/],
    ['a fractional maxPolls', { maxPolls: 2.5 }, /^maxPolls must be a positive integer/],
    [
      'a pollInterval under a second',
      { pollInterval: Duration.millis(500) },
      /^pollInterval must be a whole number of seconds, at least one/,
    ],
    [
      'a settleTime in part seconds',
      { settleTime: Duration.millis(2500) },
      /^settleTime must be a whole number of seconds/,
    ],
    ['a timeout shorter than the waits', { timeout: Duration.minutes(10) }, /^timeout \(600 s\) must exceed/],
    ['maxRounds of 0', { maxRounds: 0 }, /^maxRounds must be an integer from 1 to 5, got 0/],
    ['a fractional maxRounds', { maxRounds: 1.5 }, /^maxRounds must be an integer from 1 to 5/],
    ['more than five rounds', { maxRounds: 6 }, /^maxRounds must be an integer from 1 to 5/],
  ])('refuses %s, naming the prop', (_case, override, message) => {
    const { stack, props } = newStack();
    expect(() => new RemediationWorkflow(stack, 'Workflow', { ...props, config, ...override })).toThrow(message);
  });
});
