/**
 * The kill switch: an operator pauses StreamMedic for one target or for every target, and while a
 * pause is in force every plan stays a recommendation. The assess and verify tasks read the switch
 * on every run, so a pause takes effect at the next assessment, without a redeploy.
 */
// A namespace import lets esbuild leave out the parts of zod nobody uses (its locales, JSON Schema).
import * as z from 'zod';

/** The scope of a pause of every target; no target can have this name (config.ts allows no `*`). */
export const FLEET_SCOPE = '*';

export const PauseSchema = z
  .object({
    /** A target's name, or {@link FLEET_SCOPE} for every target. */
    scope: z.string().min(1),
    /** Who paused: the operator's identity as the pause command recorded it. */
    by: z.string().min(1),
    /** The caller's AWS identity as STS GetCallerIdentity verified it (`by` is the name they gave). */
    operatorArn: z.string().min(1).optional(),
    reason: z.string().min(1),
    /** ISO-8601 time the pause was set. */
    at: z.iso.datetime({ offset: true }),
  })
  .strict();
export type Pause = z.infer<typeof PauseSchema>;

/** A change of the switch, kept for the history: who paused or resumed what, when, and why. */
export const PauseEventSchema = z
  .object({
    kind: z.enum(['pause', 'resume']),
    scope: z.string().min(1),
    by: z.string().min(1),
    /** The caller's AWS identity as STS GetCallerIdentity verified it (`by` is the name they gave). */
    operatorArn: z.string().min(1).optional(),
    /** Why, for a pause; a resume needs no reason. */
    reason: z.string().min(1).optional(),
    at: z.iso.datetime({ offset: true }),
  })
  .strict();
export type PauseEvent = z.infer<typeof PauseEventSchema>;

/**
 * The pause that holds for a target, of those the switch holds: the target's own, else the fleet's.
 * The target's own comes first because its reason is the more specific one.
 */
export function pauseFor(target: string, pauses: readonly Pause[]): Pause | undefined {
  return pauses.find((p) => p.scope === target) ?? pauses.find((p) => p.scope === FLEET_SCOPE);
}

/** `every target` or `target payments`: what a pause covers, in words. */
export function pauseScopeText(scope: string): string {
  return scope === FLEET_SCOPE ? 'every target' : `target ${scope}`;
}

/** One line for messages and the CLI: who paused what, when, and why. */
export function describePause(pause: Pause): string {
  return `StreamMedic is PAUSED for ${pauseScopeText(pause.scope)} by ${pause.by} since ${pause.at}: ${pause.reason}. Nothing is changed until it is resumed (stream-medic resume${pause.scope === FLEET_SCOPE ? '' : ` --target ${pause.scope}`}).`;
}
