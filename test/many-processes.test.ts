// Three app processes on one PostgreSQL database, as behind a load balancer: real child processes
// (`node --import tsx src/main.ts`), each on its own port, spoken to over HTTP. A rate limit counts
// across them, a session made on one works on the others, a background job runs once, and the
// audit chain verifies after audited writes through all three at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { databaseKinds, openTestDatabase } from './support/db.js';
import { HttpClient, startAppProcess, type AppProcess } from './support/processes.js';
import { text } from './support/app.js';
import type { Database } from '../src/platform/db/database.js';
import { seedDemo, DEMO_PASSWORD } from '../src/demo/seed.js';
import { DEMO_COUNCIL_ID_PREFIX, DEMO_POPULATION_JOB } from '../src/demo/population.js';
import { checkpointKey } from '../src/platform/audit/checkpoints.js';
import { checkAudit } from '../src/platform/audit/check.js';
import { unsealedEntries } from '../src/platform/audit/audit.js';
import { paths } from '../src/paths.js';

const ADMIN = 'admin@demoshire.example.org';
const SIGN_IN_RATE = 6;

/** Waits for `ready` to hold, asking every 200 ms; gives up (failing the test) after `ms`. */
async function until(what: string, ready: () => Promise<boolean>, ms = 90_000) {
  const deadline = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`Gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(!databaseKinds().includes('postgres'))('three app processes on one PostgreSQL', () => {
  let database: Database & { url?: string };
  let dir: string;
  let apps: AppProcess[] = [];
  const key = generateKeyPairSync('ed25519').privateKey;
  const files = [0, 1, 2].map((i) => `checkpoints-${i}.jsonl`);
  const admin = new HttpClient();

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    await seedDemo(database.db);
    dir = mkdtempSync(join(tmpdir(), 'jointly-three-'));
    // Each process has its own data folder and checkpoint file, as on three machines; they share the
    // database, the session secret (the demo one here) and the checkpoint key.
    apps = await Promise.all(
      [0, 1, 2].map((i) =>
        startAppProcess({
          DATABASE_URL: database.url!,
          JOINTLY_DATA_DIR: join(dir, `app-${i}`),
          LOG_LEVEL: 'warn',
          JOINTLY_SIGN_IN_RATE_PER_MINUTE: String(SIGN_IN_RATE),
          JOINTLY_AUDIT_CHECKPOINT_KEY: key.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
          JOINTLY_AUDIT_CHECKPOINT_FILE: join(dir, files[i]!),
          JOINTLY_AUDIT_CHECKPOINT_ENTRIES: '20',
        }),
      ),
    );
  }, 240_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await database?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('counts a rate limit across the processes', async () => {
    // From another loopback address, so the other tests' sign-ins (from 127.0.0.1) are counted apart.
    const visitor = new HttpClient('127.0.0.2');
    await visitor.get(apps[0]!.url, paths.signIn);
    const statuses: number[] = [];
    for (let i = 0; i < SIGN_IN_RATE; i++) {
      const res = await visitor.post(apps[i % 3]!.url, paths.signIn, { email: 'nobody@demoshire.example.org', password: `wrong-${i}` });
      statuses.push(res.status);
    }
    expect(statuses).toEqual(Array(SIGN_IN_RATE).fill(401));
    // Each process has seen only two attempts; together they have seen the limit.
    for (const app of apps) {
      const refused = await visitor.post(app.url, paths.signIn, { email: ADMIN, password: DEMO_PASSWORD });
      expect(refused.status).toBe(429);
      expect(text(refused.body)).toContain('Too many attempts');
    }
    expect(visitor.cookies.has('jointly_session')).toBe(false);
    const audited = await database.db.selectFrom('audit_log').select('id').where('action', '=', 'rate-limit.refused').execute();
    expect(audited).toHaveLength(3);
  });

  it('keeps a session made on one process working on the others, and signing out on one ends it on all', async () => {
    await admin.get(apps[0]!.url, paths.signIn);
    const signedIn = await admin.post(apps[0]!.url, paths.signIn, { email: ADMIN, password: DEMO_PASSWORD });
    expect(signedIn).toMatchObject({ status: 303, location: '/' });
    for (const app of apps) {
      const home = await admin.get(app.url, paths.admin.users);
      expect(home.status).toBe(200);
      expect(text(home.body)).toContain('Demo Administrator');
    }
    // A form read from one process is accepted by another (the CSRF token is bound to the session, not the process).
    await admin.get(apps[1]!.url, paths.admin.newOrganisation);
    const created = await admin.post(apps[2]!.url, paths.admin.newOrganisation, { name: 'Three Process School (fictional)', code: 'THREE-0', type: 'school' });
    expect(created.status).toBe(303);

    const other = new HttpClient();
    await other.get(apps[2]!.url, paths.signIn);
    expect((await other.post(apps[2]!.url, paths.signIn, { email: ADMIN, password: DEMO_PASSWORD })).status).toBe(303);
    await other.get(apps[2]!.url, paths.home);
    const cookie = other.cookies.get('jointly_session')!;
    expect((await other.get(apps[0]!.url, paths.admin.users)).status).toBe(200);
    expect((await other.post(apps[2]!.url, paths.signOut, {})).status).toBe(303);
    // The same cookie, sent to another process after signing out on process 2, is refused there.
    const stale = new HttpClient();
    stale.cookies.set('jointly_session', cookie);
    const refused = await stale.get(apps[0]!.url, paths.admin.users);
    expect(refused.status).toBe(303);
    expect(refused.location).toMatch(new RegExp(`^${paths.signIn}`));
  });

  it('runs a background job exactly once, and the recurring sealer has one row however many processes run it', async () => {
    const children = 60;
    await database.db
      .insertInto('jobs')
      .values({ kind: DEMO_POPULATION_JOB, payload: JSON.stringify({ children }), key: 'three-processes-population' })
      .execute();
    await until('the population job to finish', async () => {
      const job = await database.db.selectFrom('jobs').select('status').where('key', '=', 'three-processes-population').executeTakeFirstOrThrow();
      return job.status === 'succeeded' || job.status === 'failed';
    });
    const job = await database.db.selectFrom('jobs').selectAll().where('key', '=', 'three-processes-population').executeTakeFirstOrThrow();
    expect(job).toMatchObject({ status: 'succeeded', attempts: 1, error: null });
    // Run twice at once, it would have added the children twice (or failed on the second's duplicates).
    const added = await database.db
      .selectFrom('children')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('council_id', 'like', `${DEMO_COUNCIL_ID_PREFIX}%`)
      .executeTakeFirstOrThrow();
    expect(added.n).toBe(children);
    const sealers = await database.db.selectFrom('jobs').select(['key', 'status']).where('kind', '=', 'audit.seal').execute();
    expect(sealers).toHaveLength(1);
    expect(sealers[0]!.key).toBe('every:audit.seal');
  });

  it('keeps the audit chain whole after audited writes through all three processes at once', async () => {
    await admin.get(apps[0]!.url, paths.admin.newOrganisation);
    const writes = apps.flatMap((app, i) =>
      Array.from({ length: 12 }, (_, j) => [
        admin.get(app.url, paths.admin.outbox).then((r) => r.status),
        admin
          .post(app.url, paths.admin.newOrganisation, { name: `Concurrent School ${i}-${j} (fictional)`, code: `CONC-${i}-${j}`, type: 'school' })
          .then((r) => r.status),
      ]).flat(),
    );
    const statuses = await Promise.all(writes);
    expect(statuses.filter((s) => s === 200)).toHaveLength(36);
    expect(statuses.filter((s) => s === 303)).toHaveLength(36);

    // The processes' sealers (one at a time, every second) seal what has committed.
    await until('every entry to be sealed', async () => (await unsealedEntries(database.db)).count === 0);
    const created = await database.db
      .selectFrom('audit_log')
      .select(['seq'])
      .where('action', '=', 'admin.organisation.create')
      .where('subject_id', 'is not', null)
      .execute();
    expect(created.filter((r) => r.seq !== null)).toHaveLength(37);
    const positions = (await database.db.selectFrom('audit_log').select('seq').orderBy('seq').execute()).map((r) => Number(r.seq));
    expect(positions).toEqual(positions.map((_, i) => i + 1));

    // Every checkpoint, whichever process signed it, holds against the table: the database's and each machine's file.
    const signing = checkpointKey(key);
    for (const file of files) {
      const check = await checkAudit(database.db, {
        checkpointing: { key: signing, file: join(dir, file), policy: { everyEntries: 20, everyMinutes: 10 } },
        from: 'start',
      });
      expect(check.verdict).toMatchObject({ ok: true, checked: positions.length });
      expect(check.otherKey).toBe(0);
    }
    expect(
      Number(
        (
          await database.db
            .selectFrom('audit_checkpoints')
            .select(sql<number>`count(*)::int`.as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBeGreaterThan(1);
    const page = await admin.get(apps[2]!.url, paths.admin.audit);
    expect(text(page.body)).toContain('The audit log is intact');
    expect(text(page.body)).toContain('Last signed checkpoint: position');
  });

  it('loses no audit entry when a process is killed in the middle of requests, and the chain still verifies', async () => {
    const before = await database.db.selectFrom('audit_log').select('id').where('action', '=', 'admin.outbox.view').execute();
    const victim = apps[1]!;
    const answered = Promise.all(
      Array.from({ length: 30 }, () =>
        admin.get(victim.url, paths.admin.outbox).then(
          (r) => r.status,
          () => 0,
        ),
      ),
    );
    await new Promise((r) => setTimeout(r, 50));
    await victim.kill();
    const statuses = await answered;
    // The survivors seal what the killed process committed (the audit page seals on demand).
    const page = await admin.get(apps[0]!.url, paths.admin.audit);
    expect(text(page.body)).toContain('The audit log is intact');
    await until('every entry to be sealed', async () => (await unsealedEntries(database.db)).count === 0);
    const after = await database.db.selectFrom('audit_log').select('id').where('action', '=', 'admin.outbox.view').execute();
    // Every request that was answered had committed its entry; others may have committed without an answer.
    expect(after.length - before.length).toBeGreaterThanOrEqual(statuses.filter((s) => s === 200).length);
    const check = await checkAudit(database.db, {
      checkpointing: { key: checkpointKey(key), file: join(dir, files[0]!), policy: { everyEntries: 20, everyMinutes: 10 } },
      from: 'start',
    });
    expect(check.verdict.ok).toBe(true);
  });
});
