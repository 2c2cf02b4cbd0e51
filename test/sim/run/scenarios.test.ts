import { playScenario } from '../../../sim/run/player';
import { synthesizedWorkflow } from '../../../sim/run/workflow-template';
import { builtInScenarioNames, resolveScenario } from '../../../sim/scenario';

beforeAll(() => {
  synthesizedWorkflow();
});

describe('every built-in scenario, end to end through the synthesized workflow', () => {
  it.each(builtInScenarioNames())('%s meets its stated expectation', async (name) => {
    const play = await playScenario(resolveScenario(name));
    expect(play.expectation!.misses).toEqual([]);
    // Where StreamMedic changed something, nothing that reached the stream was lost.
    if (play.outcome.actions.length > 0 && play.scenario.expect!.maxRecordsLost !== undefined) {
      expect(Math.round(play.outcome.recordsLost)).toBeLessThanOrEqual(play.scenario.expect!.maxRecordsLost);
    }
  });
});
