// How many statements one search by name sends to the database (issue 13, ADR 0021): the names
// that share a key with the words typed, then one query that finds the candidates, applies the
// sharing rule to them as a set, ranks them and reads the page with the number found. The same
// number of statements however many children share the name: the rule is not checked once per
// candidate. Counted from Kysely's query log, which sees every statement the app sends, on both
// databases.
import type { LogEvent } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { paths } from '../src/paths.js';
import type { Db } from '../src/platform/db/database.js';
import { todayInLondon } from '../src/platform/dates.js';
import { searchNames } from '../src/capabilities/record/children/rules.js';

const CASEWORKER = 'caseworker@demoshire.example.org'; // DEMO-EDU, council education

const addDays = (iso: string, days: number) => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

/** A fictional child with the given family name; visible to the caseworker when `visible`, else consented to the NHS trust only. */
async function addChild(db: Db, given: string, family: string, visible: boolean) {
  const fam = await db.insertInto('families').defaultValues().returning('id').executeTakeFirstOrThrow();
  const child = await db
    .insertInto('children')
    .values({
      family_id: fam.id,
      given_name: given,
      family_name: family,
      date_of_birth: '2014-05-01',
      sex: 'U',
      ethnicity: 'NOBT',
      joined_on: '2020-01-01',
      search_names: searchNames(given, family, null),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const edu = await db.selectFrom('organisations').select('id').where('code', '=', 'DEMO-EDU').executeTakeFirstOrThrow();
  await db
    .insertInto('involvements')
    .values({ child_id: child.id, organisation_id: edu.id, service: 'Test service', started_on: addDays(todayInLondon(), -100) })
    .execute();
  const consent = await db
    .insertInto('consents')
    .values({ child_id: child.id, given_by: 'parent', given_on: addDays(todayInLondon(), -90), method: 'written' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('consent_scopes')
    .values({ consent_id: consent.id, organisation_type: visible ? 'council-education' : 'nhs-trust', section: 'core' })
    .execute();
}

/** Statements that are neither the session lookup, the transaction nor the audit entry: what the search itself reads. */
const dataStatements = (statements: readonly string[]) =>
  statements.filter((s) => {
    const q = s.trim().toLowerCase();
    return (
      !/^(begin|commit|rollback|start transaction|set local)\b/.test(q) &&
      !/\baudit_log\b|\baudit_children\b/.test(q) &&
      !/from "sessions"|update "sessions"/.test(q)
    );
  });

describe.each(databaseKinds())('the statements of one search by name on %s', (kind) => {
  let t: TestApp;
  let caseworker: Client;
  let recording = false;
  const statements: string[] = [];
  const log = (e: LogEvent) => {
    if (recording) statements.push(e.query.sql);
  };

  async function search(name: string) {
    statements.length = 0;
    recording = true;
    const res = await caseworker.get(`${paths.children.list}?${new URLSearchParams({ name })}`);
    recording = false;
    expect(res.status).toBe(200);
    return { body: text(res.body), data: dataStatements(statements), all: statements.length };
  }

  beforeAll(async () => {
    t = await buildTestApp(kind, {}, { log });
    const db = t.database.db;
    // A few children called Testfewname, and many called Testmanyname (a third of them hidden from the caseworker).
    for (let i = 0; i < 3; i++) await addChild(db, `Few${String.fromCharCode(65 + i)}`, 'Testfewname', true);
    for (let i = 0; i < 45; i++) await addChild(db, `Many${String.fromCharCode(65 + (i % 26))}${i >= 26 ? 'x' : ''}`, 'Testmanyname', i % 3 !== 0);
    caseworker = new Client(t.app);
    await caseworker.signIn(CASEWORKER);
  });
  afterAll(() => t?.close());

  it('reads the names, then the candidates with the sharing rule applied, ranked, in one query, however many share the name', async () => {
    const few = await search('testfewname');
    const many = await search('testmanyname');
    // Both searches found what the rule allows: the three, and the thirty of forty-five the caseworker may see.
    expect(few.body).toContain('3 children and young people');
    expect(many.body).toContain('30 children and young people');
    for (const s of [few, many]) {
      // Besides the form's own lists (localities, criteria of the definition of disability), two reads of children.
      const reads = s.data.filter((q) => /\bchildren\b/.test(q));
      expect(reads, s.data.join('\n---\n')).toHaveLength(2);
      for (const q of s.data.filter((x) => !reads.includes(x))) expect(q).toMatch(/^select .* from "(localities|disability_criteria)"/);
      // The first reads names only, never the rule's tables; the second is the one with the rule.
      expect(reads[0]).toMatch(/select distinct "c"\."search_names"/);
      expect(reads[0]).not.toMatch(/\binvolvements\b|\bconsents\b/);
      expect(reads[1]).toMatch(/\binvolvements\b/);
      expect(reads[1]).toMatch(/\bconsent_scopes\b/);
    }
    // Fifteen times the candidates, the same statements.
    expect(many.all).toBe(few.all);
  });
});
