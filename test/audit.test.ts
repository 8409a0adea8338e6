// The audit log on real databases: written in the action's own transaction without waiting for
// any other, append-only, sealed into a hash chain after commit, checkpointed with signatures, and
// every kind of tampering (an entry altered, deleted or inserted, the whole table rewritten)
// reported at the first bad position by the audit page and by `jointly verify-audit`.
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { sql } from 'kysely';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds, openTestDatabase } from './support/db.js';
import { appendAudit, unsealedEntries, verifyAudit } from '../src/platform/audit/audit.js';
import { chainHead, sealAudit, sealBatch, type AuditCheckpointing } from '../src/platform/audit/sealer.js';
import { checkAudit } from '../src/platform/audit/check.js';
import { checkpointKey } from '../src/platform/audit/checkpoints.js';
import { readCheckpoints } from '../src/platform/audit/checkpoint-file.js';
import { entryHash, type AuditFields } from '../src/platform/audit/chain.js';
import { openPostgres, type Database, type Db } from '../src/platform/db/database.js';
import { migrate, readMigrations } from '../src/platform/db/migrate.js';
import { paths } from '../src/paths.js';

/** expect.stringMatching, typed as the string it stands for. */
const matching = (re: RegExp) => expect.stringMatching(re) as string;

const run = promisify(execFile);
const hasPostgres = databaseKinds().includes('postgres');

/** As an attacker with the database owner's rights: the append-only triggers off while `fn` runs. */
async function tamper(db: Db, fn: () => Promise<unknown>) {
  await sql`alter table audit_log disable trigger user`.execute(db);
  await sql`alter table audit_checkpoints disable trigger user`.execute(db);
  try {
    await fn();
  } finally {
    await sql`alter table audit_log enable trigger user`.execute(db);
    await sql`alter table audit_checkpoints enable trigger user`.execute(db);
  }
}

async function idAt(db: Db, seq: number): Promise<number> {
  const row = await db.selectFrom('audit_log').select('id').where('seq', '=', String(seq)).executeTakeFirstOrThrow();
  return Number(row.id);
}

const write = (db: Db, action: string, details: Record<string, unknown> = {}) =>
  db.transaction().execute((tx) => appendAudit(tx, { action, result: 'allowed', details }));

