import { ExecutionScheduler, StuckExecutionError } from '../../../sim/run/execution-scheduler';

/** A clock the test moves, and a scheduler on it. */
function setup() {
  let now = 0;
  const scheduler = new ExecutionScheduler(() => now, 50);
  return { scheduler, setNow: (ms: number) => (now = ms), log: [] as string[] };
}

describe('ExecutionScheduler', () => {
  it('is idle once every execution sleeps, and wakes each only when the clock reaches its time', async () => {
    const { scheduler, setNow, log } = setup();
    void scheduler.start(async () => {
      log.push('a starts');
      await scheduler.sleep(30_000);
      log.push('a wakes');
    });
    void scheduler.start(async () => {
      log.push('b starts');
      await scheduler.sleep(10_000);
      log.push('b wakes');
      await scheduler.sleep(60_000);
      log.push('b wakes again');
    });
    await scheduler.idle();
    expect(log).toEqual(['a starts', 'b starts']);
    expect(scheduler.nextWake()).toBe(10_000);

    setNow(9_999);
    await scheduler.wakeDue();
    expect(log).toEqual(['a starts', 'b starts']);

    setNow(10_000);
    await scheduler.wakeDue();
    expect(log).toEqual(['a starts', 'b starts', 'b wakes']);
    expect(scheduler.nextWake()).toBe(30_000);

    setNow(70_000);
    await scheduler.wakeDue();
    expect(log).toEqual(['a starts', 'b starts', 'b wakes', 'a wakes', 'b wakes again']);
    expect(scheduler.activeExecutions).toBe(0);
    expect(scheduler.nextWake()).toBeUndefined();
  });

  it('wakes executions due at the same instant in the order they fell asleep, each until it sleeps again', async () => {
    const { scheduler, setNow, log } = setup();
    for (const name of ['first', 'second', 'third']) {
      void scheduler.start(async () => {
        await scheduler.sleep(5_000);
        log.push(`${name} runs`);
        await scheduler.sleep(1_000);
        log.push(`${name} ends`);
      });
    }
    await scheduler.idle();
    setNow(5_000);
    await scheduler.wakeDue();
    expect(log).toEqual(['first runs', 'second runs', 'third runs']);
    setNow(6_000);
    await scheduler.wakeDue();
    expect(log.slice(3)).toEqual(['first ends', 'second ends', 'third ends']);
  });

  it('does not yield for a sleep of no time', async () => {
    const { scheduler, log } = setup();
    void scheduler.start(async () => {
      await scheduler.sleep(0);
      log.push('went on');
    });
    await scheduler.idle();
    expect(log).toEqual(['went on']);
    expect(scheduler.activeExecutions).toBe(0);
  });

  it('gives up on an execution that waits on something other than the simulated clock', async () => {
    const { scheduler } = setup();
    void scheduler.start(() => new Promise<void>(() => undefined));
    await expect(scheduler.idle()).rejects.toBeInstanceOf(StuckExecutionError);
  });
});
