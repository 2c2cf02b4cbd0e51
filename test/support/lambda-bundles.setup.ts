import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { BUNDLE_FILE, LAMBDA_NAMES, LAMBDA_VARIANTS, lambdaBundleDir } from '../../lib/lambda-bundling';

/**
 * The constructs deploy prebuilt bundles, so synthesis in the tests needs them: built once before
 * the suite when any is missing (a fresh clone), as `npm run build:lambdas` builds them.
 */
export default function buildMissingBundles(): void {
  const missing = LAMBDA_VARIANTS.some((variant) =>
    LAMBDA_NAMES.some((step) => !existsSync(join(lambdaBundleDir(step, variant), BUNDLE_FILE))),
  );
  if (!missing) return;
  const root = join(__dirname, '..', '..');
  execFileSync(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/build-lambdas.ts'], {
    cwd: root,
    stdio: 'inherit',
  });
}