function newCheckpointing(everyEntries: number): AuditCheckpointing & { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'jointly-audit-test-'));
  return {
    key: checkpointKey(generateKeyPairSync('ed25519').privateKey),
    file: join(dir, 'checkpoints.jsonl'),
    dir,
    policy: { everyEntries, everyMinutes: 60 },
  };
}

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

  it('refuses updates, deletes and truncation; the one change allowed is sealing an entry, once', async () => {
    await write(t.database.db, `unsealed-${kind}`);
    await expect(sql`update audit_log set action = 'changed'`.execute(t.database.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(t.database.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(t.database.db)).rejects.toThrow(/append-only/);
    // Sealing that changes what the entry records is refused too.
    const fake = 'f'.repeat(64);
    await expect(
      sql`update audit_log set seq = 999999, prev_hash = ${fake}, hash = ${fake}, sealed_at = now(), action = 'changed' where action = ${`unsealed-${kind}`}`.execute(
        t.database.db,
      ),
    ).rejects.toThrow(/append-only/);
    await sealAudit(t.database.db);
    // A sealed entry cannot be sealed again (nor its seal changed).
    await expect(sql`update audit_log set seq = seq + 1000000, hash = ${fake} where action = ${`unsealed-${kind}`}`.execute(t.database.db)).rejects.toThrow(
      /append-only/,
    );
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
    await sealAudit(t.database.db);
    const verdict = await verifyAudit(t.database.db);
    expect(verdict.ok).toBe(true);
    expect(verdict.checked).toBeGreaterThanOrEqual(40);
    const sealed = await t.database.db.selectFrom('audit_log').select('seq').where('action', '=', 'concurrency.test').where('seq', 'is not', null).execute();
    expect(sealed).toHaveLength(40);
  });

  it('exposes a link to a child added by hand at its entry', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await t.database.db.transaction().execute((tx) => appendAudit(tx, { action: `linked-${kind}`, result: 'allowed', children: [a] }));
    const entry = await t.database.db.selectFrom('audit_log').select('id').where('action', '=', `linked-${kind}`).executeTakeFirstOrThrow();
    await sealAudit(t.database.db);
    expect((await verifyAudit(t.database.db)).ok).toBe(true);
    // The links are append-only, but an insert is allowed: one added afterwards makes a child seem looked at.
    await t.database.db.insertInto('audit_children').values({ audit_id: entry.id, child_id: b }).execute();
    const verdict = await verifyAudit(t.database.db);
    expect(verdict).toMatchObject({ ok: false, brokenAt: Number(entry.id) });
    expect(!verdict.ok && verdict.reason).toMatch(/links to children do not match the 1 it recorded/);
    // Put back, so the tests after this one start from an intact log.
    await sql`alter table audit_children disable trigger user`.execute(t.database.db);
    await sql`delete from audit_children where audit_id = ${entry.id} and child_id = ${b}`.execute(t.database.db);
    await sql`alter table audit_children enable trigger user`.execute(t.database.db);
  });

  it('exposes a row edited by hand at that row', async () => {
    await sealAudit(t.database.db);
    const target = await t.database.db
      .selectFrom('audit_log')
      .select(['id', 'seq'])
      .where('action', '=', 'concurrency.test')
      .orderBy('id')
      .limit(1)
      .offset(5)
      .executeTakeFirstOrThrow();
    // A deliberate edit needs the trigger disabled, as an attacker with database rights could.
    await tamper(t.database.db, () => sql`update audit_log set details = '{"i":999}' where id = ${target.id}`.execute(t.database.db));
    const verdict = await verifyAudit(t.database.db);
    expect(verdict).toMatchObject({ ok: false, brokenAt: Number(target.id), position: Number(target.seq) });

    // No checkpoint has been signed yet, and none will be over the edit: the page checks from the start.
    const c = new Client(t.app);
    await c.signIn('ig@demoshire.example.org');
    const page = await c.get(paths.admin.audit);
    expect(page.status).toBe(200);
    expect(page.body).toContain('The audit log has been tampered with');
    expect(text(page.body)).toContain(`the first bad position is position ${Number(target.seq).toLocaleString('en-GB')} (entry ${target.id})`);
    expect(await t.database.db.selectFrom('audit_checkpoints').select('seq').execute()).toEqual([]);
  });
});

