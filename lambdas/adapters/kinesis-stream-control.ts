import {
  DescribeStreamSummaryCommand,
  IncreaseStreamRetentionPeriodCommand,
  UpdateShardCountCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import type { DescribeStreamSummaryRecord } from '../domain/aws-shapes';
import { streamResource } from '../domain/model';
import { InvalidRequestError } from '../ports/errors';
import type { StreamControl } from '../ports';
import { callAws } from './aws-call';
import { toPlainJson } from './plain-json';

/** Kinesis's bounds on a stream's retention period, in hours. */
export const MIN_RETENTION_HOURS = 24;
export const MAX_RETENTION_HOURS = 8760;

/** Kinesis Data Streams through the SDK; every failure surfaces as a named port error. */
export class KinesisStreamControl implements StreamControl {
  constructor(private readonly client: KinesisClient) {}

  async describeStreamSummary(streamName: string): Promise<DescribeStreamSummaryRecord> {
    const output = await callAws({ action: 'DescribeStreamSummary', resource: streamResource(streamName) }, () =>
      this.client.send(new DescribeStreamSummaryCommand({ StreamName: streamName })),
    );
    return { StreamDescriptionSummary: toPlainJson(output.StreamDescriptionSummary) } as DescribeStreamSummaryRecord;
  }

  async updateShardCount(streamName: string, targetShardCount: number): Promise<void> {
    const context = { action: 'UpdateShardCount', resource: streamResource(streamName) };
    if (!Number.isInteger(targetShardCount) || targetShardCount < 1) {
      throw new InvalidRequestError(`target shard count must be a positive integer, got ${targetShardCount}`, context);
    }
    await callAws(context, () =>
      this.client.send(
        new UpdateShardCountCommand({
          StreamName: streamName,
          TargetShardCount: targetShardCount,
          ScalingType: 'UNIFORM_SCALING',
        }),
      ),
    );
  }

  async increaseRetentionPeriod(streamName: string, retentionHours: number): Promise<void> {
    const context = { action: 'IncreaseStreamRetentionPeriod', resource: streamResource(streamName) };
    if (
      !Number.isInteger(retentionHours) ||
      retentionHours < MIN_RETENTION_HOURS ||
      retentionHours > MAX_RETENTION_HOURS
    ) {
      throw new InvalidRequestError(
        `retention must be a whole number of hours from ${MIN_RETENTION_HOURS} to ${MAX_RETENTION_HOURS}, got ${retentionHours}`,
        context,
      );
    }
    await callAws(context, () =>
      this.client.send(
        new IncreaseStreamRetentionPeriodCommand({ StreamName: streamName, RetentionPeriodHours: retentionHours }),
      ),
    );
  }
}
