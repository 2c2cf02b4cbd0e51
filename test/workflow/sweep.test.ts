import { alarmName } from '../../lambdas/domain/alarm-definitions';
import { parseConfig, type StreamMedicConfigInput } from '../../lambdas/domain/config';
import { noticeFingerprint } from '../../lambdas/domain/notice';
import { parseWorkflowInput, toRunContext } from '../../lambdas/workflow/input';
import {
  DESCRIBE_ALARMS_MAX_NAMES,
  REFUSAL_HOLD_FACTOR,
  createSweepCore,
  isDue,
  sweepExecutionName,
  sweepPlan,
} from '../../lambdas/workflow/sweep';
import type { LedgerEntry } from '../../lambdas/domain/model';
import { SERVICE_METRIC_NAMES } from '../../lambdas/domain/service-metrics';
import { PACING_HEADROOM } from '../../lambdas/domain/api-pacing';
import { FLEET_DEFAULTS } from '../../lambdas/domain/fleet-limits';
import { DOCUMENTED_API_LIMITS } from '../../lambdas/domain/api-rate-limits';
import { InMemoryFleetChangeLog, InMemoryFleetSlots, InMemoryNoticeLog } from '../../sim/adapters';
import { FakeAlarmsSource } from '../fakes/alarms-source';
import { FakeClock } from '../fakes/clock';
import { FakeExecutionStarter } from '../fakes/execution-starter';
import { InMemoryLedger } from '../fakes/ledger';
import { RecordingTelemetry } from '../fakes/telemetry';

const NOW = '2026-11-21T10:15:00.000Z';
/** Long enough in ALARM for the sweep to ask again (more than the 5-minute default interval). */
const LONG_AGO = '2026-11-21T10:00:00.000Z';

const CONFIG: StreamMedicConfigInput = {
  targets: [
    { name: 'orders', mode: 'auto', stream: { name: 'orders-stream' }, application: { name: 'orders-enricher' } },
    { name: 'clicks', mode: 'recommend', stream: { name: 'clicks-stream' } },
    { name: 'audit', mode: 'observe', stream: { name: 'audit-stream' } },
  ],
};

function setUp(input: StreamMedicConfigInput = CONFIG) {
  const config = parseConfig(input);
  const alarms = new FakeAlarmsSource();
  const executions = new FakeExecutionStarter();
  const clock = new FakeClock(NOW);
  const telemetry = new RecordingTelemetry();
  const notices = new InMemoryNoticeLog();
  const ledger = new InMemoryLedger();
  const slots = new InMemoryFleetSlots(clock);
  const plan = sweepPlan(config)!;
  const fleetChanges = new InMemoryFleetChangeLog();
  const sweep = createSweepCore({ alarms, executions, notices, ledger, slots, fleetChanges, clock, telemetry });
  return { config, alarms, executions, notices, ledger, slots, fleetChanges, clock, telemetry, plan, sweep };
}

