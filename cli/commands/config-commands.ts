import { Argument, Command } from 'commander';
import {
  alarmDefinitionsFor,
  type AlarmDefinition,
  type ComparisonOperator,
} from '../../lambdas/domain/alarm-definitions';
import { parseConfig, type StreamMedicConfig } from '../../lambdas/domain/config';
import { METRICS } from '../../lambdas/domain/metric-catalog';
import { parseInsightsQuery } from '../../lambdas/domain/metrics-insights';
import { parseFile, type CliIo } from '../io';
import { table } from '../render';
import { COMMAND_SUMMARIES } from './catalog';
import { helpEpilogue } from './help';

/** The config `npx cdk synth` and `npx cdk deploy` use unless told otherwise. */
export const DEFAULT_CONFIG_FILE = 'stream-medic.config.json';

function configArgument(): Argument {
  return new Argument('[file]', 'StreamMedic config (JSON)').default(DEFAULT_CONFIG_FILE);
}

function readConfig(file: string): StreamMedicConfig {
  return parseFile(file, 'config file', parseConfig);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** One line that says the config is good and what it describes. */
export function configSummary(file: string, config: StreamMedicConfig, alarms: readonly AlarmDefinition[]): string {
  const targets = config.targets.map((t) => `${t.name} ${t.mode}`).join(', ');
  const emails = config.notifications.emails.length;
  const region = config.region ? `region ${config.region}` : 'region from the deploy environment';
  return (
    `${file}: OK: ${plural(config.targets.length, 'target')} (${targets}), ${plural(alarms.length, 'alarm')}, ` +
    `${plural(emails, 'notification email')}, ${region}`
  );
}

function validateCommand(io: CliIo): Command {
  return new Command('validate')
    .description('Check a StreamMedic config against the schema the stack and the Lambdas use.')
    .addArgument(configArgument())
    .addHelpText(
      'after',
      helpEpilogue(
        ['stream-medic config validate', 'stream-medic config validate stream-medic.config.json'],
        ['A bad config is reported with the path of the first bad field, e.g. targets[1].stream.maxShards.'],
      ),
    )
    .action((file: string) => {
      const config = readConfig(file);
      io.stdout(`${configSummary(file, config, alarmDefinitionsFor(config))}\n`);
    });
}

export function configCommand(io: CliIo): Command {
  return new Command('config')
    .description(COMMAND_SUMMARIES.config)
    .addCommand(validateCommand(io))
    .addHelpText('after', helpEpilogue(['stream-medic config validate stream-medic.config.json']));
}

const COMPARISON_SIGNS: Readonly<Record<ComparisonOperator, string>> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '>=',
  LessThanThreshold: '<',
};

const UNIT_WORDS: Readonly<Record<string, string>> = { Milliseconds: 'ms', Percent: '%', Count: 'records' };

/** The metric an alarm watches: its name, or for metric math the label and the metrics it reads. */
function metricOf(definition: AlarmDefinition): { metric: string; stat: string } {
  const value = definition.value;
  if (value.type === 'metric') return { metric: value.metric.metricName, stat: value.metric.statistic };
  if (value.type === 'insights') {
    return {
      metric: `${METRICS[value.key].metricName} (Metrics Insights, every series)`,
      stat: parseInsightsQuery(value.query).fn,
    };
  }
  const stats = [...new Set(value.inputs.map((input) => input.statistic))];
  return {
    metric: `${value.label} (${value.inputs.map((input) => input.metricName).join(', ')})`,
    stat: stats.join(', '),
  };
}

export function alarmsTable(definitions: readonly AlarmDefinition[]): string {
  return table(
    ['target', 'kind', 'metric', 'stat', 'period', 'datapoints', 'threshold', 'missing data'],
    definitions.map((d) => {
      const { metric, stat } = metricOf(d);
      return [
        d.target,
        d.kind,
        metric,
        stat,
        `${d.periodSeconds} s`,
        `${d.datapointsToAlarm} of ${d.evaluationPeriods}`,
        `${COMPARISON_SIGNS[d.comparisonOperator]} ${d.threshold} ${UNIT_WORDS[d.unit] ?? d.unit}`,
        d.treatMissingData,
      ];
    }),
  );
}

export function alarmsCommand(io: CliIo): Command {
  return new Command('alarms')
    .description(COMMAND_SUMMARIES.alarms)
    .addArgument(configArgument())
    .option('--json', 'print the alarm definitions as JSON')
    .addHelpText(
      'after',
      helpEpilogue(
        ['stream-medic alarms', 'stream-medic alarms stream-medic.config.json --json'],
        [
          '"datapoints" is "M of N": the alarm fires when M of the last N periods breach the threshold.',
          'Every alarm starts the workflow for its target when it goes into ALARM.',
        ],
      ),
    )
    .action((file: string, options: { readonly json?: boolean }) => {
      const definitions = alarmDefinitionsFor(readConfig(file));
      if (options.json) {
        io.stdout(`${JSON.stringify(definitions, null, 2)}\n`);
        return;
      }
      io.stdout(
        definitions.length === 0
          ? `${file}: no alarms (every alarm kind is disabled)\n`
          : `${alarmsTable(definitions)}\n`,
      );
    });
}
