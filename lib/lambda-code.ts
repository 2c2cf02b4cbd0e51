import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BUNDLE_FILE, lambdaBundleDir, type LambdaName } from './lambda-bundling';

/**
 * A function's prebuilt bundle as its code asset, with the handler inside it (see
 * lib/lambda-bundling.ts): synthesis copies the bundle as it is and runs no bundler.
 */
export function bundledCode(name: LambdaName, tracing: boolean): { code: lambda.Code; handler: string } {
  const variant = tracing ? 'traced' : 'untraced';
  const dir = lambdaBundleDir(name, variant);
  if (!existsSync(path.join(dir, BUNDLE_FILE))) {
    throw new Error(`the ${variant} ${name} Lambda bundle is missing from ${dir}: run \`npm run build:lambdas\``);
  }
  return { code: lambda.Code.fromAsset(dir), handler: `${path.basename(BUNDLE_FILE, '.js')}.handler` };
}
