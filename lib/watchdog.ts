import { ArnFormat, Duration, Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  FLEET_SLOT_PARTITION_PREFIX,
  LEDGER_PARTITION_PREFIX,
  LOCK_PARTITION_PREFIX,
} from '../lambdas/ports/ledger-table';
import type { StreamMedicConfig } from '../lambdas/domain/config';
import {
  ABNORMAL_END_STATUSES,
  EXECUTION_EVENT_SOURCE,
  EXECUTION_STATUS_CHANGE,
} from '../lambdas/workflow/run-ended-event';
import {
  SERVICE_METRICS_NAMESPACE,
  SERVICE_METRIC_NAMES,
  SERVICE_NAME,
  serviceMetricDimensions,
} from '../lambdas/domain/service-metrics';
import { watchdogAlarmName, type BlindAlarmDefinition } from '../lambdas/domain/watchdog';
import { ENV } from '../lambdas/workflow/env';
import { RUN_ENDED_ENV } from '../lambdas/workflow/run-ended';
import { toAlarmMetric } from './alarm-metrics';
import { allowInStatements, grantOnPartition, workflowResourceArns } from './workflow-permissions';
import { bundledCode } from './lambda-code';

export interface WatchdogProps {
  /** The validated StreamMedic config: alarm name prefix, targets and `watchdog` settings. */
  readonly config: StreamMedicConfig;
  /** The remediation workflow whose ends are watched. */
  readonly stateMachine: sfn.StateMachine;
  /** The ledger table that holds the per-target locks. */
  readonly table: dynamodb.ITable;
  /** The topic on-call subscribes to; every alarm here publishes to it. */
  readonly topic: sns.ITopic;
  /**
   * The key that encrypts the topic. A key created in this stack is given the statement that lets
   * CloudWatch alarms publish through it; an imported key's policy must allow it already.
   * @default - the topic is not encrypted with a customer-managed key
   */
  readonly topicKey?: kms.IKey;
  /** The workflow's functions by step; each gets an alarm on its errors. */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  /** Dead-letter queues by a short name; each gets an alarm on its depth. */
  readonly deadLetterQueues: Readonly<Record<string, sqs.IQueue>>;
  /**
   * The "cannot see" alarms created here, next to the stack's own target alarms; target groups in
   * nested stacks get theirs through {@link Watchdog.watchTargetGroup}.
   */
  readonly blindAlarms: readonly BlindAlarmDefinition[];
  /**
   * Retention of the run-ended function's logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Trace the run-ended function with AWS X-Ray, as the workflow's functions are.
   * @default false
   */
  readonly lambdaTracing?: boolean;
}

/** The period every watchdog alarm on a count reads: short, so on-call hears within minutes. */
const COUNT_PERIOD = Duration.minutes(5);

/** Execution metrics Step Functions publishes per state machine (dimension StateMachineArn). */
const EXECUTION_END_METRICS = [
  { metricName: 'ExecutionsFailed', slug: 'executions-failed', words: 'failed' },
  { metricName: 'ExecutionsTimedOut', slug: 'executions-timed-out', words: 'timed out' },
  { metricName: 'ExecutionsAborted', slug: 'executions-aborted', words: 'were aborted' },
] as const;

/**
 * A watch on the watcher: what happens when a run ends without finishing its own path, and the
 * alarms that tell on-call when StreamMedic itself fails or cannot see a target.
 *
 * - A rule on this state machine's executions that end FAILED, TIMED_OUT or ABORTED invokes the
 *   run-ended function, which frees the target's lock if that execution still holds it and says so.
 * - Alarms, each publishing to the topic: failed / timed-out / aborted executions, dead-letter
 *   depth, Lambda errors per function, notifications that could not be published, and for each lag
 *   and CPU alarm of a target, "StreamMedic cannot see <target>" when its metric stops arriving.
 */
