/**
 * Counter-based pseudo-randomness: each value is a pure function of (seed, channel, index), so the
 * world gives the same numbers however its time is cut into steps (a workflow's API calls split
 * steps at arbitrary instants) and in whatever order the models ask.
 */

/** A 32-bit mix with full avalanche (the finaliser of MurmurHash3), applied three times over the inputs. */
function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform in [0, 1). */
export function uniformAt(seed: number, channel: number, index: number): number {
  const h = mix32(mix32(mix32(seed ^ 0x9e3779b9) ^ Math.imul(channel + 1, 0x7feb352d)) ^ Math.imul(index, 0x68e31da4));
  return h / 4294967296;
}

/** Standard normal (Box-Muller over two uniforms of the same index). */
export function normalAt(seed: number, channel: number, index: number): number {
  const u1 = Math.max(uniformAt(seed, channel, index), 1e-12);
  const u2 = uniformAt(seed, channel + 7919, index);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Noise channels, one per quantity, so adding a new noisy quantity does not change the others. */
export const NOISE_CHANNEL = {
  traffic: 1,
  cpu: 2,
  heap: 3,
  checkpoint: 4,
  consumerLatency: 5,
} as const;
