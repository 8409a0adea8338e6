// The one referral route through the screens: a family refers itself on the public form (stored,
// acknowledged, audited without a user, refused with specific messages, never revealing who is on
// the register); a partner refers a child they may see (and only such a child) on a recorded
// sharing basis; triage attaches, decides with a reason, notifies, and refuses a stale form.
import { insertReferral } from './support/referrals.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { createChild } from './support/register.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import {
  ALREADY_ATTACHED,
  NO_AGREEMENT,
  NO_SHARING_BASIS,
  TRIAGE_DECISIONS,
  type TriageDecision,
} from '../src/capabilities/referral-and-panel/referrals/rules.js';

const CASEWORKER = 'caseworker@demoshire.example.org'; // DEMO-EDU, triage
const KEYWORKER = 'keyworker@demoshire.example.org'; // DEMO-CSC, refers but does not triage

const parts = (field: string, iso: string) => {
  const [y, m, d] = iso.split('-');
  return { [`${field}-day`]: String(Number(d)), [`${field}-month`]: String(Number(m)), [`${field}-year`]: y! };
};
const yearsAgo = (iso: string, years: number) => `${Number(iso.slice(0, 4)) - years}${iso.slice(4)}`.replace(/-02-29$/, '-02-28');
const errorsOf = (body: string) =>
  [...body.matchAll(/<a href="(#[^"]+)">([^<]+)<\/a>/g)]
    .filter((m) => body.indexOf('govuk-error-summary') < m.index)
    .map((m) => ({ href: m[1]!, text: text(m[2]!).trim() }));

