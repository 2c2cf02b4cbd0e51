import type { Clock } from '../../lambdas/ports';

/** A clock that only moves when told to. */
export class FakeClock implements Clock {
  private current: number;

  constructor(start: string | Date = '2026-11-21T10:15:00.000Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(time: string | Date): void {
    this.current = new Date(time).getTime();
  }
}
