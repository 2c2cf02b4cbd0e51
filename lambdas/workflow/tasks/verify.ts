import { collectSnapshot, type CollectPorts } from '../../domain/collect';
import { assess } from '../../domain/engine';
import { judgeOutcome, nextRoundOf, type Verification } from '../../domain/run-state';
import { parsePayload, type StepCore, type VerifyPayload, type VerifyResult } from '../state';
import type { StepTelemetry } from '../telemetry';

export interface VerifyDeps extends CollectPorts {
  readonly telemetry: StepTelemetry;
}

/**
 * Read-only: re-assesses the target after the settling wait and compares the result with the
 * assessment that led to the change. When the change did not resolve the incident and the fresh
 * assessment has a new bounded plan the run may apply, it proposes another round; the state machine
 * takes it within its round bound, still under the same lock.
 */
export function createVerifyStep(deps: VerifyDeps): StepCore<unknown, VerifyResult> {
  return async (payload) => {
    const { run, assessment, progress, rounds = [], maxRounds = 1 } = parsePayload<VerifyPayload>('verify', payload);
    const snapshot = await collectSnapshot(deps, run.config);
    // Planned as a dry run: what verification saw, whatever the mode.
    const report = assess(snapshot, { target: run.config, policy: run.policy, dryRun: true });
    const { outcome, reason } = judgeOutcome(assessment.report, report);
    const now = deps.clock.now();
    const verification: Verification = { outcome, reason, report, verifiedAt: now.toISOString() };
    const round = rounds.length + 1;
    const next =
      progress && outcome !== 'resolved' && !run.dryRun && round < maxRounds
        ? nextRoundOf({
            run,
            assessment,
            progress,
            verification,
            rounds,
            maxRounds,
            replanned: assess(snapshot, { target: run.config, policy: run.policy, dryRun: run.dryRun }),
            now,
          })
        : undefined;
    deps.telemetry.info('verified', {
      target: run.target,
      outcome,
      reason,
      cause: report.diagnosis.cause,
      round,
      ...(next ? { nextRound: next.assessment.report.plan.actions.map((a) => a.type) } : {}),
    });
    return { ...verification, round, ...(next ? { next } : {}) };
  };
}
