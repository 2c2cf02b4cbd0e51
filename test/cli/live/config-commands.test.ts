import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { alarmDefinitionsFor } from '../../../lambdas/domain/alarm-definitions';
import { parseConfig } from '../../../lambdas/domain/config';
import { fleetConfig } from '../../builders/fleet-config';
import { Scratch } from '../support/cli-harness';
import { callCount, liveRun, mockedAws } from './support/live-harness';

const ROOT = resolve(__dirname, '../../..');
const scratch = new Scratch();
afterAll(() => scratch.remove());

const CONFIG = {
  region: 'eu-west-1',
  notifications: { emails: ['oncall@example.com', 'streams@example.com'] },
  targets: [
    { name: 'orders', mode: 'auto', stream: { name: 'orders-stream' }, application: { name: 'orders-enricher' } },
    { name: 'clicks', stream: { name: 'clicks-stream' }, alarms: { streamLowUtilization: { shardCount: 4 } } },
  ],
};
const configFile = scratch.file('stream-medic.config.json', CONFIG);

/** Runs an offline command; none of them may touch AWS. */
async function offline(argv: string[]) {
  const aws = mockedAws();
  const result = await liveRun(argv, aws.factory);
  expect(callCount(aws)).toBe(0);
  return result;
}

describe('stream-medic config validate', () => {
  it('prints one line saying the config is good and what it holds, then the stacks it deploys as', async () => {
    const result = await offline(['config', 'validate', configFile]);

    const alarms = alarmDefinitionsFor(parseConfig(CONFIG)).length;
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const [summary, ...rest] = result.stdout.trimEnd().split('\n');
    const stacks = rest.slice(0, -1);
    expect(summary).toBe(
      `${configFile}: OK: 2 targets (orders auto, clicks recommend), ${alarms} alarms, 2 notification emails, region eu-west-1`,
    );
    expect(stacks).toHaveLength(1);
    expect(stacks[0]).toMatch(
      /^ {2}main: 2 targets, \d+ target resources, at most \d+ of 500 resources, about \d+ KB of 1024 KB template, \d+ of 10 managed policies on the largest role$/,
    );
  });

  it("ends with the fleet's limits: the default cap on runs at once, their pacing and the changes an hour", async () => {
    const result = await offline(['config', 'validate', configFile]);

    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(
      '  fleet: at most 100 runs at once (fleet.maxConcurrentRuns), paced so that at most 8 make their reads in one ' +
        'second (DescribeStreamSummary: 80% of 20 a second); at most 20 changes an hour (fleet.maxChangesPerHour)',
    );
  });

  it('lists a nested stack per further target group of a large fleet', async () => {
    const result = await offline(['config', 'validate', scratch.file('fleet-80.json', fleetConfig(80))]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\n {2}main: \d+ targets, [^\n]+\n {2}target group 2: \d+ targets, /);
  });

  it('refuses a fleet that cannot deploy, naming the stack and the CloudFormation quota (exit 2)', async () => {
    const file = scratch.file('fleet-500.json', fleetConfig(500));

    const result = await offline(['config', 'validate', file]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      `stream-medic: ${file}: targets: 500 targets cannot deploy: the main stack would need `,
    );
    expect(result.stderr).toContain('where the CloudFormation template body size (bytes, 1 MB) quota allows 1,048,576');
    expect(result.stderr).toContain('it fits with grantByTag');
  });

  it('accepts 500 targets granted by tag, in thirteen stacks of which none needs a managed policy', async () => {
    const file = scratch.file(
      'fleet-500-by-tag.json',
      fleetConfig(500, { grantByTag: { key: 'stream-medic', value: 'payments' } }),
    );

    const result = await offline(['config', 'validate', file]);

    expect(result.code).toBe(0);
    const stacks = result.stdout.split('\n').filter((line) => /^ {2}(main|target group \d+):/.test(line));
    expect(stacks).toHaveLength(13);
    expect(stacks[0]).toMatch(/, 0 of 10 managed policies on the largest role$/);
  });

  it('refuses a grantByTag key AWS reserves, naming the field (exit 2)', async () => {
    const file = scratch.file('reserved-tag.json', fleetConfig(2, { grantByTag: { key: 'aws:owner', value: 'x' } }));

    const result = await offline(['config', 'validate', file]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`stream-medic: ${file}: grantByTag.key: must not start with "aws:"`);
  });

  it('reads stream-medic.config.json from the current directory by default', async () => {
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      const result = await offline(['config', 'validate']);

      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^stream-medic\.config\.json: OK: \d+ targets? \(/);
    } finally {
      process.chdir(cwd);
    }
  });

  it.each<[string, unknown, string]>([
    [
      'bounds the wrong way round',
      { targets: [{ name: 'a', stream: { name: 's', minShards: 8, maxShards: 4 } }] },
      'targets[0].stream.maxShards: must be >= minShards',
    ],
    [
      'an unknown field',
      { targets: [{ name: 'a', stream: { name: 's' }, mood: 'calm' }] },
      'targets[0].mood: is not a known field',
    ],
    ['no targets', { targets: [] }, 'targets: '],
    [
      'a mode that does not exist',
      { targets: [{ name: 'a', mode: 'yolo', stream: { name: 's' } }] },
      'targets[0].mode: ',
    ],
  ])('refuses %s with the path of the field (exit 2)', async (name, document, message) => {
    const file = scratch.file(`${name.replace(/\W+/g, '-')}.json`, document);

    const result = await offline(['config', 'validate', file]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^stream-medic: [^\n]+\n$/);
    expect(result.stderr).toContain(`stream-medic: ${file}: ${message}`);
  });

  it.each<[string, () => string, (file: string) => string]>([
    ['a missing file', () => join(scratch.dir, 'nope.json'), (f) => `config file: cannot read ${f}: no such file`],
    [
      'a file that is not JSON',
      () => scratch.file('not-json.json', 'targets:\n  - orders'),
      (f) => `${f}: not valid JSON`,
    ],
  ])('refuses %s (exit 2)', async (_case, file, message) => {
    const path = file();

    const result = await offline(['config', 'validate', path]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`stream-medic: ${message(path)}`);
  });

  it('needs a subcommand', async () => {
    const result = await offline(['config']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: stream-medic config [options] [command]');
  });
});

