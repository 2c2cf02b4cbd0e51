import {
  breaches,
  type AlarmDefinition,
  type AlarmMetric,
  type AlarmValue,
  type ComparisonOperator,
  type TreatMissingData,
} from '../lambdas/domain/alarm-definitions';
import type { DatapointSource } from './cloudwatch';
import { evaluateAlarmValue } from './metric-math';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmStateChange {
  readonly alarmName: string;
  readonly definition: AlarmDefinition;
  readonly from: AlarmState;
  readonly to: AlarmState;
  /** Epoch ms of the evaluation that changed the state. */
  readonly at: number;
  readonly reason: string;
  /** The values evaluated, oldest first (undefined = missing). */
  readonly values: readonly (number | undefined)[];
}

/**
 * Extra periods CloudWatch reads beyond the evaluation periods (its "evaluation range"); AWS's own
 * worked example reads five datapoints for an alarm of three evaluation periods.
 */
export const EVALUATION_RANGE_EXTRA_PERIODS = 2;

export interface AlarmDecision {
  readonly state: AlarmState;
  /** Why, in CloudWatch's words where it has them. */
  readonly reason: string;
}

/**
 * CloudWatch's rule for one evaluation. `breaching` holds the evaluation range, oldest first: true
 * for a breaching datapoint, false for one within the threshold, undefined for a missing one.
 *
 * With at least N real datapoints, the N most recent decide (M of them breaching means ALARM) and
 * the missing-data treatment does not matter. With fewer, missing datapoints are filled as few times
 * as possible: `breaching` and `notBreaching` fill them; `missing` and `ignore` judge on the real
 * ones, and when those cannot decide, `missing` goes to INSUFFICIENT_DATA and `ignore` keeps the
 * state. One quirk AWS documents: when the real datapoints are all older than the N most recent
 * periods and all breaching, `missing` still alarms.
 */
export function decideAlarmState(
  breaching: readonly (boolean | undefined)[],
  evaluationPeriods: number,
  datapointsToAlarm: number,
  treatMissingData: TreatMissingData,
  current: AlarmState,
): AlarmDecision {
  const n = evaluationPeriods;
  const m = datapointsToAlarm;
  const real = breaching.filter((b): b is boolean => b !== undefined);
  if (real.length >= n) {
    const recent = real.slice(real.length - n);
    const count = recent.filter(Boolean).length;
    return count >= m
      ? { state: 'ALARM', reason: `${count} out of the last ${n} datapoints breached the threshold` }
      : { state: 'OK', reason: `${count} out of the last ${n} datapoints breached the threshold (${m} needed)` };
  }
  if (real.length === 0) {
    switch (treatMissingData) {
      case 'missing':
        return { state: 'INSUFFICIENT_DATA', reason: 'no datapoints in the evaluation range' };
      case 'ignore':
        return { state: current, reason: 'no datapoints in the evaluation range; the state is kept' };
      case 'breaching':
        return { state: 'ALARM', reason: `no datapoints: ${n} missing datapoints treated as breaching` };
      case 'notBreaching':
        return { state: 'OK', reason: `no datapoints: ${n} missing datapoints treated as not breaching` };
    }
  }
  const fills = n - real.length;
  const count = real.filter(Boolean).length;
  const within = real.length - count;
  switch (treatMissingData) {
    case 'breaching':
      return count + fills >= m
        ? { state: 'ALARM', reason: `${count} breaching datapoints and ${fills} missing ones treated as breaching` }
        : { state: 'OK', reason: `${count} breaching datapoints with ${fills} missing ones treated as breaching` };
    case 'notBreaching':
      return count >= m
        ? { state: 'ALARM', reason: `${count} breaching datapoints` }
        : { state: 'OK', reason: `${count} breaching datapoints; ${fills} missing ones treated as not breaching` };
    case 'missing':
    case 'ignore': {
      if (count >= m) return { state: 'ALARM', reason: `${count} of ${real.length} available datapoints breached` };
      if (within > 0)
        return { state: 'OK', reason: `${within} of ${real.length} available datapoints within the threshold` };
      if (treatMissingData === 'ignore') {
        return { state: current, reason: 'too few datapoints to decide; the state is kept' };
      }
      const recentReal = breaching.slice(breaching.length - n).some((b) => b !== undefined);
      return recentReal
        ? { state: 'INSUFFICIENT_DATA', reason: `only ${real.length} datapoint(s), all breaching; ${m} needed` }
        : { state: 'ALARM', reason: 'the metric stopped reporting after breaching datapoints' };
    }
  }
}

