import type { ResourceWait, WorkStep } from '../../lambdas/domain/run-state';
import { waitAfter } from '../../lambdas/workflow/apply-step';
import { checkResource } from '../../lambdas/workflow/check-resource';
import { ThrottlingError } from '../../lambdas/ports/errors';
import { FakeApplicationControl } from '../fakes/application-control';
import { FakeClock } from '../fakes/clock';
import { FakeStreamControl } from '../fakes/stream-control';

const APP_UPDATE: WorkStep = {
  type: 'UpdateApplicationParallelism',
  applicationName: 'orders-enricher',
  from: 4,
  to: 8,
  parallelismPerKpu: 1,
};
const reshard = (from: number, to: number, call: number, calls: number): WorkStep => ({
  type: 'UpdateShardCount',
  streamName: 'orders-stream',
  from,
  to,
  call,
  calls,
});
const STREAM = { kind: 'stream', name: 'orders-stream' } as const;
const APP = { kind: 'application', name: 'orders-enricher' } as const;

describe('which resources a step waits for', () => {
  it('goes on at once to a step that changes another resource, remembering the one still changing', () => {
    const { wait, changing } = waitAfter(APP_UPDATE, reshard(8, 16, 1, 2), []);
    expect(wait).toEqual({ awaiting: APP, polls: 0, ready: true });
    expect(changing).toEqual([APP]);
  });

  it('waits for the stream before its next call, but not for the job restarting meanwhile', () => {
    const { wait, changing } = waitAfter(reshard(8, 16, 1, 2), reshard(16, 29, 2, 2), [APP]);
    expect(wait).toEqual({ awaiting: STREAM, polls: 0, ready: false });
    expect(changing).toEqual([APP]);
  });

  it('after the last step, waits for every resource the round changed before the settling wait', () => {
    const { wait, changing } = waitAfter(reshard(16, 29, 2, 2), undefined, [APP]);
    expect(wait).toEqual({ awaiting: STREAM, also: [APP], polls: 0, ready: false });
    expect(changing).toEqual([]);
  });

  it('waits as before when every step changes one resource', () => {
    expect(waitAfter(reshard(4, 8, 1, 2), reshard(8, 16, 2, 2), []).wait).toEqual({
      awaiting: STREAM,
      polls: 0,
      ready: false,
    });
    expect(waitAfter(reshard(8, 16, 2, 2), undefined, []).wait).toEqual({ awaiting: STREAM, polls: 0, ready: false });
  });

  it('waits for the resource the next step changes when an earlier step left it changing', () => {
    const monitoring: WorkStep = {
      type: 'UpdateApplicationMonitoring',
      applicationName: 'orders-enricher',
      logLevel: 'INFO',
      metricsLevel: 'TASK',
    };
    const { wait, changing } = waitAfter(reshard(8, 16, 1, 1), monitoring, [APP]);
    expect(wait).toEqual({ awaiting: APP, polls: 0, ready: false });
    expect(changing).toEqual([STREAM]);
  });
});

describe('checking several changed resources', () => {
  function world() {
    const clock = new FakeClock('2026-03-02T10:00:00Z');
    const streams = new FakeStreamControl(clock, 1);
    streams.add({ name: 'orders-stream', status: 'ACTIVE', mode: 'PROVISIONED', openShards: 8, retentionHours: 24 });
    const applications = new FakeApplicationControl(3);
    applications.add({
      name: 'orders-enricher',
      status: 'RUNNING',
      versionId: 7,
      parallelism: 4,
      parallelismPerKpu: 1,
      autoScalingEnabled: false,
      snapshotsEnabled: true,
      logLevel: 'INFO',
      metricsLevel: 'APPLICATION',
    });
    return { streams, applications };
  }

  it('is ready only once the stream is ACTIVE and the application RUNNING', async () => {
    const ports = world();
    await ports.applications.updateParallelism({
      applicationName: 'orders-enricher',
      currentApplicationVersionId: 7,
      parallelism: 8,
      parallelismPerKpu: 1,
    });
    await ports.streams.updateShardCount('orders-stream', 16);
    let wait: ResourceWait = { awaiting: STREAM, also: [APP], polls: 0, ready: false };
    const seen: [boolean, number][] = [];
    while (!wait.ready) {
      wait = await checkResource(ports, wait, 10);
      seen.push([wait.ready, wait.also?.length ?? 0]);
    }
    // The stream is back at the second check; the application, restarting, at the fourth.
    expect(seen).toEqual([
      [false, 1],
      [false, 1],
      [false, 1],
      [true, 0],
    ]);
    expect(wait).toEqual({ awaiting: STREAM, polls: 4, ready: true, lastStatus: 'ACTIVE' });
  });

  it('names the resource still changing when the last allowed check passes', async () => {
    const ports = world();
    await ports.applications.updateParallelism({
      applicationName: 'orders-enricher',
      currentApplicationVersionId: 7,
      parallelism: 8,
      parallelismPerKpu: 1,
    });
    const wait: ResourceWait = { awaiting: STREAM, also: [APP], polls: 0, ready: false };
    await expect(checkResource(ports, wait, 1)).rejects.toMatchObject({
      name: 'ResourceNotReadyError',
      message: expect.stringContaining('application orders-enricher is still changing after 1 checks') as unknown,
    });
  });

  it('counts a throttled read of the other resource as a check that did not see it ready', async () => {
    const ports = world();
    ports.applications.failures.failNext(
      'describeApplication',
      new ThrottlingError('Rate exceeded', { action: 'DescribeApplication' }),
    );
    const wait = await checkResource(ports, { awaiting: STREAM, also: [APP], polls: 0, ready: false }, 5);
    expect(wait).toMatchObject({ ready: false, also: [APP], polls: 1 });
    expect(await checkResource(ports, wait, 5)).toMatchObject({ ready: true, polls: 2 });
  });
});
