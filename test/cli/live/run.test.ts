import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeExecutionCommand,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import { renderReport, styleFor } from '../../../cli/render';
import type { ApplyLoop } from '../../../lambdas/workflow/state';
import type { Report } from '../../../lambdas/domain/model';
import { describeStep } from '../../../lambdas/domain/notification';
import { hasAnsi } from '../support/cli-harness';
import { EXECUTION_ARN, STATE_MACHINE_ARN, finalStateFor } from './support/execution-output';
import { callCount, liveRun, mockedAws, serviceError, type MockedAws } from './support/live-harness';

const CONSOLE_URL = `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${EXECUTION_ARN}`;
const START = new Date('2026-11-21T10:15:30.000Z');
const STOP = new Date('2026-11-21T10:15:44.000Z');

function deployed(): MockedAws {
  const aws = mockedAws();
  aws.cloudFormation.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'StreamMedic',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: START,
        Outputs: [
          { OutputKey: 'TopicArn', OutputValue: 'arn:aws:sns:eu-west-1:123456789012:StreamMedic' },
          { OutputKey: 'StateMachineArn', OutputValue: STATE_MACHINE_ARN },
        ],
      },
    ],
  });
  aws.stepFunctions.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: START });
  return aws;
}

/** DescribeExecution answers: RUNNING `running` times, then the given ending. */
function executionEnds(aws: MockedAws, running: number, ending: Partial<DescribeExecutionCommandOutput>): void {
  const base = { executionArn: EXECUTION_ARN, stateMachineArn: STATE_MACHINE_ARN, startDate: START, $metadata: {} };
  const stub = aws.stepFunctions.on(DescribeExecutionCommand);
  for (let i = 0; i < running; i++) stub.resolvesOnce({ ...base, status: 'RUNNING' });
  stub.resolves({ ...base, stopDate: STOP, ...ending } as DescribeExecutionCommandOutput);
}

function succeeded(state: Record<string, unknown>): Partial<DescribeExecutionCommandOutput> {
  return { status: 'SUCCEEDED', output: JSON.stringify(state) };
}

