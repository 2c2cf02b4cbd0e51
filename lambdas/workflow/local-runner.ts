/**
 * Runs the state machine CDK synthesizes, not a copy of it, in this process: the definition is read
 * from the template, its CloudFormation intrinsics resolved to placeholders, and each Lambda Task
 * replaced by the task core of the function it names. Tests use it with in-memory fakes; the local
 * simulator uses it with simulated AWS.
 */
import './promise-with-resolvers';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { TASK_NAMES, type TaskCores, type TaskName } from './task-payloads';
import { ENV } from './env';
import { LocalTaskTokens, type TaskTokenOutcome } from './local-task-tokens';

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
  /** Which task core serves each Task state, found through the `STREAM_MEDIC_TASK` of its function. */
  readonly taskNames: Readonly<Record<string, TaskName>>;
  readonly region: string;
  readonly account: string;
}

const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke/;
/** A Task that waits until its task token is sent back (the callback pattern). */
const WAITS_FOR_TASK_TOKEN = /\.waitForTaskToken$/;
/** What `$$.Task.Token` resolves to while the library builds a payload; each wait then gets its own token. */
const TASK_TOKEN_PLACEHOLDER = 'local-task-token';

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

/** Reads the state machine out of a synthesized template and maps its Lambda Tasks to task cores. */
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

  const taskOfArn = new Map<string, TaskName>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const variables = (resource.Properties?.['Environment'] as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables;
    const task = variables?.[ENV.task];
    if (typeof task === 'string' && (TASK_NAMES as readonly string[]).includes(task)) {
      taskOfArn.set(placeholderFunctionArn(region, account, logicalId), task as TaskName);
    }
  }
  const taskNames: Record<string, TaskName> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task') continue;
    const target = LAMBDA_INVOKE.test(state.Resource)
      ? String((state.Parameters as Record<string, unknown> | undefined)?.['FunctionName'] ?? '')
      : state.Resource;
    const task = taskOfArn.get(target.replace(/:\$LATEST$/, ''));
    if (task) taskNames[name] = task;
  }
  return { definition, taskNames, region, account };
}

/** Why an execution lets simulated time pass before its next Task. */
export interface PauseReason {
  /** `wait`: a Wait state; `retry`: a retrier's backoff before the state runs again. */
  readonly kind: 'wait' | 'retry';
  /** The Wait state, or the Task state about to be retried. */
  readonly state: string;
}

/**
 * A simulated clock for an execution. Wait states and retry backoff pass on it instead of the wall
 * clock, so hours of a workflow run in milliseconds and several executions share one timeline.
 */
export interface VirtualTime {
  /** Epoch ms now. */
  now(): number;
  /**
   * Resolves once `ms` of simulated time have passed; the execution does nothing until then. A wait
   * for a task token passes `answered`, aborted the moment the token is sent: the execution goes on
   * then, and a scheduler that keeps time for it should count it as running again at once.
   */
  sleep(ms: number, reason: PauseReason, answered?: AbortSignal): Promise<void>;
  /** Uniform numbers in [0, 1) for the retriers' full jitter; seed it for reproducible runs. */
  random(): number;
}

