// Consent and sharing, lawful bases, emergency access, its review, and "who has looked", over
// HTTP on both databases: what people see, what is refused and why, what is stored and audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { createChild, fakeNhsNumber, fakeUpn, orgByCode, userIdByEmail } from './support/register.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import { appendAudit } from '../src/platform/audit/audit.js';
import { whoHasLooked } from '../src/capabilities/record/sharing/service.js';
import { addDays, dateParts } from './support/dates.js';

const CASEWORKER = 'caseworker@demoshire.example.org'; // council education
const KEYWORKER = 'keyworker@demoshire.example.org'; // council social care
const PRACTITIONER = 'practitioner@demoshire.example.org'; // NHS trust
const COMMISSIONER = 'commissioner@demoshire.example.org';
const IG = 'ig@demoshire.example.org';

const errorSummary = (html: string) => {
  const m = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html);
  return m ? text(m[0]).trim() : '';
};

describe.each(databaseKinds())('consent and sharing on %s', (kind) => {
  let t: TestApp;
  const today = todayInLondon();
  // One signed-in client per person for the whole file (sign-in is rate limited).
  const clients = new Map<string, Client>();
  const signedIn = async (email: string) => {
    const known = clients.get(email);
    if (known) return known;
    const c = new Client(t.app);
    const res = await c.signIn(email);
    expect(res.status).toBe(303);
    clients.set(email, c);
    return c;
  };
  const audit = (action: string, subjectId?: string) => {
    let q = t.database.db.selectFrom('audit_log').selectAll().where('action', '=', action);
    if (subjectId) q = q.where('subject_id', '=', subjectId);
    return q.orderBy('id').execute();
  };
  const consentForm = (extra: Record<string, string | string[]> = {}) => ({
    givenBy: 'parent',
    method: 'written',
    evidence: 'Signed form scanned to the case file',
    ...dateParts('givenOn', addDays(today, -3)),
    ...dateParts('reviewOn', addDays(today, 362)),
    scope: ['council-education.core', 'council-education.education', 'nhs-trust.core', 'nhs-trust.health'],
    ...extra,
  });

  beforeAll(async () => {
    t = await buildTestApp(kind);
  });
  afterAll(() => t?.close());

  describe('the sharing page', () => {
    it('lists consents with their scope, who can see the record now, and audits the view', async () => {
      const { childId } = await createChild(t.database.db, {
        givenName: 'Sami',
        familyName: 'Testfamily',
        involvedOrgCodes: ['DEMO-EDU', 'DEMO-TRUST'],
        consentScopes: [
          { organisationType: 'council-education', section: 'core' },
          { organisationType: 'council-education', section: 'education' },
          { organisationType: 'nhs-trust', section: 'health' },
        ],
      });
      const c = await signedIn(CASEWORKER);
      const res = await c.get(paths.children.sharing(childId));
      expect(res.status).toBe(200);
      const page = text(res.body);
      expect(page).toContain('Consent and sharing');
      // The caseworker may not see the family section here, so the parent is not named.
      expect(page).toContain('A parent or carer with parental responsibility');
      expect(page).not.toContain('Pat Testfamily');
      expect(page).toContain('In writing');
      expect(page).toContain('What this consent shares');
      expect(page).toMatch(/Council: education \(SEND\) \(any\) Yes No Yes No No No/);
      expect(page).toMatch(/NHS trust \(any\) No No No Yes No No/);
      // The trust has health but not the core record: it cannot see the child.
      expect(page).toMatch(/Demoshire Community Health NHS Trust \(fictional\) Cannot see the record/);
      expect(page).toMatch(/Demoshire Council: SEND and inclusion \(fictional\) Core record, Education/);
      expect(page).toContain('No lawful basis has been recorded.');
      expect(page).toContain('No one has used emergency access to this record.');
      expect(res.body).toContain('aria-current="page"');
      const entry = (await audit('child.sharing.view', childId)).at(-1)!;
      expect(entry).toMatchObject({ subject_type: 'child', result: 'allowed' });

      // The trust's practitioner, and anyone whose organisation is not involved, find nothing there.
      expect((await (await signedIn(PRACTITIONER)).get(paths.children.sharing(childId))).status).toBe(404);
      expect((await (await signedIn(KEYWORKER)).get(paths.children.sharing(childId))).status).toBe(404);
      expect((await (await signedIn(COMMISSIONER)).get(paths.children.sharing(childId))).status).toBe(403);
    });

    it('shows a review that is due', async () => {
      const { childId, consentId } = await createChild(t.database.db, { givenName: 'Rory', involvedOrgCodes: ['DEMO-EDU'] });
      await t.database.db
        .updateTable('consents')
        .set({ review_on: addDays(today, -1) })
        .where('id', '=', consentId!)
        .execute();
      const page = text((await (await signedIn(CASEWORKER)).get(paths.children.sharing(childId))).body);
      expect(page).toContain('Review due');
      expect(page).toContain(`(review due)`);
    });
  });

  describe('recording consent', () => {
    it('offers the parents with parental responsibility, records the consent and its scope, and audits it', async () => {
      const db = t.database.db;
      const { childId, familyId } = await createChild(db, { givenName: 'Noor', involvedOrgCodes: ['DEMO-EDU', 'DEMO-TRUST'] });
      const other = await db
        .insertInto('family_members')
        .values({ family_id: familyId, full_name: 'Chris Testfamily', relationship: 'step-parent', parental_responsibility: false })
        .returning('id')
        .executeTakeFirstOrThrow();
      const c = await signedIn(CASEWORKER);
      const form = await c.get(paths.children.addConsent(childId));
      expect(form.status).toBe(200);
      expect(text(form.body)).toContain('Pat Testfamily (mother)');
      expect(text(form.body)).not.toContain('Chris Testfamily');
      expect(form.body).toContain('value="nhs-trust.health"');

      const parent = await db
        .selectFrom('family_members')
        .select('id')
        .where('family_id', '=', familyId)
        .where('parental_responsibility', '=', true)
        .executeTakeFirstOrThrow();
      // Someone without parental responsibility cannot be chosen.
      const wrong = await c.post(paths.children.addConsent(childId), consentForm({ memberId: other.id }));
      expect(wrong.status).toBe(400);
      expect(errorSummary(wrong.body)).toContain('Select a parent or carer with parental responsibility from the list');

      const before = await db.selectFrom('consents').select('id').where('child_id', '=', childId).execute();
      const res = await c.post(paths.children.addConsent(childId), consentForm({ memberId: parent.id }));
      expect(res.status).toBe(303);
      // It covers the caseworker's own type of organisation (council education): a second person approves it (ADR 0012).
      expect(res.location).toBe(`${paths.children.sharing(childId)}?done=consent-pending`);
      const after = await db.selectFrom('consents').selectAll().where('child_id', '=', childId).orderBy('recorded_at').execute();
      expect(after).toHaveLength(before.length + 1);
      const added = after.find((k) => !before.some((b) => b.id === k.id))!;
      expect(added).toMatchObject({
        given_by: 'parent',
        given_by_member_id: parent.id,
        given_on: addDays(today, -3),
        review_on: addDays(today, 362),
        method: 'written',
        evidence: 'Signed form scanned to the case file',
        recorded_by: await userIdByEmail(db, CASEWORKER),
        withdrawn_at: null,
        approval: 'pending',
      });
      const scopes = await db.selectFrom('consent_scopes').select(['organisation_type', 'section']).where('consent_id', '=', added.id).execute();
      expect(scopes.map((s) => `${s.organisation_type}.${s.section}`).sort()).toEqual([
        'council-education.core',
        'council-education.education',
        'nhs-trust.core',
        'nhs-trust.health',
      ]);
      const entry = (await audit('child.consent.add', childId)).at(-1)!;
      expect(entry.subject_type).toBe('child');
      expect(JSON.parse(entry.details)).toMatchObject({ consentId: added.id, givenBy: 'parent' });
      const page = text((await c.get(res.location!)).body);
      expect(page).toContain('Consent recorded. It covers your own organisation, so it counts only once the information governance lead approves it');
      expect(page).toContain('Signed form scanned to the case file');
    });

    it('refuses a young person under 16, a missing capacity note, no scope, a future date and an early review, storing nothing', async () => {
      const db = t.database.db;
      const { childId } = await createChild(db, { givenName: 'Ivo', dateOfBirth: addDays(today, -(14 * 365 + 30)), involvedOrgCodes: ['DEMO-EDU'] });
      const count = async () => (await db.selectFrom('consents').select('id').where('child_id', '=', childId).execute()).length;
      const before = await count();
      const c = await signedIn(CASEWORKER);
      await c.get(paths.children.addConsent(childId));

      const young = await c.post(paths.children.addConsent(childId), consentForm({ givenBy: 'young-person' }));
      expect(young.status).toBe(400);
      expect(errorSummary(young.body)).toContain(
        'The young person was 14 on the date consent was given. Young people can give consent for themselves only from 16',
      );
      // What was typed is kept.
      expect(young.body).toMatch(/value="council-education\.education" checked/);

      const noNote = await c.post(paths.children.addConsent(childId), consentForm({ givenBy: 'decision-maker', capacityNote: '  ' }));
      expect(noNote.status).toBe(400);
      expect(errorSummary(noNote.body)).toContain('Enter the capacity note: who decided, and why the young person cannot decide for themselves');

      const noScope = await c.post(
        paths.children.addConsent(childId),
        consentForm({ givenBy: 'decision-maker', capacityNote: 'Decided by the deputy', scope: [] }),
      );
      expect(noScope.status).toBe(400);
      expect(errorSummary(noScope.body)).toContain('Select at least one organisation, or type of organisation, and part of the record to share');

      const future = await c.post(
        paths.children.addConsent(childId),
        consentForm({ givenBy: 'decision-maker', capacityNote: 'Decided by the deputy', ...dateParts('givenOn', addDays(today, 1)) }),
      );
      expect(future.status).toBe(400);
      expect(errorSummary(future.body)).toContain('The date consent was given must be today or in the past');

      const early = await c.post(
        paths.children.addConsent(childId),
        consentForm({ givenBy: 'decision-maker', capacityNote: 'Decided by the deputy', ...dateParts('reviewOn', addDays(today, -3)) }),
      );
      expect(early.status).toBe(400);
      expect(errorSummary(early.body)).toContain('The review date must be after the date consent was given');

      const nothing = await c.post(paths.children.addConsent(childId), { givenBy: '', scope: [] });
      expect(nothing.status).toBe(400);
      expect(errorSummary(nothing.body)).toBe(
        'There is a problem Select who gave consent Enter the date consent was given Select how consent was given Enter the date to review consent Select at least one organisation, or type of organisation, and part of the record to share',
      );
      expect(await count()).toBe(before);

      // A decision-maker with a note is accepted.
      const ok = await c.post(paths.children.addConsent(childId), consentForm({ givenBy: 'decision-maker', capacityNote: 'Decided by the appointed deputy' }));
      expect(ok.status).toBe(303);
      expect(await count()).toBe(before + 1);
    });

    it('accepts consent from a young person of 16 or over', async () => {
      const db = t.database.db;
      const { childId } = await createChild(db, { givenName: 'Jude', dateOfBirth: addDays(today, -(17 * 365)), involvedOrgCodes: ['DEMO-EDU'] });
      const c = await signedIn(CASEWORKER);
      await c.get(paths.children.addConsent(childId));
      const res = await c.post(paths.children.addConsent(childId), consentForm({ givenBy: 'young-person' }));
      expect(res.status).toBe(303);
      const rows = await db
        .selectFrom('consents')
        .select(['given_by', 'given_by_member_id'])
        .where('child_id', '=', childId)
        .where('given_by', '=', 'young-person')
        .execute();
      expect(rows.length).toBeGreaterThanOrEqual(1);
    });

    it('cannot be recorded by someone who may only view, or who cannot see the child', async () => {
      const { childId } = await createChild(t.database.db, { givenName: 'Tao', involvedOrgCodes: ['DEMO-EDU'] });
      const commissioner = await signedIn(COMMISSIONER);
      expect((await commissioner.get(paths.children.addConsent(childId))).status).toBe(403);
      const keyworker = await signedIn(KEYWORKER);
      expect((await keyworker.get(paths.children.addConsent(childId))).status).toBe(404);
      const post = await keyworker.post(paths.children.addConsent(childId), consentForm());
      expect(post.status).toBe(404);
    });
  });

  describe('withdrawing consent', () => {
    it('takes effect on the very next request of someone who could see the child', async () => {
      const db = t.database.db;
      const { childId, consentId } = await createChild(db, { givenName: 'Wren', involvedOrgCodes: ['DEMO-EDU', 'DEMO-TRUST'] });
      // The council also holds a lawful basis, so the caseworker keeps access after the withdrawal.
      const edu = await orgByCode(db, 'DEMO-EDU');
      await db
        .insertInto('lawful_bases')
        .values({
          child_id: childId,
          organisation_id: edu.id,
          basis: 'public-task',
          sections: ['core'],
          explanation: 'Statutory EHC duties (test)',
          decided_on: addDays(today, -10),
        })
        .execute();
      const practitioner = await signedIn(PRACTITIONER);
      expect((await practitioner.get(paths.children.sharing(childId))).status).toBe(200);

      const c = await signedIn(CASEWORKER);
      const form = await c.get(paths.children.withdrawConsent(childId, consentId!));
      expect(form.status).toBe(200);
      expect(text(form.body)).toContain('Withdrawing takes effect at once');
      const noReason = await c.post(paths.children.withdrawConsent(childId, consentId!), { withdrawFor: 'everyone', reason: '' });
      expect(noReason.status).toBe(400);
      expect(errorSummary(noReason.body)).toContain('Enter why consent is being withdrawn');
      expect((await practitioner.get(paths.children.sharing(childId))).status).toBe(200);

      const res = await c.post(paths.children.withdrawConsent(childId, consentId!), { withdrawFor: 'everyone', reason: 'Parent phoned to withdraw consent' });
      expect(res.status).toBe(303);
      expect(res.location).toBe(`${paths.children.sharing(childId)}?done=withdrawn`);
      // The very next request of the practitioner is refused, as if the child did not exist.
      const next = await practitioner.get(paths.children.sharing(childId));
      expect(next.status).toBe(404);
      expect(text(next.body)).toContain('Page not found');
      expect(text(next.body)).not.toContain('Wren');

      const row = await db.selectFrom('consents').select(['withdrawn_at', 'withdrawn_reason']).where('id', '=', consentId!).executeTakeFirstOrThrow();
      expect(row.withdrawn_at).not.toBeNull();
      expect(row.withdrawn_reason).toBe('Parent phoned to withdraw consent');
      const page = text((await c.get(res.location!)).body);
      expect(page).toContain('Consent withdrawn. It took effect at once.');
      expect(page).toContain('Withdrawn');
      expect(page).toContain('Parent phoned to withdraw consent');
      expect(JSON.parse((await audit('child.consent.withdraw', childId)).at(-1)!.details)).toMatchObject({ consentId });
      // Withdrawing again is refused: nothing changes.
      const again = await c.post(paths.children.withdrawConsent(childId, consentId!), { withdrawFor: 'everyone', reason: 'Again' });
      expect(again.status).toBe(400);
      expect(errorSummary(again.body)).toContain('This consent has already been withdrawn');
      expect(text(again.body)).toContain('This consent was withdrawn on');
      expect((await db.selectFrom('consents').select('withdrawn_reason').where('id', '=', consentId!).executeTakeFirstOrThrow()).withdrawn_reason).toBe(
        'Parent phoned to withdraw consent',
      );
    });

    it('tells the person who withdrew it when they have lost access themselves', async () => {
      const { childId, consentId } = await createChild(t.database.db, { givenName: 'Lake', involvedOrgCodes: ['DEMO-EDU'] });
      const c = await signedIn(CASEWORKER);
      await c.get(paths.children.withdrawConsent(childId, consentId!));
      const res = await c.post(paths.children.withdrawConsent(childId, consentId!), { withdrawFor: 'everyone', reason: 'The young person withdrew consent' });
      expect(res.status).toBe(200);
      expect(text(res.body)).toContain('Consent withdrawn');
      expect(text(res.body)).toContain('you can no longer open it');
      expect(text(res.body)).not.toContain('Lake');
      expect((await c.get(paths.children.sharing(childId))).status).toBe(404);
    });
  });

  describe('consent per named organisation (ADR 0014)', () => {
    it('names organisations working with the child, shares with them alone, and is withdrawn for one while it stands for the others', async () => {
      const db = t.database.db;
      const edu = await orgByCode(db, 'DEMO-EDU');
      const trust = await orgByCode(db, 'DEMO-TRUST');
      const school = await orgByCode(db, 'DEMO-SCH');
      const provider = await orgByCode(db, 'DEMO-PROV');
      const { childId, familyMemberId } = await createChild(db, {
        givenName: 'Ffion',
        involvedOrgCodes: ['DEMO-EDU', 'DEMO-TRUST', 'DEMO-SCH'],
        consentScopes: [{ organisationType: 'council-education', section: 'core' }],
      });
      const c = await signedIn(CASEWORKER);
      const practitioner = await signedIn(PRACTITIONER);
      expect((await practitioner.get(paths.children.record(childId))).status).toBe(404);

      // The form offers, by name, the organisations working with the child and no others.
      const form = await c.get(paths.children.addConsent(childId));
      expect(form.body).toContain(`value="${trust.id}.health"`);
      expect(form.body).toContain(`value="${school.id}.core"`);
      expect(form.body).not.toContain(`value="${provider.id}.core"`);
      // A forged name of an organisation not working with the child counts for nothing.
      const forged = await c.post(
        paths.children.addConsent(childId),
        consentForm({ memberId: familyMemberId!, scope: [], organisationScope: [`${provider.id}.core`] }),
      );
      expect(forged.status).toBe(400);
      expect(errorSummary(forged.body)).toContain('Select at least one organisation, or type of organisation, and part of the record to share');

      // Naming the trust only: it does not widen the caseworker's own access, so it counts at once.
      const named = await c.post(
        paths.children.addConsent(childId),
        consentForm({ memberId: familyMemberId!, scope: [], organisationScope: [`${trust.id}.core`, `${trust.id}.health`] }),
      );
      expect(errorSummary(named.body)).toBe('');
      expect(named.status).toBe(303);
      expect(named.location).toBe(`${paths.children.sharing(childId)}?done=consent`);
      const consent = await db
        .selectFrom('consents')
        .select(['id', 'approval'])
        .where('child_id', '=', childId)
        .orderBy('recorded_at', 'desc')
        .executeTakeFirstOrThrow();
      expect(consent.approval).toBe('approved');
      expect(
        await db
          .selectFrom('consent_organisation_scopes')
          .select(['organisation_id', 'section'])
          .where('consent_id', '=', consent.id)
          .orderBy('section')
          .execute(),
      ).toEqual([
        { organisation_id: trust.id, section: 'core' },
        { organisation_id: trust.id, section: 'health' },
      ]);
      expect((await practitioner.get(paths.children.record(childId))).status).toBe(200);
      const sharing = text((await c.get(paths.children.sharing(childId))).body);
      expect(sharing).toContain(`${trust.name} (named)`);
      expect(sharing).toContain(`${trust.name} Core record, Health`);

      // Naming the caseworker's own organisation widens their access: it waits for a second person (ADR 0012).
      const own = await c.post(
        paths.children.addConsent(childId),
        consentForm({ memberId: familyMemberId!, scope: [], organisationScope: [`${edu.id}.family`] }),
      );
      expect(own.location).toBe(`${paths.children.sharing(childId)}?done=consent-pending`);

      // Withdrawn for the school, which this consent does not cover: refused, nothing stored.
      const notCovered = await c.post(paths.children.withdrawConsent(childId, consent.id), { withdrawFor: 'one', organisationId: school.id, reason: 'Asked' });
      expect(notCovered.status).toBe(400);
      expect(errorSummary(notCovered.body)).toContain('Select an organisation this consent still covers');
      // The withdraw page offers only the trust.
      const withdrawPage = await c.get(paths.children.withdrawConsent(childId, consent.id));
      expect(withdrawPage.body).toContain(`<option value="${trust.id}"`);
      expect(withdrawPage.body).not.toContain(`<option value="${school.id}"`);

      const withdrawn = await c.post(paths.children.withdrawConsent(childId, consent.id), {
        withdrawFor: 'one',
        organisationId: trust.id,
        reason: 'Their dad asked that the hospital stop seeing it',
      });
      expect(withdrawn.status).toBe(303);
      expect(withdrawn.location).toBe(`${paths.children.sharing(childId)}?done=withdrawn`);
      expect((await practitioner.get(paths.children.record(childId))).status).toBe(404);
      // The consent itself stands; it no longer covers the trust.
      expect((await db.selectFrom('consents').select('withdrawn_at').where('id', '=', consent.id).executeTakeFirstOrThrow()).withdrawn_at).toBeNull();
      expect(
        await db
          .selectFrom('consent_withdrawals')
          .select(['organisation_id', 'withdrawn_reason', 'withdrawn_by'])
          .where('consent_id', '=', consent.id)
          .execute(),
      ).toEqual([
        { organisation_id: trust.id, withdrawn_reason: 'Their dad asked that the hospital stop seeing it', withdrawn_by: await userIdByEmail(db, CASEWORKER) },
      ]);
      expect(JSON.parse((await audit('child.consent.withdraw', childId)).at(-1)!.details)).toMatchObject({
        consentId: consent.id,
        forOrganisationId: trust.id,
      });
      const chronology = await db.selectFrom('chronology_events').select('title').where('child_id', '=', childId).execute();
      expect(chronology.map((e) => e.title)).toContain(`Consent to share withdrawn for ${trust.name}`);
      const after = text((await c.get(paths.children.sharing(childId))).body);
      expect(after).toContain(`${trust.name} Cannot see the record`);
      expect(after).toContain(`Withdrawn for ${trust.name}`);
      // Again: the trust is no longer covered, so it cannot be chosen.
      const again = await c.post(paths.children.withdrawConsent(childId, consent.id), { withdrawFor: 'one', organisationId: trust.id, reason: 'Again' });
      expect(again.status).toBe(400);
      expect(errorSummary(again.body)).toContain('Select an organisation this consent still covers');
      expect(await db.selectFrom('consent_withdrawals').select('consent_id').where('consent_id', '=', consent.id).execute()).toHaveLength(1);
    });
  });

  describe('lawful bases', () => {
    it('records a lawful basis decided by the person signed in, and shows it', async () => {
      const db = t.database.db;
      const { childId } = await createChild(db, {
        givenName: 'Ash',
        involvedOrgCodes: ['DEMO-EDU', 'DEMO-CSC'],
        consentScopes: [{ organisationType: 'council-education', section: 'core' }],
      });
      const csc = await orgByCode(db, 'DEMO-CSC');
      const keyworker = await signedIn(KEYWORKER);
      expect((await keyworker.get(paths.children.sharing(childId))).status).toBe(404);

      const c = await signedIn(CASEWORKER);
      const form = await c.get(paths.children.addLawfulBasis(childId));
      expect(form.status).toBe(200);
      expect(text(form.body)).toContain('Demoshire Council: children with disabilities team (fictional) (works with them now)');
      expect(text(form.body)).toContain('Decided by: Demo Caseworker (you)');

      const empty = await c.post(paths.children.addLawfulBasis(childId), {});
      expect(empty.status).toBe(400);
      expect(errorSummary(empty.body)).toBe(
        'There is a problem Select the lawful basis for sharing Select the organisation it applies to Select at least one part of the record it covers Explain why the record is shared on this basis Enter the date of the decision',
      );
      const valid = {
        basis: 'safeguarding',
        organisationId: csc.id,
        sections: ['core', 'social-care'],
        explanation: 'Section 47 enquiry (fictional test)',
        ...dateParts('decidedOn', addDays(today, -1)),
      };
      const future = await c.post(paths.children.addLawfulBasis(childId), { ...valid, ...dateParts('decidedOn', addDays(today, 2)) });
      expect(errorSummary(future.body)).toContain('The date of the decision must be today or in the past');
      const endsEarly = await c.post(paths.children.addLawfulBasis(childId), { ...valid, ...dateParts('endsOn', addDays(today, -5)) });
      expect(errorSummary(endsEarly.body)).toContain('The end date must be on or after the date of the decision');

      const res = await c.post(paths.children.addLawfulBasis(childId), { ...valid, ...dateParts('endsOn', addDays(today, 90)) });
      expect(res.status).toBe(303);
      const row = await db.selectFrom('lawful_bases').selectAll().where('child_id', '=', childId).executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        basis: 'safeguarding',
        organisation_id: csc.id,
        sections: ['core', 'social-care'],
        explanation: 'Section 47 enquiry (fictional test)',
        decided_by_user_id: await userIdByEmail(db, CASEWORKER),
        decided_on: addDays(today, -1),
        ends_on: addDays(today, 90),
      });
      expect((await audit('child.lawful-basis.add', childId)).at(-1)).toMatchObject({ subject_type: 'child', result: 'allowed' });
      const page = text((await c.get(paths.children.sharing(childId))).body);
      expect(page).toContain('Safeguarding: to protect the child from harm: Demoshire Council: children with disabilities team (fictional) Current');
      expect(page).toContain('Decided by Demo Caseworker');
      // The social care team now sees the record on that basis, from its next request.
      expect((await keyworker.get(paths.children.sharing(childId))).status).toBe(200);
    });
  });

  describe('emergency access', () => {
    it('grants time-limited access from an NHS number and a reason, shows a banner, and ends when it expires', async () => {
      const db = t.database.db;
      const nhs = fakeNhsNumber(101);
      const { childId } = await createChild(db, {
        givenName: 'Emrys',
        familyName: 'Demoson',
        nhsNumber: nhs,
        upn: fakeUpn(101),
        councilId: 'DEMO-C-101',
        involvedOrgCodes: ['DEMO-EDU'],
      });
      const k = await signedIn(KEYWORKER);
      expect((await k.get(paths.children.sharing(childId))).status).toBe(404);

      const start = await k.get(paths.register.emergencyAccessStart);
      expect(start.status).toBe(200);
      expect(text(start.body)).toContain('Emergency access to a child’s record');

      const short = await k.post(paths.register.emergencyAccessStart, { identifier: nhs, reason: 'Urgent', hours: '1' });
      expect(short.status).toBe(400);
      expect(errorSummary(short.body)).toContain('The reason must be at least 20 characters');
      expect(errorSummary(short.body)).not.toContain('No child');
      const noHours = await k.post(paths.register.emergencyAccessStart, { identifier: nhs, reason: 'Child arrived at the short break with a seizure' });
      expect(errorSummary(noHours.body)).toContain('Select how long you need access for');
      expect(await db.selectFrom('break_glass').select('id').where('child_id', '=', childId).execute()).toHaveLength(0);

      const spaced = `${nhs.slice(0, 3)} ${nhs.slice(3, 6)} ${nhs.slice(6)}`;
      const reason = 'Child arrived at the short break unwell; need health details and contacts';
      const res = await k.post(paths.register.emergencyAccessStart, { identifier: spaced, reason, hours: '1' });
      expect(res.status).toBe(303);
      expect(res.location).toBe(paths.children.record(childId));
      const glass = await db.selectFrom('break_glass').selectAll().where('child_id', '=', childId).execute();
      expect(glass).toHaveLength(1);
      expect(glass[0]).toMatchObject({
        user_id: await userIdByEmail(db, KEYWORKER),
        organisation_id: (await orgByCode(db, 'DEMO-CSC')).id,
        reason,
        reviewed_at: null,
      });
      const minutes = (new Date(glass[0]!.expires_at).getTime() - new Date(glass[0]!.started_at).getTime()) / 60_000;
      expect(minutes).toBe(60);
      const entry = (await audit('child.emergency-access.start', childId)).at(-1)!;
      expect(entry).toMatchObject({ subject_type: 'child', purpose: reason, result: 'allowed' });
      expect(JSON.parse(entry.details)).toMatchObject({ matchedOn: 'NHS number', hours: 1 });

      const page = await k.get(paths.children.sharing(childId));
      expect(page.status).toBe(200);
      expect(text(page.body)).toContain('You are using emergency access to this record until');
      expect(text(page.body)).toContain(reason);
      // The view is audited as made through emergency access.
      expect(JSON.parse((await audit('child.sharing.view', childId)).at(-1)!.details)).toMatchObject({ via: 'emergency access' });
      const idPage = await k.get(paths.children.emergencyAccess(childId));
      expect(text(idPage.body)).toContain('You have emergency access to this record.');

      // Once it expires, the child is gone again.
      await db
        .updateTable('break_glass')
        .set({ expires_at: new Date(Date.now() - 60_000) })
        .where('child_id', '=', childId)
        .execute();
      expect((await k.get(paths.children.sharing(childId))).status).toBe(404);
      expect(text((await k.get(paths.children.emergencyAccess(childId))).body)).not.toContain('You have emergency access');
    });

    it('finds the child by UPN or council reference too', async () => {
      const db = t.database.db;
      const upn = fakeUpn(202);
      const { childId } = await createChild(db, { givenName: 'Ottilie', upn, councilId: 'DEMO-C-202', involvedOrgCodes: ['DEMO-EDU'] });
      const k = await signedIn(KEYWORKER);
      await k.get(paths.register.emergencyAccessStart);
      const byUpn = await k.post(paths.register.emergencyAccessStart, {
        identifier: upn.toLowerCase(),
        reason: 'Needed at once for a child protection strategy meeting',
        hours: '4',
      });
      expect(byUpn.location).toBe(paths.children.record(childId));
      const p = await signedIn(PRACTITIONER);
      await p.get(paths.register.emergencyAccessStart);
      const byCouncil = await p.post(paths.register.emergencyAccessStart, {
        identifier: ' DEMO-C-202 ',
        reason: 'Admitted to hospital out of hours; need medication details',
        hours: '24',
      });
      expect(byCouncil.location).toBe(paths.children.record(childId));
      const rows = await db
        .selectFrom('break_glass')
        .select(['user_id', 'started_at', 'expires_at'])
        .where('child_id', '=', childId)
        .orderBy('started_at')
        .execute();
      expect(rows.map((r) => (new Date(r.expires_at).getTime() - new Date(r.started_at).getTime()) / 3_600_000)).toEqual([4, 24]);
    });

    it('says no child has that number only once a reason is given, and audits the attempt', async () => {
      const k = await signedIn(KEYWORKER);
      await k.get(paths.register.emergencyAccessStart);
      const noReason = await k.post(paths.register.emergencyAccessStart, { identifier: '0000000000', reason: '', hours: '1' });
      expect(noReason.status).toBe(400);
      expect(errorSummary(noReason.body)).toContain('Enter the reason you need emergency access');
      expect(noReason.body).not.toContain('No child on the register has that number');
      const before = (await audit('child.emergency-access.start')).length;
      const reason = 'Checking a child who arrived at reception without a parent';
      const res = await k.post(paths.register.emergencyAccessStart, { identifier: '0000000000', reason, hours: '1' });
      expect(res.status).toBe(400);
      expect(errorSummary(res.body)).toContain('No child on the register has that number');
      const rows = await audit('child.emergency-access.start');
      expect(rows).toHaveLength(before + 1);
      expect(rows.at(-1)).toMatchObject({ result: 'denied', purpose: reason, subject_id: null });
      expect(JSON.parse(rows.at(-1)!.details)).toMatchObject({ identifier: '0000000000' });
    });

    it('does not grant emergency access to someone who can already see the child', async () => {
      const db = t.database.db;
      const { childId } = await createChild(db, { givenName: 'Bo', councilId: 'DEMO-C-303', involvedOrgCodes: ['DEMO-EDU'] });
      const c = await signedIn(CASEWORKER);
      await c.get(paths.register.emergencyAccessStart);
      const res = await c.post(paths.register.emergencyAccessStart, {
        identifier: 'DEMO-C-303',
        reason: 'I can already see this child in my caseload',
        hours: '1',
      });
      expect(res.location).toBe(paths.children.record(childId));
      expect(await db.selectFrom('break_glass').select('id').where('child_id', '=', childId).execute()).toHaveLength(0);
    });

    it('works from a link with the child’s reference, which gives nothing away until access is granted', async () => {
      const db = t.database.db;
      const { childId } = await createChild(db, { givenName: 'Zephyrine', involvedOrgCodes: ['DEMO-EDU'] });
      const unknown = '00000000-0000-4000-8000-000000000000';
      const k = await signedIn(KEYWORKER);
      const known = await k.get(paths.children.emergencyAccess(childId));
      const missing = await k.get(paths.children.emergencyAccess(unknown));
      expect(known.status).toBe(200);
      expect(missing.status).toBe(200);
      expect(text(known.body)).not.toContain('Zephyrine');
      expect(text(known.body)).toBe(text(missing.body));
      const short = await k.post(paths.children.emergencyAccess(childId), { reason: 'Too short', hours: '1' });
      expect(short.status).toBe(400);
      const none = await k.post(paths.children.emergencyAccess(unknown), { reason: 'A child in crisis arrived at the respite centre', hours: '1' });
      expect(none.status).toBe(404);
      expect(errorSummary(none.body)).toContain('No child on the register has that reference');
      expect((await audit('child.emergency-access.grant')).at(-1)).toMatchObject({ result: 'denied' });
      const res = await k.post(paths.children.emergencyAccess(childId), { reason: 'A child in crisis arrived at the respite centre', hours: '1' });
      expect(res.status).toBe(303);
      expect(res.location).toBe(paths.children.record(childId));
      expect((await k.get(paths.children.sharing(childId))).status).toBe(200);
    });

    it('is not open to people without a casework permission', async () => {
      const c = await signedIn(COMMISSIONER);
      expect((await c.get(paths.register.emergencyAccessStart)).status).toBe(403);
    });
  });

  describe('information governance review', () => {
    it('lists emergency access newest first and records a review with a note', async () => {
      const db = t.database.db;
      const { childId } = await createChild(db, { givenName: 'Quill', familyName: 'Demoson', councilId: 'DEMO-C-404', involvedOrgCodes: ['DEMO-EDU'] });
      const k = await signedIn(KEYWORKER);
      await k.get(paths.register.emergencyAccessStart);
      const reason = 'Out of hours call from the police about this child';
      expect((await k.post(paths.register.emergencyAccessStart, { identifier: 'DEMO-C-404', reason, hours: '1' })).status).toBe(303);
      const glass = await db.selectFrom('break_glass').select('id').where('child_id', '=', childId).executeTakeFirstOrThrow();

      expect((await (await signedIn(CASEWORKER)).get(paths.register.emergencyAccessReview)).status).toBe(403);
      const ig = await signedIn(IG);
      const list = await ig.get(paths.register.emergencyAccessReview);
      expect(list.status).toBe(200);
      const page = text(list.body);
      expect(page).toContain('Emergency access to review');
      expect(page).toContain('Quill Demoson');
      expect(page).toContain(reason);
      expect(page).toContain('Demoshire Council: children with disabilities team (fictional)');
      // Newest first: this access comes before any made earlier in the file.
      const firstTitle = /<h2 class="govuk-summary-card__title">([\s\S]*?)<\/h2>/.exec(list.body)![1]!;
      expect(text(firstTitle)).toContain('Demo Key Worker');
      const older = page.indexOf('Emrys Demoson');
      if (older >= 0) expect(page.indexOf('Quill Demoson')).toBeLessThan(older);
      expect((await audit('register.emergency-access.review-list')).at(-1)).toMatchObject({ result: 'allowed' });

      const empty = await ig.post(paths.register.emergencyAccessReview, { breakGlassId: glass.id, note: '' });
      expect(empty.status).toBe(400);
      expect(errorSummary(empty.body)).toContain('Enter a review note');
      expect(empty.body).toContain(`href="#note-${glass.id}"`);

      const res = await ig.post(paths.register.emergencyAccessReview, { breakGlassId: glass.id, note: 'Justified: police welfare check' });
      expect(res.status).toBe(303);
      const row = await db.selectFrom('break_glass').selectAll().where('id', '=', glass.id).executeTakeFirstOrThrow();
      expect(row.reviewed_by).toBe(await userIdByEmail(db, IG));
      expect(row.reviewed_at).not.toBeNull();
      expect(row.review_note).toBe('Justified: police welfare check');
      expect((await audit('register.emergency-access.review', childId)).at(-1)).toMatchObject({ subject_type: 'child', result: 'allowed' });
      expect(text((await ig.get(res.location!)).body)).toContain('Emergency access marked as reviewed');

      const again = await ig.post(paths.register.emergencyAccessReview, { breakGlassId: glass.id, note: 'Second look' });
      expect(again.status).toBe(400);
      expect(errorSummary(again.body)).toContain('Someone has already reviewed this emergency access');
      // Requests that matched no child are listed for the reviewer too.
      await k.get(paths.register.emergencyAccessStart);
      await k.post(paths.register.emergencyAccessStart, {
        identifier: 'DEMO-NOBODY-9',
        reason: 'Looking for a child who may not be on the register',
        hours: '1',
      });
      const after = text((await ig.get(paths.register.emergencyAccessReview)).body);
      expect(after).toMatch(/Requests that matched no child .*Demo Key Worker .* DEMO-NOBODY-9 Looking for a child who may not be on the register/);
    });
  });

  describe('who has looked at this record', () => {
    it('lists the views, changes and emergency access made, newest first, with who, why and whether allowed', async () => {
      const db = t.database.db;
      const { childId } = await createChild(db, { givenName: 'Mika', councilId: 'DEMO-C-505', involvedOrgCodes: ['DEMO-EDU'] });
      const c = await signedIn(CASEWORKER);
      await c.get(paths.children.sharing(childId));
      await c.get(paths.children.addConsent(childId));
      const k = await signedIn(KEYWORKER);
      await k.get(paths.register.emergencyAccessStart);
      const reason = 'Child missing from home; checking the family contacts';
      await k.post(paths.register.emergencyAccessStart, { identifier: 'DEMO-C-505', reason, hours: '1' });
      await k.get(paths.children.sharing(childId));

      const res = await c.get(paths.children.whoHasLooked(childId));
      expect(res.status).toBe(200);
      const rows = [...res.body.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)].slice(1).map((m) => text(m[1]!).trim());
      expect(rows).toHaveLength(5);
      // This very view comes first: it is written before the list is read, in the same transaction.
      expect(rows[0]).toMatch(/Demo Caseworker Caseworker, Demoshire Council: SEND and inclusion \(fictional\) Looked at who has looked at this record/);
      expect(rows[1]).toMatch(
        /Demo Key Worker Key worker, Demoshire Council: children with disabilities team \(fictional\) Looked at consent and sharing Emergency access Emergency access Yes/,
      );
      expect(rows[2]).toContain('Used emergency access');
      expect(rows[2]).toContain(reason);
      expect(rows[3]).toMatch(
        /Demo Caseworker Caseworker, Demoshire Council: SEND and inclusion \(fictional\) Opened the form to record consent Not given Yes/,
      );
      expect(rows[4]).toContain('Looked at consent and sharing');
      expect(text(res.body)).toContain('5 entries');
      expect((await audit('child.who-has-looked.view', childId)).length).toBe(1);

      expect((await (await signedIn(PRACTITIONER)).get(paths.children.whoHasLooked(childId))).status).toBe(404);
    });

    it('pages the list 50 at a time', async () => {
      const db = t.database.db;
      const { childId } = await createChild(db, { givenName: 'Pia', involvedOrgCodes: ['DEMO-EDU'] });
      const userId = await userIdByEmail(db, CASEWORKER);
      const edu = await orgByCode(db, 'DEMO-EDU');
      await db.transaction().execute(async (tx) => {
        for (let i = 0; i < 55; i++) {
          await appendAudit(tx, {
            userId,
            organisationId: edu.id,
            roles: ['caseworker'],
            action: 'children.record.view',
            subjectType: 'child',
            subjectId: childId,
            result: 'allowed',
            purpose: `Visit ${i}`,
          });
        }
      });
      const first = await whoHasLooked(db, childId, 1);
      expect(first).toMatchObject({ page: 1, pages: 2, total: 55 });
      expect(first.entries).toHaveLength(50);
      expect(first.entries[0]).toMatchObject({
        why: 'Visit 54',
        what: 'Looked at the core record',
        person: 'Demo Caseworker',
        roles: ['Caseworker'],
        allowed: true,
      });
      const second = await whoHasLooked(db, childId, 2);
      expect(second.entries.map((e) => e.why)).toEqual(['Visit 4', 'Visit 3', 'Visit 2', 'Visit 1', 'Visit 0']);
      expect((await whoHasLooked(db, childId, 99)).page).toBe(2);

      const c = await signedIn(CASEWORKER);
      const page2 = await c.get(`${paths.children.whoHasLooked(childId)}?page=2`);
      expect(page2.status).toBe(200);
      // 55 entries and this view of the list.
      expect(text(page2.body)).toContain('56 entries, page 2 of 2');
      expect(text(page2.body)).toContain('Visit 0');
      expect(text(page2.body)).not.toContain('Visit 54');
      expect(page2.body).toContain(`href="${paths.children.whoHasLooked(childId)}?page=1"`);
    });
  });
});
