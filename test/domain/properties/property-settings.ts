import type fc from 'fast-check';

/**
 * One seed for the whole suite, so a failure replays exactly: fast-check prints the seed and the
 * counterexample's path; pass them here (`seed`, `path`) to rerun just that case.
 */
export const PROPERTY_SEED = 20_261_121;

export const PROPERTY_RUNS = 1_000;

/**
 * Every run is made, however slow the machine: a property that stopped at a wall-clock limit would
 * pass or fail with the machine's load, not with the code. Jest's own timeout stays only as a guard
 * against a hang, set generously because these machines are shared.
 */
export const PROPERTY_TEST_TIMEOUT_MS = 600_000;

export function propertyParams<T>(overrides: fc.Parameters<T> = {}): fc.Parameters<T> {
  return {
    numRuns: PROPERTY_RUNS,
    seed: PROPERTY_SEED,
    ...overrides,
  };
}
