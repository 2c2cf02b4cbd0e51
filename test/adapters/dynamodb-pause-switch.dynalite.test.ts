import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbLedger } from '../../lambdas/adapters/dynamodb-ledger';
import { DynamoDbPauseSwitch } from '../../lambdas/adapters/dynamodb-pause-switch';
import { FLEET_SCOPE, pauseFor, type Pause } from '../../lambdas/domain/pause';
import { pauseItemKey } from '../../lambdas/ports/ledger-table';
import { startDynaliteLedgerTable, type DynaliteLedgerTable } from './support/dynalite-server';

describe('DynamoDbPauseSwitch against dynalite', () => {
  let table: DynaliteLedgerTable;
  let pauses: DynamoDbPauseSwitch;

  beforeAll(async () => {
    table = await startDynaliteLedgerTable('pause-switch');
    pauses = new DynamoDbPauseSwitch(table.documentClient, { tableName: table.tableName });
  });

  afterAll(async () => {
    await table?.stop();
  });

  const fleetPause: Pause = {
    scope: FLEET_SCOPE,
    by: 'alice',
    reason: 'region failover drill',
    at: '2026-12-07T03:00:00.000Z',
  };

  it('reads a fleet pause for every target, and a target pause for that target only', async () => {
    await pauses.pause(fleetPause);
    await pauses.pause({ scope: 'orders', by: 'bob', reason: 'bad deploy', at: '2026-12-07T03:05:00.000Z' });

    expect(pauseFor('orders', await pauses.pausesFor('orders'))?.reason).toBe('bad deploy');
    expect(pauseFor('payments', await pauses.pausesFor('payments'))).toEqual(fleetPause);

    const cleared = await pauses.resume('orders', 'bob', '2026-12-07T03:30:00.000Z');
    expect(cleared?.reason).toBe('bad deploy');
    expect(pauseFor('orders', await pauses.pausesFor('orders'))).toEqual(fleetPause);

    await pauses.resume(FLEET_SCOPE, 'alice', '2026-12-07T04:00:00.000Z');
    expect(await pauses.pausesFor('orders')).toEqual([]);
  });

  it('resuming a scope that is not paused changes nothing and records nothing', async () => {
    expect(await pauses.resume('never-paused', 'carol', '2026-12-07T04:00:00.000Z')).toBeUndefined();
    expect(await pauses.events('never-paused', '2026-12-01T00:00:00.000Z')).toEqual([]);
  });

  it('keeps every pause and resume since a given time, oldest first', async () => {
    const scope = 'busy';
    for (let i = 0; i < 30; i++) {
      const at = new Date(Date.parse('2026-12-07T05:00:00.000Z') + i * 60_000).toISOString();
      await pauses.pause({ scope, by: 'dave', reason: `drill ${i}`, at });
      await pauses.resume(scope, 'dave', new Date(Date.parse(at) + 30_000).toISOString());
    }

    const events = await pauses.events(scope, '2026-12-07T05:10:00.000Z');

    expect(events).toHaveLength(40);
    expect(events[0]).toEqual({ kind: 'pause', scope, by: 'dave', reason: 'drill 10', at: '2026-12-07T05:10:00.000Z' });
    expect(events[1]).toEqual({ kind: 'resume', scope, by: 'dave', at: '2026-12-07T05:10:30.000Z' });
    expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort());
  });

  it('keeps pauses off the ledger: the guardrails read no pause as a change', async () => {
    await pauses.pause({ scope: 'ledgered', by: 'erin', reason: 'audit', at: '2026-12-07T06:00:00.000Z' });
    const ledger = new DynamoDbLedger(table.documentClient, { tableName: table.tableName });

    expect(await ledger.list('ledgered', '2026-12-01T00:00:00.000Z')).toEqual([]);
  });

  it('refuses a stored pause it cannot read rather than guess whether it holds', async () => {
    await table.documentClient.send(
      new PutCommand({ TableName: table.tableName, Item: { ...pauseItemKey('corrupt'), by: 'x' } }),
    );

    await expect(pauses.pausesFor('corrupt')).rejects.toThrow(/pause item PAUSE#corrupt\/PAUSE is malformed at /);
  });

  it('refuses to write a pause without a reason, and writes nothing', async () => {
    await expect(pauses.pause({ ...fleetPause, scope: 'unreasoned', reason: '' })).rejects.toThrow(/pause reason/);
    const { Item } = await table.documentClient.send(
      new GetCommand({ TableName: table.tableName, Key: pauseItemKey('unreasoned'), ConsistentRead: true }),
    );
    expect(Item).toBeUndefined();
  });
});
