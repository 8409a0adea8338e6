// Families using Jointly themselves (issue 15, ADR 0015), over HTTP on both databases: a
// caseworker invites a parent from the record; the parent sets a password, sees only their own
// children, sees who can see the record and who has looked, and stops sharing with one
// organisation, which then no longer sees the record. Family accounts are refused staff pages,
// and nobody can give themselves or anyone else a family account by any other door.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, invitationLinkFor, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { addStaff, createChild, orgByCode, userIdByEmail } from './support/register.js';
import { createDisputeWorld } from './support/dispute-world.js';
import { todayInLondon } from '../src/platform/dates.js';
import { paths } from '../src/paths.js';
import { hashPassword } from '../src/capabilities/administration/sign-in/passwords.js';

const CASEWORKER = 'caseworker@demoshire.example.org'; // council education
const PRACTITIONER = 'practitioner@demoshire.example.org'; // NHS trust
const ADMIN = 'admin@demoshire.example.org';
/** A second caseworker in the same team: the person who checks and approves an account someone else asked for. */
const SECOND = 'second.caseworker@demoshire.example.org';
const PASSWORD = 'a long family password';

describe.each(databaseKinds())('families use Jointly themselves on %s', (kind) => {
  let t: TestApp;
  const db = () => t.database.db;
  beforeAll(async () => {
    t = await buildTestApp(kind, { JOINTLY_SIGN_IN_RATE_PER_MINUTE: '1000' });
    await addStaff(t.database.db, { email: SECOND, displayName: 'Demo Second Caseworker', orgCode: 'DEMO-EDU', roles: ['caseworker'] });
  });
  afterAll(() => t?.close());

  const signedIn = async (email: string, password?: string) => {
    const c = new Client(t.app);
    expect((await c.signIn(email, password)).status).toBe(303);
    return c;
  };

  /** The account asked for on the child's record, approved by the second caseworker: only then is the invitation sent. */
  const approveAccount = async (childId: string, email: string) => {
    const userId = await userIdByEmail(db(), email);
    const second = await signedIn(SECOND);
    await second.get(paths.children.familyAccounts(childId));
    const res = await second.post(paths.children.familyAccounts(childId), { approve: userId });
    expect(res.status, text(res.body).slice(0, 1500)).toBe(303);
    expect(res.location).toBe(`${paths.children.familyAccounts(childId)}?approved=1`);
  };

  /** A child the caseworker and the trust work with, shared with both by consent, and a parent with an e-mail address. */
  const familyWithParent = async (givenName: string, parentEmail: string | null) =>
    createChild(db(), {
      givenName,
      involvedOrgCodes: ['DEMO-EDU', 'DEMO-TRUST'],
      consentScopes: [
        { organisationType: 'council-education', section: 'core' },
        { organisationType: 'council-education', section: 'family' },
        { organisationType: 'council-education', section: 'about-me' },
        { organisationType: 'nhs-trust', section: 'core' },
        { organisationType: 'nhs-trust', section: 'health' },
      ],
      familyMember: { fullName: `Robin ${givenName}parent`, relationship: 'father', parentalResponsibility: true, email: parentEmail },
    });

  it('a caseworker invites a parent, who sees only their child, who can see it and who has looked, and stops sharing with the trust', async () => {
    const email = 'robin.faithparent@example.net';
    const { childId, consentId, familyMemberId } = await familyWithParent('Faith', email);
    const other = await familyWithParent('Other', 'someone.else@example.net');
    const trust = await orgByCode(db(), 'DEMO-TRUST');

    const cw = await signedIn(CASEWORKER);
    const accounts = await cw.get(paths.children.familyAccounts(childId));
    expect(accounts.status).toBe(200);
    expect(text(accounts.body)).toContain(`Robin Faithparent (father)`);
    expect(text(accounts.body)).toContain('No account');
    const invited = await cw.post(paths.children.familyAccounts(childId), { memberId: familyMemberId! });
    expect(invited.status, text(invited.body).slice(0, 2000)).toBe(303);
    expect(invited.location).toBe(`${paths.children.familyAccounts(childId)}?invited=1`);
    // Only once.
    const twice = await cw.post(paths.children.familyAccounts(childId), { memberId: familyMemberId! });
    expect(twice.status).toBe(400);
    expect(text(twice.body)).toContain('Robin Faithparent already has an account');
    // A member of another family cannot be invited from this record.
    const elsewhere = await cw.post(paths.children.familyAccounts(childId), { memberId: other.familyMemberId! });
    expect(elsewhere.status).toBe(400);
    expect(text(elsewhere.body)).toContain('Choose a parent or carer with parental responsibility from the list');

    // Nobody gives an account alone: nothing is sent until a second person approves, and the
    // person who asked cannot approve it, by the form or in the database.
    expect(() => invitationLinkFor(t.sent, email)).toThrow(/No invitation was sent/);
    const waiting = await cw.get(paths.children.familyAccounts(childId));
    expect(text(waiting.body)).toContain('waiting for a second person to check the address and approve');
    expect(text(waiting.body)).toContain('You asked for this account: someone else must approve it');
    const userId = await userIdByEmail(db(), email);
    const own = await cw.post(paths.children.familyAccounts(childId), { approve: userId });
    expect(own.status).toBe(400);
    expect(text(own.body)).toContain('You asked for this account, so someone else must check the e-mail address with the family and approve it');
    const asker = await userIdByEmail(db(), CASEWORKER);
    await expect(
      db().updateTable('family_accounts').set({ approved_by: asker, approved_at: new Date() }).where('user_id', '=', userId).execute(),
    ).rejects.toThrow(/family_accounts_approved_by_another/);
    expect(() => invitationLinkFor(t.sent, email)).toThrow(/No invitation was sent/);
    const second = await signedIn(SECOND);
    // It is on the second person's work list, not on the asker's, nor on that of someone who cannot see the family.
    const item = 'Check and approve a family account for Faith Testfamily';
    const secondHome = await second.get(paths.home);
    expect(text(secondHome.body)).toContain(item);
    expect(secondHome.body).toContain(`href="${paths.children.familyAccounts(childId)}"`);
    expect(text((await cw.get(paths.home)).body)).not.toContain(item);
    expect(text((await (await signedIn(PRACTITIONER)).get(paths.home)).body)).not.toContain(item);
    expect(text((await second.get(paths.children.familyAccounts(childId))).body)).toContain(`Approve and send the invitation to ${email}`);
    await approveAccount(childId, email);
    expect(text((await second.get(paths.home)).body)).not.toContain(item);
    const again = await second.post(paths.children.familyAccounts(childId), { approve: userId });
    expect(text(again.body)).toContain('already approved and the invitation sent');

    // The parent sets a password from the e-mailed link and lands on their family's pages.
    const parent = new Client(t.app);
    const link = invitationLinkFor(t.sent, email);
    await parent.get(link);
    const set = await parent.post(link, { password: PASSWORD, confirmPassword: PASSWORD });
    expect(set.location).toBe(paths.home);
    expect((await parent.get(paths.home)).location).toBe(paths.myFamily.home);
    const home = await parent.get(paths.myFamily.home);
    expect(home.status).toBe(200);
    expect(text(home.body)).toContain('Faith Testfamily');
    expect(text(home.body)).not.toContain('Other Testfamily');
    // Another family's child does not exist for them; staff pages are refused, not signed out.
    expect((await parent.get(paths.myFamily.child(other.childId))).status).toBe(404);
    expect((await parent.get(paths.children.record(childId))).status).toBe(403);
    expect((await parent.get(paths.children.list)).status).toBe(403);
    expect((await parent.get(paths.myFamily.home)).status).toBe(200);

    const page = await parent.get(paths.myFamily.child(childId));
    expect(page.status).toBe(200);
    const words = text(page.body);
    expect(words).toContain('What is recorded');
    expect(words).toContain('There are no requests for help on the record');
    expect(words).toContain('No support has been agreed and paid for on the record yet');
    expect(words).toContain(`${trust.name} Core record, Health`);

    // The trust's practitioner can see the record; the parent stops sharing with the trust only.
    const practitioner = await signedIn(PRACTITIONER);
    expect((await practitioner.get(paths.children.record(childId))).status).toBe(200);
    const form = await parent.get(paths.myFamily.withdraw(childId, consentId!));
    expect(form.status).toBe(200);
    expect(form.body).toContain(`value="${trust.id}"`);
    const none = await parent.post(paths.myFamily.withdraw(childId, consentId!), {});
    expect(none.status).toBe(400);
    expect(text(none.body)).toContain('Choose who should stop seeing the record');
    const stopped = await parent.post(paths.myFamily.withdraw(childId, consentId!), { organisationId: trust.id, reason: 'We moved hospital' });
    expect(stopped.location).toBe(`${paths.myFamily.child(childId)}?done=withdrawn`);
    expect((await practitioner.get(paths.children.record(childId))).status).toBe(404);
    // The caseworker still sees it, and sees the change and who made it.
    expect((await cw.get(paths.children.record(childId))).status).toBe(200);
    const sharing = text((await cw.get(paths.children.sharing(childId))).body);
    expect(sharing).toContain(`Withdrawn for ${trust.name}`);
    expect(sharing).toContain('recorded by Robin Faithparent');
    expect(sharing).toContain('We moved hospital');
    // Confirmed in writing.
    expect(t.sent.some((m) => m.to === email && m.subject === 'You stopped sharing a record' && m.body.includes(trust.name))).toBe(true);

    // Who has looked: the caseworker's and practitioner's views, and the family's own.
    const looked = text((await parent.get(paths.myFamily.whoLooked(childId))).body);
    expect(looked).toContain('Demo Caseworker');
    expect(looked).toContain('Demo Practitioner');
    expect(looked).toContain('Robin Faithparent');
    const parentId = await userIdByEmail(db(), email);
    const reads = await db().selectFrom('audit_log').select('action').where('user_id', '=', parentId).where('subject_id', '=', childId).execute();
    expect(reads.map((r) => r.action)).toEqual(expect.arrayContaining(['family.child.view', 'family.consent.withdraw']));

    // The parent writes "about me"; staff see it and its author; a stale form is refused with a reason.
    const aboutForm = await parent.get(paths.myFamily.aboutMe(childId));
    expect(aboutForm.status).toBe(200);
    expect(aboutForm.body).toContain('name="basedOn" value="0"');
    const about = { whatMatters: 'Swimming on Saturdays and her cat', writtenWith: 'Robin and Faith', basedOn: '0' };
    expect((await parent.post(paths.myFamily.aboutMe(childId), about)).location).toBe(`${paths.myFamily.child(childId)}?done=about-me`);
    const staffView = text((await cw.get(paths.children.aboutMe(childId))).body);
    expect(staffView).toContain('Swimming on Saturdays and her cat');
    expect(staffView).toContain('Robin Faithparent');
    const stale = await parent.post(paths.myFamily.aboutMe(childId), { ...about, whatMatters: 'Something older' });
    expect(stale.status).toBe(409);
    expect(text(stale.body)).toContain('Someone else changed this record after you opened it');
    expect((await db().selectFrom('about_me_versions').select('what_matters').where('child_id', '=', childId).execute()).map((v) => v.what_matters)).toEqual([
      'Swimming on Saturdays and her cat',
    ]);

    // Parental responsibility removed from the record: the child is gone from their pages at once.
    await db().updateTable('family_members').set({ parental_responsibility: false }).where('id', '=', familyMemberId!).execute();
    expect((await parent.get(paths.myFamily.child(childId))).status).toBe(404);
    expect(text((await parent.get(paths.myFamily.home)).body)).toContain('There is no child linked to your account now');
  });

  it('needs an e-mail address to invite, and no administrator can give the family role', async () => {
    const { childId, familyMemberId } = await familyWithParent('Nomail', null);
    const cw = await signedIn(CASEWORKER);
    const res = await cw.post(paths.children.familyAccounts(childId), { memberId: familyMemberId! });
    expect(res.status).toBe(400);
    expect(text(res.body)).toContain('Add an e-mail address for Robin Nomailparent on the family page first');
    expect(await db().selectFrom('family_accounts').select('user_id').where('family_member_id', '=', familyMemberId!).execute()).toEqual([]);

    // The administrator's role form does not offer it, and refuses it when sent.
    const admin = await signedIn(ADMIN);
    const someone = await userIdByEmail(db(), PRACTITIONER);
    const rolesPage = await admin.get(paths.admin.userRoles(someone));
    expect(rolesPage.body).not.toContain('value="family-member"');
    const user = await db().selectFrom('users').select('version').where('id', '=', someone).executeTakeFirstOrThrow();
    const forced = await admin.post(paths.admin.userRoles(someone), { roles: ['practitioner', 'family-member'], version: String(user.version) });
    expect(forced.status).toBe(400);
    expect(text(forced.body)).toContain('Choose roles from the list');

    // Nor can a family account be given a staff role, or lose its own, through the People pages.
    const { childId: c2, familyMemberId: m2 } = await familyWithParent('Rolefam', 'robin.rolefam@example.net');
    expect((await cw.post(paths.children.familyAccounts(c2), { memberId: m2! })).status).toBe(303);
    const familyUser = await db().selectFrom('users').select(['id', 'version']).where('email', '=', 'robin.rolefam@example.net').executeTakeFirstOrThrow();
    await admin.get(paths.admin.userRoles(familyUser.id));
    const staffed = await admin.post(paths.admin.userRoles(familyUser.id), { roles: ['caseworker'], version: String(familyUser.version) });
    expect(staffed.status).toBe(400);
    expect(text(staffed.body)).toContain('This is a family account, tied to a child’s record: its roles cannot be changed');
    expect((await db().selectFrom('user_roles').select('role').where('user_id', '=', familyUser.id).execute()).map((r) => r.role)).toEqual(['family-member']);

    // An account nobody approved opens nothing, even with a password set by some other means.
    await db()
      .updateTable('users')
      .set({ password_hash: await hashPassword(PASSWORD) })
      .where('id', '=', familyUser.id)
      .execute();
    const unapproved = await signedIn('robin.rolefam@example.net', PASSWORD);
    expect((await unapproved.get(paths.myFamily.child(c2))).status).toBe(404);
    expect(text((await unapproved.get(paths.myFamily.home)).body)).toContain('There is no child linked to your account now');
  });

  it('shows the family their referral, what the panel decided, and the support agreed with who pays', async () => {
    const today = todayInLondon();
    const { world, case: decided } = await createDisputeWorld(db(), { startsOn: today, endsOn: null, today });
    const member = await db()
      .selectFrom('family_members as m')
      .innerJoin('children as c', 'c.family_id', 'm.family_id')
      .select(['m.id', 'm.email'])
      .where('c.id', '=', world.childId)
      .executeTakeFirstOrThrow();
    const cw = await signedIn(CASEWORKER);
    expect((await cw.post(paths.children.familyAccounts(world.childId), { memberId: member.id })).status).toBe(303);
    await approveAccount(world.childId, member.email!);
    const parent = new Client(t.app);
    const link = invitationLinkFor(t.sent, member.email!);
    await parent.get(link);
    await parent.post(link, { password: PASSWORD, confirmPassword: PASSWORD });
    const words = text((await parent.get(paths.myFamily.child(world.childId))).body);
    expect(words).toContain(decided.referralReference);
    expect(words).toContain(`What the panel decided Approved on`);
    const partners = await db()
      .selectFrom('budget_partners as p')
      .innerJoin('organisations as o', 'o.id', 'p.organisation_id')
      .select(['p.id', 'o.name'])
      .execute();
    const name = (id: string) => partners.find((p) => p.id === id)!.name;
    expect(words).toContain(`${name(world.partners.health)} 50%`);
    expect(words).toContain(`${name(world.partners.socialCare)} 50%`);
  });
});
