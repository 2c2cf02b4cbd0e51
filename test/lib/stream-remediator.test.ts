import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { StreamMedicConfigInput } from '../../lambdas/domain/config';
import {
  SERVICE_METRICS_NAMESPACE,
  SERVICE_METRIC_NAMES,
  serviceMetricDimensions,
} from '../../lambdas/domain/service-metrics';
import { DASHBOARD_WIDGETS, StreamRemediator } from '../../lib/stream-remediator';

const CONFIG: StreamMedicConfigInput = {
  notifications: { emails: ['oncall@example.com', 'streaming-lead@example.com'] },
  policy: { lagThresholdMs: 120_000 },
  targets: [
    {
      name: 'orders',
      mode: 'auto',
      stream: { name: 'orders-stream', minShards: 2 },
      application: { name: 'orders-enricher' },
      alarms: { appLag: { dimensions: { Id: 'orders-source' } }, streamLowUtilization: { shardCount: 8 } },
    },
    {
      name: 'clicks',
      mode: 'recommend',
      stream: { name: 'clicks-stream', minShards: 4 },
      alarms: { readThrottling: { datapointsToAlarm: 5 } },
    },
  ],
};

let template: Template;

beforeAll(() => {
  // One synthesis for the whole file, without the Lambda bundles: the assertions read only the
  // template, and `npm run synth` builds the bundles for real.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test');
  new StreamRemediator(stack, 'StreamMedic', { config: CONFIG });
  template = Template.fromStack(stack);
});

interface Resource {
  readonly Properties: Record<string, unknown>;
}

interface Widget {
  readonly properties?: {
    readonly title?: string;
    readonly metrics?: unknown[][];
    readonly alarms?: string[];
  };
}

function resourceOf(type: string, properties: Record<string, unknown>): { id: string; resource: Resource } {
  const found = Object.entries(template.findResources(type, { Properties: Match.objectLike(properties) }));
  if (found.length !== 1) {
    throw new Error(`expected one ${type} like ${JSON.stringify(properties)}, found ${found.length}`);
  }
  return { id: found[0]![0], resource: found[0]![1] as Resource };
}

/** The dashboard body with every CloudFormation token replaced by `<Ref:LogicalId>`, parsed. */
function dashboardBody(): { widgets: Widget[] } {
  const { resource } = resourceOf('AWS::CloudWatch::Dashboard', {});
  return parsedBody(resource);
}

/** The widgets of the dashboard a stack built from `config` has. */
function dashboardOf(config: StreamMedicConfigInput): Widget[] {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Other');
  new StreamRemediator(stack, 'StreamMedic', { config });
  const dashboards = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
  return parsedBody(dashboards[0] as Resource).widgets;
}

function parsedBody(resource: Resource): { widgets: Widget[] } {
  const body = resource.Properties['DashboardBody'] as { 'Fn::Join': [string, unknown[]] };
  const text = body['Fn::Join'][1]
    .map((part) =>
      typeof part === 'string'
        ? part
        : `<Ref:${(part as { Ref?: string }).Ref ?? JSON.stringify(part).replace(/"/g, "'")}>`,
    )
    .join('');
  return JSON.parse(text) as { widgets: Widget[] };
}

function widget(title: string): NonNullable<Widget['properties']> {
  const found = dashboardBody().widgets.find((w) => w.properties?.title === title);
  if (!found?.properties) throw new Error(`no widget titled ${title}`);
  return found.properties;
}

