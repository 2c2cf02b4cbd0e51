import { collectSnapshot, type CollectPorts } from '../domain/collect';
import { assess } from '../domain/engine';
import { judgeOutcome, type Verification } from '../domain/execution';
import { parsePayload, type StepCore, type VerifyPayload } from './contracts';
import type { StepTelemetry } from './telemetry';

export interface VerifyDeps extends CollectPorts {
  readonly telemetry: StepTelemetry;
}

/**
 * Read-only: re-assesses the target after the settling wait and compares the result with the
 * assessment that led to the change.
 */
export function createVerifyStep(deps: VerifyDeps): StepCore<unknown, Verification> {
  return async (payload) => {
    const { run, assessment } = parsePayload<VerifyPayload>('verify', payload);
    const snapshot = await collectSnapshot(deps, run.config);
    // Planned as a dry run: verification never acts, whatever the mode.
    const report = assess(snapshot, { target: run.config, policy: run.policy, dryRun: true });
    const { outcome, reason } = judgeOutcome(assessment.report, report);
    deps.telemetry.info('verified', { target: run.target, outcome, reason, cause: report.diagnosis.cause });
    return { outcome, reason, report, verifiedAt: deps.clock.now().toISOString() };
  };
}
