import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbFleetChangeLog } from '../../../lambdas/adapters/dynamodb-fleet-changes';
import type { Report } from '../../../lambdas/domain/model';
import { fleetChangePartitionKey } from '../../../lambdas/ports/ledger-table';
import { LEDGER_TABLE_OUTPUT_KEY } from '../../../lib/stack-outputs';
import { startDynaliteLedgerTable, type DynaliteLedgerTable } from '../../adapters/support/dynalite-server';
import { LAGGING_APP, Scratch } from '../support/cli-harness';
import { NOW, liveRun, mockedAws, serveAccount, serviceError } from './support/live-harness';

const scratch = new Scratch();
const minutesAgo = (minutes: number): string => new Date(NOW.getTime() - minutes * 60_000).toISOString();

const config = scratch.file('stream-medic.config.json', {
  fleet: { maxChangesPerHour: 2 },
  targets: [
    {
      name: 'orders',
      mode: 'auto',
      stream: { name: 'orders-stream' },
      application: { name: 'orders-enricher', maxParallelism: 6, builtInAutoscaling: 'turn-off' },
    },
  ],
});
const DIAGNOSE = ['diagnose', '--stream', 'orders-stream', '--config', config, '--json'];

let table: DynaliteLedgerTable;

beforeAll(async () => {
  table = await startDynaliteLedgerTable('cli-fleet-budget');
  const changes = new DynamoDbFleetChangeLog(table.documentClient, { tableName: table.tableName });
  // Two other targets' changes within the hour (the cap), and one older that no longer counts.
  await changes.record({ at: minutesAgo(20), target: 'payments', executionId: 'run-1', step: 0 });
  await changes.record({ at: minutesAgo(40), target: 'clicks', executionId: 'run-2', step: 0 });
  await changes.record({ at: minutesAgo(61), target: 'clicks', executionId: 'run-0', step: 0 });
});
afterAll(async () => {
  await table?.stop();
  scratch.remove();
});

/** The account with the deployed stack; its table answers from dynalite, or through `documents` when given. */
function account(documents?: typeof table.documentClient) {
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
  serveAccount(aws, LAGGING_APP);
  return () => ({ ...aws.clients, dynamoDbDocument: documents ?? table.documentClient });
}

/** The table as a policy without Query on the fleet's changes sees it: every other item as before. */
function deniedFleetChanges(): typeof table.documentClient {
  const send = (command: unknown) => {
    const values = command instanceof QueryCommand ? command.input.ExpressionAttributeValues : undefined;
    if (values?.[':pk'] === fleetChangePartitionKey()) {
      return Promise.reject(
        serviceError('AccessDeniedException', 'User is not authorized to perform: dynamodb:Query on resource'),
      );
    }
    return table.documentClient.send(command as QueryCommand);
  };
  return { send } as unknown as typeof table.documentClient;
}

describe('stream-medic diagnose --config on the live account: the fleet budget', () => {
  it("refuses the change the workflow's fleet-budget guardrail would refuse, counting the last hour only", async () => {
    const result = await liveRun(DIAGNOSE, account());

    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    const refused = report.plan.refused.filter((r) => r.guardrail === 'fleet-budget');
    expect(refused.map((r) => r.action.type)).toContain('UpdateApplicationParallelism');
    expect(refused[0]!.reason).toMatch(/the fleet made 2 change\(s\) in the last hour.*fleet\.maxChangesPerHour \(2\)/);
    expect(report.plan.actions.filter((a) => a.type === 'UpdateApplicationParallelism')).toEqual([]);
    expect(result.stderr).not.toMatch(/fleet budget/);
  });

  it('still answers when the fleet changes may not be read, saying the fleet budget is unknown', async () => {
    const result = await liveRun(DIAGNOSE, account(deniedFleetChanges()));

    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.plan.refused.map((r) => r.guardrail)).not.toContain('fleet-budget');
    expect(report.plan.actions.map((a) => a.type)).toContain('UpdateApplicationParallelism');
    expect(result.stderr).toMatch(
      /note: the fleet's changes of the last hour were not read \(access denied: these credentials may not call dynamodb:Query.*\); the fleet budget \(fleet.maxChangesPerHour 2\) is unknown and not checked/,
    );
  });

  it('says the fleet budget is not checked when no deployed stack is found', async () => {
    const aws = mockedAws();
    serveAccount(aws, LAGGING_APP);

    const result = await liveRun(DIAGNOSE, aws.factory);

    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/note: the ledger was not read \(.*\);.*and the fleet budget is not checked/);
  });
});
