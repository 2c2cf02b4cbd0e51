import { parseAppState, parseStreamState } from '../../lambdas/domain/snapshot';
import {
  ConcurrentModificationError,
  LimitExceededError,
  ResourceInUseError,
  ResourceNotFoundError,
  ServiceUnavailableError,
  ThrottlingError,
  isRetryable,
} from '../../lambdas/ports/errors';
import { InMemoryLedger, InMemoryTargetLock } from '../../sim/adapters';
import { VirtualClock } from '../../sim/clock';
import { FaultInjector } from '../../sim/faults';
import { createWorld } from '../../sim/world';
import { scenario } from './support/scenario-builder';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const MINUTE = 60_000;

describe('FaultInjector', () => {
  it.each([
    { api: 'DescribeStreamSummary' as const, error: ThrottlingError, aws: 'LimitExceededException' },
    { api: 'UpdateShardCount' as const, error: LimitExceededError, aws: 'LimitExceededException' },
    { api: 'UpdateApplication' as const, error: ThrottlingError, aws: 'ThrottlingException' },
    { api: 'Publish' as const, error: ThrottlingError, aws: 'ThrottledException' },
  ])('throttles $api as AWS does, mapped as the real adapters map $aws', ({ api, error, aws }) => {
    const injector = new FaultInjector(() => T0);
    injector.add({ apis: [api], awsError: 'throttling', from: T0 });
    let thrown: unknown;
    try {
      injector.check(api, 'resource');
    } catch (caught) {
      thrown = caught;
    }
    expect(thrown).toBeInstanceOf(error);
    expect((thrown as ThrottlingError).awsErrorName).toBe(aws);
  });

  it('fails only inside its window and only `count` times', () => {
    let now = T0;
    const injector = new FaultInjector(() => now);
    injector.add({ apis: ['UpdateShardCount'], awsError: 'ResourceInUseException', from: T0 + MINUTE, count: 2 });
    expect(() => injector.check('UpdateShardCount', 's')).not.toThrow();
    now = T0 + MINUTE;
    expect(() => injector.check('DescribeStreamSummary', 's')).not.toThrow();
    expect(() => injector.check('UpdateShardCount', 's')).toThrow(ResourceInUseError);
    expect(() => injector.check('UpdateShardCount', 's')).toThrow(ResourceInUseError);
    expect(() => injector.check('UpdateShardCount', 's')).not.toThrow();
    expect(injector.injected().map((f) => f.errorName)).toEqual(['ResourceInUseError', 'ResourceInUseError']);
  });

  it('makes an SNS internal error a retryable ServiceUnavailableError', () => {
    const injector = new FaultInjector(() => T0);
    injector.add({ apis: ['Publish'], awsError: 'InternalErrorException', from: T0, until: T0 + MINUTE });
    let thrown: unknown;
    try {
      injector.check('Publish', 'topic');
    } catch (caught) {
      thrown = caught;
    }
    expect(thrown).toBeInstanceOf(ServiceUnavailableError);
    expect(isRetryable(thrown)).toBe(true);
  });
});

describe("the SDK retries the simulated calls as the Lambdas' clients do", () => {
  it.each([
    ['CloudWatch InternalServiceFault', 'InternalServiceFault'],
    ['throttling', 'throttling'],
  ])('tries a call that fails with %s again, up to three attempts in all', (_case, awsError) => {
    const injector = new FaultInjector(() => T0);
    injector.add({ apis: ['GetMetricData'], awsError, from: T0, count: 2 });
    const failed: string[] = [];
    expect(() => injector.checkAsSdk('GetMetricData', 'queries', (e) => failed.push(e.name))).not.toThrow();
    expect(failed).toHaveLength(2);
    injector.add({ apis: ['GetMetricData'], awsError, from: T0, count: 3 });
    expect(() => injector.checkAsSdk('GetMetricData', 'queries')).toThrow();
    expect(injector.injected()).toHaveLength(5);
  });

  it('does not retry what the SDK does not: a refused request is seen at once', () => {
    const injector = new FaultInjector(() => T0);
    injector.add({ apis: ['UpdateShardCount'], awsError: 'ResourceInUseException', from: T0, count: 3 });
    const failed: string[] = [];
    expect(() => injector.checkAsSdk('UpdateShardCount', 's', (e) => failed.push(e.name))).toThrow(ResourceInUseError);
    expect(failed).toEqual(['ResourceInUseError']);
  });

  it('records each attempt of a simulated call on the timeline', async () => {
    const world = createWorld(scenario());
    world.injector.add({ apis: ['DescribeStreamSummary'], awsError: 'InternalFailure', from: world.now, count: 2 });
    await world.streams.describeStreamSummary('orders-stream');
    expect(world.apiCalls().map((c) => c.outcome)).toEqual([
      'ServiceUnavailableError',
      'ServiceUnavailableError',
      'ok',
    ]);
  });
});

