// Sign-in, sessions, CSRF and access, through real HTTP requests on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { paths } from '../src/paths.js';
import { currentTotp } from '../src/capabilities/administration/sign-in/totp.js';

const ADMIN = 'admin@demoshire.example.org';
const CASEWORKER = 'caseworker@demoshire.example.org';

describe.each(databaseKinds())('sign-in and access on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind, { JOINTLY_LOCKOUT_ATTEMPTS: '3' });
  });
  afterAll(() => t?.close());

  const auditRows = (action: string) => t.database.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();

  it('answers the health checks', async () => {
    const c = new Client(t.app);
    const live = await c.get(paths.health.live);
    expect(live.status).toBe(200);
    const ready = await c.get(paths.health.ready);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ status: 'ready', database: kind });
  });

  it('sends a visitor who is not signed in to the sign-in page, and audits the attempt', async () => {
    const c = new Client(t.app);
    const res = await c.get(paths.admin.users);
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${paths.signIn}?reason=required`);
    const page = await c.get(res.location!);
    expect(text(page.body)).toContain('You need to sign in to see that page.');
    const denied = await auditRows('admin.users.list');
    expect(denied.at(-1)).toMatchObject({ result: 'denied', user_id: null });
  });

  it('signs in with the right password, rotates the session and shows the home page', async () => {
    const c = new Client(t.app);
    await c.get(paths.signIn);
    const before = c.cookies.get('jointly_session');
    const res = await c.post(paths.signIn, { email: ADMIN, password: 'demo-password-only' });
    expect(res.status).toBe(303);
    expect(res.location).toBe(paths.home);
    expect(c.cookies.get('jointly_session')).toBeDefined();
    expect(c.cookies.get('jointly_session')).not.toBe(before);
    const home = await c.get(paths.home);
    expect(home.status).toBe(200);
    expect(text(home.body)).toContain('Signed in as Demo Administrator');
    const entry = (await auditRows('sign-in.password')).at(-1)!;
    expect(entry).toMatchObject({ result: 'allowed' });
    expect(entry.user_id).not.toBeNull();
  });

  it('refuses a wrong password and an unknown person with the same message, audited as denied', async () => {
    const c = new Client(t.app);
    await c.get(paths.signIn);
    const wrong = await c.post(paths.signIn, { email: CASEWORKER, password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(text(wrong.body)).toContain('Enter a correct e-mail address and password');
    const unknown = await c.post(paths.signIn, { email: 'nobody@demoshire.example.org', password: 'whatever' });
    expect(unknown.status).toBe(401);
    expect(text(unknown.body)).toContain('Enter a correct e-mail address and password');
    const rows = await auditRows('sign-in.password');
    const last = rows.slice(-2);
    expect(last.map((r) => r.result)).toEqual(['denied', 'denied']);
    expect((JSON.parse(last[0]!.details) as { reason: string }).reason).toBe('wrong password');
    expect((JSON.parse(last[1]!.details) as { reason: string }).reason).toMatch(/unknown/);
  });

  it('shows an error summary when the form is empty', async () => {
    const c = new Client(t.app);
    await c.get(paths.signIn);
    const res = await c.post(paths.signIn, { email: '', password: '' });
    expect(res.status).toBe(400);
    expect(res.body).toContain('govuk-error-summary');
    expect(text(res.body)).toContain('Enter your e-mail address');
    expect(res.body).toContain('href="#email"');
  });

  it('locks the account after repeated failures, even for the right password, answering as a wrong password does', async () => {
    const email = 'finance@demoshire.example.org';
    const c = new Client(t.app);
    await c.get(paths.signIn);
    for (let i = 0; i < 2; i++) expect((await c.post(paths.signIn, { email, password: 'wrong-password' })).status).toBe(401);
    const third = await c.post(paths.signIn, { email, password: 'wrong-password' });
    expect(text(third.body)).toContain('Enter a correct e-mail address and password. After 3 failed attempts you cannot sign in for 15 minutes');
    const right = await c.post(paths.signIn, { email, password: 'demo-password-only' });
    expect(right.status).toBe(401);
    expect(text(right.body)).not.toContain('locked');
    expect(text(right.body)).toContain('ask your partnership administrator to unlock your account');
    expect(c.cookies.get('jointly_session')).toBeUndefined();
    const reasons = (await auditRows('sign-in.password')).slice(-2).map((r) => (JSON.parse(r.details) as { reason: string }).reason);
    expect(reasons).toEqual(['wrong password; now locked', 'locked; right password']);
  });

  it('refuses a form without a CSRF token or with a forged one, and audits it', async () => {
    const c = new Client(t.app);
    await c.signIn(ADMIN);
    const missing = await c.post(paths.admin.newOrganisation, { name: 'X', code: 'XX', type: 'school' }, { csrf: false });
    expect(missing.status).toBe(403);
    expect(text(missing.body)).toContain('Your form could not be sent');
    const forged = await c.post(paths.admin.newOrganisation, { _csrf: 'forged-token', name: 'X', code: 'XX', type: 'school' });
    expect(forged.status).toBe(403);
    const orgs = await t.database.db.selectFrom('organisations').select('code').where('code', '=', 'XX').execute();
    expect(orgs).toHaveLength(0);
    const rows = await auditRows('csrf.refused');
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.every((r) => r.result === 'denied')).toBe(true);
  });

  it('shows "you do not have access" to someone without the permission, and audits it', async () => {
    const c = new Client(t.app);
    await c.signIn(CASEWORKER);
    const res = await c.get(paths.admin.users);
    expect(res.status).toBe(403);
    expect(text(res.body)).toContain('You do not have access to this page');
    const last = (await auditRows('admin.users.list')).at(-1)!;
    expect(last.result).toBe('denied');
    expect(last.roles).toBe('caseworker');
  });

  it('shows a plain-English 404', async () => {
    const res = await new Client(t.app).get('/no/such/page');
    expect(res.status).toBe(404);
    expect(text(res.body)).toContain('Page not found');
  });

  it('refuses a tampered session cookie and audits it', async () => {
    const c = new Client(t.app);
    await c.signIn(CASEWORKER);
    const cookie = c.cookies.get('jointly_session')!;
    c.cookies.set(
      'jointly_session',
      cookie.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A')),
    );
    const res = await c.get(paths.home);
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${paths.signIn}?reason=tampered`);
    expect((await auditRows('session.refused')).some((r) => (JSON.parse(r.details) as { reason: string }).reason === 'tampered')).toBe(true);
  });

  it('ends the session on sign-out, so the old cookie no longer works', async () => {
    const c = new Client(t.app);
    await c.signIn(CASEWORKER);
    const cookie = c.cookies.get('jointly_session')!;
    await c.get(paths.home);
    const out = await c.post(paths.signOut);
    expect(out.location).toBe(`${paths.signIn}?reason=signed-out`);
    const replay = new Client(t.app);
    replay.cookies.set('jointly_session', cookie);
    const res = await replay.get(paths.home);
    expect(res.status).toBe(303);
  });

  it('ends a session that has been idle too long', async () => {
    const c = new Client(t.app);
    await c.signIn('keyworker@demoshire.example.org');
    const user = await t.database.db.selectFrom('users').select('id').where('email', '=', 'keyworker@demoshire.example.org').executeTakeFirstOrThrow();
    await t.database.db
      .updateTable('sessions')
      .set({ last_seen_at: sql<Date>`now() - interval '2 hours'` })
      .where('user_id', '=', user.id)
      .execute();
    const res = await c.get(paths.home);
    expect(res.location).toBe(`${paths.signIn}?reason=expired-idle`);
    expect(text((await c.get(res.location!)).body)).toContain('inactive for too long');
  });

  it('ends a session that has reached its absolute time limit, however active', async () => {
    const c = new Client(t.app);
    await c.signIn('practitioner@demoshire.example.org');
    expect((await c.get(paths.home)).status).toBe(200);
    const user = await t.database.db.selectFrom('users').select('id').where('email', '=', 'practitioner@demoshire.example.org').executeTakeFirstOrThrow();
    await t.database.db
      .updateTable('sessions')
      .set({ expires_at: sql<Date>`now() - interval '1 second'` })
      .where('user_id', '=', user.id)
      .execute();
    const res = await c.get(paths.home);
    expect(res.location).toBe(`${paths.signIn}?reason=expired-absolute`);
    expect(text((await c.get(res.location!)).body)).toContain('your session reached its time limit');
    const refused = (await auditRows('session.refused')).at(-1)!;
    expect(refused).toMatchObject({ user_id: user.id, result: 'denied' });
    expect((JSON.parse(refused.details) as { reason: string }).reason).toBe('expired-absolute');
  });

  it('asks for a security code when the person has set one up, and refuses a wrong one', async () => {
    const email = 'panel@demoshire.example.org';
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    await t.database.db.updateTable('users').set({ totp_secret: secret, totp_enabled_at: new Date() }).where('email', '=', email).execute();
    const c = new Client(t.app);
    const first = await c.signIn(email);
    expect(first.location).toBe(paths.signInTotp);
    expect((await c.get(paths.home)).status).toBe(303);
    await c.get(paths.signInTotp);
    const bad = await c.post(paths.signInTotp, { code: '000000' === currentTotp(secret) ? '111111' : '000000' });
    expect(bad.status).toBe(401);
    expect(text(bad.body)).toContain('The code is not correct');
    const code = currentTotp(secret);
    const good = await c.post(paths.signInTotp, { code });
    expect(good.location).toBe(paths.home);
    expect((await c.get(paths.home)).status).toBe(200);
    // The same code cannot be used again, even within its 30 seconds.
    const other = new Client(t.app);
    await other.signIn(email);
    await other.get(paths.signInTotp);
    const replay = await other.post(paths.signInTotp, { code });
    expect(replay.status).toBe(401);
    expect(text(replay.body)).toContain('That code has already been used');
    const last = (await auditRows('sign-in.second-factor')).at(-1)!;
    expect((JSON.parse(last.details) as { reason: string }).reason).toBe('code already used');
  });
});

