// Security-code secrets at rest: encrypted under JOINTLY_TOTP_KEY and bound to their user, with
// rows from before encryption still working and encrypted at the next sign-in. Real HTTP
// requests on both databases.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { paths } from '../src/paths.js';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { OutboxNotifier } from '../src/platform/notify/notify.js';
import { createJobs } from '../src/platform/jobs/jobs.js';
import { currentTotp } from '../src/capabilities/administration/sign-in/totp.js';
import { open } from '../src/platform/auth/secret-box.js';
import { sealTotpSecret } from '../src/capabilities/administration/sign-in/totp-secret.js';

const KEY = randomBytes(32);
const LEGACY_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe.each(databaseKinds())('security-code secrets at rest, on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind, { JOINTLY_REQUIRE_TOTP: 'true', JOINTLY_TOTP_KEY: KEY.toString('base64') });
  });
  afterAll(() => t?.close());

  const userRow = (email: string) =>
    t.database.db.selectFrom('users').select(['id', 'totp_secret', 'totp_enabled_at']).where('email', '=', email).executeTakeFirstOrThrow();

  /** Signs in with password and the code for `secret` at `at`; returns where the code step sent the browser. */
  async function signInWithCode(email: string, secret: string, at = Date.now()) {
    const c = new Client(t.app);
    expect((await c.signIn(email)).location).toBe(paths.signInTotp);
    await c.get(paths.signInTotp);
    return { client: c, res: await c.post(paths.signInTotp, { code: currentTotp(secret, at) }) };
  }

  it('stores the secret being set up encrypted, not as the base32 secret shown to the person', async () => {
    const email = 'caseworker@demoshire.example.org';
    const c = new Client(t.app);
    expect((await c.signIn(email)).location).toBe(paths.signInTotpSetup);
    const setup = await c.get(paths.signInTotpSetup);
    const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(setup.body)![1]!.replace(/ /g, '');

    const pending = await userRow(email);
    expect(pending.totp_secret).toMatch(/^v1:[^:]+:[^:]+:[^:]+$/);
    expect(pending.totp_secret).not.toContain(secret);
    // It is this person's secret under the configured key, bound to their user id.
    expect(open(KEY, pending.totp_secret!, pending.id)).toBe(secret);

    // The set-up page shown again offers the same secret (read back through the encryption).
    const again = await c.get(paths.signInTotpSetup);
    expect(again.body).toContain(`id="totp-secret">${secret.match(/.{1,4}/g)!.join(' ')}<`);

    expect((await c.post(paths.signInTotpSetup, { code: currentTotp(secret) })).location).toBe(paths.home);
    const confirmed = await userRow(email);
    expect(confirmed.totp_enabled_at).not.toBeNull();
    expect(confirmed.totp_secret).not.toContain(secret);
    expect(open(KEY, confirmed.totp_secret!, confirmed.id)).toBe(secret);

    // And the next sign-in checks codes against the decrypted secret.
    const { res } = await signInWithCode(email, secret, Date.now() + 30_000);
    expect(res.location).toBe(paths.home);
  });

  it('still signs in with a secret stored in plaintext before encryption, and encrypts it then', async () => {
    const email = 'panel@demoshire.example.org';
    await t.database.db.updateTable('users').set({ totp_secret: LEGACY_SECRET, totp_enabled_at: new Date() }).where('email', '=', email).execute();

    const wrong = new Client(t.app);
    await wrong.signIn(email);
    await wrong.get(paths.signInTotp);
    expect((await wrong.post(paths.signInTotp, { code: currentTotp(LEGACY_SECRET) === '000000' ? '111111' : '000000' })).status).toBe(401);
    // A failed attempt does not rewrite the row.
    expect((await userRow(email)).totp_secret).toBe(LEGACY_SECRET);

    const { client, res } = await signInWithCode(email, LEGACY_SECRET);
    expect(res.location).toBe(paths.home);
    expect((await client.get(paths.home)).status).toBe(200);

    const migrated = await userRow(email);
    expect(migrated.totp_secret).toMatch(/^v1:/);
    expect(migrated.totp_secret).not.toContain(LEGACY_SECRET);
    expect(open(KEY, migrated.totp_secret!, migrated.id)).toBe(LEGACY_SECRET);
    // The person's authenticator app keeps working after the change.
    expect((await signInWithCode(email, LEGACY_SECRET, Date.now() + 30_000)).res.location).toBe(paths.home);
  });

  it("refuses a secret copied from another person's row: it does not decrypt for this person", async () => {
    const from = await userRow('caseworker@demoshire.example.org');
    expect(from.totp_secret).toMatch(/^v1:/);
    const email = 'practitioner@demoshire.example.org';
    await t.database.db.updateTable('users').set({ totp_secret: from.totp_secret, totp_enabled_at: new Date() }).where('email', '=', email).execute();
    const secret = open(KEY, from.totp_secret!, from.id);

    // The code is right for the copied secret; the refusal comes from the secret being bound to its user.
    const { client, res } = await signInWithCode(email, secret);
    expect(res.status).toBe(500);
    expect(res.body).not.toContain(secret);
    expect((await client.get(paths.home)).status).toBe(303);
  });

  it('refuses encrypted secrets when JOINTLY_TOTP_KEY is changed, leaving them intact for the right key', async () => {
    const email = 'keyworker@demoshire.example.org';
    const { id } = await userRow(email);
    const sealed = sealTotpSecret(KEY, id, LEGACY_SECRET);
    await t.database.db.updateTable('users').set({ totp_secret: sealed, totp_enabled_at: new Date(), totp_last_step: null }).where('id', '=', id).execute();
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      JOINTLY_BASE_URL: 'http://localhost:3000',
      JOINTLY_REQUIRE_TOTP: 'true',
      JOINTLY_TOTP_KEY: randomBytes(32).toString('hex'),
    });
    const otherKeyApp = await createApp({ config, database: t.database, notifier: new OutboxNotifier(), jobs: createJobs(t.database.db, { error() {} }) });
    const code = currentTotp(LEGACY_SECRET);
    try {
      const c = new Client(otherKeyApp);
      expect((await c.signIn(email)).location).toBe(paths.signInTotp);
      await c.get(paths.signInTotp);
      const res = await c.post(paths.signInTotp, { code });
      expect(res.status).toBe(500);
      expect(text(res.body)).not.toContain(LEGACY_SECRET);
      expect((await c.get(paths.home)).status).toBe(303);
    } finally {
      await otherKeyApp.close();
    }
    expect((await userRow(email)).totp_secret).toBe(sealed);
    // With the right key back, the same code signs in.
    const right = new Client(t.app);
    await right.signIn(email);
    await right.get(paths.signInTotp);
    expect((await right.post(paths.signInTotp, { code })).location).toBe(paths.home);
  });
});
