import fc from 'fast-check';
import type { Action, Report } from '../../../lambdas/domain/model';
import { assessWithin } from './assess-within';
import { assessInput, type AssessInput } from '../../arbitraries/assess-input-arbitrary';
import { boundViolations, factsOf } from './plan-invariants';
import { PROPERTY_TEST_TIMEOUT_MS, propertyParams } from './property-settings';

jest.setTimeout(PROPERTY_TEST_TIMEOUT_MS);

function planFor(input: AssessInput) {
  return assessWithin(input.snapshot, { target: input.target, policy: input.policy, dryRun: input.dryRun });
}

/** The report with only the actions `keep` selects, so each property names its own broken rule. */
function onlyActions(report: Report, keep: (action: Action) => boolean): Report {
  return { ...report, plan: { ...report.plan, actions: report.plan.actions.filter(keep) } };
}

describe('every planned size stays within the bounds and the APIs limits', () => {
  it('UpdateShardCount: each step within minShards..maxShards, within [ceil(prev/2), 2 prev] of the one before, and at most 10,000', () => {
    fc.assert(
      fc.property(assessInput, (input) => {
        const report = onlyActions(planFor(input), (a) => a.type === 'UpdateShardCount');
        expect(boundViolations(report, factsOf(input.snapshot, input.target, input.policy, input.dryRun))).toEqual([]);
      }),
      propertyParams(),
    );
  });

  it('UpdateApplicationParallelism: within minParallelism..maxParallelism and 1..256, with ceil(p / perKpu) <= maxKpu; retention within its bound', () => {
    fc.assert(
      fc.property(assessInput, (input) => {
        const report = onlyActions(planFor(input), (a) => a.type !== 'UpdateShardCount');
        expect(boundViolations(report, factsOf(input.snapshot, input.target, input.policy, input.dryRun))).toEqual([]);
      }),
      propertyParams(),
    );
  });
});
