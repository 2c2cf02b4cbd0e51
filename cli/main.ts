import { Command, CommanderError, Option } from 'commander';
import { version } from '../package.json';
import { parseConfig, type StreamMedicConfig } from '../lambdas/domain/config';
import { assess, resolveTarget } from '../lambdas/domain/engine';
import { parseSnapshot, type Snapshot } from '../lambdas/domain/snapshot';
import { InvalidInputError } from '../lambdas/domain/validation';
import { CommandFailure } from './commands/aws-failure';
import { captureCommand } from './commands/capture';
import { alarmsCommand, configCommand } from './commands/config-commands';
import { LIVE_SOURCE, liveDiagnoseRequest, liveRequestForConfig } from './commands/diagnose-live';
import { CREDENTIALS_NOTE, EXIT_CODES_HELP, helpEpilogue } from './commands/help';
import { addLiveOptions, captureLive, type LiveOptions } from './commands/live-capture';
import { runCommand } from './commands/run';
import { defaultServices, type CliServices } from './commands/services';
import { simulateCommand } from './commands/simulate';
import { parseFile, type CliIo } from './io';
import { renderReport, styleFor } from './render';

/** Exit statuses, as documented in the README. */
export const EXIT = { ok: 0, failure: 1, badInput: 2 } as const;

class CliExit extends Error {
  override readonly name = 'CliExit';
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export function loadConfig(path: string | undefined): StreamMedicConfig | undefined {
  return path === undefined ? undefined : parseFile(path, '--config', parseConfig);
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
}

function diagnoseCommand(io: CliIo, services: CliServices): Command {
  const command = new Command('diagnose')
    .description('Diagnose an incident snapshot, or the live account, and show the bounded plan. Changes nothing.')
    .option('-i, --input <file>', 'incident snapshot (JSON, version 1)');
  return addLiveOptions(command)
    .option('--json', 'print only the JSON report')
    .option('-c, --config <file>', 'StreamMedic config with the target bounds and mode')
    .option('-t, --target <name>', 'target in the config to diagnose as')
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
          "With --config, the target's stream and application are both read.",
          CREDENTIALS_NOTE,
        ],
      ),
    )
    .action(async (options: DiagnoseOptions, command: Command) => {
      const live = liveDiagnoseRequest(options, command);
      let snapshot: Snapshot;
      let config: StreamMedicConfig | undefined;
      const source = options.input ?? LIVE_SOURCE;
      if (live === undefined) {
        snapshot = parseFile(source, '--input', parseSnapshot);
        config = loadConfig(options.config);
      } else {
        config = loadConfig(options.config);
        const forConfig = config;
        const request = forConfig
          ? attributed(
              () => liveRequestForConfig(live, forConfig, options.target, services.clock.now()),
              source,
              options.config,
            )
          : live;
        snapshot = await captureLive(services, request);
      }
      const { target, policy } = attributed(
        () => resolveTarget(snapshot, config, options.target),
        source,
        options.config,
      );
      // diagnose never changes anything: it always plans as a dry run.
      const report = attributed(() => assess(snapshot, { target, policy, dryRun: true }), source, options.config);
      io.stdout(
        options.json
          ? `${JSON.stringify(report, null, 2)}\n`
          : renderReport(report, styleFor(wantsColour(io, command))),
      );
    });
}

/**
 * Usage errors as one line on stderr that says where help is, like every other bad-input message;
 * commander's "(Did you mean ...?)" hint is kept on that line.
 */
function outputFor(io: CliIo, commandPath: string) {
  return {
    writeOut: io.stdout,
    writeErr: io.stderr,
    outputError: (message: string, write: (text: string) => void) => {
      const oneLine = message
        .trim()
        .replace(/^error: /, '')
        .replace(/\s*\n\s*/g, ' ');
      write(`stream-medic: ${oneLine} (see '${commandPath} --help')\n`);
    },
  };
}

export function buildProgram(io: CliIo, services: CliServices = defaultServices()): Command {
  const program = new Command('stream-medic')
    .description(
      'Diagnose and remediate lag and throttling in Kinesis Data Streams and Managed Service for Apache Flink.',
    )
    .version(version, '-V, --version', 'print the version and exit')
    .addOption(new Option('--no-color', 'plain output even on a terminal'))
    .addHelpText('after', `\n${EXIT_CODES_HELP}\n`)
    .exitOverride()
    .configureOutput(outputFor(io, 'stream-medic'));
  program.addCommand(diagnoseCommand(io, services));
  program.addCommand(captureCommand(io, services));
  program.addCommand(runCommand(io, services));
  program.addCommand(configCommand(io));
  program.addCommand(alarmsCommand(io));
  program.addCommand(simulateCommand(io));
  // Subcommands added with addCommand inherit nothing; `config validate` is two levels down.
  const configure = (command: Command, path: string): void => {
    command.exitOverride().configureOutput(outputFor(io, path));
    for (const sub of command.commands) configure(sub, `${path} ${sub.name()}`);
  };
  for (const command of program.commands) configure(command, `stream-medic ${command.name()}`);
  return program;
}

/** Runs the CLI and returns its exit status; never calls process.exit itself. */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  services: CliServices = defaultServices(),
): Promise<number> {
  const program = buildProgram(io, services);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CliExit) return error.code;
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) {
        return EXIT.ok;
      }
      return EXIT.badInput;
    }
    if (error instanceof InvalidInputError) {
      io.stderr(`stream-medic: ${error.message}\n`);
      return EXIT.badInput;
    }
    if (error instanceof CommandFailure) {
      io.stderr(`stream-medic: ${error.message}\n`);
      return EXIT.failure;
    }
    io.stderr(`stream-medic: ${(error as Error).name}: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
}
