/**
 * Runs workflow executions on the world's clock. An execution runs (in microtasks, never on a real
 * timer) until it has to let simulated time pass: then it sleeps here until the player has moved the
 * world far enough and wakes it. The player only moves the world while every execution sleeps, so
 * what each one sees does not depend on how fast the machine is.
 */

interface Sleeper {
  readonly wakeAt: number;
  /** Order of falling asleep: executions due at the same instant wake in that order. */
  readonly order: number;
  readonly wake: () => void;
}

/** Real time after which an execution that neither sleeps nor ends counts as stuck. */
const DEFAULT_STUCK_AFTER_MS = 10_000;

/** An execution that neither waits on the simulated clock nor ends: something awaits real time. */
export class StuckExecutionError extends Error {
  override readonly name = 'StuckExecutionError';
}

export class ExecutionScheduler {
  /** Executions started or woken that have not yet gone back to sleep or ended. */
  private running = 0;
  private active = 0;
  private order = 0;
  private sleepers: Sleeper[] = [];
  private idleWaiters: (() => void)[] = [];

  /**
   * @param now the world's clock, epoch ms
   * @param stuckAfterMs real time after which {@link idle} gives up on an execution that neither sleeps nor ends
   */
  constructor(
    private readonly now: () => number,
    private readonly stuckAfterMs = DEFAULT_STUCK_AFTER_MS,
  ) {}

  /** Executions that have started and not ended. */
  get activeExecutions(): number {
    return this.active;
  }

  /** When the earliest sleeping execution is due, if any sleeps. */
  nextWake(): number | undefined {
    return this.sleepers[0]?.wakeAt;
  }

  /** Starts an execution; it runs until it sleeps or ends. */
  start<T>(execution: () => Promise<T>): Promise<T> {
    this.running += 1;
    this.active += 1;
    const done = (): void => {
      this.active -= 1;
      this.settled();
    };
    return execution().then(
      (value) => {
        done();
        return value;
      },
      (error: unknown) => {
        done();
        throw error;
      },
    );
  }

  /**
   * Called by an execution: resolves once the world's clock has moved `ms` on, or as soon as `early`
   * aborts (a task token answered while the world moves): the execution then counts as running
   * again at once, so the player waits for it before moving the world further.
   */
  sleep(ms: number, early?: AbortSignal): Promise<void> {
    if (!(ms > 0) || early?.aborted) return Promise.resolve();
    return new Promise((wake) => {
      const sleeper: Sleeper = { wakeAt: this.now() + ms, order: this.order++, wake };
      const at = this.sleepers.findIndex((s) => s.wakeAt > sleeper.wakeAt);
      if (at < 0) this.sleepers.push(sleeper);
      else this.sleepers.splice(at, 0, sleeper);
      early?.addEventListener(
        'abort',
        () => {
          const index = this.sleepers.indexOf(sleeper);
          if (index < 0) return;
          this.sleepers.splice(index, 1);
          this.running += 1;
          wake();
        },
        { once: true },
      );
      this.settled();
    });
  }

  /** Resolves when every execution sleeps or has ended. */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const watchdog = setTimeout(() => {
        reject(
          new StuckExecutionError(
            `an execution neither slept on the simulated clock nor ended in ${this.stuckAfterMs} ms of real time`,
          ),
        );
      }, this.stuckAfterMs);
      this.idleWaiters.push(() => {
        clearTimeout(watchdog);
        resolve();
      });
    });
  }

  /** Wakes the executions due by now, one at a time in the order they are due, each until it sleeps again. */
  async wakeDue(): Promise<void> {
    const now = this.now();
    while (this.sleepers.length > 0 && this.sleepers[0]!.wakeAt <= now) {
      const sleeper = this.sleepers.shift()!;
      this.running += 1;
      sleeper.wake();
      await this.idle();
    }
  }

  private settled(): void {
    this.running -= 1;
    if (this.running > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
