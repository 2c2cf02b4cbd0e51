import type { Command } from 'commander';
import { DynamoDbLedger } from '../../lambdas/adapters/dynamodb-ledger';
import type { StreamMedicConfig } from '../../lambdas/domain/config';
import { resolveTarget } from '../../lambdas/domain/engine';
import type { Ledger } from '../../lambdas/ports';
import { LEDGER_TABLE_OUTPUT_KEY } from '../../lib/stack-outputs';
import { CommandFailure, explained, regionOf } from './aws-failure';
import {
  forConfigTarget,
  liveRequestFrom,
  namesOnlySnapshot,
  wantsLive,
  type LiveOptions,
  type LiveRequest,
} from './live-capture';
import type { CliAwsClients, CliServices } from './services';
import { DEFAULT_STACK_NAME, stackOutput } from './stack-outputs';

/** What errors about the live snapshot name as their source, where a file name would go. */
export const LIVE_SOURCE = 'live capture';

/**
 * Where `diagnose` gets its snapshot: a file (`--input`) or the live account (`--stream`/`--app`),
 * exactly one of them. Returns the live request, or undefined for a file; a usage error otherwise.
 */
export function liveDiagnoseRequest(
  options: LiveOptions & { readonly input?: string },
  command: Command,
): LiveRequest | undefined {
  const live = wantsLive(options);
  if (options.input !== undefined && live) {
    command.error(
      '--input reads a saved snapshot and --stream/--app read the live account: give one or the other, not both',
    );
  }
  if (options.input === undefined && !live) {
    command.error(
      "required option '-i, --input <file>' not specified (or read the live account with --stream <name> and/or --app <name>)",
    );
  }
  for (const flag of ['minutes', 'region'] as const) {
    if (!live && options[flag] !== undefined) {
      command.error(`--${flag} applies to a live read (--stream/--app), not to --input`);
    }
  }
  return live ? liveRequestFrom(options) : undefined;
}

/**
 * The live request for the config's target, found from the names alone before anything is read,
 * so a wrong `--target` costs no AWS calls and the target's other resource is read too.
 */
export function liveRequestForConfig(
  request: LiveRequest,
  config: StreamMedicConfig,
  targetName: string | undefined,
  now: Date,
): LiveRequest {
  const { target } = resolveTarget(namesOnlySnapshot(request, now), config, targetName);
  return forConfigTarget(request, target, config.targets.indexOf(target), config.region);
}

/** Where the deployed workflow's ledger is: a table named outright, or the stack whose output names it. */
export interface DeployedLedgerOptions {
  readonly stack?: string;
  readonly table?: string;
}

/**
 * The deployed workflow's ledger, read with the user's credentials, so a live diagnosis with a config
 * applies the cooldowns and the daily budget to the changes the workflow really made. Without
 * `--stack` or `--table`, a missing default stack is only noted (`warn`) and the guardrails assume
 * no past changes; a stack or table named outright must be found.
 */
export async function deployedLedger(
  services: CliServices,
  options: DeployedLedgerOptions,
  region: string | undefined,
  warn: (line: string) => void,
): Promise<Ledger | undefined> {
  let tableName = options.table;
  let clients: CliAwsClients | undefined;
  if (tableName === undefined) {
    try {
      const found = await stackOutput(services, {
        stackName: options.stack ?? DEFAULT_STACK_NAME,
        ...(region !== undefined ? { region } : {}),
        outputKey: LEDGER_TABLE_OUTPUT_KEY,
        alternative: 'the ledger table with --table',
      });
      tableName = found.value;
      clients = found.clients;
    } catch (error) {
      if (options.stack !== undefined || !(error instanceof CommandFailure)) throw error;
      warn(`the ledger was not read (${error.message}); cooldowns and the daily budget assume no past changes`);
      return undefined;
    }
  }
  const reader = clients ?? services.awsClients(region !== undefined ? { region } : {});
  const ledger = new DynamoDbLedger(reader.dynamoDbDocument, { tableName });
  const where = async () => region ?? (await regionOf(reader.cloudFormation));
  const call = { action: 'Query', iamAction: 'dynamodb:Query', resource: `ledger table ${tableName}` };
  return {
    list: (target, sinceIso) => explained(call, where, () => ledger.list(target, sinceIso)),
    record: () => Promise.reject(new Error('stream-medic diagnose never writes the ledger')),
  };
}
