import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Runs the CDK app the way `cdk synth` does (context through CDK_CONTEXT_JSON), without bundling the Lambdas. */
function synth(context: Record<string, unknown>) {
  const outdir = mkdtempSync(join(tmpdir(), 'stream-medic-synth-'));
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bin', 'app.ts')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [], ...context }),
    },
  });
  return { ...result, outdir };
}

describe('the CDK app (bin/app.ts)', () => {
  it('synthesizes the checked-in example config with no arguments', () => {
    const result = synth({});
    expect(result.status).toBe(0);
    const template = JSON.parse(readFileSync(join(result.outdir, 'StreamMedic.template.json'), 'utf8'));
    expect(Object.keys(template.Outputs)).toEqual(expect.arrayContaining([expect.stringMatching(/^StateMachineArn/)]));
  });

  it('refuses a bad config with the schema message naming the file and the field, and writes no template', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stream-medic-config-'));
    const path = join(dir, 'bad.json');
    writeFileSync(
      path,
      JSON.stringify({ targets: [{ name: 'orders', stream: { name: 's', minShards: 4, maxShards: 2 } }] }),
    );
    const result = synth({ config: path });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${path}: targets[0].stream.maxShards: must be >= minShards`);
    expect(readdirSync(result.outdir).filter((f) => f.endsWith('.template.json'))).toEqual([]);
  });

  it('names a config file that does not exist', () => {
    const result = synth({ config: '/nonexistent/stream-medic.json' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('cannot read /nonexistent/stream-medic.json');
  });
});
