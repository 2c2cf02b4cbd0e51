/**
 * Everything `assess` takes: a valid snapshot (validated by the snapshot schema, as the CLI and the
 * Lambda validate it), the target config, the policy and the dry-run flag.
 */
import fc from 'fast-check';
import { PolicySchema, type Policy, type TargetConfig } from '../../lambdas/domain/config';
import { MetricWindow } from '../../lambdas/domain/metric-window';
import { parseAppState, parseStreamState, type Snapshot, type SnapshotInput } from '../../lambdas/domain/snapshot';
import { metricData, metricProfiles, windowFixture, windowOf } from './metric-arbitraries';
import {
  APPLICATION_NAME,
  STREAM_NAME,
  appFixture,
  appRecord,
  streamFixture,
  streamRecord,
} from './resource-arbitraries';
import { TARGET_NAME, ledgerEntries, ledgerFixture, policy, targetConfig, targetFixture } from './target-arbitraries';

export interface AssessInput {
  readonly snapshot: Snapshot;
  readonly target: TargetConfig;
  readonly policy: Policy;
  readonly dryRun: boolean;
}

export const assessInput: fc.Arbitrary<AssessInput> = fc
  .record({
    resources: fc.constantFrom('both', 'both', 'both', 'stream', 'application'),
    stream: streamFixture,
    app: appFixture,
    // A describe call can fail while the metrics come back; the engine must cope with the gap.
    describeStream: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    describeApp: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    window: windowFixture,
    profiles: metricProfiles,
    target: targetFixture,
    policy,
    ledger: ledgerFixture,
    dryRun: fc.boolean(),
  })
  .map((f) => {
    const stream = f.resources !== 'application' ? f.stream : undefined;
    const app = f.resources !== 'stream' ? f.app : undefined;
    const capturedAt = windowOf(f.window).capturedAt;
    const names = {
      ...(stream ? { streamName: STREAM_NAME } : {}),
      ...(app ? { applicationName: APPLICATION_NAME } : {}),
    };
    const input: SnapshotInput = {
      version: 1,
      capturedAt,
      target: { name: TARGET_NAME, ...names },
      getMetricData: metricData(f.window, f.profiles, stream, app, names),
      ...(stream && f.describeStream ? { describeStreamSummary: streamRecord(stream) } : {}),
      ...(app && f.describeApp ? { describeApplication: appRecord(app) } : {}),
      ledger: ledgerEntries(f.ledger, capturedAt),
    };
    const result: AssessInput = {
      // Built in the schema's output shape, every default given, so it is used as is: validating
      // thousands of datapoints per run would cost more than the assessment. The arbitrary's own
      // test checks that parseSnapshot accepts these unchanged.
      snapshot: input as Snapshot,
      target: targetConfig(f.target, stream, app),
      policy: f.policy,
      dryRun: f.dryRun,
    };
    // A counterexample reads as an incident summary instead of thousands of datapoints.
    return Object.assign(result, { [fc.toStringMethod]: () => describeInput(result) });
  });

const DEFAULT_POLICY = PolicySchema.parse({});

/** One line per fact: resources, target, non-default policy, ledger, and each metric's first, last and peak values. */
export function describeInput(input: AssessInput): string {
  const { snapshot } = input;
  const lines = [`capturedAt ${snapshot.capturedAt}, dryRun ${input.dryRun}`];
  if (snapshot.describeStreamSummary) {
    const s = parseStreamState(snapshot.describeStreamSummary);
    lines.push(`stream: ${s.status} ${s.mode} ${s.openShards} shards, retention ${s.retentionHours} h`);
  }
  if (snapshot.describeApplication) {
    const a = parseAppState(snapshot.describeApplication);
    lines.push(
      `app: ${a.status} parallelism ${a.parallelism} (configured ${a.configuredParallelism}), ${a.parallelismPerKpu}/KPU, ` +
        `autoscaling ${a.autoScalingEnabled}, snapshots ${a.snapshotsEnabled}, ${a.logLevel}/${a.metricsLevel}`,
    );
  }
  lines.push(`target: ${JSON.stringify(input.target)}`);
  const policy = Object.entries(input.policy).filter(([k, v]) => DEFAULT_POLICY[k as keyof Policy] !== v);
  lines.push(`policy (non-default): ${JSON.stringify(Object.fromEntries(policy))}`);
  for (const e of snapshot.ledger) {
    lines.push(
      `ledger: ${e.at} ${e.resource} ${e.actionType} ${e.direction} ${e.from ?? ''}->${e.to ?? ''} calls ${e.calls}`,
    );
  }
  if (snapshot.getMetricData) {
    const window = MetricWindow.fromGetMetricData(snapshot.getMetricData, Date.parse(snapshot.capturedAt));
    for (const series of window.series) {
      const points = series.points;
      const peak = points.reduce((m, p) => Math.max(m, p.v), -Infinity);
      lines.push(
        `${series.metricName} ${series.stat}: ` +
          (points.length === 0
            ? 'no datapoints'
            : `${points.length} pts, first ${points[0]!.v}, last ${points[points.length - 1]!.v}, peak ${peak}`),
      );
    }
  }
  return lines.join('\n  ');
}
