import { parseAppState } from '../../lambdas/domain/snapshot';
import {
  ConcurrentModificationError,
  InvalidRequestError,
  QuotaExceededError,
  ResourceInUseError,
} from '../../lambdas/ports/errors';
import { FlinkApplicationModel, type FlinkApplicationProps } from '../../sim/flink-application';
import { StreamLog } from '../../sim/stream-log';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const MINUTE = 60_000;

function app(props: Partial<FlinkApplicationProps> = {}): FlinkApplicationModel {
  return new FlinkApplicationModel({
    name: 'orders-enricher',
    parallelism: 4,
    recordsPerSecondPerSubtask: 1000,
    restartSeconds: 90,
    createdAt: T0,
    ...props,
  });
}

/** Runs the application's own transitions up to `until`. */
function runTo(model: FlinkApplicationModel, until: number): void {
  let now = T0;
  for (;;) {
    const next = model.nextTransition(now);
    if (next === undefined || next > until) break;
    model.advanceTo(next);
    now = next;
  }
  model.advanceTo(until);
}

describe('capacity', () => {
  it.each([
    { name: 'parallelism x per-subtask rate', props: {}, shards: 8, capacity: 4000 },
    { name: 'DEBUG logging costs 55%', props: { logLevel: 'DEBUG' as const }, shards: 8, capacity: 1800 },
    {
      name: 'PARALLELISM-level metrics cost 20%',
      props: { metricsLevel: 'PARALLELISM' as const },
      shards: 8,
      capacity: 3200,
    },
    {
      name: 'work chained to the source runs on one subtask per shard',
      props: { parallelism: 8, chainedSource: true },
      shards: 4,
      capacity: 4000,
    },
    { name: 'work after a keyBy runs on every subtask', props: { parallelism: 8 }, shards: 4, capacity: 8000 },
    {
      name: 'keyed work runs at the pace of the subtask with the most key groups (40 over 128: 4 each at most)',
      props: { parallelism: 40, keyGroups: 128 },
      shards: 64,
      capacity: 32_000,
    },
    {
      name: 'keyed work at a divisor of its key groups runs on every subtask',
      props: { parallelism: 32, keyGroups: 128 },
      shards: 64,
      capacity: 32_000,
    },
    {
      name: 'source subtasks beyond the shard count read nothing',
      props: { parallelism: 8, sourceRecordsPerSecondPerSubtask: 1500 },
      shards: 2,
      capacity: 3000,
    },
  ])('$name', ({ props, shards, capacity }) => {
    expect(app(props).capacity(shards, T0)).toBeCloseTo(capacity, 6);
  });
});

