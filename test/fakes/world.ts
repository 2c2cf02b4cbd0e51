import type { GetMetricDataRecord } from '../../lambdas/domain/aws-shapes';
import type { Snapshot } from '../../lambdas/domain/snapshot';
import { createTaskCores, type WorkflowPorts } from '../../lambdas/workflow/tasks';
import type { TaskCores } from '../../lambdas/workflow/task-payloads';
import { FakeApplicationControl } from './application-control';
import { FakeClock } from './clock';
import { InMemoryLedger } from './ledger';
import { FakeMetricsSource } from './metrics-source';
import { FakeNotifier } from './notifier';
import { FakeStreamControl } from './stream-control';
import {
  InMemoryFleetChangeLog,
  InMemoryFleetSlots,
  InMemoryNoticeLog,
  InMemoryTurnedAwayLog,
} from '../../sim/adapters';
import { InMemoryTargetLock } from './target-lock';
import { InMemoryApprovals, InMemoryPauseSwitch, InMemoryRefusalLog } from '../../sim/adapters';
import { RecordingTelemetry } from './telemetry';

/** Every port of the workflow, in memory, with the handles a test inspects. */
export interface FakeWorld extends WorkflowPorts {
  readonly metrics: FakeMetricsSource;
  readonly streams: FakeStreamControl;
  readonly applications: FakeApplicationControl;
  readonly ledger: InMemoryLedger;
  readonly lock: InMemoryTargetLock;
  readonly slots: InMemoryFleetSlots;
  readonly fleetChanges: InMemoryFleetChangeLog;
  readonly notifier: FakeNotifier;
  readonly notices: InMemoryNoticeLog;
  readonly turnedAway: InMemoryTurnedAwayLog;
  readonly pauses: InMemoryPauseSwitch;
  readonly approvals: InMemoryApprovals;
  readonly refusals: InMemoryRefusalLog;
  readonly clock: FakeClock;
  readonly telemetry: RecordingTelemetry;
  readonly cores: TaskCores;
}

export interface FakeWorldOptions {
  /** Metric windows served after the snapshot's own, e.g. the calmer one the verification sees. */
  readonly laterMetrics?: readonly GetMetricDataRecord[];
  /** Describe calls a change keeps a stream UPDATING or an application UPDATING for. @default 2 */
  readonly updatingDescribes?: number;
}

/** A world that looks like the snapshot: its metrics, its stream and application, its ledger. */
export function fakeWorldFrom(snapshot: Snapshot, options: FakeWorldOptions = {}): FakeWorld {
  const clock = new FakeClock(snapshot.capturedAt);
  const streams = snapshot.describeStreamSummary
    ? FakeStreamControl.fromRecord(snapshot.describeStreamSummary, clock, options.updatingDescribes)
    : new FakeStreamControl(clock, options.updatingDescribes);
  const applications = snapshot.describeApplication
    ? FakeApplicationControl.fromRecord(snapshot.describeApplication, options.updatingDescribes)
    : new FakeApplicationControl(options.updatingDescribes);
  const metricRecords = [
    snapshot.getMetricData ?? { MetricDataQueries: [], MetricDataResults: [] },
    ...(options.laterMetrics ?? []),
  ];
  const ports = {
    metrics: new FakeMetricsSource(...(metricRecords as GetMetricDataRecord[])),
    streams,
    applications,
    ledger: new InMemoryLedger(snapshot.ledger),
    lock: new InMemoryTargetLock(clock),
    slots: new InMemoryFleetSlots(clock),
    fleetChanges: new InMemoryFleetChangeLog(),
    notifier: new FakeNotifier(),
    notices: new InMemoryNoticeLog(),
    turnedAway: new InMemoryTurnedAwayLog(),
    pauses: new InMemoryPauseSwitch(),
    approvals: new InMemoryApprovals(),
    refusals: new InMemoryRefusalLog(),
    clock,
    region: 'eu-west-1',
    telemetry: new RecordingTelemetry(),
  };
  return { ...ports, cores: createTaskCores(ports) };
}
