import { SelectorsSchema, parseConfig, type SelectorsConfig } from '../../lambdas/domain/config';
import { globMatches, resolveSelectors } from '../../lambdas/domain/selectors';
import { parseWith } from '../../lambdas/domain/validation';
import { inventoryApplication, inventoryOf, inventoryStream } from '../builders/inventory-builder';

const NOW = new Date('2026-11-21T10:00:00.000Z');

function selectors(value: unknown): SelectorsConfig {
  return parseWith(SelectorsSchema, value, 'selectors');
}

const PAYMENTS = { team: 'payments' };
const INVENTORY = inventoryOf(
  [
    inventoryStream('orders-eu', PAYMENTS),
    inventoryStream('clicks', { team: 'web' }),
    inventoryStream('orders-us', PAYMENTS),
    inventoryStream('refunds', PAYMENTS),
  ],
  [
    inventoryApplication('orders-us-enricher', {
      tags: { 'stream-medic/stream': 'orders-us' },
      sources: ['orders-us'],
    }),
    inventoryApplication('orders-eu-enricher', { sources: ['orders-eu'] }),
    inventoryApplication('refunds-audit', { sources: ['refunds'] }),
    inventoryApplication('refunds-ledger', { sources: ['refunds'] }),
  ],
);

describe('resolveSelectors', () => {
  it('makes one target per stream whose tags and name match, named after the stream, with the selector settings', () => {
    const config = selectors({
      inventory: 'inventory.json',
      select: [
        {
          streams: { tags: PAYMENTS, namePattern: 'orders-*' },
          mode: 'auto',
          stream: { maxShards: 16 },
          policy: { dailyActionBudget: 2 },
        },
      ],
    });

    const resolution = resolveSelectors(config, INVENTORY, [], NOW);

    expect(resolution.targets).toStrictEqual([
      {
        name: 'orders-eu',
        mode: 'auto',
        policy: { dailyActionBudget: 2 },
        stream: { maxShards: 16, name: 'orders-eu' },
      },
      {
        name: 'orders-us',
        mode: 'auto',
        policy: { dailyActionBudget: 2 },
        stream: { maxShards: 16, name: 'orders-us' },
      },
    ]);
    expect(resolution.counts).toStrictEqual([
      {
        selector: 'select[0]',
        description: 'tags team=payments; name orders-*; pair none',
        matched: 2,
        added: 2,
        paired: 0,
      },
    ]);
    expect(resolution.warnings).toStrictEqual([]);
  });

  it('pairs the application whose tag names the stream with by-tag', () => {
    const config = selectors({
      inventory: 'i.json',
      select: [{ streams: { namePattern: 'orders-*' }, pairApplications: 'by-tag:stream-medic/stream' }],
    });

    const { targets } = resolveSelectors(config, INVENTORY, [], NOW);

    expect(targets.map((t) => [t.name, t.application?.name])).toStrictEqual([
      ['orders-eu', undefined],
      ['orders-us', 'orders-us-enricher'],
    ]);
  });

  it('pairs the one application reading a stream with by-source, and pairs none when two read it', () => {
    const config = selectors({
      inventory: 'i.json',
      select: [{ streams: { tags: PAYMENTS }, pairApplications: 'by-source', application: { maxParallelism: 8 } }],
    });

    const resolution = resolveSelectors(config, INVENTORY, [], NOW);

    expect(resolution.targets.map((t) => [t.name, t.application])).toStrictEqual([
      ['orders-eu', { maxParallelism: 8, name: 'orders-eu-enricher' }],
      ['orders-us', { maxParallelism: 8, name: 'orders-us-enricher' }],
      ['refunds', undefined],
    ]);
    expect(resolution.counts[0]).toMatchObject({ matched: 3, added: 3, paired: 2 });
    expect(resolution.warnings).toStrictEqual([
      'selectors.select[0]: stream "refunds" is read by "refunds-audit", "refunds-ledger"; none is paired: list the target explicitly',
    ]);
  });

  it('lets explicit targets win a clash of name, stream or application', () => {
    const config = selectors({
      inventory: 'i.json',
      select: [{ streams: { tags: PAYMENTS }, pairApplications: 'by-source' }],
    });
    const explicit = [
      { name: 'orders-eu' },
      { name: 'us-orders', stream: 'orders-us' },
      { name: 'refund-checks', application: 'refunds-audit' },
    ];

    const resolution = resolveSelectors(config, INVENTORY, explicit, NOW);

    expect(resolution.targets.map((t) => t.name)).toStrictEqual(['refunds']);
    expect(resolution.counts[0]).toMatchObject({ matched: 3, added: 1 });
  });

  it('watches a stream alone when its one reader is already watched by an explicit target', () => {
    const config = selectors({
      inventory: 'i.json',
      select: [{ streams: { namePattern: 'orders-eu' }, pairApplications: 'by-source' }],
    });

    const resolution = resolveSelectors(
      config,
      INVENTORY,
      [{ name: 'enricher', application: 'orders-eu-enricher' }],
      NOW,
    );

    expect(resolution.targets).toStrictEqual([{ name: 'orders-eu', mode: 'recommend', stream: { name: 'orders-eu' } }]);
    expect(resolution.warnings).toStrictEqual([
      'selectors.select[0]: application "orders-eu-enricher" is already watched by another target; stream "orders-eu" is watched alone',
    ]);
  });

  it('gives a stream to the first selector that matches it', () => {
    const config = selectors({
      inventory: 'i.json',
      select: [
        { streams: { namePattern: 'orders-us' }, mode: 'auto' },
        { streams: { tags: PAYMENTS }, mode: 'observe' },
      ],
    });

    const resolution = resolveSelectors(config, INVENTORY, [], NOW);

    expect(resolution.targets.map((t) => [t.name, t.mode])).toStrictEqual([
      ['orders-us', 'auto'],
      ['orders-eu', 'observe'],
      ['refunds', 'observe'],
    ]);
    expect(resolution.counts.map((c) => [c.matched, c.added])).toStrictEqual([
      [1, 1],
      [3, 2],
    ]);
  });

  it('warns about a selector that matches nothing, naming it', () => {
    const config = selectors({
      inventory: 'i.json',
      select: [{ streams: { tags: PAYMENTS } }, { streams: { tags: { team: 'search' } } }],
    });

    expect(resolveSelectors(config, INVENTORY, [], NOW).warnings).toStrictEqual([
      'selectors.select[1]: matches no stream of the inventory',
    ]);
  });

  it('warns when the inventory is older than maxAgeDays, and only then', () => {
    const config = selectors({ inventory: 'i.json', maxAgeDays: 3, select: [{ streams: { tags: PAYMENTS } }] });
    const old = inventoryOf(INVENTORY.streams, [], '2026-11-17T09:00:00.000Z');
    const recent = inventoryOf(INVENTORY.streams, [], '2026-11-18T11:00:00.000Z');

    expect(resolveSelectors(config, old, [], NOW).warnings).toStrictEqual([
      'selectors.inventory: captured 4 days ago (2026-11-17T09:00:00.000Z), more than maxAgeDays 3; run `stream-medic discover` again',
    ]);
    expect(resolveSelectors(config, recent, [], NOW).warnings).toStrictEqual([]);
  });

  it('leaves out, with a warning, a stream whose name cannot be a target name', () => {
    const long = `s${'x'.repeat(70)}`;
    const config = selectors({ inventory: 'i.json', select: [{ streams: { namePattern: 's*' } }] });

    const resolution = resolveSelectors(config, inventoryOf([inventoryStream(long)]), [], NOW);

    expect(resolution.targets).toStrictEqual([]);
    expect(resolution.warnings).toStrictEqual([
      `selectors.select[0]: stream "${long}" is left out: a target name is at most 64 characters`,
    ]);
  });

  it('gives the same targets whatever order the inventory lists the streams in', () => {
    const config = selectors({
      inventory: 'i.json',
      select: [{ streams: { tags: PAYMENTS }, pairApplications: 'by-source' }],
    });
    const reversed = inventoryOf([...INVENTORY.streams].reverse(), [...INVENTORY.applications].reverse());

    expect(resolveSelectors(config, reversed, [], NOW)).toStrictEqual(resolveSelectors(config, INVENTORY, [], NOW));
  });

  it('makes targets the config schema accepts', () => {
    const config = selectors({
      inventory: 'i.json',
      select: [
        {
          streams: { tags: PAYMENTS },
          pairApplications: 'by-source',
          mode: 'auto',
          application: { maxParallelism: 8 },
        },
      ],
    });

    const parsed = parseConfig({ targets: resolveSelectors(config, INVENTORY, [], NOW).targets });

    expect(parsed.targets.map((t) => [t.name, t.stream?.maxShards, t.application?.maxParallelism])).toStrictEqual([
      ['orders-eu', 64, 8],
      ['orders-us', 64, 8],
      ['refunds', 64, undefined],
    ]);
  });
});