describe('sweepPlan: which targets the sweep looks after', () => {
  it('sweeps auto and recommend targets by their lag, CPU and throttling alarms, at the default 5 minutes', () => {
    const { plan } = setUp();
    expect(plan.rateMinutes).toBe(5);
    expect(plan.targets).toEqual([
      {
        target: 'orders',
        alarmNames: [
          alarmName('orders', 'appLag'),
          alarmName('orders', 'appCpu'),
          alarmName('orders', 'appCpuSaturated'),
          alarmName('orders', 'writeThrottling'),
          alarmName('orders', 'readThrottling'),
        ],
        everyMinutes: 5,
        scaleBackFollowUp: { cooldownMinutes: 60, windowMinutes: 120 },
      },
      {
        target: 'clicks',
        alarmNames: [
          alarmName('clicks', 'streamLag'),
          alarmName('clicks', 'writeThrottling'),
          alarmName('clicks', 'readThrottling'),
        ],
        everyMinutes: 5,
        scaleBackFollowUp: { cooldownMinutes: 60, windowMinutes: 120 },
      },
    ]);
  });

  it('leaves out observe targets and the low-utilisation alarms, and no schedule at all when nothing is swept', () => {
    const { plan } = setUp();
    const swept = plan.targets.flatMap((t) => t.alarmNames);
    expect(plan.targets.map((t) => t.target)).not.toContain('audit');
    expect(swept).not.toContain(alarmName('orders', 'streamLowUtilization'));
    expect(swept).not.toContain(alarmName('orders', 'appLowCpu'));
    expect(sweepPlan(parseConfig({ targets: [CONFIG.targets[2]!] }))).toBeUndefined();
  });

  it("runs at the shortest interval of any target, each target at its own policy's", () => {
    const { plan } = setUp({
      policy: { reassessMinutes: 10 },
      targets: [
        { name: 'orders', mode: 'auto', stream: { name: 'orders-stream' }, policy: { reassessMinutes: 2 } },
        { name: 'clicks', mode: 'auto', stream: { name: 'clicks-stream' } },
      ],
    });
    expect(plan.rateMinutes).toBe(2);
    expect(plan.targets.map((t) => [t.target, t.everyMinutes])).toEqual([
      ['orders', 2],
      ['clicks', 10],
    ]);
  });

  it('refuses a re-assessment interval outside 1 to 60 minutes, naming the field', () => {
    expect(() => parseConfig({ policy: { reassessMinutes: 0 }, targets: [CONFIG.targets[0]!] })).toThrow(
      /policy\.reassessMinutes/,
    );
    expect(() => parseConfig({ policy: { reassessMinutes: 61 }, targets: [CONFIG.targets[0]!] })).toThrow(
      /policy\.reassessMinutes/,
    );
  });
});

