/**
 * One self-contained HTML page per played scenario: charts of lag, incoming records against
 * capacity, throttling, shards and parallelism, and CPU over simulated time with the alarm, action
 * and recovery moments marked; then the timeline and every message on-call received. It works
 * offline: the charting library (uPlot) is inlined from node_modules, and the page needs nothing else.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatCount, formatDuration } from '../../lambdas/domain/units';
import type { MinuteSample } from '../pipeline';
import { collapseRepeats, narrate } from '../run/narration';
import type { Playthrough } from '../run/player';
import { summarize } from '../run/summary';

/** The charting library's browser build and stylesheet, inlined into the page. */
export interface ChartLibrary {
  /** The UMD/IIFE build that defines the global `uPlot`. */
  readonly script: string;
  readonly style: string;
}

export interface HtmlReportOptions {
  /**
   * The charting library to inline.
   * @default the `uplot` package from node_modules; without it the page shows its data as tables only
   */
  readonly chartLibrary?: ChartLibrary;
}

/** The uPlot build in node_modules, if the package is installed. */
export function loadChartLibrary(): ChartLibrary | undefined {
  try {
    const script = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
    const style = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
    return { script, style };
  } catch {
    return undefined;
  }
}

/** A marked moment on every chart. */
interface Marker {
  readonly t: number;
  readonly kind: 'alarm' | 'action' | 'recovered';
  readonly label: string;
}

/** One chart: a title, a unit, and series taken from the minute samples. */
interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly series: readonly { readonly label: string; readonly color: string; readonly values: (number | null)[] }[];
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON inside a script element: `</script>` and `<!--` in the data must not end or comment it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

const hhmm = (ms: number): string => new Date(ms).toISOString().slice(11, 16);

function column(samples: readonly MinuteSample[], pick: (s: MinuteSample) => number | undefined): (number | null)[] {
  return samples.map((s) => {
    const value = pick(s);
    return value === undefined || !Number.isFinite(value) ? null : Math.round(value * 100) / 100;
  });
}

function chartsOf(play: Playthrough): ChartSpec[] {
  const samples = play.world.samples();
  const hasApp = samples.some((s) => s.parallelism !== undefined);
  const charts: ChartSpec[] = [
    {
      id: 'lag',
      title: 'Consumer lag',
      unit: 's',
      series: [
        { label: 'lag', color: '#c0392b', values: column(samples, (s) => s.lagMs / 1000) },
        {
          label: 'threshold',
          color: '#999999',
          values: samples.map(() => play.world.policy.lagThresholdMs / 1000),
        },
      ],
    },
    {
      id: 'throughput',
      title: 'Incoming records against capacity',
      unit: 'records/s',
      series: [
        { label: 'producers want', color: '#8e44ad', values: column(samples, (s) => s.demandRecordsPerSecond) },
        { label: 'stream accepts', color: '#2980b9', values: column(samples, (s) => s.acceptedRecordsPerSecond) },
        { label: 'stream capacity', color: '#7fb3d5', values: column(samples, (s) => s.writeCapacityRecordsPerSecond) },
        ...(hasApp
          ? [
              { label: 'app processes', color: '#27ae60', values: column(samples, (s) => s.processedRecordsPerSecond) },
              {
                label: 'app capacity',
                color: '#82e0aa',
                values: column(samples, (s) => s.appCapacityRecordsPerSecond),
              },
            ]
          : []),
        ...(play.scenario.pipeline.sink !== undefined
          ? [
              {
                label: 'sink capacity',
                color: '#d35400',
                values: column(samples, (s) => s.sinkCapacityRecordsPerSecond),
              },
            ]
          : []),
      ],
    },
    {
      id: 'throttling',
      title: 'Throttling',
      unit: 'per minute',
      series: [
        { label: 'write-throttled records', color: '#c0392b', values: column(samples, (s) => s.throttledRecords) },
        { label: 'read-throttled calls', color: '#e67e22', values: column(samples, (s) => s.readThrottledCalls) },
      ],
    },
    {
      id: 'capacity',
      title: hasApp ? 'Shards and parallelism' : 'Shards',
      unit: 'count',
      series: [
        { label: 'open shards', color: '#2980b9', values: column(samples, (s) => s.shards) },
        ...(hasApp
          ? [
              { label: 'parallelism', color: '#27ae60', values: column(samples, (s) => s.parallelism) },
              { label: 'KPUs', color: '#16a085', values: column(samples, (s) => s.kpus) },
            ]
          : []),
      ],
    },
  ];
  if (hasApp && samples.some((s) => (s.appDownSeconds ?? 0) > 0)) {
    charts.push({
      id: 'downtime',
      title: 'Application downtime (restarts, updates)',
      unit: 's per minute',
      series: [{ label: 'down', color: '#7f8c8d', values: column(samples, (s) => s.appDownSeconds) }],
    });
  }
  if (hasApp) {
    charts.push({
      id: 'cpu',
      title: 'Application CPU and heap',
      unit: '%',
      series: [
        { label: 'CPU', color: '#c0392b', values: column(samples, (s) => s.cpuPercent) },
        { label: 'heap', color: '#8e44ad', values: column(samples, (s) => s.heapPercent) },
      ],
    });
  }
  return charts;
}

