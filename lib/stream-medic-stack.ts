import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StreamMedicConfigInput } from '../lambdas/domain/config';
import { StreamRemediator, type StreamRemediatorProps } from './stream-remediator';

export interface StreamMedicStackProps extends StackProps {
  /** The StreamMedic config document; validated by {@link StreamRemediator}. */
  readonly config: StreamMedicConfigInput;
  /**
   * Name of the StreamMedic dashboard.
   * @default - a name CloudFormation generates
   */
  readonly dashboardName?: string;
}

/** The deployable StreamMedic stack: one {@link StreamRemediator} and the outputs operators need. */
export class StreamMedicStack extends Stack {
  readonly remediator: StreamRemediator;

  constructor(scope: Construct, id: string, props: StreamMedicStackProps) {
    super(scope, id, props);
    const remediatorProps: StreamRemediatorProps = {
      config: props.config,
      ...(props.dashboardName !== undefined ? { dashboardName: props.dashboardName } : {}),
    };
    this.remediator = new StreamRemediator(this, 'StreamMedic', remediatorProps);

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
