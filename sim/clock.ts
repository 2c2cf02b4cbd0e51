import type { Clock } from '../lambdas/ports';

/**
 * Simulated time. Nothing in the simulator sleeps: the world moves this clock forward as it
 * simulates, and every port reads "now" from it, so hours pass in milliseconds of real time.
 */
export class VirtualClock implements Clock {
  private current: number;

  constructor(start: Date | number) {
    this.current = typeof start === 'number' ? start : start.getTime();
    if (!Number.isFinite(this.current)) throw new Error(`start must be a valid time, got ${String(start)}`);
  }

  now(): Date {
    return new Date(this.current);
  }

  nowMs(): number {
    return this.current;
  }

  /** Moves time forward to `ms`; time never runs backwards, because the models only integrate forwards. */
  advanceTo(ms: number): void {
    if (!(ms >= this.current)) {
      throw new Error(
        `the clock cannot go back from ${new Date(this.current).toISOString()} to ${new Date(ms).toISOString()}`,
      );
    }
    this.current = ms;
  }
}
