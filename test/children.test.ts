// The core record of a child or young person over HTTP, on both databases: registering (all or
// nothing, every field checked), the duplicate guard (never giving away a record the person
// may not see), the record page (audited, and "not found" for anyone outside the sharing rule),
// editing (stale forms refused, history kept) and the common definition of disability.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { createChild, fakeNhsNumber, fakeUpn, orgByCode, userIdByEmail } from './support/register.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import { formatNhsNumber } from '../src/capabilities/record/children/rules.js';
import { addDays } from './support/dates.js';

const CASEWORKER = 'caseworker@demoshire.example.org'; // DEMO-EDU, council-education
const KEYWORKER = 'keyworker@demoshire.example.org'; // DEMO-CSC, council-social-care
const PRACTITIONER = 'practitioner@demoshire.example.org'; // DEMO-TRUST, nhs-trust
const COMMISSIONER = 'commissioner@demoshire.example.org';

const addYears = (iso: string, years: number) => `${Number(iso.slice(0, 4)) + years}${iso.slice(4)}`.replace(/-02-29$/, '-02-28');
const parts = (field: string, iso: string) => {
  const [y, m, d] = iso.split('-');
  return { [`${field}-day`]: String(Number(d)), [`${field}-month`]: String(Number(m)), [`${field}-year`]: y! };
};

