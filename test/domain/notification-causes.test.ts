import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Progress, RunContext, Verification } from '../../lambdas/domain/run-state';
import type { Action, Refusal, Report } from '../../lambdas/domain/model';
import {
  MAX_SUBJECT_LENGTH,
  composeNotification,
  runbookPath,
  type NotificationFacts,
} from '../../lambdas/domain/notification';
import { PRIMARY_CAUSES, type Cause, type Severity } from '../../lambdas/domain/vocabulary';
import { RAISE_PARALLELISM, SCALE_STREAM, assessment, report, runContext } from '../fakes/runs';

const CRASH_ALARM = 'StreamMedic-orders-app-cpu';

interface CauseCase {
  readonly name: string;
  readonly cause: Cause;
  readonly severity: Severity;
  readonly actions?: Action[];
  readonly refused?: Refusal[];
  readonly recommendations?: string[];
  readonly mode?: 'auto' | 'recommend' | 'observe';
  /** How the change was judged, for a run that applied one. */
  readonly verified?: Verification['outcome'];
  readonly subject: string;
  readonly outcome: string;
  readonly actionRequired: boolean;
  readonly firstLine: string | RegExp;
  /** Lines the LOOK FIRST AT section holds (substrings), empty when no person must act. */
  readonly lookFirst: (string | RegExp)[];
}

