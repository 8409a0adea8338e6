// A fresh embedded database starts from a prepared, already-migrated copy instead of running
// initdb in WebAssembly (about 2 s). The copy is made by `npm run build` (and by the test
// harness) with the installed PGlite and the current migrations, so it always matches both;
// when it is missing or unreadable, PGlite's own initdb runs as before.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { projectPath } from '../paths-on-disk.js';
import { readMigrations } from './migrate.js';

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

/** Makes the prepared copy if it is missing. Returns its path. */
export async function ensureTemplate(): Promise<string> {
  const file = templateFile();
  if (existsSync(file)) return file;
  const { migrate } = await import('./migrate.js');
  const { openPGliteWith } = await import('./database.js');
  const database = await openPGliteWith(await PGlite.create());
  try {
    await migrate(database);
    const blob = await database.dumpDataDir();
    mkdirSync(dirname(file), { recursive: true });
    // Written under another name first, so a half-written file is never taken for a template.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, Buffer.from(await blob.arrayBuffer()));
    renameSync(partial, file);
  } finally {
    await database.close();
  }
  return file;
}
