import { Command } from 'commander';
import type { StreamMedicConfig } from '../../lambdas/domain/config';
import { assess, resolveTarget } from '../../lambdas/domain/engine';
import type { FleetBudget } from '../../lambdas/domain/fleet-budget';
import { parseSnapshot, type Snapshot } from '../../lambdas/domain/snapshot';
import { InvalidInputError } from '../../lambdas/domain/validation';
import { loadConfigFile } from '../config-file';
import { parseFile, type CliIo } from '../io';
import { renderReport, styleFor } from '../render';
import { COMMAND_SUMMARIES } from './catalog';
import {
  LIVE_SOURCE,
  deployedFleetBudget,
  deployedLedger,
  liveDiagnoseRequest,
  liveRequestForConfig,
} from './diagnose-live';
import { CREDENTIALS_NOTE, helpEpilogue } from './help';
import { addLiveOptions, captureLive, type LiveOptions } from './live-capture';
import type { CliServices } from './services';

function loadConfig(io: CliIo, path: string | undefined, now: Date): StreamMedicConfig | undefined {
  if (path === undefined) return undefined;
  const loaded = loadConfigFile(path, '--config', now);
  for (const warning of loaded.warnings) io.stderr(`stream-medic: warning: ${path}: ${warning}\n`);
  return loaded.config;
}

/**
 * What `aws cloudwatch get-metric-data` prints is the most likely wrong file to be given: its
 * metrics are one part of a snapshot. Said as what to do, not as the first field that fails.
 */
function refuseRawMetricData(value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  if ('MetricDataResults' in value && !('version' in value)) {
    throw new InvalidInputError(
      'version',
      'missing: this is the output of `aws cloudwatch get-metric-data`, not an incident snapshot. ' +
        'Write a snapshot with `stream-medic capture`, or wrap the output as docs/snapshot-recipe.md shows',
    );
  }
}

function parseSnapshotFile(value: unknown): Snapshot {
  refuseRawMetricData(value);
  return parseSnapshot(value);
}

/**
 * Names the file an error found after parsing is about: a config target's fields and `--target` belong
 * to `--config` when one is given; everything else (metrics, describe responses, the snapshot's own
 * `config`) to the snapshot.
 */
function attributed<T>(run: () => T, inputPath: string, configPath: string | undefined): T {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    const aboutConfig = error.path.startsWith('targets[') || error.path === '--target';
    const file = configPath !== undefined && aboutConfig ? configPath : inputPath;
    throw new InvalidInputError(`${file}: ${error.path}`, error.detail);
  }
}

/** Colour only for a person at a terminal who has not asked for plain text (`--no-color`, NO_COLOR). */
function wantsColour(io: CliIo, command: Command): boolean {
  const { color } = command.optsWithGlobals<{ color?: boolean }>();
  return io.isTTY && color !== false && !io.env['NO_COLOR'];
}

interface DiagnoseOptions extends LiveOptions {
  readonly input?: string;
  readonly json?: boolean;
  readonly config?: string;
  readonly target?: string;
  readonly stack?: string;
  readonly table?: string;
}

export function diagnoseCommand(io: CliIo, services: CliServices): Command {
  const command = new Command('diagnose')
    .description(COMMAND_SUMMARIES.diagnose)
    .option('-i, --input <file>', 'incident snapshot (JSON, version 1)');
  return addLiveOptions(command)
    .option('--json', 'print only the JSON report')
    .option('-c, --config <file>', 'StreamMedic config with the target bounds and mode')
    .option('-t, --target <name>', 'target in the config to diagnose as')
    .option(
      '--stack <name>',
      'with --config on a live read: the deployed stack whose ledger the guardrails read (default: StreamMedic, if it exists)',
    )
    .option('--table <name>', 'with --config on a live read: the ledger table the guardrails read')
    .addHelpText(
      'after',
      helpEpilogue(
        [
          'stream-medic diagnose --input examples/incidents/consumer-compute.json',
          'stream-medic diagnose -i incident.json --config stream-medic.config.json --target orders --json',
          'stream-medic diagnose --stream orders-stream --app orders-enricher --region eu-west-1',
          'stream-medic diagnose --stream orders-stream --config stream-medic.config.json',
        ],
        [
          'Give --input, or --stream and/or --app to read the live account (read-only, as `capture` does).',
          "With --config, the target's stream and application are both read, and so is the deployed stack's",
          "ledger and the fleet's changes of the last hour (dynamodb:Query), so the cooldowns, the daily budget",
          'and the fleet budget are those the workflow applies.',
          'A snapshot is written by `capture`, or built with the AWS CLI as docs/snapshot-recipe.md shows.',
          CREDENTIALS_NOTE,
        ],
      ),
    )
    .action(async (options: DiagnoseOptions, command: Command) => {
      const live = liveDiagnoseRequest(options, command);
      for (const flag of ['stack', 'table'] as const) {
        if (options[flag] !== undefined && (live === undefined || options.config === undefined)) {
          command.error(`--${flag} applies to a live read with --config`);
        }
      }
      if (options.stack !== undefined && options.table !== undefined) {
        command.error('--stack and --table both name the ledger table: give one');
      }
      let snapshot: Snapshot;
      let config: StreamMedicConfig | undefined;
      let fleet: FleetBudget | undefined;
      const source = options.input ?? LIVE_SOURCE;
      if (live === undefined) {
        snapshot = parseFile(source, '--input', parseSnapshotFile);
        config = loadConfig(io, options.config, services.clock.now());
      } else {
        config = loadConfig(io, options.config, services.clock.now());
        const forConfig = config;
        const request = forConfig
          ? attributed(
              () => liveRequestForConfig(live, forConfig, options.target, services.clock.now()),
              source,
              options.config,
            )
          : live;
        const note = (line: string) => io.stderr(`stream-medic: note: ${line}\n`);
        const deployed = forConfig ? await deployedLedger(services, options, request.region, note) : undefined;
        snapshot = await captureLive(services, request, deployed?.ledger);
        if (deployed && forConfig) fleet = await deployedFleetBudget(deployed, forConfig, services.clock, note);
      }
      const { target, policy } = attributed(
        () => resolveTarget(snapshot, config, options.target),
        source,
        options.config,
      );
      // diagnose never changes anything: it always plans as a dry run.
      const report = attributed(
        () => assess(snapshot, { target, policy, dryRun: true, ...(fleet ? { fleet } : {}) }),
        source,
        options.config,
      );
      io.stdout(
        options.json
          ? `${JSON.stringify(report, null, 2)}\n`
          : renderReport(report, styleFor(wantsColour(io, command))),
      );
    });
}
