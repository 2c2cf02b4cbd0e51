import { assess, resolveTarget } from '../../lambdas/domain/engine';
import type { Report } from '../../lambdas/domain/model';
import { parseSnapshot, type Snapshot, type SnapshotInput } from '../../lambdas/domain/snapshot';
import type { Cause } from '../../lambdas/domain/vocabulary';
import { buildSnapshotInput, type ExtraSeries, type SeriesSpec, type SnapshotSpec } from '../builders/snapshot-builder';

/**
 * Snapshots in the shapes a real account publishes (DESIGN.md, "What AWS really publishes"): per-task
 * busy time only from TASK level, lag per source stream with Flow and Id, the runtime's restart counter,
 * shard-level series only with enhanced monitoring, SubscribeToShardEvent series for fan-out readers.
 */

const MIB = 1024 * 1024;
const STREAM = 'orders-stream';
const APP = 'orders-enricher';
const MINUTES = 150;

type Level = 'APPLICATION' | 'TASK';
type Runtime = 'FLINK-1_20' | 'FLINK-2_2';

interface Account {
  readonly level: Level;
  readonly runtime: Runtime;
  readonly enhanced: boolean;
  readonly fanOutReaders: number;
}

/** What a pipeline does, per minute; the account decides in which series AWS publishes it. */
interface Behaviour {
  readonly shards?: number;
  readonly parallelism?: number;
  readonly logLevel?: 'INFO' | 'DEBUG';
  readonly incomingBytes: SeriesSpec;
  readonly incomingRecords: SeriesSpec;
  readonly writeThrottled?: SeriesSpec;
  readonly readThrottled?: SeriesSpec;
  readonly readBytes?: SeriesSpec;
  /** Per-shard records when enhanced monitoring is on: the first shard's share of the writes. */
  readonly hotShardShare?: number;
  readonly lagMs?: SeriesSpec;
  readonly cpu?: SeriesSpec;
  readonly heap?: SeriesSpec;
  /** Busy ms/s of the source task and of the task that limits the job. */
  readonly busy?: readonly [number, number];
  readonly backPressured?: readonly [number, number];
  readonly recordsIn?: SeriesSpec;
  readonly checkpointMs?: SeriesSpec;
  readonly failedCheckpoints?: SeriesSpec;
  readonly restarts?: SeriesSpec;
  readonly downtime?: SeriesSpec;
}

const TASKS = ['Source: Kinesis -> Parse', 'Window -> Sink'] as const;
const ramp = (from: number, to: number) => (m: number) => from + ((to - from) * m) / (MINUTES - 1);

