import { keyGroupsOf } from './key-groups';
import { unknownApplicationValues, unknownStreamValues, type UnknownValue } from './aws-values';
import { AWS_LIMITS, PolicySchema, TargetSchema, effectivePolicy, findTarget } from './config';
import type { Policy, StreamMedicConfig, TargetConfig } from './config';
import { diagnose, lacksTaskMetrics, type Finding } from './diagnosis';
import type { FleetBudget } from './fleet-budget';
import { MetricWindow } from './metric-window';
import { tryParseInsightsQuery } from './metrics-insights';
import { streamResource, type Action, type AppState, type Diagnosis, type Report, type TargetRef } from './model';
import { changesOf } from './ledger-intents';
import { kpuQuotaRefusal } from './kpu-quota';
import type { BacklogDrain, ProcessedRates } from './outcome';
import { ineffectiveScaleUp } from './scaling-effect';
import { drainSeconds, planActions } from './planner';
import { extractSignals, type Signals } from './signals';
import { appStateOf, streamStateOf, type Snapshot } from './snapshot';
import { InvalidInputError } from './validation';
import { modeMayChange } from './vocabulary';

export interface AssessOptions {
  readonly target: TargetConfig;
  readonly policy: Policy;
  /** A dry run plans exactly as a live run; it only sets `plan.apply` to false. */
  readonly dryRun: boolean;
  /** The fleet's changes per hour and its cap, read by the workflow; absent, the fleet budget is not checked. */
  readonly fleet?: FleetBudget;
  /**
   * A run the sweep started only to follow an incident's scale-up up plans the scale-back alone
   * (planner.ts): anything else it finds is left to the runs the alarms start.
   */
  readonly scaleBackOnly?: boolean;
}

/**
 * Whether the consumer's backlog drains on plan in a snapshot: its lag falls now fast enough to be gone
 * within the catch-up time. What verification judges a catch-up by.
 */
export function backlogDrain(snapshot: Snapshot, options: Omit<AssessOptions, 'dryRun'>): BacklogDrain | undefined {
  const { target, policy } = options;
  const appName = target.application?.name;
  if (!appName) return undefined;
  const now = Date.parse(snapshot.capturedAt);
  const window = MetricWindow.fromGetMetricData(
    snapshot.getMetricData ?? { MetricDataQueries: [], MetricDataResults: [] },
    now,
  );
  const app = snapshot.describeApplication ? appStateOf(snapshot.describeApplication) : undefined;
  const signals = extractSignals({ window, policy, ...(app ? { app } : {}), appName });
  const seconds = drainSeconds(signals);
  // A lag already at zero is no backlog to judge the change by.
  if (seconds === undefined || !(seconds > 0)) return undefined;
  return { seconds, onPlan: seconds <= policy.catchUpSeconds };
}

/**
 * What the job processed before and after StreamMedic's last scale-up of it, when that scale-up did
 * not raise the rate as it should have (FLIP-271's check, scaling-effect.ts): what verification
 * reads a scale-up that slowed the job from.
 */
export function processedRates(snapshot: Snapshot, options: Omit<AssessOptions, 'dryRun'>): ProcessedRates | undefined {
  const { target, policy } = options;
  const appName = target.application?.name;
  if (!appName) return undefined;
  const window = MetricWindow.fromGetMetricData(
    snapshot.getMetricData ?? { MetricDataQueries: [], MetricDataResults: [] },
    Date.parse(snapshot.capturedAt),
  );
  return ineffectiveScaleUp({
    applicationName: appName,
    ledger: changesOf(snapshot.ledger.filter((e) => e.target === target.name)),
    window,
    nowMinutes: policy.nowMinutes,
    restartSeconds: policy.expectedRestartSeconds,
    lagThresholdMs: policy.lagThresholdMs,
    keyGroups: target.application ? keyGroupsOf(target.application) : undefined,
  });
}

/**
 * Diagnoses a snapshot and plans a bounded fix. Pure and deterministic: "now" is the snapshot's
 * `capturedAt`, and earlier actions come from `snapshot.ledger`.
 */
