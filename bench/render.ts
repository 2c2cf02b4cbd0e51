/**
 * The benchmark's outputs: the terminal table, bench/results.md and bench/results.html (charts drawn
 * as inline SVG, so the page works offline and needs no library).
 */
import type { Scenario } from '../sim/scenario';
import { PRICES, type RunFigures, type RunResult } from './figures';
import type { GoalReport, ScenarioRuns } from './goals';
import { POLICY_NAMES, type PolicyName } from './policies/policy';
import { capacityCanFix } from './policies/true-cause';
import { statedExpectation } from '../sim/scenario';
import { median } from './sample-stats';
import { compact } from './format';

const COLUMNS: readonly { readonly key: keyof RunFigures; readonly label: string }[] = [
  { key: 'scenario', label: 'scenario' },
  { key: 'policy', label: 'policy' },
  { key: 'ttrMinutes', label: 'TTR min' },
  { key: 'peakLagSeconds', label: 'peak lag s' },
  { key: 'lagMinutes', label: 'lag-min' },
  { key: 'throttledRecords', label: 'throttled' },
  { key: 'recordsLost', label: 'lost' },
  { key: 'producerRecordsDropped', label: 'dropped' },
  { key: 'apiCalls', label: 'calls' },
  { key: 'restarts', label: 'restarts' },
  { key: 'downtimeSeconds', label: 'down s' },
  { key: 'costUsd', label: 'cost $' },
  { key: 'wrongActions', label: 'wrong' },
  { key: 'oscillations', label: 'osc' },
];

function cell(figures: RunFigures, key: keyof RunFigures): string {
  const value = figures[key];
  if (key === 'ttrMinutes') return value === null ? 'never' : String(value);
  if (key === 'costUsd') return (value as number).toFixed(2);
  if (typeof value === 'number') return compact(value);
  return String(value);
}