function comparisonText(comparison: ComparisonOperator): string {
  switch (comparison) {
    case 'GreaterThanThreshold':
      return 'greater than';
    case 'GreaterThanOrEqualToThreshold':
      return 'greater than or equal to';
    case 'LessThanThreshold':
      return 'less than';
  }
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(Math.round(value * 1000) / 1000);
}

/**
 * Evaluates StreamMedic's own alarm definitions (the ones the CDK stack deploys) against the
 * simulated CloudWatch, once per minute, and reports every state change, as CloudWatch would send
 * them to EventBridge.
 */
export class AlarmEvaluator {
  private readonly states = new Map<string, AlarmState>();
  private readonly byName = new Map<string, AlarmDefinition>();
  private readonly changes: AlarmStateChange[] = [];
  /** Values of settled periods, per alarm: a period's value is computed once, not at every evaluation. */
  private readonly settled = new Map<string, Map<number, number | undefined>>();
  private settledRevision = -1;

  constructor(
    readonly definitions: readonly AlarmDefinition[],
    private readonly source: DatapointSource,
  ) {
    for (const definition of definitions) {
      if (this.byName.has(definition.alarmName)) throw new Error(`alarm "${definition.alarmName}" is defined twice`);
      this.byName.set(definition.alarmName, definition);
      this.states.set(definition.alarmName, 'INSUFFICIENT_DATA');
    }
  }

  state(alarmName: string): AlarmState {
    const state = this.states.get(alarmName);
    if (!state) throw new Error(`no alarm named "${alarmName}"`);
    return state;
  }

  definition(alarmName: string): AlarmDefinition {
    const definition = this.byName.get(alarmName);
    if (!definition) throw new Error(`no alarm named "${alarmName}"`);
    return definition;
  }

  /** Every state change so far, oldest first. */
  history(): readonly AlarmStateChange[] {
    return this.changes;
  }

  /** The value of an alarm for the period that starts at `periodStart` (undefined when missing). */
  valueAt(definition: AlarmDefinition, periodStart: number): number | undefined {
    return alarmValueAt(definition.value, this.source, periodStart);
  }

  /** Evaluates every alarm on the periods complete at `now`; returns the state changes. */
  evaluate(now: number): AlarmStateChange[] {
    const changed: AlarmStateChange[] = [];
    for (const definition of this.definitions) {
      const change = this.evaluateOne(definition, now);
      if (change) changed.push(change);
    }
    return changed;
  }

  /**
   * SetAlarmState: forces a state until the next evaluation, as the CloudWatch API does; used to
   * start two alarms of one target at the same moment.
   */
  setAlarmState(alarmName: string, state: AlarmState, reason: string, now: number): AlarmStateChange | undefined {
    const definition = this.definition(alarmName);
    return this.transition(definition, state, now, reason, []);
  }

