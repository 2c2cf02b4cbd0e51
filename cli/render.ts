import type { Action, Evidence, Refusal, Report } from '../lambdas/domain/model';
import { formatQuantity } from '../lambdas/domain/units';
import type { Severity } from '../lambdas/domain/vocabulary';

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  severity(severity: Severity, text: string): string;
  good(text: string): string;
  warn(text: string): string;
}

const plain: Style = {
  bold: (t) => t,
  dim: (t) => t,
  severity: (_s, t) => t,
  good: (t) => t,
  warn: (t) => t,
};

const ansi = (code: string) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;

const colour: Style = {
  bold: ansi('1'),
  dim: ansi('2'),
  severity: (s, t) => (s === 'critical' ? ansi('1;31')(t) : s === 'warning' ? ansi('33')(t) : ansi('36')(t)),
  good: ansi('32'),
  warn: ansi('33'),
};

export function styleFor(isTTY: boolean): Style {
  return isTTY ? colour : plain;
}

/** Terminal columns every table fits in: wide enough to read, narrow enough for a split screen. */
export const MAX_TABLE_WIDTH = 100;
const COLUMN_GAP = 2;
/** Narrowest a column is wrapped to. */
const MIN_COLUMN_WIDTH = 8;

/** Where a word too long for `room` is broken: after punctuation or before a capital, else at `room`. */
function breakPoint(word: string, room: number): number {
  for (let i = room; i > room / 2; i -= 1) {
    if (/[,.(/_-]/.test(word[i - 1]!) || /[A-Z]/.test(word[i]!)) return i;
  }
  return room;
}

/** Breaks text into lines of at most `width`, at spaces where it can, inside a word where it must. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      let rest = word;
      while (rest.length > width) {
        const room = line ? width - line.length - 1 : width;
        if (room < MIN_COLUMN_WIDTH / 2 && line) {
          lines.push(line);
          line = '';
          continue;
        }
        const cut = breakPoint(rest, room);
        lines.push(line ? `${line} ${rest.slice(0, cut)}` : rest.slice(0, cut));
        line = '';
        rest = rest.slice(cut);
      }
      if (!line) line = rest;
      else if (line.length + 1 + rest.length <= width) line = `${line} ${rest}`;
      else {
        lines.push(line);
        line = rest;
      }
    }
    lines.push(line);
  }
  return lines;
}

/**
 * A left-aligned text table, columns as wide as their widest cell; when that is wider than
 * `maxWidth`, the widest columns are narrowed and their cells wrapped onto more lines. Without
 * `maxWidth` every row stays on one line, for output that is read line by line (grep, awk).
 */
export function table(headers: string[], rows: string[][], maxWidth: number = Number.POSITIVE_INFINITY): string {
  const natural = headers.map((h, i) =>
    Math.max(h.length, ...rows.flatMap((r) => (r[i] ?? '').split('\n').map((l) => l.length))),
  );
  const widths = [...natural];
  const total = () => widths.reduce((sum, w) => sum + w, 0) + COLUMN_GAP * (widths.length - 1);
  // First no word is broken (columns narrow to their longest word), then words are broken too. One
  // character at a time from the widest column that may still give way, so they give way evenly.
  const longestWord = headers.map((h, i) =>
    Math.max(h.length, ...rows.flatMap((r) => (r[i] ?? '').split(/\s+/).map((w) => w.length))),
  );
  for (const floorOf of [
    (i: number) => longestWord[i]!,
    (i: number) => Math.max(MIN_COLUMN_WIDTH, headers[i]!.length),
  ]) {
    while (total() > maxWidth) {
      const candidates = widths.map((w, i) => (w > floorOf(i) ? w : -1));
      const widest = candidates.indexOf(Math.max(...candidates));
      if (candidates[widest]! < 0) break;
      widths[widest] = widths[widest]! - 1;
    }
  }
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join(' '.repeat(COLUMN_GAP))
      .trimEnd();
  const row = (cells: string[]): string[] => {
    const wrapped = cells.map((c, i) => wrapText(c, widths[i]!));
    const height = Math.max(...wrapped.map((w) => w.length));
    return Array.from({ length: height }, (_, k) => line(wrapped.map((w) => w[k] ?? '')));
  };
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.flatMap((r) => row(r))].join('\n');
}

