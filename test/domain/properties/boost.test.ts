import fc from 'fast-check';
import { worthScaleBack } from '../../../lambdas/domain/boost';
import { PolicySchema, TargetSchema } from '../../../lambdas/domain/config';
import { assess } from '../../../lambdas/domain/engine';
import { actionDirection, type LedgerEntry } from '../../../lambdas/domain/model';
import { ledgerEntryFor, workStepsOf } from '../../../lambdas/domain/work-steps';
import { buildSnapshot } from '../../builders/snapshot-builder';
import { PROPERTY_TEST_TIMEOUT_MS, propertyParams } from './property-settings';

jest.setTimeout(PROPERTY_TEST_TIMEOUT_MS);

const MINUTE_MS = 60_000;
const START = Date.parse('2026-11-21T10:00:00.000Z');
/** Runs after the backlog has drained within which the boost must be off. */
const RUNS_TO_COME_OFF = 2;

const policy = PolicySchema.parse({ boostScaleBack: true });
const target = TargetSchema.parse({
  name: 'orders',
  mode: 'auto',
  application: { name: 'orders-enricher', maxParallelism: 256, builtInAutoscaling: 'turn-off' },
});

/**
 * One incident's end, run by run: a job that was boosted above its steady size drains its backlog on
 * plan for some runs (lag over the threshold, falling twice as fast as time passes), then has caught
 * up and carries an input at or below the one its steady size was sized for. The job is a model: each
 * subtask does `perSubtask` records/s at full busy time.
 */
const incidentEnd = fc
  .record({
    perSubtask: fc.integer({ min: 200, max: 2000 }),
    // The demand the steady size was sized for, as a share of what 40 subtasks carry at the target.
    sizedForShare: fc.double({ min: 0.1, max: 1, noNaN: true }),
    // The boost stays within the default maxKpu (64 at 1 subtask per KPU), as the planner keeps it.
    extra: fc.integer({ min: 1, max: 24 }),
    inputShare: fc.double({ min: 0.2, max: 1, noNaN: true }),
    drainingRuns: fc.integer({ min: 0, max: 4 }),
    lagSeconds: fc.integer({ min: 61, max: 590 }),
    everyMinutes: fc.integer({ min: 1, max: 15 }),
  })
  .map((p) => {
    const sizedFor = p.sizedForShare * 40 * policy.targetUtilization * p.perSubtask;
    // The planner records the steady size within the target's bounds, as it sizes every change.
    const steady = Math.max(
      target.application!.minParallelism,
      Math.ceil(sizedFor / (policy.targetUtilization * p.perSubtask) - 1e-9),
    );
    return { ...p, steady, boostedTo: steady + p.extra, input: sizedFor * p.inputShare };
  })
  // The sizing reads a busy share under 5% as 5% (a reading that small is noise), so a job left that
  // idle by its boost is sized from that floor; such jobs are the scale-in's to shrink.
  .filter((p) => p.input / (p.boostedTo * p.perSubtask) >= 0.05);

describe('the catch-up boost', () => {
  it('always comes back off to the steady size once the backlog has drained (when worth a restart), and nothing scales in before', () => {
    fc.assert(
      fc.property(incidentEnd, (incident) => {
        const ledger: LedgerEntry[] = [
          {
            at: new Date(START).toISOString(),
            target: 'orders',
            resource: 'application/orders-enricher',
            actionType: 'UpdateApplicationParallelism',
            direction: 'up',
            from: 1,
            to: incident.boostedTo,
            calls: 1,
            executionId: 'scale-up',
            boost: {
              steady: incident.steady,
              drainedBy: new Date(START + (policy.expectedRestartSeconds + policy.catchUpSeconds) * 1000).toISOString(),
            },
          },
        ];
        let parallelism = incident.boostedTo;
        const runs = incident.drainingRuns + RUNS_TO_COME_OFF;
        for (let run = 0; run < runs; run++) {
          const draining = run < incident.drainingRuns;
          const capacity = parallelism * incident.perSubtask;
          // Draining: the job runs at 95% busy and its lag falls 2 s per second down to `lagSeconds`.
          // Caught up: it processes what arrives, with a second of lag.
          const processed = draining ? capacity * 0.95 : Math.min(incident.input, capacity);
          const busy = processed / capacity;
          const lagNow = incident.lagSeconds * 1000 * (incident.drainingRuns - run);
          const capturedAt = new Date(START + (run + 1) * incident.everyMinutes * MINUTE_MS + MINUTE_MS);
          const snapshot = buildSnapshot({
            capturedAt: capturedAt.toISOString(),
            app: { parallelism },
            stream: false,
            ledger,
            metrics: {
              millisBehindLatest: draining ? (i) => lagNow + (59 - i) * 120_000 : 1000,
              containerCpu: busy * 100,
              busyTime: busy * 1000,
              recordsInPerSecond: processed,
            },
          });
          const report = assess(snapshot, { target, policy, dryRun: false });
          for (const action of report.plan.actions) {
            if (draining) expect(actionDirection(action)).not.toBe('down');
            for (const step of workStepsOf([action])) {
              ledger.push(ledgerEntryFor(step, { target: 'orders', executionId: `run-${run}` }, capturedAt));
              if (step.type === 'UpdateApplicationParallelism') parallelism = step.to;
            }
          }
          expect(parallelism).toBeGreaterThanOrEqual(incident.steady);
        }
        // A boost too small to be worth a restart stays; every other comes off, to the steady size.
        const worth = worthScaleBack(incident.boostedTo, incident.steady, policy.targetUtilization);
        expect(parallelism).toBe(worth ? incident.steady : incident.boostedTo);
      }),
      // Each case assesses up to six snapshots of an hour of metrics.
      propertyParams({ numRuns: 200 }),
    );
  });
});
