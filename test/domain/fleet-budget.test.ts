import { PolicySchema, TargetSchema, parseConfig } from '../../lambdas/domain/config';
import { assess } from '../../lambdas/domain/engine';
import {
  assertChangeCap,
  chooseChangeSlot,
  type ChangeSlot,
  type FleetBudget,
} from '../../lambdas/domain/fleet-budget';
import { FLEET_DEFAULTS } from '../../lambdas/domain/fleet-limits';
import type { LedgerEntry, Report } from '../../lambdas/domain/model';
import { InvalidInputError } from '../../lambdas/domain/validation';
import { GUARDRAILS } from '../../lambdas/domain/vocabulary';
import { InvalidRequestError } from '../../lambdas/ports/errors';
import { CAPTURED_AT, buildSnapshot, type SnapshotSpec } from '../builders/snapshot-builder';

const MIB = 1024 * 1024;
const MINUTE = 60;
const policy = PolicySchema.parse({});
const target = TargetSchema.parse({
  name: 'orders',
  mode: 'auto',
  stream: { name: 'orders-stream', minShards: 1, maxShards: 200 },
  application: { name: 'orders-enricher', maxParallelism: 64, builtInAutoscaling: 'turn-off' },
});

/** A full stream feeding a CPU-bound app: the plan scales the app (one call), then the stream (one call). */
function incident(ledger: LedgerEntry[] = []): SnapshotSpec {
  return {
    stream: { shards: 4 },
    app: { parallelism: 4 },
    ledger,
    metrics: {
      incomingBytes: 4 * MIB * MINUTE * 0.97,
      incomingRecords: 4 * 400 * MINUTE,
      writeThrottled: 20_000,
      millisBehindLatest: (i) => 60_000 + i * 5000,
      containerCpu: 92,
      busyTime: 940,
      recordsInPerSecond: 1300,
    },
  };
}

function minutesBefore(minutes: number): string {
  return new Date(Date.parse(CAPTURED_AT) - minutes * 60_000).toISOString();
}

/** Other targets' changes, `minutes` ago each. */
function fleet(maxChangesPerHour: number, minutesAgo: readonly number[]): FleetBudget {
  return { maxChangesPerHour, changesAt: minutesAgo.map(minutesBefore) };
}

function run(budget: FleetBudget | undefined, ledger: LedgerEntry[] = []): Report {
  return assess(buildSnapshot(incident(ledger)), {
    target,
    policy,
    dryRun: false,
    ...(budget ? { fleet: budget } : {}),
  });
}

const times = (count: number, minutesAgo: number): number[] => Array.from({ length: count }, () => minutesAgo);