const CASES: CauseCase[] = [
  {
    name: 'a crash loop',
    cause: 'APP_UNHEALTHY',
    severity: 'critical',
    actions: [],
    recommendations: [
      "Read the job's exceptions (CloudWatch Logs for orders-enricher), fix or roll back the last change.",
    ],
    subject: 'ACTION REQUIRED | StreamMedic orders: APP_UNHEALTHY (critical) - no automatic fix',
    outcome: 'action-required',
    actionRequired: true,
    firstLine:
      'ACTION REQUIRED: application orders-enricher is failing (restarting or down); no automatic fix repairs a failing job.',
    lookFirst: [
      /^1\. The exceptions in the application's logs, 09:44-10:20 UTC \(log group \/aws\/kinesis-analytics\/orders-enricher\): https:\/\/eu-west-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=eu-west-1#logsV2:logs-insights\$3FqueryDetail\$3D~\(end~'2026-11-21T10\*3a20\*3a02\.000Z~start~'2026-11-21T09\*3a44\*3a31\.000Z~/,
      /^2\. The last deployment or configuration change of orders-enricher .*#\/applications\/orders-enricher$/,
      /^3\. .*RollbackApplication: aws kinesisanalyticsv2 rollback-application --application-name orders-enricher/,
      '4. Runbook: docs/runbooks/app-unhealthy.md',
    ],
  },
  {
    name: 'a slow sink',
    cause: 'SINK_BACKPRESSURE',
    severity: 'warning',
    actions: [],
    recommendations: ['Check the sink: its throttling and latency metrics.'],
    subject: 'ACTION REQUIRED | StreamMedic orders: SINK_BACKPRESSURE (warning) - no automatic fix',
    outcome: 'action-required',
    actionRequired: true,
    firstLine:
      'ACTION REQUIRED: the sink is slow; more parallelism would push it harder, so StreamMedic changed nothing.',
    lookFirst: [
      /^1\. The sink's own metrics/,
      /^2\. Timeouts and retries in the application's logs/,
      /runbooks\/sink-backpressure\.md$/,
    ],
  },
  {
    name: 'a hot key',
    cause: 'HOT_SHARD',
    severity: 'warning',
    actions: [],
    recommendations: ['Find the hot key with shard-level metrics.'],
    subject: 'ACTION REQUIRED | StreamMedic orders: HOT_SHARD (warning) - no automatic fix',
    outcome: 'action-required',
    actionRequired: true,
    firstLine:
      'ACTION REQUIRED: one partition key fills its shard; uniform scaling would not help, so StreamMedic changed nothing.',
    lookFirst: [
      /^1\. Writes and throttling of stream orders-stream, 09:44-10:20 UTC: .*#metricsV2:graph=~\(.*start~'2026-11-21T09\*3a44\*3a31\.000Z/,
      /enable-enhanced-monitoring/,
      /partition keys/,
      /runbooks\/hot-shard\.md$/,
    ],
  },
  {
    name: 'memory pressure left to a person',
    cause: 'MEMORY_PRESSURE',
    severity: 'warning',
    actions: [],
    recommendations: ['Give each task more memory: ParallelismPerKPU 1.'],
    subject: 'ACTION REQUIRED | StreamMedic orders: MEMORY_PRESSURE (warning) - no automatic fix',
    outcome: 'action-required',
    actionRequired: true,
    firstLine: /^ACTION REQUIRED: application orders-enricher is short of memory/,
    lookFirst: [/OutOfMemoryError/, /runbooks\/memory-pressure\.md$/],
  },
  {
    name: 'memory pressure whose fix a guardrail refused',
    cause: 'MEMORY_PRESSURE',
    severity: 'critical',
    actions: [],
    refused: [
      {
        action: {
          type: 'UpdateApplicationParallelism',
          applicationName: 'orders-enricher',
          from: 4,
          to: 4,
          parallelismPerKpu: 1,
        },
        guardrail: 'kpu-limit',
        reason: 'needs 4 KPU, maxKpu is 2',
      },
    ],
    subject: 'ACTION REQUIRED, Refused by guardrails | StreamMedic orders: MEMORY_PRESSURE (critical)',
    outcome: 'all-refused',
    actionRequired: true,
    firstLine: 'ACTION REQUIRED: a fix was stopped by the "kpu-limit" guardrail: needs 4 KPU, maxKpu is 2.',
    lookFirst: [/OutOfMemoryError/],
  },
  {
    name: 'readers needing enhanced fan-out',
    cause: 'STREAM_READ_CAPACITY',
    severity: 'warning',
    actions: [],
    recommendations: ['Register the heavy readers as enhanced fan-out consumers.'],
    subject: 'ACTION REQUIRED | StreamMedic orders: STREAM_READ_CAPACITY (warning) - no automatic fix',
    outcome: 'action-required',
    actionRequired: true,
    firstLine: /^ACTION REQUIRED: readers are throttled/,
    lookFirst: [/Reads and read throttling of stream orders-stream/, /runbooks\/stream-read-capacity\.md$/],
  },
  {
    name: 'verbose monitoring left to a person',
    cause: 'VERBOSE_MONITORING',
    severity: 'warning',
    actions: [],
    subject: 'ACTION REQUIRED | StreamMedic orders: VERBOSE_MONITORING (warning) - no automatic fix',
    outcome: 'action-required',
    actionRequired: true,
    firstLine: /^ACTION REQUIRED: verbose logging or metrics slow the job/,
    lookFirst: [/logging and monitoring levels of orders-enricher/, /runbooks\/verbose-monitoring\.md$/],
  },
  {
    name: 'missing metrics',
    cause: 'INSUFFICIENT_DATA',
    severity: 'warning',
    actions: [],
    subject: 'ACTION REQUIRED | StreamMedic orders: INSUFFICIENT_DATA (warning) - no automatic fix',
    outcome: 'action-required',
    actionRequired: true,
    firstLine: 'ACTION REQUIRED: StreamMedic is blind here: the metrics it needs to decide are missing.',
    lookFirst: [/Which metrics are missing/, /The assess step of the execution: https:/, /insufficient-data\.md$/],
  },
  {
    name: 'a job left alone because it drains its backlog on plan',
    cause: 'CONSUMER_COMPUTE',
    severity: 'warning',
    actions: [],
    recommendations: [
      'Application orders-enricher is draining its backlog on plan (about 3 min to catch up, within the 300 s catch-up time) and parallelism 10 carries its input at the target utilisation: it is not restarted.',
    ],
    subject: 'No action needed | StreamMedic orders: CONSUMER_COMPUTE (warning)',
    outcome: 'nothing-to-do',
    actionRequired: false,
    firstLine: 'No action needed: Summary.',
    lookFirst: [],
  },
  {
    name: 'a scale-up that fixed it',
    cause: 'CONSUMER_COMPUTE',
    severity: 'warning',
    actions: [RAISE_PARALLELISM],
    verified: 'resolved',
    subject: 'Resolved | StreamMedic orders: CONSUMER_COMPUTE (warning) - parallelism 4->10',
    outcome: 'resolved',
    actionRequired: false,
    firstLine: 'Resolved: judged resolved by the re-assessment.',
    lookFirst: [],
  },
  {
    name: 'a scale-up that did not help',
    cause: 'CONSUMER_COMPUTE',
    severity: 'critical',
    actions: [RAISE_PARALLELISM],
    verified: 'not-improved',
    subject: 'ACTION REQUIRED, NOT IMPROVED | StreamMedic orders: CONSUMER_COMPUTE (critical) - parallelism 4->10',
    outcome: 'not-improved',
    actionRequired: true,
    firstLine: 'ACTION REQUIRED: the change did not help: judged not-improved by the re-assessment.',
    lookFirst: [/^1\. The re-assessment: .* The bottleneck may be elsewhere/, /The lag of orders-enricher/],
  },
  {
    name: 'a reshard capped by maxShards',
    cause: 'STREAM_WRITE_CAPACITY',
    severity: 'critical',
    actions: [SCALE_STREAM],
    recommendations: ['Stream orders-stream needs about 12 shards; StreamMedic stops at maxShards 7. Raise the bound.'],
    verified: 'improving',
    subject: 'ACTION REQUIRED, Improving | StreamMedic orders: STREAM_WRITE_CAPACITY (critical) - shards 2->7',
    outcome: 'improving',
    actionRequired: true,
    firstLine: /^ACTION REQUIRED: the fix is capped by a bound: Stream orders-stream needs about 12 shards/,
    lookFirst: [/Writes and throttling of stream orders-stream/, /stream-write-capacity\.md$/],
  },
  {
    name: 'a scale-up capped by a bound that still drains the backlog',
    cause: 'CONSUMER_COMPUTE',
    severity: 'critical',
    actions: [RAISE_PARALLELISM],
    recommendations: [
      'Application orders-enricher: StreamMedic stops at parallelism 10 (maxParallelism 10, maxKpu 64); at that size the backlog drains in about 2 min (draining within the catch-up time would need about 12).',
    ],
    verified: 'improving',
    subject: 'Improving | StreamMedic orders: CONSUMER_COMPUTE (critical) - parallelism 4->10',
    outcome: 'improving',
    actionRequired: false,
    firstLine: 'Improving: judged improving by the re-assessment.',
    lookFirst: [],
  },
  {
    name: 'a plan left to a person by mode "recommend"',
    cause: 'CONSUMER_COMPUTE',
    severity: 'warning',
    actions: [RAISE_PARALLELISM],
    mode: 'recommend',
    // The action is given up before anything at the head: the subject would be 103 characters with it.
    subject: 'ACTION REQUIRED, Recommendation only | StreamMedic orders: CONSUMER_COMPUTE (warning)',
    outcome: 'recommend-mode',
    actionRequired: true,
    firstLine: /^ACTION REQUIRED: the target is in mode "recommend"/,
    lookFirst: [/The lag of orders-enricher/],
  },
  {
    name: 'a scale-in recommended',
    cause: 'OVER_PROVISIONED',
    severity: 'info',
    actions: [{ type: 'UpdateShardCount', streamName: 'orders-stream', from: 8, to: 4, steps: [4] }],
    mode: 'recommend',
    subject: 'Recommendation only | StreamMedic orders: OVER_PROVISIONED (info) - shards 8->4',
    outcome: 'recommend-mode',
    actionRequired: false,
    firstLine: 'Recommendation only: nothing was changed.',
    lookFirst: [],
  },
  {
    name: 'a healthy pipeline',
    cause: 'HEALTHY',
    severity: 'info',
    actions: [],
    subject: 'No action needed | StreamMedic orders: HEALTHY (info)',
    outcome: 'nothing-to-do',
    actionRequired: false,
    firstLine: 'No action needed: Nothing is wrong now.',
    lookFirst: [],
  },
];

