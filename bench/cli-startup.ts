/**
 * `npm run bench:cli`: the CPU time (user + system) of the compiled CLI, `node dist/bin/cli.js`, for
 * `--version`, `--help` and one offline command, each run as a fresh process several times; the
 * median and the range. Build first (`npm run build`); the goal is under 0.2 s for --version and --help.
 *
 *   npm run bench:cli -- [--runs 9]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, parseRuns } from './sample-stats';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist', 'bin', 'cli.js');
const GOAL_MS = 200;

/** What is measured; only the first two are held to the goal. */
const CASES: ReadonlyArray<{ readonly args: readonly string[]; readonly goal: boolean }> = [
  { args: ['--version'], goal: true },
  { args: ['--help'], goal: true },
  {
    args: ['diagnose', '--input', join(ROOT, 'examples', 'incidents', 'consumer-compute.json'), '--json'],
    goal: false,
  },
];

/**
 * Node gives a parent no resource usage of its child, so the child reports its own: a module loaded
 * with --require before the CLI writes process.cpuUsage() at exit (which counts from process start,
 * Node's own start-up included) to file descriptor 3.
 */
const PROBE = `
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  require('node:fs').writeSync(3, String((user + system) / 1000));
});
`;

function cpuMs(probe: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', probe, CLI, ...args], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1' },
    });
    let reported = '';
    let stderr = '';
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => (reported += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`stream-medic ${args.join(' ')} exited ${code}: ${stderr.trim()}`));
      else resolve(Number(reported));
    });
  });
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const runs = parseRuns(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'stream-medic-bench-cli-'));
  const probe = join(dir, 'cpu-probe.js');
  writeFileSync(probe, PROBE);
  try {
    process.stdout.write(
      `node ${process.version}, ${runs} runs each, CPU time (user + system) of node dist/bin/cli.js\n`,
    );
    for (const { args, goal } of CASES) {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push(await cpuMs(probe, args));
      // At least one run each (parseRuns), so there is a middle.
      const mid = median(times)!;
      const verdict = goal ? (mid < GOAL_MS ? `ok (goal < ${GOAL_MS} ms)` : `OVER (goal < ${GOAL_MS} ms)`) : '';
      const label = args.map((arg) => (arg.includes('/') ? arg.slice(arg.lastIndexOf('/') + 1) : arg)).join(' ');
      process.stdout.write(
        `${label.padEnd(48)} median ${mid.toFixed(0).padStart(4)} ms  range ${Math.min(...times).toFixed(0)}-${Math.max(...times).toFixed(0)} ms  ${verdict}\n`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
