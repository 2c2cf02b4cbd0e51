import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../../cli/io';
import { runCli } from '../../../cli/main';
import type { SnapshotSpec } from '../../builders/snapshot-builder';

const ESC = String.fromCharCode(27);
const SGR = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');

/** Whether the text has colour or style escape codes. */
export function hasAnsi(text: string): boolean {
  return text.includes(`${ESC}[`);
}

/** The text with colour and style escape codes removed. */
export function stripAnsi(text: string): string {
  return text.replace(SGR, '');
}

type Node = Record<string | number, unknown>;

/** A deep copy of `doc` with the value at `path` replaced. */
export function withValue<T>(doc: T, path: readonly (string | number)[], value: unknown): T {
  const copy = structuredClone(doc);
  let node = copy as Node;
  for (const key of path.slice(0, -1)) node = node[key] as Node;
  node[path[path.length - 1]!] = value;
  return copy;
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with a capturing io. */
export async function run(
  argv: readonly string[],
  options: { readonly isTTY?: boolean; readonly env?: Record<string, string> } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isTTY: options.isTTY ?? false,
    env: options.env ?? {},
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** A scratch directory for input files, removed by `remove`. */
export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'stream-medic-cli-'));

  /** Writes `value` as JSON (or a string as is) and returns the file's path. */
  file(name: string, value: unknown): string {
    const path = join(this.dir, name);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
    return path;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A Flink app short of compute that lags past half the stream's retention, with Managed Flink's own
 * autoscaling on: the plan raises retention and the parallelism change is refused (the target defers
 * to the service's autoscaling), so every section of the report has something in it.
 */
export const LAGGING_APP: SnapshotSpec = {
  stream: { name: 'orders-stream', shards: 4, retentionHours: 24 },
  app: { name: 'orders-enricher', parallelism: 4, autoScalingEnabled: true },
  metrics: {
    containerCpu: 95,
    busyTime: 950,
    millisBehindLatest: (minute) => 18 * 3_600_000 + minute * 60_000,
    iteratorAge: (minute) => 18 * 3_600_000 + minute * 60_000,
    incomingBytes: 60_000_000,
    getRecordsBytes: 60_000_000,
  },
};