describe('stream-medic alarms', () => {
  const definitions = alarmDefinitionsFor(parseConfig(CONFIG));

  it('shows one row per alarm the stack would create, with the columns on-call reads', async () => {
    const result = await offline(['alarms', configFile]);

    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]!.split(/ {2,}/)).toStrictEqual([
      'target',
      'kind',
      'metric',
      'stat',
      'period',
      'datapoints',
      'threshold',
      'missing data',
    ]);
    expect(lines).toHaveLength(definitions.length + 2);
    definitions.forEach((d, i) => {
      const cells = lines[i + 2]!.split(/ {2,}/);
      expect(cells[0]).toBe(d.target);
      expect(cells[1]).toBe(d.kind);
      expect(cells[4]).toBe(`${d.periodSeconds} s`);
      expect(cells[5]).toBe(`${d.datapointsToAlarm} of ${d.evaluationPeriods}`);
      expect(cells[6]).toMatch(new RegExp(`^(>|>=|<) ${d.threshold} `));
      expect(cells[7]).toBe(d.treatMissingData);
    });
  });

  it('names the metric and statistic of single-metric alarms, and every input of metric-math alarms', async () => {
    const result = await offline(['alarms', configFile]);

    const row = (target: string, kind: string) =>
      result.stdout.split('\n').find((line) => line.startsWith(`${target} `) && line.split(/ {2,}/)[1] === kind)!;
    // The lag alarm is a Metrics Insights query: the MAX over every series of the application.
    expect(row('orders', 'appLag').split(/ {2,}/).slice(2, 4)).toStrictEqual([
      'millisBehindLatest (Metrics Insights, every series)',
      'MAX',
    ]);
    expect(row('orders', 'appLag').split(/ {2,}/)[6]).toBe('> 60000 ms');
    const throttling = row('clicks', 'writeThrottling').split(/ {2,}/)[2]!;
    expect(throttling).toContain('WriteProvisionedThroughputExceeded');
    expect(throttling).toContain('PutRecords.ThrottledRecords');
  });

  it('prints the definitions as JSON with --json', async () => {
    const result = await offline(['alarms', configFile, '--json']);

    expect(JSON.parse(result.stdout)).toStrictEqual(JSON.parse(JSON.stringify(definitions)));
  });

  it('refuses a bad config like config validate does (exit 2)', async () => {
    const file = scratch.file('bad-alarms.json', { targets: [{ name: 'a' }] });

    const result = await offline(['alarms', file]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`stream-medic: ${file}: targets[0].stream: a target needs a stream`);
  });

  it('shows the alarms of the example config in the repository', async () => {
    const file = join(ROOT, 'stream-medic.config.json');
    const example = alarmDefinitionsFor(parseConfig(JSON.parse(readFileSync(file, 'utf8'))));

    const result = await offline(['alarms', file]);

    expect(result.stdout.trimEnd().split('\n')).toHaveLength(example.length + 2);
  });
});
