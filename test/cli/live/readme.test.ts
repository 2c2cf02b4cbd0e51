import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { composeNotification } from '../../../lambdas/domain/notification';
import type { Assessment, RunContext } from '../../../lambdas/domain/run-state';
import { Scratch } from '../support/cli-harness';
import { anyAccount } from './support/any-account';
import { finalStateFor } from './support/execution-output';
import { liveRun } from './support/live-harness';

const ROOT = resolve(__dirname, '../../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const scratch = new Scratch();

/** The lines of the README's shell blocks, continuation lines joined and comments dropped. */
function shellLines(markdown: string): string[] {
  const lines: string[] = [];
  for (const block of markdown.matchAll(/```(?:sh|bash|shell|console)\n([\s\S]*?)```/g)) {
    const joined = block[1]!.replace(/\\\n\s*/g, ' ');
    for (const line of joined.split('\n')) {
      const command = line.replace(/\s+#\s.*$/, '').trim();
      if (command) lines.push(command);
    }
  }
  return lines;
}

/** Splits a command line as a shell would, for the quoting the README uses. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const match of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(match[1] ?? match[2] ?? match[3]!);
  return out;
}

/** Every `stream-medic ...` command the README shows, as argv after the program name. */
const COMMANDS = shellLines(README)
  .map(words)
  .map((argv) => (argv[0] === 'npx' ? argv.slice(1) : argv))
  .filter((argv) => argv[0] === 'stream-medic')
  .map((argv) => argv.slice(1));

describe('the commands in README.md', () => {
  const cwd = process.cwd();
  // Paths in the README are relative to the repository root.
  beforeAll(() => process.chdir(ROOT));
  afterAll(() => {
    process.chdir(cwd);
    scratch.remove();
  });

  it('include every command, so each one is exercised below', () => {
    const shown = new Set(COMMANDS.map((argv) => (argv[0] === 'config' ? `config ${argv[1]}` : argv[0])));

    expect([...shown].sort()).toStrictEqual([
      'alarms',
      'approve',
      'capture',
      'config validate',
      'deny',
      'diagnose',
      'discover',
      'history',
      'pause',
      'resume',
      'run',
      'simulate',
    ]);
    expect(COMMANDS.some((argv) => argv[0] === 'diagnose' && argv.includes('--stream'))).toBe(true);
    expect(COMMANDS.some((argv) => argv[0] === 'run' && argv.includes('--dry-run'))).toBe(true);
  });

  it.each(COMMANDS.map((argv) => [argv.join(' '), argv] as const))(
    'stream-medic %s runs and exits 0',
    async (_line, argv) => {
      // Files the README writes go to a scratch directory instead of the repository.
      const args = argv.map((arg, i) =>
        argv[i - 1] === '-o' || argv[i - 1] === '--output' ? join(scratch.dir, arg) : arg,
      );

      const result = await liveRun(args, anyAccount().factory);

      expect(result.stderr.split('\n').filter((line) => line.startsWith('stream-medic:'))).toStrictEqual([]);
      expect(result.code).toBe(0);
      const output = args.find((_arg, i) => args[i - 1] === '-o');
      if (output) expect(existsSync(output)).toBe(true);
      else expect(result.stdout.length).toBeGreaterThan(0);
    },
  );

  it('shows what config validate prints for the example config', async () => {
    const result = await liveRun(['config', 'validate'], anyAccount().factory);

    expect(README.replace(/\s+/g, ' ')).toContain(result.stdout.trim().replace(/\s+/g, ' '));
  });
});

describe('the notification described in README.md', () => {
  const dryRun = finalStateFor({ target: 'orders', dryRun: true }) as { run: RunContext; assessment: Assessment };
  const applied = finalStateFor({ target: 'orders', dryRun: false }, { applied: true }) as typeof dryRun;
  const report = dryRun.assessment.report;
  const refused = {
    ...dryRun,
    assessment: {
      ...dryRun.assessment,
      report: {
        ...report,
        plan: {
          ...report.plan,
          refused: [{ action: report.plan.actions[0]!, guardrail: 'cooldown' as const, reason: 'too soon' }],
        },
      },
    },
  };
  const bounded = {
    ...refused,
    assessment: {
      ...refused.assessment,
      disposition: 'all-refused' as const,
      report: {
        ...refused.assessment.report,
        plan: {
          ...refused.assessment.report.plan,
          actions: [],
          refused: [{ action: report.plan.actions[0]!, guardrail: 'bounds' as const, reason: 'maxShards is 4' }],
        },
      },
    },
  };
  const messages = [dryRun, applied, refused, bounded].map((facts) =>
    composeNotification({ ...facts, region: 'eu-west-1' }),
  );
  /** The section titles the notifier writes: upper-case lines after a blank line. */
  const written = new Set(
    messages.flatMap((m) => [...m.body.matchAll(/\n\n([A-Z][A-Z ():,."_-]+)\n/g)].map((x) => x[1]!)),
  );
  const section = README.slice(README.indexOf('## Reading a notification')).split(/\n## /)[0]!;
  const documented = [...section.matchAll(/^\| `([A-Z][A-Z ().]+)`\s+\|/gm)].map((m) => m[1]!.replace(' (...)', ''));

  it("shows subjects in the notifier's format", () => {
    const format =
      /^(ACTION REQUIRED(, [^|]+)?|[A-Z][a-z][^|]*) \| StreamMedic \S+: [A-Z_]+ \((critical|warning|info)\)( - .+)?$/;
    const samples = /```text\n([^`]+)```/.exec(README.slice(README.indexOf('## Reading a notification')))?.[1];
    const lines = samples?.trim().split('\n') ?? [];

    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(format);
    for (const message of messages) expect(message.subject).toMatch(format);
  });

  it('shows a paging filter policy on an attribute the messages carry', () => {
    const section = README.slice(README.indexOf('## Reading a notification'));
    const policy = JSON.parse(/```json\n([^`]+)```/.exec(section)![1]!) as Record<string, string[]>;

    for (const [attribute, values] of Object.entries(policy)) {
      for (const message of messages) expect(message.attributes).toHaveProperty(attribute);
      expect(values.length).toBeGreaterThan(0);
    }
  });

  it('documents every section the notifier writes, and no other', () => {
    expect(written.size).toBeGreaterThanOrEqual(7);
    for (const title of written) expect(documented.some((d) => title.startsWith(d))).toBe(true);
    for (const title of documented) expect([...written].some((w) => w.startsWith(title))).toBe(true);
  });

  it('documents the attributes a subscription filter can match', () => {
    for (const attribute of Object.keys(messages[0]!.attributes)) expect(README).toContain(`\`${attribute}\``);
    for (const message of messages) expect(README).toContain(`\`${message.attributes['outcome']}\``);
  });
});