export interface LocalRunOptions {
  /** The task cores that stand in for the Lambda functions. */
  readonly cores: TaskCores;
  /**
   * Name of the execution; its ARN is the run's executionId.
   * @default 'local-<epoch ms>'
   */
  readonly executionName?: string;
  /**
   * Start time the run reports (`$$.Execution.StartTime`).
   * @default now, or `virtualTime.now()`
   */
  readonly startTime?: Date;
  /**
   * Milliseconds each Wait state pauses, instead of its seconds in the definition. Ignored with `virtualTime`.
   * @default 0
   */
  readonly waitMs?: number;
  /**
   * Milliseconds before each retry, instead of the retriers' backoff. Ignored with `virtualTime`.
   * @default 0
   */
  readonly retryMs?: number;
  /**
   * Runs the execution on a simulated clock: each Wait state's seconds and each retrier's backoff
   * (with its jitter) pass on it before the next Task runs, and the state machine's `TimeoutSeconds`
   * is enforced on it. Nothing sleeps in real time.
   * @default - Wait states and retries take `waitMs` and `retryMs` of real time
   */
  readonly virtualTime?: VirtualTime;
  /**
   * Called for each state entered, in order but after the fact (the library reports its events
   * asynchronously): for watching a run, not for acting inside it; `virtualTime` is how time passes.
   */
  readonly onStateEntered?: (stateName: string, stateType: string) => void;
  /**
   * Where `.waitForTaskToken` tasks wait: each gets a token here, and the run goes on when the token
   * is sent back with `sendTaskSuccess` or `sendTaskFailure`. The wait times out after the state's
   * `TimeoutSeconds` (on `virtualTime`, when given) with `States.Timeout`, as Step Functions does.
   * @default a store of its own, which nobody can answer: every wait times out
   */
  readonly taskTokens?: LocalTaskTokens;
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
    }
  | {
      /** The state machine's `TimeoutSeconds` passed on the simulated clock (only with `virtualTime`). */
      readonly status: 'TIMED_OUT';
      readonly executionArn: string;
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

/** What a state ends with when the execution times out on the simulated clock; nothing catches it. */
class ExecutionTimedOut extends Error {
  override readonly name = 'States.Timeout';
}

type AnyState = StateMachineDefinition['States'][string];

/** The fields of a retrier the backoff is computed from. */
interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: string;
}

/** `States.ALL` and `States.TaskFailed` match any error a Lambda task throws. */
function retrierMatches(retrier: Retrier, errorName: string): boolean {
  return retrier.ErrorEquals.some((e) => e === errorName || e === 'States.ALL' || e === 'States.TaskFailed');
}

/**
 * The backoff before the next attempt, as Step Functions computes it (interval x rate^attempt, capped
 * by MaxDelaySeconds, full jitter drawn from `random`), or undefined when no retrier retries the
 * error any more. Counts the attempt in `attempts` (one counter per retrier, as the service keeps).
 */
function retryBackoffMs(
  retriers: readonly Retrier[],
  errorName: string,
  attempts: number[],
  random: () => number,
): number | undefined {
  const index = retriers.findIndex((r) => retrierMatches(r, errorName));
  if (index < 0) return undefined;
  const retrier = retriers[index]!;
  const made = attempts[index] ?? 0;
  if (made >= (retrier.MaxAttempts ?? 3)) return undefined;
  attempts[index] = made + 1;
  const seconds = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** made;
  const ms = Math.min(seconds, retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY) * 1000;
  return retrier.JitterStrategy === 'FULL' ? Math.floor(random() * (ms + 1)) : ms;
}

/** Paths in a Parameters template whose value is the given context field, e.g. the execution's start time. */
function contextPaths(template: unknown, field: string, at: string[] = []): string[][] {
  if (!isRecord(template)) return [];
  return Object.entries(template).flatMap(([key, value]) =>
    key.endsWith('.$') && value === field ? [[...at, key.slice(0, -2)]] : contextPaths(value, field, [...at, key]),
  );
}

function withValueAt(value: unknown, path: readonly string[], replacement: string): unknown {
  if (path.length === 0) return replacement;
  if (!isRecord(value)) return value;
  const [head, ...rest] = path as [string, ...string[]];
  return { ...value, [head]: withValueAt(value[head], rest, replacement) };
}

/** How one Task state of an execution runs: its core, and the simulated time owed before it. */
interface TaskContext {
  readonly core: TaskCores[TaskName];
  readonly viaInvokeApi: boolean;
  /** Where the Parameters put `$$.Execution.StartTime`, which the library fills from the wall clock. */
  readonly startTimePaths: readonly string[][];
  readonly retriers: readonly Retrier[];
  /** For a `.waitForTaskToken` task: where its token goes in the payload, and how long it may wait. */
  readonly callback?: {
    readonly tokenPaths: readonly string[][];
    readonly timeoutMs: number;
    readonly tokens: LocalTaskTokens;
    readonly executionArn: string;
    readonly virtualTime?: VirtualTime;
  };
}

