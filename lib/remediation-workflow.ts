import { Duration, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { StreamMedicConfig } from '../lambdas/domain/config';
import { INITIAL_PROGRESS, type Disposition } from '../lambdas/domain/run-state';
import type { TimeBudget } from '../lambdas/domain/time-budget';
import { SERVICE_METRICS_NAMESPACE, SERVICE_NAME } from '../lambdas/domain/service-metrics';
import { AWAITING_APPROVAL, modeMayChange } from '../lambdas/domain/vocabulary';
import { APPROVAL_DENIED_ERROR } from '../lambdas/domain/approval';
import { WAIT_FAILED_ERRORS } from '../lambdas/domain/stuck-rollback';
import { TASK_NAMES, type TaskName } from '../lambdas/workflow/task-payloads';
import { errorsRetriedBy, type WorkflowRetrier } from '../lambdas/ports/errors';
import {
  APPROVAL_PARTITION_PREFIX,
  LEDGER_PARTITION_PREFIX,
  FLEET_CHANGE_PARTITION_PREFIX,
  FLEET_CHANGE_SLOT_PARTITION_PREFIX,
  FLEET_SLOT_PARTITION_PREFIX,
  LOCK_PARTITION_PREFIX,
  NOTICE_PARTITION_PREFIX,
  PAUSE_PARTITION_PREFIX,
  TURNED_AWAY_PARTITION_PREFIX,
} from '../lambdas/ports/ledger-table';
import { ENV } from '../lambdas/workflow/env';
import { FIRST_ROUND, STATE_PATHS, failurePaths, type ApplyLoop, type FailureKey } from '../lambdas/workflow/state';
import { bundledCode } from './lambda-code';
import { allowInStatements, grantOnPartition, workflowResourceArns, type ResourceArns } from './workflow-permissions';

/** The state names of the workflow; local runs override Task and Wait states by these names. */
export const STATE_NAMES = {
  intake: 'Intake',
  acquireLock: 'AcquireLock',
  isLockAcquired: 'IsLockAcquired',
  paceFirstRead: 'PaceFirstRead',
  targetBusy: 'TargetBusy',
  assess: 'Assess',
  shouldApply: 'ShouldApply',
  beginSteps: 'BeginSteps',
  applyStep: 'ApplyStep',
  waitForResource: 'WaitForResource',
  checkResource: 'CheckResource',
  isResourceReady: 'IsResourceReady',
  hasMoreSteps: 'HasMoreSteps',
  settle: 'Settle',
  verify: 'Verify',
  anotherRound: 'AnotherRound',
  nextRound: 'NextRound',
  notify: 'Notify',
  releaseLock: 'ReleaseLock',
  howDidItEnd: 'HowDidItEnd',
  remediationFailed: 'RemediationFailed',
  notificationFailed: 'NotificationFailed',
  unlockFailed: 'UnlockFailed',
  done: 'Done',
  requestApproval: 'RequestApproval',
  reassessApproved: 'ReassessApproved',
  expireApproval: 'ExpireApproval',
  rollBackStuckApplication: 'RollBackStuckApplication',
} as const;

export interface RemediationWorkflowProps {
  /** The validated StreamMedic config: targets, modes, bounds and policy. */
  readonly config: StreamMedicConfig;
  /** The ledger table (pk/sk/expiresAt); holds the per-target locks and the action ledger. */
  readonly table: dynamodb.ITable;
  /** The topic on-call subscribes to. */
  readonly topic: sns.ITopic;
  /**
   * The key that encrypts the topic, when it is customer-managed; the notify function may use it.
   * @default - the topic is not encrypted with a customer-managed key
   */
  readonly topicKey?: kms.IKey;
  /**
   * Active X-Ray tracing inside the functions, which are then deployed with the Powertools tracer.
   * The state machine is traced either way.
   * @default false
   */
  readonly lambdaTracing?: boolean;
  /**
   * Time between status checks while a stream reshards or an application restarts.
   * @default Duration.seconds(30)
   */
  readonly pollInterval?: Duration;
  /**
   * Status checks per step before the wait counts as failed (a reshard of many shards, or a Flink
   * restore from a large snapshot, takes several minutes).
   * @default 40
   */
  readonly maxPolls?: number;
  /**
   * Time between the last change and the verifying re-assessment: long enough for new datapoints.
   * @default Duration.minutes(5)
   */
  readonly settleTime?: Duration;
  /**
   * Rounds one run may make. After each verification that does not find the incident resolved, the
   * run goes round again (apply, wait, settle, verify) when the re-assessment has a new bounded plan
   * it may apply: an incident that appears while the run holds the target's lock (whose alarms the
   * lock turns away) is handled by the run that holds it.
   * @default 3
   */
  readonly maxRounds?: number;
  /**
   * Longest a run may take; the lock outlives it by ten minutes, so a run that dies frees its target.
   * @default Duration.hours(2)
   */
  readonly timeout?: Duration;
  /**
   * Retention of the functions' and the state machine's logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/** Memory and timeout per task: assess and verify read a three-hour metric window and run the engine. */
const FUNCTION_SIZES: Readonly<Record<TaskName, { memoryMb: number; timeout: Duration }>> = {
  intake: { memoryMb: 256, timeout: Duration.seconds(15) },
  lock: { memoryMb: 256, timeout: Duration.seconds(15) },
  assess: { memoryMb: 512, timeout: Duration.seconds(60) },
  apply: { memoryMb: 256, timeout: Duration.seconds(30) },
  'wait-check': { memoryMb: 256, timeout: Duration.seconds(15) },
  verify: { memoryMb: 512, timeout: Duration.seconds(60) },
  notify: { memoryMb: 256, timeout: Duration.seconds(15) },
  unlock: { memoryMb: 256, timeout: Duration.seconds(15) },
  approval: { memoryMb: 256, timeout: Duration.seconds(15) },
};

const FUNCTION_DESCRIPTIONS: Readonly<Record<TaskName, string>> = {
  intake: 'StreamMedic: validates the alarm event or manual input',
  lock: 'StreamMedic: takes the per-target lock',
  assess: 'StreamMedic: read-only diagnosis and bounded plan',
  apply: 'StreamMedic: applies one bounded step (the only writer)',
  'wait-check': 'StreamMedic: checks whether the stream is ACTIVE / the application RUNNING',
  verify: 'StreamMedic: read-only re-assessment after the change',
  notify: 'StreamMedic: tells on-call what was seen and done',
  unlock: 'StreamMedic: releases the per-target lock',
  approval: 'StreamMedic: asks on-call to approve a plan (mode approve) and records an unanswered request',
};

interface RetrierBackoff {
  readonly intervalSeconds: number;
  readonly maxAttempts: number;
  readonly maxDelaySeconds: number;
}

/**
 * The backoff of each retrier the error table (lambdas/ports/errors.ts) assigns errors to. Kinesis'
 * rate limits clear within minutes, so `rate-limit` waits longer; a ConcurrentModification retry
 * re-reads the application version, and if it races again, the run reports it.
 */
const RETRIER_BACKOFF: Readonly<Record<WorkflowRetrier, RetrierBackoff>> = {
  transient: { intervalSeconds: 2, maxAttempts: 6, maxDelaySeconds: 60 },
  'rate-limit': { intervalSeconds: 10, maxAttempts: 5, maxDelaySeconds: 120 },
  contested: { intervalSeconds: 5, maxAttempts: 2, maxDelaySeconds: 60 },
};

/** The longest one retrier backs off in all: every attempt's delay at its cap (jitter only shortens them). */
function retrierWorstSeconds(backoff: RetrierBackoff): number {
  let total = 0;
  for (let attempt = 0; attempt < backoff.maxAttempts; attempt++) {
    total += Math.min(backoff.intervalSeconds * 2 ** attempt, backoff.maxDelaySeconds);
  }
  return total;
}

/**
 * The run's time budget (lambdas/domain/time-budget.ts): a step is its call backed off by the slowest
 * retrier and the whole wait for the resource; the end of a run is verify, notify and unlock at their
 * Lambda timeouts, backed off once by the transient retrier.
 */
function timeBudgetOf(options: {
  pollInterval: Duration;
  maxPolls: number;
  settleTime: Duration;
  timeout: Duration;
}): TimeBudget {
  const slowestRetrier = Math.max(...Object.values(RETRIER_BACKOFF).map(retrierWorstSeconds));
  const closing = (['verify', 'notify', 'unlock'] as const).reduce(
    (sum, task) => sum + FUNCTION_SIZES[task].timeout.toSeconds(),
    0,
  );
  return {
    timeoutSeconds: options.timeout.toSeconds(),
    stepSeconds:
      FUNCTION_SIZES.apply.timeout.toSeconds() + slowestRetrier + options.pollInterval.toSeconds() * options.maxPolls,
    settleSeconds: options.settleTime.toSeconds(),
    closeSeconds: closing + retrierWorstSeconds(RETRIER_BACKOFF.transient),
  };
}

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b);
}

