import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { LEDGER_TABLE_OUTPUT_KEY, OPERATOR_POLICY_OUTPUT_KEY } from './stack-outputs';
import { StreamRemediator, type StreamRemediatorProps } from './stream-remediator';

/** The stack's own props and every {@link StreamRemediator} prop, passed on to it. */
export interface StreamMedicStackProps extends StackProps, StreamRemediatorProps {}

/** The deployable StreamMedic stack: one {@link StreamRemediator} and the outputs operators need. */
export class StreamMedicStack extends Stack {
  readonly remediator: StreamRemediator;

  constructor(scope: Construct, id: string, props: StreamMedicStackProps) {
    super(scope, id, props);
    this.remediator = new StreamRemediator(this, 'StreamMedic', props);

    new CfnOutput(this, 'StateMachineArn', {
      description:
        'Start a run by hand: aws stepfunctions start-execution --input \'{"target":"<name>","dryRun":true}\'',
      value: this.remediator.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'TopicArn', {
      description: 'SNS topic StreamMedic reports to',
      value: this.remediator.topic.topicArn,
    });
    new CfnOutput(this, LEDGER_TABLE_OUTPUT_KEY, {
      description: 'The ledger table: what StreamMedic changed, and the pauses (stream-medic history, pause, resume)',
      value: this.remediator.table.tableName,
    });
    new CfnOutput(this, OPERATOR_POLICY_OUTPUT_KEY, {
      description: 'Attach to the people who may pause and resume StreamMedic and read its history',
      value: this.remediator.operatorPolicy.managedPolicyArn,
    });
  }
}
