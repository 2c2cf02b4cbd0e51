import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { ResourceNotFoundError } from '../ports/errors';
import type { ExecutionStarter } from '../ports';
import { callAws } from './aws-call';

/**
 * Starts executions of one state machine with StartExecution. A name already used answers
 * ExecutionAlreadyExists once that execution has closed (and for another input while it runs): the
 * run was started, by an earlier delivery of the same sweep, so its ARN is returned as started.
 */
export class SfnExecutionStarter implements ExecutionStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {
    if (!stateMachineArn) throw new Error('stateMachineArn must not be empty');
  }

  async start(input: unknown, name: string): Promise<{ readonly executionArn: string }> {
    const context = { action: 'StartExecution', resource: `${this.stateMachineArn}/${name}` };
    const started = await callAws(context, async () => {
      try {
        return await this.client.send(
          new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }),
        );
      } catch (error) {
        if ((error as Error).name === 'ExecutionAlreadyExists') return { executionArn: this.executionArnOf(name) };
        throw error;
      }
    });
    if (typeof started.executionArn !== 'string') {
      throw new ResourceNotFoundError('StartExecution returned no execution ARN', context);
    }
    return { executionArn: started.executionArn };
  }

  /** `arn:<partition>:states:<region>:<account>:execution:<state machine>:<name>`. */
  private executionArnOf(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }
}
