import fc from 'fast-check';
import {
  fitLine,
  MAX_TREND_FACTOR,
  MIN_TREND_RISE_PER_HOUR,
  projectedInput,
  STEADY_TREND_R2,
} from '../../lambdas/domain/input-trend';

const MINUTE = 60_000;

describe('fitLine', () => {
  it('recovers the slope of a straight ramp and calls it fully explained', () => {
    const points = Array.from({ length: 30 }, (_, i) => ({ t: i * MINUTE, v: 1000 + 10 * i }));
    const line = fitLine(points);
    expect(line?.slopePerMs).toBeCloseTo(10 / MINUTE, 12);
    expect(line?.r2).toBeCloseTo(1, 9);
  });

  it('explains little of a series that swings around a flat level', () => {
    const points = Array.from({ length: 30 }, (_, i) => ({ t: i * MINUTE, v: i % 2 === 0 ? 900 : 1100 }));
    expect(fitLine(points)?.r2).toBeLessThan(STEADY_TREND_R2);
  });
});

describe('projectedInput', () => {
  it('sizes a steady ramp for the input an hour ahead', () => {
    const result = projectedInput(1000, { risePerHour: 300, r2: 0.95 }, 60);
    expect(result).toEqual({ input: 1300, projected: true });
  });

  it('keeps the input now when the rise is noise, too slow, or falling', () => {
    expect(projectedInput(1000, { risePerHour: 300, r2: 0.5 }, 60).projected).toBe(false);
    expect(projectedInput(1000, { risePerHour: 1000 * MIN_TREND_RISE_PER_HOUR * 0.5, r2: 0.99 }, 60).projected).toBe(
      false,
    );
    expect(projectedInput(1000, { risePerHour: -300, r2: 0.99 }, 60)).toEqual({ input: 1000, projected: false });
    expect(projectedInput(1000, undefined, 60)).toEqual({ input: 1000, projected: false });
  });

  it('caps a steep ramp at twice the input now', () => {
    expect(projectedInput(1000, { risePerHour: 5000, r2: 0.99 }, 60).input).toBe(1000 * MAX_TREND_FACTOR);
  });

  it('never sizes below the input now nor above the cap', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 24 * 60 }),
        (inputNow, risePerHour, r2, horizon) => {
          const { input } = projectedInput(inputNow, { risePerHour, r2 }, horizon);
          expect(input).toBeGreaterThanOrEqual(inputNow);
          expect(input).toBeLessThanOrEqual(inputNow * MAX_TREND_FACTOR);
        },
      ),
    );
  });
});
