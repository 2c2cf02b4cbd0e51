/**
 * What the guardrails refused, kept for the history: each refusal of a run's plan (cooldown, daily
 * budget, bounds, backlog draining, ...) with the action it stopped and why, so an operator can read
 * why StreamMedic did not act. The guardrails never read these back: they count changes only.
 */
// A namespace import lets esbuild leave out the parts of zod nobody uses (its locales, JSON Schema).
import * as z from 'zod';
import { ACTION_TYPES, GUARDRAILS } from './vocabulary';

export const RefusalRecordSchema = z
  .object({
    target: z.string().min(1),
    /** The run whose plan was refused. */
    executionId: z.string().min(1),
    /** When the run started: with the execution, the guardrail and the index, it names the refusal once per run. */
    runStartedAt: z.iso.datetime({ offset: true }),
    /** Which refusal of the plan it is (its place in the plan's refused list). */
    index: z.number().int().nonnegative(),
    /** ISO-8601 time of the assessment that refused. */
    at: z.iso.datetime({ offset: true }),
    guardrail: z.enum(GUARDRAILS),
    actionType: z.enum(ACTION_TYPES),
    /** `stream/<name>` or `application/<name>`, as the ledger names resources. */
    resource: z.string().min(1),
    /** The refused action in words, as the run's message said it. */
    action: z.string().min(1),
    reason: z.string().min(1),
  })
  .strict();
export type RefusalRecord = z.infer<typeof RefusalRecordSchema>;
