// src/platform/db/schema.ts is Kysely's picture of the tables, written by hand. This checks it
// against the database the migrations make: every table and column on both sides, and a column
// may hold null exactly when its type says so. A migration that adds or changes a column fails
// here until schema.ts follows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, openTestDatabase } from './support/db.js';
import type { Database } from '../src/platform/db/database.js';

const SCHEMA = readFileSync(join(import.meta.dirname, '../src/platform/db/schema.ts'), 'utf8');
/** The migrations' own bookkeeping, which the app reads with plain SQL. */
const NOT_IN_KYSELY = new Set(['schema_migrations']);

/** interface name -> column -> its type as written. */
function interfaces(): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const m of SCHEMA.matchAll(/export interface (\w+) \{\n([\s\S]*?)\n\}/g)) {
    const columns = new Map<string, string>();
    for (const line of m[2]!.split('\n')) {
      const f = /^ {2}(\w+)\??: (.+);$/.exec(line);
      if (f) columns.set(f[1]!, f[2]!);
    }
    out.set(m[1]!, columns);
  }
  return out;
}
const nullableType = (t: string) => /\bnull\b/.test(t) || /\bNullable\w*/.test(t);

describe.each(databaseKinds())('schema.ts agrees with the migrated database on %s', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(() => database?.close());

  it('has every table and column, and says null where the database allows it', async () => {
    const { rows } = await sql<{ table_name: string; column_name: string; is_nullable: 'YES' | 'NO' }>`
      select c.table_name, c.column_name, c.is_nullable
      from information_schema.columns c join information_schema.tables t using (table_schema, table_name)
      where c.table_schema = 'public' and t.table_type = 'BASE TABLE'`.execute(database.db);
    const types = interfaces();
    const db = types.get('DB')!;
    const problems: string[] = [];
    const tables = new Set(rows.map((r) => r.table_name).filter((t) => !NOT_IN_KYSELY.has(t)));
    for (const t of tables) if (!db.has(t)) problems.push(`table ${t} is not in the DB interface`);
    for (const [table, iface] of db) {
      if (!tables.has(table)) problems.push(`DB names ${table}, which the migrations do not make`);
      const columns = types.get(iface);
      if (!columns) {
        problems.push(`DB names ${iface} for ${table}, which is not an interface in schema.ts`);
        continue;
      }
      const inDatabase = rows.filter((r) => r.table_name === table);
      for (const r of inDatabase) {
        const type = columns.get(r.column_name);
        if (type === undefined) problems.push(`${table}.${r.column_name} is missing from ${iface}`);
        else if ((r.is_nullable === 'YES') !== nullableType(type)) {
          problems.push(`${table}.${r.column_name} is ${r.is_nullable === 'YES' ? 'nullable' : 'not null'} in the database but typed ${type}`);
        }
      }
      for (const c of columns.keys()) if (!inDatabase.some((r) => r.column_name === c)) problems.push(`${iface}.${c} is not a column of ${table}`);
    }
    expect(problems).toEqual([]);
    expect(db.size).toBeGreaterThan(40);
  });
});