describe.each(databaseKinds())('referrals on %s', (kind) => {
  let t: TestApp;
  let cw: Client;
  const today = todayInLondon();
  const selfForm = (over: Record<string, string> = {}) => ({
    who: 'parent',
    name: 'Robin Fictional',
    email: 'robin.fictional@example.org',
    phone: '',
    contactMethod: 'email',
    givenName: 'Ariel',
    familyName: 'Fictional',
    ...parts('dateOfBirth', yearsAgo(today, 9)),
    postcode: 'DM1 4AB',
    helpNeeded: 'Personal care at home for six weeks after an operation',
    reason: 'Ariel is having hip surgery and will need two people to help with care',
    agree: 'yes',
    ...over,
  });
  const publicPost = async (form: Record<string, string>) => {
    const c = new Client(t.app);
    await c.get(paths.referrals.selfReferral);
    return c.post(paths.referrals.selfReferral, form);
  };
  const refByReference = (reference: string) => t.database.db.selectFrom('referrals').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow();

  beforeAll(async () => {
    t = await buildTestApp(kind);
    cw = new Client(t.app);
    expect((await cw.signIn(CASEWORKER)).status).toBe(303);
  });
  afterAll(() => t?.close());

  describe('a family refers itself', () => {
    it('stores the referral, records its events, acknowledges it and audits it without a user', async () => {
      const res = await publicPost(selfForm());
      expect(res.status).toBe(303);
      const reference = /\/refer\/sent\/(REF-\d+)/.exec(res.location!)![1]!;
      const r = await refByReference(reference);
      expect(r).toMatchObject({
        route: 'family',
        child_id: null,
        status: 'received',
        referrer_relationship: 'parent',
        sharing_basis: 'consent',
        contact_method: 'email',
      });
      expect(r.consent_given_by).toBe('Robin Fictional (parent)');
      expect(JSON.parse(r.child_details)).toEqual({ givenName: 'Ariel', familyName: 'Fictional', dateOfBirth: yearsAgo(today, 9), postcode: 'DM1 4AB' });
      const events = await t.database.db
        .selectFrom('referral_events')
        .select(['kind', 'notification_id'])
        .where('referral_id', '=', r.id)
        .orderBy('at')
        .execute();
      expect(events.map((e) => e.kind)).toEqual(['received', 'acknowledged']);
      const note = await t.database.db.selectFrom('notifications').selectAll().where('id', '=', events[1]!.notification_id!).executeTakeFirstOrThrow();
      expect(note).toMatchObject({ channel: 'email', recipient: 'robin.fictional@example.org' });
      expect(note.body).toContain(reference);
      const audit = await t.database.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'referrals.self.create')
        .where('subject_id', '=', r.id)
        .executeTakeFirstOrThrow();
      expect(audit.user_id).toBeNull();
      // What was done, not what was typed.
      expect(audit.details).not.toContain('Ariel');

      const done = await new Client(t.app).get(res.location!);
      expect(done.status).toBe(200);
      expect(text(done.body)).toContain(reference);
      expect(text(done.body)).toContain('What happens next');
    });

    it('acknowledges by text message when that is the way chosen', async () => {
      const res = await publicPost(
        selfForm({
          who: 'young-person',
          name: 'Kit Fictional',
          email: '',
          phone: '07700 900123',
          contactMethod: 'sms',
          givenName: 'Kit',
          ...parts('dateOfBirth', yearsAgo(today, 17)),
        }),
      );
      expect(res.status).toBe(303);
      const r = await refByReference(/(REF-\d+)/.exec(res.location!)![1]!);
      expect(r.referrer_relationship).toBe('young-person');
      const note = await t.database.db.selectFrom('notifications').selectAll().where('recipient', '=', '07700 900123').executeTakeFirstOrThrow();
      expect(note.channel).toBe('sms');
      expect(note.body).toContain(r.reference);
    });

    it('refuses a referral without the sharing agreement, saying what to do, and stores nothing', async () => {
      const before = await t.database.db
        .selectFrom('referrals')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      const res = await publicPost(selfForm({ agree: '' }));
      expect(res.status).toBe(400);
      expect(errorsOf(res.body)).toEqual([{ href: '#agree', text: NO_AGREEMENT }]);
      const after = await t.database.db
        .selectFrom('referrals')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    });

    it('refuses a young person under 16, someone else, and a contact way without its address, each with its own message', async () => {
      const young = await publicPost(selfForm({ who: 'young-person', ...parts('dateOfBirth', yearsAgo(today, 14)) }));
      expect(young.status).toBe(400);
      expect(errorsOf(young.body)[0]!.text).toMatch(/You can refer yourself from age 16/);
      const other = await publicPost(selfForm({ who: 'someone-else' }));
      expect(errorsOf(other.body)[0]).toEqual({
        href: '#who',
        text: expect.stringMatching(/Only a parent or carer with parental responsibility, or the young person/) as unknown,
      });
      const noPhone = await publicPost(selfForm({ contactMethod: 'sms' }));
      expect(errorsOf(noPhone.body)).toEqual([{ href: '#phone', text: 'Enter your mobile number, or choose email' }]);
    });

    it('answers the same whether or not the child is on the register', async () => {
      const dob = yearsAgo(today, 7);
      await createChild(t.database.db, { givenName: 'Onregister', familyName: 'Fictional', dateOfBirth: dob, involvedOrgCodes: ['DEMO-EDU'] });
      const on = await publicPost(selfForm({ givenName: 'Onregister', ...parts('dateOfBirth', dob) }));
      const off = await publicPost(selfForm({ givenName: 'Notonregister', ...parts('dateOfBirth', dob) }));
      expect(on.status).toBe(303);
      expect(off.status).toBe(303);
      const strip = (s: string) => s.replace(/REF-\d+/g, 'REF').replace(/nonce="[^"]+"|value="[^"]+"/g, '');
      const [a, b] = [await new Client(t.app).get(on.location!), await new Client(t.app).get(off.location!)];
      expect(strip(a.body)).toBe(strip(b.body));
      // Neither is attached to anything: triage decides that.
      expect((await refByReference(/(REF-\d+)/.exec(on.location!)![1]!)).child_id).toBeNull();
      // Refusals too: a bad form says the same for both.
      const onBad = await publicPost(selfForm({ givenName: 'Onregister', ...parts('dateOfBirth', dob), agree: '' }));
      const offBad = await publicPost(selfForm({ givenName: 'Notonregister', ...parts('dateOfBirth', dob), agree: '' }));
      expect(errorsOf(onBad.body)).toEqual(errorsOf(offBad.body));
    });
  });

  describe('a partner refers a child', () => {
    it('refers a child they may see, on the family’s agreement, and tells the referrer and the family', async () => {
      const { childId } = await createChild(t.database.db, {
        givenName: 'Partnerref',
        familyName: 'Fictional',
        involvedOrgCodes: ['DEMO-EDU'],
        familyMember: { fullName: 'Sam Fictional', email: 'sam.fictional@example.org', consentsToEmail: true, parentalResponsibility: true },
      });
      const form = await cw.get(`${paths.referrals.newReferral}?child=${childId}`);
      expect(form.status).toBe(200);
      expect(text(form.body)).toContain('Refer Partnerref Fictional');

      const refused = await cw.post(paths.referrals.newReferral, { childId, helpNeeded: 'Short breaks', reason: 'Carers need a rest' });
      expect(refused.status).toBe(400);
      expect(errorsOf(refused.body)).toEqual([{ href: '#basis', text: NO_SHARING_BASIS }]);
      const emptyConsent = await cw.post(paths.referrals.newReferral, {
        childId,
        helpNeeded: 'Short breaks',
        reason: 'Carers need a rest',
        basis: 'consent',
        consentGivenBy: '',
      });
      expect(errorsOf(emptyConsent.body)).toEqual([{ href: '#consentGivenBy', text: NO_SHARING_BASIS }]);

      const ok = await cw.post(paths.referrals.newReferral, {
        childId,
        helpNeeded: 'Short breaks',
        reason: 'Carers need a rest',
        basis: 'consent',
        consentGivenBy: 'Sam Fictional (mother)',
      });
      expect(ok.status).toBe(303);
      const reference = /sent=(REF-\d+)/.exec(ok.location!)![1]!;
      const r = await refByReference(reference);
      expect(r).toMatchObject({
        route: 'partner',
        child_id: childId,
        sharing_basis: 'consent',
        consent_given_by: 'Sam Fictional (mother)',
        referrer_relationship: 'professional',
      });
      const notes = await t.database.db
        .selectFrom('referral_events as e')
        .innerJoin('notifications as n', 'n.id', 'e.notification_id')
        .select(['n.recipient', 'n.body'])
        .where('e.referral_id', '=', r.id)
        .execute();
      expect(notes.map((n) => n.recipient).sort()).toEqual([CASEWORKER, 'sam.fictional@example.org']);
      const audit = await t.database.db
        .selectFrom('audit_log as a')
        .innerJoin('audit_children as c', 'c.audit_id', 'a.id')
        .select('c.child_id')
        .where('a.action', '=', 'referrals.create')
        .where('a.subject_id', '=', r.id)
        .execute();
      expect(audit.map((a) => a.child_id)).toEqual([childId]);
    });

    it('records a lawful basis instead, and then does not write to the family', async () => {
      const { childId } = await createChild(t.database.db, {
        givenName: 'Lawfulref',
        involvedOrgCodes: ['DEMO-EDU'],
        familyMember: { fullName: 'Lee Fictional', email: 'lee.fictional@example.org', consentsToEmail: true },
      });
      await cw.get(`${paths.referrals.newReferral}?child=${childId}`);
      const ok = await cw.post(paths.referrals.newReferral, {
        childId,
        helpNeeded: 'Assessment',
        reason: 'Safeguarding concern',
        basis: 'lawful-basis',
        lawfulBasis: 'Children Act 1989 section 47',
      });
      expect(ok.status).toBe(303);
      const r = await refByReference(/sent=(REF-\d+)/.exec(ok.location!)![1]!);
      expect(r).toMatchObject({ sharing_basis: 'lawful-basis', lawful_basis: 'Children Act 1989 section 47', consent_given_by: null });
      const sent = await t.database.db.selectFrom('notifications').select('id').where('recipient', '=', 'lee.fictional@example.org').execute();
      expect(sent).toEqual([]);
    });

    it('cannot refer a child they may not see: the same “not found” as a child that does not exist', async () => {
      const { childId } = await createChild(t.database.db, { givenName: 'Hidden', involvedOrgCodes: ['DEMO-CSC'], councilId: 'HIDDEN-1' });
      const missing = '00000000-0000-4000-8000-000000000000';
      const [seen, none] = [await cw.get(`${paths.referrals.newReferral}?child=${childId}`), await cw.get(`${paths.referrals.newReferral}?child=${missing}`)];
      expect(seen.status).toBe(404);
      expect(none.status).toBe(404);
      await cw.get(paths.referrals.newReferral);
      const post = await cw.post(paths.referrals.newReferral, { childId, helpNeeded: 'x', reason: 'y', basis: 'consent', consentGivenBy: 'z' });
      expect(post.status).toBe(404);
      const count = await t.database.db.selectFrom('referrals').select('id').where('child_id', '=', childId).execute();
      expect(count).toEqual([]);
      // Looking them up by council reference finds nothing, as for a reference nobody has.
      const byId = await cw.get(`${paths.referrals.newReferral}?identifier=HIDDEN-1`);
      const byNothing = await cw.get(`${paths.referrals.newReferral}?identifier=NOBODY-1`);
      expect(byId.location).toBe(`${paths.referrals.newReferral}?notFound=1`);
      expect(byNothing.location).toBe(byId.location);
    });

    it('finds a child they may see by council reference', async () => {
      const { childId } = await createChild(t.database.db, { givenName: 'Byreference', involvedOrgCodes: ['DEMO-EDU'], councilId: 'SEEN-1' });
      const res = await cw.get(`${paths.referrals.newReferral}?identifier=SEEN-1`);
      expect(res.location).toBe(`${paths.referrals.newReferral}?child=${childId}`);
    });

    it('the triage queue and a referral’s page are for triage only', async () => {
      const kw = new Client(t.app);
      await kw.signIn(KEYWORKER);
      expect((await kw.get(paths.referrals.queue)).status).toBe(403);
      expect((await kw.get(paths.referrals.newReferral)).status).toBe(200);
      expect((await new Client(t.app).get(paths.referrals.queue)).status).toBe(303);
    });
  });

  describe('triage', () => {
    const registerForm = (referral: string, givenName: string) => ({
      referral,
      givenName,
      familyName: 'Fictional',
      ...parts('dateOfBirth', yearsAgo(today, 9)),
      sex: 'F',
      ethnicity: 'NOBT',
      hasEhcPlan: 'no',
      ...parts('joinedOn', today),
      actsForSelf: 'no',
      postcode: 'DM1 4AB',
      parentName: 'Robin Fictional',
      parentRelationship: 'mother',
      parentalResponsibility: 'yes',
      parentEmail: 'robin.fictional@example.org',
      consentGivenBy: 'parent',
      ...parts('consentGivenOn', today),
      consentMethod: 'electronic',
      scope: ['council-education:core'],
      service: 'SEND casework',
    });
    // A family's referral stored directly: the public form is rate limited per minute, and other tests here use it.
    const storedReferral = (givenName: string) =>
      insertReferral(t.database.db, {
        child_id: null,
        child_details: JSON.stringify({ givenName, familyName: 'Fictional', dateOfBirth: yearsAgo(today, 9), postcode: 'DM1 4AB' }),
        contact_method: 'email',
        help_needed: 'Personal care at home',
        reason: 'An operation',
        received_on: today,
      });
    const familyReferral = async () => {
      const res = await publicPost(selfForm({ givenName: `Triage${Math.random().toString(36).slice(2, 7)}` }));
      return refByReference(/(REF-\d+)/.exec(res.location!)![1]!);
    };

    it('lists every referral oldest first, filtered by status, and audits the view', async () => {
      const a = await familyReferral();
      const res = await cw.get(paths.referrals.queue);
      expect(res.status).toBe(200);
      const refs = [...res.body.matchAll(/>(REF-\d+)</g)].map((m) => m[1]!);
      expect(refs).toContain(a.reference);
      expect([...refs].sort()).toEqual(refs);
      const received = await cw.get(`${paths.referrals.queue}?status=signposted`);
      expect(received.body).not.toContain(a.reference);
      const audit = await t.database.db.selectFrom('audit_log').select('id').where('action', '=', 'referrals.queue.view').execute();
      expect(audit.length).toBeGreaterThanOrEqual(2);
    });

    it.each(['accept', 'more-information', 'signpost', 'to-panel'] as TriageDecision[])(
      '%s: records the decision and its reason, and sends it to the referrer',
      async (decision) => {
        const r = await familyReferral();
        const page = await cw.get(paths.referrals.referral(r.id));
        expect(page.status).toBe(200);
        if (decision === 'to-panel') {
          // Not before the referral is attached to the child's record.
          const early = await cw.post(paths.referrals.triage(r.id), { decision, reason: 'Needs joint funding', version: String(r.version) });
          expect(early.status).toBe(400);
          expect(errorsOf(early.body)[0]!.text).toMatch(/Attach the referral to the child’s record before sending it to panel/);
          const { childId } = await createChild(t.database.db, {
            givenName: `Attach${r.reference.slice(-4)}`,
            familyName: 'Fictional',
            involvedOrgCodes: ['DEMO-EDU'],
          });
          const search = await cw.get(`${paths.referrals.referral(r.id)}?childName=Attach${r.reference.slice(-4)}`);
          expect(search.body).toContain(`value="${childId}"`);
          const attached = await cw.post(paths.referrals.attach(r.id), { childId, version: String(r.version) });
          expect(attached.status).toBe(303);
          r.version += 1;
          expect((await refByReference(r.reference)).child_id).toBe(childId);
        }
        const reason = `Reason for ${decision}: the family can read this.`;
        const res = await cw.post(paths.referrals.triage(r.id), { decision, reason, version: String(r.version) });
        expect(res.status).toBe(303);
        const after = await refByReference(r.reference);
        expect(after.status).toBe(TRIAGE_DECISIONS[decision].status);
        expect(after.triage_reason).toBe(reason);
        expect(after.version).toBe(r.version + 1);
        const events = await t.database.db
          .selectFrom('referral_events')
          .select(['kind', 'note', 'notification_id'])
          .where('referral_id', '=', r.id)
          .orderBy('at')
          .execute();
        expect(events.map((e) => e.kind)).toContain(TRIAGE_DECISIONS[decision].event);
        const notified = events.filter((e) => e.kind === 'notified');
        expect(notified).toHaveLength(1);
        const note = await t.database.db.selectFrom('notifications').selectAll().where('id', '=', notified[0]!.notification_id!).executeTakeFirstOrThrow();
        expect(note.recipient).toBe('robin.fictional@example.org');
        expect(note.body).toContain(reason);
        expect(note.body).toContain(r.reference);
        const shown = text((await cw.get(paths.referrals.referral(r.id))).body);
        expect(shown).toContain(reason);
        // The audit log records the decision, never the reason typed.
        const logged = await t.database.db
          .selectFrom('audit_log')
          .select('details')
          .where('action', '=', 'referrals.triage')
          .where('subject_id', '=', r.id)
          .where('result', '=', 'allowed')
          .executeTakeFirstOrThrow();
        expect(logged.details).not.toContain('the family can read this');
        expect(JSON.parse(logged.details)).toMatchObject({ decision, status: TRIAGE_DECISIONS[decision].status, notified: 1 });
      },
    );

    it('warns, under the reason, that it goes to the contact details on the referral', async () => {
      const r = await storedReferral('Hintpage');
      const page = await cw.get(paths.referrals.referral(r.id));
      const hint = /<div id="reason-hint" class="govuk-hint">([^<]*)<\/div>/.exec(page.body);
      expect(text(hint?.[1] ?? '').trim()).toBe(
        'It is sent to the referrer and to the contact details on the referral: write only what they told us or what they need to know. Do not include anything from the child’s record.',
      );
      expect(page.body).toMatch(/<textarea[^>]*id="reason"[^>]*aria-describedby="reason-hint"/);
    });

    it('attaches a referral to one child only, once: never re-points it to another child', async () => {
      const r = await storedReferral('Onceonly');
      const right = await createChild(t.database.db, { givenName: 'Rightchild', familyName: 'Fictional', involvedOrgCodes: ['DEMO-EDU'] });
      const wrong = await createChild(t.database.db, { givenName: 'Wrongchild', familyName: 'Fictional', involvedOrgCodes: ['DEMO-EDU'] });
      await cw.get(paths.referrals.referral(r.id));
      expect((await cw.post(paths.referrals.attach(r.id), { childId: right.childId, version: String(r.version) })).status).toBe(303);
      // Re-attaching, even on the current version, is refused with what to do instead.
      const again = await cw.post(paths.referrals.attach(r.id), { childId: wrong.childId, version: String(r.version + 1) });
      expect(again.status).toBe(400);
      expect(errorsOf(again.body).map((e) => e.text)).toEqual([ALREADY_ATTACHED]);
      expect((await refByReference(r.reference)).child_id).toBe(right.childId);

      // Sent to panel: its papers and decisions concern that child, so still refused.
      expect(
        (await cw.post(paths.referrals.triage(r.id), { decision: 'to-panel', reason: 'Needs joint funding', version: String(r.version + 1) })).status,
      ).toBe(303);
      const late = await cw.post(paths.referrals.attach(r.id), { childId: wrong.childId, version: String(r.version + 2) });
      expect(late.status).toBe(400);
      expect(errorsOf(late.body).map((e) => e.text)).toEqual([ALREADY_ATTACHED]);
      const after = await refByReference(r.reference);
      expect(after).toMatchObject({ child_id: right.childId, status: 'to-panel', version: r.version + 2 });
      const attached = await t.database.db.selectFrom('referral_events').select('id').where('referral_id', '=', r.id).where('kind', '=', 'attached').execute();
      expect(attached).toHaveLength(1);

      // Registering a new child from it is refused too, before anyone is registered.
      const form = await cw.get(`${paths.referrals.registerChild}?referral=${r.id}`);
      expect(form.location).toBe(paths.referrals.referral(r.id));
      const reg = await cw.post(paths.referrals.registerChild, registerForm(r.id, 'Neverregistered'));
      expect(reg.status).toBe(400);
      expect(errorsOf(reg.body).map((e) => e.text)).toEqual([ALREADY_ATTACHED]);
      expect(await t.database.db.selectFrom('children').select('id').where('given_name', '=', 'Neverregistered').execute()).toEqual([]);
      expect((await refByReference(r.reference)).child_id).toBe(right.childId);
    });

    it('cannot attach a referral once triage has closed it', async () => {
      const r = await storedReferral('Closedref');
      const { childId } = await createChild(t.database.db, { givenName: 'Toolate', involvedOrgCodes: ['DEMO-EDU'] });
      await cw.get(paths.referrals.referral(r.id));
      expect(
        (await cw.post(paths.referrals.triage(r.id), { decision: 'signpost', reason: 'The local offer fits better', version: String(r.version) })).status,
      ).toBe(303);
      const res = await cw.post(paths.referrals.attach(r.id), { childId, version: String(r.version + 1) });
      expect(res.status).toBe(400);
      expect(errorsOf(res.body).map((e) => e.text)).toEqual(['This referral is signposted elsewhere, so it can no longer be attached to a child’s record']);
      expect((await refByReference(r.reference)).child_id).toBeNull();
    });

    it('refuses a decision without a reason, and a stale form, changing nothing', async () => {
      const r = await familyReferral();
      await cw.get(paths.referrals.referral(r.id));
      const noReason = await cw.post(paths.referrals.triage(r.id), { decision: 'accept', reason: '', version: String(r.version) });
      expect(noReason.status).toBe(400);
      expect(errorsOf(noReason.body)[0]!.href).toBe('#reason');
      // Someone else decides first.
      expect(
        (await cw.post(paths.referrals.triage(r.id), { decision: 'more-information', reason: 'Tell us about school', version: String(r.version) })).status,
      ).toBe(303);
      const stale = await cw.post(paths.referrals.triage(r.id), { decision: 'signpost', reason: 'Try the local offer', version: String(r.version) });
      expect(stale.status).toBe(409);
      expect(text(stale.body)).toContain('Someone else changed this record after you opened it');
      const after = await refByReference(r.reference);
      expect(after.status).toBe('more-information');
      expect(after.triage_reason).toBe('Tell us about school');
    });

    it('records each view of a referral in the audit log, with the child once attached', async () => {
      const r = await familyReferral();
      const { childId } = await createChild(t.database.db, { givenName: 'Auditview', involvedOrgCodes: ['DEMO-EDU'] });
      await cw.get(paths.referrals.referral(r.id));
      await cw.post(paths.referrals.attach(r.id), { childId, version: String(r.version) });
      await cw.get(paths.referrals.referral(r.id));
      const views = await t.database.db
        .selectFrom('audit_log as a')
        .leftJoin('audit_children as c', 'c.audit_id', 'a.id')
        .select(['a.id', 'c.child_id'])
        .where('a.action', '=', 'referrals.referral.view')
        .where('a.subject_id', '=', r.id)
        .orderBy('a.at')
        .execute();
      expect(views.map((v) => v.child_id)).toEqual([null, childId]);
    });

    it('cannot attach a referral to a child the triager may not see', async () => {
      const r = await familyReferral();
      const { childId } = await createChild(t.database.db, { givenName: 'Notattachable', involvedOrgCodes: ['DEMO-CSC'] });
      await cw.get(paths.referrals.referral(r.id));
      const res = await cw.post(paths.referrals.attach(r.id), { childId, version: String(r.version) });
      expect(res.status).toBe(404);
      expect((await refByReference(r.reference)).child_id).toBeNull();
    });

    it('registers a new child from a family’s referral, through the duplicate guard, and attaches it', async () => {
      const r = await familyReferral();
      const { givenName } = JSON.parse(r.child_details) as { givenName: string };
      const form = await cw.get(`${paths.referrals.registerChild}?referral=${r.id}`);
      expect(form.status).toBe(200);
      // Prefilled from what the family told us.
      expect(form.body).toContain(`value="${givenName}"`);
      const res = await cw.post(paths.referrals.registerChild, registerForm(r.id, givenName));
      expect(
        res.status,
        errorsOf(res.body)
          .map((e) => e.text)
          .join('; '),
      ).toBe(303);
      expect(res.location).toBe(`${paths.referrals.referral(r.id)}?done=registered`);
      const after = await refByReference(r.reference);
      expect(after.child_id).not.toBeNull();
      const child = await t.database.db.selectFrom('children').select(['given_name', 'postcode']).where('id', '=', after.child_id!).executeTakeFirstOrThrow();
      expect(child.given_name).toBe(givenName);
    });
  });
});
