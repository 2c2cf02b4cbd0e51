import type { Assessment, Verification } from '../../../lambdas/domain/run-state';
import { SERVICE_METRIC_NAMES } from '../../../lambdas/domain/service-metrics';
import { fakeWorldFrom } from '../../fakes/world';
import { runContext } from '../../fakes/runs';
import { calmMetrics, recentScaleUp, writeThrottledSnapshot } from './scenarios';

const run = { ...runContext(), config: { ...runContext().config, application: undefined } };

describe('assess step', () => {
  it('plans two shard steps for a live run, reading only', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot());
    const assessment = (await world.cores.assess({ run })) as Assessment;
    expect(assessment.disposition).toBe('apply');
    expect(assessment.steps.map((s) => ('to' in s ? s.to : undefined))).toEqual([4, 7]);
    expect(world.streams.calls).toEqual([]);
    expect(world.metrics.requests).toHaveLength(1);
  });

  it('plans the same for a dry run and marks it not to be applied', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot());
    const assessment = (await world.cores.assess({ run: { ...run, dryRun: true } })) as Assessment;
    expect(assessment).toMatchObject({ disposition: 'dry-run' });
    expect(assessment.steps).toHaveLength(2);
  });

  it('counts the actions a guardrail refused in ActionsRefused', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot([recentScaleUp()]));
    const assessment = (await world.cores.assess({ run })) as Assessment;
    expect(assessment.disposition).toBe('all-refused');
    expect(assessment.report.plan.refused.map((r) => r.guardrail)).toEqual(['cooldown']);
    expect(world.telemetry.total(SERVICE_METRIC_NAMES.actionsRefused)).toBe(1);
  });
});

describe('verify step', () => {
  it('judges the change by a fresh assessment, without acting on it', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot(), { laterMetrics: [calmMetrics()] });
    const assessment = (await world.cores.assess({ run })) as Assessment;
    const verification = (await world.cores.verify({ run, assessment })) as Verification;
    expect(verification.outcome).toBe('resolved');
    expect(verification.report.diagnosis.cause).toBe('HEALTHY');
    expect(verification.report.plan.apply).toBe(false);
  });

  it('says not improved when the window looks the same as before', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot());
    const assessment = (await world.cores.assess({ run })) as Assessment;
    const verification = (await world.cores.verify({ run, assessment })) as Verification;
    expect(verification.outcome).toBe('not-improved');
  });
});
