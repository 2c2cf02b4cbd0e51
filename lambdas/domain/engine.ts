import { unknownApplicationValues, unknownStreamValues } from './aws-values';
import { AWS_LIMITS, PolicySchema, TargetSchema, effectivePolicy, findTarget } from './config';
import type { Policy, StreamMedicConfig, TargetConfig } from './config';
import { diagnose } from './diagnosis';
import { MetricWindow } from './metric-window';
import { streamResource, type Report, type TargetRef } from './model';
import { planActions } from './planner';
import { extractSignals } from './signals';
import { appStateOf, streamStateOf, type Snapshot } from './snapshot';
import { InvalidInputError } from './validation';

export interface AssessOptions {
  readonly target: TargetConfig;
  readonly policy: Policy;
  /** A dry run plans exactly as a live run; it only sets `plan.apply` to false. */
  readonly dryRun: boolean;
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
  const ledger = snapshot.ledger.filter((e) => e.target === target.name);
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
  const unknownValues = [
    ...(stream ? unknownStreamValues(stream) : []),
    ...(app ? unknownApplicationValues(app) : []),
  ];
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
  });
  const apply = target.mode === 'auto' && !options.dryRun && bounded.actions.length > 0;
  const ref: TargetRef = {
    name: target.name,
    ...(streamName ? { streamName } : {}),
    ...(appName ? { applicationName: appName } : {}),
  };
  return {
    target: ref,
    diagnosis,
    plan: { mode: target.mode, apply, ...bounded },
  };
}

/** A dimension value used by the snapshot's metric queries, for snapshots that carry only metrics. */
function dimensionInQueries(snapshot: Snapshot, dimension: string): string | undefined {
  for (const query of snapshot.getMetricData?.MetricDataQueries ?? []) {
    const found = query.MetricStat?.Metric.Dimensions.find((d) => d.Name === dimension);
    if (found) return found.Value;
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
