// Administrators manage organisations and people in the UI; leavers are deactivated, never
// deleted, and lose access on their next request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, invitationLinkFor, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { paths } from '../src/paths.js';

const ADMIN = 'admin@demoshire.example.org';

describe.each(databaseKinds())('administration on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    admin = new Client(t.app);
    await admin.signIn(ADMIN);
  });
  afterAll(() => t?.close());

  // The link as the person reads it in their inbox: the outbox keeps the message without it.
  const latestInvitationLink = (email: string) => invitationLinkFor(t.sent, email);

  it('lists the demo organisations', async () => {
    const res = await admin.get(paths.admin.organisations);
    expect(res.status).toBe(200);
    expect(text(res.body)).toContain('7 organisations');
    expect(text(res.body)).toContain('NHS Demoshire Integrated Care Board (fictional)');
  });

  it('explains every problem with a new organisation form', async () => {
    await admin.get(paths.admin.newOrganisation);
    const empty = await admin.post(paths.admin.newOrganisation, {});
    expect(empty.status).toBe(400);
    const page = text(empty.body);
    expect(page).toContain('There is a problem');
    expect(page).toContain('Enter the organisation’s name');
    expect(page).toContain('Enter a short code');
    expect(page).toContain('Select the type of organisation');
    expect(empty.body).toContain('<title>Error: Add an organisation – Jointly</title>');
    const badCode = await admin.post(paths.admin.newOrganisation, { name: 'Riverside Academy (fictional)', code: 'no spaces!', type: 'school' });
    expect(text(badCode.body)).toContain('Code must be 2 to 20 letters, digits or hyphens');
    // What was typed is kept.
    expect(badCode.body).toContain('value="Riverside Academy (fictional)"');
  });

  it('adds an organisation, then edits it, refusing a stale form', async () => {
    await admin.get(paths.admin.newOrganisation);
    const res = await admin.post(paths.admin.newOrganisation, { name: 'Riverside Academy (fictional)', code: 'riv-acad', type: 'school' });
    expect(res.status).toBe(303);
    expect(text((await admin.get(res.location!)).body)).toContain('Organisation RIV-ACAD added');
    const org = await t.database.db.selectFrom('organisations').selectAll().where('code', '=', 'RIV-ACAD').executeTakeFirstOrThrow();
    await admin.get(paths.admin.organisation(org.id));
    const saved = await admin.post(paths.admin.organisation(org.id), {
      name: 'Riverside Academy Trust (fictional)',
      type: 'school',
      active: 'yes',
      version: '1',
    });
    expect(saved.status).toBe(303);
    const stale = await admin.post(paths.admin.organisation(org.id), { name: 'Someone else', type: 'school', active: 'yes', version: '1' });
    expect(stale.status).toBe(409);
    expect(text(stale.body)).toContain('Someone else changed this record after you opened it');
    const now = await t.database.db.selectFrom('organisations').selectAll().where('id', '=', org.id).executeTakeFirstOrThrow();
    expect(now).toMatchObject({ name: 'Riverside Academy Trust (fictional)', version: 2 });
  });

  it('adds a person, who receives an invitation, creates a password and signs in with their roles', async () => {
    const org = await t.database.db.selectFrom('organisations').select('id').where('code', '=', 'DEMO-TRUST').executeTakeFirstOrThrow();
    await admin.get(paths.admin.newUser);
    const bad = await admin.post(paths.admin.newUser, { displayName: 'Test Therapist', email: 'not-an-address', organisationId: org.id });
    expect(bad.status).toBe(400);
    expect(text(bad.body)).toContain('Enter an e-mail address in the correct format');
    const dup = await admin.post(paths.admin.newUser, { displayName: 'Test Therapist', email: 'CASEWORKER@demoshire.example.org', organisationId: org.id });
    expect(text(dup.body)).toContain('Someone already has an account with this e-mail address');

    const email = `therapist.${kind}@demoshire.example.org`;
    const res = await admin.post(paths.admin.newUser, { displayName: 'Test Therapist', email, organisationId: org.id, roles: ['practitioner', 'key-worker'] });
    expect(res.status).toBe(303);
    expect(text((await admin.get(res.location!)).body)).toContain('Invitation sent');
    const outbox = await admin.get(paths.admin.outbox);
    expect(text(outbox.body)).toContain('You have been invited to Jointly');
    expect(text(outbox.body)).toContain('[link removed: sent only to the person]');

    const person = new Client(t.app);
    const link = latestInvitationLink(email);
    await person.get(link);
    const short = await person.post(link, { password: 'short', confirmPassword: 'short' });
    expect(text(short.body)).toContain('Your password must be at least 12 characters long');
    const mismatch = await person.post(link, { password: 'a long enough secret', confirmPassword: 'different one here' });
    expect(text(mismatch.body)).toContain('The passwords do not match');
    const ok = await person.post(link, { password: 'correct horse battery', confirmPassword: 'correct horse battery' });
    expect(ok.location).toBe(paths.home);
    const home = text((await person.get(paths.home)).body);
    expect(home).toContain('Signed in as Test Therapist');
    expect(home).toContain('Your roles: Key worker, Practitioner');
    // The link works once only.
    const again = await new Client(t.app).get(link);
    expect(again.status).toBe(404);
    expect(text(again.body)).toContain('This invitation link has expired or has been used');
    // And the new password signs in.
    expect((await new Client(t.app).signIn(email, 'correct horse battery')).location).toBe(paths.home);
  });

  it('deactivates a leaver, whose open session ends on their very next request', async () => {
    const leaver = new Client(t.app);
    await leaver.signIn('participation@demoshire.example.org');
    expect((await leaver.get(paths.home)).status).toBe(200);
    const user = await t.database.db.selectFrom('users').selectAll().where('email', '=', 'participation@demoshire.example.org').executeTakeFirstOrThrow();

    await admin.get(paths.admin.user(user.id));
    const res = await admin.post(paths.admin.deactivateUser(user.id), { version: String(user.version) });
    expect(res.status).toBe(303);
    expect(text((await admin.get(res.location!)).body)).toContain('Account deactivated');

    const next = await leaver.get(paths.home);
    expect(next.location).toBe(`${paths.signIn}?reason=deactivated`);
    expect(text((await leaver.get(next.location!)).body)).toContain('Your account has been deactivated');
    const retry = await new Client(t.app).signIn('participation@demoshire.example.org');
    expect(retry.status).toBe(401);
    expect(text(retry.body)).toContain('Your account has been deactivated');
    // Never deleted: still listed, with its history.
    expect(text((await admin.get(paths.admin.users)).body)).toContain('Demo Participation Lead');
    const stored = await t.database.db.selectFrom('users').select(['active', 'deactivated_at']).where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(stored.active).toBe(false);
    expect(stored.deactivated_at).not.toBeNull();
  });

  it('changes roles, and the change applies on the person’s next request', async () => {
    const person = new Client(t.app);
    await person.signIn('commissioner@demoshire.example.org');
    expect((await person.get(paths.budgets.home)).status).toBe(403);
    const user = await t.database.db.selectFrom('users').selectAll().where('email', '=', 'commissioner@demoshire.example.org').executeTakeFirstOrThrow();
    await admin.get(paths.admin.user(user.id));
    // Finance officer applies at once (the administrator and information governance lead roles wait for a second administrator).
    const res = await admin.post(paths.admin.userRoles(user.id), { roles: ['commissioner', 'finance-officer'], version: String(user.version) });
    expect(res.status).toBe(303);
    expect((await person.get(paths.budgets.home)).status).toBe(200);
    const bogus = await admin.post(paths.admin.userRoles(user.id), { roles: ['emperor'], version: String(user.version + 1) });
    expect(bogus.status).toBe(400);
    expect(text(bogus.body)).toContain('Choose roles from the list');
  });

  it('does not let an administrator deactivate themselves', async () => {
    const me = await t.database.db.selectFrom('users').selectAll().where('email', '=', ADMIN).executeTakeFirstOrThrow();
    await admin.get(paths.admin.user(me.id));
    const res = await admin.post(paths.admin.deactivateUser(me.id), { version: String(me.version) });
    expect(res.status).toBe(400);
    expect(text(res.body)).toContain('You cannot deactivate your own account');
  });
});

