import { DescribeExecutionCommand, StartExecutionCommand, type DescribeExecutionOutput } from '@aws-sdk/client-sfn';
import { Command } from 'commander';
import { TargetSchema } from '../../lambdas/domain/config';
import type { Disposition } from '../../lambdas/domain/run-state';
import { describeStep, executionConsoleUrl, failureMessage, runOutcome } from '../../lambdas/domain/notification';
import { InvalidInputError, parseWith } from '../../lambdas/domain/validation';
import type { ManualInput } from '../../lambdas/workflow/input';
import { TASK_PAYLOADS, type TaskPayload } from '../../lambdas/workflow/task-payloads';
import type { CliIo } from '../io';
import { renderReport, styleFor } from '../render';
import { COMMAND_SUMMARIES } from './catalog';
import { CommandFailure, explained, type AwsCallContext } from './aws-failure';
import { CREDENTIALS_NOTE, helpEpilogue } from './help';
import { checkRegion } from './live-capture';
import { DEFAULT_STACK_NAME, stackOutput } from './stack-outputs';
import type { CliServices } from './services';
import { Spinner } from './spinner';

/** The stack output that holds the state machine's ARN (lib/stream-medic-stack.ts). */
export const STATE_MACHINE_OUTPUT_KEY = 'StateMachineArn';
/** How long `--wait` waits by default: a dry run takes seconds, a live run up to the workflow's timeout. */
export const DEFAULT_WAIT_SECONDS = 900;
/** Time between status checks; DescribeExecution's rate limit is far above one call per two seconds. */
export const POLL_INTERVAL_MS = 2_000;
/** Time between spinner frames on a terminal. */
const FRAME_MS = 250;

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):\d{12}:stateMachine:[^:\s]+$/;

interface RunOptions {
  readonly target: string;
  readonly dryRun?: boolean;
  readonly wait?: boolean;
  readonly timeout?: string;
  readonly stateMachineArn?: string;
  readonly stack?: string;
  readonly region?: string;
  readonly json?: boolean;
}

function manualInput(options: RunOptions): ManualInput {
  const name = parseWith(TargetSchema.shape.name, options.target, '--target');
  return { target: name, dryRun: options.dryRun === true };
}

function waitSeconds(options: RunOptions, command: Command): number {
  if (options.timeout === undefined) return DEFAULT_WAIT_SECONDS;
  if (!options.wait) command.error('--timeout applies to --wait');
  const seconds = /^\d+$/.test(options.timeout.trim()) ? Number(options.timeout) : Number.NaN;
  if (!Number.isInteger(seconds) || seconds < 1) {
    throw new InvalidInputError('--timeout', `must be a whole number of seconds, got "${options.timeout}"`);
  }
  return seconds;
}

/** The region a state machine ARN names; its executions are started and read there. */
function regionOfArn(arn: string): string {
  const region = STATE_MACHINE_ARN.exec(arn)?.[1];
  if (!region) {
    throw new InvalidInputError(
      '--state-machine-arn',
      `"${arn}" is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)`,
    );
  }
  return region;
}

interface Located {
  readonly stateMachineArn: string;
  readonly region: () => Promise<string | undefined>;
}

async function findStateMachine(
  services: CliServices,
  stackName: string,
  region: string | undefined,
): Promise<Located & { readonly clients: ReturnType<CliServices['awsClients']> }> {
  const found = await stackOutput(services, {
    stackName,
    ...(region !== undefined ? { region } : {}),
    outputKey: STATE_MACHINE_OUTPUT_KEY,
    alternative: 'the state machine with --state-machine-arn',
  });
  return { stateMachineArn: found.value, region: found.region, clients: found.clients };
}

/** Step Functions errors the port mapping has no name for, in words a person can act on. */
function explainStart(error: unknown, stateMachineArn: string): Error | undefined {
  const name = (error as Error | undefined)?.name;
  if (name === 'StateMachineDoesNotExist' || name === 'StateMachineDeleting') {
    return new CommandFailure(
      `state machine ${stateMachineArn} ${name === 'StateMachineDeleting' ? 'is being deleted' : 'does not exist'}: ` +
        'check --state-machine-arn, or let the stack outputs name it (--stack)',
      { cause: error },
    );
  }
  if (name === 'ExecutionLimitExceeded') {
    return new CommandFailure(
      `too many executions of ${stateMachineArn} are running (ExecutionLimitExceeded): wait for some to finish`,
      { cause: error },
    );
  }
  return undefined;
}

const DISPOSITION_TEXT: Readonly<Record<Disposition, string>> = {
  apply: 'the plan was applied',
  'dry-run': 'nothing was changed',
  'recommend-mode': 'mode "recommend": nothing was changed',
  'observe-mode': 'mode "observe": nothing was changed',
  'all-refused': 'every planned action was refused by a guardrail: nothing was changed',
  'nothing-to-do': 'no action needed: nothing was changed',
  paused: 'StreamMedic is paused: nothing was changed (stream-medic resume lifts the pause)',
  'awaiting-approval': 'the plan waits for approval (stream-medic approve or deny); nothing was changed',
};

