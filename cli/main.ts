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
    .action((options: DiagnoseOptions) => {
      const snapshot = parseFile(options.input, '--input', parseSnapshot);
      const config = loadConfig(options.config);
      const { target, policy } = resolveTarget(snapshot, config, options.target);
      // diagnose never changes anything: it always plans as a dry run.
      const report = assess(snapshot, { target, policy, dryRun: true });
      io.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report, styleFor(io.isTTY)));
    });
}

export function buildProgram(io: CliIo): Command {
  const program = new Command('stream-medic')
    .description('Diagnose and remediate lag and throttling in Kinesis Data Streams and Managed Service for Apache Flink.')
    .addOption(new Option('--no-color', 'plain output even on a terminal'))
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  program.addCommand(diagnoseCommand(io));
  for (const command of program.commands) {
    command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).showHelpAfterError();
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