describe.skipIf(!hasPostgres)('writers on PostgreSQL do not wait for each other', () => {
  let database: Database & { url?: string };
  beforeAll(async () => {
    database = await openTestDatabase('postgres');
  });
  afterAll(() => database?.close());

  it('lets two open transactions both append and both commit, the later one first, and seals them in commit order', async () => {
    // Held open by the test until B has committed. With a global lock, B's append would wait for A.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let appended!: () => void;
    const aAppended = new Promise<void>((r) => (appended = r));
    const a = database.db.transaction().execute(async (tx) => {
      await appendAudit(tx, { action: 'writer.a', result: 'allowed' });
      appended();
      await held;
    });
    await aAppended;
    // B appends and commits while A is open; a lock wait would fail here, not hang.
    await database.db.transaction().execute(async (tx) => {
      await sql`set local lock_timeout = '10s'`.execute(tx);
      await appendAudit(tx, { action: 'writer.b', result: 'allowed' });
    });
    // B is committed and sealed while A's entry is not yet visible to the sealer.
    expect((await sealAudit(database.db)).sealed).toBe(1);
    release();
    await a;
    expect((await sealAudit(database.db)).sealed).toBe(1);
    const rows = await database.db
      .selectFrom('audit_log')
      .select(['id', 'seq', 'action'])
      .where('action', 'in', ['writer.a', 'writer.b'])
      .orderBy('seq')
      .execute();
    // A has the smaller id (it inserted first) but the later position (it committed later).
    expect(rows.map((r) => r.action)).toEqual(['writer.b', 'writer.a']);
    expect(Number(rows[1]!.id)).toBeLessThan(Number(rows[0]!.id));
    expect(await verifyAudit(database.db)).toMatchObject({ ok: true, checked: 2, unsealed: { count: 0 } });
  });

  it('has 50 writers on 50 connections commit while each of them holds its transaction open until all have appended', async () => {
    const pool = await openPostgres(database.url!, 50);
    try {
      let ready = 0;
      let allAppended!: () => void;
      const together = new Promise<void>((r) => (allAppended = r));
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          pool.db.transaction().execute(async (tx) => {
            await sql`set local lock_timeout = '10s'`.execute(tx);
            await appendAudit(tx, { action: 'writer.many', result: 'allowed', details: { i } });
            if (++ready === 50) allAppended();
            // Every writer has appended before any commits: impossible if appending took a lock held to commit.
            await together;
          }),
        ),
      );
    } finally {
      await pool.close();
    }
    await sealAudit(database.db);
    expect(await verifyAudit(database.db)).toMatchObject({ ok: true, unsealed: { count: 0 } });
    expect(await database.db.selectFrom('audit_log').select('id').where('action', '=', 'writer.many').where('seq', 'is not', null).execute()).toHaveLength(50);
  });

  it('lets two sealers on two connection pools run at once without sealing anything twice', async () => {
    const other = await openPostgres(database.url!, 3);
    try {
      for (let i = 0; i < 200; i++) await write(database.db, 'sealers.race', { i });
      const results = await Promise.all([sealAudit(database.db, { batchSize: 7 }), sealAudit(other.db, { batchSize: 7 })]);
      expect(results[0].sealed + results[1].sealed).toBe(200);
      const seqs = (await database.db.selectFrom('audit_log').select('seq').where('action', '=', 'sealers.race').execute()).map((r) => Number(r.seq));
      expect(new Set(seqs).size).toBe(200);
      expect(await verifyAudit(database.db)).toMatchObject({ ok: true, unsealed: { count: 0 } });
    } finally {
      await other.close();
    }
  });
});

