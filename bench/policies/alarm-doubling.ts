/**
 * `alarm-doubling`: the custom autoscaler AWS publishes for Managed Flink,
 * aws-samples/amazon-managed-service-for-apache-flink-examples, infrastructure/AutoScaling (its
 * README, its CDK stack and its scaling Lambda). Modelled from its documented defaults:
 * - two CloudWatch alarms on one metric: scale-out when it is above 80 (GreaterThanThreshold), scale-in
 *   when it is at or below 20, each on 5 out of 5 one-minute datapoints; the metric here is
 *   `containerCPUUtilization` with the generator's default statistic, Maximum;
 * - an alarm going to ALARM starts a Step Functions execution: describe the application; if it is
 *   RUNNING, the Lambda sets KPUs to current KPUs x 2 (Multiply/Divide, factor 2; scale-in divides and
 *   rounds down), capped at MaxKPU / floored at MinKPU, parallelism = KPUs x ParallelismPerKPU, and
 *   turns the service's own autoscaling off; reaching the cap ends the execution;
 * - otherwise wait 60 s, describe again while the application is UPDATING, then cool down 300 s and
 *   describe the alarm: still in ALARM starts the loop again, anything else ends the execution;
 * - a failed UpdateApplication is only logged by the Lambda; a failed Step Functions task ends the
 *   execution. Executions run side by side: a new ALARM transition starts another.
 * MaxKPU and MinKPU come from the target's bounds (maxParallelism and minParallelism over the
 * parallelism per KPU), so that every policy works within the same bounds.
 */
import { METRICS } from '../../lambdas/domain/metric-catalog';
import type { SimWorld } from '../../sim/world';
import { controllerPolicy, type Controller } from './policy';
import { SampleAlarm } from './sample-alarm';

export const ALARM_DOUBLING_SETTINGS = {
  scaleOutThreshold: 80,
  scaleInThreshold: 20,
  evaluationPeriods: 5,
  datapointsToAlarm: 5,
  periodSeconds: 60,
  statistic: 'Maximum',
  factor: 2,
  updateWaitSeconds: 60,
  coolDownSeconds: 300,
} as const;

type Direction = 'out' | 'in';

/** KPUs the sample's Lambda asks for: multiply or divide by the factor, within [min, max]; `stop` at a bound. */
export function alarmDoublingTarget(
  direction: Direction,
  currentKpu: number,
  bounds: { readonly minKpu: number; readonly maxKpu: number },
): { readonly kpu: number; readonly stop: boolean } | undefined {
  const factor = ALARM_DOUBLING_SETTINGS.factor;
  if (direction === 'out') {
    if (currentKpu >= bounds.maxKpu) return undefined;
    const desired = currentKpu * factor;
    return desired < bounds.maxKpu ? { kpu: desired, stop: false } : { kpu: bounds.maxKpu, stop: true };
  }
  if (currentKpu <= bounds.minKpu) return undefined;
  const desired = Math.floor(currentKpu / factor);
  return desired > bounds.minKpu ? { kpu: desired, stop: false } : { kpu: bounds.minKpu, stop: true };
}

type Step = 'scale' | 'wait-update' | 'cool-down';

interface Execution {
  readonly direction: Direction;
  step: Step;
  wakeAt: number;
  done: boolean;
}

/** The Step Functions and Lambda flow above, over the world's ports. */
export class AlarmDoublingController implements Controller {
  private readonly alarms: Record<Direction, SampleAlarm>;
  private readonly executions: Execution[] = [];
  private readonly bounds: { minKpu: number; maxKpu: number };