describe('simulated adapters over the world', () => {
  it('describe the models in the shapes the domain reads', async () => {
    const world = createWorld(scenario());
    const stream = parseStreamState(await world.streams.describeStreamSummary('orders-stream'));
    const app = parseAppState(await world.applications.describeApplication('orders-enricher'));
    expect(stream).toMatchObject({ status: 'ACTIVE', mode: 'PROVISIONED', openShards: 4, retentionHours: 24 });
    expect(app).toMatchObject({ status: 'RUNNING', parallelism: 4, parallelismPerKpu: 1, snapshotsEnabled: true });
  });

  it('reshard through the port: UPDATING, ResourceInUse for a second call, then ACTIVE with the new count', async () => {
    const world = createWorld(scenario());
    await world.streams.updateShardCount('orders-stream', 8);
    await expect(world.streams.updateShardCount('orders-stream', 16)).rejects.toThrow(ResourceInUseError);
    world.advanceBy(5 * MINUTE);
    const stream = parseStreamState(await world.streams.describeStreamSummary('orders-stream'));
    expect(stream).toMatchObject({ status: 'ACTIVE', openShards: 8 });
    expect(world.outcome().actions.map((a) => a.detail)).toEqual(['TargetShardCount 8']);
  });

  it('race someone else to the application: a stale version fails, and a fresh describe succeeds', async () => {
    const world = createWorld(scenario({ faults: [{ type: 'concurrentModification', atMinute: 0, count: 1 }] }));
    const update = async (): Promise<void> => {
      const app = parseAppState(await world.applications.describeApplication('orders-enricher'));
      await world.applications.updateParallelism({
        applicationName: 'orders-enricher',
        currentApplicationVersionId: app.versionId,
        parallelism: 8,
        parallelismPerKpu: 1,
      });
    };
    await expect(update()).rejects.toThrow(ConcurrentModificationError);
    await update();
    world.advanceBy(5 * MINUTE);
    expect(parseAppState(await world.applications.describeApplication('orders-enricher')).parallelism).toBe(8);
  });

  it('roll an application back to its parallelism before the update, recorded as the changing call it is', async () => {
    const world = createWorld(scenario({}));
    const versionOf = async () =>
      parseAppState(await world.applications.describeApplication('orders-enricher')).versionId;
    await world.applications.updateParallelism({
      applicationName: 'orders-enricher',
      currentApplicationVersionId: await versionOf(),
      parallelism: 8,
      parallelismPerKpu: 1,
    });
    world.advanceBy(5 * MINUTE);
    await world.applications.rollbackApplication('orders-enricher', await versionOf());
    expect(parseAppState(await world.applications.describeApplication('orders-enricher')).status).toBe('ROLLING_BACK');
    world.advanceBy(5 * MINUTE);
    expect(parseAppState(await world.applications.describeApplication('orders-enricher')).parallelism).toBe(4);
    const rollback = world.apiCalls().filter((c) => c.api === 'RollbackApplication');
    expect(rollback).toEqual([
      expect.objectContaining({
        outcome: 'ok',
        actionType: 'UpdateApplicationParallelism',
        change: {
          kind: 'parallelism',
          from: { parallelism: 8, parallelismPerKpu: 1 },
          to: { parallelism: 4, parallelismPerKpu: 1 },
        },
      }),
    ]);
    expect(world.outcome().actions.map((a) => a.api)).toEqual(['UpdateApplication', 'RollbackApplication']);
  });

  it('answer ResourceNotFoundError once the stream is deleted, and count its unread records lost', async () => {
    const world = createWorld(
      scenario({
        durationMinutes: 20,
        pipeline: { application: { recordsPerSecondPerSubtask: 400 } },
        faults: [{ type: 'deleteStream', atMinute: 10 }],
      }),
    );
    world.runToEnd();
    await expect(world.streams.describeStreamSummary('orders-stream')).rejects.toThrow(ResourceNotFoundError);
    await expect(world.streams.updateShardCount('orders-stream', 8)).rejects.toThrow(ResourceNotFoundError);
    // The job read 1,600 of 2,000 records/s for ten minutes: 240,000 unread went with the stream.
    expect(world.outcome().recordsDeleted).toBeCloseTo(240_000, -1);
    expect(world.outcome().recovered).toBe(false);
  });

  it('fail SNS publishing while the fault lasts, keeping the message once it is over', async () => {
    const world = createWorld(scenario({ faults: [{ type: 'snsFailure', atMinute: 0, untilMinute: 5 }] }));
    const message = { subject: 'StreamMedic: orders', body: 'text', attributes: {} };
    await expect(world.notifier.publish(message)).rejects.toThrow(ServiceUnavailableError);
    world.advanceTo(world.startMs + 5 * MINUTE);
    await world.notifier.publish(message);
    expect(world.notifier.messages()).toEqual([{ at: world.startMs + 5 * MINUTE, message }]);
    expect(world.outcome().notificationsSent).toBe(1);
  });
});

