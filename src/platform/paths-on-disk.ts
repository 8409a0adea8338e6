// Where the project's own files are, whether running from src/ (tsx, tests) or dist/ (built).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = resolve(dir, '..');
    if (up === dir) throw new Error('Cannot find the Jointly project folder');
    dir = up;
  }
  return dir;
}

export const projectRoot = findRoot();
export const projectPath = (...parts: string[]) => join(projectRoot, ...parts);
