// The migration files, read from migrations/ with their checksums: what migrate.ts applies and
// what the embedded database's prepared copy is keyed on (pglite-template.ts).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '../paths-on-disk.js';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = projectPath('migrations')): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((name) => {
      const text = readFileSync(join(dir, name), 'utf8');
      return { name, sql: text, checksum: createHash('sha256').update(text).digest('hex') };
    });
}
