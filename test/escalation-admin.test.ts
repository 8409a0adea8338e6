// Issue 11, written as the attacks: an administrator who tries to widen their own access, or to
// take over someone else's account, is refused or held for a second administrator. Each test
// replays the attack exactly as it was reproduced, and failed on the code before the fix.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, invitationLinkFor, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { loggerOptions } from '../src/platform/http/logging.js';
import { paths } from '../src/paths.js';
import { currentTotp, newTotpSecret } from '../src/capabilities/administration/sign-in/totp.js';
import { sealTotpSecret } from '../src/capabilities/administration/sign-in/totp-secret.js';

const ADMIN = 'admin@demoshire.example.org';
const CASEWORKER = 'caseworker@demoshire.example.org';
const PASSWORD = 'a new password for the test';

describe.each(databaseKinds())('an administrator cannot raise their own access on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    admin = new Client(t.app);
    await admin.signIn(ADMIN);
  });
  afterAll(() => t?.close());

  const userByEmail = (email: string) => t.database.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
  const rolesOf = async (id: string) =>
    (await t.database.db.selectFrom('user_roles').select('role').where('user_id', '=', id).orderBy('role').execute()).map((r) => r.role);

  it('(a) refuses an administrator who adds a role to themselves: nothing changes and the register stays shut', async () => {
    const me = await userByEmail(ADMIN);
    const page = await admin.get(paths.admin.user(me.id));
    expect(page.status).toBe(200);
    // The page does not offer the roles form for one's own account.
    expect(page.body).not.toContain(`action="${paths.admin.userRoles(me.id)}"`);
    expect(text(page.body)).toContain('You cannot change your own roles. Ask another administrator');

    // The attack: post the form anyway.
    const res = await admin.post(paths.admin.userRoles(me.id), { roles: ['partnership-administrator', 'caseworker'], version: String(me.version) });
    expect(res.status).toBe(400);
    expect(text(res.body)).toContain('There is a problem');
    expect(text(res.body)).toContain('You cannot change your own roles. Ask another administrator');
    expect(await rolesOf(me.id)).toEqual(['partnership-administrator']);
    expect((await userByEmail(ADMIN)).version).toBe(me.version);
    expect(await t.database.db.selectFrom('role_requests').selectAll().where('user_id', '=', me.id).execute()).toHaveLength(0);
    expect((await admin.get(paths.children.list)).status).toBe(403);
    // The refusal is in the audit log.
    const entry = await t.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'admin.user.roles')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ result: 'denied', subject_id: me.id });
  });

  it('(b) holds the partnership administrator role until a second administrator approves, and tells everyone', async () => {
    // A second administrator, as an area would have.
    const second = await userByEmail('ig@demoshire.example.org');
    await t.database.db.insertInto('user_roles').values({ user_id: second.id, role: 'partnership-administrator' }).execute();
    const secondAdmin = new Client(t.app);
    await secondAdmin.signIn(second.email);

    const target = await userByEmail(CASEWORKER);
    const targetClient = new Client(t.app);
    await targetClient.signIn(CASEWORKER);
    const sentBefore = await t.database.db.selectFrom('notifications').select('id').execute();

    await admin.get(paths.admin.user(target.id));
    const asked = await admin.post(paths.admin.userRoles(target.id), { roles: ['caseworker', 'partnership-administrator'], version: String(target.version) });
    expect(asked.status).toBe(303);
    expect(text((await admin.get(asked.location!)).body)).toContain('waits for a second administrator to approve it');
    // Pending: the role is not held, the person cannot administer.
    expect(await rolesOf(target.id)).toEqual(['caseworker']);
    expect((await targetClient.get(paths.admin.users)).status).toBe(403);
    const request = await t.database.db.selectFrom('role_requests').selectAll().where('user_id', '=', target.id).executeTakeFirstOrThrow();
    expect(request).toMatchObject({ role: 'partnership-administrator', change: 'grant', decision: null });
    const audit = await t.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'admin.user.roles')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(audit.result).toBe('allowed');
    expect(JSON.parse(String(audit.details))).toMatchObject({ requested: [{ id: request.id, role: 'partnership-administrator', change: 'grant' }] });

    // The one who asked is not offered the decision, and cannot make it.
    const own = await admin.get(paths.admin.user(target.id));
    expect(text(own.body)).toContain('Waiting for a second administrator');
    expect(own.body).not.toContain(paths.admin.approveRoleRequest(target.id, request.id));
    const selfApproved = await admin.post(paths.admin.approveRoleRequest(target.id, request.id));
    expect(selfApproved.status).toBe(400);
    expect(text(selfApproved.body)).toContain('You asked for this change, so another administrator must approve or refuse it');
    expect(await rolesOf(target.id)).toEqual(['caseworker']);
    // Nor can the person concerned, who is not an administrator.
    expect((await targetClient.post(paths.admin.approveRoleRequest(target.id, request.id))).status).toBe(403);
    expect(await rolesOf(target.id)).toEqual(['caseworker']);

    // Everyone is told: the person and every active administrator, with role names and a link only.
    const told = await t.database.db
      .selectFrom('notifications')
      .select(['recipient', 'subject', 'body'])
      .where('id', 'not in', sentBefore.length ? sentBefore.map((n) => n.id) : ['00000000-0000-4000-8000-000000000000'])
      .execute();
    expect(told.map((n) => n.recipient).sort()).toEqual([ADMIN, CASEWORKER, second.email].sort());
    for (const n of told) {
      expect(n.subject).toBe('A change to the administrator role is waiting for approval on Jointly');
      expect(n.body).toContain('added Partnership administrator');
      expect(n.body).not.toContain('Demo Caseworker');
      expect(n.body).not.toContain('Demo Administrator');
    }
    expect(told.find((n) => n.recipient === second.email)!.body).toContain(`http://localhost:3000${paths.admin.user(target.id)}`);

    // The second administrator approves: only now does it apply.
    const page = await secondAdmin.get(paths.admin.user(target.id));
    expect(page.body).toContain(paths.admin.approveRoleRequest(target.id, request.id));
    const approved = await secondAdmin.post(paths.admin.approveRoleRequest(target.id, request.id));
    expect(approved.status).toBe(303);
    expect(text((await secondAdmin.get(approved.location!)).body)).toContain('Change approved');
    expect(await rolesOf(target.id)).toEqual(['caseworker', 'partnership-administrator']);
    expect((await targetClient.get(paths.admin.users)).status).toBe(200);
    expect(await t.database.db.selectFrom('role_requests').select(['decision', 'decided_by']).where('id', '=', request.id).executeTakeFirstOrThrow()).toEqual({
      decision: 'approved',
      decided_by: second.id,
    });
    const approvedNotes = await t.database.db
      .selectFrom('notifications')
      .select('recipient')
      .where('subject', '=', 'A change of role was approved on Jointly')
      .execute();
    expect(approvedNotes.map((n) => n.recipient).sort()).toEqual([ADMIN, CASEWORKER, second.email].sort());
    // Decided once only.
    expect((await secondAdmin.post(paths.admin.refuseRoleRequest(target.id, request.id))).status).toBe(400);
  });

  it('(b) holds removing the role too, which the person concerned cannot decide; a refusal changes nothing', async () => {
    const second = await userByEmail('ig@demoshire.example.org');
    const third = await userByEmail(CASEWORKER); // made an administrator in the test before
    const secondAdmin = new Client(t.app);
    await secondAdmin.signIn(second.email);
    const thirdAdmin = new Client(t.app);
    await thirdAdmin.signIn(third.email);

    await admin.get(paths.admin.user(second.id));
    const asked = await admin.post(paths.admin.userRoles(second.id), { roles: ['information-governance-lead'], version: String(second.version) });
    expect(asked.status).toBe(303);
    expect(await rolesOf(second.id)).toEqual(['information-governance-lead', 'partnership-administrator']);
    const request = await t.database.db
      .selectFrom('role_requests')
      .selectAll()
      .where('user_id', '=', second.id)
      .where('decision', 'is', null)
      .executeTakeFirstOrThrow();
    expect(request.change).toBe('remove');

    // The person concerned, though an administrator, cannot decide it.
    await secondAdmin.get(paths.admin.user(second.id));
    const own = await secondAdmin.post(paths.admin.refuseRoleRequest(second.id, request.id));
    expect(own.status).toBe(400);
    expect(text(own.body)).toContain('You cannot change your own roles. Ask another administrator');

    await thirdAdmin.get(paths.admin.user(second.id));
    const refused = await thirdAdmin.post(paths.admin.refuseRoleRequest(second.id, request.id));
    expect(refused.status).toBe(303);
    expect(await rolesOf(second.id)).toEqual(['information-governance-lead', 'partnership-administrator']);
    expect((await t.database.db.selectFrom('role_requests').select('decision').where('id', '=', request.id).executeTakeFirstOrThrow()).decision).toBe(
      'refused',
    );
  });

  it('(b) a new person added with the partnership administrator role waits for a second administrator too', async () => {
    const org = await t.database.db.selectFrom('organisations').select('id').where('code', '=', 'DEMO-EDU').executeTakeFirstOrThrow();
    const email = `new.admin.${kind}@demoshire.example.org`;
    await admin.get(paths.admin.newUser);
    const res = await admin.post(paths.admin.newUser, {
      displayName: 'New Administrator',
      email,
      organisationId: org.id,
      roles: ['partnership-administrator', 'caseworker'],
    });
    expect(res.status).toBe(303);
    expect(text((await admin.get(res.location!)).body)).toContain('The partnership administrator role waits for a second administrator');
    const person = await userByEmail(email);
    expect(await rolesOf(person.id)).toEqual(['caseworker']);
    const request = await t.database.db.selectFrom('role_requests').selectAll().where('user_id', '=', person.id).executeTakeFirstOrThrow();
    expect(request).toMatchObject({ role: 'partnership-administrator', change: 'grant', decision: null });
  });

  it('(b) a new commissioner waits for a second administrator: the administrator approves plans for the board, so cannot also make their author', async () => {
    const org = await t.database.db.selectFrom('organisations').select('id').where('code', '=', 'DEMO-ICB').executeTakeFirstOrThrow();
    const email = `new.commissioner.${kind}@demoshire.example.org`;
    await admin.get(paths.admin.newUser);
    const res = await admin.post(paths.admin.newUser, { displayName: 'New Commissioner', email, organisationId: org.id, roles: ['commissioner'] });
    expect(res.status).toBe(303);
    const person = await userByEmail(email);
    expect(await rolesOf(person.id)).toEqual([]);
    const request = await t.database.db.selectFrom('role_requests').selectAll().where('user_id', '=', person.id).executeTakeFirstOrThrow();
    expect(request).toMatchObject({ role: 'commissioner', change: 'grant', decision: null });
  });
});

