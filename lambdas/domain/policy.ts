/**
 * The policy knobs every target is planned with, and the AWS limits they are bounded by. Apart from
 * config.ts because the alarm settings read the policy and config.ts embeds the alarm settings.
 */
import * as z from 'zod';

/** The hard limits AWS sets; the schema refuses configs that would plan past them. */
export const AWS_LIMITS = {
  /** UpdateShardCount calls allowed per stream per rolling 24 hours. */
  shardUpdatesPerDay: 10,
  /** Shards per stream that UpdateShardCount will scale to (account default). */
  maxShardsPerStream: 10_000,
  /** A provisioned shard accepts this many bytes per second of writes. */
  shardWriteBytesPerSecond: 1024 * 1024,
  /** A provisioned shard accepts this many records per second of writes. */
  shardWriteRecordsPerSecond: 1000,
  /** A provisioned shard serves this many bytes per second to shared-throughput readers. */
  shardReadBytesPerSecond: 2 * 1024 * 1024,
  /** A provisioned shard serves this many GetRecords calls per second, shared by all readers. */
  shardReadCallsPerSecond: 5,
  /** Managed Flink parallelism range accepted by ParallelismUpdate. */
  maxParallelism: 256,
  /** Flink's upper limit for a job's max parallelism (key groups). */
  maxJobParallelism: 32_768,
  /** Managed Flink ParallelismPerKPU range. */
  maxParallelismPerKpu: 8,
  /** Kinesis retention ceiling, in hours (365 days). */
  maxRetentionHours: 8760,
} as const;

const positiveInt = z.number().int().positive();

