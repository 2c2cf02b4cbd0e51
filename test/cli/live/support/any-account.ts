import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeStreamSummaryCommand,
  ListStreamsCommand,
  ListTagsForResourceCommand,
  type DescribeStreamSummaryCommandOutput,
} from '@aws-sdk/client-kinesis';
import {
  DescribeApplicationCommand,
  ListApplicationsCommand,
  ListTagsForResourceCommand as ListApplicationTagsCommand,
  type DescribeApplicationCommandOutput,
} from '@aws-sdk/client-kinesis-analytics-v2';
import {
  DescribeExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { approvalRequestKey } from '../../../../lambdas/ports/ledger-table';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { LEDGER_TABLE_OUTPUT_KEY } from '../../../../lib/stack-outputs';
import { LAGGING_APP } from '../../support/cli-harness';
import { EXECUTION_ARN, STATE_MACHINE_ARN, finalStateFor } from './execution-output';
import { mockedAws, serveAccount, type MockedAws } from './live-harness';

/**
 * An account where every stream and application the docs name exists (all look like the lagging
 * pipeline) and a deployed stack whose runs succeed as dry runs of "orders".
 */
export function anyAccount(): MockedAws {
  const aws = mockedAws();
  const served = serveAccount(aws, LAGGING_APP);
  const summary = served.describeStreamSummary!.StreamDescriptionSummary;
  aws.kinesis.on(DescribeStreamSummaryCommand).callsFake(
    (input: { StreamName: string }) =>
      ({
        StreamDescriptionSummary: { ...summary, StreamName: input.StreamName },
      }) as unknown as DescribeStreamSummaryCommandOutput,
  );
  const detail = served.describeApplication!.ApplicationDetail;
  aws.kinesisAnalytics.on(DescribeApplicationCommand).callsFake(
    (input: { ApplicationName: string }) =>
      ({
        ApplicationDetail: { ...detail, ApplicationName: input.ApplicationName },
      }) as unknown as DescribeApplicationCommandOutput,
  );
  aws.cloudFormation.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'StreamMedic',
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: [
          { OutputKey: 'StateMachineArn', OutputValue: STATE_MACHINE_ARN },
          { OutputKey: LEDGER_TABLE_OUTPUT_KEY, OutputValue: 'StreamMedic-Ledger' },
        ],
      },
    ],
  });
  // A ledger with nothing paused or changed yet, and one run of "orders" waiting for a decision.
  aws.dynamoDbDocument.on(GetCommand).resolves({});
  aws.dynamoDbDocument.on(GetCommand, { Key: approvalRequestKey('orders') }).resolves({
    Item: {
      ...approvalRequestKey('orders'),
      target: 'orders',
      executionId: EXECUTION_ARN,
      taskToken: 'token-of-orders',
      requestedAt: new Date().toISOString(),
      timesOutAt: new Date(Date.now() + 30 * 60_000).toISOString(),
      plan: ['UpdateShardCount orders-stream 2 -> 4 shards (call 1 of 1)'],
    },
  });
  aws.stepFunctions.on(SendTaskSuccessCommand).resolves({});
  aws.stepFunctions.on(SendTaskFailureCommand).resolves({});
  aws.dynamoDbDocument.on(PutCommand).resolves({});
  aws.dynamoDbDocument.on(DeleteCommand).resolves({});
  aws.dynamoDbDocument.on(QueryCommand).resolves({ Items: [] });
  aws.stepFunctions.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: new Date() });
  aws.stepFunctions.on(DescribeExecutionCommand).resolves({
    executionArn: EXECUTION_ARN,
    stateMachineArn: STATE_MACHINE_ARN,
    status: 'SUCCEEDED',
    startDate: new Date(),
    output: JSON.stringify(finalStateFor({ target: 'orders', dryRun: true })),
  });
  // The pipeline `discover` finds: the stream and the application that reads it.
  aws.kinesis.on(ListStreamsCommand).resolves({ StreamNames: ['orders-stream'], HasMoreStreams: false });
  aws.kinesis.on(ListTagsForResourceCommand).resolves({ Tags: [{ Key: 'team', Value: 'payments' }] });
  aws.kinesisAnalytics.on(ListApplicationsCommand).resolves({
    ApplicationSummaries: [
      {
        ApplicationName: 'orders-enricher',
        ApplicationARN: 'arn:aws:kinesisanalytics:eu-west-1:123456789012:application/orders-enricher',
        ApplicationStatus: 'RUNNING',
        ApplicationVersionId: 1,
        RuntimeEnvironment: 'FLINK-1_20',
      },
    ],
  });
  aws.kinesisAnalytics.on(ListApplicationTagsCommand).resolves({ Tags: [] });
  return aws;
}
