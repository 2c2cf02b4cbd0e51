/**
 * Metric windows for any pipeline: every catalog metric follows a small profile (a level, a shape,
 * noise, how much of it CloudWatch returned), scaled to the resources' limits so that full, idle,
 * throttled and lagging pipelines all come up often. fast-check shrinks the profile; the values
 * themselves come from a seeded PRNG so a failing case replays exactly.
 */
import fc from 'fast-check';
import {
  MIB,
  SeededRandom,
  capturedQueries,
  catalogSeries,
  getMetricData,
  isoTime,
  timeWindow,
  type MetricDataLayout,
  type SeriesDef,
  type TimeWindow,
} from '../../examples/incident-kit';
import type { GetMetricDataRecord } from '../../lambdas/domain/aws-shapes';
import { METRICS, METRIC_KEYS, type MetricKey } from '../../lambdas/domain/metric-catalog';
import type { AppFixture, StreamFixture } from './resource-arbitraries';

// Taken once: under jest's sandbox every lookup of the global `Math` costs as much as the call itself.
const { max, min, round, floor, abs } = Math;

export type Coverage = 'full' | 'zeros' | 'recent-gap' | 'early-only' | 'sparse' | 'empty' | 'absent' | 'not-reported';

export interface SeriesProfile {
  readonly shape: 'flat' | 'ramp' | 'step' | 'spike';
  /** 0..1 of the metric's range at the start of the window. */
  readonly level: number;
  /** 0..1 of the range at the end of a ramp, after a step, or at a spike's top. */
  readonly end: number;
  /** 0..1 of the window where a step or spike happens. */
  readonly at: number;
  readonly noise: number;
  readonly coverage: Coverage;
  /** Ask for the catalog's preferred statistic, or its last accepted one. */
  readonly alternateStat: boolean;
}

export interface WindowFixture {
  readonly minutes: number;
  /** Minutes after 2026-06-01T00:00Z: capturedAt is always on a minute. */
  readonly capturedAtMinute: number;
  readonly layout: MetricDataLayout;
  readonly seed: number;
}

const unit = fc.double({ min: 0, max: 1, noNaN: true });

