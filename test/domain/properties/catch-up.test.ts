import fc from 'fast-check';
import { backlogDrain } from '../../../lambdas/domain/engine';
import { actionDirection } from '../../../lambdas/domain/model';
import { judgeOutcome } from '../../../lambdas/domain/outcome';
import { SEVERITIES } from '../../../lambdas/domain/vocabulary';
import { assessInput } from '../../arbitraries/assess-input-arbitrary';
import { report } from '../../fakes/runs';
import { assessWithin } from './assess-within';
import { PROPERTY_TEST_TIMEOUT_MS, propertyParams } from './property-settings';

jest.setTimeout(PROPERTY_TEST_TIMEOUT_MS);

describe('a backlog that drains', () => {
  it('is never met with a scale-in of anything, stream or application', () => {
    fc.assert(
      fc.property(assessInput, (input) => {
        const plan = assessWithin(input.snapshot, {
          target: input.target,
          policy: input.policy,
          dryRun: input.dryRun,
        }).plan;
        if (!backlogDrain(input.snapshot, { target: input.target, policy: input.policy })) return;
        expect(plan.actions.filter((a) => actionDirection(a) === 'down')).toEqual([]);
      }),
      propertyParams(),
    );
  });

  it('on plan is judged improving, however its level compares with the assessment before the change', () => {
    const lag = (value: number) => ({
      metric: 'millisBehindLatest',
      stat: 'Maximum',
      value,
      threshold: 60_000,
      unit: 'Milliseconds',
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 60_001, max: 86_400_000 }),
        fc.integer({ min: 60_001, max: 86_400_000 }),
        fc.constantFrom(...SEVERITIES),
        fc.constantFrom(...SEVERITIES),
        fc.double({ min: 1, max: 300, noNaN: true }),
        (was, now, severityBefore, severityAfter, seconds) => {
          const before = report({
            diagnosis: { cause: 'CONSUMER_COMPUTE', severity: severityBefore, evidence: [lag(was)] },
          });
          const after = report({
            diagnosis: { cause: 'CONSUMER_COMPUTE', severity: severityAfter, evidence: [lag(now)] },
            actions: [],
          });
          expect(judgeOutcome(before, after, { seconds, onPlan: true }).outcome).toBe('improving');
        },
      ),
      propertyParams(),
    );
  });
});
