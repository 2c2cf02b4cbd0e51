import { Duration, NestedStack, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ALARM_KIND_SLUGS, type AlarmDefinition } from '../lambdas/domain/alarm-definitions';
import { ConfigSchema, type StreamMedicConfig, type StreamMedicConfigInput } from '../lambdas/domain/config';
import { planTargetGroups, type TargetGroupPlan } from '../lambdas/domain/fleet-layout';
import { ALARM_STATE_CHANGE } from '../lambdas/workflow/input';
import { toAlarmMetric } from './alarm-metrics';
import {
  SERVICE_METRICS_NAMESPACE,
  SERVICE_METRIC_NAMES,
  serviceMetricDimensions,
} from '../lambdas/domain/service-metrics';
import { InvalidInputError, parseWith } from '../lambdas/domain/validation';
import { LEDGER_TABLE_KEY_SCHEMA } from '../lambdas/ports/ledger-table';
import { sweepPlan } from '../lambdas/workflow/sweep';
import { ReassessmentSweep } from './reassessment-sweep';
import { OperatorPolicy } from './operator-policy';
import { RemediationWorkflow } from './remediation-workflow';
import { Watchdog } from './watchdog';

type TargetInput = StreamMedicConfigInput['targets'][number];
type StreamInput = NonNullable<TargetInput['stream']>;

/**
 * The config as {@link StreamRemediator} takes it: the StreamMedic config document, except that a
 * target whose stream is given in {@link StreamRemediatorProps.streams} may leave out the stream's
 * name (or the whole `stream` section, when the defaults of its bounds will do).
 */
export type StreamRemediatorConfig = Omit<StreamMedicConfigInput, 'targets'> & {
  readonly targets: ReadonlyArray<
    Omit<TargetInput, 'stream'> & { readonly stream?: Omit<StreamInput, 'name'> & { readonly name?: string } }
  >;
};

export interface StreamRemediatorProps {
  /**
   * The StreamMedic config (the parsed JSON document, see docs/config-reference.md). It is validated
   * here, before anything is created; an invalid config throws an error naming the first bad field,
   * e.g. `config.targets[0].mode`.
   */
  readonly config: StreamRemediatorConfig;
  /**
   * Streams of this or another stack, by target name: the target watches and scales that stream,
   * and its config may leave out `stream.name`. A name given in the config must match the stream's.
   * @default - every stream is named in the config
   */
  readonly streams?: Readonly<Record<string, kinesis.IStream>>;
  /**
   * An existing topic to report to, instead of a new one. The config's e-mail addresses are
   * subscribed to it. When it is encrypted with a customer-managed key, pass that key as `topicKey`
   * so the notify function may use it.
   * @default - a new topic, encrypted with `topicKey`
   */
  readonly topic?: sns.ITopic;
  /**
   * The customer-managed key that encrypts the notification topic: the new topic's key, or the key
   * of the `topic` given.
   * @default - without `topic`, a new key with yearly rotation, retained when the stack is deleted;
   * with `topic`, none (the topic is taken to use no customer-managed key)
   */
  readonly topicKey?: kms.IKey;
  /**
   * Active X-Ray tracing inside the workflow's functions, which are then deployed with the Powertools
   * tracer and the X-Ray SDK: about 120 KB more code to load at each cold start. The state machine
   * is traced either way, so each run's steps and their durations are in X-Ray regardless.
   * @default false
   */
  readonly lambdaTracing?: boolean;
  /**
   * Name of the CloudWatch dashboard. Dashboard names are unique per account across regions.
   * @default - a name CloudFormation generates
   */
  readonly dashboardName?: string;
  /**
   * What happens to the ledger table when it leaves the stack. The ledger is the audit trail of
   * every change StreamMedic made, and the guardrails read it, so it outlives the stack by default.
   * @default RemovalPolicy.RETAIN
   */
  readonly tableRemovalPolicy?: RemovalPolicy;
  /**
   * How long an alarm event the rule could not deliver to the state machine stays in the
   * dead-letter queue.
   * @default Duration.days(14), the longest SQS allows
   */
  readonly deadLetterRetention?: Duration;
}

