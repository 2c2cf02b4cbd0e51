/**
 * How the workflow Lambdas are bundled, stated once: the CDK construct turns this into NodejsFunction
 * bundling options and `npm run bench:lambda` into the same esbuild build, so the bench measures what
 * is deployed. Plain data: the bench must not load aws-cdk-lib.
 */
import * as path from 'node:path';
import type { TaskName } from '../lambdas/workflow/task-payloads';

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
} as const;

/** Directory of the Lambda entry files, one per workflow task. */
export const LAMBDA_ENTRY_DIR = path.join(__dirname, '..', 'lambdas', 'handlers');

export function lambdaEntry(step: TaskName): string {
  return path.join(LAMBDA_ENTRY_DIR, `${step}.ts`);
}

/** The esbuild options NodejsFunction derives from {@link LAMBDA_BUNDLING}, for building a bundle outside CDK. */
export function esbuildOptionsFor(step: TaskName, outfile: string) {
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
    logLevel: 'warning' as const,
  };
}
