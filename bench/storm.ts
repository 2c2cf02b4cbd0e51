/**
 * `npm run bench:storm -- [--targets 200] [--max-concurrent-runs M] [--max-changes-per-hour C]
 * [--scenario traffic-spike-3x]`: N targets whose alarms fire in the same minute, under the fleet-wide
 * cap on runs at once (`fleet.maxConcurrentRuns`) and on changes per hour (`fleet.maxChangesPerHour`),
 * M and C defaulting to the config's defaults. Reports the time until every target is handled (its
 * run made its change, or ended without one, refused by fleet-budget and on-call told among them; or,
 * for a target that never got a run, its alarms went back to OK), the targets changed and those
 * fleet-budget refused, the changing calls in the busiest hour against the cap, the runs turned
 * away, and the peak call rate per API (max over 1-second
 * buckets, and over the limit's own window) next to the documented limit and its share of it (the
 * one table, lambdas/domain/api-rate-limits.ts): PASS, FAIL, or no verdict where the limit is not
 * confirmed; and the pacing of the runs' reads. Exits 1 when an API fails its limit.
 *
 * Method: composition (docs/fleet.md, "The storm benchmark"). The simulated world holds one target,
 * so the storm is composed from single-target plays of a built-in scenario through the real player
 * (sim/run/player.ts: the state machine synthesized with the storm's cap, the task cores, the world's
 * ports).
 * - A target's story depends on the instant its first run gets a fleet slot and on the class of
 *   seconds that slot owns (its index modulo the pacing's classes, lambdas/domain/api-pacing.ts),
 *   and on the class of the slot each later run of it gets. The scenario is played once per distinct
 *   plan of (instant, slot class): every fleet slot of its world is held by others until just before
 *   the first instant, and at each instant of the plan the run taking a slot gets the planned one,
 *   so the real lock step computes its wait and the real Wait state makes it. One more play has the
 *   slots held for good (a target that never gets a slot). Every target is the scenario's pipeline
 *   and every play runs on the scenario's clock, so one play serves every target with its plan, and
 *   its calls need no shifting. A target is played again only when a later run's slot falls in
 *   another class than its play gave that run; the play is the same up to that instant.
 * - Admission follows the real rules. At each instant the plays start runs from alarms, the runs of
 *   targets not yet admitted take the free slots in target order, lowest first, and the rest are
 *   turned away (fleet-busy). At each sweep (every `rateMinutes`) `createSweepCore` itself runs over
 *   the whole fleet's config, with fakes answering from each target's play at that instant (its
 *   alarms, its last notice, its ledger) and from the slots held then, so it starts at most the free
 *   slots' worth; its pauses between DescribeAlarms calls move its calls on by as much. A play's own
 *   sweep decides for one target with every slot free: of its sweep runs only those the fleet's
 *   sweep started happen in the storm (the report counts the others, left out).
 * - The fleet's hourly cap is applied through the real assess task. Each play's fleet change log
 *   (`world.fleetChanges`) is seeded with the fleet's changes, each shown from just after the instant
 *   it was recorded, as the ledger table's `FLEET_CHANGE#` items would be (less the play's own, which
 *   its log holds already). The composition counts the fleet's changes instant by instant: the
 *   targets' changes at the earliest instant count if their plays' logs held exactly the changes the
 *   fleet had made before it; a target whose play's did not is played again with them, so its
 *   assessment may be refused by the `fleet-budget` guardrail, its run ends refused and tells
 *   on-call, and the sweep re-assesses it later (once the hour has rolled, it may act). A play
 *   whose runs make no more changes is not played again: more changes in its log could only refuse
 *   more. A play is keyed by its slot plan and the changes seeded in it; every play seeded at one
 *   point holds the same changes, so the targets with one slot plan share it.
 * - A slot is held by every run of an admitted target that acquired the lock, from its start to its
 *   end, as measured in the play. A later run gets the lowest slot free at its start; when none is, it
 *   is assumed to find one anyway (its play let it in), numbered past the cap.
 * - Counted: each target's calls to simulated AWS (the world's ApiCall timeline, plus GetMetricData
 *   and ListMetrics, which the timeline does not keep, counted at the world's CloudWatch), and the
 *   fleet sweep's DescribeAlarms (one per 100 alarm names) and StartExecution. Runs the lock turns
 *   away call none of these (the report shows it: a target never admitted makes no such call).
 *   Not counted: DynamoDB (lock, slots, ledger), whose on-demand tables have no per-API call rate to
 *   compare with, and the EventBridge rules' starts of alarm runs, which are not the account's API calls.
 * - Runs deciding at one instant do not see each other's changes: the worst case of the race the
 *   ledger's eventually consistent read allows (docs/fleet.md), so the busiest hour may pass the cap
 *   by the changes decided in the second the cap was reached. Changes are seen as recorded by the
 *   apply step (the step's first intent), which in the zero-latency plays is the assessment's instant.
 * - Runs of different targets are independent: no target's calls are throttled by another's (the
 *   plays inject no throttling), so the rates are what StreamMedic would ask for, not what AWS
 *   would grant. Calls at the same simulated instant share a 1-second bucket: the worst case, as in
 *   AWS they spread over the Lambdas' latency.
 */
