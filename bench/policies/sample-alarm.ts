/**
 * A CloudWatch metric alarm as the two AWS samples define theirs, evaluated on the simulated
 * CloudWatch with the same rule StreamMedic's own alarms are evaluated with (`decideAlarmState`):
 * the same evaluation range, M-of-N datapoints and missing-data treatment. StreamMedic's alarm
 * definitions are not reused because these alarms are not StreamMedic's (and one of them compares
 * with LessThanOrEqualToThreshold, which StreamMedic's alarms never use).
 */
import type { AlarmValue, TreatMissingData } from '../../lambdas/domain/alarm-definitions';
import { alarmValueAt } from '../../sim/alarm-evaluator';
import { EVALUATION_RANGE_EXTRA_PERIODS, decideAlarmState, type AlarmState } from '../../sim/alarm-evaluator';
import type { DatapointSource } from '../../sim/cloudwatch';

export type SampleComparison =
  'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';

export interface SampleAlarmProps {
  readonly name: string;
  readonly value: AlarmValue;
  readonly threshold: number;
  readonly comparison: SampleComparison;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  /** @default 'missing' (CloudFormation's and CDK's default) */
  readonly treatMissingData?: TreatMissingData;
}

export function sampleBreaches(comparison: SampleComparison, value: number, threshold: number): boolean {
  switch (comparison) {
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

export class SampleAlarm {
  private current: AlarmState = 'INSUFFICIENT_DATA';
  /** Values of periods that had ended before the source's settled instant: they do not change. */
  private readonly settled = new Map<number, number | undefined>();
  private revision = -1;

  constructor(
    readonly props: SampleAlarmProps,
    private readonly source: DatapointSource,
  ) {
    if (!(props.datapointsToAlarm >= 1 && props.datapointsToAlarm <= props.evaluationPeriods)) {
      throw new Error(`alarm ${props.name}: datapointsToAlarm must be from 1 to evaluationPeriods`);
    }
  }

  get state(): AlarmState {
    return this.current;
  }

  /** SetAlarmState: the state holds until the next evaluation changes it. */
  setState(state: AlarmState): void {
    this.current = state;
  }

  /** Evaluates on the periods complete at `now`; returns the new state when it changed. */
  evaluate(now: number): AlarmState | undefined {
    const periodMs = this.props.periodSeconds * 1000;
    const lastEnd = Math.floor(now / periodMs) * periodMs;
    const range = this.props.evaluationPeriods + EVALUATION_RANGE_EXTRA_PERIODS;
    const flags: (boolean | undefined)[] = [];
    for (let i = range; i >= 1; i--) {
      const value = this.valueAt(lastEnd - i * periodMs, periodMs);
      flags.push(value === undefined ? undefined : sampleBreaches(this.props.comparison, value, this.props.threshold));
    }
    const decision = decideAlarmState(
      flags,
      this.props.evaluationPeriods,
      this.props.datapointsToAlarm,
      this.props.treatMissingData ?? 'missing',
      this.current,
    );
    if (decision.state === this.current) return undefined;
    this.current = decision.state;
    return decision.state;
  }

  private valueAt(start: number, periodMs: number): number | undefined {
    const late = this.source.lateWrites?.() ?? 0;
    if (late !== this.revision) {
      this.settled.clear();
      this.revision = late;
    }
    if (this.settled.has(start)) return this.settled.get(start);
    const value = this.compute(start);
    const settledBefore = this.source.settledBefore?.() ?? Number.NEGATIVE_INFINITY;
    if (start + periodMs <= settledBefore) this.settled.set(start, value);
    return value;
  }

  private compute(start: number): number | undefined {
    return alarmValueAt(this.props.value, this.source, start);
  }
}
