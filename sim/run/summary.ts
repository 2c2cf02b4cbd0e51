/**
 * What a played scenario comes to, in the shape `stream-medic simulate --json` prints: the cause
 * named, the actions taken and refused, whether and how fast the pipeline recovered, what it cost in
 * lag and records, and whether the scenario's stated expectation was met.
 */
import type { ActionType, Cause, Guardrail } from '../../lambdas/domain/vocabulary';
import { incidentFigures, incidentStart } from './figures';
import type { Playthrough } from './player';

export interface ActionTaken {
  /** ISO time the call was accepted. */
  readonly at: string;
  readonly type: ActionType;
  readonly api: string;
  readonly resource: string;
  /** The call's arguments in words, e.g. `TargetShardCount 16`. */
  readonly detail: string;
}

export interface ActionRefused {
  readonly at: string;
  readonly type: ActionType;
  readonly guardrail: Guardrail;
  readonly reason: string;
}

export interface ScenarioSummary {
  readonly name: string;
  readonly seed: number;
  /** The cause the first assessment named; null when no run got that far. */
  readonly cause: Cause | null;
  /**
   * Every primary cause the runs named, first time each, in order. HEALTHY only when no run named a
   * problem: the runs that follow an incident up (a catch-up boost coming off) find the target healthy,
   * which is no second cause of it.
   */
  readonly causes: Cause[];
  /** Changing calls AWS accepted. */
  readonly actionsTaken: ActionTaken[];
  /** Actions a guardrail stopped, once per run and round that planned them. */
  readonly actionsRefused: ActionRefused[];
  readonly recovered: boolean;
  /** The incident's first unhealthy minute (else its first alarm or manual run), ISO. */
  readonly incidentStartedAt: string;
  /**
   * Minutes from the incident's start to the start of the healthy stretch that holds; null if never.
   * The benchmark's TTR, by the same definition (sim/run/figures.ts).
   */
  readonly minutesToRecover: number | null;
  /** The highest consumer lag, whole seconds. */
  readonly peakLagSeconds: number;
  /** Records that reached the stream and were never processed. */
  readonly recordsLost: number;
  /** Records producers gave up on after throttling (never in the stream). */
  readonly producerRecordsDropped: number;
  /** Executions started (alarms and manual runs), including those the lock turned away. */
  readonly runs: number;
  readonly notifications: number;
  /** Null when the scenario states no expectation: no verdict. */
  readonly expectationMet: boolean | null;
  /** One line per missed expectation, naming the field of `expect`. */
  readonly misses: string[];
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function summarize(play: Playthrough): ScenarioSummary {
  const { outcome } = play;
  const named: Cause[] = [];
  for (const observation of play.observations) {
    if (observation.cause && !named.includes(observation.cause)) named.push(observation.cause);
  }
  const causes = named.some((c) => c !== 'HEALTHY') ? named.filter((c) => c !== 'HEALTHY') : named;
  const actionsRefused = play.runs.flatMap((run) =>
    run.rounds.flatMap((round) =>
      round.assessment.report.plan.refused.map((refusal) => ({
        at: round.assessment.assessedAt,
        type: refusal.action.type,
        guardrail: refusal.guardrail,
        reason: refusal.reason,
      })),
    ),
  );
  const startMs = incidentStart(play.world);
  const figures = incidentFigures(play.world, outcome, startMs);
  return {
    name: play.scenario.name,
    seed: play.seed,
    cause: play.runs.flatMap((r) => r.rounds)[0]?.assessment.report.diagnosis.cause ?? null,
    causes,
    actionsTaken: outcome.actions.map((call) => ({
      at: iso(call.at),
      type: call.actionType!,
      api: call.api,
      resource: call.resource,
      detail: call.detail ?? '',
    })),
    actionsRefused,
    recovered: outcome.recovered,
    incidentStartedAt: iso(startMs),
    ...figures,
    runs: play.runs.length,
    notifications: outcome.notificationsSent,
    expectationMet: play.expectation ? play.expectation.met : null,
    misses: play.expectation?.misses ?? [],
  };
}
