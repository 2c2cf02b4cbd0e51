import { assess, resolveTarget } from '../../lambdas/domain/engine';
import type { Report } from '../../lambdas/domain/model';
import { buildSnapshot, type SeriesSpec, type SnapshotSpec } from '../builders/snapshot-builder';

const MIB = 1024 * 1024;
const MINUTE = 60;

function diagnoseSpec(spec: SnapshotSpec): Report {
  const snapshot = buildSnapshot(spec);
  const { target, policy } = resolveTarget(snapshot, undefined, undefined);
  return assess(snapshot, { target, policy, dryRun: true });
}

/** A Flink app on an 8-shard stream carrying 40% of its write capacity, with the given app metrics. */
function appSpec(metrics: SnapshotSpec['metrics'], app: SnapshotSpec['app'] = { parallelism: 4 }): SnapshotSpec {
  return {
    stream: { shards: 8 },
    app,
    metrics: {
      incomingBytes: 8 * MIB * MINUTE * 0.4,
      incomingRecords: 3000 * MINUTE,
      writeThrottled: 0,
      recordsInPerSecond: 2800,
      ...metrics,
    },
  };
}

/** An 8-shard stream whose accepted writes use `utilization` of capacity, throttled in the last `minutes` minutes. */
function throttledStream(utilization: number, throttledMinutes: number, throttledPerMinute = 6000): SnapshotSpec {
  return {
    stream: { shards: 8 },
    metrics: {
      incomingBytes: 8 * MIB * MINUTE * utilization,
      incomingRecords: 8 * 1000 * MINUTE * utilization * 0.5,
      writeThrottled: (i) => (i >= 60 - throttledMinutes ? throttledPerMinute : 0),
      iteratorAge: 500,
    },
  };
}

describe('consumer lag threshold (60 s)', () => {
  it.each([
    [59_999, 'HEALTHY'],
    [60_000, 'SINK_BACKPRESSURE'],
  ])('lag %i ms on a back-pressured app -> %s', (lag, cause) => {
    const report = diagnoseSpec(
      appSpec({ millisBehindLatest: lag, containerCpu: 40, busyTime: 300, backPressuredTime: 700 }),
    );
    expect(report.diagnosis.cause).toBe(cause);
  });

  it('treats millisBehindLatest of -1 as not reported, never as caught up', () => {
    const report = diagnoseSpec(appSpec({ millisBehindLatest: -1, containerCpu: 40 }));
    expect(report.diagnosis.cause).toBe('INSUFFICIENT_DATA');
  });
});

