import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderHtmlReport } from '../../../sim/report/html-report';
import { playScenario, type Playthrough } from '../../../sim/run/player';
import { synthesizedWorkflow } from '../../../sim/run/workflow-template';
import { parseScenario, SCENARIO_DIR } from '../../../sim/scenario';

const LIBRARY = { script: 'window.uPlot = function StubChart() {};', style: '.u-stub { color: red; }' };
let play: Playthrough;

beforeAll(async () => {
  synthesizedWorkflow();
  const doc = JSON.parse(readFileSync(join(SCENARIO_DIR, 'traffic-spike-3x.json'), 'utf8')) as Record<string, unknown>;
  // A description with markup, which the page must show as text.
  play = await playScenario(parseScenario({ ...doc, description: 'Orders <b>triple</b> & </script><script>alert(1)' }));
});

/** The chart data the page embeds for its script. */
function dataOf(page: string): {
  times: number[];
  charts: { id: string; series: { label: string; values: (number | null)[] }[] }[];
  markers: { t: number; kind: string; label: string }[];
} {
  const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(page)![1]!;
  return JSON.parse(json);
}

describe('renderHtmlReport', () => {
  it('inlines the charting library, so the page needs nothing from the network', () => {
    const page = renderHtmlReport(play, { chartLibrary: LIBRARY });
    expect(page).toContain(`<script>${LIBRARY.script}</script>`);
    expect(page).toContain(`<style>${LIBRARY.style}</style>`);
    expect(page).not.toMatch(/\b(src|href)=["']?(https?:)?\/\//);
  });

  it('charts lag, incoming against capacity, throttling, shards and parallelism, the downtime of the update, one point per simulated minute', () => {
    const data = dataOf(renderHtmlReport(play, { chartLibrary: LIBRARY }));
    const samples = play.world.samples();
    expect(data.charts.map((c) => c.id)).toEqual(['lag', 'throughput', 'throttling', 'capacity', 'downtime', 'cpu']);
    const down = data.charts.find((c) => c.id === 'downtime')!.series[0]!.values as number[];
    expect(down.reduce((sum, v) => sum + v, 0)).toBeCloseTo(play.outcome.appDowntimeSeconds, 0);
    expect(data.times).toEqual(samples.map((s) => s.t));
    const series = (chart: string, label: string) =>
      data.charts.find((c) => c.id === chart)!.series.find((s) => s.label === label)!.values;
    expect(Math.max(...(series('lag', 'lag') as number[]))).toBeCloseTo(play.outcome.peakLagMs / 1000, 0);
    expect(series('capacity', 'parallelism')[0]).toBe(4);
    expect(series('capacity', 'parallelism').at(-1)).toBe(play.outcome.final.parallelism);
    expect(series('throughput', 'stream capacity')[0]).toBe(8000);
    // This pipeline has no sink of its own: nothing to chart for it.
    expect(data.charts.find((c) => c.id === 'throughput')!.series.map((s) => s.label)).not.toContain('sink capacity');
  });

  it('marks every alarm that went into ALARM and every change AWS accepted, at its time', () => {
    const { markers } = dataOf(renderHtmlReport(play, { chartLibrary: LIBRARY }));
    const alarms = play.events.filter(
      (e) => e.kind === 'world' && e.event.kind === 'alarm' && e.event.change.to === 'ALARM',
    );
    expect(markers.filter((m) => m.kind === 'alarm').map((m) => m.t)).toEqual(alarms.map((e) => e.at));
    expect(markers.filter((m) => m.kind === 'action').map((m) => m.t)).toEqual(play.outcome.actions.map((c) => c.at));
    expect(markers.some((m) => m.kind === 'recovered')).toBe(play.outcome.recovered);
  });

  it("opens the charts on the incident's window, from before its start to after its recovery", () => {
    const page = renderHtmlReport(play, { chartLibrary: LIBRARY });
    const { window, times, markers } = dataOf(page) as unknown as {
      window: { start: number; end: number };
      times: number[];
      markers: { t: number; kind: string }[];
    };
    const recovered = markers.find((m) => m.kind === 'recovered')!.t;

    expect(window.start).toBeGreaterThan(times[0]!);
    expect(window.start).toBeLessThan(markers[0]!.t);
    expect(window.end).toBeGreaterThan(recovered);
    expect(window.end).toBeLessThan(times.at(-1)!);
    expect(page).toContain('<button id="window-toggle" data-framed="true">Show the whole run</button>');
  });

  it('lists the timeline and the messages on-call received, as text', () => {
    const page = renderHtmlReport(play, { chartLibrary: LIBRARY });
    const [message] = play.world.notifier.messages();
    expect(page).toMatch(/<td class="tag">ALARM<\/td><td>StreamMedic-orders-app-cpu: Threshold Crossed/);
    expect(page).toMatch(/<td class="tag">ACTION<\/td><td>UpdateApplication orders-enricher parallelism 4 -&gt; \d+/);
    expect(page).toContain(`<pre>Subject: ${message!.message.subject.replace(/>/g, '&gt;')}`);
    expect(page).toContain('Orders &lt;b&gt;triple&lt;/b&gt; &amp; &lt;/script&gt;&lt;script&gt;alert(1)');
    expect(page).not.toContain('<script>alert(1)');
  });

  it('says the charts are missing, and still carries the data and the timeline, without the library', () => {
    const page = renderHtmlReport(play);
    expect(page).toContain('charts need the uplot package in node_modules');
    expect(page).not.toContain(LIBRARY.script);
    expect(dataOf(page).charts).toHaveLength(6);
    expect(page).toContain('<h2>Timeline</h2>');
  });
});
