/**
 * The rules every plan must keep, whatever the diagnosis: bounds, API limits, budget, cooldowns and
 * resource state, written from DESIGN.md and INCIDENTS.md. Each check returns the broken rules as
 * sentences, so a failing property or example names what went wrong.
 */
import { AWS_LIMITS, type Policy, type TargetConfig } from '../../../lambdas/domain/config';
import { METRICS } from '../../../lambdas/domain/metric-catalog';
import { MetricWindow } from '../../../lambdas/domain/metric-window';
import {
  actionCalls,
  actionDirection,
  actionResource,
  type Action,
  type AppState,
  type LedgerEntry,
  type Report,
  type StreamState,
} from '../../../lambdas/domain/model';
import { parseAppState, parseStreamState, type Snapshot } from '../../../lambdas/domain/snapshot';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export interface PlanFacts {
  /** Epoch ms of the snapshot's capturedAt. */
  readonly now: number;
  readonly target: TargetConfig;
  readonly policy: Policy;
  readonly dryRun: boolean;
  readonly stream?: StreamState;
  readonly app?: AppState;
  readonly ledger: readonly LedgerEntry[];
}

export function factsOf(snapshot: Snapshot, target: TargetConfig, policy: Policy, dryRun: boolean): PlanFacts {
  return {
    now: Date.parse(snapshot.capturedAt),
    target,
    policy,
    dryRun,
    ...(snapshot.describeStreamSummary ? { stream: parseStreamState(snapshot.describeStreamSummary) } : {}),
    ...(snapshot.describeApplication ? { app: parseAppState(snapshot.describeApplication) } : {}),
    ledger: snapshot.ledger,
  };
}

function show(action: Action): string {
  return JSON.stringify(action);
}

