// A fresh embedded database starts from a prepared, already-migrated copy instead of running
// initdb in WebAssembly (about 2 s). The copy is made by `npm run build` (and by the test
// harness) with the installed PGlite and the current migrations, so it always matches both;
// when it is missing or unreadable, PGlite's own initdb runs as before. prepare-template.ts makes it.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { projectPath } from '../paths-on-disk.js';
import { readMigrations } from './migrations.js';

function templateKey(): string {
  const version = (JSON.parse(readFileSync(projectPath('node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string }).version;
  const h = createHash('sha256').update(version);
  for (const m of readMigrations()) h.update(m.name).update(m.checksum);
  return `${version}-${h.digest('hex').slice(0, 16)}`;
}

export const templateFile = () => projectPath('node_modules/.cache/jointly', `pglite-${templateKey()}.tar`);

/** The prepared copy as PGlite's loadDataDir wants it, or undefined when there is none. */
export function readTemplate(): Blob | undefined {
  try {
    const file = templateFile();
    return existsSync(file) ? new Blob([readFileSync(file)]) : undefined;
  } catch {
    return undefined;
  }
}