/** CloudWatch dashboard names: up to 255 of letters, digits, `-` and `_`. */
const DASHBOARD_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** SQS keeps messages between one minute and 14 days. */
const MIN_RETENTION = Duration.minutes(1);
const MAX_RETENTION = Duration.days(14);

/**
 * StreamMedic in one construct: the CloudWatch alarms of every configured target, the EventBridge
 * rule that starts the remediation workflow when one of them goes into ALARM, the encrypted topic
 * on-call subscribes to, the ledger table, and a dashboard of StreamMedic's own health.
 */
export class StreamRemediator extends Construct {
  /** The validated config, defaults applied. */
  readonly config: StreamMedicConfig;
  readonly table: dynamodb.Table;
  /** The topic StreamMedic reports to: the one given, or its own. */
  readonly topic: sns.ITopic;
  /** The topic's customer-managed key, when it has one StreamMedic knows of. */
  readonly topicKey?: kms.IKey;
  readonly stateMachine: sfn.StateMachine;
  /** One per alarm definition, keyed by alarm name. */
  readonly alarms: ReadonlyMap<string, cloudwatch.Alarm>;
  /** The first of {@link rules}. */
  readonly rule: events.Rule;
  /** The rules that start the workflow: together they match exactly this construct's alarms, by ARN. */
  readonly rules: readonly events.Rule[];
  /** Alarm events the rule failed to deliver to the state machine. */
  readonly deadLetterQueue: sqs.Queue;
  readonly dashboard: cloudwatch.Dashboard;
  /** What watches StreamMedic itself: its alarms and the run-ended rule that frees stranded locks. */
  readonly watchdog: Watchdog;
  /**
   * The schedule and function that re-assess, every `policy.reassessMinutes`, each target whose lag,
   * CPU or throttling alarm stays in ALARM; absent when every target is in `observe` mode.
   */
  readonly sweep?: ReassessmentSweep;
  /** The targets packed into groups: the first in this stack, each further one in {@link nestedStacks}. */
  readonly targetGroups: readonly TargetGroupPlan[];
  /** One per target group after the first, in order: its alarms, rules and dead-letter queue. */
  readonly nestedStacks: readonly NestedStack[];
  /** For operators: pause and resume StreamMedic and read its history; nothing else may pause it. */
  readonly operatorPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: StreamRemediatorProps) {
    super(scope, id);
    this.config = parseWith(ConfigSchema, withStreams(props.config, props.streams), 'config');
    validateProps(props);

    if (props.topic !== undefined) {
      this.topic = props.topic;
      this.topicKey = props.topicKey;
    } else {
      const topicKey =
        props.topicKey ??
        new kms.Key(this, 'TopicKey', {
          description: 'Encrypts the StreamMedic notification topic',
          enableKeyRotation: true,
          removalPolicy: RemovalPolicy.RETAIN,
        });
      this.topicKey = topicKey;
      this.topic = new sns.Topic(this, 'Topic', {
        displayName: 'StreamMedic',
        masterKey: topicKey,
        enforceSSL: true,
      });
    }
    for (const email of this.config.notifications.emails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    this.table = new dynamodb.Table(this, 'Ledger', {
      partitionKey: {
        name: LEDGER_TABLE_KEY_SCHEMA.partitionKey.name,
        type: dynamodb.AttributeType.STRING,
      },
      sortKey: { name: LEDGER_TABLE_KEY_SCHEMA.sortKey.name, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: LEDGER_TABLE_KEY_SCHEMA.timeToLiveAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: props.tableRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.operatorPolicy = new OperatorPolicy(this, 'Operators', { table: this.table }).policy;

    const workflow = new RemediationWorkflow(this, 'Workflow', {
      config: this.config,
      table: this.table,
      topic: this.topic,
      ...(this.topicKey !== undefined ? { topicKey: this.topicKey } : {}),
      lambdaTracing: props.lambdaTracing ?? false,
    });
    this.stateMachine = workflow.stateMachine;

    // Per-target resources are packed into groups (lambdas/domain/fleet-layout.ts): the first in this
    // stack, every further one in a nested stack of its own, so a fleet of any size stays within
    // CloudFormation's per-template quotas while sharing this one workflow, ledger and topic.
    const region = Stack.of(this).region;
    const layout = planTargetGroups(this.config, Token.isUnresolved(region) ? undefined : region);
    this.targetGroups = layout;

    const alarms = new Map<string, cloudwatch.Alarm>();
    const alarmScope = new Construct(this, 'Alarms');
    for (const definition of layout[0]!.alarms) {
      alarms.set(definition.alarmName, createAlarm(alarmScope, definition));
    }

    this.deadLetterQueue = new sqs.Queue(this, 'AlarmEventsDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.deadLetterRetention ?? MAX_RETENTION,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the alarm rule target; a queue for messages nobody could deliver needs no further dead-letter queue.',
    });

    const rules = createAlarmRules(this, layout[0]!, alarms, this.stateMachine, this.deadLetterQueue);

    const plan = sweepPlan(this.config);
    if (plan !== undefined) {
      this.sweep = new ReassessmentSweep(this, 'Sweep', {
        plan,
        namePrefix: this.config.alarms.namePrefix,
        stateMachine: this.stateMachine,
        table: this.table,
        lambdaTracing: props.lambdaTracing ?? false,
      });
    }

    this.watchdog = new Watchdog(this, 'Watchdog', {
      config: this.config,
      stateMachine: this.stateMachine,
      table: this.table,
      topic: this.topic,
      topicKey: this.topicKey,
      functions: { ...workflow.functions, ...(this.sweep ? { sweep: this.sweep.sweepFunction } : {}) },
      deadLetterQueues: { 'alarm-events': this.deadLetterQueue },
      blindAlarms: layout[0]!.blindAlarms,
      lambdaTracing: props.lambdaTracing ?? false,
    });

    const nestedStacks: NestedStack[] = [];
    for (const group of layout.slice(1)) {
      const nested = new NestedStack(this, `TargetGroup${group.index + 1}`, {
        description: `StreamMedic target group ${group.index + 1}: alarms of ${group.targets.length} targets and the rules that start their runs`,
      });
      nestedStacks.push(nested);
      const groupAlarms = new Map<string, cloudwatch.Alarm>();
      const groupAlarmScope = new Construct(nested, 'Alarms');
      for (const definition of group.alarms) {
        groupAlarms.set(definition.alarmName, createAlarm(groupAlarmScope, definition));
        alarms.set(definition.alarmName, groupAlarms.get(definition.alarmName)!);
      }
      const queue = new sqs.Queue(nested, 'AlarmEventsDeadLetterQueue', {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: props.deadLetterRetention ?? MAX_RETENTION,
      });
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          "This queue is itself the dead-letter queue of this group's alarm rules; a queue for messages nobody could deliver needs no further dead-letter queue.",
      });
      rules.push(...createAlarmRules(nested, group, groupAlarms, this.stateMachine, queue));
      this.watchdog.watchTargetGroup(new Construct(nested, 'Watchdog'), {
        blindAlarms: group.blindAlarms,
        deadLetterQueueName: `alarm-events-group-${group.index + 1}`,
        deadLetterQueue: queue,
      });
      createGroupDashboard(nested, group.index + 1, props.dashboardName);
    }
    this.alarms = alarms;
    this.rules = rules;
    this.rule = rules[0]!;
    this.nestedStacks = nestedStacks;

    this.dashboard = createDashboard(this, {
      dashboardName: props.dashboardName,
      stateMachine: this.stateMachine,
      functions: this.node.findAll().filter((child): child is lambda.Function => child instanceof lambda.Function),
      // A nested group's alarms are on its own dashboard, built in its stack: listed here, every one
      // would add its ARN to this template, and a reference to each would be an output of its stack.
      alarms: [...layout[0]!.alarms.map((definition) => alarms.get(definition.alarmName)!), ...this.watchdog.alarms],
      deadLetterQueue: this.deadLetterQueue,
      ...(plan
        ? { fleetLevels: { rateMinutes: plan.rateMinutes, maxChangesPerHour: this.config.fleet.maxChangesPerHour } }
        : {}),
    });
  }
}