describe.each(databaseKinds())('the sealer on %s', (kind) => {
  let database: Database & { url?: string };
  let cp: ReturnType<typeof newCheckpointing>;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    cp = newCheckpointing(10);
  });
  afterAll(async () => {
    await database?.close();
    rmSync(cp.dir, { recursive: true, force: true });
  });

  it('reports entries not yet sealed as waiting, not as broken', async () => {
    for (let i = 0; i < 3; i++) await write(database.db, 'waiting', { i });
    const verdict = await verifyAudit(database.db);
    expect(verdict).toMatchObject({ ok: true, checked: 0, unsealed: { count: 3 } });
    expect(verdict.unsealed.oldestAt).toBeInstanceOf(Date);
  });

  it('seals in id order from the head, signs a checkpoint every 10 entries into the database and the file', async () => {
    for (let i = 0; i < 22; i++) await write(database.db, 'sealed', { i });
    const r = await sealAudit(database.db, { checkpointing: cp, batchSize: 10 });
    expect(r).toMatchObject({ sealed: 25, head: { seq: 25 }, problem: null });
    // The last 5 are fewer than 10 and came within the hour: no checkpoint for them yet.
    expect(r.checkpoints.map((c) => c.seq)).toEqual([10, 20]);
    const inFile = readCheckpoints(cp.file);
    expect(inFile).toEqual({ checkpoints: r.checkpoints, problems: [] });
    const inDatabase = await database.db.selectFrom('audit_checkpoints').select(['seq', 'hash']).orderBy('seq').execute();
    expect(inDatabase.map((c) => [Number(c.seq), c.hash])).toEqual(r.checkpoints.map((c) => [c.seq, c.hash]));
    const rows = await database.db.selectFrom('audit_log').select(['id', 'seq']).orderBy('seq').execute();
    expect(rows.map((x) => Number(x.seq))).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(rows.map((x) => Number(x.id))).toEqual([...rows.map((x) => Number(x.id))].sort((a, b) => a - b));
    // Nothing new: no new checkpoint.
    expect(await sealAudit(database.db, { checkpointing: cp })).toMatchObject({ sealed: 0, checkpoints: [] });
  });

  it('leaves a batch whose sealer was killed mid-batch unsealed, and the next sealer seals each entry once', async () => {
    for (let i = 0; i < 12; i++) await write(database.db, 'killed', { i });
    const headBefore = await chainHead(database.db);
    const checkpointsBefore = await database.db.selectFrom('audit_checkpoints').select('seq').execute();
    await expect(
      database.db.transaction().execute(async (tx) => {
        const r = await sealBatch(tx, { checkpointing: cp });
        expect(r).toMatchObject({ sealed: 12 });
        expect(r.checkpoint).not.toBeNull();
        // Killed before commit: on PostgreSQL its connection is ended under it; the embedded database can only fail.
        if (kind === 'postgres') await sql`select pg_terminate_backend(pg_backend_pid())`.execute(tx);
        else throw new Error('the sealer died');
      }),
    ).rejects.toThrow();
    expect(await chainHead(database.db)).toEqual(headBefore);
    expect((await unsealedEntries(database.db)).count).toBe(12);
    expect(await database.db.selectFrom('audit_checkpoints').select('seq').execute()).toEqual(checkpointsBefore);

    const r = await sealAudit(database.db, { checkpointing: cp });
    expect(r).toMatchObject({ sealed: 12, head: { seq: headBefore.seq + 12 } });
    const seqs = (await database.db.selectFrom('audit_log').select('seq').where('action', '=', 'killed').execute())
      .map((x) => Number(x.seq))
      .sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 12 }, (_, i) => headBefore.seq + i + 1));
    expect(await checkAudit(database.db, { checkpointing: cp, from: 'start' })).toMatchObject({ verdict: { ok: true, checked: headBefore.seq + 12 } });
  });

  it('keeps sealing when the checkpoint file cannot be read, and says so in the log', async () => {
    const errors: string[] = [];
    const broken = { ...cp, file: cp.dir, log: { info: () => undefined, error: (_: object, msg: string) => void errors.push(msg) } };
    await write(database.db, 'unreadable-file');
    expect(await sealAudit(database.db, { checkpointing: broken })).toMatchObject({ sealed: 1 });
    expect(errors).toContain('audit checkpoint file could not be read');
  });

  it('does not sign a checkpoint over a chain that no longer verifies', async () => {
    const last = (await database.db.selectFrom('audit_checkpoints').select('seq').orderBy('seq', 'desc').executeTakeFirstOrThrow()).seq;
    for (let i = 0; i < 3; i++) await write(database.db, 'before-tamper', { i });
    await sealAudit(database.db, { checkpointing: cp });
    const victim = Number(last) + 2;
    await tamper(database.db, () => sql`update audit_log set details = '{"changed":true}' where seq = ${victim}`.execute(database.db));
    for (let i = 0; i < 10; i++) await write(database.db, 'after-tamper', { i });
    const r = await sealAudit(database.db, { checkpointing: cp });
    expect(r.sealed).toBe(10);
    expect(r.checkpoints).toEqual([]);
    expect(r.problem).toMatch(new RegExp(`broken at position ${victim}`));
  });
});

