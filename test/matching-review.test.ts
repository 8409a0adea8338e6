// Clerical review and merges on real databases: uncertain pairs go to the queue and are shown side
// by side with the linker's explanation (audited as a read of both children); decisions are kept
// for the linker and never asked again; "same person" merges into the older record without
// losing a value; an unmerge restores both records exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { createChild, fakeNhsNumber, fakeUpn } from './support/register.js';
import { paths } from '../src/paths.js';
import type { Db } from '../src/platform/db/database.js';
import { mergeChildren, unmergeChildren, STALE_MERGE } from '../src/capabilities/linkage/matching-review/merge.js';
import { decide, provenance } from '../src/capabilities/linkage/matching-review/service.js';
import { ValidationError } from '../src/platform/http/errors.js';
import { demoSetup, importFile, photograph } from './fixtures/imports/setup.js';
import type { Source } from '../src/capabilities/linkage/imports/service.js';
import { classify } from '../src/capabilities/linkage/imports/linking.js';
import type { CheckedRow } from '../src/capabilities/linkage/imports/rules.js';

const FINANCE = 'finance@demoshire.example.org';
const CASEWORKER = 'caseworker@demoshire.example.org';

/** The tables that make up two children's records (not the logs of the merge itself). */
const RECORD_TABLES = [
  'children',
  'families',
  'family_members',
  'involvements',
  'consents',
  'consent_scopes',
  'child_criteria',
  'about_me_versions',
  'chronology_events',
  'source_records',
  'child_field_values',
  'lawful_bases',
  'break_glass',
  'key_worker_changes',
  'key_workers',
];
const record = async (db: Db) => {
  const p = await photograph(db);
  return Object.fromEntries(RECORD_TABLES.map((t) => [t, p[t]]));
};

async function addAboutMe(db: Db, childId: string, versions: string[]) {
  for (const [i, what] of versions.entries()) {
    await db
      .insertInto('about_me_versions')
      .values({ child_id: childId, version: i + 1, what_matters: what })
      .execute();
  }
}

