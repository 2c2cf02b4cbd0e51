import fc from 'fast-check';
import { PolicySchema, TargetSchema } from '../../lambdas/domain/config';
import { AssessDeadlineError, assessWithin } from '../domain/properties/assess-within';
import { actionDirection } from '../../lambdas/domain/model';
import { parseSnapshot } from '../../lambdas/domain/snapshot';
import { PROPERTY_RUNS, PROPERTY_SEED } from '../domain/properties/property-settings';
import { assessInput, describeInput } from './assess-input-arbitrary';

/**
 * The properties prove little about a plan they never see: over the suite's own seed and run count,
 * every kind of action and every resource guardrail must come up.
 */
describe('the assess input arbitrary', () => {
  const seen = new Map<string, number>();
  const late: string[] = [];
  beforeAll(() => {
    for (const input of fc.sample(assessInput, { numRuns: PROPERTY_RUNS, seed: PROPERTY_SEED })) {
      let report;
      try {
        report = assessWithin(input.snapshot, { target: input.target, policy: input.policy, dryRun: input.dryRun });
      } catch (error) {
        if (!(error instanceof AssessDeadlineError)) throw error;
        late.push(describeInput(input));
        continue;
      }
      const kinds = [
        ...report.plan.actions.map((a) => `${a.type} ${actionDirection(a)}`),
        ...report.plan.refused.map((r) => `refused: ${r.guardrail}`),
        ...(report.plan.apply ? ['applied'] : []),
      ];
      for (const kind of kinds) seen.set(kind, (seen.get(kind) ?? 0) + 1);
    }
  });

  it('gets an answer for every sample within the deadline', () => {
    expect(late.slice(0, 3)).toEqual([]);
  });

  it('produces snapshots, targets and policies the schemas accept unchanged', () => {
    for (const input of fc.sample(assessInput, { numRuns: 100, seed: PROPERTY_SEED + 1 })) {
      expect(parseSnapshot(input.snapshot)).toEqual(input.snapshot);
      expect(TargetSchema.parse(input.target)).toEqual(input.target);
      expect(PolicySchema.parse(input.policy)).toEqual(input.policy);
    }
  });

  it.each([
    ['UpdateShardCount up', 5],
    ['UpdateShardCount down', 3],
    ['UpdateApplicationParallelism up', 5],
    ['UpdateApplicationParallelism down', 3],
    ['UpdateApplicationMonitoring none', 3],
    ['IncreaseStreamRetention none', 1],
    ['applied', 5],
    ['refused: bounds', 3],
    ['refused: cooldown', 3],
    ['refused: daily-budget', 3],
    ['refused: resource-state', 3],
    ['refused: on-demand', 3],
    ['refused: snapshots-disabled', 3],
    ['refused: builtin-autoscaling', 3],
  ])('reaches %s at least %i times', (kind, times) => {
    expect(seen.get(kind) ?? 0).toBeGreaterThanOrEqual(times);
  });
});