describe('InMemoryTargetLock', () => {
  it('lets one owner hold a target until it releases it or the lease expires', async () => {
    const clock = new VirtualClock(T0);
    const lock = new InMemoryTargetLock(clock);
    expect(await lock.acquire('orders', 'run-1', 600)).toBe(true);
    expect(await lock.acquire('orders', 'run-2', 600)).toBe(false);
    // The same owner may take it again (a retried step).
    expect(await lock.acquire('orders', 'run-1', 600)).toBe(true);
    expect(await lock.acquire('payments', 'run-2', 600)).toBe(true);
    await lock.release('orders', 'run-2');
    expect(lock.holder('orders')).toBe('run-1');
    clock.advanceTo(T0 + 600_001);
    expect(await lock.acquire('orders', 'run-2', 600)).toBe(true);
    await lock.release('orders', 'run-2');
    expect(lock.holder('orders')).toBeUndefined();
  });

  it('answers who holds a lock as the DynamoDB lock does: nobody once the lease has expired', async () => {
    const clock = new VirtualClock(T0);
    const lock = new InMemoryTargetLock(clock);
    await lock.acquire('orders', 'run-1', 600);
    expect(await lock.ownerOf('orders')).toBe('run-1');
    expect(await lock.ownerOf('payments')).toBeUndefined();
    clock.advanceTo(T0 + 600_001);
    expect(await lock.ownerOf('orders')).toBeUndefined();
  });
});

describe('InMemoryLedger', () => {
  it('lists a target entries since a time, oldest first', async () => {
    const ledger = new InMemoryLedger();
    const entry = (at: string, target = 'orders') => ({
      at,
      target,
      resource: 'stream/orders-stream',
      actionType: 'UpdateShardCount' as const,
      direction: 'up' as const,
      calls: 1,
    });
    await ledger.record(entry('2026-03-02T10:00:00Z'));
    await ledger.record(entry('2026-03-02T08:00:00Z'));
    await ledger.record(entry('2026-03-02T09:30:00Z'));
    await ledger.record(entry('2026-03-02T09:45:00Z', 'payments'));
    const listed = await ledger.list('orders', '2026-03-02T09:00:00Z');
    expect(listed.map((e) => e.at)).toEqual(['2026-03-02T09:30:00Z', '2026-03-02T10:00:00Z']);
  });
});