describe.each(databaseKinds())('matching review on %s', (kind) => {
  let t: TestApp;
  let social: Source;
  /** The import of test-made uncertain pairs (each a new record and the demo child it was written from). */
  let uncertainImport = '';

  beforeAll(async () => {
    t = await buildTestApp(kind);
    const { extracts, sources } = await demoSetup(t.database.db);
    for (let i = 0; i < 3; i++) await importFile(t.database.db, sources[i]!, extracts[i]!.file, extracts[i]!.csv);
    social = sources[2]!;
  }, 180_000);
  afterAll(() => t?.close());

  /** An extract of two demo children written badly enough that the linker is unsure, with a wide review band. */
  async function uncertainPairs() {
    const kids = await t.database.db
      .selectFrom('children')
      .select(['id', 'given_name', 'family_name', 'date_of_birth'])
      .where('council_id', 'in', ['DEMO-POP-000031', 'DEMO-POP-000047', 'DEMO-POP-000059', 'DEMO-POP-000071'])
      .orderBy('council_id')
      .execute();
    const rows = kids.map((k, i) => {
      const [y, m, d] = k.date_of_birth.split('-');
      const given = `${k.given_name.slice(0, -1)}${k.given_name.endsWith('e') ? 'a' : 'e'}`;
      const family = `${k.family_name.slice(0, 2)}${k.family_name.slice(3, 4)}${k.family_name.slice(2, 3)}${k.family_name.slice(4)}`;
      return [`SCX${i}`, given, family.toUpperCase(), Number(d) <= 12 && d !== m ? `${y}-${d}-${m}` : k.date_of_birth, '', '', ''].join(',');
    });
    const csv = `Person ID,Given Name,Family Name,Date of Birth,Sex,Council Ref,Postcode\r\n${rows.join('\r\n')}\r\n`;
    const out = await importFile(t.database.db, social, `uncertain-${kids.length}.csv`, csv, { matchThreshold: 0.99999, reviewLower: 0.01 });
    return { kids, out };
  }

  it('puts pairs in the review band in the queue; the pair page explains each field; the view is audited as a read of both', async () => {
    const { kids, out } = await uncertainPairs();
    uncertainImport = out.id;
    expect(out.counts.review).toBeGreaterThanOrEqual(2);
    const reviews = await t.database.db.selectFrom('match_reviews').selectAll().where('import_id', '=', out.id).execute();
    expect(reviews.length).toBe(out.counts.review);
    for (const r of reviews) {
      expect(r.probability).toBeGreaterThanOrEqual(0.01);
      expect(r.probability).toBeLessThan(0.99999);
      expect(kids.map((k) => k.id)).toContain(r.child_b);
    }
    const c = new Client(t.app);
    await c.signIn(FINANCE);
    const queue = text((await c.get(paths.matching.queue)).body);
    expect(queue).toContain('Possible matches to review');
    const r = reviews[0]!;
    const page = await c.get(paths.matching.pair(r.id));
    expect(page.status).toBe(200);
    const body = text(page.body);
    const kid = kids.find((k) => k.id === r.child_b)!;
    expect(body).toContain(kid.family_name);
    expect(body).toContain('Demoshire children with disabilities team extract (record SCX');
    expect(body).toMatch(/Given name [^|]*? (Strong|Moderate|Weak|Hardly any) evidence[^|]*? [+−]?\d+\.\d\d/);
    expect(body).toContain('Date of birth');
    expect(body).toContain('Match weight');
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select(['id', 'subject_type', 'subject_id', 'purpose'])
      .where('action', '=', 'matching.pair.view')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ subject_type: 'child', subject_id: r.child_a, purpose: 'clerical review of a possible match' });
    expect((await t.database.db.selectFrom('audit_children').select('child_id').where('audit_id', '=', audit.id).execute()).map((x) => x.child_id)).toEqual([
      r.child_b,
    ]);
  });

  it('a decision is kept for the linker, the pair leaves the queue, and it is never asked again', async () => {
    const pending = await t.database.db
      .selectFrom('match_reviews')
      .selectAll()
      .where('status', '=', 'pending')
      .where('import_id', '=', uncertainImport)
      .orderBy('created_at')
      .execute();
    const [different, unsure] = pending;
    const c = new Client(t.app);
    await c.signIn(FINANCE);
    await c.get(paths.matching.pair(different!.id));
    expect((await c.post(paths.matching.pair(different!.id), {})).status).toBe(400);
    expect((await c.post(paths.matching.pair(different!.id), { decision: 'different', note: 'Different schools and siblings' })).status).toBe(303);
    const decision = await t.database.db.selectFrom('link_decisions').selectAll().where('review_id', '=', different!.id).executeTakeFirstOrThrow();
    expect(decision.decision).toBe('different');
    expect([`${decision.source_a}/${decision.record_a}`, `${decision.source_b}/${decision.record_b}`].sort()).toEqual(
      [`${different!.ref_a_source}/${different!.ref_a_id}`, `${different!.ref_b_source}/${different!.ref_b_id}`].sort(),
    );
    expect(text((await c.get(paths.matching.queue)).body)).not.toContain(paths.matching.pair(different!.id));
    await c.get(paths.matching.pair(different!.id));
    expect(text((await c.post(paths.matching.pair(different!.id), { decision: 'same' })).body)).toContain('This pair has already been decided');

    await c.get(paths.matching.pair(unsure!.id));
    await c.post(paths.matching.pair(unsure!.id), { decision: 'not-sure' });
    expect((await c.get(paths.matching.queue)).body).not.toContain(paths.matching.pair(unsure!.id));
    expect((await c.get(`${paths.matching.queue}?list=not-sure`)).body).toContain(paths.matching.pair(unsure!.id));

    // The same extract again asks nothing new: the decided pair is not put to anyone twice.
    const before = await t.database.db.selectFrom('match_reviews').select('id').execute();
    await uncertainPairs();
    expect((await t.database.db.selectFrom('match_reviews').select('id').execute()).length).toBe(before.length);
    const audit = await t.database.db.selectFrom('audit_log').select(['details']).where('action', '=', 'matching.pair.decide').execute();
    expect(audit.map((a) => (JSON.parse(a.details) as { decision: string }).decision).sort()).toEqual(['different', 'not-sure']);
  });

  it('the linker is given the decisions: a pair decided “different” is neither linked nor asked about again', async () => {
    const db = t.database.db;
    const kid = await db
      .selectFrom('children')
      .select(['id', 'given_name', 'family_name', 'date_of_birth'])
      .where('council_id', '=', 'DEMO-POP-000031')
      .executeTakeFirstOrThrow();
    const row: CheckedRow = {
      row: 1,
      recordId: 'Z1',
      problems: [],
      values: { given_name: `${kid.given_name.slice(0, -1)}x`, family_name: kid.family_name, birth_date: kid.date_of_birth },
    };
    const band = { matchThreshold: 0.99999, reviewLower: 0.01 };
    const first = await classify(db, '00000000-0000-4000-8000-00000000abcd', [row], band);
    const proposal = first.reviews.find((r) => 'child' in r.b && r.b.child === kid.id)!;
    expect(proposal).toBeTruthy();
    expect(first.verdicts[0]!.outcome).toBe('review');
    const [x, y] = [proposal.refA, proposal.refB].sort((p, q) => (`${p.source}\u0000${p.id}` < `${q.source}\u0000${q.id}` ? -1 : 1));
    await db
      .insertInto('link_decisions')
      .values({ source_a: x!.source, record_a: x!.id, source_b: y!.source, record_b: y!.id, decision: 'different' })
      .execute();
    const second = await classify(db, '00000000-0000-4000-8000-00000000abcd', [row], band);
    expect(
      second.reviews.filter(
        (r) =>
          `${r.refA.source}/${r.refA.id}/${r.refB.source}/${r.refB.id}` ===
          `${proposal.refA.source}/${proposal.refA.id}/${proposal.refB.source}/${proposal.refB.id}`,
      ),
    ).toEqual([]);
    expect(second.verdicts[0]!.target).not.toEqual({ child: kid.id });
    await db
      .deleteFrom('link_decisions')
      .where('source_a', '=', x!.source)
      .where('record_a', '=', x!.id)
      .where('source_b', '=', y!.source)
      .where('record_b', '=', y!.id)
      .execute();
  });

  it('“same person” merges into the older record, keeps every value with its source, and the unmerge restores both exactly', async () => {
    const unsure = await t.database.db
      .selectFrom('match_reviews')
      .selectAll()
      .where('status', '=', 'not-sure')
      .where('import_id', '=', uncertainImport)
      .executeTakeFirstOrThrow();
    const before = await record(t.database.db);
    const historyBefore = (await photograph(t.database.db)).child_history!;
    const older = await t.database.db.selectFrom('children').select(['id', 'given_name']).where('id', '=', unsure.child_b).executeTakeFirstOrThrow();
    const newer = await t.database.db.selectFrom('children').select(['id', 'given_name']).where('id', '=', unsure.child_a).executeTakeFirstOrThrow();
    const c = new Client(t.app);
    await c.signIn(FINANCE);
    await c.get(paths.matching.pair(unsure.id));
    expect((await c.post(paths.matching.pair(unsure.id), { decision: 'same' })).status).toBe(303);
    // The older (register) record keeps its id; the newer one is gone; its source record moved.
    expect(await t.database.db.selectFrom('children').select('id').where('id', '=', newer.id).execute()).toEqual([]);
    const moved = await t.database.db.selectFrom('source_records').select(['child_id']).where('record_id', '=', unsure.ref_a_id).executeTakeFirstOrThrow();
    expect(moved.child_id).toBe(older.id);
    const p = await provenance(t.database.db, older.id);
    const given = p.fields.find((f) => f.field === 'given_name')!;
    expect(given.values.map((v) => v.value)).toEqual(expect.arrayContaining([older.given_name, newer.given_name]));
    expect(given.values.find((v) => v.value === older.given_name)!.current).toBe(true);
    expect(given.values.find((v) => v.value === newer.given_name)!.current).toBe(false);

    const merge = await t.database.db.selectFrom('child_merges').select(['id']).where('review_id', '=', unsure.id).executeTakeFirstOrThrow();
    await c.get(paths.matching.merge(merge.id));
    expect((await c.post(paths.matching.unmerge(merge.id), {})).status).toBe(303);
    expect(await record(t.database.db)).toEqual(before);
    // The history keeps every earlier entry, plus the merge and the unmerge.
    const historyAfter = (await photograph(t.database.db)).child_history!;
    expect(historyAfter).toEqual(expect.arrayContaining(historyBefore));
    expect(
      historyAfter
        .filter((h) => !historyBefore.includes(h))
        .map((h) => (JSON.parse((JSON.parse(h) as { changes: string }).changes) as { event: string }).event)
        .sort(),
    ).toEqual(['merged', 'unmerged', 'unmerged']);
    // Undoing is a decision too: the pair is now "different" for the linker.
    expect((await t.database.db.selectFrom('link_decisions').select('decision').where('review_id', '=', unsure.id).executeTakeFirstOrThrow()).decision).toBe(
      'different',
    );
  });

  it('merges two full records (family, consents, involvements, criteria, about me) and unmerges them exactly; a caseworker sees the provenance', async () => {
    const db = t.database.db;
    const a = await createChild(db, {
      givenName: 'Fictiona',
      familyName: 'Testmerge',
      dateOfBirth: '2014-05-06',
      nhsNumber: fakeNhsNumber(7001),
      upn: fakeUpn(7001),
      criteria: ['DEVELOPMENT'],
      involvedOrgCodes: ['DEMO-EDU', 'DEMO-TRUST'],
    });
    const b = await createChild(db, {
      givenName: 'Fiktiona',
      familyName: 'Testmerge',
      dateOfBirth: '2014-05-06',
      nhsNumber: fakeNhsNumber(7002),
      councilId: 'FICTIONAL-7002',
      postcode: 'DM3 1AA',
      criteria: ['DEVELOPMENT', 'CONDITION'],
      involvedOrgCodes: ['DEMO-CSC'],
      keyWorkerEmail: CASEWORKER,
    });
    // b is made later, so a is the older record and is kept.
    await sql`update children set created_at = created_at + interval '1 second' where id = ${b.childId}`.execute(db);
    await addAboutMe(db, a.childId, ['Swimming']);
    await addAboutMe(db, b.childId, ['Music', 'Music and swimming']);
    await db
      .insertInto('chronology_events')
      .values({ child_id: b.childId, occurred_on: '2024-01-01', section: 'social-care', title: 'Short break started' })
      .execute();
    const before = await record(db);

    const merged = await db.transaction().execute((tx) => mergeChildren(tx, b.childId, a.childId, { userId: null }));
    expect(merged).toMatchObject({ keptId: a.childId, mergedId: b.childId });
    const kept = await db.selectFrom('children').selectAll().where('id', '=', a.childId).executeTakeFirstOrThrow();
    expect(kept).toMatchObject({ nhs_number: fakeNhsNumber(7001), upn: fakeUpn(7001), council_id: 'FICTIONAL-7002' });
    expect((await db.selectFrom('involvements').select('organisation_id').where('child_id', '=', a.childId).execute()).length).toBe(3);
    expect((await db.selectFrom('consents').select('id').where('child_id', '=', a.childId).execute()).length).toBe(2);
    // The merged record's consent, which no second person approved, waits for one before it counts for the kept record (ADR 0012).
    expect(await db.selectFrom('consents').select(['id', 'approval']).where('id', '=', b.consentId!).executeTakeFirstOrThrow()).toEqual({
      id: b.consentId,
      approval: 'pending',
    });
    expect(await db.selectFrom('consents').select(['approval']).where('id', '=', a.consentId!).executeTakeFirstOrThrow()).toEqual({ approval: 'approved' });
    expect((await db.selectFrom('child_criteria').select('criterion_id').where('child_id', '=', a.childId).execute()).length).toBe(2);
    expect(
      (await db.selectFrom('about_me_versions').select(['version', 'what_matters']).where('child_id', '=', a.childId).orderBy('version').execute()).map(
        (v) => v.what_matters,
      ),
    ).toEqual(['Swimming', 'Music', 'Music and swimming']);
    expect((await db.selectFrom('family_members').select('id').where('family_id', '=', a.familyId).execute()).length).toBe(2);
    // The kept record had no key worker: the merged record's becomes its own.
    expect(await db.selectFrom('key_workers').select(['child_id', 'user_id']).where('child_id', 'in', [a.childId, b.childId]).execute()).toEqual([
      { child_id: a.childId, user_id: (await db.selectFrom('users').select('id').where('email', '=', CASEWORKER).executeTakeFirstOrThrow()).id },
    ]);
    // Nothing lost: b's NHS number and postcode stay, as alternatives from the merged record.
    const p = await provenance(db, a.childId);
    expect(p.fields.find((f) => f.field === 'nhs_number')!.values).toEqual([
      { value: fakeNhsNumber(7002), current: false, sources: [expect.objectContaining({ name: 'A merged record' })] },
    ]);

    const cw = new Client(t.app);
    await cw.signIn(CASEWORKER);
    const page = text((await cw.get(paths.children.record(a.childId))).body);
    expect(page).toContain('Where this record came from');
    expect(page).toContain(`${fakeNhsNumber(7002)} (alternative)`);

    await db.transaction().execute((tx) => unmergeChildren(tx, merged.mergeId, { userId: null }));
    expect(await record(db)).toEqual(before);
  });

  it('refuses to undo a merge once the kept record has changed since', async () => {
    const db = t.database.db;
    const a = await createChild(db, { givenName: 'Fictionel', familyName: 'Teststale', dateOfBirth: '2013-02-03' });
    const b = await createChild(db, { givenName: 'Fictionel', familyName: 'Teststale', dateOfBirth: '2013-02-03' });
    const m = await db.transaction().execute((tx) => mergeChildren(tx, a.childId, b.childId, { userId: null }));
    await db
      .updateTable('children')
      .set({ communication_needs: 'Uses signs', version: sql<number>`version + 1` })
      .where('id', '=', m.keptId)
      .execute();
    const refused = await db
      .transaction()
      .execute((tx) => unmergeChildren(tx, m.mergeId, { userId: null }))
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).errors[0]!.text).toBe(STALE_MERGE);
  });
  it('two “same person” decisions at once on one pair make exactly one merge; two undos at once undo it once', async () => {
    const db = t.database.db;
    const a = await createChild(db, { givenName: 'Fictionara', familyName: 'Testrace', dateOfBirth: '2012-04-05' });
    const b = await createChild(db, { givenName: 'Fictionare', familyName: 'Testrace', dateOfBirth: '2012-04-05' });
    const review = await db
      .insertInto('match_reviews')
      .values({
        child_a: a.childId,
        child_b: b.childId,
        ref_a_source: 'test',
        ref_a_id: 'RACE-A',
        ref_b_source: 'test',
        ref_b_id: 'RACE-B',
        probability: 0.7,
        explanation: '[]',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const user = (await db.selectFrom('users').select('id').where('email', '=', FINANCE).executeTakeFirstOrThrow()).id;
    const tries = await Promise.allSettled([0, 1].map(() => db.transaction().execute((tx) => decide(tx, review.id, 'same', { userId: user, note: null }))));
    expect(tries.filter((x) => x.status === 'fulfilled').length).toBe(1);
    const refused = (tries.find((x) => x.status === 'rejected') as PromiseRejectedResult).reason as ValidationError;
    expect(refused).toBeInstanceOf(ValidationError);
    expect(refused.errors[0]!.text).toMatch(/^This pair has already been decided/);
    const merges = await db.selectFrom('child_merges').select(['id', 'kept_version_after', 'kept_child_id']).where('review_id', '=', review.id).execute();
    expect(merges.length).toBe(1);
    const kept = await db.selectFrom('children').select('version').where('id', '=', merges[0]!.kept_child_id).executeTakeFirstOrThrow();
    expect(kept.version).toBe(merges[0]!.kept_version_after);
    expect((await db.selectFrom('children').select('id').where('id', 'in', [a.childId, b.childId]).execute()).length).toBe(1);
    // The review pages are addressed by review and merge ids and never show a child's register id.
    const c = new Client(t.app);
    await c.signIn(FINANCE);
    const pages = [
      await c.get(paths.matching.queue),
      await c.get(paths.matching.pair(review.id)),
      await c.get(paths.matching.merges),
      await c.get(paths.matching.merge(merges[0]!.id)),
    ];
    expect(pages.map((p) => p.status)).toEqual([200, 200, 200, 200]);
    for (const id of [a.childId, b.childId]) for (const p of pages) expect(p.body).not.toContain(id);

    const undos = await Promise.allSettled([0, 1].map(() => db.transaction().execute((tx) => unmergeChildren(tx, merges[0]!.id, { userId: null }))));
    expect(undos.filter((x) => x.status === 'fulfilled').length).toBe(1);
    expect(((undos.find((x) => x.status === 'rejected') as PromiseRejectedResult).reason as ValidationError).errors[0]!.text).toBe(
      'This merge has already been undone',
    );
    expect((await db.selectFrom('children').select('id').where('id', 'in', [a.childId, b.childId]).execute()).length).toBe(2);
  });
});