export class Watchdog extends Construct {
  readonly runEndedFunction: lambda.Function;
  readonly runEndedRule: events.Rule;
  /** Execution-end events the run-ended function could not handle after its retries. */
  readonly runEndedDeadLetterQueue: sqs.Queue;
  /** Every alarm this construct creates, in creation order. */
  readonly alarms: readonly cloudwatch.Alarm[];

  private readonly alarmList: cloudwatch.Alarm[] = [];
  private readonly alarmAction: cloudwatchActions.SnsAction;
  private readonly namePrefix: string;

  constructor(scope: Construct, id: string, props: WatchdogProps) {
    super(scope, id);
    this.alarms = this.alarmList;
    this.alarmAction = new cloudwatchActions.SnsAction(props.topic);
    this.namePrefix = props.config.alarms.namePrefix;
    this.allowAlarmsToPublish(props);

    this.runEndedDeadLetterQueue = new sqs.Queue(this, 'RunEndedDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.runEndedDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the run-ended function and its rule; it needs no further dead-letter queue.',
    });
    this.runEndedFunction = this.createRunEndedFunction(props);
    this.runEndedRule = new events.Rule(this, 'RunEndedRule', {
      description: 'Frees the target lock and tells on-call when a StreamMedic run ends FAILED, TIMED_OUT or ABORTED',
      eventPattern: {
        source: [EXECUTION_EVENT_SOURCE],
        detailType: [EXECUTION_STATUS_CHANGE],
        detail: {
          stateMachineArn: [props.stateMachine.stateMachineArn],
          status: [...ABNORMAL_END_STATUSES],
        },
      },
    });
    this.runEndedRule.addTarget(
      new eventsTargets.LambdaFunction(this.runEndedFunction, {
        deadLetterQueue: this.runEndedDeadLetterQueue,
        retryAttempts: 10,
        maxEventAge: Duration.hours(24),
      }),
    );