/** The table for a terminal: one block of rows per scenario. */
export function terminalTable(rows: readonly RunFigures[]): string {
  const cells = rows.map((row) => COLUMNS.map((c) => cell(row, c.key)));
  const header = COLUMNS.map((c) => c.label);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]): string =>
    values.map((v, i) => (i < 2 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  rows.forEach((row, i) => {
    if (i > 0 && rows[i - 1]!.scenario !== row.scenario) out.push('');
    out.push(line(cells[i]!));
  });
  return out.join('\n');
}

function markdownTable(rows: readonly RunFigures[]): string {
  const header = `| ${COLUMNS.map((c) => c.label).join(' | ')} |`;
  const rule = `| ${COLUMNS.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`;
  const body = rows.map((row) => `| ${COLUMNS.map((c) => cell(row, c.key)).join(' | ')} |`);
  return [header, rule, ...body].join('\n');
}

export interface BenchMeta {
  readonly seed: string;
  readonly policies: readonly { readonly name: PolicyName; readonly summary: string }[];
}

/** A reading written from the numbers, so it says what this run says. */
export function reading(all: readonly ScenarioRuns[], goals: readonly GoalReport[]): string[] {
  const lines: string[] = [];
  const fixable = all.filter((s) => capacityCanFix(statedExpectation(s.scenario)));
  const ttrs = (policy: PolicyName) =>
    fixable.map((s) => s.runs.get(policy)?.figures.ttrMinutes).filter((t): t is number | null => t !== undefined);
  for (const policy of POLICY_NAMES) {
    const values = ttrs(policy);
    if (values.length === 0) continue;
    const recovered = values.filter((t): t is number => t !== null);
    const mid = median(recovered);
    lines.push(
      `- \`${policy}\` recovered ${recovered.length} of the ${fixable.length} scenarios capacity can fix` +
        (mid !== undefined ? `, median time to recover ${mid} min.` : '.'),
    );
  }
  const totals = POLICY_NAMES.map((policy) => {
    let wrong = 0;
    let lost = 0;
    let cost = 0;
    let osc = 0;
    for (const s of all) {
      const f = s.runs.get(policy)?.figures;
      if (!f) continue;
      wrong += f.wrongActions;
      lost += f.recordsLost;
      cost += f.costUsd;
      osc += f.oscillations;
    }
    return { policy, wrong, lost, cost, osc };
  });
  lines.push(
    `- Wrong actions over all scenarios: ${totals.map((t) => `${t.policy} ${t.wrong}`).join(', ')}. ` +
      `Records lost: ${totals.map((t) => `${t.policy} ${compact(t.lost)}`).join(', ')}. ` +
      `Oscillations: ${totals.map((t) => `${t.policy} ${t.osc}`).join(', ')}.`,
  );
  lines.push(
    `- Capacity cost summed over all scenarios: ${totals.map((t) => `${t.policy} $${t.cost.toFixed(2)}`).join(', ')}.`,
  );
  for (const goal of goals) {
    const judged = goal.checks.filter((c) => c.verdict !== 'n/a');
    const missed = judged.filter((c) => c.verdict === 'missed');
    lines.push(
      `- Goal "${goal.goal}": met on ${judged.length - missed.length} of ${judged.length}` +
        (missed.length > 0 ? `; missed on ${missed.map((c) => c.scenario).join(', ')}.` : '.'),
    );
  }
  return lines;
}

export function markdown(
  rows: readonly RunFigures[],
  all: readonly ScenarioRuns[],
  goals: readonly GoalReport[],
  meta: BenchMeta,
): string {
  const out: string[] = [];
  out.push('# StreamMedic policy benchmark', '');
  out.push(
    `Generated by \`npm run bench\`: every built-in scenario (sim/scenarios) played under each policy in the simulated world, seed ${meta.seed}. ` +
      'Same seed, same numbers. The HTML page with charts is bench/results.html; the rows are in bench/results.json.',
    '',
  );
  out.push('## Reading', '', ...reading(all, goals), '');
  out.push(
    '## Caveats',
    '',
    '- `none` recovers by itself where the trouble ends (a spike passes), at the lowest cost. The dominance goal counts it as a policy: where a spike passes by itself, doing nothing is a real alternative. Where a stream too small keeps the lag low by refusing writes, the records producers gave up on count against it: dominance is judged on lag-minutes, records not delivered and cost together.',
    "- The oracle acts from the incident's start (the first unhealthy minute with nothing done, or the first alarm if sooner) on the true demand, sizes each resource for the true peak with a margin for the traffic's noise only (not StreamMedic's target utilisation or catch-up time), drains the backlog within a restart's length, changes the stream and the application at once, and scales back when the incident's traffic has passed. No single policy is a lower bound on both lag and cost: a policy that over-provisions can have less lag at a higher cost, and one that never acts costs less.",
    "- A job's own restart puts lag over the threshold for a minute or two: those minutes count as unhealthy for every policy.",
    "- Bounds: `alarm-doubling` gets the target's parallelism bounds; `shard-doubling` has no shard ceiling, as in the sample; `msf-builtin` is bounded only by the application's KPU quota; StreamMedic and the oracle by the target's config.",
    '',
  );
  out.push('## Goals', '');
  for (const goal of goals) {
    out.push(`### ${goal.goal}`, '');
    for (const check of goal.checks) out.push(`- ${check.verdict.toUpperCase()} ${check.scenario}: ${check.detail}`);
    out.push('');
  }
  out.push('## Wrong actions', '');
  let anyWrong = false;
  for (const { scenario, runs } of all) {
    for (const [policy, run] of runs) {
      for (const wrong of run.wrong) {
        anyWrong = true;
        const at = Math.round((wrong.at - Date.parse(scenario.startTime)) / 60_000);
        out.push(`- ${scenario.name}, ${policy}, minute ${at}: ${wrong.detail}: ${wrong.reason}`);
      }
    }
  }
  if (!anyWrong) out.push('- none');
  out.push('');
  out.push('## Results', '', markdownTable(rows), '');
  out.push('## Policies', '');
  for (const policy of meta.policies) out.push(`- \`${policy.name}\`: ${policy.summary}`);
  out.push('');
  out.push('## How the figures are computed', '');
  out.push(
    "- **Incident start**: the first minute the pipeline is unhealthy when nothing is done (the `none` run): lag over the target's threshold (60 s by default), write or read throttling, or the job not running; a scenario that never turns unhealthy starts at its first alarm or manual run.",
    '- **TTR** (time to recover): minutes from the incident start to the start of the first healthy stretch that reaches past it and either holds 30 minutes or lasts to the end (at least 5 minutes). `never` when there is none. A relapse after recovering does not move it; lag-minutes and peak lag show it.',
    '- **Lag-minutes**: the area under the lag curve, each minute adding its lag in minutes. **Throttled**: producer records refused (WriteProvisionedThroughputExceeded); a retried record refused again counts again, as in CloudWatch. **Lost**: records that reached the stream and were never processed (expired, skipped by a restart without a snapshot, deleted with the stream).',
    '- **Calls**: changing calls AWS accepted (UpdateShardCount, UpdateApplication, IncreaseStreamRetentionPeriod); a workflow still running at the end is let finish and its calls count. **Restarts** and **down s**: every stop and start of the job (updates, Managed Flink autoscaling, failures) and the seconds it processed nothing.',
    `- **Cost**: shard-hours x $${PRICES.shardHourUsd} plus KPU-hours x $${PRICES.kpuHourUsd}, with the orchestration KPU, over the scenario's duration.`,
    "- **Wrong actions**: from the scenario's true cause (its `expect.causes` and `expect.secondary`, written from DESIGN.md before any run) a change is wrong if it changes nothing; adds a kind of capacity no true cause is helped by (more shards help write or byte-bound read capacity, or a job behind on its backlog that could process faster than its shards serve it; more parallelism helps compute; fewer tasks per KPU help memory; quieter logging helps verbose monitoring; longer retention helps a retention risk; nothing helps a hot key, a slow sink, a crash loop, a healthy pipeline or missing data); restarts an application whose snapshots are off; or takes capacity away while the pipeline is behind or throttled, or leaves too little for the hour after (for a job: less than arrives, and less than it carried before the change, its sink's limit included). See bench/policies/true-cause.ts and bench/figures.ts.",
    '- **Oscillations**: for the shards and for the application size, a change in the opposite direction to the previous one less than an hour after it.',
    '- **Dominance** (the goal "no other policy is as good on lag-minutes, records not delivered and cost, and better on one"): records not delivered are those producers gave up on after throttling (the **dropped** column) plus those lost from the stream (**lost**); a peer dominates StreamMedic when it is no worse on all three and strictly better on one. The oracle is the limit, not a peer. The goal lines print each policy\'s refused (throttled) and given-up records beside its lag and cost.',
    '',
  );
  return out.join('\n');
}

// ---- HTML --------------------------------------------------------------------------------------

const COLORS: Readonly<Record<PolicyName, string>> = {
  'stream-medic': '#1b7f3b',
  'msf-builtin': '#d9822b',
  'alarm-doubling': '#8e44ad',
  'shard-doubling': '#2c7fb8',
  none: '#7f7f7f',
  oracle: '#111111',
};

const DRAW_ORDER: readonly PolicyName[] = [
  'none',
  'shard-doubling',
  'msf-builtin',
  'alarm-doubling',
  'oracle',
  'stream-medic',
];

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

interface Series {
  readonly name: PolicyName;
  readonly points: readonly (readonly [number, number])[];
}

interface ChartProps {
  readonly title: string;
  readonly series: readonly Series[];
  readonly xMax: number;
  /** Where a value sits on the axis: identity, or a log scale that keeps 0. */
  readonly scale: (value: number) => number;
  readonly ticks: readonly number[];
  readonly tickLabel: (value: number) => string;
}

const WIDTH = 460;
const HEIGHT = 200;
const PAD = { left: 48, right: 8, top: 22, bottom: 24 };

function lineChart(props: ChartProps): string {
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const top = Math.max(props.scale(props.ticks.at(-1)!), 1e-9);
  const x = (minute: number): number => PAD.left + (minute / Math.max(1, props.xMax)) * innerW;
  const y = (value: number): number => PAD.top + innerH - (Math.min(props.scale(value), top) / top) * innerH;
  const parts: string[] = [];
  parts.push(`<text x="${PAD.left}" y="14" class="t">${escapeHtml(props.title)}</text>`);
  for (const tick of props.ticks) {
    const ty = y(tick).toFixed(0);
    parts.push(`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${ty}" y2="${ty}" class="g"/>`);
    parts.push(`<text x="${PAD.left - 4}" y="${Number(ty) + 3}" class="yl">${props.tickLabel(tick)}</text>`);
  }
  const step = props.xMax > 240 ? 60 : 30;
  for (let m = 0; m <= props.xMax; m += step) {
    parts.push(`<text x="${x(m).toFixed(0)}" y="${HEIGHT - 8}" class="xl">${m}</text>`);
  }
  for (const series of props.series) {
    const plotted = series.points.map(([m, v]) => [Math.round(x(m)), Math.round(y(v))] as const);
    // A point between two at the same height adds nothing to the line.
    const kept = plotted.filter(
      ([, py], i) => i === 0 || i === plotted.length - 1 || py !== plotted[i - 1]![1] || py !== plotted[i + 1]![1],
    );
    const points = kept.map(([px, py]) => `${px},${py}`).join(' ');
    const style =
      series.name === 'oracle'
        ? ' stroke-dasharray="4 3"'
        : series.name === 'stream-medic'
          ? ' stroke-width="2.5"'
          : '';
    parts.push(
      `<polyline points="${points}" stroke="${COLORS[series.name]}"${style} class="s"><title>${series.name}</title></polyline>`,
    );
  }
  return `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img">${parts.join('')}</svg>`;
}

const LAG_TICKS = [0, 10, 60, 600, 3600, 36_000, 86_400];
const lagScale = (seconds: number): number => Math.log10(1 + Math.max(0, seconds));
const lagLabel = (seconds: number): string =>
  seconds >= 3600 ? `${seconds / 3600}h` : seconds >= 60 ? `${seconds / 60}m` : `${seconds}s`;

function hourlyCost(sample: RunResult['samples'][number]): number {
  const kpus = sample.kpus !== undefined ? sample.kpus + 1 : 0;
  return sample.shards * PRICES.shardHourUsd + kpus * PRICES.kpuHourUsd;
}

function niceTicks(max: number): number[] {
  const raw = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-9)));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = 0; t <= max + step * 0.999; t += step) ticks.push(Math.round(t * 1000) / 1000);
  return ticks;
}

