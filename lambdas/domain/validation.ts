import type { z } from 'zod';

/** A value that failed validation; `path` names the first bad field the way a person would type it. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(path ? `${path}: ${detail}` : detail);
  }
}

/** Renders a zod issue path as `targets[1].stream.maxShards`. */
export function formatPath(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** Parses `value` with `schema`, throwing an {@link InvalidInputError} that names the first bad field. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  // zod reports an unknown key at its parent object; name the key itself, which is what must go.
  if (issue.code === 'unrecognized_keys') {
    const [key, ...others] = issue.keys;
    const also = others.length > 0 ? ` (also ${others.map((k) => `"${k}"`).join(', ')})` : '';
    throw new InvalidInputError(formatPath([...issue.path, key!], prefix), `is not a known field${also}`);
  }
  const path = formatPath(issue.path, prefix);
  throw new InvalidInputError(path || prefix || '(root)', issue.message);
}

/** Limits on any JSON document StreamMedic reads: real inputs are far inside them, hostile ones are not. */
export const JSON_LIMITS = {
  /** AWS's own responses nest fewer than 15 levels; 64 leaves room for hand-written files. */
  maxDepth: 64,
  /** A snapshot of 500 series x 1,440 points is about 30 MB; anything past this is not an incident. */
  maxBytes: 64 * 1024 * 1024,
} as const;

/**
 * Refuses a parsed document nested deeper than {@link JSON_LIMITS.maxDepth}, naming the path where it
 * goes too deep. Walks with an explicit stack: a recursive walk is what a deep document would overflow.
 */
export function assertJsonDepth(value: unknown, prefix = '', maxDepth: number = JSON_LIMITS.maxDepth): void {
  const stack: { node: unknown; depth: number; path: (string | number)[] }[] = [{ node: value, depth: 0, path: [] }];
  while (stack.length > 0) {
    const { node, depth, path } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= maxDepth) {
      throw new InvalidInputError(
        formatPath(path, prefix) || prefix || '(root)',
        `nested deeper than ${maxDepth} levels`,
      );
    }
    const entries: [string | number, unknown][] = Array.isArray(node)
      ? node.map((child, index) => [index, child])
      : Object.entries(node as Record<string, unknown>);
    for (const [key, child] of entries) {
      if (child !== null && typeof child === 'object')
        stack.push({ node: child, depth: depth + 1, path: [...path, key] });
    }
  }
}