describe('compute versus sink (read from the sink back)', () => {
  it.each([
    [
      'CPU just under 75%, nothing busy',
      { containerCpu: 74.9, busyTime: 500, backPressuredTime: 100 },
      'SINK_BACKPRESSURE',
    ],
    ['CPU at 75%', { containerCpu: 75, busyTime: 500, backPressuredTime: 100 }, 'CONSUMER_COMPUTE'],
    // Busy counts from the CPU threshold's share of each second: 75% -> 750 ms/s.
    ['busy just under 750 ms/s', { containerCpu: 60, busyTime: 749, backPressuredTime: 100 }, 'SINK_BACKPRESSURE'],
    ['busy at 750 ms/s', { containerCpu: 60, busyTime: 750, backPressuredTime: 100 }, 'CONSUMER_COMPUTE'],
    [
      'busy but back-pressure just under 500 ms/s',
      { containerCpu: 50, busyTime: 850, backPressuredTime: 499 },
      'CONSUMER_COMPUTE',
    ],
    [
      'back-pressure at 500 ms/s with low CPU',
      { containerCpu: 50, busyTime: 850, backPressuredTime: 500 },
      'SINK_BACKPRESSURE',
    ],
    ['back-pressured but CPU-bound', { containerCpu: 90, busyTime: 900, backPressuredTime: 600 }, 'CONSUMER_COMPUTE'],
    [
      'busy with idle CPU: waiting on I/O',
      { containerCpu: 20, busyTime: 900, backPressuredTime: 0 },
      'SINK_BACKPRESSURE',
    ],
  ])('%s', (_name, metrics, cause) => {
    const report = diagnoseSpec(appSpec({ millisBehindLatest: (i: number) => 60_000 + i * 2000, ...metrics }));
    expect(report.diagnosis.cause).toBe(cause);
  });

  it('plans no scaling for a slow sink', () => {
    const report = diagnoseSpec(
      appSpec({ millisBehindLatest: 300_000, containerCpu: 20, busyTime: 100, backPressuredTime: 900 }),
    );
    expect(report.plan.actions).toEqual([]);
    expect(report.plan.recommendations.join(' ')).toMatch(/sink/i);
  });

  it('does not scale for headroom when busy time says the job still has room', () => {
    const report = diagnoseSpec(appSpec({ millisBehindLatest: 1000, containerCpu: 85, busyTime: 600 }));
    expect(report.diagnosis.cause).toBe('HEALTHY');
  });

  it('keeps up at high CPU with the source back-pressured by the busy task after it: headroom, not a slow sink', () => {
    const report = diagnoseSpec(
      appSpec({ millisBehindLatest: 1000, containerCpu: 85, busyTime: 850, backPressuredTime: 950 }),
    );
    expect(report.diagnosis.cause).toBe('CONSUMER_COMPUTE');
  });

  it('keeps up at high CPU but back-pressured with no task busy: no scaling for headroom', () => {
    const report = diagnoseSpec(
      appSpec({ millisBehindLatest: 1000, containerCpu: 85, busyTime: 600, backPressuredTime: 950 }),
    );
    expect(report.diagnosis.cause).toBe('HEALTHY');
  });

  it('keeps up at high CPU past the band over the target: scales for headroom as a warning', () => {
    // 3,000 records/s arriving, 2,800 processed at 95% busy: 102% of what it can do, past 70% + 20.
    const report = diagnoseSpec(appSpec({ millisBehindLatest: 1000, containerCpu: 95, busyTime: 950 }));
    expect(report.diagnosis.cause).toBe('CONSUMER_COMPUTE');
    expect(report.diagnosis.severity).toBe('warning');
    expect(report.plan.actions.map((a) => a.type)).toEqual(['UpdateApplicationParallelism']);
  });

  it('keeps up within the band over the target on a flat input: names the cause and does not restart', () => {
    // 3,000 records/s arriving and processed at 85% busy: within 70% + 20, and nothing rises.
    const report = diagnoseSpec(
      appSpec({ millisBehindLatest: 1000, containerCpu: 85, busyTime: 850, recordsInPerSecond: 3000 }),
    );
    expect(report.diagnosis.cause).toBe('CONSUMER_COMPUTE');
    expect(report.plan.actions).toEqual([]);
    expect(report.plan.recommendations.join('\n')).toContain(
      'keeps up with its input at about 85% busy, within 20 points of the 70% target, and the input is not rising',
    );
  });

  /** A job keeping up at `busyPercent` whose input rose in a straight line over the hour to 3,000 records/s. */
  const risingTo3000 = (from: number, busyPercent: number) => {
    const rising = (i: number) => from + ((3000 - from) * i) / 59;
    return diagnoseSpec(
      appSpec({
        millisBehindLatest: 1000,
        containerCpu: busyPercent,
        busyTime: busyPercent * 10,
        incomingRecords: (i) => rising(i) * MINUTE,
        recordsInPerSecond: rising,
      }),
    );
  };

  it('keeps up within the band over the target on a slowly rising input: left alone while it stays there', () => {
    // 80% busy at 3,000 records/s after an hour's rise from 2,700: in 15 minutes about 82%, still within 90%.
    const report = risingTo3000(2700, 80);
    expect(report.plan.actions).toEqual([]);
    expect(report.plan.recommendations.join('\n')).toContain(
      'at the rate its input rises it stays there for the next 15 min (about 82%)',
    );
    expect(report.plan.recommendations.join('\n')).not.toContain('sized for the');
  });

  it('keeps up within the band over the target on a rising input: sized for the input ahead', () => {
    // 85% busy at the end of an hour in which the input rose from 2,000 to 3,000 records/s: past 90% within 15 minutes.
    const report = risingTo3000(2000, 85);
    expect(report.plan.actions.map((a) => a.type)).toEqual(['UpdateApplicationParallelism']);
    expect(report.plan.recommendations.join('\n')).toContain('the input rises');
  });

  it('says a job under the lag threshold is falling behind when its lag climbs, and keeps up when it does not', () => {
    // 20 s more lag each minute for the last three minutes, 50 s behind: not over the minute yet.
    const climbing = diagnoseSpec(
      appSpec({ millisBehindLatest: (i) => (i >= 57 ? 10_000 + (i - 57) * 20_000 : 1000), containerCpu: 96 }),
    );
    expect(climbing.diagnosis.cause).toBe('CONSUMER_COMPUTE');
    expect(climbing.diagnosis.summary).toContain('is 50 s behind and falling further behind (20 s more each minute)');
    expect(climbing.diagnosis.summary).not.toContain('keeps up');

    const steady = diagnoseSpec(appSpec({ millisBehindLatest: 1000, containerCpu: 85 }));
    expect(steady.diagnosis.summary).toContain('keeps up but runs at 85% CPU');
  });
});