describe('the fleet budget (fleet.maxChangesPerHour)', () => {
  it('plans both calls while the fleet stays within its cap', () => {
    const report = run(fleet(10, times(8, 30)));
    expect(report.plan.actions.map((a) => a.type)).toEqual(['UpdateApplicationParallelism', 'UpdateShardCount']);
    expect(report.plan.refused).toEqual([]);
  });

  it('refuses the call that would pass the cap, counting the calls this plan keeps, and names the figure and the field', () => {
    const report = run(fleet(10, times(9, 30)));
    expect(report.plan.actions.map((a) => a.type)).toEqual(['UpdateApplicationParallelism']);
    expect(report.plan.refused).toHaveLength(1);
    const refusal = report.plan.refused[0]!;
    expect(refusal.guardrail).toBe('fleet-budget');
    expect(refusal.action.type).toBe('UpdateShardCount');
    expect(refusal.reason).toBe(
      'the fleet made 9 change(s) in the last hour and this plan 1 more; 1 more would pass fleet.maxChangesPerHour (10)',
    );
    expect(report.plan.apply).toBe(true);
  });

  it('refuses every change once the cap is reached, so nothing is applied', () => {
    const report = run(fleet(10, times(10, 5)));
    expect(report.plan.actions).toEqual([]);
    expect(report.plan.refused.map((r) => r.guardrail)).toEqual(['fleet-budget', 'fleet-budget']);
    expect(report.plan.refused[0]!.reason).toContain('the fleet made 10 change(s) in the last hour');
    expect(report.plan.apply).toBe(false);
  });

  it('counts only the last hour', () => {
    const report = run(fleet(10, [...times(9, 61), ...times(1, 59)]));
    expect(report.plan.actions).toHaveLength(2);
    expect(report.plan.refused).toEqual([]);
  });

  it("counts a change other runs made after the assessment's last whole minute", () => {
    const justNow = new Date(Date.parse(CAPTURED_AT) + 30_000).toISOString();
    const report = run({ maxChangesPerHour: 1, changesAt: [justNow] });
    expect(report.plan.actions).toEqual([]);
    expect(report.plan.refused.map((r) => r.guardrail)).toEqual(['fleet-budget', 'fleet-budget']);
  });

  it("comes after the resource's daily budget: a resource out of its own budget is refused for that", () => {
    const spent: LedgerEntry = {
      at: minutesBefore(120),
      target: 'orders',
      resource: 'stream/orders-stream',
      actionType: 'UpdateShardCount',
      direction: 'up',
      calls: 8,
    };
    const report = run(fleet(1, times(1, 10)), [spent]);
    expect(report.plan.refused.map((r) => [r.action.type, r.guardrail])).toEqual([
      ['UpdateApplicationParallelism', 'fleet-budget'],
      ['UpdateShardCount', 'daily-budget'],
    ]);
    expect(GUARDRAILS.indexOf('fleet-budget')).toBe(GUARDRAILS.indexOf('daily-budget') + 1);
  });

  it('is not checked without the fleet figures (a snapshot read offline)', () => {
    expect(run(undefined).plan.actions).toHaveLength(2);
  });
});

describe('fleet.maxChangesPerHour in the config', () => {
  const config = (fleetLimits?: unknown): unknown => ({
    targets: [{ name: 'orders', stream: { name: 'orders-stream' } }],
    ...(fleetLimits === undefined ? {} : { fleet: fleetLimits }),
  });

  it(`defaults to ${FLEET_DEFAULTS.maxChangesPerHour}`, () => {
    expect(parseConfig(config()).fleet.maxChangesPerHour).toBe(FLEET_DEFAULTS.maxChangesPerHour);
    expect(parseConfig(config({ maxConcurrentRuns: 5 })).fleet.maxChangesPerHour).toBe(20);
  });

  it.each([0, 1001, 2.5, '20'])('refuses %p, naming the field', (value) => {
    let refused: unknown;
    try {
      parseConfig(config({ maxChangesPerHour: value }));
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(InvalidInputError);
    expect((refused as InvalidInputError).path).toBe('fleet.maxChangesPerHour');
  });
});

const slot = (index: number, minutesAgo: number, owner = `run-${index}#1#0`): ChangeSlot => ({
  index,
  at: minutesBefore(minutesAgo),
  owner,
});

describe('chooseChangeSlot', () => {
  it('offers the slots no change took within the hour, below the cap', () => {
    expect(chooseChangeSlot([slot(0, 10), slot(2, 60)], 'run-x#1#0', CAPTURED_AT, 4)).toEqual({
      kind: 'free',
      indexes: [1, 2, 3],
    });
  });

  it("finds a retried step's own slot in the hour, and takes no second one", () => {
    expect(chooseChangeSlot([slot(0, 59.9, 'run-x#1#0')], 'run-x#1#0', CAPTURED_AT, 1)).toEqual({ kind: 'held' });
  });

  it('is full when the hour holds as many changes as the cap, counting slots past a lowered cap', () => {
    expect(chooseChangeSlot([slot(0, 5), slot(1, 5), slot(2, 5)], 'run-x#1#0', CAPTURED_AT, 2)).toEqual({
      kind: 'full',
    });
  });

  it('refuses a cap it cannot count by, naming the config field', () => {
    expect(() => assertChangeCap(0, { action: 'PutItem' })).toThrow(InvalidRequestError);
    expect(() => assertChangeCap(1.5, { action: 'PutItem' })).toThrow(/fleet\.maxChangesPerHour/);
  });
});
