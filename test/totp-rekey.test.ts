// Changing JOINTLY_TOTP_KEY: `jointly rekey-security-codes` moves every security-code secret from
// the old key to the new one in one transaction, refuses (changing nothing) when a row is under
// neither key, and changes nothing when run again. Real databases; sign-in through real requests.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { paths } from '../src/paths.js';
import { currentTotp, newTotpSecret } from '../src/capabilities/administration/sign-in/totp.js';
import { open, SecretBoxError } from '../src/platform/auth/secret-box.js';
import { RekeyRefused, rekeyTotpSecrets, sealTotpSecret } from '../src/capabilities/administration/sign-in/totp-secret.js';

const run = promisify(execFile);
const KEY_A = randomBytes(32); // the old key
const KEY_B = randomBytes(32); // the new key, configured as JOINTLY_TOTP_KEY
const KEY_C = randomBytes(32); // a key nobody told the command about
const ROTATED = ['caseworker@demoshire.example.org', 'panel@demoshire.example.org', 'practitioner@demoshire.example.org'];
const LEGACY = 'keyworker@demoshire.example.org';

async function setUp(t: TestApp, secrets: Record<string, (id: string) => string>) {
  const db = t.database.db;
  // Only the rows the test names hold a secret, so the counts are exact.
  await db.updateTable('users').set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null }).execute();
  const ids: Record<string, string> = {};
  for (const [email, stored] of Object.entries(secrets)) {
    const { id } = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
    ids[email] = id;
    await db
      .updateTable('users')
      .set({ totp_secret: stored(id), totp_enabled_at: new Date() })
      .where('id', '=', id)
      .execute();
  }
  return ids;
}

const storedSecrets = (t: TestApp) => t.database.db.selectFrom('users').select(['id', 'totp_secret']).orderBy('id').execute();
const auditCount = async (t: TestApp) =>
  Number(
    (
      await t.database.db
        .selectFrom('audit_log')
        .select(sql<number>`count(*)`.as('n'))
        .where('action', '=', 'cli.rekey-security-codes')
        .executeTakeFirstOrThrow()
    ).n,
  );

async function signInWithCode(t: TestApp, email: string, secret: string) {
  const c = new Client(t.app);
  expect((await c.signIn(email)).location).toBe(paths.signInTotp);
  await c.get(paths.signInTotp);
  return c.post(paths.signInTotp, { code: currentTotp(secret) });
}