function realShapes(account: Account, behaviour: Behaviour): SnapshotInput {
  const shards = behaviour.shards ?? 4;
  const series: ExtraSeries[] = [];
  if (behaviour.lagMs !== undefined) {
    series.push({ key: 'millisBehindLatest', dimensions: { Flow: 'Input', Id: STREAM }, values: behaviour.lagMs });
  }
  if (account.level !== 'APPLICATION') {
    TASKS.forEach((task, i) => {
      if (behaviour.busy) series.push({ key: 'busyTime', dimensions: { TaskName: task }, values: behaviour.busy[i]! });
      const bp = behaviour.backPressured ?? [10, 5];
      series.push({ key: 'backPressuredTime', dimensions: { TaskName: task }, values: bp[i]! });
    });
  }
  if (account.enhanced) {
    const share = behaviour.hotShardShare ?? 1 / shards;
    for (let s = 0; s < shards; s++) {
      const weight = s === 0 ? share : (1 - share) / (shards - 1);
      const perShard = (spec: SeriesSpec) => (m: number) => {
        const total = typeof spec === 'number' ? spec : spec(m);
        return total === undefined ? undefined : Math.round(total * weight);
      };
      const shardId = `shardId-00000000000${s}`;
      series.push({
        key: 'incomingRecords',
        dimensions: { ShardId: shardId },
        values: perShard(behaviour.incomingRecords),
      });
      series.push({
        key: 'incomingBytes',
        dimensions: { ShardId: shardId },
        values: perShard(behaviour.incomingBytes),
      });
    }
  }
  for (let c = 0; c < account.fanOutReaders; c++) {
    series.push({ key: 'subscribeMillisBehind', dimensions: { ConsumerName: `reader-${c}` }, values: 400 });
  }
  const restartKey = account.runtime === 'FLINK-2_2' ? 'numRestarts' : 'fullRestarts';
  const spec: SnapshotSpec = {
    minutes: MINUTES,
    stream: {
      name: STREAM,
      shards,
      consumerCount: account.fanOutReaders,
      shardLevelMetrics: account.enhanced
        ? ['IncomingBytes', 'IncomingRecords', 'WriteProvisionedThroughputExceeded']
        : [],
    },
    app: {
      name: APP,
      parallelism: behaviour.parallelism ?? 4,
      metricsLevel: account.level,
      runtime: account.runtime,
      logLevel: behaviour.logLevel ?? 'INFO',
      rollbackEnabled: true,
    },
    metrics: {
      incomingBytes: behaviour.incomingBytes,
      incomingRecords: behaviour.incomingRecords,
      writeThrottled: behaviour.writeThrottled ?? 0,
      readThrottled: behaviour.readThrottled ?? 0,
      // Polling readers only: GetRecords.* says nothing about fan-out readers.
      getRecordsBytes: behaviour.readBytes ?? behaviour.incomingBytes,
      iteratorAge: 700,
      ...(behaviour.cpu !== undefined ? { containerCpu: behaviour.cpu } : {}),
      ...(behaviour.heap !== undefined ? { heap: behaviour.heap } : {}),
      ...(behaviour.recordsIn !== undefined ? { recordsInPerSecond: behaviour.recordsIn } : {}),
      ...(behaviour.checkpointMs !== undefined ? { checkpointDuration: behaviour.checkpointMs } : {}),
      ...(behaviour.failedCheckpoints !== undefined ? { failedCheckpoints: behaviour.failedCheckpoints } : {}),
      ...(behaviour.cpu !== undefined ? { [restartKey]: behaviour.restarts ?? 0 } : {}),
      ...(behaviour.downtime !== undefined ? { downtime: behaviour.downtime } : {}),
    },
    series,
  };
  return buildSnapshotInput(spec);
}

const perSecond = (shards: number, bytesShare: number, recordsShare = bytesShare) => ({
  incomingBytes: Math.round(shards * MIB * bytesShare * 60),
  incomingRecords: Math.round(shards * 1000 * recordsShare * 60),
});