describe('UpdateApplication', () => {
  it('needs the current version id: a stale one fails with ConcurrentModificationError', () => {
    const model = app({ versionId: 7 });
    expect(() =>
      model.updateParallelism({ currentApplicationVersionId: 6, parallelism: 8, parallelismPerKpu: 1 }, T0),
    ).toThrow(ConcurrentModificationError);
    expect(model.currentStatus).toBe('RUNNING');
    model.updateParallelism({ currentApplicationVersionId: 7, parallelism: 8, parallelismPerKpu: 1 }, T0);
    expect(model.currentVersionId).toBe(8);
  });

  it('updates only a RUNNING application: while UPDATING it answers ResourceInUseError', () => {
    const model = app();
    model.updateParallelism({ currentApplicationVersionId: 1, parallelism: 8, parallelismPerKpu: 1 }, T0);
    expect(model.currentStatus).toBe('UPDATING');
    expect(() =>
      model.updateMonitoring({ currentApplicationVersionId: 2, logLevel: 'INFO', metricsLevel: 'APPLICATION' }, T0),
    ).toThrow(ResourceInUseError);
  });

  it('restarts the job: down for the snapshot and the restart, then RUNNING with the new parallelism', () => {
    const model = app({ restartSeconds: 90 });
    model.updateParallelism({ currentApplicationVersionId: 1, parallelism: 8, parallelismPerKpu: 2 }, T0);
    expect(model.isProcessing()).toBe(false);
    // No checkpoint yet: the snapshot is taken as 1 s, then 90 s of restart, 2 s for each of the new
    // 4 KPUs, and 4 s for 8 subtasks to download 1 GiB of state at 32 MiB/s each.
    expect(model.nextTransition(T0)).toBe(T0 + 103_000);
    runTo(model, T0 + 103_000);
    expect(model.isProcessing()).toBe(true);
    const state = parseAppState(model.describe());
    expect(state).toMatchObject({ status: 'RUNNING', parallelism: 8, configuredParallelism: 8, parallelismPerKpu: 2 });
    expect(model.kpus).toBe(4);
    expect(model.billedKpus).toBe(5);
  });

  it('takes longer to restart with more state and more KPUs', () => {
    const downFor = (stateBytes: number, parallelism: number): number => {
      const model = app({ restartSeconds: 90, stateBytes });
      model.updateParallelism({ currentApplicationVersionId: 1, parallelism, parallelismPerKpu: 1 }, T0);
      return model.nextTransition(T0)! - T0;
    };
    expect(downFor(1024 ** 3, 8)).toBe(1000 + 90_000 + 16_000 + 4000);
    // 100 GiB of state: the download alone takes 400 s with 8 subtasks.
    expect(downFor(100 * 1024 ** 3, 8)).toBe(1000 + 90_000 + 16_000 + 400_000);
    // 32 KPUs take longer to start than 8, though each downloads less.
    expect(downFor(1024 ** 3, 32)).toBe(1000 + 90_000 + 64_000 + 1000);
  });

  it.each([
    { update: { parallelism: 0, parallelismPerKpu: 1 }, error: InvalidRequestError },
    { update: { parallelism: 257, parallelismPerKpu: 1 }, error: InvalidRequestError },
    { update: { parallelism: 8, parallelismPerKpu: 9 }, error: InvalidRequestError },
    { update: { parallelism: 65, parallelismPerKpu: 1 }, error: QuotaExceededError },
  ])('refuses parallelism $update.parallelism at $update.parallelismPerKpu per KPU', ({ update, error }) => {
    expect(() => app({ maxKpu: 64 }).updateParallelism({ currentApplicationVersionId: 1, ...update }, T0)).toThrow(
      error,
    );
  });

  it('turns autoscaling off in the same update when asked', () => {
    const model = app({ autoScalingEnabled: true });
    model.updateParallelism(
      { currentApplicationVersionId: 1, parallelism: 8, parallelismPerKpu: 1, autoScalingEnabled: false },
      T0,
    );
    runTo(model, T0 + 5 * MINUTE);
    expect(parseAppState(model.describe()).autoScalingEnabled).toBe(false);
  });
});

/** An application that has read 4,000 of the 10,000 records its stream holds. */
function withSource(props: Partial<FlinkApplicationProps>): { model: FlinkApplicationModel; log: StreamLog } {
  const model = app(props);
  const log = new StreamLog();
  const cursor = log.cursor('app');
  model.attachSource(log, cursor);
  log.append(T0 - 60_000, T0, 10_000, 10_000 * 1024);
  log.read(cursor, 4000);
  return { model, log };
}

describe('restarts and state', () => {
  it('restores from the snapshot: the backlog is still there to read', () => {
    const { model, log } = withSource({ snapshotsEnabled: true });
    model.updateParallelism({ currentApplicationVersionId: 1, parallelism: 8, parallelismPerKpu: 1 }, T0);
    runTo(model, T0 + 5 * MINUTE);
    expect(log.backlog(log.cursor('app'))).toBe(6000);
    expect(model.recordsSkipped).toBe(0);
  });

  it('without snapshots, restarts from LATEST and skips the backlog: those records are never processed', () => {
    const { model, log } = withSource({ snapshotsEnabled: false, initialPosition: 'LATEST' });
    model.updateParallelism({ currentApplicationVersionId: 1, parallelism: 8, parallelismPerKpu: 1 }, T0);
    runTo(model, T0 + 5 * MINUTE);
    expect(log.backlog(log.cursor('app'))).toBe(0);
    expect(model.recordsSkipped).toBe(6000);
  });

  it('without snapshots and TRIM_HORIZON, reprocesses everything retained', () => {
    const { model, log } = withSource({ snapshotsEnabled: false, initialPosition: 'TRIM_HORIZON' });
    model.updateParallelism({ currentApplicationVersionId: 1, parallelism: 8, parallelismPerKpu: 1 }, T0);
    runTo(model, T0 + 5 * MINUTE);
    expect(log.backlog(log.cursor('app'))).toBe(10_000);
    expect(model.recordsSkipped).toBe(0);
  });

  it('in a crash loop, fails after each uptime, counts fullRestarts, reports downtime and rewinds to the last checkpoint', () => {
    const { model, log } = withSource({ checkpointIntervalSeconds: 60 });
    const cursor = log.cursor('app');
    model.setCrashLoop({ from: T0, uptimeMs: 90_000, recoveryMs: 45_000 });
    // Checkpoint at T0 + 60 s, at position 4,000 + what was read by then.
    model.step({ processed: 0, capacity: 4000, sinkBound: false }, T0, 60);
    log.read(cursor, 1000);
    model.step({ processed: 1000, capacity: 4000, sinkBound: false }, T0 + 60_000, 20);
    expect(model.nextTransition(T0 + 80_000)).toBe(T0 + 90_000);
    model.advanceTo(T0 + 90_000);
    expect(model.restarts).toBe(1);
    expect(model.isProcessing()).toBe(false);
    expect(model.downtimeMs(T0 + 120_000)).toBe(30_000);
    // Back to the checkpoint taken at 60 s, before the last 1,000 records were read.
    expect(log.backlog(cursor)).toBe(6000);
    runTo(model, T0 + 135_000);
    expect(model.isProcessing()).toBe(true);
    expect(model.downtimeMs(T0 + 135_000)).toBe(0);
    // Next failure 90 s after the restart at 135 s.
    expect(model.nextTransition(T0 + 135_000)).toBe(T0 + 225_000);
  });
});

