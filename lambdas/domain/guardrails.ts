/**
 * The guardrails a drafted plan passes before anything is applied, in the order they are checked:
 * the first that stops an action names the refusal. Nothing is dropped: a stopped action moves to
 * `refused` with the guardrail's name and the reason.
 */
import { unknownApplicationValues, unknownStreamValues } from './aws-values';
import { outstandingBoost } from './boost';
import { LEDGER_LOOKBACK_MS } from './collect';
import { AWS_LIMITS, type Policy, type TargetConfig } from './config';
import { fleetChangesLastHour, type FleetBudget } from './fleet-budget';
import { historyByResource, type ResourceHistory } from './history';
import {
  actionCalls,
  actionDirection,
  actionResource,
  type Action,
  type AppState,
  type LedgerEntry,
  type Refusal,
  type StreamState,
} from './model';
import { kpusFor } from './sizing';
import type { Guardrail } from './vocabulary';

/** What the guardrails read: the target's config and policy, the resources as they are, and the ledger. */
export interface GuardContext {
  readonly target: TargetConfig;
  readonly policy: Policy;
  /** Whether the consumer is behind; capacity is not removed then. */
  readonly lagging: boolean;
  readonly stream?: StreamState;
  readonly app?: AppState;
  readonly ledger: readonly LedgerEntry[];
  /** Epoch ms; "now" for cooldowns and the budget. */
  readonly now: number;
  /** The fleet's changes per hour and its cap; absent, no fleet-wide budget applies (a snapshot read offline). */
  readonly fleet?: FleetBudget;
}

interface CheckContext extends GuardContext {
  readonly history: (resource: string) => ResourceHistory;
}

interface ActionGuardrail {
  readonly guardrail: Guardrail;
  /** Guardrails about the resource as it is now apply to every action, even one a bound already stopped. */
  readonly aboutResource?: true;
  /** Why the action may not run, or undefined if this guardrail lets it. */
  check(ctx: CheckContext, action: Action): string | undefined;
}

/**
 * The guardrails of a single action, in order. A resource that cannot change at all is the more
 * useful reason than a bound it would also hit, so the resource's own state comes first.
 */
