/**
 * Target configs, policies and ledgers. Bounds are drawn relative to the resources' current size, so
 * "already at the maximum", "below the minimum" and "one step from the limit" all come up often.
 */
import fc from 'fast-check';
import { AWS_LIMITS, PolicySchema, type Policy, type TargetConfig } from '../../lambdas/domain/config';
import type { LedgerEntry } from '../../lambdas/domain/model';
import { MODES, type Mode } from '../../lambdas/domain/vocabulary';
import { APPLICATION_NAME, STREAM_NAME, type AppFixture, type StreamFixture } from './resource-arbitraries';

export const TARGET_NAME = 'prop-target';

/** A bound: the schema default, a multiple of the current size, or the hard limit. */
type BoundChoice =
  { readonly kind: 'default' } | { readonly kind: 'relative'; readonly factor: number } | { readonly kind: 'limit' };

const boundChoice = (minFactor: number, maxFactor: number): fc.Arbitrary<BoundChoice> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant<BoundChoice>({ kind: 'default' }) },
    {
      weight: 5,
      arbitrary: fc
        .double({ min: minFactor, max: maxFactor, noNaN: true })
        .map((factor): BoundChoice => ({ kind: 'relative', factor })),
    },
    { weight: 1, arbitrary: fc.constant<BoundChoice>({ kind: 'limit' }) },
  );

export interface TargetFixture {
  readonly mode: Mode;
  readonly minShards: BoundChoice;
  readonly maxShards: BoundChoice;
  readonly maxRetention: 'off' | 'default' | 'limit' | number;
  readonly minParallelism: BoundChoice;
  readonly maxParallelism: BoundChoice;
  readonly parallelismPerKpu: number | undefined;
  readonly maxKpu: number;
  readonly allowWithoutSnapshots: boolean;
  readonly builtInAutoscaling: 'defer' | 'turn-off';
  readonly applyMemoryFix: boolean;
  readonly applyMonitoringFix: boolean;
  readonly keyed: boolean;
}

export const targetFixture: fc.Arbitrary<TargetFixture> = fc.record({
  mode: fc.oneof(
    { weight: 2, arbitrary: fc.constant<Mode>('auto') },
    { weight: 1, arbitrary: fc.constantFrom<Mode>(...MODES) },
  ),
  minShards: boundChoice(0.1, 1.5),
  maxShards: boundChoice(0.5, 4),
  maxRetention: fc.oneof(
    fc.constantFrom('off' as const, 'default' as const, 'limit' as const),
    fc.integer({ min: 24, max: AWS_LIMITS.maxRetentionHours }),
  ),
  minParallelism: boundChoice(0.1, 1.5),
  maxParallelism: boundChoice(0.5, 4),
  parallelismPerKpu: fc.option(fc.integer({ min: 1, max: AWS_LIMITS.maxParallelismPerKpu }), { nil: undefined }),
  maxKpu: fc.oneof(fc.constantFrom(64, 32), fc.integer({ min: 1, max: 64 })),
  allowWithoutSnapshots: fc.boolean(),
  builtInAutoscaling: fc.constantFrom('defer' as const, 'turn-off' as const),
  applyMemoryFix: fc.boolean(),
  applyMonitoringFix: fc.boolean(),
  keyed: fc.boolean(),
});

function resolveBound(choice: BoundChoice, current: number, schemaDefault: number, limit: number): number {
  switch (choice.kind) {
    case 'default':
      return schemaDefault;
    case 'limit':
      return limit;
    case 'relative':
      return Math.max(1, Math.min(limit, Math.round(current * choice.factor)));
  }
}

/** The target config, validated by the schema, for the resources the snapshot has. */
export function targetConfig(
  fixture: TargetFixture,
  stream: StreamFixture | undefined,
  app: AppFixture | undefined,
): TargetConfig {
  const streamBounds = (s: StreamFixture) => {
    const minShards = resolveBound(fixture.minShards, s.shards, 1, AWS_LIMITS.maxShardsPerStream);
    const maxShards = Math.max(minShards, resolveBound(fixture.maxShards, s.shards, 64, AWS_LIMITS.maxShardsPerStream));
    const maxRetentionHours =
      fixture.maxRetention === 'off'
        ? 0
        : fixture.maxRetention === 'default'
          ? 168
          : fixture.maxRetention === 'limit'
            ? AWS_LIMITS.maxRetentionHours
            : fixture.maxRetention;
    return { name: STREAM_NAME, minShards, maxShards, maxRetentionHours };
  };
  const appBounds = (a: AppFixture) => {
    // The schema refuses a minimum the KPU limit cannot reach when tasks per KPU are fixed.
    const reachable =
      fixture.parallelismPerKpu !== undefined ? fixture.maxKpu * fixture.parallelismPerKpu : AWS_LIMITS.maxParallelism;
    const minParallelism = Math.min(
      reachable,
      resolveBound(fixture.minParallelism, a.parallelism, 1, AWS_LIMITS.maxParallelism),
    );
    const maxParallelism = Math.max(
      minParallelism,
      resolveBound(fixture.maxParallelism, a.parallelism, 64, AWS_LIMITS.maxParallelism),
    );
    return {
      name: APPLICATION_NAME,
      minParallelism,
      maxParallelism,
      ...(fixture.parallelismPerKpu !== undefined ? { parallelismPerKpu: fixture.parallelismPerKpu } : {}),
      maxKpu: fixture.maxKpu,
      // Flink's default; below maxParallelism's range often enough that the job's limit binds.
      maxJobParallelism: 128,
      keyed: fixture.keyed,
      allowWithoutSnapshots: fixture.allowWithoutSnapshots,
      builtInAutoscaling: fixture.builtInAutoscaling,
      applyMemoryFix: fixture.applyMemoryFix,
      applyMonitoringFix: fixture.applyMonitoringFix,
    };
  };
  // Every field is given, so this is the schema's output as is; the arbitrary's test checks that
  // TargetSchema returns it unchanged (parsing it here, a thousand times per property, is slow).
  return {
    name: TARGET_NAME,
    mode: fixture.mode,
    ...(stream ? { stream: streamBounds(stream) } : {}),
    ...(app ? { application: appBounds(app) } : {}),
  };
}

