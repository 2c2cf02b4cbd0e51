/**
 * `npm run bench`: plays every built-in scenario under each policy (StreamMedic, the policies teams
 * run today, no remediation, and the oracle), prints the table, writes bench/results.json,
 * bench/results.md and bench/results.html, checks the goals, and then prints the earlier performance
 * figures (Lambda bundle sizes and load times, diagnoses per second) from their own scripts.
 *
 *   npm run bench -- [--seed N] [--scenario NAME|FILE|FOLDER]... [--policy NAME]... [--out DIR] [--no-perf]
 *
 * A folder stands for every scenario file (*.json) in it, so a team can benchmark its own pipeline.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { builtInScenarioNames, resolveScenario, type Scenario } from '../sim/scenario';
import { incidentStart, runResult, type RunFigures, type RunResult } from './figures';
import { checkGoals, type GoalReport, type ScenarioRuns } from './goals';
import { POLICIES, POLICY_NAMES, type BenchPolicy, type PolicyName } from './policies';
import { html, markdown, terminalTable, type BenchMeta } from './render';

export interface BenchOptions {
  /** Overrides every scenario's own seed. */
  readonly seed?: number;
  /** @default every built-in scenario */
  readonly scenarios?: readonly string[];
  /** @default every policy; `none` is always played, since the incident's start is taken from it */
  readonly policies?: readonly PolicyName[];
  /** Called after each scenario, for progress. */
  readonly onScenario?: (name: string, seconds: number) => void;
}

export interface BenchResults {
  /** The rows of results.json, scenario by scenario in the policies' order. */
  readonly rows: RunFigures[];
  readonly all: ScenarioRuns[];
  readonly goals: GoalReport[];
}

/** Plays the scenarios under the policies and computes the figures and the goals. */
export async function runBench(options: BenchOptions = {}): Promise<BenchResults> {
  const names = options.scenarios ?? builtInScenarioNames();
  const wanted = new Set<PolicyName>(options.policies ?? POLICY_NAMES);
  wanted.add('none');
  const policies = POLICIES.filter((p) => wanted.has(p.name));
  const all: ScenarioRuns[] = [];
  const rows: RunFigures[] = [];
  for (const name of names) {
    const started = performance.now();
    const scenario = resolveScenario(name);
    const runs = await playAll(scenario, policies, options.seed);
    all.push({ scenario, runs });
    for (const run of runs.values()) rows.push(run.figures);
    options.onScenario?.(name, (performance.now() - started) / 1000);
  }
  return { rows, all, goals: checkGoals(all) };
}

async function playAll(
  scenario: Scenario,
  policies: readonly BenchPolicy[],
  seed: number | undefined,
): Promise<Map<PolicyName, RunResult>> {
  const options = seed !== undefined ? { seed } : {};
  const none = policies.find((p) => p.name === 'none')!;
  const baseline = await none.play(scenario, options);
  const start = incidentStart(baseline.world);
  const runs = new Map<PolicyName, RunResult>();
  for (const policy of policies) {
    const played = policy === none ? baseline : await policy.play(scenario, { ...options, incidentStartMs: start });
    runs.set(policy.name, runResult(scenario, policy.name, played, start));
  }
  return runs;
}

/** results.json: `{"runs": [...]}`, one row per scenario and policy. */
export function resultsJson(rows: readonly RunFigures[]): string {
  return `${JSON.stringify({ runs: rows }, null, 2)}\n`;
}

/** Turns a generated file's text into what is written. */
export type Formatter = (text: string, parser: 'json' | 'markdown' | 'html', path: string) => Promise<string>;

/**
 * The repository's prettier, so that the written files pass `prettier --check`. Loaded only when
 * used: its CommonJS build imports itself dynamically, which a test runner may not allow.
 */
export const prettierFormatter: Formatter = async (text, parser, path) => {
  const prettier = await import('prettier');
  const config = (await prettier.resolveConfig(path)) ?? {};
  return prettier.format(text, { ...config, parser });
};

/** Writes results.json, results.md and results.html into `dir`. */
export async function writeResults(
  dir: string,
  results: BenchResults,
  meta: BenchMeta,
  formatter: Formatter = prettierFormatter,
): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files: [string, string, 'json' | 'markdown' | 'html'][] = [
    ['results.json', resultsJson(results.rows), 'json'],
    ['results.md', markdown(results.rows, results.all, results.goals, meta), 'markdown'],
    ['results.html', html(results.all, results.goals, meta), 'html'],
  ];
  const written: string[] = [];
  for (const [name, text, parser] of files) {
    const path = join(dir, name);
    writeFileSync(path, await formatter(text, parser, path));
    written.push(path);
  }
  return written;
}