describe('RollbackApplication', () => {
  function updatedWithSource(props: Partial<FlinkApplicationProps> = {}) {
    const { model, log } = withSource(props);
    const cursor = log.cursor('app');
    model.updateParallelism({ currentApplicationVersionId: 1, parallelism: 10, parallelismPerKpu: 1 }, T0);
    runTo(model, T0 + 5 * MINUTE);
    // The new version reads on before it is rolled back.
    log.read(cursor, 3000);
    return { model, log, cursor };
  }

  it('goes back to the version before the update, ROLLING_BACK until restarted, and reads again from its snapshot', () => {
    const { model, log, cursor } = updatedWithSource();
    expect(model.currentVersionId).toBe(2);
    model.rollback(2, T0 + 5 * MINUTE);
    expect(model.currentStatus).toBe('ROLLING_BACK');
    expect(model.isProcessing()).toBe(false);
    expect(model.currentVersionId).toBe(3);
    // The snapshot the update took when it stopped the job: the 3,000 records read since are read again.
    expect(log.backlog(cursor)).toBe(6000);
    runTo(model, T0 + 10 * MINUTE);
    expect(parseAppState(model.describe())).toMatchObject({
      status: 'RUNNING',
      parallelism: 4,
      configuredParallelism: 4,
    });
  });

  it('needs the current version id, and snapshots, and an earlier version to go back to', () => {
    expect(() => updatedWithSource().model.rollback(1, T0 + 5 * MINUTE)).toThrow(ConcurrentModificationError);
    expect(() => updatedWithSource({ snapshotsEnabled: false }).model.rollback(2, T0 + 5 * MINUTE)).toThrow(
      /no snapshots/,
    );
    expect(() => app().rollback(1, T0)).toThrow(InvalidRequestError);
    const model = updatedWithSource().model;
    model.rollback(2, T0 + 5 * MINUTE);
    // While it rolls back (a status RollbackApplication does not accept), and once it has, nothing is left to roll back to.
    expect(() => model.rollback(3, T0 + 5 * MINUTE)).toThrow(ResourceInUseError);
    runTo(model, T0 + 10 * MINUTE);
    expect(() => model.rollback(3, T0 + 10 * MINUTE)).toThrow(/no earlier running version/);
  });

  it('is accepted while an update is still UPDATING', () => {
    const model = app();
    model.updateParallelism({ currentApplicationVersionId: 1, parallelism: 10, parallelismPerKpu: 1 }, T0);
    expect(model.currentStatus).toBe('UPDATING');
    model.rollback(2, T0 + 30_000);
    runTo(model, T0 + 10 * MINUTE);
    expect(model.currentParallelism).toBe(4);
  });
});

describe('heap', () => {
  it('leaks at the given rate of the initial heap share, and halving tasks per KPU halves the percentage', () => {
    const model = app({ heapBasePercent: 50, parallelismPerKpu: 2, seed: 3 });
    model.startLeak(10);
    for (let m = 0; m < 120; m++) model.step({ processed: 0, capacity: 4000, sinkBound: false }, T0 + m * MINUTE, 60);
    // 50% + 2 h x 10%/h, within the sawtooth's noise.
    expect(model.heapPercent(T0 + 120 * MINUTE)).toBeGreaterThan(65);
    expect(model.heapPercent(T0 + 120 * MINUTE)).toBeLessThan(75);
    model.updateParallelism(
      { currentApplicationVersionId: 1, parallelism: 4, parallelismPerKpu: 1 },
      T0 + 120 * MINUTE,
    );
    runTo(model, T0 + 130 * MINUTE);
    // A new job: the leak starts again from the base, which is now half the share of the heap.
    expect(model.heapPercent(T0 + 130 * MINUTE)).toBeGreaterThan(20);
    expect(model.heapPercent(T0 + 130 * MINUTE)).toBeLessThan(30);
  });

  it('fails checkpoints near a full heap and restarts the job when it runs out', () => {
    const model = app({ heapBasePercent: 90, checkpointIntervalSeconds: 60, seed: 5 });
    model.startLeak(60);
    const events = [];
    for (let m = 0; m < 15 && model.restarts === 0; m++) {
      events.push(...model.step({ processed: 1000, capacity: 4000, sinkBound: false }, T0 + m * MINUTE, 60).events);
    }
    expect(model.failedCheckpointCount).toBeGreaterThan(0);
    expect(model.restarts).toBe(1);
    expect(events.map((e) => e.message).join()).toMatch(/OutOfMemoryError/);
  });
});

