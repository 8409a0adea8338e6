// Web security through real HTTP requests on both databases: the Content-Security-Policy and
// its per-request nonce, the other security headers, cookie flags, logs that carry a request id
// but no personal data or secrets, and the sign-in rate limit.
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, Client, text, type Response, type TestApp } from './support/app.js';
import { databaseKinds, openTestDatabase } from './support/db.js';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { OutboxNotifier } from '../src/platform/notify/notify.js';
import { createJobs } from '../src/platform/jobs/jobs.js';
import { loggerOptions } from '../src/platform/http/logging.js';
import { seedDemo } from '../src/demo/seed.js';
import type { Database } from '../src/platform/db/database.js';
import { paths } from '../src/paths.js';
import { createChild, userIdByEmail } from './support/register.js';
import { createImport, createSource, dryRun, getSource } from '../src/capabilities/linkage/imports/service.js';

const ADMIN = 'admin@demoshire.example.org';
const CASEWORKER = 'caseworker@demoshire.example.org';
const FINANCE = 'finance@demoshire.example.org';

/** The directives of a Content-Security-Policy header, by name. */
function csp(res: Response): Map<string, string[]> {
  const header = res.headers['content-security-policy'];
  expect(typeof header).toBe('string');
  return new Map(
    String(header)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

/** Inline scripts: every <script> without a src attribute. */
const inlineScripts = (html: string) => [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]!).filter((attrs) => !/\bsrc=/.test(attrs));

/** Checks the page's security headers and its nonce; returns the nonce. */
function expectSecureHtml(res: Response): string {
  expect(String(res.headers['content-type'])).toMatch(/^text\/html/);
  const policy = csp(res);
  expect(String(res.headers['content-security-policy'])).not.toContain('unsafe-inline');
  expect(String(res.headers['content-security-policy'])).not.toContain('unsafe-eval');
  expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
  expect(policy.get('object-src')).toEqual(["'none'"]);
  expect(policy.get('base-uri')).toEqual(["'none'"]);
  const nonces = (policy.get('script-src') ?? []).filter((v) => v.startsWith("'nonce-")).map((v) => v.slice("'nonce-".length, -1));
  expect(nonces).toHaveLength(1);
  const nonce = nonces[0]!;
  expect(nonce.length).toBeGreaterThanOrEqual(16);
  // The only inline script is GOV.UK Frontend's js-enabled line, and it carries this nonce.
  const inline = inlineScripts(res.body);
  expect(inline).toHaveLength(1);
  expect(inline[0]).toContain(`nonce="${nonce}"`);
  expect(res.body).toMatch(new RegExp(`<script nonce="${nonce}">document\\.body\\.className \\+= ' js-enabled'`));
  expectSecurityHeaders(res);
  return nonce;
}

function expectSecurityHeaders(res: Response) {
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(csp(res).get('frame-ancestors')).toEqual(["'none'"]);
}

/** Set-Cookie headers of a response, by cookie name. */
function setCookies(res: Response): Map<string, string[]> {
  const raw = res.headers['set-cookie'] as string | string[] | undefined;
  const list = Array.isArray(raw) ? raw.map(String) : raw ? [String(raw)] : [];
  return new Map(
    list.map((c) => [
      c.split('=')[0]!.trim(),
      c
        .split(';')
        .slice(1)
        .map((a) => a.trim().toLowerCase()),
    ]),
  );
}

describe.each(databaseKinds())('web security on %s', (kind) => {
  describe('headers and cookies', () => {
    let t: TestApp;
    let secure: TestApp;
    beforeAll(async () => {
      t = await buildTestApp(kind);
      secure = await buildTestApp(kind, { JOINTLY_BASE_URL: 'https://jointly.example.org' });
    });
    afterAll(async () => {
      await t?.close();
      await secure?.close();
    });

    it('sends every HTML page with a nonce-based Content-Security-Policy and no unsafe-inline', async () => {
      const visitor = new Client(t.app);
      const pages: Response[] = [];
      pages.push(await visitor.get(paths.signIn));
      pages.push(await visitor.get(`${paths.signIn}?reason=required`));
      pages.push(await visitor.get('/no/such/page'));
      pages.push(await visitor.post(paths.signIn, { email: CASEWORKER, password: 'not-the-password' })); // 401
      pages.push(await visitor.post(paths.signIn, { email: '', password: '' })); // 400
      pages.push(await visitor.post(paths.signIn, { email: CASEWORKER, password: 'x' }, { csrf: false })); // 403 form expired
      const admin = new Client(t.app);
      await admin.signIn(ADMIN);
      for (const url of [paths.home, paths.admin.organisations, paths.admin.users, paths.admin.audit, paths.admin.outbox, paths.jobs.list]) {
        pages.push(await admin.get(url));
      }
      const caseworker = new Client(t.app);
      await caseworker.signIn(CASEWORKER);
      pages.push(await caseworker.get(paths.admin.users)); // 403
      expect(pages.map((p) => p.status)).toEqual([200, 200, 404, 401, 400, 403, 200, 200, 200, 200, 200, 200, 403]);
      for (const page of pages) expectSecureHtml(page);
    });

    it('uses a fresh nonce on every request', async () => {
      const c = new Client(t.app);
      const first = expectSecureHtml(await c.get(paths.signIn));
      const second = expectSecureHtml(await c.get(paths.signIn));
      expect(second).not.toBe(first);
    });

    it('sends nosniff, no-referrer and frame-ancestors on other responses too', async () => {
      const c = new Client(t.app);
      for (const url of [`${paths.assets}/govuk-frontend.min.css`, `${paths.public}/init.js`, paths.health.live, paths.home]) {
        const res = await c.get(url);
        expect(res.status, url).toBeLessThan(400);
        expectSecurityHeaders(res);
      }
    });

    it('does not send Strict-Transport-Security for a plain http address, and does for https', async () => {
      expect((await new Client(t.app).get(paths.signIn)).headers['strict-transport-security']).toBeUndefined();
      expect(String((await new Client(secure.app).get(paths.signIn)).headers['strict-transport-security'])).toMatch(/max-age=\d+/);
    });

    it('marks session and CSRF cookies HttpOnly and SameSite=Lax, not Secure on http', async () => {
      const c = new Client(t.app);
      const page = await c.get(paths.signIn);
      const csrf = setCookies(page).get('jointly_csrf');
      expect(csrf).toBeDefined();
      expect(csrf).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/']));
      expect(csrf).not.toContain('secure');
      const signedIn = await c.post(paths.signIn, { email: ADMIN, password: 'demo-password-only' });
      expect(signedIn.status).toBe(303);
      const session = setCookies(signedIn).get('jointly_session');
      expect(session).toBeDefined();
      expect(session).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/']));
      expect(session).not.toContain('secure');
    });

    it('marks session and CSRF cookies Secure as well when the base URL is https', async () => {
      const c = new Client(secure.app);
      const page = await c.get(paths.signIn);
      expectSecureHtml(page);
      expect(csp(page).has('upgrade-insecure-requests')).toBe(true);
      // Over https the CSRF cookie carries the __Host- prefix: Secure, Path=/ and no Domain.
      expect(setCookies(page).has('jointly_csrf')).toBe(false);
      const csrf = setCookies(page).get('__Host-jointly_csrf');
      expect(csrf).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'secure', 'path=/']));
      expect(csrf!.some((a) => a.startsWith('domain='))).toBe(false);
      const signedIn = await c.post(paths.signIn, { email: ADMIN, password: 'demo-password-only' });
      expect(signedIn.status).toBe(303);
      const session = setCookies(signedIn).get('jointly_session');
      expect(session).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'secure']));
      // And the prefixed cookie works: a form from a signed-in page is accepted.
      await c.get(paths.home);
      await c.get(paths.admin.newOrganisation);
      const out = await c.post(paths.signOut);
      expect(out.location).toBe(`${paths.signIn}?reason=signed-out`);
      // Sign-out clears the CSRF secret; a __Host- cookie is cleared only by a Secure, Path=/ header.
      expect(setCookies(out).get('__Host-jointly_csrf')).toEqual(expect.arrayContaining(['secure', 'path=/']));
    });
  });

  describe('logs', () => {
    let app: FastifyInstance;
    let database: Database;
    const lines: string[] = [];
    beforeAll(async () => {
      database = await openTestDatabase(kind);
      await seedDemo(database.db);
      const config = loadConfig({ LOG_LEVEL: 'info', JOINTLY_BASE_URL: 'http://localhost:3000' });
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
      app = await createApp({
        config,
        database,
        notifier: new OutboxNotifier(),
        jobs: createJobs(database.db, { error() {} }),
        logger: { ...(loggerOptions('info') as object), stream },
      });
      await app.ready();
    });
    afterAll(async () => {
      await app?.close();
      await database?.close();
    });

    it('gives every request an id in the logs, and keeps passwords, e-mail addresses, query strings and cookies out', async () => {
      const password = 'wrong-password-3141';
      const visitor = new Client(app);
      await visitor.get(paths.signIn);
      const failed = await visitor.post(paths.signIn, { email: CASEWORKER, password });
      expect(failed.status).toBe(401);
      // A refused form is logged too (which fields were wrong), but not what was typed in them.
      const incomplete = await visitor.post(paths.signIn, { email: CASEWORKER, password: '' });
      expect(incomplete.status).toBe(400);
      expect(lines.some((l) => (JSON.parse(l) as { msg?: string }).msg === 'form refused')).toBe(true);

      const admin = new Client(app);
      await admin.signIn(ADMIN);
      const audit = await admin.get(`${paths.admin.audit}?action=secret-search-term`);
      expect(audit.status).toBe(200);

      const entries = lines.map((l) => JSON.parse(l) as { reqId?: string; msg?: string; req?: { path?: string } });
      // Each request is logged when it comes in and when it completes, both with its id.
      const incoming = entries.filter((e) => e.msg === 'incoming request');
      const completed = entries.filter((e) => e.msg === 'request completed');
      expect(incoming.length).toBeGreaterThanOrEqual(6);
      expect(completed.length).toBe(incoming.length);
      for (const e of [...incoming, ...completed]) expect(e.reqId).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Set(incoming.map((e) => e.reqId)).size).toBe(incoming.length);

      // The audit entries of the failed sign-in and of the audit search name the same request ids.
      const signInRow = await database.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'sign-in.password')
        .where('result', '=', 'denied')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      const auditRow = await database.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'admin.audit.view')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      for (const row of [signInRow, auditRow]) {
        expect(row.request_id).toBeTruthy();
        expect(completed.map((e) => e.reqId)).toContain(row.request_id);
      }
      const auditLine = incoming.find((e) => e.reqId === auditRow.request_id)!;
      expect(auditLine.req?.path).toBe(paths.admin.audit);

      const all = lines.join('\n');
      expect(all).not.toContain(password);
      expect(all).not.toContain('demo-password-only');
      expect(all.toLowerCase()).not.toContain(CASEWORKER);
      expect(all.toLowerCase()).not.toContain(ADMIN);
      expect(all).not.toContain(encodeURIComponent(CASEWORKER));
      expect(all).not.toContain('secret-search-term');
      expect(all).not.toContain('action=');
      const cookieValues = [...visitor.cookies.values(), ...admin.cookies.values()];
      expect(cookieValues.length).toBeGreaterThanOrEqual(3);
      for (const value of cookieValues) {
        expect(all).not.toContain(value);
        // Nor the value without its signature.
        const unsigned = value.includes('.') ? value.slice(0, value.lastIndexOf('.')) : value;
        expect(all).not.toContain(unsigned);
      }
      expect(visitor.csrf).toBeDefined();
      expect(all).not.toContain(visitor.csrf!);
    });
  });

  describe('sign-in rate limit', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp(kind, { JOINTLY_SIGN_IN_RATE_PER_MINUTE: '3' });
    });
    afterAll(() => t?.close());

    it('refuses the 4th sign-in attempt within the minute with a plain-English page, and audits it', async () => {
      const c = new Client(t.app);
      await c.get(paths.signIn);
      for (let i = 0; i < 3; i++) {
        expect((await c.post(paths.signIn, { email: CASEWORKER, password: `wrong-password-${i}` })).status).toBe(401);
      }
      const fourth = await c.post(paths.signIn, { email: CASEWORKER, password: 'demo-password-only' });
      expect(fourth.status).toBe(429);
      expectSecureHtml(fourth);
      expect(text(fourth.body)).toContain('Too many attempts');
      expect(text(fourth.body)).toContain('Wait one minute, then try again.');
      // The right password was not even tried: no session was made.
      expect(c.cookies.get('jointly_session')).toBeUndefined();
      const refused = await t.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'rate-limit.refused').execute();
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatchObject({ result: 'denied' });
      expect((JSON.parse(refused[0]!.details) as { path: string }).path).toBe(paths.signIn);
      // Only the three attempts were checked.
      const attempts = await t.database.db.selectFrom('audit_log').select('result').where('action', '=', 'sign-in.password').execute();
      expect(attempts.map((a) => a.result)).toEqual(['denied', 'denied', 'denied']);
    });
  });
  describe('CSRF tokens bound to the session', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp(kind);
    });
    afterAll(() => t?.close());

    const orgCount = async (code: string) => (await t.database.db.selectFrom('organisations').select('id').where('code', '=', code).execute()).length;
    const newOrg = (code: string) => ({ name: `Organisation ${code}`, code, type: 'school' });

    it('refuses, after sign-in, a token taken before it', async () => {
      const c = new Client(t.app);
      await c.get(paths.signIn);
      const before = c.csrf!;
      expect((await c.signIn(ADMIN)).location).toBe(paths.home);
      const stale = await c.post(paths.admin.newOrganisation, { ...newOrg('CSRF1'), _csrf: before });
      expect(stale.status).toBe(403);
      expect(text(stale.body)).toContain('Your form could not be sent');
      expect(await orgCount('CSRF1')).toBe(0);
      // The token of a page seen since signing in works.
      await c.get(paths.admin.newOrganisation);
      expect((await c.post(paths.admin.newOrganisation, newOrg('CSRF1'))).status).toBe(303);
      expect(await orgCount('CSRF1')).toBe(1);
    });

    it('refuses a token made for another session, even in the same browser', async () => {
      const victim = new Client(t.app);
      await victim.signIn(ADMIN);
      await victim.get(paths.admin.newOrganisation);
      // Another session that shares the browser's CSRF secret (the cookie) but not the session.
      const other = new Client(t.app);
      other.cookies.set('jointly_csrf', victim.cookies.get('jointly_csrf')!);
      await other.signIn(CASEWORKER);
      await other.get(paths.home);
      const othersToken = other.csrf!;
      expect(othersToken).not.toBe(victim.csrf);
      const res = await victim.post(paths.admin.newOrganisation, { ...newOrg('CSRF2'), _csrf: othersToken });
      expect(res.status).toBe(403);
      expect(await orgCount('CSRF2')).toBe(0);
      // Signing in again in the same browser makes a new session: the old session's tokens stop working.
      const old = victim.csrf!;
      await victim.signIn(ADMIN);
      expect((await victim.post(paths.admin.newOrganisation, { ...newOrg('CSRF2'), _csrf: old })).status).toBe(403);
      expect(await orgCount('CSRF2')).toBe(0);
      const refused = await t.database.db.selectFrom('audit_log').select(['result', 'details']).where('action', '=', 'csrf.refused').execute();
      expect(refused.length).toBeGreaterThanOrEqual(2);
    });

    it('refuses, after sign-out, a token from before it', async () => {
      const c = new Client(t.app);
      await c.get(paths.signIn);
      const beforeSignIn = c.csrf!;
      await c.signIn(ADMIN);
      await c.get(paths.admin.newOrganisation);
      const signedInToken = c.csrf!;
      const out = await c.post(paths.signOut);
      expect(out.location).toBe(`${paths.signIn}?reason=signed-out`);
      // Anyone at this browser after sign-out cannot use a form the signed-in person was shown.
      const replay = await c.post(paths.signIn, { email: ADMIN, password: 'demo-password-only', _csrf: signedInToken });
      expect(replay.status).toBe(403);
      expect(c.cookies.get('jointly_session')).toBeUndefined();
      // Nor one from the signed-out page before this session: sign-out gave the browser a new secret.
      await c.get(paths.signIn);
      expect((await c.post(paths.signIn, { email: ADMIN, password: 'demo-password-only', _csrf: beforeSignIn })).status).toBe(403);
      expect(c.cookies.get('jointly_session')).toBeUndefined();
      // The sign-in page's own token works.
      expect((await c.signIn(ADMIN)).location).toBe(paths.home);
    });

    it('sends a form from a session that has since timed out to sign in, saying why', async () => {
      const c = new Client(t.app);
      await c.signIn(ADMIN);
      await c.get(paths.admin.newOrganisation);
      const user = await userIdByEmail(t.database.db, ADMIN);
      await t.database.db
        .updateTable('sessions')
        .set({ last_seen_at: sql<Date>`now() - interval '2 hours'` })
        .where('user_id', '=', user)
        .execute();
      const res = await c.post(paths.admin.newOrganisation, newOrg('CSRF3'));
      expect(res.status).toBe(303);
      expect(res.location).toBe(`${paths.signIn}?reason=expired-idle`);
      expect(await orgCount('CSRF3')).toBe(0);
    });
  });

  describe('lock-out', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp(kind);
    });
    afterAll(() => t?.close());

    const attempt = async (email: string, password: string) => {
      const c = new Client(t.app);
      await c.get(paths.signIn);
      const started = performance.now();
      const res = await c.post(paths.signIn, { email, password });
      return { res, ms: performance.now() - started, message: /<a href="#email">([^<]*)<\/a>/.exec(res.body)?.[1] };
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

    it('answers a locked account as a wrong password does, in the same time, and audits the real reason', async () => {
      const locked = 'keyworker@demoshire.example.org';
      await t.database.db
        .updateTable('users')
        .set({ failed_sign_ins: 5, locked_until: new Date(Date.now() + 15 * 60_000) })
        .where('email', '=', locked)
        .execute();
      const unknown = await attempt('nobody-here@demoshire.example.org', 'a guess at it');
      const wrong = await attempt(CASEWORKER, 'a guess at it');
      const lockedWrong = await attempt(locked, 'a guess at it');
      const lockedRight = await attempt(locked, 'demo-password-only');
      for (const a of [unknown, wrong, lockedWrong, lockedRight]) {
        expect(a.res.status).toBe(401);
        expect(a.message).toBe(wrong.message);
      }
      expect(wrong.message).toContain('Enter a correct e-mail address and password');
      expect(wrong.message).toContain('you cannot sign in for 15 minutes');
      expect(text(lockedRight.res.body)).not.toContain('locked');
      const reasons = (await t.database.db.selectFrom('audit_log').select('details').where('action', '=', 'sign-in.password').orderBy('id').execute()).map(
        (r) => (JSON.parse(r.details) as { reason: string }).reason,
      );
      expect(reasons.slice(-2)).toEqual(['locked; wrong password', 'locked; right password']);
      // The locked account's password is still checked against its hash, so it takes as long as a
      // wrong password (before, it answered at once). Medians of a few tries, on a shared machine.
      const wrongTimes: number[] = [];
      const lockedTimes: number[] = [];
      for (let i = 0; i < 5; i++) {
        wrongTimes.push((await attempt('nobody-here@demoshire.example.org', `guess ${i} at it`)).ms);
        lockedTimes.push((await attempt(locked, `guess ${i} at it`)).ms);
      }
      expect(median(lockedTimes)).toBeGreaterThan(median(wrongTimes) * 0.5);
    });
  });

  describe('an import dry run discloses a match only to someone who may see the child', () => {
    let t: TestApp;
    let importId: string;
    let visible: string;
    let hidden: string;
    beforeAll(async () => {
      t = await buildTestApp(kind);
      const db = t.database.db;
      // Seen by the caseworker's organisation (DEMO-EDU); the other only by the health trust.
      visible = (await createChild(db, { givenName: 'Probevisible', familyName: 'Registerchild' })).childId;
      hidden = (await createChild(db, { givenName: 'Probehidden', familyName: 'Registerchild', involvedOrgCodes: ['DEMO-TRUST'] })).childId;
      const sourceId = await createSource(
        db,
        {
          name: 'Probe source',
          organisationId: null,
          kind: 'education',
          recordIdColumn: 'rid',
          birthDateFormat: 'YYYY-MM-DD',
          mapping: { given_name: 'first', family_name: 'surname', birth_date: 'dob' },
        },
        null,
      );
      // This agency already sent R1 and R2 (its records of the two children); R3 is new.
      for (const [recordId, childId] of [
        ['R1', visible],
        ['R2', hidden],
      ] as const) {
        await db.insertInto('source_records').values({ source_id: sourceId, record_id: recordId, child_id: childId, field_values: '{}' }).execute();
      }
      const csv =
        'rid,first,surname,dob\r\nR1,Probevisible,Registerchild,2015-01-02\r\nR2,Probehidden,Registerchild,2015-01-02\r\nR3,Probenew,Nobodyhere,2016-05-06\r\n';
      importId = await createImport(db, await getSource(db, sourceId), { name: 'probe.csv', bytes: new TextEncoder().encode(csv) }, null);
      await dryRun(db, importId);
      // What the dry run found, before anyone reads it: R1 and R2 are on the register.
      const stored = await db.selectFrom('import_rows').select(['record_id', 'outcome']).where('import_id', '=', importId).orderBy('row_number').execute();
      expect(stored.map((r) => r.outcome).slice(0, 2)).toEqual(['update', 'update']);
      expect(stored[2]!.outcome).not.toBe('update');
      // A caseworker who may also import records.
      await db
        .insertInto('user_roles')
        .values({ user_id: await userIdByEmail(db, CASEWORKER), role: 'partnership-administrator' })
        .execute();
    });
    afterAll(() => t?.close());

    const csvOutcomes = (body: string) =>
      body
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n')
        .slice(1)
        .map((l) => l.split(',').slice(1, 3).join(','));

    it('tells a finance officer, who may see no child, nothing about which rows are on the register', async () => {
      const finance = new Client(t.app);
      await finance.signIn(FINANCE);
      const page = text((await finance.get(paths.imports.import(importId))).body);
      expect(page).toContain('Valid 3 rows');
      for (const word of [
        'Update',
        'Link to a record',
        'New record',
        'No change',
        'Needs review',
        'already on the register',
        'Not on the register',
        'Probevisible',
        'Probehidden',
      ]) {
        expect(page).not.toContain(word);
      }
      expect(page).toContain('Whether a row matches a record is shown only to people who may see that child’s record');
      // Nor by asking for one outcome's rows.
      expect(text((await finance.get(`${paths.imports.import(importId)}?outcome=update`)).body)).not.toMatch(/\bR[12]\b/);
      const report = await finance.get(paths.imports.report(importId));
      expect(report.status).toBe(200);
      expect(csvOutcomes(report.body)).toEqual(['R1,valid', 'R2,valid', 'R3,valid']);
      expect(report.body).not.toContain('already on the register');
    });

    it('names and links the matched child for someone who may see them, and only that child', async () => {
      const c = new Client(t.app);
      await c.signIn(CASEWORKER);
      const res = await c.get(paths.imports.import(importId));
      expect(res.status).toBe(200);
      const page = text(res.body);
      expect(page).toContain('Update 1 row');
      expect(page).toContain('Valid 2 rows');
      expect(page).toContain('Probevisible Registerchild');
      expect(res.body).toContain(`href="${paths.children.record(visible)}"`);
      expect(page).not.toContain('Probehidden');
      expect(res.body).not.toContain(hidden);
      const report = await c.get(paths.imports.report(importId));
      expect(csvOutcomes(report.body)).toEqual(['R1,update', 'R2,valid', 'R3,valid']);
      // The child named is linked to each read, so their record's "who has looked" lists it; the other is not.
      const me = await userIdByEmail(t.database.db, CASEWORKER);
      const reads = await t.database.db
        .selectFrom('audit_log as a')
        .innerJoin('audit_children as ac', 'ac.audit_id', 'a.id')
        .select(['a.action', 'ac.child_id'])
        .where('a.user_id', '=', me)
        .where('a.action', 'in', ['imports.view', 'imports.report.download'])
        .execute();
      expect(reads.map((r) => `${r.action} ${r.child_id === visible ? 'visible' : 'other'}`).sort()).toEqual([
        'imports.report.download visible',
        'imports.view visible',
      ]);
    });
  });

  // Issue 11's lesser findings: each test below failed on the code before its fix.
  describe('no caching, ids that name nothing, malformed uploads', () => {
    let t: TestApp;
    let childId: string;
    let importId: string;
    beforeAll(async () => {
      t = await buildTestApp(kind);
      ({ childId } = await createChild(t.database.db, { familyName: 'Nostoretest' }));
      const sourceId = await createSource(
        t.database.db,
        {
          name: 'Cache test source',
          organisationId: null,
          kind: 'education',
          recordIdColumn: 'rid',
          birthDateFormat: 'YYYY-MM-DD',
          mapping: { given_name: 'first', family_name: 'surname', birth_date: 'dob' },
        },
        null,
      );
      importId = await createImport(
        t.database.db,
        await getSource(t.database.db, sourceId),
        { name: 'cache.csv', bytes: new TextEncoder().encode('rid,first,surname,dob\r\nR1,Ann,Fictional,2015-01-02\r\n') },
        null,
      );
    });
    afterAll(() => t?.close());

    it('sends Cache-Control: no-store with every page and download, but lets static assets be cached', async () => {
      const caseworker = new Client(t.app);
      await caseworker.signIn(CASEWORKER);
      const record = await caseworker.get(paths.children.record(childId));
      expect(record.status).toBe(200);
      expect(text(record.body)).toContain('Nostoretest');
      expect(record.headers['cache-control']).toBe('no-store');
      const finance = new Client(t.app);
      await finance.signIn(FINANCE);
      const report = await finance.get(paths.imports.report(importId));
      expect(report.status).toBe(200);
      expect(report.headers['content-type']).toMatch(/^text\/csv/);
      expect(report.headers['cache-control']).toBe('no-store');
      // Sign-in, error pages and redirects too.
      const visitor = new Client(t.app);
      for (const res of [await visitor.get(paths.signIn), await visitor.get('/no/such/page'), await visitor.get(paths.home)]) {
        expect(res.headers['cache-control']).toBe('no-store');
      }
      for (const url of [`${paths.assets}/govuk-frontend.min.css`, `${paths.public}/init.js`]) {
        expect(String((await visitor.get(url)).headers['cache-control'])).toMatch(/^public, max-age=\d+$/);
      }
    });

    it('answers 404, not 500, for an id that cannot name anything, on every kind of route', async () => {
      const admin = new Client(t.app);
      await admin.signIn(ADMIN);
      for (const url of [
        paths.admin.user('abc'),
        paths.admin.user('123'),
        paths.admin.organisation("1' or '1'='1"),
        paths.jobs.job('abc'),
        paths.imports.import('abc'),
      ]) {
        const res = await admin.get(url);
        expect(res.status, url).toBe(404);
        expect(text(res.body)).toContain('Page not found');
      }
      // A POST too: refused as not found, nothing changed.
      await admin.get(paths.admin.users);
      const post = await admin.post(paths.admin.unlockUser('not-a-uuid'), {});
      expect(post.status).toBe(404);
      const caseworker = new Client(t.app);
      await caseworker.signIn(CASEWORKER);
      expect((await caseworker.get(paths.children.record('abc'))).status).toBe(404);
      expect((await caseworker.get(paths.children.aboutMeVersion(childId, 'abc'))).status).toBeLessThan(500);
      // Routes whose parameters are not ids still work.
      expect((await admin.get(paths.admin.user(await userIdByEmail(t.database.db, CASEWORKER)))).status).toBe(200);
      expect((await new Client(t.app).get(paths.invitation('not-a-real-token'))).status).toBe(404);
      expect((await new Client(t.app).get(paths.oidc.start('no-such-provider'))).status).toBe(404);
      // Without the permission, still refused first (not told whether the id is well formed).
      expect((await caseworker.get(paths.admin.user('abc'))).status).toBe(403);
      const finance = new Client(t.app);
      await finance.signIn(FINANCE);
      expect((await finance.get(paths.budgetReports.transaction('x1'))).status).toBe(404);
      expect((await new Client(t.app).get(paths.admin.user('abc'))).status).toBe(303);
    });

    it('answers a malformed upload with 400 and a plain message', async () => {
      const finance = new Client(t.app);
      await finance.signIn(FINANCE);
      await finance.get(paths.imports.home);
      const cookie = [...finance.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const boundary = '----jointlybroken';
      const bodies = [
        // The closing boundary never comes.
        `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${finance.csrf}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\nContent-Type: text/csv\r\n\r\nrid,surname\r\n`,
        // No boundary at all.
        'this is not a multipart body',
      ];
      for (const payload of bodies) {
        const res = await t.app.inject({
          method: 'POST',
          url: paths.imports.upload,
          payload,
          headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie },
        });
        expect(res.statusCode).toBe(400);
        expect(text(res.body)).toContain('Your file could not be read');
        expect(text(res.body)).toContain('Go back to the imports page and upload the file again.');
      }
      const missing = await t.app.inject({
        method: 'POST',
        url: paths.imports.upload,
        payload: 'x',
        headers: { 'content-type': 'multipart/form-data', cookie },
      });
      expect(missing.statusCode).toBe(400);
    });
  });
});