describe.each(databaseKinds())('the core record on %s', (kind) => {
  let t: TestApp;
  let caseworker: Client;
  let today: string;
  let n = 0;
  /** A fresh identifier number for each use, so tests never clash by accident. */
  const next = () => ++n + (kind === 'postgres' ? 500 : 0);

  beforeAll(async () => {
    t = await buildTestApp(kind);
    caseworker = new Client(t.app);
    await caseworker.signIn(CASEWORKER);
    today = todayInLondon();
  });
  afterAll(() => t?.close());

  const db = () => t.database.db;
  const counts = async () => {
    const c = async (
      table: 'children' | 'families' | 'family_members' | 'involvements' | 'consents' | 'consent_scopes' | 'chronology_events' | 'child_history',
    ) =>
      Number(
        (
          await db()
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      children: await c('children'),
      families: await c('families'),
      members: await c('family_members'),
      involvements: await c('involvements'),
      consents: await c('consents'),
      scopes: await c('consent_scopes'),
      events: await c('chronology_events'),
      history: await c('child_history'),
    };
  };

  /** A complete, valid registration by the caseworker (council education). */
  const validForm = (over: Record<string, string | string[]> = {}): Record<string, string | string[]> => ({
    givenName: 'Robin',
    familyName: 'Testfamily',
    preferredName: 'Rob',
    otherNames: '',
    ...parts('dateOfBirth', addYears(today, -9)),
    sex: 'F',
    ethnicity: 'WBRI',
    addressLine1: '1 Test Street',
    addressLine2: '',
    town: 'Demoshire Town',
    postcode: 'dm1 4ab',
    nhsNumber: formatNhsNumber(fakeNhsNumber(next())),
    upn: fakeUpn(next()).toLowerCase(),
    councilId: `TEST-${kind}-${next()}`,
    primaryNeed: 'ASD',
    secondaryNeeds: ['SLCN', 'SEMH'],
    hasEhcPlan: 'yes',
    severity: 'severe',
    communicationNeeds: 'Uses a picture board',
    ...parts('joinedOn', today),
    actsForSelf: 'no',
    parentName: 'Jo Testfamily',
    parentRelationship: 'mother',
    parentalResponsibility: 'yes',
    parentPhone: '07700 900 982',
    parentEmail: 'jo.testfamily@example.org',
    parentPreferredContact: 'email',
    parentLanguage: 'English',
    parentConsentsToEmail: 'yes',
    consentGivenBy: 'parent',
    consentCapacityNote: '',
    ...parts('consentGivenOn', today),
    consentMethod: 'written',
    consentEvidence: 'Signed form on file (test)',
    ...parts('consentReviewOn', addYears(today, 1)),
    scope: ['council-education:core', 'council-education:education', 'nhs-trust:health'],
    service: 'Early years SEND team',
    ...over,
  });

  const register = async (form: Record<string, string | string[]>, client = caseworker) => {
    await client.get(paths.children.register);
    return client.post(paths.children.register, form);
  };

  it('registers a child with a parent, involvement and consent in one go, and shows the record', async () => {
    const before = await counts();
    const form = validForm();
    const res = await register(form);
    expect(res.status).toBe(303);
    const childId = /\/children\/([0-9a-f-]{36})\?registered=1$/.exec(res.location!)![1]!;

    const child = await db().selectFrom('children').selectAll().where('id', '=', childId).executeTakeFirstOrThrow();
    expect(child).toMatchObject({
      given_name: 'Robin',
      family_name: 'Testfamily',
      preferred_name: 'Rob',
      postcode: 'DM1 4AB',
      nhs_number: (form.nhsNumber as string).replace(/ /g, ''),
      upn: (form.upn as string).toUpperCase(),
      primary_need: 'ASD',
      has_ehc_plan: true,
      severity: 'severe',
      joined_on: today,
      status: 'active',
      search_names: 'robin testfamily rob',
    });
    expect([...child.secondary_needs].sort()).toEqual(['SEMH', 'SLCN']);
    // DM1 4 is a sector of Demoshire Town, more specific than the district DM1 (North Demoshire).
    const locality = await db().selectFrom('localities').select('name').where('id', '=', child.locality_id!).executeTakeFirstOrThrow();
    expect(locality.name).toBe('Demoshire Town');

    const edu = await orgByCode(db(), 'DEMO-EDU');
    const member = await db().selectFrom('family_members').selectAll().where('family_id', '=', child.family_id).executeTakeFirstOrThrow();
    expect(member).toMatchObject({
      full_name: 'Jo Testfamily',
      relationship: 'mother',
      parental_responsibility: true,
      preferred_contact: 'email',
      consents_to_email: true,
    });
    const involvement = await db().selectFrom('involvements').selectAll().where('child_id', '=', childId).executeTakeFirstOrThrow();
    expect(involvement).toMatchObject({ organisation_id: edu.id, service: 'Early years SEND team', started_on: today, ended_on: null });
    const consent = await db().selectFrom('consents').selectAll().where('child_id', '=', childId).executeTakeFirstOrThrow();
    expect(consent).toMatchObject({
      given_by: 'parent',
      given_by_member_id: member.id,
      method: 'written',
      given_on: today,
      review_on: addYears(today, 1),
      withdrawn_at: null,
    });
    const scopes = await db().selectFrom('consent_scopes').select(['organisation_type', 'section']).where('consent_id', '=', consent.id).execute();
    // The core record is added for the NHS trust, which was given only health.
    expect(scopes.map((s) => `${s.organisation_type}:${s.section}`).sort()).toEqual(
      ['council-education:core', 'council-education:education', 'nhs-trust:core', 'nhs-trust:health'].sort(),
    );
    const events = await db().selectFrom('chronology_events').selectAll().where('child_id', '=', childId).execute();
    expect(events).toMatchObject([{ title: 'Joined the register', occurred_on: today, section: 'core', organisation_id: edu.id }]);

    const after = await counts();
    expect(after).toEqual({
      children: before.children + 1,
      families: before.families + 1,
      members: before.members + 1,
      involvements: before.involvements + 1,
      consents: before.consents + 1,
      scopes: before.scopes + 4,
      events: before.events + 1,
      history: before.history + 1,
    });
    const audit = await db().selectFrom('audit_log').selectAll().where('action', '=', 'children.register').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ subject_type: 'child', subject_id: childId, result: 'allowed' });

    const page = await caseworker.get(res.location!);
    expect(page.status).toBe(200);
    const seen = text(page.body);
    expect(seen).toContain('Child registered');
    expect(seen).toContain('Robin Testfamily (known as Rob)');
    expect(seen).toContain('Demoshire Town');
    expect(seen).toContain('Autism (ASD)');
    expect(seen).toContain('Speech, language and communication needs (SLCN)');
    expect(seen).toContain(form.nhsNumber as string);
    expect(seen).toContain('9 years old');
    // The sub-navigation to the other pages of the record: only those they may open (the consent
    // covers council education's core and education, not the family; issue 19).
    expect(page.body).toContain(`href="${paths.children.involvements(childId)}"`);
    expect(page.body).toContain(`href="${paths.children.whoHasLooked(childId)}"`);
    expect(page.body).not.toContain(`href="${paths.children.family(childId)}"`);
    expect(page.body).not.toContain(`href="${paths.children.aboutMe(childId)}"`);
    expect(page.body).toMatch(/aria-current="page">Core record/);
  });

  it('explains every problem with an empty form, and stores nothing', async () => {
    const before = await counts();
    const res = await register({});
    expect(res.status).toBe(400);
    const page = text(res.body);
    for (const message of [
      'There is a problem',
      'Enter the child’s first name',
      'Enter the child’s last name',
      'Enter the child’s date of birth',
      'Select the child’s sex',
      'Select the child’s ethnicity',
      'Select whether the child has an education, health and care (EHC) plan',
      'Enter the date the child joined the register',
      'Enter the parent or carer’s full name',
      'Select their relationship to the child',
      'Select whether they have parental responsibility',
      'Select who gave consent',
      'Enter the date consent was given',
      'Select how consent was given',
      'Select at least one type of organisation to share the record with',
      'Enter the name of your service',
    ]) {
      expect(page).toContain(message);
    }
    expect(res.body).toContain('<title>Error: Register a child or young person – Jointly</title>');
    // The summary links to the first box of a date.
    expect(res.body).toContain('href="#dateOfBirth-day"');
    expect(await counts()).toEqual(before);
  });

  it.each([
    [
      'an NHS number whose check digit is wrong',
      { nhsNumber: '943 476 5918' },
      'Enter a valid NHS number: it is 10 digits and its last digit did not check out',
    ],
    ['an NHS number that cannot exist', { nhsNumber: '123 456 7890' }, 'Enter a valid NHS number: it is 10 digits and its last digit did not check out'],
    ['an NHS number of the wrong length', { nhsNumber: '943 476 591' }, 'Enter a valid NHS number: it is 10 digits, like 943 476 5919'],
    ['a UPN with the wrong check letter', { upn: 'X123456789875' }, 'Enter a valid UPN: its first letter does not match the rest'],
    ['a UPN of the wrong shape', { upn: '12345' }, 'Enter a valid UPN: it is a letter followed by 12 characters'],
    ['a postcode that is not one', { postcode: 'DM1' }, 'Enter a real postcode, like DM1 4AB'],
    ['a date of birth that is not a real date', { 'dateOfBirth-day': '31', 'dateOfBirth-month': '2' }, 'Date of birth must be a real date'],
    ['a date of birth with no month', { 'dateOfBirth-month': '' }, 'Date of birth must include a month'],
    ['a birth in the future', parts('dateOfBirth', addDays(todayInLondon(), 1)), 'Date of birth must be today or in the past'],
    [
      'a young person over 25 on joining',
      parts('dateOfBirth', addYears(todayInLondon(), -26)),
      'They were 26 on the date joined: the register is for children and young people aged 0 to 25',
    ],
    ['joining before birth', parts('joinedOn', addYears(todayInLondon(), -10)), 'Date joined must be on or after the date of birth'],
    ['joining in the future', parts('joinedOn', addDays(todayInLondon(), 1)), 'Date joined must be today or in the past'],
    ['an unknown need code', { primaryNeed: 'XYZ' }, 'Select the primary need from the list'],
    ['an unknown ethnicity code', { ethnicity: 'ZZZZ' }, 'Select the child’s ethnicity'],
    ['a secondary need equal to the primary', { secondaryNeeds: ['ASD'] }, 'A secondary need cannot also be the primary need'],
    ['a child under 16 acting for themselves', { actsForSelf: 'yes' }, 'Only a young person aged 16 or over can act for themselves'],
    ['a phone number that is not one', { parentPhone: '12' }, 'Enter a phone number, like 01632 960 001'],
    ['an e-mail address that is not one', { parentEmail: 'not-an-address' }, 'Enter an e-mail address in the correct format'],
    ['e-mail preferred with no address', { parentEmail: '', parentConsentsToEmail: '' }, 'Enter their e-mail address, or choose another way to contact them'],
    ['consent from a parent without parental responsibility', { parentalResponsibility: 'no' }, 'Consent from a parent or carer needs parental responsibility'],
    ['a child under 16 consenting for themselves', { consentGivenBy: 'young-person' }, 'A young person can give their own consent only from age 16'],
    ['consent in the future', parts('consentGivenOn', addDays(todayInLondon(), 1)), 'Date consent was given must be today or in the past'],
    ['a review date before consent', parts('consentReviewOn', addDays(todayInLondon(), -1)), 'Review date must be after the date consent was given'],
    [
      'consent that leaves out the registering person’s own type of organisation',
      { scope: ['nhs-trust:core', 'nhs-trust:health'] },
      'Consent must cover your own type of organisation (Council: education (SEND)), or you would not be able to see this child once they are registered',
    ],
    ['a made-up sharing scope', { scope: ['council-education:core', 'spies:everything'] }, 'Select organisation types and parts of the record from the list'],
    ['no service', { service: '  ' }, 'Enter the name of your service that works with the child'],
  ])('refuses %s with a specific message, storing nothing', async (_what, over, message) => {
    const before = await counts();
    const res = await register(validForm(over));
    expect(res.status).toBe(400);
    expect(text(res.body)).toContain(message);
    expect(await counts()).toEqual(before);
  });

  it('keeps what was typed when the form is shown again', async () => {
    const res = await register(validForm({ givenName: 'Keepme', nhsNumber: '943 476 5918' }));
    expect(res.status).toBe(400);
    expect(res.body).toContain('value="Keepme"');
    expect(res.body).toContain('value="943 476 5918"');
    expect(res.body).toMatch(/value="council-education:education" checked/);
  });

  it('lets a young person of 16 or over who acts for themselves be registered without a parent, with their own consent', async () => {
    const form = validForm({
      givenName: 'Quinn',
      familyName: `Selfson${kind}`,
      ...parts('dateOfBirth', addYears(today, -17)),
      actsForSelf: 'yes',
      consentGivenBy: 'young-person',
    });
    for (const k of Object.keys(form)) if (k.startsWith('parent')) delete form[k];
    const res = await register(form);
    expect(res.status).toBe(303);
    const childId = /\/children\/([0-9a-f-]{36})/.exec(res.location!)![1]!;
    const child = await db().selectFrom('children').select(['family_id', 'acts_for_self']).where('id', '=', childId).executeTakeFirstOrThrow();
    expect(child.acts_for_self).toBe(true);
    expect(await db().selectFrom('family_members').select('id').where('family_id', '=', child.family_id).execute()).toEqual([]);
    const consent = await db().selectFrom('consents').selectAll().where('child_id', '=', childId).executeTakeFirstOrThrow();
    expect(consent).toMatchObject({ given_by: 'young-person', given_by_member_id: null });
    // A younger child cannot be registered without a parent or carer.
    const young = validForm({ familyName: `Youngson${kind}` });
    for (const k of Object.keys(young)) if (k.startsWith('parent')) delete young[k];
    const refused = await register(young);
    expect(refused.status).toBe(400);
    expect(text(refused.body)).toContain('Enter the parent or carer’s full name');
  });

  it('needs a note on capacity when someone decides for the young person', async () => {
    const res = await register(validForm({ familyName: `Capson${kind}`, ...parts('dateOfBirth', addYears(today, -19)), consentGivenBy: 'decision-maker' }));
    expect(res.status).toBe(400);
    expect(text(res.body)).toContain('Explain who made the decision and why the young person could not decide for themselves');
    const ok = await register(
      validForm({
        familyName: `Capson${kind}`,
        ...parts('dateOfBirth', addYears(today, -19)),
        consentGivenBy: 'decision-maker',
        consentCapacityNote: 'Deputy appointed by the Court of Protection (test)',
      }),
    );
    expect(ok.status).toBe(303);
  });

  it('stores nothing at all when any part of registering fails', async () => {
    // A fault injected into the database: the last insert of the registration fails.
    await sql`create function test_refuse_event() returns trigger language plpgsql as $$ begin raise exception 'injected fault'; end $$`.execute(db());
    await sql`create trigger test_refuse_event before insert on chronology_events for each row execute function test_refuse_event()`.execute(db());
    try {
      const before = await counts();
      const res = await register(validForm({ familyName: `Faultson${kind}` }));
      expect(res.status).toBe(500);
      expect(text(res.body)).toContain('Nothing you entered in this step has been saved');
      expect(await counts()).toEqual(before);
      expect(await db().selectFrom('children').select('id').where('family_name', '=', `Faultson${kind}`).execute()).toEqual([]);
    } finally {
      await sql`drop trigger test_refuse_event on chronology_events`.execute(db());
      await sql`drop function test_refuse_event()`.execute(db());
    }
  });

  describe('the duplicate guard', () => {
    it('shows a likely match the person may see, and registers anyway only when told it is a different child', async () => {
      const dob = addYears(today, -6);
      const existing = await createChild(db(), {
        givenName: 'Ash',
        familyName: `Twinson${kind}`,
        dateOfBirth: dob,
        postcode: 'DM2 3XY',
        involvedOrgCodes: ['DEMO-EDU'],
      });
      const form = validForm({ givenName: 'Ashley', familyName: `Twinson${kind}`, ...parts('dateOfBirth', dob) });
      const before = await counts();
      const res = await register(form);
      expect(res.status).toBe(200);
      const page = text(res.body);
      expect(page).toContain('This child may already be on the register');
      expect(page).toContain(`Ash Twinson${kind}`);
      expect(page).toContain('DM2'); // the postcode district only
      expect(page).not.toContain('DM2 3XY');
      expect(res.body).toContain(`href="${paths.children.record(existing.childId)}"`);
      expect(await counts()).toEqual(before);
      // The person's answers travel with the page.
      expect(res.body).toContain('name="givenName" value="Ashley"');

      // "No, go back": the form again, filled in.
      const back = await caseworker.post(paths.children.register, { ...form, _action: 'change' });
      expect(back.status).toBe(200);
      expect(back.body).toContain('value="Ashley"');
      expect(await counts()).toEqual(before);

      const confirmed = await caseworker.post(paths.children.register, { ...form, confirmed: 'yes' });
      expect(confirmed.status).toBe(303);
      expect((await counts()).children).toBe(before.children + 1);
    });

    it('finds given and family names swapped, and matching identifiers', async () => {
      const dob = addYears(today, -5);
      await createChild(db(), { givenName: `Swapfamily${kind}`, familyName: 'Morgan', dateOfBirth: dob });
      const swapped = await register(validForm({ givenName: 'Morgan', familyName: `Swapfamily${kind}`, ...parts('dateOfBirth', dob) }));
      expect(text(swapped.body)).toContain('This child may already be on the register');
      expect(text(swapped.body)).toContain(`Swapfamily${kind} Morgan`);

      const upn = fakeUpn(next());
      await createChild(db(), { givenName: 'Other', familyName: `Upnson${kind}`, upn });
      const byUpn = await register(validForm({ familyName: `Unrelated${kind}`, upn }));
      expect(text(byUpn.body)).toContain('This child may already be on the register');
      expect(text(byUpn.body)).toContain(`Other Upnson${kind}`);
    });

    it('says only that a match may exist when the person may not see it, and never who it is', async () => {
      const dob = addYears(today, -7);
      const nhs = fakeNhsNumber(next());
      // Known only to the NHS trust: the caseworker's organisation is not involved.
      const hidden = await createChild(db(), {
        givenName: 'Zephyrine',
        familyName: `Hiddenson${kind}`,
        preferredName: 'Zeph',
        dateOfBirth: dob,
        postcode: 'DM6 1QZ',
        nhsNumber: nhs,
        councilId: `HIDDEN-${kind}`,
        involvedOrgCodes: ['DEMO-TRUST'],
      });
      const before = await counts();
      const byName = await register(validForm({ givenName: 'Yannick', familyName: `Hiddenson${kind}`, ...parts('dateOfBirth', dob) }));
      expect(byName.status).toBe(200);
      const page = text(byName.body);
      expect(page).toContain('This child may already be on the register');
      expect(page).toContain('a matching record may not be listed here');
      expect(page).toContain('ask your information governance lead');
      expect(page).not.toContain('Records you can see');
      for (const secret of ['Zephyrine', 'Zeph ', 'DM6', nhs, formatNhsNumber(nhs), `HIDDEN-${kind}`, hidden.childId])
        expect(byName.body).not.toContain(secret);
      // The audit notes the match for the information governance lead.
      const audit = await db()
        .selectFrom('audit_log')
        .select('details')
        .where('action', '=', 'children.register')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(audit.details).toContain(hidden.childId);

      // The same NHS number: the guard, then (told it is a different child) a neutral refusal.
      const form = validForm({ givenName: 'Yannick', familyName: `Elsewhere${kind}`, nhsNumber: formatNhsNumber(nhs) });
      const byNhs = await register(form);
      expect(text(byNhs.body)).toContain('This child may already be on the register');
      const clash = await caseworker.post(paths.children.register, { ...form, confirmed: 'yes' });
      expect(clash.status).toBe(400);
      expect(text(clash.body)).toContain(
        'A child with this NHS number is already on the register. Check the number; if it is right, ask your information governance lead to check access to that record',
      );
      for (const secret of ['Zephyrine', `Hiddenson${kind}`, 'DM6', hidden.childId]) expect(clash.body).not.toContain(secret);
      // The same council reference, likewise.
      const ref = await caseworker.post(paths.children.register, {
        ...validForm({ familyName: `Elsewhere${kind}`, councilId: `HIDDEN-${kind}` }),
        confirmed: 'yes',
      });
      expect(text(ref.body)).toContain('A child with this council reference is already on the register');
      expect(await counts()).toEqual(before);
    });

    it('gives the same neutral refusal for a clash with a record the person may see', async () => {
      const nhs = fakeNhsNumber(next());
      await createChild(db(), { givenName: 'Visible', familyName: `Seenson${kind}`, nhsNumber: nhs, involvedOrgCodes: ['DEMO-EDU'] });
      const clash = await caseworker.post(paths.children.register, { ...validForm({ familyName: `Other${kind}`, nhsNumber: nhs }), confirmed: 'yes' });
      expect(clash.status).toBe(400);
      expect(text(clash.body)).toContain('A child with this NHS number is already on the register.');
    });
  });

  describe('the record page', () => {
    it('is audited with the child as its subject and the purpose', async () => {
      const { childId } = await createChild(db(), { givenName: 'Audra', familyName: `Auditson${kind}` });
      const res = await caseworker.get(paths.children.record(childId));
      expect(res.status).toBe(200);
      const entry = await db().selectFrom('audit_log').selectAll().where('action', '=', 'children.record.view').orderBy('id', 'desc').executeTakeFirstOrThrow();
      expect(entry).toMatchObject({
        subject_type: 'child',
        subject_id: childId,
        purpose: 'viewing the record',
        result: 'allowed',
        user_id: await userIdByEmail(db(), CASEWORKER),
      });
    });

    it('does not exist for a person whose organisation is not involved, or whose consent does not cover them', async () => {
      const { childId } = await createChild(db(), { givenName: 'Secretia', familyName: `Unseenson${kind}`, involvedOrgCodes: ['DEMO-EDU'] });
      const keyworker = new Client(t.app);
      await keyworker.signIn(KEYWORKER);
      for (const url of [paths.children.record(childId), paths.children.edit(childId), paths.children.history(childId)]) {
        const res = await keyworker.get(url);
        expect(res.status).toBe(404);
        expect(res.body).not.toContain('Secretia');
        expect(res.body).not.toContain(`Unseenson${kind}`);
      }
      // Involved, but consent covers only the council's education type, not the trust.
      const { childId: other } = await createChild(db(), {
        givenName: 'Partiala',
        familyName: `Scopeson${kind}`,
        involvedOrgCodes: ['DEMO-EDU', 'DEMO-TRUST'],
        consentScopes: [{ organisationType: 'council-education', section: 'core' }],
      });
      const practitioner = new Client(t.app);
      await practitioner.signIn(PRACTITIONER);
      const refused = await practitioner.get(paths.children.record(other));
      expect(refused.status).toBe(404);
      expect(refused.body).not.toContain('Partiala');
      // Withdrawn consent: gone for everyone.
      const { childId: withdrawn } = await createChild(db(), { givenName: 'Withdrawna', familyName: `Goneson${kind}`, withdrawn: true });
      const gone = await caseworker.get(paths.children.record(withdrawn));
      expect(gone.status).toBe(404);
      expect(gone.body).not.toContain('Withdrawna');
      // A commissioner has no casework role: the page is not for them at all.
      const commissioner = new Client(t.app);
      await commissioner.signIn(COMMISSIONER);
      expect((await commissioner.get(paths.children.record(childId))).status).toBe(403);
    });

    it('says when it is seen through emergency access', async () => {
      const { childId } = await createChild(db(), { givenName: 'Urgent', familyName: `Glassson${kind}`, involvedOrgCodes: ['DEMO-EDU'] });
      const practitioner = new Client(t.app);
      await practitioner.signIn(PRACTITIONER);
      expect((await practitioner.get(paths.children.record(childId))).status).toBe(404);
      const trust = await orgByCode(db(), 'DEMO-TRUST');
      await db()
        .insertInto('break_glass')
        .values({
          child_id: childId,
          user_id: await userIdByEmail(db(), PRACTITIONER),
          organisation_id: trust.id,
          reason: 'Test: seen in the emergency department, unconscious',
          expires_at: new Date(Date.now() + 3600_000),
        })
        .execute();
      const res = await practitioner.get(paths.children.record(childId));
      expect(res.status).toBe(200);
      expect(text(res.body)).toContain('You are using emergency access to this record');
      const entry = await db().selectFrom('audit_log').selectAll().where('action', '=', 'children.record.view').orderBy('id', 'desc').executeTakeFirstOrThrow();
      expect(entry).toMatchObject({ subject_id: childId, user_id: await userIdByEmail(db(), PRACTITIONER) });
      expect(entry.details).toContain('emergency access');
      // Others, seeing it through sharing, are not told about it.
      expect(text((await caseworker.get(paths.children.record(childId))).body)).not.toContain('emergency access');
    });

    it('shows the key worker and the criteria met, with who assessed them', async () => {
      const { childId } = await createChild(db(), {
        givenName: 'Kit',
        familyName: `Criteriason${kind}`,
        keyWorkerEmail: KEYWORKER,
        criteria: ['DEVELOPMENT', 'TWO-AGENCIES'],
      });
      const page = text((await caseworker.get(paths.children.record(childId))).body);
      expect(page).toContain('Demo Key Worker');
      expect(page).toContain('Needs support from two or more agencies');
      expect(page).toContain('Demoshire Council: SEND and inclusion (fictional)');
    });
  });

  describe('changing the record', () => {
    const editForm = async (childId: string, over: Record<string, string | string[]> = {}) => {
      const page = await caseworker.get(paths.children.edit(childId));
      expect(page.status).toBe(200);
      // Read the form as the browser would send it.
      const form: Record<string, string | string[]> = {};
      for (const m of page.body.matchAll(/<input[^>]*>/g)) {
        const tag = m[0];
        const name = /name="([^"]+)"/.exec(tag)?.[1];
        if (!name || name === '_csrf') continue;
        const value = (/value="([^"]*)"/.exec(tag)?.[1] ?? '').replace(/&amp;/g, '&').replace(/&#39;/g, "'");
        const type = /type="([^"]+)"/.exec(tag)?.[1] ?? 'text';
        if ((type === 'radio' || type === 'checkbox') && !/\schecked/.test(tag)) continue;
        if (type === 'checkbox') form[name] = [...((form[name] as string[] | undefined) ?? []), value];
        else form[name] = value;
      }
      for (const m of page.body.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
        form[m[1]!] = /<option value="([^"]*)" selected/.exec(m[2]!)?.[1] ?? '';
      }
      for (const m of page.body.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) form[m[1]!] = m[2]!.trim();
      return { ...form, ...over };
    };

    it('saves changes, keeps their history with before and after, and refuses a stale form', async () => {
      const { childId } = await createChild(db(), { givenName: 'Edie', familyName: `Editson${kind}`, postcode: 'DM1 2AA', involvedOrgCodes: ['DEMO-EDU'] });
      const form = await editForm(childId);
      expect(form.givenName).toBe('Edie');
      expect(form.version).toBe('1');
      const nhs = fakeNhsNumber(next());
      const saved = await caseworker.post(paths.children.edit(childId), {
        ...form,
        preferredName: 'Eds',
        postcode: 'dm5 1aa',
        nhsNumber: formatNhsNumber(nhs),
        severity: 'profound',
      });
      expect(saved.status).toBe(303);
      expect(saved.location).toBe(`${paths.children.record(childId)}?saved=changes`);
      const child = await db().selectFrom('children').selectAll().where('id', '=', childId).executeTakeFirstOrThrow();
      expect(child).toMatchObject({
        preferred_name: 'Eds',
        postcode: 'DM5 1AA',
        nhs_number: nhs,
        severity: 'profound',
        version: 2,
        search_names: `edie editson${kind.toLowerCase()} eds`,
      });
      const locality = await db().selectFrom('localities').select('name').where('id', '=', child.locality_id!).executeTakeFirstOrThrow();
      expect(locality.name).toBe('South Demoshire');

      // Someone else's form, opened before that change, is refused and nothing is overwritten.
      const stale = await caseworker.post(paths.children.edit(childId), { ...form, preferredName: 'Overwritten' });
      expect(stale.status).toBe(409);
      expect(text(stale.body)).toContain('Someone else changed this record after you opened it');
      // The page shows the record as it is now.
      expect(stale.body).toContain('value="Eds"');
      expect((await db().selectFrom('children').select('preferred_name').where('id', '=', childId).executeTakeFirstOrThrow()).preferred_name).toBe('Eds');

      const history = await caseworker.get(paths.children.history(childId));
      expect(history.status).toBe(200);
      const seen = text(history.body);
      expect(seen).toContain('Record changed');
      expect(seen).toContain('Demo Caseworker');
      expect(seen).toMatch(/Preferred name None Eds/);
      expect(seen).toMatch(/Postcode DM1 2AA DM5 1AA/);
      expect(seen).toMatch(/Locality North Demoshire South Demoshire/);
      expect(seen).toMatch(/Severity None Profound/);
      expect(seen).toContain(formatNhsNumber(nhs));
      const entry = await db()
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'children.history.view')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(entry).toMatchObject({ subject_type: 'child', subject_id: childId });
      const rows = await db().selectFrom('child_history').selectAll().where('child_id', '=', childId).execute();
      expect(rows).toHaveLength(1);
      expect((JSON.parse(rows[0]!.changes) as { fields: unknown[] }).fields).toContainEqual({ field: 'preferred_name', before: null, after: 'Eds' });
    });

    it('records a change of status with its date, and checks it', async () => {
      const { childId } = await createChild(db(), { givenName: 'Stacey', familyName: `Statusson${kind}` });
      const form = await editForm(childId);
      const noDate = await caseworker.post(paths.children.edit(childId), { ...form, status: 'moved-away' });
      expect(noDate.status).toBe(400);
      expect(text(noDate.body)).toContain('Enter the date the status changed');
      const over25 = await caseworker.post(paths.children.edit(childId), { ...form, status: 'over-25', ...parts('statusOn', today) });
      expect(text(over25.body)).toContain('not over 25');
      const ok = await caseworker.post(paths.children.edit(childId), { ...form, status: 'moved-away', ...parts('statusOn', addDays(today, -3)) });
      expect(ok.status).toBe(303);
      expect(await db().selectFrom('children').select(['status', 'status_on']).where('id', '=', childId).executeTakeFirstOrThrow()).toEqual({
        status: 'moved-away',
        status_on: addDays(today, -3),
      });
      expect(text((await caseworker.get(paths.children.record(childId))).body)).toContain('Moved away since');
    });

    it('checks every field as registering does, and refuses another child’s identifier neutrally', async () => {
      const taken = fakeNhsNumber(next());
      await createChild(db(), { givenName: 'Hidden', familyName: `Takenson${kind}`, nhsNumber: taken, involvedOrgCodes: ['DEMO-TRUST'] });
      const { childId } = await createChild(db(), { givenName: 'Ivy', familyName: `Checkson${kind}` });
      const form = await editForm(childId);
      const bad = await caseworker.post(paths.children.edit(childId), {
        ...form,
        nhsNumber: '943 476 5918',
        upn: 'X123456789875',
        ...parts('dateOfBirth', addDays(today, 1)),
      });
      expect(bad.status).toBe(400);
      const seen = text(bad.body);
      expect(seen).toContain('Enter a valid NHS number: it is 10 digits and its last digit did not check out');
      expect(seen).toContain('Enter a valid UPN: its first letter does not match the rest');
      expect(seen).toContain('Date of birth must be today or in the past');
      const clash = await caseworker.post(paths.children.edit(childId), { ...form, nhsNumber: taken });
      expect(clash.status).toBe(400);
      expect(text(clash.body)).toContain('A child with this NHS number is already on the register.');
      expect(clash.body).not.toContain(`Takenson${kind}`);
      expect((await db().selectFrom('children').select('version').where('id', '=', childId).executeTakeFirstOrThrow()).version).toBe(1);
    });

    it('records which criteria of the common definition are met, by whom and when', async () => {
      const { childId } = await createChild(db(), { givenName: 'Cass', familyName: `Definitionson${kind}`, dateOfBirth: addYears(today, -4) });
      const criteria = await db().selectFrom('disability_criteria').select(['id', 'code']).orderBy('position').execute();
      expect(criteria.length).toBeGreaterThanOrEqual(5);
      const development = criteria.find((c) => c.code === 'DEVELOPMENT')!;
      const longTerm = criteria.find((c) => c.code === 'LONG-TERM')!;
      const form = await editForm(childId);
      const res = await caseworker.post(paths.children.edit(childId), {
        ...form,
        criteria: [development.id, longTerm.id],
        ...parts('criteriaAssessedOn', addDays(today, -2)),
      });
      expect(res.status).toBe(303);
      const met = await db().selectFrom('child_criteria').selectAll().where('child_id', '=', childId).execute();
      const edu = await orgByCode(db(), 'DEMO-EDU');
      expect(met).toHaveLength(2);
      for (const m of met) {
        expect(m).toMatchObject({
          assessed_by_user_id: await userIdByEmail(db(), CASEWORKER),
          assessed_by_organisation_id: edu.id,
          assessed_on: addDays(today, -2),
        });
      }
      const record = text((await caseworker.get(paths.children.record(childId))).body);
      expect(record).toContain('Has a significant delay or impairment');
      expect(record).toContain(`Assessed by Demo Caseworker, ${edu.name}`);
      // Unticking one keeps the other, and the history says so.
      const again = await editForm(childId);
      expect(again.criteria).toEqual([development.id, longTerm.id]);
      expect((await caseworker.post(paths.children.edit(childId), { ...again, criteria: [development.id] })).status).toBe(303);
      expect((await db().selectFrom('child_criteria').select('criterion_id').where('child_id', '=', childId).execute()).map((r) => r.criterion_id)).toEqual([
        development.id,
      ]);
      const history = text((await caseworker.get(paths.children.history(childId))).body);
      expect(history).toContain('Common definition of disability: criteria met DEVELOPMENT, LONG-TERM DEVELOPMENT');
      // A criterion from elsewhere is refused.
      const forged = await caseworker.post(paths.children.edit(childId), { ...(await editForm(childId)), criteria: ['00000000-0000-0000-0000-000000000000'] });
      expect(text(forged.body)).toContain('Select criteria from the list');
    });
  });
});
