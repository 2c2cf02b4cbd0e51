import { existsSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The package's root: the nearest directory above `from` with a package.json. The same directory
 * from the TypeScript source (lib/, cli/) and from the compiled package (dist/lib/, dist/cli/).
 */
export function packageRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}