describe('unlocking an account', () => {
  it('lets an administrator unlock a person locked out by failed sign-ins', async () => {
    const t = await buildTestApp('pglite', { JOINTLY_LOCKOUT_ATTEMPTS: '2' });
    try {
      const email = 'keyworker@demoshire.example.org';
      const person = new Client(t.app);
      await person.get(paths.signIn);
      await person.post(paths.signIn, { email, password: 'wrong-one' });
      const locked = await person.post(paths.signIn, { email, password: 'wrong-two' });
      expect(text(locked.body)).toContain('After 2 failed attempts you cannot sign in for 15 minutes');
      const admin = new Client(t.app);
      await admin.signIn(ADMIN);
      const user = await t.database.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
      const page = await admin.get(paths.admin.user(user.id));
      expect(text(page.body)).toContain('Locked after failed sign-ins');
      const res = await admin.post(paths.admin.unlockUser(user.id), { version: String(user.version) });
      expect(text((await admin.get(res.location!)).body)).toContain('Account unlocked');
      expect((await person.post(paths.signIn, { email, password: 'demo-password-only' })).location).toBe(paths.home);
    } finally {
      await t.close();
    }
  });
});

describe('a deactivated account at sign-in', () => {
  it('says it is deactivated only to someone who knows its password', async () => {
    const t = await buildTestApp('pglite');
    try {
      await t.database.db.updateTable('users').set({ active: false }).where('email', '=', 'finance@demoshire.example.org').execute();
      const c = new Client(t.app);
      await c.get(paths.signIn);
      const guess = await c.post(paths.signIn, { email: 'finance@demoshire.example.org', password: 'a guess' });
      expect(text(guess.body)).toContain('Enter a correct e-mail address and password');
      expect(text(guess.body)).not.toContain('deactivated');
      const owner = await c.post(paths.signIn, { email: 'finance@demoshire.example.org', password: 'demo-password-only' });
      expect(text(owner.body)).toContain('Your account has been deactivated');
    } finally {
      await t.close();
    }
  });
});