describe.each(databaseKinds())('tampering found at the first bad position on %s', (kind) => {
  let database: (Database & { url?: string }) | undefined;
  let cp: ReturnType<typeof newCheckpointing>;
  /** 30 sealed entries, signed checkpoints at positions 10, 20 and 30. */
  async function world() {
    database = await openTestDatabase(kind);
    cp = newCheckpointing(10);
    for (let i = 1; i <= 30; i++) await write(database.db, 'entry', { i });
    const r = await sealAudit(database.db, { checkpointing: cp, batchSize: 10 });
    expect(r.checkpoints.map((c) => c.seq)).toEqual([10, 20, 30]);
    return database.db;
  }
  afterEach(async () => {
    await database?.close();
    database = undefined;
    rmSync(cp.dir, { recursive: true, force: true });
  });
  const fromStart = (db: Db) => checkAudit(db, { checkpointing: cp, from: 'start' }).then((c) => c.verdict);
  const fromLast = (db: Db) => checkAudit(db, { checkpointing: cp, from: 'last-checkpoint' }).then((c) => c.verdict);

  it('is intact when untouched, from the start and from the last checkpoint', async () => {
    const db = await world();
    expect(await fromStart(db)).toMatchObject({ ok: true, checked: 30, checkpoints: 6 });
    expect(await fromLast(db)).toMatchObject({ ok: true, checked: 0, from: 30 });
  });

  it('an altered entry', async () => {
    const db = await world();
    const id = await idAt(db, 15);
    await tamper(db, () => sql`update audit_log set action = 'altered' where seq = 15`.execute(db));
    expect(await fromStart(db)).toMatchObject({
      ok: false,
      position: 15,
      brokenAt: id,
      checked: 14,
      reason: `entry ${id} has been altered since it was written`,
    });
  });

  it('a deleted entry', async () => {
    const db = await world();
    const next = await idAt(db, 16);
    await tamper(db, () => sql`delete from audit_log where seq = 15`.execute(db));
    expect(await fromStart(db)).toMatchObject({ ok: false, position: 15, brokenAt: next, reason: 'the entry at position 15 is missing (deleted)' });
  });

  it('an inserted entry (the ones after it renumbered)', async () => {
    const db = await world();
    const pushed = await idAt(db, 15);
    await tamper(db, async () => {
      const prev = await db.selectFrom('audit_log').select('hash').where('seq', '=', '14').executeTakeFirstOrThrow();
      const fields: AuditFields = {
        at: new Date(),
        user_id: null,
        organisation_id: null,
        roles: '',
        action: 'inserted',
        subject_type: null,
        subject_id: null,
        purpose: null,
        result: 'allowed',
        request_id: null,
        details: '{}',
      };
      await sql`update audit_log set seq = seq + 1000000 where seq >= 15`.execute(db);
      await sql`update audit_log set seq = seq - 1000000 + 1 where seq > 1000000`.execute(db);
      await db
        .insertInto('audit_log')
        .values({ ...fields, seq: '15', prev_hash: prev.hash, hash: entryHash(prev.hash!, fields), sealed_at: new Date() })
        .execute();
    });
    expect(await fromStart(db)).toMatchObject({
      ok: false,
      position: 16,
      brokenAt: pushed,
      reason: `entry ${pushed} does not follow the entry before it (a row was deleted, inserted or changed)`,
    });
  });

  it('the whole table rewritten with a consistent chain, and the database copy of the checkpoints deleted: the file exposes it', async () => {
    const db = await world();
    await tamper(db, async () => {
      // Entry 5 changed and every hash from it on recomputed, as someone without the signing key would.
      await sql`update audit_log set details = '{"i":"rewritten"}' where seq = 5`.execute(db);
      const rows = await db.selectFrom('audit_log').selectAll().where('seq', '>=', '5').orderBy('seq').execute();
      let prev = (await db.selectFrom('audit_log').select('hash').where('seq', '=', '4').executeTakeFirstOrThrow()).hash!;
      for (const r of rows) {
        const hash = entryHash(prev, { ...r, at: new Date(r.at) });
        await sql`update audit_log set prev_hash = ${prev}, hash = ${hash} where id = ${r.id}`.execute(db);
        prev = hash;
      }
      await sql`delete from audit_checkpoints`.execute(db);
    });
    // The chain alone holds together.
    expect(await verifyAudit(db)).toMatchObject({ ok: true, checked: 30 });
    // The signed checkpoints do not: the first one after the change is named.
    expect(await fromStart(db)).toMatchObject({
      ok: false,
      position: 10,
      reason: matching(/does not match the signed checkpoint at position 10/),
    });
    expect(await fromLast(db)).toMatchObject({ ok: false, position: 30, reason: matching(/signed checkpoint at position 30/) });
  });

  it('the newest entries deleted, back past a checkpoint', async () => {
    const db = await world();
    await tamper(db, () => sql`delete from audit_log where seq > 24`.execute(db));
    expect(await fromStart(db)).toMatchObject({
      ok: false,
      position: 25,
      brokenAt: null,
      reason: matching(/ends at position 24, but a signed checkpoint records position 30/),
    });
    expect(await fromLast(db)).toMatchObject({
      ok: false,
      position: 30,
      reason: matching(/position 30, which a signed checkpoint records, is missing/),
    });
  });

  it('a checkpoint forged in the database, and one signed by another key (not used)', async () => {
    const db = await world();
    const stranger = newCheckpointing(10);
    await sealAudit(db); // nothing to seal
    await tamper(db, async () => {
      await sql`update audit_checkpoints set hash = ${'0'.repeat(64)} where seq = 20`.execute(db);
    });
    expect(await fromStart(db)).toMatchObject({
      ok: false,
      position: 20,
      reason: 'the checkpoint at position 20 does not carry a valid signature (it was forged or altered)',
    });
    rmSync(stranger.dir, { recursive: true, force: true });
    const other = await checkAudit(db, { checkpointing: { ...stranger, file: undefined }, from: 'start' });
    expect(other).toMatchObject({ otherKey: 3, lastCheckpoint: null, verdict: { ok: true, checked: 30 } });
  });
});