  constructor(
    private readonly world: SimWorld,
    private readonly applicationName: string,
    parallelismPerKpu: number,
  ) {
    const app = world.target.application!;
    this.bounds = {
      minKpu: Math.max(1, Math.ceil(app.minParallelism / parallelismPerKpu)),
      maxKpu: Math.max(1, Math.floor(app.maxParallelism / parallelismPerKpu)),
    };
    const s = ALARM_DOUBLING_SETTINGS;
    const cpu = METRICS.containerCpu;
    const value = {
      type: 'metric' as const,
      metric: {
        id: 'm1',
        key: cpu.key,
        namespace: cpu.namespace,
        metricName: cpu.metricName,
        dimensions: { Application: applicationName },
        statistic: s.statistic,
        periodSeconds: s.periodSeconds,
        unit: cpu.unit,
      },
    };
    const common = {
      value,
      periodSeconds: s.periodSeconds,
      evaluationPeriods: s.evaluationPeriods,
      datapointsToAlarm: s.datapointsToAlarm,
    };
    this.alarms = {
      out: new SampleAlarm(
        {
          ...common,
          name: `ScaleOutAlarm-${applicationName}`,
          threshold: s.scaleOutThreshold,
          comparison: 'GreaterThanThreshold',
        },
        world.cloudwatch,
      ),
      in: new SampleAlarm(
        {
          ...common,
          name: `ScaleInAlarm-${applicationName}`,
          threshold: s.scaleInThreshold,
          comparison: 'LessThanOrEqualToThreshold',
        },
        world.cloudwatch,
      ),
    };
  }

  nextWake(now: number): number | undefined {
    const next = this.executions.filter((e) => !e.done && e.wakeAt > now).map((e) => e.wakeAt);
    return next.length > 0 ? Math.min(...next) : undefined;
  }

  async tick(now: number): Promise<void> {
    if (now % 60_000 === 0) {
      for (const direction of ['out', 'in'] as const) {
        // EventBridge starts the state machine on every transition to ALARM.
        if (this.alarms[direction].evaluate(now) === 'ALARM') {
          this.executions.push({ direction, step: 'scale', wakeAt: now, done: false });
        }
      }
    }
    for (const execution of this.executions) {
      while (!execution.done && execution.wakeAt <= now) await this.advance(execution, now);
    }
  }

  private async advance(execution: Execution, now: number): Promise<void> {
    const s = ALARM_DOUBLING_SETTINGS;
    const applications = this.world.ports.applications;
    switch (execution.step) {
      case 'scale': {
        let detail;
        try {
          detail = (await applications.describeApplication(this.applicationName)).ApplicationDetail;
        } catch {
          execution.done = true;
          return;
        }
        const parallelism =
          detail.ApplicationConfigurationDescription?.FlinkApplicationConfigurationDescription
            ?.ParallelismConfigurationDescription;
        const perKpu = parallelism?.ParallelismPerKPU ?? 1;
        const currentKpu = Math.ceil((parallelism?.Parallelism ?? 1) / perKpu);
        if (detail.ApplicationStatus === 'RUNNING') {
          const target = alarmDoublingTarget(execution.direction, currentKpu, this.bounds);
          if (!target) {
            execution.done = true;
            return;
          }
          try {
            await applications.updateParallelism({
              applicationName: this.applicationName,
              currentApplicationVersionId: detail.ApplicationVersionId,
              parallelism: target.kpu * perKpu,
              parallelismPerKpu: perKpu,
              autoScalingEnabled: false,
            });
          } catch {
            // The sample's Lambda logs the failure and the state machine carries on waiting.
          }
          if (target.stop) {
            execution.done = true;
            return;
          }
        }
        execution.step = 'wait-update';
        execution.wakeAt = now + s.updateWaitSeconds * 1000;
        return;
      }
      case 'wait-update': {
        let status: string;
        try {
          status = (await applications.describeApplication(this.applicationName)).ApplicationDetail.ApplicationStatus;
        } catch {
          execution.done = true;
          return;
        }
        if (status === 'UPDATING') {
          execution.wakeAt = now + s.updateWaitSeconds * 1000;
        } else {
          execution.step = 'cool-down';
          execution.wakeAt = now + s.coolDownSeconds * 1000;
        }
        return;
      }
      case 'cool-down':
        if (this.alarms[execution.direction].state === 'ALARM') {
          execution.step = 'scale';
        } else {
          execution.done = true;
        }
        return;
    }
  }
}

export const alarmDoublingPolicy = controllerPolicy({
  name: 'alarm-doubling',
  summary:
    'AWS sample Managed Flink autoscaler (amazon-managed-service-for-apache-flink-examples, infrastructure/AutoScaling): max containerCPUUtilization > 80 for 5 of 5 minutes doubles KPUs, waits for the update, cools down 300 s, repeats while in ALARM; <= 20 halves them.',
  controller: (world) => {
    const app = world.app;
    if (!app || !world.target.application) return { tick: async () => undefined };
    return new AlarmDoublingController(world, app.name, app.parallelismPerKpu);
  },
});
