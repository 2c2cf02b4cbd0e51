/**
 * Failures queued per method: the next call of that method throws the error instead of running.
 * Lets a test make one call fail once (a retry then succeeds) or every time.
 */
export class FailureQueue<M extends string> {
  private readonly queued = new Map<M, Error[]>();
  private readonly always = new Map<M, Error>();

  /** The next `times` calls of `method` throw `error`. */
  failNext(method: M, error: Error, times = 1): void {
    const list = this.queued.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(error);
    this.queued.set(method, list);
  }

  /** Every call of `method` throws `error` from now on. */
  failAlways(method: M, error: Error): void {
    this.always.set(method, error);
  }

  throwIfQueued(method: M): void {
    const always = this.always.get(method);
    if (always) throw always;
    const next = this.queued.get(method)?.shift();
    if (next) throw next;
  }
}