describe('write throttling: full stream versus hot key', () => {
  it.each([
    [0.59, 'HOT_SHARD'],
    [0.61, 'STREAM_WRITE_CAPACITY'],
  ])('accepted utilisation %f with sustained throttling -> %s', (util, cause) => {
    expect(diagnoseSpec(throttledStream(util, 10)).diagnosis.cause).toBe(cause);
  });

  // policy.throttleMinutes (2): one refused minute is a blip, two make throttling sustained.
  it.each([
    [1, 'HEALTHY'],
    [2, 'STREAM_WRITE_CAPACITY'],
  ])('throttling in %i of the last 15 minutes -> %s', (minutes, cause) => {
    expect(diagnoseSpec(throttledStream(0.9, minutes)).diagnosis.cause).toBe(cause);
  });

  it('counts records-bound streams as full even when bytes are low', () => {
    const report = diagnoseSpec({
      stream: { shards: 4 },
      metrics: {
        incomingBytes: 4 * 1000 * MINUTE * 100,
        incomingRecords: 4 * 1000 * MINUTE * 0.97,
        putRecordsThrottled: 40_000,
        iteratorAge: 100,
      },
    });
    expect(report.diagnosis.cause).toBe('STREAM_WRITE_CAPACITY');
    expect(report.diagnosis.evidence.map((e) => e.metric)).toContain('IncomingRecords');
    const action = report.plan.actions[0];
    expect(action?.type).toBe('UpdateShardCount');
    // demand = (3880 + 666.7) records/s over 800 per shard at 80% -> 6 shards
    expect(action?.type === 'UpdateShardCount' && action.to).toBe(6);
  });

  it('will not tell a full stream from a hot key without the shard count', () => {
    const spec = throttledStream(0.9, 10);
    const report = diagnoseSpec({ ...spec, stream: { describe: false } });
    expect(report.diagnosis.cause).toBe('INSUFFICIENT_DATA');
    expect(report.diagnosis.summary).toMatch(/shard count/);
    expect(report.plan.actions).toEqual([]);
  });

  describe('with shard-level series, on a stream busy on average', () => {
    /**
     * Eight shards of 1,000 records/s: one at `hot` of its limit, the seven others at `others`, the
     * refused writes landing on the hot one (about 70% of the stream's capacity accepted in all).
     */
    function shardLevel(hot: number, others: number): SnapshotSpec {
      const perShard = (share: number) => 1000 * MINUTE * share;
      const total = perShard(hot) + 7 * perShard(others);
      return {
        stream: { shards: 8, shardLevelMetrics: ['ALL'] },
        metrics: { incomingRecords: total, incomingBytes: total * 100, writeThrottled: 30_000, iteratorAge: 500 },
        series: Array.from({ length: 8 }, (_, shard) => ({
          key: 'incomingRecords' as const,
          dimensions: { ShardId: `shardId-${String(shard).padStart(12, '0')}` },
          values: perShard(shard === 3 ? hot : others),
        })),
      };
    }

    it('names a hot key when one shard is at its limit and the typical shard has room, and plans no reshard', () => {
      const report = diagnoseSpec(shardLevel(1, 0.66));
      expect(report.diagnosis.cause).toBe('HOT_SHARD');
      expect(report.diagnosis.summary).toContain('its typical shard used only 66% of its write limit');
      expect(report.diagnosis.summary).toContain('shard shardId-000000000003');
      expect(report.plan.actions).toEqual([]);
    });

    it('reshards when the typical shard is over the utilisation a reshard aims for as well', () => {
      const report = diagnoseSpec(shardLevel(1, 0.85));
      expect(report.diagnosis.cause).toBe('STREAM_WRITE_CAPACITY');
      expect(report.plan.actions).toContainEqual(expect.objectContaining({ type: 'UpdateShardCount' }));
    });
  });

  it('plans no uniform scaling for a hot key', () => {
    const report = diagnoseSpec(throttledStream(0.2, 15));
    expect(report.plan.actions).toEqual([]);
    expect(report.plan.recommendations.join(' ')).toMatch(/partition key|hot key/i);
  });
});