describe('gauges', () => {
  it.each([
    {
      name: 'keeping up at half capacity',
      load: { processed: 20_000, capacity: 4000, sinkBound: false },
      busy: 500,
      bp: 0,
      idle: 500,
    },
    {
      name: 'compute-bound',
      load: { processed: 40_000, capacity: 4000, sinkBound: false },
      busy: 1000,
      bp: 0,
      idle: 0,
    },
    {
      name: 'held back by the sink',
      load: { processed: 15_000, capacity: 4000, sinkBound: true },
      busy: 375,
      bp: 625,
      idle: 0,
    },
  ])('$name: busy $busy, back-pressured $bp, idle $idle ms/s', ({ load, busy, bp, idle }) => {
    const { gauges } = app().step(load, T0, 10);
    expect(gauges!.busyMsPerSecond).toBeCloseTo(busy, 6);
    expect(gauges!.backPressuredMsPerSecond).toBeCloseTo(bp, 6);
    expect(gauges!.idleMsPerSecond).toBeCloseTo(idle, 6);
    expect(gauges!.recordsInPerSecond).toBeCloseTo(load.processed / 10, 6);
    // CPU follows busy time: low when the sink holds the job back.
    expect(gauges!.cpuPercent).toBeGreaterThan(4 + 91 * (busy / 1000) - 6);
    expect(gauges!.cpuPercent).toBeLessThan(4 + 91 * (busy / 1000) + 6);
  });
});

describe("Managed Flink's own autoscaling", () => {
  function minutes(model: FlinkApplicationModel, count: number, cpu: number, from = T0): string[] {
    const messages: string[] = [];
    for (let m = 1; m <= count; m++)
      messages.push(...model.evaluateAutoscaling(from + m * MINUTE, cpu).map((e) => e.message));
    return messages;
  }

  it('doubles parallelism after 15 minutes at or above 75% CPU, not after 14', () => {
    const model = app({ autoScalingEnabled: true });
    expect(minutes(model, 14, 75)).toEqual([]);
    expect(model.currentStatus).toBe('RUNNING');
    expect(model.evaluateAutoscaling(T0 + 15 * MINUTE, 80)).toHaveLength(1);
    expect(model.currentStatus).toBe('AUTOSCALING');
    runTo(model, T0 + 30 * MINUTE);
    const state = parseAppState(model.describe());
    expect(state).toMatchObject({ status: 'RUNNING', parallelism: 8, configuredParallelism: 4, versionId: 2 });
  });

  it('starts counting again after a minute under 75%', () => {
    const model = app({ autoScalingEnabled: true });
    minutes(model, 10, 90);
    minutes(model, 1, 70, T0 + 10 * MINUTE);
    expect(minutes(model, 14, 90, T0 + 11 * MINUTE)).toEqual([]);
    expect(model.currentStatus).toBe('RUNNING');
  });

  it('halves after six hours under 10%, never below the configured parallelism', () => {
    const model = app({ autoScalingEnabled: true, parallelism: 4 });
    minutes(model, 15, 95);
    runTo(model, T0 + 20 * MINUTE);
    expect(model.currentParallelism).toBe(8);
    expect(minutes(model, 359, 5, T0 + 20 * MINUTE)).toEqual([]);
    expect(model.evaluateAutoscaling(T0 + 380 * MINUTE, 5)).toHaveLength(1);
    runTo(model, T0 + 390 * MINUTE);
    expect(model.currentParallelism).toBe(4);
    expect(minutes(model, 400, 5, T0 + 390 * MINUTE)).toEqual([]);
    expect(model.currentParallelism).toBe(4);
  });

  it('does nothing when autoscaling is off', () => {
    const model = app({ autoScalingEnabled: false });
    expect(minutes(model, 60, 99)).toEqual([]);
    expect(model.currentParallelism).toBe(4);
  });
});
