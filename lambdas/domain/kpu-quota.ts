/**
 * What AWS has said of an application's KPU quota. Managed Flink refuses an UpdateApplication past the
 * application's KPU limit with LimitExceededException ("the number of allowed resources has been
 * exceeded"), and no API reads that limit. The config's `maxKpu` is what the team believes; a refusal
 * is what AWS enforces. So a refused size is remembered from the ledger, and the next scale-up asks for
 * less instead of asking for the same size again at every sweep while the job falls further behind.
 */
import { applicationResource, type LedgerEntry } from './model';
import { kpusFor } from './sizing';

/** The exception Managed Flink answers an update past the application's KPU quota with. */
export const KPU_QUOTA_EXCEPTION = 'LimitExceededException';

/** The smallest KPU count AWS refused for the application, and when. */
export interface KpuQuotaRefusal {
  readonly refusedKpus: number;
  readonly at: string;
}

/** A refusal in words, for the plan's refusal and the advice: what AWS refused, when, and what it means. */
export function describeKpuQuotaRefusal(refusal: KpuQuotaRefusal, maxKpu: number): string {
  return `AWS refused ${refusal.refusedKpus} KPU at ${refusal.at} (${KPU_QUOTA_EXCEPTION}: the application's KPU quota is lower, though maxKpu is ${maxKpu})`;
}

/**
 * The smallest scale-up AWS refused for the application's KPU quota among the ledger's entries (every
 * phase, as read: `changesOf` leaves refused calls out). Undefined when none was refused.
 */
export function kpuQuotaRefusal(entries: readonly LedgerEntry[], applicationName: string): KpuQuotaRefusal | undefined {
  const resource = applicationResource(applicationName);
  let smallest: KpuQuotaRefusal | undefined;
  for (const entry of entries) {
    if (
      entry.phase !== 'result' ||
      entry.result !== 'not-made' ||
      entry.resource !== resource ||
      entry.actionType !== 'UpdateApplicationParallelism' ||
      entry.direction !== 'up' ||
      entry.awsError !== KPU_QUOTA_EXCEPTION ||
      entry.kpus === undefined
    ) {
      continue;
    }
    if (!smallest || entry.kpus < smallest.refusedKpus) smallest = { refusedKpus: entry.kpus, at: entry.at };
  }
  return smallest;
}

/**
 * The largest parallelism to ask for under a refused KPU count: halfway (in KPUs) from the size the job
 * runs at to the refused one, so the quota is found in a few tries (12 refused from 4: try 8, then 6),
 * and never the refused count again. At most the current size when nothing lies between.
 */
export function parallelismUnderRefusedKpus(
  refusal: KpuQuotaRefusal,
  currentParallelism: number,
  parallelismPerKpu: number,
): number {
  const current = kpusFor(currentParallelism, parallelismPerKpu);
  const tryKpus = Math.floor((current + refusal.refusedKpus) / 2);
  if (tryKpus <= current) return currentParallelism;
  return Math.min(tryKpus, refusal.refusedKpus - 1) * parallelismPerKpu;
}
