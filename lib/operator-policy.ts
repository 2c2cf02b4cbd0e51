import { Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  APPROVAL_PARTITION_PREFIX,
  FLEET_CHANGE_PARTITION_PREFIX,
  LEDGER_PARTITION_PREFIX,
  PAUSE_PARTITION_PREFIX,
} from '../lambdas/ports/ledger-table';
import { grantOnPartition } from './workflow-permissions';

export interface OperatorPolicyProps {
  /** The ledger table; the pauses are items of their own partition prefix in it. */
  readonly table: dynamodb.ITable;
}

/**
 * What the operators' commands need, as a managed policy to attach to the people (or their roles)
 * who may stop StreamMedic and decide on its plans: set and clear the kill switch (`stream-medic
 * pause` / `resume`), approve or deny a plan of a target in mode `approve` (`stream-medic approve` /
 * `deny`), read the history and the ledger (`stream-medic history`, `diagnose --config`), count the
 * fleet's changes of the last hour (`diagnose --config`), and find the stack's outputs.
 * Nothing else in the stack may set the switch or send a decision: the workflow may only read the
 * switch and open and close its own approval requests.
 */
export class OperatorPolicy extends Construct {
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: OperatorPolicyProps) {
    super(scope, id);
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'StreamMedic operators: pause and resume, approve and deny plans, read the history',
    });
    grantOnPartition(
      this.policy,
      props.table,
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
      PAUSE_PARTITION_PREFIX,
    );
    grantOnPartition(this.policy, props.table, ['dynamodb:Query'], LEDGER_PARTITION_PREFIX);
    // stream-medic diagnose --config: the fleet's changes of the last hour, for the fleet-budget guardrail.
    grantOnPartition(this.policy, props.table, ['dynamodb:Query'], FLEET_CHANGE_PARTITION_PREFIX);
    // stream-medic approve and deny: find the waiting request, record the decision, withdraw the request.
    grantOnPartition(
      this.policy,
      props.table,
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
      APPROVAL_PARTITION_PREFIX,
    );
    // SendTaskSuccess and SendTaskFailure support no resource-level permissions (Service Authorization
    // Reference, AWS Step Functions): the task token itself names the waiting task.
    this.policy.addStatements(
      new iam.PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: ['*'] }),
    );
    Validations.of(this.policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Silences exactly states:SendTaskSuccess and states:SendTaskFailure on "*": they support no resource-level permissions; the task token names the waiting task, and only this operators\' policy holds them.',
    });
    // The commands find the table from the stack's outputs: this stack alone, by its own ID.
    this.policy.addStatements(
      new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [Stack.of(this).stackId] }),
    );
  }
}
