// Forward-only SQL migrations, the same files on PostgreSQL and PGlite. Each file runs in its own
// transaction together with its bookkeeping row, under an advisory lock, so a killed process or a
// second migrator never leaves a half-applied migration behind.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '../paths-on-disk.js';
import type { Database } from './database.js';

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

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

export async function migrate(database: Database, migrations = readMigrations()): Promise<string[]> {
  return database.withMigrationLock(async (script) => {
    await script(`create table if not exists schema_migrations (
      name text primary key, checksum text not null, applied_at timestamptz not null default now())`);
    const applied = new Map<string, string>();
    // Read on the locked connection: a pool of one would otherwise wait for itself for ever.
    const rows = await script('select name, checksum from schema_migrations');
    for (const r of rows as { name: string; checksum: string }[]) applied.set(r.name, r.checksum);
    const ran: string[] = [];
    for (const m of migrations) {
      const seen = applied.get(m.name);
      if (seen !== undefined) {
        if (seen !== m.checksum) {
          throw new Error(`Migration ${m.name} has been edited after it was applied. Migrations are forward-only: add a new one instead.`);
        }
        continue;
      }
      await script(`begin;\n${m.sql}\n;insert into schema_migrations (name, checksum) values (${quote(m.name)}, ${quote(m.checksum)});\ncommit;`)
        .catch(async (e: unknown) => {
          await script('rollback').catch(() => undefined);
          throw new Error(`Migration ${m.name} failed and was rolled back: ${(e as Error).message}`);
        });
      ran.push(m.name);
    }
    return ran;
  });
}