/** An error as the service names it when a callback task fails or times out, for the state's Catch. */
class CallbackError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/** Waits for the task token's outcome, or for the timeout (on the simulated clock, if there is one). */
async function awaitCallback(
  name: string,
  token: string,
  callback: NonNullable<TaskContext['callback']>,
): Promise<TaskTokenOutcome> {
  const answered = new AbortController();
  const outcome = callback.tokens.wait({ token, executionArn: callback.executionArn, state: name }, () =>
    answered.abort(),
  );
  if (!callback.virtualTime) return outcome;
  const timedOut = Symbol('timed out');
  const first = await Promise.race([
    outcome,
    callback.virtualTime.sleep(callback.timeoutMs, { kind: 'wait', state: name }, answered.signal).then(() => timedOut),
  ]);
  if (first !== timedOut) return first as TaskTokenOutcome;
  // A decision sent at the very moment the wait ends still counts, as it would have reached the service first.
  if (!callback.tokens.isWaiting(token)) return outcome;
  callback.tokens.expire(token);
  return { error: 'States.Timeout', cause: `the task waited ${callback.timeoutMs / 1000} s for its token` };
}

/** One execution's bookkeeping of simulated time: Wait seconds and backoff owed before the next Task. */
class ExecutionClock {
  private owedMs = 0;
  private owedReason: PauseReason | undefined;
  private lastFailed: string | undefined;
  private retryOf: string | undefined;
  private readonly attempts = new Map<string, number[]>();
  timedOut = false;

  constructor(
    private readonly time: VirtualTime,
    private readonly deadline: number,
    private readonly abort: () => void,
  ) {}

  waited(state: string, ms: number): void {
    this.owedMs += Math.max(0, ms);
    this.owedReason = { kind: 'wait', state };
  }

  /** Before a Task runs: lets the owed time pass (its retry backoff, the Wait before it). */
  async beforeTask(state: string): Promise<void> {
    // The state runs again right after failing only when a retrier retries it; otherwise it is a new entry.
    const retried = this.lastFailed === state && this.retryOf === state;
    if (!retried) this.attempts.set(state, []);
    this.lastFailed = undefined;
    this.retryOf = undefined;
    const ms = this.owedMs;
    const reason = retried ? { kind: 'retry' as const, state } : this.owedReason;
    this.owedMs = 0;
    this.owedReason = undefined;
    if (ms <= 0 || !reason) return;
    const left = this.deadline - this.time.now();
    if (ms >= left) {
      if (left > 0) await this.time.sleep(left, reason);
      this.timedOut = true;
      this.abort();
      throw new ExecutionTimedOut('the execution passed its TimeoutSeconds');
    }
    await this.time.sleep(ms, reason);
  }

  /** After a Task failed: the backoff its retrier owes, if the service would retry it. */
  failed(state: string, errorName: string, retriers: readonly Retrier[]): void {
    this.lastFailed = state;
    const attempts = this.attempts.get(state) ?? [];
    this.attempts.set(state, attempts);
    const backoff = retryBackoffMs(retriers, errorName, attempts, () => this.time.random());
    if (backoff === undefined) return;
    this.retryOf = state;
    this.owedMs += backoff;
  }
}

function taskHandler(name: string, task: TaskContext, startTime: string, clock: ExecutionClock | undefined) {
  return async (input: unknown) => {
    await clock?.beforeTask(name);
    let payload: unknown = task.viaInvokeApi && isRecord(input) ? input['Payload'] : input;
    for (const path of task.startTimePaths) payload = withValueAt(payload, path, startTime);
    const token = task.callback?.tokens.issue(task.callback.executionArn, name);
    if (task.callback && token)
      for (const path of task.callback.tokenPaths) payload = withValueAt(payload, path, token);
    let result: unknown;
    try {
      // Round trip through JSON as Lambda does: no Dates or undefined survive into the state.
      result = JSON.parse(JSON.stringify((await task.core(JSON.parse(JSON.stringify(payload ?? null)))) ?? null));
    } catch (error) {
      const failure = new LambdaFunctionError(error);
      clock?.failed(name, failure.name, task.retriers);
      throw failure;
    }
    if (task.callback && token) {
      // The function's own result is dropped: the state's result is what the token is sent back with.
      const outcome = await awaitCallback(name, token, task.callback);
      if ('error' in outcome) throw new CallbackError(outcome.error, outcome.cause ?? '');
      return outcome.output as never;
    }
    return (task.viaInvokeApi ? { Payload: result } : result) as never;
  };
}