describe.each(databaseKinds())('re-keying security-code secrets on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind, { JOINTLY_REQUIRE_TOTP: 'true', JOINTLY_TOTP_KEY: KEY_B.toString('base64') });
  });
  afterAll(() => t?.close());

  it('moves every secret from the old key to the new one; all sign in under the new key and none opens with the old', async () => {
    const secrets = Object.fromEntries([...ROTATED, LEGACY].map((e) => [e, newTotpSecret()]));
    const ids = await setUp(t, {
      ...Object.fromEntries(ROTATED.map((e) => [e, (id: string) => sealTotpSecret(KEY_A, id, secrets[e]!)])),
      [LEGACY]: () => secrets[LEGACY]!,
    });
    // Under the old key, the app configured with the new one cannot use them: the rotation is needed.
    expect((await signInWithCode(t, ROTATED[0]!, secrets[ROTATED[0]!]!)).status).toBe(500);

    expect(await rekeyTotpSecrets(t.database.db, { oldKey: KEY_A, newKey: KEY_B }, 'test')).toEqual({ rekeyed: 3, encrypted: 1, current: 0 });

    for (const email of [...ROTATED, LEGACY]) {
      const row = await t.database.db.selectFrom('users').select('totp_secret').where('id', '=', ids[email]!).executeTakeFirstOrThrow();
      expect(row.totp_secret).toMatch(/^v1:/);
      expect(row.totp_secret).not.toContain(secrets[email]!);
      expect(open(KEY_B, row.totp_secret!, ids[email]!)).toBe(secrets[email]);
      expect(() => open(KEY_A, row.totp_secret!, ids[email]!)).toThrow(SecretBoxError);
      // Through the real sign-in: password, then the code from the person's unchanged authenticator app.
      expect((await signInWithCode(t, email, secrets[email]!)).location).toBe(paths.home);
    }

    const entry = await t.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'cli.rekey-security-codes')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(entry.result).toBe('allowed');
    const details = entry.details; // the JSON text as stored
    expect(JSON.parse(details)).toMatchObject({ via: 'test', rekeyed: 3, encrypted: 1, current: 0 });
    for (const s of Object.values(secrets)) expect(details).not.toContain(s);
    for (const k of [KEY_A, KEY_B]) expect(details).not.toContain(k.toString('base64'));
  });

  it('changes nothing when run again with the same keys', async () => {
    const secret = newTotpSecret();
    await setUp(t, Object.fromEntries(ROTATED.map((e) => [e, (id: string) => sealTotpSecret(KEY_A, id, secret)])));
    expect(await rekeyTotpSecrets(t.database.db, { oldKey: KEY_A, newKey: KEY_B }, 'test')).toMatchObject({ rekeyed: 3 });
    const after = await storedSecrets(t);

    expect(await rekeyTotpSecrets(t.database.db, { oldKey: KEY_A, newKey: KEY_B }, 'test')).toEqual({ rekeyed: 0, encrypted: 0, current: 3 });
    // Byte for byte: a row already under the new key is not sealed again (which would change its IV).
    expect(await storedSecrets(t)).toEqual(after);
  });

  it('refuses, changing nothing, when a row decrypts under neither key, naming its user id but not its value', async () => {
    const secret = newTotpSecret();
    const ids = await setUp(t, {
      [ROTATED[0]!]: (id) => sealTotpSecret(KEY_A, id, secret),
      [ROTATED[1]!]: (id) => sealTotpSecret(KEY_C, id, secret), // an unknown key
      [ROTATED[2]!]: (id) => sealTotpSecret(KEY_A, id, secret),
      [LEGACY]: () => 'not a base32 secret', // neither encrypted nor usable
    });
    const before = await storedSecrets(t);
    const audits = await auditCount(t);

    const refusal = await rekeyTotpSecrets(t.database.db, { oldKey: KEY_A, newKey: KEY_B }, 'test').then(
      () => null,
      (e: unknown) => e,
    );
    expect(refusal).toBeInstanceOf(RekeyRefused);
    const { message, userIds } = refusal as RekeyRefused;
    expect([...userIds].sort()).toEqual([ids[ROTATED[1]!], ids[LEGACY]].sort());
    expect(message).toContain('Nothing was changed: 2 security-code secrets decrypt under neither the old key nor JOINTLY_TOTP_KEY');
    for (const id of userIds) expect(message).toContain(id);
    expect(message).not.toContain(ids[ROTATED[0]!]!);
    for (const row of before) if (row.totp_secret) expect(message).not.toContain(row.totp_secret);
    expect(message).not.toContain(secret);

    // Not even the rows that could have been moved were touched, and nothing was audited as done.
    expect(await storedSecrets(t)).toEqual(before);
    expect(await auditCount(t)).toBe(audits);
  });

  it("refuses a value copied from another person's row, even under the old key", async () => {
    const secret = newTotpSecret();
    const ids = await setUp(t, {
      [ROTATED[0]!]: (id) => sealTotpSecret(KEY_A, id, secret),
      [ROTATED[1]!]: (id) => sealTotpSecret(KEY_A, id, secret),
    });
    const copied = sealTotpSecret(KEY_A, ids[ROTATED[0]!]!, secret);
    await t.database.db.updateTable('users').set({ totp_secret: copied }).where('id', '=', ids[ROTATED[1]!]!).execute();
    await expect(rekeyTotpSecrets(t.database.db, { oldKey: KEY_A, newKey: KEY_B }, 'test')).rejects.toThrow(`(user id ${ids[ROTATED[1]!]})`);
    expect((await t.database.db.selectFrom('users').select('totp_secret').where('id', '=', ids[ROTATED[1]!]!).executeTakeFirstOrThrow()).totp_secret).toBe(
      copied,
    );
  });

  it('refuses an old key that is the configured key, which would re-key nothing', async () => {
    const secret = newTotpSecret();
    await setUp(t, { [LEGACY]: () => secret });
    await expect(rekeyTotpSecrets(t.database.db, { oldKey: KEY_B, newKey: KEY_B }, 'test')).rejects.toThrow('The old key is the same as JOINTLY_TOTP_KEY');
    expect((await t.database.db.selectFrom('users').select('totp_secret').where('email', '=', LEGACY).executeTakeFirstOrThrow()).totp_secret).toBe(secret);
  });
});

