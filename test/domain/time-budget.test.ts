import { fitsTimeBudget, roundWorstSeconds, type TimeBudget } from '../../lambdas/domain/time-budget';

const budget: TimeBudget = { timeoutSeconds: 7200, stepSeconds: 1500, settleSeconds: 300, closeSeconds: 212 };
const startedAt = '2026-03-02T09:33:00.000Z';
const minutesIn = (minutes: number): Date => new Date(Date.parse(startedAt) + minutes * 60_000);

describe('a run time budget', () => {
  it('adds a round up as its steps at their worst, the settling wait and the end of the run', () => {
    expect(roundWorstSeconds(3, budget)).toBe(3 * 1500 + 300 + 212);
  });

  it.each([
    [0, 4, true],
    [0, 5, false],
    [78, 1, true],
    [97.5, 1, false],
  ])('at minute %d of a 120-minute run, %i more step(s) fit: %s', (minute, steps, fits) => {
    expect(fitsTimeBudget(steps, startedAt, minutesIn(minute), budget).fits).toBe(fits);
  });

  it('says what is needed and what is left when a step does not fit', () => {
    const result = fitsTimeBudget(1, startedAt, minutesIn(97.5), budget);
    expect(result).toEqual({
      fits: false,
      reason:
        '1 step, the settling wait and the verification may take 34 min; the run has 22 min left of its 120-min timeout',
    });
  });
});
