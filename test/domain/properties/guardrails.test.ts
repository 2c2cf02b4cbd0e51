import fc from 'fast-check';
import { assessWithin } from './assess-within';
import { assessInput, type AssessInput } from '../../arbitraries/assess-input-arbitrary';
import { factsOf, guardrailViolations, lagViolations } from './plan-invariants';
import { PROPERTY_TEST_TIMEOUT_MS, propertyParams } from './property-settings';

jest.setTimeout(PROPERTY_TEST_TIMEOUT_MS);

function check(input: AssessInput, rule: RegExp): string[] {
  const report = assessWithin(input.snapshot, { target: input.target, policy: input.policy, dryRun: input.dryRun });
  const facts = factsOf(input.snapshot, input.target, input.policy, input.dryRun);
  return guardrailViolations(report, facts).filter((v) => rule.test(v));
}

describe('guardrails hold for any window, resources, config, policy and ledger', () => {
  it('the ledger calls of the last 24 h plus the planned calls never exceed the daily budget', () => {
    fc.assert(
      fc.property(assessInput, (input) => {
        expect(check(input, /budget/)).toEqual([]);
      }),
      propertyParams(),
    );
  });

  it('no scale-up within cooldownUpMinutes of the last scale-up, no scale-in within cooldownDownMinutes of any change', () => {
    fc.assert(
      fc.property(assessInput, (input) => {
        expect(check(input, /within \d+ min/)).toEqual([]);
      }),
      propertyParams(),
    );
  });

  it('no action on an app that is not RUNNING, has snapshots off (unless allowed) or is left to built-in autoscaling; none on a stream that is not ACTIVE or is ON_DEMAND', () => {
    fc.assert(
      fc.property(assessInput, (input) => {
        expect(check(input, /not ACTIVE|ON_DEMAND|not RUNNING|snapshots are off|built-in autoscaling/)).toEqual([]);
      }),
      propertyParams(),
    );
  });

  it('nothing scales in while the consumer lag is over the threshold', () => {
    fc.assert(
      fc.property(assessInput, (input) => {
        const report = assessWithin(input.snapshot, {
          target: input.target,
          policy: input.policy,
          dryRun: input.dryRun,
        });
        const facts = factsOf(input.snapshot, input.target, input.policy, input.dryRun);
        expect(lagViolations(report, input.snapshot, facts)).toEqual([]);
      }),
      propertyParams(),
    );
  });
});