function seconds(from: Date | undefined, to: Date | undefined): string {
  if (!from || !to) return '';
  return ` in ${Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000))} s`;
}

/** The workflow state the execution ended with; the notify task validates the same shape. */
type FinalState = TaskPayload<'notify'>;

function finalState(output: string | undefined, url: string): FinalState {
  let document: unknown;
  try {
    document = JSON.parse(output ?? '');
  } catch {
    throw new CommandFailure(`the execution succeeded but its output is not JSON; see ${url}`);
  }
  const result = TASK_PAYLOADS.notify.safeParse(document);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new CommandFailure(
      `the execution succeeded but its output is not in the shape this version reads (${issue.path.join('.') || '(root)'}: ${issue.message}); see ${url}`,
    );
  }
  return result.data;
}

/** What the run saw, planned and did, from the execution's output. */
function renderRun(state: FinalState, described: DescribeExecutionOutput, url: string, colour: boolean): string {
  const style = styleFor(colour);
  const out: string[] = [];
  out.push(
    `${style.bold('Execution')}  ${described.status}${seconds(described.startDate, described.stopDate)}: ${described.executionArn}`,
  );
  out.push(`           ${url}`, '');
  const assessment = state.assessment;
  if (assessment) out.push(renderReport(assessment.report, style).trimEnd(), '');
  const run = state.run;
  out.push(
    `${style.bold('Run')}        ${run.dryRun ? 'dry run' : 'live run'} of ${run.target}, mode ${run.config.mode}: ` +
      (assessment ? DISPOSITION_TEXT[assessment.disposition] : 'no assessment'),
  );
  const applied = state.apply?.progress.applied ?? [];
  if (applied.length > 0) {
    out.push(style.bold('Changes'));
    for (const step of applied) out.push(`  - ${describeStep(step.step)} at ${step.at}`);
  }
  const outcome = state.notification?.outcome ?? runOutcome(state);
  const reason = state.verification ? `: ${state.verification.reason}` : '';
  out.push(`${style.bold('Outcome')}    ${outcome}${reason}`);
  if (state.notification) out.push(`${style.bold('Notified')}   ${state.notification.subject}`);
  return `${out.join('\n')}\n`;
}

export function runCommand(io: CliIo, services: CliServices): Command {
  return new Command('run')
    .description(COMMAND_SUMMARIES.run)
    .requiredOption('-t, --target <name>', 'the configured target to run for')
    .option('--dry-run', 'diagnose and plan only: nothing is changed whatever the mode')
    .option('--wait', 'wait for the execution to end and print its diagnosis, plan and outcome')
    .option('--timeout <seconds>', `how long --wait waits (default ${DEFAULT_WAIT_SECONDS})`)
    .option('--state-machine-arn <arn>', 'the state machine to start (default: the stack output)')
    .option(
      '--stack <name>',
      `the deployed stack whose ${STATE_MACHINE_OUTPUT_KEY} output names the state machine`,
      DEFAULT_STACK_NAME,
    )
    .option('--region <region>', 'AWS region of the stack (default: the usual AWS sources)')
    .option('--json', 'print the execution (status, output, error) as JSON')
    .addHelpText(
      'after',
      helpEpilogue(
        [
          'stream-medic run --target orders --dry-run --wait',
          'stream-medic run --target orders --stack StreamMedic --region eu-west-1',
          'stream-medic run --target orders --dry-run --wait --state-machine-arn arn:aws:states:eu-west-1:123456789012:stateMachine:StreamMedic',
        ],
        [
          'The execution input is {"target": "<name>", "dryRun": true|false}. Without --dry-run the run may change',
          'the stream or application when the target is in mode "auto". Stopping --wait does not stop the',
          'execution. Calls made: cloudformation:DescribeStacks (unless --state-machine-arn),',
          'states:StartExecution, states:DescribeExecution.',
          CREDENTIALS_NOTE,
        ],
      ),
    )
    .action(async (options: RunOptions, self: Command) => {
      const input = manualInput(options);
      const region = checkRegion(options.region);
      if (options.stateMachineArn !== undefined && self.getOptionValueSource('stack') === 'cli') {
        self.error('--stack and --state-machine-arn both name the state machine: give one');
      }
      const timeoutMs = waitSeconds(options, self) * 1000;
      const located =
        options.stateMachineArn !== undefined
          ? fromArn(services, options.stateMachineArn)
          : await findStateMachine(services, options.stack ?? DEFAULT_STACK_NAME, region);
      const { stateMachineArn, clients } = located;
      const startCall: AwsCallContext = {
        action: 'StartExecution',
        iamAction: 'states:StartExecution',
        resource: `state machine ${stateMachineArn}`,
      };
      const started = await explained(startCall, located.region, async () => {
        try {
          return await clients.stepFunctions.send(
            new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }),
          );
        } catch (error) {
          throw explainStart(error, stateMachineArn) ?? error;
        }
      });
      const executionArn = started.executionArn ?? '';
      const url = executionConsoleUrl(executionArn) ?? executionArn;
      const kind = input.dryRun ? 'dry run' : 'live run';
      if (!options.wait) {
        io.stdout(
          options.json
            ? `${JSON.stringify({ executionArn, startDate: started.startDate?.toISOString() }, null, 2)}\n`
            : `Started a ${kind} of ${input.target}: ${executionArn}\n${url}\n`,
        );
        return;
      }
      io.stderr(`Started a ${kind} of ${input.target}: ${executionArn}\n`);
      const described = await waitForEnd(
        io,
        services,
        clients.stepFunctions,
        located.region,
        executionArn,
        timeoutMs,
        url,
      );
      const failed = described.status !== 'SUCCEEDED';
      const state = failed ? undefined : finalState(described.output, url);
      if (options.json) {
        io.stdout(
          `${JSON.stringify(
            {
              executionArn,
              status: described.status,
              startDate: described.startDate?.toISOString(),
              stopDate: described.stopDate?.toISOString(),
              ...(state ? { output: state } : {}),
              ...(described.error !== undefined ? { error: described.error } : {}),
              ...(described.cause !== undefined ? { cause: described.cause } : {}),
            },
            null,
            2,
          )}\n`,
        );
      }
      if (failed) throw endedBadly(described, input.target, url);
      if (state?.lock?.acquired === false) {
        throw new CommandFailure(
          `another run holds target "${input.target}", so this one did nothing; try again when it ends (${url})`,
        );
      }
      if (!options.json) {
        const { color } = self.optsWithGlobals<{ color?: boolean }>();
        io.stdout(renderRun(state!, described, url, io.isTTY && color !== false && !io.env['NO_COLOR']));
      }
    });
}