/**
 * The rules that start the workflow for one group's alarms, matched by ARN so an alarm of the same
 * name pattern created outside the stack (or by another StreamMedic stack) never starts this workflow.
 * EventBridge caps an event pattern at 2,048 characters, so a group may need several rules.
 */
function createAlarmRules(
  scope: Construct,
  group: TargetGroupPlan,
  alarms: ReadonlyMap<string, cloudwatch.Alarm>,
  stateMachine: sfn.IStateMachine,
  deadLetterQueue: sqs.IQueue,
): events.Rule[] {
  return group.rules.map((names, index) => {
    const rule = new events.Rule(scope, index === 0 ? 'AlarmRule' : `AlarmRule${index + 1}`, {
      description: "Starts the StreamMedic workflow when one of this stack's alarms goes into ALARM",
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: [ALARM_STATE_CHANGE],
        resources: names.map((name) => alarms.get(name)!.alarmArn),
        detail: { state: { value: ['ALARM'] } },
      },
    });
    // No `input`: the event goes through unchanged, and the workflow's intake step reads both it
    // and an operator's manual `{"target", "dryRun"}` input.
    // An alarm older than two hours describes a past incident; the assessment reads fresh metrics
    // anyway, so stale deliveries go to the dead-letter queue instead of starting late runs.
    rule.addTarget(
      new eventsTargets.SfnStateMachine(stateMachine, {
        deadLetterQueue,
        retryAttempts: 10,
        maxEventAge: Duration.hours(2),
      }),
    );
    return rule;
  });
}

