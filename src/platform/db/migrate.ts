// Forward-only SQL migrations, the same files on PostgreSQL and PGlite. Each file runs in its own
// transaction together with its bookkeeping row, under an advisory lock, so a killed process or a
// second migrator never leaves a half-applied migration behind.
import type { Database } from './database.js';
import { readMigrations, type Migration } from './migrations.js';

export { readMigrations, type Migration };

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
      await script(`begin;\n${m.sql}\n;insert into schema_migrations (name, checksum) values (${quote(m.name)}, ${quote(m.checksum)});\ncommit;`).catch(
        async (e: unknown) => {
          await script('rollback').catch(() => undefined);
          throw new Error(`Migration ${m.name} failed and was rolled back: ${(e as Error).message}`);
        },
      );
      ran.push(m.name);
    }
    return ran;
  });
}
