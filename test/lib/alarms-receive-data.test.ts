import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { MetricDataQuery } from '../../lambdas/domain/aws-shapes';
import type { StreamMedicConfigInput } from '../../lambdas/domain/config';
import { StreamRemediator } from '../../lib/stream-remediator';
import { parseScenario, type ScenarioInput } from '../../sim/scenario';
import { createWorld, type SimWorld } from '../../sim/world';

/**
 * Every alarm the stack deploys must receive data in an account that publishes what AWS publishes.
 * The stack is synthesized with one target per pipeline shape; each pipeline runs in the simulator,
 * and each alarm's own metrics (as the template renders them) are read back from the simulated
 * CloudWatch: an alarm whose query matches no series fails here, before it is deployed.
 */

const MINUTE = 60_000;

interface Shape {
  readonly target: string;
  readonly pipeline: ScenarioInput['pipeline'];
  readonly hasApplication: boolean;
}

const SHAPES: readonly Shape[] = [
  {
    // AWS's defaults: APPLICATION-level metrics, a polling source, Flink 1.20.
    target: 'defaults',
    pipeline: {
      stream: { name: 'defaults-stream', shards: 4 },
      application: { name: 'defaults-app', parallelism: 4, recordsPerSecondPerSubtask: 1000 },
    },
    hasApplication: true,
  },
  {
    target: 'efo22',
    pipeline: {
      stream: { name: 'efo22-stream', shards: 4, enhancedMonitoring: ['ALL'] },
      application: {
        name: 'efo22-app',
        parallelism: 4,
        recordsPerSecondPerSubtask: 1000,
        efo: true,
        runtimeEnvironment: 'FLINK-2_2',
        metricsLevel: 'PARALLELISM',
      },
      consumers: [{ name: 'archiver' }],
    },
    hasApplication: true,
  },
  {
    target: 'streamonly',
    pipeline: { stream: { name: 'streamonly-stream', shards: 4 }, consumers: [{ name: 'archiver' }] },
    hasApplication: false,
  },
];

function targetOf(shape: Shape): StreamMedicConfigInput['targets'][number] {
  return {
    name: shape.target,
    mode: 'recommend',
    stream: { name: shape.pipeline.stream.name },
    ...(shape.pipeline.application ? { application: { name: shape.pipeline.application.name } } : {}),
  };
}

function worldOf(shape: Shape): SimWorld {
  const world = createWorld(
    parseScenario({
      name: `alarm-data-${shape.target}`,
      description: 'a healthy pipeline, to read every alarm back',
      startTime: '2026-03-02T09:00:00Z',
      durationMinutes: 60,
      historyMinutes: 0,
      pipeline: shape.pipeline,
      traffic: { bytesPerSecond: 1000 * 1024, recordsPerSecond: 1000, noise: 0 },
      streamMedic: { target: targetOf(shape) },
      expect: { rationale: 'nothing happens', recovers: true },
    }),
  );
  world.runToEnd();
  return world;
}

interface AlarmProperties {
  readonly AlarmName: string;
  readonly MetricName?: string;
  readonly Namespace?: string;
  readonly Dimensions?: { Name: string; Value: string }[];
  readonly Statistic?: string;
  readonly Period?: number;
  readonly Metrics?: (MetricDataQuery & { Period?: number })[];
}

/** An alarm's metrics as GetMetricData queries, exactly as the template renders them. */
function queriesOf(alarm: AlarmProperties): MetricDataQuery[] {
  if (alarm.Metrics) return alarm.Metrics;
  return [
    {
      Id: 'm',
      ReturnData: true,
      MetricStat: {
        Metric: { Namespace: alarm.Namespace!, MetricName: alarm.MetricName!, Dimensions: alarm.Dimensions ?? [] },
        Period: alarm.Period!,
        Stat: alarm.Statistic!,
      },
    },
  ];
}

let alarms: AlarmProperties[];

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test');
  new StreamRemediator(stack, 'StreamMedic', {
    config: { notifications: { emails: ['oncall@example.com'] }, targets: SHAPES.map(targetOf) },
  });
  const resources = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm');
  alarms = Object.values(resources).map((r) => (r as { Properties: AlarmProperties }).Properties);
});

describe('every alarm the stack creates receives data in a simulated account', () => {
  it.each(SHAPES.map((shape) => [shape.target, shape] as const))('%s', async (_name, shape) => {
    const world = worldOf(shape);
    const own = alarms.filter((a) => a.AlarmName.startsWith(`StreamMedic-${shape.target}-`));
    expect(own.length).toBeGreaterThanOrEqual(shape.hasApplication ? 6 : 4);
    const silent: string[] = [];
    for (const alarm of own) {
      const response = await world.cloudwatch.getMetricData({
        queries: queriesOf(alarm),
        startTime: new Date(world.endMs - 60 * MINUTE),
        endTime: new Date(world.endMs),
      });
      const returned = response.MetricDataResults.filter((r) =>
        response.MetricDataQueries.some((q) => q.Id === r.Id && q.ReturnData !== false),
      );
      if (!returned.some((r) => (r.Values ?? []).length > 0)) silent.push(alarm.AlarmName);
    }
    expect(silent).toEqual([]);
  });

  it('would catch an alarm on a series AWS does not publish: lag on {Application} alone', async () => {
    const world = worldOf(SHAPES[0]!);
    const response = await world.cloudwatch.getMetricData({
      queries: queriesOf({
        AlarmName: 'lag-on-application-only',
        Namespace: 'AWS/KinesisAnalytics',
        MetricName: 'millisBehindLatest',
        Dimensions: [{ Name: 'Application', Value: 'defaults-app' }],
        Statistic: 'Maximum',
        Period: 60,
      }),
      startTime: new Date(world.endMs - 60 * MINUTE),
      endTime: new Date(world.endMs),
    });
    expect(response.MetricDataResults[0]!.Values).toEqual([]);
  });
});
