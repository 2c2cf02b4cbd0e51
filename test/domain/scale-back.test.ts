import { PolicySchema, TargetSchema } from '../../lambdas/domain/config';
import { assess } from '../../lambdas/domain/engine';
import { actionDirection, type LedgerEntry } from '../../lambdas/domain/model';
import { outstandingScaleUp } from '../../lambdas/domain/scale-back';
import { buildSnapshot } from '../builders/snapshot-builder';

/**
 * 100 minutes of metrics, 11:50 to 13:30 (minute 0 is 11:50): shorter than the scale-in's quiet
 * window, so what is seen is the scale-back alone, not the ordinary scale-in.
 */
const CAPTURED_AT = '2026-11-21T13:30:00.000Z';
const MINUTES = 100;
const minuteAt = (i: number): string => new Date(Date.parse(CAPTURED_AT) - (MINUTES - i) * 60_000).toISOString();

const target = TargetSchema.parse({
  name: 'orders',
  mode: 'auto',
  stream: { name: 'orders-stream', maxShards: 64 },
  application: { name: 'orders-enricher', maxParallelism: 64 },
});
const policy = PolicySchema.parse({});

/** The incident's answer: the stream 8 -> 16 -> 29 and the job 4 -> 43, at minutes 33 and 36. */
const scaleUps: LedgerEntry[] = [
  {
    at: minuteAt(33),
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
    at: minuteAt(36),
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
    at: minuteAt(33),
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

interface Incident {
  /** Records/s while the spike lasts, from minute 30 to `spikeEnd`; 2,000 otherwise. */
  readonly spike?: number;
  readonly spikeEnd?: number;
  /** Records/s each minute, in place of the one spike. */
  readonly rate?: (minute: number) => number;
  readonly lagMs?: (minute: number) => number;
  readonly ledger?: LedgerEntry[];
  readonly capturedAt?: string;
}

/** Records of about 1 KiB; the job at 43 subtasks runs at 12% CPU on 2,000 records/s. */
function assessAfter(
  incident: Incident,
  policyInput: Record<string, unknown> = {},
  options: { minutes?: number; scaleBackOnly?: boolean } = {},
) {
  const spikeEnd = incident.spikeEnd ?? 70;
  const rate = incident.rate ?? ((i: number): number => (i >= 30 && i < spikeEnd ? (incident.spike ?? 20_000) : 2000));
  const snapshot = buildSnapshot({
    capturedAt: incident.capturedAt ?? CAPTURED_AT,
    minutes: options.minutes ?? MINUTES,
    stream: { shards: 29 },
    app: { parallelism: 43 },
    ledger: incident.ledger ?? scaleUps,
    metrics: {
      incomingRecords: (i) => rate(i) * 60,
      incomingBytes: (i) => rate(i) * 1024 * 60,
      writeThrottled: 0,
      millisBehindLatest: incident.lagMs ?? 1000,
      containerCpu: (i) => (rate(i) > 2000 ? 60 : 12),
      recordsInPerSecond: rate,
    },
  });
  return assess(snapshot, {
    target,
    policy: PolicySchema.parse({ ...policy, ...policyInput }),
    dryRun: false,
    ...(options.scaleBackOnly ? { scaleBackOnly: true } : {}),
  });
}

describe("the scale-back once an incident's traffic has passed", () => {
  it('takes the stream and the job back to what the input now needs, the stream in halving calls', () => {
    const { plan } = assessAfter({});
    // The job's CPU line at 43 subtasks: 60% at 20,000 records/s, 12% at 2,000, so 0.00267% per record/s
    // and 6.7% with nothing to process; a subtask flat out takes (100 - 6.7) / (0.00267 x 43) = 814
    // records/s. 2,000 / 0.7 + 2,000 = 4,857 records/s is 6 subtasks (from CPU alone, 43 x 12% / 0.7
    // would keep 8).
    expect(plan.actions).toEqual([
      expect.objectContaining({ type: 'UpdateApplicationParallelism', from: 43, to: 6 }),
      // 2,000 KiB/s at the target utilisation needs 3 shards: 29 -> 15 -> 8 -> 4 -> 3.
      expect.objectContaining({ type: 'UpdateShardCount', from: 29, to: 3, steps: [15, 8, 4, 3] }),
    ]);
    expect(plan.recommendations.join('\n')).toContain("the incident's traffic has passed");
    expect(plan.recommendations.join('\n')).toContain("of which about 7% is the job's CPU with nothing to process");
  });

  it('sizes from CPU alone when the job has run at one load only since its scale-up: no line to fit', () => {
    // The spike's minutes are all before the scale-up's restart ended: after it, 2,000 records/s only.
    const early = scaleUps.map((e) => ({ ...e, at: minuteAt(e.resource.startsWith('stream') ? 33 : 20) }));
    const { plan } = assessAfter({ ledger: early, rate: (i) => (i >= 16 && i < 22 ? 20_000 : 2000) });
    expect(plan.actions).toContainEqual(expect.objectContaining({ type: 'UpdateApplicationParallelism', to: 8 }));
  });

  it('leaves the capacity while the spike still runs within the recent window', () => {
    const { plan } = assessAfter({ spikeEnd: 110 });
    expect(plan.actions).toEqual([]);
  });

  it('leaves the capacity when the traffic never rose: the incident was not the traffic', () => {
    const { plan } = assessAfter({ spike: 2000 });
    expect(plan.actions).toEqual([]);
  });

  it('leaves the capacity when the traffic comes in waves: back to its level after the scale-up, then up again', () => {
    // 20,000 records/s from minute 30 to 50 and again from 58 to 70, 2,000 between and after.
    const waves = (i: number): number => ((i >= 30 && i < 50) || (i >= 58 && i < 70) ? 20_000 : 2000);
    expect(assessAfter({ rate: waves }).plan.actions).toEqual([]);
    // The same spike in one piece is scaled back.
    expect(assessAfter({ spikeEnd: 70 }).plan.actions).not.toEqual([]);
  });

  it('waits while the consumer was behind within the recent window', () => {
    const { plan } = assessAfter({ lagMs: (i) => (i >= 90 ? 90_000 : 1000) });
    expect(plan.actions.filter((a) => actionDirection(a) === 'down')).toEqual([]);
  });

  it('is held by the scale-in cooldown after the last scale-up call', () => {
    // The stream's second call came late (a retried step), 50 minutes ago.
    const ledger = scaleUps.map((e, i) => (i === 1 ? { ...e, at: minuteAt(50) } : e));
    const { plan } = assessAfter({ ledger });
    expect(plan.actions).toEqual([expect.objectContaining({ type: 'UpdateApplicationParallelism', to: 6 })]);
    expect(plan.refused).toEqual([
      expect.objectContaining({ guardrail: 'cooldown', action: expect.objectContaining({ type: 'UpdateShardCount' }) }),
    ]);
  });

  it('plans nothing else in a run started only to follow the scale-up up', () => {
    // Two hours of a flat input: the ordinary scale-in finds the pipeline idle; the follow-up leaves that to its alarm.
    const flat = { spike: 2000 };
    const ordinary = assessAfter(flat, {}, { minutes: 130 }).plan.actions;
    expect(ordinary.map((a) => actionDirection(a))).toContain('down');
    expect(assessAfter(flat, {}, { minutes: 130, scaleBackOnly: true }).plan.actions).toEqual([]);
  });

  it('is off with policy.scaleBackAfterIncident false', () => {
    expect(assessAfter({}, { scaleBackAfterIncident: false }).plan.actions).toEqual([]);
  });
});

describe('outstandingScaleUp', () => {
  const now = Date.parse(CAPTURED_AT);

  it('reads consecutive scale-ups as one, from the size before the first', () => {
    expect(outstandingScaleUp(scaleUps, 'stream/orders-stream', now)).toEqual({
      before: 8,
      to: 29,
      firstAt: minuteAt(33),
      lastAt: minuteAt(36),
    });
  });

  it('is over once a later change went down, or when the last change was a revert', () => {
    const down: LedgerEntry = { ...scaleUps[2]!, at: minuteAt(100), direction: 'down', from: 43, to: 8 };
    expect(outstandingScaleUp([...scaleUps, down], 'application/orders-enricher', now)).toBeUndefined();
    const revert: LedgerEntry = { ...scaleUps[2]!, at: minuteAt(40), kind: 'revert', from: 2, to: 4 };
    expect(outstandingScaleUp([revert], 'application/orders-enricher', now)).toBeUndefined();
  });
});
