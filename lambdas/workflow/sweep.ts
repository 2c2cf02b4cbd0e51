/**
 * The sweep: re-assessment while alarmed. An alarm starts a run only when it goes into ALARM, so a
 * run that answered HEALTHY too early, or fixed only part of an incident, would leave the alarm in
 * ALARM and nobody asking again. Every few minutes the sweep reads which of StreamMedic's alarms are
 * still in ALARM and starts one run per target that has one. The runs go through the same lock as
 * every other run, so a target that is being remediated turns the sweep's run away.
 */
// A namespace import lets esbuild leave out the parts of zod nobody uses (its locales, JSON Schema).
import * as z from 'zod';
import { alarmDefinitionsForTarget, type AlarmKind } from '../domain/alarm-definitions';
import { callSpacingMs } from '../domain/api-pacing';
import { boostFollowedUp, outstandingBoost } from '../domain/boost';
import { LEDGER_LOOKBACK_MS } from '../domain/collect';
import { effectivePolicy, type StreamMedicConfig } from '../domain/config';
import { fleetChangesLastHour } from '../domain/fleet-budget';
import type { LedgerEntry } from '../domain/model';
import { noticeOutcome } from '../domain/notice';
import { outstandingScaleUp, scaleBackFollowedUp } from '../domain/scale-back';
import { SERVICE_METRIC_NAMES } from '../domain/service-metrics';
import { parseWith } from '../domain/validation';
import type {
  AlarmsSource,
  Clock,
  ExecutionStarter,
  FleetChangeLog,
  FleetSlots,
  Ledger,
  Notice,
  NoticeLog,
} from '../ports';
import { readFleetBudget } from './fleet-changes';
import type { SweepInput } from './input';
import type { TaskTelemetry } from './telemetry';

/** Environment the sweep function reads. */
export const SWEEP_ENV = {
  /** The remediation workflow the sweep starts runs of. */
  stateMachineArn: 'STREAM_MEDIC_STATE_MACHINE_ARN',
} as const;

/**
 * The alarms whose staying in ALARM means trouble not yet fixed. The low-utilisation alarms are left
 * out: they stay in ALARM for as long as the capacity is idle, and a scale-in is planned once per
 * quiet window by the run their transition starts, not every few minutes.
 */
export const SWEPT_ALARM_KINDS: readonly AlarmKind[] = [
  'appLag',
  'streamLag',
  'appCpu',
  'appCpuSaturated',
  'writeThrottling',
  'readThrottling',
];

/** One target the sweep looks after: the alarms that make it re-assess, and how often (its `policy.reassessMinutes`). */
const SweepTargetSchema = z
  .object({
    target: z.string().min(1),
    alarmNames: z.array(z.string().min(1)).min(1),
    everyMinutes: z.number().int().positive(),
    /**
     * How long after its expected drain a catch-up boost is still followed up (the target's
     * `policy.scaleInWindowMinutes`); past it the ordinary scale-in takes over.
     */
    boostFollowUpMinutes: z.number().int().positive().optional(),
    /**
     * Set when the target's capacity comes back after an incident's traffic has passed
     * (`policy.scaleBackAfterIncident`): a resource StreamMedic scaled up is followed up from the end of
     * its scale-in cooldown (`cooldownMinutes`) for a scale-in window (`windowMinutes`).
     */
    scaleBackFollowUp: z
      .object({ cooldownMinutes: z.number().int().positive(), windowMinutes: z.number().int().positive() })
      .strict()
      .optional(),
    /**
     * Mode `approve`: how long a plan on-call denied, or let time out, holds the sweep off the target
     * (see {@link REFUSAL_HOLD_FACTOR}).
     */
    refusalHoldMinutes: z.number().int().positive().optional(),
  })
  .strict();

/**
 * What the schedule invokes the sweep with: the targets to look after and the schedule's own rate.
 * The schedule carries it, worked out from the config at synthesis (see {@link sweepPlan}).
 */
export const SweepEventSchema = z
  .object({
    rateMinutes: z.number().int().positive(),
    targets: z.array(SweepTargetSchema),
    /** fleet.maxConcurrentRuns: the sweep starts no more runs than there are free fleet slots. */
    maxConcurrentRuns: z.number().int().positive().optional(),
    /** fleet.maxChangesPerHour: with it, the sweep publishes the fleet's changes of the last hour. */
    maxChangesPerHour: z.number().int().positive().optional(),
  })
  .strict();
export type SweepEvent = z.infer<typeof SweepEventSchema>;
export type SweepTarget = SweepEvent['targets'][number];

