/**
 * `npm run build:lambdas`: builds every Lambda (the workflow's tasks and the run-ended function), traced and untraced, into
 * dist/lambda/<variant>/<step>/index.js, with the options in lib/lambda-bundling.ts. Run by the
 * package build (`prepack`), before `cdk synth` (cdk.json), before the test suite when a bundle is
 * missing (test/support/lambda-bundles.setup.ts), and by `npm start` / `npm run simulate`.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import {
  BUNDLE_FILE,
  LAMBDA_NAMES,
  LAMBDA_VARIANTS,
  esbuildOptionsFor,
  lambdaBundleDir,
  lambdaBundleRoot,
} from '../lib/lambda-bundling';

async function main(): Promise<void> {
  const root = lambdaBundleRoot();
  // A step that was removed or renamed must not linger in the package.
  rmSync(root, { recursive: true, force: true });
  const builds = LAMBDA_VARIANTS.flatMap((variant) =>
    LAMBDA_NAMES.map((step) =>
      build(esbuildOptionsFor(step, join(lambdaBundleDir(step, variant, root), BUNDLE_FILE), variant)),
    ),
  );
  await Promise.all(builds);
}

main().catch((error: unknown) => {
  process.stderr.write(`build-lambdas: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