/**
 * The config with the streams given as constructs filled in: each names a target, whose stream takes
 * the construct's name. Anything else about the config is left to the schema.
 */
function withStreams(
  config: StreamRemediatorConfig,
  streams: Readonly<Record<string, kinesis.IStream>> | undefined,
): unknown {
  if (streams === undefined) return config;
  const targets: readonly unknown[] = Array.isArray(config?.targets) ? config.targets : [];
  const nameOf = (target: unknown): unknown =>
    typeof target === 'object' && target !== null ? (target as { name?: unknown }).name : undefined;
  for (const name of Object.keys(streams)) {
    if (!targets.some((target) => nameOf(target) === name)) {
      throw new InvalidInputError(`streams.${name}`, 'names no target in config.targets');
    }
  }
  return {
    ...config,
    targets: targets.map((target, index) => {
      const name = nameOf(target);
      const stream = typeof name === 'string' && Object.hasOwn(streams, name) ? streams[name] : undefined;
      if (stream === undefined) return target;
      const section = (target as { stream?: unknown }).stream;
      const given = typeof section === 'object' && section !== null ? (section as { name?: unknown }).name : undefined;
      if (given !== undefined && !Token.isUnresolved(stream.streamName) && given !== stream.streamName) {
        throw new InvalidInputError(
          `config.targets[${index}].stream.name`,
          `is "${String(given)}", but streams.${name} is the stream "${stream.streamName}"`,
        );
      }
      return { ...(target as object), stream: { ...(section as object | undefined), name: stream.streamName } };
    }),
  };
}

function validateProps(props: StreamRemediatorProps): void {
  if (props.dashboardName !== undefined && !DASHBOARD_NAME.test(props.dashboardName)) {
    throw new InvalidInputError('dashboardName', 'must be 1 to 255 letters, digits, "-" or "_"');
  }
  const retention = props.deadLetterRetention;
  if (
    retention !== undefined &&
    !retention.isUnresolved() &&
    (retention.toSeconds() < MIN_RETENTION.toSeconds() || retention.toSeconds() > MAX_RETENTION.toSeconds())
  ) {
    throw new InvalidInputError('deadLetterRetention', 'must be between 1 minute and 14 days (the range SQS allows)');
  }
}

const COMPARISON_OPERATORS: Readonly<Record<AlarmDefinition['comparisonOperator'], cloudwatch.ComparisonOperator>> = {
  GreaterThanThreshold: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  GreaterThanOrEqualToThreshold: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  LessThanThreshold: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
};

const MISSING_DATA: Readonly<Record<AlarmDefinition['treatMissingData'], cloudwatch.TreatMissingData>> = {
  breaching: cloudwatch.TreatMissingData.BREACHING,
  notBreaching: cloudwatch.TreatMissingData.NOT_BREACHING,
  ignore: cloudwatch.TreatMissingData.IGNORE,
  missing: cloudwatch.TreatMissingData.MISSING,
};

