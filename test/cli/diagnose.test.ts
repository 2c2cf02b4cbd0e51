import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../lambdas/domain/config';
import { assess, resolveTarget } from '../../lambdas/domain/engine';
import type { Report } from '../../lambdas/domain/model';
import { parseSnapshot } from '../../lambdas/domain/snapshot';
import {
  ACTION_TYPES,
  GUARDRAILS,
  MODES,
  PRIMARY_CAUSES,
  SECONDARY_ONLY_FINDINGS,
  SEVERITIES,
} from '../../lambdas/domain/vocabulary';
import { describeAction } from '../../cli/render';
import { buildSnapshotInput } from '../builders/snapshot-builder';
import { LAGGING_APP, Scratch, hasAnsi, run, stripAnsi, withValue, type CliRun } from './support/cli-harness';

const scratch = new Scratch();
afterAll(() => scratch.remove());

const incidentInput = buildSnapshotInput(LAGGING_APP);
const incident = scratch.file('incident.json', incidentInput);

const CONFIG = {
  targets: [
    {
      name: 'orders',
      mode: 'recommend',
      stream: { name: 'orders-stream', maxShards: 8 },
      application: { name: 'orders-enricher', maxParallelism: 6, builtInAutoscaling: 'turn-off' },
    },
    { name: 'clicks', mode: 'auto', stream: { name: 'clicks-stream' } },
  ],
};
const config = scratch.file('stream-medic.config.json', CONFIG);

/** The report the engine gives for the incident without any config, as the CLI should print it. */
function expectedReport(): Report {
  const snapshot = parseSnapshot(incidentInput);
  const { target, policy } = resolveTarget(snapshot, undefined, undefined);
  return assess(snapshot, { target, policy, dryRun: true });
}

function expectBadInput(result: CliRun): string {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  // One message, one line, from the CLI itself.
  expect(result.stderr).toMatch(/^stream-medic: [^\n]+\n$/);
  return result.stderr.trim();
}

