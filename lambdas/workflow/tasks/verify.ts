import { collectSnapshot, type CollectPorts } from '../../domain/collect';
import { assess, backlogDrain, processedRates } from '../../domain/engine';
import { nextRoundOf } from '../../domain/next-round';
import { judgeOutcome } from '../../domain/outcome';
import { pauseFor } from '../../domain/pause';
import { decideRevert } from '../../domain/revert';
import { appStateOf } from '../../domain/snapshot';
import type { Verification, VerifyResult } from '../../domain/run-state';
import { FIRST_ROUND } from '../state';
import { parseTaskPayload, type TaskCore } from '../task-payloads';
import type { FleetChangeLog, PauseSwitch } from '../../ports';
import { readFleetBudget } from '../fleet-changes';
import type { TaskTelemetry } from '../telemetry';

export interface VerifyDeps extends CollectPorts {
  readonly telemetry: TaskTelemetry;
  /** The operators' kill switch: a run paused since its assessment takes no further round. */
  readonly pauses: PauseSwitch;
  /** The fleet's changes: another round's plan is held to fleet.maxChangesPerHour too. */
  readonly fleetChanges: FleetChangeLog;
}

/**
 * Read-only: re-assesses the target after the settling wait and compares the result with the
 * assessment that led to the change. When the change did not resolve the incident and the fresh
 * assessment has a new bounded plan the run may apply, it proposes another round; the state machine
 * takes it within its round bound, still under the same lock. When the change made things worse, the
 * round it proposes instead takes the change back (revert.ts), and a run that reverted goes no further.
 */
export function createVerifyTask(deps: VerifyDeps): TaskCore<unknown, VerifyResult> {
  return async (payload) => {
    const {
      run,
      assessment,
      progress,
      round = FIRST_ROUND,
      rounds = [],
      maxRounds = 1,
      budget,
      maxChangesPerHour,
    } = parseTaskPayload('verify', payload);
    const [snapshot, fleet] = await Promise.all([
      collectSnapshot(deps, run.config),
      readFleetBudget(deps, maxChangesPerHour),
    ]);
    // Planned as a dry run: what verification saw, whatever the mode.
    const report = assess(snapshot, { target: run.config, policy: run.policy, dryRun: true });
    const drain = backlogDrain(snapshot, { target: run.config, policy: run.policy });
    const rates = processedRates(snapshot, { target: run.config, policy: run.policy });
    const changed = progress
      ? { shardsRemoved: progress.applied.some((a) => a.step.type === 'UpdateShardCount' && a.step.to < a.step.from) }
      : undefined;
    const { outcome, reason, harm } = judgeOutcome(assessment.report, report, drain, rates, changed);
    const now = deps.clock.now();
    const pause = pauseFor(run.target, await deps.pauses.pausesFor(run.target));
    const judged: Verification = {
      outcome,
      reason,
      report,
      verifiedAt: now.toISOString(),
      ...(pause ? { pause } : {}),
      ...(harm ? { harm } : {}),
    };
    const revert =
      progress && !run.dryRun
        ? decideRevert({
            assessment,
            progress,
            verification: judged,
            rounds,
            policy: run.policy,
            ledger: snapshot.ledger.filter((e) => e.target === run.target),
            now,
            ...(budget ? { timeBudget: { budget, startedAt: run.startedAt } } : {}),
            ...(pause ? { pause } : {}),
            ...(snapshot.describeApplication
              ? { appSnapshotsEnabled: appStateOf(snapshot.describeApplication).snapshotsEnabled }
              : {}),
          })
        : undefined;
    const verification: Verification =
      revert?.kind === 'refused' ? { ...judged, revertRefused: revert.reason } : judged;
    const reverted = assessment.revert !== undefined || rounds.some((r) => r.assessment.revert);
    const next = revert
      ? revert.kind === 'revert'
        ? revert.next
        : undefined
      : progress && !reverted
        ? nextRoundOf({
            run,
            assessment,
            progress,
            verification,
            rounds,
            round,
            maxRounds,
            replan: () =>
              assess(snapshot, {
                target: run.config,
                policy: run.policy,
                dryRun: run.dryRun,
                ...(fleet ? { fleet } : {}),
              }),
            now,
            ...(budget ? { timeBudget: { budget, startedAt: run.startedAt } } : {}),
            ...(pause ? { pause } : {}),
          })
        : undefined;
    deps.telemetry.info('verified', {
      target: run.target,
      outcome,
      reason,
      cause: report.diagnosis.cause,
      round,
      ...(next ? { nextRound: next.assessment.report.plan.actions.map((a) => a.type) } : {}),
      ...(harm ? { harm } : {}),
      ...(revert ? { revert: revert.kind === 'revert' ? 'reverting' : revert.reason } : {}),
    });
    const { next: _proposed, ...verified } = verification;
    const result: VerifyResult = { ...verified, round };
    return next ? { ...result, next } : result;
  };
}