describe('alarms', () => {
  it('creates exactly the alarms the two targets need', () => {
    // The watchdog's alarms (`StreamMedicWatch-...`) are counted in watchdog.test.ts.
    const targetAlarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmName: Match.stringLikeRegexp('^StreamMedic-') },
    });
    expect(Object.keys(targetAlarms)).toHaveLength(11);
  });

  it.each([
    // alarm, threshold, comparison, evaluation periods, datapoints to alarm, missing data
    ['StreamMedic-orders-app-lag', 120_000, 'GreaterThanThreshold', 5, 3, 'missing'],
    ['StreamMedic-orders-app-cpu', 75, 'GreaterThanOrEqualToThreshold', 5, 5, 'missing'],
    ['StreamMedic-orders-write-throttling', 0, 'GreaterThanThreshold', 15, 2, 'notBreaching'],
    ['StreamMedic-orders-read-throttling', 0, 'GreaterThanThreshold', 15, 2, 'notBreaching'],
    ['StreamMedic-orders-stream-low-utilization', 30, 'LessThanThreshold', 120, 120, 'breaching'],
    ['StreamMedic-orders-app-low-cpu', 30, 'LessThanThreshold', 24, 24, 'notBreaching'],
    ['StreamMedic-clicks-stream-lag', 120_000, 'GreaterThanThreshold', 5, 3, 'missing'],
    ['StreamMedic-clicks-write-throttling', 0, 'GreaterThanThreshold', 15, 2, 'notBreaching'],
    ['StreamMedic-clicks-read-throttling', 0, 'GreaterThanThreshold', 15, 5, 'notBreaching'],
    ['StreamMedic-clicks-stream-low-utilization', 30, 'LessThanThreshold', 120, 120, 'breaching'],
  ])(
    '%s: threshold %d (%s), %d periods, %d to alarm, missing data %s',
    (name, threshold, comparison, periods, datapoints, missing) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: name,
        Threshold: threshold,
        ComparisonOperator: comparison,
        EvaluationPeriods: periods,
        DatapointsToAlarm: datapoints,
        TreatMissingData: missing,
      });
    },
  );

  it.each([
    ['StreamMedic-orders-app-cpu', 'AWS/KinesisAnalytics', 'containerCPUUtilization', 'Maximum', 60],
    ['StreamMedic-orders-read-throttling', 'AWS/Kinesis', 'ReadProvisionedThroughputExceeded', 'Sum', 60],
    ['StreamMedic-orders-app-low-cpu', 'AWS/KinesisAnalytics', 'containerCPUUtilization', 'Maximum', 300],
    ['StreamMedic-clicks-stream-lag', 'AWS/Kinesis', 'GetRecords.IteratorAgeMilliseconds', 'Maximum', 60],
  ])('%s reads %s %s (%s over %d s)', (name, namespace, metricName, stat, period) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: name,
      Metrics: Match.arrayWith([
        Match.objectLike({
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ Namespace: namespace, MetricName: metricName }),
            Stat: stat,
            Period: period,
          }),
          ReturnData: true,
        }),
      ]),
    });
  });

  it("alarms on the app's lag with one Metrics Insights query, narrowed by the target's extra dimensions", () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'StreamMedic-orders-app-lag',
      Metrics: [
        Match.objectLike({
          Expression: `SELECT MAX(millisBehindLatest) FROM "AWS/KinesisAnalytics" WHERE Application = 'orders-enricher' AND Id = 'orders-source'`,
          Period: 60,
          ReturnData: true,
        }),
      ],
    });
  });

  it('alarms on write throttling with the larger of both counters', () => {
    const metric = (id: string, metricName: string) =>
      Match.objectLike({
        Id: id,
        ReturnData: false,
        MetricStat: Match.objectLike({
          Metric: Match.objectLike({
            MetricName: metricName,
            Dimensions: [{ Name: 'StreamName', Value: 'clicks-stream' }],
          }),
          Stat: 'Sum',
        }),
      });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'StreamMedic-clicks-write-throttling',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'MAX([writeThrottled, putRecordsThrottled])', ReturnData: true }),
        metric('writeThrottled', 'WriteProvisionedThroughputExceeded'),
        metric('putRecordsThrottled', 'PutRecords.ThrottledRecords'),
      ]),
    });
  });

  it('measures low utilisation per shard of the configured count, bytes and records', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'StreamMedic-orders-stream-low-utilization',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'MAX([bytesShare, recordsShare])', ReturnData: true }),
        // arrayWith keeps order: CDK lists each step before the metrics it reads.
        Match.objectLike({ Id: 'bytesShare', Expression: '100 * bytes / (60 * 1048576 * 8)', ReturnData: false }),
        Match.objectLike({ Id: 'bytes', MetricStat: Match.objectLike({ Stat: 'Sum', Period: 60 }) }),
        Match.objectLike({ Id: 'recordsShare', Expression: '100 * records / (60 * 1000 * 8)', ReturnData: false }),
        Match.objectLike({ Id: 'records', MetricStat: Match.objectLike({ Stat: 'Sum', Period: 60 }) }),
      ]),
    });
  });
});