describe.skipIf(!databaseKinds().includes('postgres'))('jointly rekey-security-codes', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    t = await buildTestApp('postgres', { JOINTLY_REQUIRE_TOTP: 'true', JOINTLY_TOTP_KEY: KEY_B.toString('base64') });
    dir = await mkdtemp(join(tmpdir(), 'jointly-rekey-'));
  });
  afterAll(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Runs the command from source (not a possibly stale build); resolves with its exit code and output. */
  function jointly(args: string[]) {
    const env = { ...process.env, DATABASE_URL: (t.database as unknown as { url: string }).url, JOINTLY_TOTP_KEY: KEY_B.toString('hex'), LOG_LEVEL: 'silent' };
    return run(process.execPath, ['--import', 'tsx', 'src/cli/jointly.ts', 'rekey-security-codes', ...args], { env }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  }

  it('re-keys from a key file, then says there is nothing left to do; refuses a row under an unknown key', async () => {
    const keyFile = join(dir, 'old.key');
    await writeFile(keyFile, `${KEY_A.toString('base64')}\n`, { mode: 0o600 });
    const secrets = Object.fromEntries(ROTATED.map((e) => [e, newTotpSecret()]));
    const ids = await setUp(t, Object.fromEntries(ROTATED.map((e) => [e, (id: string) => sealTotpSecret(KEY_A, id, secrets[e]!)])));

    const first = await jointly(['--old-key-file', keyFile]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain('Re-encrypted 3 security-code secrets under the new key.');
    for (const email of ROTATED) {
      const row = await t.database.db.selectFrom('users').select('totp_secret').where('id', '=', ids[email]!).executeTakeFirstOrThrow();
      expect(open(KEY_B, row.totp_secret!, ids[email]!)).toBe(secrets[email]);
    }
    expect((await signInWithCode(t, ROTATED[0]!, secrets[ROTATED[0]!]!)).location).toBe(paths.home);

    const again = await jointly(['--old-key-file', keyFile]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Re-encrypted 0 security-code secrets under the new key.');
    expect(again.stdout).toContain('3 security-code secrets were already under the new key');

    const stranger = newTotpSecret();
    await t.database.db
      .updateTable('users')
      .set({ totp_secret: sealTotpSecret(KEY_C, ids[ROTATED[2]!]!, stranger) })
      .where('id', '=', ids[ROTATED[2]!]!)
      .execute();
    const before = await storedSecrets(t);
    const refused = await jointly(['--old-key-file', keyFile]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `Nothing was changed: 1 security-code secret decrypts under neither the old key nor JOINTLY_TOTP_KEY (user id ${ids[ROTATED[2]!]})`,
    );
    expect(await storedSecrets(t)).toEqual(before);
  });

  it('says plainly when the key file is missing or does not hold a key', async () => {
    const missing = await jointly(['--old-key-file', join(dir, 'no-such.key')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`--old-key-file: cannot read ${join(dir, 'no-such.key')} (ENOENT)`);

    const bad = join(dir, 'bad.key');
    await writeFile(bad, 'a passphrase is not a key\n');
    const wrong = await jointly(['--old-key-file', bad]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`--old-key-file: the key in ${bad} must be 32 random bytes`);
    expect(wrong.stderr).not.toContain('a passphrase is not a key');
  });
});
