import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inventoryApplication, inventoryOf, inventoryStream } from '../builders/inventory-builder';

const ROOT = join(__dirname, '..', '..');

/** Runs the CDK app as `cdk synth -c config=FILE` does, without bundling the Lambdas. */
function synth(config: string) {
  const outdir = mkdtempSync(join(tmpdir(), 'stream-medic-synth-'));
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bin', 'app.ts')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [], config }),
    },
  });
  return { ...result, outdir };
}

describe('the CDK app with config selectors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stream-medic-selectors-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const writeConfig = (name: string, value: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(value));
    return path;
  };
  writeConfig(
    'inventory.json',
    inventoryOf(
      [inventoryStream('orders-eu', { team: 'payments' }), inventoryStream('clicks', { team: 'web' })],
      [inventoryApplication('orders-eu-enricher', { sources: ['orders-eu'] })],
      new Date().toISOString(),
    ),
  );

  it('synthesizes the targets the selectors resolve to: their alarms, and their grants on the paired application', () => {
    const config = writeConfig('selected.json', {
      selectors: {
        inventory: 'inventory.json',
        select: [{ streams: { tags: { team: 'payments' } }, pairApplications: 'by-source', mode: 'auto' }],
      },
    });

    const result = synth(config);

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const template = readFileSync(join(result.outdir, 'StreamMedic.template.json'), 'utf8');
    expect(template).toContain('orders-eu-enricher');
    expect(template).toContain('stream/orders-eu');
    expect(template).not.toContain('stream/clicks');
  });

  it('stops on a missing inventory, naming the config field, and writes no template', () => {
    const config = writeConfig('missing.json', {
      selectors: { inventory: 'nowhere.json', select: [{ streams: { tags: { team: 'payments' } } }] },
    });

    const result = synth(config);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `${config}: selectors.inventory: cannot read ${join(dir, 'nowhere.json')}: no such file`,
    );
    expect(readdirSync(result.outdir).filter((f) => f.endsWith('.template.json'))).toStrictEqual([]);
  });
});