describe('alarm rule', () => {
  it("matches exactly this stack's alarms by ARN going into ALARM, and no alarm by its name", () => {
    // The target alarms start the workflow; the alarms that watch StreamMedic itself only notify.
    const targetAlarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).filter(([, alarm]) =>
      String(alarm['Properties'].AlarmName).startsWith('StreamMedic-'),
    );
    const alarmArns = targetAlarms.map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] }));
    expect(alarmArns.length).toBeGreaterThan(0);
    expect(
      Object.values(template.findResources('AWS::Events::Rule')).filter((rule) =>
        (rule['Properties'].EventPattern.source as string[]).includes('aws.cloudwatch'),
      ),
    ).toHaveLength(1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        resources: Match.arrayEquals(alarmArns),
        detail: { state: { value: ['ALARM'] } },
      },
    });
  });

  it("splits the alarms of a large config over several rules, each pattern within EventBridge's 2,048 characters", () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Large', { env: { account: '123456789012', region: 'ap-southeast-2' } });
    const targets = Array.from({ length: 12 }, (_, i) => ({
      name: `pipeline-with-a-long-name-${i}`,
      mode: 'recommend' as const,
      stream: { name: `stream-${i}` },
      application: { name: `app-${i}` },
    }));
    const remediator = new StreamRemediator(stack, 'StreamMedic', {
      config: { notifications: { emails: ['oncall@example.com'] }, targets },
    });
    const large = Template.fromStack(stack);
    const rules = Object.values(large.findResources('AWS::Events::Rule')).filter((rule) =>
      (rule['Properties'].EventPattern.source as string[]).includes('aws.cloudwatch'),
    );
    expect(rules.length).toBeGreaterThan(1);
    expect(remediator.rules).toHaveLength(rules.length);
    const matched: string[] = [];
    for (const rule of rules) {
      const pattern = rule['Properties'].EventPattern as { resources: Array<{ 'Fn::GetAtt': [string, string] }> };
      const ids = pattern.resources.map((r) => r['Fn::GetAtt'][0]);
      matched.push(...ids);
      // The pattern as CloudFormation deploys it: each alarm ARN in place of its GetAtt.
      const deployed = JSON.stringify({
        ...pattern,
        resources: ids.map(
          (id) =>
            `arn:aws:cloudwatch:ap-southeast-2:123456789012:alarm:${large.toJSON().Resources[id].Properties.AlarmName}`,
        ),
      });
      expect(deployed.length).toBeLessThanOrEqual(2048);
    }
    const targetAlarmIds = Object.entries(large.findResources('AWS::CloudWatch::Alarm'))
      .filter(([, alarm]) => String(alarm['Properties'].AlarmName).startsWith('StreamMedic-'))
      .map(([id]) => id);
    expect(matched.sort()).toEqual(targetAlarmIds.sort());
  });

  it('starts the state machine with the event unchanged, and dead-letters what it cannot deliver', () => {
    const machine = resourceOf('AWS::StepFunctions::StateMachine', {}).id;
    const queue = Object.keys(template.findResources('AWS::SQS::Queue')).find((id) =>
      id.startsWith('StreamMedicAlarmEventsDeadLetterQueue'),
    );
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectLike({
          Arn: { Ref: machine },
          Input: Match.absent(),
          InputPath: Match.absent(),
          InputTransformer: Match.absent(),
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } },
        }),
      ],
    });
  });

  it('runs the workflow as a Standard state machine', () => {
    // CloudFormation's default type is STANDARD, so an absent type is Standard too.
    const { resource } = resourceOf('AWS::StepFunctions::StateMachine', {});
    expect([undefined, 'STANDARD']).toContain(resource.Properties['StateMachineType']);
  });
});

