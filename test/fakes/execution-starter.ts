import type { ExecutionStarter } from '../../lambdas/ports';

/** Records every execution started; a name may be set to fail, as StartExecution can. */
export class FakeExecutionStarter implements ExecutionStarter {
  readonly started: { readonly name: string; readonly input: unknown }[] = [];
  private readonly failing = new Map<string, Error>();

  failFor(namePrefix: string, error: Error): this {
    this.failing.set(namePrefix, error);
    return this;
  }

  async start(input: unknown, name: string): Promise<{ readonly executionArn: string }> {
    for (const [prefix, error] of this.failing) if (name.startsWith(prefix)) throw error;
    this.started.push({ name, input });
    return { executionArn: `arn:aws:states:eu-west-1:123456789012:execution:StreamMedic:${name}` };
  }
}
