import { AWS_LIMITS, PolicySchema, parseConfig } from '../../lambdas/domain/config';
import { resolveTarget } from '../../lambdas/domain/engine';
import { parseSnapshot, type Snapshot, type SnapshotInput } from '../../lambdas/domain/snapshot';
import { InvalidInputError } from '../../lambdas/domain/validation';
import { buildSnapshot, buildSnapshotInput, type SnapshotSpec } from '../builders/snapshot-builder';

const config = parseConfig({
  policy: { cooldownUpMinutes: 30 },
  targets: [
    {
      name: 'orders',
      mode: 'auto',
      stream: { name: 'orders-stream', maxShards: 16 },
      application: { name: 'orders-enricher', maxParallelism: 32 },
      policy: { lagThresholdMs: 10_000 },
    },
    { name: 'clicks', mode: 'observe', stream: { name: 'clicks-stream' } },
    { name: 'billing', application: { name: 'billing-app' } },
  ],
});

const ORDERS_SNAPSHOT: SnapshotSpec = {
  stream: { name: 'orders-stream' },
  app: { name: 'orders-enricher' },
  metrics: { incomingBytes: 1_000, millisBehindLatest: 0 },
  minutes: 5,
};

/** A snapshot built from `spec`, then edited as raw input (to drop parts the builder always writes). */
function snapshotOf(spec: SnapshotSpec, edit: (input: SnapshotInput) => void = () => undefined): Snapshot {
  const input = buildSnapshotInput(spec);
  edit(input);
  return parseSnapshot(input);
}

const withoutDescriptions = (input: SnapshotInput) => {
  delete input.describeStreamSummary;
  delete input.describeApplication;
};

