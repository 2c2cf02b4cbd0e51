import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import * as path from 'node:path';
import { freePort } from './free-port';

export interface KinesisLocalServer {
  /** Plain-HTTP endpoint, e.g. `http://127.0.0.1:41234`. */
  readonly endpoint: string;
  readonly region: string;
  stop(): Promise<void>;
}

export interface KinesisLocalOptions {
  /**
   * Extra emulator settings, e.g. `UPDATE_SHARD_COUNT_DURATION: '1s'`.
   * @default none
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * How long to wait for the emulator to accept connections.
   * @default 30000
   */
  readonly startTimeoutMs?: number;
}

const REGION = 'us-east-1';

/**
 * Starts the kinesis-local emulator (kinesis-mock compiled to JavaScript) as a child process on free
 * loopback ports and resolves once it accepts connections.
 */
export async function startKinesisLocal(options: KinesisLocalOptions = {}): Promise<KinesisLocalServer> {
  const mainScript = require.resolve('kinesis-local');
  const [plainPort, tlsPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--require', path.join(__dirname, 'loopback-only.js'), mainScript], {
    env: {
      ...process.env,
      KINESIS_MOCK_PLAIN_PORT: String(plainPort),
      KINESIS_MOCK_TLS_PORT: String(tlsPort),
      // The TLS listener starts too, and needs the self-signed certificate bundled with the package.
      KINESIS_MOCK_CERT_PATH: path.join(path.dirname(mainScript), 'server.json'),
      AWS_REGION: REGION,
      LOG_LEVEL: 'WARN',
      SHOULD_PERSIST_DATA: 'false',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keepOutput = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keepOutput);
  child.stderr?.on('data', keepOutput);
  const stop = (): Promise<void> => stopProcess(child);
  try {
    await waitForPort(plainPort, child, options.startTimeoutMs ?? 30_000);
  } catch (error) {
    await stop();
    throw new Error(`kinesis-local did not start: ${(error as Error).message}\n${output}`);
  }
  return { endpoint: `http://127.0.0.1:${plainPort}`, region: REGION, stop };
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`it exited with code ${child.exitCode}`);
    if (await accepts(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`port ${port} did not accept connections within ${timeoutMs} ms`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(killer);
}