describe('the sweep', () => {
  it('starts one run per target with an alarm in ALARM, naming every such alarm, and none for the others', async () => {
    const { alarms, executions, sweep, plan } = setUp();
    alarms
      .set(alarmName('orders', 'appLag'), 'ALARM', LONG_AGO)
      .set(alarmName('orders', 'appCpu'), 'ALARM', LONG_AGO)
      .set(alarmName('orders', 'writeThrottling'), 'OK')
      .set(alarmName('clicks', 'streamLag'), 'INSUFFICIENT_DATA')
      .set(alarmName('clicks', 'writeThrottling'), 'OK');

    const result = await sweep(plan);

    expect(executions.started).toEqual([
      {
        name: 'sweep-orders-20261121T1015',
        input: {
          sweep: { target: 'orders', alarmNames: [alarmName('orders', 'appLag'), alarmName('orders', 'appCpu')] },
        },
      },
    ]);
    expect(result.started.map((s) => s.target)).toEqual(['orders']);
  });

  it("starts a run whose input the workflow's intake accepts as a sweep of that target", async () => {
    const { alarms, executions, sweep, plan, config } = setUp();
    alarms.set(alarmName('clicks', 'writeThrottling'), 'ALARM', LONG_AGO);
    await sweep(plan);
    const request = parseWorkflowInput(executions.started[0]!.input);
    const run = toRunContext(request, config, { executionId: 'x', startedAt: NOW, region: 'eu-west-1' });
    expect(run.trigger).toEqual({ kind: 'sweep', alarmNames: [alarmName('clicks', 'writeThrottling')] });
    expect(run.dryRun).toBe(false);
  });

  it('starts nothing when no swept alarm is in ALARM', async () => {
    const { alarms, executions, sweep, plan } = setUp();
    alarms.set(alarmName('orders', 'appLag'), 'OK').set(alarmName('clicks', 'streamLag'), 'INSUFFICIENT_DATA');
    await expect(sweep(plan)).resolves.toEqual({ started: [], notDue: [], waiting: [] });
    expect(executions.started).toEqual([]);
  });

  it('leaves an alarm that went into ALARM within the interval to the run its own transition started', async () => {
    const { alarms, executions, sweep, plan } = setUp();
    alarms.set(alarmName('orders', 'appLag'), 'ALARM', '2026-11-21T10:12:00.000Z');
    await expect(sweep(plan)).resolves.toEqual({ started: [], notDue: ['orders'], waiting: [] });
    expect(executions.started).toEqual([]);
  });

  it('asks again about a target whose alarm has stayed in ALARM for a whole interval', async () => {
    const { alarms, executions, sweep, plan } = setUp();
    alarms.set(alarmName('orders', 'appLag'), 'ALARM', '2026-11-21T10:10:00.000Z');
    await sweep(plan);
    expect(executions.started.map((s) => s.name)).toEqual(['sweep-orders-20261121T1015']);
  });

  it('gives a run that told on-call within the interval that interval before asking again', async () => {
    const { alarms, executions, notices, sweep, plan } = setUp();
    alarms
      .set(alarmName('orders', 'appLag'), 'ALARM', LONG_AGO)
      .set(alarmName('clicks', 'streamLag'), 'ALARM', LONG_AGO);
    const told = { executionId: 'run-1', fingerprint: 'f', subject: 's' };
    await notices.remember({ ...told, target: 'orders', at: '2026-11-21T10:12:30.000Z' });
    await notices.remember({ ...told, target: 'clicks', at: '2026-11-21T10:09:00.000Z' });

    const result = await sweep(plan);

    expect(result.notDue).toEqual(['orders']);
    expect(executions.started.map((s) => s.name)).toEqual(['sweep-clicks-20261121T1015']);
  });

  it('reads the alarms in calls of at most 100 names', async () => {
    const targets = Array.from({ length: 30 }, (_, i) => ({
      name: `t${i}`,
      mode: 'auto' as const,
      stream: { name: `s${i}` },
      application: { name: `a${i}` },
    }));
    const { alarms, sweep, plan } = setUp({ targets });
    await sweep(plan);
    const names = plan.targets.flatMap((t) => t.alarmNames);
    expect(names.length).toBeGreaterThan(DESCRIBE_ALARMS_MAX_NAMES);
    expect(alarms.calls.every((call) => call.length <= DESCRIBE_ALARMS_MAX_NAMES)).toBe(true);
    expect(alarms.calls.flat()).toEqual(names);
  });

  it('spaces its alarm reads so that it alone keeps DescribeAlarms within 80% of its documented rate', async () => {
    // 200 targets of 5 swept alarms: 10 calls of 100 names, three more than 80% of 9 a second allows at once.
    const targets = Array.from({ length: 200 }, (_, i) => ({
      name: `t${i}`,
      mode: 'auto' as const,
      stream: { name: `s${i}` },
      application: { name: `a${i}` },
    }));
    const { alarms, executions, notices, ledger, slots, fleetChanges, clock, plan } = setUp({ targets });
    // Each call is stamped with the time the pauses before it add up to.
    let elapsedMs = 0;
    const callTimes: number[] = [];
    const reading = alarms.alarmsInAlarm.bind(alarms);
    alarms.alarmsInAlarm = async (names) => {
      callTimes.push(elapsedMs);
      return reading(names);
    };
    const pause = async (ms: number) => {
      elapsedMs += ms;
    };
    const telemetry = new RecordingTelemetry();
    const sweep = createSweepCore({
      alarms,
      executions,
      notices,
      ledger,
      slots,
      fleetChanges,
      clock,
      telemetry,
      pause,
    });

    await sweep(plan);

    expect(callTimes).toHaveLength(10);
    const limit = DOCUMENTED_API_LIMITS.DescribeAlarms.limit!;
    for (const start of callTimes) {
      const inOneSecond = callTimes.filter((at) => at >= start && at < start + 1000).length;
      expect(inOneSecond).toBeLessThanOrEqual(Math.floor(limit.max * PACING_HEADROOM));
    }
  });

  it('starts the other targets when one start fails, then fails naming it', async () => {
    const { alarms, executions, sweep, plan } = setUp();
    alarms
      .set(alarmName('orders', 'appLag'), 'ALARM', LONG_AGO)
      .set(alarmName('clicks', 'streamLag'), 'ALARM', LONG_AGO);
    executions.failFor('sweep-orders', new Error('ThrottlingException'));
    await expect(sweep(plan)).rejects.toThrow(/could not start a run for orders/);
    expect(executions.started.map((s) => s.name)).toEqual(['sweep-clicks-20261121T1015']);
  });

  describe('a catch-up boost still on (policy.boostScaleBack)', () => {
    // The incident's scale-back is off here, so the boost's own follow-up is what is seen.
    const BOOST_SCALE_BACK: StreamMedicConfigInput = {
      ...CONFIG,
      policy: { boostScaleBack: true, scaleBackAfterIncident: false },
    };

    it('follows a boost up only when the policy takes boosts back off', () => {
      expect(setUp(BOOST_SCALE_BACK).plan.targets[0]).toMatchObject({ target: 'orders', boostFollowUpMinutes: 120 });
      expect(setUp().plan.targets[0]).not.toHaveProperty('boostFollowUpMinutes');
    });

    /** A boosted scale-up of orders-enricher at 10:00: steady 29, boost to 43, drained by 10:07:30. */
    const boosted: LedgerEntry = {
      at: '2026-11-21T10:00:00.000Z',
      target: 'orders',
      resource: 'application/orders-enricher',
      actionType: 'UpdateApplicationParallelism',
      direction: 'up',
      from: 4,
      to: 43,
      calls: 1,
      executionId: 'run-1',
      boost: { steady: 29, drainedBy: '2026-11-21T10:07:30.000Z' },
    };

    it('starts a run for the target once its alarms are back to OK, saying it follows up the boost', async () => {
      const { alarms, executions, ledger, sweep, plan, config } = setUp(BOOST_SCALE_BACK);
      alarms.set(alarmName('orders', 'appLag'), 'OK');
      await ledger.record(boosted);

      const result = await sweep(plan);

      expect(executions.started).toEqual([
        { name: 'sweep-orders-20261121T1015', input: { sweep: { target: 'orders', alarmNames: [], boost: true } } },
      ]);
      expect(result.started.map((s) => s.target)).toEqual(['orders']);
      const run = toRunContext(parseWorkflowInput(executions.started[0]!.input), config, {
        executionId: 'x',
        startedAt: NOW,
        region: 'eu-west-1',
      });
      expect(run.trigger).toEqual({ kind: 'sweep', alarmNames: [], boost: true });
    });

    it('stops asking once the boost has come off (a later change of the parallelism)', async () => {
      const { executions, ledger, sweep, plan } = setUp(BOOST_SCALE_BACK);
      await ledger.record(boosted);
      const { boost: _boost, ...change } = boosted;
      await ledger.record({
        ...change,
        at: '2026-11-21T10:12:00.000Z',
        direction: 'down',
        from: 43,
        to: 29,
        executionId: 'run-2',
      });
      await expect(sweep(plan)).resolves.toEqual({ started: [], notDue: [], waiting: [] });
      expect(executions.started).toEqual([]);
    });

    it('stops asking a scale-in window after the expected drain, leaving the rest to the ordinary scale-in', async () => {
      const { executions, ledger, sweep, plan, clock } = setUp(BOOST_SCALE_BACK);
      await ledger.record(boosted);
      clock.set('2026-11-21T12:07:31.000Z');
      await sweep(plan);
      expect(executions.started).toEqual([]);
      clock.set('2026-11-21T12:05:00.000Z');
      await sweep(plan);
      expect(executions.started.map((s) => s.name)).toEqual(['sweep-orders-20261121T1205']);
    });

    it('gives a run that told on-call within the interval that interval, as for an alarm', async () => {
      const { executions, ledger, notices, sweep, plan } = setUp(BOOST_SCALE_BACK);
      await ledger.record(boosted);
      await notices.remember({
        executionId: 'run-1',
        fingerprint: 'f',
        subject: 's',
        target: 'orders',
        at: '2026-11-21T10:13:00.000Z',
      });
      await expect(sweep(plan)).resolves.toEqual({ started: [], notDue: ['orders'], waiting: [] });
      expect(executions.started).toEqual([]);
    });
  });

  describe("an incident's scale-up still on (policy.scaleBackAfterIncident)", () => {
    /** The stream doubled at 10:00 and again at 10:03, the job raised at 10:00; the alarms are OK again. */
    const scaleUps: LedgerEntry[] = [
      {
        at: '2026-11-21T10:00:00.000Z',
        target: 'orders',
        resource: 'stream/orders-stream',
        actionType: 'UpdateShardCount',
        direction: 'up',
        from: 8,
        to: 16,
        calls: 1,
        executionId: 'run-1',
      },
      {
        at: '2026-11-21T10:03:00.000Z',
        target: 'orders',
        resource: 'stream/orders-stream',
        actionType: 'UpdateShardCount',
        direction: 'up',
        from: 16,
        to: 29,
        calls: 1,
        executionId: 'run-1',
      },
      {
        at: '2026-11-21T10:00:00.000Z',
        target: 'orders',
        resource: 'application/orders-enricher',
        actionType: 'UpdateApplicationParallelism',
        direction: 'up',
        from: 4,
        to: 43,
        calls: 1,
        executionId: 'run-1',
      },
    ];

    it('asks once the cooldown after the last scale-up call is over, for a scale-in window, saying why', async () => {
      const { executions, ledger, sweep, plan, clock, config } = setUp();
      for (const entry of scaleUps) await ledger.record(entry);
      // At 11:00 the stream's cooldown (from its 10:03 call) is not over: one run for both, once it is.
      clock.set('2026-11-21T11:00:00.000Z');
      await sweep(plan);
      expect(executions.started).toEqual([]);
      clock.set('2026-11-21T11:05:00.000Z');
      await sweep(plan);
      expect(executions.started).toEqual([
        {
          name: 'sweep-orders-20261121T1105',
          input: { sweep: { target: 'orders', alarmNames: [], scaleBack: true } },
        },
      ]);
      const run = toRunContext(parseWorkflowInput(executions.started[0]!.input), config, {
        executionId: 'x',
        startedAt: '2026-11-21T11:05:00.000Z',
        region: 'eu-west-1',
      });
      expect(run.trigger).toEqual({ kind: 'sweep', alarmNames: [], scaleBack: true });
      // Past the cooldown and a scale-in window (10:03 + 60 + 120 min), the ordinary scale-in takes over.
      clock.set('2026-11-21T13:05:00.000Z');
      await sweep(plan);
      expect(executions.started).toHaveLength(1);
    });

    it('stops asking once a later change took the capacity back', async () => {
      const { ledger, sweep, plan, clock } = setUp();
      for (const entry of scaleUps) await ledger.record(entry);
      await ledger.record({ ...scaleUps[1]!, at: '2026-11-21T11:10:00.000Z', direction: 'down', from: 29, to: 3 });
      await ledger.record({ ...scaleUps[2]!, at: '2026-11-21T11:10:00.000Z', direction: 'down', from: 43, to: 8 });
      clock.set('2026-11-21T11:20:00.000Z');
      await expect(sweep(plan)).resolves.toEqual({ started: [], notDue: [], waiting: [] });
    });

    it('does not follow scale-ups up when the policy turns the scale-back off', async () => {
      const { executions, ledger, sweep, plan, clock } = setUp({
        ...CONFIG,
        policy: { scaleBackAfterIncident: false },
      });
      expect(plan.targets[0]).not.toHaveProperty('scaleBackFollowUp');
      for (const entry of scaleUps) await ledger.record(entry);
      clock.set('2026-11-21T11:05:00.000Z');
      await sweep(plan);
      expect(executions.started).toEqual([]);
    });
  });

  describe('with fleet slots (fleet.maxConcurrentRuns)', () => {
    const fleet = (count: number, maxConcurrentRuns: number): StreamMedicConfigInput => ({
      fleet: { maxConcurrentRuns },
      targets: Array.from({ length: count }, (_, i) => ({
        name: `t${i}`,
        mode: 'auto' as const,
        stream: { name: `s${i}` },
      })),
    });

    it('carries the cap in its plan', () => {
      expect(setUp(fleet(3, 2)).plan.maxConcurrentRuns).toBe(2);
      expect(setUp().plan.maxConcurrentRuns).toBe(FLEET_DEFAULTS.maxConcurrentRuns);
    });

    it('starts no more runs than there are free slots, and names the targets left waiting', async () => {
      const { alarms, executions, slots, sweep, plan } = setUp(fleet(5, 3));
      for (let i = 0; i < 5; i += 1) alarms.set(alarmName(`t${i}`, 'streamLag'), 'ALARM', LONG_AGO);
      await slots.acquire('a run already under way', 3, 600);

      const result = await sweep(plan);

      expect(executions.started).toHaveLength(2);
      expect(result.started).toHaveLength(2);
      expect(result.waiting).toHaveLength(3);
      expect(new Set([...result.started.map((s) => s.target), ...result.waiting])).toEqual(
        new Set(['t0', 't1', 't2', 't3', 't4']),
      );
    });

    it('starts nothing while every slot is held', async () => {
      const { alarms, executions, slots, sweep, plan } = setUp(fleet(2, 1));
      alarms.set(alarmName('t0', 'streamLag'), 'ALARM', LONG_AGO);
      await slots.acquire('a run already under way', 1, 600);
      await expect(sweep(plan)).resolves.toEqual({ started: [], notDue: [], waiting: ['t0'] });
      expect(executions.started).toEqual([]);
    });

    it('gives every target its turn over successive sweeps when slots are fewer than targets in ALARM', async () => {
      const { alarms, executions, clock, sweep, plan } = setUp(fleet(4, 1));
      for (let i = 0; i < 4; i += 1) alarms.set(alarmName(`t${i}`, 'streamLag'), 'ALARM', LONG_AGO);
      for (let sweepIndex = 0; sweepIndex < 4; sweepIndex += 1) {
        await sweep(plan);
        clock.advance(plan.rateMinutes * 60_000);
      }
      const targets = executions.started.map((s) => (s.input as { sweep: { target: string } }).sweep.target);
      expect(new Set(targets)).toEqual(new Set(['t0', 't1', 't2', 't3']));
    });
  });

  describe("the fleet summary's figures, published every sweep", () => {
    const change = (at: string, target: string, step = 0) => ({ at, target, executionId: `run-${target}`, step });

    it('counts the targets with a swept alarm in ALARM, each once, whether or not a run is started', async () => {
      const { alarms, telemetry, sweep, plan } = setUp();
      alarms
        .set(alarmName('orders', 'appLag'), 'ALARM', LONG_AGO)
        .set(alarmName('orders', 'appCpu'), 'ALARM', LONG_AGO)
        // Within the interval: not due, still alarmed.
        .set(alarmName('clicks', 'writeThrottling'), 'ALARM', '2026-11-21T10:14:00.000Z')
        // Not swept (observe target, low-utilisation alarm): not counted.
        .set(alarmName('audit', 'streamLag'), 'ALARM', LONG_AGO)
        .set(alarmName('orders', 'streamLowUtilization'), 'ALARM', LONG_AGO);

      const result = await sweep(plan);

      expect(result.notDue).toEqual(['clicks']);
      expect(telemetry.counts.filter((c) => c.metric === SERVICE_METRIC_NAMES.targetsAlarmed)).toEqual([
        { metric: SERVICE_METRIC_NAMES.targetsAlarmed, value: 2 },
      ]);
    });

    it('publishes zero targets alarmed when every alarm is OK, so the graph shows a quiet fleet', async () => {
      const { telemetry, sweep, plan } = setUp();
      await sweep(plan);
      expect(telemetry.total(SERVICE_METRIC_NAMES.targetsAlarmed)).toBe(0);
      expect(telemetry.counts.map((c) => c.metric)).toEqual([
        SERVICE_METRIC_NAMES.targetsAlarmed,
        SERVICE_METRIC_NAMES.fleetChangesLastHour,
      ]);
    });

    it("counts the fleet's changes of the last hour as the fleet-budget guardrail does, every target", async () => {
      const { fleetChanges, telemetry, sweep, plan } = setUp();
      await fleetChanges.record(change('2026-11-21T09:14:00.000Z', 'orders'));
      await fleetChanges.record(change('2026-11-21T09:15:30.000Z', 'orders'));
      await fleetChanges.record(change('2026-11-21T10:00:00.000Z', 'clicks'));
      await fleetChanges.record(change('2026-11-21T10:00:00.000Z', 'clicks', 1));

      await sweep(plan);

      expect(plan.maxChangesPerHour).toBe(20);
      expect(telemetry.counts.filter((c) => c.metric === SERVICE_METRIC_NAMES.fleetChangesLastHour)).toEqual([
        { metric: SERVICE_METRIC_NAMES.fleetChangesLastHour, value: 3 },
      ]);
    });

    it('still starts its runs when the changes cannot be read, and says why the figure is missing', async () => {
      const { alarms, executions, telemetry, plan } = setUp();
      alarms.set(alarmName('orders', 'appLag'), 'ALARM', LONG_AGO);
      const failing = createSweepCore({
        alarms,
        executions,
        notices: new InMemoryNoticeLog(),
        ledger: new InMemoryLedger(),
        slots: new InMemoryFleetSlots(new FakeClock(NOW)),
        fleetChanges: { since: () => Promise.reject(new Error('AccessDeniedException: not authorized')) },
        clock: new FakeClock(NOW),
        telemetry,
      });

      const result = await failing(plan);

      expect(result.started.map((s) => s.target)).toEqual(['orders']);
      expect(telemetry.counts.map((c) => c.metric)).toEqual([SERVICE_METRIC_NAMES.targetsAlarmed]);
      expect(telemetry.logs).toContainEqual({
        level: 'warn',
        message: "could not count the fleet's changes of the last hour",
        attributes: { error: 'AccessDeniedException: not authorized' },
      });
    });

    it('publishes no change count from a plan without the cap', async () => {
      const { telemetry, sweep, plan } = setUp();
      const { maxChangesPerHour: _cap, ...withoutCap } = plan;
      await sweep(withoutCap);
      expect(telemetry.counts.map((c) => c.metric)).toEqual([SERVICE_METRIC_NAMES.targetsAlarmed]);
    });
  });

  it('refuses an event that is not a sweep plan, naming the field', async () => {
    const { sweep } = setUp();
    await expect(sweep({ rateMinutes: 5 })).rejects.toMatchObject({ name: 'InvalidInputError', path: 'event.targets' });
  });
});

