// The family page of a child's record: parents and carers, siblings the person may also see, and
// adding or changing a parent or carer, over HTTP on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { paths } from '../src/paths.js';
import { auditFor, CASEWORKER, COMMISSIONER, createChild, PRACTITIONER, yearsAgo } from './tell-it-once.fixtures.js';

const FULL = { 'council-education': ['core', 'family', 'about-me'] } as const;

describe.each(databaseKinds())('family on %s', (kind) => {
  let t: TestApp;
  let child: { id: string; familyId: string };
  let sibling: { id: string };
  let hiddenSibling: { id: string };
  let coreOnly: { id: string };
  let youngAdult: { id: string };
  let memberId: string;
  const caseworker = () => {
    const c = new Client(t.app);
    return c.signIn(CASEWORKER).then(() => c);
  };

  beforeAll(async () => {
    t = await buildTestApp(kind);
    const db = t.database.db;
    child = await createChild(db, { givenName: 'Ada', involved: ['DEMO-EDU'], consent: { ...FULL } });
    sibling = await createChild(db, {
      givenName: 'Visiblesib',
      familyId: child.familyId,
      dateOfBirth: yearsAgo(12),
      involved: ['DEMO-EDU'],
      consent: { 'council-education': ['core'] },
    });
    // Same family, but the caseworker's organisation is not involved: it must not exist for them.
    hiddenSibling = await createChild(db, {
      givenName: 'Hiddensib',
      familyName: 'Zedtestname',
      familyId: child.familyId,
      involved: ['DEMO-TRUST'],
      consent: { 'nhs-trust': ['core'], 'council-education': ['core'] },
    });
    coreOnly = await createChild(db, { givenName: 'Coreonly', involved: ['DEMO-EDU'], consent: { 'council-education': ['core'] } });
    youngAdult = await createChild(db, {
      givenName: 'Grownup',
      dateOfBirth: yearsAgo(17),
      actsForSelf: true,
      involved: ['DEMO-EDU'],
      consent: { ...FULL },
    });
    const m = await db
      .insertInto('family_members')
      .values({
        family_id: child.familyId,
        full_name: 'Pat Testfamily',
        relationship: 'mother',
        parental_responsibility: true,
        phone: '07700900123',
        email: 'pat@example.org',
        preferred_contact: 'email',
        language: 'Welsh',
        needs_interpreter: true,
        consents_to_email: true,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    memberId = m.id;
  });
  afterAll(() => t?.close());

  it('shows the parents and carers, with contact details and preferences, and audits the view', async () => {
    const c = await caseworker();
    const res = await c.get(paths.children.family(child.id));
    expect(res.status).toBe(200);
    const page = text(res.body);
    expect(page).toContain('Ada Testfamily');
    expect(page).toContain('Pat Testfamily (Mother)');
    expect(page).toMatch(/Parental responsibility\s+Yes/);
    expect(page).toContain('07700 900123');
    expect(page).toContain('pat@example.org');
    expect(page).toMatch(/Preferred contact\s+E-mail/);
    expect(page).toContain('Welsh. Needs an interpreter');
    expect(page).toMatch(/Agrees to be contacted by\s+E-mail/);
    const audit = await auditFor(t.database.db, 'child.family.view', child.id);
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.at(-1)).toMatchObject({ subject_type: 'child', result: 'allowed' });
  });

  it('lists a sibling the person may see, and says nothing at all about one they may not', async () => {
    const c = await caseworker();
    const res = await c.get(paths.children.family(child.id));
    const page = text(res.body);
    expect(page).toContain('Brothers and sisters on the register');
    expect(page).toMatch(/Visiblesib Testfamily\s*, aged 12/);
    expect(res.body).toContain(paths.children.record(sibling.id));
    expect(res.body).not.toContain('Hiddensib');
    expect(res.body).not.toContain('Zedtestname');
    expect(res.body).not.toContain(hiddenSibling.id);
    // The visible sibling's own family page does not reveal the hidden one either (no family consent there: 404).
    expect((await c.get(paths.children.family(sibling.id))).status).toBe(404);
  });

  it('is not found for a person whose consent covers the core record but not the family', async () => {
    const c = await caseworker();
    expect((await c.get(paths.children.family(coreOnly.id))).status).toBe(404);
    expect((await c.get(paths.children.addFamilyMember(coreOnly.id))).status).toBe(404);
    // …while the core record itself is there for them.
    expect((await c.get(paths.children.involvements(coreOnly.id))).status).toBe(200);
    expect((await c.get(paths.children.record(coreOnly.id))).status).toBe(200);
    const post = await c.post(paths.children.addFamilyMember(coreOnly.id), {
      fullName: 'Nobody Testfamily',
      relationship: 'father',
      parentalResponsibility: 'yes',
    });
    expect(post.status).toBe(404);
    const stored = await t.database.db.selectFrom('family_members').select('id').where('full_name', '=', 'Nobody Testfamily').execute();
    expect(stored).toEqual([]);
  });

  it('is not found for staff of an organisation not involved, and forbidden to a commissioner', async () => {
    const p = new Client(t.app);
    await p.signIn(PRACTITIONER);
    const res = await p.get(paths.children.family(child.id));
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('Pat Testfamily');
    const k = new Client(t.app);
    await k.signIn(COMMISSIONER);
    expect((await k.get(paths.children.family(child.id))).status).toBe(403);
  });

  it('says when a young person of 16 or over acts for themselves', async () => {
    const c = await caseworker();
    const page = text((await c.get(paths.children.family(youngAdult.id))).body);
    expect(page).toContain('Grownup Testfamily acts for themselves');
    expect(text((await c.get(paths.children.family(child.id))).body)).not.toContain('acts for themselves');
  });

  it('refuses a parent or carer with bad contact details, saying what is wrong with each', async () => {
    const c = await caseworker();
    await c.get(paths.children.addFamilyMember(child.id));
    const empty = await c.post(paths.children.addFamilyMember(child.id), {});
    expect(empty.status).toBe(400);
    const e = text(empty.body);
    expect(e).toContain('There is a problem');
    expect(e).toContain('Enter their full name');
    expect(e).toContain('Select their relationship to the child');
    expect(e).toContain('Select whether they have parental responsibility');

    const bad = await c.post(paths.children.addFamilyMember(child.id), {
      fullName: 'Sam Testfamily',
      relationship: 'father',
      parentalResponsibility: 'yes',
      email: 'sam-at-example',
      phone: '12345',
    });
    expect(bad.status).toBe(400);
    const b = text(bad.body);
    expect(b).toContain('Enter an e-mail address in the correct format, like name@example.org');
    expect(b).toContain('Enter a UK phone number, like 01632 960 001 or 07700 900 982');
    // What was typed is kept.
    expect(bad.body).toContain('value="Sam Testfamily"');

    const noConsent = await c.post(paths.children.addFamilyMember(child.id), {
      fullName: 'Sam Testfamily',
      relationship: 'father',
      parentalResponsibility: 'yes',
      preferredContact: 'email',
    });
    expect(noConsent.status).toBe(400);
    const n = text(noConsent.body);
    expect(n).toContain('Enter an e-mail address, as e-mail is their preferred way to be contacted');
    expect(n).toContain('They must agree to be contacted by e-mail, as e-mail is their preferred way to be contacted');

    const landlineForTexts = await c.post(paths.children.addFamilyMember(child.id), {
      fullName: 'Sam Testfamily',
      relationship: 'father',
      parentalResponsibility: 'yes',
      preferredContact: 'sms',
      phone: '0117 496 0123',
      contactConsents: 'sms',
    });
    expect(landlineForTexts.status).toBe(400);
    expect(text(landlineForTexts.body)).toContain('Enter a mobile phone number (starting 07), as text message is their preferred way to be contacted');
    const stored = await t.database.db.selectFrom('family_members').select('id').where('full_name', '=', 'Sam Testfamily').execute();
    expect(stored).toEqual([]);
  });

  it('adds a parent or carer, stores the phone number in one form, and audits it', async () => {
    const c = await caseworker();
    await c.get(paths.children.addFamilyMember(child.id));
    const res = await c.post(paths.children.addFamilyMember(child.id), {
      fullName: 'Sam Testfamily',
      relationship: 'foster-carer',
      parentalResponsibility: 'no',
      phone: '+44 (0)7700 900 456',
      email: 'sam@example.org',
      preferredContact: 'sms',
      contactConsents: ['sms', 'email'],
      language: 'Polish',
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${paths.children.family(child.id)}?done=added`);
    const row = await t.database.db.selectFrom('family_members').selectAll().where('full_name', '=', 'Sam Testfamily').executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      family_id: child.familyId,
      relationship: 'foster-carer',
      parental_responsibility: false,
      phone: '07700900456',
      email: 'sam@example.org',
      preferred_contact: 'sms',
      consents_to_sms: true,
      consents_to_email: true,
      needs_interpreter: false,
      language: 'Polish',
    });
    const page = text((await c.get(res.location!)).body);
    expect(page).toContain('Parent or carer added');
    expect(page).toContain('Sam Testfamily (Foster carer)');
    expect(page).toMatch(/Preferred contact\s+Text message/);
    const audit = (await auditFor(t.database.db, 'child.family.member-add', child.id)).at(-1)!;
    expect(JSON.parse(audit.details)).toMatchObject({ familyMemberId: row.id, section: 'family' });
  });

  it('changes a parent or carer’s details, and refuses a change based on an out-of-date form', async () => {
    const c = await caseworker();
    const form = await c.get(paths.children.editFamilyMember(child.id, memberId));
    expect(form.status).toBe(200);
    expect(form.body).toContain('value="Pat Testfamily"');
    const base = {
      fullName: 'Pat Testfamily',
      relationship: 'mother',
      parentalResponsibility: 'yes',
      phone: '07700 900123',
      email: 'pat.new@example.org',
      preferredContact: 'email',
      contactConsents: 'email',
      language: 'Welsh',
      needsInterpreter: 'yes',
      version: '1',
    };
    const first = await c.post(paths.children.editFamilyMember(child.id, memberId), base);
    expect(first.status).toBe(303);
    // A second person working from the same (now stale) form is told, and nothing is overwritten.
    const second = await c.post(paths.children.editFamilyMember(child.id, memberId), { ...base, email: 'pat.other@example.org' });
    expect(second.status).toBe(409);
    expect(text(second.body)).toContain('Someone else changed this record after you opened it');
    expect(second.body).toContain('value="pat.new@example.org"');
    const row = await t.database.db.selectFrom('family_members').selectAll().where('id', '=', memberId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ email: 'pat.new@example.org', version: 2 });
    const entries = await auditFor(t.database.db, 'child.family.member-update', child.id);
    expect(entries.filter((a) => a.result === 'allowed')).toHaveLength(1);
    // The refused, out-of-date form showed the record again: audited as a refused attempt.
    expect(entries.filter((a) => a.result === 'denied')).toHaveLength(1);
  });

  it('does not change a member of another family through this child’s address', async () => {
    const other = await createChild(t.database.db, { givenName: 'Otherfam', involved: ['DEMO-EDU'], consent: { ...FULL } });
    const c = await caseworker();
    expect((await c.get(paths.children.editFamilyMember(other.id, memberId))).status).toBe(404);
  });
});
