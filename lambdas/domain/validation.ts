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