describe('sweep timing and names', () => {
  it('makes a target with a longer interval than the schedule due once per interval of its own', () => {
    const due = Array.from({ length: 6 }, (_, i) =>
      isDue(15, 5, new Date(Date.parse('2026-11-21T10:00:00.000Z') + i * 5 * 60_000)),
    );
    expect(due).toEqual([true, false, false, true, false, false]);
    expect(isDue(5, 5, new Date(NOW))).toBe(true);
  });

  it('names an execution per target and minute, within the 80 characters Step Functions allows', () => {
    const long = 'a'.repeat(64);
    const name = sweepExecutionName(long, new Date(NOW));
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name.endsWith('-20261121T1015')).toBe(true);
    expect(sweepExecutionName('orders', new Date(NOW))).toBe(sweepExecutionName('orders', new Date(NOW)));
  });
});

describe('the sweep after on-call refused a plan (mode approve)', () => {
  const APPROVE_CONFIG: StreamMedicConfigInput = {
    targets: [{ name: 'orders', mode: 'approve', stream: { name: 'orders-stream' } }],
    approvals: { timeoutMinutes: 20 },
  };
  /** What notify remembers of a message that told on-call the plan was not approved (or of another outcome). */
  const told = (outcome: string, at: string) => ({
    target: 'orders',
    at,
    executionId: 'run-1',
    subject: 'ACTION REQUIRED, Not approved | StreamMedic orders',
    fingerprint: noticeFingerprint({
      subject: 'ACTION REQUIRED, Not approved | StreamMedic orders',
      attributes: { outcome, cause: 'STREAM_WRITE_CAPACITY', severity: 'warning' },
    }),
  });

  it('holds an approve target off for its timeout times the hold factor; other targets hold no refusal', () => {
    const { plan } = setUp({ ...APPROVE_CONFIG, targets: [...APPROVE_CONFIG.targets!, CONFIG.targets![1]!] });
    expect(plan.targets.map((t) => [t.target, t.refusalHoldMinutes])).toEqual([
      ['orders', 20 * REFUSAL_HOLD_FACTOR],
      ['clicks', undefined],
    ]);
  });

  it('does not ask again while the refusal is younger than the hold and no alarm went into ALARM since', async () => {
    const { alarms, executions, notices, sweep, plan } = setUp(APPROVE_CONFIG);
    alarms.set(alarmName('orders', 'streamLag'), 'ALARM', '2026-11-21T08:00:00.000Z');
    await notices.remember(told('not-approved', '2026-11-21T09:00:00.000Z'));
    await expect(sweep(plan)).resolves.toEqual({ started: [], notDue: ['orders'], waiting: [] });
    expect(executions.started).toEqual([]);
  });

  it('asks again once the refusal is as old as the hold', async () => {
    const { alarms, executions, notices, sweep, plan } = setUp(APPROVE_CONFIG);
    alarms.set(alarmName('orders', 'streamLag'), 'ALARM', '2026-11-21T08:00:00.000Z');
    await notices.remember(told('not-approved', '2026-11-21T08:55:00.000Z'));
    await sweep(plan);
    expect(executions.started.map((s) => s.name)).toEqual(['sweep-orders-20261121T1015']);
  });

  it('asks again when an alarm went into ALARM after the refusal: a new transition is a new question', async () => {
    const { alarms, executions, notices, sweep, plan } = setUp(APPROVE_CONFIG);
    alarms.set(alarmName('orders', 'streamLag'), 'ALARM', '2026-11-21T10:05:00.000Z');
    await notices.remember(told('not-approved', '2026-11-21T10:00:00.000Z'));
    await sweep(plan);
    expect(executions.started.map((s) => s.name)).toEqual(['sweep-orders-20261121T1015']);
  });

  it('asks as usual when the last message was not a refusal', async () => {
    const { alarms, executions, notices, sweep, plan } = setUp(APPROVE_CONFIG);
    alarms.set(alarmName('orders', 'streamLag'), 'ALARM', '2026-11-21T08:00:00.000Z');
    await notices.remember(told('awaiting-approval', '2026-11-21T10:00:00.000Z'));
    await sweep(plan);
    expect(executions.started.map((s) => s.name)).toEqual(['sweep-orders-20261121T1015']);
  });
});