describe.each(databaseKinds())('the audit log page on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind, { JOINTLY_AUDIT_CHECKPOINT_ENTRIES: '10' });
  });
  afterAll(() => t?.close());

  it('shows the last signed checkpoint, then the first bad position of an entry changed after it, and of a table rewritten', async () => {
    const c = new Client(t.app);
    await c.signIn('ig@demoshire.example.org');
    const first = await c.get(paths.admin.audit);
    const last = await t.database.db.selectFrom('audit_checkpoints').selectAll().orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(text(first.body)).toContain(`Last signed checkpoint: position ${Number(last.seq).toLocaleString('en-GB')}`);
    expect(text(first.body)).toContain('The audit log is intact');

    // Entries after the checkpoint: fewer than 10, so none is due yet.
    for (let i = 0; i < 4; i++) await write(t.database.db, 'page.after', { i });
    await sealAudit(t.database.db, { checkpointing: t.auditCheckpoints });
    const newest = await t.database.db.selectFrom('audit_checkpoints').select('seq').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    const victim = (await t.database.db
      .selectFrom('audit_log')
      .select(['id', 'seq'])
      .where('action', '=', 'page.after')
      .orderBy('seq')
      .offset(2)
      .limit(1)
      .executeTakeFirstOrThrow()) as {
      id: string;
      seq: string;
    };
    expect(Number(victim.seq)).toBeGreaterThan(Number(newest.seq));
    await tamper(t.database.db, () => sql`update audit_log set action = 'page.altered' where id = ${victim.id}`.execute(t.database.db));
    const page = text((await c.get(paths.admin.audit)).body);
    expect(page).toContain(
      `The audit log has been tampered with: the first bad position is position ${Number(victim.seq).toLocaleString('en-GB')} (entry ${victim.id}): entry ${victim.id} has been altered since it was written.`,
    );
    // Viewing the page again does not sign a checkpoint over the changed entry.
    expect(Number((await t.database.db.selectFrom('audit_checkpoints').select('seq').orderBy('seq', 'desc').executeTakeFirstOrThrow()).seq)).toBe(
      Number(newest.seq),
    );

    // Put it back, then rewrite the table up to the checkpoint with a consistent chain.
    await tamper(t.database.db, () => sql`update audit_log set action = 'page.after' where id = ${victim.id}`.execute(t.database.db));
    expect(text((await c.get(paths.admin.audit)).body)).toContain('The audit log is intact');
    const cp = Number((await t.database.db.selectFrom('audit_checkpoints').select('seq').orderBy('seq', 'desc').executeTakeFirstOrThrow()).seq);
    await tamper(t.database.db, async () => {
      const rows = await t.database.db.selectFrom('audit_log').selectAll().where('seq', 'is not', null).orderBy('seq').execute();
      let prev = '0'.repeat(64);
      for (const r of rows) {
        const fields = { ...r, at: new Date(r.at), details: Number(r.seq) === 1 ? '{"rewritten":true}' : r.details };
        const hash = entryHash(prev, fields);
        await sql`update audit_log set details = ${fields.details}, prev_hash = ${prev}, hash = ${hash} where id = ${r.id}`.execute(t.database.db);
        prev = hash;
      }
      await sql`delete from audit_checkpoints`.execute(t.database.db);
    });
    const rewritten = text((await c.get(paths.admin.audit)).body);
    expect(rewritten).toContain(`The audit log has been tampered with: the first bad position is position ${cp.toLocaleString('en-GB')}`);
    expect(rewritten).toContain(`does not match the signed checkpoint at position ${cp}`);
    // Signed checkpoints are in the file, outside the database, whatever happened to the table.
    expect(readFileSync(t.auditCheckpoints.file!, 'utf8').trim().split('\n').length).toBeGreaterThan(0);
  });
});

