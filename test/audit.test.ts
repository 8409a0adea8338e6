// The audit log on real databases: written in the action's own transaction, append-only,
// a hash chain that survives concurrent writers and exposes hand edits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { buildTestApp, Client, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { appendAudit, verifyAudit } from '../src/platform/audit/audit.js';
import { paths } from '../src/paths.js';

const run = promisify(execFile);

describe.each(databaseKinds())('audit log on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
  });
  afterAll(() => t?.close());

  it('records who, organisation, role, action, subject, result and request id for a change', async () => {
    const c = new Client(t.app);
    await c.signIn('admin@demoshire.example.org');
    await c.get(paths.admin.newOrganisation);
    const res = await c.post(paths.admin.newOrganisation, { name: 'Audit Test School (fictional)', code: 'AUD-SCH', type: 'school' });
    expect(res.status).toBe(303);
    const org = await t.database.db.selectFrom('organisations').selectAll().where('code', '=', 'AUD-SCH').executeTakeFirstOrThrow();
    const admin = await t.database.db.selectFrom('users').selectAll().where('email', '=', 'admin@demoshire.example.org').executeTakeFirstOrThrow();
    const entry = await t.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'admin.organisation.create').executeTakeFirstOrThrow();
    expect(entry).toMatchObject({
      user_id: admin.id,
      organisation_id: admin.organisation_id,
      roles: 'partnership-administrator',
      subject_type: 'organisation',
      subject_id: org.id,
      result: 'allowed',
    });
    expect(entry.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes nothing, neither the change nor its audit entry, when the action fails', async () => {
    const c = new Client(t.app);
    await c.signIn('admin@demoshire.example.org');
    const before = await t.database.db
      .selectFrom('audit_log')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    await c.get(paths.admin.newOrganisation);
    // Same code as an existing organisation: refused with a message, nothing stored.
    const res = await c.post(paths.admin.newOrganisation, { name: 'Duplicate', code: 'DEMO-EDU', type: 'school' });
    expect(res.status).toBe(400);
    expect(res.body).toContain('Another organisation already uses the code DEMO-EDU');
    const after = await t.database.db
      .selectFrom('audit_log')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect(await t.database.db.selectFrom('organisations').select('id').where('name', '=', 'Duplicate').execute()).toEqual([]);
  });

  it('rolls the audit entry back with its transaction', async () => {
    const marker = `rollback-${kind}`;
    await expect(
      t.database.db.transaction().execute(async (tx) => {
        await appendAudit(tx, { action: marker, result: 'allowed' });
        throw new Error('the action failed');
      }),
    ).rejects.toThrow('the action failed');
    expect(await t.database.db.selectFrom('audit_log').select('id').where('action', '=', marker).execute()).toEqual([]);
  });

  it('refuses updates, deletes and truncation', async () => {
    await expect(sql`update audit_log set action = 'changed'`.execute(t.database.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(t.database.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(t.database.db)).rejects.toThrow(/append-only/);
    // The children an entry disclosed are as fixed as the entry.
    await t.database.db.transaction().execute((tx) => appendAudit(tx, { action: `links-${kind}`, result: 'allowed', children: [randomUUID()] }));
    await expect(sql`update audit_children set child_id = ${randomUUID()}`.execute(t.database.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_children`.execute(t.database.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_children`.execute(t.database.db)).rejects.toThrow(/append-only/);
  });

  it('keeps an unbroken chain under many concurrent writers', async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t.database.db.transaction().execute((tx) => appendAudit(tx, { action: 'concurrency.test', result: 'allowed', details: { i } })),
      ),
    );
    const verdict = await verifyAudit(t.database.db);
    expect(verdict.ok).toBe(true);
    expect(verdict.checked).toBeGreaterThanOrEqual(40);
  });

  it('exposes a link to a child added by hand at its entry', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await t.database.db.transaction().execute((tx) => appendAudit(tx, { action: `linked-${kind}`, result: 'allowed', children: [a] }));
    const entry = await t.database.db.selectFrom('audit_log').select('id').where('action', '=', `linked-${kind}`).executeTakeFirstOrThrow();
    expect((await verifyAudit(t.database.db)).ok).toBe(true);
    // The links are append-only, but an insert is allowed: one added afterwards makes a child seem looked at.
    await t.database.db.insertInto('audit_children').values({ audit_id: entry.id, child_id: b }).execute();
    const verdict = await verifyAudit(t.database.db);
    expect(verdict).toMatchObject({ ok: false, brokenAt: Number(entry.id) });
    expect(!verdict.ok && verdict.reason).toMatch(/links to children do not match the 1 it recorded/);
  });

  it('exposes a row edited by hand at that row', async () => {
    const target = await t.database.db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'concurrency.test')
      .orderBy('id')
      .limit(1)
      .offset(5)
      .executeTakeFirstOrThrow();
    // A deliberate edit needs the trigger disabled, as an attacker with database rights could.
    await sql`alter table audit_log disable trigger audit_log_no_update`.execute(t.database.db);
    await sql`update audit_log set details = '{"i":999}' where id = ${target.id}`.execute(t.database.db);
    await sql`alter table audit_log enable trigger audit_log_no_update`.execute(t.database.db);
    const verdict = await verifyAudit(t.database.db);
    expect(verdict).toMatchObject({ ok: false, brokenAt: Number(target.id) });

    const c = new Client(t.app);
    await c.signIn('ig@demoshire.example.org');
    const page = await c.get(paths.admin.audit);
    expect(page.status).toBe(200);
    expect(page.body).toContain('The audit log has been tampered with');
  });
});

describe.skipIf(!databaseKinds().includes('postgres'))('jointly verify-audit', () => {
  it('passes on an intact log, then fails naming the row after a hand edit', async () => {
    const t = await buildTestApp('postgres');
    try {
      const c = new Client(t.app);
      await c.signIn('admin@demoshire.example.org');
      await c.get(paths.admin.users);
      const url = (t.database as unknown as { url: string }).url;
      const env = { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' };
      const ok = await run('node', ['bin/jointly.js', 'verify-audit'], { env });
      expect(ok.stdout).toMatch(/The audit log is intact: \d+ entries checked/);
      const first = await t.database.db.selectFrom('audit_log').select('id').orderBy('id').executeTakeFirstOrThrow();
      await sql`alter table audit_log disable trigger audit_log_no_update`.execute(t.database.db);
      await sql`update audit_log set action = 'edited' where id = ${first.id}`.execute(t.database.db);
      const broken = await run('node', ['bin/jointly.js', 'verify-audit'], { env }).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(broken.code).toBe(1);
      expect(broken.stderr).toContain(`The audit log is broken at entry ${first.id}`);
    } finally {
      await t.close();
    }
  });
});
