import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigSchema, type StreamMedicConfig } from '../lambdas/domain/config';
import { InvalidInputError, parseWith } from '../lambdas/domain/validation';
import { StreamMedicStack } from '../lib/stream-medic-stack';

/** The config synthesized when no `-c config=PATH` is given. */
const DEFAULT_CONFIG_PATH = 'stream-medic.config.json';

/** Reads and validates the config file; exits with the schema's message, naming the file and field. */
function loadConfig(path: string): StreamMedicConfig {
  const fail = (detail: string): never => {
    process.stderr.write(`${path}: ${detail}\n`);
    process.exit(1);
  };
  let text = '';
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch (error) {
    fail(`cannot read the config file (${(error as Error).message})`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    fail(`not valid JSON (${(error as Error).message})`);
  }
  try {
    return parseWith(ConfigSchema, document);
  } catch (error) {
    if (error instanceof InvalidInputError) return fail(error.message);
    throw error;
  }
}

const app = new App();
const configPath = String(app.node.tryGetContext('config') ?? DEFAULT_CONFIG_PATH);
const config = loadConfig(configPath);
const region = config.region ?? process.env['CDK_DEFAULT_REGION'];
const account = process.env['CDK_DEFAULT_ACCOUNT'];

new StreamMedicStack(app, String(app.node.tryGetContext('stackName') ?? 'StreamMedic'), {
  description:
    'StreamMedic: alarm-driven auto-remediation for Kinesis Data Streams and Managed Service for Apache Flink',
  config,
  // Environment-agnostic when nothing is known, so `cdk synth` works offline on a fresh clone.
  ...(region !== undefined || account !== undefined ? { env: { region, account } } : {}),
});

// Every AwsSolutions finding fails synthesis unless acknowledged, with its reason, next to the resource.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