function createAlarm(scope: Construct, definition: AlarmDefinition): cloudwatch.Alarm {
  // Target and kind make the construct id: stable when targets are reordered, so no alarm is replaced.
  return new cloudwatch.Alarm(scope, `${definition.target}-${ALARM_KIND_SLUGS[definition.kind]}`, {
    alarmName: definition.alarmName,
    alarmDescription: definition.description,
    metric: toAlarmMetric(definition.value, definition.periodSeconds),
    threshold: definition.threshold,
    comparisonOperator: COMPARISON_OPERATORS[definition.comparisonOperator],
    evaluationPeriods: definition.evaluationPeriods,
    datapointsToAlarm: definition.datapointsToAlarm,
    treatMissingData: MISSING_DATA[definition.treatMissingData],
  });
}

/**
 * A nested target group's own dashboard: the status of every alarm its stack holds (its targets'
 * alarms, their "cannot see" alarms, its dead-letter queue's alarm), in widgets of at most
 * {@link ALARM_STATUS_WIDGET_MAX_ALARMS}. Named after the main dashboard when that has a name.
 */
function createGroupDashboard(nested: NestedStack, groupNumber: number, mainName: string | undefined): void {
  const alarms = nested.node.findAll().filter((child): child is cloudwatch.Alarm => child instanceof cloudwatch.Alarm);
  const suffix = `-group-${groupNumber}`;
  const dashboard = new cloudwatch.Dashboard(nested, 'Dashboard', {
    ...(mainName !== undefined ? { dashboardName: `${mainName.slice(0, 255 - suffix.length)}${suffix}` } : {}),
    defaultInterval: Duration.days(1),
  });
  addAlarmStatusWidgets(dashboard, alarms, `${DASHBOARD_WIDGETS.alarms}, target group ${groupNumber}`);
}

/** Alarm-status widgets of at most {@link ALARM_STATUS_WIDGET_MAX_ALARMS} alarms each, titled by range after the first. */
function addAlarmStatusWidgets(
  dashboard: cloudwatch.Dashboard,
  alarms: readonly cloudwatch.IAlarm[],
  title: string,
): void {
  for (let start = 0; start < alarms.length; start += ALARM_STATUS_WIDGET_MAX_ALARMS) {
    const shown = alarms.slice(start, start + ALARM_STATUS_WIDGET_MAX_ALARMS);
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: start === 0 ? title : `${title} ${start + 1}-${start + shown.length}`,
        width: 24,
        alarms: shown,
      }),
    );
  }
}

interface DashboardParts {
  readonly dashboardName: string | undefined;
  readonly stateMachine: sfn.StateMachine;
  readonly functions: readonly lambda.Function[];
  readonly alarms: readonly cloudwatch.IAlarm[];
  readonly deadLetterQueue: sqs.Queue;
  /**
   * The levels the sweep publishes (`TargetsAlarmed`, `FleetChangesLastHour`) every `rateMinutes`,
   * and the cap the changes are drawn against; absent when no target is swept (no sweep, no figures).
   */
  readonly fleetLevels?: { readonly rateMinutes: number; readonly maxChangesPerHour: number };
}

/**
 * Alarms one alarm-status widget lists at most: CloudWatch shows up to 100 alarms in one widget
 * (docs/fleet.md), so a fleet's alarms are shown in several.
 */
export const ALARM_STATUS_WIDGET_MAX_ALARMS = 100;

/** Widget titles, exported so tests and readers find the same names. */
export const DASHBOARD_WIDGETS = {
  executions: 'Workflow executions',
  lambdaErrors: 'Lambda errors',
  actions: 'Actions taken and refused',
  undelivered: 'Alarm events not delivered',
  alarms: 'StreamMedic alarms',
  fleet: 'Fleet summary',
  targetsAlarmed: 'Targets alarmed',
  changesLastHour: 'Changes in the last hour',
} as const;

