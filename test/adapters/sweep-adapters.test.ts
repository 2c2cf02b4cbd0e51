import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchAlarmsSource } from '../../lambdas/adapters/cloudwatch-alarms-source';
import { DynamoDbNoticeLog, DynamoDbTurnedAwayLog } from '../../lambdas/adapters/dynamodb-run-notes';
import { SfnExecutionStarter } from '../../lambdas/adapters/sfn-execution-starter';
import { awsError } from './support/aws-errors';

const cloudwatch = mockClient(CloudWatchClient);
const sfn = mockClient(SFNClient);
const dynamo = mockClient(DynamoDBDocumentClient);
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const TABLE = 'stream-medic-ledger';
const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:StreamMedic';

beforeEach(() => {
  cloudwatch.reset();
  sfn.reset();
  dynamo.reset();
});

describe('CloudWatchAlarmsSource', () => {
  const source = new CloudWatchAlarmsSource(new CloudWatchClient({ region: 'eu-west-1' }));

  it('asks DescribeAlarms for the named metric alarms in ALARM, every page, with when each changed state', async () => {
    cloudwatch
      .on(DescribeAlarmsCommand, { NextToken: undefined })
      .resolves({
        MetricAlarms: [
          {
            AlarmName: 'StreamMedic-orders-app-lag',
            StateValue: 'ALARM',
            StateTransitionedTimestamp: new Date('2026-11-21T10:00:00Z'),
          },
        ],
        NextToken: 'page-2',
      })
      .on(DescribeAlarmsCommand, { NextToken: 'page-2' })
      .resolves({ MetricAlarms: [{ AlarmName: 'StreamMedic-orders-app-cpu', StateValue: 'ALARM' }] });

    const found = await source.alarmsInAlarm(['StreamMedic-orders-app-lag', 'StreamMedic-orders-app-cpu']);

    expect(found).toEqual([
      { alarmName: 'StreamMedic-orders-app-lag', since: '2026-11-21T10:00:00.000Z' },
      { alarmName: 'StreamMedic-orders-app-cpu' },
    ]);
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)[0]!.args[0].input).toEqual({
      AlarmNames: ['StreamMedic-orders-app-lag', 'StreamMedic-orders-app-cpu'],
      AlarmTypes: ['MetricAlarm'],
      StateValue: 'ALARM',
    });
  });

  it('leaves out an alarm reported in another state, and calls nothing for no names', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'OK' }] });
    await expect(source.alarmsInAlarm(['a'])).resolves.toEqual([]);
    await expect(source.alarmsInAlarm([])).resolves.toEqual([]);
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)).toHaveLength(1);
  });

  it('refuses more than the 100 names DescribeAlarms takes', async () => {
    const names = Array.from({ length: 101 }, (_, i) => `a${i}`);
    await expect(source.alarmsInAlarm(names)).rejects.toMatchObject({ name: 'InvalidRequestError' });
  });

  it('maps a throttled call to ThrottlingError, for the sweep to fail and the next one to try again', async () => {
    cloudwatch.on(DescribeAlarmsCommand).rejects(awsError('Throttling', 'Rate exceeded', 400));
    await expect(source.alarmsInAlarm(['a'])).rejects.toMatchObject({ name: 'ThrottlingError' });
  });
});

describe('SfnExecutionStarter', () => {
  const starter = new SfnExecutionStarter(new SFNClient({ region: 'eu-west-1' }), MACHINE);

  it('starts an execution of its state machine with the name and the input as JSON', async () => {
    const arn = `${MACHINE.replace(':stateMachine:', ':execution:')}:sweep-orders-20261121T1015`;
    sfn.on(StartExecutionCommand).resolves({ executionArn: arn, startDate: new Date() });
    const input = { sweep: { target: 'orders', alarmNames: ['StreamMedic-orders-app-lag'] } };

    await expect(starter.start(input, 'sweep-orders-20261121T1015')).resolves.toEqual({ executionArn: arn });
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toEqual({
      stateMachineArn: MACHINE,
      name: 'sweep-orders-20261121T1015',
      input: JSON.stringify(input),
    });
  });

  it('takes a name already used as the run an earlier delivery of the same sweep started', async () => {
    sfn.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists', 'Execution already exists', 400));
    await expect(starter.start({}, 'sweep-orders-20261121T1015')).resolves.toEqual({
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:StreamMedic:sweep-orders-20261121T1015',
    });
  });

  it('maps a refused start to its port error', async () => {
    sfn.on(StartExecutionCommand).rejects(awsError('AccessDeniedException', 'not allowed', 400));
    await expect(starter.start({}, 'n')).rejects.toMatchObject({ name: 'AccessDeniedError' });
  });
});

describe('DynamoDbNoticeLog and DynamoDbTurnedAwayLog', () => {
  const notices = new DynamoDbNoticeLog(documents, TABLE);
  const turnedAway = new DynamoDbTurnedAwayLog(documents, TABLE);
  const notice = {
    target: 'orders',
    at: '2026-11-21T10:15:00.000Z',
    executionId: 'arn:aws:states:eu-west-1:123456789012:execution:StreamMedic:run-1',
    fingerprint: 'resolved|CONSUMER_COMPUTE|warning|Resolved | StreamMedic orders',
    subject: 'Resolved | StreamMedic orders',
  };

  it("keeps the last notice in the target's NOTICE# item, expiring with the ledger", async () => {
    dynamo.on(PutCommand).resolves({});
    await notices.remember(notice);
    expect(dynamo.commandCalls(PutCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Item: {
        pk: 'NOTICE#orders',
        sk: 'LAST',
        at: notice.at,
        executionId: notice.executionId,
        fingerprint: notice.fingerprint,
        subject: notice.subject,
        expiresAt: Math.floor(Date.parse(notice.at) / 1000) + 30 * 24 * 3600,
      },
    });
  });

  it('reads the last notice back with a consistent read, and none when there is none', async () => {
    dynamo
      .on(GetCommand, { Key: { pk: 'NOTICE#orders', sk: 'LAST' } })
      .resolves({ Item: { pk: 'NOTICE#orders', sk: 'LAST', ...notice } })
      .on(GetCommand, { Key: { pk: 'NOTICE#clicks', sk: 'LAST' } })
      .resolves({});
    await expect(notices.last('orders')).resolves.toEqual(notice);
    await expect(notices.last('clicks')).resolves.toBeUndefined();
    expect(dynamo.commandCalls(GetCommand)[0]!.args[0].input.ConsistentRead).toBe(true);
  });

  it('records a turned-away run under TURNED_AWAY#, by time and execution', async () => {
    dynamo.on(PutCommand).resolves({});
    const run = {
      target: 'orders',
      at: '2026-11-21T10:20:00.000Z',
      executionId: 'arn:aws:states:eu-west-1:123456789012:execution:StreamMedic:sweep-orders-20261121T1020',
      trigger: 'sweep',
      heldBy: notice.executionId,
    };
    await turnedAway.record(run);
    expect(dynamo.commandCalls(PutCommand)[0]!.args[0].input.Item).toMatchObject({
      pk: 'TURNED_AWAY#orders',
      sk: `2026-11-21T10:20:00.000Z#${run.executionId}`,
      trigger: 'sweep',
      heldBy: notice.executionId,
    });
  });
});