function fromArn(
  services: CliServices,
  arn: string,
): Located & { readonly clients: ReturnType<CliServices['awsClients']> } {
  const region = regionOfArn(arn);
  return { stateMachineArn: arn, region: () => Promise.resolve(region), clients: services.awsClients({ region }) };
}

/** Polls until the execution ends or `timeoutMs` of waiting has passed; the spinner shows it is alive. */
async function waitForEnd(
  io: CliIo,
  services: CliServices,
  stepFunctions: ReturnType<CliServices['awsClients']>['stepFunctions'],
  region: () => Promise<string | undefined>,
  executionArn: string,
  timeoutMs: number,
  url: string,
): Promise<DescribeExecutionOutput> {
  const spinner = new Spinner(io.stderr, io.isTTY);
  const call: AwsCallContext = {
    action: 'DescribeExecution',
    iamAction: 'states:DescribeExecution',
    resource: `execution ${executionArn}`,
  };
  // Waiting is counted in the time slept, so the bound holds however long each call takes.
  let waited = 0;
  let sinceCheck = POLL_INTERVAL_MS;
  let status = 'RUNNING';
  try {
    for (;;) {
      if (sinceCheck >= POLL_INTERVAL_MS) {
        const described = await explained(call, region, () =>
          stepFunctions.send(new DescribeExecutionCommand({ executionArn })),
        );
        status = described.status ?? 'RUNNING';
        if (status !== 'RUNNING' && status !== 'PENDING_REDRIVE') return described;
        sinceCheck = 0;
      }
      if (waited >= timeoutMs) {
        throw new CommandFailure(
          `stopped waiting after ${Math.round(waited / 1000)} s; the execution is still ${status} and carries on: ${url}`,
        );
      }
      spinner.update(`${status} ${Math.round(waited / 1000)} s`);
      const step = Math.min(io.isTTY ? FRAME_MS : POLL_INTERVAL_MS, timeoutMs - waited);
      await services.sleep(step);
      waited += step;
      sinceCheck += step;
    }
  } finally {
    spinner.clear();
  }
}

function endedBadly(described: DescribeExecutionOutput, target: string, url: string): Error {
  const message =
    described.error !== undefined || described.cause !== undefined
      ? failureMessage({ Error: described.error ?? 'unknown', ...(described.cause ? { Cause: described.cause } : {}) })
      : undefined;
  if (described.status === 'FAILED' && described.error === 'InvalidInputError' && message?.startsWith('target: ')) {
    // The workflow's intake refused the target: a name the deployed config does not have.
    return new InvalidInputError('--target', `the deployed workflow refused it: ${message.slice('target: '.length)}`);
  }
  const what =
    described.status === 'TIMED_OUT'
      ? 'timed out'
      : described.status === 'ABORTED'
        ? 'was stopped (ABORTED)'
        : `FAILED with ${described.error ?? 'an unknown error'}`;
  return new CommandFailure(
    `the run for "${target}" ${what}${message !== undefined ? `: ${message}` : ''}; see ${url}`,
  );
}
