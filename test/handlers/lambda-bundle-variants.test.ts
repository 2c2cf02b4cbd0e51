import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { bundleEnvironment } from '../../bench/bundle-environment';
import {
  LAMBDA_NAMES,
  LAMBDA_VARIANTS,
  esbuildOptionsFor,
  type LambdaName,
  type LambdaVariant,
} from '../../lib/lambda-bundling';

/** Loads the bundle in a fresh node, as a cold start does, and reports what `handler` is. */
const PROBE = `process.stdout.write(typeof require(process.argv[1]).handler);`;

const dir = mkdtempSync(join(tmpdir(), 'stream-medic-variants-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bundle(step: LambdaName, variant: LambdaVariant): Promise<string> {
  const outfile = join(dir, variant, step, 'index.js');
  await build(esbuildOptionsFor(step, outfile, variant));
  return outfile;
}

describe('the Lambda bundles, traced and untraced', () => {
  it.each(LAMBDA_VARIANTS.flatMap((variant) => LAMBDA_NAMES.map((step) => [variant, step] as const)))(
    'the %s %s bundle loads and exports its handler',
    async (variant, step) => {
      const file = await bundle(step, variant);
      const loaded = execFileSync(process.execPath, ['-e', PROBE, file], {
        env: { PATH: process.env['PATH'] ?? '', ...bundleEnvironment(step, 'stream-medic-test') },
        encoding: 'utf8',
      });

      expect(loaded).toBe('function');
    },
  );

  it('leaves the X-Ray SDK out of the untraced bundles only', () => {
    const file = (variant: LambdaVariant): string => join(dir, variant, 'assess', 'index.js');
    // The X-Ray SDK reads the daemon's address from this variable.
    const hasXRay = (variant: LambdaVariant): boolean =>
      readFileSync(file(variant), 'utf8').includes('AWS_XRAY_DAEMON_ADDRESS');

    expect({ traced: hasXRay('traced'), untraced: hasXRay('untraced') }).toStrictEqual({
      traced: true,
      untraced: false,
    });
    expect(statSync(file('untraced')).size).toBeLessThan(statSync(file('traced')).size - 80 * 1024);
  });
});
