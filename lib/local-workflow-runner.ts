/**
 * Runs the state machine CDK synthesizes, not a copy of it, in this process: the definition is read
 * from the template, its CloudFormation intrinsics resolved to placeholders, and each Lambda Task
 * replaced by the step core of the function it names. Tests use it with in-memory fakes; the local
 * simulator uses it with simulated AWS.
 */
import './promise-with-resolvers';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { STEP_IDS, type StepCores, type StepId } from '../lambdas/handlers/contracts';
import { ENV } from '../lambdas/handlers/env';

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** The part of a synthesized CloudFormation template this module reads. */
export interface CloudFormationTemplate {
  readonly Resources: Readonly<Record<string, TemplateResource>>;
}

export interface LoadWorkflowOptions {
  /**
   * Logical ID of the state machine, when the template has more than one.
   * @default the template's only AWS::StepFunctions::StateMachine
   */
  readonly stateMachineLogicalId?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly account?: string;
}

/** A synthesized workflow, ready to run locally. */
export interface LocalWorkflow {
  readonly definition: StateMachineDefinition;
  /** Which step core serves each Task state, found through the `STREAM_MEDIC_STEP` of its function. */
  readonly taskSteps: Readonly<Record<string, StepId>>;
  readonly region: string;
  readonly account: string;
}

const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A function's placeholder ARN; its logical ID stands in for the name CloudFormation would give it. */
export function placeholderFunctionArn(region: string, account: string, logicalId: string): string {
  return `arn:aws:lambda:${region}:${account}:function:${logicalId}`;
}

/**
 * Resolves the intrinsics CDK puts in a definition: `Fn::Join`, `Fn::Sub`, `Fn::GetAtt` and `Ref`
 * of resources (to placeholder ARNs and names) and of pseudo parameters.
 */
export function resolveIntrinsics(
  value: unknown,
  template: CloudFormationTemplate,
  env: { readonly region: string; readonly account: string },
): unknown {
  const resolve = (v: unknown): unknown => resolveIntrinsics(v, template, env);
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': env.region,
    'AWS::AccountId': env.account,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': 'local',
    'AWS::NoValue': '',
  };
  const ref = (name: string): string => {
    if (name in pseudo) return pseudo[name]!;
    const resource = template.Resources[name];
    if (!resource) throw new Error(`the definition refers to "${name}", which is not in the template`);
    return resource.Type === 'AWS::Lambda::Function' ? name : `local-${name}`;
  };
  const getAtt = (logicalId: string, attribute: string): string => {
    const resource = template.Resources[logicalId];
    if (!resource) throw new Error(`the definition refers to "${logicalId}", which is not in the template`);
    if (resource.Type === 'AWS::Lambda::Function' && attribute === 'Arn') {
      return placeholderFunctionArn(env.region, env.account, logicalId);
    }
    return `arn:aws:local:${env.region}:${env.account}:${logicalId}/${attribute}`;
  };

  if (Array.isArray(value)) return value.map(resolve);
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const arg = value[key];
    switch (key) {
      case 'Ref':
        return ref(String(arg));
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
        return getAtt(String(logicalId), String(attribute));
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return (resolve(parts) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Sub': {
        const [text, variables] = (Array.isArray(arg) ? arg : [arg, {}]) as [string, Record<string, unknown>];
        const resolvedVars = resolve(variables) as Record<string, unknown>;
        return text.replace(/\$\{([^}!]+)\}/g, (_m, name: string) => {
          if (name in resolvedVars) return String(resolvedVars[name]);
          const [logicalId, attribute] = name.split('.');
          return attribute ? getAtt(logicalId!, attribute) : ref(name);
        });
      }
    }
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
}

/** Reads the state machine out of a synthesized template and maps its Lambda Tasks to step cores. */
export function loadWorkflow(synthesized: unknown, options: LoadWorkflowOptions = {}): LocalWorkflow {
  if (!isRecord(synthesized) || !isRecord(synthesized['Resources'])) {
    throw new Error('expected a synthesized CloudFormation template with a Resources section');
  }
  const template = synthesized as unknown as CloudFormationTemplate;
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '123456789012';
  const machines = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
  const chosen = options.stateMachineLogicalId
    ? machines.find(([id]) => id === options.stateMachineLogicalId)
    : machines.length === 1
      ? machines[0]
      : undefined;
  if (!chosen) {
    const found = machines.map(([id]) => id).join(', ') || 'none';
    throw new Error(
      options.stateMachineLogicalId
        ? `stateMachineLogicalId "${options.stateMachineLogicalId}" is not a state machine of the template (found: ${found})`
        : `the template has ${machines.length} state machines (${found}); pass stateMachineLogicalId`,
    );
  }
  const properties = chosen[1].Properties ?? {};
  const env = { region, account };
  let text = resolveIntrinsics(properties['DefinitionString'], template, env);
  if (typeof text !== 'string') throw new Error(`state machine ${chosen[0]} has no DefinitionString`);
  const substitutions = resolveIntrinsics(properties['DefinitionSubstitutions'] ?? {}, template, env) as Record<
    string,
    unknown
  >;
  text = text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (match, name: string) =>
    name in substitutions ? String(substitutions[name]) : match,
  );
  const definition = JSON.parse(text as string) as StateMachineDefinition;

  const stepOfArn = new Map<string, StepId>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const variables = (resource.Properties?.['Environment'] as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables;
    const step = variables?.[ENV.step];
    if (typeof step === 'string' && (STEP_IDS as readonly string[]).includes(step)) {
      stepOfArn.set(placeholderFunctionArn(region, account, logicalId), step as StepId);
    }
  }
  const taskSteps: Record<string, StepId> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task') continue;
    const target = LAMBDA_INVOKE.test(state.Resource)
      ? String((state.Parameters as Record<string, unknown> | undefined)?.['FunctionName'] ?? '')
      : state.Resource;
    const step = stepOfArn.get(target.replace(/:\$LATEST$/, ''));
    if (step) taskSteps[name] = step;
  }
  return { definition, taskSteps, region, account };
}

