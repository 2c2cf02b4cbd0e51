import type * as z from 'zod';
import { LEDGER_TABLE_PARTITION_KEY, LEDGER_TABLE_SORT_KEY, LEDGER_TABLE_TTL_ATTRIBUTE } from '../ports/ledger-table';

const KEY_ATTRIBUTES = new Set([LEDGER_TABLE_PARTITION_KEY, LEDGER_TABLE_SORT_KEY, LEDGER_TABLE_TTL_ATTRIBUTE]);

/**
 * An item of the ledger table read back through its schema, without the key attributes; an item no
 * schema reads is refused with its key and the field at fault, never guessed at.
 */
export function parseStoredItem<T>(schema: z.ZodType<T>, item: Record<string, unknown>, what: string): T {
  const fields = Object.fromEntries(Object.entries(item).filter(([name]) => !KEY_ATTRIBUTES.has(name)));
  const parsed = schema.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(
      `${what} item ${String(item[LEDGER_TABLE_PARTITION_KEY])}/${String(item[LEDGER_TABLE_SORT_KEY])} is malformed at ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`,
    );
  }
  return parsed.data;
}