function createDashboard(scope: Construct, parts: DashboardParts): cloudwatch.Dashboard {
  const fiveMinutes = Duration.minutes(5);
  const sum = { period: fiveMinutes, statistic: cloudwatch.Stats.SUM };
  const serviceMetric = (metricName: string, label: string): cloudwatch.Metric =>
    new cloudwatch.Metric({
      namespace: SERVICE_METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { ...serviceMetricDimensions() },
      label,
      ...sum,
    });
  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', {
    ...(parts.dashboardName !== undefined ? { dashboardName: parts.dashboardName } : {}),
    defaultInterval: Duration.days(1),
  });
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: DASHBOARD_WIDGETS.executions,
      width: 12,
      left: [
        parts.stateMachine.metricStarted({ ...sum, label: 'Started' }),
        parts.stateMachine.metricSucceeded({ ...sum, label: 'Succeeded' }),
        parts.stateMachine.metricFailed({ ...sum, label: 'Failed' }),
        parts.stateMachine.metricTimedOut({ ...sum, label: 'Timed out' }),
        parts.stateMachine.metricAborted({ ...sum, label: 'Aborted' }),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: DASHBOARD_WIDGETS.lambdaErrors,
      width: 12,
      left: parts.functions.map((fn) => fn.metricErrors({ ...sum, label: fn.node.id })),
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: DASHBOARD_WIDGETS.actions,
      width: 12,
      left: [
        serviceMetric(SERVICE_METRIC_NAMES.actionsTaken, 'Actions taken'),
        serviceMetric(SERVICE_METRIC_NAMES.actionsRefused, 'Actions refused'),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: DASHBOARD_WIDGETS.undelivered,
      width: 12,
      left: [
        parts.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: fiveMinutes,
          statistic: cloudwatch.Stats.MAXIMUM,
          label: 'In dead-letter queue',
        }),
      ],
    }),
  );
  // One number each over the dashboard's time range, for the whole fleet at a glance.
  const total = { statistic: cloudwatch.Stats.SUM };
  // The sweep's levels: one value per sweep, so the period is the sweep's rate and the statistic the
  // highest value in it (over the whole range, the most targets alarmed at once).
  const level = (metricName: string, label: string, rateMinutes: number): cloudwatch.Metric =>
    serviceMetric(metricName, label).with({
      period: Duration.minutes(rateMinutes),
      statistic: cloudwatch.Stats.MAXIMUM,
    });
  const levels = parts.fleetLevels;
  dashboard.addWidgets(
    new cloudwatch.SingleValueWidget({
      title: DASHBOARD_WIDGETS.fleet,
      width: 24,
      setPeriodToTimeRange: true,
      metrics: [
        ...(levels
          ? [level(SERVICE_METRIC_NAMES.targetsAlarmed, 'Most targets alarmed at once', levels.rateMinutes)]
          : []),
        parts.stateMachine.metricStarted({ ...total, label: 'Runs started' }),
        serviceMetric(SERVICE_METRIC_NAMES.actionsTaken, 'Changes made').with(total),
        serviceMetric(SERVICE_METRIC_NAMES.actionsRefused, 'Changes refused').with(total),
        parts.stateMachine.metricFailed({ ...total, label: 'Runs failed' }),
        parts.stateMachine.metricTimedOut({ ...total, label: 'Runs timed out' }),
      ],
    }),
  );
  if (levels) {
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: DASHBOARD_WIDGETS.targetsAlarmed,
        width: 12,
        period: Duration.minutes(levels.rateMinutes),
        left: [level(SERVICE_METRIC_NAMES.targetsAlarmed, 'Targets alarmed', levels.rateMinutes)],
        leftYAxis: { min: 0, showUnits: false },
      }),
      new cloudwatch.GraphWidget({
        title: DASHBOARD_WIDGETS.changesLastHour,
        width: 12,
        period: Duration.minutes(levels.rateMinutes),
        left: [level(SERVICE_METRIC_NAMES.fleetChangesLastHour, 'Changes in the last hour', levels.rateMinutes)],
        leftAnnotations: [
          { value: levels.maxChangesPerHour, label: `fleet.maxChangesPerHour (${levels.maxChangesPerHour})` },
        ],
        leftYAxis: { min: 0, showUnits: false },
      }),
    );
  }
  addAlarmStatusWidgets(dashboard, parts.alarms, DASHBOARD_WIDGETS.alarms);
  return dashboard;
}