/** Per-target bounds and the APIs' own limits. */
export function boundViolations(report: Report, facts: PlanFacts): string[] {
  const broken: string[] = [];
  const { target, stream, app } = facts;
  for (const action of report.plan.actions) {
    const where = show(action);
    switch (action.type) {
      case 'UpdateShardCount': {
        const bounds = target.stream;
        if (!bounds || action.streamName !== bounds.name) {
          broken.push(`${where}: the target does not manage stream ${action.streamName}`);
          break;
        }
        if (!stream || action.from !== stream.openShards) {
          broken.push(`${where}: from must be the stream's open shard count (${stream?.openShards ?? 'unknown'})`);
        }
        if (action.steps.length === 0 || action.steps[action.steps.length - 1] !== action.to) {
          broken.push(`${where}: the steps must end at ${action.to}`);
        }
        if (action.to === action.from) broken.push(`${where}: a reshard to the same count is no change`);
        let previous = action.from;
        for (const step of action.steps) {
          if (!Number.isInteger(step)) broken.push(`${where}: step ${step} is not a whole shard count`);
          if (step < bounds.minShards || step > bounds.maxShards) {
            broken.push(`${where}: step ${step} is outside the target's ${bounds.minShards}..${bounds.maxShards}`);
          }
          if (step > AWS_LIMITS.maxShardsPerStream) broken.push(`${where}: step ${step} exceeds 10,000 shards`);
          if (step < Math.ceil(previous / 2) || step > 2 * previous) {
            broken.push(`${where}: step ${previous} -> ${step} breaks UpdateShardCount's [ceil(N/2), 2N] rule`);
          }
          if (step === previous) broken.push(`${where}: step ${step} repeats the previous count`);
          previous = step;
        }
        break;
      }
      case 'UpdateApplicationParallelism': {
        const bounds = target.application;
        if (!bounds || action.applicationName !== bounds.name) {
          broken.push(`${where}: the target does not manage application ${action.applicationName}`);
          break;
        }
        if (!app || action.from !== app.parallelism) {
          broken.push(`${where}: from must be the parallelism the job runs with (${app?.parallelism ?? 'unknown'})`);
        }
        if (!Number.isInteger(action.to) || action.to < 1 || action.to > AWS_LIMITS.maxParallelism) {
          broken.push(`${where}: parallelism must be 1..${AWS_LIMITS.maxParallelism}`);
        }
        if (action.to < bounds.minParallelism || action.to > bounds.maxParallelism) {
          broken.push(
            `${where}: parallelism is outside the target's ${bounds.minParallelism}..${bounds.maxParallelism}`,
          );
        }
        // A job restores from its snapshot only up to its max parallelism.
        if (action.to > bounds.maxJobParallelism) {
          broken.push(`${where}: parallelism is past the job's max parallelism ${bounds.maxJobParallelism}`);
        }
        const perKpu = action.parallelismPerKpu;
        if (!Number.isInteger(perKpu) || perKpu < 1 || perKpu > AWS_LIMITS.maxParallelismPerKpu) {
          broken.push(`${where}: parallelismPerKpu must be 1..${AWS_LIMITS.maxParallelismPerKpu}`);
        } else if (Math.ceil(action.to / perKpu) > bounds.maxKpu) {
          broken.push(`${where}: ${Math.ceil(action.to / perKpu)} KPUs exceed the target's maxKpu ${bounds.maxKpu}`);
        }
        break;
      }
      case 'UpdateApplicationMonitoring':
        if (!target.application || action.applicationName !== target.application.name) {
          broken.push(`${where}: the target does not manage application ${action.applicationName}`);
        }
        break;
      case 'IncreaseStreamRetention': {
        const bounds = target.stream;
        if (!bounds || action.streamName !== bounds.name) {
          broken.push(`${where}: the target does not manage stream ${action.streamName}`);
          break;
        }
        if (!stream || action.fromHours !== stream.retentionHours) {
          broken.push(`${where}: fromHours must be the stream's retention (${stream?.retentionHours ?? 'unknown'})`);
        }
        if (action.toHours <= action.fromHours) broken.push(`${where}: retention must increase`);
        if (action.toHours > bounds.maxRetentionHours || action.toHours > AWS_LIMITS.maxRetentionHours) {
          broken.push(`${where}: retention is above the target's maxRetentionHours ${bounds.maxRetentionHours}`);
        }
        break;
      }
    }
  }
  return broken;
}

function isScaling(type: Action['type'] | LedgerEntry['actionType']): boolean {
  return type === 'UpdateShardCount' || type === 'UpdateApplicationParallelism';
}

