/**
 * How the workflow Lambdas are bundled and where the bundles live, stated once. The bundles are
 * built when the package is built (`npm run build:lambdas`, scripts/build-lambdas.ts), shipped in
 * the package under dist/lambda, and deployed as they are: a user's `cdk synth` runs no bundler.
 * `npm run bench:lambda` builds with the same options, so the bench measures what is deployed.
 * Plain data and paths: neither aws-cdk-lib nor esbuild is loaded here.
 */
import * as path from 'node:path';
import { TASK_NAMES, type TaskName } from '../lambdas/workflow/task-payloads';
import { packageRoot } from './package-root';

export const LAMBDA_BUNDLING = {
  minify: true,
  /** Matches the Lambda runtime (Node.js 22). */
  target: 'node22',
  format: 'cjs',
  /**
   * The ESM builds of the AWS SDK and Powertools first: esbuild only tree-shakes ES modules, and the
   * CommonJS builds carry every command and protocol of a client.
   */
  mainFields: ['module', 'main'],
  /**
   * The SDK is bundled: its version is the one tested here, and one minified file loads faster at
   * cold start than the runtime's unbundled SDK. Left out are only the credential providers the
   * default chain imports lazily after the environment's credentials, which Lambda always sets; were
   * one ever reached, the runtime's own SDK provides it.
   */
  externalModules: [
    '@aws-sdk/credential-provider-ini',
    '@aws-sdk/credential-provider-login',
    '@aws-sdk/credential-provider-process',
    '@aws-sdk/credential-provider-sso',
    '@aws-sdk/credential-provider-web-identity',
    '@aws-sdk/nested-clients',
    '@aws-sdk/token-providers',
  ] as string[],
  sourceMap: false,
  /** The licence notices of the bundled packages go to a file beside each bundle, not into it. */
  legalComments: 'external',
} as const;

/**
 * Each function is built twice: `traced` with the Powertools tracer (and the X-Ray SDK under it,
 * about 120 KB of every bundle), `untraced` with a tracer that does nothing in its place.
 */
export const LAMBDA_VARIANTS = ['untraced', 'traced'] as const;
export type LambdaVariant = (typeof LAMBDA_VARIANTS)[number];

/**
 * Every function StreamMedic deploys: one per workflow task, and outside the workflow the run-ended
 * function and the sweep that re-assesses targets whose alarms stay in ALARM.
 */
export const LAMBDA_NAMES = [...TASK_NAMES, 'run-ended', 'sweep'] as const;
export type LambdaName = TaskName | 'run-ended' | 'sweep';

/** Directory of the Lambda entry files, one per function. */
export const LAMBDA_ENTRY_DIR = path.join(__dirname, '..', 'lambdas', 'handlers');

/** The source file a function is built from: the one place that maps functions to entry files. */
export function lambdaEntry(step: LambdaName): string {
  return path.join(LAMBDA_ENTRY_DIR, `${step}.ts`);
}

/** The file name of every bundle inside its directory; the functions' handler is `index.handler`. */
export const BUNDLE_FILE = 'index.js';

/** Where the built bundles live: dist/lambda/<variant>/<step>/index.js under the package root. */
export function lambdaBundleRoot(): string {
  return path.join(packageRoot(), 'dist', 'lambda');
}

/** The directory deployed as a step's code asset: its bundle and the bundle's licence notices. */
export function lambdaBundleDir(step: LambdaName, variant: LambdaVariant, root: string = lambdaBundleRoot()): string {
  return path.join(root, variant, step);
}

/**
 * Stands in for `@aws-lambda-powertools/tracer` (and its `/middleware`) in the untraced bundles: the
 * entries keep their tracer calls, which then pass clients and handlers through unchanged.
 */
export const UNTRACED_TRACER_STUB = path.join(__dirname, 'untraced-tracer');

/** The esbuild options for one bundle, for scripts/build-lambdas.ts and the bench. */
export function esbuildOptionsFor(step: LambdaName, outfile: string, variant: LambdaVariant = 'traced') {
  return {
    entryPoints: [lambdaEntry(step)],
    bundle: true,
    platform: 'node' as const,
    target: LAMBDA_BUNDLING.target,
    format: LAMBDA_BUNDLING.format,
    outfile,
    minify: LAMBDA_BUNDLING.minify,
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    external: [...LAMBDA_BUNDLING.externalModules],
    sourcemap: LAMBDA_BUNDLING.sourceMap,
    legalComments: LAMBDA_BUNDLING.legalComments,
    alias: (variant === 'untraced' ? { '@aws-lambda-powertools/tracer': UNTRACED_TRACER_STUB } : {}) as Record<
      string,
      string
    >,
    logLevel: 'warning' as const,
  };
}
