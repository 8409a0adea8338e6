// OpenID Connect sign-in against a real OpenID provider (oidc-provider) started in the test:
// the app redirects to it, the provider's login page is filled in over real HTTP, and the
// provider's answer comes back to the app's callback, on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { startTestOidcProvider, type TestOidcProvider } from './support/oidc-provider.js';
import { paths } from '../src/paths.js';

const BASE_URL = 'http://localhost:3000'; // what buildTestApp sets as JOINTLY_BASE_URL
const PROVIDER_ID = 'demo-trust';
const ORGANISATION = 'DEMO-TRUST';
const ADMIN = 'admin@demoshire.example.org';
const FAILED = 'Signing in with Demoshire Test Identity did not work. Start again.';

describe.each(databaseKinds())('OpenID Connect sign-in on %s', (kind) => {
  let op: TestOidcProvider;
  let t: TestApp;
  let subjects = 0;
  /** A fresh person at the provider, so each test starts from someone the app has never seen. */
  const newPerson = (name: string, email: string) => {
    const subject = `person-${++subjects}-${kind}`;
    op.accounts.set(subject, { name, email });
    return subject;
  };

  beforeAll(async () => {
    op = await startTestOidcProvider({ redirectUris: [new URL(paths.oidc.callback(PROVIDER_ID), BASE_URL).toString()] });
    t = await buildTestApp(kind, {
      JOINTLY_OIDC_PROVIDERS: JSON.stringify([op.appEntry(PROVIDER_ID, ORGANISATION)]),
      JOINTLY_SIGN_IN_RATE_PER_MINUTE: '1000',
    });
  });
  afterAll(async () => {
    await t?.close();
    await op?.close();
  });

  const db = () => t.database.db;
  const lastAudit = async (action: string) =>
    (await db().selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id', 'desc').limit(1).executeTakeFirst())!;

  /** Starts sign-in in the app and lets the provider send the browser back; returns the callback path. */
  async function throughProvider(c: Client, subject: string): Promise<string> {
    const start = await c.get(paths.oidc.start(PROVIDER_ID));
    expect(start.status).toBe(303);
    expect(start.location!.startsWith(`${op.issuer}/`)).toBe(true);
    const asked = new URL(start.location!).searchParams;
    expect(asked.get('code_challenge_method')).toBe('S256'); // the provider also refuses any request without PKCE
    expect(asked.get('redirect_uri')).toBe(new URL(paths.oidc.callback(PROVIDER_ID), BASE_URL).toString());
    expect(c.cookies.has('jointly_oidc')).toBe(true);
    const back = await op.signIn(start.location!, subject);
    expect(back.origin).toBe(BASE_URL);
    expect(back.pathname).toBe(paths.oidc.callback(PROVIDER_ID));
    return back.pathname + back.search;
  }

  /** The whole journey; returns the callback's answer. */
  async function signInAs(c: Client, subject: string) {
    return c.get(await throughProvider(c, subject));
  }

  const identityOf = (subject: string) =>
    db()
      .selectFrom('user_identities as i')
      .innerJoin('users as u', 'u.id', 'i.user_id')
      .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
      .select(['u.id', 'u.email', 'u.display_name', 'o.code as organisation'])
      .where('i.issuer', '=', op.issuer)
      .where('i.subject', '=', subject)
      .executeTakeFirst();

  it('offers the provider on the sign-in page', async () => {
    const page = await new Client(t.app).get(paths.signIn);
    expect(text(page.body)).toContain('Sign in with Demoshire Test Identity');
    expect(page.body).toContain(`href="${paths.oidc.start(PROVIDER_ID)}"`);
  });

  it('signs in someone new, adding them to the provider’s organisation with no role', async () => {
    const subject = newPerson('Demo Trust Therapist', 'therapist.one@trust.demoshire.example.org');
    const c = new Client(t.app);
    const callback = await signInAs(c, subject);
    expect(callback.status).toBe(303);
    expect(callback.location).toBe(paths.home);
    expect(c.cookies.has('jointly_oidc')).toBe(false);

    const home = await c.get(paths.home);
    expect(home.status).toBe(200);
    expect(text(home.body)).toContain('Signed in as Demo Trust Therapist');
    expect(text(home.body)).toContain('You do not have a role in Jointly yet');

    const person = await identityOf(subject);
    expect(person).toMatchObject({ organisation: ORGANISATION, email: 'therapist.one@trust.demoshire.example.org', display_name: 'Demo Trust Therapist' });
    const roles = await db().selectFrom('user_roles').select('role').where('user_id', '=', person!.id).execute();
    expect(roles).toEqual([]);

    const entry = await lastAudit('sign-in.oidc');
    expect(entry).toMatchObject({ result: 'allowed', user_id: person!.id });
    expect(JSON.parse(entry.details)).toMatchObject({ provider: PROVIDER_ID, issuer: op.issuer, provisioned: true });
  });

  it('knows people by issuer and subject, never by e-mail address', async () => {
    const subject = newPerson('Demo Trust Nurse', 'nurse@trust.demoshire.example.org');
    expect((await signInAs(new Client(t.app), subject)).location).toBe(paths.home);
    const first = await identityOf(subject);

    // The same person, whose provider now sends another address: still the same account.
    op.accounts.set(subject, { name: 'Demo Trust Nurse', email: 'nurse.renamed@trust.demoshire.example.org' });
    const again = new Client(t.app);
    expect((await signInAs(again, subject)).location).toBe(paths.home);
    expect(text((await again.get(paths.home)).body)).toContain('Signed in as Demo Trust Nurse');
    expect((await identityOf(subject))?.id).toBe(first!.id);
    expect(JSON.parse((await lastAudit('sign-in.oidc')).details)).toMatchObject({ provisioned: false });
    const identities = await db().selectFrom('user_identities').select('subject').where('user_id', '=', first!.id).execute();
    expect(identities).toEqual([{ subject }]);

    // Someone else at the provider whose address is the demo administrator's: a new person with
    // no role, not the administrator.
    const admin = await db().selectFrom('users').select(['id']).where('email', '=', ADMIN).executeTakeFirstOrThrow();
    const impostor = newPerson('Someone Else', ADMIN.toUpperCase());
    const c = new Client(t.app);
    const res = await signInAs(c, impostor);
    expect(res.status).toBe(303);
    const home = await c.get(paths.home);
    expect(text(home.body)).toContain('Signed in as Someone Else');
    expect(text(home.body)).toContain('You do not have a role in Jointly yet');
    expect(text(home.body)).not.toContain('Demo Administrator');
    expect((await c.get(paths.admin.users)).status).toBe(403);
    const created = await identityOf(impostor);
    expect(created!.id).not.toBe(admin.id);
    expect(created!.email).toBe(`${impostor}@127.0.0.1.invalid`);
    expect((await lastAudit('sign-in.oidc')).user_id).toBe(created!.id);
  });

  it('refuses a callback whose state does not match, and audits it', async () => {
    const subject = newPerson('Demo State Tester', 'state@trust.demoshire.example.org');
    const c = new Client(t.app);
    const callback = new URL(await throughProvider(c, subject), BASE_URL);
    callback.searchParams.set('state', 'not-the-state-this-browser-was-given');
    const res = await c.get(callback.pathname + callback.search);
    expect(res.status).toBe(401);
    expect(text(res.body)).toContain(FAILED);
    expect(c.cookies.has('jointly_session')).toBe(false);
    expect(await identityOf(subject)).toBeUndefined();
    const entry = await lastAudit('sign-in.oidc');
    expect(entry).toMatchObject({ result: 'denied', user_id: null });
    expect((JSON.parse(entry.details) as { reason: string }).reason).toMatch(/^callback refused: .*unexpected "state"/);
  });

  it('refuses an ID token whose nonce is not the one this browser was given, and audits it', async () => {
    /** Runs the journey, replacing the signed sign-in-in-progress cookie with one we sign ourselves. */
    const withPendingCookie = async (subject: string, change: (pending: Record<string, unknown>) => Record<string, unknown>) => {
      const c = new Client(t.app);
      const callback = await throughProvider(c, subject);
      const unsigned = t.app.unsignCookie(decodeURIComponent(c.cookies.get('jointly_oidc')!));
      expect(unsigned.valid).toBe(true);
      const pending = JSON.parse(unsigned.value!) as Record<string, unknown>;
      expect(Object.keys(pending).sort()).toEqual(['expires', 'nonce', 'provider', 'state', 'verifier']);
      c.cookies.set('jointly_oidc', encodeURIComponent(t.app.signCookie(JSON.stringify(change(pending)))));
      return c.get(callback);
    };

    // Control: the same cookie, re-signed unchanged, is accepted, so the forgery itself is sound.
    const control = newPerson('Demo Nonce Control', 'nonce.control@trust.demoshire.example.org');
    expect((await withPendingCookie(control, (p) => p)).location).toBe(paths.home);

    // The real state and PKCE verifier, but another nonce: only the nonce check can catch it.
    const subject = newPerson('Demo Nonce Tester', 'nonce@trust.demoshire.example.org');
    const res = await withPendingCookie(subject, (p) => ({ ...p, nonce: 'a-nonce-from-another-sign-in' }));
    expect(res.status).toBe(401);
    expect(text(res.body)).toContain(FAILED);
    expect(await identityOf(subject)).toBeUndefined();
    const entry = await lastAudit('sign-in.oidc');
    expect(entry).toMatchObject({ result: 'denied', user_id: null });
    expect((JSON.parse(entry.details) as { reason: string }).reason).toMatch(/^callback refused: .*unexpected ID Token "nonce" claim/);
  });

  it('refuses a callback when no sign-in was started in this browser, and audits it', async () => {
    const subject = newPerson('Demo Cookie Tester', 'cookie@trust.demoshire.example.org');
    const started = new Client(t.app);
    const callback = await throughProvider(started, subject);
    const stranger = new Client(t.app);
    const res = await stranger.get(callback);
    expect(res.status).toBe(401);
    expect(text(res.body)).toContain('Your sign-in did not complete. Start again.');
    expect(await identityOf(subject)).toBeUndefined();
    const entry = await lastAudit('sign-in.oidc');
    expect(entry.result).toBe('denied');
    expect((JSON.parse(entry.details) as { reason: string }).reason).toBe('no sign-in in progress');
  });

  it('refuses a person whose account has been deactivated', async () => {
    const subject = newPerson('Demo Leaver', 'leaver@trust.demoshire.example.org');
    expect((await signInAs(new Client(t.app), subject)).location).toBe(paths.home);
    const person = await identityOf(subject);
    await db().updateTable('users').set({ active: false, deactivated_at: new Date() }).where('id', '=', person!.id).execute();

    const c = new Client(t.app);
    const res = await signInAs(c, subject);
    expect(res.status).toBe(401);
    expect(text(res.body)).toContain('Your account has been deactivated');
    expect(c.cookies.has('jointly_session')).toBe(false);
    expect((await c.get(paths.home)).location).toMatch(/^\/sign-in/);
    const entry = await lastAudit('sign-in.oidc');
    expect(entry).toMatchObject({ result: 'denied', user_id: person!.id });
    expect((JSON.parse(entry.details) as { reason: string }).reason).toBe('deactivated');
  });

  it('refuses an ID token the provider signed for another client (wrong audience)', async () => {
    const subject = newPerson('Demo Audience Tester', 'audience@trust.demoshire.example.org');
    op.fault = 'other-audience';
    try {
      const c = new Client(t.app);
      const res = await signInAs(c, subject);
      expect(res.status).toBe(401);
      expect(text(res.body)).toContain(FAILED);
      expect(c.cookies.has('jointly_session')).toBe(false);
    } finally {
      op.fault = undefined;
    }
    expect(await identityOf(subject)).toBeUndefined();
    const entry = await lastAudit('sign-in.oidc');
    expect(entry.result).toBe('denied');
    expect((JSON.parse(entry.details) as { reason: string }).reason).toMatch(/^callback refused: .*unexpected JWT "aud" \(audience\) claim/);
  });

  it('refuses an ID token whose signature is not the provider’s', async () => {
    const subject = newPerson('Demo Signature Tester', 'signature@trust.demoshire.example.org');
    op.fault = 'bad-signature';
    try {
      const c = new Client(t.app);
      const res = await signInAs(c, subject);
      expect(res.status).toBe(401);
      expect(text(res.body)).toContain(FAILED);
    } finally {
      op.fault = undefined;
    }
    expect(await identityOf(subject)).toBeUndefined();
    const entry = await lastAudit('sign-in.oidc');
    expect(entry.result).toBe('denied');
    expect((JSON.parse(entry.details) as { reason: string }).reason).toMatch(/^callback refused: .*JWT signature verification failed/);
  });
});
