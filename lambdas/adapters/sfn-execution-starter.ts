import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { ResourceNotFoundError } from '../ports/errors';
import type { ExecutionStarter } from '../ports';
import { callAws } from './aws-call';

/** Starts executions of one state machine with StartExecution. */
export class SfnExecutionStarter implements ExecutionStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {
    if (!stateMachineArn) throw new Error('stateMachineArn must not be empty');
  }

  async start(input: unknown, name: string): Promise<{ readonly executionArn: string }> {
    const context = { action: 'StartExecution', resource: `${this.stateMachineArn}/${name}` };
    const started = await callAws(context, () =>
      this.client.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }),
      ),
    );
    if (typeof started.executionArn !== 'string') {
      throw new ResourceNotFoundError('StartExecution returned no execution ARN', context);
    }
    return { executionArn: started.executionArn };
  }
}
