/**
 * `stream-medic pause` and `resume`: the kill switch. A pause holds every plan of a target (or of
 * every target) back as a recommendation from the next assessment on, without a redeploy; the
 * messages say who paused and why until someone resumes.
 */
import { Command } from 'commander';
import { TargetSchema } from '../../lambdas/domain/config';
import { FLEET_SCOPE, describePause, pauseScopeText, type Pause } from '../../lambdas/domain/pause';
import { InvalidInputError, parseWith } from '../../lambdas/domain/validation';
import { DynamoDbPauseSwitch } from '../../lambdas/adapters/dynamodb-pause-switch';
import type { PauseControl } from '../../lambdas/ports';
import { LEDGER_TABLE_OUTPUT_KEY } from '../../lib/stack-outputs';
import type { CliIo } from '../io';
import { COMMAND_SUMMARIES } from './catalog';
import { explained, type AwsCallContext } from './aws-failure';
import { CREDENTIALS_NOTE, helpEpilogue } from './help';
import { checkRegion } from './live-capture';
import { StsOperatorIdentity, identifyOperator } from './operator-identity';
import type { CliServices } from './services';
import { DEFAULT_STACK_NAME, stackOutput } from './stack-outputs';

/** The options every command on the ledger table takes: where the table is. */
export interface TableOptions {
  readonly stack?: string;
  readonly table?: string;
  readonly region?: string;
}

interface PauseOptions extends TableOptions {
  readonly target?: string;
  readonly reason?: string;
  readonly by?: string;
}

/** The most a reason may say: it is repeated in every message while the pause holds. */
const MAX_REASON_LENGTH = 300;

/** Adds `--stack`, `--table` and `--region` to a command that reads or writes the ledger table. */
export function withTableOptions(command: Command): Command {
  return command
    .option(
      '--stack <name>',
      `the deployed stack whose ${LEDGER_TABLE_OUTPUT_KEY} output names the ledger table`,
      DEFAULT_STACK_NAME,
    )
    .option('--table <name>', 'the ledger table (default: the stack output)')
    .option('--region <region>', 'AWS region of the stack (default: the usual AWS sources)');
}

/** The ledger table's name and the clients to reach it: from `--table`, else the stack's output. */
export async function locateTable(
  services: CliServices,
  options: TableOptions,
  command: Command,
): Promise<{
  tableName: string;
  clients: ReturnType<CliServices['awsClients']>;
  region: () => Promise<string | undefined>;
}> {
  const region = checkRegion(options.region);
  if (options.table !== undefined) {
    if (command.getOptionValueSource('stack') === 'cli')
      command.error('--stack and --table both name the table: give one');
    const clients = services.awsClients(region !== undefined ? { region } : {});
    return { tableName: options.table, clients, region: () => Promise.resolve(region) };
  }
  const found = await stackOutput(services, {
    stackName: options.stack ?? DEFAULT_STACK_NAME,
    ...(region !== undefined ? { region } : {}),
    outputKey: LEDGER_TABLE_OUTPUT_KEY,
    alternative: 'the table with --table',
  });
  return { tableName: found.value, clients: found.clients, region: found.region };
}

function scopeOf(options: PauseOptions): string {
  return options.target === undefined ? FLEET_SCOPE : parseWith(TargetSchema.shape.name, options.target, '--target');
}

/** Who runs the command on the located table's account: the name given and the verified ARN. */
export function operatorOn(
  located: Awaited<ReturnType<typeof locateTable>>,
  options: { readonly by?: string },
  io: CliIo,
) {
  return identifyOperator(options, io, new StsOperatorIdentity(located.clients.sts), located.region);
}

async function onSwitch<T>(
  located: Awaited<ReturnType<typeof locateTable>>,
  call: AwsCallContext,
  use: (pauses: PauseControl) => Promise<T>,
): Promise<T> {
  const pauses = new DynamoDbPauseSwitch(located.clients.dynamoDbDocument, { tableName: located.tableName });
  return explained(call, located.region, () => use(pauses));
}