describe('stream-medic diagnose (human output)', () => {
  const report = expectedReport();
  let result: CliRun;
  beforeAll(async () => {
    result = await run(['diagnose', '--input', incident]);
  });

  it('exercises every section: a cause, actions, refusals and recommendations', () => {
    // If the engine stops giving this picture, the fixture must change, not the assertions below.
    expect(report.diagnosis.cause).toBe('CONSUMER_COMPUTE');
    expect(report.diagnosis.secondary).toContain('RETENTION_RISK');
    expect(report.plan.actions.length).toBeGreaterThan(0);
    expect(report.plan.refused.length).toBeGreaterThan(0);
    expect(report.plan.recommendations.length).toBeGreaterThan(0);
  });

  it('exits 0 and writes nothing to stderr', () => {
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('leads with the target, the cause and its severity, then the summary', () => {
    const lines = result.stdout.split('\n');

    expect(lines[0]).toBe('Target     orders-stream (stream orders-stream, application orders-enricher)');
    expect(lines[1]).toBe(
      `Cause      CONSUMER_COMPUTE  severity ${report.diagnosis.severity}, confidence ${Math.round(report.diagnosis.confidence * 100)}%`,
    );
    expect(lines[2]).toBe('Also       RETENTION_RISK');
    expect(lines).toContain(report.diagnosis.summary);
  });

  it('shows the evidence as a table with one row per item', () => {
    const lines = result.stdout.split('\n');
    const header = lines.indexOf('Evidence');

    expect(lines[header + 1]).toMatch(/^metric +stat +value +threshold$/);
    expect(lines[header + 2]).toMatch(/^-+( +-+){3}$/);
    report.diagnosis.evidence.forEach((evidence, i) => {
      expect(lines[header + 3 + i]?.split(/ {2,}/).slice(0, 2)).toStrictEqual([evidence.metric, evidence.stat]);
    });
  });

  it('shows the plan with its mode, every action, every refusal with its guardrail, and the recommendations', () => {
    expect(result.stdout).toContain('Plan       mode auto, not applied: diagnosis only');
    for (const action of report.plan.actions) expect(result.stdout).toContain(`  - ${describeAction(action)}\n`);
    expect(result.stdout).toContain('Refused by guardrails');
    for (const refusal of report.plan.refused) {
      expect(result.stdout).toContain(
        `  - ${describeAction(refusal.action)}\n    refused by ${refusal.guardrail}: ${refusal.reason}`,
      );
    }
    expect(result.stdout).toContain('Recommendations');
    for (const recommendation of report.plan.recommendations) expect(result.stdout).toContain(`  - ${recommendation}`);
  });

  it('has no colour codes when stdout is not a terminal', () => {
    expect(hasAnsi(result.stdout)).toBe(false);
  });

  it('colours the output on a terminal, and the text under the colour is the same', async () => {
    const coloured = await run(['diagnose', '--input', incident], { isTTY: true });

    expect(coloured.code).toBe(0);
    expect(hasAnsi(coloured.stdout)).toBe(true);
    expect(stripAnsi(coloured.stdout)).toBe(result.stdout);
  });

  it.each([
    ['--no-color before the command', ['--no-color', 'diagnose', '--input', incident], {}],
    ['--no-color after the command', ['diagnose', '--input', incident, '--no-color'], {}],
    ['NO_COLOR in the environment', ['diagnose', '--input', incident], { NO_COLOR: '1' }],
  ])('has no colour codes on a terminal with %s', async (_case, argv, env) => {
    const plain = await run(argv, { isTTY: true, env });

    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe(result.stdout);
  });
});

describe('stream-medic diagnose --json', () => {
  let result: CliRun;
  beforeAll(async () => {
    result = await run(['diagnose', '--input', incident, '--json']);
  });

  it('prints exactly one JSON document and nothing else', () => {
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.endsWith('}\n')).toBe(true);
    expect(() => JSON.parse(result.stdout)).not.toThrow();
    expect(hasAnsi(result.stdout)).toBe(false);
  });

  it('prints the report the engine gives, as a dry run', () => {
    expect(JSON.parse(result.stdout)).toStrictEqual(JSON.parse(JSON.stringify(expectedReport())));
  });

  it('has the documented shape', () => {
    const report = JSON.parse(result.stdout) as Record<string, Record<string, unknown>>;

    expect(Object.keys(report).sort()).toStrictEqual(['diagnosis', 'plan', 'target']);
    expect(report['target']).toStrictEqual({
      name: 'orders-stream',
      streamName: 'orders-stream',
      applicationName: 'orders-enricher',
    });

    const diagnosis = report['diagnosis']!;
    expect(Object.keys(diagnosis).sort()).toStrictEqual([
      'cause',
      'confidence',
      'evidence',
      'secondary',
      'severity',
      'summary',
    ]);
    expect(PRIMARY_CAUSES).toContain(diagnosis['cause']);
    expect(SEVERITIES).toContain(diagnosis['severity']);
    expect(diagnosis['confidence']).toBeGreaterThanOrEqual(0);
    expect(diagnosis['confidence']).toBeLessThanOrEqual(1);
    expect(typeof diagnosis['summary']).toBe('string');
    for (const evidence of diagnosis['evidence'] as Record<string, unknown>[]) {
      expect(evidence).toStrictEqual({
        metric: expect.any(String),
        stat: expect.any(String),
        value: expect.any(Number),
        threshold: expect.any(Number),
        unit: expect.any(String),
      });
    }
    for (const finding of diagnosis['secondary'] as string[]) {
      expect([...PRIMARY_CAUSES, ...SECONDARY_ONLY_FINDINGS]).toContain(finding);
    }

    const plan = report['plan']!;
    expect(Object.keys(plan).sort()).toStrictEqual(['actions', 'apply', 'mode', 'recommendations', 'refused']);
    expect(MODES).toContain(plan['mode']);
    for (const action of plan['actions'] as { type: string }[]) expect(ACTION_TYPES).toContain(action.type);
    for (const refusal of plan['refused'] as Record<string, unknown>[]) {
      expect(Object.keys(refusal).sort()).toStrictEqual(['action', 'guardrail', 'reason']);
      expect(GUARDRAILS).toContain(refusal['guardrail']);
      expect(ACTION_TYPES).toContain((refusal['action'] as { type: string }).type);
    }
    for (const recommendation of plan['recommendations'] as unknown[]) expect(typeof recommendation).toBe('string');
  });

  it('never applies: apply is false in auto mode even with actions planned', () => {
    const report = JSON.parse(result.stdout) as Report;

    expect(report.plan.mode).toBe('auto');
    expect(report.plan.actions.length).toBeGreaterThan(0);
    expect(report.plan.apply).toBe(false);
  });

  it('is the same document on a terminal: colour never leaks into JSON', async () => {
    const onTerminal = await run(['diagnose', '--input', incident, '--json'], { isTTY: true });

    expect(onTerminal.stdout).toBe(result.stdout);
  });
});

describe('stream-medic diagnose --config', () => {
  it("plans for the config's target: its name, mode and bounds", async () => {
    const result = await run(['diagnose', '-i', incident, '--config', config, '--target', 'orders', '--json']);

    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.target.name).toBe('orders');
    expect(report.plan.mode).toBe('recommend');
    expect(report.plan.apply).toBe(false);
    const parallelism = report.plan.actions.filter((a) => a.type === 'UpdateApplicationParallelism');
    expect(parallelism.length).toBeGreaterThan(0);
    for (const action of parallelism) expect(action.to).toBeLessThanOrEqual(6);
    // What the bound kept out is refused by it, with the size that was needed.
    for (const refusal of report.plan.refused.filter((r) => r.action.type === 'UpdateApplicationParallelism')) {
      expect(refusal.guardrail).toBe('bounds');
      expect(refusal.reason).toMatch(/maxParallelism is 6/);
    }
  });

  it('finds the target in the config without --target, and says the mode keeps it from applying', async () => {
    const result = await run(['diagnose', '-i', incident, '-c', config]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Target {5}orders \(/);
    expect(result.stdout).toContain('Plan       mode recommend, not applied: target is in recommend mode');
  });

  it('gives the same plan as the engine with the same config', async () => {
    const snapshot = parseSnapshot(incidentInput);
    const { target, policy } = resolveTarget(snapshot, parseConfig(CONFIG), 'orders');
    const expected = assess(snapshot, { target, policy, dryRun: true });

    const result = await run(['diagnose', '-i', incident, '-c', config, '-t', 'orders', '--json']);

    expect(JSON.parse(result.stdout)).toStrictEqual(JSON.parse(JSON.stringify(expected)));
  });
});

describe('stream-medic diagnose refuses bad input: exit 2, one line on stderr, nothing on stdout', () => {
  const valid = incidentInput as unknown as Record<string, unknown>;
  const dir = join(scratch.dir, 'a-directory');
  mkdirSync(dir);

  const files = {
    missing: join(scratch.dir, 'no-such-file.json'),
    notJson: scratch.file('not-json.json', '{"version": 1,'),
    empty: scratch.file('empty.json', ''),
    deep: scratch.file('deep.json', `{"version": 1, "target": ${'['.repeat(4000)}${']'.repeat(4000)}}`),
    array: scratch.file('array.json', []),
    version2: scratch.file('version-2.json', { ...valid, version: 2 }),
    stringValue: scratch.file(
      'string-value.json',
      withValue(valid, ['getMetricData', 'MetricDataResults', 0, 'Values', 3], 'n/a'),
    ),
    stringShards: scratch.file(
      'string-shards.json',
      withValue(valid, ['describeStreamSummary', 'StreamDescriptionSummary', 'OpenShardCount'], '4'),
    ),
    orphanResult: scratch.file(
      'orphan-result.json',
      withValue(valid, ['getMetricData', 'MetricDataResults', 0, 'Id'], 'zz'),
    ),
    nothing: scratch.file('nothing.json', { version: 1, capturedAt: '2026-11-21T10:15:00Z' }),
    carriedMismatch: scratch.file('carried-mismatch.json', {
      ...valid,
      config: { name: 'orders', stream: { name: 'clicks-stream' } },
    }),
    badConfig: scratch.file('bad.config.json', {
      targets: [{ name: 'orders', stream: { name: 'orders-stream', minShards: 8, maxShards: 4 } }],
    }),
    configNotJson: scratch.file('not-json.config.json', 'targets: []'),
  };

  it.each<[string, () => string[], (paths: typeof files) => string]>([
    ['a missing input file', () => ['-i', files.missing], (f) => `--input: cannot read ${f.missing}: no such file`],
    ['a directory as input', () => ['-i', dir], () => `--input: cannot read ${dir}: is a directory`],
    ['input that is not JSON', () => ['-i', files.notJson], (f) => `${f.notJson}: not valid JSON: `],
    ['an empty input file', () => ['-i', files.empty], (f) => `${f.empty}: not valid JSON: `],
    [
      'input nested 4,000 levels deep',
      () => ['-i', files.deep],
      (f) => `${f.deep}: target${'[0]'.repeat(63)}: nested deeper than 64 levels`,
    ],
    [
      'input that is not an object',
      () => ['-i', files.array],
      (f) => `${f.array}: (root): an incident snapshot must be`,
    ],
    ['a snapshot of version 2', () => ['-i', files.version2], (f) => `${f.version2}: version: must be 1`],
    [
      'metric Values containing a string',
      () => ['-i', files.stringValue],
      (f) => `${f.stringValue}: getMetricData.MetricDataResults[0].Values[3]: `,
    ],
    [
      'a shard count that is a string',
      () => ['-i', files.stringShards],
      (f) => `${f.stringShards}: describeStreamSummary.StreamDescriptionSummary.OpenShardCount: `,
    ],
    [
      'a metric result no query asked for',
      () => ['-i', files.orphanResult],
      (f) => `${f.orphanResult}: getMetricData.MetricDataResults[0].Id: no query in MetricDataQueries has Id "zz"`,
    ],
    [
      'a snapshot with no AWS parts',
      () => ['-i', files.nothing],
      (f) => `${f.nothing}: getMetricData: a snapshot needs`,
    ],
    [
      'a snapshot whose own config is for another stream',
      () => ['-i', files.carriedMismatch],
      (f) => `${f.carriedMismatch}: config.stream.name: "clicks-stream" does not match`,
    ],
    [
      'a bad config file',
      () => ['-i', incident, '-c', files.badConfig],
      (f) => `${f.badConfig}: targets[0].stream.maxShards: must be >= minShards`,
    ],
    [
      'a config file that is not JSON',
      () => ['-i', incident, '-c', files.configNotJson],
      (f) => `${f.configNotJson}: not valid JSON`,
    ],
    [
      'a missing config file',
      () => ['-i', incident, '-c', files.missing],
      (f) => `--config: cannot read ${f.missing}: no such file`,
    ],
    [
      'an unknown --target',
      () => ['-i', incident, '-c', config, '-t', 'payments'],
      () => `${config}: --target: no target named "payments" in the config (known: orders, clicks)`,
    ],
    [
      "a --target whose stream is not the snapshot's",
      () => ['-i', incident, '-c', config, '-t', 'clicks'],
      () => `${config}: targets[1].stream.name: "clicks-stream" does not match the snapshot's stream "orders-stream"`,
    ],
    ['no --input', () => [], () => `required option '-i, --input <file>' not specified`],
    ['an unknown option', () => ['-i', incident, '--output', 'x.json'], () => `unknown option '--output'`],
  ])('%s', async (_case, args, message) => {
    const result = await run(['diagnose', ...args()]);

    expect(expectBadInput(result)).toContain(`stream-medic: ${message(files)}`);
  });

  it('refuses an unknown command in one line that says where help is', async () => {
    const result = await run(['diagnoze', '-i', incident]);

    expect(expectBadInput(result)).toBe(
      "stream-medic: unknown command 'diagnoze' (Did you mean diagnose?) (see 'stream-medic --help')",
    );
  });

  it('points a usage error at the command help', async () => {
    const result = await run(['diagnose']);

    expect(expectBadInput(result)).toMatch(/\(see 'stream-medic diagnose --help'\)$/);
  });
});

describe('stream-medic diagnose given raw `aws cloudwatch get-metric-data` output', () => {
  const raw = (incidentInput as { getMetricData: { MetricDataResults: unknown[] } }).getMetricData;
  const file = scratch.file('get-metric-data.json', { MetricDataResults: raw.MetricDataResults, Messages: [] });

  it('says it is not a snapshot and what to do instead, on one line, exit 2', async () => {
    const result = await run(['diagnose', '--input', file]);

    expect({ code: result.code, stdout: result.stdout }).toStrictEqual({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(new RegExp(`^stream-medic: ${file}: version: missing: this is the output of`));
    expect(result.stderr).toContain('`stream-medic capture`');
    expect(result.stderr).toContain('docs/snapshot-recipe.md');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('stream-medic help', () => {
  it('shows diagnose help with an example on stdout and exits 0', async () => {
    const result = await run(['diagnose', '--help']);

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Usage: stream-medic diagnose [options]');
    expect(result.stdout).toMatch(/Examples:\n {2}stream-medic diagnose --input \S+\.json\n/);
    for (const option of ['--input <file>', '--json', '--config <file>', '--target <name>']) {
      expect(result.stdout).toContain(option);
    }
  });

  it.each([['--help'], ['help']])('lists the commands for %s and exits 0', async (flag) => {
    const result = await run([flag]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/diagnose \[options\] +Diagnose an incident snapshot/);
  });
});

describe('stream-medic input files', () => {
  it('reads a snapshot saved with a UTF-8 byte-order mark', async () => {
    const withBom = scratch.file('bom.json', `\uFEFF${JSON.stringify(incidentInput)}`);

    const result = await run(['diagnose', '-i', withBom, '--json']);

    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as Report).diagnosis.cause).toBe('CONSUMER_COMPUTE');
  });
});
