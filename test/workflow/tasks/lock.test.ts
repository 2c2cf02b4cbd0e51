import { createLockTask, createUnlockTask } from '../../../lambdas/workflow/tasks/lock';
import { InMemoryFleetSlots, InMemoryTurnedAwayLog } from '../../../sim/adapters';
import { FakeClock } from '../../fakes/clock';
import { runContext } from '../../fakes/runs';
import { InMemoryTargetLock } from '../../fakes/target-lock';
import { RecordingTelemetry } from '../../fakes/telemetry';

function setUp() {
  const clock = new FakeClock();
  const lock = new InMemoryTargetLock(clock);
  const telemetry = new RecordingTelemetry();
  const turnedAway = new InMemoryTurnedAwayLog();
  const slots = new InMemoryFleetSlots(clock);
  return {
    clock,
    lock,
    slots,
    telemetry,
    turnedAway,
    acquire: createLockTask({ lock, slots, turnedAway, clock, telemetry }),
    release: createUnlockTask({ lock, slots, telemetry }),
  };
}

const first = runContext();
const second = {
  ...first,
  executionId: `${first.executionId}-second`,
  trigger: { kind: 'alarm' as const, alarmName: 'StreamMedic-orders-app-lag' },
};

const sweepTrigger = { kind: 'sweep' as const, alarmNames: ['StreamMedic-orders-app-cpu'] };