/** Policy knobs. Every default is stated here, once, with the reason for it. */
export const PolicySchema = z
  .object({
    /** Plan capacity so that peak load uses this share of it: 30% headroom absorbs bursts between assessments. */
    targetUtilization: z.number().gt(0.1).lte(0.95).default(0.7),
    /**
     * The share of each shard's write limits (1 MiB/s, 1,000 records/s) a planned shard count fills.
     * Higher than `targetUtilization`: a shard's write limit is a fixed quota with nothing of its own to
     * reserve for (a Flink job's headroom also pays for checkpoints, garbage collection and catching up
     * after a restart), and a write over it is refused and retried by the producer, not lost. Reads, which
     * catch-up must outrun, stay at `targetUtilization`.
     */
    shardWriteUtilization: z.number().gt(0.1).lte(0.95).default(0.8),
    /** Consumer lag (ms) past which a pipeline is "behind": one minute is where on-call starts to care. */
    lagThresholdMs: positiveInt.default(60_000),
    /** Seconds a scale-up is given to drain the backlog (FLIP-271's catch-up duration); short, because lag is what on-call is paged for. */
    catchUpSeconds: positiveInt.default(300),
    /** Seconds a Managed Flink update keeps the job down (stop with snapshot, restore, restart). */
    expectedRestartSeconds: positiveInt.default(120),
    /** Minutes after a scale-up before the same resource may scale up again: a reshard or restart plus settling. */
    cooldownUpMinutes: positiveInt.default(10),
    /** Minutes after any change before a resource may scale in: scale down slowly. */
    cooldownDownMinutes: positiveInt.default(60),
    /** Changing calls per resource per 24 h; below the API's 10 so a person always has calls left. */
    dailyActionBudget: z
      .number()
      .int()
      .min(1)
      .max(AWS_LIMITS.shardUpdatesPerDay - 1, {
        message: `must be below the API limit of ${AWS_LIMITS.shardUpdatesPerDay} changes per 24 hours`,
      })
      .default(8),
    /** Minutes of quiet required before scale-in: long enough to span a traffic cycle's trough and rise. */
    scaleInWindowMinutes: positiveInt.default(120),
    /**
     * Take a scale-up's catch-up boost back off (down to the steady size) as soon as the backlog has
     * drained, without the scale-in's quiet window and cooldown. Off by default: the scale-back restarts
     * the job once more while the incident's traffic may still run, and measured over the built-in
     * scenarios it saved about 3% of the capacity cost for more lag-minutes (docs/sizing.md).
     */
    boostScaleBack: z.boolean().default(false),
    /**
     * Once an incident's traffic has passed (the input rose well above its level before StreamMedic's
     * scale-up and has stayed back near it for `recentMinutes`, with no lag or throttling), take the
     * scale-up back to what the input needs, after the scale-in cooldown but without the quiet window.
     */
    scaleBackAfterIncident: z.boolean().default(true),
    /** Peak utilisation under which capacity counts as idle and may be scaled in. */
    scaleInUtilization: z.number().gt(0).lt(1).default(0.3),
    /** Minutes at the end of the window that describe "now" for scale-up decisions. */
    recentMinutes: positiveInt.default(15),
    /**
     * Minutes at the end of the window that say what the job is doing now (CPU, busy, back-pressure),
     * and the minutes the saturated-CPU alarm evaluates: a job that jumps to full CPU is assessed after
     * three saturated minutes and read over those three, at its new level, not averaged with the minutes
     * before the jump. Three one-minute points still ride out a single slow checkpoint.
     */
    nowMinutes: positiveInt.default(3),
    /**
     * Minutes with throttling inside the recent window that make it sustained rather than a blip. Two,
     * not three: a stream that suddenly refuses writes is resharded a minute sooner (a write spike's
     * lag-minutes fell by about a sixth in the benchmark, and fewer records were given up on), while
     * a single refused minute still starts nothing; `throttleShare` still has to be met.
     */
    throttleMinutes: positiveInt.default(2),
    /** Share of write or read demand refused that makes throttling worth acting on (0.1%). */
    throttleShare: z.number().gte(0).lt(1).default(0.001),
    /**
     * Share of refused records that producers send again (the KPL and SDK retry loops resend failed
     * records): that share of WriteProvisionedThroughputExceeded is a resend, not new demand.
     */
    producerResendShare: z.number().gte(0).lt(1).default(0.5),
    /** Container CPU (%) that counts as busy: the threshold Managed Flink's own autoscaler uses. */
    cpuHighPercent: z.number().gt(0).lte(100).default(75),
    /**
     * Container CPU (%) at which a job counts as saturated: every one of the last `nowMinutes` at or
     * above it starts an assessment at once, without waiting out the busy alarm's five minutes. A
     * fast alarm at a high threshold and a slow one at the busy threshold: a sudden overload is
     * answered in three minutes, and a slow climb still needs five busy ones.
     */
    cpuSaturatedPercent: z.number().gt(0).lte(100).default(90),
    /**
     * busyTimeMsPerSecond of the busiest task that counts as compute-bound. Unset, it is the same share
     * of each second as cpuHighPercent is of the CPU (75% -> 750 ms/s; see {@link busyHighMsPerSecond}),
     * so the CPU alarm and the rule it starts agree on what compute-bound means. Set it only to make
     * them differ on purpose.
     */
    busyHighMsPerSecond: z.number().gt(0).lte(1000).optional(),
    /** backPressuredTimeMsPerSecond that counts as back-pressured from downstream. */
    backPressureHighMsPerSecond: z.number().gt(0).lte(1000).default(500),
    /** Heap (%) that counts as memory pressure when it is also rising. */
    heapHighPercent: z.number().gt(0).lte(100).default(85),
    /** Checkpoint duration (ms) past which checkpoints count as slow. */
    checkpointSlowMs: positiveInt.default(60_000),
    /** Full restarts inside the window that make a crash loop. */
    crashLoopRestarts: positiveInt.default(2),
    /** Accepted write utilisation (of the stream as a whole) under which throttling means a hot key. */
    hotShardUtilization: z.number().gt(0).lt(1).default(0.6),
    /** Read utilisation (bytes) at which more shards, not fan-out, is the read fix. */
    readScaleUtilization: z.number().gt(0).lte(1).default(0.8),
    /**
     * Minutes between re-assessments of a target while one of its alarms stays in ALARM: an alarm
     * starts a run only when it goes into ALARM, so a run that fixed part of an incident, or answered
     * too early, is followed up this often. Short enough to act before lag builds, long enough for a
     * change's settling time (5 minutes) to show in the metrics.
     */
    reassessMinutes: positiveInt.max(60).default(5),
  })
  .strict();
export type Policy = z.output<typeof PolicySchema>;

/**
 * The busy time (ms/s) that counts as compute-bound: the policy's own, else cpuHighPercent's share of
 * each second. The CPU alarm fires at cpuHighPercent; a task busy that share of each second keeps its
 * core about that busy, so a run the alarm starts finds the job compute-bound by both measures.
 */
export function busyHighMsPerSecond(policy: Policy): number {
  return policy.busyHighMsPerSecond ?? policy.cpuHighPercent * 10;
}
