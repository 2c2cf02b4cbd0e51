// The built-in scenarios are JSON files the simulator reads beside its own module (sim/scenarios);
// tsc copies no data files, so the package build puts them beside the compiled simulator.
import { cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
cpSync(join(root, 'sim', 'scenarios'), join(root, 'dist', 'sim', 'scenarios'), {
  recursive: true,
  filter: (source) => !source.endsWith('.md'),
});
