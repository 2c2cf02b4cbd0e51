/**
 * Mode `approve`: the workflow plans as in `auto`, asks on-call to approve the plan, and waits. The
 * request (with the task token the decision is sent back with) is kept where `stream-medic approve`
 * and `deny` find it by target; every decision, and a request left unanswered, is kept for the
 * history with who decided and why.
 */
// A namespace import lets esbuild leave out the parts of zod nobody uses (its locales, JSON Schema).
import * as z from 'zod';

/** The error a denial ends the wait with (SendTaskFailure `error`); the state machine catches it. */
export const APPROVAL_DENIED_ERROR = 'ApprovalDenied';
/** How Step Functions ends a task that waited past its timeout. */
export const APPROVAL_TIMED_OUT_ERROR = 'States.Timeout';

/** How long a request waits for a decision unless the config says otherwise. */
export const DEFAULT_APPROVAL_TIMEOUT_MINUTES = 30;

/** What an approval sends back to the waiting workflow (SendTaskSuccess `output`). */
export const ApprovalDecisionSchema = z
  .object({
    decision: z.literal('approved'),
    by: z.string().min(1),
    /** The caller's AWS identity as STS GetCallerIdentity verified it (`by` is the name they gave). */
    operatorArn: z.string().min(1).optional(),

    at: z.iso.datetime({ offset: true }),
  })
  .strict();
export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;

/** A run waiting for a decision: one per target at most, as the lock allows one run per target. */
export const ApprovalRequestSchema = z
  .object({
    target: z.string().min(1),
    executionId: z.string().min(1),
    /** The task token SendTaskSuccess and SendTaskFailure take. */
    taskToken: z.string().min(1),
    requestedAt: z.iso.datetime({ offset: true }),
    /** When the wait times out and the plan is refused (not `expiresAt`, the table's TTL attribute). */
    timesOutAt: z.iso.datetime({ offset: true }),
    /** The planned calls, in words, for the person deciding. */
    plan: z.array(z.string()),
  })
  .strict();
export type ApprovalRequest = z.infer<typeof ApprovalRequestSchema>;

export const APPROVAL_OUTCOMES = ['approved', 'denied', 'timed-out'] as const;
export type ApprovalOutcome = (typeof APPROVAL_OUTCOMES)[number];

/** A decision on a request, or a request nobody answered in time. */
export const ApprovalEventSchema = z
  .object({
    outcome: z.enum(APPROVAL_OUTCOMES),
    target: z.string().min(1),
    executionId: z.string().min(1),
    /** The operator, or `StreamMedic` for a timeout. */
    by: z.string().min(1),
    /** The caller's AWS identity as STS GetCallerIdentity verified it (`by` is the name they gave). */
    operatorArn: z.string().min(1).optional(),

    reason: z.string().min(1).optional(),
    at: z.iso.datetime({ offset: true }),
  })
  .strict();
export type ApprovalEvent = z.infer<typeof ApprovalEventSchema>;

/** Whether a fresh plan is the one that was approved: the same calls, from the same sizes, to the same sizes. */
export function samePlan<Step>(fresh: readonly Step[], approved: readonly Step[]): boolean {
  return (
    fresh.length === approved.length && fresh.every((step, i) => JSON.stringify(step) === JSON.stringify(approved[i]))
  );
}

/**
 * The cause a denial ends the wait with (SendTaskFailure `cause`): who denied (with their verified
 * ARN, when known), and why if they said.
 */
export function denialCause(by: string, reason?: string, operatorArn?: string): string {
  return `denied by ${by}${operatorArn ? ` (${operatorArn})` : ''}${reason ? `: ${reason}` : ''}`;
}

/** The refusal a failed wait stands for: a denial, or a timeout. */
export function refusalOutcome(error: string): Extract<ApprovalOutcome, 'denied' | 'timed-out'> | undefined {
  if (error === APPROVAL_DENIED_ERROR) return 'denied';
  if (error === APPROVAL_TIMED_OUT_ERROR) return 'timed-out';
  return undefined;
}