function evidenceTable(evidence: Evidence[]): string {
  return table(
    ['metric', 'stat', 'value', 'threshold'],
    evidence.map((e) => [e.metric, e.stat, formatQuantity(e.value, e.unit), formatQuantity(e.threshold, e.unit)]),
    MAX_TABLE_WIDTH,
  );
}

export function describeAction(action: Action): string {
  switch (action.type) {
    case 'UpdateShardCount':
      return `UpdateShardCount ${action.streamName}: ${action.from} -> ${action.to} shards in ${action.steps.length} call(s) [${action.steps.join(', ')}]`;
    case 'UpdateApplicationParallelism': {
      const kpu = Math.ceil(action.to / action.parallelismPerKpu);
      const autoscaling = action.autoScalingEnabled === false ? ', built-in autoscaling off' : '';
      return `UpdateApplication ${action.applicationName}: parallelism ${action.from} -> ${action.to} (${action.parallelismPerKpu} per KPU, ${kpu} KPU${autoscaling})`;
    }
    case 'UpdateApplicationMonitoring':
      return `UpdateApplication ${action.applicationName}: log level ${action.logLevel}, metrics level ${action.metricsLevel}`;
    case 'IncreaseStreamRetention':
      return `IncreaseStreamRetentionPeriod ${action.streamName}: ${action.fromHours} h -> ${action.toHours} h`;
  }
}

function describeRefusal(refusal: Refusal): string {
  return `${describeAction(refusal.action)}\n    refused by ${refusal.guardrail}: ${refusal.reason}`;
}

/** The report as a person reads it at 3 a.m.: cause first, then evidence, then what will or would happen. */
export function renderReport(report: Report, style: Style): string {
  const { diagnosis, plan, target } = report;
  const resources = [
    target.streamName && `stream ${target.streamName}`,
    target.applicationName && `application ${target.applicationName}`,
  ]
    .filter(Boolean)
    .join(', ');
  const out: string[] = [];
  out.push(`${style.bold('Target')}     ${target.name} (${resources})`);
  out.push(
    `${style.bold('Cause')}      ${style.severity(diagnosis.severity, diagnosis.cause)}  severity ${style.severity(diagnosis.severity, diagnosis.severity)}, confidence ${Math.round(diagnosis.confidence * 100)}%`,
  );
  if (diagnosis.secondary.length > 0) out.push(`${style.bold('Also')}       ${diagnosis.secondary.join(', ')}`);
  out.push('', diagnosis.summary, '');
  if (diagnosis.evidence.length > 0) out.push(style.bold('Evidence'), evidenceTable(diagnosis.evidence), '');
  const applyNote = plan.apply
    ? style.warn('will be applied')
    : plan.mode === 'auto'
      ? 'not applied: diagnosis only'
      : `not applied: target is in ${plan.mode} mode`;
  out.push(`${style.bold('Plan')}       mode ${plan.mode}, ${plan.actions.length === 0 ? 'no action' : applyNote}`);
  for (const action of plan.actions) out.push(`  - ${describeAction(action)}`);
  if (plan.refused.length > 0) {
    out.push('', style.bold('Refused by guardrails'));
    for (const refusal of plan.refused) out.push(`  - ${describeRefusal(refusal)}`);
  }
  if (plan.recommendations.length > 0) {
    out.push('', style.bold('Recommendations'));
    for (const r of plan.recommendations) out.push(`  - ${r}`);
  }
  return `${out.join('\n')}\n`;
}