/** A built-in scenario's name or a scenario file as given; a folder, as the scenario files (*.json) in it. */
export function scenarioFiles(nameOrPath: string): string[] {
  if (!existsSync(nameOrPath) || !statSync(nameOrPath).isDirectory()) return [nameOrPath];
  const files = readdirSync(nameOrPath)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => join(nameOrPath, file));
  if (files.length === 0) throw new Error(`--scenario ${nameOrPath}: the folder has no scenario files (*.json)`);
  return files;
}

interface Cli {
  seed?: number;
  scenarios: string[];
  policies: PolicyName[];
  out: string;
  perf: boolean;
}

function parseArgs(argv: readonly string[]): Cli {
  const cli: Cli = { scenarios: [], policies: [], out: __dirname, perf: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    switch (arg) {
      case '--seed': {
        const seed = Number(value());
        if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got "${argv[i]}"`);
        cli.seed = seed;
        break;
      }
      case '--scenario':
        cli.scenarios.push(...scenarioFiles(value()));
        break;
      case '--policy': {
        const name = value();
        if (!(POLICY_NAMES as readonly string[]).includes(name)) {
          throw new Error(`--policy must be one of ${POLICY_NAMES.join(', ')}, got "${name}"`);
        }
        cli.policies.push(name as PolicyName);
        break;
      }
      case '--out':
        cli.out = resolve(value());
        break;
      case '--no-perf':
        cli.perf = false;
        break;
      default:
        throw new Error(`unknown option ${arg}`);
    }
  }
  return cli;
}

/** Runs one of the earlier measuring scripts in its own process, so its timings are its own. */
function measure(title: string, script: string, args: readonly string[] = [], oneCore = false): number {
  process.stdout.write(`\n## ${title}\n`);
  const started = performance.now();
  const command = [process.execPath, '--import', 'tsx', join(__dirname, script), ...args];
  // "On one core" means on one core: pin the process where taskset exists, as `npm run bench:diagnose` does.
  const pinned = oneCore && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  const [file, ...rest] = pinned ? ['taskset', '-c', '0', ...command] : command;
  const result = spawnSync(file!, rest, { stdio: 'inherit', env: process.env });
  if (result.status !== 0) process.stdout.write(`(${script} exited with ${result.status ?? result.signal})\n`);
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const cli = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const results = await runBench({
    ...(cli.seed !== undefined ? { seed: cli.seed } : {}),
    ...(cli.scenarios.length > 0 ? { scenarios: cli.scenarios } : {}),
    ...(cli.policies.length > 0 ? { policies: cli.policies } : {}),
    onScenario: (name, seconds) => process.stderr.write(`  ${name} ${seconds.toFixed(1)} s\n`),
  });
  const simSeconds = (performance.now() - started) / 1000;
  const meta: BenchMeta = {
    seed: cli.seed !== undefined ? String(cli.seed) : "each scenario's own",
    policies: POLICIES.filter((p) => results.all[0]?.runs.has(p.name)).map((p) => ({
      name: p.name,
      summary: p.summary,
    })),
  };
  process.stdout.write(`${terminalTable(results.rows)}\n\n`);
  for (const goal of results.goals) {
    const judged = goal.checks.filter((c) => c.verdict !== 'n/a');
    const missed = judged.filter((c) => c.verdict === 'missed');
    process.stdout.write(`goal: ${goal.goal}: met on ${judged.length - missed.length} of ${judged.length}\n`);
    for (const check of missed) process.stdout.write(`  missed ${check.scenario}: ${check.detail}\n`);
  }
  const written = await writeResults(cli.out, results, meta);
  process.stdout.write(`\nwrote ${written.join(', ')}\n`);
  process.stdout.write(
    `simulation: ${results.rows.length} runs (${results.all.length} scenarios x ${meta.policies.length} policies) in ${simSeconds.toFixed(1)} s\n`,
  );
  if (cli.perf) {
    // Five cold loads per bundle rather than the script's nine keep the whole command under a minute.
    const lambda = measure('Lambda bundles (bench/lambda-bundles.ts)', 'lambda-bundles.ts', ['--runs', '5']);
    const diagnose = measure('Diagnoses per second (bench/diagnose-throughput.ts)', 'diagnose-throughput.ts', [], true);
    process.stdout.write(`\nbundles ${lambda.toFixed(1)} s, diagnoses ${diagnose.toFixed(1)} s\n`);
  }
  process.stdout.write(`npm run bench took ${((performance.now() - started) / 1000).toFixed(1)} s in all\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