export const ACTION_GUARDRAILS: readonly ActionGuardrail[] = [
  {
    guardrail: 'resource-state',
    aboutResource: true,
    check: (ctx, action) => {
      if ('streamName' in action) {
        return ctx.stream ? undefined : `stream ${action.streamName} was not described; its state is unknown`;
      }
      return ctx.app && ctx.target.application
        ? undefined
        : `application ${action.applicationName} was not described; its state is unknown`;
    },
  },
  {
    // A value AWS added after this version (a status, a runtime, a mode) is reported, never acted on.
    guardrail: 'resource-state',
    aboutResource: true,
    check: (ctx, action) => {
      const unknown = 'streamName' in action ? unknownStreamValues(ctx.stream!) : unknownApplicationValues(ctx.app!);
      const name = 'streamName' in action ? `stream ${ctx.stream!.name}` : `application ${ctx.app!.name}`;
      return unknown.length > 0
        ? `${name} reports ${unknown.map((u) => `${u.field} ${u.value}`).join(', ')}, unknown to this version of StreamMedic; nothing is changed on it`
        : undefined;
    },
  },
  {
    guardrail: 'on-demand',
    aboutResource: true,
    check: (ctx, action) =>
      action.type === 'UpdateShardCount' && ctx.stream?.mode === 'ON_DEMAND'
        ? `stream ${ctx.stream.name} is ON_DEMAND: AWS sizes it and it cannot be resharded`
        : undefined,
  },
  {
    guardrail: 'resource-state',
    aboutResource: true,
    check: (ctx, action) => {
      if ('streamName' in action) {
        const stream = ctx.stream!;
        return stream.status === 'ACTIVE'
          ? undefined
          : `stream ${stream.name} is ${stream.status}; it can only change while ACTIVE`;
      }
      const app = ctx.app!;
      if (app.status === 'RUNNING') return undefined;
      const busy = app.status === 'UPDATING' || app.status === 'AUTOSCALING';
      return `application ${app.name} is ${app.status}; it can only be updated while RUNNING${busy ? ', so wait for the change under way' : ''}`;
    },
  },
  {
    guardrail: 'snapshots-disabled',
    aboutResource: true,
    check: (ctx, action) =>
      'applicationName' in action && !ctx.app!.snapshotsEnabled && !ctx.target.application!.allowWithoutSnapshots
        ? `application ${ctx.app!.name} has snapshots off: an update restarts the job and its state would be lost (set allowWithoutSnapshots to permit it)`
        : undefined,
  },
  {
    guardrail: 'builtin-autoscaling',
    aboutResource: true,
    check: (ctx, action) =>
      action.type === 'UpdateApplicationParallelism' &&
      ctx.app!.autoScalingEnabled &&
      ctx.target.application!.builtInAutoscaling === 'defer'
        ? `application ${ctx.app!.name} has Managed Flink autoscaling on and the target defers to it; set builtInAutoscaling to "turn-off" to let StreamMedic size it`
        : undefined,
  },
  {
    // A resource already outside its configured bounds is left alone: every step of a change must
    // stay within them, and the config or the resource needs a person's look first.
    guardrail: 'bounds',
    check: (ctx, action) => {
      if (action.type === 'UpdateShardCount') {
        const { minShards, maxShards } = ctx.target.stream!;
        return action.from < minShards || action.from > maxShards
          ? `stream ${action.streamName} has ${action.from} shards, outside its bounds [${minShards}, ${maxShards}]; fix the config or the stream by hand`
          : undefined;
      }
      if (action.type !== 'UpdateApplicationParallelism') return undefined;
      const config = ctx.target.application!;
      const maxParallelism = Math.min(config.maxParallelism, AWS_LIMITS.maxParallelism);
      if (action.from < config.minParallelism || action.from > maxParallelism) {
        return `application ${action.applicationName} runs at parallelism ${action.from}, outside its bounds [${config.minParallelism}, ${maxParallelism}]; fix the config or the application by hand`;
      }
      return action.to > config.maxJobParallelism
        ? `parallelism ${action.to} is past the job's max parallelism ${config.maxJobParallelism} (maxJobParallelism): the job could not restore its state`
        : undefined;
    },
  },
  {
    guardrail: 'kpu-limit',
    check: (ctx, action) => {
      if (action.type !== 'UpdateApplicationParallelism') return undefined;
      const config = ctx.target.application!;
      const kpus = kpusFor(action.to, action.parallelismPerKpu);
      if (kpus > config.maxKpu) {
        return `parallelism ${action.to} at ${action.parallelismPerKpu} per KPU needs ${kpus} KPU; maxKpu is ${config.maxKpu}`;
      }
      return action.to < config.minParallelism
        ? `parallelism ${action.to} is below minParallelism ${config.minParallelism}, which maxKpu ${config.maxKpu} at ${action.parallelismPerKpu} per KPU cannot reach`
        : undefined;
    },
  },
  {
    guardrail: 'backlog-draining',
    check: (ctx, action) =>
      actionDirection(action) === 'down' && ctx.lagging
        ? 'the consumer is behind; capacity is never removed while a backlog drains'
        : undefined,
  },
  {
    // A change StreamMedic took back because it made things worse is not made again while its
    // effect may still show: for the scale-in cooldown after the revert, the resource is not moved
    // the way the reverted change moved it.
    guardrail: 'reverted',
    check: (ctx, action) => {
      const direction = actionDirection(action);
      if (direction === 'none' || action.type === 'IncreaseStreamRetention') return undefined;
      const resource = actionResource(action);
      const revert = ctx
        .history(resource)
        .changes.findLast(
          (c) =>
            c.entry.kind === 'revert' &&
            c.minutesAgo < REVERT_HOLD_MINUTES &&
            c.entry.direction !== direction &&
            c.entry.direction !== 'none',
        );
      return revert
        ? `${resource} was reverted ${Math.floor(revert.minutesAgo)} min ago (${revert.entry.from} -> ${revert.entry.to}) because the change before it made things worse; it is not moved that way again for ${REVERT_HOLD_MINUTES / 60} h: a person must look`
        : undefined;
    },
  },
  {
    guardrail: 'cooldown',
    check: (ctx, action) => {
      if (action.type === 'IncreaseStreamRetention') return undefined;
      const resource = actionResource(action);
      const { changes } = ctx.history(resource);
      const { cooldownUpMinutes, cooldownDownMinutes } = ctx.policy;
      if (actionDirection(action) === 'down') {
        if (isPlannedScaleBack(ctx, action)) return undefined;
        const recent = changes.find((c) => c.minutesAgo < cooldownDownMinutes);
        return recent
          ? `${resource} changed ${Math.floor(recent.minutesAgo)} min ago; scale-in waits ${cooldownDownMinutes} min after any change`
          : undefined;
      }
      // Every application update restarts the job, so any recent one blocks the next; streams only block repeat scale-ups.
      const isApp = resource.startsWith('application/');
      const recent = changes.find(
        (c) =>
          c.minutesAgo < cooldownUpMinutes &&
          c.entry.actionType !== 'IncreaseStreamRetention' &&
          (isApp || c.entry.direction === 'up'),
      );
      return recent
        ? `${resource} ${recent.entry.direction === 'up' ? 'scaled up' : 'changed'} ${Math.floor(recent.minutesAgo)} min ago; the cooldown is ${cooldownUpMinutes} min, so the last change is still settling`
        : undefined;
    },
  },
];

