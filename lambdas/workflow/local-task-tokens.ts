/**
 * Task tokens for local runs: what Step Functions does for a `.waitForTaskToken` task, in memory. A
 * waiting task's token is issued here, and `sendTaskSuccess` / `sendTaskFailure` end its wait as the
 * AWS API does (a token that is not waiting, or no longer is, is refused with AWS's error names).
 */

/** How a wait for a token ended: the output sent with it, or the error and cause it failed with. */
export type TaskTokenOutcome = { readonly output: unknown } | { readonly error: string; readonly cause?: string };

/** A waiting task, as a listener learns of it. */
export interface IssuedToken {
  readonly token: string;
  readonly executionArn: string;
  readonly state: string;
}

/** An error named as Step Functions names it (TaskDoesNotExist, TaskTimedOut). */
export class TaskTokenError extends Error {
  constructor(name: 'TaskDoesNotExist' | 'TaskTimedOut', message: string) {
    super(message);
    this.name = name;
  }
}

export class LocalTaskTokens {
  private readonly waiting = new Map<
    string,
    {
      readonly outcome: Promise<TaskTokenOutcome>;
      readonly resolve: (outcome: TaskTokenOutcome) => void;
      onAnswered?: () => void;
    }
  >();
  private readonly expired = new Set<string>();
  private readonly answered = new Set<string>();
  private readonly listeners = new Set<(issued: IssuedToken) => void>();
  private issuedCount = 0;

  /** Calls `listener` with each token as its task starts waiting; returns a function that stops it. */
  onIssued(listener: (issued: IssuedToken) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A new token for a task about to run: from now on it may be answered. */
  issue(executionArn: string, state: string): string {
    this.issuedCount += 1;
    const token = `${executionArn}#${state}#${this.issuedCount}`;
    let resolve: (outcome: TaskTokenOutcome) => void = () => undefined;
    const outcome = new Promise<TaskTokenOutcome>((settle) => (resolve = settle));
    this.waiting.set(token, { outcome, resolve });
    return token;
  }

  /**
   * The token's outcome, once it is sent; the listeners hear that the task waits. `onAnswered` is
   * called within the send itself, before anything awaiting the outcome runs.
   */
  wait(issued: IssuedToken, onAnswered?: () => void): Promise<TaskTokenOutcome> {
    const entry = this.waiting.get(issued.token);
    if (!entry) throw new TaskTokenError('TaskDoesNotExist', `token ${issued.token} was not issued`);
    if (onAnswered) entry.onAnswered = onAnswered;
    for (const listener of this.listeners) listener(issued);
    return entry.outcome;
  }

  /** Whether the token is still waiting for its outcome. */
  isWaiting(token: string): boolean {
    return this.waiting.has(token) && !this.answered.has(token);
  }

  /** The wait timed out: the token can no longer be answered. */
  expire(token: string): void {
    this.waiting.delete(token);
    this.expired.add(token);
  }

  sendTaskSuccess(token: string, output: unknown): void {
    this.send(token, { output: JSON.parse(JSON.stringify(output ?? null)) as unknown });
  }

  sendTaskFailure(token: string, error: string, cause?: string): void {
    this.send(token, { error, ...(cause !== undefined ? { cause } : {}) });
  }

  private send(token: string, outcome: TaskTokenOutcome): void {
    if (this.expired.has(token)) throw new TaskTokenError('TaskTimedOut', `task ${token} has timed out`);
    const entry = this.waiting.get(token);
    if (!entry || this.answered.has(token))
      throw new TaskTokenError('TaskDoesNotExist', `no task waits on token ${token}`);
    this.answered.add(token);
    entry.resolve(outcome);
    entry.onAnswered?.();
  }
}
