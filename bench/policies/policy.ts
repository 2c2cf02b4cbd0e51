/**
 * What every policy in the benchmark is: something that plays one scenario's world to its end,
 * acting only through the world's ports (the same StreamControl and ApplicationControl, with the same
 * AWS limits and delays, that StreamMedic's Lambdas use).
 */
import type { Scenario } from '../../sim/scenario';
import { createWorld, type SimWorld, type WorldEvent, type WorldOutcome } from '../../sim/world';

export const POLICY_NAMES = [
  'stream-medic',
  'msf-builtin',
  'alarm-doubling',
  'shard-doubling',
  'none',
  'oracle',
] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

export interface PlayOptions {
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  /**
   * When the incident starts (the first unhealthy minute with nothing done about it): known only to
   * the oracle, which acts on the truth from then on. Every other policy ignores it.
   */
  readonly incidentStartMs?: number;
}

/** A played scenario: the world (which may have run past the end to let a workflow finish) and the outcome at the end. */
export interface PlayResult {
  readonly world: SimWorld;
  /** The pipeline at the scenario's end; changing calls made after it, by runs let finish, are in `actions`. */
  readonly outcome: WorldOutcome;
}

export interface BenchPolicy {
  readonly name: PolicyName;
  /** One line for the report: what the policy does and where its rules come from. */
  readonly summary: string;
  /** Plays `scenario` to its end under this policy. */
  play(scenario: Scenario, options?: PlayOptions): Promise<PlayResult>;
}

/**
 * A policy that watches the world minute by minute (and at instants it asks for) and acts through
 * the ports. `tick` runs with the world's clock stopped, so every call it makes happens at `now`.
 */
export interface Controller {
  /** Called at every whole minute, after the world has published it, and at every wake-up asked for. */
  tick(now: number, events: readonly WorldEvent[]): Promise<void>;
  /** The next instant, before the next whole minute, at which the controller wants to act. */
  nextWake?(now: number): number | undefined;
}

const MINUTE_MS = 60_000;

/** Runs `world` to the end of its scenario, letting `controller` act at each minute and wake-up. */
export async function drive(world: SimWorld, controller: Controller): Promise<void> {
  while (!world.done) {
    const now = world.now;
    const nextMinute = (Math.floor(now / MINUTE_MS) + 1) * MINUTE_MS;
    const wake = controller.nextWake?.(now);
    const until = Math.min(world.endMs, nextMinute, wake !== undefined && wake > now ? wake : Number.POSITIVE_INFINITY);
    const events = world.advanceTo(until);
    await controller.tick(world.now, events);
  }
}

/** A policy built from a controller over a fresh world; `prepare` may adjust the scenario first. */
export function controllerPolicy(props: {
  readonly name: PolicyName;
  readonly summary: string;
  readonly controller: (world: SimWorld, options: PlayOptions) => Controller;
  readonly prepare?: (scenario: Scenario) => Scenario;
}): BenchPolicy {
  return {
    name: props.name,
    summary: props.summary,
    async play(scenario: Scenario, options: PlayOptions = {}): Promise<PlayResult> {
      const world = createWorld(props.prepare ? props.prepare(scenario) : scenario, {
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
      });
      await drive(world, props.controller(world, options));
      return { world, outcome: world.outcome() };
    },
  };
}
