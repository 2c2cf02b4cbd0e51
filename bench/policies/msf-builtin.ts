/**
 * `msf-builtin`: Managed Service for Apache Flink's own automatic scaling, from its documented rule
 * (Managed Service for Apache Flink Developer Guide, "Use automatic scaling",
 * https://docs.aws.amazon.com/managed-flink/latest/java/how-scaling-auto.html):
 * - the maximum of `containerCPUUtilization` over 1-minute periods at or above 75% for 15 consecutive
 *   datapoints doubles `CurrentParallelism` (ParallelismPerKPU unchanged, so KPUs double too);
 * - under 10% for 360 consecutive datapoints (six hours) halves it, rounded up;
 * - it never goes below the application's configured `Parallelism`, nor past the KPU quota.
 * The application is AUTOSCALING (down, restarting from a snapshot) meanwhile.
 *
 * The service changes the application itself; here the same change goes through the world's
 * ApplicationControl port so that it pays the same restart and shows up as a change like any other.
 * In a scenario whose application already has the service's autoscaling on, this policy turns the
 * world's own copy of the rule off, so that the rule runs once.
 */
import { AWS_LIMITS } from '../../lambdas/domain/config';
import { METRICS } from '../../lambdas/domain/metric-catalog';
import type { Scenario } from '../../sim/scenario';
import type { SimWorld } from '../../sim/world';
import { controllerPolicy, type Controller } from './policy';

export const MSF_SCALE_UP_CPU_PERCENT = 75;
export const MSF_SCALE_UP_DATAPOINTS = 15;
export const MSF_SCALE_DOWN_CPU_PERCENT = 10;
export const MSF_SCALE_DOWN_DATAPOINTS = 360;

const MINUTE_MS = 60_000;

export interface MsfAutoscalingRuleProps {
  /** The application's configured parallelism: the service never scales below it. */
  readonly configuredParallelism: number;
  /** The most parallelism the KPU quota allows (quota x parallelism per KPU, at most 256). */
  readonly ceilingParallelism: number;
}

/**
 * The documented rule on one datapoint at a time: feed it each minute's Maximum of
 * containerCPUUtilization (undefined when the minute has no datapoint, which breaks a run of
 * consecutive datapoints) and it answers the parallelism to scale to, when it fires.
 */
export class MsfAutoscalingRule {
  private high = 0;
  private low = 0;

  constructor(private readonly props: MsfAutoscalingRuleProps) {
    if (!(props.ceilingParallelism >= props.configuredParallelism)) {
      throw new Error(
        `ceilingParallelism (${props.ceilingParallelism}) must be at least configuredParallelism (${props.configuredParallelism})`,
      );
    }
  }

  observe(maxCpuPercent: number | undefined, currentParallelism: number): number | undefined {
    if (maxCpuPercent === undefined) {
      this.reset();
      return undefined;
    }
    this.high = maxCpuPercent >= MSF_SCALE_UP_CPU_PERCENT ? this.high + 1 : 0;
    this.low = maxCpuPercent < MSF_SCALE_DOWN_CPU_PERCENT ? this.low + 1 : 0;
    if (this.high >= MSF_SCALE_UP_DATAPOINTS && currentParallelism < this.props.ceilingParallelism) {
      this.reset();
      return Math.min(this.props.ceilingParallelism, currentParallelism * 2);
    }
    if (this.low >= MSF_SCALE_DOWN_DATAPOINTS && currentParallelism > this.props.configuredParallelism) {
      this.reset();
      return Math.max(this.props.configuredParallelism, Math.ceil(currentParallelism / 2));
    }
    return undefined;
  }

  /** A scaling restarts the job: the next decision needs a fresh run of datapoints. */
  reset(): void {
    this.high = 0;
    this.low = 0;
  }
}

function msfBuiltInController(world: SimWorld): Controller {
  const app = world.app;
  const appScenario = world.scenario.pipeline.application;
  if (!app || !appScenario) return { tick: async () => undefined };
  const rule = new MsfAutoscalingRule({
    configuredParallelism: appScenario.parallelism,
    ceilingParallelism: Math.min(AWS_LIMITS.maxParallelism, appScenario.maxKpu * app.parallelismPerKpu),
  });
  const cpu = METRICS.containerCpu;
  return {
    async tick(now) {
      if (now % MINUTE_MS !== 0) return;
      const maxCpu = world.cloudwatch.datapoint(
        {
          namespace: cpu.namespace,
          metricName: cpu.metricName,
          dimensions: { Application: app.name },
          statistic: 'Maximum',
          periodSeconds: 60,
        },
        now - MINUTE_MS,
      );
      const to = rule.observe(maxCpu, app.currentParallelism);
      if (to === undefined) return;
      try {
        const detail = (await world.ports.applications.describeApplication(app.name)).ApplicationDetail;
        // The service scales only a RUNNING application.
        if (detail.ApplicationStatus !== 'RUNNING') return;
        await world.ports.applications.updateParallelism({
          applicationName: app.name,
          currentApplicationVersionId: detail.ApplicationVersionId,
          parallelism: to,
          parallelismPerKpu: app.parallelismPerKpu,
        });
      } catch {
        // The service tries again on the next run of datapoints.
      }
    },
  };
}

/** Runs the rule in place of the world's own copy of it, so that it acts once. */
function withoutWorldAutoscaling(scenario: Scenario): Scenario {
  const application = scenario.pipeline.application;
  if (!application?.autoScalingEnabled) return scenario;
  return {
    ...scenario,
    pipeline: { ...scenario.pipeline, application: { ...application, autoScalingEnabled: false } },
  };
}

export const msfBuiltInPolicy = controllerPolicy({
  name: 'msf-builtin',
  summary:
    "Managed Flink's own autoscaling (AWS docs, how-scaling-auto): max containerCPUUtilization >= 75% for 15 one-minute datapoints doubles parallelism; < 10% for 360 halves it, never below the configured value.",
  controller: msfBuiltInController,
  prepare: withoutWorldAutoscaling,
});