function scenarioSection(scenario: Scenario, runs: ReadonlyMap<PolicyName, RunResult>): string {
  const start = Date.parse(scenario.startTime);
  const minute = (t: number): number => (t - start) / 60_000;
  // StreamMedic is drawn last, on top; the oracle just under it.
  const order = DRAW_ORDER.filter((name) => runs.has(name));
  const series = (value: (s: RunResult['samples'][number]) => number): Series[] =>
    order.map((name) => ({ name, points: runs.get(name)!.samples.map((s) => [minute(s.t), value(s)] as const) }));
  const lagMax = Math.max(1, ...[...runs.values()].flatMap((r) => r.samples.map((s) => s.lagMs / 1000)));
  const lagTicks = LAG_TICKS.filter((_tick, i) => i === 0 || LAG_TICKS[i - 1]! < lagMax);
  const costMax = Math.max(0.1, ...[...runs.values()].flatMap((r) => r.samples.map(hourlyCost)));
  const costTicks = niceTicks(costMax);
  const lag = lineChart({
    title: 'lag (log scale)',
    series: series((s) => s.lagMs / 1000),
    xMax: scenario.durationMinutes,
    scale: lagScale,
    ticks: lagTicks,
    tickLabel: lagLabel,
  });
  const cost = lineChart({
    title: 'capacity, $ per hour',
    series: series(hourlyCost),
    xMax: scenario.durationMinutes,
    scale: (v) => v,
    ticks: costTicks,
    tickLabel: (v) => v.toFixed(2),
  });
  const rows = [...runs.values()]
    .map((run) => {
      const f = run.figures;
      return `<tr><td style="color:${COLORS[f.policy]}">${f.policy}</td>${COLUMNS.slice(2)
        .map((c) => `<td>${cell(f, c.key)}</td>`)
        .join('')}</tr>`;
    })
    .join('');
  const causes = [...statedExpectation(scenario).causes, ...statedExpectation(scenario).secondary].join(', ') || '-';
  return [
    `<section id="${scenario.name}"><h2>${scenario.name}</h2>`,
    `<p>${escapeHtml(scenario.description)} True cause: <b>${causes}</b>.</p>`,
    `<div class="charts">${lag}${cost}</div>`,
    `<table><tr><th>policy</th>${COLUMNS.slice(2)
      .map((c) => `<th>${c.label}</th>`)
      .join('')}</tr>${rows}</table></section>`,
  ].join('');
}

