import fc from 'fast-check';
import { assessWithin } from './assess-within';
import type { Mode } from '../../../lambdas/domain/vocabulary';
import { assessInput } from '../../arbitraries/assess-input-arbitrary';
import { applyViolations, factsOf } from './plan-invariants';
import { PROPERTY_TEST_TIMEOUT_MS, propertyParams } from './property-settings';

jest.setTimeout(PROPERTY_TEST_TIMEOUT_MS);

/** Every way a run may be told not to change anything. */
const NOT_APPLIED = fc.constantFrom<readonly [Mode, boolean]>(
  ['auto', true],
  ['recommend', false],
  ['recommend', true],
  ['observe', false],
  ['observe', true],
);

describe('assess', () => {
  it('reports the same plan in observe, recommend and dry run as in a live auto run, and applies it only in the live auto run', () => {
    fc.assert(
      fc.property(assessInput, NOT_APPLIED, (input, [mode, dryRun]) => {
        const run = (runMode: Mode, runDryRun: boolean) => {
          const target = { ...input.target, mode: runMode };
          const report = assessWithin(input.snapshot, { target, policy: input.policy, dryRun: runDryRun });
          expect(applyViolations(report, factsOf(input.snapshot, target, input.policy, runDryRun))).toEqual([]);
          return report;
        };
        const live = run('auto', false);
        const other = run(mode, dryRun);
        expect(other.plan.apply).toBe(false);
        expect(other.plan.actions).toEqual(live.plan.actions);
        expect(other.plan.refused).toEqual(live.plan.refused);
        expect(other.diagnosis).toEqual(live.diagnosis);
      }),
      propertyParams(),
    );
  });

  it('never throws on valid input, is deterministic and leaves the snapshot untouched', () => {
    fc.assert(
      fc.property(assessInput, (input) => {
        // Frozen, so any write to the input throws a TypeError here (the domain runs in strict mode).
        const snapshot = deepFreeze(structuredClone(input.snapshot));
        const options = { target: input.target, policy: input.policy, dryRun: input.dryRun };
        const first = assessWithin(snapshot, options);
        const second = assessWithin(snapshot, options);
        expect(second).toEqual(first);
      }),
      propertyParams(),
    );
  });
});

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