function markersOf(play: Playthrough): Marker[] {
  const markers: Marker[] = [];
  for (const event of play.events) {
    if (event.kind === 'world' && event.event.kind === 'alarm' && event.event.change.to === 'ALARM') {
      markers.push({ t: event.at, kind: 'alarm', label: `${event.event.change.alarmName} ALARM` });
    }
    if (event.kind === 'recovered') markers.push({ t: event.since, kind: 'recovered', label: 'recovered' });
  }
  for (const call of play.outcome.actions) {
    markers.push({ t: call.at, kind: 'action', label: `${call.api} ${call.detail ?? ''}`.trim() });
  }
  return markers.sort((a, b) => a.t - b.t);
}

/** How far before the incident and after its last moment the charts open. */
const FRAME_BEFORE_MS = 15 * 60_000;
const FRAME_AFTER_MS = 30 * 60_000;

/**
 * The minutes the charts open on: from just before the incident's first unhealthy minute to a while
 * after its recovery (or its last alarm or action); the whole run is a click away.
 */
function incidentWindowOf(
  play: Playthrough,
  samples: readonly MinuteSample[],
  markers: readonly Marker[],
): { start: number; end: number } {
  const first = samples[0]?.t ?? play.world.startMs;
  const last = samples[samples.length - 1]?.t ?? play.world.endMs;
  const start = Date.parse(summarize(play).incidentStartedAt) - FRAME_BEFORE_MS;
  const recovered = markers.find((m) => m.kind === 'recovered' && m.t >= start)?.t;
  const lastMoment = recovered ?? Math.max(start, ...markers.map((m) => m.t));
  return { start: Math.max(first, start), end: Math.min(last, lastMoment + FRAME_AFTER_MS) };
}

