import type { Policy, StreamMedicConfig, TargetConfig } from './config';
import type { Report } from './model';
import type { Snapshot } from './snapshot';

export interface AssessOptions {
  readonly target: TargetConfig;
  readonly policy: Policy;
  /** A dry run plans exactly as a live run; it only sets `plan.apply` to false. */
  readonly dryRun: boolean;
}

/**
 * Diagnoses a snapshot and plans a bounded fix. Pure and deterministic: "now" is the snapshot's
 * `capturedAt`, and earlier actions come from `snapshot.ledger`.
 */
export function assess(snapshot: Snapshot, options: AssessOptions): Report {
  void snapshot;
  void options;
  throw new Error('not implemented yet');
}

/** Picks the target config for a snapshot: `--target`, the snapshot's own, a matching config target, or defaults. */
export function resolveTarget(
  snapshot: Snapshot,
  config: StreamMedicConfig | undefined,
  targetName: string | undefined,
): { target: TargetConfig; policy: Policy } {
  void snapshot;
  void config;
  void targetName;
  throw new Error('not implemented yet');
}