const DEFAULT_POLICY = PolicySchema.parse({});

/** Any subset of the policy's knobs, anywhere in the range the schema accepts. */
export const policy: fc.Arbitrary<Policy> = fc
  .record(
    {
      targetUtilization: fc.double({ min: 0.11, max: 0.95, noNaN: true }),
      lagThresholdMs: fc.integer({ min: 1_000, max: 3_600_000 }),
      catchUpSeconds: fc.integer({ min: 30, max: 3_600 }),
      expectedRestartSeconds: fc.integer({ min: 10, max: 600 }),
      cooldownUpMinutes: fc.integer({ min: 1, max: 180 }),
      cooldownDownMinutes: fc.integer({ min: 1, max: 720 }),
      dailyActionBudget: fc.integer({ min: 1, max: AWS_LIMITS.shardUpdatesPerDay - 1 }),
      scaleInWindowMinutes: fc.integer({ min: 5, max: 240 }),
      scaleInUtilization: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
      recentMinutes: fc.integer({ min: 1, max: 60 }),
      throttleMinutes: fc.integer({ min: 1, max: 10 }),
      throttleShare: fc.double({ min: 0, max: 0.5, noNaN: true }),
      cpuHighPercent: fc.integer({ min: 1, max: 100 }),
      busyHighMsPerSecond: fc.integer({ min: 1, max: 1000 }),
      backPressureHighMsPerSecond: fc.integer({ min: 1, max: 1000 }),
      heapHighPercent: fc.integer({ min: 1, max: 100 }),
      checkpointSlowMs: fc.integer({ min: 1_000, max: 600_000 }),
      crashLoopRestarts: fc.integer({ min: 1, max: 10 }),
      hotShardUtilization: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
      readScaleUtilization: fc.double({ min: 0.01, max: 1, noNaN: true }),
    },
    { requiredKeys: [] },
  )
  .map((overrides): Policy => ({ ...DEFAULT_POLICY, ...overrides }));

export interface LedgerFixture {
  readonly resource: 'stream' | 'application' | 'other';
  readonly kind: 'scale' | 'other';
  /** Whole minutes plus some seconds, so no entry sits exactly on a cooldown or 24-hour boundary. */
  readonly minutesAgo: number;
  readonly secondsAgo: number;
  readonly from: number;
  readonly to: number;
  readonly calls: number;
}

export const ledgerFixture: fc.Arbitrary<LedgerFixture[]> = fc.array(
  fc.record({
    resource: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('stream' as const, 'application' as const) },
      { weight: 1, arbitrary: fc.constant('other' as const) },
    ),
    kind: fc.oneof(
      { weight: 3, arbitrary: fc.constant('scale' as const) },
      { weight: 1, arbitrary: fc.constant('other' as const) },
    ),
    minutesAgo: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 2_000 })),
    secondsAgo: fc.integer({ min: 1, max: 59 }),
    from: fc.integer({ min: 1, max: 256 }),
    to: fc.integer({ min: 1, max: 256 }),
    calls: fc.integer({ min: 1, max: 3 }),
  }),
  { maxLength: 12 },
);

export function ledgerEntries(fixtures: readonly LedgerFixture[], capturedAt: string): LedgerEntry[] {
  const now = Date.parse(capturedAt);
  return fixtures.map((f) => {
    const onStream = f.resource === 'stream';
    const resource =
      f.resource === 'stream'
        ? `stream/${STREAM_NAME}`
        : f.resource === 'application'
          ? `application/${APPLICATION_NAME}`
          : 'stream/some-other-stream';
    const at = new Date(now - f.minutesAgo * 60_000 - f.secondsAgo * 1000).toISOString();
    if (f.kind === 'other') {
      return {
        at,
        target: TARGET_NAME,
        resource,
        actionType: onStream ? 'IncreaseStreamRetention' : 'UpdateApplicationMonitoring',
        direction: 'none',
        calls: 1,
      };
    }
    return {
      at,
      target: TARGET_NAME,
      resource,
      actionType: onStream || f.resource === 'other' ? 'UpdateShardCount' : 'UpdateApplicationParallelism',
      direction: f.to > f.from ? 'up' : f.to < f.from ? 'down' : 'none',
      from: f.from,
      to: f.to,
      calls: f.calls,
    };
  });
}