describe('SelectorsSchema', () => {
  it.each([
    [{ streams: {} }, 'selectors.select[0].streams: needs tags, a namePattern or both'],
    [
      { streams: { namePattern: 'orders/*' } },
      'selectors.select[0].streams.namePattern: letters, digits, "-", "_", "." and "*" only',
    ],
    [
      { streams: { tags: PAYMENTS }, pairApplications: 'by-name' },
      'selectors.select[0].pairApplications: must be "none", "by-source" or "by-tag:<key>"',
    ],
    [
      { streams: { tags: PAYMENTS }, stream: { minShards: 8, maxShards: 4 } },
      'selectors.select[0].stream.maxShards: must be >= minShards',
    ],
    [
      { streams: { tags: PAYMENTS }, stream: { name: 'x' } },
      'selectors.select[0].stream.name: is taken from the inventory; remove it',
    ],
    [
      { streams: { tags: PAYMENTS }, application: { maxParallelism: 4 } },
      'selectors.select[0].application: applies only when pairApplications pairs one',
    ],
    [
      { streams: { tags: PAYMENTS }, policy: { noSuchField: 1 } },
      'selectors.select[0].policy.noSuchField: is not a known field',
    ],
  ])('refuses %j naming the field', (selector, message) => {
    expect(() => selectors({ inventory: 'i.json', select: [selector] })).toThrow(message);
  });

  it('refuses selectors with nothing to select', () => {
    expect(() => selectors({ inventory: 'i.json', select: [] })).toThrow('selectors.select:');
  });
});

describe('globMatches', () => {
  it.each([
    ['orders-*', 'orders-eu', true],
    ['orders-*', 'xorders-eu', false],
    ['*-events', 'clicks-events', true],
    ['a.b', 'axb', false],
    ['a.b', 'a.b', true],
    ['*', 'anything', true],
  ])('%s against %s is %s', (pattern, name, expected) => {
    expect(globMatches(pattern, name)).toBe(expected);
  });
});

describe('parseConfig', () => {
  it('refuses selectors it would otherwise ignore: they are resolved before the schema sees the config', () => {
    expect(() =>
      parseConfig({
        targets: [{ name: 'orders', stream: { name: 'orders' } }],
        selectors: { inventory: 'i.json', select: [{ streams: { tags: PAYMENTS } }] },
      }),
    ).toThrow('selectors: are resolved into targets by `cdk synth` and the CLI');
  });
});