function refusal(resolve: () => unknown): InvalidInputError {
  try {
    resolve();
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('expected the target to be refused');
}

describe('resolveTarget with a config', () => {
  it('uses the target --target names', () => {
    const snapshot = buildSnapshot({ stream: { name: 'clicks-stream' }, metrics: { incomingBytes: 1 } });

    const { target } = resolveTarget(snapshot, config, 'clicks');

    expect(target).toBe(config.targets[1]);
  });

  it('refuses an unknown --target and lists the known ones', () => {
    const error = refusal(() => resolveTarget(buildSnapshot(ORDERS_SNAPSHOT), config, 'payments'));

    expect(error.message).toBe('--target: no target named "payments" in the config (known: orders, clicks, billing)');
  });

  it('finds the target the snapshot names', () => {
    const snapshot = snapshotOf({ stream: { name: 'clicks-stream' }, metrics: { incomingBytes: 1 } }, (input) => {
      withoutDescriptions(input);
      input.target = { name: 'clicks' };
    });

    expect(resolveTarget(snapshot, config, undefined).target.name).toBe('clicks');
  });

  it('refuses a named target whose stream is not the one in the metrics', () => {
    const snapshot = snapshotOf(ORDERS_SNAPSHOT, (input) => {
      withoutDescriptions(input);
      input.target = { name: 'clicks' };
    });

    expect(() => resolveTarget(snapshot, config, undefined)).toThrow(
      'targets[1].stream.name: "clicks-stream" does not match the snapshot\'s stream "orders-stream"',
    );
  });

  it.each([
    ['the described stream', { stream: { name: 'clicks-stream' }, metrics: { incomingBytes: 1 } }, 'clicks'],
    ['the described application', { stream: false, app: { name: 'billing-app' } }, 'billing'],
    ['the described stream and application', ORDERS_SNAPSHOT, 'orders'],
  ] as [string, SnapshotSpec, string][])('finds the target by %s', (_case, spec, expected) => {
    expect(resolveTarget(buildSnapshot(spec), config, undefined).target.name).toBe(expected);
  });

  it("finds the target by the stream name in the metrics' dimensions when nothing is described", () => {
    const snapshot = snapshotOf(
      { stream: { name: 'clicks-stream' }, metrics: { incomingBytes: 1 } },
      withoutDescriptions,
    );

    expect(resolveTarget(snapshot, config, undefined).target.name).toBe('clicks');
  });

  it("finds the target by the snapshot's target.streamName", () => {
    const snapshot = snapshotOf({ stream: { name: 'unrelated' }, metrics: {} }, (input) => {
      withoutDescriptions(input);
      input.target = { streamName: 'clicks-stream' };
    });

    expect(resolveTarget(snapshot, config, undefined).target.name).toBe('clicks');
  });

  it('refuses a snapshot for which the config has no target, naming the resources', () => {
    const snapshot = buildSnapshot({ stream: { name: 'payments-stream' }, metrics: { incomingBytes: 1 } });

    const error = refusal(() => resolveTarget(snapshot, config, undefined));

    expect(error.message).toBe(
      '--target: the config has no target for this snapshot (payments-stream); name one with --target',
    );
  });

  it.each([
    [
      'stream',
      'orders',
      { stream: { name: 'clicks-stream' }, metrics: { incomingBytes: 1 } },
      'targets[0].stream.name: "orders-stream" does not match the snapshot\'s stream "clicks-stream"',
    ],
    [
      'application',
      'billing',
      { stream: false, app: { name: 'orders-enricher' } },
      'targets[2].application.name: "billing-app" does not match the snapshot\'s application "orders-enricher"',
    ],
  ] as [string, string, SnapshotSpec, string][])(
    'refuses a target whose %s is not the one the snapshot describes',
    (_case, name, spec, message) => {
      expect(refusal(() => resolveTarget(buildSnapshot(spec), config, name)).message).toBe(message);
    },
  );

  it("gives the target's policy: the config's policy with the target's overrides", () => {
    const { policy } = resolveTarget(buildSnapshot(ORDERS_SNAPSHOT), config, undefined);

    expect(policy).toStrictEqual({ ...PolicySchema.parse({}), cooldownUpMinutes: 30, lagThresholdMs: 10_000 });
  });

  it("prefers the config over the snapshot's own config", () => {
    const snapshot = buildSnapshot({
      ...ORDERS_SNAPSHOT,
      config: { name: 'orders', mode: 'observe', stream: { name: 'orders-stream' } },
    });

    expect(resolveTarget(snapshot, config, undefined).target).toBe(config.targets[0]);
  });
});

describe("resolveTarget with the snapshot's own config", () => {
  const carried = {
    name: 'orders',
    mode: 'recommend' as const,
    stream: { name: 'orders-stream', maxShards: 12 },
    policy: { cooldownDownMinutes: 90 },
  };

  it('uses it, with the default policy and its overrides', () => {
    const { target, policy } = resolveTarget(
      buildSnapshot({ ...ORDERS_SNAPSHOT, config: carried }),
      undefined,
      undefined,
    );

    expect(target).toMatchObject({
      name: 'orders',
      mode: 'recommend',
      stream: { name: 'orders-stream', maxShards: 12 },
    });
    expect(policy).toStrictEqual({ ...PolicySchema.parse({}), cooldownDownMinutes: 90 });
  });

  it('accepts --target naming it', () => {
    const snapshot = buildSnapshot({ ...ORDERS_SNAPSHOT, config: carried });

    expect(resolveTarget(snapshot, undefined, 'orders').target.name).toBe('orders');
  });

  it('refuses --target naming another target', () => {
    const snapshot = buildSnapshot({ ...ORDERS_SNAPSHOT, config: carried });

    expect(refusal(() => resolveTarget(snapshot, undefined, 'clicks')).message).toBe(
      '--target: the snapshot\'s config is for "orders", not "clicks"',
    );
  });

  it('refuses it when its stream is not the described one', () => {
    const snapshot = buildSnapshot({ ...ORDERS_SNAPSHOT, config: { ...carried, stream: { name: 'clicks-stream' } } });

    expect(refusal(() => resolveTarget(snapshot, undefined, undefined)).message).toBe(
      'config.stream.name: "clicks-stream" does not match the snapshot\'s stream "orders-stream"',
    );
  });
});

describe('resolveTarget without any config', () => {
  it('plans in auto mode with the default policy and only AWS bounds', () => {
    const { target, policy } = resolveTarget(buildSnapshot(ORDERS_SNAPSHOT), undefined, undefined);

    expect(target).toMatchObject({
      name: 'orders-stream',
      mode: 'auto',
      stream: { name: 'orders-stream', minShards: 1, maxShards: AWS_LIMITS.maxShardsPerStream },
      application: { name: 'orders-enricher', minParallelism: 1, maxParallelism: AWS_LIMITS.maxParallelism },
    });
    expect(target.policy).toBeUndefined();
    expect(policy).toStrictEqual(PolicySchema.parse({}));
  });

  it("names the target after the snapshot's target name, or --target when given", () => {
    const named = snapshotOf(ORDERS_SNAPSHOT, (input) => (input.target = { name: 'orders' }));

    expect(resolveTarget(named, undefined, undefined).target.name).toBe('orders');
    expect(resolveTarget(named, undefined, 'incident-42').target.name).toBe('incident-42');
  });

  it('turns a name with characters a target name may not have into a valid one', () => {
    const named = snapshotOf(ORDERS_SNAPSHOT, (input) => (input.target = { name: '#orders pipeline' }));

    expect(resolveTarget(named, undefined, undefined).target.name).toBe('orders-pipeline');
  });

  it('diagnoses a stream whose name is longer than a target name may be', () => {
    const longName = 'a'.repeat(100);
    const { target } = resolveTarget(
      buildSnapshot({ stream: { name: longName }, metrics: { incomingBytes: 1 } }),
      undefined,
      undefined,
    );

    expect(target.name).toBe('a'.repeat(64));
    expect(target.stream?.name).toBe(longName);
  });

  it('takes the resource names from the metric dimensions when nothing else names them', () => {
    const snapshot = snapshotOf(
      {
        stream: { name: 'clicks-stream' },
        app: { name: 'clicks-app' },
        metrics: { incomingBytes: 1, containerCpu: 50 },
      },
      withoutDescriptions,
    );

    const { target } = resolveTarget(snapshot, undefined, undefined);

    expect(target.stream?.name).toBe('clicks-stream');
    expect(target.application?.name).toBe('clicks-app');
  });

  it('has no stream in the target when the snapshot has only an application', () => {
    const { target } = resolveTarget(
      buildSnapshot({ stream: false, app: { name: 'billing-app' } }),
      undefined,
      undefined,
    );

    expect(target.stream).toBeUndefined();
    expect(target.application?.name).toBe('billing-app');
  });

  it('refuses a snapshot that names no stream or application anywhere', () => {
    const snapshot = parseSnapshot({
      version: 1,
      capturedAt: '2026-11-21T10:15:00Z',
      getMetricData: { MetricDataQueries: [], MetricDataResults: [] },
    });

    expect(refusal(() => resolveTarget(snapshot, undefined, undefined)).path).toBe('target');
  });
});