/** Each cause as a pipeline behaves; the account decides what of it is published. */
const BEHAVIOURS: Readonly<Record<Exclude<Cause, 'INSUFFICIENT_DATA'>, Behaviour>> = {
  STREAM_WRITE_CAPACITY: {
    ...perSecond(4, 0.97, 0.3),
    writeThrottled: 40_000,
    lagMs: 800,
    cpu: 35,
    busy: [200, 300],
    recordsIn: 1200,
  },
  HOT_SHARD: {
    ...perSecond(4, 0.2, 0.25),
    writeThrottled: 6_000,
    hotShardShare: 0.9,
    lagMs: 800,
    cpu: 30,
    busy: [150, 250],
    recordsIn: 1000,
  },
  STREAM_READ_CAPACITY: {
    ...perSecond(4, 0.4),
    readThrottled: 900,
    readBytes: Math.round(4 * 2 * MIB * 0.95 * 60),
    lagMs: ramp(60_000, 240_000),
    cpu: 30,
    busy: [200, 300],
    recordsIn: 1500,
  },
  CONSUMER_COMPUTE: {
    ...perSecond(8, 0.3),
    lagMs: ramp(30_000, 400_000),
    cpu: 93,
    busy: [370, 980],
    recordsIn: 2300,
  },
  SINK_BACKPRESSURE: {
    ...perSecond(8, 0.3),
    lagMs: ramp(30_000, 400_000),
    cpu: 22,
    busy: [120, 160],
    backPressured: [780, 90],
    recordsIn: 1800,
  },
  MEMORY_PRESSURE: {
    ...perSecond(4, 0.3),
    lagMs: 900,
    cpu: 50,
    heap: ramp(70, 96),
    busy: [300, 500],
    recordsIn: 1200,
    checkpointMs: ramp(10_000, 150_000),
    failedCheckpoints: (m) => Math.floor(m / 30),
  },
  APP_UNHEALTHY: {
    ...perSecond(4, 0.3),
    lagMs: ramp(30_000, 600_000),
    cpu: 84,
    busy: [500, 900],
    recordsIn: 600,
    restarts: (m) => Math.floor(m / 20),
    downtime: (m) => (m % 20 < 2 ? 30_000 : 0),
  },
  VERBOSE_MONITORING: {
    ...perSecond(4, 0.3),
    logLevel: 'DEBUG',
    lagMs: ramp(30_000, 300_000),
    cpu: 86,
    busy: [600, 900],
    recordsIn: 1000,
  },
  OVER_PROVISIONED: {
    ...perSecond(8, 0.04),
    shards: 8,
    parallelism: 8,
    lagMs: 300,
    cpu: 9,
    busy: [20, 60],
    recordsIn: 300,
  },
  HEALTHY: {
    ...perSecond(4, 0.4),
    lagMs: 600,
    cpu: 45,
    busy: [300, 450],
    recordsIn: 1600,
  },
};

function accounts(): Account[] {
  const out: Account[] = [];
  for (const level of ['APPLICATION', 'TASK'] as const)
    for (const runtime of ['FLINK-1_20', 'FLINK-2_2'] as const)
      for (const enhanced of [false, true])
        for (const fanOutReaders of [0, 2]) out.push({ level, runtime, enhanced, fanOutReaders });
  return out;
}

function run(input: SnapshotInput): Report {
  const snapshot = parseSnapshot(input);
  const { target, policy } = resolveTarget(snapshot, undefined, undefined);
  return assess(snapshot, { target, policy, dryRun: true });
}

const label = (a: Account) =>
  `${a.level} ${a.runtime}, enhanced monitoring ${a.enhanced ? 'on' : 'off'}, ${a.fanOutReaders} fan-out reader(s)`;

describe.each(Object.entries(BEHAVIOURS) as [Cause, Behaviour][])('%s in real shapes', (cause, behaviour) => {
  it.each(accounts().map((a) => [label(a), a] as const))('is named at %s', (_name, account) => {
    const report = run(realShapes(account, behaviour));

    expect(report.diagnosis.cause).toBe(cause);
    const lacking = account.level === 'APPLICATION' && ['CONSUMER_COMPUTE', 'SINK_BACKPRESSURE', 'OVER_PROVISIONED'];
    if (lacking && lacking.includes(cause)) {
      // Said, trusted less, and the level that would show the busiest task recommended.
      expect(report.diagnosis.summary).toMatch(/APPLICATION metrics level without busyTimeMsPerSecond/);
      expect(report.plan.recommendations.join(' ')).toMatch(/TASK-level metrics/);
      const atTask = run(realShapes({ ...account, level: 'TASK' }, behaviour));
      expect(report.diagnosis.confidence).toBeLessThan(atTask.diagnosis.confidence);
    } else {
      expect(report.diagnosis.summary).not.toMatch(/APPLICATION metrics level without/);
    }
  });
});

describe('INSUFFICIENT_DATA in real shapes', () => {
  it.each(accounts().map((a) => [label(a), a] as const))(
    'is named at %s when the job publishes nothing',
    (_n, account) => {
      const report = run(realShapes(account, { ...perSecond(4, 0.3) }));

      expect(report.diagnosis.cause).toBe('INSUFFICIENT_DATA');
      expect(report.plan.actions).toEqual([]);
      if (account.fanOutReaders > 0) {
        // The stream's iterator age belongs to its polling readers, not to this application.
        expect(report.diagnosis.summary).toMatch(
          /enhanced fan-out consumer\(s\), so its GetRecords.IteratorAgeMilliseconds is not/,
        );
      }
    },
  );
});