/** The page's own script: draws each chart with uPlot and the markers as vertical lines over it. */
const CHART_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var colours = { alarm: '#c0392b', action: '#2471a3', recovered: '#1e8449' };
  if (typeof uPlot === 'undefined') return;
  var xs = data.times.map(function (t) { return t / 1000; });
  var plots = [];
  var framed = { min: data.window.start / 1000, max: data.window.end / 1000 };
  var whole = { min: xs[0], max: xs[xs.length - 1] };
  var hhmm = function (ts) { return new Date(ts * 1000).toISOString().slice(11, 16); };
  var lastIn = function (range) {
    var idx = 0;
    xs.forEach(function (x, i) { if (x <= range.max) idx = i; });
    return idx;
  };
  var show = function (range) {
    plots.forEach(function (u) { u.setScale('x', range); u.setLegend({ idx: lastIn(range) }); });
  };
  var toggle = document.getElementById('window-toggle');
  if (toggle) {
    toggle.addEventListener('click', function () {
      var framedNow = toggle.getAttribute('data-framed') === 'true';
      show(framedNow ? whole : framed);
      toggle.setAttribute('data-framed', framedNow ? 'false' : 'true');
      toggle.textContent = framedNow ? 'Frame the incident' : 'Show the whole run';
    });
  }
  data.charts.forEach(function (chart) {
    var el = document.getElementById('chart-' + chart.id);
    el.textContent = '';
    var markersHook = function (u) {
      var ctx = u.ctx, top = u.bbox.top, height = u.bbox.height, left = u.bbox.left, width = u.bbox.width;
      data.markers.forEach(function (m, i) {
        var x = Math.round(u.valToPos(m.t / 1000, 'x', true));
        if (x < left || x > left + width) return;
        ctx.save();
        ctx.strokeStyle = colours[m.kind];
        ctx.lineWidth = 1.5 * devicePixelRatio;
        ctx.setLineDash(m.kind === 'alarm' ? [6 * devicePixelRatio, 4 * devicePixelRatio] : []);
        ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
        ctx.fillStyle = colours[m.kind];
        ctx.font = (11 * devicePixelRatio) + 'px sans-serif';
        // Labels of nearby markers are stacked, so they do not overlap.
        ctx.fillText(String(i + 1), x + 3 * devicePixelRatio, top + (12 + 12 * (i % 4)) * devicePixelRatio);
        ctx.restore();
      });
    };
    var plot = new uPlot({
      title: chart.title + ' (' + chart.unit + ')',
      width: Math.max(480, el.clientWidth),
      height: 220,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      scales: { x: { time: true, min: framed.min, max: framed.max }, y: { range: function (u, min, max) { return [Math.min(0, min), max > 0 ? max * 1.1 : 1]; } } },
      series: [{ label: 'time (UTC)', value: function (u, v) { return v == null ? '--' : hhmm(v); } }].concat(chart.series.map(function (s) {
        return { label: s.label, stroke: s.color, width: 2, spanGaps: false };
      })),
      axes: [
        { label: 'UTC', values: function (u, splits) { return splits.map(hhmm); } },
        { label: chart.unit, size: 60 },
      ],
      // Legends show the values at the window's last minute, not dashes until hovered.
      hooks: { draw: [markersHook], ready: [function (u) { u.setLegend({ idx: lastIn(framed) }); }] },
    }, [xs].concat(chart.series.map(function (s) { return s.values; })), el);
    plots.push(plot);
  });
})();
`;

const PAGE_STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 24px auto; max-width: 1100px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; }
.muted { color: #666; } .met { color: #1e8449; font-weight: 600; } .missed { color: #c0392b; font-weight: 600; }
table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: 3px 8px; vertical-align: top; border-bottom: 1px solid #eee; }
th { background: #f6f6f6; } .summary td:first-child { width: 180px; color: #555; }
.chart { min-height: 40px; margin: 12px 0; } .nochart { color: #8a6d3b; background: #fcf8e3; padding: 8px; }
.tag { font: 12px ui-monospace, monospace; font-weight: 600; white-space: nowrap; }
.tone-alarm .tag, .tone-failure .tag { color: #c0392b; } .tone-action .tag { color: #2471a3; } .tone-good .tag { color: #1e8449; }
.tone-refusal .tag, .tone-fault .tag { color: #b9770e; } .tone-finding .tag { color: #6c3483; } .tone-calm .tag { color: #888; }
.markers li.alarm { color: #c0392b; } .markers li.action { color: #2471a3; } .markers li.recovered { color: #1e8449; }
pre { background: #f6f6f6; padding: 12px; white-space: pre-wrap; word-break: break-word; font-size: 12.5px; }
`;

