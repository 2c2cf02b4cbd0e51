/**
 * `npm run bench:lambda`: bundles each workflow Lambda with esbuild exactly as the package build does
 * (same options, from lib/lambda-bundling.ts), untraced (the default) and traced, then reports each
 * bundle's size and its cold module-load time: a fresh `node` process requires the bundle, which runs its module scope
 * (Powertools, SDK clients, adapters) as a Lambda cold start does; the median of several runs.
 *
 *   npm run bench:lambda -- [--runs 9]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import {
  LAMBDA_VARIANTS,
  esbuildOptionsFor,
  type LambdaVariant,
  LAMBDA_NAMES,
  type LambdaName,
} from '../lib/lambda-bundling';
import { bundleEnvironment } from './bundle-environment';
import { median, parseRuns } from './sample-stats';

/** The goals each bundle is held to. */
const MAX_BUNDLE_BYTES = 500 * 1024;
const MAX_LOAD_MS = 150;

/** Milliseconds a fresh process spends in `require(bundle)`, measured inside that process. */
const LOAD_PROBE = `
const start = process.hrtime.bigint();
require(process.argv[1]);
process.stdout.write(String(Number(process.hrtime.bigint() - start) / 1e6));
`;

interface Measurement {
  readonly step: LambdaName;
  readonly variant: LambdaVariant;
  readonly bytes: number;
  readonly loadMs: readonly number[];
}

async function measure(step: LambdaName, variant: LambdaVariant, dir: string, runs: number): Promise<Measurement> {
  const outfile = join(dir, variant, step, 'index.js');
  await build(esbuildOptionsFor(step, outfile, variant));
  const loadMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const output = execFileSync(process.execPath, ['-e', LOAD_PROBE, outfile], {
      env: { PATH: process.env['PATH'] ?? '', ...bundleEnvironment(step, 'stream-medic-bench'), NODE_NO_WARNINGS: '1' },
      encoding: 'utf8',
    });
    loadMs.push(Number(output));
  }
  return { step, variant, bytes: statSync(outfile).size, loadMs };
}

async function main(): Promise<void> {
  const runs = parseRuns(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'stream-medic-bundles-'));
  try {
    const results: Measurement[] = [];
    for (const variant of LAMBDA_VARIANTS) {
      for (const step of LAMBDA_NAMES) results.push(await measure(step, variant, dir, runs));
    }
    const rows = results.map((r) => {
      // At least one run each (parseRuns), so there is a middle.
      const load = median(r.loadMs)!;
      const ok = r.bytes <= MAX_BUNDLE_BYTES && load <= MAX_LOAD_MS;
      return [
        r.step,
        r.variant,
        `${(r.bytes / 1024).toFixed(1)} KB`,
        `${load.toFixed(1)} ms`,
        `${Math.min(...r.loadMs).toFixed(1)}-${Math.max(...r.loadMs).toFixed(1)} ms`,
        ok ? 'ok' : 'OVER',
      ];
    });
    const header = [
      'function',
      'variant',
      'bundle',
      'load (median)',
      'load (range)',
      `goal <${MAX_BUNDLE_BYTES / 1024} KB, <${MAX_LOAD_MS} ms`,
    ];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
    process.stdout.write(
      `node ${process.version}, ${runs} runs per bundle, minified, target ${esbuildOptionsFor('intake', '').target}\n`,
    );
    process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
    for (const row of rows) process.stdout.write(`${line(row)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
