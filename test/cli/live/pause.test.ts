import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDbPauseSwitch } from '../../../lambdas/adapters/dynamodb-pause-switch';
import { FLEET_SCOPE } from '../../../lambdas/domain/pause';
import { LEDGER_TABLE_OUTPUT_KEY } from '../../../lib/stack-outputs';
import { startDynaliteLedgerTable, type DynaliteLedgerTable } from '../../adapters/support/dynalite-server';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { NOW, OPERATOR_ARN, liveRun, mockedAws } from './support/live-harness';

describe('stream-medic pause and resume', () => {
  let table: DynaliteLedgerTable;
  let aws: ReturnType<typeof mockedAws>;
  let pauses: DynamoDbPauseSwitch;
  const factory = () => ({ ...aws.clients, dynamoDbDocument: table.documentClient });

  beforeAll(async () => {
    table = await startDynaliteLedgerTable('cli-pause');
    pauses = new DynamoDbPauseSwitch(table.documentClient, { tableName: table.tableName });
  });
  afterAll(async () => {
    await table?.stop();
  });
  beforeEach(() => {
    aws = mockedAws();
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: 'StreamMedic' }).resolves({
      Stacks: [
        {
          StackName: 'StreamMedic',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: NOW,
          Outputs: [{ OutputKey: LEDGER_TABLE_OUTPUT_KEY, OutputValue: table.tableName }],
        },
      ],
    });
  });

  it('pauses every target, found from the stack output, with who and why; resume lifts it', async () => {
    const paused = await liveRun(['pause', '--reason', 'failover drill', '--by', 'alice'], factory);

    expect(paused).toMatchObject({ code: 0, stderr: '' });
    expect(paused.stdout).toBe(
      `StreamMedic is PAUSED for every target by alice since ${NOW.toISOString()}: failover drill. ` +
        'Nothing is changed until it is resumed (stream-medic resume).\n',
    );
    expect(await pauses.pausesFor('orders')).toEqual([
      { scope: FLEET_SCOPE, by: 'alice', operatorArn: OPERATOR_ARN, reason: 'failover drill', at: NOW.toISOString() },
    ]);

    const bob = 'arn:aws:iam::123456789012:user/bob';
    aws.sts.on(GetCallerIdentityCommand).resolves({ Arn: bob });
    // A minute later, so the history's order does not rest on two events of the same instant.
    const resumed = await liveRun(['resume', '--by', 'bob'], factory, { now: new Date(NOW.getTime() + 60_000) });

    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toBe(`Resumed every target (paused by alice since ${NOW.toISOString()}: failover drill).\n`);
    expect(await pauses.pausesFor('orders')).toEqual([]);
    expect(
      (await pauses.events(FLEET_SCOPE, '2026-01-01T00:00:00Z')).map((e) => `${e.kind} by ${e.by} as ${e.operatorArn}`),
    ).toEqual([`pause by alice as ${OPERATOR_ARN}`, `resume by bob as ${bob}`]);
  });

  it("says which pause still holds when a target's own pause is lifted under a fleet pause", async () => {
    await liveRun(['pause', '--reason', 'drill', '--by', 'alice', '--table', table.tableName], factory);
    await liveRun(['pause', '--target', 'orders', '--reason', 'bad deploy', '--by', 'carol'], factory);

    const resumed = await liveRun(['resume', '--target', 'orders', '--by', 'carol'], factory);

    expect(resumed.stdout).toContain('Resumed target orders (paused by carol');
    expect(resumed.stdout).toContain('Still in force: StreamMedic is PAUSED for every target by alice');
    await liveRun(['resume', '--by', 'alice'], factory);
  });

  it('says so when there is nothing to resume', async () => {
    const resumed = await liveRun(['resume', '--target', 'payments', '--by', 'dave'], factory);

    expect(resumed).toMatchObject({ code: 0, stdout: 'Nothing to resume: target payments was not paused.\n' });
  });

  it.each([
    [['pause', '--reason', '   '], /--reason: must say why StreamMedic is paused/],
    [['pause', '--reason', 'x'.repeat(301)], /--reason: must be at most 300 characters, got 301/],
    [['pause', '--target', 'no such/target', '--reason', 'r'], /--target: /],
    [['pause', '--target', 'orders'], /required option '--reason <text>' not specified/],
  ])('refuses %j before any AWS call, naming the field', async (argv, message) => {
    const result = await liveRun(argv, factory);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(aws.cloudFormation.calls()).toHaveLength(0);
    expect(await pauses.pausesFor('orders')).toEqual([]);
  });

  it('names the permission when the caller may not change the switch', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: dynamodb:PutItem'), {
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    const failing = () => ({
      ...aws.clients,
      dynamoDbDocument: { send: () => Promise.reject(denied) } as unknown as typeof table.documentClient,
    });

    const result = await liveRun(['pause', '--reason', 'drill', '--by', 'eve', '--region', 'eu-west-1'], failing);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('dynamodb:PutItem');
  });
});