describe('notification topic', () => {
  it('is encrypted with a customer-managed key that rotates', () => {
    const key = resourceOf('AWS::KMS::Key', { EnableKeyRotation: true }).id;
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
  });

  it('refuses publishing without TLS', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it.each(['oncall@example.com', 'streaming-lead@example.com'])('subscribes %s by email', (email) => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: email });
  });
});

describe('ledger table', () => {
  it('uses the ledger key schema with on-demand billing', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('keeps point-in-time recovery on', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('is encrypted at rest', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: { SSEEnabled: true } });
  });

  it('expires items by expiresAt', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('is retained when it leaves the stack', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('dashboard', () => {
  it('graphs started, succeeded and failed executions of the state machine', () => {
    const machine = resourceOf('AWS::StepFunctions::StateMachine', {}).id;
    const metrics: unknown[][] = widget(DASHBOARD_WIDGETS.executions).metrics ?? [];
    const names = metrics.map((m) => [m[0], m[1], m[3]]);
    for (const name of ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed']) {
      expect(names).toContainEqual(['AWS/States', name, `<Ref:${machine}>`]);
    }
  });

  it("graphs the errors of every one of the workflow's Lambda functions", () => {
    const functions = Object.keys(template.findResources('AWS::Lambda::Function'));
    const metrics: unknown[][] = widget(DASHBOARD_WIDGETS.lambdaErrors).metrics ?? [];
    expect(functions.length).toBeGreaterThan(0);
    expect(metrics.map((m) => `${m[0]} ${m[1]} ${m[3]}`).sort()).toEqual(
      functions.map((id) => `AWS/Lambda Errors <Ref:${id}>`).sort(),
    );
  });

  it('graphs ActionsTaken and ActionsRefused as the Lambdas emit them', () => {
    const metrics: unknown[][] = widget(DASHBOARD_WIDGETS.actions).metrics ?? [];
    expect(metrics.map((m) => m.slice(0, 4))).toEqual([
      ['StreamMedic', 'ActionsTaken', 'service', 'stream-medic'],
      ['StreamMedic', 'ActionsRefused', 'service', 'stream-medic'],
    ]);
  });

  it('sums runs, changes, refusals and failures of the whole fleet over the time shown', () => {
    const fleet = widget(DASHBOARD_WIDGETS.fleet) as { metrics?: unknown[][]; setPeriodToTimeRange?: boolean };
    expect(fleet.setPeriodToTimeRange).toBe(true);
    expect((fleet.metrics ?? []).map((m) => [m[0], m[1], (m.at(-1) as { stat?: string }).stat])).toEqual([
      ['StreamMedic', SERVICE_METRIC_NAMES.targetsAlarmed, 'Maximum'],
      ['AWS/States', 'ExecutionsStarted', 'Sum'],
      ['StreamMedic', 'ActionsTaken', 'Sum'],
      ['StreamMedic', 'ActionsRefused', 'Sum'],
      ['AWS/States', 'ExecutionsFailed', 'Sum'],
      ['AWS/States', 'ExecutionsTimedOut', 'Sum'],
    ]);
  });

  it("graphs the sweep's levels at its rate: targets alarmed, and the hour's changes against fleet.maxChangesPerHour", () => {
    // CDK writes a period equal to the widget's once, at the widget.
    const graphed = (title: string) => {
      const shown = widget(title) as { metrics?: unknown[][]; period?: number };
      return (shown.metrics ?? []).map((m) => {
        const options = m.at(-1) as { period?: number; stat?: string };
        return [...m.slice(0, 4), options.period ?? shown.period, options.stat];
      });
    };
    const everySweep = 5 * 60;
    expect(graphed(DASHBOARD_WIDGETS.targetsAlarmed)).toEqual([
      ['StreamMedic', SERVICE_METRIC_NAMES.targetsAlarmed, 'service', 'stream-medic', everySweep, 'Maximum'],
    ]);
    expect(graphed(DASHBOARD_WIDGETS.changesLastHour)).toEqual([
      ['StreamMedic', SERVICE_METRIC_NAMES.fleetChangesLastHour, 'service', 'stream-medic', everySweep, 'Maximum'],
    ]);
    const changes = widget(DASHBOARD_WIDGETS.changesLastHour) as { annotations?: { horizontal?: unknown[] } };
    expect(changes.annotations?.horizontal).toEqual([
      { value: 20, label: 'fleet.maxChangesPerHour (20)', yAxis: 'left' },
    ]);
  });

  it("draws the cap at the config's fleet.maxChangesPerHour at the sweep's rate, and no sweep figures when no target is swept", () => {
    const cap = dashboardOf({
      ...CONFIG,
      policy: { ...CONFIG.policy, reassessMinutes: 10 },
      fleet: { maxChangesPerHour: 7 },
    }).find((w) => w.properties?.title === DASHBOARD_WIDGETS.changesLastHour) as {
      properties: { period: number; annotations: { horizontal: { value: number }[] } };
    };
    expect(cap.properties.annotations.horizontal.map((a) => a.value)).toEqual([7]);
    expect(cap.properties.period).toBe(600);

    const observed = dashboardOf({
      ...CONFIG,
      targets: CONFIG.targets.map((t) => ({ ...t, mode: 'observe' as const })),
    });
    const titles = observed.map((w) => w.properties?.title);
    expect(titles).toContain(DASHBOARD_WIDGETS.fleet);
    expect(titles).not.toContain(DASHBOARD_WIDGETS.targetsAlarmed);
    expect(titles).not.toContain(DASHBOARD_WIDGETS.changesLastHour);
    expect(JSON.stringify(observed)).not.toContain(SERVICE_METRIC_NAMES.targetsAlarmed);
  });

  it("graphs only StreamMedic metrics the code publishes, named from the one list, with Powertools' service dimension", () => {
    const published = new Set<string>(Object.values(SERVICE_METRIC_NAMES));
    const own = dashboardBody()
      .widgets.flatMap((w) => w.properties?.metrics ?? [])
      .filter((m) => m[0] === SERVICE_METRICS_NAMESPACE);
    expect(own.length).toBeGreaterThan(0);
    for (const metric of own) {
      expect(published.has(metric[1] as string)).toBe(true);
      expect(metric.slice(2, 4)).toEqual(Object.entries(serviceMetricDimensions()).flat());
    }
    const graphedNames = new Set(own.map((m) => m[1]));
    for (const name of [
      SERVICE_METRIC_NAMES.actionsTaken,
      SERVICE_METRIC_NAMES.actionsRefused,
      SERVICE_METRIC_NAMES.targetsAlarmed,
      SERVICE_METRIC_NAMES.fleetChangesLastHour,
    ]) {
      expect(graphedNames).toContain(name);
    }
  });

  it('shows the state of every StreamMedic alarm', () => {
    const alarms = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    const shown: string[] = widget(DASHBOARD_WIDGETS.alarms).alarms ?? [];
    expect(shown.map((arn) => arn.match(/<Ref:[^>]*'Fn::GetAtt':\['([^']+)'/)?.[1]).sort()).toEqual(alarms.sort());
  });
});
