import fc from 'fast-check';
import { PolicySchema } from '../../../lambdas/domain/config';
import type { Diagnosis } from '../../../lambdas/domain/model';
import { judgeOutcome } from '../../../lambdas/domain/outcome';
import { decideRevert } from '../../../lambdas/domain/revert';
import type { Verification } from '../../../lambdas/domain/run-state';
import { PRIMARY_CAUSES, SEVERITIES } from '../../../lambdas/domain/vocabulary';
import { workStepsOf } from '../../../lambdas/domain/work-steps';
import { RAISE_PARALLELISM, SCALE_STREAM, assessment, report, runContext } from '../../fakes/runs';
import { PROPERTY_TEST_TIMEOUT_MS, propertyParams } from './property-settings';

const run = runContext();
const policy = PolicySchema.parse({});
const METRICS = [
  'millisBehindLatest',
  'WriteProvisionedThroughputExceeded',
  'ReadProvisionedThroughputExceeded',
  'containerCPUUtilization',
] as const;

const evidence = fc.uniqueArray(
  fc.record({
    metric: fc.constantFrom(...METRICS),
    threshold: fc.integer({ min: 0, max: 100_000 }),
    before: fc.integer({ min: 0, max: 2_000_000 }),
    after: fc.integer({ min: 0, max: 2_000_000 }),
  }),
  { selector: (e) => e.metric, maxLength: 3 },
);

const verificationInputs = fc.record({
  was: fc.constantFrom(...PRIMARY_CAUSES),
  now: fc.constantFrom(...PRIMARY_CAUSES),
  wasSeverity: fc.constantFrom(...SEVERITIES),
  nowSeverity: fc.constantFrom(...SEVERITIES),
  measures: evidence,
  drainSeconds: fc.option(fc.integer({ min: 1, max: 3600 }), { nil: undefined }),
  ineffective: fc.boolean(),
  rates: fc.option(
    fc.record({
      beforePerSecond: fc.integer({ min: 1, max: 5000 }),
      afterPerSecond: fc.integer({ min: 0, max: 5000 }),
    }),
    { nil: undefined },
  ),
});

function diagnosisOf(
  cause: Diagnosis['cause'],
  severity: Diagnosis['severity'],
  measures: readonly { metric: string; threshold: number; value: number }[],
): Partial<Diagnosis> {
  return {
    cause,
    severity,
    evidence: measures.map((m) => ({
      metric: m.metric,
      stat: 'Maximum',
      value: m.value,
      threshold: m.threshold,
      unit: 'Count',
    })),
  };
}

describe('a revert happens only when verification shows harm', () => {
  it(
    'an improving, resolved, inconclusive or draining-on-plan verification never reverts',
    () => {
      fc.assert(
        fc.property(verificationInputs, (input) => {
          const before = report({
            actions: [RAISE_PARALLELISM, SCALE_STREAM],
            diagnosis: diagnosisOf(
              input.was,
              input.wasSeverity,
              input.measures.map((m) => ({ ...m, value: m.before })),
            ),
          });
          const after = report({
            actions: [],
            refused: input.ineffective
              ? [
                  {
                    action: RAISE_PARALLELISM,
                    guardrail: 'ineffective-scaling',
                    reason: 'processed 1300 -> 1200 records/s',
                  },
                ]
              : [],
            diagnosis: diagnosisOf(
              input.now,
              input.nowSeverity,
              input.measures.map((m) => ({ ...m, value: m.after })),
            ),
          });
          const drain = input.drainSeconds === undefined ? undefined : { seconds: input.drainSeconds, onPlan: true };
          const judged = judgeOutcome(before, after, drain, input.rates);
          const verification: Verification = {
            ...judged,
            report: after,
            verifiedAt: '2026-11-21T10:30:00.000Z',
          };
          const decision = decideRevert({
            assessment: assessment(run, before),
            progress: {
              next: 3,
              applied: workStepsOf([RAISE_PARALLELISM, SCALE_STREAM]).map((step) => ({
                step,
                at: '2026-11-21T10:16:00.000Z',
                outcome: 'requested',
              })),
              more: false,
            },
            verification,
            rounds: [],
            policy,
            ledger: [],
            now: new Date('2026-11-21T10:30:00.000Z'),
          });
          const drainsOnPlan = drain !== undefined && input.now === 'CONSUMER_COMPUTE';
          if (judged.outcome !== 'not-improved' || drainsOnPlan) {
            expect(judged.harm).toBeUndefined();
            expect(decision).toBeUndefined();
          }
          // Harm is all a revert rests on: with it, the run reverts (nothing here stops it); without, it does not.
          expect(decision?.kind === 'revert').toBe(judged.harm !== undefined);
        }),
        propertyParams(),
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );
});
