import type { DescribeStreamSummaryRecord } from '../../lambdas/domain/aws-shapes';
import { streamResource } from '../../lambdas/domain/model';
import { LimitExceededError, ResourceInUseError, ResourceNotFoundError } from '../../lambdas/ports/errors';
import type { Clock, StreamControl } from '../../lambdas/ports';
import { FailureQueue } from './failures';

export interface FakeStream {
  name: string;
  /** AWS may add statuses and modes: any string a real stream could report. */
  status: string;
  mode: string;
  openShards: number;
  retentionHours: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Kinesis as far as StreamMedic sees it: UpdateShardCount only while ACTIVE, within [ceil(N/2), 2N],
 * at most ten calls per stream per rolling day; the stream then stays UPDATING for a few describes.
 */
export class FakeStreamControl implements StreamControl {
  readonly streams = new Map<string, FakeStream>();
  /** Every changing call, in order. */
  readonly calls: { method: 'updateShardCount' | 'increaseRetentionPeriod'; streamName: string; value: number }[] = [];
  readonly failures = new FailureQueue<'describeStreamSummary' | 'updateShardCount' | 'increaseRetentionPeriod'>();
  private readonly pending = new Map<string, { describesLeft: number; apply: (s: FakeStream) => void }>();
  private readonly updateTimes = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    /** Describe calls a change stays UPDATING for. */
    private readonly updatingDescribes = 2,
  ) {}

  static fromRecord(record: DescribeStreamSummaryRecord, clock: Clock, updatingDescribes?: number): FakeStreamControl {
    const fake = new FakeStreamControl(clock, updatingDescribes);
    const s = record.StreamDescriptionSummary;
    fake.add({
      name: s.StreamName,
      status: s.StreamStatus,
      mode: s.StreamModeDetails?.StreamMode ?? 'PROVISIONED',
      openShards: s.OpenShardCount,
      retentionHours: s.RetentionPeriodHours,
    });
    return fake;
  }

  add(stream: FakeStream): void {
    this.streams.set(stream.name, { ...stream });
  }

  get(name: string): FakeStream {
    const stream = this.streams.get(name);
    if (!stream) {
      throw new ResourceNotFoundError('stream not found', {
        action: 'DescribeStreamSummary',
        resource: streamResource(name),
      });
    }
    return stream;
  }

  async describeStreamSummary(streamName: string): Promise<DescribeStreamSummaryRecord> {
    this.failures.throwIfQueued('describeStreamSummary');
    const stream = this.get(streamName);
    const pending = this.pending.get(streamName);
    if (pending) {
      if (pending.describesLeft <= 0) {
        pending.apply(stream);
        stream.status = 'ACTIVE';
        this.pending.delete(streamName);
      } else {
        pending.describesLeft -= 1;
      }
    }
    return {
      StreamDescriptionSummary: {
        StreamName: stream.name,
        StreamARN: `arn:aws:kinesis:eu-west-1:123456789012:stream/${stream.name}`,
        StreamStatus: stream.status,
        StreamModeDetails: { StreamMode: stream.mode },
        RetentionPeriodHours: stream.retentionHours,
        OpenShardCount: stream.openShards,
        ConsumerCount: 0,
      },
    };
  }

  async updateShardCount(streamName: string, targetShardCount: number): Promise<void> {
    this.failures.throwIfQueued('updateShardCount');
    const context = { action: 'UpdateShardCount', resource: streamResource(streamName) };
    const stream = this.get(streamName);
    if (stream.status !== 'ACTIVE') throw new ResourceInUseError(`stream is ${stream.status}`, context);
    const current = stream.openShards;
    if (targetShardCount > 2 * current || targetShardCount < Math.ceil(current / 2)) {
      throw new LimitExceededError(
        `target ${targetShardCount} is outside [${Math.ceil(current / 2)}, ${2 * current}] for ${current} shards`,
        context,
      );
    }
    const now = this.clock.now().getTime();
    const recent = (this.updateTimes.get(streamName) ?? []).filter((t) => t > now - DAY_MS);
    if (recent.length >= 10) throw new LimitExceededError('10 UpdateShardCount calls in 24 hours', context);
    this.updateTimes.set(streamName, [...recent, now]);
    this.calls.push({ method: 'updateShardCount', streamName, value: targetShardCount });
    this.startUpdate(stream, (s) => {
      s.openShards = targetShardCount;
    });
  }

  async increaseRetentionPeriod(streamName: string, retentionHours: number): Promise<void> {
    this.failures.throwIfQueued('increaseRetentionPeriod');
    const stream = this.get(streamName);
    if (stream.status !== 'ACTIVE') {
      throw new ResourceInUseError(`stream is ${stream.status}`, {
        action: 'IncreaseStreamRetentionPeriod',
        resource: streamResource(streamName),
      });
    }
    this.calls.push({ method: 'increaseRetentionPeriod', streamName, value: retentionHours });
    this.startUpdate(stream, (s) => {
      s.retentionHours = retentionHours;
    });
  }

  private startUpdate(stream: FakeStream, apply: (s: FakeStream) => void): void {
    stream.status = 'UPDATING';
    this.pending.set(stream.name, { describesLeft: this.updatingDescribes, apply });
  }
}