describe('the busiest task sizes the job', () => {
  // The job: six subtasks, the source task at 370 ms/s, the window task at 980 ms/s, six minutes behind.
  const behaviour: Behaviour = {
    ...perSecond(8, 0.2, 0.375),
    parallelism: 6,
    lagMs: ramp(340_000, 370_000),
    cpu: 93,
    recordsIn: 2900,
  };
  const account: Account = { level: 'TASK', runtime: 'FLINK-1_20', enhanced: false, fanOutReaders: 0 };
  const tasks = (order: readonly number[], withEmpty: boolean): ExtraSeries[] => [
    ...(withEmpty
      ? [{ key: 'busyTime' as const, dimensions: { TaskName: 'Idle side output' }, values: () => undefined }]
      : []),
    ...order.map((i) => ({ key: 'busyTime' as const, dimensions: { TaskName: TASKS[i]! }, values: [370, 980][i]! })),
  ];
  const withTasks = (busy: ExtraSeries[]): SnapshotInput => {
    const input = realShapes(account, behaviour);
    return buildSnapshotInput({
      minutes: MINUTES,
      stream: { name: STREAM, shards: 8 },
      app: { name: APP, parallelism: 6, metricsLevel: 'TASK' },
      metrics: {
        incomingBytes: behaviour.incomingBytes,
        incomingRecords: behaviour.incomingRecords,
        containerCpu: 93,
        recordsInPerSecond: 2900,
      },
      series: [
        { key: 'millisBehindLatest', dimensions: { Flow: 'Input', Id: STREAM }, values: behaviour.lagMs! },
        ...busy,
      ],
      ...(input.ledger ? { ledger: [] } : {}),
    });
  };
  const sizeOf = (report: Report) => {
    const action = report.plan.actions.find((a) => a.type === 'UpdateApplicationParallelism');
    return action && 'to' in action ? action.to : undefined;
  };

  it('reads 980 ms/s, not the first series, and sizes to about 18 from 6', () => {
    const report = run(withTasks(tasks([0, 1], false)));

    expect(report.diagnosis.cause).toBe('CONSUMER_COMPUTE');
    expect(report.diagnosis.evidence.find((e) => e.metric === 'busyTimeMsPerSecond')?.value).toBe(980);
    expect(sizeOf(report)).toBeGreaterThanOrEqual(17);
    expect(sizeOf(report)).toBeLessThanOrEqual(20);
  });

  it.each([
    ['the busiest task first', tasks([1, 0], false)],
    ['an empty series before both', tasks([0, 1], true)],
    ['an empty series and the busiest task first', tasks([1, 0], true)],
  ])('plans the same with %s', (_name, busy) => {
    expect(run(withTasks(busy)).plan).toEqual(run(withTasks(tasks([0, 1], false))).plan);
  });
});