describe('stream-medic run: starting the workflow', () => {
  it('finds the state machine in the stack outputs and starts it with the manual dry-run input', async () => {
    const aws = deployed();

    const result = await liveRun(['run', '--target', 'orders', '--dry-run'], aws.factory);

    expect(result.code).toBe(0);
    expect(aws.cloudFormation.commandCalls(DescribeStacksCommand)[0]!.args[0].input).toStrictEqual({
      StackName: 'StreamMedic',
    });
    const start = aws.stepFunctions.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(JSON.parse(start.input!)).toStrictEqual({ target: 'orders', dryRun: true });
  });

  it('prints the execution and its console page without --wait, and does not poll', async () => {
    const aws = deployed();

    const result = await liveRun(['run', '--target', 'orders', '--dry-run'], aws.factory);

    expect(result.stdout).toBe(`Started a dry run of orders: ${EXECUTION_ARN}\n${CONSOLE_URL}\n`);
    expect(aws.stepFunctions.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  it('starts a live run without --dry-run', async () => {
    const aws = deployed();

    const result = await liveRun(['run', '--target', 'orders'], aws.factory);

    const start = aws.stepFunctions.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(JSON.parse(start.input!)).toStrictEqual({ target: 'orders', dryRun: false });
    expect(result.stdout).toContain('Started a live run of orders');
  });

  it('reads the named stack in the region given', async () => {
    const aws = deployed();

    await liveRun(['run', '-t', 'orders', '--stack', 'StreamMedicProd', '--region', 'us-east-2'], aws.factory);

    expect(aws.cloudFormation.commandCalls(DescribeStacksCommand)[0]!.args[0].input.StackName).toBe('StreamMedicProd');
    expect(aws.requests).toStrictEqual([{ region: 'us-east-2' }]);
  });

  it("uses --state-machine-arn as given, in the ARN's region, without reading the stack", async () => {
    const aws = deployed();
    const arn = 'arn:aws:states:ap-south-1:123456789012:stateMachine:Other';

    await liveRun(['run', '-t', 'orders', '--state-machine-arn', arn], aws.factory);

    expect(aws.cloudFormation.calls()).toHaveLength(0);
    expect(aws.stepFunctions.commandCalls(StartExecutionCommand)[0]!.args[0].input.stateMachineArn).toBe(arn);
    expect(aws.requests).toStrictEqual([{ region: 'ap-south-1' }]);
  });

  it('prints the execution as JSON with --json', async () => {
    const aws = deployed();

    const result = await liveRun(['run', '-t', 'orders', '--json'], aws.factory);

    expect(JSON.parse(result.stdout)).toStrictEqual({ executionArn: EXECUTION_ARN, startDate: START.toISOString() });
  });
});

describe('stream-medic run --wait', () => {
  it('polls until the execution ends, then prints the diagnosis, the plan and the outcome', async () => {
    const aws = deployed();
    const state = finalStateFor({ target: 'orders', dryRun: true });
    executionEnds(aws, 2, succeeded(state));
    const waits: number[] = [];

    const result = await liveRun(['run', '-t', 'orders', '--dry-run', '--wait'], aws.factory, {
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });

    expect(result.code).toBe(0);
    expect(aws.stepFunctions.commandCalls(DescribeExecutionCommand).map((c) => c.args[0].input)).toStrictEqual(
      Array.from({ length: 3 }, () => ({ executionArn: EXECUTION_ARN })),
    );
    expect(waits).toStrictEqual([2000, 2000]);
    const report = (state['assessment'] as { report: Report }).report;
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`Execution  SUCCEEDED in 14 s: ${EXECUTION_ARN}`);
    expect(lines[1]).toBe(`           ${CONSOLE_URL}`);
    expect(result.stdout).toContain(renderReport(report, styleFor(false)));
    expect(result.stdout).toContain('Run        dry run of orders, mode auto: nothing was changed\n');
    expect(result.stdout).toContain('Outcome    dry-run\n');
    expect(result.stdout).toMatch(/Notified {3}Dry run \| StreamMedic orders: CONSUMER_COMPUTE \(critical\) - /);
    expect(result.stderr).toBe(`Started a dry run of orders: ${EXECUTION_ARN}\n`);
  });

  it('lists the changes a live run made and how the verification judged them', async () => {
    const aws = deployed();
    const state = finalStateFor({ target: 'orders', dryRun: false }, { applied: true });
    executionEnds(aws, 0, succeeded(state));

    const result = await liveRun(['run', '-t', 'orders', '--wait'], aws.factory);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Run        live run of orders, mode auto: the plan was applied\n');
    const applied = (state['apply'] as ApplyLoop).progress.applied;
    expect(applied.length).toBeGreaterThan(1);
    expect(result.stdout).toContain(
      ['Changes', ...applied.map((a) => `  - ${describeStep(a.step)} at ${a.at}`), ''].join('\n'),
    );
    expect(result.stdout).toContain('Outcome    improving: CONSUMER_COMPUTE is still found but easing');
  });

  it('draws a spinner on stderr on a terminal, and clears it', async () => {
    const aws = deployed();
    executionEnds(aws, 1, succeeded(finalStateFor({ target: 'orders', dryRun: true })));

    const result = await liveRun(['run', '-t', 'orders', '--dry-run', '--wait'], aws.factory, { isTTY: true });

    expect(result.stderr).toContain('\r\u001b[2K⠋ RUNNING 0 s');
    expect(result.stderr).toContain('RUNNING 1 s');
    expect(result.stderr.endsWith('\r\u001b[2K')).toBe(true);
    expect(hasAnsi(result.stdout)).toBe(true);
  });

  it('draws nothing but one line on stderr when not on a terminal', async () => {
    const aws = deployed();
    executionEnds(aws, 3, succeeded(finalStateFor({ target: 'orders', dryRun: true })));

    const result = await liveRun(['run', '-t', 'orders', '--dry-run', '--wait'], aws.factory);

    expect(result.stderr).toBe(`Started a dry run of orders: ${EXECUTION_ARN}\n`);
    expect(hasAnsi(result.stdout)).toBe(false);
  });

  it('stops waiting after --timeout seconds of waiting, says the execution carries on, and exits 1', async () => {
    const aws = deployed();
    executionEnds(aws, 1000, succeeded(finalStateFor({ target: 'orders', dryRun: true })));
    let slept = 0;

    const result = await liveRun(['run', '-t', 'orders', '--dry-run', '--wait', '--timeout', '7'], aws.factory, {
      sleep: (ms) => {
        slept += ms;
        return Promise.resolve();
      },
    });

    expect(result.code).toBe(1);
    expect(slept).toBe(7000);
    expect(result.stderr).toContain(
      `stream-medic: stopped waiting after 7 s; the execution is still RUNNING and carries on: ${CONSOLE_URL}\n`,
    );
    expect(result.stdout).toBe('');
  });

  it('prints the execution and its final state as JSON with --json', async () => {
    const aws = deployed();
    const state = finalStateFor({ target: 'orders', dryRun: true });
    executionEnds(aws, 0, succeeded(state));

    const result = await liveRun(['run', '-t', 'orders', '--dry-run', '--wait', '--json'], aws.factory);

    expect(JSON.parse(result.stdout)).toStrictEqual({
      executionArn: EXECUTION_ARN,
      status: 'SUCCEEDED',
      startDate: START.toISOString(),
      stopDate: STOP.toISOString(),
      output: JSON.parse(JSON.stringify(state)),
    });
  });
});

describe('stream-medic run --wait: runs that did not succeed', () => {
  it.each<[string, Partial<DescribeExecutionCommandOutput>, number, string]>([
    [
      'a failed step, with the Lambda error message from the cause',
      {
        status: 'FAILED',
        error: 'ThrottlingError',
        cause: JSON.stringify({
          errorType: 'ThrottlingError',
          errorMessage: 'GetMetricData on 23 metric queries: Rate exceeded',
          trace: ['at x'],
        }),
      },
      1,
      `stream-medic: the run for "orders" FAILED with ThrottlingError: GetMetricData on 23 metric queries: Rate exceeded; see ${CONSOLE_URL}`,
    ],
    [
      'a target the deployed config does not have (bad input)',
      {
        status: 'FAILED',
        error: 'InvalidInputError',
        cause: JSON.stringify({
          errorType: 'InvalidInputError',
          errorMessage: 'target: no target named "orders" is configured (known: "payments")',
        }),
      },
      2,
      'stream-medic: --target: the deployed workflow refused it: no target named "orders" is configured (known: "payments")',
    ],
    [
      'a run that timed out',
      { status: 'TIMED_OUT', error: 'States.Timeout' },
      1,
      `stream-medic: the run for "orders" timed out: no cause given; see ${CONSOLE_URL}`,
    ],
    [
      'a run someone stopped',
      { status: 'ABORTED' },
      1,
      `stream-medic: the run for "orders" was stopped (ABORTED); see`,
    ],
  ])('%s', async (_case, ending, code, message) => {
    const aws = deployed();
    executionEnds(aws, 1, ending);

    const result = await liveRun(['run', '-t', 'orders', '--wait'], aws.factory);

    expect(result.code).toBe(code);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[1]).toContain(message);
  });

  it('reports a target another run holds', async () => {
    const aws = deployed();
    const state = finalStateFor({ target: 'orders', dryRun: true });
    executionEnds(aws, 0, succeeded({ run: state['run'], lock: { acquired: false } }));

    const result = await liveRun(['run', '-t', 'orders', '--dry-run', '--wait'], aws.factory);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('stream-medic: another run holds target "orders", so this one did nothing');
  });

  it('reports output it cannot read instead of printing half a report', async () => {
    const aws = deployed();
    executionEnds(aws, 0, { status: 'SUCCEEDED', output: JSON.stringify({ run: { target: 'orders' } }) });

    const result = await liveRun(['run', '-t', 'orders', '--dry-run', '--wait'], aws.factory);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      'stream-medic: the execution succeeded but its output is not in the shape this version reads (run.',
    );
  });
});

