/**
 * The account inventory `stream-medic discover` writes and config selectors read: every Kinesis data
 * stream and Managed Flink application of one region, with their tags and the stream each
 * application reads, as the account described them at one moment.
 */
import * as z from 'zod';
import { parseWith } from './validation';

export const INVENTORY_VERSION = 1;

/** Names as Kinesis and Managed Flink accept them (API reference: `[a-zA-Z0-9_.-]+`, 1-128). */
const ResourceNameSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, { message: '1-128 of A-Z a-z 0-9 _ . -' });

/** Tag keys and values as both services return them (`ListTagsForResource`). */
const TagsSchema = z.record(z.string().min(1).max(128), z.string().max(256));

const InventoryStreamSchema = z
  .object({
    name: ResourceNameSchema,
    arn: z.string().min(1),
    /** `StreamModeDetails.StreamMode`. */
    mode: z.enum(['PROVISIONED', 'ON_DEMAND']),
    status: z.string().min(1),
    /** `DescribeStreamSummary`'s `OpenShardCount`. */
    openShardCount: z.number().int().min(0),
    tags: TagsSchema,
  })
  .strict();

/** Where an application's config names the stream it reads. */
export const SOURCE_ORIGINS = ['runtime-property', 'sql-input'] as const;

const SourceStreamSchema = z
  .object({
    name: ResourceNameSchema,
    /** The runtime property (`<group>.<key>`) or legacy SQL input (`input <id>`) that names it. */
    via: z.string().min(1),
    origin: z.enum(SOURCE_ORIGINS),
  })
  .strict();

const InventoryApplicationSchema = z
  .object({
    name: ResourceNameSchema,
    arn: z.string().min(1),
    status: z.string().min(1),
    /** `RuntimeEnvironment`, e.g. `FLINK-1_20`. */
    runtime: z.string().min(1),
    /** `ParallelismConfigurationDescription`, when the application has a Flink configuration. */
    parallelism: z
      .object({
        configurationType: z.string().min(1),
        parallelism: z.number().int().positive().optional(),
        parallelismPerKpu: z.number().int().positive().optional(),
        currentParallelism: z.number().int().min(0).optional(),
        autoScalingEnabled: z.boolean().optional(),
      })
      .strict()
      .optional(),
    tags: TagsSchema,
    /** Streams of the inventory the application's config names as its input, in the order found. */
    sourceStreams: z.array(SourceStreamSchema),
  })
  .strict();

export const InventorySchema = z
  .object({
    version: z.literal(INVENTORY_VERSION),
    capturedAt: z.iso.datetime(),
    region: z.string().min(1),
    streams: z.array(InventoryStreamSchema),
    applications: z.array(InventoryApplicationSchema),
  })
  .strict()
  .superRefine((inventory, ctx) => {
    for (const kind of ['streams', 'applications'] as const) {
      const seen = new Set<string>();
      inventory[kind].forEach((entry, index) => {
        if (seen.has(entry.name)) {
          ctx.addIssue({ code: 'custom', path: [kind, index, 'name'], message: `"${entry.name}" is listed twice` });
        }
        seen.add(entry.name);
      });
    }
  });
export type Inventory = z.output<typeof InventorySchema>;
export type InventoryStream = Inventory['streams'][number];
export type InventoryApplication = Inventory['applications'][number];
export type SourceStream = InventoryApplication['sourceStreams'][number];

export function parseInventory(value: unknown): Inventory {
  return parseWith(InventorySchema, value);
}

/** What `DescribeApplication` returns that the inventory reads; the SDK's own type fits it. */
export interface ApplicationDescription {
  readonly ApplicationConfigurationDescription?: {
    readonly EnvironmentPropertyDescriptions?: {
      readonly PropertyGroupDescriptions?: readonly {
        readonly PropertyGroupId?: string;
        readonly PropertyMap?: Readonly<Record<string, string>>;
      }[];
    };
    readonly SqlApplicationConfigurationDescription?: {
      readonly InputDescriptions?: readonly {
        readonly InputId?: string;
        readonly KinesisStreamsInputDescription?: { readonly ResourceARN?: string };
      }[];
    };
  };
}

/** `arn:<partition>:kinesis:<region>:<account>:stream/<name>` → `<name>`. */
export function streamNameFromArn(arn: string): string | undefined {
  return /^arn:[a-z-]+:kinesis:[a-z0-9-]*:\d{12}:stream\/([A-Za-z0-9_.-]{1,128})$/.exec(arn)?.[1];
}

/**
 * A runtime property names the application's input when its key says so (`source`, `input`,
 * `consumer`) and its value is a stream of the inventory, by name or ARN. Sink and other streams an
 * application's properties name are not its source, so the key decides, not the value alone.
 */
const SOURCE_KEY = /source|input|consumer/i;

/**
 * The streams of `streamNames` an application's configuration names as its input: the legacy SQL
 * input configuration first, then runtime properties whose key names an input, each stream once.
 */
export function sourceStreamsOf(description: ApplicationDescription, streamNames: ReadonlySet<string>): SourceStream[] {
  const found: SourceStream[] = [];
  const add = (name: string | undefined, via: string, origin: SourceStream['origin']): void => {
    if (name === undefined || !streamNames.has(name) || found.some((s) => s.name === name)) return;
    found.push({ name, via, origin });
  };
  const configuration = description.ApplicationConfigurationDescription;
  for (const input of configuration?.SqlApplicationConfigurationDescription?.InputDescriptions ?? []) {
    const arn = input.KinesisStreamsInputDescription?.ResourceARN;
    if (arn !== undefined) add(streamNameFromArn(arn), `input ${input.InputId ?? '?'}`, 'sql-input');
  }
  const groups = [...(configuration?.EnvironmentPropertyDescriptions?.PropertyGroupDescriptions ?? [])].sort((a, b) =>
    (a.PropertyGroupId ?? '').localeCompare(b.PropertyGroupId ?? ''),
  );
  for (const group of groups) {
    const groupId = group.PropertyGroupId ?? '';
    for (const key of Object.keys(group.PropertyMap ?? {}).sort()) {
      if (!SOURCE_KEY.test(key) && !SOURCE_KEY.test(groupId)) continue;
      const value = group.PropertyMap![key]!.trim();
      add(streamNameFromArn(value) ?? value, `${groupId}.${key}`, 'runtime-property');
    }
  }
  return found;
}
