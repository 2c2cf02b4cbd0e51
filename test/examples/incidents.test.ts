import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { INCIDENTS_DIR, generateIncidents, renderIncident } from '../../examples/generate-incidents';
import { AWS_LIMITS, PolicySchema, effectivePolicy, type Policy, type TargetConfig } from '../../lambdas/domain/config';
import { assess, resolveTarget } from '../../lambdas/domain/engine';
import { METRICS, type MetricKey } from '../../lambdas/domain/metric-catalog';
import { MetricWindow, maxOf, meanOf, since, type Point } from '../../lambdas/domain/metric-window';
import {
  actionDirection,
  type Action,
  type Direction,
  type Report,
  type UpdateApplicationParallelismAction,
  type UpdateShardCountAction,
} from '../../lambdas/domain/model';
import { parseSnapshot, parseStreamState, parseAppState, type Snapshot } from '../../lambdas/domain/snapshot';
import type { ActionType, Cause, Guardrail, Severity } from '../../lambdas/domain/vocabulary';
import { allViolations, factsOf } from '../domain/properties/plan-invariants';

const MIB = 1024 * 1024;

interface ExpectedAction {
  readonly type: ActionType;
  readonly direction?: Direction;
}

interface ExpectedRefusal {
  readonly type: ActionType;
  readonly guardrail: Guardrail;
}

interface Expectation {
  readonly cause: Cause;
  readonly severity?: Severity;
  /** RETENTION_RISK is expected exactly where lag is above half the retention. */
  readonly retentionRisk?: true;
  /** The bounded plan: action types (and direction), in any order. */
  readonly actions: readonly ExpectedAction[];
  /** What a guardrail stopped; omitted where DESIGN.md leaves it open (a clamped size). */
  readonly refused?: readonly ExpectedRefusal[];
  /** A recommendation the on-call engineer must be given. */
  readonly recommends?: RegExp;
  /** Sizes derived from the snapshot's own numbers. */
  readonly check?: (report: Report, example: Example) => void;
}

interface Example {
  readonly snapshot: Snapshot;
  readonly window: MetricWindow;
  readonly now: number;
}

/** Mean of a metric's per-period values over the last `minutes` of the window. */
function recentMean(example: Example, key: MetricKey, minutes = 15): number {
  const view = example.window.pick(METRICS[key]);
  const points: readonly Point[] = view ? since(view.series.points, example.now - minutes * 60_000) : [];
  const mean = meanOf(points);
  if (mean === undefined) throw new Error(`the example has no recent ${key}`);
  return mean;
}

function windowPeak(example: Example, key: MetricKey): number {
  const view = example.window.pick(METRICS[key]);
  const peak = view ? maxOf(view.series.points) : undefined;
  if (peak === undefined) throw new Error(`the example has no ${key}`);
  return peak;
}