/** Budget, cooldowns, resource state, snapshots and built-in autoscaling. */
export function guardrailViolations(report: Report, facts: PlanFacts): string[] {
  const broken: string[] = [];
  const { policy, target, stream, app, now } = facts;
  const ledger = facts.ledger.map((entry) => ({ ...entry, t: Date.parse(entry.at) }));
  const plannedCalls = new Map<string, number>();
  for (const action of report.plan.actions) {
    const resource = actionResource(action);
    plannedCalls.set(resource, (plannedCalls.get(resource) ?? 0) + actionCalls(action));
  }
  for (const [resource, planned] of plannedCalls) {
    // Entries are counted at the same instant or later than 24 h ago: the stricter reading.
    const used = ledger.filter((e) => e.resource === resource && e.t >= now - DAY).reduce((n, e) => n + e.calls, 0);
    if (used + planned > policy.dailyActionBudget) {
      broken.push(
        `${resource}: ${used} calls in the last 24 h plus ${planned} planned exceed the budget of ${policy.dailyActionBudget}`,
      );
    }
  }
  for (const action of report.plan.actions) {
    const where = show(action);
    const resource = actionResource(action);
    const direction = actionDirection(action);
    if (isScaling(action.type) && direction === 'up') {
      const recent = ledger.find(
        (e) => e.resource === resource && e.direction === 'up' && e.t > now - policy.cooldownUpMinutes * MINUTE,
      );
      if (recent)
        broken.push(`${where}: scales up within ${policy.cooldownUpMinutes} min of the scale-up at ${recent.at}`);
    }
    if (direction === 'down') {
      const recent = ledger.find((e) => e.resource === resource && e.t > now - policy.cooldownDownMinutes * MINUTE);
      if (recent)
        broken.push(`${where}: scales in within ${policy.cooldownDownMinutes} min of the change at ${recent.at}`);
    }
    if ('streamName' in action) {
      if (!stream || stream.status !== 'ACTIVE')
        broken.push(`${where}: the stream is ${stream?.status ?? 'unknown'}, not ACTIVE`);
      // On-demand streams cannot be resharded (DESIGN.md); their retention can still be raised.
      if (action.type === 'UpdateShardCount' && stream?.mode === 'ON_DEMAND')
        broken.push(`${where}: the stream is ON_DEMAND`);
    } else {
      if (!app || app.status !== 'RUNNING')
        broken.push(`${where}: the application is ${app?.status ?? 'unknown'}, not RUNNING`);
      if (app && !app.snapshotsEnabled && !target.application?.allowWithoutSnapshots) {
        broken.push(`${where}: the application's snapshots are off and the target does not allow that`);
      }
      if (action.type === 'UpdateApplicationParallelism' && app?.autoScalingEnabled) {
        if (target.application?.builtInAutoscaling === 'defer') {
          broken.push(`${where}: built-in autoscaling is on and the target defers to it`);
        } else if (action.autoScalingEnabled !== false) {
          broken.push(`${where}: built-in autoscaling is on and the update does not turn it off`);
        }
      }
    }
  }
  return broken;
}

/** `apply` is true only for a live run in auto mode. */
export function applyViolations(report: Report, facts: PlanFacts): string[] {
  const live = facts.target.mode === 'auto' && !facts.dryRun;
  if (!live && report.plan.apply)
    return [`apply is true in ${facts.target.mode} mode${facts.dryRun ? ' (dry run)' : ''}`];
  if (report.plan.mode !== facts.target.mode)
    return [`plan.mode ${report.plan.mode} is not the target's ${facts.target.mode}`];
  if (live && report.plan.actions.length > 0 && !report.plan.apply)
    return ['a live auto run with actions does not apply them'];
  return [];
}

/** The last reported consumer lag (iterator age or millisBehindLatest; -1 means not reported). */
export function latestLagMs(snapshot: Snapshot, facts: PlanFacts): number | undefined {
  if (!snapshot.getMetricData) return undefined;
  const window = MetricWindow.fromGetMetricData(snapshot.getMetricData, facts.now);
  let latest: number | undefined;
  const consider = (view: ReturnType<MetricWindow['pick']>): void => {
    const points = view?.series.points.filter((p) => p.v >= 0) ?? [];
    const last = points[points.length - 1];
    if (last && (latest === undefined || last.v > latest)) latest = last.v;
  };
  consider(window.pick(METRICS.iteratorAge, facts.target.stream?.name));
  consider(window.pick(METRICS.millisBehindLatest, facts.target.application?.name));
  return latest;
}

/** Scale in slowly: never while the consumer is behind. */
export function lagViolations(report: Report, snapshot: Snapshot, facts: PlanFacts): string[] {
  const lag = latestLagMs(snapshot, facts);
  if (lag === undefined || lag <= facts.policy.lagThresholdMs) return [];
  return report.plan.actions
    .filter((a) => actionDirection(a) === 'down')
    .map((a) => `${show(a)}: scales in while lag is ${lag} ms, above ${facts.policy.lagThresholdMs} ms`);
}

export function allViolations(report: Report, snapshot: Snapshot, facts: PlanFacts): string[] {
  return [
    ...boundViolations(report, facts),
    ...guardrailViolations(report, facts),
    ...applyViolations(report, facts),
    ...lagViolations(report, snapshot, facts),
  ];
}
