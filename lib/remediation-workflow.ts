import { ArnFormat, Duration, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { StreamMedicConfig } from '../lambdas/domain/config';
import { INITIAL_PROGRESS } from '../lambdas/domain/execution';
import { SERVICE_METRICS_NAMESPACE, SERVICE_NAME } from '../lambdas/domain/service-metrics';
import { STEP_IDS, type StepId } from '../lambdas/handlers/contracts';
import { ENV } from '../lambdas/handlers/env';
import { BUNDLE_FILE, lambdaBundleDir, type LambdaVariant } from './lambda-bundling';

/** The state names of the workflow; local runs override Task and Wait states by these names. */
export const STATE_NAMES = {
  intake: 'Intake',
  acquireLock: 'AcquireLock',
  isLockAcquired: 'IsLockAcquired',
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
} as const;

/** Errors a step may meet because AWS or the resource is busy right now: retried with backoff. */
export const TRANSIENT_ERRORS = ['ThrottlingError', 'ResourceInUseError', 'ServiceUnavailableError'] as const;

/**
 * Kinesis answers LimitExceededException both for its daily reshard quota and for control-plane rate
 * limits (too many UpdateShardCount calls, or stream operations at once, in the account). The rate
 * limits clear within minutes, so this is retried longer, with full jitter so that runs of several
 * targets do not retry in step; the daily quota does not clear, and the failure is reported after.
 */
export const LIMIT_ERRORS = ['LimitExceededError'] as const;

/** A ConcurrentModification retry re-reads the application version; if it races again, the run reports it. */
export const CONTESTED_ERRORS = ['ConcurrentModificationError'] as const;

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

/** Memory and timeout per step: assess and verify read a three-hour metric window and run the engine. */
const FUNCTION_SIZES: Readonly<Record<StepId, { memoryMb: number; timeout: Duration }>> = {
  intake: { memoryMb: 256, timeout: Duration.seconds(15) },
  lock: { memoryMb: 256, timeout: Duration.seconds(15) },
  assess: { memoryMb: 512, timeout: Duration.seconds(60) },
  apply: { memoryMb: 256, timeout: Duration.seconds(30) },
  'wait-check': { memoryMb: 256, timeout: Duration.seconds(15) },
  verify: { memoryMb: 512, timeout: Duration.seconds(60) },
  notify: { memoryMb: 256, timeout: Duration.seconds(15) },
  unlock: { memoryMb: 256, timeout: Duration.seconds(15) },
};

const FUNCTION_DESCRIPTIONS: Readonly<Record<StepId, string>> = {
  intake: 'StreamMedic: validates the alarm event or manual input',
  lock: 'StreamMedic: takes the per-target lock',
  assess: 'StreamMedic: read-only diagnosis and bounded plan',
  apply: 'StreamMedic: applies one bounded step (the only writer)',
  'wait-check': 'StreamMedic: checks whether the stream is ACTIVE / the application RUNNING',
  verify: 'StreamMedic: read-only re-assessment after the change',
  notify: 'StreamMedic: tells on-call what was seen and done',
  unlock: 'StreamMedic: releases the per-target lock',
};

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
  /** The function of each step, e.g. for dashboards and alarms on errors. */
  readonly functions: Readonly<Record<StepId, lambda.Function>>;

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
    const longestWait = pollInterval.toSeconds() * maxPolls + settleTime.toSeconds();
    if (timeout.toSeconds() <= longestWait) {
      throw new Error(
        `timeout (${timeout.toSeconds()} s) must exceed one step's longest wait plus the settling time (${longestWait} s)`,
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
    this.acknowledgeNagFindings();
  }

  private createFunctions(
    props: RemediationWorkflowProps,
    targetRegion: string,
    logRetention: logs.RetentionDays,
  ): Record<StepId, lambda.Function> {
    const functions = {} as Record<StepId, lambda.Function>;
    const tracing = props.lambdaTracing ?? false;
    for (const step of STEP_IDS) {
      const environment: Record<string, string> = {
        [ENV.step]: step,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: SERVICE_METRICS_NAMESPACE,
      };
      if (['lock', 'unlock', 'assess', 'apply', 'verify'].includes(step)) {
        environment[ENV.tableName] = props.table.tableName;
      }
      if (['assess', 'apply', 'wait-check', 'verify'].includes(step)) environment[ENV.targetRegion] = targetRegion;
      if (step === 'notify') environment[ENV.topicArn] = props.topic.topicArn;
      const id = pascalCase(step);
      const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention: logRetention });
      // Its own role, allowed to write only its own log group (no managed policy with logs:* on every group).
      const role = new iam.Role(this, `${id}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `${FUNCTION_DESCRIPTIONS[step]} (function role)`,
      });
      logGroup.grantWrite(role);
      functions[step] = new lambda.Function(this, `${id}Function`, {
        code: bundledCode(step, tracing ? 'traced' : 'untraced'),
        handler: `${path.basename(BUNDLE_FILE, '.js')}.handler`,
        description: FUNCTION_DESCRIPTIONS[step],
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: FUNCTION_SIZES[step].memoryMb,
        timeout: FUNCTION_SIZES[step].timeout,
        tracing: tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
        environment,
        logGroup,
        role,
      });
    }
    return functions;
  }

  /** Least privilege per step: only `apply` may change a stream or an application, and only the configured ones. */
  private grantAccess(
    props: RemediationWorkflowProps,
    functions: Record<StepId, lambda.Function>,
    targetRegion: string,
  ): void {
    const stack = Stack.of(this);
    const arn = (service: string, resource: string, name: string): string =>
      stack.formatArn({
        service,
        resource,
        resourceName: name,
        region: targetRegion,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    const streamArns = props.config.targets.flatMap((t) => (t.stream ? [arn('kinesis', 'stream', t.stream.name)] : []));
    const appArns = props.config.targets.flatMap((t) =>
      t.application ? [arn('kinesisanalytics', 'application', t.application.name)] : [],
    );
    const allow = (fn: lambda.IFunction, actions: string[], resources: string[]): void => {
      if (resources.length > 0) fn.addToRolePolicy(new iam.PolicyStatement({ actions, resources }));
    };

    for (const step of ['assess', 'verify'] as const) {
      // GetMetricData has no resource-level permissions.
      allow(functions[step], ['cloudwatch:GetMetricData'], ['*']);
    }
    for (const step of ['assess', 'verify', 'apply', 'wait-check'] as const) {
      allow(functions[step], ['kinesis:DescribeStreamSummary'], streamArns);
      allow(functions[step], ['kinesisanalytics:DescribeApplication'], appArns);
    }
    allow(functions.apply, ['kinesis:UpdateShardCount', 'kinesis:IncreaseStreamRetentionPeriod'], streamArns);
    allow(functions.apply, ['kinesisanalytics:UpdateApplication'], appArns);

    const tableAccess: ReadonlyArray<[StepId, string[], boolean]> = [
      ['assess', ['dynamodb:Query'], false],
      ['verify', ['dynamodb:Query'], false],
      ['apply', ['dynamodb:Query', 'dynamodb:PutItem'], true],
      ['lock', ['dynamodb:PutItem'], true],
      ['unlock', ['dynamodb:DeleteItem'], true],
    ];
    for (const [step, actions, writes] of tableAccess) {
      props.table.grant(functions[step], ...actions);
      props.table.encryptionKey?.grant(
        functions[step],
        'kms:Decrypt',
        'kms:DescribeKey',
        ...(writes ? ['kms:Encrypt', 'kms:GenerateDataKey'] : []),
      );
    }
    props.topic.grantPublish(functions.notify);
    props.topicKey?.grant(functions.notify, 'kms:Decrypt', 'kms:GenerateDataKey');
  }

  private buildDefinition(
    config: StreamMedicConfig,
    functions: Record<StepId, lambda.IFunction>,
    options: {
      pollInterval: Duration;
      maxPolls: number;
      maxRounds: number;
      settleTime: Duration;
      lockTtlSeconds: number;
    },
  ): sfn.IChainable {
    const invoke = (
      stateName: string,
      step: StepId,
      payload: sfn.TaskInput | undefined,
      extra: Partial<tasks.LambdaInvokeProps> = {},
    ): tasks.LambdaInvoke =>
      new tasks.LambdaInvoke(this, stateName, {
        stateName,
        lambdaFunction: functions[step],
        ...(payload ? { payload } : {}),
        payloadResponseOnly: true,
        ...extra,
      });
    const run = sfn.JsonPath.objectAt('$.run');

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
      { resultSelector: { run: sfn.JsonPath.entirePayload, round: 1, rounds: [] } },
    );
    const acquireLock = invoke(
      STATE_NAMES.acquireLock,
      'lock',
      sfn.TaskInput.fromObject({ run, ttlSeconds: options.lockTtlSeconds }),
      { resultPath: '$.lock' },
    );
    const assess = invoke(STATE_NAMES.assess, 'assess', sfn.TaskInput.fromObject({ run }), {
      resultPath: '$.assessment',
    });
    const beginSteps = new sfn.Pass(this, STATE_NAMES.beginSteps, {
      stateName: STATE_NAMES.beginSteps,
      result: sfn.Result.fromObject(INITIAL_PROGRESS),
      resultPath: '$.progress',
    });
    const applyStep = invoke(
      STATE_NAMES.applyStep,
      'apply',
      sfn.TaskInput.fromObject({
        run,
        steps: sfn.JsonPath.objectAt('$.assessment.steps'),
        progress: sfn.JsonPath.objectAt('$.progress'),
      }),
      { resultPath: '$.progress' },
    );
    const waitForResource = new sfn.Wait(this, STATE_NAMES.waitForResource, {
      stateName: STATE_NAMES.waitForResource,
      time: sfn.WaitTime.duration(options.pollInterval),
    });
    const checkResource = invoke(
      STATE_NAMES.checkResource,
      'wait-check',
      sfn.TaskInput.fromObject({ progress: sfn.JsonPath.objectAt('$.progress'), maxPolls: options.maxPolls }),
      { resultPath: '$.progress' },
    );
    const settle = new sfn.Wait(this, STATE_NAMES.settle, {
      stateName: STATE_NAMES.settle,
      time: sfn.WaitTime.duration(options.settleTime),
    });
    const verify = invoke(
      STATE_NAMES.verify,
      'verify',
      sfn.TaskInput.fromObject({
        run,
        assessment: sfn.JsonPath.objectAt('$.assessment'),
        progress: sfn.JsonPath.objectAt('$.progress'),
        rounds: sfn.JsonPath.listAt('$.rounds'),
        maxRounds: options.maxRounds,
      }),
      { resultPath: '$.verification' },
    );
    // The next round starts from the verify step's proposal; the state is rebuilt so nothing of the
    // finished round (its progress, its verification) leaks into the next one.
    const nextRound = new sfn.Pass(this, STATE_NAMES.nextRound, {
      stateName: STATE_NAMES.nextRound,
      parameters: {
        run,
        lock: sfn.JsonPath.objectAt('$.lock'),
        round: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.round'), 1),
        rounds: sfn.JsonPath.listAt('$.verification.next.rounds'),
        assessment: sfn.JsonPath.objectAt('$.verification.next.assessment'),
      },
    });
    // No payload: the function gets the whole state, which is what the message is made from.
    const notify = invoke(STATE_NAMES.notify, 'notify', undefined, { resultPath: '$.notification' });
    const releaseLock = invoke(STATE_NAMES.releaseLock, 'unlock', sfn.TaskInput.fromObject({ run }), {
      resultPath: sfn.JsonPath.DISCARD,
    });
    const howDidItEnd = new sfn.Choice(this, STATE_NAMES.howDidItEnd, { stateName: STATE_NAMES.howDidItEnd });
    const failWith = (stateName: string, path: string, comment: string): sfn.Fail =>
      new sfn.Fail(this, stateName, {
        stateName,
        comment,
        errorPath: sfn.JsonPath.stringAt(`${path}.Error`),
        causePath: sfn.JsonPath.stringAt(`${path}.Cause`),
      });

    for (const task of [acquireLock, assess, applyStep, checkResource, verify, notify, releaseLock]) {
      task.addRetry({
        errors: [...TRANSIENT_ERRORS],
        interval: Duration.seconds(2),
        backoffRate: 2,
        maxAttempts: 6,
        maxDelay: Duration.seconds(60),
        jitterStrategy: sfn.JitterType.FULL,
      });
      task.addRetry({
        errors: [...LIMIT_ERRORS],
        interval: Duration.seconds(10),
        backoffRate: 2,
        maxAttempts: 5,
        maxDelay: Duration.seconds(120),
        jitterStrategy: sfn.JitterType.FULL,
      });
      task.addRetry({
        errors: [...CONTESTED_ERRORS],
        interval: Duration.seconds(5),
        backoffRate: 2,
        maxAttempts: 2,
        maxDelay: Duration.seconds(60),
        jitterStrategy: sfn.JitterType.FULL,
      });
    }
    // Once the lock may be held, every failure is told and the lock released before the run ends.
    for (const task of [acquireLock, assess, applyStep, checkResource, verify]) {
      task.addCatch(notify, { errors: [sfn.Errors.ALL], resultPath: '$.failure' });
    }
    notify.addCatch(releaseLock, { errors: [sfn.Errors.ALL], resultPath: '$.notifyFailure' });
    releaseLock.addCatch(howDidItEnd, { errors: [sfn.Errors.ALL], resultPath: '$.unlockFailure' });

    const hasMoreSteps = new sfn.Choice(this, STATE_NAMES.hasMoreSteps, { stateName: STATE_NAMES.hasMoreSteps })
      .when(sfn.Condition.booleanEquals('$.progress.more', true), applyStep)
      .otherwise(settle);
    const isResourceReady = new sfn.Choice(this, STATE_NAMES.isResourceReady, {
      stateName: STATE_NAMES.isResourceReady,
    })
      .when(sfn.Condition.booleanEquals('$.progress.ready', true), hasMoreSteps)
      .otherwise(waitForResource);

    applyStep.next(waitForResource);
    waitForResource.next(checkResource);
    checkResource.next(isResourceReady);
    const anotherRound = new sfn.Choice(this, STATE_NAMES.anotherRound, { stateName: STATE_NAMES.anotherRound })
      .when(
        sfn.Condition.and(
          sfn.Condition.isPresent('$.verification.next'),
          // The verify step keeps within the bound; the state machine counts rounds itself and holds it too.
          sfn.Condition.numberLessThan('$.round', options.maxRounds),
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
        sfn.Condition.isPresent('$.failure'),
        failWith(STATE_NAMES.remediationFailed, '$.failure', 'A step failed; on-call was told and the lock released.'),
      )
      .when(
        sfn.Condition.isPresent('$.notifyFailure'),
        failWith(STATE_NAMES.notificationFailed, '$.notifyFailure', 'The notification could not be sent.'),
      )
      .when(
        sfn.Condition.isPresent('$.unlockFailure'),
        failWith(STATE_NAMES.unlockFailed, '$.unlockFailure', 'The lock could not be released; it expires by itself.'),
      )
      .otherwise(new sfn.Succeed(this, STATE_NAMES.done, { stateName: STATE_NAMES.done }));

    const shouldApply = new sfn.Choice(this, STATE_NAMES.shouldApply, { stateName: STATE_NAMES.shouldApply })
      .when(sfn.Condition.booleanEquals('$.assessment.apply', true), beginSteps.next(applyStep))
      .otherwise(notify);
    const isLockAcquired = new sfn.Choice(this, STATE_NAMES.isLockAcquired, { stateName: STATE_NAMES.isLockAcquired })
      .when(sfn.Condition.booleanEquals('$.lock.acquired', true), assess.next(shouldApply))
      .otherwise(
        new sfn.Succeed(this, STATE_NAMES.targetBusy, {
          stateName: STATE_NAMES.targetBusy,
          comment: 'Another run holds this target; the lock step logged the alarm that was set aside.',
        }),
      );
    return intake.next(acquireLock).next(isLockAcquired);
  }

  /**
   * Acknowledges the AwsSolutions findings this construct cannot avoid, each on the resource it
   * concerns and with its reason, so a new finding anywhere else still fails synthesis.
   */
  private acknowledgeNagFindings(): void {
    const xray =
      'X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which have no resource-level permissions.';
    for (const [step, fn] of Object.entries(this.functions) as [StepId, lambda.Function][]) {
      const metrics = step === 'assess' || step === 'verify';
      Validations.of(fn.role!).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: metrics ? `${xray} So does cloudwatch:GetMetricData, which reads the target's metrics.` : xray,
      });
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions-L1',
        reason: 'Node.js 22 is the runtime the bundles are built for and tested on (target node22).',
      });
    }
    Validations.of(this.functions.notify.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason:
        "Publishing to a topic with a customer-managed key: Topic.grantPublish grants this on the topic's key only.",
    });
    const role = this.stateMachine.role;
    Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: xray });
    for (const fn of Object.values(this.functions)) {
      const logicalId = Stack.of(this).getLogicalId(fn.node.defaultChild as CfnElement);
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        reason: 'Step Functions may invoke any version or alias of its own step function (CDK grants `<arn>:*`).',
      });
    }
  }
}

/** The config as the intake step reads it; notification addresses stay out of the definition. */
export function embeddedConfig(config: StreamMedicConfig): Record<string, unknown> {
  const { notifications: _notifications, ...rest } = config;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

/**
 * A step's prebuilt bundle as its code asset (see lib/lambda-bundling.ts): synthesis copies it as it
 * is and runs no bundler.
 */
function bundledCode(step: StepId, variant: LambdaVariant): lambda.Code {
  const dir = lambdaBundleDir(step, variant);
  if (!existsSync(path.join(dir, BUNDLE_FILE))) {
    throw new Error(`the ${variant} ${step} Lambda bundle is missing from ${dir}: run \`npm run build:lambdas\``);
  }
  return lambda.Code.fromAsset(dir);
}

function pascalCase(step: string): string {
  return step.replace(/(^|-)([a-z])/g, (_match, _dash: string, letter: string) => letter.toUpperCase());
}