function factsFor(c: CauseCase, run: RunContext = runContext({ mode: c.mode, alarm: CRASH_ALARM })): NotificationFacts {
  const r: Report = report({
    diagnosis: {
      cause: c.cause,
      severity: c.severity,
      summary: c.cause === 'HEALTHY' ? 'Nothing is wrong now.' : 'Summary.',
    },
    actions: c.actions ?? [],
    refused: c.refused ?? [],
    plan: { recommendations: c.recommendations ?? [] },
  });
  const a = assessment(run, r);
  if (!c.verified) return { run, assessment: a, region: 'eu-west-1' };
  const progress: Progress = {
    next: a.steps.length,
    more: false,
    applied: a.steps.map((step) => ({ step, at: '2026-11-21T10:15:04.000Z', outcome: 'requested' as const })),
  };
  const after = report({
    diagnosis:
      c.verified === 'resolved' ? { cause: 'HEALTHY', severity: 'info' } : { cause: c.cause, severity: c.severity },
    actions: [],
  });
  const verification: Verification = {
    outcome: c.verified,
    reason: `judged ${c.verified} by the re-assessment`,
    report: after,
    verifiedAt: '2026-11-21T10:25:00.000Z',
  };
  return { run, assessment: a, progress, verification, region: 'eu-west-1' };
}