/** How long the lock outlives the run's timeout, so a run that dies still frees its target. */
const LOCK_GRACE = Duration.minutes(10);

/** Most rounds a run may be configured to make: each is a change, and a person should look long before this. */
const MAX_ROUNDS = 5;

/**
 * The Step Functions workflow: intake, lock, read-only assessment, then (only in `auto` mode and not
 * a dry run) one bounded step at a time with a bounded wait for ACTIVE / RUNNING after each, a
 * settling wait, verification, a notification on every path, and the lock released on every path.
 */
export class RemediationWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** The function of each task, e.g. for dashboards and alarms on errors. */
  readonly functions: Readonly<Record<TaskName, lambda.Function>>;

  constructor(scope: Construct, id: string, props: RemediationWorkflowProps) {
    super(scope, id);
    const pollInterval = props.pollInterval ?? Duration.seconds(30);
    const maxPolls = props.maxPolls ?? 40;
    const settleTime = props.settleTime ?? Duration.minutes(5);
    const maxRounds = props.maxRounds ?? 3;
    const timeout = props.timeout ?? Duration.hours(2);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    if (!Number.isInteger(maxPolls) || maxPolls < 1) {
      throw new Error(`maxPolls must be a positive integer, got ${maxPolls}`);
    }
    if (!Number.isInteger(maxRounds) || maxRounds < 1 || maxRounds > MAX_ROUNDS) {
      throw new Error(`maxRounds must be an integer from 1 to ${MAX_ROUNDS}, got ${maxRounds}`);
    }
    for (const [prop, duration, least] of [
      ['pollInterval', pollInterval, 1000],
      ['settleTime', settleTime, 0],
    ] as const) {
      const ms = duration.toMilliseconds();
      if (ms < least || ms % 1000 !== 0) {
        throw new Error(`${prop} must be a whole number of seconds${least > 0 ? ', at least one' : ''}, got ${ms} ms`);
      }
    }
    // A target in mode `approve` waits for a decision before its plan is applied.
    const approvalTimeout = props.config.targets.some((t) => t.mode === 'approve')
      ? Duration.minutes(props.config.approvals.timeoutMinutes)
      : undefined;
    const longestWait =
      pollInterval.toSeconds() * maxPolls + settleTime.toSeconds() + (approvalTimeout?.toSeconds() ?? 0);
    if (timeout.toSeconds() <= longestWait) {
      throw new Error(
        `timeout (${timeout.toSeconds()} s) must exceed one step's longest wait plus the settling time${approvalTimeout ? ' and the wait for approval (approvals.timeoutMinutes)' : ''} (${longestWait} s)`,
      );
    }

    const stack = Stack.of(this);
    const targetRegion = props.config.region ?? stack.region;
    const functions = this.createFunctions(props, targetRegion, logRetention);
    this.functions = functions;
    this.grantAccess(props, functions, targetRegion);

    const definition = this.buildDefinition(props.config, functions, {
      pollInterval,
      maxPolls,
      maxRounds,
      settleTime,
      lockTtlSeconds: timeout.plus(LOCK_GRACE).toSeconds(),
      budget: timeBudgetOf({ pollInterval, maxPolls, settleTime, timeout }),
      approvalTimeout: Duration.minutes(props.config.approvals.timeoutMinutes),
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout,
      tracingEnabled: true,
      comment: 'StreamMedic: assess, apply one bounded step at a time, verify, notify',
      logs: {
        destination: new logs.LogGroup(this, 'StateMachineLogs', { retention: logRetention }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: true,
      },
    });
    this.acknowledgeNagFindings(props.config, props.lambdaTracing ?? false);
  }

  private createFunctions(
    props: RemediationWorkflowProps,
    targetRegion: string,
    logRetention: logs.RetentionDays,
  ): Record<TaskName, lambda.Function> {
    const functions = {} as Record<TaskName, lambda.Function>;
    const tracing = props.lambdaTracing ?? false;
    for (const task of TASK_NAMES) {
      const environment: Record<string, string> = {
        [ENV.task]: task,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: SERVICE_METRICS_NAMESPACE,
      };
      if (['lock', 'unlock', 'assess', 'apply', 'verify', 'notify', 'approval'].includes(task)) {
        environment[ENV.tableName] = props.table.tableName;
      }
      if (['assess', 'apply', 'wait-check', 'verify'].includes(task)) environment[ENV.targetRegion] = targetRegion;
      if (task === 'notify' || task === 'approval') environment[ENV.topicArn] = props.topic.topicArn;
      const id = pascalCase(task);
      const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention: logRetention });
      // Its own role, allowed to write only its own log group (no managed policy with logs:* on every group).
      const role = new iam.Role(this, `${id}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `${FUNCTION_DESCRIPTIONS[task]} (function role)`,
      });
      logGroup.grantWrite(role);
      functions[task] = new lambda.Function(this, `${id}Function`, {
        ...bundledCode(task, tracing),
        description: FUNCTION_DESCRIPTIONS[task],
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: FUNCTION_SIZES[task].memoryMb,
        timeout: FUNCTION_SIZES[task].timeout,
        tracing: tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
        environment,
        logGroup,
        role,
      });
    }
    return functions;
  }

  /**
   * Least privilege per task (docs/iam.md lists every grant and the AWS page it rests on): only
   * `apply` may change a stream or an application, and only those of `auto` targets; only `lock` and
   * `unlock` touch lock items, and only `apply` and `assess` (settling a change whose result a dead run
   * left unrecorded) write ledger items; `lock` records turned-away runs and `notify` keeps the last
   * notice, each under a key prefix of its own.
   */
  private grantAccess(
    props: RemediationWorkflowProps,
    functions: Record<TaskName, lambda.Function>,
    targetRegion: string,
  ): void {
    const resources = workflowResourceArns(Stack.of(this), props.config, targetRegion);
    const allow = (
      fn: lambda.IFunction,
      actions: string[],
      arns: readonly string[],
      conditions?: ResourceArns['conditions'],
    ): void => allowInStatements(fn, actions, arns, props.config, conditions);
    const { streams, applications } = resources;

    for (const task of ['assess', 'verify'] as const) {
      // Neither supports resource-level permissions for metrics (Service Authorization Reference, CloudWatch).
      allow(functions[task], ['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics'], ['*']);
      allow(functions[task], ['kinesis:DescribeStreamSummary'], streams.all, streams.conditions);
      allow(functions[task], ['kinesisanalytics:DescribeApplication'], applications.all, applications.conditions);
    }
    // apply and wait-check only ever act on what an `auto` target may change.
    for (const task of ['apply', 'wait-check'] as const) {
      allow(functions[task], ['kinesis:DescribeStreamSummary'], streams.auto, streams.conditions);
      allow(functions[task], ['kinesisanalytics:DescribeApplication'], applications.auto, applications.conditions);
    }
    if (resources.streams.auto.length > 0) {
      // UpdateShardCount supports no resource-level permissions: a grant on stream ARNs never matches
      // and every reshard would be denied. The apply step refuses any stream that is not its `auto`
      // target's own (lambdas/domain/apply-scope.ts), which is the guard IAM cannot be here.
      allow(functions.apply, ['kinesis:UpdateShardCount'], ['*']);
    }
    allow(functions.apply, ['kinesis:IncreaseStreamRetentionPeriod'], streams.auto, streams.conditions);
    // RollbackApplication reverts a parallelism change after which the job failed (domain/revert.ts).
    allow(
      functions.apply,
      ['kinesisanalytics:UpdateApplication', 'kinesisanalytics:RollbackApplication'],
      applications.auto,
      applications.conditions,
    );

    const tableAccess: ReadonlyArray<[TaskName, string[], string, boolean]> = [
      // assess settles a change whose result a dead run left unrecorded (lambdas/workflow/reconcile-intents.ts).
      ['assess', ['dynamodb:Query', 'dynamodb:PutItem'], LEDGER_PARTITION_PREFIX, true],
      ['verify', ['dynamodb:Query'], LEDGER_PARTITION_PREFIX, false],
      // The kill switch: read on every assessment, set only by the operators' policy (operator-policy.ts).
      ['assess', ['dynamodb:GetItem'], PAUSE_PARTITION_PREFIX, false],
      ['verify', ['dynamodb:GetItem'], PAUSE_PARTITION_PREFIX, false],
      // Opens a request with its task token and records a timeout; only the operators decide.
      ['approval', ['dynamodb:PutItem', 'dynamodb:DeleteItem'], APPROVAL_PARTITION_PREFIX, true],
      ['apply', ['dynamodb:Query', 'dynamodb:PutItem'], LEDGER_PARTITION_PREFIX, true],
      // notify reads whether a failed run left a change it requested unrecorded.
      ['notify', ['dynamodb:Query'], LEDGER_PARTITION_PREFIX, false],
      // GetItem: a run turned away records who held the target.
      ['lock', ['dynamodb:PutItem', 'dynamodb:GetItem'], LOCK_PARTITION_PREFIX, true],
      ['lock', ['dynamodb:PutItem'], TURNED_AWAY_PARTITION_PREFIX, true],
      // Query: one strongly consistent read of every slot finds a free one (dynamodb-fleet-slots.ts).
      ['lock', ['dynamodb:Query', 'dynamodb:PutItem'], FLEET_SLOT_PARTITION_PREFIX, true],
      ['notify', ['dynamodb:GetItem', 'dynamodb:PutItem'], NOTICE_PARTITION_PREFIX, true],
      ['unlock', ['dynamodb:DeleteItem'], LOCK_PARTITION_PREFIX, true],
      ['unlock', ['dynamodb:Query', 'dynamodb:DeleteItem'], FLEET_SLOT_PARTITION_PREFIX, true],
      // The fleet's changes per hour (fleet.maxChangesPerHour): apply records each change, the planners count them.
      ['apply', ['dynamodb:PutItem'], FLEET_CHANGE_PARTITION_PREFIX, true],
      // Query: one strongly consistent read of the change slots finds a free one; PutItem takes it on condition.
      ['apply', ['dynamodb:Query', 'dynamodb:PutItem'], FLEET_CHANGE_SLOT_PARTITION_PREFIX, true],
      ['assess', ['dynamodb:Query'], FLEET_CHANGE_PARTITION_PREFIX, false],
      ['verify', ['dynamodb:Query'], FLEET_CHANGE_PARTITION_PREFIX, false],
    ];
    for (const [task, actions, partitionPrefix, writes] of tableAccess) {
      grantOnPartition(functions[task], props.table, actions, partitionPrefix);
      props.table.encryptionKey?.grant(
        functions[task],
        'kms:Decrypt',
        'kms:DescribeKey',
        ...(writes ? ['kms:Encrypt', 'kms:GenerateDataKey'] : []),
      );
    }
    for (const task of ['notify', 'approval'] as const) {
      props.topic.grantPublish(functions[task]);
      props.topicKey?.grant(functions[task], 'kms:Decrypt', 'kms:GenerateDataKey');
    }
  }

  private buildDefinition(
    config: StreamMedicConfig,
    functions: Record<TaskName, lambda.IFunction>,
    options: {
      pollInterval: Duration;
      maxPolls: number;
      maxRounds: number;
      settleTime: Duration;
      lockTtlSeconds: number;
      budget: TimeBudget;
      approvalTimeout: Duration;
    },
  ): sfn.IChainable {
    const invoke = (
      stateName: string,
      task: TaskName,
      payload: sfn.TaskInput | undefined,
      extra: Partial<tasks.LambdaInvokeProps> = {},
    ): tasks.LambdaInvoke =>
      new tasks.LambdaInvoke(this, stateName, {
        stateName,
        lambdaFunction: functions[task],
        ...(payload ? { payload } : {}),
        payloadResponseOnly: true,
        ...extra,
      });
    const paths = STATE_PATHS;
    const run = sfn.JsonPath.objectAt(paths.run);

    const intake = invoke(
      STATE_NAMES.intake,
      'intake',
      sfn.TaskInput.fromObject({
        input: sfn.JsonPath.entirePayload,
        executionId: sfn.JsonPath.executionId,
        startedAt: sfn.JsonPath.executionStartTime,
        // The config travels in the definition: Lambda environments are capped at 4 KB.
        config: embeddedConfig(config),
      }),
      // `round` counts the run's rounds, `rounds` holds the finished ones when it goes round again.
      { resultSelector: { run: sfn.JsonPath.entirePayload, round: FIRST_ROUND, rounds: [] } },
    );
    const acquireLock = invoke(
      STATE_NAMES.acquireLock,
      'lock',
      sfn.TaskInput.fromObject({
        run,
        ttlSeconds: options.lockTtlSeconds,
        fleetSlots: config.fleet.maxConcurrentRuns,
        // The status checks and the settling wait are whole multiples of it, so a paced run's later
        // calls keep to its slot's seconds as its first read does.
        paceCycleSeconds: greatestCommonDivisor(options.pollInterval.toSeconds(), options.settleTime.toSeconds()),
      }),
      { resultPath: paths.lock },
    );
    // The fleet's runs that start together spread their reads over the seconds their slots own.
    const paceFirstRead = new sfn.Wait(this, STATE_NAMES.paceFirstRead, {
      stateName: STATE_NAMES.paceFirstRead,
      time: sfn.WaitTime.secondsPath(paths.lockPaceSeconds),
    });
    const assess = invoke(
      STATE_NAMES.assess,
      'assess',
      sfn.TaskInput.fromObject({ run, maxChangesPerHour: config.fleet.maxChangesPerHour }),
      { resultPath: paths.assessment },
    );
    const beginSteps = new sfn.Pass(this, STATE_NAMES.beginSteps, {
      stateName: STATE_NAMES.beginSteps,
      result: sfn.Result.fromObject({ progress: INITIAL_PROGRESS } satisfies ApplyLoop),
      resultPath: paths.apply,
    });
    const applyStep = invoke(
      STATE_NAMES.applyStep,
      'apply',
      sfn.TaskInput.fromObject({
        run,
        steps: sfn.JsonPath.objectAt(paths.steps),
        progress: sfn.JsonPath.objectAt(paths.progress),
        budget: options.budget,
        maxChangesPerHour: config.fleet.maxChangesPerHour,
        round: sfn.JsonPath.numberAt(paths.round),
      }),
      { resultPath: paths.apply },
    );
    const wait = (stateName: string, duration: Duration): sfn.Wait =>
      new sfn.Wait(this, stateName, { stateName, time: sfn.WaitTime.duration(duration) });
    const waitForResource = wait(STATE_NAMES.waitForResource, options.pollInterval);
    const checkResource = invoke(
      STATE_NAMES.checkResource,
      'wait-check',
      sfn.TaskInput.fromObject({ wait: sfn.JsonPath.objectAt(paths.wait), maxPolls: options.maxPolls }),
      { resultPath: paths.wait },
    );
    const settle = wait(STATE_NAMES.settle, options.settleTime);
    const verify = invoke(
      STATE_NAMES.verify,
      'verify',
      sfn.TaskInput.fromObject({
        run,
        assessment: sfn.JsonPath.objectAt(paths.assessment),
        progress: sfn.JsonPath.objectAt(paths.progress),
        round: sfn.JsonPath.numberAt(paths.round),
        rounds: sfn.JsonPath.listAt(paths.rounds),
        maxRounds: options.maxRounds,
        budget: options.budget,
        maxChangesPerHour: config.fleet.maxChangesPerHour,
      }),
      { resultPath: paths.verification },
    );
    // The next round starts from the verify task's proposal; the state is rebuilt so nothing of the
    // finished round (its apply loop, its verification) leaks into the next one.
    const nextRound = new sfn.Pass(this, STATE_NAMES.nextRound, {
      stateName: STATE_NAMES.nextRound,
      parameters: {
        run,
        lock: sfn.JsonPath.objectAt(paths.lock),
        round: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt(paths.round), 1),
        rounds: sfn.JsonPath.listAt(paths.nextRoundRounds),
        assessment: sfn.JsonPath.objectAt(paths.nextRoundAssessment),
      },
    });
    // No payload: the function gets the whole state, which is what the message is made from.
    const notify = invoke(STATE_NAMES.notify, 'notify', undefined, { resultPath: paths.notification });
    const releaseLock = invoke(STATE_NAMES.releaseLock, 'unlock', sfn.TaskInput.fromObject({ run }), {
      resultPath: sfn.JsonPath.DISCARD,
    });
    // Mode `approve`: ask on-call and wait for the decision (the task token comes back with it); an
    // approval is re-assessed and applied only if the plan is unchanged, else it asks again.
    const requestApproval = new tasks.LambdaInvoke(this, STATE_NAMES.requestApproval, {
      stateName: STATE_NAMES.requestApproval,
      lambdaFunction: functions.approval,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        action: 'request',
        taskToken: sfn.JsonPath.taskToken,
        run,
        assessment: sfn.JsonPath.objectAt(paths.assessment),
        timeoutSeconds: options.approvalTimeout.toSeconds(),
      }),
      taskTimeout: sfn.Timeout.duration(options.approvalTimeout),
      resultPath: paths.approval,
    });
    const reassessApproved = invoke(
      STATE_NAMES.reassessApproved,
      'assess',
      sfn.TaskInput.fromObject({
        run,
        approved: { steps: sfn.JsonPath.listAt(paths.steps), decision: sfn.JsonPath.objectAt(paths.approval) },
        maxChangesPerHour: config.fleet.maxChangesPerHour,
      }),
      { resultPath: paths.assessment },
    );
    const expireApproval = invoke(
      STATE_NAMES.expireApproval,
      'approval',
      sfn.TaskInput.fromObject({ action: 'expire', run, refusal: sfn.JsonPath.objectAt(paths.approvalRefusal) }),
      { resultPath: sfn.JsonPath.DISCARD },
    );
    requestApproval.addCatch(expireApproval, {
      errors: [APPROVAL_DENIED_ERROR, sfn.Errors.TIMEOUT],
      resultPath: paths.approvalRefusal,
    });
    // An application that does not come back after its update is rolled back (once, with snapshots)
    // by the apply function, the only writer, before on-call is told of the failed wait.
    const rollBackStuckApplication = invoke(
      STATE_NAMES.rollBackStuckApplication,
      'apply',
      sfn.TaskInput.fromObject({
        run,
        steps: sfn.JsonPath.objectAt(paths.steps),
        progress: sfn.JsonPath.objectAt(paths.progress),
        stuckWait: sfn.JsonPath.objectAt(paths.wait),
      }),
      { resultPath: paths.stuckRollback },
    );
    checkResource.addCatch(rollBackStuckApplication, { errors: [...WAIT_FAILED_ERRORS], resultPath: paths.failure });
    const howDidItEnd = new sfn.Choice(this, STATE_NAMES.howDidItEnd, { stateName: STATE_NAMES.howDidItEnd });
    const failWith = (stateName: string, key: FailureKey, comment: string): sfn.Fail =>
      new sfn.Fail(this, stateName, {
        stateName,
        comment,
        errorPath: sfn.JsonPath.stringAt(failurePaths(key).error),
        causePath: sfn.JsonPath.stringAt(failurePaths(key).cause),
      });

    for (const task of [
      acquireLock,
      assess,
      applyStep,
      checkResource,
      verify,
      notify,
      releaseLock,
      requestApproval,
      reassessApproved,
      expireApproval,
      rollBackStuckApplication,
    ]) {
      for (const [retrier, backoff] of Object.entries(RETRIER_BACKOFF) as [WorkflowRetrier, RetrierBackoff][]) {
        task.addRetry({
          errors: errorsRetriedBy(retrier),
          interval: Duration.seconds(backoff.intervalSeconds),
          backoffRate: 2,
          maxAttempts: backoff.maxAttempts,
          maxDelay: Duration.seconds(backoff.maxDelaySeconds),
          // Full jitter, so that runs of several targets do not retry in step.
          jitterStrategy: sfn.JitterType.FULL,
        });
      }
    }
    // Once the lock may be held, every failure is told and the lock released before the run ends.
    for (const task of [
      acquireLock,
      assess,
      applyStep,
      checkResource,
      verify,
      requestApproval,
      reassessApproved,
      expireApproval,
    ]) {
      task.addCatch(notify, { errors: [sfn.Errors.ALL], resultPath: paths.failure });
    }
    // The wait's failure is already in the state; the message shows an intent this step left open.
    rollBackStuckApplication.addCatch(notify, { errors: [sfn.Errors.ALL], resultPath: sfn.JsonPath.DISCARD });
    notify.addCatch(releaseLock, { errors: [sfn.Errors.ALL], resultPath: paths.notifyFailure });
    releaseLock.addCatch(howDidItEnd, { errors: [sfn.Errors.ALL], resultPath: paths.unlockFailure });

    const hasMoreSteps = new sfn.Choice(this, STATE_NAMES.hasMoreSteps, { stateName: STATE_NAMES.hasMoreSteps })
      .when(sfn.Condition.booleanEquals(paths.moreSteps, true), applyStep)
      .otherwise(settle);
    const isResourceReady = new sfn.Choice(this, STATE_NAMES.isResourceReady, {
      stateName: STATE_NAMES.isResourceReady,
    })
      .when(sfn.Condition.booleanEquals(paths.resourceReady, true), hasMoreSteps)
      .otherwise(waitForResource);

    // A step followed by one on another resource is ready at once: the next call does not wait behind it.
    applyStep.next(isResourceReady);
    waitForResource.next(checkResource);
    checkResource.next(isResourceReady);
    const anotherRound = new sfn.Choice(this, STATE_NAMES.anotherRound, { stateName: STATE_NAMES.anotherRound })
      .when(
        sfn.Condition.and(
          sfn.Condition.isPresent(paths.nextRound),
          // The verify task keeps within the bound; the state machine, which counts the rounds, holds it too.
          // A revert undoes the round's own change, so the bound does not keep it; a run reverts at most once.
          sfn.Condition.or(
            sfn.Condition.numberLessThan(paths.round, options.maxRounds),
            sfn.Condition.isPresent(paths.nextRoundRevert),
          ),
        ),
        nextRound.next(beginSteps),
      )
      .otherwise(notify);
    settle.next(verify);
    verify.next(anotherRound);
    notify.next(releaseLock);
    releaseLock.next(howDidItEnd);
    howDidItEnd
      .when(
        sfn.Condition.isPresent(paths.failure),
        failWith(STATE_NAMES.remediationFailed, 'failure', 'A task failed; on-call was told and the lock released.'),
      )
      .when(
        sfn.Condition.isPresent(paths.notifyFailure),
        failWith(STATE_NAMES.notificationFailed, 'notifyFailure', 'The notification could not be sent.'),
      )
      .when(
        sfn.Condition.isPresent(paths.unlockFailure),
        failWith(STATE_NAMES.unlockFailed, 'unlockFailure', 'The lock could not be released; it expires by itself.'),
      )
      .otherwise(new sfn.Succeed(this, STATE_NAMES.done, { stateName: STATE_NAMES.done }));

    const shouldApply = new sfn.Choice(this, STATE_NAMES.shouldApply, { stateName: STATE_NAMES.shouldApply })
      .when(sfn.Condition.stringEquals(paths.disposition, 'apply' satisfies Disposition), beginSteps.next(applyStep))
      .when(sfn.Condition.stringEquals(paths.disposition, AWAITING_APPROVAL satisfies Disposition), requestApproval)
      .otherwise(notify);
    requestApproval.next(reassessApproved);
    reassessApproved.next(shouldApply);
    expireApproval.next(notify);
    rollBackStuckApplication.next(notify);
    const isLockAcquired = new sfn.Choice(this, STATE_NAMES.isLockAcquired, { stateName: STATE_NAMES.isLockAcquired })
      .when(sfn.Condition.booleanEquals(paths.lockAcquired, true), paceFirstRead.next(assess.next(shouldApply)))
      .otherwise(
        new sfn.Succeed(this, STATE_NAMES.targetBusy, {
          stateName: STATE_NAMES.targetBusy,
          comment: 'Another run holds this target; the lock task logged the alarm that was set aside.',
        }),
      );
    return intake.next(acquireLock).next(isLockAcquired);
  }

  /**
   * Acknowledges the AwsSolutions findings this construct cannot avoid, each on the resource it
   * concerns and with its reason, so a new finding anywhere else still fails synthesis. The
   * `Resource::*` finding covers every action a role holds on `*`, so its reason names each of them
   * ({@link wildcardResourceActions}); a test holds the names to the synthesized policies.
   */
  private acknowledgeNagFindings(config: StreamMedicConfig, tracing: boolean): void {
    for (const [task, fn] of Object.entries(this.functions) as [TaskName, lambda.Function][]) {
      const grants = wildcardResourceActions(task, config, { lambdaTracing: tracing });
      if (grants.length > 0) {
        Validations.of(fn.role!).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: wildcardReason(grants) });
      }
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions-L1',
        reason: 'Node.js 22 is the runtime the bundles are built for and tested on (target node22).',
      });
    }
    for (const task of ['notify', 'approval'] as const) {
      Validations.of(this.functions[task].role!).acknowledge({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          "Silences kms:GenerateDataKey* only, on the topic's customer-managed key alone: Topic.grantPublish grants it so the function can publish to the encrypted topic.",
      });
    }
    const role = this.stateMachine.role;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: wildcardReason(wildcardResourceActions('stateMachine', config)),
    });
    for (const fn of Object.values(this.functions)) {
      const logicalId = Stack.of(this).getLogicalId(fn.node.defaultChild as CfnElement);
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        reason:
          'Silences lambda:InvokeFunction on `<arn>:*` of this one task function: Step Functions may invoke any version or alias of it (CDK grants `<arn>:*`).',
      });
    }
  }
}

/** A role whose `*` grants are acknowledged: a task function's role, or the state machine's. */
export type WildcardHolder = TaskName | 'stateMachine';

export interface WildcardGrant {
  readonly actions: readonly string[];
  /** Why the action cannot be scoped to a resource. */
  readonly why: string;
}

const LAMBDA_TRACING: WildcardGrant = {
  actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
  why: 'Lambda active tracing sends segments to X-Ray; these X-Ray actions support no resource-level permissions.',
};

/**
 * Every action each role holds on `Resource: "*"`, and why: what its `AwsSolutions-IAM5[Resource::*]`
 * acknowledgement silences. The config decides whether the apply role holds UpdateShardCount; a
 * function holds the X-Ray actions only when Lambda tracing is on (the state machine always traces).
 */
export function wildcardResourceActions(
  holder: WildcardHolder,
  config: StreamMedicConfig,
  options: { readonly lambdaTracing?: boolean } = {},
): WildcardGrant[] {
  const tracing = options.lambdaTracing === true ? [LAMBDA_TRACING] : [];
  switch (holder) {
    case 'assess':
    case 'verify':
      return [
        ...tracing,
        {
          actions: ['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics'],
          why: "Reading the targets' metrics: these CloudWatch actions support no resource-level permissions for metrics.",
        },
      ];
    case 'apply':
      return config.targets.some((t) => modeMayChange(t.mode) && t.stream)
        ? [
            ...tracing,
            {
              actions: ['kinesis:UpdateShardCount'],
              why:
                'UpdateShardCount supports no resource-level permissions (a grant on stream ARNs never matches); ' +
                "the apply step refuses any stream but its auto target's own, in code.",
            },
          ]
        : tracing;
    case 'stateMachine':
      return [
        {
          actions: [
            'xray:PutTraceSegments',
            'xray:PutTelemetryRecords',
            'xray:GetSamplingRules',
            'xray:GetSamplingTargets',
          ],
          why: 'State machine tracing; these X-Ray actions support no resource-level permissions.',
        },
        {
          actions: [
            'logs:CreateLogDelivery',
            'logs:GetLogDelivery',
            'logs:UpdateLogDelivery',
            'logs:DeleteLogDelivery',
            'logs:ListLogDeliveries',
            'logs:PutResourcePolicy',
            'logs:DescribeResourcePolicies',
            'logs:DescribeLogGroups',
          ],
          why:
            'Step Functions needs them to deliver execution logs to its log group (vended log delivery); ' +
            'none of them supports resource-level permissions.',
        },
      ];
    default:
      return tracing;
  }
}

function wildcardReason(grants: readonly WildcardGrant[]): string {
  return `Silences exactly these actions on "*": ${grants.map((g) => `${g.actions.join(', ')} (${g.why})`).join('; ')}`;
}

/** The config as the intake task reads it; notification addresses stay out of the definition. */
export function embeddedConfig(config: StreamMedicConfig): Record<string, unknown> {
  const { notifications: _notifications, ...rest } = config;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

function pascalCase(task: string): string {
  return task.replace(/(^|-)([a-z])/g, (_match, _dash: string, letter: string) => letter.toUpperCase());
}
