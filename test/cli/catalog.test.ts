import { COMMAND_SUMMARIES, type CommandName } from '../../cli/commands/catalog';
import type { CliIo } from '../../cli/io';
import { buildProgram, commandNamed } from '../../cli/main';

const io: CliIo = { stdout: () => undefined, stderr: () => undefined, isTTY: false, env: {} };
const NAMES = Object.keys(COMMAND_SUMMARIES) as CommandName[];

describe('the command catalog', () => {
  it.each(NAMES)('lists %s in the top-level help as the loaded command describes itself', (name) => {
    const listed = buildProgram(io, undefined, []).commands.find((command) => command.name() === name)!;
    const loaded = buildProgram(io, undefined, [name]).commands.find((command) => command.name() === name)!;

    expect(listed.options).toHaveLength(0);
    expect(loaded.options.length + loaded.commands.length).toBeGreaterThan(0);
    expect({ usage: listed.usage(), description: listed.description() }).toStrictEqual({
      usage: loaded.usage(),
      description: loaded.description(),
    });
  });

  it.each<[string[], CommandName | undefined]>([
    [['--help'], undefined],
    [['--version'], undefined],
    [['diagnose', '--input', 'x.json'], 'diagnose'],
    [['--no-color', 'alarms', 'stream-medic.config.json'], 'alarms'],
    [['help', 'capture'], 'capture'],
    [['diagnoze'], undefined],
  ])('finds the command to load in %j', (argv, name) => {
    expect(commandNamed(argv)).toBe(name);
  });
});
