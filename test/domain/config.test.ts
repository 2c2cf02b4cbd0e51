import {
  PolicySchema,
  effectivePolicy,
  findTarget,
  parseConfig,
  parseTarget,
  type StreamMedicConfigInput,
} from '../../lambdas/domain/config';
import { InvalidInputError } from '../../lambdas/domain/validation';

const ORDERS = { name: 'orders', stream: { name: 'orders-stream' }, application: { name: 'orders-enricher' } };
const CLICKS = { name: 'clicks', stream: { name: 'clicks-stream' } };

type Path = readonly (string | number)[];
type Node = Record<string | number, unknown>;

/** A valid two-target config with the value at `path` replaced (or removed, for `undefined`). */
function configWith(path: Path, value: unknown): unknown {
  const doc = structuredClone({ targets: [ORDERS, CLICKS] }) as Node;
  let node = doc;
  for (const key of path.slice(0, -1)) node = node[key] as Node;
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return doc;
}

/** The InvalidInputError `parse` throws, so a test can assert both the path and the whole message. */
function refusal(parse: () => unknown): InvalidInputError {
  try {
    parse();
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('expected the value to be refused');
}

describe('parseConfig refuses a bad config and names the first bad field', () => {
  it.each<[string, Path, unknown, string, string | RegExp]>([
    [
      'maxShards below minShards',
      ['targets', 1, 'stream'],
      { name: 'clicks-stream', minShards: 8, maxShards: 4 },
      'targets[1].stream.maxShards',
      'must be >= minShards',
    ],
    [
      'maxParallelism below minParallelism',
      ['targets', 0, 'application'],
      { name: 'orders-enricher', minParallelism: 10, maxParallelism: 2 },
      'targets[0].application.maxParallelism',
      'must be >= minParallelism',
    ],
    [
      'minParallelism the KPU limit cannot reach',
      ['targets', 0, 'application'],
      { name: 'orders-enricher', minParallelism: 10, maxKpu: 4, parallelismPerKpu: 2 },
      'targets[0].application.minParallelism',
      'must be <= maxKpu x parallelismPerKpu (8)',
    ],
    [
      'a duplicate target name',
      ['targets', 1, 'name'],
      'orders',
      'targets[1].name',
      'duplicates targets[0].name "orders"',
    ],
    [
      'two targets on one stream',
      ['targets', 1, 'stream'],
      { name: 'orders-stream' },
      'targets[1].stream.name',
      'stream "orders-stream" is already watched by targets[0] ("orders"); one target per stream',
    ],
    [
      'two targets on one application',
      ['targets', 1, 'application'],
      { name: 'orders-enricher' },
      'targets[1].application.name',
      'application "orders-enricher" is already watched by targets[0] ("orders"); one target per application',
    ],
    [
      'a target with neither stream nor application',
      ['targets', 1],
      { name: 'clicks' },
      'targets[1].stream',
      'a target needs a stream, an application or both',
    ],
    [
      'dailyActionBudget at the API limit',
      ['policy'],
      { dailyActionBudget: 10 },
      'policy.dailyActionBudget',
      'must be below the API limit of 10 changes per 24 hours',
    ],
    [
      "a target's dailyActionBudget override at the API limit",
      ['targets', 1, 'policy'],
      { dailyActionBudget: 10 },
      'targets[1].policy.dailyActionBudget',
      'must be below the API limit of 10 changes per 24 hours',
    ],
    ['an unknown top-level key', ['regions'], ['eu-west-1'], 'regions', 'is not a known field'],
    [
      'an unknown key in a stream',
      ['targets', 1, 'stream', 'shards'],
      4,
      'targets[1].stream.shards',
      'is not a known field',
    ],
    [
      'an unknown policy key (a typo)',
      ['policy'],
      { lagThreshold: 1000 },
      'policy.lagThreshold',
      'is not a known field',
    ],
    [
      'several unknown keys, naming the first and listing the rest',
      ['targets', 0],
      { ...ORDERS, owner: 'team', tier: 1 },
      'targets[0].owner',
      'is not a known field (also "tier")',
    ],
    [
      'a number given as a string',
      ['targets', 1, 'stream', 'minShards'],
      '2',
      'targets[1].stream.minShards',
      /expected number, received string/,
    ],
    ['a fractional shard count', ['targets', 1, 'stream', 'maxShards'], 2.5, 'targets[1].stream.maxShards', /int/i],
    ['targets that is not a list', ['targets'], ORDERS, 'targets', /expected array/],
    ['an empty target list', ['targets'], [], 'targets', /Too small/],
    ['no targets at all', ['targets'], undefined, 'targets', /expected array, received undefined/],
    ['a bad mode', ['targets', 0, 'mode'], 'automatic', 'targets[0].mode', /"auto"\|"recommend"\|"observe"/],
    [
      'a bad email',
      ['notifications'],
      { emails: ['oncall@example.com', 'oncall at example.com'] },
      'notifications.emails[1]',
      /email/i,
    ],
    [
      'a target name with a space',
      ['targets', 0, 'name'],
      'orders pipeline',
      'targets[0].name',
      'letters, digits, "-", "_" and "." only',
    ],
    [
      'maxShards past the AWS limit',
      ['targets', 1, 'stream', 'maxShards'],
      10_001,
      'targets[1].stream.maxShards',
      /10000/,
    ],
    [
      'retention past 365 days',
      ['targets', 1, 'stream', 'maxRetentionHours'],
      8761,
      'targets[1].stream.maxRetentionHours',
      /8760/,
    ],
    [
      'parallelismPerKpu past 8',
      ['targets', 0, 'application', 'parallelismPerKpu'],
      9,
      'targets[0].application.parallelismPerKpu',
      /8/,
    ],
    [
      'maxParallelism past 256',
      ['targets', 0, 'application', 'maxParallelism'],
      257,
      'targets[0].application.maxParallelism',
      /256/,
    ],
    [
      'a bad built-in autoscaling choice',
      ['targets', 0, 'application', 'builtInAutoscaling'],
      'off',
      'targets[0].application.builtInAutoscaling',
      /"defer"\|"turn-off"/,
    ],
    ['targetUtilization at 10%', ['policy'], { targetUtilization: 0.1 }, 'policy.targetUtilization', /0\.1/],
    [
      'alarm datapoints above the evaluation periods',
      ['alarms'],
      { appLag: { evaluationPeriods: 3, datapointsToAlarm: 4 } },
      'alarms.appLag.datapointsToAlarm',
      'must be <= evaluationPeriods (3)',
    ],
  ])('%s', (_case, at, value, path, detail) => {
    const error = refusal(() => parseConfig(configWith(at, value)));

    expect(error.path).toBe(path);
    expect(error.message.startsWith(`${path}: `)).toBe(true);
    if (typeof detail === 'string') expect(error.message).toBe(`${path}: ${detail}`);
    else expect(error.detail).toMatch(detail);
  });

  it.each([null, [], 'targets', 42])('refuses a document that is not an object (%p) at the root', (doc) => {
    expect(() => parseConfig(doc)).toThrow(InvalidInputError);
    expect(refusal(() => parseConfig(doc)).path).toBe('(root)');
  });

  it('names the global policy field when an alarm window derived from it exceeds a day', () => {
    // A target that overrides an unrelated policy field must still inherit the global scale-in window.
    const doc = {
      policy: { scaleInWindowMinutes: 1500 },
      targets: [ORDERS, { ...CLICKS, policy: { lagThresholdMs: 30_000 } }],
    };

    const error = refusal(() => parseConfig(doc));

    expect(error.path).toBe('policy.scaleInWindowMinutes');
    expect(error.detail).toMatch(/window of 90000 s/);
  });

  it("names the target's policy field when the target's own override makes the window too long", () => {
    const doc = configWith(['targets', 1, 'policy'], { scaleInWindowMinutes: 1500 });

    expect(refusal(() => parseConfig(doc)).path).toBe('targets[1].policy.scaleInWindowMinutes');
  });

  it('prefixes the path of a target parsed on its own', () => {
    const error = refusal(() => parseTarget({ name: 'orders', stream: { name: 's', minShards: 4, maxShards: 2 } }));

    expect(error.message).toBe('config.stream.maxShards: must be >= minShards');
  });
});

describe('parseConfig defaults', () => {
  it('fills every target and the global settings with the documented defaults', () => {
    const config = parseConfig({ targets: [ORDERS] });

    expect(config.notifications).toStrictEqual({ emails: [] });
    expect(config.alarms.namePrefix).toBe('StreamMedic');
    expect(config.region).toBeUndefined();
    expect(config.targets[0]).toStrictEqual({
      name: 'orders',
      mode: 'recommend',
      stream: { name: 'orders-stream', minShards: 1, maxShards: 64, maxRetentionHours: 168 },
      application: {
        name: 'orders-enricher',
        minParallelism: 1,
        maxParallelism: 64,
        maxJobParallelism: 128,
        keyed: false,
        maxKpu: 64,
        allowWithoutSnapshots: false,
        builtInAutoscaling: 'defer',
        applyMemoryFix: false,
        applyMonitoringFix: false,
      },
    });
    expect(config.policy).toMatchObject({
      targetUtilization: 0.7,
      lagThresholdMs: 60_000,
      cooldownUpMinutes: 10,
      cooldownDownMinutes: 60,
      dailyActionBudget: 8,
      scaleInWindowMinutes: 120,
      cpuHighPercent: 75,
    });
    expect(config.policy).toStrictEqual(PolicySchema.parse({}));
  });

  it('keeps values that were set', () => {
    const config = parseConfig({
      region: 'eu-west-1',
      notifications: { emails: ['oncall@example.com'] },
      targets: [{ ...CLICKS, mode: 'auto', stream: { name: 'clicks-stream', minShards: 2, maxShards: 2 } }],
    });

    expect(config.region).toBe('eu-west-1');
    expect(config.notifications.emails).toStrictEqual(['oncall@example.com']);
    expect(config.targets[0]!.mode).toBe('auto');
    expect(config.targets[0]!.stream).toMatchObject({ minShards: 2, maxShards: 2 });
  });

  it('finds a target by name and nothing for an unknown one', () => {
    const config = parseConfig({ targets: [ORDERS, CLICKS] });

    expect(findTarget(config, 'clicks')?.stream?.name).toBe('clicks-stream');
    expect(findTarget(config, 'payments')).toBeUndefined();
  });
});

describe('effectivePolicy', () => {
  const input: StreamMedicConfigInput = {
    policy: { cooldownUpMinutes: 30, lagThresholdMs: 120_000 },
    targets: [{ ...ORDERS, policy: { lagThresholdMs: 10_000, cpuHighPercent: 60 } }, CLICKS],
  };
  const config = parseConfig(input);

  it("overlays a target's overrides on the config's policy and keeps the rest of the config's policy", () => {
    const policy = effectivePolicy(config, config.targets[0]!);

    expect(policy.lagThresholdMs).toBe(10_000);
    expect(policy.cpuHighPercent).toBe(60);
    // Not overridden by the target: the config's value, not the schema default (10).
    expect(policy.cooldownUpMinutes).toBe(30);
    expect(policy.dailyActionBudget).toBe(8);
  });

  it("stores only the fields a target set, so nothing else shadows the config's policy", () => {
    expect(config.targets[0]!.policy).toStrictEqual({ lagThresholdMs: 10_000, cpuHighPercent: 60 });
  });

  it("gives a target without overrides the config's policy", () => {
    expect(effectivePolicy(config, config.targets[1]!)).toStrictEqual(config.policy);
  });

  it('uses the defaults when there is no config', () => {
    const target = parseTarget({ name: 'solo', stream: { name: 's' }, policy: { cooldownDownMinutes: 90 } });

    expect(effectivePolicy(undefined, target)).toStrictEqual({ ...PolicySchema.parse({}), cooldownDownMinutes: 90 });
  });

  it('validates a target override with the same rules as the global policy', () => {
    const doc = configWith(['targets', 0, 'policy'], { targetUtilization: 1.5 });

    expect(refusal(() => parseConfig(doc)).path).toBe('targets[0].policy.targetUtilization');
  });
});