import { alarmDefinitionsForTarget } from '../lambdas/domain/alarm-definitions';
import { PACING_HEADROOM, RUN_CALLS_PER_SECOND, paceGroups, pacingBudget } from '../lambdas/domain/api-pacing';
import { DOCUMENTED_API_LIMITS, type DocumentedApiLimit } from '../lambdas/domain/api-rate-limits';
import { parseConfig, type StreamMedicConfig } from '../lambdas/domain/config';
import { FLEET_BOUNDS, FLEET_DEFAULTS } from '../lambdas/domain/fleet-limits';
import type { LedgerEntry } from '../lambdas/domain/model';
import type { Notice } from '../lambdas/ports';
import { createSweepCore, sweepPlan } from '../lambdas/workflow/sweep';
import { SILENT_TELEMETRY } from '../lambdas/workflow/telemetry';
import { CHANGING_APIS, type SimulatedApi } from '../sim/faults';
import type { LocalWorkflow } from '../lambdas/workflow/local-runner';
import { STATE_NAMES } from '../lib/remediation-workflow';
import { playScenario, type ExecutionRecord, type Playthrough } from '../sim/run/player';
import { synthesizeWorkflow } from '../sim/run/workflow-template';
import { builtInScenarioNames, resolveScenario, scenarioConfig, type Scenario } from '../sim/scenario';
import {
  admitByFreeSlots,
  apiRate,
  freeSlotIndexes,
  nextFleetChanges,
  otherChangesShown,
  peakInWindow,
  sawTheFleetAsItWas,
  slotsHeldAt,
  type FleetChangeMark,
  type SlotHold,
  type TimedCall,
} from './storm-composition';

const MINUTE_MS = 60_000;

/** The documented limit of an API, from the one table (lambdas/domain/api-rate-limits.ts). */
function documentedLimit(api: string): DocumentedApiLimit | undefined {
  return (DOCUMENTED_API_LIMITS as Readonly<Record<string, DocumentedApiLimit>>)[api];
}

interface Options {
  readonly targets: number;
  readonly maxConcurrentRuns: number;
  readonly maxChangesPerHour: number;
  readonly scenario: string;
}

function fail(message: string): never {
  process.stderr.write(`bench:storm: ${message}\n`);
  process.exit(2);
}

function wholeNumber(argv: readonly string[], flag: string, fallback: number, min: number, max: number): number {
  const index = argv.indexOf(flag);
  if (index === -1) return fallback;
  const value = Number(argv[index + 1]);
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(`${flag} must be a whole number from ${min} to ${max}, got ${argv[index + 1] ?? 'nothing'}`);
  }
  return value;
}

function parseOptions(argv: readonly string[]): Options {
  const known = new Set(['--targets', '--max-concurrent-runs', '--max-changes-per-hour', '--scenario']);
  for (let i = 0; i < argv.length; i += 2) {
    if (!known.has(argv[i]!)) fail(`unknown option ${argv[i]}; options: ${[...known].join(', ')}`);
  }
  const scenarioIndex = argv.indexOf('--scenario');
  const scenario = scenarioIndex === -1 ? 'traffic-spike-3x' : argv[scenarioIndex + 1];
  if (!scenario || !builtInScenarioNames().includes(scenario)) {
    fail(
      `--scenario must name a built-in scenario (${builtInScenarioNames().join(', ')}), got ${scenario ?? 'nothing'}`,
    );
  }
  return {
    targets: wholeNumber(argv, '--targets', 200, 1, 10_000),
    maxConcurrentRuns: wholeNumber(
      argv,
      '--max-concurrent-runs',
      FLEET_DEFAULTS.maxConcurrentRuns,
      1,
      FLEET_BOUNDS.maxConcurrentRuns,
    ),
    maxChangesPerHour: wholeNumber(
      argv,
      '--max-changes-per-hour',
      FLEET_DEFAULTS.maxChangesPerHour,
      1,
      FLEET_BOUNDS.maxChangesPerHour,
    ),
    scenario,
  };
}

/**
 * One play of the scenario with its fleet slots held by others until just before `admitAt`, and the
 * other targets' changes in its world's fleet change log from the instants they were made.
 */
interface TargetStory {
  readonly play: Playthrough;
  /** The other targets' changes the play's fleet change log held, each from its instant on. */
  readonly seeded: readonly number[];
  /** When the play's own apply steps recorded a change in the fleet change log, oldest first. */
  readonly ownChanges: readonly number[];
  /** Calls to simulated AWS from the scenario's start, GetMetricData and ListMetrics included. */
  readonly calls: readonly TimedCall[];
  /** Every notice the play's runs remembered, oldest first (the world keeps only the last). */
  readonly notices: readonly Notice[];
  /** The fleet slot each run that took one got in the play, by the instant it took it. */
  readonly slotsTaken: readonly SlotPlan[];
}