describe('values AWS may add later', () => {
  const compute = realShapes(
    { level: 'TASK', runtime: 'FLINK-1_20', enhanced: false, fanOutReaders: 0 },
    BEHAVIOURS.CONSUMER_COMPUTE,
  );
  const withValue = (path: readonly string[], value: string): SnapshotInput => {
    const doc = structuredClone(compute) as Record<string, unknown>;
    let node = doc;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
    node[path[path.length - 1]!] = value;
    return doc as SnapshotInput;
  };

  it('plans the fix for the same job in a state it knows', () => {
    expect(run(compute).plan.actions.map((a) => a.type)).toEqual(['UpdateApplicationParallelism']);
  });

  it.each([
    ['an application status', ['describeApplication', 'ApplicationDetail', 'ApplicationStatus'], 'HIBERNATING'],
    ['a runtime', ['describeApplication', 'ApplicationDetail', 'RuntimeEnvironment'], 'FLINK-2_3'],
    [
      'a metrics level',
      [
        'describeApplication',
        'ApplicationDetail',
        'ApplicationConfigurationDescription',
        'FlinkApplicationConfigurationDescription',
        'MonitoringConfigurationDescription',
        'MetricsLevel',
      ],
      'SUBTASK',
    ],
  ])('reads %s it does not know, reports it and plans nothing', (_name, path, value) => {
    const report = run(withValue(path, value));

    expect(report.plan.actions).toEqual([]);
    expect(report.plan.refused.every((r) => r.guardrail === 'resource-state')).toBe(true);
    expect(report.diagnosis.summary).toContain(`${value} is unknown to this version of StreamMedic`);
    expect(report.plan.recommendations.join(' ')).toContain(value);
  });

  it('reads a stream status it does not know and changes nothing on the stream', () => {
    const write = realShapes(
      { level: 'TASK', runtime: 'FLINK-1_20', enhanced: false, fanOutReaders: 0 },
      BEHAVIOURS.STREAM_WRITE_CAPACITY,
    );
    (write.describeStreamSummary!.StreamDescriptionSummary as { StreamStatus: string }).StreamStatus = 'RESHARDING';

    const report = run(write);

    expect(report.diagnosis.cause).toBe('STREAM_WRITE_CAPACITY');
    expect(report.plan.actions).toEqual([]);
    expect(report.diagnosis.summary).toContain('StreamStatus RESHARDING is unknown');
  });
});

describe('Kinesis as it is', () => {
  const account = (enhanced: boolean): Account => ({
    level: 'TASK',
    runtime: 'FLINK-1_20',
    enhanced,
    fanOutReaders: 0,
  });

  it('names the hot shard and its share only from shard-level series', () => {
    const report = run(realShapes(account(true), BEHAVIOURS.HOT_SHARD));

    expect(report.diagnosis.summary).toMatch(/shard shardId-000000000000 took 90% of the writes/);
    expect(report.plan.actions).toEqual([]);
  });

  it('calls throttling on a mostly empty stream a hot key or sub-minute bursts without them, and asks for them', () => {
    const report = run(realShapes(account(false), BEHAVIOURS.HOT_SHARD));

    expect(report.diagnosis.cause).toBe('HOT_SHARD');
    expect(report.diagnosis.summary).toMatch(/a hot key or sub-minute bursts/);
    expect(report.diagnosis.summary).not.toMatch(/shardId-/);
    expect(report.plan.recommendations.join(' ')).toMatch(/EnableEnhancedMonitoring/);
    expect(report.plan.actions).toEqual([]);
  });
});

describe('millisBehindLatest', () => {
  const lagOnly = (sources: Record<string, SeriesSpec>): Snapshot =>
    parseSnapshot(
      buildSnapshotInput({
        minutes: 30,
        stream: false,
        app: { name: APP, metricsLevel: 'APPLICATION' },
        metrics: { containerCpu: 30 },
        series: Object.entries(sources).map(([id, values]) => ({
          key: 'millisBehindLatest' as const,
          dimensions: { Flow: 'Input', Id: id },
          values,
        })),
      }),
    );
  const lagOf = (snapshot: Snapshot) => {
    const { target, policy } = resolveTarget(snapshot, undefined, undefined);
    return assess(snapshot, { target, policy, dryRun: true }).diagnosis.evidence.find(
      (e) => e.metric === 'millisBehindLatest',
    )?.value;
  };

  it('is the furthest-behind source stream', () => {
    expect(lagOf(lagOnly({ orders: 2_000, refunds: 95_000 }))).toBe(95_000);
    expect(lagOf(lagOnly({ refunds: 95_000, orders: 2_000 }))).toBe(95_000);
  });

  it('treats -1 as not reported yet, never as a value', () => {
    expect(lagOf(lagOnly({ orders: -1, refunds: 4_000 }))).toBe(4_000);
    const unreported = lagOnly({ orders: -1 });
    const { target, policy } = resolveTarget(unreported, undefined, undefined);
    expect(assess(unreported, { target, policy, dryRun: true }).diagnosis.cause).toBe('INSUFFICIENT_DATA');
  });
});

