/**
 * `shard-doubling`: the Kinesis autoscaler AWS publishes, aws-samples/kinesis-auto-scaling (its
 * README, kinesis_scaling_cf.yaml and golang/scale.go). Modelled from its documented defaults:
 * - per-shard utilisation = MAX(IncomingBytes / (1 MiB x 300 s x shards), IncomingRecords /
 *   (1,000 x 300 s x shards)), both Sum over 5-minute periods;
 * - scale-up alarm: utilisation >= 0.75 on 5 out of 5 datapoints (25 minutes); scale-down alarm:
 *   utilisation < 0.25 on 57 out of 60 datapoints (285 of 300 minutes), never below one shard
 *   (the optional iterator-age guard on scale-down is off by default and off here);
 * - an alarm going to ALARM invokes the Lambda (through SNS), which reads OpenShardCount and calls
 *   UpdateShardCount (UNIFORM_SCALING) with twice the count, or half of it rounded down; then it
 *   rewrites both alarms with the new shard count and sets them to INSUFFICIENT_DATA;
 * - when a call fails (a stream still UPDATING, throttling) the Lambda sets the alarm to OK, so its
 *   next evaluation, a minute later, triggers it again.
 * It scales the stream only and knows nothing of the Flink application. Like the sample, it has no
 * shard ceiling of its own: only the AWS limits bound it.
 */
import { METRICS } from '../../lambdas/domain/metric-catalog';
import type { SimWorld } from '../../sim/world';
import { controllerPolicy, type Controller } from './policy';
import { SampleAlarm, type SampleAlarmProps } from './sample-alarm';

export const SHARD_DOUBLING_SETTINGS = {
  periodSeconds: 300,
  scaleUpThreshold: 0.75,
  scaleUpEvaluationPeriods: 5,
  scaleUpDatapoints: 5,
  scaleDownThreshold: 0.25,
  scaleDownEvaluationPeriods: 60,
  scaleDownDatapoints: 57,
} as const;

type Direction = 'up' | 'down';

/** The shard count the sample's Lambda asks for. */
export function shardDoublingTarget(direction: Direction, openShards: number): number {
  return direction === 'up' ? openShards * 2 : Math.max(1, Math.floor(openShards / 2));
}

/** Per-shard utilisation as the sample's alarms compute it, for `shards` shards, as an alarm value. */
export function shardUtilisationAlarm(
  streamName: string,
  shards: number,
  direction: Direction,
): Omit<SampleAlarmProps, 'name'> {
  const s = SHARD_DOUBLING_SETTINGS;
  const input = (id: string, key: 'incomingBytes' | 'incomingRecords') => ({
    id,
    key,
    namespace: METRICS[key].namespace,
    metricName: METRICS[key].metricName,
    dimensions: { StreamName: streamName },
    statistic: 'Sum',
    periodSeconds: s.periodSeconds,
    unit: METRICS[key].unit,
  });
  return {
    value: {
      type: 'expression',
      id: 'e6',
      label: 'MaxIncomingUsageFactor',
      inputs: [input('m1', 'incomingBytes'), input('m2', 'incomingRecords')],
      steps: [
        { id: 'e3', expression: `m1/(1024*1024*${s.periodSeconds}*${shards})`, label: 'IncomingBytesUsageFactor' },
        { id: 'e4', expression: `m2/(1000*${s.periodSeconds}*${shards})`, label: 'IncomingRecordsUsageFactor' },
      ],
      expression: 'MAX([e3, e4])',
    },
    periodSeconds: s.periodSeconds,
    ...(direction === 'up'
      ? {
          threshold: s.scaleUpThreshold,
          comparison: 'GreaterThanOrEqualToThreshold' as const,
          evaluationPeriods: s.scaleUpEvaluationPeriods,
          datapointsToAlarm: s.scaleUpDatapoints,
        }
      : {
          // At one shard the sample sets the threshold to -1 so that the alarm can never fire.
          threshold: shards <= 1 ? -1 : s.scaleDownThreshold,
          comparison: 'LessThanThreshold' as const,
          evaluationPeriods: s.scaleDownEvaluationPeriods,
          datapointsToAlarm: s.scaleDownDatapoints,
        }),
    // The Lambda writes its alarms with TreatMissingData "ignore".
    treatMissingData: 'ignore',
  };
}

export class ShardDoublingController implements Controller {
  private alarms!: Record<Direction, SampleAlarm>;

  constructor(
    private readonly world: SimWorld,
    private readonly streamName: string,
  ) {
    this.writeAlarms(world.stream.openShards);
  }

  async tick(now: number): Promise<void> {
    if (now % 60_000 !== 0) return;
    for (const direction of ['up', 'down'] as const) {
      if (this.alarms[direction].evaluate(now) !== 'ALARM') continue;
      // A scaling rewrites both alarms, so the other one starts again from INSUFFICIENT_DATA.
      await this.scale(direction);
      return;
    }
  }

  private async scale(direction: Direction): Promise<void> {
    const streams = this.world.ports.streams;
    try {
      const summary = await streams.describeStreamSummary(this.streamName);
      const open = summary.StreamDescriptionSummary.OpenShardCount ?? this.world.stream.openShards;
      const target = shardDoublingTarget(direction, open);
      if (target === open) return;
      await streams.updateShardCount(this.streamName, target);
      this.writeAlarms(target);
    } catch {
      // The Lambda sets the alarm to OK so that the next evaluation triggers it again.
      this.alarms[direction].setState('OK');
    }
  }

  private writeAlarms(shards: number): void {
    this.alarms = {
      up: new SampleAlarm(
        { name: `${this.streamName}-scale-up`, ...shardUtilisationAlarm(this.streamName, shards, 'up') },
        this.world.cloudwatch,
      ),
      down: new SampleAlarm(
        { name: `${this.streamName}-scale-down`, ...shardUtilisationAlarm(this.streamName, shards, 'down') },
        this.world.cloudwatch,
      ),
    };
  }
}

export const shardDoublingPolicy = controllerPolicy({
  name: 'shard-doubling',
  summary:
    'AWS sample Kinesis autoscaler (aws-samples/kinesis-auto-scaling): max(bytes/1 MiB, records/1,000) per shard >= 0.75 on 5 of 5 five-minute datapoints doubles shards; < 0.25 on 57 of 60 halves them. Stream only.',
  controller: (world) => {
    if (world.stream.mode !== 'PROVISIONED') return { tick: async () => undefined };
    return new ShardDoublingController(world, world.stream.name);
  },
});
