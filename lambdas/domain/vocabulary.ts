/**
 * The one vocabulary of causes, findings, actions and guardrails. Every other module (the CLI, the
 * handlers, the CDK stack and the simulator) imports these names from here.
 */

export const PRIMARY_CAUSES = [
  'STREAM_WRITE_CAPACITY',
  'HOT_SHARD',
  'STREAM_READ_CAPACITY',
  'CONSUMER_COMPUTE',
  'SINK_BACKPRESSURE',
  'MEMORY_PRESSURE',
  'APP_UNHEALTHY',
  'VERBOSE_MONITORING',
  'OVER_PROVISIONED',
  'HEALTHY',
  'INSUFFICIENT_DATA',
] as const;
export type Cause = (typeof PRIMARY_CAUSES)[number];

/** Findings that only ever appear beside a primary cause. */
export const SECONDARY_ONLY_FINDINGS = ['RETENTION_RISK'] as const;
export type SecondaryFinding = Cause | (typeof SECONDARY_ONLY_FINDINGS)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const MODES = ['auto', 'recommend', 'observe', 'approve'] as const;
export type Mode = (typeof MODES)[number];

/**
 * The modes whose plans may change a resource: `auto` at once, `approve` once a person approved the
 * plan. Only these targets' resources get write grants.
 */
export const CHANGING_MODES: readonly Mode[] = ['auto', 'approve'];

export function modeMayChange(mode: Mode): boolean {
  return CHANGING_MODES.includes(mode);
}

export const ACTION_TYPES = [
  'UpdateShardCount',
  'UpdateApplicationParallelism',
  'UpdateApplicationMonitoring',
  'IncreaseStreamRetention',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export const GUARDRAILS = [
  'bounds',
  'kpu-limit',
  'shard-api-limit',
  'cooldown',
  'daily-budget',
  'fleet-budget',
  'resource-state',
  'on-demand',
  'snapshots-disabled',
  'builtin-autoscaling',
  'backlog-draining',
  'ineffective-scaling',
  'reverted',
] as const;
export type Guardrail = (typeof GUARDRAILS)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/**
 * The disposition of a plan held back by the operators' kill switch (pause.ts): whatever the mode,
 * nothing is changed while StreamMedic is paused.
 */
export const PAUSED = 'paused' as const;

/** The disposition of a plan in mode `approve` that waits for a person's decision. */
export const AWAITING_APPROVAL = 'awaiting-approval' as const;
