import {
  DescribeStreamSummaryCommand,
  ListStreamsCommand,
  ListTagsForResourceCommand,
  type KinesisClient,
  type ListStreamsCommandInput,
  type StreamSummary,
} from '@aws-sdk/client-kinesis';
import {
  DescribeApplicationCommand,
  ListApplicationsCommand,
  ListTagsForResourceCommand as ListApplicationTagsCommand,
  type KinesisAnalyticsV2Client,
} from '@aws-sdk/client-kinesis-analytics-v2';
import {
  INVENTORY_VERSION,
  parseInventory,
  sourceStreamsOf,
  type ApplicationDescription,
  type Inventory,
  type InventoryApplication,
  type InventoryStream,
} from '../../lambdas/domain/inventory';
import { explained } from './aws-failure';

/** An application as listed and described, before its source stream is worked out. */
export interface ApplicationReading {
  readonly entry: Omit<InventoryApplication, 'sourceStreams'>;
  readonly description: ApplicationDescription;
}

/** What `discover` reads from the account; tests pass their own. */
export interface AccountReader {
  readonly region: () => Promise<string | undefined>;
  readStreams(): Promise<InventoryStream[]>;
  readApplications(): Promise<ApplicationReading[]>;
}

function tagMap(tags: readonly { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  const entries = (tags ?? []).flatMap((tag) => (tag.Key === undefined ? [] : [[tag.Key, tag.Value ?? ''] as const]));
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The account through SDK v3 clients, one call at a time: a fleet of hundreds of streams stays under
 * `ListStreams`' five calls a second and `DescribeStreamSummary`'s twenty, and the SDK's retries ride
 * out the throttling a busy account adds.
 */
export function sdkAccountReader(kinesis: KinesisClient, flink: KinesisAnalyticsV2Client): AccountReader {
  const region = async (): Promise<string | undefined> => {
    try {
      return await kinesis.config.region();
    } catch {
      return undefined;
    }
  };
  return {
    region,
    async readStreams() {
      // Each stream is named by StreamNames; StreamSummaries adds its ARN, mode and status where the
      // service returns them (AWS does; emulators may not), DescribeStreamSummary fills in the rest.
      const names: string[] = [];
      const summaries = new Map<string, StreamSummary>();
      let next: ListStreamsCommandInput | undefined = {};
      while (next !== undefined) {
        const input: ListStreamsCommandInput = next;
        const page = await explained({ action: 'ListStreams', iamAction: 'kinesis:ListStreams' }, region, () =>
          kinesis.send(new ListStreamsCommand(input)),
        );
        const pageNames = page.StreamNames ?? page.StreamSummaries?.map((summary) => summary.StreamName ?? '') ?? [];
        names.push(...pageNames);
        for (const summary of page.StreamSummaries ?? []) summaries.set(summary.StreamName ?? '', summary);
        const last = pageNames.at(-1);
        next = !page.HasMoreStreams
          ? undefined
          : page.NextToken !== undefined
            ? { NextToken: page.NextToken }
            : last !== undefined
              ? { ExclusiveStartStreamName: last }
              : undefined;
      }
      const streams: InventoryStream[] = [];
      for (const name of names) {
        const summary = summaries.get(name);
        const resource = `stream "${name}"`;
        const described = await explained(
          { action: 'DescribeStreamSummary', iamAction: 'kinesis:DescribeStreamSummary', resource },
          region,
          () => kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name })),
        );
        const detail = described.StreamDescriptionSummary;
        const arn = summary?.StreamARN ?? detail?.StreamARN ?? '';
        const tags = await explained(
          { action: 'ListTagsForResource', iamAction: 'kinesis:ListTagsForResource', resource },
          region,
          () => kinesis.send(new ListTagsForResourceCommand({ ResourceARN: arn })),
        );
        streams.push({
          name,
          arn,
          mode: summary?.StreamModeDetails?.StreamMode ?? detail?.StreamModeDetails?.StreamMode ?? 'PROVISIONED',
          status: summary?.StreamStatus ?? detail?.StreamStatus ?? 'UNKNOWN',
          openShardCount: detail?.OpenShardCount ?? 0,
          tags: tagMap(tags.Tags),
        });
      }
      return streams;
    },
    async readApplications() {
      const summaries = [];
      let nextToken: string | undefined;
      do {
        const token = nextToken;
        const page = await explained(
          { action: 'ListApplications', iamAction: 'kinesisanalytics:ListApplications' },
          region,
          () => flink.send(new ListApplicationsCommand(token === undefined ? {} : { NextToken: token })),
        );
        summaries.push(...(page.ApplicationSummaries ?? []));
        nextToken = page.NextToken;
      } while (nextToken !== undefined);
      const readings: ApplicationReading[] = [];
      for (const summary of summaries) {
        const name = summary.ApplicationName ?? '';
        const resource = `application "${name}"`;
        const described = await explained(
          { action: 'DescribeApplication', iamAction: 'kinesisanalytics:DescribeApplication', resource },
          region,
          () => flink.send(new DescribeApplicationCommand({ ApplicationName: name })),
        );
        const detail = described.ApplicationDetail;
        const arn = summary.ApplicationARN ?? detail?.ApplicationARN ?? '';
        const tags = await explained(
          { action: 'ListTagsForResource', iamAction: 'kinesisanalytics:ListTagsForResource', resource },
          region,
          () => flink.send(new ListApplicationTagsCommand({ ResourceARN: arn })),
        );
        const parallelism =
          detail?.ApplicationConfigurationDescription?.FlinkApplicationConfigurationDescription
            ?.ParallelismConfigurationDescription;
        readings.push({
          entry: {
            name,
            arn,
            status: summary.ApplicationStatus ?? detail?.ApplicationStatus ?? 'UNKNOWN',
            runtime: summary.RuntimeEnvironment ?? detail?.RuntimeEnvironment ?? 'UNKNOWN',
            ...(parallelism?.ConfigurationType !== undefined && {
              parallelism: {
                configurationType: parallelism.ConfigurationType,
                ...(parallelism.Parallelism !== undefined && { parallelism: parallelism.Parallelism }),
                ...(parallelism.ParallelismPerKPU !== undefined && {
                  parallelismPerKpu: parallelism.ParallelismPerKPU,
                }),
                ...(parallelism.CurrentParallelism !== undefined && {
                  currentParallelism: parallelism.CurrentParallelism,
                }),
                ...(parallelism.AutoScalingEnabled !== undefined && {
                  autoScalingEnabled: parallelism.AutoScalingEnabled,
                }),
              },
            }),
            tags: tagMap(tags.Tags),
          },
          description: detail ?? {},
        });
      }
      return readings;
    },
  };
}

/**
 * Reads the whole account into an inventory: streams, then applications with the streams their
 * config names as input. Sorted by name, so two reads of an unchanged account give the same file.
 */
export async function readInventory(reader: AccountReader, capturedAt: Date): Promise<Inventory> {
  const streams = (await reader.readStreams()).sort((a, b) => a.name.localeCompare(b.name));
  const streamNames = new Set(streams.map((stream) => stream.name));
  const applications = (await reader.readApplications())
    .map((reading) => ({ ...reading.entry, sourceStreams: sourceStreamsOf(reading.description, streamNames) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return parseInventory({
    version: INVENTORY_VERSION,
    capturedAt: capturedAt.toISOString(),
    region: (await reader.region()) ?? 'unknown',
    streams,
    applications,
  });
}
