import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDbLedger } from '../../../lambdas/adapters/dynamodb-ledger';
import { DynamoDbPauseSwitch } from '../../../lambdas/adapters/dynamodb-pause-switch';
import { DynamoDbRefusalLog } from '../../../lambdas/adapters/dynamodb-refusal-log';
import type { LedgerEntry, Report } from '../../../lambdas/domain/model';
import { FLEET_SCOPE } from '../../../lambdas/domain/pause';
import { LEDGER_TABLE_OUTPUT_KEY } from '../../../lib/stack-outputs';
import { startDynaliteLedgerTable, type DynaliteLedgerTable } from '../../adapters/support/dynalite-server';
import { LAGGING_APP, Scratch } from '../support/cli-harness';
import { NOW, liveRun, mockedAws, serveAccount } from './support/live-harness';

const scratch = new Scratch();
const minutesAgo = (minutes: number): string => new Date(NOW.getTime() - minutes * 60_000).toISOString();

const CONFIG = {
  targets: [
    {
      name: 'orders',
      mode: 'auto',
      stream: { name: 'orders-stream' },
      application: { name: 'orders-enricher', maxParallelism: 6, builtInAutoscaling: 'turn-off' },
    },
    { name: 'clicks', mode: 'auto', stream: { name: 'clicks-stream' } },
  ],
};
const config = scratch.file('stream-medic.config.json', CONFIG);

function parallelismChange(at: string, from: number, to: number): LedgerEntry {
  return {
    at,
    target: 'orders',
    resource: 'application/orders-enricher',
    actionType: 'UpdateApplicationParallelism',
    direction: to > from ? 'up' : 'down',
    from,
    to,
    calls: 1,
    executionId: 'arn:aws:states:eu-west-1:111122223333:execution:StreamMedic:run-7',
  };
}

const REFUSING_RUN = 'arn:aws:states:eu-west-1:111122223333:execution:StreamMedic:run-8';
const COOLDOWN_REASON =
  'application/orders-enricher scaled up 2 min ago; the cooldown is 15 min, so the last change is still settling';

let table: DynaliteLedgerTable;

beforeAll(async () => {
  table = await startDynaliteLedgerTable('cli-history');
  const ledger = new DynamoDbLedger(table.documentClient, { tableName: table.tableName });
  const pauses = new DynamoDbPauseSwitch(table.documentClient, { tableName: table.tableName });
  await ledger.record(parallelismChange(minutesAgo(3 * 24 * 60), 2, 3));
  await ledger.record(parallelismChange(minutesAgo(10), 3, 4));
  await ledger.record({
    ...parallelismChange(minutesAgo(20), 1, 2),
    target: 'clicks',
    resource: 'stream/clicks-stream',
    actionType: 'UpdateShardCount',
  });
  await pauses.pause({ scope: FLEET_SCOPE, by: 'alice', reason: 'failover drill', at: minutesAgo(60) });
  await pauses.resume(FLEET_SCOPE, 'alice', minutesAgo(30));
  await new DynamoDbRefusalLog(table.documentClient, { tableName: table.tableName }).record([
    {
      target: 'orders',
      executionId: REFUSING_RUN,
      runStartedAt: minutesAgo(8),
      index: 0,
      at: minutesAgo(7.5),
      guardrail: 'cooldown',
      actionType: 'UpdateApplicationParallelism',
      resource: 'application/orders-enricher',
      action: 'set application orders-enricher parallelism from 4 to 6 (1 per KPU, 6 KPU)',
      reason: COOLDOWN_REASON,
    },
  ]);
  await pauses.pause({ scope: 'orders', by: 'bob', reason: 'bad deploy', at: minutesAgo(5) });
});
afterAll(async () => {
  await table?.stop();
  scratch.remove();
});

function account() {
  const aws = mockedAws();
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
  return { aws, factory: () => ({ ...aws.clients, dynamoDbDocument: table.documentClient }) };
}