export const seriesProfile: fc.Arbitrary<SeriesProfile> = fc.record({
  shape: fc.constantFrom('flat' as const, 'ramp' as const, 'step' as const, 'spike' as const),
  level: unit,
  end: unit,
  at: unit,
  noise: fc.double({ min: 0, max: 0.3, noNaN: true }),
  coverage: fc.oneof(
    { weight: 12, arbitrary: fc.constant<Coverage>('full') },
    { weight: 3, arbitrary: fc.constant<Coverage>('zeros') },
    {
      weight: 5,
      arbitrary: fc.constantFrom<Coverage>('recent-gap', 'early-only', 'sparse', 'empty', 'absent', 'not-reported'),
    },
  ),
  alternateStat: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

export const windowFixture: fc.Arbitrary<WindowFixture> = fc.record({
  // Mostly short windows keep a thousand runs fast; long ones still come often enough to reach scale-in.
  minutes: fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 30 }) },
    { weight: 2, arbitrary: fc.integer({ min: 31, max: 120 }) },
    { weight: 1, arbitrary: fc.integer({ min: 121, max: 180 }) },
  ),
  capturedAtMinute: fc.integer({ min: 0, max: 500_000 }),
  layout: fc.record({
    order: fc.constantFrom('newest-first' as const, 'oldest-first' as const),
    timestampStyle: fc.constantFrom('Z' as const, '+00:00' as const),
    pages: fc.constantFrom(1 as const, 2 as const),
  }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

/** A metric held between two shares of its range for the whole window, fully reported. */
function between(min: number, max: number): fc.Arbitrary<SeriesProfile> {
  const share = fc.double({ min, max, noNaN: true });
  return fc.record({
    shape: fc.constantFrom('flat' as const, 'ramp' as const),
    level: share,
    end: share,
    at: unit,
    noise: fc.double({ min: 0, max: 0.03, noNaN: true }),
    coverage: fc.constant<Coverage>('full'),
    alternateStat: fc.boolean(),
  });
}

/** A metric that climbs from the low share to the high one through the window. */
function rising(low: number, high: number): fc.Arbitrary<SeriesProfile> {
  return fc.record({
    shape: fc.constant('ramp' as const),
    level: fc.double({ min: 0, max: low, noNaN: true }),
    end: fc.double({ min: high, max: 1, noNaN: true }),
    at: unit,
    noise: fc.double({ min: 0, max: 0.02, noNaN: true }),
    coverage: fc.constant<Coverage>('full'),
    alternateStat: fc.boolean(),
  });
}

type Profiles = Readonly<Record<MetricKey, SeriesProfile>>;

function profilesWith(overrides: Partial<Record<MetricKey, fc.Arbitrary<SeriesProfile>>>): fc.Arbitrary<Profiles> {
  return fc.record(
    Object.fromEntries(METRIC_KEYS.map((key) => [key, overrides[key] ?? seriesProfile])) as Record<
      MetricKey,
      fc.Arbitrary<SeriesProfile>
    >,
  );
}

// Shares of each metric's range (see `scale`): 0.77 of IncomingBytes is the shards' full capacity;
// on the lag's log scale 0.6 is a minute, 0.8 is 40 minutes and 0.95 is 14 hours.
const behind = between(0.62, 1);
const caughtUp = between(0, 0.35);

/**
 * Every metric independent, or a coherent regime (full, throttled, CPU-bound, back-pressured, idle)
 * with the rest left random: independent metrics alone almost never add up to an incident worth a
 * scale-up, and a property that never sees one proves little.
 */
export const metricProfiles: fc.Arbitrary<Profiles> = fc.oneof(
  { weight: 3, arbitrary: profilesWith({}) },
  {
    weight: 2,
    arbitrary: profilesWith({
      incomingBytes: between(0.6, 0.8),
      incomingRecords: between(0.3, 0.8),
      writeThrottled: between(0.02, 0.5),
      putRecordsThrottled: between(0.01, 0.3),
      iteratorAge: caughtUp,
      millisBehindLatest: caughtUp,
    }),
  },
  {
    weight: 1,
    arbitrary: profilesWith({
      getRecordsBytes: between(0.5, 0.9),
      readThrottled: between(0.05, 0.8),
      iteratorAge: rising(0.4, 0.65),
    }),
  },
  {
    weight: 2,
    arbitrary: profilesWith({
      incomingRecords: between(0.2, 0.5),
      incomingBytes: between(0.1, 0.5),
      writeThrottled: between(0, 0),
      readThrottled: between(0, 0),
      containerCpu: between(0.8, 1),
      cpu: between(0.75, 1),
      busyTime: between(0.82, 1),
      backPressuredTime: between(0, 0.1),
      heap: between(0.2, 0.6),
      fullRestarts: between(0, 0),
      millisBehindLatest: rising(0.4, 0.7),
      iteratorAge: rising(0.4, 0.7),
      recordsInPerSecond: between(0.1, 0.6),
    }),
  },
  {
    weight: 1,
    arbitrary: profilesWith({
      containerCpu: between(0, 0.4),
      busyTime: between(0, 0.3),
      backPressuredTime: between(0.55, 1),
      millisBehindLatest: behind,
      fullRestarts: between(0, 0),
    }),
  },
  {
    weight: 2,
    arbitrary: profilesWith({
      incomingBytes: between(0, 0.15),
      incomingRecords: between(0, 0.15),
      getRecordsBytes: between(0, 0.15),
      writeThrottled: between(0, 0),
      putRecordsThrottled: between(0, 0),
      readThrottled: between(0, 0),
      iteratorAge: caughtUp,
      millisBehindLatest: caughtUp,
      containerCpu: between(0, 0.25),
      cpu: between(0, 0.25),
      busyTime: between(0, 0.25),
      backPressuredTime: between(0, 0.1),
      heap: between(0.1, 0.5),
      fullRestarts: between(0, 0),
      downtime: between(0, 0),
    }),
  },
);

const BASE = Date.parse('2026-06-01T00:00:00Z');

export function windowOf(fixture: WindowFixture): TimeWindow {
  return timeWindow(isoTime(BASE + fixture.capturedAtMinute * 60_000), fixture.minutes);
}

function shapeAt(profile: SeriesProfile, x: number): number {
  switch (profile.shape) {
    case 'flat':
      return profile.level;
    case 'ramp':
      return profile.level + (profile.end - profile.level) * x;
    case 'step':
      return x < profile.at ? profile.level : profile.end;
    case 'spike':
      return abs(x - profile.at) < 0.05 ? profile.end : profile.level;
  }
}

/** Turns a 0..1 shape value into the metric's own unit, against the resources' limits. */
function scale(key: MetricKey, v: number, stream: StreamFixture | undefined, app: AppFixture | undefined): number {
  const shards = stream?.shards ?? 1;
  const parallelism = app?.parallelism ?? 1;
  switch (key) {
    case 'incomingBytes':
      return round(v * 1.3 * shards * MIB * 60);
    case 'incomingRecords':
      return round(v * 1.3 * shards * 1000 * 60);
    case 'writeThrottled':
    case 'putRecordsThrottled':
      return round(v * 0.6 * shards * 1000 * 60);
    case 'readThrottled':
      return round(v * shards * 5 * 60);
    case 'getRecordsBytes':
      return round(v * 1.1 * shards * 2 * MIB * 60);
    case 'getRecordsSuccess':
      return round(v * 1.2 * shards * 5 * 60);
    case 'getRecordsRecords':
      return round(v * shards * 2000 * 60);
    case 'iteratorAge':
    case 'millisBehindLatest':
    case 'subscribeMillisBehind':
      // Log scale: from a millisecond to 28 hours, so both "caught up" and "past the retention" occur.
      return round(10 ** (8 * v));
    case 'containerCpu':
    case 'cpu':
    case 'heap':
    case 'containerMemory':
      return min(100, 100 * v);
    case 'busyTime':
    case 'backPressuredTime':
    case 'idleTime':
      return min(1000, 1000 * v);
    case 'recordsInPerSecond':
      return v * parallelism * 3000;
    case 'checkpointDuration':
      return round(10 ** (6 * v));
    case 'checkpointSize':
      return round(v * 1e10);
    case 'failedCheckpoints':
    case 'fullRestarts':
    case 'numRestarts':
      return floor(v * 12);
    case 'downtime':
      return round(v * 600_000);
    case 'kpus':
      return app ? Math.ceil(app.parallelism / app.parallelismPerKpu) + 1 : 1;
  }
}

const CUMULATIVE: ReadonlySet<MetricKey> = new Set(['failedCheckpoints', 'fullRestarts', 'numRestarts']);

function valuesFor(
  key: MetricKey,
  profile: SeriesProfile,
  window: TimeWindow,
  random: SeededRandom,
  stream: StreamFixture | undefined,
  app: AppFixture | undefined,
): (number | null)[] {
  const n = window.minutes;
  const gap = 1 + floor(random.next() * 20);
  const present = (m: number): boolean => {
    switch (profile.coverage) {
      case 'empty':
        return false;
      case 'recent-gap':
        return m < n - gap;
      case 'early-only':
        return m < n / 2;
      case 'sparse':
        return random.next() < 0.7;
      default:
        return key === 'kpus' ? window.starts[m]! % 3_600_000 === 0 : true;
    }
  };
  let atLeast = 0;
  return window.starts.map((_, m) => {
    if (!present(m)) return null;
    if (profile.coverage === 'zeros') return 0;
    if (profile.coverage === 'not-reported' && key === 'millisBehindLatest') return -1;
    const x = n > 1 ? m / (n - 1) : 1;
    const noisy = max(0, min(1, shapeAt(profile, x) * (1 + profile.noise * random.gaussian())));
    let value = scale(key, noisy, stream, app);
    if (CUMULATIVE.has(key)) {
      // Counters since the job started never go down.
      value = max(atLeast, value);
      atLeast = value;
    }
    return value;
  });
}

/** A GetMetricData exchange for the resources present, one query per catalog metric not `absent`. */
export function metricData(
  fixture: WindowFixture,
  profiles: Readonly<Record<MetricKey, SeriesProfile>>,
  stream: StreamFixture | undefined,
  app: AppFixture | undefined,
  names: { readonly streamName?: string; readonly applicationName?: string },
): GetMetricDataRecord {
  const window = windowOf(fixture);
  const random = new SeededRandom(fixture.seed);
  const series: SeriesDef[] = [];
  METRIC_KEYS.forEach((key) => {
    const spec = METRICS[key];
    const resource = spec.resource === 'stream' ? names.streamName : names.applicationName;
    const profile = profiles[key];
    if (!resource || profile.coverage === 'absent') return;
    const stat = profile.alternateStat ? spec.stats[spec.stats.length - 1]! : spec.stats[0]!;
    series.push(catalogSeries(key, resource, valuesFor(key, profile, window, random, stream, app), stat));
  });
  return getMetricData(window, capturedQueries(series), fixture.layout);
}
