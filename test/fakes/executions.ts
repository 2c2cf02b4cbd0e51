import type { ExecutionReader } from '../../lambdas/ports';

/** Executions' inputs by ARN, as DescribeExecution would return them; records every ARN asked for. */
export class FakeExecutionReader implements ExecutionReader {
  readonly asked: string[] = [];
  constructor(private readonly inputs: Readonly<Record<string, string>>) {}

  async inputOf(executionArn: string): Promise<string> {
    this.asked.push(executionArn);
    const input = this.inputs[executionArn];
    if (input === undefined) throw new Error(`no execution ${executionArn}`);
    return input;
  }
}