/** The report page for a played scenario. */
export function renderHtmlReport(play: Playthrough, options: HtmlReportOptions = {}): string {
  const library = options.chartLibrary;
  const summary = summarize(play);
  const { scenario, world } = play;
  const samples = world.samples();
  const charts = chartsOf(play);
  const markers = markersOf(play);
  const rows: [string, string][] = [
    ['Cause named', summary.causes.join(', ') || 'none'],
    [
      'Actions taken',
      summary.actionsTaken.map((a) => `${hhmm(Date.parse(a.at))} ${a.api} ${a.resource}: ${a.detail}`).join('\n') ||
        'none',
    ],
    [
      'Refused',
      summary.actionsRefused
        .map((r) => `${hhmm(Date.parse(r.at))} ${r.type} by ${r.guardrail}: ${r.reason}`)
        .join('\n') || 'none',
    ],
    ['Incident started', `${summary.incidentStartedAt.slice(11, 16)} UTC (first unhealthy minute, else first alarm)`],
    [
      'Time to recover',
      summary.minutesToRecover === null
        ? 'did not recover'
        : `${formatDuration(summary.minutesToRecover * 60_000)} from the incident's start${summary.recovered ? '' : ', but unhealthy again at the end'}`,
    ],
    ['Peak lag', formatDuration(summary.peakLagSeconds * 1000)],
    ['Records lost', `${formatCount(summary.recordsLost)} (reached the stream, never processed)`],
    ['Producer drops', `${formatCount(summary.producerRecordsDropped)} (given up by producers after throttling)`],
    ['Runs', `${summary.runs} (${summary.notifications} message(s) to on-call)`],
  ];
  const timeline = collapseRepeats(
    play.events.flatMap((event) => {
      const line = narrate(event);
      return line ? [line] : [];
    }),
  );
  const messages = world.notifier.messages();
  const data = { times: samples.map((s) => s.t), charts, markers, window: incidentWindowOf(play, samples, markers) };

  const chartBlocks = charts
    .map(
      (chart) =>
        `<div class="chart" id="chart-${chart.id}">${
          library
            ? ''
            : `<div class="nochart">${escapeHtml(chart.title)}: charts need the uplot package in node_modules; this page was written without it.</div>`
        }</div>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>StreamMedic simulation: ${escapeHtml(scenario.name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
${library ? `<style>${library.style}</style>` : ''}
<style>${PAGE_STYLE}</style>
</head>
<body>
<h1>${escapeHtml(scenario.name)}</h1>
<p>${escapeHtml(scenario.description)}</p>
<p class="muted">Simulated ${escapeHtml(new Date(world.startMs).toISOString())} to ${escapeHtml(new Date(world.endMs).toISOString())}, seed ${play.seed}.</p>
${
  summary.expectationMet === null
    ? '<p class="muted">No expectation stated: no verdict.</p>'
    : `<p class="${summary.expectationMet ? 'met' : 'missed'}">Expectation ${summary.expectationMet ? 'met' : 'missed'}${
        summary.misses.length > 0 ? `: ${escapeHtml(summary.misses.join('; '))}` : ''
      }</p>`
}
${scenario.expect ? `<p class="muted">${escapeHtml(scenario.expect.rationale)}</p>` : ''}
<table class="summary">${rows
    .map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v).replace(/\n/g, '<br>')}</td></tr>`)
    .join('')}</table>
<h2>Over time (UTC)</h2>
<p class="muted">The charts open on the incident's window. <button id="window-toggle" data-framed="true">Show the whole run</button></p>
<ol class="markers">${markers
    .map((m) => `<li class="${m.kind}">${hhmm(m.t)} ${escapeHtml(m.label)}</li>`)
    .join('')}</ol>
${chartBlocks}
<h2>Timeline</h2>
<table class="timeline"><tr><th>UTC</th><th></th><th></th></tr>${timeline
    .map(
      (line) =>
        `<tr class="tone-${line.tone}"><td>${new Date(line.at).toISOString().slice(11, 19)}</td><td class="tag">${escapeHtml(line.tag)}</td><td>${escapeHtml(line.text)}</td></tr>`,
    )
    .join('\n')}</table>
<h2>What on-call received</h2>
${
  messages.length === 0
    ? '<p>No message reached on-call.</p>'
    : messages
        .map(
          (m) =>
            `<p class="muted">${escapeHtml(new Date(m.at).toISOString())}</p><pre>Subject: ${escapeHtml(m.message.subject)}\n\n${escapeHtml(m.message.body)}</pre>`,
        )
        .join('\n')
}
<script type="application/json" id="report-data">${scriptJson(data)}</script>
${library ? `<script>${library.script.replace(/<\/script/gi, '<\\/script')}</script>` : ''}
<script>${CHART_SCRIPT}</script>
</body>
</html>
`;
}

/** Writes the report to `dir/<scenario>.html` and returns the path. */
export function writeHtmlReport(play: Playthrough, dir: string, options: HtmlReportOptions = {}): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${play.scenario.name}.html`);
  writeFileSync(path, renderHtmlReport(play, options));
  return path;
}
