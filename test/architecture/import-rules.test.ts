import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The layering rules read from the source itself, so they cannot quietly erode: the domain stays
 * pure (it imports only itself, the ports and zod), and no module imports itself through others.
 */
const ROOT = resolve(__dirname, '..', '..');
const SOURCE_DIRS = ['lambdas', 'lib', 'sim', 'cli', 'bench', 'bin', 'examples'];

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every module specifier a file names: static imports and re-exports, type-only ones included. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^;]*?\sfrom\s*'([^']+)'/g,
    /\bimport\s*'([^']+)'/g,
    /\bimport\(\s*'([^']+)'\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) found.push(match[1]!);
  }
  return found;
}

/** The repository file a relative specifier resolves to. */
function resolveRelative(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  return [`${base}.ts`, join(base, 'index.ts'), base].find(
    (candidate) => existsSync(candidate) && candidate.endsWith('.ts'),
  );
}

const files = SOURCE_DIRS.flatMap((dir) => sourceFiles(join(ROOT, dir)));
const edges = new Map<string, string[]>(
  files.map((file) => [
    file,
    specifiers(readFileSync(file, 'utf8'))
      .filter((s) => s.startsWith('.'))
      .flatMap((s) => resolveRelative(file, s) ?? []),
  ]),
);
const name = (file: string): string => relative(ROOT, file);

describe('import rules', () => {
  it('reads the source it checks', () => {
    expect(files.map(name)).toEqual(
      expect.arrayContaining(['lambdas/domain/planner.ts', 'lib/remediation-workflow.ts']),
    );
    expect(edges.get(join(ROOT, 'lambdas/domain/config.ts'))!.map(name)).toContain('lambdas/domain/policy.ts');
  });

  it('lets lambdas/domain import only itself, lambdas/ports and zod', () => {
    const domain = join(ROOT, 'lambdas', 'domain');
    const ports = join(ROOT, 'lambdas', 'ports');
    const offences = files
      .filter((file) => file.startsWith(domain))
      .flatMap((file) =>
        specifiers(readFileSync(file, 'utf8')).flatMap((specifier) => {
          if (specifier === 'zod') return [];
          const target = specifier.startsWith('.') ? resolveRelative(file, specifier) : undefined;
          if (target && (target.startsWith(domain) || target.startsWith(ports))) return [];
          return [`${name(file)} imports ${specifier}`];
        }),
      );
    expect(offences).toEqual([]);
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].map(name).join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const next of edges.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