  private evaluateOne(definition: AlarmDefinition, now: number): AlarmStateChange | undefined {
    const periodMs = definition.periodSeconds * 1000;
    const lastEnd = Math.floor(now / periodMs) * periodMs;
    const range = definition.evaluationPeriods + EVALUATION_RANGE_EXTRA_PERIODS;
    const values: (number | undefined)[] = [];
    const starts: number[] = [];
    const cache = this.settledValues(definition.alarmName);
    const settledBefore = this.source.settledBefore?.() ?? Number.NEGATIVE_INFINITY;
    for (let i = range; i >= 1; i--) {
      const start = lastEnd - i * periodMs;
      starts.push(start);
      if (cache && cache.has(start)) {
        values.push(cache.get(start));
        continue;
      }
      const value = this.valueAt(definition, start);
      if (cache && start + periodMs <= settledBefore) cache.set(start, value);
      values.push(value);
    }
    // Only the evaluation range is ever read again.
    if (cache && cache.size > range * 2) {
      for (const start of cache.keys()) if (start < lastEnd - range * periodMs) cache.delete(start);
    }
    const flags = values.map((v) =>
      v === undefined ? undefined : breaches(definition.comparisonOperator, v, definition.threshold),
    );
    const current = this.state(definition.alarmName);
    const decision = decideAlarmState(
      flags,
      definition.evaluationPeriods,
      definition.datapointsToAlarm,
      definition.treatMissingData,
      current,
    );
    if (decision.state === current) return undefined;
    const shown = values
      .map((v, i) =>
        v === undefined ? undefined : `${formatValue(v)} (${new Date(starts[i]!).toISOString().slice(11, 16)})`,
      )
      .filter((s): s is string => s !== undefined)
      .slice(-definition.evaluationPeriods);
    const reason =
      decision.state === 'INSUFFICIENT_DATA'
        ? `Insufficient Data: ${decision.reason}.`
        : `Threshold Crossed: ${decision.reason}; recent datapoints [${shown.join(', ')}] were compared ${comparisonText(
            definition.comparisonOperator,
          )} the threshold (${formatValue(definition.threshold)}) (minimum ${definition.datapointsToAlarm} datapoints for OK -> ALARM transition).`;
    return this.transition(definition, decision.state, now, reason, values);
  }

  /** The cache of an alarm's settled values, emptied whenever the source reports a late write. */
  private settledValues(alarmName: string): Map<number, number | undefined> | undefined {
    if (!this.source.lateWrites) return undefined;
    const revision = this.source.lateWrites();
    if (revision !== this.settledRevision) {
      this.settled.clear();
      this.settledRevision = revision;
    }
    let cache = this.settled.get(alarmName);
    if (!cache) {
      cache = new Map();
      this.settled.set(alarmName, cache);
    }
    return cache;
  }

  private transition(
    definition: AlarmDefinition,
    to: AlarmState,
    at: number,
    reason: string,
    values: readonly (number | undefined)[],
  ): AlarmStateChange | undefined {
    const from = this.state(definition.alarmName);
    if (from === to) return undefined;
    this.states.set(definition.alarmName, to);
    const change: AlarmStateChange = { alarmName: definition.alarmName, definition, from, to, at, reason, values };
    this.changes.push(change);
    return change;
  }
}

/**
 * The EventBridge event CloudWatch sends for a state change: the workflow's input when the state
 * is ALARM.
 */
export function alarmStateChangeEvent(
  change: AlarmStateChange,
  env: { readonly region: string; readonly account: string },
): Record<string, unknown> {
  const time = new Date(change.at).toISOString();
  const arn = `arn:aws:cloudwatch:${env.region}:${env.account}:alarm:${change.alarmName}`;
  return {
    version: '0',
    id: `${change.alarmName}-${change.at}`,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: env.account,
    time,
    region: env.region,
    resources: [arn],
    detail: {
      alarmName: change.alarmName,
      state: { value: change.to, reason: change.reason, timestamp: time },
      previousState: { value: change.from, timestamp: time },
      configuration: { description: change.definition.description },
    },
  };
}

/**
 * An alarm's value for the period that starts at `periodStart`, read from a CloudWatch the way
 * CloudWatch reads it for the alarm: each metric's statistic, the Insights query over every series it
 * matches, then the metric math. Undefined when the period has no value.
 */
export function alarmValueAt(value: AlarmValue, source: DatapointSource, periodStart: number): number | undefined {
  const datapoints: Record<string, number | undefined> = {};
  if (value.type === 'insights') {
    if (!source.insightsDatapoint)
      throw new Error(`this datapoint source cannot run the Insights query ${value.query}`);
    datapoints[value.id] = source.insightsDatapoint(value.query, value.periodSeconds, periodStart);
  } else {
    const inputs: readonly AlarmMetric[] = value.type === 'metric' ? [value.metric] : value.inputs;
    for (const input of inputs) {
      datapoints[input.id] = source.datapoint(
        {
          namespace: input.namespace,
          metricName: input.metricName,
          dimensions: input.dimensions,
          statistic: input.statistic,
          periodSeconds: input.periodSeconds,
        },
        periodStart,
      );
    }
  }
  const result = evaluateAlarmValue(value, datapoints);
  return result !== undefined && Number.isFinite(result) ? result : undefined;
}
