import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POLICY_NAMES } from '../../bench/policies/policy';
import { resultsJson, runBench, scenarioFiles, writeResults, type BenchResults } from '../../bench/run-bench';

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

describe('npm run bench -- --scenario', () => {
  it("plays a team's own scenario files, one by one or a whole folder of them", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-scenarios-'));
    try {
      const own = join(dir, 'my-spike.json');
      const scenario = JSON.parse(readFileSync(join(__dirname, '../../sim/scenarios/traffic-spike-3x.json'), 'utf8'));
      writeFileSync(own, JSON.stringify({ ...scenario, name: 'my-spike' }));
      copyFileSync(join(__dirname, '../../sim/scenarios/hot-partition-key.json'), join(dir, 'hot.json'));
      writeFileSync(join(dir, 'notes.txt'), 'not a scenario');

      expect(scenarioFiles(dir)).toEqual([join(dir, 'hot.json'), own]);
      expect(scenarioFiles('traffic-spike-3x')).toEqual(['traffic-spike-3x']);
      const results = await runBench({ scenarios: [own], policies: ['none'] });
      expect(results.rows.map((r) => r.scenario)).toEqual(['my-spike']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a folder without scenario files, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-empty-'));
    try {
      expect(() => scenarioFiles(dir)).toThrow(`--scenario ${dir}: the folder has no scenario files (*.json)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
