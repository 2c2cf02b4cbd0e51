import { parseConfig } from '../../../../lambdas/domain/config';
import { assess } from '../../../../lambdas/domain/engine';
import { assessmentOf } from '../../../../lambdas/domain/disposition';
import type { Progress, ResourceWait, Verification } from '../../../../lambdas/domain/run-state';
import { workStepsOf } from '../../../../lambdas/domain/work-steps';
import { composeNotification } from '../../../../lambdas/domain/notification';
import { parseSnapshot } from '../../../../lambdas/domain/snapshot';
import { parseWorkflowInput, toRunContext } from '../../../../lambdas/workflow/input';
import { buildSnapshotInput } from '../../../builders/snapshot-builder';
import { LAGGING_APP } from '../../support/cli-harness';

export const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:StreamMedicWorkflow';
export const EXECUTION_ARN = 'arn:aws:states:eu-west-1:123456789012:execution:StreamMedicWorkflow:0b1c2d3e';

/** The deployed config the fake executions run with. */
export const DEPLOYED_CONFIG = parseConfig({
  targets: [
    {
      name: 'orders',
      mode: 'auto',
      stream: { name: 'orders-stream', maxShards: 64 },
      application: { name: 'orders-enricher', maxParallelism: 48, builtInAutoscaling: 'turn-off' },
    },
  ],
});

/**
 * The state a StreamMedic execution ends with, built by the same domain functions the workflow's
 * tasks call (intake, assess, notify), so its shape is the one the deployed workflow outputs.
 */
export function finalStateFor(
  input: { target: string; dryRun: boolean },
  ending: { readonly applied?: boolean } = {},
): Record<string, unknown> {
  const run = toRunContext(parseWorkflowInput(input), DEPLOYED_CONFIG, {
    executionId: EXECUTION_ARN,
    startedAt: '2026-11-21T10:15:30.000Z',
    region: 'eu-west-1',
  });
  const snapshot = parseSnapshot(buildSnapshotInput(LAGGING_APP));
  const report = assess(snapshot, { target: run.config, policy: run.policy, dryRun: run.dryRun });
  const assessment = assessmentOf(report, run, new Date('2026-11-21T10:15:40.000Z'));
  let progress: Progress | undefined;
  let wait: ResourceWait | undefined;
  let verification: Verification | undefined;
  if (ending.applied) {
    const steps = workStepsOf(report.plan.actions);
    progress = {
      next: steps.length,
      applied: steps.map((step) => ({ step, at: '2026-11-21T10:15:45.000Z', outcome: 'requested' as const })),
      more: false,
    };
    const last = steps[steps.length - 1]!;
    const awaiting =
      'streamName' in last
        ? { kind: 'stream' as const, name: last.streamName }
        : { kind: 'application' as const, name: last.applicationName };
    wait = { awaiting, polls: 3, ready: true, lastStatus: 'ACTIVE' };
    verification = {
      outcome: 'improving',
      reason: 'CONSUMER_COMPUTE is still found but easing: millisBehindLatest 64800000 -> 1200000',
      report,
      verifiedAt: '2026-11-21T10:25:00.000Z',
    };
  }
  const facts = {
    run,
    assessment,
    ...(progress ? { progress } : {}),
    ...(verification ? { verification } : {}),
  };
  const message = composeNotification({ ...facts, region: 'eu-west-1' });
  return {
    run,
    round: 1,
    rounds: [],
    lock: { acquired: true },
    assessment,
    ...(progress ? { apply: { progress, ...(wait ? { wait } : {}) } } : {}),
    ...(verification ? { verification: { ...verification, round: 1 } } : {}),
    notification: { subject: message.subject, outcome: message.attributes['outcome'] },
  };
}
