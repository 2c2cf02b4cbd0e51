import type { Action, Evidence, Refusal, Report } from '../lambdas/domain/model';
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

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** A left-aligned text table; columns as wide as their widest cell. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function evidenceTable(evidence: Evidence[]): string {
  return table(
    ['metric', 'stat', 'value', 'threshold', 'unit'],
    evidence.map((e) => [e.metric, e.stat, formatNumber(e.value), formatNumber(e.threshold), e.unit]),
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
