import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POLICY_NAMES } from '../../bench/policies/policy';
import { resultsJson, runBench, writeResults, type BenchResults } from '../../bench/run-bench';

const KEYS = [
  'scenario',
  'policy',
  'ttrMinutes',
  'peakLagSeconds',
  'lagMinutes',
  'throttledRecords',
  'recordsLost',
  'producerRecordsDropped',
  'apiCalls',
  'restarts',
  'downtimeSeconds',
  'costUsd',
  'wrongActions',
  'oscillations',
];

describe('npm run bench', () => {
  const scenarios = ['traffic-spike-3x', 'hot-partition-key'];
  let first: BenchResults;

  beforeAll(async () => {
    first = await runBench({ scenarios });
  });

  it('plays every scenario under every policy', () => {
    expect(first.rows.map((r) => `${r.scenario}/${r.policy}`)).toEqual(
      scenarios.flatMap((s) => ['none', ...POLICY_NAMES.filter((p) => p !== 'none')].map((p) => `${s}/${p}`)),
    );
  });

  it('gives the same numbers for the same seed, and others for another', async () => {
    const again = await runBench({ scenarios, policies: ['none', 'alarm-doubling', 'oracle'] });
    const sameRows = first.rows.filter((r) => ['none', 'alarm-doubling', 'oracle'].includes(r.policy));
    expect(again.rows).toEqual(sameRows);
    const reseeded = await runBench({ scenarios: ['traffic-spike-3x'], policies: ['none'], seed: 99 });
    expect(reseeded.rows[0]!.peakLagSeconds).not.toBe(sameRows[0]!.peakLagSeconds);
  });

  it('writes results.json as {"runs": [...]} with exactly the issue\'s fields', () => {
    const parsed = JSON.parse(resultsJson(first.rows)) as { runs: Record<string, unknown>[] };
    expect(Object.keys(parsed)).toEqual(['runs']);
    expect(parsed.runs).toHaveLength(first.rows.length);
    for (const row of parsed.runs) {
      expect(Object.keys(row)).toEqual(KEYS);
      expect(typeof row['scenario']).toBe('string');
      expect(POLICY_NAMES).toContain(row['policy']);
      expect(row['ttrMinutes'] === null || Number.isInteger(row['ttrMinutes'])).toBe(true);
      for (const key of KEYS.slice(3)) expect(Number.isFinite(row[key])).toBe(true);
    }
  });

  it('writes the JSON, the Markdown reading and the HTML page, the same twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stream-medic-bench-'));
    try {
      const meta = { seed: 'test', policies: [] };
      // As generated; the bench itself also runs prettier over them.
      const asIs = async (text: string) => text;
      const files = await writeResults(dir, first, meta, asIs);
      const contents = files.map((file) => readFileSync(file, 'utf8'));
      expect(JSON.parse(contents[0]!)).toEqual({ runs: first.rows });
      expect(contents[1]).toContain('| scenario | policy | TTR min |');
      expect(contents[1]).toContain('## Goals');
      expect(contents[2]).toContain('<svg');
      // The time-to-recover chart reads without hovering: a minutes axis and each bar's value.
      const title = contents[2]!.indexOf('time to recover, minutes');
      const ttrChart = contents[2]!.slice(
        contents[2]!.lastIndexOf('<svg', title),
        contents[2]!.indexOf('</svg>', title),
      );
      expect(ttrChart).toMatch(/<text [^>]*class="xl">0<\/text>/);
      for (const row of first.rows.filter((r) => r.ttrMinutes !== null && r.ttrMinutes > 0)) {
        expect(contents[2]).toContain(`>${row.ttrMinutes} min</text>`);
      }
      await writeResults(dir, first, meta, asIs);
      expect(files.map((file) => readFileSync(file, 'utf8'))).toEqual(contents);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
