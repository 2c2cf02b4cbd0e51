import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
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
  }
}
