import fc from 'fast-check';
import {
  PACING_HEADROOM,
  RUN_CALLS_PER_SECOND,
  paceGroups,
  paceSeconds,
  pacingBudget,
} from '../../lambdas/domain/api-pacing';
import { DOCUMENTED_API_LIMITS, type RateLimitedApi } from '../../lambdas/domain/api-rate-limits';
import { FLEET_BOUNDS } from '../../lambdas/domain/fleet-limits';

/** Every API a run calls whose documented limit counts calls per second and per account. */
const perSecondLimits = (Object.entries(RUN_CALLS_PER_SECOND) as [RateLimitedApi, number][]).flatMap(([api, calls]) => {
  const limit = DOCUMENTED_API_LIMITS[api].limit;
  return limit && limit.per === 'account' && limit.windowSeconds === 1 ? [{ api, calls, max: limit.max }] : [];
});

describe('the runs that may read in one second', () => {
  it("keep every per-second limit's calls within the headroom, and one more run would not for the API named", () => {
    const { runsPerSecond, api } = pacingBudget();
    expect(perSecondLimits.length).toBeGreaterThan(0);
    for (const limit of perSecondLimits) {
      expect(runsPerSecond * limit.calls).toBeLessThanOrEqual(PACING_HEADROOM * limit.max);
    }
    const tightest = perSecondLimits.find((limit) => limit.api === api)!;
    expect((runsPerSecond + 1) * tightest.calls).toBeGreaterThan(PACING_HEADROOM * tightest.max);
  });
});

describe('pacing the fleet slots', () => {
  const lockTime = fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-01-01T00:00:00Z') });

  it('never lets more than the budgeted runs, and so no more than a limit allows, make their first read in one second', () => {
    const { runsPerSecond } = pacingBudget();
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: FLEET_BOUNDS.maxConcurrentRuns }).chain((capacity) =>
          fc.record({
            capacity: fc.constant(capacity),
            cycle: fc.option(fc.constantFrom(30, 60, 45, 7), { nil: undefined }),
            // Runs holding distinct slots, each let in at its own instant.
            runs: fc.uniqueArray(fc.record({ slot: fc.nat(capacity - 1), lockedAt: lockTime }), {
              selector: (run) => run.slot,
              maxLength: capacity,
            }),
          }),
        ),
        ({ capacity, cycle, runs }) => {
          const groups = paceGroups(capacity, cycle);
          const readsPerSecond = new Map<number, number>();
          for (const run of runs) {
            const wait = paceSeconds(run.slot, groups, run.lockedAt);
            expect(wait).toBeGreaterThanOrEqual(0);
            expect(wait).toBeLessThan(groups);
            const second = Math.floor(run.lockedAt / 1000) + wait;
            readsPerSecond.set(second, (readsPerSecond.get(second) ?? 0) + 1);
          }
          for (const reads of readsPerSecond.values()) {
            expect(reads).toBeLessThanOrEqual(runsPerSecond);
            for (const limit of perSecondLimits) {
              expect(reads * limit.calls).toBeLessThanOrEqual(PACING_HEADROOM * limit.max);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps a run's later calls, made whole cycles after its first read, in its slot's seconds", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: FLEET_BOUNDS.maxConcurrentRuns }),
        fc.nat(FLEET_BOUNDS.maxConcurrentRuns - 1),
        lockTime,
        fc.integer({ min: 1, max: 20 }),
        (capacity, slot, lockedAt, cycles) => {
          const groups = paceGroups(capacity, 30);
          expect(30 % groups).toBe(0);
          const firstRead = Math.floor(lockedAt / 1000) + paceSeconds(slot, groups, lockedAt);
          expect((firstRead + cycles * 30) % groups).toBe(slot % groups);
        },
      ),
    );
  });

  it("does not wait when the current second is the slot's own", () => {
    const groups = paceGroups(50, 30);
    const second = 1_790_000_000;
    expect(paceSeconds(second % groups, groups, second * 1000 + 999)).toBe(0);
  });

  it('refuses a cap or a slot that is not a whole number', () => {
    expect(() => paceGroups(0)).toThrow(/fleet\.maxConcurrentRuns/);
    expect(() => paceSeconds(-1, 2, 0)).toThrow(/fleet slot/);
    expect(() => paceSeconds(0, 0, 0)).toThrow(/pace groups/);
  });
});
