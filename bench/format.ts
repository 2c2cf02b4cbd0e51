/** Number formats shared by the benchmark's tables and goal lines. */

/** A count in a few characters: 12.3M, 45k, 678. */
export function compact(value: number): string {
  if (Math.abs(value) >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (Math.abs(value) >= 1e4) return `${(value / 1e3).toFixed(0)}k`;
  return String(value);
}
