/**
 * `stream-medic approve` and `deny`: the decision on the plan a run of a target in mode `approve`
 * waits on. The waiting request (with its task token) is found by target in the ledger table, the
 * decision is sent to Step Functions with the operator's name, and recorded for the history.
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { Command } from 'commander';
import { DynamoDbApprovals } from '../../lambdas/adapters/dynamodb-approvals';
import {
  APPROVAL_DENIED_ERROR,
  denialCause,
  type ApprovalDecision,
  type ApprovalRequest,
} from '../../lambdas/domain/approval';
import { TargetSchema } from '../../lambdas/domain/config';
import { executionConsoleUrl } from '../../lambdas/domain/notification';
import { InvalidInputError, parseWith } from '../../lambdas/domain/validation';
import type { CliIo } from '../io';
import { CommandFailure, explained } from './aws-failure';
import { COMMAND_SUMMARIES } from './catalog';
import { CREDENTIALS_NOTE, helpEpilogue } from './help';
import { locateTable, operatorOn, withTableOptions, type TableOptions } from './pause';
import type { CliServices } from './services';

interface DecisionOptions extends TableOptions {
  readonly target: string;
  readonly reason?: string;
  readonly by?: string;
}

type Decision = 'approve' | 'deny';

/** Step Functions caps SendTaskFailure's `cause` at 32,768 characters; a reason is a sentence. */
const MAX_REASON_LENGTH = 300;

/** The two answers a token can no longer take, in words the operator can act on. */
function explainSend(error: unknown, request: ApprovalRequest): Error | undefined {
  const name = (error as Error | undefined)?.name;
  if (name === 'TaskTimedOut' || name === 'TaskDoesNotExist') {
    return new CommandFailure(
      `the run of "${request.target}" no longer waits for a decision (${name}): it timed out at ${request.timesOutAt} ` +
        `or was decided already; see ${executionConsoleUrl(request.executionId) ?? request.executionId}`,
      { cause: error },
    );
  }
  return undefined;
}

function decisionCommand(decision: Decision, io: CliIo, services: CliServices): Command {
  const command = withTableOptions(
    new Command(decision)
      .description(COMMAND_SUMMARIES[decision])
      .requiredOption('-t, --target <name>', 'the target whose run waits for a decision')
      .option('--reason <text>', decision === 'deny' ? 'why the plan is denied' : 'a note kept with the approval')
      .option('--by <name>', 'who decides, recorded next to your verified AWS identity (default: the local user name)'),
  );
  return command
    .addHelpText(
      'after',
      helpEpilogue(
        [
          `stream-medic ${decision} --target orders`,
          `stream-medic ${decision} --target orders --by alice --region eu-west-1`,
        ],
        [
          decision === 'approve'
            ? 'The run re-assesses the target first and applies the plan only if it is still the one approved;'
            : 'The run changes nothing, records the denial and tells on-call.',
          ...(decision === 'approve' ? ['a plan that changed in the meantime is sent for approval again.'] : []),
          `Calls made: cloudformation:DescribeStacks (unless --table), sts:GetCallerIdentity (recorded as who`,
          `decided, next to --by), dynamodb:GetItem, dynamodb:PutItem and`,
          `dynamodb:DeleteItem on the approval items, states:${decision === 'approve' ? 'SendTaskSuccess' : 'SendTaskFailure'}.`,
          CREDENTIALS_NOTE,
        ],
      ),
    )
    .action(async (options: DecisionOptions, self: Command) => {
      const target = parseWith(TargetSchema.shape.name, options.target, '--target');
      const reason = options.reason?.trim();
      if (options.reason !== undefined && !reason) throw new InvalidInputError('--reason', 'must not be empty');
      if (reason && reason.length > MAX_REASON_LENGTH) {
        throw new InvalidInputError(
          '--reason',
          `must be at most ${MAX_REASON_LENGTH} characters, got ${reason.length}`,
        );
      }
      const located = await locateTable(services, options, self);
      const { by, operatorArn } = await operatorOn(located, options, io);
      const approvals = new DynamoDbApprovals(located.clients.dynamoDbDocument, { tableName: located.tableName });
      const table = { iamAction: 'dynamodb:GetItem', resource: `table ${located.tableName}` };
      const request = await explained({ action: 'GetItem', ...table }, located.region, () => approvals.waiting(target));
      if (!request) throw new CommandFailure(`no run of "${target}" waits for a decision`);
      const at = services.clock.now().toISOString();
      const stepFunctions = located.clients.stepFunctions;
      const send = decision === 'approve' ? 'SendTaskSuccess' : 'SendTaskFailure';
      await explained(
        { action: send, iamAction: `states:${send}`, resource: `the run of "${target}"` },
        located.region,
        async () => {
          try {
            if (decision === 'approve') {
              const output: ApprovalDecision = { decision: 'approved', by, operatorArn, at };
              await stepFunctions.send(
                new SendTaskSuccessCommand({ taskToken: request.taskToken, output: JSON.stringify(output) }),
              );
            } else {
              await stepFunctions.send(
                new SendTaskFailureCommand({
                  taskToken: request.taskToken,
                  error: APPROVAL_DENIED_ERROR,
                  cause: denialCause(by, reason, operatorArn),
                }),
              );
            }
          } catch (error) {
            throw explainSend(error, request) ?? error;
          }
        },
      );
      await explained({ action: 'PutItem', ...table, iamAction: 'dynamodb:PutItem' }, located.region, () =>
        approvals.close(
          {
            outcome: decision === 'approve' ? 'approved' : 'denied',
            target,
            executionId: request.executionId,
            by,
            operatorArn,
            ...(reason ? { reason } : {}),
            at,
          },
          request.taskToken,
        ),
      );
      io.stdout(
        decision === 'approve'
          ? `Approved the plan of ${target} as ${by} (${operatorArn}): ${request.plan.join('; ')}. The run re-assesses and applies it if unchanged.\n`
          : `Denied the plan of ${target} as ${by} (${operatorArn}); nothing is changed.\n`,
      );
    });
}

export function approveCommand(io: CliIo, services: CliServices): Command {
  return decisionCommand('approve', io, services);
}

export function denyCommand(io: CliIo, services: CliServices): Command {
  return decisionCommand('deny', io, services);
}