function only<T extends Action['type']>(report: Report, type: T): Extract<Action, { type: T }> {
  const found = report.plan.actions.filter((a): a is Extract<Action, { type: T }> => a.type === type);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** Shards for the recent write rate at the policy's target utilisation: the least a fix may plan. */
function writeShardsFloor(example: Example): number {
  const bytes = recentMean(example, 'incomingBytes') / 60 / (AWS_LIMITS.shardWriteBytesPerSecond * 0.7);
  const records = recentMean(example, 'incomingRecords') / 60 / (AWS_LIMITS.shardWriteRecordsPerSecond * 0.7);
  return Math.ceil(Math.max(bytes, records));
}

/**
 * FLIP-271 without the backlog term: parallelism x (input / target utilisation) / true rate, where
 * the true rate is the observed rate over the busy fraction. The backlog only adds to it.
 */
function flinkFloor(example: Example, from: number): number {
  const input = recentMean(example, 'incomingRecords') / 60;
  const trueRate = recentMean(example, 'recordsInPerSecond') / (recentMean(example, 'busyTime') / 1000);
  return Math.ceil((from * (input / 0.7)) / trueRate);
}

const scaleUpShards = (report: Report, example: Example, max: number): UpdateShardCountAction => {
  const action = only(report, 'UpdateShardCount');
  expect(action.to).toBeGreaterThanOrEqual(Math.min(writeShardsFloor(example), max));
  expect(action.to).toBeLessThanOrEqual(max);
  return action;
};

const scaleUpFlink = (report: Report, example: Example, max: number): UpdateApplicationParallelismAction => {
  const action = only(report, 'UpdateApplicationParallelism');
  expect(action.to).toBeGreaterThanOrEqual(Math.min(flinkFloor(example, action.from), max));
  return action;
};

const UP = 'up' as const;
const DOWN = 'down' as const;
const FAN_OUT = /fan-?out/i;

/** What a competent on-call engineer expects for each example, from DESIGN.md's rules (see examples/incidents/README.md). */
const EXPECTED: Readonly<Record<string, Expectation>> = {
  'write-capacity-bytes.json': {
    cause: 'STREAM_WRITE_CAPACITY',
    actions: [{ type: 'UpdateShardCount', direction: UP }],
    refused: [],
    // 10.84 MiB/s of demand at 80% of the 1 MiB/s write limit needs 14 shards; compressed 2:1, 7.
    // Demand counts only the refusals producers do not resend (docs/demand-estimation.md).
    recommends: /Compress payloads.*needs 7 shards instead of 14/,
    check: (report, example) => scaleUpShards(report, example, 32),
  },
  'write-capacity-records.json': {
    cause: 'STREAM_WRITE_CAPACITY',
    actions: [{ type: 'UpdateShardCount', direction: UP }],
    refused: [],
    // About 3,500 records/s of 189 bytes: 5 shards as sent; aggregated, 0.63 MiB/s fits one.
    recommends: /Aggregate user records.*need 1 shard instead of 4/,
    check: (report, example) => {
      const action = scaleUpShards(report, example, 8);
      // Records, not bytes, are what is short: the bytes alone would fit in the current 2 shards.
      expect(recentMean(example, 'incomingBytes') / 60).toBeLessThan(2 * MIB * 0.7);
      expect(action.to).toBeGreaterThanOrEqual(3);
    },
  },
  'hot-shard.json': {
    cause: 'HOT_SHARD',
    actions: [],
    refused: [],
    // The snapshot carries per-shard series, so the hot shard's share of the stream is stated.
    recommends: /Shard shardId-\d+ took \d+% of payments's/,
  },
  'read-capacity-near-limit.json': {
    cause: 'STREAM_READ_CAPACITY',
    actions: [{ type: 'UpdateShardCount', direction: UP }],
    refused: [],
    recommends: FAN_OUT,
    check: (report, example) => {
      const action = only(report, 'UpdateShardCount');
      // After the change reads must no longer be near the shard limit.
      const readBytes = recentMean(example, 'getRecordsBytes') / 60;
      expect(action.to).toBeGreaterThanOrEqual(Math.ceil(readBytes / (AWS_LIMITS.shardReadBytesPerSecond * 0.8)));
      expect(action.to).toBeLessThanOrEqual(16);
    },
  },
  'read-capacity-fan-out.json': { cause: 'STREAM_READ_CAPACITY', actions: [], refused: [], recommends: FAN_OUT },
  'consumer-compute.json': {
    cause: 'CONSUMER_COMPUTE',
    actions: [{ type: 'UpdateApplicationParallelism', direction: UP }],
    refused: [],
    check: (report, example) => {
      const action = scaleUpFlink(report, example, 64);
      // No parallelismPerKpu in the config: the application's own setting is kept.
      expect(action.parallelismPerKpu).toBe(1);
    },
  },
  'sink-backpressure.json': { cause: 'SINK_BACKPRESSURE', actions: [], refused: [] },
  'memory-pressure.json': { cause: 'MEMORY_PRESSURE', actions: [], refused: [], recommends: /state is growing/ },
  'memory-pressure-apply-fix.json': {
    cause: 'MEMORY_PRESSURE',
    actions: [{ type: 'UpdateApplicationParallelism' }],
    refused: [],
    check: (report) => {
      const action = only(report, 'UpdateApplicationParallelism');
      // More memory per task: fewer tasks per KPU, the same parallelism.
      expect(action.parallelismPerKpu).toBeLessThan(4);
      expect(action.to).toBe(action.from);
    },
  },
  'app-crash-loop.json': { cause: 'APP_UNHEALTHY', severity: 'critical', actions: [], refused: [] },
  'app-not-running.json': { cause: 'APP_UNHEALTHY', severity: 'critical', actions: [], refused: [] },
  'verbose-monitoring-debug.json': {
    cause: 'VERBOSE_MONITORING',
    actions: [{ type: 'UpdateApplicationMonitoring' }],
    refused: [],
    check: (report) => {
      expect(only(report, 'UpdateApplicationMonitoring')).toMatchObject({
        logLevel: 'INFO',
        metricsLevel: 'APPLICATION',
      });
    },
  },
  'verbose-monitoring-metrics.json': {
    cause: 'VERBOSE_MONITORING',
    actions: [],
    refused: [],
    // TASK level, not APPLICATION: the fix must keep the per-task busy time the diagnosis reads (DESIGN.md).
    recommends: /TASK-level metrics/,
  },
  'over-provisioned.json': {
    cause: 'OVER_PROVISIONED',
    actions: [
      { type: 'UpdateShardCount', direction: DOWN },
      { type: 'UpdateApplicationParallelism', direction: DOWN },
    ],
    refused: [],
    check: (report, example) => {
      const shards = only(report, 'UpdateShardCount');
      // After the quiet window, the whole way down, in calls of at most half each, keeping room for
      // the window's peak at the target utilisation.
      expect(shards.to).toBeLessThan(shards.from);
      shards.steps.forEach((step, i) =>
        expect(step).toBeGreaterThanOrEqual(Math.ceil((shards.steps[i - 1] ?? shards.from) / 2)),
      );
      expect(shards.to).toBeGreaterThanOrEqual(
        Math.ceil(
          Math.max(
            windowPeak(example, 'incomingBytes') / 60 / (MIB * 0.7),
            windowPeak(example, 'incomingRecords') / 60 / 700,
          ),
        ),
      );
      const app = only(report, 'UpdateApplicationParallelism');
      expect(app.to).toBeLessThan(app.from);
      expect(app.to).toBeGreaterThanOrEqual(1);
    },
  },
  'healthy-transient-spike.json': { cause: 'HEALTHY', actions: [], refused: [] },
  'insufficient-data.json': {
    cause: 'INSUFFICIENT_DATA',
    actions: [],
    refused: [],
    check: (report) => {
      // It must say which metrics are missing.
      const text = [report.diagnosis.summary, ...report.plan.recommendations].join(' ');
      expect(text).toMatch(
        /millisBehindLatest|containerCPUUtilization|cpuUtilization|busyTimeMsPerSecond|backPressuredTimeMsPerSecond/,
      );
    },
  },
  'retention-risk.json': {
    cause: 'CONSUMER_COMPUTE',
    severity: 'critical',
    retentionRisk: true,
    actions: [{ type: 'UpdateApplicationParallelism', direction: UP }, { type: 'IncreaseStreamRetention' }],
    check: (report, example) => {
      const app = only(report, 'UpdateApplicationParallelism');
      expect(app.to).toBeGreaterThan(app.from);
      expect(app.to).toBeLessThanOrEqual(32);
      const retention = only(report, 'IncreaseStreamRetention');
      // Enough that the current lag is back under half of it, within the target's 72 hours.
      const lagHours = recentMean(example, 'millisBehindLatest', 1) / 3_600_000;
      expect(retention.toHours).toBeGreaterThanOrEqual(Math.ceil(2 * lagHours));
      expect(retention.toHours).toBeLessThanOrEqual(72);
    },
  },
  'refused-on-demand.json': {
    cause: 'STREAM_WRITE_CAPACITY',
    actions: [],
    refused: [{ type: 'UpdateShardCount', guardrail: 'on-demand' }],
  },
  'refused-app-updating.json': {
    cause: 'CONSUMER_COMPUTE',
    actions: [],
    refused: [{ type: 'UpdateApplicationParallelism', guardrail: 'resource-state' }],
  },
  'refused-snapshots-disabled.json': {
    cause: 'CONSUMER_COMPUTE',
    actions: [],
    refused: [{ type: 'UpdateApplicationParallelism', guardrail: 'snapshots-disabled' }],
  },
  'refused-builtin-autoscaling.json': {
    cause: 'CONSUMER_COMPUTE',
    actions: [],
    refused: [{ type: 'UpdateApplicationParallelism', guardrail: 'builtin-autoscaling' }],
  },
  'builtin-autoscaling-turn-off.json': {
    cause: 'CONSUMER_COMPUTE',
    actions: [{ type: 'UpdateApplicationParallelism', direction: UP }],
    // The scale-up stops at maxParallelism 24; the rest of what the lag needs is refused by the bound.
    refused: [{ type: 'UpdateApplicationParallelism', guardrail: 'bounds' }],
    check: (report, example) => {
      const action = scaleUpFlink(report, example, 24);
      // From what the job runs with (the service's 8), not the configured 4; and the service's scaler is switched off.
      expect(action.from).toBe(8);
      expect(action.to).toBeGreaterThan(8);
      expect(action.autoScalingEnabled).toBe(false);
    },
  },
  'refused-cooldown.json': {
    cause: 'CONSUMER_COMPUTE',
    actions: [],
    refused: [{ type: 'UpdateApplicationParallelism', guardrail: 'cooldown' }],
  },
  'refused-daily-budget.json': {
    cause: 'STREAM_WRITE_CAPACITY',
    actions: [],
    refused: [{ type: 'UpdateShardCount', guardrail: 'daily-budget' }],
  },
  'daily-budget-rolling-window.json': {
    cause: 'STREAM_WRITE_CAPACITY',
    actions: [{ type: 'UpdateShardCount', direction: UP }],
    refused: [],
    check: (report, example) => {
      // Seven calls in the last 24 hours (three more just before) leave exactly one of the budget's 8.
      const action = scaleUpShards(report, example, 32);
      expect(action.steps).toHaveLength(1);
    },
  },
};

const generated = generateIncidents();
const files = readdirSync(INCIDENTS_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

function load(file: string): Example {
  const snapshot = parseSnapshot(JSON.parse(readFileSync(join(INCIDENTS_DIR, file), 'utf8')));
  const now = Date.parse(snapshot.capturedAt);
  return { snapshot, now, window: MetricWindow.fromGetMetricData(snapshot.getMetricData!, now) };
}

/** Action types, with the direction where the expectation names one. */
function summary(actions: readonly Action[], expected: readonly ExpectedAction[]): string[] {
  const withDirection = new Set(expected.filter((e) => e.direction).map((e) => e.type));
  return actions.map((a) => (withDirection.has(a.type) ? `${a.type} ${actionDirection(a)}` : a.type)).sort();
}

describe('example incidents', () => {
  it('has an expectation for every file and a file for every expectation', () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  it('keeps consumer-compute.json, which npm start reads', () => {
    expect(files).toContain('consumer-compute.json');
  });

  describe.each(Object.entries(EXPECTED))('%s', (file, expected) => {
    const example = load(file);
    const { snapshot } = example;
    let target: TargetConfig;
    let policy: Policy;
    let report: Report;
    beforeAll(() => {
      ({ target, policy } = resolveTarget(snapshot, undefined, undefined));
      report = assess(snapshot, { target, policy, dryRun: false });
    });

    it('resolves the snapshot own config, or its resources in auto mode with the default policy', () => {
      if (snapshot.config) {
        expect(target).toEqual(snapshot.config);
        expect(policy).toEqual(effectivePolicy(undefined, snapshot.config));
        return;
      }
      const stream = snapshot.describeStreamSummary ? parseStreamState(snapshot.describeStreamSummary) : undefined;
      const app = snapshot.describeApplication ? parseAppState(snapshot.describeApplication) : undefined;
      expect(target.mode).toBe('auto');
      expect(target.stream?.name).toBe(stream?.name);
      expect(target.application?.name).toBe(app?.name);
      // INCIDENTS.md fixes no bounds for a snapshot without a config; they must at least stay within AWS's.
      expect(target.stream?.maxShards ?? 1).toBeLessThanOrEqual(AWS_LIMITS.maxShardsPerStream);
      expect(target.application?.maxParallelism ?? 1).toBeLessThanOrEqual(AWS_LIMITS.maxParallelism);
      expect(policy).toEqual(PolicySchema.parse({}));
    });

    it(`names ${expected.cause}${expected.severity ? ` (${expected.severity})` : ''}`, () => {
      expect(report.diagnosis.cause).toBe(expected.cause);
      if (expected.severity) expect(report.diagnosis.severity).toBe(expected.severity);
      expect(report.diagnosis.secondary.includes('RETENTION_RISK')).toBe(expected.retentionRisk === true);
      expect(report.diagnosis.confidence).toBeGreaterThanOrEqual(0);
      expect(report.diagnosis.confidence).toBeLessThanOrEqual(1);
    });

    it(`plans ${expected.actions.length === 0 ? 'nothing' : expected.actions.map((a) => a.type).join(' + ')}`, () => {
      expect(summary(report.plan.actions, expected.actions)).toEqual(
        expected.actions.map((a) => `${a.type}${a.direction ? ` ${a.direction}` : ''}`).sort(),
      );
      if (expected.refused) {
        expect(report.plan.refused.map((r) => ({ type: r.action.type, guardrail: r.guardrail }))).toEqual(
          expected.refused,
        );
      }
      if (expected.recommends) expect(report.plan.recommendations.join(' ')).toMatch(expected.recommends);
      expected.check?.(report, example);
    });

    it('keeps every planned action within the bounds, the 2x/half rule and the guardrails', () => {
      expect(allViolations(report, snapshot, factsOf(snapshot, target, policy, false))).toEqual([]);
      expect(report.plan.apply).toBe(target.mode === 'auto' && expected.actions.length > 0);
    });

    it('plans the same in a dry run and does not apply it', () => {
      const dry = assess(snapshot, { target, policy, dryRun: true });
      expect(dry.plan.apply).toBe(false);
      expect(dry.plan.actions).toEqual(report.plan.actions);
      expect(dry.plan.refused).toEqual(report.plan.refused);
      expect(dry.diagnosis).toEqual(report.diagnosis);
    });
  });
});

describe('the incident generator', () => {
  it('is deterministic', () => {
    expect(generateIncidents().map((i) => renderIncident(i.snapshot))).toEqual(
      generated.map((i) => renderIncident(i.snapshot)),
    );
  });

  it.each(generated.map((incident) => [incident.fileName, incident] as const))(
    '%s is checked in exactly as generated',
    (file, incident) => {
      expect(readFileSync(join(INCIDENTS_DIR, file), 'utf8')).toBe(renderIncident(incident.snapshot));
    },
  );
});

/** Offenders as readable strings: one assertion per rule keeps the suite fast and the failure legible. */
function offenders<T>(items: readonly T[], broken: (item: T) => boolean, show: (item: T) => string): string[] {
  return items.filter(broken).map(show);
}

describe('generated snapshots are physically consistent', () => {
  describe.each(files)('%s', (file) => {
    const { snapshot, window, now } = load(file);
    const stream = snapshot.describeStreamSummary ? parseStreamState(snapshot.describeStreamSummary) : undefined;
    const app = snapshot.describeApplication ? parseAppState(snapshot.describeApplication) : undefined;
    const gmd = snapshot.getMetricData!;
    const points = (key: MetricKey): readonly Point[] => window.pick(METRICS[key])?.series.points ?? [];
    const at = (p: Point): string => `${new Date(p.t).toISOString()}=${p.v}`;

    it('asks CloudWatch for 60-second periods with the resources dimensions', () => {
      const wrong = gmd.MetricDataQueries.filter((query) => {
        const stat = query.MetricStat!;
        const dims = Object.fromEntries((stat.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
        const owner =
          stat.Metric.Namespace === 'AWS/Kinesis' ? dims.StreamName === stream?.name : dims.Application === app?.name;
        return stat.Period !== 60 || !owner;
      });
      expect(wrong.map((q) => q.Id)).toEqual([]);
    });

    it('covers 120 to 180 minutes ending at capturedAt, in one time order per result', () => {
      const all = window.series.flatMap((s) => s.points.map((p) => p.t));
      expect(Math.max(...all)).toBe(now - 60_000);
      const minutes = (now - Math.min(...all)) / 60_000;
      expect(minutes).toBeGreaterThanOrEqual(120);
      expect(minutes).toBeLessThanOrEqual(180);
      expect(all.filter((t) => t % 60_000 !== 0)).toEqual([]);
      const descending = (gmd as { ScanBy?: string }).ScanBy !== 'TimestampAscending';
      const unordered = gmd.MetricDataResults.filter((result) => {
        const times = (result.Timestamps ?? []).map((t) => Date.parse(String(t)));
        return times.some((t, i) => i > 0 && (descending ? t >= times[i - 1]! : t <= times[i - 1]!));
      });
      expect(unordered.map((r) => r.Id)).toEqual([]);
    });

    it('never accepts more than the shards take, and bytes are records times a plausible size', () => {
      if (!stream) return;
      const writeBytes = stream.openShards * AWS_LIMITS.shardWriteBytesPerSecond;
      const writeRecords = stream.openShards * AWS_LIMITS.shardWriteRecordsPerSecond;
      const readBytes = stream.openShards * AWS_LIMITS.shardReadBytesPerSecond;
      const records = new Map(points('incomingRecords').map((p) => [p.t, p.v]));
      const throttled = new Map(points('writeThrottled').map((p) => [p.t, p.v]));
      expect(offenders(points('incomingBytes'), (p) => p.v / 60 > writeBytes, at)).toEqual([]);
      expect(offenders(points('incomingRecords'), (p) => p.v / 60 > writeRecords, at)).toEqual([]);
      expect(
        offenders(
          points('incomingBytes'),
          (p) => !(p.v / records.get(p.t)! > 50 && p.v / records.get(p.t)! < MIB),
          (p) => `${at(p)} for ${records.get(p.t)} records`,
        ),
      ).toEqual([]);
      expect(offenders(points('getRecordsBytes'), (p) => p.v / 60 > readBytes, at)).toEqual([]);
      expect(offenders(points('putRecordsThrottled'), (p) => p.v > throttled.get(p.t)!, at)).toEqual([]);
    });

    it('adds per-shard series up to the stream total', () => {
      const perShard = window.detail(METRICS.incomingRecords, stream?.name);
      const sums = new Map<number, number>();
      for (const series of perShard) {
        expect(offenders(series.points, (p) => p.v / 60 > AWS_LIMITS.shardWriteRecordsPerSecond, at)).toEqual([]);
        for (const p of series.points) sums.set(p.t, (sums.get(p.t) ?? 0) + p.v);
      }
      if (perShard.length === 0) return;
      expect(offenders(points('incomingRecords'), (p) => Math.abs(sums.get(p.t)! - p.v) > perShard.length, at)).toEqual(
        [],
      );
    });

    it('keeps Flink gauges in range and cumulative counters non-decreasing', () => {
      for (const key of ['containerCpu', 'cpu', 'heap', 'containerMemory'] as const) {
        expect(offenders(points(key), (p) => p.v < 0 || p.v > 100, at)).toEqual([]);
      }
      for (const key of ['busyTime', 'backPressuredTime', 'idleTime'] as const) {
        expect(offenders(points(key), (p) => p.v < 0 || p.v > 1000, at)).toEqual([]);
      }
      for (const key of ['fullRestarts', 'numRestarts', 'failedCheckpoints'] as const) {
        const series = points(key);
        expect(offenders(series, (p) => series.some((q) => q.t < p.t && q.v > p.v), at)).toEqual([]);
      }
    });

    it('only lets lag grow while the job processes less than arrives', () => {
      const lag = points('millisBehindLatest');
      const processed = points('recordsInPerSecond');
      const arrived = points('incomingRecords');
      const growing = lag.filter((from, i) => {
        const to = lag[i + 10];
        return to !== undefined && to.t - from.t === 10 * 60_000 && to.v - from.v > 60_000;
      });
      const keptUp = growing.filter((from) => {
        const inRange = (p: Point): boolean => p.t > from.t && p.t <= from.t + 10 * 60_000;
        const processedMean = meanOf(processed.filter(inRange));
        return processedMean !== undefined && processedMean >= meanOf(arrived.filter(inRange))! / 60;
      });
      expect(keptUp.map(at)).toEqual([]);
    });
  });
});

describe('generated snapshots are in the shapes AWS publishes', () => {
  describe.each(files)('%s', (file) => {
    const { snapshot } = load(file);
    const app = snapshot.describeApplication ? parseAppState(snapshot.describeApplication) : undefined;
    const gmd = snapshot.getMetricData!;
    const withData = new Set(gmd.MetricDataResults.filter((r) => (r.Values ?? []).length > 0).map((r) => r.Id));
    const published = gmd.MetricDataQueries.filter((q) => withData.has(q.Id)).map((q) => ({
      name: q.MetricStat!.Metric.MetricName,
      dimensions: (q.MetricStat!.Metric.Dimensions ?? []).map((d) => d.Name).sort(),
    }));
    const perTask = new Set(['busyTimeMsPerSecond', 'backPressuredTimeMsPerSecond', 'idleTimeMsPerSecond']);

    it('publishes per-task metrics only from TASK level, each with its task', () => {
      if (!app) return;
      const taskSeries = published.filter((p) => perTask.has(p.name));
      if (app.metricsLevel === 'APPLICATION') expect(taskSeries).toEqual([]);
      expect(taskSeries.filter((p) => !p.dimensions.includes('TaskName'))).toEqual([]);
    });

    it('publishes millisBehindLatest per source stream (Application, Flow, Id)', () => {
      const lag = published.filter((p) => p.name === 'millisBehindLatest');
      expect(lag.filter((p) => p.dimensions.join() !== 'Application,Flow,Id')).toEqual([]);
    });

    it("counts restarts with the runtime's counter", () => {
      if (!app) return;
      const removed = app.runtime === 'FLINK-2_2' ? 'fullRestarts' : 'numRestarts';
      expect(published.filter((p) => p.name === removed)).toEqual([]);
    });
  });
});
