import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ScenarioSummary } from '../../../sim/run/summary';
import { synthesizedWorkflow } from '../../../sim/run/workflow-template';
import { SCENARIO_DIR } from '../../../sim/scenario';
import { Scratch, hasAnsi, run, withValue, type CliRun } from '../../cli/support/cli-harness';

const ROOT = resolve(__dirname, '../../..');
const scratch = new Scratch();
const spike = JSON.parse(readFileSync(join(SCENARIO_DIR, 'traffic-spike-3x.json'), 'utf8')) as Record<string, unknown>;

/** `npm start` as package.json states it, run as npm runs it: from the repository root. */
function npmStart(): Promise<CliRun & { readonly args: string[] }> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [program, entry, ...args] = pkg.scripts['start']!.split(/\s+/);
  expect([program, entry]).toEqual(['node', 'bin/stream-medic.js']);
  return new Promise((done) => {
    execFile(
      process.execPath,
      [entry!, ...args],
      { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr, args });
      },
    );
  });
}

let started: ReturnType<typeof npmStart>;
beforeAll(() => {
  // The child process starts node and tsx and synthesizes the stack: start it while the rest runs.
  started = npmStart();
  synthesizedWorkflow();
});
afterAll(() => scratch.remove());

describe('stream-medic simulate --json', () => {
  it('prints one summary per scenario and exits 0 when the expectation is met', async () => {
    const result = await run(['simulate', '--scenario', 'traffic-spike-3x', '--json']);

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const [summary, ...rest] = JSON.parse(result.stdout) as ScenarioSummary[];
    expect(rest).toEqual([]);
    expect(summary).toMatchObject({
      name: 'traffic-spike-3x',
      cause: 'CONSUMER_COMPUTE',
      actionsRefused: [],
      recovered: true,
      recordsLost: 0,
      expectationMet: true,
      misses: [],
    });
    // The scale-up, then the scale-back once the flash sale's traffic has passed.
    expect(summary!.actionsTaken.map((a) => [a.type, a.resource])).toEqual([
      ['UpdateApplicationParallelism', 'application/orders-enricher'],
      ['UpdateApplicationParallelism', 'application/orders-enricher'],
    ]);
    expect(summary!.minutesToRecover).toBeGreaterThan(0);
    expect(summary!.peakLagSeconds).toBeGreaterThan(60);
  });

  it('names what a guardrail refused', async () => {
    const result = await run(['simulate', '--scenario', 'snapshots-disabled', '--json']);
    const [summary] = JSON.parse(result.stdout) as ScenarioSummary[];
    expect(summary!.actionsTaken).toEqual([]);
    expect(summary!.actionsRefused.map((r) => [r.type, r.guardrail])).toContainEqual([
      'UpdateApplicationParallelism',
      'snapshots-disabled',
    ]);
  });

  it('exits 1 when a scenario misses its expectation, and says which and why', async () => {
    const file = scratch.file('wrong-expectation.json', withValue(spike, ['expect', 'recovers'], false));
    const result = await run(['simulate', '--scenario', file, '--json']);

    expect(result.code).toBe(1);
    const [summary] = JSON.parse(result.stdout) as ScenarioSummary[];
    expect(summary).toMatchObject({ expectationMet: false, misses: ['expect.recovers: the pipeline recovered'] });
    expect(result.stderr).toContain('1 of 1 scenario(s) missed their expectation: traffic-spike-3x');
  });

  it.each<[string, () => string, RegExp]>([
    [
      'a field out of range',
      () => scratch.file('no-shards.json', withValue(spike, ['pipeline', 'stream', 'shards'], 0)),
      /no-shards\.json: pipeline\.stream\.shards: /,
    ],
    [
      'an unknown field',
      () => scratch.file('typo.json', withValue(spike, ['traffic', 'recordPerSecond'], 2000)),
      /typo\.json: traffic\.recordPerSecond: is not a known field/,
    ],
    ['a file that is not JSON', () => scratch.file('broken.json', '{ "name": '), /broken\.json: not valid JSON/],
    ['neither a built-in nor a file', () => 'no-such-scenario', /--scenario: "no-such-scenario" is neither/],
  ])('exits 2 for %s, naming it, and prints nothing on stdout', async (_case, scenario, message) => {
    const result = await run(['simulate', '--scenario', scenario(), '--json']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it('exits 2 for a seed that is not an integer', async () => {
    const result = await run(['simulate', '--scenario', 'traffic-spike-3x', '--seed', 'seven']);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain('--seed: must be an integer, got "seven"');
  });
});

describe('stream-medic simulate, watched', () => {
  it('prints a plain line per event, then the summary and the message, with no progress bar off a terminal', async () => {
    const result = await run(['simulate', '--scenario', 'traffic-spike-3x']);

    expect(result.code).toBe(0);
    expect(hasAnsi(result.stdout) || result.stdout.includes('\r')).toBe(false);
    const tags = result.stdout.split('\n').map((line) => /^\d\d:\d\d:\d\d {2}(\S+)/.exec(line)?.[1]);
    for (const tag of ['ALARM', 'RUN', 'DIAGNOSIS', 'ACTION', 'BUSY', 'VERIFIED', 'NOTIFIED', 'RECOVERED']) {
      expect(tags).toContain(tag);
    }
    expect(result.stdout).toMatch(/^ {2}Cause +CONSUMER_COMPUTE$/m);
    expect(result.stdout).toMatch(/^ {2}Records lost +0 \(reached the stream, never processed\)$/m);
    // At APPLICATION metrics level (AWS's default) the verification sees CPU still high while the
    // backlog drains, with no busy time to tell catch-up from shortage: improving, not yet resolved.
    expect(result.stdout).toContain('Subject: Improving | StreamMedic orders: CONSUMER_COMPUTE');
  });

  it('draws a progress bar over simulated time on a terminal, ending at 100%', async () => {
    const result = await run(['simulate', '--scenario', 'manual-healthy-check'], { isTTY: true });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('\r');
    expect(result.stdout).toMatch(/\[#{30}\] 100%/);
  });

  it('writes an HTML report per scenario with --report', async () => {
    const dir = join(scratch.dir, 'reports');
    const result = await run(['simulate', '--scenario', 'slow-sink', '--json', '--report', dir]);
    expect(result.code).toBe(0);
    const page = readFileSync(join(dir, 'slow-sink.html'), 'utf8');
    expect(page).toContain('<h1>slow-sink</h1>');
    expect(page).toContain('SINK_BACKPRESSURE');
  });
});

describe('npm start', () => {
  it('plays one incident end to end in seconds: live lines, the summary with no records lost, the SNS message', async () => {
    const result = await started;

    expect(result.code).toBe(0);
    expect(result.stderr.split('\n').filter((line) => line.startsWith('stream-medic:'))).toEqual([]);
    expect(result.stdout).toMatch(/^\d\d:\d\d:\d\d {2}ALARM /m);
    expect(result.stdout).toMatch(/^\d\d:\d\d:\d\d {2}ACTION /m);
    expect(result.stdout).toMatch(/^ {2}Cause +\w+/m);
    expect(result.stdout).toMatch(/^ {2}Time to recover +\d+ min from the incident's start at \d\d:\d\d UTC$/m);
    expect(result.stdout).toMatch(/^ {2}Peak lag +\d+ (s|min)$/m);
    expect(result.stdout).toMatch(/^ {2}Producer drops +[\d,]+ \(given up by producers after throttling\)$/m);
    expect(result.stdout).toMatch(/^ {2}Records lost +0 \(reached the stream, never processed\)$/m);
    expect(result.stdout).toMatch(/^What on-call received \(SNS, [^)]+\):\nSubject: Improving \| StreamMedic /m);
    const reportDir = result.args[result.args.indexOf('--report') + 1];
    if (reportDir) expect(existsSync(join(ROOT, reportDir))).toBe(true);
  });
});