/** How long a Wait state of the definition pauses, in ms; `SecondsPath` is read from the state (see {@link secondsPathOf}). */
function waitStateMs(name: string, state: AnyState, now: number): number {
  const wait = state as { Seconds?: number; Timestamp?: string; SecondsPath?: string; TimestampPath?: string };
  if (wait.Seconds !== undefined) return wait.Seconds * 1000;
  if (wait.Timestamp !== undefined) return Date.parse(wait.Timestamp) - now;
  throw new Error(
    `Wait state "${name}" takes a timestamp from the input; a simulated clock supports Seconds, Timestamp and SecondsPath`,
  );
}

/** The `SecondsPath` of a Wait state, if it has one. */
function secondsPathOf(state: AnyState): string | undefined {
  return state.Type === 'Wait' ? (state as { SecondsPath?: string }).SecondsPath : undefined;
}

/** The seconds a `SecondsPath` (a plain `$.a.b` path) names in the state, as Step Functions requires them: a whole number >= 0. */
function secondsAt(name: string, input: unknown, path: string): number {
  if (!/^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(path)) {
    throw new Error(`Wait state "${name}": the local runner reads only plain paths like $.a.b, got ${path}`);
  }
  let value: unknown = input;
  for (const key of path.slice(2).split('.')) value = isRecord(value) ? value[key] : undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    const error = new Error(
      `Wait state "${name}": ${path} must be a whole number of seconds >= 0, got ${String(value)}`,
    );
    error.name = 'States.Runtime';
    throw error;
  }
  return value;
}

/**
 * The definition a simulated clock runs: each Wait state with `SecondsPath` becomes a Task state the
 * runner handles itself (the library would read the path only to sleep in real time), with the same
 * paths and transitions, whose result is its input; the wait is owed on the simulated clock.
 */
const simulatedDefinitions = new WeakMap<StateMachineDefinition, StateMachineDefinition>();
function simulatedDefinition(workflow: LocalWorkflow): StateMachineDefinition {
  let simulated = simulatedDefinitions.get(workflow.definition);
  if (!simulated) {
    const states = Object.fromEntries(
      Object.entries(workflow.definition.States).map(([name, state]) => {
        if (secondsPathOf(state) === undefined) return [name, state];
        const { Type: _type, SecondsPath: _secondsPath, ...rest } = state as AnyState & { SecondsPath: string };
        return [
          name,
          {
            ...rest,
            Type: 'Task',
            Resource: `arn:aws:lambda:${workflow.region}:${workflow.account}:function:local-wait`,
          },
        ];
      }),
    );
    simulated = { ...workflow.definition, States: states } as StateMachineDefinition;
    simulatedDefinitions.set(workflow.definition, simulated);
  }
  return simulated;
}

/** Validating a definition compiles the whole ASL schema (a tenth of a second); a machine runs any number of executions. */
const validatedMachines = new WeakMap<StateMachineDefinition, StateMachine>();

function machineFor(definition: StateMachineDefinition): StateMachine {
  let machine = validatedMachines.get(definition);
  if (!machine) {
    machine = new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } });
    validatedMachines.set(definition, machine);
  }
  return machine;
}

