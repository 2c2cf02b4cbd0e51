/**
 * Reads each IAM role of a synthesized template with the policies attached to it, with every
 * intrinsic function resolved to the concrete ARN it would have in one account and region, so an
 * IAM evaluator can judge the policies as AWS would.
 */
import { ENV } from '../../../lambdas/workflow/env';
import { RUN_ENDED_ENV } from '../../../lambdas/workflow/run-ended';
import { SWEEP_ENV } from '../../../lambdas/workflow/sweep';
import type { TaskName } from '../../../lambdas/workflow/task-payloads';

export interface Environment {
  readonly account: string;
  readonly region: string;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: ReadonlyArray<Record<string, unknown>>;
}

/**
 * Who holds a role: a workflow task's function, the run-ended function, the sweep function, the state
 * machine, an EventBridge rule target, the sweep's EventBridge Scheduler schedule, or the operators (a
 * managed policy the stack attaches to nobody).
 */
export type RoleHolder = TaskName | 'stateMachine' | 'alarmRule' | 'runEnded' | 'sweep' | 'sweepSchedule' | 'operator';

export interface RolePolicies {
  readonly holder: RoleHolder;
  readonly logicalId: string;
  readonly arn: string;
  readonly policies: ReadonlyArray<{ readonly name: string; readonly document: PolicyDocument }>;
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
type Template = { Resources: Resources };

/** The ARN or name CloudFormation would give a resource of the template, for `Ref` and `Fn::GetAtt`. */
export function resourceArn(template: Template, logicalId: string, env: Environment): string {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`no resource ${logicalId} in the template`);
  const { account, region } = env;
  const props = resource.Properties ?? {};
  switch (resource.Type) {
    case 'AWS::DynamoDB::Table':
      return `arn:aws:dynamodb:${region}:${account}:table/${logicalId}`;
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:${region}:${account}:function:${logicalId}`;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${region}:${account}:${logicalId}`;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:aws:states:${region}:${account}:stateMachine:${logicalId}`;
    case 'AWS::KMS::Key':
      return `arn:aws:kms:${region}:${account}:key/${logicalId}`;
    case 'AWS::Logs::LogGroup':
      return `arn:aws:logs:${region}:${account}:log-group:${logicalId}:*`;
    case 'AWS::SQS::Queue':
      return `arn:aws:sqs:${region}:${account}:${logicalId}`;
    case 'AWS::IAM::Role':
      return `arn:aws:iam::${account}:role/${logicalId}`;
    case 'AWS::CloudWatch::Alarm':
      return `arn:aws:cloudwatch:${region}:${account}:alarm:${String(props['AlarmName'] ?? logicalId)}`;
    default:
      throw new Error(`no ARN known for ${resource.Type} (${logicalId})`);
  }
}

/** What `Ref` returns: the name for tables and log groups, the ARN for the rest used in policies. */
function refValue(template: Template, name: string, env: Environment): string {
  switch (name) {
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::Region':
      return env.region;
    case 'AWS::AccountId':
      return env.account;
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::StackId':
      return `arn:aws:cloudformation:${env.region}:${env.account}:stack/StreamMedic/00000000-0000-0000-0000-000000000000`;
  }
  const type = template.Resources[name]?.Type;
  if (type === 'AWS::DynamoDB::Table' || type === 'AWS::Logs::LogGroup' || type === 'AWS::IAM::Role') return name;
  return resourceArn(template, name, env);
}

/** Resolves Ref, Fn::GetAtt (Arn), Fn::Join and Fn::Sub; anything else fails the test loudly. */
export function resolve(template: Template, value: unknown, env: Environment): unknown {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v) => resolve(template, v, env));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [fn, args] = entries[0]!;
    if (fn === 'Ref') return refValue(template, args as string, env);
    if (fn === 'Fn::GetAtt') {
      const [id, attribute] = args as [string, string];
      // A state machine is named here by its logical id, as resourceArn names it.
      if (attribute === 'Name' && template.Resources[id]?.Type === 'AWS::StepFunctions::StateMachine') return id;
      if (attribute !== 'Arn') throw new Error(`cannot resolve Fn::GetAtt ${id}.${attribute}`);
      return resourceArn(template, id, env);
    }
    if (fn === 'Fn::Join') {
      const [separator, parts] = args as [string, unknown[]];
      return parts.map((p) => String(resolve(template, p, env))).join(separator);
    }
    if (fn === 'Fn::Sub') {
      const text = typeof args === 'string' ? args : (args as [string])[0];
      return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) =>
        name.endsWith('.Arn')
          ? String(resolve(template, { 'Fn::GetAtt': [name.slice(0, -4), 'Arn'] }, env))
          : refValue(template, name, env),
      );
    }
    if (fn.startsWith('Fn::')) throw new Error(`cannot resolve ${fn}`);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolve(template, v, env)]));
}

function holderOf(template: Template, roleId: string): RoleHolder | undefined {
  for (const resource of Object.values(template.Resources)) {
    const props = resource.Properties ?? {};
    const roleRef = (value: unknown): string | undefined => {
      const getAtt = (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
      return getAtt?.[0];
    };
    if (resource.Type === 'AWS::Lambda::Function' && roleRef(props['Role']) === roleId) {
      const variables = (props['Environment'] as { Variables: Record<string, string> }).Variables;
      // The run-ended function serves no Task state: it is the one that knows the alarm-name prefix.
      if (variables[RUN_ENDED_ENV.alarmNamePrefix] !== undefined) return 'runEnded';
      if (variables[SWEEP_ENV.stateMachineArn] !== undefined) return 'sweep';
      return variables[ENV.task] as TaskName;
    }
    if (resource.Type === 'AWS::StepFunctions::StateMachine' && roleRef(props['RoleArn']) === roleId) {
      return 'stateMachine';
    }
    if (resource.Type === 'AWS::Scheduler::Schedule') {
      const target = props['Target'] as { RoleArn?: unknown } | undefined;
      if (roleRef(target?.RoleArn) === roleId) return 'sweepSchedule';
    }
    if (resource.Type === 'AWS::Events::Rule') {
      const targets = (props['Targets'] as Array<{ RoleArn?: unknown }> | undefined) ?? [];
      if (targets.some((t) => roleRef(t.RoleArn) === roleId)) return 'alarmRule';
    }
  }
  return undefined;
}

/** Every role of the template with its inline and attached policies, resolved. */
export function rolePolicies(template: Template, env: Environment): RolePolicies[] {
  const roles: RolePolicies[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const holder = holderOf(template, logicalId);
    if (!holder) throw new Error(`role ${logicalId} belongs to nothing this test knows`);
    const props = resource.Properties ?? {};
    if (props['ManagedPolicyArns'] !== undefined) throw new Error(`role ${logicalId} has managed policies`);
    const policies: Array<{ name: string; document: PolicyDocument }> = [];
    for (const inline of (props['Policies'] as Array<{ PolicyName: string; PolicyDocument: unknown }>) ?? []) {
      policies.push({
        name: inline.PolicyName,
        document: resolve(template, inline.PolicyDocument, env) as PolicyDocument,
      });
    }
    for (const [policyId, policy] of Object.entries(template.Resources)) {
      if (policy.Type !== 'AWS::IAM::Policy' && policy.Type !== 'AWS::IAM::ManagedPolicy') continue;
      const attached = (policy.Properties?.['Roles'] as Array<{ Ref: string }> | undefined) ?? [];
      if (!attached.some((r) => r.Ref === logicalId)) continue;
      policies.push({
        name: policyId,
        document: resolve(template, policy.Properties!['PolicyDocument'], env) as PolicyDocument,
      });
    }
    roles.push({ holder, logicalId, arn: resourceArn(template, logicalId, env), policies });
  }
  // A managed policy attached to nothing is for people to attach: judged as the role of an operator.
  for (const [policyId, policy] of Object.entries(template.Resources)) {
    if (policy.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const props = policy.Properties ?? {};
    if (props['Roles'] !== undefined || props['Users'] !== undefined || props['Groups'] !== undefined) continue;
    roles.push({
      holder: 'operator',
      logicalId: policyId,
      arn: `arn:aws:iam::${env.account}:role/operator`,
      policies: [{ name: policyId, document: resolve(template, props['PolicyDocument'], env) as PolicyDocument }],
    });
  }
  return roles;
}