export function assess(snapshot: Snapshot, options: AssessOptions): Report {
  const { target, policy } = options;
  const now = Date.parse(snapshot.capturedAt);
  // The snapshot is validated already; read its describe responses as they are.
  const stream = snapshot.describeStreamSummary ? streamStateOf(snapshot.describeStreamSummary) : undefined;
  const app = snapshot.describeApplication ? appStateOf(snapshot.describeApplication) : undefined;
  const window = MetricWindow.fromGetMetricData(
    snapshot.getMetricData ?? { MetricDataQueries: [], MetricDataResults: [] },
    now,
  );
  const streamName = target.stream?.name;
  const appName = target.application?.name;
  // Each change once, as requested; a change that may have been made counts as made (ledger-intents.ts).
  const ledger = changesOf(snapshot.ledger.filter((e) => e.target === target.name));
  const streamChanges = streamName
    ? ledger.filter((e) => e.resource === streamResource(streamName) && e.actionType === 'UpdateShardCount')
    : [];
  const streamChangedAt =
    streamChanges.length > 0 ? Math.max(...streamChanges.map((e) => Date.parse(e.at))) : undefined;
  const signals = extractSignals({ window, policy, stream, app, streamName, appName, streamChangedAt });
  const windowStart = now - (signals.coveredMinutes || policy.recentMinutes) * 60_000;
  // Every application update StreamMedic made restarts the job once; those restarts are not a crash loop.
  const ownRestarts = ledger.filter(
    (e) => e.resource.startsWith('application/') && Date.parse(e.at) >= windowStart && Date.parse(e.at) <= now,
  ).length;
  // Refused calls are not changes, so the quota AWS enforced is read from the ledger as written.
  const kpuQuota = appName
    ? kpuQuotaRefusal(
        snapshot.ledger.filter((e) => e.target === target.name),
        appName,
      )
    : undefined;
  const unknownValues = [...(stream ? unknownStreamValues(stream) : []), ...(app ? unknownApplicationValues(app) : [])];
  const { diagnosis, findings, lagging } = diagnose({
    signals,
    policy,
    streamName,
    appName,
    ownRestarts,
    unknownValues,
  });
  const bounded = planActions({
    target,
    policy,
    signals,
    findings,
    lagging,
    ...(stream ? { stream } : {}),
    ...(app ? { app } : {}),
    ledger,
    now,
    window,
    ...(options.fleet ? { fleet: options.fleet } : {}),
    ...(options.scaleBackOnly ? { scaleBackOnly: true } : {}),
    ...(kpuQuota ? { kpuQuota } : {}),
  });
  const recommendations = [
    ...bounded.recommendations,
    ...readingAdvice({ signals, diagnosis, findings, app, appName, streamName, unknownValues }),
    ...rollbackNote(app, [...bounded.actions, ...bounded.refused.map((r) => r.action)]),
    ...(snapshot.leftOut && snapshot.leftOut.length > 0
      ? [
          `${snapshot.leftOut.length} series did not fit in GetMetricData's 500-query limit and were not read (the finest first): ${snapshot.leftOut.slice(0, 5).join(', ')}${snapshot.leftOut.length > 5 ? ', ...' : ''}.`,
        ]
      : []),
  ];
  const apply = modeMayChange(target.mode) && !options.dryRun && bounded.actions.length > 0;
  const ref: TargetRef = {
    name: target.name,
    ...(streamName ? { streamName } : {}),
    ...(appName ? { applicationName: appName } : {}),
  };
  return {
    target: ref,
    diagnosis,
    plan: { mode: target.mode, apply, ...bounded, recommendations: [...new Set(recommendations)] },
  };
}

interface ReadingFacts {
  readonly signals: Signals;
  readonly diagnosis: Diagnosis;
  readonly findings: readonly Finding[];
  readonly app: AppState | undefined;
  readonly appName: string | undefined;
  readonly streamName: string | undefined;
  readonly unknownValues: readonly UnknownValue[];
}

/** What the person should change so that the next diagnosis reads more than this one could. */
function readingAdvice(facts: ReadingFacts): string[] {
  const out: string[] = [];
  const { signals, diagnosis, appName, streamName } = facts;
  if (appName && lacksTaskMetrics(signals, diagnosis.cause, appName)) {
    out.push(
      `Set ${appName} to TASK-level metrics (UpdateApplication, MonitoringConfigurationUpdate MetricsLevel TASK): per-task busyTimeMsPerSecond and backPressuredTimeMsPerSecond tell a CPU-bound job from one waiting on its sink, and size it from its busiest task.`,
    );
  }
  const guessedHotKey = facts.findings.some((f) => f.cause === 'HOT_SHARD') && !signals.stream?.hottestShard;
  if (streamName && guessedHotKey) {
    out.push(
      signals.stream?.shardMetricsEnabled
        ? `Read the shard-level series of ${streamName} (IncomingBytes and IncomingRecords by ShardId) to name the hot shard.`
        : `Turn on shard-level metrics for ${streamName} (EnableEnhancedMonitoring with IncomingBytes, IncomingRecords and WriteProvisionedThroughputExceeded) to tell a hot key from sub-minute bursts and name the shard.`,
    );
  }
  if (facts.unknownValues.length > 0) {
    out.push(
      `${facts.unknownValues.map((u) => `${u.field} ${u.value}`).join(', ')}: not a value this version of StreamMedic knows; check the resource in the console. Nothing is changed on it until it reports a state StreamMedic knows.`,
    );
  }
  return out;
}

/** Before a Flink update: what happens if it fails, as the application's system rollback setting says. */
function rollbackNote(app: AppState | undefined, actions: readonly Action[]): string[] {
  if (!app || !actions.some((a) => 'applicationName' in a)) return [];
  if (app.rollbackEnabled === undefined) {
    return [
      `Application ${app.name} did not report its system rollback setting: a failed update may leave the job down.`,
    ];
  }
  return [
    app.rollbackEnabled
      ? `Application ${app.name} has system rollback on: if an update fails to start, Managed Flink rolls back to the running version.`
      : `Application ${app.name} has system rollback off: if an update fails to start, the job stays down until someone rolls it back.`,
  ];
}

