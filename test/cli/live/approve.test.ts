import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { DynamoDbApprovals } from '../../../lambdas/adapters/dynamodb-approvals';
import type { ApprovalRequest } from '../../../lambdas/domain/approval';
import { LEDGER_TABLE_OUTPUT_KEY } from '../../../lib/stack-outputs';
import { startDynaliteLedgerTable, type DynaliteLedgerTable } from '../../adapters/support/dynalite-server';
import { NOW, OPERATOR_ARN, liveRun, mockedAws, serviceError } from './support/live-harness';

const EXECUTION = 'arn:aws:states:eu-west-1:111122223333:execution:StreamMedic:run-9';

describe('stream-medic approve and deny', () => {
  let table: DynaliteLedgerTable;
  let approvals: DynamoDbApprovals;
  let aws: ReturnType<typeof mockedAws>;
  const factory = () => ({ ...aws.clients, dynamoDbDocument: table.documentClient });

  function request(target: string): ApprovalRequest {
    return {
      target,
      executionId: EXECUTION,
      taskToken: `token-of-${target}`,
      requestedAt: new Date(NOW.getTime() - 60_000).toISOString(),
      timesOutAt: new Date(NOW.getTime() + 29 * 60_000).toISOString(),
      plan: [
        'UpdateShardCount orders-stream 2 -> 4 shards (call 1 of 2)',
        'UpdateShardCount orders-stream 4 -> 7 shards (call 2 of 2)',
      ],
    };
  }

  beforeAll(async () => {
    table = await startDynaliteLedgerTable('cli-approve');
    approvals = new DynamoDbApprovals(table.documentClient, { tableName: table.tableName });
  });
  afterAll(async () => {
    await table?.stop();
  });
  beforeEach(() => {
    aws = mockedAws();
    aws.cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'StreamMedic',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: NOW,
          Outputs: [{ OutputKey: LEDGER_TABLE_OUTPUT_KEY, OutputValue: table.tableName }],
        },
      ],
    });
    aws.stepFunctions.on(SendTaskSuccessCommand).resolves({});
    aws.stepFunctions.on(SendTaskFailureCommand).resolves({});
  });

  it("sends the approval with the operator's name and verified ARN to the waiting run, records it, and withdraws the request", async () => {
    await approvals.open(request('orders'));

    const result = await liveRun(['approve', '--target', 'orders', '--by', 'alice'], factory);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(
      `Approved the plan of orders as alice (${OPERATOR_ARN}): UpdateShardCount orders-stream 2 -> 4`,
    );
    const sent = aws.stepFunctions.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input;
    expect(sent.taskToken).toBe('token-of-orders');
    expect(JSON.parse(sent.output!)).toEqual({
      decision: 'approved',
      by: 'alice',
      operatorArn: OPERATOR_ARN,
      at: NOW.toISOString(),
    });
    expect(await approvals.waiting('orders')).toBeUndefined();
    expect(await approvals.events('orders', '2026-01-01T00:00:00Z')).toEqual([
      {
        outcome: 'approved',
        target: 'orders',
        executionId: EXECUTION,
        by: 'alice',
        operatorArn: OPERATOR_ARN,
        at: NOW.toISOString(),
      },
    ]);
  });

  it('sends a denial as the ApprovalDenied error, with who and why, and records it', async () => {
    await approvals.open(request('clicks'));
    const bob = 'arn:aws:sts::123456789012:assumed-role/StreamMedicOperators/bob';
    aws.sts.on(GetCallerIdentityCommand).resolves({ Arn: bob });

    const result = await liveRun(
      ['deny', '--target', 'clicks', '--by', 'bob', '--reason', 'a deploy is rolling out'],
      factory,
    );

    expect(result.code).toBe(0);
    expect(aws.stepFunctions.commandCalls(SendTaskFailureCommand)[0]!.args[0].input).toEqual({
      taskToken: 'token-of-clicks',
      error: 'ApprovalDenied',
      cause: `denied by bob (${bob}): a deploy is rolling out`,
    });
    expect(aws.stepFunctions.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    const [event] = await approvals.events('clicks', '2026-01-01T00:00:00Z');
    expect(event).toMatchObject({ outcome: 'denied', by: 'bob', operatorArn: bob, reason: 'a deploy is rolling out' });

    const history = await liveRun(['history', '--target', 'clicks', '--json'], factory);
    expect(JSON.parse(history.stdout).events).toEqual([
      expect.objectContaining({ kind: 'denied', by: 'bob', operatorArn: bob, why: 'a deploy is rolling out' }),
    ]);
    const table = await liveRun(['history', '--target', 'clicks'], factory);
    expect(table.stdout).toContain(`bob (${bob})`);
  });

  it('records the verified ARN whatever --by says: the name is for people, the ARN is who called', async () => {
    await approvals.open(request('spoofed'));

    await liveRun(['approve', '--target', 'spoofed', '--by', 'the-cto'], factory);

    const [event] = await approvals.events('spoofed', '2026-01-01T00:00:00Z');
    expect(event).toMatchObject({ outcome: 'approved', by: 'the-cto', operatorArn: OPERATOR_ARN });
  });

  it('sends no decision when STS cannot say who calls, and says why', async () => {
    await approvals.open(request('unknown'));
    aws.sts
      .on(GetCallerIdentityCommand)
      .rejects(serviceError('ExpiredTokenException', 'The security token included in the request is expired'));

    const result = await liveRun(['approve', '--target', 'unknown', '--by', 'erin'], factory);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the AWS credentials have expired');
    expect(aws.stepFunctions.calls()).toHaveLength(0);
    expect(await approvals.waiting('unknown')).toBeDefined();
  });

  it('says so when no run of the target waits, and sends nothing', async () => {
    const result = await liveRun(['approve', '--target', 'payments', '--by', 'carol'], factory);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe('stream-medic: no run of "payments" waits for a decision\n');
    expect(aws.stepFunctions.calls()).toHaveLength(0);
  });

  it('says the run no longer waits when the token has timed out, and records nothing', async () => {
    await approvals.open(request('late'));
    aws.stepFunctions.on(SendTaskSuccessCommand).rejects(serviceError('TaskTimedOut', 'Task Timed Out'));

    const result = await liveRun(['approve', '--target', 'late', '--by', 'dave'], factory);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the run of "late" no longer waits for a decision \(TaskTimedOut\)/);
    expect(await approvals.events('late', '2026-01-01T00:00:00Z')).toEqual([]);
  });

  it('refuses a bad --target before any AWS call', async () => {
    const result = await liveRun(['deny', '--target', 'not a name'], factory);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--target: /);
    expect(aws.cloudFormation.calls()).toHaveLength(0);
  });
});
