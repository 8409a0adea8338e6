// The name keys twice over: the SQL functions of migration 0006 (which keep children.search_keys)
// and their TypeScript twins in capabilities/find/names.ts (which build the keys of a search) must
// agree on any name, on every database the run has.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'kysely';
import { databaseKinds, openTestDatabase } from './support/db.js';
import type { Database } from '../src/platform/db/database.js';
import { nameKeys, phoneticKey } from '../src/capabilities/record/find/names.js';
import { searchNames } from '../src/capabilities/record/children/rules.js';

// Mostly a to z, with the odd digit, accented or non-Latin letter, to cover what is skipped.
const letter = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz') },
  { weight: 1, arbitrary: fc.constantFrom('1', '9', 'é', 'ж', 'ß', 'ł', '中') },
);
const word = fc.string({ unit: letter, minLength: 1, maxLength: 20 });
const names = fc.array(word, { minLength: 0, maxLength: 6 }).map((ws) => ws.join(' '));

describe.each(databaseKinds())('name keys on %s', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(() => database?.close());

  it('computes the same sound-alike code as the application for any word', async () => {
    const words = [
      ...fc.sample(word, { numRuns: 400, seed: 42 }),
      'robert',
      'ashcraft',
      'tymczak',
      'pfister',
      'catherine',
      'philip',
      'knight',
      'wright',
      'x',
      '123',
    ];
    const rows = await sql<{ w: string; code: string | null }>`
      select w, find_phonetic_key(w) as code from unnest(${sql.raw(`array[${words.map((w) => `'${w.replace(/'/g, "''")}'`).join(',')}]::text[]`)}) as w`.execute(
      database.db,
    );
    expect(rows.rows.length).toBe(words.length);
    for (const r of rows.rows) expect(r.code, r.w).toBe(phoneticKey(r.w));
  });

  it('computes the same keys as the application for any names', async () => {
    const samples = [...fc.sample(names, { numRuns: 300, seed: 7 }), '', '  leading and  double  spaces ', 'j', 'al', 'o2brien'];
    for (const s of samples) {
      const { rows } = await sql<{ keys: string[] }>`select find_name_keys(${s}) as keys`.execute(database.db);
      expect(new Set(rows[0]!.keys), JSON.stringify(s)).toEqual(nameKeys(s));
    }
  });

  it('keeps children.search_keys from search_names on insert and on update', async () => {
    const db = database.db;
    const family = await db.insertInto('families').defaultValues().returning('id').executeTakeFirstOrThrow();
    const child = await db
      .insertInto('children')
      .values({
        family_id: family.id,
        given_name: 'Zoë',
        family_name: 'Testfamily-Ångström',
        date_of_birth: '2015-03-07',
        sex: 'F',
        ethnicity: 'NOBT',
        joined_on: '2020-01-01',
        search_names: searchNames('Zoë', 'Testfamily-Ångström'),
      })
      .returning(['id', 'search_keys'])
      .executeTakeFirstOrThrow();
    expect(new Set(child.search_keys)).toEqual(nameKeys('zoe testfamily angstrom'));
    await db
      .updateTable('children')
      .set({ search_names: searchNames('Zoë', 'Testfamily', 'Zed') })
      .where('id', '=', child.id)
      .execute();
    const after = await db.selectFrom('children').select('search_keys').where('id', '=', child.id).executeTakeFirstOrThrow();
    expect(new Set(after.search_keys)).toEqual(nameKeys('zoe testfamily zed'));
  });
});