/** A dimension value used by the snapshot's metric queries, for snapshots that carry only metrics. */
function dimensionInQueries(snapshot: Snapshot, dimension: string): string | undefined {
  for (const query of snapshot.getMetricData?.MetricDataQueries ?? []) {
    const found = query.MetricStat?.Metric.Dimensions.find((d) => d.Name === dimension);
    if (found) return found.Value;
    // A Metrics Insights query names its resource in an equality filter.
    const insights = query.Expression !== undefined ? tryParseInsightsQuery(query.Expression) : undefined;
    const filter = insights?.where.find((c) => c.key === dimension && c.operator === '=');
    if (filter) return filter.value;
  }
  return undefined;
}

function namesInSnapshot(snapshot: Snapshot): { streamName?: string; applicationName?: string } {
  const streamName =
    snapshot.describeStreamSummary?.StreamDescriptionSummary.StreamName ??
    snapshot.target?.streamName ??
    dimensionInQueries(snapshot, 'StreamName');
  const applicationName =
    snapshot.describeApplication?.ApplicationDetail.ApplicationName ??
    snapshot.target?.applicationName ??
    dimensionInQueries(snapshot, 'Application');
  return {
    ...(streamName ? { streamName } : {}),
    ...(applicationName ? { applicationName } : {}),
  };
}

/** Refuses a target whose resources are not the ones the snapshot describes: acting on them would use wrong data. */
function checkMatches(target: TargetConfig, snapshot: Snapshot, source: string): void {
  const seen = namesInSnapshot(snapshot);
  if (target.stream && seen.streamName && target.stream.name !== seen.streamName) {
    throw new InvalidInputError(
      `${source}.stream.name`,
      `"${target.stream.name}" does not match the snapshot's stream "${seen.streamName}"`,
    );
  }
  if (target.application && seen.applicationName && target.application.name !== seen.applicationName) {
    throw new InvalidInputError(
      `${source}.application.name`,
      `"${target.application.name}" does not match the snapshot's application "${seen.applicationName}"`,
    );
  }
}

/**
 * Picks the target config for a snapshot: `--target NAME` from the config, else the config target
 * that the snapshot names or whose resources it describes, else the snapshot's own `config`, else a
 * target in `auto` mode with the default policy and only AWS's own bounds.
 */
export function resolveTarget(
  snapshot: Snapshot,
  config: StreamMedicConfig | undefined,
  targetName: string | undefined,
): { target: TargetConfig; policy: Policy } {
  const names = namesInSnapshot(snapshot);
  if (config) {
    let target: TargetConfig | undefined;
    if (targetName) {
      target = findTarget(config, targetName);
      if (!target) {
        throw new InvalidInputError(
          '--target',
          `no target named "${targetName}" in the config (known: ${config.targets.map((t) => t.name).join(', ')})`,
        );
      }
    } else {
      target =
        (snapshot.target?.name ? findTarget(config, snapshot.target.name) : undefined) ??
        config.targets.find(
          (t) =>
            (names.streamName !== undefined && t.stream?.name === names.streamName) ||
            (names.applicationName !== undefined && t.application?.name === names.applicationName),
        );
      if (!target) {
        throw new InvalidInputError(
          '--target',
          `the config has no target for this snapshot (${[names.streamName, names.applicationName].filter(Boolean).join(', ') || 'no resource names'}); name one with --target`,
        );
      }
    }
    const index = config.targets.indexOf(target);
    checkMatches(target, snapshot, `targets[${index}]`);
    return { target, policy: effectivePolicy(config, target) };
  }
  if (snapshot.config) {
    if (targetName && snapshot.config.name !== targetName) {
      throw new InvalidInputError(
        '--target',
        `the snapshot's config is for "${snapshot.config.name}", not "${targetName}"`,
      );
    }
    checkMatches(snapshot.config, snapshot, 'config');
    return { target: snapshot.config, policy: effectivePolicy(undefined, snapshot.config) };
  }
  if (!names.streamName && !names.applicationName) {
    throw new InvalidInputError(
      'target',
      'the snapshot names no stream or application (target, describe responses or metric dimensions)',
    );
  }
  const name = targetName ?? snapshot.target?.name ?? names.streamName ?? names.applicationName ?? 'target';
  const target = TargetSchema.parse({
    // Stream and application names may be 128 characters; target names are kept to 64.
    name:
      name
        .replace(/[^A-Za-z0-9_.-]/g, '-')
        .replace(/^[^A-Za-z0-9]+/, '')
        .slice(0, 64) || 'target',
    mode: 'auto',
    ...(names.streamName
      ? { stream: { name: names.streamName, minShards: 1, maxShards: AWS_LIMITS.maxShardsPerStream } }
      : {}),
    ...(names.applicationName
      ? { application: { name: names.applicationName, maxParallelism: AWS_LIMITS.maxParallelism } }
      : {}),
  });
  return { target, policy: PolicySchema.parse({}) };
}