/**
 * After on-call denied a plan, or let its request time out, the sweep asks again only once this many
 * approval timeouts have passed (2 hours at the default 30 minutes): a person said no, or was not
 * there, and a request every few minutes until the alarm clears would ask them the same question
 * again and again. A new alarm transition still starts a run that asks at once, as every transition
 * does, and so does a run started by hand.
 */
export const REFUSAL_HOLD_FACTOR = 4;

/**
 * The targets the sweep re-assesses, from the config: those in `auto` and `recommend` mode, by their
 * lag, CPU and throttling alarms. An `observe` target is left to the runs its alarms start: it only
 * reports, and a report repeated every few minutes tells on-call nothing the first one did not.
 * Undefined when no target is swept, so no schedule is created.
 */
export function sweepPlan(config: StreamMedicConfig): SweepEvent | undefined {
  const targets: SweepTarget[] = [];
  for (const target of config.targets) {
    if (target.mode === 'observe') continue;
    const alarmNames = alarmDefinitionsForTarget(config, target)
      .filter((definition) => SWEPT_ALARM_KINDS.includes(definition.kind))
      .map((definition) => definition.alarmName);
    if (alarmNames.length === 0) continue;
    const policy = effectivePolicy(config, target);
    targets.push({
      target: target.name,
      alarmNames,
      everyMinutes: policy.reassessMinutes,
      ...(target.application && policy.boostScaleBack ? { boostFollowUpMinutes: policy.scaleInWindowMinutes } : {}),
      ...(policy.scaleBackAfterIncident
        ? {
            scaleBackFollowUp: {
              cooldownMinutes: policy.cooldownDownMinutes,
              windowMinutes: policy.scaleInWindowMinutes,
            },
          }
        : {}),
      ...(target.mode === 'approve'
        ? { refusalHoldMinutes: config.approvals.timeoutMinutes * REFUSAL_HOLD_FACTOR }
        : {}),
    });
  }
  if (targets.length === 0) return undefined;
  return {
    rateMinutes: Math.min(...targets.map((t) => t.everyMinutes)),
    targets,
    maxConcurrentRuns: config.fleet.maxConcurrentRuns,
    maxChangesPerHour: config.fleet.maxChangesPerHour,
  };
}

/**
 * Whether a target re-assessed every `everyMinutes` is due at this sweep: the schedule runs at the
 * shortest interval of all targets, and a target with a longer one is due on the sweep that enters a
 * new interval of its own (counted in whole minutes since the epoch, so no state is needed).
 */
export function isDue(everyMinutes: number, rateMinutes: number, now: Date): boolean {
  const minute = Math.floor(now.getTime() / 60_000);
  return Math.floor(minute / everyMinutes) !== Math.floor((minute - rateMinutes) / everyMinutes);
}

/** Step Functions execution names: at most 80 of letters, digits, `-`, `_` and `.` here. */
const MAX_EXECUTION_NAME = 80;

/**
 * `sweep-<target>-<yyyymmddThhmm>`: one name per target and minute, so a sweep Lambda invoked twice
 * for the same minute starts no second run (Step Functions never runs two executions of one name; the
 * adapter takes its ExecutionAlreadyExists as the run already started).
 */
export function sweepExecutionName(target: string, now: Date): string {
  const minute = now.toISOString().slice(0, 16).replace(/[-:]/g, '');
  const suffix = `-${minute}`;
  const head = `sweep-${target}`.slice(0, MAX_EXECUTION_NAME - suffix.length);
  return `${head}${suffix}`;
}

/** CloudWatch DescribeAlarms takes at most 100 alarm names per call. */
export const DESCRIBE_ALARMS_MAX_NAMES = 100;

export interface SweepDeps {
  readonly alarms: AlarmsSource;
  readonly executions: ExecutionStarter;
  /** The last message per target: a run that told on-call within the interval is given the interval. */
  readonly notices: Pick<NoticeLog, 'last'>;
  /** The ledger, read for a catch-up boost still on a target's application (its `TARGET#` items). */
  readonly ledger: Pick<Ledger, 'list'>;
  /** The fleet's run slots: a run started with none free would only be turned away. */
  readonly slots: Pick<FleetSlots, 'holders'>;
  /** The fleet's recorded changes, counted for the dashboard's changes in the last hour. */
  readonly fleetChanges: Pick<FleetChangeLog, 'since'>;
  readonly clock: Clock;
  readonly telemetry: TaskTelemetry;
  /**
   * Lets time pass between two DescribeAlarms calls, which a large fleet makes many of (100 alarm
   * names each) against the account's documented rate (domain/api-pacing.ts).
   * @default no wait
   */
  readonly pause?: (ms: number) => Promise<void>;
}

