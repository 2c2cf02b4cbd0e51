import { INITIAL_PROGRESS, type Progress } from '../../lambdas/domain/run-state';
import {
  MAX_SUBJECT_LENGTH,
  composeNotification,
  consoleBaseUrl,
  executionConsoleUrl,
  failureMessage,
  type NotificationFacts,
} from '../../lambdas/domain/notification';
import { RAISE_PARALLELISM, SCALE_STREAM, assessment, report, runContext } from '../fakes/runs';

function appliedFirstStep(facts: Pick<NotificationFacts, 'assessment'>): Progress {
  const step = facts.assessment!.steps[0]!;
  return {
    ...INITIAL_PROGRESS,
    next: 1,
    more: true,
    applied: [{ step, at: '2026-11-21T10:15:04.000Z', outcome: 'requested' }],
  };
}

describe('composeNotification', () => {
  it('puts how it ended first, then the cause and summary, evidence, action, refusals, outcome and links', () => {
    const run = runContext();
    const facts: NotificationFacts = {
      run,
      assessment: assessment(
        run,
        report({
          actions: [SCALE_STREAM],
          refused: [{ action: RAISE_PARALLELISM, guardrail: 'cooldown', reason: 'scaled up 4 minutes ago' }],
        }),
      ),
      region: 'eu-west-1',
    };
    const body = composeNotification(facts).body;
    const lines = body.split('\n');
    expect(lines[0]).toBe('Applied, not verified: the changes were made; the re-assessment did not run.');
    expect(lines[1]).toBe(
      'STREAM_WRITE_CAPACITY on orders (stream orders-stream, application orders-enricher): severity critical, confidence 95%',
    );
    expect(lines[2]).toBe('Stream orders-stream is full: add shards.');
    const order = ['EVIDENCE', 'WHAT WAS DONE', 'REFUSED BY GUARDRAILS', 'OUTCOME', 'TRIGGER', 'LINKS'].map((h) =>
      lines.indexOf(h),
    );
    expect(order.every((index) => index > 2)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(body).toContain('- WriteProvisionedThroughputExceeded (Sum): 1,800,000, threshold 0');
    expect(body).toContain(
      '- set application orders-enricher parallelism from 4 to 10 (1 per KPU, 10 KPU): refused by "cooldown": scaled up 4 minutes ago',
    );
  });

  it.each([
    [{ dryRun: true }, 'WHAT WOULD BE DONE (DRY RUN: NOTHING WAS CHANGED)', 'dry-run'],
    [{ mode: 'recommend' as const }, 'WHAT WOULD BE DONE (MODE "RECOMMEND"', 'recommend-mode'],
    [{ mode: 'observe' as const }, 'WHAT WOULD BE DONE (MODE "OBSERVE"', 'observe-mode'],
  ])('says what would be done, and that nothing was, for %j', (options, heading, outcome) => {
    const run = runContext(options);
    const message = composeNotification({ run, assessment: assessment(run), region: 'eu-west-1' });
    expect(message.body).toContain(heading);
    expect(message.body).toContain('- scale stream orders-stream from 2 to 7 shards in 2 calls (2 -> 4 -> 7)');
    expect(message.attributes['outcome']).toBe(outcome);
  });

  it('lists the calls made and the verified outcome after a change', () => {
    const run = runContext();
    const facts = { run, assessment: assessment(run) };
    const progress: Progress = {
      ...appliedFirstStep(facts),
      next: 2,
      more: false,
      applied: [
        ...appliedFirstStep(facts).applied,
        { step: facts.assessment.steps[1]!, at: '2026-11-21T10:19:40.000Z', outcome: 'requested' },
      ],
    };
    const message = composeNotification({
      ...facts,
      progress,
      verification: {
        outcome: 'resolved',
        reason: 'STREAM_WRITE_CAPACITY is no longer found',
        report: report({ diagnosis: { cause: 'HEALTHY', severity: 'info', summary: 'Nothing is wrong.' } }),
        verifiedAt: '2026-11-21T10:25:00.000Z',
      },
      region: 'eu-west-1',
    });
    expect(message.body).toContain(
      '- UpdateShardCount orders-stream 2 -> 4 shards (call 1 of 2) at 2026-11-21T10:15:04.000Z',
    );
    expect(message.body).toContain(
      '- UpdateShardCount orders-stream 4 -> 7 shards (call 2 of 2) at 2026-11-21T10:19:40.000Z',
    );
    expect(message.body).toContain('resolved: STREAM_WRITE_CAPACITY is no longer found');
    expect(message.subject).toBe('Resolved | StreamMedic orders: STREAM_WRITE_CAPACITY (critical) - shards 2->7');
    expect(message.body).toContain('Re-assessed at 2026-11-21T10:25:00.000Z: HEALTHY: no lag, throttling or failure');
    expect(message.attributes).toEqual({
      target: 'orders',
      outcome: 'resolved',
      actionRequired: 'false',
      incident: 'orders/STREAM_WRITE_CAPACITY/2026-11-21T10:00Z',
      dryRun: 'false',
      cause: 'STREAM_WRITE_CAPACITY',
      severity: 'critical',
    });
  });

  it('after a failure mid-plan, says which change was made, which was not, and why it failed', () => {
    const run = runContext();
    const facts = { run, assessment: assessment(run) };
    const message = composeNotification({
      ...facts,
      progress: appliedFirstStep(facts),
      failure: {
        Error: 'ResourceNotReadyError',
        Cause: JSON.stringify({
          errorType: 'ResourceNotReadyError',
          errorMessage: 'stream orders-stream is still UPDATING after 40 checks; expected ACTIVE',
          trace: ['ResourceNotReadyError: ...', '    at checkResource (/var/task/index.js:1:2)'],
        }),
      },
      region: 'eu-west-1',
    });
    expect(message.body).toContain('FAILED after 1 change had been made; check the resources.');
    expect(message.body).toContain(
      'ResourceNotReadyError: stream orders-stream is still UPDATING after 40 checks; expected ACTIVE',
    );
    expect(message.body).toContain('- NOT DONE: UpdateShardCount orders-stream 4 -> 7 shards (call 2 of 2)');
    expect(message.body).not.toContain('/var/task');
    expect(message.subject).toContain('FAILED (ResourceNotReadyError)');
  });

  it('says a scale-up AWS refused for the KPU quota needs a higher quota, not a look at the resources', () => {
    const run = runContext();
    const message = composeNotification({
      run,
      assessment: assessment(run, report({ actions: [RAISE_PARALLELISM] })),
      failure: {
        Error: 'QuotaExceededError',
        Cause: JSON.stringify({
          errorType: 'QuotaExceededError',
          errorMessage:
            'UpdateApplication on application/orders-enricher: The number of allowed resources has been exceeded',
        }),
      },
      region: 'eu-west-1',
    });
    expect(message.body.split('\n')[0]).toBe(
      "ACTION REQUIRED: AWS refused parallelism 10 (10 KPU) for orders-enricher with LimitExceededException: the application's KPU quota is below 10, though the config's maxKpu is 64. The next run asks for less; to give the job what it needs, request a higher KPU limit in Service Quotas.",
    );
    // A reshard's LimitExceededException is Kinesis' rate or shard limit, not the application's quota.
    const reshard = composeNotification({
      run,
      assessment: assessment(run, report({ actions: [SCALE_STREAM, RAISE_PARALLELISM] })),
      failure: { Error: 'LimitExceededError', Cause: 'UpdateShardCount on stream/orders-stream: rate exceeded' },
      region: 'eu-west-1',
    });
    expect(reshard.body.split('\n')[0]).toBe(
      'ACTION REQUIRED: the run failed (LimitExceededError); check the resources and the execution.',
    );
  });

  it('still tells on-call when the run failed before any assessment', () => {
    const message = composeNotification({
      run: runContext(),
      failure: { Error: 'AccessDeniedError', Cause: 'GetMetricData: not authorized' },
      region: 'eu-west-1',
    });
    expect(message.body.split('\n')[0]).toBe(
      'ACTION REQUIRED: StreamMedic failed before it could assess orders (AccessDeniedError).',
    );
    expect(message.body.split('\n')[1]).toContain('No diagnosis for orders');
    expect(message.subject).toBe('ACTION REQUIRED, FAILED (AccessDeniedError) | StreamMedic orders: not assessed');
    expect(message.body).toContain('FAILED before the assessment finished.');
    expect(message.body).toContain('AccessDeniedError: GetMetricData: not authorized');
    expect(message.attributes['outcome']).toBe('failed');
  });

  it('links the alarm that started the run', () => {
    const run = runContext({ alarm: 'StreamMedic-orders-write-throttling' });
    const body = composeNotification({ run, assessment: assessment(run), region: 'eu-west-1' }).body;
    expect(body).toContain('Alarm StreamMedic-orders-write-throttling went into ALARM at 2026-11-21T10:14:31Z.');
    expect(body).toContain(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/StreamMedic-orders-write-throttling',
    );
  });

  it.each([
    ['eu-west-1', 'https://eu-west-1.console.aws.amazon.com'],
    ['cn-north-1', 'https://cn-north-1.console.amazonaws.cn'],
    ['us-gov-west-1', 'https://us-gov-west-1.console.amazonaws-us-gov.com'],
  ])('links the stream and application consoles of %s', (region, base) => {
    const run = runContext({ region });
    const body = composeNotification({ run, assessment: assessment(run), region }).body;
    expect(body).toContain(`Stream: ${base}/kinesis/home?region=${region}#/streams/details/orders-stream/monitoring`);
    expect(body).toContain(`Application: ${base}/flink/home?region=${region}#/applications/orders-enricher`);
  });

  it('links the execution in the region its ARN names', () => {
    const body = composeNotification({ run: runContext({ region: 'us-west-2' }), region: 'us-west-2' }).body;
    expect(body).toContain(
      'Execution: https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:123456789012:execution:StreamMedic:run-1',
    );
  });

  it.each([
    ['a long target name and many actions', 'x'.repeat(64), [SCALE_STREAM, RAISE_PARALLELISM, SCALE_STREAM]],
    ['a plain run', 'orders', [SCALE_STREAM]],
  ])('keeps the subject under 100 printable ASCII characters for %s', (_case, target, actions) => {
    const run = { ...runContext(), target };
    const message = composeNotification({
      run,
      assessment: assessment(run, report({ actions })),
      failure: { Error: 'ConcurrentModificationError', Cause: 'version 7 is stale' },
      region: 'eu-west-1',
    });
    expect(message.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(message.subject).toMatch(/^[A-Za-z0-9][\x20-\x7e]*$/);
  });
});

describe('failureMessage', () => {
  it.each([
    ['a Lambda error cause', { Error: 'X', Cause: '{"errorType":"X","errorMessage":"the reason"}' }, 'the reason'],
    ['a plain cause', { Error: 'X', Cause: 'plain words' }, 'plain words'],
    ['no cause', { Error: 'States.Timeout' }, 'no cause given'],
  ])('reads %s', (_case, failure, expected) => {
    expect(failureMessage(failure)).toBe(expected);
  });

  it('cuts a very long cause', () => {
    expect(failureMessage({ Error: 'X', Cause: 'y'.repeat(5000) }).length).toBeLessThanOrEqual(600);
  });
});

describe('console URLs', () => {
  it('returns no execution link for an id that is not an execution ARN', () => {
    expect(executionConsoleUrl('local-run-7')).toBeUndefined();
  });

  it('uses the partition of the region', () => {
    expect(consoleBaseUrl('cn-northwest-1')).toBe('https://cn-northwest-1.console.amazonaws.cn');
  });
});

describe('composeNotification for a run that went round again', () => {
  const run = runContext({ alarm: 'StreamMedic-orders-write-throttling' });
  const first = assessment(run, report({ actions: [SCALE_STREAM] }));
  const second = assessment(
    run,
    report({
      diagnosis: { cause: 'CONSUMER_COMPUTE', severity: 'warning', summary: 'The job is short of compute.' },
      actions: [RAISE_PARALLELISM],
      refused: [
        {
          action: { type: 'UpdateShardCount', streamName: 'orders-stream', from: 7, to: 14, steps: [14] },
          guardrail: 'cooldown',
          reason: 'scaled up 6 min ago',
        },
      ],
    }),
  );
  const firstProgress: Progress = {
    ...INITIAL_PROGRESS,
    next: 2,
    more: false,
    applied: first.steps.map((step) => ({ step, at: '2026-11-21T10:16:00.000Z', outcome: 'requested' as const })),
  };
  const facts: NotificationFacts = {
    run,
    rounds: [
      {
        assessment: first,
        progress: firstProgress,
        verification: {
          outcome: 'improving',
          reason: 'STREAM_WRITE_CAPACITY is no longer found, but CONSUMER_COMPUTE is',
          report: second.report,
          verifiedAt: '2026-11-21T10:25:00.000Z',
        },
      },
    ],
    assessment: second,
    progress: appliedFirstStep({ assessment: second }),
    verification: {
      outcome: 'resolved',
      reason: 'CONSUMER_COMPUTE is no longer found',
      report: report({ diagnosis: { cause: 'HEALTHY', severity: 'info' }, actions: [] }),
      verifiedAt: '2026-11-21T10:35:00.000Z',
    },
    region: 'eu-west-1',
  };

  it('leads with the diagnosis that started the run and lists every round in order', () => {
    const message = composeNotification(facts);
    expect(message.body.split('\n')[0]).toBe('Resolved: CONSUMER_COMPUTE is no longer found.');
    expect(message.body.split('\n')[1]).toMatch(/^STREAM_WRITE_CAPACITY on orders/);
    const lines = message.body.split('\n');
    const order = [
      'Round 1 of 2: STREAM_WRITE_CAPACITY (critical)',
      '- UpdateShardCount orders-stream 4 -> 7 shards (call 2 of 2) at 2026-11-21T10:16:00.000Z',
      'Verified at 2026-11-21T10:25:00.000Z: improving: STREAM_WRITE_CAPACITY is no longer found, but CONSUMER_COMPUTE is',
      'Round 2 of 2: CONSUMER_COMPUTE (warning): The job is short of compute.',
      '- UpdateApplication orders-enricher parallelism 4 -> 10 (1 per KPU) at 2026-11-21T10:15:04.000Z',
    ].map((line) => lines.indexOf(line));
    expect(order.every((index) => index > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(message.attributes).toMatchObject({ cause: 'STREAM_WRITE_CAPACITY', outcome: 'resolved' });
  });

  it("lists each round's refusals with its round, and counts every round's actions in the subject", () => {
    const message = composeNotification(facts);
    expect(message.body).toContain(
      '- round 2: scale stream orders-stream from 7 to 14 shards: refused by "cooldown": scaled up 6 min ago',
    );
    expect(message.subject).toBe(
      'Resolved | StreamMedic orders: STREAM_WRITE_CAPACITY (critical) - shards 2->7 (+1 more action)',
    );
  });
});

describe('composeNotification: a run the sweep started', () => {
  it('says which alarms were still in ALARM when the sweep asked again, with a link to the first', () => {
    const run = {
      ...runContext(),
      trigger: { kind: 'sweep' as const, alarmNames: ['StreamMedic-orders-app-lag', 'StreamMedic-orders-app-cpu'] },
    };
    const lines = composeNotification({ run, assessment: assessment(run), region: 'eu-west-1' }).body.split('\n');
    const trigger = lines.indexOf('TRIGGER');
    expect(lines[trigger + 1]).toBe(
      `Re-assessed at ${run.startedAt}: alarms StreamMedic-orders-app-lag, StreamMedic-orders-app-cpu still in ALARM.`,
    );
    expect(lines[trigger + 2]).toContain('#alarmsV2:alarm/StreamMedic-orders-app-lag');
  });
});
