/**
 * The figures of one played scenario, defined once: `simulate`, its HTML report and the benchmark
 * all read them from here, so "time to recover", "records lost" and "producer drops" mean the same
 * wherever they are printed.
 */
import type { MinuteSample } from '../pipeline';
import type { SimWorld, WorldOutcome } from '../world';

/** Healthy minutes in a row that count as recovered at the end of a scenario. */
export const RECOVERED_AFTER_MINUTES = 5;
/**
 * Healthy minutes in a row that count as recovered before the end: longer than a lull between two
 * bursts, an alarm's evaluation and a cool-down, so that a pause in the trouble is not a recovery.
 */
export const RECOVERY_HELD_MINUTES = 30;

const MINUTE_MS = 60_000;

/** The samples of the scenario's own minutes (a player may run on to let a workflow finish). */
export function scenarioSamples(world: SimWorld): MinuteSample[] {
  return world.samples().filter((s) => s.t >= world.startMs && s.t < world.endMs);
}

/**
 * When the incident starts: the first minute the pipeline is unhealthy; a scenario that never turns
 * unhealthy starts at its first alarm or manual run, else at its start. The benchmark reads it from
 * the scenario played with nothing done about it, so every policy is timed from the same instant.
 */
export function incidentStart(world: SimWorld): number {
  const firstUnhealthy = scenarioSamples(world).find((s) => !s.healthy);
  if (firstUnhealthy) return firstUnhealthy.t;
  const trigger = world
    .timeline()
    .find((e) => (e.kind === 'alarm' && e.change.to === 'ALARM') || e.kind === 'manual-run');
  return trigger?.at ?? world.startMs;
}

/**
 * Minutes from `incidentStartMs` until the pipeline is healthy (lag under the threshold, no write or
 * read throttling, the job running): the start of the first healthy stretch that reaches past the
 * incident's start and either holds for half an hour or lasts to the end of the scenario, at least
 * five minutes. A stretch that began before the incident (nothing ever went wrong) gives 0. Null when
 * there is none. A relapse after a recovery does not move it; the lag and throttling figures show it.
 */
export function timeToRecover(samples: readonly MinuteSample[], incidentStartMs: number): number | null {
  let i = 0;
  while (i < samples.length) {
    if (!samples[i]!.healthy) {
      i += 1;
      continue;
    }
    let end = i;
    while (end < samples.length && samples[end]!.healthy) end += 1;
    const length = end - i;
    const reachesIncident = samples[end - 1]!.t >= incidentStartMs;
    const holds = length >= RECOVERY_HELD_MINUTES || (end === samples.length && length >= RECOVERED_AFTER_MINUTES);
    if (reachesIncident && holds) return Math.max(0, Math.round((samples[i]!.t - incidentStartMs) / MINUTE_MS));
    i = end;
  }
  return null;
}

/** The figures every report of a played scenario shows, each with one definition. */
export interface IncidentFigures {
  /** Minutes from the incident's start to the start of the healthy stretch that holds; null if none. */
  readonly minutesToRecover: number | null;
  /** The highest consumer lag, whole seconds. */
  readonly peakLagSeconds: number;
  /** Records that reached the stream and were never processed (expired, skipped or deleted). */
  readonly recordsLost: number;
  /** Records producers gave up on after throttling: they never reached the stream. */
  readonly producerRecordsDropped: number;
}

export function incidentFigures(
  world: SimWorld,
  outcome: Pick<WorldOutcome, 'peakLagMs' | 'recordsLost' | 'producerRecordsDropped'>,
  incidentStartMs: number = incidentStart(world),
): IncidentFigures {
  return {
    minutesToRecover: timeToRecover(scenarioSamples(world), incidentStartMs),
    peakLagSeconds: Math.round(outcome.peakLagMs / 1000),
    recordsLost: Math.round(outcome.recordsLost),
    producerRecordsDropped: Math.round(outcome.producerRecordsDropped),
  };
}
