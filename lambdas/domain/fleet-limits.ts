import * as z from 'zod';

/**
 * Default of the fleet-wide cap on runs, with its reason (docs/fleet.md, "The storm benchmark"):
 * the runs' reads are paced by their slots (api-pacing.ts), so the cap no longer decides the peak
 * call rate; it decides how soon a region-wide storm is handled. Measured with
 * `npm run bench:storm` (200 targets alarming at once), 100 is the largest allowed cap at which
 * every target got a run (all within 11 minutes; at 10, 148 of 200 never did) and every API with a
 * documented rate peaked at or below 80% of it. The blast radius is held by `maxChangesPerHour`.
 */
export const FLEET_DEFAULTS = {
  maxConcurrentRuns: 100,
  /**
   * Changing calls per hour across every target (the blast radius). A bad day that alarms one target
   * in ten of a 200-target fleet needs about 20 changes (one reshard or one parallelism step each)
   * in its first hour; past that, StreamMedic is more likely reacting to one region-wide cause than to
   * 20 separate ones, and an on-call person can still read every change it made in that hour.
   */
  maxChangesPerHour: 20,
} as const;

/**
 * Upper bounds. Step Functions and DynamoDB take far more runs at once, but 100 already handles the
 * measured 200-target storm within minutes, and a cap is meant to stay small enough to follow.
 */
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