describe('Expression queries', () => {
  const base = buildSnapshotInput({
    minutes: 30,
    stream: false,
    app: { name: APP, metricsLevel: 'TASK', parallelism: 4 },
    metrics: { containerCpu: 92, recordsInPerSecond: 2000 },
    series: [{ key: 'millisBehindLatest', dimensions: { Flow: 'Input', Id: STREAM }, values: ramp(30_000, 200_000) }],
  });
  const stamps = base.getMetricData!.MetricDataResults[0]!.Timestamps!;
  const insights = `SELECT MAX(busyTimeMsPerSecond) FROM SCHEMA("AWS/KinesisAnalytics", Application, TaskName) WHERE Application = '${APP}' GROUP BY TaskName`;
  const withExpressions = (labels: readonly [string, number][]): SnapshotInput => ({
    ...base,
    getMetricData: {
      MetricDataQueries: [
        ...base.getMetricData!.MetricDataQueries,
        { Id: 'busy', Expression: insights, Period: 60 },
        // Metric math: kept in the snapshot, not read (its metric is not named in the text).
        { Id: 'double', Expression: 'busy * 2' },
      ],
      MetricDataResults: [
        ...base.getMetricData!.MetricDataResults,
        ...labels.map(([label, value]) => ({
          Id: 'busy',
          Label: label,
          Timestamps: stamps,
          Values: stamps.map(() => value),
        })),
        { Id: 'double', Label: 'double', Timestamps: stamps, Values: stamps.map(() => 5000) },
      ],
    },
  });

  it('reads each group of a Metrics Insights GROUP BY as its own series, and the busiest decides', () => {
    const forward = run(
      withExpressions([
        [TASKS[0], 370],
        [TASKS[1], 980],
      ]),
    );
    const backward = run(
      withExpressions([
        [TASKS[1], 980],
        [TASKS[0], 370],
      ]),
    );

    expect(forward.diagnosis.evidence.find((e) => e.metric === 'busyTimeMsPerSecond')?.value).toBe(980);
    expect(backward).toEqual(forward);
  });
});

describe('restarts by runtime', () => {
  it('finds a crash loop on Flink 2.2 from numRestarts, not a slow sink', () => {
    const report = run(
      realShapes({ level: 'APPLICATION', runtime: 'FLINK-2_2', enhanced: false, fanOutReaders: 0 }, {
        ...BEHAVIOURS.APP_UNHEALTHY,
        cpu: 20,
        downtime: undefined,
      } as Behaviour),
    );

    expect(report.diagnosis.cause).toBe('APP_UNHEALTHY');
    expect(report.diagnosis.evidence.map((e) => e.metric)).toContain('numRestarts');
  });
});

describe('safety before a Flink update', () => {
  const compute = (config: SnapshotInput['config']): SnapshotInput => ({
    ...realShapes(
      { level: 'TASK', runtime: 'FLINK-1_20', enhanced: false, fanOutReaders: 0 },
      BEHAVIOURS.CONSUMER_COMPUTE,
    ),
    config,
  });
  const target = (maxJobParallelism: number) => ({
    name: 'orders',
    mode: 'auto' as const,
    stream: { name: STREAM, maxShards: 64 },
    application: { name: APP, maxParallelism: 64, maxJobParallelism },
  });

  it('never plans past the job max parallelism', () => {
    const report = run(compute(target(6)));

    const action = report.plan.actions.find((a) => a.type === 'UpdateApplicationParallelism');
    expect(action && 'to' in action && action.to).toBe(6);
  });

  it('refuses under the bounds guardrail, naming the job max parallelism, when the job is there already', () => {
    const report = run(compute(target(4)));

    expect(report.plan.actions).toEqual([]);
    expect(report.plan.refused).toEqual([
      expect.objectContaining({ guardrail: 'bounds', reason: expect.stringContaining('maxJobParallelism') }),
    ]);
  });

  it('reports the application system rollback setting with a planned update', () => {
    const report = run(compute(target(128)));

    expect(report.plan.recommendations.join(' ')).toMatch(/system rollback on/);
  });
});