export interface SweepResult {
  /** Targets a run was started for, with the execution. */
  readonly started: ReadonlyArray<{ readonly target: string; readonly executionArn: string }>;
  /**
   * Targets with an alarm in ALARM that are not due at this sweep: every such alarm went into ALARM
   * within the target's interval, a run told on-call about the target within it, the target's
   * `reassessMinutes` is longer than the schedule's, or on-call refused its plan (denied, or let the
   * request time out) since its alarms went into ALARM, within the target's `refusalHoldMinutes`.
   */
  readonly notDue: readonly string[];
  /** Targets due but left to a later sweep because every fleet slot is held (`fleet.maxConcurrentRuns`). */
  readonly waiting: readonly string[];
}

/**
 * The sweep core: reads which swept alarms are in ALARM, and starts a run for every due target that
 * has one. A start that fails does not keep the other targets from theirs; the sweep fails afterwards
 * naming them, so the function's error alarm tells on-call.
 */
export function createSweepCore(deps: SweepDeps): (event: unknown) => Promise<SweepResult> {
  return async (event) => {
    const plan = parseWith(SweepEventSchema, event, 'event');
    const now = deps.clock.now();
    const names = plan.targets.flatMap((t) => t.alarmNames);
    const inAlarm = new Map<string, string | undefined>();
    for (let from = 0; from < names.length; from += DESCRIBE_ALARMS_MAX_NAMES) {
      if (from > 0) await deps.pause?.(callSpacingMs('DescribeAlarms'));
      for (const alarm of await deps.alarms.alarmsInAlarm(names.slice(from, from + DESCRIBE_ALARMS_MAX_NAMES))) {
        inAlarm.set(alarm.alarmName, alarm.since);
      }
    }
    // An alarm that went into ALARM within the last interval started its own run (or had it turned
    // away by a busy lock only moments ago); the sweep asks once that run has had its interval.
    await publishFleetFigures(deps, plan, inAlarm, now);
    const heldSince = (name: string, everyMinutes: number): boolean => {
      const since = inAlarm.get(name);
      return since === undefined || now.getTime() - Date.parse(since) >= everyMinutes * 60_000;
    };
    // A run that finished and told on-call within the interval (a fix, or what is left to a person)
    // is given the interval for its change to show in the metrics before the target is asked again.
    const quietSince = (last: Notice | undefined, everyMinutes: number): boolean =>
      last === undefined || now.getTime() - Date.parse(last.at) >= everyMinutes * 60_000;
    // The last message refused the plan (mode `approve`): the target is left alone for its hold,
    // unless one of its alarms went into ALARM after the refusal (a new incident, asked at once).
    const refusalHolds = (last: Notice | undefined, target: SweepTarget, alarmNames: readonly string[]): boolean => {
      if (target.refusalHoldMinutes === undefined || !last || noticeOutcome(last) !== 'not-approved') return false;
      const refusedAt = Date.parse(last.at);
      if (now.getTime() - refusedAt >= target.refusalHoldMinutes * 60_000) return false;
      return !alarmNames.some((name) => {
        const since = inAlarm.get(name);
        return since !== undefined && Date.parse(since) > refusedAt;
      });
    };
    // A target with no alarm in ALARM is still asked while its application runs a catch-up boost, so
    // the boost comes off once the backlog has drained, when the lag alarm has gone back to OK.
    const boostStillOn = (target: SweepTarget, entries: readonly LedgerEntry[], at: Date): boolean => {
      if (target.boostFollowUpMinutes === undefined) return false;
      const applications = new Set(
        entries
          .filter((e) => e.resource.startsWith('application/'))
          .map((e) => e.resource.slice('application/'.length)),
      );
      return [...applications].some((name) => {
        const boost = outstandingBoost(entries, name, at.getTime());
        return (
          boost !== undefined &&
          boostFollowedUp(boost, at.getTime(), { scaleInWindowMinutes: target.boostFollowUpMinutes! })
        );
      });
    };
    // Nor is a target asked only while it is alarmed once an incident's scale-up is on: the capacity
    // comes back once the traffic has passed, when every alarm is back to OK.
    const scaleUpStillOn = (target: SweepTarget, entries: readonly LedgerEntry[], at: Date): boolean => {
      const followUp = target.scaleBackFollowUp;
      if (followUp === undefined) return false;
      const policy = { cooldownDownMinutes: followUp.cooldownMinutes, scaleInWindowMinutes: followUp.windowMinutes };
      const scaleUps = [...new Set(entries.map((e) => e.resource))].flatMap(
        (resource) => outstandingScaleUp(entries, resource, at.getTime()) ?? [],
      );
      // Asked once every resource's cooldown is over, so the stream and the job come back in one run.
      const cooling = scaleUps.some(
        (up) => at.getTime() <= Date.parse(up.lastAt) + policy.cooldownDownMinutes * 60_000,
      );
      return !cooling && scaleUps.some((up) => scaleBackFollowedUp(up, at.getTime(), policy));
    };
    const started: { target: string; executionArn: string }[] = [];
    const notDue: string[] = [];
    const waiting: string[] = [];
    const failed: string[] = [];
    const freeSlots =
      plan.maxConcurrentRuns === undefined
        ? Number.POSITIVE_INFINITY
        : Math.max(0, plan.maxConcurrentRuns - (await deps.slots.holders()).length);
    for (const target of inTurn(plan, now)) {
      const alarmNames = target.alarmNames.filter((name) => inAlarm.has(name));
      // Both follow-ups read the same ledger: one Query per quiet target that has either.
      const followsUp =
        alarmNames.length === 0 &&
        (target.boostFollowUpMinutes !== undefined || target.scaleBackFollowUp !== undefined);
      const entries = followsUp
        ? await deps.ledger.list(target.target, new Date(now.getTime() - LEDGER_LOOKBACK_MS).toISOString())
        : [];
      const boost = followsUp && boostStillOn(target, entries, now);
      const scaleBack = followsUp && !boost && scaleUpStillOn(target, entries, now);
      if (alarmNames.length === 0 && !boost && !scaleBack) continue;
      const last = await deps.notices.last(target.target);
      if (
        (alarmNames.length > 0 && !alarmNames.some((name) => heldSince(name, target.everyMinutes))) ||
        !quietSince(last, target.everyMinutes) ||
        refusalHolds(last, target, alarmNames)
      ) {
        notDue.push(target.target);
        continue;
      }
      if (!isDue(target.everyMinutes, plan.rateMinutes, now)) {
        notDue.push(target.target);
        continue;
      }
      if (started.length + failed.length >= freeSlots) {
        waiting.push(target.target);
        continue;
      }
      const input: SweepInput = {
        sweep: {
          target: target.target,
          alarmNames,
          ...(boost ? { boost: true } : {}),
          ...(scaleBack ? { scaleBack: true } : {}),
        },
      };
      try {
        const { executionArn } = await deps.executions.start(input, sweepExecutionName(target.target, now));
        started.push({ target: target.target, executionArn });
        deps.telemetry.info(
          boost
            ? 're-assessment started: catch-up boost still on'
            : scaleBack
              ? "re-assessment started: an incident's scale-up still on"
              : 're-assessment started: alarm still in ALARM',
          {
            target: target.target,
            alarmNames,
            executionArn,
          },
        );
      } catch (error) {
        failed.push(target.target);
        deps.telemetry.warn('could not start the re-assessment', {
          target: target.target,
          error: (error as Error).message,
        });
      }
    }
    if (failed.length > 0) {
      throw new Error(`the sweep could not start a run for ${failed.join(', ')}; the next sweep tries again`);
    }
    if (waiting.length > 0) {
      deps.telemetry.info('every fleet slot is held; these targets wait for a later sweep', {
        waiting,
        maxConcurrentRuns: plan.maxConcurrentRuns,
      });
    }
    return { started, notDue, waiting };
  };
}

