import fc from 'fast-check';
import { AWS_LIMITS, PolicySchema, TargetSchema } from '../../../lambdas/domain/config';
import { assess } from '../../../lambdas/domain/engine';
import { actionDirection, type LedgerEntry } from '../../../lambdas/domain/model';
import { buildSnapshot } from '../../builders/snapshot-builder';
import { PROPERTY_TEST_TIMEOUT_MS, propertyParams } from './property-settings';

jest.setTimeout(PROPERTY_TEST_TIMEOUT_MS);

const MINUTES = 100;
const CAPTURED_AT = '2026-11-21T13:30:00.000Z';
const minuteAt = (i: number): string => new Date(Date.parse(CAPTURED_AT) - (MINUTES - i) * 60_000).toISOString();
const BYTES_PER_RECORD = 1024;

const policy = PolicySchema.parse({});
const target = TargetSchema.parse({
  name: 'orders',
  mode: 'auto',
  stream: { name: 'orders-stream', maxShards: 512 },
  application: { name: 'orders-enricher', maxParallelism: 256, maxKpu: 256 },
});

/**
 * The hour and a half after an incident StreamMedic scaled up for at minute 33: traffic at `before`
 * records/s, raised `factor` times from minute 30 to `spikeEnd`, then back to `after` times `before`.
 * The consumer is caught up, behind within the recent window, or draining a backlog now. Each
 * subtask does `perSubtask` records/s at full busy time; its CPU is 8% plus 87% of its busy share.
 */
const afterIncident = fc
  .record({
    before: fc.integer({ min: 200, max: 8000 }),
    factor: fc.double({ min: 1, max: 12, noNaN: true }),
    after: fc.double({ min: 0.5, max: 3, noNaN: true }),
    spikeEnd: fc.integer({ min: 40, max: 100 }),
    perSubtask: fc.integer({ min: 300, max: 2000 }),
    parallelism: fc.integer({ min: 2, max: 128 }),
    shards: fc.integer({ min: 2, max: 256 }),
    consumer: fc.constantFrom('caught-up', 'behind-recently', 'draining'),
  })
  // A job too small for its input now is the scale-up's case, not this one's.
  .filter((p) => p.before * p.after <= p.parallelism * p.perSubtask);

type AfterIncident = typeof afterIncident extends fc.Arbitrary<infer T> ? T : never;

function rateAt(p: AfterIncident, minute: number): number {
  if (minute >= 30 && minute < p.spikeEnd) return p.before * p.factor;
  return minute < 30 ? p.before : p.before * p.after;
}

function lagAt(p: AfterIncident, minute: number): number {
  if (p.consumer === 'behind-recently') return minute >= 92 && minute < 96 ? 120_000 : 1000;
  // Draining: ten minutes behind twenty minutes ago, falling a minute of lag every two minutes.
  if (p.consumer === 'draining') return Math.max(policy.lagThresholdMs + 1000, (1200 - (minute - 80) * 30) * 1000);
  return 1000;
}

describe('the scale-back after an incident', () => {
  it('never scales in while the consumer is behind, and never below what the input now needs at the target utilisation', () => {
    fc.assert(
      fc.property(afterIncident, (p) => {
        const ledger: LedgerEntry[] = [
          {
            at: minuteAt(33),
            target: 'orders',
            resource: 'stream/orders-stream',
            actionType: 'UpdateShardCount',
            direction: 'up',
            from: Math.max(1, Math.floor(p.shards / 2)),
            to: p.shards,
            calls: 1,
            executionId: 'scale-up',
          },
          {
            at: minuteAt(33),
            target: 'orders',
            resource: 'application/orders-enricher',
            actionType: 'UpdateApplicationParallelism',
            direction: 'up',
            from: Math.max(1, Math.floor(p.parallelism / 2)),
            to: p.parallelism,
            calls: 1,
            executionId: 'scale-up',
          },
        ];
        const capacity = (minute: number): number => {
          const limit = p.shards * AWS_LIMITS.shardWriteRecordsPerSecond;
          return Math.min(rateAt(p, minute), limit);
        };
        const busy = (minute: number): number => Math.min(1, capacity(minute) / (p.parallelism * p.perSubtask));
        const snapshot = buildSnapshot({
          capturedAt: CAPTURED_AT,
          minutes: MINUTES,
          stream: { shards: p.shards },
          app: { parallelism: p.parallelism },
          ledger,
          metrics: {
            incomingRecords: (i) => capacity(i) * 60,
            incomingBytes: (i) => capacity(i) * BYTES_PER_RECORD * 60,
            writeThrottled: (i) => (rateAt(p, i) - capacity(i)) * 60,
            millisBehindLatest: (i) => lagAt(p, i),
            containerCpu: (i) => 8 + 87 * busy(i),
            recordsInPerSecond: (i) => Math.min(capacity(i), p.parallelism * p.perSubtask),
          },
        });
        const { plan } = assess(snapshot, { target, policy, dryRun: false });
        const down = plan.actions.filter((a) => actionDirection(a) === 'down');
        if (p.consumer !== 'caught-up') {
          expect(down).toEqual([]);
          return;
        }
        // What the input of the recent window needs, from the true per-subtask rate and the shard limits.
        let peak = 0;
        for (let i = MINUTES - policy.recentMinutes; i < MINUTES; i++) peak = Math.max(peak, rateAt(p, i));
        const subtasksNeeded = Math.ceil(peak / (p.perSubtask * policy.targetUtilization) - 1e-9);
        const shardsNeeded = Math.ceil(
          Math.max(
            peak / AWS_LIMITS.shardWriteRecordsPerSecond,
            (peak * BYTES_PER_RECORD) / AWS_LIMITS.shardWriteBytesPerSecond,
          ) /
            policy.shardWriteUtilization -
            1e-9,
        );
        for (const action of down) {
          if (action.type === 'UpdateApplicationParallelism') expect(action.to).toBeGreaterThanOrEqual(subtasksNeeded);
          if (action.type === 'UpdateShardCount') {
            expect(action.to).toBeGreaterThanOrEqual(shardsNeeded);
            // Each call at most halves the open shards (UpdateShardCount's limit).
            let from = action.from;
            for (const step of action.steps) {
              expect(step).toBeGreaterThanOrEqual(Math.ceil(from / 2));
              from = step;
            }
          }
        }
      }),
      propertyParams({ numRuns: 300 }),
    );
  });
});