describe('the verbose-monitoring fix', () => {
  it('moves PARALLELISM-level metrics to TASK, never to APPLICATION', () => {
    const input = realShapes(
      { level: 'TASK', runtime: 'FLINK-1_20', enhanced: false, fanOutReaders: 0 },
      BEHAVIOURS.VERBOSE_MONITORING,
    );
    const monitoring = input.describeApplication!.ApplicationDetail.ApplicationConfigurationDescription!
      .FlinkApplicationConfigurationDescription!.MonitoringConfigurationDescription as { MetricsLevel: string };
    monitoring.MetricsLevel = 'PARALLELISM';
    input.config = {
      name: 'orders',
      mode: 'auto',
      stream: { name: STREAM },
      application: { name: APP, applyMonitoringFix: true },
    };

    const report = run(input);

    expect(report.plan.actions).toEqual([
      expect.objectContaining({ type: 'UpdateApplicationMonitoring', logLevel: 'INFO', metricsLevel: 'TASK' }),
    ]);
  });
});

describe('a snapshot of Metrics Insights queries only', () => {
  it('reads the furthest-behind source of a GROUP BY query', () => {
    const stamps = ['2026-11-21T10:13:00Z', '2026-11-21T10:14:00Z'];
    const report = run({
      version: 1,
      capturedAt: '2026-11-21T10:15:00Z',
      getMetricData: {
        MetricDataQueries: [
          {
            Id: 'lag',
            Expression: `SELECT MAX(millisBehindLatest) FROM "AWS/KinesisAnalytics" WHERE Application = '${APP}' GROUP BY Id`,
            Period: 60,
          },
          // One Insights query per GetMetricData call (API reference): the rest are MetricStat queries.
          {
            Id: 'cpu',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/KinesisAnalytics',
                MetricName: 'containerCPUUtilization',
                Dimensions: [{ Name: 'Application', Value: APP }],
              },
              Period: 60,
              Stat: 'Maximum',
            },
          },
        ],
        MetricDataResults: [
          { Id: 'cpu', Label: 'containerCPUUtilization', Timestamps: stamps, Values: [91, 93] },
          { Id: 'lag', Label: 'orders-stream', Timestamps: stamps, Values: [1_000, 1_200] },
          { Id: 'lag', Label: 'refunds-stream', Timestamps: stamps, Values: [-1, 480_000] },
        ],
      },
    });

    expect(report.target.applicationName).toBe(APP);
    expect(report.diagnosis.evidence.find((e) => e.metric === 'millisBehindLatest')?.value).toBe(480_000);
  });
});

describe('a snapshot with nothing but one Metrics Insights query', () => {
  it('finds the application in the query filter and reads its lag', () => {
    const stamps = ['2026-11-21T10:13:00Z', '2026-11-21T10:14:00Z'];
    const report = run({
      version: 1,
      capturedAt: '2026-11-21T10:15:00Z',
      getMetricData: {
        MetricDataQueries: [
          {
            Id: 'lag',
            Expression: `SELECT MAX(millisBehindLatest) FROM "AWS/KinesisAnalytics" WHERE Application = '${APP}'`,
          },
        ],
        MetricDataResults: [{ Id: 'lag', Label: 'lag', Timestamps: stamps, Values: [1_000, 1_200] }],
      },
    });

    expect(report.target.applicationName).toBe(APP);
    // Only the CPU is missing: the lag was read from the query.
    expect(report.diagnosis.summary).toMatch(/no datapoints for containerCPUUtilization;/);
  });
});
