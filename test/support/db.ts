// Real databases for tests: a fresh in-memory PGlite, or a clone of the migrated PostgreSQL
// template (CREATE DATABASE ... TEMPLATE ...), one per test file or test.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openPGlite, openPostgres, type Database, type OpenOptions } from '../../src/platform/db/database.js';
import { migrate } from '../../src/platform/db/migrate.js';

export type DbKind = 'pglite' | 'postgres';

/** The database kinds this run can use: PGlite always; PostgreSQL when the harness found one. */
export function databaseKinds(): DbKind[] {
  return inject('postgres') ? ['pglite', 'postgres'] : ['pglite'];
}

export async function openTestDatabase(kind: DbKind, opts: OpenOptions = {}): Promise<Database & { url?: string }> {
  if (kind === 'pglite') {
    const database = await openPGlite(undefined, opts);
    await migrate(database);
    return database;
  }
  const info = inject('postgres');
  if (!info) throw new Error('PostgreSQL is not available in this run');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: info.adminUrl });
  await admin.connect();
  await admin.query(`create database ${name} template ${info.template}`);
  await admin.end();
  const url = new URL(info.adminUrl);
  url.pathname = `/${name}`;
  const database = await openPostgres(url.toString(), 5, opts);
  const close = database.close.bind(database);
  return {
    ...database,
    url: url.toString(),
    async close() {
      await close();
      const a = new pg.Client({ connectionString: info.adminUrl });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}
