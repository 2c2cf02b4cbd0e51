import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { Command } from 'commander';
import { formatCount, formatDuration } from '../../lambdas/domain/units';
import { InvalidInputError } from '../../lambdas/domain/validation';
import * as report from '../../sim/report/html-report';
import { RepeatCollapser, narrate, type NarratedLine, type Tone } from '../../sim/run/narration';
import type * as Simulator from '../../sim/run';
import type { Playthrough } from '../../sim/run/player';
import { summarize, type ScenarioSummary } from '../../sim/run/summary';
import { builtInScenarioNames, parseScenario, resolveScenario, type Scenario } from '../../sim/scenario';
import { parseFile, type CliIo } from '../io';
import { MAX_TABLE_WIDTH, styleFor, table, type Style } from '../render';
import { COMMAND_SUMMARIES } from './catalog';
import { CommandFailure } from './aws-failure';
import { helpEpilogue } from './help';

interface SimulateOptions {
  readonly scenario: string;
  readonly json?: boolean;
  readonly seed?: string;
  readonly report?: string;
}

const CLEAR_LINE = '\r\u001b[2K';
const BAR_WIDTH = 30;
/** The tag column of the live lines: as wide as the widest tag. */
const TAG_WIDTH = 'DIAGNOSIS'.length;

/** The simulator, loaded on first use: it brings aws-cdk-lib, which no other command needs. */
function loadSimulator(): typeof Simulator {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a static import would slow every command
  return require('../../sim/run') as typeof Simulator;
}

function parseSeed(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seed = /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(seed)) throw new InvalidInputError('--seed', `must be an integer, got "${value}"`);
  return seed;
}

/** The scenarios `--scenario` names: `all` built-ins, one built-in by name, or a scenario file. */
function scenariosFor(argument: string): Scenario[] {
  if (argument === 'all') return builtInScenarioNames().map((name) => resolveScenario(name));
  if (builtInScenarioNames().includes(argument)) return [resolveScenario(argument)];
  if (existsSync(argument)) return [parseFile(argument, '--scenario', (value) => parseScenario(value))];
  throw new InvalidInputError(
    '--scenario',
    `"${argument}" is neither "all", a built-in scenario (${builtInScenarioNames().join(', ')}) nor a file`,
  );
}

function toneStyle(style: Style, tone: Tone, text: string): string {
  switch (tone) {
    case 'alarm':
    case 'failure':
      return style.severity('critical', text);
    case 'refusal':
    case 'fault':
      return style.warn(text);
    case 'good':
      return style.good(text);
    case 'calm':
      return style.dim(text);
    case 'finding':
    case 'action':
      return style.bold(text);
    case 'info':
      return text;
  }
}

function liveLine(line: NarratedLine, style: Style): string {
  const time = new Date(line.at).toISOString().slice(11, 19);
  return `${style.dim(time)}  ${toneStyle(style, line.tone, line.tag.padEnd(TAG_WIDTH))}  ${line.text}\n`;
}

function progressBar(played: number, total: number, startMs: number): string {
  const share = total > 0 ? Math.min(1, played / total) : 1;
  const filled = Math.round(share * BAR_WIDTH);
  const clock = new Date(startMs + played).toISOString().slice(11, 16);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.round(share * 100)).padStart(3)}%  ${clock} UTC simulated`;
}

const hhmm = (iso: string): string => iso.slice(11, 16);
const MINUTE_MS = 60_000;

/** The time to recover, by the benchmark's definition, with the instant it is counted from. */
function timeToRecoverText(summary: ScenarioSummary): string {
  const from = `from the incident's start at ${hhmm(summary.incidentStartedAt)} UTC`;
  if (summary.minutesToRecover === null)
    return `did not recover (incident started at ${hhmm(summary.incidentStartedAt)} UTC)`;
  const took = `${formatDuration(summary.minutesToRecover * MINUTE_MS)} ${from}`;
  return summary.recovered ? took : `${took}, but unhealthy again at the end`;
}

/** A path as short as it can be said: relative to the working directory when inside it. */
function shownPath(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : resolve(path);
}