describe('stream-medic history', () => {
  it("prints a target's changes and the pauses that held it, oldest first, with who and why", async () => {
    const result = await liveRun(['history', '--target', 'orders'], account().factory);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.trimEnd().split('\n').slice(2);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^\S+\s+\(every target\)\s+pause\s+paused every target\s+alice\s+failover drill$/);
    expect(lines[1]).toMatch(/\(every target\)\s+resume\s+resumed every target\s+alice$/);
    expect(lines[2]).toContain('UpdateApplicationParallelism application/orders-enricher 3 -> 4 (up, 1 call)');
    expect(lines[2]).toContain('execution:StreamMedic:run-7');
    expect(lines[3]).toMatch(/^\S+\s+orders\s+refused\s+cooldown refused: set application orders-enricher/);
    expect(lines[3]).toContain(`execution:StreamMedic:run-8  ${COOLDOWN_REASON}`);
    expect(lines[4]).toMatch(/^\S+\s+orders\s+pause\s+paused target orders\s+bob\s+bad deploy$/);
  });

  it('reads every target of the config, as JSON, as far back as --since says', async () => {
    const result = await liveRun(['history', '--config', config, '--since', '7d', '--json'], account().factory);

    expect(result.code).toBe(0);
    const { since, events } = JSON.parse(result.stdout) as {
      since: string;
      events: { at: string; kind: string; target: string }[];
    };
    expect(since).toBe(minutesAgo(7 * 24 * 60));
    expect(events.map((e) => `${e.kind} ${e.target}`)).toEqual([
      'change orders',
      'pause *',
      'resume *',
      'change clicks',
      'change orders',
      'refused orders',
      'pause orders',
    ]);
  });

  it('carries what a guardrail refused in --json: the guardrail, the action, the reason and the run', async () => {
    const result = await liveRun(['history', '--target', 'orders', '--since', '9m', '--json'], account().factory);

    const { events } = JSON.parse(result.stdout) as { events: Record<string, string>[] };
    expect(events).toEqual([
      {
        at: minutesAgo(7.5),
        kind: 'refused',
        target: 'orders',
        by: REFUSING_RUN,
        what: 'cooldown refused: set application orders-enricher parallelism from 4 to 6 (1 per KPU, 6 KPU)',
        why: COOLDOWN_REASON,
        guardrail: 'cooldown',
      },
      expect.objectContaining({ kind: 'pause', target: 'orders' }),
    ]);
  });

  it('leaves out refusals older than --since', async () => {
    const result = await liveRun(['history', '--target', 'orders', '--since', '7m', '--json'], account().factory);

    const { events } = JSON.parse(result.stdout) as { events: { kind: string }[] };
    expect(events.map((e) => e.kind)).toEqual(['pause']);
  });

  it('says so when the ledger holds nothing in the span', async () => {
    const result = await liveRun(['history', '--target', 'payments', '--since', '20m'], account().factory);

    expect(result.stdout).toBe(`Nothing in the ledger since ${minutesAgo(20)}.\n`);
  });

  it.each([
    [['history', '--target', 'orders', '--since', 'yesterday'], /--since: must be a span such as 90m, 24h or 7d/],
    [['history', '--target', 'orders', '--config', 'x.json'], /--target and --config both say which targets/],
  ])('refuses %j before any AWS call', async (argv, message) => {
    const { aws, factory } = account();
    const result = await liveRun(argv, factory);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(aws.cloudFormation.calls()).toHaveLength(0);
  });
});

describe('stream-medic diagnose --config on the live account reads the deployed ledger', () => {
  it("refuses a change the workflow's cooldown would refuse, because the workflow made one ten minutes ago", async () => {
    const { aws, factory } = account();
    serveAccount(aws, LAGGING_APP);

    const withLedger = JSON.parse(
      (await liveRun(['diagnose', '--stream', 'orders-stream', '--config', config, '--json'], factory)).stdout,
    ) as Report;
    const withoutStack = mockedAws();
    serveAccount(withoutStack, LAGGING_APP);
    const blind = await liveRun(
      ['diagnose', '--stream', 'orders-stream', '--config', config, '--json'],
      withoutStack.factory,
    );

    expect(withLedger.plan.refused.map((r) => r.guardrail)).toContain('cooldown');
    expect(withLedger.plan.actions.filter((a) => a.type === 'UpdateApplicationParallelism')).toEqual([]);
    const blindReport = JSON.parse(blind.stdout) as Report;
    expect(blindReport.plan.actions.map((a) => a.type)).toContain('UpdateApplicationParallelism');
    expect(blind.stderr).toMatch(
      /note: the ledger was not read \(.*\); cooldowns and the daily budget assume no past changes/,
    );
  });
});