/**
 * The scale-back of a catch-up boost (boost.ts): it removes what a scale-up planned to be temporary,
 * never below the steady size, so the cooldown meant for unplanned scale-ins does not hold it; the
 * backlog-draining guardrail still does.
 */
function isPlannedScaleBack(ctx: CheckContext, action: Action): boolean {
  if (action.type !== 'UpdateApplicationParallelism') return false;
  const boost = outstandingBoost(ctx.ledger, action.applicationName, ctx.now);
  return boost !== undefined && action.from === boost.to && action.to >= boost.steady && action.to < action.from;
}

function firstRefusal(ctx: CheckContext, action: Action, guardrails: readonly ActionGuardrail[]): Refusal | undefined {
  for (const { guardrail, check } of guardrails) {
    const reason = check(ctx, action);
    if (reason !== undefined) return { action, guardrail, reason };
  }
  return undefined;
}

const RESOURCE_GUARDRAILS = ACTION_GUARDRAILS.filter((g) => g.aboutResource);

/**
 * Passes the drafted actions, in the order given, through every guardrail of a single action, then
 * through the daily budget of their resource, which counts the calls of the actions kept before them
 * (an UpdateShardCount is cut to the steps the budget still allows), then through the fleet's budget
 * of changes per hour, which counts every target's calls and this plan's kept ones. Actions the
 * draft already refused keep their refusal unless the resource itself stops them.
 */
export function guardPlan(
  context: GuardContext,
  drafted: { readonly actions: readonly Action[]; readonly refused: readonly Refusal[] },
): { actions: Action[]; refused: Refusal[] } {
  const ctx: CheckContext = { ...context, history: historyByResource(context.ledger, context.now) };
  const actions: Action[] = [];
  const refused: Refusal[] = drafted.refused.map((r) => firstRefusal(ctx, r.action, RESOURCE_GUARDRAILS) ?? r);
  const plannedCalls = new Map<string, number>();
  const fleetUsed = context.fleet ? fleetChangesLastHour(context.fleet, context.now) : 0;
  let fleetPlanned = 0;
  /** Keeps the action unless the fleet's budget is spent; whether it was kept. */
  const keepWithinFleetBudget = (action: Action): boolean => {
    const calls = actionCalls(action);
    if (context.fleet && fleetUsed + fleetPlanned + calls > context.fleet.maxChangesPerHour) {
      refused.push({
        action,
        guardrail: 'fleet-budget',
        reason: `the fleet made ${fleetUsed} change(s) in the last hour${fleetPlanned > 0 ? ` and this plan ${fleetPlanned} more` : ''}; ${calls} more would pass fleet.maxChangesPerHour (${context.fleet.maxChangesPerHour})`,
      });
      return false;
    }
    actions.push(action);
    fleetPlanned += calls;
    return true;
  };
  for (const action of drafted.actions) {
    const blocked = firstRefusal(ctx, action, ACTION_GUARDRAILS);
    if (blocked) {
      refused.push(blocked);
      continue;
    }
    const resource = actionResource(action);
    const budget = ctx.policy.dailyActionBudget;
    const used = ctx.history(resource).callsLastDay + (plannedCalls.get(resource) ?? 0);
    const remaining = budget - used;
    const calls = actionCalls(action);
    if (remaining <= 0) {
      refused.push({
        action,
        guardrail: 'daily-budget',
        reason: `${resource} has used ${used} of its ${budget} changes in the last 24 h`,
      });
      continue;
    }
    if (action.type === 'UpdateShardCount' && calls > remaining) {
      const kept = action.steps.slice(0, remaining);
      const rest = action.steps.slice(remaining);
      const reached = kept[kept.length - 1]!;
      if (keepWithinFleetBudget({ ...action, to: reached, steps: kept })) {
        plannedCalls.set(resource, (plannedCalls.get(resource) ?? 0) + kept.length);
      }
      refused.push({
        action: { ...action, from: reached, steps: rest },
        guardrail: 'daily-budget',
        reason: `only ${remaining} of ${budget} daily changes remain for ${resource}; ${rest.length} more step(s) to ${action.to} must wait`,
      });
      continue;
    }
    if (keepWithinFleetBudget(action)) plannedCalls.set(resource, (plannedCalls.get(resource) ?? 0) + calls);
  }
  return { actions, refused };
}
/**
 * How long a revert keeps StreamMedic from moving the resource the reverted way again: the ledger's
 * whole look-back. The cause that made the change harmful is still there until a person deals with
 * it, so a shorter hold only repeats the change and its revert (two restarts) every time it expires.
 */
const REVERT_HOLD_MINUTES = LEDGER_LOOKBACK_MS / 60_000;
