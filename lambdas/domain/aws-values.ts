/**
 * The values of AWS's open enumerations that this version of StreamMedic knows how to act on. AWS adds
 * values over time (a new application status, a new Flink runtime); a value outside these lists is read
 * and reported, and nothing is ever done to a resource in a state the engine does not know.
 */

export const KNOWN_STREAM_STATUSES = ['CREATING', 'DELETING', 'ACTIVE', 'UPDATING'] as const;
export const KNOWN_STREAM_MODES = ['PROVISIONED', 'ON_DEMAND'] as const;

export const KNOWN_APPLICATION_STATUSES = [
  'DELETING',
  'STARTING',
  'STOPPING',
  'READY',
  'RUNNING',
  'UPDATING',
  'AUTOSCALING',
  'FORCE_STOPPING',
  'ROLLING_BACK',
  'MAINTENANCE',
  'ROLLED_BACK',
] as const;

/** Managed Flink runtimes whose published metrics StreamMedic was checked against. */
export const KNOWN_FLINK_RUNTIMES = [
  'FLINK-1_6',
  'FLINK-1_8',
  'FLINK-1_11',
  'FLINK-1_13',
  'FLINK-1_15',
  'FLINK-1_18',
  'FLINK-1_19',
  'FLINK-1_20',
  'FLINK-2_2',
] as const;

export const KNOWN_METRICS_LEVELS = ['APPLICATION', 'TASK', 'OPERATOR', 'PARALLELISM'] as const;
export const KNOWN_LOG_LEVELS = ['INFO', 'WARN', 'ERROR', 'DEBUG'] as const;

function knows(list: readonly string[], value: string | undefined): boolean {
  return value === undefined || list.includes(value);
}

/** A value of one of AWS's enumerations that this version does not know, with where it was read. */
export interface UnknownValue {
  readonly field: string;
  readonly value: string;
}

/** The Flink version of a runtime name (`FLINK-2_2` -> [2, 2]), or undefined for other runtimes. */
export function flinkVersion(runtime: string | undefined): readonly [number, number] | undefined {
  const match = runtime ? /^FLINK-(\d+)_(\d+)$/.exec(runtime) : null;
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/**
 * Whether a runtime counts restarts with `numRestarts` (Flink 2.2 removed `fullRestarts`). Unknown
 * and non-Flink runtimes answer undefined: read whichever counter exists.
 */
export function countsNumRestarts(runtime: string | undefined): boolean | undefined {
  const version = flinkVersion(runtime);
  if (!version) return undefined;
  return version[0] > 2 || (version[0] === 2 && version[1] >= 2);
}

export function unknownStreamValues(stream: { readonly status: string; readonly mode: string }): UnknownValue[] {
  const out: UnknownValue[] = [];
  if (!knows(KNOWN_STREAM_STATUSES, stream.status)) out.push({ field: 'StreamStatus', value: stream.status });
  if (!knows(KNOWN_STREAM_MODES, stream.mode)) out.push({ field: 'StreamMode', value: stream.mode });
  return out;
}

export function unknownApplicationValues(app: {
  readonly status: string;
  readonly runtime?: string;
  readonly metricsLevel?: string;
  readonly logLevel?: string;
}): UnknownValue[] {
  const out: UnknownValue[] = [];
  if (!knows(KNOWN_APPLICATION_STATUSES, app.status)) out.push({ field: 'ApplicationStatus', value: app.status });
  if (!knows(KNOWN_FLINK_RUNTIMES, app.runtime)) out.push({ field: 'RuntimeEnvironment', value: app.runtime! });
  if (!knows(KNOWN_METRICS_LEVELS, app.metricsLevel)) out.push({ field: 'MetricsLevel', value: app.metricsLevel! });
  if (!knows(KNOWN_LOG_LEVELS, app.logLevel)) out.push({ field: 'LogLevel', value: app.logLevel! });
  return out;
}