function ttrBars(all: readonly ScenarioRuns[]): string {
  const fixable = all.filter((s) => capacityCanFix(statedExpectation(s.scenario)));
  const policies = POLICY_NAMES.filter((p) => p !== 'none');
  const rowH = 9;
  const groupH = policies.length * rowH + 8;
  const left = 190;
  const width = 760;
  const height = fixable.length * groupH + 40;
  const maxTtr = Math.max(
    10,
    ...fixable.flatMap((s) => policies.map((p) => s.runs.get(p)?.figures.ttrMinutes ?? 0)).map((t) => t ?? 0),
  );
  const scaleX = (m: number): number => left + (m / maxTtr) * (width - left - 60);
  const parts: string[] = [];
  fixable.forEach((s, i) => {
    const y0 = 30 + i * groupH;
    parts.push(`<text x="${left - 6}" y="${y0 + groupH / 2}" class="yl">${s.scenario.name}</text>`);
    policies.forEach((policy, j) => {
      const ttr = s.runs.get(policy)?.figures.ttrMinutes;
      if (ttr === undefined) return;
      const y = y0 + j * rowH;
      if (ttr === null) {
        parts.push(
          `<text x="${left + 2}" y="${y + rowH - 1}" class="n" fill="${COLORS[policy]}">never (${policy})</text>`,
        );
      } else {
        const w = Math.max(1, scaleX(ttr) - left);
        parts.push(
          `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${rowH - 1}" fill="${COLORS[policy]}"><title>${policy}: ${ttr} min</title></rect>`,
          `<text x="${(left + w + 3).toFixed(1)}" y="${y + rowH - 1}" class="n">${ttr} min</text>`,
        );
      }
    });
  });
  parts.push(`<text x="${left}" y="16" class="t">time to recover, minutes (scenarios capacity can fix)</text>`);
  // The minutes axis: gridlines and labels at a round step, so a bar's length can be read.
  const axisY = 30 + fixable.length * groupH;
  const step = [5, 10, 15, 30, 60, 120].find((m) => maxTtr / m <= 8) ?? 240;
  const ticks: string[] = [
    `<line x1="${left}" y1="${axisY}" x2="${scaleX(maxTtr).toFixed(1)}" y2="${axisY}" class="g"/>`,
  ];
  for (let m = 0; m <= maxTtr; m += step) {
    const x = scaleX(m).toFixed(1);
    ticks.push(
      `<line x1="${x}" y1="24" x2="${x}" y2="${axisY}" class="g"/>`,
      `<text x="${x}" y="${axisY + 12}" class="xl">${m}</text>`,
    );
  }
  return `<svg viewBox="0 0 ${width} ${height + 16}" width="${width}" height="${height + 16}" role="img">${ticks.join('')}${parts.join('')}</svg>`;
}