    this.createExecutionAlarms(props.stateMachine);
    this.createDeadLetterAlarms({ ...props.deadLetterQueues, 'run-ended': this.runEndedDeadLetterQueue });
    this.createErrorAlarms({ ...props.functions, 'run-ended': this.runEndedFunction });
    this.createPublishFailureAlarm();
    this.createBlindAlarms(this, props.blindAlarms);
  }

  /**
   * Watches a target group deployed in a nested stack: its "cannot see" alarms and its dead-letter
   * queue's depth, created in `scope` (inside that stack) and publishing to the same topic. Returns
   * their names; they are not in {@link alarms}, which holds this stack's alarms only.
   */
  watchTargetGroup(
    scope: Construct,
    group: {
      readonly blindAlarms: readonly BlindAlarmDefinition[];
      readonly deadLetterQueueName: string;
      readonly deadLetterQueue: sqs.IQueue;
    },
  ): string[] {
    return [
      ...this.createDeadLetterAlarms({ [group.deadLetterQueueName]: group.deadLetterQueue }, scope),
      ...this.createBlindAlarms(scope, group.blindAlarms),
    ];
  }

  /**
   * CloudWatch alarms publish as the `cloudwatch.amazonaws.com` service: the topic policy (which
   * `enforceSSL` makes explicit, replacing SNS's default) and the topic's key must both allow it.
   */
  private allowAlarmsToPublish(props: WatchdogProps): void {
    const stack = Stack.of(this);
    const principal = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const fromThisAccountsAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
    props.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowStreamMedicAlarmsToPublish',
        principals: [principal],
        actions: ['sns:Publish'],
        resources: [props.topic.topicArn],
        conditions: fromThisAccountsAlarms,
      }),
    );
    props.topicKey?.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowStreamMedicAlarmsToUseTopicKey',
        principals: [principal],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: fromThisAccountsAlarms,
      }),
    );
  }

  private createRunEndedFunction(props: WatchdogProps): lambda.Function {
    const stack = Stack.of(this);
    const targetRegion = props.config.region ?? stack.region;
    const logGroup = new logs.LogGroup(this, 'RunEndedLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    const role = new iam.Role(this, 'RunEndedRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'StreamMedic: frees the lock of a run that ended abnormally and reports it (function role)',
    });
    logGroup.grantWrite(role);
    const tracing = props.lambdaTracing ?? false;
    const fn = new lambda.Function(this, 'RunEndedFunction', {
      ...bundledCode('run-ended', tracing),
      description: 'StreamMedic: frees the lock of a run that ended FAILED, TIMED_OUT or ABORTED, and reports it',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(30),
      tracing: tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: SERVICE_METRICS_NAMESPACE,
        [ENV.tableName]: props.table.tableName,
        [ENV.topicArn]: props.topic.topicArn,
        [ENV.targetRegion]: targetRegion,
        [RUN_ENDED_ENV.alarmNamePrefix]: props.config.alarms.namePrefix,
      },
      logGroup,
      role,
      // Asynchronous invocations (EventBridge) are retried twice; an event that still fails, e.g.
      // while SNS is down, is kept here for a redrive, and the queue's alarm says so.
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      deadLetterQueue: this.runEndedDeadLetterQueue,
    });

    // Lock items only: read the owner, delete on the owner's condition (the lock adapter's calls).
    grantOnPartition(fn, props.table, ['dynamodb:GetItem', 'dynamodb:DeleteItem'], LOCK_PARTITION_PREFIX);
    // The dead run's fleet slot: find it among the slots, delete on the owner's condition.
    grantOnPartition(fn, props.table, ['dynamodb:Query', 'dynamodb:DeleteItem'], FLEET_SLOT_PARTITION_PREFIX);
    // Ledger items only: a change the dying run requested without recording its result is settled from
    // the resource, which only an `auto` target's apply step can have changed.
    grantOnPartition(fn, props.table, ['dynamodb:Query', 'dynamodb:PutItem'], LEDGER_PARTITION_PREFIX);
    const resources = workflowResourceArns(stack, props.config, targetRegion);
    const { streams, applications } = resources;
    allowInStatements(fn, ['kinesis:DescribeStreamSummary'], streams.auto, props.config, streams.conditions);
    allowInStatements(
      fn,
      ['kinesisanalytics:DescribeApplication'],
      applications.auto,
      props.config,
      applications.conditions,
    );
    props.table.encryptionKey?.grant(fn, 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey');
    // Only when the event left the input out; only this state machine's executions.
    const executionsArn = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${props.stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executionsArn] }));
    props.topic.grantPublish(fn);
    props.topicKey?.grant(fn, 'kms:Decrypt', 'kms:GenerateDataKey');

    if (tracing) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Silences exactly xray:PutTraceSegments and xray:PutTelemetryRecords on "*": Lambda active tracing needs them, and they support no resource-level permissions.',
      });
    }
    const machineId = stack.getLogicalId(props.stateMachine.node.defaultChild as CfnElement);
    // cdk-nag prints a pseudo parameter the stack does not know as `<AWS::...>`, and a known one as is.
    const shown = (value: string, pseudo: string): string => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
    const executions = `arn:${shown(stack.partition, 'Partition')}:states:${shown(stack.region, 'Region')}:${shown(stack.account, 'AccountId')}:execution:<${machineId}.Name>:*`;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${executions}]`,
      reason:
        "states:DescribeExecution on this state machine's executions: an execution ARN ends with the execution's name, unknown in advance.",
    });
    if (props.topicKey) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          "Publishing to a topic with a customer-managed key: Topic.grantPublish grants this on the topic's key only.",
      });
    }
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is the runtime the bundles are built for and tested on (target node22).',
    });
    return fn;
  }

  /** Creates the alarm in `scope`; those created in this construct's own stack are listed in {@link alarms}. */
  private addAlarm(
    id: string,
    props: cloudwatch.AlarmProps & { readonly alarmName: string },
    scope: Construct = this,
  ): string {
    const alarm = new cloudwatch.Alarm(scope, id, props);
    alarm.addAlarmAction(this.alarmAction);
    if (scope === this) this.alarmList.push(alarm);
    return props.alarmName;
  }

  /** One alarm per abnormal end: any single one is worth a look, and the run-ended message says which run. */
  private createExecutionAlarms(stateMachine: sfn.StateMachine): void {
    for (const { metricName, slug, words } of EXECUTION_END_METRICS) {
      this.addAlarm(`Alarm-${slug}`, {
        alarmName: watchdogAlarmName(this.namePrefix, slug),
        alarmDescription:
          `StreamMedic runs ${words} in the last 5 minutes. Each such run is reported by the run-ended ` +
          "function, which also frees the target's lock; look at the execution in the Step Functions console.",
        metric: stateMachine.metric(metricName, { period: COUNT_PERIOD, statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        // No execution ended that way: Step Functions publishes nothing, which is good news.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
  }

  private createDeadLetterAlarms(queues: Readonly<Record<string, sqs.IQueue>>, scope: Construct = this): string[] {
    return Object.entries(queues).map(([name, queue]) =>
      this.addAlarm(
        `Alarm-dead-letters-${name}`,
        {
          alarmName: watchdogAlarmName(this.namePrefix, `dead-letters-${name}`),
          alarmDescription:
            `Messages wait in StreamMedic's ${name} dead-letter queue: events it could not deliver or handle ` +
            'after every retry. Read them, fix the cause, and redrive them.',
          metric: queue.metricApproximateNumberOfMessagesVisible({
            period: COUNT_PERIOD,
            statistic: cloudwatch.Stats.MAXIMUM,
          }),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          // SQS stops publishing for a queue idle for six hours: an empty, idle queue.
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        },
        scope,
      ),
    );
  }

  private createErrorAlarms(functions: Readonly<Record<string, lambda.IFunction>>): void {
    for (const [name, fn] of Object.entries(functions)) {
      this.addAlarm(`Alarm-lambda-errors-${name}`, {
        alarmName: watchdogAlarmName(this.namePrefix, `lambda-errors-${name}`),
        alarmDescription:
          `StreamMedic's ${name} function failed in the last 5 minutes. The workflow retries or reports ` +
          "most failures itself; look at the function's logs for the error and at the runs it belonged to.",
        metric: fn.metricErrors({ period: COUNT_PERIOD, statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
  }

  private createPublishFailureAlarm(): void {
    this.addAlarm('Alarm-notifications-failed', {
      alarmName: watchdogAlarmName(this.namePrefix, 'notifications-failed'),
      alarmDescription:
        'StreamMedic could not publish a notification to its SNS topic, after retries. This alarm publishes ' +
        'to the same topic: if the topic or its KMS key is what fails, this message may not arrive either. ' +
        "Check the topic, its key and the notify function's logs; StreamMedic may have acted without telling anyone.",
      metric: new cloudwatch.Metric({
        namespace: SERVICE_METRICS_NAMESPACE,
        metricName: SERVICE_METRIC_NAMES.notificationsFailed,
        dimensionsMap: { ...serviceMetricDimensions() },
        period: COUNT_PERIOD,
        statistic: cloudwatch.Stats.SUM,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  private createBlindAlarms(scope: Construct, definitions: readonly BlindAlarmDefinition[]): string[] {
    return definitions.map((definition) =>
      this.addAlarm(
        `Alarm-blind-${definition.target}-${definition.watches.kind}`,
        {
          alarmName: definition.alarmName,
          alarmDescription: definition.description,
          metric: toAlarmMetric(definition.value, definition.periodSeconds),
          threshold: definition.threshold,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: definition.evaluationPeriods,
          datapointsToAlarm: definition.datapointsToAlarm,
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        },
        scope,
      ),
    );
  }
}
