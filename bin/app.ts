import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { checkDeployable } from '../cli/commands/config-commands';
import { loadConfigFile } from '../cli/config-file';
import { parseFile } from '../cli/io';
import type { StreamMedicConfig } from '../lambdas/domain/config';
import { InvalidInputError } from '../lambdas/domain/validation';
import { StreamMedicStack } from '../lib/stream-medic-stack';

/** The config synthesized when no `-c config=PATH` is given. */
const DEFAULT_CONFIG_PATH = 'stream-medic.config.json';

/**
 * Reads and validates the config file; a bad one, or one whose deployment would exceed a
 * CloudFormation quota, stops synthesis with a message naming the file and field or the quota.
 */
function loadConfig(path: string): StreamMedicConfig {
  try {
    const { config, warnings } = loadConfigFile(path, 'config', new Date());
    for (const warning of warnings) process.stderr.write(`warning: ${path}: ${warning}\n`);
    parseFile(path, 'config', () => checkDeployable(config));
    return config;
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return process.exit(1);
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
