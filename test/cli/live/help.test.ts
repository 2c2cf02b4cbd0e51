import { resolve } from 'node:path';
import { Scratch } from '../support/cli-harness';
import { anyAccount } from './support/any-account';
import { callCount, liveRun, mockedAws } from './support/live-harness';

const ROOT = resolve(__dirname, '../../..');
const COMMANDS = [
  ['diagnose'],
  ['capture'],
  ['run'],
  ['config'],
  ['config', 'validate'],
  ['alarms'],
  ['pause'],
  ['resume'],
  ['history'],
  ['approve'],
  ['deny'],
];

describe('--help on every command', () => {
  it.each(COMMANDS.map((path) => [path.join(' '), path] as const))(
    'stream-medic %s --help shows examples and the exit codes, and calls nothing',
    async (name, path) => {
      const aws = mockedAws();

      const result = await liveRun([...path, '--help'], aws.factory);

      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain(`Usage: stream-medic ${name} `);
      expect(result.stdout).toMatch(new RegExp(`\\nExamples:\\n {2}stream-medic ${name}\\b`));
      expect(result.stdout).toContain('Exit codes:\n  0  success\n  1  failure');
      expect(result.stdout).toContain('\n  2  bad input');
      expect(callCount(aws)).toBe(0);
    },
  );

  it('lists the exit codes under the program help too', async () => {
    const result = await liveRun(['--help'], mockedAws().factory);

    expect(result.stdout).toContain('Exit codes:\n  0  success');
    for (const command of [
      'diagnose',
      'capture',
      'run',
      'config',
      'alarms',
      'pause',
      'resume',
      'history',
      'approve',
      'deny',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`\\n {2}${command} `));
    }
  });
});

describe('the examples in --help', () => {
  const scratch = new Scratch();
  const cwd = process.cwd();
  beforeAll(() => process.chdir(ROOT));
  afterAll(() => {
    process.chdir(cwd);
    scratch.remove();
  });

  /** Example lines of a help text, without a trailing shell redirect. */
  function examples(help: string): string[][] {
    const block = help.split('\nExamples:\n')[1]?.split('\n\n')[0] ?? '';
    return block
      .split('\n')
      .map((line) => line.trim().replace(/\s+>\s*\S+$/, ''))
      .filter((line) => line.startsWith('stream-medic '))
      .map((line) => line.split(/\s+/).slice(1));
  }

  it.each(COMMANDS.map((p) => [p.join(' '), p] as const))(
    'stream-medic %s: every example parses (exit 0 against a mocked account, or 2 only for a missing file)',
    async (_name, path) => {
      const help = (await liveRun([...path, '--help'], mockedAws().factory)).stdout;
      const lines = examples(help);
      expect(lines.length).toBeGreaterThan(0);
      for (const argv of lines) {
        const aws = anyAccount();
        const args = argv.map((arg, i) => (argv[i - 1] === '-o' ? `${scratch.dir}/${arg}` : arg));

        const result = await liveRun(args, aws.factory);

        // `incident.json` stands for the reader's own file; everything else must simply work.
        const missingFile = /cannot read incident\.json: no such file/.test(result.stderr);
        expect({ argv: argv.join(' '), code: missingFile ? 0 : result.code }).toStrictEqual({
          argv: argv.join(' '),
          code: 0,
        });
      }
    },
  );
});
