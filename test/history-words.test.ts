// History that explains itself (issue 19, item 3), on real databases: every audit action name
// used in src/ has plain words for "who has looked"; merge and unmerge read as such in the
// child's history; a request the sharing rule refuses is recorded (denied, kept although the
// request failed) and shown to the information governance lead.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { createChild, fakeNhsNumber } from './support/register.js';
import { paths } from '../src/paths.js';
import { SECTION_KEYS } from '../src/capabilities/record/sharing/rules.js';
import { ACTION_WORDS, describeAction } from '../src/capabilities/record/sharing/presenters.js';
import { historyEntries } from '../src/capabilities/record/children/presenters.js';

const IG = 'ig@demoshire.example.org';
const PRACTITIONER = 'practitioner@demoshire.example.org';

/** Audit action names written outside the route table: appendAudit's `action:` and auditDenied's third argument. */
function actionNamesInSource(dir = 'src'): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...actionNamesInSource(path));
    else if (path.endsWith('.ts') && !path.endsWith('.test.ts')) {
      const source = readFileSync(path, 'utf8');
      for (const m of source.matchAll(/\baction: '([a-z0-9.-]+)'/g)) out.push(m[1]!);
      for (const m of source.matchAll(/auditDenied\([^,]+,\s*[^,]+,\s*'([a-z0-9.-]+)'/g)) out.push(m[1]!);
    }
  }
  return out;
}

describe('plain words for every audited action', () => {
  it('has words in the one table for every audit action name used in src/', async () => {
    const t = await buildTestApp('pglite', {}, { demo: false });
    try {
      const names = new Set([...t.app.declaredRoutes.map((r) => r.audit), ...actionNamesInSource()]);
      expect(names.size).toBeGreaterThan(150);
      expect([...names].filter((n) => !(n in ACTION_WORDS)).sort()).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('says what referral, panel, decision, matching and import actions did, never an internal name', () => {
    for (const words of Object.values(ACTION_WORDS)) {
      expect(words).toMatch(/^[A-Z]/);
      expect(words).not.toMatch(/[a-z]\.[a-z]/);
    }
    expect(describeAction('matching.unmerge')).toBe('Undid a merge of two records');
    expect(describeAction('panels.papers.view')).not.toBe('Looked at');
  });

  it('tells merge and unmerge apart from other changes in the history', () => {
    const row = (changes: object) => ({ id: '1', at: new Date(), changes: JSON.stringify(changes), display_name: 'Demo Caseworker', organisation_name: null });
    expect(
      historyEntries([
        row({ event: 'merged', merged: 'x', merge: 'm', filled: [] }),
        row({ event: 'unmerged', restored: 'x', merge: 'm' }),
        row({ event: 'imported', source: 'Health extract' }),
        row({ event: 'import', source: 'Health extract', changes: [{ field: 'given_name', before: 'Sam', after: 'Samuel' }] }),
      ]).map((e) => e.summary),
    ).toEqual(['Merged with another record', 'Merge undone', 'Added to the register from Health extract', 'Updated from Health extract']);
  });
});

describe.each(databaseKinds())('requests the sharing rule refuses, on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
  });
  afterAll(() => t?.close());

  it('records the refusal, although nothing was shown, and shows it to the information governance lead', async () => {
    const db = t.database.db;
    const { childId } = await createChild(db, {
      givenName: 'Refusa',
      nhsNumber: fakeNhsNumber(911),
      involvedOrgCodes: ['DEMO-EDU'],
      consentScopes: SECTION_KEYS.map((section) => ({ organisationType: 'council-education', section })),
    });
    const practitioner = new Client(t.app);
    await practitioner.signIn(PRACTITIONER);
    // The trust does not work with the child: not found, as if there were no such child ...
    expect((await practitioner.get(paths.children.record(childId))).status).toBe(404);
    // ... but the attempt is kept.
    const refused = await db
      .selectFrom('audit_log')
      .select(['action', 'result', 'details'])
      .where('subject_type', '=', 'child')
      .where('subject_id', '=', childId)
      .where('result', '=', 'denied')
      .execute();
    expect(refused.map((r) => r.action)).toEqual(['children.record.view']);
    expect(JSON.parse(refused[0]!.details)).toMatchObject({ reason: 'refused by the sharing rule' });

    // A made-up reference is not a refusal about a child.
    const before = await db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('result', '=', 'denied')
      .executeTakeFirstOrThrow();
    expect((await practitioner.get(paths.children.record('00000000-0000-4000-8000-000000000000'))).status).toBe(404);
    const after = await db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('result', '=', 'denied')
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));

    const ig = new Client(t.app);
    await ig.signIn(IG);
    const review = text((await ig.get(paths.register.emergencyAccessReview)).body);
    expect(review).toContain('Requests refused by the sharing rule');
    expect(review).toMatch(new RegExp(`Demo Practitioner .*Looked at the core record .*${childId}`));
  });
});
