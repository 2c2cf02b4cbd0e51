import type { Assessment, Verification } from '../../../lambdas/domain/run-state';
import { SERVICE_METRIC_NAMES } from '../../../lambdas/domain/service-metrics';
import { createAssessTask } from '../../../lambdas/workflow/tasks/assess';
import { fakeWorldFrom } from '../../fakes/world';
import { EXECUTION_ARN, runContext } from '../../fakes/runs';
import { calmMetrics, recentScaleUp, writeThrottledSnapshot } from './scenarios';

const run = { ...runContext(), config: { ...runContext().config, application: undefined } };

describe('assess step', () => {
  it('plans two shard steps for a live run, reading only', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot());
    const assessment = (await world.cores.assess({ run })) as Assessment;
    expect(assessment.disposition).toBe('apply');
    expect(assessment.steps.map((s) => ('to' in s ? s.to : undefined))).toEqual([4, 6]);
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

describe('assess step: what the guardrails refused is kept for the history', () => {
  it('records each refusal with the guardrail, the action, the reason and the run', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot([recentScaleUp()]));
    await world.cores.assess({ run });

    expect(world.refusals.refusals).toEqual([
      {
        target: 'orders',
        executionId: EXECUTION_ARN,
        runStartedAt: '2026-11-21T10:14:33.000Z',
        index: 0,
        at: world.clock.now().toISOString(),
        guardrail: 'cooldown',
        actionType: 'UpdateShardCount',
        resource: 'stream/orders-stream',
        action: expect.stringMatching(/^scale stream orders-stream from 2 to \d+ shards/) as string,
        reason: expect.stringContaining('scaled up 4 min ago') as string,
      },
    ]);
  });

  it('records them once per run, however often the run assesses (a retry, the re-assessment after approval)', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot([recentScaleUp()]));
    await world.cores.assess({ run });
    world.clock.advance(60_000);
    await world.cores.assess({ run });

    expect(world.refusals.refusals).toHaveLength(1);
  });

  it('records nothing for a dry run, nor when nothing is refused', async () => {
    const dry = fakeWorldFrom(writeThrottledSnapshot([recentScaleUp()]));
    await dry.cores.assess({ run: { ...run, dryRun: true } });
    const clear = fakeWorldFrom(writeThrottledSnapshot());
    await clear.cores.assess({ run });

    expect(dry.refusals.refusals).toEqual([]);
    expect(clear.refusals.refusals).toEqual([]);
  });

  it('a failed write is logged and the run goes on with the same assessment', async () => {
    const world = fakeWorldFrom(writeThrottledSnapshot([recentScaleUp()]));
    const assess = createAssessTask({
      ...world,
      refusals: {
        record: () => Promise.reject(new Error('ProvisionedThroughputExceededException')),
        list: () => Promise.resolve([]),
      },
    });

    const assessment = (await assess({ run })) as Assessment;

    expect(assessment.disposition).toBe('all-refused');
    expect(world.telemetry.logs).toContainEqual({
      level: 'warn',
      message: 'could not record the refusals for the history',
      attributes: { target: 'orders', executionId: EXECUTION_ARN, error: 'ProvisionedThroughputExceededException' },
    });
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
