import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CommandFailure, explained, regionOf, type AwsCallContext } from './aws-failure';
import type { CliAwsClients, CliServices } from './services';

/** The stack name `npx cdk deploy` uses unless `-c stackName=...` is given (bin/app.ts). */
export const DEFAULT_STACK_NAME = 'StreamMedic';

export interface StackOutput {
  readonly value: string;
  readonly clients: CliAwsClients;
  /** The region the clients call, for messages. */
  readonly region: () => Promise<string | undefined>;
}

/**
 * One output of the deployed StreamMedic stack (lib/stream-medic-stack.ts), read with DescribeStacks;
 * a missing stack or output fails with what to do about it, `alternative` naming the option that
 * gives the value directly.
 */
export async function stackOutput(
  services: CliServices,
  request: {
    readonly stackName: string;
    readonly region?: string;
    readonly outputKey: string;
    readonly alternative: string;
  },
): Promise<StackOutput> {
  const { stackName, region, outputKey, alternative } = request;
  const clients = services.awsClients(region !== undefined ? { region } : {});
  const regionFn = async () => region ?? (await regionOf(clients.cloudFormation));
  const call: AwsCallContext = {
    action: 'DescribeStacks',
    iamAction: 'cloudformation:DescribeStacks',
    resource: `stack "${stackName}"`,
  };
  const described = await explained(call, regionFn, async () => {
    try {
      return await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    } catch (error) {
      // CloudFormation reports a missing stack as a ValidationError, not as "not found".
      if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message)) {
        const where = await regionFn();
        throw new CommandFailure(
          `stack "${stackName}" was not found${where ? ` in ${where}` : ''}: deploy StreamMedic ` +
            `(npx cdk deploy -c config=stream-medic.config.json), or name the stack with --stack or ${alternative}`,
          { cause: error },
        );
      }
      throw error;
    }
  });
  const stack = described?.Stacks?.[0];
  const value = stack?.Outputs?.find((output) => output.OutputKey === outputKey)?.OutputValue;
  if (!value) {
    throw new CommandFailure(
      `stack "${stackName}" (${stack?.StackStatus ?? 'unknown status'}) has no ${outputKey} output: ` +
        `is it a StreamMedic stack, and has its deployment finished? Or give ${alternative}`,
    );
  }
  return { value, clients, region: regionFn };
}