describe.each(databaseKinds())('an administrator cannot take over accounts on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  const lines: string[] = [];
  beforeAll(async () => {
    let pending = '';
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        pending += chunk.toString('utf8');
        const parts = pending.split('\n');
        pending = parts.pop()!;
        lines.push(...parts.filter(Boolean));
        done();
      },
    });
    t = await buildTestApp(kind, {}, { logger: { ...(loggerOptions('info') as object), stream } });
    admin = new Client(t.app);
    await admin.signIn(ADMIN);
  });
  afterAll(() => t?.close());

  const userByEmail = (email: string) => t.database.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
  /** The administrator sends a new invitation to the person, from the person's page. */
  const sendInvitation = async (email: string) => {
    const person = await userByEmail(email);
    await admin.get(paths.admin.user(person.id));
    const res = await admin.post(paths.admin.resendInvitation(person.id));
    expect(res.status).toBe(303);
    return invitationLinkFor(t.sent, email);
  };

  it('(c) keeps the invitation link out of the outbox: only the person receives it', async () => {
    const link = await sendInvitation(CASEWORKER);
    const token = link.split('/').pop()!;
    expect(token.length).toBeGreaterThan(20);

    // The administrator reads the outbox page: the message is there, its link is not.
    const outbox = await admin.get(paths.admin.outbox);
    expect(outbox.status).toBe(200);
    expect(text(outbox.body)).toContain('You have been invited to Jointly');
    expect(text(outbox.body)).toContain('[link removed: sent only to the person]');
    expect(outbox.body).not.toContain(token);
    expect(outbox.body).not.toContain('/invitation/');

    // Nor is it anywhere in the notifications table.
    const rows = await t.database.db.selectFrom('notifications').selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(`${row.subject} ${row.body}`).not.toContain(token);
      expect(`${row.subject} ${row.body}`).not.toContain('/invitation/');
    }

    // The message the person really received carries it.
    const real = t.sent.filter((m) => m.to === CASEWORKER).at(-1)!;
    expect(real.body).toContain(`/invitation/${token}`);
  });

  it('(d) accepting an invitation ends every other session of that person', async () => {
    const email = 'commissioner@demoshire.example.org';
    // The person is signed in somewhere (an old password, a shared computer).
    const elsewhere = new Client(t.app);
    expect((await elsewhere.signIn(email)).location).toBe(paths.home);
    expect((await elsewhere.get(paths.home)).status).toBe(200);

    const link = await sendInvitation(email);
    const holder = new Client(t.app);
    await holder.get(link);
    const accepted = await holder.post(link, { password: PASSWORD, confirmPassword: PASSWORD });
    expect(accepted.location).toBe(paths.home);
    expect((await holder.get(paths.home)).status).toBe(200);

    // The other session no longer works.
    const after = await elsewhere.get(paths.home);
    expect(after.status).toBe(303);
    expect(after.location).toMatch(new RegExp(`^${paths.signIn}`));
    const person = await userByEmail(email);
    const open = await t.database.db.selectFrom('sessions').select('id_hash').where('user_id', '=', person.id).where('ended_at', 'is', null).execute();
    expect(open).toHaveLength(1);
  });

  it('asks for a current security code before an invitation changes the password of someone who has them, and keeps them', async () => {
    const email = 'finance@demoshire.example.org';
    const person = await userByEmail(email);
    const secret = newTotpSecret();
    await t.database.db
      .updateTable('users')
      .set({ totp_secret: sealTotpSecret(t.config.totpKey, person.id, secret), totp_enabled_at: new Date(), totp_last_step: null })
      .where('id', '=', person.id)
      .execute();
    const stored = async () =>
      t.database.db.selectFrom('users').select(['password_hash', 'totp_secret', 'totp_enabled_at']).where('id', '=', person.id).executeTakeFirstOrThrow();
    const before = await stored();

    // Whoever holds the link, without the person's authenticator, gets nowhere.
    const link = await sendInvitation(email);
    const holder = new Client(t.app);
    const page = await holder.get(link);
    expect(text(page.body)).toContain('Your account already has security codes set up');
    const none = await holder.post(link, { password: PASSWORD, confirmPassword: PASSWORD });
    expect(none.status).toBe(400);
    expect(text(none.body)).toContain('Enter the 6-digit code from your authenticator app');
    const wrong = await holder.post(link, { password: PASSWORD, confirmPassword: PASSWORD, code: currentTotp(secret) === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(401);
    expect(text(wrong.body)).toContain('The code is not correct or has expired');
    expect(await stored()).toEqual(before);
    expect((await holder.get(paths.home)).status).toBe(303);

    // The person, with their app, sets the password and keeps their security codes.
    const ok = await holder.post(link, { password: PASSWORD, confirmPassword: PASSWORD, code: currentTotp(secret) });
    expect(ok.location).toBe(paths.home);
    const after = await stored();
    expect(after.password_hash).not.toBe(before.password_hash);
    expect(after.totp_secret).toBe(before.totp_secret);
    expect(after.totp_enabled_at).toEqual(before.totp_enabled_at);
    // Signing in now needs the password and then a code.
    expect((await new Client(t.app).signIn(email, PASSWORD)).location).toBe(paths.signInTotp);
  });

  it('(e) never writes an invitation token to the request log', async () => {
    const link = await sendInvitation('participation@demoshire.example.org');
    const token = link.split('/').pop()!;
    const visitor = new Client(t.app);
    expect((await visitor.get(link)).status).toBe(200);
    // A refused form and a second look are logged too.
    expect((await visitor.post(link, { password: 'short', confirmPassword: 'short' })).status).toBe(400);
    expect((await visitor.get(`${link}?utm=1`)).status).toBe(200);

    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toContain(token);
    const paths_ = lines.map((l) => (JSON.parse(l) as { req?: { path?: string } }).req?.path).filter(Boolean);
    expect(paths_).toContain('/invitation/[redacted]');
  });
});
