import { assertStepInScope, OutOfScopeError } from '../../../lambdas/domain/apply-scope';
import { INITIAL_PROGRESS, type Assessment, type WorkStep } from '../../../lambdas/domain/run-state';
import { fakeWorldFrom } from '../../fakes/world';
import { runContext } from '../../fakes/runs';
import { writeThrottledSnapshot } from './scenarios';

const RESHARD: WorkStep = { type: 'UpdateShardCount', streamName: 'orders-stream', from: 2, to: 4, call: 1, calls: 1 };
const PARALLELISM: WorkStep = {
  type: 'UpdateApplicationParallelism',
  applicationName: 'orders-enricher',
  from: 4,
  to: 8,
  parallelismPerKpu: 1,
};

describe('assertStepInScope', () => {
  it.each<[string, WorkStep]>([
    ['a reshard of its own stream', RESHARD],
    ['a parallelism change of its own application', PARALLELISM],
    [
      'a retention increase of its own stream',
      { type: 'IncreaseStreamRetention', streamName: 'orders-stream', fromHours: 24, toHours: 48 },
    ],
  ])('lets a live auto run apply %s', (_case, step) => {
    expect(() => assertStepInScope(runContext({ mode: 'auto' }), step, 0)).not.toThrow();
  });

  it.each<[string, Parameters<typeof runContext>[0], WorkStep, string]>([
    ['a dry run', { mode: 'auto', dryRun: true }, RESHARD, 'run.dryRun'],
    ['a recommend target', { mode: 'recommend' }, RESHARD, 'run.config.mode'],
    ['an observe target', { mode: 'observe' }, PARALLELISM, 'run.config.mode'],
    ['another stream', { mode: 'auto' }, { ...RESHARD, streamName: 'payments-stream' }, 'steps[2].streamName'],
    [
      'another application',
      { mode: 'auto' },
      { ...PARALLELISM, applicationName: 'payments-app' },
      'steps[2].applicationName',
    ],
  ])('refuses %s, naming the field', (_case, options, step, field) => {
    const error = (() => {
      try {
        assertStepInScope(runContext(options), step, 2);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(OutOfScopeError);
    expect(error).toMatchObject({ name: 'OutOfScopeError', field });
  });

  it('refuses a stream step for a target that has no stream', () => {
    const run = runContext({ mode: 'auto' });
    const appOnly = { ...run, config: { ...run.config, stream: undefined } };
    expect(() => assertStepInScope(appOnly, RESHARD, 0)).toThrow(/has none/);
  });

  it("refuses a run whose config is another target's", () => {
    const run = runContext({ mode: 'auto' });
    expect(() => assertStepInScope({ ...run, target: 'payments' }, RESHARD, 0)).toThrow(OutOfScopeError);
  });
});

describe('apply step scope', () => {
  const run = { ...runContext(), config: { ...runContext().config, application: undefined } };

  async function planned() {
    const world = fakeWorldFrom(writeThrottledSnapshot());
    const assessment = (await world.cores.assess({ run })) as Assessment;
    expect(assessment.steps.length).toBeGreaterThan(0);
    return { world, assessment };
  }

  it("makes no call and records nothing for a stream that is not the target's own", async () => {
    const { world, assessment } = await planned();
    const steps = assessment.steps.map((s) => ('streamName' in s ? { ...s, streamName: 'payments-stream' } : s));
    await expect(world.cores.apply({ run, steps, progress: INITIAL_PROGRESS })).rejects.toMatchObject({
      name: 'OutOfScopeError',
      field: 'steps[0].streamName',
    });
    expect(world.streams.calls).toEqual([]);
    expect(world.ledger.entries).toEqual([]);
  });

  it('makes no call for a run of a recommend-mode target, whatever the plan says', async () => {
    const { world, assessment } = await planned();
    const recommend = { ...run, config: { ...run.config, mode: 'recommend' as const } };
    await expect(
      world.cores.apply({ run: recommend, steps: assessment.steps, progress: INITIAL_PROGRESS }),
    ).rejects.toMatchObject({ name: 'OutOfScopeError', field: 'run.config.mode' });
    expect(world.streams.calls).toEqual([]);
  });
});
