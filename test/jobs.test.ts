// Background jobs on real databases: run once with their result kept, progress visible while
// running, retries with the problem recorded, unknown kinds refused, and two runners sharing
// one queue without running a job twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openPostgres, type Database, type Db } from '../src/platform/db/database.js';
import { createJobs, type Jobs } from '../src/platform/jobs/jobs.js';
import { databaseKinds, openTestDatabase } from './support/db.js';

/** A log that keeps what it was told, instead of printing expected failures. */
function memoryLog() {
  const lines: { obj: unknown; msg: string }[] = [];
  return { lines, error: (obj: unknown, msg: string) => void lines.push({ obj, msg }) };
}

/** Makes a job due now, as if its retry back-off (or its start time) had passed. */
async function makeDue(db: Db, id: number) {
  await sql`update jobs set run_at = now() - interval '1 second' where id = ${id}`.execute(db);
}

/** A promise the test settles, and a way to know the handler has reached it. */
function gate() {
  let open!: () => void;
  let arrived!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const reached = new Promise<void>((r) => (arrived = r));
  return { open, opened, reached, arrive: () => arrived() };
}

describe.each(databaseKinds())('background jobs on %s', (kind) => {
  let database: Database & { url?: string };
  let db: Db;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    db = database.db;
  });
  afterAll(() => database?.close());

  it('runs a queued job once, and keeps its result with progress at 100', async () => {
    const jobs = createJobs(db, memoryLog());
    const payloads: unknown[] = [];
    jobs.register('import-plans', (payload) => {
      payloads.push(payload);
      return Promise.resolve({ imported: 12, skipped: ['row 4'] });
    });
    const id = await jobs.enqueue(db, 'import-plans', { file: 'plans.csv' });
    const queued = await jobs.get(db, id);
    expect(queued).toMatchObject({ kind: 'import-plans', status: 'queued', progress: 0, attempts: 0, result: null, finishedAt: null });

    expect(await jobs.runPending()).toBe(1);
    expect(await jobs.runPending()).toBe(0);
    expect(payloads).toEqual([{ file: 'plans.csv' }]);

    const done = await jobs.get(db, id);
    expect(done).toMatchObject({
      status: 'succeeded',
      progress: 100,
      result: { imported: 12, skipped: ['row 4'] },
      error: null,
      attempts: 1,
    });
    expect(done!.finishedAt).toBeInstanceOf(Date);
    expect((await jobs.list(db, {})).map((j) => j.id)).toContain(id);
  });

  it('shows the progress a handler reports while it is still running', async () => {
    const jobs = createJobs(db, memoryLog());
    const g = gate();
    jobs.register('read-rows', async (_payload, ctx) => {
      await ctx.progress(40, 'Reading rows');
      g.arrive();
      await g.opened;
      return { rows: 250 };
    });
    const id = await jobs.enqueue(db, 'read-rows', {});
    const run = jobs.runPending();
    try {
      await g.reached;
      // The handler is waiting, holding no transaction, so this is an ordinary second query
      // (on the embedded database, through the same single connection).
      const during = await jobs.get(db, id);
      expect(during).toMatchObject({ status: 'running', progress: 40, progressMessage: 'Reading rows', attempts: 1, finishedAt: null });
    } finally {
      g.open();
    }
    expect(await run).toBe(1);
    expect(await jobs.get(db, id)).toMatchObject({ status: 'succeeded', progress: 100, result: { rows: 250 } });
  });

  it('retries a failing job up to its most attempts, recording the problem, then marks it failed', async () => {
    const log = memoryLog();
    const jobs = createJobs(db, log);
    let calls = 0;
    jobs.register('check-deadlines', () => {
      calls++;
      return Promise.reject(new Error(`Row 3 of the spreadsheet has no date (attempt ${calls})`));
    });
    const id = await jobs.enqueue(db, 'check-deadlines', {}, { maxAttempts: 3 });

    // The first failure puts the job back in the queue for later, so this run stops after one.
    expect(await jobs.runPending()).toBe(1);
    expect(await jobs.get(db, id)).toMatchObject({
      status: 'queued',
      attempts: 1,
      error: 'Row 3 of the spreadsheet has no date (attempt 1)',
      finishedAt: null,
    });

    await makeDue(db, id);
    expect(await jobs.runPending()).toBe(1);
    expect(await jobs.get(db, id)).toMatchObject({ status: 'queued', attempts: 2, error: 'Row 3 of the spreadsheet has no date (attempt 2)' });

    await makeDue(db, id);
    expect(await jobs.runPending()).toBe(1);
    const failed = await jobs.get(db, id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, error: 'Row 3 of the spreadsheet has no date (attempt 3)' });
    expect(failed!.finishedAt).toBeInstanceOf(Date);

    // A failed job is finished: it is not picked up again.
    await makeDue(db, id);
    expect(await jobs.runPending()).toBe(0);
    expect(calls).toBe(3);
    expect(log.lines).toHaveLength(3);
    expect(log.lines[0]).toMatchObject({ msg: 'job failed', obj: { jobId: id, kind: 'check-deadlines' } });
  });

  it('clears the problem from an earlier attempt when a later attempt succeeds', async () => {
    const jobs = createJobs(db, memoryLog());
    let calls = 0;
    jobs.register('send-letters', () => {
      if (++calls === 1) return Promise.reject(new Error('The letter service did not answer'));
      return Promise.resolve({ sent: 4 });
    });
    const id = await jobs.enqueue(db, 'send-letters', {});
    await jobs.runPending();
    expect(await jobs.get(db, id)).toMatchObject({ status: 'queued', error: 'The letter service did not answer' });
    await makeDue(db, id);
    await jobs.runPending();
    expect(await jobs.get(db, id)).toMatchObject({ status: 'succeeded', attempts: 2, error: null, result: { sent: 4 } });
  });

  it('records the problem when a handler throws something that is not an Error', async () => {
    const jobs = createJobs(db, memoryLog());
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the point of this test is a rejection that is not an Error
    jobs.register('throws-text', () => Promise.reject('The file was empty'));
    const id = await jobs.enqueue(db, 'throws-text', {}, { maxAttempts: 1 });
    await jobs.runPending();
    expect(await jobs.get(db, id)).toMatchObject({ status: 'failed', attempts: 1, error: 'The file was empty' });
  });

  it('refuses to queue a kind of job that has no handler', async () => {
    const jobs = createJobs(db, memoryLog());
    jobs.register('import-plans', () => Promise.resolve(null));
    await expect(jobs.enqueue(db, 'import-plan', {})).rejects.toThrow('No handler is registered for job kind "import-plan"');
    const rows = await sql<{ n: number }>`select count(*)::int as n from jobs where kind = 'import-plan'`.execute(db);
    expect(rows.rows).toEqual([{ n: 0 }]);
  });

  it('leaves a job whose time has not come, and runs it once it is due', async () => {
    const jobs = createJobs(db, memoryLog());
    jobs.register('later', () => Promise.resolve('done'));
    const id = await jobs.enqueue(db, 'later', {}, { runAt: new Date(Date.now() + 60 * 60 * 1000) });
    expect(await jobs.runPending()).toBe(0);
    expect(await jobs.get(db, id)).toMatchObject({ status: 'queued', attempts: 0 });
    await makeDue(db, id);
    expect(await jobs.runPending()).toBe(1);
    expect(await jobs.get(db, id)).toMatchObject({ status: 'succeeded', result: 'done' });
  });

  it('picks up a job left running by a runner that stopped, once its lease has run out', async () => {
    const jobs = createJobs(db, memoryLog());
    jobs.register('orphaned', () => Promise.resolve('finished by another runner'));
    const id = await jobs.enqueue(db, 'orphaned', {});
    // As a runner that claimed it and then died would have left it.
    await sql`update jobs set status = 'running', attempts = 1, locked_until = now() + interval '5 minutes' where id = ${id}`.execute(db);
    expect(await jobs.runPending()).toBe(0);
    await sql`update jobs set locked_until = now() - interval '1 second' where id = ${id}`.execute(db);
    expect(await jobs.runPending()).toBe(1);
    expect(await jobs.get(db, id)).toMatchObject({ status: 'succeeded', attempts: 2, result: 'finished by another runner' });
  });

  it('fails a job whose runner stopped responding once it has used all its attempts, instead of retrying for ever', async () => {
    const jobs = createJobs(db, memoryLog());
    let ran = 0;
    jobs.register('crashes-runner', () => {
      ran++;
      return Promise.resolve();
    });
    const id = await jobs.enqueue(db, 'crashes-runner', {}, { maxAttempts: 2 });
    await sql`update jobs set status = 'running', attempts = 2, locked_until = now() - interval '1 minute' where id = ${id}`.execute(db);
    expect(await jobs.runPending()).toBe(0);
    expect(ran).toBe(0);
    expect(await jobs.get(db, id)).toMatchObject({ status: 'failed', error: 'The job stopped responding and has used all its attempts' });
  });

  it('renews the lease when a long job reports progress, and resets progress for a retry', async () => {
    const jobs = createJobs(db, memoryLog());
    const g = gate();
    let attempt = 0;
    jobs.register('long-import', async (_p, ctx) => {
      attempt++;
      await ctx.progress(60, 'Matching records');
      if (attempt === 1) {
        g.arrive();
        await g.opened;
        throw new Error('The file could not be read');
      }
      return 'ok';
    });
    const id = await jobs.enqueue(db, 'long-import', {});
    const run = jobs.runPending(1);
    await g.reached;
    const lease = await db
      .selectFrom('jobs')
      .select(sql<boolean>`locked_until > now() + interval '9 minutes'`.as('fresh'))
      .where('id', '=', String(id))
      .executeTakeFirstOrThrow();
    expect(lease.fresh).toBe(true);
    g.open();
    await run;
    expect(await jobs.get(db, id)).toMatchObject({ status: 'queued', progress: 0, progressMessage: null, error: 'The file could not be read' });
  });

  it('creates one job per key, however often the same event is enqueued', async () => {
    const jobs = createJobs(db, memoryLog());
    jobs.register('outcome-letter', () => Promise.resolve('sent'));
    const ids = await Promise.all([1, 2, 3].map(() => jobs.enqueue(db, 'outcome-letter', { decision: 7 }, { key: `outcome-letter:7:${kind}` })));
    expect(new Set(ids).size).toBe(1);
    const rows = await db.selectFrom('jobs').select('id').where('key', '=', `outcome-letter:7:${kind}`).execute();
    expect(rows).toHaveLength(1);
  });

  it('enqueues a daily job once its time has come, once per day however many runners ask', async () => {
    const a = createJobs(db, memoryLog());
    const b = createJobs(db, memoryLog());
    for (const j of [a, b]) {
      j.register(`deadline-check-${kind}`, () => Promise.resolve('checked'));
      j.daily(`deadline-check-${kind}`, '02:00');
    }
    expect(await a.enqueueDue(new Date('2026-11-25T01:59:00Z'))).toBe(0);
    const at = new Date('2026-11-25T02:00:00Z');
    await Promise.all([a.enqueueDue(at), b.enqueueDue(at), a.enqueueDue(new Date('2026-11-25T23:00:00Z'))]);
    const rows = await db.selectFrom('jobs').select(['key', 'payload']).where('kind', '=', `deadline-check-${kind}`).execute();
    expect(rows).toEqual([{ key: `deadline-check-${kind}@2026-11-25`, payload: JSON.stringify({ scheduledFor: '2026-11-25' }) }]);
    expect(await a.enqueueDue(new Date('2026-11-26T02:30:00Z'))).toBe(1);
    expect(() => a.daily(`deadline-check-${kind}`, '25:00')).toThrow(/HH:MM/);
  });

  it('runs a recurring job once per period whichever runners ask, queued again after success or failure, never given up', async () => {
    const second = kind === 'postgres' ? await openPostgres(database.url!, 3) : undefined;
    const kindName = `every-tick-${kind}`;
    let ran = 0;
    let fail = false;
    const make = (on: Db) => {
      const j = createJobs(on, memoryLog());
      j.register(kindName, () => {
        ran++;
        return fail ? Promise.reject(new Error('The sealer could not reach the database')) : Promise.resolve({ ran });
      });
      j.every(kindName, 30);
      return j;
    };
    const a = make(db);
    const b = make(second?.db ?? db);
    try {
      expect(() => a.every(kindName, 0)).toThrow(/whole number of seconds/);
      expect(() => a.every('no-such-kind', 5)).toThrow('No handler is registered for job kind "no-such-kind"');
      await Promise.all([a.enqueueDue(), b.enqueueDue(), a.enqueueDue()]);
      const rows = () => db.selectFrom('jobs').selectAll().where('kind', '=', kindName).execute();
      expect(await rows()).toHaveLength(1);
      const [id] = (await rows()).map((r) => Number(r.id));

      // Both runners at once: it runs once, and is queued again for its next time.
      expect((await Promise.all([a.runPending(), b.runPending()])).reduce((x, y) => x + y)).toBe(1);
      expect(ran).toBe(1);
      const after = (await rows())[0]!;
      expect(after).toMatchObject({ status: 'queued', attempts: 0, error: null, result: JSON.stringify({ ran: 1 }), every_seconds: 30 });
      expect(new Date(after.run_at).getTime()).toBeGreaterThan(Date.now());
      expect(await a.runPending()).toBe(0);

      // A failure is kept as its problem, and it is queued again, not retried at once nor given up.
      fail = true;
      await makeDue(db, id!);
      expect(await a.runPending()).toBe(1);
      expect((await rows())[0]).toMatchObject({ status: 'queued', attempts: 0, error: 'The sealer could not reach the database' });
      for (let i = 0; i < 4; i++) {
        await makeDue(db, id!);
        await b.runPending();
      }
      expect((await rows())[0]).toMatchObject({ status: 'queued' });
      fail = false;

      // A runner that died holding it: taken over once the lease runs out, however many attempts were used.
      await sql`update jobs set status = 'running', attempts = 5, locked_until = now() - interval '1 second' where id = ${id}`.execute(db);
      expect(await a.runPending()).toBe(1);
      expect((await rows())[0]).toMatchObject({ status: 'queued', attempts: 0, error: null });
      expect(await rows()).toHaveLength(1);
    } finally {
      await second?.close();
    }
  });

  it('runs jobs in the background after start(), and stop() waits for the runner', async () => {
    const jobs = createJobs(db, memoryLog());
    jobs.register('background', () => Promise.resolve('ran in the background'));
    const id = await jobs.enqueue(db, 'background', {});
    jobs.start(20);
    try {
      const giveUpAt = Date.now() + 20_000;
      while ((await jobs.get(db, id))!.status !== 'succeeded' && Date.now() < giveUpAt) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await jobs.stop();
    }
    expect(await jobs.get(db, id)).toMatchObject({ status: 'succeeded', result: 'ran in the background' });
    // Once stopped, nothing more runs.
    const later = await jobs.enqueue(db, 'background', {});
    await new Promise((r) => setTimeout(r, 100));
    expect(await jobs.get(db, later)).toMatchObject({ status: 'queued', attempts: 0 });
  });

  it('runs each of 50 jobs exactly once with two runners working at the same time', async () => {
    // On PostgreSQL the runners use two separate pools; the embedded database has one connection,
    // which both share.
    const second = kind === 'postgres' ? await openPostgres(database.url!, 3) : undefined;
    const runners: { name: string; db: Db; jobs: Jobs }[] = [
      { name: 'a', db, jobs: createJobs(db, memoryLog()) },
      { name: 'b', db: second?.db ?? db, jobs: createJobs(second?.db ?? db, memoryLog()) },
    ];
    try {
      await sql`create table job_effects (job_id bigint not null, n integer not null, runner text not null)`.execute(db);
      // Each runner's first job waits until the other runner is inside a job too, so both are
      // certainly claiming from the queue at the same time.
      let started = 0;
      let bothStarted!: () => void;
      const together = new Promise<void>((r) => (bothStarted = r));
      for (const r of runners) {
        let first = true;
        r.jobs.register('count-once', async (payload, ctx) => {
          if (first) {
            first = false;
            if (++started === 2) bothStarted();
            await together;
          }
          await sql`insert into job_effects (job_id, n, runner) values (${ctx.id}, ${(payload as { n: number }).n}, ${r.name})`.execute(ctx.db);
          return { n: (payload as { n: number }).n };
        });
      }
      const ids: number[] = [];
      for (let n = 1; n <= 50; n++) ids.push(await runners[0]!.jobs.enqueue(db, 'count-once', { n }));

      const counts = await Promise.all(runners.map((r) => r.jobs.runPending()));
      expect(counts[0]! + counts[1]!).toBe(50);
      expect(counts[0]).toBeGreaterThan(0);
      expect(counts[1]).toBeGreaterThan(0);

      const effects = await sql<{ job_id: number; n: number; times: number }>`
        select job_id, min(n) as n, count(*)::int as times from job_effects group by job_id order by job_id`.execute(db);
      expect(effects.rows).toHaveLength(50);
      expect(effects.rows.every((e) => e.times === 1)).toBe(true);
      expect(effects.rows.map((e) => Number(e.job_id))).toEqual(ids);
      expect(effects.rows.map((e) => e.n)).toEqual(ids.map((_, i) => i + 1));

      const states = await sql<{ status: string; attempts: number; n: number }>`
        select status, attempts, count(*)::int as n from jobs where kind = 'count-once' group by status, attempts`.execute(db);
      expect(states.rows).toEqual([{ status: 'succeeded', attempts: 1, n: 50 }]);
    } finally {
      await second?.close();
    }
  });
});
