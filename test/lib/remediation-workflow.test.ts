import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { parseConfig, type StreamMedicConfig } from '../../lambdas/domain/config';
import type { TaskName } from '../../lambdas/workflow/task-payloads';
import { ERROR_HANDLING, ERROR_NAMES, RETRYABLE_ERROR_NAMES } from '../../lambdas/ports/errors';
import { ENV } from '../../lambdas/workflow/env';
import { loadWorkflow, type LocalWorkflow } from '../../lambdas/workflow/local-runner';
import {
  RemediationWorkflow,
  STATE_NAMES,
  wildcardResourceActions,
  type RemediationWorkflowProps,
} from '../../lib/remediation-workflow';

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
let workflowConstruct: RemediationWorkflow;

beforeAll(() => {
  const { stack, props } = newStack();
  workflowConstruct = new RemediationWorkflow(stack, 'Workflow', { ...props, config });
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
function permissionsByStep(): Record<TaskName, Map<string, string[]>> {
  const functions = template.findResources('AWS::Lambda::Function');
  const roleOfStep = new Map<string, TaskName>();
  for (const fn of Object.values(functions)) {
    const step = fn['Properties'].Environment.Variables[ENV.task] as TaskName;
    roleOfStep.set(fn['Properties'].Role['Fn::GetAtt'][0] as string, step);
  }
  const result = {} as Record<TaskName, Map<string, string[]>>;
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
const AUTO_STREAM_ARN = STREAM_ARNS[0]!;
const APP_ARNS = ['arn:aws:kinesisanalytics:eu-west-1:123456789012:application/orders-enricher'];

function roleOfStep(step: TaskName): string {
  for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
    if (fn['Properties'].Environment.Variables[ENV.task] === step)
      return fn['Properties'].Role['Fn::GetAtt'][0] as string;
  }
  throw new Error(`no function for ${step}`);
}

/** The actions the state machine's role holds on "*". */
function stateMachineStarActions(): string[] {
  const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0]!;
  const role = machine['Properties'].RoleArn['Fn::GetAtt'][0] as string;
  const actions: string[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    if (!(policy['Properties'].Roles as { Ref: string }[]).some((r) => r.Ref === role)) continue;
    for (const statement of policy['Properties'].PolicyDocument.Statement as Statement[]) {
      if (statement.Resource !== '*') continue;
      actions.push(...(Array.isArray(statement.Action) ? statement.Action : [statement.Action]));
    }
  }
  return actions;
}

/** The reason of the `AwsSolutions-IAM5[Resource::*]` acknowledgement on the construct at `Workflow/<path>`. */
function acknowledgementReason(path: string): string {
  const node = workflowConstruct.node.findChild(path.split('/')[0]!);
  const target = path.includes('/') ? node.node.findChild(path.split('/')[1]!) : node;
  const entries = target.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
  // Each entry maps the qualified rule id to its reason.
  const reasons = entries.flatMap((m) => Object.entries(m.data as Record<string, string>));
  const found = reasons.find(([id]) => id.endsWith('AwsSolutions-IAM5[Resource::*]'));
  if (!found) throw new Error(`no Resource::* acknowledgement on ${path}: ${JSON.stringify(entries)}`);
  return found[1];
}

function pascal(step: string): string {
  return step.replace(/(^|-)([a-z])/g, (_m, _d: string, letter: string) => letter.toUpperCase());
}

describe('RemediationWorkflow functions', () => {
  it('runs nine arm64 Node.js 22 functions with their own log groups, untraced unless asked', () => {
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: Match.absent(),
        LoggingConfig: { LogGroup: Match.anyValue() },
      },
      9,
    );
  });

  it('keeps every log group for a month', () => {
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 10);
  });

  it('lets only the apply function reshard, on "*": UpdateShardCount supports no resource-level permissions', () => {
    const permissions = permissionsByStep();
    const holders = Object.entries(permissions).filter(([, actions]) => actions.has('kinesis:UpdateShardCount'));
    expect(holders.map(([step]) => step)).toEqual(['apply']);
    expect(permissions.apply.get('kinesis:UpdateShardCount')).toEqual(['*']);
  });

  it.each([
    ['kinesis:IncreaseStreamRetentionPeriod', [AUTO_STREAM_ARN]],
    ['kinesisanalytics:UpdateApplication', APP_ARNS],
    ['kinesisanalytics:RollbackApplication', APP_ARNS],
  ])("lets only the apply function call %s, and only on the auto target's resources", (action, arns) => {
    const permissions = permissionsByStep();
    const holders = Object.entries(permissions).filter(([, actions]) => actions.has(action));
    expect(holders.map(([step]) => step)).toEqual(['apply']);
    expect(permissions.apply.get(action)).toEqual(arns);
  });

  it('lets only assess and verify read metrics, with the two actions that need "*"', () => {
    const permissions = permissionsByStep();
    for (const action of ['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics']) {
      const readers = Object.entries(permissions).filter(([, actions]) => actions.has(action));
      expect(readers.map(([step]) => step).sort()).toEqual(['assess', 'verify']);
      expect(permissions.assess.get(action)).toEqual(['*']);
    }
  });

  it.each<TaskName>(['assess', 'verify'])('scopes the describe calls of %s to every configured ARN', (step) => {
    const permissions = permissionsByStep()[step];
    expect(permissions.get('kinesis:DescribeStreamSummary')).toEqual(STREAM_ARNS);
    expect(permissions.get('kinesisanalytics:DescribeApplication')).toEqual(APP_ARNS);
  });

  it.each<TaskName>(['apply', 'wait-check'])("scopes the describe calls of %s to the auto target's ARNs", (step) => {
    const permissions = permissionsByStep()[step];
    expect(permissions.get('kinesis:DescribeStreamSummary')).toEqual([AUTO_STREAM_ARN]);
    expect(permissions.get('kinesisanalytics:DescribeApplication')).toEqual(APP_ARNS);
  });

  it.each<[TaskName, string[], string]>([
    ['lock', ['dynamodb:PutItem', 'dynamodb:GetItem'], 'LOCK#*'],
    ['lock', ['dynamodb:PutItem'], 'TURNED_AWAY#*'],
    ['notify', ['dynamodb:GetItem', 'dynamodb:PutItem'], 'NOTICE#*'],
    ['unlock', ['dynamodb:DeleteItem'], 'LOCK#*'],
    ['apply', ['dynamodb:Query', 'dynamodb:PutItem'], 'TARGET#*'],
    ['assess', ['dynamodb:Query', 'dynamodb:PutItem'], 'TARGET#*'],
    ['verify', ['dynamodb:Query'], 'TARGET#*'],
    ['notify', ['dynamodb:Query'], 'TARGET#*'],
  ])('keeps %s to its own items of the table with dynamodb:LeadingKeys %s', (step, actions, keys) => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleOfStep(step) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: actions.length === 1 ? actions[0] : actions,
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Ledger'), 'Arn'] },
            Condition: {
              'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [keys] },
              Null: { 'dynamodb:LeadingKeys': 'false' },
            },
          },
        ]),
      },
    });
  });

  it('names, in each role\'s "Resource::*" acknowledgement, exactly the actions the role holds on "*"', () => {
    const permissions = permissionsByStep();
    for (const step of Object.keys(permissions) as TaskName[]) {
      const onStar = [...permissions[step].entries()]
        .filter(([, resources]) => resources.includes('*'))
        .map(([a]) => a);
      const named = wildcardResourceActions(step, config).flatMap((g) => g.actions);
      expect([step, ...onStar.sort()]).toEqual([step, ...[...named].sort()]);
      for (const action of named) expect(acknowledgementReason(`${pascal(step)}Role`)).toContain(action);
    }
    const machineActions = stateMachineStarActions();
    const machineNamed = wildcardResourceActions('stateMachine', config).flatMap((g) => g.actions);
    expect(machineActions.sort()).toEqual([...machineNamed].sort());
    for (const action of machineNamed) expect(acknowledgementReason('StateMachine/Role')).toContain(action);
  });

  it.each<[TaskName, string[]]>([
    ['intake', []],
    // Query: the fleet's run slots, read in one call (lambdas/adapters/dynamodb-fleet-slots.ts).
    ['lock', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']],
    ['unlock', ['dynamodb:DeleteItem', 'dynamodb:Query']],
    // GetItem reads the kill switch (stream-medic pause).
    ['assess', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']],
    ['verify', ['dynamodb:GetItem', 'dynamodb:Query']],
    ['apply', ['dynamodb:PutItem', 'dynamodb:Query']],
    ['wait-check', []],
    ['notify', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']],
    ['approval', ['dynamodb:DeleteItem', 'dynamodb:PutItem']],
  ])('gives %s only the table actions it uses: %j', (step, expected) => {
    const actions = [...permissionsByStep()[step].keys()].filter((a) => a.startsWith('dynamodb:')).sort();
    expect(actions).toEqual(expected);
  });

  it('lets only the notify function and the approval request publish, with use of the topic key', () => {
    const permissions = permissionsByStep();
    const publishers = Object.entries(permissions).filter(([, actions]) => actions.has('sns:Publish'));
    expect(publishers.map(([step]) => step).sort()).toEqual(['approval', 'notify']);
    expect(permissions.notify.has('kms:GenerateDataKey')).toBe(true);
    expect(permissions.approval.has('kms:GenerateDataKey')).toBe(true);
  });

  it('sets each function the environment it reads, and no more', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    const withTable = functions.filter((f) => ENV.tableName in f['Properties'].Environment.Variables);
    const withTopic = functions.filter((f) => ENV.topicArn in f['Properties'].Environment.Variables);
    expect(withTable.map((f) => f['Properties'].Environment.Variables[ENV.task]).sort()).toEqual([
      'apply',
      'approval',
      'assess',
      'lock',
      'notify',
      'unlock',
      'verify',
    ]);
    expect(withTopic.map((f) => f['Properties'].Environment.Variables[ENV.task]).sort()).toEqual([
      'approval',
      'notify',
    ]);
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
    // The seven of every run, the three of mode approve (request, re-assess, expire), and the
    // rollback of an application that did not come back after its update.
    expect(tasks).toHaveLength(11);
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

  it('retries exactly the port errors the error table gives a retrier, and every retryable one', () => {
    const state = workflow.definition.States[STATE_NAMES.applyStep]!;
    const retried = ('Retry' in state ? (state.Retry ?? []) : [])
      .flatMap((r) => r.ErrorEquals)
      // CDK's own retrier of the Lambda service's transient faults.
      .filter((name) => !name.startsWith('Lambda.'));
    const withRetrier = ERROR_NAMES.filter((name) => ERROR_HANDLING[name].retrier !== undefined);
    expect([...retried].sort()).toEqual([...withRetrier].sort());
    expect(retried).toEqual(expect.arrayContaining([...RETRYABLE_ERROR_NAMES]));
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

  it('goes round again only from a verification that proposes it, and counts the rounds itself; a revert passes the bound', () => {
    const choice = workflow.definition.States[STATE_NAMES.anotherRound]!;
    expect(choice).toMatchObject({
      Type: 'Choice',
      Default: STATE_NAMES.notify,
      Choices: [
        {
          And: [
            { Variable: '$.verification.next', IsPresent: true },
            {
              Or: [
                { Variable: '$.round', NumericLessThan: 3 },
                { Variable: '$.verification.next.assessment.revert', IsPresent: true },
              ],
            },
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
    for (const name of [STATE_NAMES.acquireLock, STATE_NAMES.assess, STATE_NAMES.applyStep, STATE_NAMES.verify]) {
      const state = states[name]!;
      expect('Catch' in state && state.Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: STATE_NAMES.notify },
      ]);
    }
    // A wait that ends because the resource did not come back goes by the rollback of the
    // application (told by Notify either way); every other failure of the wait goes to Notify.
    const check = states[STATE_NAMES.checkResource]!;
    expect('Catch' in check && check.Catch).toEqual([
      {
        ErrorEquals: ['ResourceStateError', 'ResourceNotReadyError'],
        ResultPath: '$.failure',
        Next: STATE_NAMES.rollBackStuckApplication,
      },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: STATE_NAMES.notify },
    ]);
    const rollBack = states[STATE_NAMES.rollBackStuckApplication]!;
    expect(rollBack).toMatchObject({
      Next: STATE_NAMES.notify,
      ResultPath: '$.stuckRollback',
      Parameters: { 'stuckWait.$': '$.apply.wait', 'progress.$': '$.apply.progress' },
      // The wait's failure stays in the state; the rollback's own failure does not replace it.
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: STATE_NAMES.notify }],
    });
    const resourceOf = (name: string): unknown => {
      const state = states[name]!;
      return 'Resource' in state ? state.Resource : undefined;
    };
    expect(resourceOf(STATE_NAMES.rollBackStuckApplication)).toBe(resourceOf(STATE_NAMES.applyStep));
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

  it("hands every state that plans or makes changes the fleet's cap on changes per hour (fleet.maxChangesPerHour, default 20)", () => {
    for (const name of [STATE_NAMES.assess, STATE_NAMES.reassessApproved, STATE_NAMES.verify, STATE_NAMES.applyStep]) {
      const state = workflow.definition.States[name]!;
      expect(('Parameters' in state ? state.Parameters : {}) as object).toMatchObject({ maxChangesPerHour: 20 });
    }
    // A step's index names its change slot within its round: the apply task is told the round.
    const apply = workflow.definition.States[STATE_NAMES.applyStep]!;
    expect(('Parameters' in apply ? apply.Parameters : {}) as object).toMatchObject({ 'round.$': '$.round' });
  });

  it('hands ApplyStep and Verify the run time budget: a step at its worst (call, slowest retrier, whole wait), the settling wait and the end of the run', () => {
    // apply's 30 s timeout + the rate-limit retrier's 10+20+40+80+120 s + 40 checks x 30 s;
    // verify, notify and unlock's 60+15+15 s + the transient retrier's 2+4+8+16+32+60 s.
    const budget = { timeoutSeconds: 7200, stepSeconds: 30 + 270 + 1200, settleSeconds: 300, closeSeconds: 90 + 122 };
    for (const name of [STATE_NAMES.applyStep, STATE_NAMES.verify]) {
      const state = workflow.definition.States[name]!;
      expect(('Parameters' in state ? state.Parameters : {}) as object).toMatchObject({ budget });
    }
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
