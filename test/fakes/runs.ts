import { parseConfig } from '../../lambdas/domain/config';
import { assessmentOf } from '../../lambdas/domain/disposition';
import type { Assessment, RunContext } from '../../lambdas/domain/run-state';
import type { Action, Diagnosis, Plan, Refusal, Report } from '../../lambdas/domain/model';
import { toRunContext } from '../../lambdas/workflow/input';

export const EXECUTION_ARN = 'arn:aws:states:eu-west-1:123456789012:execution:StreamMedic:run-1';

/** A run of target `orders` (stream orders-stream, application orders-enricher) in the given mode. */
export function runContext(
  options: { mode?: 'auto' | 'recommend' | 'observe'; dryRun?: boolean; alarm?: string; region?: string } = {},
): RunContext {
  const config = parseConfig({
    targets: [
      {
        name: 'orders',
        mode: options.mode ?? 'auto',
        stream: { name: 'orders-stream' },
        application: { name: 'orders-enricher' },
      },
    ],
  });
  return toRunContext(
    {
      target: 'orders',
      dryRun: options.dryRun ?? false,
      trigger: options.alarm
        ? {
            kind: 'alarm',
            alarmName: options.alarm,
            reason: 'Threshold Crossed: 3 datapoints',
            changedAt: '2026-11-21T10:14:31Z',
          }
        : { kind: 'manual' },
    },
    config,
    { executionId: EXECUTION_ARN, startedAt: '2026-11-21T10:14:33.000Z', region: options.region ?? 'eu-west-1' },
  );
}

export const SCALE_STREAM: Action = {
  type: 'UpdateShardCount',
  streamName: 'orders-stream',
  from: 2,
  to: 7,
  steps: [4, 7],
};
export const RAISE_PARALLELISM: Action = {
  type: 'UpdateApplicationParallelism',
  applicationName: 'orders-enricher',
  from: 4,
  to: 10,
  parallelismPerKpu: 1,
};

export function diagnosis(overrides: Partial<Diagnosis> = {}): Diagnosis {
  return {
    cause: 'STREAM_WRITE_CAPACITY',
    severity: 'critical',
    confidence: 0.95,
    summary: 'Stream orders-stream is full: add shards.',
    evidence: [
      { metric: 'WriteProvisionedThroughputExceeded', stat: 'Sum', value: 1_800_000, threshold: 0, unit: 'Count' },
    ],
    secondary: [],
    ...overrides,
  };
}

export function report(
  options: { diagnosis?: Partial<Diagnosis>; actions?: Action[]; refused?: Refusal[]; plan?: Partial<Plan> } = {},
): Report {
  const actions = options.actions ?? [SCALE_STREAM];
  return {
    target: { name: 'orders', streamName: 'orders-stream', applicationName: 'orders-enricher' },
    diagnosis: diagnosis(options.diagnosis),
    plan: {
      mode: 'auto',
      apply: actions.length > 0,
      actions,
      refused: options.refused ?? [],
      recommendations: [],
      ...options.plan,
    },
  };
}

export function assessment(run: RunContext, r: Report = report()): Assessment {
  return assessmentOf(r, run, new Date('2026-11-21T10:15:02.000Z'));
}
