import { ArnFormat, Duration, Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { alarmNamePrefix } from '../lambdas/domain/alarm-definitions';
import { SERVICE_METRICS_NAMESPACE, SERVICE_NAME } from '../lambdas/domain/service-metrics';
import {
  FLEET_CHANGE_PARTITION_PREFIX,
  FLEET_SLOT_PARTITION_PREFIX,
  LEDGER_PARTITION_PREFIX,
  NOTICE_PARTITION_PREFIX,
} from '../lambdas/ports/ledger-table';
import { ENV } from '../lambdas/workflow/env';
import { SWEEP_ENV, type SweepEvent } from '../lambdas/workflow/sweep';
import { bundledCode } from './lambda-code';
import { grantOnPartition } from './workflow-permissions';

export interface ReassessmentSweepProps {
  /** What the schedule hands the sweep: the swept targets, their alarms and the rate (`sweepPlan`). */
  readonly plan: SweepEvent;
  /** The config's `alarms.namePrefix`: the sweep may read the alarms whose names start with it. */
  readonly namePrefix: string;
  /** The remediation workflow the sweep starts runs of. */
  readonly stateMachine: sfn.IStateMachine;
  /** The ledger table: the sweep reads the last notice per target (`NOTICE#` items), the ledger (`TARGET#` items), the fleet's slots and changes, and writes nothing. */
  readonly table: dynamodb.ITable;
  /**
   * Retention of the sweep function's logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Trace the sweep function with AWS X-Ray, as the workflow's functions are.
   * @default false
   */
  readonly lambdaTracing?: boolean;
}

/**
 * Re-assessment while alarmed: an EventBridge Scheduler schedule that invokes the sweep function
 * every `rateMinutes`; the sweep starts a run of the workflow for every target whose lag, CPU or
 * throttling alarm is still in ALARM (lambdas/workflow/sweep.ts). The runs take the target's lock like
 * any other, so a target under remediation turns them away.
 */
export class ReassessmentSweep extends Construct {
  readonly sweepFunction: lambda.Function;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: ReassessmentSweepProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const tracing = props.lambdaTracing ?? false;
    const logGroup = new logs.LogGroup(this, 'SweepLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    const role = new iam.Role(this, 'SweepRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'StreamMedic: starts a re-assessment of every target whose alarm stays in ALARM (function role)',
    });
    logGroup.grantWrite(role);
    const rate = Duration.minutes(props.plan.rateMinutes);
    this.sweepFunction = new lambda.Function(this, 'SweepFunction', {
      ...bundledCode('sweep', tracing),
      description: 'StreamMedic: starts a re-assessment of every target whose alarm stays in ALARM',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(60),
      tracing: tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: SERVICE_METRICS_NAMESPACE,
        [SWEEP_ENV.stateMachineArn]: props.stateMachine.stateMachineArn,
        [ENV.tableName]: props.table.tableName,
      },
      logGroup,
      role,
    });

    // DescribeAlarms supports the alarm resource type (Service Authorization Reference, CloudWatch):
    // the sweep names this stack's alarms, and may read no others.
    const alarms = stack.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: `${alarmNamePrefix(props.namePrefix)}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.sweepFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: [alarms] }),
    );
    props.stateMachine.grantStartExecution(this.sweepFunction);
    grantOnPartition(this.sweepFunction, props.table, ['dynamodb:GetItem'], NOTICE_PARTITION_PREFIX);
    // The ledger, read only: a target whose application still runs a catch-up boost is re-assessed too.
    grantOnPartition(this.sweepFunction, props.table, ['dynamodb:Query'], LEDGER_PARTITION_PREFIX);
    // Counts the held fleet slots, so it starts no run that would only be turned away.
    grantOnPartition(this.sweepFunction, props.table, ['dynamodb:Query'], FLEET_SLOT_PARTITION_PREFIX);
    // Counts the fleet's changes of the last hour for the dashboard's fleet summary.
    grantOnPartition(this.sweepFunction, props.table, ['dynamodb:Query'], FLEET_CHANGE_PARTITION_PREFIX);
    props.table.encryptionKey?.grant(this.sweepFunction, 'kms:Decrypt', 'kms:DescribeKey');

    // The role EventBridge Scheduler invokes the sweep with: its own, so that it holds nothing else.
    const scheduleRole = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'StreamMedic: lets EventBridge Scheduler invoke the sweep function',
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'Re-assesses every StreamMedic target whose alarm stays in ALARM',
      schedule: scheduler.ScheduleExpression.rate(rate),
      target: new schedulerTargets.LambdaInvoke(this.sweepFunction, {
        input: scheduler.ScheduleTargetInput.fromObject(props.plan),
        // A sweep delivered after the next one is due has nothing to add to it.
        maxEventAge: Duration.seconds(Math.max(60, rate.toSeconds())),
        retryAttempts: 2,
        role: scheduleRole,
      }),
    });

    this.acknowledgeNagFindings(props.namePrefix, tracing, scheduleRole);
  }

  private acknowledgeNagFindings(namePrefix: string, tracing: boolean, scheduleRole: iam.Role): void {
    const stack = Stack.of(this);
    const role = this.sweepFunction.role!;
    const shown = (value: string, pseudo: string): string => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
    const alarms = `arn:${shown(stack.partition, 'Partition')}:cloudwatch:${shown(stack.region, 'Region')}:${shown(stack.account, 'AccountId')}:alarm:${alarmNamePrefix(namePrefix)}*`;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${alarms}]`,
      reason:
        "cloudwatch:DescribeAlarms on this stack's alarms, by their name prefix: the sweep reads their state and no other alarm's.",
    });
    if (tracing) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Silences exactly xray:PutTraceSegments and xray:PutTelemetryRecords on "*": Lambda active tracing needs them, and they support no resource-level permissions.',
      });
    }
    const logicalId = stack.getLogicalId(this.sweepFunction.node.defaultChild as CfnElement);
    Validations.of(scheduleRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
      reason:
        'Silences lambda:InvokeFunction on `<arn>:*` of the sweep function alone: the schedule may invoke any version or alias of it (CDK grants `<arn>:*`).',
    });
    Validations.of(this.sweepFunction).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is the runtime the bundles are built for and tested on (target node22).',
    });
  }
}
