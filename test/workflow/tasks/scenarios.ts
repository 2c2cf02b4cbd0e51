import type { GetMetricDataRecord } from '../../../lambdas/domain/aws-shapes';
import type { LedgerEntry } from '../../../lambdas/domain/model';
import type { Snapshot } from '../../../lambdas/domain/snapshot';
import { buildSnapshot, CAPTURED_AT } from '../../builders/snapshot-builder';

const MIB = 1024 * 1024;

/**
 * Producers want about 2.3 times what a 2-shard stream takes (4.67 MiB/s): at 80% of each shard's
 * write limit the planner asks for 6 shards, which UpdateShardCount reaches in two calls (2 -> 4 -> 6).
 */
export function writeThrottledSnapshot(ledger: LedgerEntry[] = []): Snapshot {
  return buildSnapshot({
    stream: { shards: 2 },
    metrics: {
      incomingBytes: 2 * MIB * 60,
      incomingRecords: 1500 * 60,
      // 4,000 refusals a second, half of them resends: 2,000 records/s of new demand behind the 1,500 accepted.
      writeThrottled: 240_000,
      putRecordsThrottled: 240_000,
      iteratorAge: 1000,
    },
    ledger,
  });
}

/** The same traffic, carried by 6 shards without throttling: what the verification should see. */
export function calmMetrics(): GetMetricDataRecord {
  return buildSnapshot({
    stream: { shards: 6 },
    metrics: {
      incomingBytes: 2 * MIB * 60,
      incomingRecords: 1500 * 60,
      writeThrottled: 0,
      putRecordsThrottled: 0,
      iteratorAge: 1000,
    },
  }).getMetricData as GetMetricDataRecord;
}

/** A scale-up of the stream four minutes before the snapshot: the up-cooldown refuses another. */
export function recentScaleUp(): LedgerEntry {
  return {
    at: new Date(Date.parse(CAPTURED_AT) - 4 * 60_000).toISOString(),
    target: 'orders',
    resource: 'stream/orders-stream',
    actionType: 'UpdateShardCount',
    direction: 'up',
    from: 1,
    to: 2,
    calls: 1,
    executionId: 'arn:aws:states:eu-west-1:123456789012:execution:StreamMedic:earlier',
  };
}
