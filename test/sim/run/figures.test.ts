import { runResult } from '../../../bench/figures';
import { nonePolicy } from '../../../bench/policies/none';
import { renderHtmlReport } from '../../../sim/report/html-report';
import { incidentStart } from '../../../sim/run/figures';
import { playScenario, type Playthrough } from '../../../sim/run/player';
import { summarize } from '../../../sim/run/summary';
import { resolveScenario } from '../../../sim/scenario';
import type { SimWorld } from '../../../sim/world';

/**
 * Time to recover, records lost and producer drops are printed by `simulate`, its HTML report and
 * the benchmark; one play of a scenario gives the same figures in all three.
 */
describe.each(['traffic-spike-10x', 'crash-loop'])('the figures of %s', (name) => {
  const scenario = resolveScenario(name);
  let play: Playthrough;
  let noneWorld: SimWorld;

  beforeAll(async () => {
    play = await playScenario(scenario);
    noneWorld = (await nonePolicy.play(scenario)).world;
  });

  it('are the same in the simulate summary and the benchmark', () => {
    const summary = summarize(play);
    const bench = runResult(
      scenario,
      'stream-medic',
      { world: play.world, outcome: play.outcome },
      incidentStart(noneWorld),
    );

    expect(incidentStart(noneWorld)).toBe(Date.parse(summary.incidentStartedAt));
    expect({
      ttr: bench.figures.ttrMinutes,
      lost: bench.figures.recordsLost,
      dropped: bench.figures.producerRecordsDropped,
      peak: bench.figures.peakLagSeconds,
    }).toEqual({
      ttr: summary.minutesToRecover,
      lost: summary.recordsLost,
      dropped: summary.producerRecordsDropped,
      peak: summary.peakLagSeconds,
    });
  });

  it('are the ones the HTML report shows', () => {
    const summary = summarize(play);
    const page = renderHtmlReport(play);
    const row = (label: string) => new RegExp(`<tr><td>${label}</td><td>([^<]*)</td></tr>`).exec(page)?.[1];

    expect(row('Records lost')).toBe(
      `${summary.recordsLost.toLocaleString('en-US')} (reached the stream, never processed)`,
    );
    expect(row('Producer drops')).toBe(
      `${summary.producerRecordsDropped.toLocaleString('en-US')} (given up by producers after throttling)`,
    );
    expect(row('Time to recover')).toBe(
      summary.minutesToRecover === null
        ? 'did not recover'
        : `${summary.minutesToRecover} min from the incident&#39;s start`,
    );
  });
});

describe('the figures of the 10x spike', () => {
  it('count the records producers gave up on, and time recovery from the first unhealthy minute', async () => {
    const summary = summarize(await playScenario(resolveScenario('traffic-spike-10x')));

    expect(summary.producerRecordsDropped).toBeGreaterThan(1_000_000);
    expect(summary.minutesToRecover).toBeLessThan(30);
    expect(summary.incidentStartedAt <= summary.actionsTaken[0]!.at).toBe(true);
  });
});
