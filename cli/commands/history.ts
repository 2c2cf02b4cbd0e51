/**
 * `stream-medic history`: what the deployed StreamMedic changed and what its guardrails refused, and
 * who paused and resumed it, read from the ledger table (read-only).
 */
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { DynamoDbApprovals } from '../../lambdas/adapters/dynamodb-approvals';
import { DynamoDbLedger } from '../../lambdas/adapters/dynamodb-ledger';
import { DynamoDbPauseSwitch } from '../../lambdas/adapters/dynamodb-pause-switch';
import { DynamoDbRefusalLog } from '../../lambdas/adapters/dynamodb-refusal-log';
import { auditTrail, type AuditEvent } from '../../lambdas/domain/audit-trail';
import { TargetSchema } from '../../lambdas/domain/config';
import type { LedgerEntry } from '../../lambdas/domain/model';
import type { ApprovalEvent } from '../../lambdas/domain/approval';
import { FLEET_SCOPE, type PauseEvent } from '../../lambdas/domain/pause';
import type { RefusalRecord } from '../../lambdas/domain/refusal-record';
import { InvalidInputError, parseWith } from '../../lambdas/domain/validation';
import { loadConfigFile } from '../config-file';
import type { CliIo } from '../io';
import { table } from '../render';
import { explained } from './aws-failure';
import { COMMAND_SUMMARIES } from './catalog';
import { DEFAULT_CONFIG_FILE } from './config-commands';
import { CREDENTIALS_NOTE, helpEpilogue } from './help';
import { locateTable, withTableOptions, type TableOptions } from './pause';
import type { CliServices } from './services';

interface HistoryOptions extends TableOptions {
  readonly target?: string;
  readonly config?: string;
  readonly since: string;
  readonly json?: boolean;
}

export const DEFAULT_SINCE = '24h';
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--since`: a span back from now (`90m`, `24h`, `7d`) or an ISO-8601 time; the start as an ISO time. */
export function sinceTime(text: string, now: Date): string {
  const span = /^(\d{1,6})([mhd])$/.exec(text.trim());
  if (span) return new Date(now.getTime() - Number(span[1]) * UNIT_MS[span[2] as keyof typeof UNIT_MS]).toISOString();
  if (/^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text))) return new Date(text).toISOString();
  throw new InvalidInputError('--since', `must be a span such as 90m, 24h or 7d, or an ISO-8601 time, got "${text}"`);
}

/** The targets to read: `--target`, else every target of the config file. */
function targetsOf(options: HistoryOptions, command: Command): string[] {
  if (options.target !== undefined) {
    if (options.config !== undefined) command.error('--target and --config both say which targets: give one');
    return [parseWith(TargetSchema.shape.name, options.target, '--target')];
  }
  const path = options.config ?? DEFAULT_CONFIG_FILE;
  if (options.config === undefined && !existsSync(path)) {
    command.error(`give --target <name>, or --config <file> for every target (no ${DEFAULT_CONFIG_FILE} here)`);
  }
  // Only the target names are read: the inventory's age, the one thing the time decides, is not.
  return loadConfigFile(path, '--config', new Date()).config.targets.map((t) => t.name);
}

function renderTrail(events: readonly AuditEvent[], since: string): string {
  if (events.length === 0) return `Nothing in the ledger since ${since}.\n`;
  const rows = events.map((e) => [
    e.at,
    e.target === FLEET_SCOPE ? '(every target)' : e.target,
    e.kind,
    e.what,
    e.operatorArn ? `${e.by} (${e.operatorArn})` : e.by,
    e.why ?? '',
  ]);
  return `${table(['at', 'target', 'what', 'detail', 'by', 'why'], rows)}\n`;
}

export function historyCommand(io: CliIo, services: CliServices): Command {
  return withTableOptions(
    new Command('history')
      .description(COMMAND_SUMMARIES.history)
      .option('-t, --target <name>', 'one target (default: every target of --config)')
      .option('-c, --config <file>', `StreamMedic config whose targets are read (default: ${DEFAULT_CONFIG_FILE})`)
      .option('--since <span>', 'how far back: 90m, 24h, 7d, or an ISO-8601 time', DEFAULT_SINCE)
      .option('--json', 'print the events as JSON'),
  )
    .addHelpText(
      'after',
      helpEpilogue(
        [
          'stream-medic history --target orders',
          'stream-medic history --config stream-medic.config.json --since 7d --json',
        ],
        [
          'Lists, oldest first, every change the workflow made (with its execution; a change that took back a',
          'harmful one is listed as a revert), every action a guardrail refused (with the guardrail, the',
          'reason and the run), every pause and resume, and',
          'every approval, denial and unanswered request (with who and why), within the ledger retention of 30',
          'days. Read-only. Calls made: cloudformation:DescribeStacks (unless --table), dynamodb:Query on the',
          'ledger, pause and approval items.',
          CREDENTIALS_NOTE,
        ],
      ),
    )
    .action(async (options: HistoryOptions, self: Command) => {
      const since = sinceTime(options.since, services.clock.now());
      const targets = targetsOf(options, self);
      const located = await locateTable(services, options, self);
      const ledger = new DynamoDbLedger(located.clients.dynamoDbDocument, { tableName: located.tableName });
      const pauses = new DynamoDbPauseSwitch(located.clients.dynamoDbDocument, { tableName: located.tableName });
      const query = { action: 'Query', iamAction: 'dynamodb:Query', resource: `table ${located.tableName}` };
      const approvals = new DynamoDbApprovals(located.clients.dynamoDbDocument, { tableName: located.tableName });
      const refusalLog = new DynamoDbRefusalLog(located.clients.dynamoDbDocument, { tableName: located.tableName });
      const changes: LedgerEntry[] = [];
      const switches: PauseEvent[] = [];
      const decisions: ApprovalEvent[] = [];
      const refusals: RefusalRecord[] = [];
      for (const target of targets) {
        changes.push(...(await explained(query, located.region, () => ledger.list(target, since))));
        refusals.push(...(await explained(query, located.region, () => refusalLog.list(target, since))));
        switches.push(...(await explained(query, located.region, () => pauses.events(target, since))));
        decisions.push(...(await explained(query, located.region, () => approvals.events(target, since))));
      }
      switches.push(...(await explained(query, located.region, () => pauses.events(FLEET_SCOPE, since))));
      const events = auditTrail(changes, switches, decisions, refusals);
      io.stdout(options.json ? `${JSON.stringify({ since, events }, null, 2)}\n` : renderTrail(events, since));
    });
}