describe('crash loops', () => {
  it.each([
    [1, 'CONSUMER_COMPUTE'],
    [2, 'APP_UNHEALTHY'],
  ])('%i full restarts in the window -> %s', (restarts, cause) => {
    const report = diagnoseSpec(
      appSpec({
        millisBehindLatest: 200_000,
        containerCpu: 90,
        busyTime: 900,
        fullRestarts: (i) => (i >= 60 - restarts * 5 ? Math.floor((i - (60 - restarts * 5)) / 5) + 1 : 0),
      }),
    );
    expect(report.diagnosis.cause).toBe(cause);
  });

  it('never adds capacity to an app that keeps restarting, however busy', () => {
    const report = diagnoseSpec(
      appSpec({
        millisBehindLatest: 900_000,
        containerCpu: 99,
        busyTime: 1000,
        fullRestarts: (i) => Math.floor(i / 10),
      }),
    );
    expect(report.diagnosis.cause).toBe('APP_UNHEALTHY');
    expect(report.diagnosis.severity).toBe('critical');
    expect(report.plan.actions).toEqual([]);
  });

  it('does not count the restart of its own recent update as a crash loop', () => {
    const spec = appSpec({
      millisBehindLatest: 200_000,
      containerCpu: 90,
      busyTime: 900,
      fullRestarts: (i) => (i >= 40 ? 2 : i >= 20 ? 1 : 0),
    });
    const ownUpdate = {
      at: new Date(Date.parse('2026-11-21T10:15:00.000Z') - 39 * 60_000).toISOString(),
      target: 'orders-stream',
      resource: 'application/orders-enricher',
      actionType: 'UpdateApplicationParallelism' as const,
      direction: 'up' as const,
      calls: 1,
    };
    expect(diagnoseSpec(spec).diagnosis.cause).toBe('APP_UNHEALTHY');
    expect(diagnoseSpec({ ...spec, ledger: [ownUpdate] }).diagnosis.cause).toBe('CONSUMER_COMPUTE');
  });

  describe('a job that failed once and makes no progress since', () => {
    // Failed at minute 50 of the hour; the lag then grows with the clock, or drains as the job catches up.
    const failedOnce = (lag: (i: number) => number, restarts: (i: number) => number = (i) => (i >= 50 ? 1 : 0)) =>
      appSpec({
        millisBehindLatest: lag,
        containerCpu: 5,
        busyTime: 20,
        fullRestarts: restarts,
        recordsInPerSecond: 0,
      });
    const withTheClock = (i: number): number => (i >= 50 ? (i - 49) * 60_000 : 0);

    it('is a crash loop before its second restart shows one', () => {
      const report = diagnoseSpec(failedOnce(withTheClock));
      expect(report.diagnosis.cause).toBe('APP_UNHEALTHY');
      expect(report.diagnosis.summary).toContain('restarted once in the window and makes no progress since');
      expect(report.plan.actions).toEqual([]);
    });

    it('is not one when the job catches up after the restart', () => {
      const catchingUp = (i: number): number => (i >= 50 ? Math.max(0, 600_000 - (i - 50) * 50_000) : 0);
      expect(diagnoseSpec(failedOnce(catchingUp)).diagnosis.cause).not.toBe('APP_UNHEALTHY');
    });

    it('is a blocked sink, not a crash loop, when nothing restarted', () => {
      expect(diagnoseSpec(failedOnce(withTheClock, () => 0)).diagnosis.cause).toBe('SINK_BACKPRESSURE');
    });
  });

  it('expects downtime while an update is under way', () => {
    const spec = appSpec(
      { millisBehindLatest: 200_000, containerCpu: 90, busyTime: 900, downtime: (i) => (i > 57 ? 30_000 : 0) },
      { parallelism: 4, status: 'UPDATING' },
    );
    expect(diagnoseSpec(spec).diagnosis.cause).toBe('CONSUMER_COMPUTE');
    expect(diagnoseSpec({ ...spec, app: { parallelism: 4 } }).diagnosis.cause).toBe('APP_UNHEALTHY');
  });

  it('names an app that is not running', () => {
    const report = diagnoseSpec(appSpec({ millisBehindLatest: 900_000 }, { status: 'READY' }));
    expect(report.diagnosis.cause).toBe('APP_UNHEALTHY');
  });
});