/** The summary a person reads after one scenario, then the messages exactly as on-call got them. */
function renderSummary(play: Playthrough, summary: ScenarioSummary, style: Style, reportPath?: string): string {
  const rows: [string, string][] = [
    ['Cause', summary.causes.join(', ') || 'none named'],
    [
      'Actions',
      summary.actionsTaken.map((a) => `${hhmm(a.at)} ${a.api} ${a.resource}: ${a.detail}`).join('\n') || 'none',
    ],
    [
      'Refused',
      summary.actionsRefused.map((r) => `${hhmm(r.at)} ${r.type} by ${r.guardrail}: ${r.reason}`).join('\n') || 'none',
    ],
    ['Time to recover', timeToRecoverText(summary)],
    ['Peak lag', formatDuration(summary.peakLagSeconds * 1000)],
    ['Records lost', `${formatCount(summary.recordsLost)} (reached the stream, never processed)`],
    ['Producer drops', `${formatCount(summary.producerRecordsDropped)} (given up by producers after throttling)`],
    [
      'Expectation',
      summary.expectationMet === null
        ? 'none stated (no verdict)'
        : summary.expectationMet
          ? style.good('met')
          : style.severity('critical', `MISSED: ${summary.misses.join('; ')}`),
    ],
  ];
  if (reportPath) rows.push(['Report', reportPath]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const out = [
    '',
    style.bold(`${play.scenario.name}: ${play.scenario.description}`),
    ...rows.map(([k, v]) => `  ${style.bold(k.padEnd(width))}  ${v.split('\n').join(`\n  ${' '.repeat(width)}  `)}`),
    '',
  ];
  const messages = play.world.notifier.messages();
  if (messages.length === 0) out.push('No message reached on-call.', '');
  for (const sent of messages) {
    out.push(style.bold(`What on-call received (SNS, ${new Date(sent.at).toISOString()}):`));
    out.push(`Subject: ${sent.message.subject}`, '', sent.message.body);
  }
  return `${out.join('\n')}\n`;
}

function renderTable(summaries: readonly ScenarioSummary[], style: Style): string {
  const rows = summaries.map((s) => [
    s.name,
    s.causes.join(', ') || '-',
    s.actionsTaken.length > 0 ? [...new Set(s.actionsTaken.map((a) => a.type))].join(', ') : '-',
    s.minutesToRecover !== null ? formatDuration(s.minutesToRecover * MINUTE_MS) : 'no',
    formatDuration(s.peakLagSeconds * 1000),
    formatCount(s.recordsLost),
    formatCount(s.producerRecordsDropped),
    s.expectationMet === null ? '-' : s.expectationMet ? 'met' : 'MISSED',
  ]);
  const text = table(
    ['scenario', 'cause', 'actions', 'recovered', 'peak lag', 'lost', 'dropped', 'expectation'],
    rows,
    MAX_TABLE_WIDTH,
  );
  return `${text
    .split('\n')
    .map((line) => (line.endsWith('MISSED') ? style.severity('critical', line) : line))
    .join('\n')}\n`;
}

export function simulateCommand(io: CliIo): Command {
  return new Command('simulate')
    .description(COMMAND_SUMMARIES.simulate)
    .requiredOption('-s, --scenario <name|file|all>', 'a built-in scenario, a scenario file, or "all"')
    .option('--json', 'print one JSON summary per scenario (an array), nothing else')
    .option('--seed <n>', "seed for the traffic noise and retry jitter (default: the scenario's)")
    .option('--report <dir>', 'write an HTML report per scenario into this directory')
    .addHelpText(
      'after',
      helpEpilogue(
        [
          'stream-medic simulate --scenario traffic-spike-3x',
          'stream-medic simulate --scenario all --json',
          'stream-medic simulate --scenario my-pipeline.json --seed 7 --report reports',
        ],
        [
          'The scenario file format: docs/scenario-format.md (`expect` is optional: without it, no verdict).',
          'Exits 1 when a scenario misses its stated expectation (`expect`), 2 for a bad scenario file.',
        ],
      ),
    )
    .action(async (options: SimulateOptions, command: Command) => {
      const seed = parseSeed(options.seed);
      const scenarios = scenariosFor(options.scenario);
      const { color } = command.optsWithGlobals<{ color?: boolean }>();
      const style = styleFor(io.isTTY && color !== false && !io.env['NO_COLOR']);
      const live = scenarios.length === 1 && !options.json;
      if (live) io.stdout(style.dim('Synthesizing the StreamMedic stack and loading its state machine...\n'));
      const { playScenario, synthesizedWorkflow } = loadSimulator();
      const workflow = synthesizedWorkflow();
      const chartLibrary = options.report !== undefined ? report.loadChartLibrary() : undefined;
      const summaries: ScenarioSummary[] = [];
      for (const scenario of scenarios) {
        let bar = '';
        const clearBar = (): void => {
          if (bar) io.stdout(CLEAR_LINE);
          bar = '';
        };
        const repeats = new RepeatCollapser();
        const print = (lines: readonly NarratedLine[]): void => {
          if (lines.length === 0) return;
          clearBar();
          for (const line of lines) io.stdout(liveLine(line, style));
        };
        const play = await playScenario(scenario, {
          workflow,
          ...(seed !== undefined ? { seed } : {}),
          ...(live
            ? {
                onEvent: (event) => {
                  const line = narrate(event);
                  if (line) print(repeats.push(line));
                },
                ...(io.isTTY
                  ? {
                      onProgress: (played: number, total: number) => {
                        bar = progressBar(played, total, Date.parse(scenario.startTime));
                        io.stdout(`${CLEAR_LINE}${bar}`);
                      },
                    }
                  : {}),
              }
            : {}),
        });
        if (live) print(repeats.flush());
        clearBar();
        const summary = summarize(play);
        summaries.push(summary);
        const reportPath =
          options.report !== undefined
            ? report.writeHtmlReport(play, options.report, chartLibrary ? { chartLibrary } : {})
            : undefined;
        if (live) io.stdout(renderSummary(play, summary, style, reportPath && shownPath(reportPath)));
      }
      if (options.json) {
        io.stdout(`${JSON.stringify(summaries, null, 2)}\n`);
      } else if (!live) {
        io.stdout(renderTable(summaries, style));
        if (options.report !== undefined) io.stdout(`Reports in ${options.report}\n`);
      }
      if (options.report !== undefined && !chartLibrary && !options.json) {
        io.stderr('Note: the HTML reports have no charts: the uplot package is not installed.\n');
      }
      const missed = summaries.filter((s) => s.expectationMet === false);
      if (missed.length > 0) {
        throw new CommandFailure(
          `${missed.length} of ${summaries.length} scenario(s) missed their expectation: ${missed
            .map((s) => `${s.name} (${s.misses.join('; ')})`)
            .join(', ')}`,
        );
      }
    });
}