/**
 * The fleet summary's figures, every sweep: the targets with a swept alarm in ALARM, and the fleet's
 * changes in the last hour counted as the `fleet-budget` guardrail counts them. A failed read of the
 * changes is logged and leaves only that figure out: the sweep's runs matter more than the dashboard.
 */
async function publishFleetFigures(
  deps: SweepDeps,
  plan: SweepEvent,
  inAlarm: ReadonlyMap<string, unknown>,
  now: Date,
): Promise<void> {
  const alarmed = plan.targets.filter((target) => target.alarmNames.some((name) => inAlarm.has(name))).length;
  deps.telemetry.count(SERVICE_METRIC_NAMES.targetsAlarmed, alarmed);
  try {
    const budget = await readFleetBudget(
      { fleetChanges: deps.fleetChanges, clock: { now: () => now } },
      plan.maxChangesPerHour,
    );
    if (budget)
      deps.telemetry.count(SERVICE_METRIC_NAMES.fleetChangesLastHour, fleetChangesLastHour(budget, now.getTime()));
  } catch (error) {
    deps.telemetry.warn("could not count the fleet's changes of the last hour", { error: (error as Error).message });
  }
}

/**
 * The plan's targets, starting at a different one at each sweep: when fleet slots are fewer than the
 * targets in ALARM, every target gets its turn instead of the first ones in the config taking the
 * free slots every time.
 */
function inTurn(plan: SweepEvent, now: Date): SweepTarget[] {
  if (plan.targets.length === 0) return [];
  const sweepNumber = Math.floor(now.getTime() / (plan.rateMinutes * 60_000));
  const first = sweepNumber % plan.targets.length;
  return [...plan.targets.slice(first), ...plan.targets.slice(0, first)];
}