describe.each(databaseKinds())('security codes required, on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind, { JOINTLY_REQUIRE_TOTP: 'true' });
  });
  afterAll(() => t?.close());

  it('makes a person set up security codes before anything else, then asks for a code at every sign-in', async () => {
    const email = 'caseworker@demoshire.example.org';
    const c = new Client(t.app);
    const first = await c.signIn(email);
    expect(first.location).toBe(paths.signInTotpSetup);
    // Half signed in is not signed in.
    expect((await c.get(paths.home)).status).toBe(303);
    const setup = await c.get(paths.signInTotpSetup);
    expect(text(setup.body)).toContain('Set up your security codes');
    expect(setup.body).toContain('src="data:image/svg+xml;base64,');
    const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(setup.body)![1]!.replace(/ /g, '');
    const wrong = await c.post(paths.signInTotpSetup, { code: '12345' });
    expect(wrong.status).toBe(400);
    expect(text(wrong.body)).toContain('The code must be 6 digits');
    const ok = await c.post(paths.signInTotpSetup, { code: currentTotp(secret) });
    expect(ok.location).toBe(paths.home);
    expect((await c.get(paths.home)).status).toBe(200);
    await c.post(paths.signOut);

    const again = new Client(t.app);
    expect((await again.signIn(email)).location).toBe(paths.signInTotp);
    await again.get(paths.signInTotp);
    // The code from set-up cannot be replayed; the app's next code (allowed one step of drift) is taken.
    expect((await again.post(paths.signInTotp, { code: currentTotp(secret, Date.now() + 30_000) })).location).toBe(paths.home);
    const setUp = await t.database.db.selectFrom('audit_log').select(['result']).where('action', '=', 'sign-in.second-factor-setup').execute();
    expect(setUp.map((r) => r.result)).toEqual(['allowed']);
  });
});
