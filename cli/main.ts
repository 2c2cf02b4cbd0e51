import { Command, CommanderError, Option } from 'commander';
import { parseConfig, type StreamMedicConfig } from '../lambdas/domain/config';
import { assess, resolveTarget } from '../lambdas/domain/engine';
import { parseSnapshot } from '../lambdas/domain/snapshot';
import { InvalidInputError } from '../lambdas/domain/validation';
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

interface DiagnoseOptions {
  readonly input: string;
  readonly json?: boolean;
  readonly config?: string;
  readonly target?: string;
}

function diagnoseCommand(io: CliIo): Command {
  return new Command('diagnose')
    .description('Diagnose an incident snapshot and show the bounded plan. Changes nothing.')
    .requiredOption('-i, --input <file>', 'incident snapshot (JSON, version 1)')
    .option('--json', 'print only the JSON report')
    .option('-c, --config <file>', 'StreamMedic config with the target bounds and mode')
    .option('-t, --target <name>', 'target in the config to diagnose as')
    .addHelpText(
      'after',
      '\nExamples:\n  stream-medic diagnose --input examples/incidents/consumer-compute.json\n  stream-medic diagnose -i incident.json --config stream-medic.config.json --target orders --json\n',
    )
    .action((options: DiagnoseOptions, command: Command) => {
      const snapshot = parseFile(options.input, '--input', parseSnapshot);
      const config = loadConfig(options.config);
      const { target, policy } = attributed(
        () => resolveTarget(snapshot, config, options.target),
        options.input,
        options.config,
      );
      // diagnose never changes anything: it always plans as a dry run.
      const report = attributed(
        () => assess(snapshot, { target, policy, dryRun: true }),
        options.input,
        options.config,
      );
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

export function buildProgram(io: CliIo): Command {
  const program = new Command('stream-medic')
    .description(
      'Diagnose and remediate lag and throttling in Kinesis Data Streams and Managed Service for Apache Flink.',
    )
    .addOption(new Option('--no-color', 'plain output even on a terminal'))
    .exitOverride()
    .configureOutput(outputFor(io, 'stream-medic'));
  program.addCommand(diagnoseCommand(io));
  for (const command of program.commands) {
    command.exitOverride().configureOutput(outputFor(io, `stream-medic ${command.name()}`));
  }
  return program;
}

/** Runs the CLI and returns its exit status; never calls process.exit itself. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
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
    io.stderr(`stream-medic: ${(error as Error).name}: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
}
