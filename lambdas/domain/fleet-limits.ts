import * as z from 'zod';

/**
 * Default of the fleet-wide cap on runs, with its reason (docs/fleet.md has the AWS pages): a run's
 * polling while it waits for a reshard or a restart is one DescribeStreamSummary or
 * DescribeApplication every 30 s, and its assessment a handful of reads. Ten runs at once stay below
 * DescribeStreamSummary's 20 calls per second per account even when every one of them calls in the
 * same second, and leave most of the account's rate to the teams' own tools.
 */
export const FLEET_DEFAULTS = {
  maxConcurrentRuns: 10,
  /**
   * Changing calls per hour across every target (the blast radius). A bad day that alarms one target
   * in ten of a 200-target fleet needs about 20 changes (one reshard or one parallelism step each)
   * in its first hour; past that, StreamMedic is more likely reacting to one region-wide cause than to
   * 20 separate ones, and an on-call person can still read every change it made in that hour.
   */
  maxChangesPerHour: 20,
} as const;

/** Upper bound: Step Functions and DynamoDB take far more, but the point of a cap is to be small. */
export const FLEET_BOUNDS = {
  maxConcurrentRuns: 100,
  maxChangesPerHour: 1000,
} as const;

export const FleetSchema = z
  .object({
    /**
     * Runs that may assess or act at once across every target. A run past it is turned away
     * (`fleet-busy`) and re-assessed by the sweep when a slot is free.
     */
    maxConcurrentRuns: z
      .number()
      .int()
      .min(1)
      .max(FLEET_BOUNDS.maxConcurrentRuns)
      .default(FLEET_DEFAULTS.maxConcurrentRuns),
    /**
     * Changing calls (each step of a plan) the whole fleet may make in any hour. A step past it is
     * refused by the `fleet-budget` guardrail and the target's next assessment tries again.
     */
    maxChangesPerHour: z
      .number()
      .int()
      .min(1)
      .max(FLEET_BOUNDS.maxChangesPerHour)
      .default(FLEET_DEFAULTS.maxChangesPerHour),
  })
  .strict();