/** A run of a target taking fleet slot `slot` at instant `at`, or turned away there ({@link NO_FREE_SLOT}). */
interface SlotPlan {
  readonly at: number;
  readonly slot: number;
}

/** The slot of a planned run that finds every fleet slot held: the lock turns it away (`fleet-busy`). */
const NO_FREE_SLOT = -1;

async function playWithSlots(
  scenario: Scenario,
  workflow: LocalWorkflow,
  capacity: number,
  plan: readonly SlotPlan[],
  seeded: readonly number[],
): Promise<TargetStory> {
  const metricCalls: TimedCall[] = [];
  const notices: Notice[] = [];
  const slotsTaken: SlotPlan[] = [];
  const admitAt = plan[0]!.at;
  const play = await playScenario(scenario, {
    workflow,
    onWorld: (world) => {
      for (let other = 0; other < capacity; other++) {
        world.slots.held.set(`other-target-run-${other}`, { index: other, expiresAt: admitAt - 1 });
      }
      // A run that takes a slot at an instant of the plan gets the slot the fleet's free slots gave it
      // there, which paces its reads; any other run gets the lowest slot free in this world.
      const acquire = world.slots.acquire.bind(world.slots);
      const placed = new Set<number>();
      world.slots.acquire = async (owner, slots, ttlSeconds) => {
        let taken = await acquire(owner, slots, ttlSeconds);
        const planned = plan.find((entry) => entry.at === world.now);
        if (taken && planned && !placed.has(planned.at)) {
          placed.add(planned.at);
          if (planned.slot === NO_FREE_SLOT) {
            // Its own play had a slot free; the fleet had none.
            world.slots.held.delete(owner);
            return undefined;
          }
          world.slots.held.set(owner, { index: planned.slot, expiresAt: world.slots.held.get(owner)!.expiresAt });
          taken = { index: planned.slot };
        }
        if (taken) slotsTaken.push({ at: world.now, slot: taken.index });
        return taken;
      };
      // The fleet's other changes are in the log from the instant each was recorded, as in the ledger
      // table, so the real assess task's fleet-budget guardrail counts what the fleet had done by then.
      const since = world.fleetChanges.since.bind(world.fleetChanges);
      world.fleetChanges.since = async (sinceIso) => {
        const own = [...world.fleetChanges.changes.values()].map((change) => Date.parse(change.at));
        const others = otherChangesShown(seeded, own, Date.parse(sinceIso), world.now).map((at, k) => ({
          at: new Date(at).toISOString(),
          target: 'another-target',
          executionId: `other-${k}`,
          step: 0,
        }));
        return [...others, ...(await since(sinceIso))].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
      };
      const cloudwatch = world.cloudwatch;
      const getMetricData = cloudwatch.getMetricData.bind(cloudwatch);
      const listMetrics = cloudwatch.listMetrics.bind(cloudwatch);
      cloudwatch.getMetricData = (request) => {
        metricCalls.push({ at: world.now, api: 'GetMetricData', resource: 'account' });
        return getMetricData(request);
      };
      cloudwatch.listMetrics = (request) => {
        metricCalls.push({ at: world.now, api: 'ListMetrics', resource: 'account' });
        return listMetrics(request);
      };
      const remember = world.notices.remember.bind(world.notices);
      world.notices.remember = (notice) => {
        notices.push({ ...notice });
        return remember(notice);
      };
    },
  });
  const start = play.world.startMs;
  const calls = [
    ...play.world.apiCalls().map((call) => ({ at: call.at, api: call.api as string, resource: call.resource })),
    ...metricCalls,
  ].filter((call) => call.at >= start);
  const ownChanges = [...play.world.fleetChanges.changes.values()]
    .map((change) => Date.parse(change.at))
    .sort((a, b) => a - b);
  return { play, seeded, ownChanges, calls, notices, slotsTaken };
}

/** The fleet: the scenario's target N times over, each with its own stream and application names. */
function fleetOf(
  scenario: Scenario,
  targets: number,
  fleetLimits: { readonly maxConcurrentRuns: number; readonly maxChangesPerHour: number },
): StreamMedicConfig {
  const base = scenario.streamMedic.target;
  const width = String(targets).length;
  return parseConfig({
    targets: Array.from({ length: targets }, (_, index) => {
      const suffix = `-${String(index + 1).padStart(width, '0')}`;
      return {
        ...base,
        name: `${base.name}${suffix}`,
        ...(base.stream ? { stream: { ...base.stream, name: `${base.stream.name}${suffix}` } } : {}),
        ...(base.application
          ? { application: { ...base.application, name: `${base.application.name}${suffix}` } }
          : {}),
      };
    }),
    ...(scenario.streamMedic.policy ? { policy: scenario.streamMedic.policy } : {}),
    ...(scenario.streamMedic.alarms ? { alarms: scenario.streamMedic.alarms } : {}),
    fleet: fleetLimits,
  });
}