describe('memory pressure', () => {
  it.each([
    [84.9, 'CONSUMER_COMPUTE'],
    [85, 'MEMORY_PRESSURE'],
  ])('heap %f%% and rising on a busy lagging app -> %s', (heap, cause) => {
    const report = diagnoseSpec(
      appSpec({
        millisBehindLatest: 200_000,
        containerCpu: 85,
        busyTime: 900,
        // Climbs 12 points over the first half hour, then sits at the level under test.
        heap: (i) => Math.min(heap, heap - 12 + i * 0.4),
      }),
    );
    expect(report.diagnosis.cause).toBe(cause);
  });

  it('names failing checkpoints with a high heap even when the heap is flat', () => {
    const report = diagnoseSpec(
      appSpec({ millisBehindLatest: 1000, containerCpu: 50, heap: 80, failedCheckpoints: (i) => (i > 50 ? 3 : 0) }),
    );
    expect(report.diagnosis.cause).toBe('MEMORY_PRESSURE');
    expect(report.diagnosis.severity).toBe('critical');
  });
});

describe('verbose monitoring', () => {
  it.each([
    [{ logLevel: 'DEBUG' }, 'VERBOSE_MONITORING'],
    [{ metricsLevel: 'PARALLELISM' }, 'VERBOSE_MONITORING'],
    [{ logLevel: 'INFO', metricsLevel: 'APPLICATION' }, 'CONSUMER_COMPUTE'],
  ])('%j on a busy lagging app -> %s', (monitoring, cause) => {
    const report = diagnoseSpec(
      appSpec({ millisBehindLatest: 200_000, containerCpu: 88, busyTime: 900 }, { parallelism: 4, ...monitoring }),
    );
    expect(report.diagnosis.cause).toBe(cause);
  });
});

describe('read throttling', () => {
  /** Readers throttled in the last `minutes`, reading `readUtil` of the byte limit; with `callsPerShard` the calls served and refused. */
  function readSpec(minutes: number, readUtil: number, callsPerShard?: number): SnapshotSpec {
    const refused = 50;
    return {
      stream: { shards: 4 },
      metrics: {
        incomingBytes: 4 * MIB * MINUTE * 0.3,
        incomingRecords: 4 * 300 * MINUTE,
        writeThrottled: 0,
        readThrottled: (i) => (i >= 60 - minutes ? refused : 0),
        getRecordsBytes: 4 * 2 * MIB * MINUTE * readUtil,
        ...(callsPerShard !== undefined
          ? { getRecordsSuccess: (i: number) => callsPerShard * 4 * MINUTE - (i >= 60 - minutes ? refused : 0) }
          : {}),
        iteratorAge: 20_000,
      },
    };
  }

  it.each([
    [1, 'HEALTHY'],
    [2, 'STREAM_READ_CAPACITY'],
  ])('read throttling in %i recent minutes -> %s', (minutes, cause) => {
    expect(diagnoseSpec(readSpec(minutes, 0.3)).diagnosis.cause).toBe(cause);
  });

  it.each([
    [0.79, 0],
    [0.8, 1],
  ])('read utilisation %f plans %i shard actions (fan-out is the fix below the limit)', (util, count) => {
    const report = diagnoseSpec(readSpec(10, util));
    expect(report.diagnosis.cause).toBe('STREAM_READ_CAPACITY');
    expect(report.plan.actions).toHaveLength(count);
    expect(report.plan.recommendations.join(' ')).toMatch(/enhanced fan-out/);
  });

  it.each([
    [5, 1],
    [9, 0],
  ])('near the byte limit, readers asking each shard for %i calls a second plan %i shard actions', (calls, count) => {
    // Each polling reader calls every shard: over the 5 calls a shard serves, more shards change nothing.
    const report = diagnoseSpec(readSpec(10, 0.9, calls));
    expect(report.diagnosis.cause).toBe('STREAM_READ_CAPACITY');
    expect(report.plan.actions).toHaveLength(count);
    if (count === 0) expect(report.diagnosis.summary).toContain('more shards would not lower the calls');
  });
});

describe('retention risk', () => {
  it.each([
    [11.9, false],
    [12.1, true],
  ])('lag of %f h on a 24 h stream -> RETENTION_RISK %s', (hours, risky) => {
    const report = diagnoseSpec(
      appSpec({ millisBehindLatest: hours * 3_600_000, containerCpu: 90, busyTime: 900 }, { parallelism: 4 }),
    );
    expect(report.diagnosis.secondary.includes('RETENTION_RISK')).toBe(risky);
    if (risky) {
      expect(report.diagnosis.severity).toBe('critical');
      expect(report.plan.actions[0]).toMatchObject({ type: 'IncreaseStreamRetention', fromHours: 24 });
    }
  });
});

