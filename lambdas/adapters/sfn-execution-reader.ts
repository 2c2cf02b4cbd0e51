import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { ResourceNotFoundError } from '../ports/errors';
import type { ExecutionReader } from '../ports';
import { callAws } from './aws-call';

/**
 * Reads an execution's input with DescribeExecution. Used when an execution status change event left
 * the input out (input and output together past EventBridge's 248 KB).
 */
export class SfnExecutionReader implements ExecutionReader {
  constructor(private readonly client: SFNClient) {}

  async inputOf(executionArn: string): Promise<string> {
    const context = { action: 'DescribeExecution', resource: executionArn };
    const described = await callAws(context, () => this.client.send(new DescribeExecutionCommand({ executionArn })));
    if (typeof described.input !== 'string') {
      throw new ResourceNotFoundError('DescribeExecution returned no input for the execution', context);
    }
    return described.input;
  }
}
