import type { Command } from 'commander';
import { DynamoDbFleetChangeLog } from '../../lambdas/adapters/dynamodb-fleet-changes';
import { DynamoDbLedger } from '../../lambdas/adapters/dynamodb-ledger';
import type { StreamMedicConfig } from '../../lambdas/domain/config';
import { resolveTarget } from '../../lambdas/domain/engine';
import type { FleetBudget } from '../../lambdas/domain/fleet-budget';
import type { Clock, FleetChangeLog, Ledger } from '../../lambdas/ports';
import { readFleetBudget } from '../../lambdas/workflow/fleet-changes';
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

/** What a live diagnosis reads of the deployed workflow's table: the ledger and the fleet's changes. */
export interface DeployedLedger {
  readonly ledger: Ledger;
  readonly fleetChanges: Pick<FleetChangeLog, 'since'>;
}

/**
 * The deployed workflow's ledger, read with the user's credentials, so a live diagnosis with a config
 * applies the cooldowns, the daily budget and the fleet budget to the changes the workflow really
 * made. Without `--stack` or `--table`, a missing default stack is only noted (`warn`) and the
 * guardrails assume no past changes; a stack or table named outright must be found.
 */
export async function deployedLedger(
  services: CliServices,
  options: DeployedLedgerOptions,
  region: string | undefined,
  warn: (line: string) => void,
): Promise<DeployedLedger | undefined> {
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
      warn(
        `the ledger was not read (${error.message}); cooldowns and the daily budget assume no past changes, ` +
          'and the fleet budget is not checked',
      );
      return undefined;
    }
  }
  const reader = clients ?? services.awsClients(region !== undefined ? { region } : {});
  const ledger = new DynamoDbLedger(reader.dynamoDbDocument, { tableName });
  const where = async () => region ?? (await regionOf(reader.cloudFormation));
  const call = { action: 'Query', iamAction: 'dynamodb:Query', resource: `ledger table ${tableName}` };
  const fleetChanges = new DynamoDbFleetChangeLog(reader.dynamoDbDocument, { tableName });
  const fleetCall = { ...call, resource: `the fleet's changes in ledger table ${tableName}` };
  return {
    ledger: {
      list: (target, sinceIso) => explained(call, where, () => ledger.list(target, sinceIso)),
      record: () => Promise.reject(new Error('stream-medic diagnose never writes the ledger')),
    },
    fleetChanges: { since: (sinceIso) => explained(fleetCall, where, () => fleetChanges.since(sinceIso)) },
  };
}

/**
 * The fleet's changes of the last hour and `fleet.maxChangesPerHour`, read as the workflow's
 * assessment reads them, for the `fleet-budget` guardrail. A read that fails (the operators' policy
 * of an older deployment has no `Query` on `FLEET_CHANGE#` items, say) is noted (`warn`) and the
 * diagnosis goes on without the fleet budget: the answer matters more than that one guardrail.
 */
export async function deployedFleetBudget(
  deployed: DeployedLedger,
  config: StreamMedicConfig,
  clock: Clock,
  warn: (line: string) => void,
): Promise<FleetBudget | undefined> {
  try {
    return await readFleetBudget({ fleetChanges: deployed.fleetChanges, clock }, config.fleet.maxChangesPerHour);
  } catch (error) {
    warn(
      `the fleet's changes of the last hour were not read (${(error as Error).message}); the fleet budget ` +
        `(fleet.maxChangesPerHour ${config.fleet.maxChangesPerHour}) is unknown and not checked`,
    );
    return undefined;
  }
}