describe.skipIf(!hasPostgres)('jointly verify-audit', () => {
  let database: Database & { url?: string };
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let cp: AuditCheckpointing;
  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    dir = mkdtempSync(join(tmpdir(), 'jointly-verify-'));
    const { privateKey } = generateKeyPairSync('ed25519');
    const file = join(dir, 'checkpoints.jsonl');
    cp = { key: checkpointKey(privateKey), file, policy: { everyEntries: 10, everyMinutes: 60 } };
    env = {
      ...process.env,
      DATABASE_URL: database.url!,
      LOG_LEVEL: 'silent',
      JOINTLY_DATA_DIR: dir,
      JOINTLY_AUDIT_CHECKPOINT_KEY: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
      JOINTLY_AUDIT_CHECKPOINT_FILE: file,
      JOINTLY_AUDIT_CHECKPOINT_ENTRIES: '10',
    };
  });
  afterAll(async () => {
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const cli = (...args: string[]) =>
    run('node', ['bin/jointly.js', 'verify-audit', ...args], { env }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it('seals and passes on an intact log, from the start and from the last checkpoint, then names the first bad position', async () => {
    for (let i = 0; i < 25; i++) await write(database.db, 'cli', { i });
    await sealAudit(database.db, { checkpointing: cp, batchSize: 10 });
    for (let i = 0; i < 3; i++) await write(database.db, 'cli.unsealed', { i });
    const ok = await cli();
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Sealed 3 entries waiting to be sealed.');
    expect(ok.stdout).toMatch(/The audit log is intact: 28 entries checked \(from the first entry, up to position 28\), against \d+ signed checkpoints/);
    const last = await cli('--from-checkpoint');
    expect(last.stdout).toContain('The audit log is intact: 8 entries checked (from the signed checkpoint at position 20, up to position 28)');
    const none = await cli('--from-checkpoint', '11');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('There is no signed checkpoint at position 11. Checkpoints are at positions 10, 20.');
    expect((await cli('--from-checkpoint', 'ten')).stderr).toContain('--from-checkpoint: give the position of a checkpoint as a whole number');

    const first = await idAt(database.db, 1);
    await tamper(database.db, () => sql`update audit_log set action = 'edited' where seq = 1`.execute(database.db));
    const broken = await cli('--no-seal');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`The audit log is broken at entry ${first} (position 1): entry ${first} has been altered since it was written.`);
  });

  it('finds a whole table rewritten from the checkpoint file, from the start and from a checkpoint', async () => {
    await tamper(database.db, async () => {
      const rows = await database.db.selectFrom('audit_log').selectAll().where('seq', 'is not', null).orderBy('seq').execute();
      let prev = '0'.repeat(64);
      for (const r of rows) {
        const hash = entryHash(prev, { ...r, at: new Date(r.at) });
        await sql`update audit_log set prev_hash = ${prev}, hash = ${hash} where id = ${r.id}`.execute(database.db);
        prev = hash;
      }
      await sql`delete from audit_checkpoints`.execute(database.db);
    });
    expect((await verifyAudit(database.db)).ok).toBe(true);
    const fromStart = await cli('--no-seal');
    expect(fromStart.code).toBe(1);
    expect(fromStart.stderr).toMatch(/broken at entry \d+ \(position 10\): the log does not match the signed checkpoint at position 10/);
    const fromTwenty = await cli('--no-seal', '--from-checkpoint', '20');
    expect(fromTwenty.code).toBe(1);
    expect(fromTwenty.stderr).toMatch(/position 10\): the log does not match the signed checkpoint at position 10/);
    // Without the file, only the database's copy (deleted) would be left: nothing to compare with.
    writeFileSync(cp.file!, '');
    expect((await cli('--no-seal')).code).toBe(0);
  });
});