describe('scale-in', () => {
  function idleSpec(util: number, minutes = 180): SnapshotSpec {
    return {
      minutes,
      stream: { shards: 16 },
      metrics: {
        incomingBytes: 16 * MIB * MINUTE * util,
        incomingRecords: 16 * 100 * MINUTE,
        writeThrottled: 0,
        iteratorAge: 300,
      },
    };
  }

  it.each([
    [0.29, 'OVER_PROVISIONED'],
    [0.3, 'HEALTHY'],
  ])('peak utilisation %f over the window -> %s', (util, cause) => {
    expect(diagnoseSpec(idleSpec(util)).diagnosis.cause).toBe(cause);
  });

  it('does not scale in a job while its stream refuses writes: it is starved, not idle', () => {
    // Three hours of a job at 15% CPU behind a stream near its byte limit, which three minutes ago
    // refused a few writes the job never saw: too few for a finding of their own.
    const quietJob = (writeThrottled: SeriesSpec) =>
      diagnoseSpec({
        minutes: 180,
        stream: { shards: 8 },
        app: { parallelism: 8 },
        metrics: {
          incomingBytes: 8 * MIB * MINUTE * 0.6,
          incomingRecords: 1000 * MINUTE,
          writeThrottled,
          recordsInPerSecond: 1000,
          millisBehindLatest: 500,
          containerCpu: 15,
        },
      });
    const idle = quietJob(0);
    expect(idle.diagnosis.cause).toBe('OVER_PROVISIONED');
    expect(idle.plan.actions.map((a) => a.type)).toEqual(['UpdateApplicationParallelism']);
    const starved = quietJob((i) => (i === 177 ? 200 : 0));
    expect(starved.plan.actions.filter((a) => a.type === 'UpdateApplicationParallelism')).toEqual([]);
  });

  it('does not call a stream idle from a window shorter than the scale-in window', () => {
    expect(diagnoseSpec(idleSpec(0.05, 60)).diagnosis.cause).toBe('HEALTHY');
  });

  it('does not call a stream idle whose metrics stopped before the recent window: it is blind, not idle', () => {
    // 180 minutes of a quiet stream whose write metrics stop reaching CloudWatch at minute 140.
    const spec = idleSpec(0.05);
    const stopped = (value: number) => (i: number) => (i < 140 ? value : undefined);
    const report = diagnoseSpec({
      ...spec,
      metrics: {
        ...spec.metrics,
        incomingBytes: stopped(16 * MIB * MINUTE * 0.05),
        incomingRecords: stopped(16 * 100 * MINUTE),
        writeThrottled: stopped(0),
      },
    });
    expect(report.diagnosis.cause).toBe('INSUFFICIENT_DATA');
    expect(report.diagnosis.summary).toContain('IncomingBytes');
    expect(report.plan.actions).toEqual([]);
  });

  it('scales in the whole way to what the quiet window peaked at, in calls of at most half', () => {
    // 1,600 records/s at 80% of the write limits: 2 shards, reached 16 -> 8 -> 4 -> 2.
    const report = diagnoseSpec(idleSpec(0.01));
    expect(report.plan.actions).toEqual([
      { type: 'UpdateShardCount', streamName: 'orders-stream', from: 16, to: 2, steps: [8, 4, 2] },
    ]);
  });
});

describe('insufficient data', () => {
  it('names the missing metrics', () => {
    const report = diagnoseSpec(
      appSpec({
        incomingBytes: () => undefined,
        recordsInPerSecond: () => undefined,
        millisBehindLatest: () => undefined,
      }),
    );
    expect(report.diagnosis.cause).toBe('INSUFFICIENT_DATA');
    expect(report.diagnosis.summary).toContain('millisBehindLatest');
    expect(report.plan.actions).toEqual([]);
  });

  it('does not guess between compute and sink without CPU or busy time', () => {
    const report = diagnoseSpec(appSpec({ millisBehindLatest: 300_000 }));
    expect(report.diagnosis.cause).toBe('INSUFFICIENT_DATA');
  });
});

describe('timestamp order', () => {
  it('gives the same diagnosis for newest-first and oldest-first data', () => {
    const metrics = { millisBehindLatest: (i: number) => 60_000 + i * 3000, containerCpu: 90, busyTime: 900 };
    const oldestFirst = diagnoseSpec(appSpec(metrics));
    const newestFirst = diagnoseSpec({ ...appSpec(metrics), newestFirst: true });
    expect(newestFirst).toEqual(oldestFirst);
  });
});
