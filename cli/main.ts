/**
 * The CLI's entry: a program that knows every command by name and summary, and loads only the one
 * that runs. `--help` and `--version` load no command at all, and `diagnose --input` no AWS SDK.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { InvalidInputError } from '../lambdas/domain/validation';
import { packageRoot } from '../lib/package-root';
import { CommandFailure } from './commands/aws-failure';
import { COMMAND_SUMMARIES, COMMAND_USAGES, type CommandName } from './commands/catalog';
import { EXIT_CODES_HELP } from './commands/help';
import type * as Approve from './commands/approve';
import type * as Capture from './commands/capture';
import type * as ConfigCommands from './commands/config-commands';
import type * as Diagnose from './commands/diagnose';
import type * as Discover from './commands/discover';
import type * as History from './commands/history';
import type * as Pause from './commands/pause';
import type * as Run from './commands/run';
import type * as Services from './commands/services';
import type * as Simulate from './commands/simulate';
import type { CliServices } from './commands/services';
import type { CliIo } from './io';

/** Exit statuses, as documented in the README. */
export const EXIT = { ok: 0, failure: 1, badInput: 2 } as const;

/** Builds one command; its module is loaded only when the command runs or shows its help. */
type CommandLoader = (io: CliIo, services: CliServices) => Command;

/*
 * `require`, not `import()`: the CLI is CommonJS when compiled, and under tsx in a checkout an
 * `import()` of an extensionless TypeScript path goes to the ES module loader, which cannot find it.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- loaded on demand, see above */
const LOADERS: Readonly<Record<CommandName, CommandLoader>> = {
  diagnose: (io, services) => (require('./commands/diagnose') as typeof Diagnose).diagnoseCommand(io, services),
  capture: (io, services) => (require('./commands/capture') as typeof Capture).captureCommand(io, services),
  run: (io, services) => (require('./commands/run') as typeof Run).runCommand(io, services),
  config: (io) => (require('./commands/config-commands') as typeof ConfigCommands).configCommand(io),
  alarms: (io) => (require('./commands/config-commands') as typeof ConfigCommands).alarmsCommand(io),
  discover: (io, services) => (require('./commands/discover') as typeof Discover).discoverCommand(io, services),
  pause: (io, services) => (require('./commands/pause') as typeof Pause).pauseCommand(io, services),
  resume: (io, services) => (require('./commands/pause') as typeof Pause).resumeCommand(io, services),
  approve: (io, services) => (require('./commands/approve') as typeof Approve).approveCommand(io, services),
  deny: (io, services) => (require('./commands/approve') as typeof Approve).denyCommand(io, services),
  history: (io, services) => (require('./commands/history') as typeof History).historyCommand(io, services),
  simulate: (io) => (require('./commands/simulate') as typeof Simulate).simulateCommand(io),
};

/**
 * The real services, built on first use: the AWS SDK is loaded only by a command that calls AWS
 * (`diagnose --input` never does).
 */
function lazyDefaultServices(): CliServices {
  let services: CliServices | undefined;
  const get = (): CliServices => {
    services ??= (require('./commands/services') as typeof Services).defaultServices();
    return services;
  };
  return {
    awsClients: (request) => get().awsClients(request),
    get clock() {
      return get().clock;
    },
    sleep: (ms) => get().sleep(ms),
  };
}
/* eslint-enable @typescript-eslint/no-require-imports */

function isCommandName(name: string | undefined): name is CommandName {
  return name !== undefined && Object.hasOwn(COMMAND_SUMMARIES, name);
}

/**
 * The command the arguments name: the first one not an option (global options take no value), or
 * the one after `help`.
 */
export function commandNamed(argv: readonly string[]): CommandName | undefined {
  const words = argv.filter((arg) => !arg.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return isCommandName(name) ? name : undefined;
}

/** The package's version, from its package.json. */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(__dirname), 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
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

/**
 * The program with every command listed; the one named in `argv` (if any) is loaded in full, the
 * others are stand-ins with their summary, enough for the top-level help and for commander's
 * "did you mean" on a misspelt command.
 */
export function buildProgram(
  io: CliIo,
  services: CliServices = lazyDefaultServices(),
  argv: readonly string[] = [],
): Command {
  const program = new Command('stream-medic')
    .description(
      'Diagnose and remediate lag and throttling in Kinesis Data Streams and Managed Service for Apache Flink.',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .addOption(new Option('--no-color', 'plain output even on a terminal'))
    .addHelpText('after', `\n${EXIT_CODES_HELP}\n`)
    // The stand-ins have no options to derive "[options]" from: each command is listed with its usage.
    .configureHelp({ subcommandTerm: (command) => `${command.name()} ${command.usage()}`.trimEnd() })
    .exitOverride()
    .configureOutput(outputFor(io, 'stream-medic'));
  const wanted = commandNamed(argv);
  for (const name of Object.keys(COMMAND_SUMMARIES) as CommandName[]) {
    program.addCommand(
      name === wanted
        ? LOADERS[name](io, services)
        : new Command(name).description(COMMAND_SUMMARIES[name]).usage(COMMAND_USAGES[name]),
    );
  }
  // Subcommands added with addCommand inherit nothing; `config validate` is two levels down.
  const configure = (command: Command, path: string): void => {
    command.exitOverride().configureOutput(outputFor(io, path));
    for (const sub of command.commands) configure(sub, `${path} ${sub.name()}`);
  };
  for (const command of program.commands) configure(command, `stream-medic ${command.name()}`);
  return program;
}

/** Runs the CLI and returns its exit status; never calls process.exit itself. */
export async function runCli(argv: readonly string[], io: CliIo, services?: CliServices): Promise<number> {
  try {
    const program = buildProgram(io, services, argv);
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
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