describe('stream-medic run: errors a person can act on', () => {
  it.each<[string, (aws: MockedAws) => void, string]>([
    [
      'a stack that is not deployed',
      (aws) =>
        aws.cloudFormation
          .on(DescribeStacksCommand)
          .rejects(serviceError('ValidationError', 'Stack with id StreamMedic does not exist')),
      'stream-medic: stack "StreamMedic" was not found in eu-west-1: deploy StreamMedic (npx cdk deploy -c config=stream-medic.config.json), or name the stack with --stack or the state machine with --state-machine-arn',
    ],
    [
      'a stack without the output',
      (aws) =>
        aws.cloudFormation
          .on(DescribeStacksCommand)
          .resolves({ Stacks: [{ StackName: 'StreamMedic', StackStatus: 'CREATE_IN_PROGRESS', CreationTime: START }] }),
      'stream-medic: stack "StreamMedic" (CREATE_IN_PROGRESS) has no StateMachineArn output',
    ],
    [
      'no cloudformation:DescribeStacks permission',
      (aws) =>
        aws.cloudFormation.on(DescribeStacksCommand).rejects(serviceError('AccessDenied', 'not authorized', 403)),
      'stream-medic: access denied: these credentials may not call cloudformation:DescribeStacks for stack "StreamMedic" in eu-west-1',
    ],
    [
      'no states:StartExecution permission',
      (aws) =>
        aws.stepFunctions.on(StartExecutionCommand).rejects(serviceError('AccessDeniedException', 'not authorized')),
      `stream-medic: access denied: these credentials may not call states:StartExecution for state machine ${STATE_MACHINE_ARN}`,
    ],
    [
      'a state machine that is gone',
      (aws) =>
        aws.stepFunctions
          .on(StartExecutionCommand)
          .rejects(serviceError('StateMachineDoesNotExist', 'State Machine Does Not Exist')),
      `stream-medic: state machine ${STATE_MACHINE_ARN} does not exist: check --state-machine-arn`,
    ],
    [
      'no credentials',
      (aws) =>
        aws.cloudFormation.on(DescribeStacksCommand).rejects(
          Object.assign(new Error('Could not load credentials from any providers'), {
            name: 'CredentialsProviderError',
          }),
        ),
      'stream-medic: no AWS credentials found',
    ],
  ])('%s (exit 1)', async (_case, arrange, message) => {
    const aws = deployed();
    arrange(aws);

    const result = await liveRun(['run', '-t', 'orders', '--dry-run', '--wait'], aws.factory);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^stream-medic: [^\n]+\n$/);
    expect(result.stderr).toContain(message);
  });

  it('reports throttling of the status checks, with where to follow the execution', async () => {
    const aws = deployed();
    aws.stepFunctions
      .on(DescribeExecutionCommand)
      .rejects(serviceError('ThrottlingException', 'Rate exceeded', 400, 5));

    const result = await liveRun(['run', '-t', 'orders', '--wait'], aws.factory);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `stream-medic: AWS throttled DescribeExecution for execution ${EXECUTION_ARN} after 5 attempts with backoff`,
    );
  });

  it.each<[string, string[], string]>([
    ['no --target', [], "required option '-t, --target <name>' not specified"],
    [
      'a target name the config could not have',
      ['-t', 'orders stream'],
      '--target: letters, digits, "-", "_" and "." only',
    ],
    [
      'a bad state machine ARN',
      ['-t', 'orders', '--state-machine-arn', 'StreamMedic'],
      '--state-machine-arn: "StreamMedic" is not a state machine ARN',
    ],
    [
      'both --stack and --state-machine-arn',
      ['-t', 'orders', '--stack', 'S', '--state-machine-arn', STATE_MACHINE_ARN],
      '--stack and --state-machine-arn both name the state machine: give one',
    ],
    ['--timeout without --wait', ['-t', 'orders', '--timeout', '60'], '--timeout applies to --wait'],
    [
      'a --timeout that is not a number',
      ['-t', 'orders', '--wait', '--timeout', 'soon'],
      '--timeout: must be a whole number of seconds',
    ],
    ['a bad --region', ['-t', 'orders', '--region', 'EU'], '--region: "EU" is not a region name'],
  ])('refuses %s (exit 2, no AWS call)', async (_case, args, message) => {
    const aws = deployed();

    const result = await liveRun(['run', ...args], aws.factory);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`stream-medic: ${message}`);
    expect(callCount(aws)).toBe(0);
  });
});
