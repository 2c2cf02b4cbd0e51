import { Argument, Command } from 'commander';
import {
  alarmDefinitionsFor,
  type AlarmDefinition,
  type ComparisonOperator,
} from '../../lambdas/domain/alarm-definitions';
import { PACING_HEADROOM, pacingBudget } from '../../lambdas/domain/api-pacing';
import { DOCUMENTED_API_LIMITS } from '../../lambdas/domain/api-rate-limits';
import type { StreamMedicConfig } from '../../lambdas/domain/config';
import { IAM_ROLE_LIMITS, limitBreaches, predictStacks, type StackPrediction } from '../../lambdas/domain/fleet-layout';
import { InvalidInputError } from '../../lambdas/domain/validation';
import { METRICS } from '../../lambdas/domain/metric-catalog';
import { parseInsightsQuery } from '../../lambdas/domain/metrics-insights';
import type { SelectorCount } from '../../lambdas/domain/selectors';
import { loadConfigFile, type LoadedConfig } from '../config-file';
import { parseFile, type CliIo } from '../io';
import { table } from '../render';
import { COMMAND_SUMMARIES } from './catalog';
import { helpEpilogue } from './help';

/** The config `npx cdk synth` and `npx cdk deploy` use unless told otherwise. */
export const DEFAULT_CONFIG_FILE = 'stream-medic.config.json';

function configArgument(): Argument {
  return new Argument('[file]', 'StreamMedic config (JSON)').default(DEFAULT_CONFIG_FILE);
}

/** Reads a config, its selectors resolved; their warnings go to stderr. */
function readConfig(io: CliIo, file: string): LoadedConfig {
  const loaded = loadConfigFile(file, 'config file', new Date());
  for (const warning of loaded.warnings) io.stderr(`stream-medic: warning: ${file}: ${warning}\n`);
  return loaded;
}

/** One line per selector: how many streams it matched and how many targets it added. */
export function selectionLines(selections: readonly SelectorCount[]): string {
  return selections
    .map(
      (s) =>
        `  selectors.${s.selector} (${s.description}): ${plural(s.matched, 'stream')} matched, ` +
        `${plural(s.added, 'target')} added (${s.paired} with an application)`,
    )
    .join('\n');
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

/** The fleet-wide limits the config sets: runs at once and how their reads are paced, changes an hour. */
export function fleetLine(config: StreamMedicConfig): string {
  const { runsPerSecond, api } = pacingBudget();
  const limit = DOCUMENTED_API_LIMITS[api].limit!;
  return (
    `  fleet: at most ${plural(config.fleet.maxConcurrentRuns, 'run')} at once (fleet.maxConcurrentRuns), ` +
    `paced so that at most ${runsPerSecond} make their reads in one second (${api}: ${PACING_HEADROOM * 100}% of ` +
    `${limit.max} a second); at most ${plural(config.fleet.maxChangesPerHour, 'change')} an hour (fleet.maxChangesPerHour)`
  );
}

/** One line per stack of the deployment: what it holds and how close it comes to CloudFormation's quotas. */
export function stackLines(stacks: readonly StackPrediction[]): string {
  return stacks
    .map(
      (s) =>
        `  ${s.stack}: ${plural(s.targets, 'target')}, ${s.targetResources} target resources, ` +
        `at most ${s.resources} of 500 resources, about ${Math.ceil(s.templateBytes / 1024)} KB of 1024 KB template` +
        (s.roleManagedPolicies !== undefined
          ? `, ${s.roleManagedPolicies} of ${IAM_ROLE_LIMITS.managedPoliciesPerRole} managed policies on the largest role`
          : ''),
    )
    .join('\n');
}

/**
 * Refuses a config whose deployment would exceed a CloudFormation quota, naming the stack and the
 * limit, before `cdk synth` or `cdk deploy` find out the hard way.
 */
export function checkDeployable(config: StreamMedicConfig): StackPrediction[] {
  const stacks = predictStacks(config, config.region);
  const breach = limitBreaches(stacks)[0];
  if (breach !== undefined) {
    // Whether granting by tag, the opt-in for large fleets, is what would let this fleet deploy.
    const byTag = { ...config, grantByTag: { key: 'stream-medic', value: '' } };
    const fitsByTag =
      config.grantByTag === undefined && limitBreaches(predictStacks(byTag, config.region)).length === 0;
    throw new InvalidInputError(
      'targets',
      `${plural(config.targets.length, 'target')} cannot deploy: the ${breach.stack} stack would need ` +
        `${breach.predicted.toLocaleString('en-US')} where the ${breach.limit} quota allows ` +
        `${breach.allowed.toLocaleString('en-US')}` +
        `${fitsByTag ? '; it fits with grantByTag, which grants on tagged streams and applications instead of each ARN' : ''} (docs/fleet.md)`,
    );
  }
  return stacks;
}

function validateCommand(io: CliIo): Command {
  return new Command('validate')
    .description('Check a StreamMedic config against the schema the stack and the Lambdas use.')
    .addArgument(configArgument())
    .addHelpText(
      'after',
      helpEpilogue(
        ['stream-medic config validate', 'stream-medic config validate stream-medic.config.json'],
        [
          'A bad config is reported with the path of the first bad field, e.g. targets[1].stream.maxShards.',
          'Each stack of the deployment is listed with its predicted resources and template size; a config',
          'that would exceed a CloudFormation quota is refused, naming the stack and the quota. The last',
          "line gives the fleet's limits: runs at once, how their reads are paced, and changes an hour.",
        ],
      ),
    )
    .action((file: string) => {
      const { config, selections } = readConfig(io, file);
      const stacks = parseFile(file, 'config file', () => checkDeployable(config));
      const selected = selections.length > 0 ? `${selectionLines(selections)}\n` : '';
      io.stdout(
        `${configSummary(file, config, alarmDefinitionsFor(config))}\n${selected}${stackLines(stacks)}\n${fleetLine(config)}\n`,
      );
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
      const definitions = alarmDefinitionsFor(readConfig(io, file).config);
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
