/** The package root (the folder holding package.json), the same from src/ under tsx and from dist/src/. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(): string {
  const moduleDir = dirname(fileURLToPath(import.meta.url));
  for (let dir = moduleDir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`Expected a package.json in an ancestor of ${moduleDir}, found none`);
  }
}
