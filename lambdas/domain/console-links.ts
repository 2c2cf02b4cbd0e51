/**
 * Links into the AWS console, the ones a notification carries. Pages that take a time range get the
 * incident's window, so the link opens on the minutes that matter rather than the last three hours.
 */
import { applicationLagQuery } from './metric-catalog';

/** A closed time range, ISO-8601 UTC. */
export interface TimeWindow {
  readonly start: string;
  readonly end: string;
}

/** The AWS console's address for a region, including the China and GovCloud partitions. */
export function consoleBaseUrl(region: string): string {
  if (region.startsWith('cn-')) return `https://${region}.console.amazonaws.cn`;
  if (region.startsWith('us-gov-')) return `https://${region}.console.amazonaws-us-gov.com`;
  return `https://${region}.console.aws.amazon.com`;
}

export function streamConsoleUrl(region: string, streamName: string): string {
  return `${consoleBaseUrl(region)}/kinesis/home?region=${region}#/streams/details/${encodeURIComponent(streamName)}/monitoring`;
}

export function applicationConsoleUrl(region: string, applicationName: string): string {
  return `${consoleBaseUrl(region)}/flink/home?region=${region}#/applications/${encodeURIComponent(applicationName)}`;
}

/** The execution's page, in the region the ARN names; undefined for an id that is not an execution ARN. */
export function executionConsoleUrl(executionArn: string): string | undefined {
  const region = /^arn:aws[a-z-]*:states:([a-z0-9-]+):\d{12}:execution:/.exec(executionArn)?.[1];
  if (!region) return undefined;
  return `${consoleBaseUrl(region)}/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

export function alarmConsoleUrl(region: string, alarmName: string): string {
  return `${consoleBaseUrl(region)}/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

type Jsurl = string | number | boolean | readonly Jsurl[] | { readonly [key: string]: Jsurl };

/**
 * The compact notation the CloudWatch console keeps its page state in (JSURL): `~(key~'text)` for
 * objects, `~(~'a~'b)` for lists, `*XX` for characters outside `[A-Za-z0-9_.-]` and `!` for `$`.
 */
export function jsurl(value: Jsurl): string {
  const text = (s: string) =>
    s.replace(/[^\w.-]/g, (ch) => {
      if (ch === '$') return '!';
      const code = ch.charCodeAt(0);
      return code < 0x100 ? `*${code.toString(16).padStart(2, '0')}` : `**${code.toString(16).padStart(4, '0')}`;
    });
  if (typeof value === 'string') return `~'${text(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `~${String(value)}`;
  if (Array.isArray(value)) return `~(${value.map((v: Jsurl) => jsurl(v)).join('') || '~'})`;
  const entries = Object.entries(value as Record<string, Jsurl>);
  return `~(${entries.map(([key, v]) => `${text(key)}${jsurl(v)}`).join('~')})`;
}

/** The console's fragment escaping: percent-encoding with `$` in place of `%`. */
function consoleFragment(text: string): string {
  return encodeURIComponent(text).replace(/%/g, '$');
}

/** A CloudWatch Logs Insights query over one log group, opened on the window. */
export function logsInsightsUrl(region: string, logGroup: string, window: TimeWindow, query: string): string {
  const detail = jsurl({
    end: window.end,
    start: window.start,
    timeType: 'ABSOLUTE',
    tz: 'UTC',
    editorString: query,
    source: [logGroup],
  });
  return `${consoleBaseUrl(region)}/cloudwatch/home?region=${region}#logsV2:logs-insights${consoleFragment(`?queryDetail=${detail}`)}`;
}

/** A metric as the CloudWatch console graphs it: namespace, name, then dimension name/value pairs. */
export interface GraphMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat: string;
}

/** A CloudWatch metrics graph of plain metrics, one-minute periods, opened on the window. */
export function metricsGraphUrl(region: string, window: TimeWindow, metrics: readonly GraphMetric[]): string {
  return graphUrl(
    region,
    window,
    metrics.map((m) => [m.namespace, m.metricName, ...Object.entries(m.dimensions).flat(), { stat: m.stat }]),
  );
}

/** A one-minute time-series graph of these metric rows, opened on the window. */
function graphUrl(region: string, window: TimeWindow, metrics: readonly Jsurl[]): string {
  const graph = jsurl({
    view: 'timeSeries',
    stacked: false,
    region,
    start: window.start,
    end: window.end,
    period: 60,
    metrics,
  });
  return `${consoleBaseUrl(region)}/cloudwatch/home?region=${region}#metricsV2:graph=${graph}`;
}

/**
 * The consumer lag of a Flink application on a graph. `millisBehindLatest` is published per source
 * stream (`Application`, `Id`, `Flow`), so a Metrics Insights query over the application reads it.
 */
export function applicationLagGraphUrl(region: string, window: TimeWindow, applicationName: string): string {
  const query = applicationLagQuery(applicationName);
  return graphUrl(region, window, [[{ expression: query, label: 'millisBehindLatest', id: 'lag' }]]);
}
