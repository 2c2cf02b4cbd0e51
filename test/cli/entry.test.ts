import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Report } from '../../lambdas/domain/model';
import { buildSnapshotInput } from '../builders/snapshot-builder';
import { LAGGING_APP, Scratch, hasAnsi, withValue, type CliRun } from './support/cli-harness';

/**
 * The real entry point from source, as a checkout runs it: node on bin/stream-medic.js, from another
 * directory, with stdout and stderr as pipes. (The installed, compiled one is run by
 * scripts/pack-smoke.sh.)
 */
const ROOT = resolve(__dirname, '../..');
const ENTRY = join(ROOT, 'bin', 'stream-medic.js');

const scratch = new Scratch();
afterAll(() => scratch.remove());

function exec(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((done) => {
    execFile(file, [...args], { cwd, env, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** node bin/stream-medic.js from a scratch directory; FORCE_COLOR or NO_COLOR in the caller's shell must not leak in. */
function node(args: readonly string[]): Promise<CliRun> {
  return exec(process.execPath, [ENTRY, ...args], scratch.dir, { PATH: process.env['PATH'] ?? '' });
}

const incidentInput = buildSnapshotInput(LAGGING_APP);
const incident = scratch.file('incident.json', incidentInput);
const badValues = scratch.file(
  'bad-values.json',
  withValue(incidentInput, ['getMetricData', 'MetricDataResults', 1, 'Values', 0], 'NaN'),
);

// Each run starts node and tsx (about a second): start them together, then assert on each.
let runs: Record<'json' | 'human' | 'badInput' | 'help' | 'version' | 'noCredentials', Promise<CliRun>>;
beforeAll(() => {
  runs = {
    json: node(['diagnose', '--input', incident, '--json']),
    human: node(['diagnose', '--input', incident]),
    badInput: node(['diagnose', '--input', badValues]),
    help: node(['diagnose', '--help']),
    version: node(['--version']),
    // A live command with no credentials anywhere: the SDK is loaded (and on Node.js 20 warns) and fails.
    noCredentials: exec(
      process.execPath,
      [ENTRY, 'diagnose', '--stream', 'orders-stream', '--region', 'eu-west-1'],
      scratch.dir,
      {
        PATH: process.env['PATH'] ?? '',
        HOME: scratch.dir,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: join(scratch.dir, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(scratch.dir, 'no-credentials'),
      },
    ),
  };
});

describe('bin/stream-medic.js', () => {
  it('runs the source of the package bin, which is the compiled bin/cli.ts', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };

    expect(pkg.bin['stream-medic']).toBe('dist/bin/cli.js');
    // tsc keeps the first line, so the compiled file runs as a command too.
    expect(readFileSync(join(ROOT, 'bin', 'cli.ts'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(readFileSync(ENTRY, 'utf8')).toContain("require('./cli.ts')");
  });

  it("prints the package's version for --version and exits 0", async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

    expect(await runs.version).toStrictEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('puts its own one-line error first, and any warning of the process after it', async () => {
    const { code, stdout, stderr } = await runs.noCredentials;
    const lines = stderr.trimEnd().split('\n');

    expect({ code, stdout }).toStrictEqual({ code: 1, stdout: '' });
    expect(lines[0]).toMatch(/^stream-medic: .*credentials/i);
    expect(lines.slice(1).every((line) => !line.startsWith('stream-medic:'))).toBe(true);
  });

  it('prints one JSON report and exits 0', async () => {
    const { code, stdout, stderr } = await runs.json;

    expect({ code, stderr }).toStrictEqual({ code: 0, stderr: '' });
    const report = JSON.parse(stdout) as Report;
    expect(report.diagnosis.cause).toBe('CONSUMER_COMPUTE');
    expect(report.plan.apply).toBe(false);
  });

  it('prints the human report without colour codes into a pipe', async () => {
    const { code, stdout, stderr } = await runs.human;

    expect({ code, stderr }).toStrictEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^Target {5}orders-stream /);
    expect(stdout).toContain('Refused by guardrails');
    expect(hasAnsi(stdout)).toBe(false);
  });

  it('exits 2 on a bad snapshot with one line on stderr naming the file and the field, and nothing on stdout', async () => {
    const { code, stdout, stderr } = await runs.badInput;

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.startsWith(`stream-medic: ${badValues}: getMetricData.MetricDataResults[1].Values[0]: `)).toBe(true);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('shows diagnose help with an example and exits 0', async () => {
    const { code, stdout, stderr } = await runs.help;

    expect({ code, stderr }).toStrictEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('Examples:\n  stream-medic diagnose --input ');
  });
});
