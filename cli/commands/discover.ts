import { Command } from 'commander';
import type { Inventory } from '../../lambdas/domain/inventory';
import { InvalidInputError } from '../../lambdas/domain/validation';
import type { CliIo } from '../io';
import { readInventory, sdkAccountReader } from './account-inventory';
import { checkWritable, writeFileAtomic } from './atomic-write';
import { COMMAND_SUMMARIES } from './catalog';
import { CREDENTIALS_NOTE, helpEpilogue } from './help';
import { checkRegion } from './live-capture';
import type { CliServices } from './services';

/** Where `discover` writes unless told otherwise; the path config selectors name by default in the docs. */
export const DEFAULT_INVENTORY_FILE = 'inventory.json';

/** The IAM actions `discover` calls, in the order it calls them (docs/iam.md cites each). */
export const DISCOVER_IAM_ACTIONS = [
  'kinesis:ListStreams',
  'kinesis:DescribeStreamSummary',
  'kinesis:ListTagsForResource',
  'kinesisanalytics:ListApplications',
  'kinesisanalytics:DescribeApplication',
  'kinesisanalytics:ListTagsForResource',
] as const;

interface DiscoverOptions {
  readonly region?: string;
  readonly out: string;
  readonly endpointUrl?: string;
}

function checkEndpoint(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new InvalidInputError('--endpoint-url', `"${value}" is not an http:// or https:// URL`);
  }
  return value;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** One line about what the inventory holds. */
export function describeInventory(inventory: Inventory): string {
  const tagged = inventory.streams.filter((stream) => Object.keys(stream.tags).length > 0).length;
  const sourced = inventory.applications.filter((app) => app.sourceStreams.length > 0).length;
  return (
    `${plural(inventory.streams.length, 'stream')} (${tagged} tagged), ` +
    `${plural(inventory.applications.length, 'application')} (${sourced} with a source stream found), ` +
    `region ${inventory.region}`
  );
}

export function discoverCommand(io: CliIo, services: CliServices): Command {
  return new Command('discover')
    .description(COMMAND_SUMMARIES.discover)
    .option('--region <region>', 'AWS region to read')
    .option('-o, --out <file>', 'inventory file to write (replaced whole, never half-written)', DEFAULT_INVENTORY_FILE)
    .option('--endpoint-url <url>', 'send every call to this endpoint instead of AWS (an emulator)')
    .addHelpText(
      'after',
      helpEpilogue(
        ['stream-medic discover --region eu-west-1', 'stream-medic discover --out fleet/inventory.json'],
        [
          'Reads every Kinesis data stream (mode, open shards, tags) and Managed Flink application',
          '(runtime, parallelism, tags, the stream its config names as input) of the region, read-only,',
          'and writes the inventory that config `selectors` resolve targets from (docs/discover.md).',
          `Calls made: ${DISCOVER_IAM_ACTIONS.join(', ')}.`,
          CREDENTIALS_NOTE,
        ],
      ),
    )
    .action(async (options: DiscoverOptions) => {
      const region = checkRegion(options.region);
      const endpoint = checkEndpoint(options.endpointUrl);
      checkWritable('--out', options.out);
      const clients = services.awsClients({
        ...(region !== undefined && { region }),
        ...(endpoint !== undefined && { endpoint }),
      });
      const inventory = await readInventory(
        sdkAccountReader(clients.kinesis, clients.kinesisAnalytics),
        services.clock.now(),
      );
      writeFileAtomic('--out', options.out, `${JSON.stringify(inventory, null, 2)}\n`);
      io.stderr(`Wrote ${options.out}: ${describeInventory(inventory)}\n`);
    });
}
