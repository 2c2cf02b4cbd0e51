import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Report } from '../../lambdas/domain/model';
import { buildSnapshotInput } from '../builders/snapshot-builder';
import { LAGGING_APP, Scratch, hasAnsi, withValue, type CliRun } from './support/cli-harness';

/**
 * The real entry point, run as `npx stream-medic` runs it: node on bin/stream-medic.js, from another
 * directory, with stdout and stderr as pipes.
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
let runs: Record<'json' | 'human' | 'badInput' | 'help' | 'npx', Promise<CliRun>>;
beforeAll(() => {
  runs = {
    json: node(['diagnose', '--input', incident, '--json']),
    human: node(['diagnose', '--input', incident]),
    badInput: node(['diagnose', '--input', badValues]),
    help: node(['diagnose', '--help']),
    // In the package's own directory, as a developer runs it after `npm ci`.
    npx: exec('npx', ['--no-install', 'stream-medic', 'diagnose', '--input', incident, '--json'], ROOT, process.env),
  };
});

describe('bin/stream-medic.js', () => {
  it('is the package bin, runnable by node without a build', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };

    expect(pkg.bin['stream-medic']).toBe('bin/stream-medic.js');
    expect(readFileSync(ENTRY, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
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

  it('runs as `npx stream-medic`', async () => {
    const { code, stdout } = await runs.npx;

    expect(code).toBe(0);
    expect((JSON.parse(stdout) as Report).target.name).toBe('orders-stream');
  });
});