export function pauseCommand(io: CliIo, services: CliServices): Command {
  return withTableOptions(
    new Command('pause')
      .description(COMMAND_SUMMARIES.pause)
      .option('-t, --target <name>', 'pause this target only (default: every target)')
      .requiredOption('--reason <text>', 'why; every message repeats it while the pause holds')
      .option('--by <name>', 'who pauses, recorded next to your verified AWS identity (default: the local user name)'),
  )
    .addHelpText(
      'after',
      helpEpilogue(
        [
          'stream-medic pause --reason failover-drill',
          'stream-medic pause --target orders --reason bad-deploy --by alice --region eu-west-1',
        ],
        [
          'From the next assessment on, every plan is a recommendation: nothing is changed, and every message',
          'says who paused and why. A run already applying finishes its current step and takes no further round.',
          'Calls made: cloudformation:DescribeStacks (unless --table), sts:GetCallerIdentity (recorded as who',
          'paused, next to --by), dynamodb:PutItem on the pause items;',
          "the stack's OperatorPolicyArn output is a managed policy that allows exactly these.",
          CREDENTIALS_NOTE,
        ],
      ),
    )
    .action(async (options: PauseOptions, self: Command) => {
      const scope = scopeOf(options);
      const reason = (options.reason ?? '').trim();
      if (!reason) throw new InvalidInputError('--reason', 'must say why StreamMedic is paused');
      if (reason.length > MAX_REASON_LENGTH) {
        throw new InvalidInputError(
          '--reason',
          `must be at most ${MAX_REASON_LENGTH} characters, got ${reason.length}`,
        );
      }
      const located = await locateTable(services, options, self);
      const operator = await operatorOn(located, options, io);
      const pause: Pause = { scope, ...operator, reason, at: services.clock.now().toISOString() };
      await onSwitch(
        located,
        { action: 'PutItem', iamAction: 'dynamodb:PutItem', resource: `table ${located.tableName}` },
        (pauses) => pauses.pause(pause),
      );
      io.stdout(`${describePause(pause)}\n`);
    });
}

export function resumeCommand(io: CliIo, services: CliServices): Command {
  return withTableOptions(
    new Command('resume')
      .description(COMMAND_SUMMARIES.resume)
      .option('-t, --target <name>', "lift this target's own pause (default: the pause of every target)")
      .option('--by <name>', 'who resumes, recorded next to your verified AWS identity (default: the local user name)'),
  )
    .addHelpText(
      'after',
      helpEpilogue(
        ['stream-medic resume', 'stream-medic resume --target orders --region eu-west-1'],
        [
          "A target's own pause and the pause of every target are lifted separately; the command says which",
          'pause still holds, if any. Calls made: cloudformation:DescribeStacks (unless --table),',
          'sts:GetCallerIdentity, dynamodb:DeleteItem, dynamodb:PutItem and dynamodb:GetItem on the pause items.',
          CREDENTIALS_NOTE,
        ],
      ),
    )
    .action(async (options: PauseOptions, self: Command) => {
      const scope = scopeOf(options);
      const located = await locateTable(services, options, self);
      const { by, operatorArn } = await operatorOn(located, options, io);
      const call = { action: 'DeleteItem', iamAction: 'dynamodb:DeleteItem', resource: `table ${located.tableName}` };
      const { lifted, remaining } = await onSwitch(located, call, async (pauses) => ({
        lifted: await pauses.resume(scope, by, services.clock.now().toISOString(), operatorArn),
        remaining: scope === FLEET_SCOPE ? [] : await pauses.pausesFor(scope),
      }));
      io.stdout(
        lifted
          ? `Resumed ${pauseScopeText(scope)} (paused by ${lifted.by} since ${lifted.at}: ${lifted.reason}).\n`
          : `Nothing to resume: ${pauseScopeText(scope)} was not paused.\n`,
      );
      const still = remaining[0];
      if (still) io.stdout(`Still in force: ${describePause(still)}\n`);
    });
}
