// Makes the embedded database's prepared copy (pglite-template.ts reads it): PGlite's initdb
// once, then every migration, dumped to a file keyed on PGlite's version and the migrations.
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { openPGliteWith } from './database.js';
import { migrate } from './migrate.js';
import { templateFile } from './pglite-template.js';

/** Makes the prepared copy if it is missing. Returns its path. */
export async function ensureTemplate(): Promise<string> {
  const file = templateFile();
  if (existsSync(file)) return file;
  const database = openPGliteWith(await PGlite.create());
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
