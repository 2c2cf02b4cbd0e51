/**
 * SDK responses carry `Date` objects, `undefined` fields and `$metadata`; snapshots and Step Functions
 * payloads need plain JSON in the shape `aws ... describe-*` prints (times as ISO strings).
 */
export function toPlainJson(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      if (field === undefined || key === '$metadata') continue;
      out[key] = toPlainJson(field);
    }
    return out;
  }
  return value;
}
