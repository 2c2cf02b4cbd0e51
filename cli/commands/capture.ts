import { Command } from 'commander';
import type { CliIo } from '../io';
import { COMMAND_SUMMARIES } from './catalog';
import { checkWritable, writeFileAtomic } from './atomic-write';
import { CREDENTIALS_NOTE, helpEpilogue } from './help';
import {
  addLiveOptions,
  captureLive,
  describeSnapshot,
  liveRequestFrom,
  wantsLive,
  type LiveOptions,
} from './live-capture';
import type { CliServices } from './services';

interface CaptureOptions extends LiveOptions {
  readonly output?: string;
}

export function captureCommand(io: CliIo, services: CliServices): Command {
  const command = new Command('capture').description(COMMAND_SUMMARIES.capture);
  return addLiveOptions(command)
    .option(
      '-o, --output <file>',
      'write the snapshot to this file (replaced whole, never half-written) instead of stdout',
    )
    .addHelpText(
      'after',
      helpEpilogue(
        [
          'stream-medic capture --stream orders-stream --app orders-enricher -o incident.json',
          'stream-medic capture --stream clickstream-events --minutes 60 --region eu-west-1 > incident.json',
        ],
        [
          'The snapshot is the file `stream-medic diagnose --input` reads, made with the queries the',
          'deployed workflow sends. Calls made: cloudwatch:GetMetricData, kinesis:DescribeStreamSummary,',
          'kinesisanalytics:DescribeApplication.',
          CREDENTIALS_NOTE,
        ],
      ),
    )
    .action(async (options: CaptureOptions, self: Command) => {
      if (!wantsLive(options)) {
        self.error('give --stream <name> and/or --app <name>: the resources to read');
      }
      const request = liveRequestFrom(options);
      if (options.output !== undefined) checkWritable('--output', options.output);
      const snapshot = await captureLive(services, request);
      const text = `${JSON.stringify(snapshot, null, 2)}\n`;
      if (options.output === undefined) {
        io.stdout(text);
        return;
      }
      writeFileAtomic('--output', options.output, text);
      io.stderr(`Wrote ${options.output}: ${describeSnapshot(snapshot, request.minutes)}\n`);
    });
}