export interface LocalRunOptions {
  /** The step cores that stand in for the Lambda functions. */
  readonly cores: StepCores;
  /**
   * Name of the execution; its ARN is the run's executionId.
   * @default 'local-<epoch ms>'
   */
  readonly executionName?: string;
  /**
   * Start time the context object reports.
   * @default now
   */
  readonly startTime?: Date;
  /**
   * Milliseconds each Wait state pauses, instead of its seconds in the definition.
   * @default 0
   */
  readonly waitMs?: number;
  /**
   * Milliseconds before each retry, instead of the retriers' backoff.
   * @default 0
   */
  readonly retryMs?: number;
  /** Called as each state is entered, e.g. to move a simulated clock on at a Wait state. */
  readonly onStateEntered?: (stateName: string, stateType: string) => void;
}

export type LocalRunResult =
  | {
      readonly status: 'SUCCEEDED';
      readonly executionArn: string;
      readonly output: unknown;
      /** Names of the states entered, in order. */
      readonly states: string[];
    }
  | {
      readonly status: 'FAILED';
      readonly executionArn: string;
      readonly error: string;
      readonly cause: string;
      readonly states: string[];
    };

/** A thrown error the way Lambda reports it to Step Functions: the name, and a JSON cause. */
class LambdaFunctionError extends Error {
  constructor(error: unknown) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    super(JSON.stringify({ errorType: name, errorMessage: message }));
    this.name = name;
  }
}

function taskHandler(core: StepCores[StepId], viaInvokeApi: boolean) {
  return async (input: unknown) => {
    const payload = viaInvokeApi && isRecord(input) ? input['Payload'] : input;
    let result: unknown;
    try {
      // Round trip through JSON as Lambda does: no Dates or undefined survive into the state.
      result = JSON.parse(JSON.stringify((await core(JSON.parse(JSON.stringify(payload ?? null)))) ?? null));
    } catch (error) {
      throw new LambdaFunctionError(error);
    }
    return (viaInvokeApi ? { Payload: result } : result) as never;
  };
}

/** Runs one execution of the workflow to its end. */
export async function runLocalWorkflow(
  workflow: LocalWorkflow,
  input: unknown,
  options: LocalRunOptions,
): Promise<LocalRunResult> {
  const machine = new StateMachine(workflow.definition, { validationOptions: { checkArn: true, checkPaths: true } });
  const startTime = options.startTime ?? new Date();
  const executionName = options.executionName ?? `local-${startTime.getTime()}`;
  const executionArn = `arn:aws:states:${workflow.region}:${workflow.account}:execution:StreamMedic:${executionName}`;
  const taskResourceLocalHandlers: Record<string, ReturnType<typeof taskHandler>> = {};
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const [name, state] of Object.entries(workflow.definition.States)) {
    if (state.Type === 'Wait') waitTimeOverrides[name] = options.waitMs ?? 0;
    if ('Retry' in state && state.Retry) retryIntervalOverrides[name] = options.retryMs ?? 0;
    if (state.Type !== 'Task') continue;
    const step = workflow.taskSteps[name];
    if (!step) throw new Error(`Task state "${name}" runs no StreamMedic step; nothing can stand in for it`);
    taskResourceLocalHandlers[name] = taskHandler(options.cores[step], LAMBDA_INVOKE.test(state.Resource));
  }
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides },
    context: {
      Execution: { Id: executionArn, Name: executionName, StartTime: startTime.toISOString(), Input: input as never },
      StateMachine: {
        Id: executionArn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, ''),
        Name: 'StreamMedic',
      },
    },
  });
  const states: string[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') {
        states.push(event.state.name);
        options.onStateEntered?.(event.state.name, event.state.type);
      }
    }
  })();
  try {
    const output = await execution.result;
    await collecting;
    return { status: 'SUCCEEDED', executionArn, output, states };
  } catch (error) {
    await collecting;
    // ExecutionError carries the state's error as `cause`: a Fail state's or an uncaught task's.
    const failure = (error as { cause?: unknown }).cause ?? error;
    const name = failure instanceof Error ? failure.name : 'Error';
    const cause = failure instanceof Error ? failure.message : String(failure);
    return { status: 'FAILED', executionArn, error: name, cause, states };
  }
}