describe.skipIf(!hasPostgres)('migrating a log chained under the old lock', () => {
  it('gives existing entries their positions in id order, so the chain they were written with still verifies', async () => {
    const info = inject('postgres')!;
    const name = `a_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const admin = new pg.Client({ connectionString: info.adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(info.adminUrl);
    url.pathname = `/${name}`;
    const database = await openPostgres(url.toString(), 2);
    try {
      const all = readMigrations();
      await migrate(
        database,
        all.filter((m) => m.name < '0020'),
      );
      // As appendAudit did before: each entry chained onto the one with the highest id; a rolled-back one leaves a gap in the ids.
      let prev = '0'.repeat(64);
      for (let i = 0; i < 5; i++) {
        const fields: AuditFields = { ...plainFields, action: `old.${i}`, at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) };
        const hash = entryHash(prev, fields);
        if (i === 3) await sql`select nextval(pg_get_serial_sequence('audit_log', 'id'))`.execute(database.db);
        await sql`insert into audit_log (at, roles, action, result, details, prev_hash, hash) values (${fields.at}, '', ${fields.action}, 'allowed', '{}', ${prev}, ${hash})`.execute(
          database.db,
        );
        prev = hash;
      }
      await migrate(database, all);
      const rows = await database.db.selectFrom('audit_log').select(['id', 'seq', 'action', 'sealed_at', 'at']).orderBy('seq').execute();
      expect(rows.map((r) => [r.action, Number(r.seq)])).toEqual(Array.from({ length: 5 }, (_, i) => [`old.${i}`, i + 1]));
      expect(rows.map((r) => new Date(r.sealed_at!).getTime())).toEqual(rows.map((r) => new Date(r.at).getTime()));
      expect(await verifyAudit(database.db)).toMatchObject({ ok: true, checked: 5 });
      // New entries carry on the same chain.
      await write(database.db, 'new.0');
      expect(await sealAudit(database.db)).toMatchObject({ sealed: 1, head: { seq: 6 } });
      expect(await verifyAudit(database.db)).toMatchObject({ ok: true, checked: 6 });
    } finally {
      await database.close();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});

const plainFields: AuditFields = {
  at: new Date(),
  user_id: null,
  organisation_id: null,
  roles: '',
  action: '',
  subject_type: null,
  subject_id: null,
  purpose: null,
  result: 'allowed',
  request_id: null,
  details: '{}',
};
