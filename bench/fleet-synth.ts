/**
 * `npm run bench:fleet`: synthesizes a fleet of stream+application targets as `cdk synth` writes it,
 * checks every template (the main stack and each nested target group) against CloudFormation's
 * quotas and every role's policies against IAM's, and reports the synth time, the largest template's resources and bytes, what
 * `config validate` predicted, and the largest fleet of the same shape it accepts.
 * Exits 1 when a template exceeds a quota.
 *
 * The fleet is granted by tag (`grantByTag`, what a fleet of hundreds needs); `--grant-by-arn`
 * measures the default, every stream and application listed by ARN in the roles' policies.
 *
 *   npm run bench:fleet -- [--targets 500] [--grant-by-arn]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { parseConfig, type StreamMedicConfigInput } from '../lambdas/domain/config';
import { CLOUDFORMATION_LIMITS, limitBreaches, predictStacks } from '../lambdas/domain/fleet-layout';
import { StreamMedicStack } from '../lib/stream-medic-stack';
import { fleetConfig } from '../test/builders/fleet-config';
import { iamQuotaBreaches, rolePolicySizes } from '../test/lib/support/iam-quotas';

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function targetsArgument(argv: readonly string[]): number {
  const index = argv.indexOf('--targets');
  if (index === -1) return 500;
  const value = Number(argv[index + 1]);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write('bench:fleet: --targets must be a whole number of at least 1\n');
    process.exit(2);
  }
  return value;
}

/** The largest fleet of this shape `config validate` accepts: its prediction only, no synthesis. */
function largestAccepted(extra: Partial<StreamMedicConfigInput>): number {
  let low = 1;
  let high = 2000;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (limitBreaches(predictStacks(parseConfig(fleetConfig(mid, extra)), undefined)).length === 0) low = mid;
    else high = mid - 1;
  }
  return low;
}

const BY_TAG: Partial<StreamMedicConfigInput> = { grantByTag: { key: 'stream-medic', value: 'fleet' } };
const targets = targetsArgument(process.argv.slice(2));
const grants = process.argv.includes('--grant-by-arn') ? {} : BY_TAG;
const input = fleetConfig(targets, grants);
const grantsLabel = grants === BY_TAG ? 'granted by tag' : 'granted by ARN';
const acceptedLine = (): string =>
  `config validate: ${limitBreaches(predicted).length === 0 ? 'accepts' : 'refuses'} this fleet; ` +
  `largest fleet of this shape it accepts: ${largestAccepted(grants)} targets ${grantsLabel}` +
  ` (${largestAccepted(grants === BY_TAG ? {} : BY_TAG)} ${grants === BY_TAG ? 'by ARN' : 'by tag'})`;
const predicted = predictStacks(parseConfig(input), undefined);
const outdir = mkdtempSync(join(tmpdir(), 'stream-medic-bench-fleet-'));
try {
  const started = process.hrtime.bigint();
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new StreamMedicStack(app, 'Fleet', { config: input });
  let assembly: ReturnType<App['synth']>;
  try {
    assembly = app.synth();
  } catch (error) {
    // CDK refuses some quotas itself (500 resources a stack): that is this benchmark's finding too.
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    process.stdout.write(
      `fleet of ${targets} stream+app targets ${grantsLabel}: synth refused: ${message}\n${acceptedLine()}\n`,
    );
    process.exit(1);
  }
  const synthSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  const files = [
    { stack: 'main', file: assembly.getStackByName('Fleet').templateFile },
    ...stack.remediator.nestedStacks.map((n, index) => ({ stack: `target group ${index + 2}`, file: n.templateFile })),
  ];
  const measured = files.map(({ stack: name, file }) => {
    const body = readFileSync(join(assembly.directory, file), 'utf8');
    const template = JSON.parse(body) as { Resources: object; Outputs?: object; Parameters?: object };
    return {
      stack: name,
      resources: Object.keys(template.Resources).length,
      bytes: Buffer.byteLength(body),
      outputs: Object.keys(template.Outputs ?? {}).length,
      parameters: Object.keys(template.Parameters ?? {}).length,
    };
  });
  const over = measured.filter(
    (m) =>
      m.resources > CLOUDFORMATION_LIMITS.resources ||
      m.bytes > CLOUDFORMATION_LIMITS.templateBytes ||
      m.outputs > CLOUDFORMATION_LIMITS.outputs ||
      m.parameters > CLOUDFORMATION_LIMITS.parameters,
  );
  const mainTemplate = JSON.parse(
    readFileSync(join(assembly.directory, assembly.getStackByName('Fleet').templateFile), 'utf8'),
  ) as Parameters<typeof rolePolicySizes>[0];
  const roles = rolePolicySizes(mainTemplate, { account: '123456789012', region: 'ap-southeast-5' });
  const iamBreaches = iamQuotaBreaches(roles);
  const largestRole = [...roles].sort(
    (a, b) => b.inlineChars + sum(b.managedChars) - (a.inlineChars + sum(a.managedChars)),
  )[0]!;
  const largest = [...measured].sort((a, b) => b.bytes - a.bytes)[0]!;
  const lines = [
    `fleet of ${targets} stream+app targets ${grantsLabel}: synth ${synthSeconds.toFixed(1)} s, ${measured.length} templates`,
    ...measured.map((m, index) => {
      const p = predicted[index];
      return (
        `  ${m.stack}: ${m.resources} resources, ${m.bytes} bytes, ${m.outputs} outputs, ${m.parameters} parameters` +
        (p ? ` (predicted at most ${p.resources} resources, ${p.templateBytes} bytes)` : '')
      );
    }),
    `largest template: ${largest.stack}, ${largest.resources} resources, ${largest.bytes} bytes ` +
      `(quotas: ${CLOUDFORMATION_LIMITS.resources} resources, ${CLOUDFORMATION_LIMITS.templateBytes} bytes)`,
    acceptedLine(),
    `largest role policy: ${largestRole.role}, ${largestRole.inlineChars} inline characters and ` +
      `${largestRole.managedChars.length} managed policies of at most ${Math.max(0, ...largestRole.managedChars)} ` +
      `(quotas: 10240 inline, 10 managed of 6144; predicted ${predicted[0]?.roleManagedPolicies ?? 0} managed)`,
    over.length === 0 ? 'every template within quotas' : `over a quota: ${over.map((m) => m.stack).join(', ')}`,
    iamBreaches.length === 0 ? 'every role within IAM quotas' : `over an IAM quota: ${iamBreaches.join('; ')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  process.exitCode = over.length === 0 && iamBreaches.length === 0 ? 0 : 1;
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
