import type fc from 'fast-check';

/**
 * One seed for the whole suite, so a failure replays exactly: fast-check prints the seed and the
 * counterexample's path; pass them here (`seed`, `path`) to rerun just that case.
 */
export const PROPERTY_SEED = 20_261_121;

export const PROPERTY_RUNS = 1_000;

/**
 * A passing property takes 2 to 5 seconds; this bounds how long shrinking a failure may take. Running
 * out of time before the runs are done is a failure, never a silent pass with fewer runs.
 */
const TIME_LIMIT_MS = 20_000;

export function propertyParams<T>(overrides: fc.Parameters<T> = {}): fc.Parameters<T> {
  return {
    numRuns: PROPERTY_RUNS,
    seed: PROPERTY_SEED,
    interruptAfterTimeLimit: TIME_LIMIT_MS,
    markInterruptAsFailure: true,
    ...overrides,
  };
}
