// Young people use Jointly themselves (issue 15, ADR 0022), over HTTP on both databases: from
// their 16th birthday a caseworker invites a young person to their own account, with an e-mail
// address given at invitation time (the record keeps none for the child); the day before, they
// cannot, whatever the form says. The young person sees their own record and nothing else, and is
// refused staff pages (403). The age is checked on every request, not only at invitation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, invitationLinkFor, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { addStaff, createChild, userIdByEmail } from './support/register.js';
import { todayInLondon } from '../src/platform/dates.js';
import { addDays } from '../src/platform/financial-year.js';
import { addMonths } from '../src/capabilities/families/my-family/rules.js';
import { paths } from '../src/paths.js';

const CASEWORKER = 'caseworker@demoshire.example.org';
const PASSWORD = 'a long young person password';
/** The second person, who checks the address and approves an account someone else asked for. */
const SECOND = 'second.caseworker@demoshire.example.org';

describe.each(databaseKinds())('young people have their own accounts from 16 on %s', (kind) => {
  let t: TestApp;
  const db = () => t.database.db;
  beforeAll(async () => {
    t = await buildTestApp(kind, { JOINTLY_SIGN_IN_RATE_PER_MINUTE: '1000' });
    await addStaff(t.database.db, { email: SECOND, displayName: 'Demo Second Caseworker', orgCode: 'DEMO-EDU', roles: ['caseworker'] });
  });
  afterAll(() => t?.close());

  const approve = async (childId: string, email: string) => {
    const second = await signedIn(SECOND);
    await second.get(paths.children.familyAccounts(childId));
    const res = await second.post(paths.children.familyAccounts(childId), { approve: await userIdByEmail(db(), email) });
    expect(res.status, text(res.body).slice(0, 1500)).toBe(303);
  };
  const signedIn = async (email: string, password?: string) => {
    const c = new Client(t.app);
    expect((await c.signIn(email, password)).status).toBe(303);
    return c;
  };
  const today = todayInLondon();
  /** Born 16 years ago today: their 16th birthday is today. */
  const sixteenToday = addMonths(today, -12 * 16);

  const youngPerson = (givenName: string, dateOfBirth: string, parentEmail: string) =>
    createChild(db(), {
      givenName,
      dateOfBirth,
      involvedOrgCodes: ['DEMO-EDU'],
      familyMember: { fullName: `Sam ${givenName}parent`, relationship: 'mother', parentalResponsibility: true, email: parentEmail },
    });

  it('the day before their 16th birthday a young person cannot have an account; on the day they can', async () => {
    const cw = await signedIn(CASEWORKER);
    const fifteen = await youngPerson('Fifteen', addDays(sixteenToday, 1), 'sam.fifteenparent@example.net');
    const page = text((await cw.get(paths.children.familyAccounts(fifteen.childId))).body);
    expect(page).toContain('Fifteen Testfamily can have their own account from their 16th birthday');
    expect(page).not.toContain('own e-mail address');
    // Sent anyway (an attacker's form, or a stale page): refused, nothing made.
    const forced = await cw.post(paths.children.familyAccounts(fifteen.childId), { who: 'young-person', youngPersonEmail: 'fifteen@example.net' });
    expect(forced.status).toBe(400);
    expect(text(forced.body)).toContain('can have their own account from their 16th birthday');
    expect(await db().selectFrom('users').select('id').where('email', '=', 'fifteen@example.net').execute()).toEqual([]);
    expect(await db().selectFrom('family_accounts').select('user_id').where('child_id', '=', fifteen.childId).execute()).toEqual([]);

    const sixteen = await youngPerson('Sixteen', sixteenToday, 'sam.sixteenparent@example.net');
    const form = text((await cw.get(paths.children.familyAccounts(sixteen.childId))).body);
    expect(form).toContain('Sixteen Testfamily’s own e-mail address');
    const blank = await cw.post(paths.children.familyAccounts(sixteen.childId), { who: 'young-person', youngPersonEmail: ' ' });
    expect(blank.status).toBe(400);
    expect(text(blank.body)).toContain("Enter Sixteen Testfamily's own e-mail address");
    const wrong = await cw.post(paths.children.familyAccounts(sixteen.childId), { who: 'young-person', youngPersonEmail: 'not an address' });
    expect(wrong.status).toBe(400);
    expect(text(wrong.body)).toContain('Enter an e-mail address in the correct format');
    // The parent's address is taken: a young person's account is their own.
    const parents = await cw.post(paths.children.familyAccounts(sixteen.childId), { who: 'young-person', youngPersonEmail: CASEWORKER });
    expect(parents.status).toBe(400);
    expect(text(parents.body)).toContain('Someone already has an account with this e-mail address');

    const email = 'sixteen.own@example.net';
    const invited = await cw.post(paths.children.familyAccounts(sixteen.childId), { who: 'young-person', youngPersonEmail: email });
    expect(invited.status, text(invited.body).slice(0, 1500)).toBe(303);
    const twice = await cw.post(paths.children.familyAccounts(sixteen.childId), { who: 'young-person', youngPersonEmail: 'another@example.net' });
    expect(twice.status).toBe(400);
    expect(text(twice.body)).toContain('Sixteen Testfamily already has their own account');
    const audit = await db()
      .selectFrom('audit_log')
      .select(['details'])
      .where('action', '=', 'child.family-accounts.invite')
      .where('subject_id', '=', sixteen.childId)
      .where('result', '=', 'allowed')
      .execute();
    // The entry names the address, so the approver and any later review see where it was to go.
    expect(audit.some((a) => (JSON.parse(a.details) as { youngPerson?: boolean; email?: string }).email === email)).toBe(true);
    // Nothing is sent until a second person approves; the caseworker who asked cannot.
    expect(() => invitationLinkFor(t.sent, email)).toThrow(/No invitation was sent/);
    const own = await cw.post(paths.children.familyAccounts(sixteen.childId), { approve: await userIdByEmail(db(), email) });
    expect(text(own.body)).toContain('You asked for this account, so someone else must check the e-mail address');
    await approve(sixteen.childId, email);

    // The young person sets a password and sees their own record, and only that.
    const yp = new Client(t.app);
    const link = invitationLinkFor(t.sent, email);
    await yp.get(link);
    expect((await yp.post(link, { password: PASSWORD, confirmPassword: PASSWORD })).location).toBe(paths.home);
    const home = text((await yp.get(paths.myFamily.home)).body);
    expect(home).toContain('Sixteen Testfamily');
    expect(home).not.toContain('Fifteen Testfamily');
    expect((await yp.get(paths.myFamily.child(sixteen.childId))).status).toBe(200);
    expect((await yp.get(paths.myFamily.child(fifteen.childId))).status).toBe(404);
    // Staff pages are refused, not a sign-out; nor can they invite anyone, themselves included.
    expect((await yp.get(paths.children.familyAccounts(sixteen.childId))).status).toBe(403);
    expect((await yp.post(paths.children.familyAccounts(fifteen.childId), { who: 'young-person', youngPersonEmail: 'x@example.net' })).status).toBe(403);
    expect((await yp.get(paths.myFamily.home)).status).toBe(200);
    // Their parent, with an account of their own, cannot widen anyone's access either: inviting
    // (themselves again, or the young person to an address they hold) is a staff page, refused.
    const sixteenParent = await db()
      .selectFrom('family_members as m')
      .innerJoin('children as c', 'c.family_id', 'm.family_id')
      .select('m.id')
      .where('c.id', '=', sixteen.childId)
      .executeTakeFirstOrThrow();
    expect((await cw.post(paths.children.familyAccounts(sixteen.childId), { memberId: sixteenParent.id })).status).toBe(303);
    await approve(sixteen.childId, 'sam.sixteenparent@example.net');
    const parent = new Client(t.app);
    const parentLink = invitationLinkFor(t.sent, 'sam.sixteenparent@example.net');
    await parent.get(parentLink);
    await parent.post(parentLink, { password: PASSWORD, confirmPassword: PASSWORD });
    expect((await parent.get(paths.myFamily.home)).status).toBe(200);
    expect((await parent.post(paths.children.familyAccounts(sixteen.childId), { memberId: sixteenParent.id })).status).toBe(403);
    expect((await parent.post(paths.children.familyAccounts(fifteen.childId), { who: 'young-person', youngPersonEmail: 'mine@example.net' })).status).toBe(403);
    expect(await db().selectFrom('users').select('id').where('email', '=', 'mine@example.net').execute()).toEqual([]);
    // Refused for lacking the permission (not a form token), and recorded as refused.
    const parentId = (await db().selectFrom('users').select('id').where('email', '=', 'sam.sixteenparent@example.net').executeTakeFirstOrThrow()).id;
    const denied = await db()
      .selectFrom('audit_log')
      .select('details')
      .where('user_id', '=', parentId)
      .where('action', '=', 'child.family-accounts.invite')
      .where('result', '=', 'denied')
      .execute();
    expect(denied.length).toBe(2);
    expect(denied.every((d) => d.details.includes('lacks permission'))).toBe(true);
    // Each sees the young person's record through their own link: the parent's is not the young person's account.
    expect((await parent.get(paths.myFamily.child(sixteen.childId))).status).toBe(200);
    expect((await parent.get(paths.myFamily.child(fifteen.childId))).status).toBe(404);

    // Their parent's account is separate, and the staff page shows theirs in use.
    expect(text((await cw.get(paths.children.familyAccounts(sixteen.childId))).body)).toContain(`Uses Jointly (${email})`);

    // The age is checked on every request: a date of birth corrected on the record to 15 ends their access.
    await db()
      .updateTable('children')
      .set({ date_of_birth: addDays(sixteenToday, 1) })
      .where('id', '=', sixteen.childId)
      .execute();
    expect((await yp.get(paths.myFamily.child(sixteen.childId))).status).toBe(404);
    expect(text((await yp.get(paths.myFamily.home)).body)).toContain('There is no child linked to your account now');
  });
});