/** The seconds the workflow's fixed waits are multiples of, as its lock state hands them to the lock task. */
function paceCycleOf(workflow: LocalWorkflow): number {
  const lock = workflow.definition.States[STATE_NAMES.acquireLock] as {
    readonly Parameters?: {
      readonly paceCycleSeconds?: unknown;
      readonly Payload?: { readonly paceCycleSeconds?: unknown };
    };
  };
  const cycle = lock.Parameters?.paceCycleSeconds ?? lock.Parameters?.Payload?.paceCycleSeconds;
  if (typeof cycle !== 'number')
    throw new Error(`the ${STATE_NAMES.acquireLock} state hands the lock task no paceCycleSeconds`);
  return cycle;
}

function alarmStateAt(
  play: Playthrough,
  alarmName: string,
  at: number,
): { readonly inAlarm: boolean; readonly since?: number } {
  let last: { to: string; at: number } | undefined;
  for (const change of play.world.alarms.history()) {
    if (change.alarmName === alarmName && change.at <= at) last = change;
  }
  return last ? { inAlarm: last.to === 'ALARM', since: last.at } : { inAlarm: false };
}

function firstLockedRun(play: Playthrough, from: number) {
  return play.runs.find((run) => run.lockAcquired === true && run.startedAt >= from);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const wallStart = Date.now();
  const scenario = resolveScenario(options.scenario);
  const fleetLimits = { maxConcurrentRuns: options.maxConcurrentRuns, maxChangesPerHour: options.maxChangesPerHour };
  const fleet = fleetOf(scenario, options.targets, fleetLimits);
  const plan = sweepPlan(fleet);
  const single = scenarioConfig(scenario);
  const singleAlarms = new Map(
    alarmDefinitionsForTarget(single, single.targets[0]!).map((definition) => [definition.kind, definition.alarmName]),
  );
  // Which target and which of its world's alarms each fleet alarm name stands for.
  const fleetAlarms = new Map<string, { readonly index: number; readonly worldAlarm: string }>();
  fleet.targets.forEach((target, index) => {
    for (const definition of alarmDefinitionsForTarget(fleet, target)) {
      fleetAlarms.set(definition.alarmName, { index, worldAlarm: singleAlarms.get(definition.kind)! });
    }
  });

  // The workflow synthesized with the fleet's limits, so each play's lock task paces as the fleet's
  // would and its assess task checks the fleet's hourly cap.
  const workflow = synthesizeWorkflow({ targets: [scenario.streamMedic.target], fleet: fleetLimits });
  const groups = paceGroups(options.maxConcurrentRuns, paceCycleOf(workflow));
  // A target's story depends on the instant its first run got a slot, and on the seconds that slot
  // and the slot of each later run of it own, and on the fleet's changes its runs see: one play per
  // distinct plan of (instant, slot's class) and changes seen.
  const stories = new Map<string, TargetStory>();
  let plays = 0;
  const storyKey = (plan: readonly SlotPlan[], seeded: readonly number[]): string =>
    `${plan.map((entry) => `${entry.at}:${entry.slot % groups}`).join('|')}#${seeded.join(',')}`;
  const storyFor = async (plan: readonly SlotPlan[], seeded: readonly number[]): Promise<TargetStory> => {
    let story = stories.get(storyKey(plan, seeded));
    if (!story) {
      plays += 1;
      const classes = plan.map((entry) => ({ at: entry.at, slot: entry.slot % groups }));
      story = await playWithSlots(scenario, workflow, options.maxConcurrentRuns, classes, seeded);
      stories.set(storyKey(plan, seeded), story);
    }
    return story;
  };
  const neverAdmitted = await storyFor([{ at: Number.MAX_SAFE_INTEGER, slot: 0 }], []);
  const { startMs, endMs } = neverAdmitted.play.world;

  const plans: (readonly SlotPlan[] | undefined)[] = Array.from({ length: options.targets }, () => undefined);
  // The fleet's changes each admitted target's play holds in its log; and the changes counted so far.
  const seededOf: (readonly number[])[] = Array.from({ length: options.targets }, () => []);
  const fleetChangesMade: FleetChangeMark[] = [];
  const madeTimes = (): number[] => fleetChangesMade.map((change) => change.at);
  const admittedAt = (index: number): number | undefined => plans[index]?.[0]?.at;
  const storyOf = (index: number): TargetStory => {
    const plan = plans[index];
    return plan === undefined ? neverAdmitted : stories.get(storyKey(plan, seededOf[index]!))!;
  };
  const fleetCalls: TimedCall[] = [];
  const sweepStarts = new Set<string>();
  // A play's own sweep decides for its one target with every slot free; of its sweep runs only those
  // the fleet's sweep started at that instant happen in the storm.
  const happens = (index: number, run: ExecutionRecord): boolean =>
    !run.trigger.startsWith('sweep') || sweepStarts.has(`${index}@${run.startedAt}`);
  /** The runs of an admitted target that take a slot in the storm: they took the lock, from its first run on. */
  const slotRuns = (index: number): ExecutionRecord[] => {
    const from = admittedAt(index);
    if (from === undefined) return [];
    return storyOf(index).play.runs.filter(
      (run) => run.lockAcquired === true && run.startedAt >= from && happens(index, run),
    );
  };
  const holds = (): SlotHold[] =>
    plans.flatMap((plan, index) =>
      slotRuns(index).map((run) => {
        const slot = plan?.find((entry) => entry.at === run.startedAt)?.slot;
        return {
          from: run.startedAt,
          to: run.endedAt ?? Number.POSITIVE_INFINITY,
          ...(slot !== undefined ? { slot } : {}),
        };
      }),
    );
  const waitingTargets = (): number[] => plans.flatMap((plan, index) => (plan === undefined ? [index] : []));
  const admit = async (targets: readonly number[], at: number, free: readonly number[]): Promise<void> => {
    for (const [k, index] of targets.entries()) {
      const plan = [{ at, slot: free[k]! }];
      seededOf[index] = madeTimes();
      await storyFor(plan, seededOf[index]!);
      plans[index] = plan;
    }
  };
  // A later run of an admitted target takes a slot free at its start; when none is, the lock turns it
  // away (fleet-busy) and its target is played again with that run turned away, as in AWS.
  const placeLaterRuns = async (at: number): Promise<void> => {
    const free = freeSlotIndexes(
      holds().filter((hold) => !(hold.from === at && hold.slot === undefined)),
      at,
      options.maxConcurrentRuns,
    );
    for (const [index, plan] of plans.entries()) {
      if (plan === undefined || plan.some((entry) => entry.at === at)) continue;
      if (!slotRuns(index).some((run) => run.startedAt === at)) continue;
      const slot = free.shift() ?? NO_FREE_SLOT;
      const story = storyOf(index);
      const extended = [...plan, { at, slot }];
      const given = story.slotsTaken.find((entry) => entry.at === at)?.slot;
      // The play is the same up to `at`; it needs playing again only if the run's slot paces it otherwise.
      if (given !== undefined && given % groups === slot % groups) {
        stories.set(storyKey(extended, seededOf[index]!), story);
      } else await storyFor(extended, seededOf[index]!);
      plans[index] = extended;
    }
  };
  const laterRunStarts = (): number[] => plans.flatMap((_, index) => slotRuns(index).map((run) => run.startedAt));

  // Instants a run may start: the alarms' (the same for every target not yet admitted), and the sweeps'.
  const alarmInstants = new Set(
    neverAdmitted.play.runs.filter((run) => run.trigger.startsWith('alarm')).map((run) => run.startedAt),
  );
  const sweepInstants = new Set<number>();
  if (plan) {
    for (let at = startMs + plan.rateMinutes * MINUTE_MS; at < endMs; at += plan.rateMinutes * MINUTE_MS) {
      sweepInstants.add(at);
    }
  }
  let stormStart: number | undefined;
  const nextInstant = (after: number): number | undefined => {
    let next: number | undefined;
    for (const at of [...alarmInstants, ...sweepInstants, ...laterRunStarts()]) {
      if (at > after && (next === undefined || at < next)) next = at;
    }
    return next;
  };
  /** The changes a target's runs in the storm recorded in the fleet change log, oldest first. */
  const changesInStorm = (index: number): number[] => {
    const from = admittedAt(index);
    if (from === undefined) return [];
    const story = storyOf(index);
    return story.ownChanges.filter(
      (at) =>
        at >= from &&
        story.play.runs.some(
          (run) => happens(index, run) && run.startedAt <= at && at <= (run.endedAt ?? Number.POSITIVE_INFINITY),
        ),
    );
  };
  // The fleet's changes in time order, up to the next instant of the storm. The targets' next changes
  // at the earliest instant stand if their plays' logs held the changes the fleet had made before it;
  // a target whose play's did not is played again with them (its assessment may now be refused by
  // fleet-budget) and looked at anew. Every play seeded at one point holds the same changes, so the
  // targets with one slot plan share it.
  const countChangesBefore = async (previous: number): Promise<void> => {
    for (;;) {
      const until = nextInstant(previous) ?? Number.POSITIVE_INFINITY;
      const candidates = plans.flatMap((_, index) => {
        const counted = fleetChangesMade.filter((change) => change.target === index).length;
        const at = changesInStorm(index)[counted];
        return at !== undefined && at < until ? [{ at, target: index }] : [];
      });
      if (candidates.length === 0) return;
      const next = nextFleetChanges(candidates);
      const at = next[0]!.at;
      if (at < (fleetChangesMade.at(-1)?.at ?? at)) {
        throw new Error(`a change at ${new Date(at).toISOString()} comes before one counted already`);
      }
      const made = madeTimes();
      const stale = next.filter((change) => !sawTheFleetAsItWas(storyOf(change.target).seeded, made, at));
      if (stale.length === 0) {
        fleetChangesMade.push(...next);
        continue;
      }
      for (const { target } of stale) {
        const counted = fleetChangesMade.filter((change) => change.target === target).map((change) => change.at);
        seededOf[target] = made;
        await storyFor(plans[target]!, made);
        const replayed = changesInStorm(target).slice(0, counted.length);
        if (replayed.some((time, k) => time !== counted[k])) {
          throw new Error(`target ${target + 1}'s play with the fleet's changes lost a change counted already`);
        }
      }
    }
  };
  let previous = Number.NEGATIVE_INFINITY;
  for (;;) {
    await countChangesBefore(previous);
    const at = nextInstant(previous);
    if (at === undefined) break;
    previous = at;
    if (alarmInstants.has(at)) {
      stormStart ??= at;
      const current = holds();
      const { admitted } = admitByFreeSlots(waitingTargets(), options.maxConcurrentRuns, slotsHeldAt(current, at));
      await admit(admitted, at, freeSlotIndexes(current, at, options.maxConcurrentRuns));
    }
    if (sweepInstants.has(at) && plan) {
      const started: number[] = [];
      const current = holds();
      const held = slotsHeldAt(current, at);
      // The sweep spaces its DescribeAlarms calls (SweepDeps.pause); its calls fall that much later.
      let pausedMs = 0;
      const sweep = createSweepCore({
        alarms: {
          alarmsInAlarm: async (names) => {
            fleetCalls.push({ at: at + pausedMs, api: 'DescribeAlarms', resource: 'account' });
            return names.flatMap((alarmName) => {
              const alarm = fleetAlarms.get(alarmName);
              if (!alarm) return [];
              const state = alarmStateAt(storyOf(alarm.index).play, alarm.worldAlarm, at);
              if (!state.inAlarm) return [];
              return [
                { alarmName, ...(state.since !== undefined ? { since: new Date(state.since).toISOString() } : {}) },
              ];
            });
          },
        },
        executions: {
          start: async (input) => {
            fleetCalls.push({ at: at + pausedMs, api: 'StartExecution', resource: 'account' });
            const target = (input as { sweep: { target: string } }).sweep.target;
            started.push(fleet.targets.findIndex((t) => t.name === target));
            return { executionArn: `arn:aws:states:us-east-1:123456789012:execution:StreamMedic:${target}-${at}` };
          },
        },
        notices: {
          last: async (target) => {
            const index = fleet.targets.findIndex((t) => t.name === target);
            return storyOf(index)
              .notices.filter((notice) => Date.parse(notice.at) <= at)
              .at(-1);
          },
        },
        ledger: {
          list: async (target, sinceIso) => {
            const index = fleet.targets.findIndex((t) => t.name === target);
            const since = Date.parse(sinceIso);
            return storyOf(index)
              .play.world.ledger.entries.filter((entry: LedgerEntry) => {
                const when = Date.parse(entry.at);
                return when >= since && when <= at;
              })
              .map((entry) => ({ ...entry }));
          },
        },
        slots: { holders: async () => Array.from({ length: held }, (_, slot) => `slot-${slot}`) },
        // The fleet's changes counted by then, for the fleet summary's count (not reported here).
        fleetChanges: {
          since: async (sinceIso) => {
            const since = Date.parse(sinceIso);
            return fleetChangesMade
              .filter((change) => change.at >= since && change.at <= at)
              .map((change, k) => ({
                at: new Date(change.at).toISOString(),
                target: fleet.targets[change.target]!.name,
                executionId: `change-${k}`,
                step: 0,
              }));
          },
        },
        clock: { now: () => new Date(at) },
        telemetry: SILENT_TELEMETRY,
        pause: async (ms) => {
          pausedMs += ms;
        },
      });
      await sweep(plan);
      for (const index of started) sweepStarts.add(`${index}@${at}`);
      const newcomers = started.filter((index) => admittedAt(index) === undefined);
      await admit(newcomers, at, freeSlotIndexes(current, at, options.maxConcurrentRuns));
    }
    await placeLaterRuns(at);
  }

  // What each target's story adds up to.
  const calls: TimedCall[] = [...fleetCalls];
  let fleetBusy = 0;
  let laterRunsTurnedAway = 0;
  let targetBusy = 0;
  const handled: number[] = [];
  let withoutRun = 0;
  let followUpsLeftOut = 0;
  // Targets whose runs made a change; those a run of which fleet-budget refused, whether that run told
  // on-call, and whether a later run of theirs made the change when the hour had rolled.
  let changedTargets = 0;
  let refusedTargets = 0;
  let refusedAndTold = 0;
  let changedAfterRefusal = 0;
  // The most calls one target made to an API within one second, against what the pacing plans for.
  const busiestSecond = new Map<string, number>();
  plans.forEach((plan, index) => {
    const at = plan?.[0]?.at;
    const story = storyOf(index);
    const runs = story.play.runs.filter((run) => happens(index, run));
    // Only a run holding the lock calls the counted APIs (a target never admitted calls none), so the
    // calls of a run the storm leaves out are those made while it held the lock.
    const leftOut = story.play.runs.filter((run) => !happens(index, run) && run.lockAcquired === true);
    followUpsLeftOut += leftOut.length;
    const perSecond = new Map<string, number>();
    for (const call of story.calls) {
      if (leftOut.some((run) => run.startedAt <= call.at && call.at <= (run.endedAt ?? Number.POSITIVE_INFINITY)))
        continue;
      calls.push({ ...call, resource: `${index}:${call.resource}` });
      const key = `${call.api}@${Math.floor(call.at / 1000)}`;
      perSecond.set(key, (perSecond.get(key) ?? 0) + 1);
    }
    for (const [key, count] of perSecond) {
      const api = key.split('@')[0]!;
      busiestSecond.set(api, Math.max(busiestSecond.get(api) ?? 0, count));
    }
    for (const run of runs) {
      if (run.lockAcquired !== false) continue;
      const noSlot = plan?.some((entry) => entry.at === run.startedAt && entry.slot === NO_FREE_SLOT) === true;
      if (noSlot) laterRunsTurnedAway++;
      if (at === undefined || run.startedAt < at || noSlot) fleetBusy++;
      else targetBusy++;
    }
    if (at === undefined) {
      withoutRun++;
      return;
    }
    const during = (when: number, run: ExecutionRecord): boolean =>
      run.startedAt <= when && when <= (run.endedAt ?? Number.POSITIVE_INFINITY);
    const changes = changesInStorm(index);
    if (changes.length > 0) changedTargets++;
    const refusal = story.play.world.refusals.refusals
      .filter((record) => record.guardrail === 'fleet-budget')
      .map((record) => ({ at: Date.parse(record.at), run: runs.find((r) => during(Date.parse(record.at), r)) }))
      .find((record) => record.at >= at && record.run !== undefined);
    if (refusal) {
      refusedTargets++;
      if (story.notices.some((notice) => during(Date.parse(notice.at), refusal.run!))) refusedAndTold++;
      if (changes.some((change) => change > refusal.at)) changedAfterRefusal++;
    }
    // Handled: the first run that held the lock made its change, or ended without one.
    const run = firstLockedRun(story.play, at);
    const ended = run?.endedAt ?? Number.POSITIVE_INFINITY;
    const change = story.calls.find(
      (call) => call.at >= at && call.at <= ended && CHANGING_APIS.has(call.api as SimulatedApi),
    );
    handled.push(change?.at ?? ended);
  });
  const unmatchedStarts = [...sweepStarts].filter((key) => {
    const [index, at] = key.split('@').map(Number) as [number, number];
    return !storyOf(index).play.runs.some((run) => run.trigger.startsWith('sweep') && run.startedAt === at);
  }).length;

  // When a target that never got a run was rid of its trouble by itself: every swept alarm in OK for good.
  const sweptAlarms = sweepPlan(single)?.targets[0]?.alarmNames ?? [];
  const stillInAlarm = sweptAlarms.some((name) => alarmStateAt(neverAdmitted.play, name, endMs).inAlarm);
  const lastClear = neverAdmitted.play.world.alarms
    .history()
    .filter((change) => sweptAlarms.includes(change.alarmName) && change.to !== 'ALARM')
    .at(-1)?.at;
  const clearedAt = stillInAlarm ? undefined : lastClear;
  const minutes = (ms: number): string => `${(ms / MINUTE_MS).toFixed(1)} min`;
  const from = stormStart ?? startMs;
  const apis = [...new Set([...Object.keys(DOCUMENTED_API_LIMITS), ...calls.map((call) => call.api)])];
  const budget = pacingBudget();
  const plannedFor = RUN_CALLS_PER_SECOND as Readonly<Record<string, number | undefined>>;
  const overPlan = [...busiestSecond]
    .filter(([api, count]) => count > (plannedFor[api] ?? Number.POSITIVE_INFINITY))
    .map(([api, count]) => `${api} (${count} > ${plannedFor[api]})`);
  const lines = [
    `Storm: ${options.targets} targets of ${scenario.name}, fleet.maxConcurrentRuns ${options.maxConcurrentRuns}` +
      `${plan ? `, sweep every ${plan.rateMinutes} min` : ', no sweep'}; composed from ${plays} plays ` +
      `(${((Date.now() - wallStart) / 1000).toFixed(0)} s)`,
    `First alarm run at minute ${((from - startMs) / MINUTE_MS).toFixed(0)} of the scenario (${scenario.durationMinutes} min long).`,
    handled.length > 0
      ? `Handled: ${handled.length} of ${options.targets} targets; the last ${minutes(Math.max(...handled) - from)} after the first alarm` +
        ` (median ${minutes([...handled].sort((a, b) => a - b)[Math.floor(handled.length / 2)]! - from)})`
      : `Handled: none of ${options.targets} targets`,
    ...(withoutRun > 0
      ? [
          `Never got a run: ${withoutRun} targets; with no run, their lag, CPU and throttling alarms ` +
            (clearedAt === undefined
              ? 'were still in ALARM when the scenario ended'
              : `were all back in OK at minute ${((clearedAt - startMs) / MINUTE_MS).toFixed(0)}, before a slot was free for them`),
        ]
      : []),
    withoutRun > 0 && clearedAt === undefined
      ? `Not every target was handled: ${withoutRun} still in ALARM at the end, without a run`
      : `Every target handled (its run made its change or ended, or its alarms went back to OK): ` +
        `${minutes(Math.max(...handled, withoutRun > 0 ? clearedAt! : Number.NEGATIVE_INFINITY) - from)} after the first alarm`,
    `Runs turned away: ${fleetBusy + targetBusy} (fleet-busy ${fleetBusy}, target-busy ${targetBusy}); of them, later runs ` +
      `of admitted targets that found every slot held (each target played again with that run turned away): ${laterRunsTurnedAway}`,
    `Changed: ${changedTargets} targets; refused by fleet-budget: ${refusedTargets} (on-call told by the refusing run: ` +
      `${refusedAndTold}; changed later, when the hour had rolled: ${changedAfterRefusal})`,
    fleetChangeCapLine(calls, fleet.fleet.maxChangesPerHour),
    `Calls to the counted APIs by a target never admitted (every run of it turned away): ${neverAdmitted.calls.length}`,
    `Check: sweep runs that held the lock in a play but the fleet's sweep did not start (left out): ${followUpsLeftOut}; ` +
      `runs the fleet's sweep started that its target's play has no run for: ${unmatchedStarts}`,
    `Pacing: at most ${budget.runsPerSecond} runs read in one second (set by ${budget.api}, at ${PACING_HEADROOM * 100}% of its limit); ` +
      `the ${options.maxConcurrentRuns} slots spread over ${groups} second(s)`,
    `Check: the most calls one target made to an API in one second, against what the pacing plans for: ` +
      (overPlan.length > 0
        ? `OVER the plan for ${overPlan.join(', ')}`
        : [...busiestSecond].map(([api, count]) => `${api} ${count}`).join(', ') + ' (within the plan)'),
    '',
    'API                            calls  peak/s  peak in limit window  limit                 share  verdict',
  ];
  const over80: string[] = [];
  for (const api of apis) {
    const limit = documentedLimit(api)?.limit;
    const rate = apiRate(api, calls, limit);
    const window = limit
      ? `${rate.peakInLimitWindow} per ${limit.windowSeconds === 1 ? 's' : `${limit.windowSeconds / 3600} h`}${limit.per === 'resource' ? ' (busiest stream)' : ''}`
      : '-';
    const documented = limit
      ? `${limit.max} per ${limit.windowSeconds === 1 ? 's' : `${limit.windowSeconds / 3600} h`}`
      : 'unconfirmed';
    const share = limit ? (rate.peakInLimitWindow ?? 0) / limit.max : undefined;
    if (share !== undefined && share > PACING_HEADROOM) over80.push(api);
    lines.push(
      `${api.padEnd(30)} ${String(rate.calls).padStart(5)}  ${String(rate.peakPerSecond).padStart(6)}  ${window.padEnd(20)}  ${documented.padEnd(20)}  ${(share === undefined ? '-' : `${Math.round(share * 100)}%`).padStart(5)}  ${rate.verdict}`,
    );
  }
  lines.push(
    '',
    over80.length > 0
      ? `Above ${PACING_HEADROOM * 100}% of a confirmed limit: ${over80.join(', ')}`
      : `Every API with a confirmed limit peaks at or below ${PACING_HEADROOM * 100}% of it`,
    '',
    'Limits (lambdas/domain/api-rate-limits.ts):',
    ...apis.map((api) => {
      const documented = documentedLimit(api);
      if (!documented) return `  ${api}: no documented limit on record`;
      return `  ${api}: ${documented.limit ? documented.documented : `unconfirmed (${documented.documented})`}: ${documented.page}`;
    }),
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  const failed = apis.some((api) => apiRate(api, calls, documentedLimit(api)?.limit).verdict === 'FAIL');
  process.exitCode = failed ? 1 : 0;
}

/**
 * The changing calls in the fleet's busiest hour against `fleet.maxChangesPerHour`: the composition
 * applies the cap through each play's assess task, so this stays within it unless the composition is wrong.
 */
function fleetChangeCapLine(calls: readonly TimedCall[], maxChangesPerHour: number): string {
  const changing = calls.filter((call) => CHANGING_APIS.has(call.api as SimulatedApi)).map((call) => call.at);
  const busiestHour = peakInWindow(changing, 60 * MINUTE_MS);
  return (
    `Fleet budget: ${busiestHour} changing calls in the busiest hour, ` +
    (busiestHour > maxChangesPerHour
      ? `OVER fleet.maxChangesPerHour ${maxChangesPerHour} (the plays do not share the apply step's change ` +
        `slots, which hold the cap in AWS: docs/fleet.md)`
      : `within fleet.maxChangesPerHour ${maxChangesPerHour}`)
  );
}

void main().catch((error: unknown) => {
  process.stderr.write(`bench:storm: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
