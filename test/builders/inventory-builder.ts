import {
  INVENTORY_VERSION,
  type Inventory,
  type InventoryApplication,
  type InventoryStream,
} from '../../lambdas/domain/inventory';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

export function inventoryStream(name: string, tags: Record<string, string> = {}): InventoryStream {
  return {
    name,
    arn: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${name}`,
    mode: 'PROVISIONED',
    status: 'ACTIVE',
    openShardCount: 2,
    tags,
  };
}

export function inventoryApplication(
  name: string,
  options: { readonly tags?: Record<string, string>; readonly sources?: readonly string[] } = {},
): InventoryApplication {
  return {
    name,
    arn: `arn:aws:kinesisanalytics:${REGION}:${ACCOUNT}:application/${name}`,
    status: 'RUNNING',
    runtime: 'FLINK-1_20',
    parallelism: { configurationType: 'CUSTOM', parallelism: 4, parallelismPerKpu: 1, autoScalingEnabled: false },
    tags: options.tags ?? {},
    sourceStreams: (options.sources ?? []).map((source) => ({
      name: source,
      via: 'FlinkApplicationProperties.input.stream',
      origin: 'runtime-property' as const,
    })),
  };
}

export function inventoryOf(
  streams: readonly InventoryStream[],
  applications: readonly InventoryApplication[] = [],
  capturedAt = '2026-11-20T08:00:00.000Z',
): Inventory {
  return {
    version: INVENTORY_VERSION,
    capturedAt,
    region: REGION,
    streams: [...streams],
    applications: [...applications],
  };
}