export function html(all: readonly ScenarioRuns[], goals: readonly GoalReport[], meta: BenchMeta): string {
  const legend = POLICY_NAMES.map((p) => `<span style="color:${COLORS[p]}">&#9632; ${p}</span>`).join(' ');
  const goalList = goals
    .map((g) => {
      const judged = g.checks.filter((c) => c.verdict !== 'n/a');
      const missed = judged.filter((c) => c.verdict === 'missed');
      const details = missed.map((c) => `<li>${escapeHtml(`${c.scenario}: ${c.detail}`)}</li>`).join('');
      return `<li>${escapeHtml(g.goal)}: met on ${judged.length - missed.length} of ${judged.length}${
        missed.length > 0 ? `<details><summary>missed on ${missed.length}</summary><ul>${details}</ul></details>` : ''
      }</li>`;
    })
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>StreamMedic policy benchmark</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}
table{border-collapse:collapse;margin:6px 0 18px;font-size:12px}
td,th{border-bottom:1px solid #ddd;padding:2px 6px;text-align:right}
td:first-child,th:first-child{text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:8px}
svg{background:#fafafa;border:1px solid #eee}
.s{fill:none;stroke-width:1.5;opacity:.85}
.g{stroke:#e4e4e4}
.t{font-size:12px;font-weight:600}
.yl{font-size:10px;text-anchor:end}
.xl{font-size:10px;text-anchor:middle}
.n{font-size:8px}
</style>
</head>
<body>
<h1>StreamMedic policy benchmark</h1>
<p>Every built-in scenario played under each policy, seed ${escapeHtml(meta.seed)}. Legend: ${legend}</p>
<h2>Goals</h2>
<ul>${goalList}</ul>
${ttrBars(all)}
${all.map((s) => scenarioSection(s.scenario, s.runs)).join('\n')}
</body>
</html>
`;
}