/** Runs one execution of the workflow to its end. */
export async function runLocalWorkflow(
  workflow: LocalWorkflow,
  input: unknown,
  options: LocalRunOptions,
): Promise<LocalRunResult> {
  const virtual = options.virtualTime;
  const machine = machineFor(virtual ? simulatedDefinition(workflow) : workflow.definition);
  const startTime = options.startTime ?? new Date(virtual ? virtual.now() : Date.now());
  const executionName = options.executionName ?? `local-${startTime.getTime()}`;
  const executionArn = `arn:aws:states:${workflow.region}:${workflow.account}:execution:StreamMedic:${executionName}`;
  const timeoutSeconds = workflow.definition.TimeoutSeconds;
  let abort = (): void => undefined;
  const clock = virtual
    ? new ExecutionClock(
        virtual,
        timeoutSeconds !== undefined ? startTime.getTime() + timeoutSeconds * 1000 : Number.POSITIVE_INFINITY,
        () => abort(),
      )
    : undefined;

  const taskTokens = options.taskTokens ?? new LocalTaskTokens();
  const taskResourceLocalHandlers: Record<string, ReturnType<typeof taskHandler>> = {};
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const [name, state] of Object.entries(workflow.definition.States)) {
    const secondsPath = secondsPathOf(state);
    if (secondsPath !== undefined && clock) {
      taskResourceLocalHandlers[name] = async (input: unknown) => {
        clock.waited(name, secondsAt(name, input, secondsPath) * 1000);
        return input as never;
      };
      continue;
    }
    if (state.Type === 'Wait') {
      if (clock && virtual) {
        waitStateMs(name, state, startTime.getTime());
        // The library reads a Wait state's override as the state runs: that read is the moment the
        // execution starts waiting, so the wait is owed on the simulated clock and no real time passes.
        Object.defineProperty(waitTimeOverrides, name, {
          enumerable: true,
          get: () => {
            clock.waited(name, waitStateMs(name, state, virtual.now()));
            return 0;
          },
        });
      } else {
        waitTimeOverrides[name] = options.waitMs ?? 0;
      }
    }
    if ('Retry' in state && state.Retry) retryIntervalOverrides[name] = virtual ? 0 : (options.retryMs ?? 0);
    if (state.Type !== 'Task') continue;
    const task = workflow.taskNames[name];
    if (!task) throw new Error(`Task state "${name}" runs no StreamMedic task; nothing can stand in for it`);
    const viaInvokeApi = LAMBDA_INVOKE.test(state.Resource);
    const parameters = 'Parameters' in state ? state.Parameters : undefined;
    const payloadTemplate =
      viaInvokeApi && isRecord(parameters) ? (parameters['Payload'] ?? parameters['Payload.$']) : parameters;
    const timeoutSeconds = (state as { TimeoutSeconds?: number }).TimeoutSeconds;
    taskResourceLocalHandlers[name] = taskHandler(
      name,
      {
        core: options.cores[task],
        viaInvokeApi,
        startTimePaths: contextPaths(payloadTemplate, '$$.Execution.StartTime'),
        retriers: state.Retry ?? [],
        ...(WAITS_FOR_TASK_TOKEN.test(state.Resource)
          ? {
              callback: {
                tokenPaths: contextPaths(payloadTemplate, '$$.Task.Token'),
                // Step Functions' default for a task without TimeoutSeconds is the execution's own limit.
                timeoutMs: (timeoutSeconds ?? Number.MAX_SAFE_INTEGER / 1000) * 1000,
                tokens: taskTokens,
                executionArn,
                ...(virtual ? { virtualTime: virtual } : {}),
              },
            }
          : {}),
      },
      startTime.toISOString(),
      clock,
    );
  }
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides },
    context: {
      Execution: { Id: executionArn, Name: executionName, StartTime: startTime.toISOString(), Input: input as never },
      StateMachine: {
        Id: executionArn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, ''),
        Name: 'StreamMedic',
      },
      // Replaced in each waiting task's payload by a token of its own (see taskHandler).
      Task: { Token: TASK_TOKEN_PLACEHOLDER },
    },
  });
  abort = execution.abort;
  const states: string[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') {
        states.push(event.state.name);
        const original = workflow.definition.States[event.state.name];
        options.onStateEntered?.(event.state.name, original?.Type ?? event.state.type);
      }
    }
  })();
  try {
    const output = await execution.result;
    await collecting;
    return { status: 'SUCCEEDED', executionArn, output, states };
  } catch (error) {
    await collecting;
    if (clock?.timedOut) return { status: 'TIMED_OUT', executionArn, states };
    // ExecutionError carries the state's error as `cause`: a Fail state's or an uncaught task's.
    const failure = (error as { cause?: unknown }).cause ?? error;
    const name = failure instanceof Error ? failure.name : 'Error';
    const cause = failure instanceof Error ? failure.message : String(failure);
    return { status: 'FAILED', executionArn, error: name, cause, states };
  }
}