function sectionOf(body: string, title: string): string[] {
  const lines = body.split('\n');
  const start = lines.indexOf(title);
  if (start < 0) return [];
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

describe.each(CASES)('the notification for $name', (c) => {
  const message = composeNotification(factsFor(c));

  it('has a subject that leads with whether a person must act', () => {
    expect(message.subject).toBe(c.subject);
    expect(message.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
  });

  it('carries the outcome and whether a person must act as attributes', () => {
    expect(message.attributes['outcome']).toBe(c.outcome);
    expect(message.attributes['actionRequired']).toBe(String(c.actionRequired));
    expect(message.attributes['cause']).toBe(c.cause);
  });

  it('says so in its first line', () => {
    expect(message.body.split('\n')[0]).toMatch(
      typeof c.firstLine === 'string' ? new RegExp(`^${escape(c.firstLine)}$`) : c.firstLine,
    );
    if (!c.actionRequired) expect(message.body).not.toContain('ACTION REQUIRED');
  });

  it('says what to look at first when a person must act, and shows every recommendation', () => {
    const lookFirst = sectionOf(message.body, 'LOOK FIRST AT');
    expect(lookFirst).toHaveLength(c.actionRequired ? Math.max(lookFirst.length, c.lookFirst.length) : 0);
    for (const expected of c.lookFirst) {
      expect(
        lookFirst.some((line) => (typeof expected === 'string' ? line.endsWith(expected) : expected.test(line))),
      ).toBe(true);
    }
    expect(sectionOf(message.body, 'RECOMMENDATIONS')).toEqual((c.recommendations ?? []).map((r) => `- ${r}`));
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('a subject for a long target name', () => {
  const target = 'payments-settlement-eu-central-primary-2026';
  const notImproved = CASES.find((c) => c.verified === 'not-improved')!;

  it('keeps the outcome and the cause, and shortens the name in the middle', () => {
    const run = { ...runContext({ alarm: CRASH_ALARM }), target };
    const message = composeNotification({
      ...factsFor(notImproved, run),
      failure: { Error: 'ResourceNotReadyError', Cause: 'still UPDATING' },
    });

    expect(message.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(message.subject).toMatch(/^ACTION REQUIRED, FAILED \(ResourceNotReadyError\) \| StreamMedic payments/);
    expect(message.subject).toMatch(/ payments\S*\.\.\.\S*-2026: CONSUMER_COMPUTE$/);
  });

  it.each([
    ['a 200-character name', 'x'.repeat(200)],
    ['a name with non-ASCII characters', `zahlungsabwicklung-${'ü'.repeat(90)}`],
  ])('never loses what matters for %s', (_case, name) => {
    const run = { ...runContext({ alarm: CRASH_ALARM }), target: name };
    const message = composeNotification(factsFor(CASES[0]!, run));

    expect(message.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(message.subject).toMatch(/^ACTION REQUIRED \| StreamMedic \S+\.\.\.\S+: APP_UNHEALTHY \(critical\)/);
    expect(message.subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it('keeps a name that fits whole, and shortens one that does not', () => {
    const subjectFor = (name: string) =>
      composeNotification(factsFor(CASES[0]!, { ...runContext({ alarm: CRASH_ALARM }), target: name })).subject;

    expect(subjectFor('payments-settlement')).toBe(
      'ACTION REQUIRED | StreamMedic payments-settlement: APP_UNHEALTHY (critical) - no automatic fix',
    );
    expect(subjectFor(target)).toBe(
      'ACTION REQUIRED | StreamMedic payments-se...imary-2026: APP_UNHEALTHY (critical) - no automatic fix',
    );
  });
});

describe('runbooks', () => {
  it.each(PRIMARY_CAUSES.map((cause) => [cause, runbookPath(cause)]))(
    'has one for %s at %s, titled with the cause',
    (cause, path) => {
      const text = readFileSync(join(__dirname, '..', '..', path), 'utf8');

      expect(text.split('\n')[0]).toMatch(new RegExp(`^# ${cause}: `));
    },
  );
});