describe('lock and unlock steps', () => {
  it('lets the first run in and records the second as set aside', async () => {
    const { acquire, telemetry } = setUp();
    await expect(acquire({ run: first, ttlSeconds: 600 })).resolves.toEqual({ acquired: true, paceSeconds: 0 });
    await expect(acquire({ run: second, ttlSeconds: 600 })).resolves.toEqual({ acquired: false });
    expect(telemetry.logs).toContainEqual({
      level: 'warn',
      message: 'target is busy with another run; this run ends without acting',
      attributes: { target: 'orders', executionId: second.executionId, trigger: 'StreamMedic-orders-app-lag' },
    });
  });

  it('records a turned-away run with who held the target, so the history shows it', async () => {
    const { acquire, turnedAway, clock } = setUp();
    await acquire({ run: first, ttlSeconds: 600 });
    const swept = { ...first, executionId: `${first.executionId}-sweep`, trigger: sweepTrigger };
    await acquire({ run: swept, ttlSeconds: 600 });
    expect(turnedAway.runs).toEqual([
      {
        target: 'orders',
        at: clock.now().toISOString(),
        executionId: swept.executionId,
        trigger: 'sweep',
        reason: 'target-busy',
        heldBy: first.executionId,
      },
    ]);
  });

  describe('fleet slots (fleet.maxConcurrentRuns)', () => {
    const otherTarget = { ...second, target: 'payments' };

    it('turns a run of another target away as fleet-busy when every slot is held, and gives its lock back', async () => {
      const { acquire, lock, turnedAway, telemetry, clock } = setUp();
      await expect(acquire({ run: first, ttlSeconds: 600, fleetSlots: 1 })).resolves.toEqual({
        acquired: true,
        paceSeconds: 0,
      });

      await expect(acquire({ run: otherTarget, ttlSeconds: 600, fleetSlots: 1 })).resolves.toEqual({
        acquired: false,
      });

      expect(await lock.ownerOf('payments')).toBeUndefined();
      expect(turnedAway.runs).toEqual([
        {
          target: 'payments',
          at: clock.now().toISOString(),
          executionId: otherTarget.executionId,
          trigger: 'StreamMedic-orders-app-lag',
          reason: 'fleet-busy',
        },
      ]);
      expect(telemetry.logs).toContainEqual({
        level: 'warn',
        message: 'every fleet slot is held (fleet.maxConcurrentRuns); this run ends without acting',
        attributes: {
          target: 'payments',
          executionId: otherTarget.executionId,
          trigger: 'StreamMedic-orders-app-lag',
          maxConcurrentRuns: 1,
        },
      });
    });

    it('lets as many runs in as there are slots, and the next one once a run released its slot', async () => {
      const { acquire, release, slots } = setUp();
      const third = { ...first, target: 'clicks', executionId: `${first.executionId}-third` };
      await acquire({ run: first, ttlSeconds: 600, fleetSlots: 2 });
      await expect(acquire({ run: otherTarget, ttlSeconds: 600, fleetSlots: 2 })).resolves.toEqual({
        acquired: true,
        paceSeconds: 0,
      });
      await expect(acquire({ run: third, ttlSeconds: 600, fleetSlots: 2 })).resolves.toEqual({ acquired: false });

      await release({ run: first });

      expect(await slots.holders()).toEqual([otherTarget.executionId]);
      await expect(acquire({ run: third, ttlSeconds: 600, fleetSlots: 2 })).resolves.toEqual({
        acquired: true,
        paceSeconds: 0,
      });
    });

    it('frees the slot of a run that died once its lease expires', async () => {
      const { acquire, clock } = setUp();
      await acquire({ run: first, ttlSeconds: 600, fleetSlots: 1 });
      clock.advance(601_000);
      await expect(acquire({ run: otherTarget, ttlSeconds: 600, fleetSlots: 1 })).resolves.toEqual({
        acquired: true,
        paceSeconds: 0,
      });
    });

    it('paces each run to the seconds its slot owns, so runs let in together read in different seconds', async () => {
      const { acquire, slots, clock, telemetry } = setUp();
      // 24 slots at 8 runs a second (DescribeStreamSummary at 80%): 3 residue classes, a divisor of the 30-s cycle.
      const runs = ['orders', 'payments', 'clicks'].map((target, n) => ({
        ...first,
        target,
        executionId: `${first.executionId}-${n}`,
      }));
      const paces: number[] = [];
      for (const run of runs) {
        const result = await acquire({ run, ttlSeconds: 600, fleetSlots: 24, paceCycleSeconds: 30 });
        paces.push((result as { paceSeconds: number }).paceSeconds);
      }
      const second = Math.floor(clock.now().getTime() / 1000);
      const readSeconds = runs.map((run, n) => {
        const slot = slots.held.get(run.executionId)!.index;
        expect((second + paces[n]!) % 3).toBe(slot % 3);
        return second + paces[n]!;
      });
      expect(new Set(readSeconds).size).toBe(3);
      expect(Math.max(...paces)).toBeLessThan(3);
      expect(telemetry.logs.some((log) => log.message.includes("waits for its fleet slot's second"))).toBe(true);
    });

    it('takes no slot when the state machine sets no cap', async () => {
      const { acquire, slots } = setUp();
      await acquire({ run: first, ttlSeconds: 600 });
      expect(await slots.holders()).toEqual([]);
    });
  });

  it('records nothing for a run that takes the lock', async () => {
    const { acquire, turnedAway } = setUp();
    await acquire({ run: first, ttlSeconds: 600 });
    expect(turnedAway.runs).toEqual([]);
  });

  it('frees the target for the next run once released', async () => {
    const { acquire, release } = setUp();
    await acquire({ run: first, ttlSeconds: 600 });
    await expect(release({ run: first })).resolves.toEqual({ released: true });
    await expect(acquire({ run: second, ttlSeconds: 600 })).resolves.toEqual({ acquired: true, paceSeconds: 0 });
  });

  it('lets a new run in after the lock of a run that died has expired', async () => {
    const { acquire, clock } = setUp();
    await acquire({ run: first, ttlSeconds: 600 });
    clock.advance(601_000);
    await expect(acquire({ run: second, ttlSeconds: 600 })).resolves.toEqual({ acquired: true, paceSeconds: 0 });
  });

  it('refuses a lock without a positive TTL, naming it', async () => {
    const { acquire } = setUp();
    await expect(acquire({ run: first, ttlSeconds: 0 })).rejects.toMatchObject({
      name: 'InvalidInputError',
      path: 'ttlSeconds',
    });
  });
});
