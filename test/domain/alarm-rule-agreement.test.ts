/**
 * The CPU alarm and the rule its run applies must agree on what compute-bound means: a run the alarm
 * starts at its threshold finds the job compute-bound, and where the alarm stays quiet the rule does
 * not ask for headroom either. Both come from policy.cpuHighPercent; the busy threshold is the same
 * share of each second unless set on purpose.
 */
import fc from 'fast-check';
import { alarmDefinitionsForTarget, breaches } from '../../lambdas/domain/alarm-definitions';
import { effectivePolicy, parseConfig } from '../../lambdas/domain/config';
import { assess } from '../../lambdas/domain/engine';
import { busyHighMsPerSecond } from '../../lambdas/domain/policy';
import { buildSnapshot } from '../builders/snapshot-builder';

const MIB = 1024 * 1024;
const MINUTE = 60;

function setUp(cpuHighPercent: number) {
  const config = parseConfig({
    // The saturated threshold may not sit under the busy one (config validation refuses it).
    policy: { cpuHighPercent, cpuSaturatedPercent: Math.max(90, cpuHighPercent) },
    targets: [
      {
        name: 'orders',
        mode: 'auto',
        stream: { name: 'orders-stream' },
        application: { name: 'orders-enricher', maxParallelism: 64 },
      },
    ],
  });
  const target = config.targets[0]!;
  const alarm = alarmDefinitionsForTarget(config, target).find((d) => d.kind === 'appCpu')!;
  return { config, target, policy: effectivePolicy(config, target), alarm };
}

/** The cause found for a job keeping up (lag 1 s) whose CPU and busiest task are both at `cpuPercent`. */
function causeAt(cpuHighPercent: number, cpuPercent: number): string {
  return assessAt(cpuHighPercent, () => cpuPercent).diagnosis.cause;
}

/** The assessment of a job keeping up (lag 1 s) whose CPU and busiest task follow `cpuAt(minute)` (60 minutes, 0 oldest). */
function assessAt(cpuHighPercent: number, cpuAt: (minute: number) => number) {
  const { target, policy } = setUp(cpuHighPercent);
  const snapshot = buildSnapshot({
    stream: { shards: 8 },
    app: { parallelism: 4 },
    metrics: {
      incomingBytes: 8 * MIB * MINUTE * 0.4,
      incomingRecords: 3000 * MINUTE,
      writeThrottled: 0,
      recordsInPerSecond: 2800,
      millisBehindLatest: 1000,
      containerCpu: cpuAt,
      busyTime: (minute) => cpuAt(minute) * 10,
      backPressuredTime: 50,
    },
  });
  return assess(snapshot, { target, policy, dryRun: true });
}

describe('the CPU alarm and the compute rule', () => {
  it('take their thresholds from one policy field: the busy threshold is the CPU threshold per second', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 100 }), (cpuHighPercent) => {
        const { policy, alarm } = setUp(cpuHighPercent);
        expect(alarm.threshold).toBe(policy.cpuHighPercent);
        expect(busyHighMsPerSecond(policy)).toBe(cpuHighPercent * 10);
      }),
    );
  });

  it('keeps a busy threshold that is set on purpose', () => {
    const config = parseConfig({
      policy: { cpuHighPercent: 70, busyHighMsPerSecond: 900 },
      targets: [{ name: 'orders', application: { name: 'orders-enricher' } }],
    });
    expect(busyHighMsPerSecond(effectivePolicy(config, config.targets[0]!))).toBe(900);
  });

  it.each([60, 75, 85])(
    'at cpuHighPercent %i: a job at the alarm threshold is compute-bound, one just under it is healthy',
    (cpuHighPercent) => {
      const { alarm } = setUp(cpuHighPercent);
      expect(breaches(alarm.comparisonOperator, alarm.threshold, alarm.threshold)).toBe(true);
      expect(causeAt(cpuHighPercent, alarm.threshold)).toBe('CONSUMER_COMPUTE');
      expect(breaches(alarm.comparisonOperator, alarm.threshold - 1, alarm.threshold)).toBe(false);
      expect(causeAt(cpuHighPercent, alarm.threshold - 1)).toBe('HEALTHY');
    },
  );
});

describe('the saturated-CPU alarm and the compute rule', () => {
  const saturatedAlarm = (cpuHighPercent: number) =>
    alarmDefinitionsForTarget(setUp(cpuHighPercent).config, setUp(cpuHighPercent).target).find(
      (d) => d.kind === 'appCpuSaturated',
    )!;

  it('evaluates exactly the minutes the rule reads as now, every one of them saturated', () => {
    const { policy } = setUp(75);
    const alarm = saturatedAlarm(75);
    expect(alarm.threshold).toBe(policy.cpuSaturatedPercent);
    expect(alarm.evaluationPeriods * alarm.periodSeconds).toBe(policy.nowMinutes * 60);
    expect(alarm.datapointsToAlarm).toBe(alarm.evaluationPeriods);
  });

  it('starts a run that reads a jump to full CPU at its new level, not averaged with the minutes before it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 60 }), fc.integer({ min: 0, max: 8 }), (before, over) => {
        const alarm = saturatedAlarm(75);
        const saturated = alarm.threshold + over;
        // The alarm's minutes (the last evaluationPeriods of the hour) are saturated; those before are not.
        const jumpAt = 60 - alarm.evaluationPeriods;
        const assessment = assessAt(75, (minute) => (minute >= jumpAt ? saturated : before));
        expect(assessment.diagnosis.cause).toBe('CONSUMER_COMPUTE');
        const cpu = assessment.diagnosis.evidence.find((e) => e.metric === 'containerCPUUtilization');
        expect(cpu?.value).toBeGreaterThanOrEqual(Math.min(saturated, 100) - 1e-9);
      }),
      { numRuns: 30 },
    );
  });
});
