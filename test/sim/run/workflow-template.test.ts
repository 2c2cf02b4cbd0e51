import { embeddedConfig } from '../../../lib/remediation-workflow';
import { STATE_NAMES } from '../../../lib/remediation-workflow';
import { synthesizeWorkflow, synthesizedWorkflow } from '../../../sim/run/workflow-template';
import { resolveScenario, scenarioConfig } from '../../../sim/scenario';

describe('the workflow the simulator runs', () => {
  it('is made once per process', () => {
    expect(synthesizedWorkflow()).toBe(synthesizedWorkflow());
  });

  it("differs from one synthesized with a scenario's config only in the config the intake step is handed", () => {
    const config = scenarioConfig(resolveScenario('traffic-spike-10x'));
    const own = synthesizeWorkflow(config);
    const shared = synthesizedWorkflow();
    const intakeOf = (w: typeof own) =>
      w.definition.States[STATE_NAMES.intake] as { Parameters: Record<string, unknown> };

    expect(intakeOf(own).Parameters['config']).toEqual(embeddedConfig(config));
    const withoutConfig = (w: typeof own) => ({
      ...w.definition,
      States: {
        ...w.definition.States,
        [STATE_NAMES.intake]: { ...intakeOf(w), Parameters: { ...intakeOf(w).Parameters, config: undefined } },
      },
    });
    expect(withoutConfig(shared)).toEqual(withoutConfig(own));
    expect(shared.taskNames).toEqual(own.taskNames);
  });
});
