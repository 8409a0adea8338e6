// Nobody widens their own access alone, after consent by named organisation and withdrawal per
// organisation (ADR 0014), "who has looked" for the information governance lead, and exports
// (issue 19 review). Each test is an attack as one person, or two, would try it over HTTP;
// `lasting` is what the sharing rule gives once any emergency access has ended.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { createChild, fakeNhsNumber, orgByCode } from './support/register.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import type { Db } from '../src/platform/db/database.js';
import { addDays, dateParts } from './support/dates.js';
import { lastingSections, viewerOf } from './support/access.js';
import { SECTION_KEYS } from '../src/capabilities/record/sharing/rules.js';

const CASEWORKER = 'caseworker@demoshire.example.org'; // council education
const PRACTITIONER = 'practitioner@demoshire.example.org'; // NHS trust
const IG = 'ig@demoshire.example.org'; // council education

const lasting = async (db: Db, email: string, childId: string) => lastingSections(db, await viewerOf(db, email), childId);

describe.each(databaseKinds())('consent by named organisation and emergency access cannot widen one’s own access, on %s', (kind) => {
  let t: TestApp;
  let db: Db;
  const today = todayInLondon();
  let nhs = 700;
  const consentForm = (extra: Record<string, string | string[]>) => ({
    givenBy: 'young-person',
    method: 'written',
    evidence: 'Signed form (fictional)',
    ...dateParts('givenOn', today),
    ...dateParts('reviewOn', addDays(today, 300)),
    ...extra,
  });
  const signedIn = async (email: string) => {
    const c = new Client(t.app);
    expect((await c.signIn(email)).status).toBe(303);
    return c;
  };
  const consentsOf = (childId: string) => db.selectFrom('consents').select(['id', 'approval']).where('child_id', '=', childId).orderBy('recorded_at').execute();
  // The trust sees the core record through a consent given by type; council education sees everything.
  const trustSeesCore = (givenName: string) =>
    createChild(db, {
      givenName,
      dateOfBirth: addDays(today, -17 * 366),
      involvedOrgCodes: ['DEMO-EDU', 'DEMO-TRUST'],
      consentScopes: [
        { organisationType: 'nhs-trust', section: 'core' },
        ...SECTION_KEYS.map((section) => ({ organisationType: 'council-education', section })),
      ],
    });

  beforeAll(async () => {
    t = await buildTestApp(kind);
    db = t.database.db;
  });
  afterAll(() => t?.close());

  it('refuses forged organisation scopes: an organisation not working with the child, an inactive one, malformed values', async () => {
    const { childId } = await trustSeesCore('Forga');
    const school = await orgByCode(db, 'DEMO-SCH');
    // An inactive organisation that still has an involvement with the child.
    const gone = await db
      .insertInto('organisations')
      .values({ code: 'GONE-ORG', name: 'Closed provider (fictional)', type: 'provider', active: false })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('involvements').values({ child_id: childId, organisation_id: gone.id, service: 'Closed (fictional)', started_on: today }).execute();
    const trust = await orgByCode(db, 'DEMO-TRUST');
    const c = await signedIn(PRACTITIONER);
    await c.get(paths.children.addConsent(childId));
    const forged = [
      `${school.id}.health`,
      `${gone.id}.core`,
      'garbage',
      trust.id,
      `${trust.id}.nosuch`,
      '.core',
      `${trust.id.toUpperCase()}.health`,
      `school.health`,
    ];
    const res = await c.post(paths.children.addConsent(childId), consentForm({ organisationScope: forged }));
    expect(res.status).toBe(400);
    expect(text(res.body)).toContain('Select at least one organisation, or type of organisation, and part of the record to share');
    expect(await consentsOf(childId)).toHaveLength(1);
    // The form offers only the active organisations working with the child.
    const form = (await c.get(paths.children.addConsent(childId))).body;
    expect(form).not.toContain(school.id);
    expect(form).not.toContain(gone.id);
    expect(await lasting(db, PRACTITIONER, childId)).toEqual(['core']);
  });

  it('holds a consent naming one’s own organisation, alone or with another, and withdrawing the rest does not free it', async () => {
    const { childId } = await trustSeesCore('Nama');
    const [trust, edu] = [await orgByCode(db, 'DEMO-TRUST'), await orgByCode(db, 'DEMO-EDU')];
    const c = await signedIn(PRACTITIONER);
    await c.get(paths.children.addConsent(childId));
    const res = await c.post(
      paths.children.addConsent(childId),
      consentForm({ organisationScope: [...SECTION_KEYS.map((s) => `${trust.id}.${s}`), `${edu.id}.family`] }),
    );
    expect(res.location).toBe(`${paths.children.sharing(childId)}?done=consent-pending`);
    const pending = (await consentsOf(childId))[1]!;
    expect(pending.approval).toBe('pending');
    expect(await lasting(db, PRACTITIONER, childId)).toEqual(['core']);

    // Withdrawn for the other organisation, then for everyone but itself: still waiting, still nothing.
    await c.get(paths.children.withdrawConsent(childId, pending.id));
    const w = await c.post(paths.children.withdrawConsent(childId, pending.id), { withdrawFor: 'one', organisationId: edu.id, reason: 'Asked (fictional)' });
    expect(w.status).toBe(303);
    expect((await consentsOf(childId))[1]!.approval).toBe('pending');
    expect(await lasting(db, PRACTITIONER, childId)).toEqual(['core']);
    // Nor can they approve it themselves.
    await c.get(paths.children.sharing(childId));
    expect((await c.post(paths.register.sharingApprovals, { kind: 'consent', id: pending.id, decision: 'approve', note: 'Mine' })).status).toBe(403);
    expect((await c.get(paths.children.family(childId))).status).toBe(404);
  });

  it('holds a consent by type for one’s own type even when it is withdrawn for one’s own organisation, and refuses withdrawing for an organisation it does not cover', async () => {
    const { childId } = await trustSeesCore('Dodga');
    const [trust, school] = [await orgByCode(db, 'DEMO-TRUST'), await orgByCode(db, 'DEMO-SCH')];
    const c = await signedIn(PRACTITIONER);
    await c.get(paths.children.addConsent(childId));
    await c.post(paths.children.addConsent(childId), consentForm({ scope: SECTION_KEYS.map((s) => `nhs-trust.${s}`) }));
    const pending = (await consentsOf(childId))[1]!;
    expect(pending.approval).toBe('pending');
    await c.get(paths.children.withdrawConsent(childId, pending.id));
    const own = await c.post(paths.children.withdrawConsent(childId, pending.id), {
      withdrawFor: 'one',
      organisationId: trust.id,
      reason: 'To dodge (fictional)',
    });
    expect(own.status).toBe(303);
    expect((await consentsOf(childId))[1]!.approval).toBe('pending');
    for (const organisationId of [school.id, 'not-an-id', (await consentsOf(childId))[0]!.id]) {
      await c.get(paths.children.withdrawConsent(childId, pending.id));
      const res = await c.post(paths.children.withdrawConsent(childId, pending.id), { withdrawFor: 'one', organisationId, reason: 'Forged (fictional)' });
      expect(res.status).toBe(400);
      expect(text(res.body)).toContain('Select an organisation this consent still covers');
    }
    const withdrawals = await db.selectFrom('consent_withdrawals').select('organisation_id').where('consent_id', '=', pending.id).execute();
    expect(withdrawals.map((w) => w.organisation_id)).toEqual([trust.id]);
    expect(await lasting(db, PRACTITIONER, childId)).toEqual(['core']);
  });

  it('does not let an approver who works cases in an organisation the consent names approve it', async () => {
    const ig = await viewerOf(db, IG);
    await db.insertInto('user_roles').values({ user_id: ig.userId, role: 'practitioner' }).execute();
    try {
      const { childId } = await trustSeesCore('Appra');
      const [trust, edu] = [await orgByCode(db, 'DEMO-TRUST'), await orgByCode(db, 'DEMO-EDU')];
      const c = await signedIn(PRACTITIONER);
      await c.get(paths.children.addConsent(childId));
      // Waits because it names the trust; it also names council education, the approver's organisation, by name only.
      await c.post(paths.children.addConsent(childId), consentForm({ organisationScope: [`${trust.id}.health`, `${edu.id}.health`] }));
      const pending = (await consentsOf(childId))[1]!;
      const approver = await signedIn(IG);
      await approver.get(paths.register.sharingApprovals);
      const res = await approver.post(paths.register.sharingApprovals, {
        kind: 'consent',
        id: pending.id,
        decision: 'approve',
        note: 'For my team (fictional)',
      });
      expect(res.status).toBe(400);
      expect(text(res.body)).toContain('It would widen what you can see yourself');
      expect((await consentsOf(childId))[1]!.approval).toBe('pending');
    } finally {
      await db.deleteFrom('user_roles').where('user_id', '=', ig.userId).where('role', '=', 'practitioner').execute();
    }
  });

  it('refuses a consent without its CSRF token, and decides nothing by GET or another method', async () => {
    const { childId } = await trustSeesCore('Methoda');
    const trust = await orgByCode(db, 'DEMO-TRUST');
    const c = await signedIn(PRACTITIONER);
    await c.get(paths.children.addConsent(childId));
    const form = consentForm({ organisationScope: [`${trust.id}.family`] });
    expect((await c.post(paths.children.addConsent(childId), form, { csrf: false })).status).toBe(403);
    expect(await consentsOf(childId)).toHaveLength(1);
    expect((await c.post(paths.children.addConsent(childId), form)).location).toBe(`${paths.children.sharing(childId)}?done=consent-pending`);
    const pending = (await consentsOf(childId))[1]!;
    // The approval as a link (GET with the form in the query) or another method decides nothing.
    const ig = await signedIn(IG);
    const query = new URLSearchParams({ kind: 'consent', id: pending.id, decision: 'approve', note: 'By link (fictional)', _csrf: ig.csrf ?? '' });
    expect((await ig.get(`${paths.register.sharingApprovals}?${query}`)).status).toBe(200);
    for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
      const res = await t.app.inject({
        method,
        url: paths.register.sharingApprovals,
        payload: query.toString(),
        headers: { cookie: ig.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res.statusCode, method).toBeGreaterThanOrEqual(400);
    }
    expect((await consentsOf(childId))[1]!.approval).toBe('pending');
    expect(await lasting(db, PRACTITIONER, childId)).toEqual(['core']);
  });

  it('refuses a consent naming one’s own organisation, and a withdrawal, through emergency access', async () => {
    const { childId, consentId } = await createChild(db, {
      givenName: 'Glasso',
      nhsNumber: fakeNhsNumber(nhs++),
      involvedOrgCodes: ['DEMO-EDU'],
      consentScopes: SECTION_KEYS.map((section) => ({ organisationType: 'council-education', section })),
    });
    const trust = await orgByCode(db, 'DEMO-TRUST');
    const c = await signedIn(PRACTITIONER);
    await c.get(paths.children.emergencyAccess(childId));
    expect((await c.post(paths.children.emergencyAccess(childId), { reason: 'Seen in A&E today, need the plan (fictional)', hours: '1' })).status).toBe(303);
    expect((await c.get(paths.children.addConsent(childId))).status).toBe(403);
    const consent = await c.post(paths.children.addConsent(childId), consentForm({ organisationScope: SECTION_KEYS.map((s) => `${trust.id}.${s}`) }));
    expect(consent.status).toBe(403);
    expect((await c.get(paths.children.withdrawConsent(childId, consentId!))).status).toBe(403);
    const withdraw = await c.post(paths.children.withdrawConsent(childId, consentId!), { withdrawFor: 'everyone', reason: 'Cover my tracks (fictional)' });
    expect(withdraw.status).toBe(403);
    expect(await consentsOf(childId)).toEqual([{ id: consentId, approval: 'approved' }]);
    expect(await db.selectFrom('consents').select('withdrawn_at').where('id', '=', consentId!).executeTakeFirstOrThrow()).toEqual({ withdrawn_at: null });
  });
  it('keeps a child reached only through emergency access out of exports: a file would outlast the access', async () => {
    const { childId } = await createChild(db, {
      givenName: 'Exporta',
      nhsNumber: fakeNhsNumber(nhs++),
      involvedOrgCodes: ['DEMO-EDU'],
      consentScopes: SECTION_KEYS.map((section) => ({ organisationType: 'council-education', section })),
    });
    const c = await signedIn(PRACTITIONER);
    await c.get(paths.children.emergencyAccess(childId));
    expect((await c.post(paths.children.emergencyAccess(childId), { reason: 'Seen in A&E today, need the plan (fictional)', hours: '1' })).status).toBe(303);
    expect((await c.get(paths.children.record(childId))).status).toBe(200);
    const csv = await c.get(`${paths.children.export}?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.body).not.toContain('Exporta');
    // Nor by name, which is read another way; the list itself still shows the child while the access lasts.
    expect((await c.get(`${paths.children.export}?format=csv&name=Exporta`)).body).not.toContain('Exporta');
    expect((await c.get(`${paths.children.list}?name=Exporta`)).body).toContain(childId);
    // Someone who may see the child by consent still exports it.
    const cw = await signedIn(CASEWORKER);
    expect((await cw.get(`${paths.children.export}?format=csv`)).body).toContain('Exporta');
  });

  it('opens "who has looked" to an information governance lead for others’ emergency access, not for their own once it has ended', async () => {
    const ig = await viewerOf(db, IG);
    await db.insertInto('user_roles').values({ user_id: ig.userId, role: 'practitioner' }).execute();
    try {
      const { childId } = await createChild(db, {
        givenName: 'Lastia',
        nhsNumber: fakeNhsNumber(nhs++),
        involvedOrgCodes: ['DEMO-TRUST'],
        consentScopes: [{ organisationType: 'nhs-trust', section: 'core' }],
      });
      const c = await signedIn(IG);
      await c.get(paths.children.emergencyAccess(childId));
      expect((await c.post(paths.children.emergencyAccess(childId), { reason: 'An urgent fictional safeguarding call', hours: '1' })).status).toBe(303);
      expect((await c.get(paths.children.whoHasLooked(childId))).status).toBe(200);
      // The review list does not send them to their own.
      expect(text((await c.get(paths.register.emergencyAccessReview)).body)).toContain(
        'Your own emergency access: another information governance lead reviews it',
      );
      await db.updateTable('break_glass').set({ expires_at: new Date() }).where('child_id', '=', childId).execute();
      // Their own emergency access, ended, leaves nothing open: not the record, not its "who has looked".
      expect((await c.get(paths.children.record(childId))).status).toBe(404);
      const after = await c.get(paths.children.whoHasLooked(childId));
      expect(after.status).toBe(404);
      expect(after.body).not.toContain('Lastia');
      // Someone else's emergency access to the same child still opens it to them, to review.
      const p = await signedIn(PRACTITIONER);
      await p.get(paths.children.emergencyAccess(childId));
      await db.deleteFrom('involvements').where('child_id', '=', childId).execute();
      expect((await p.post(paths.children.emergencyAccess(childId), { reason: 'Seen in A&E today, need the plan (fictional)', hours: '1' })).status).toBe(303);
      const review = await c.get(paths.children.whoHasLooked(childId));
      expect(review.status).toBe(200);
      expect(text(review.body)).toContain('Lastia');
    } finally {
      await db.deleteFrom('user_roles').where('user_id', '=', ig.userId).where('role', '=', 'practitioner').execute();
    }
  });
});
