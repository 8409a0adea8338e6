// Background work (imports, deadline checks, outcome letters) in a jobs table, claimed with
// FOR UPDATE SKIP LOCKED so it works the same on PostgreSQL (many workers) and PGlite (one).
// See docs/adr/0004-jobs-in-the-database.md for why not pg-boss.
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { dueRunKey, parseAt, type DailySchedule } from './schedule.js';

export interface JobContext {
  id: number;
  db: Db;
  /** Records progress (0-100) and a plain-English line the user sees on the job's page. */
  progress: (percent: number, message?: string) => Promise<void>;
}
export type JobHandler = (payload: unknown, ctx: JobContext) => Promise<unknown>;

export interface JobView {
  id: number;
  kind: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  progress: number;
  progressMessage: string | null;
  result: unknown;
  error: string | null;
  attempts: number;
  createdBy: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface Jobs {
  register(kind: string, handler: JobHandler): void;
  /** With a `key`, enqueuing the same business event twice returns the first job's id. */
  enqueue(db: Db, kind: string, payload: unknown, opts?: { createdBy?: string; maxAttempts?: number; runAt?: Date; key?: string }): Promise<number>;
  /** Runs `kind` once a day at `at` (HH:MM, Europe/London) while the runner is started. */
  daily(kind: string, at: string): void;
  /**
   * Runs `kind` every `seconds` while any runner is started: one row for the kind, queued again
   * after each run (succeeded or not), so however many processes run, one runs it at a time.
   */
  every(kind: string, seconds: number): void;
  /** Enqueues every daily run that is due and not yet enqueued; the runner calls this each tick. */
  enqueueDue(now?: Date): Promise<number>;
  get(db: Db, id: number): Promise<JobView | undefined>;
  list(db: Db, opts: { createdBy?: string; limit?: number }): Promise<JobView[]>;
  /** Runs ready jobs until none is left (or `max` have run); returns how many ran. */
  runPending(max?: number): Promise<number>;
  start(pollMs?: number): void;
  stop(): Promise<void>;
}

const LEASE_MINUTES = 10;
// A recurring job's claim lasts ten of its periods (at least a minute): a runner that dies holding
// it delays the next run by that much, not by LEASE_MINUTES.
const LEASE = sql`case when every_seconds is null then make_interval(mins => ${LEASE_MINUTES})
  else make_interval(secs => greatest(60, every_seconds * 10)) end`;
const everyKey = (kind: string) => `every:${kind}`;

function toView(r: Record<string, unknown>): JobView {
  return {
    id: Number(r.id),
    kind: r.kind as string,
    status: r.status as JobView['status'],
    progress: Number(r.progress),
    progressMessage: (r.progress_message as string | null) ?? null,
    result: r.result ? JSON.parse(r.result as string) : null,
    error: (r.error as string | null) ?? null,
    attempts: Number(r.attempts),
    createdBy: (r.created_by as string | null) ?? null,
    createdAt: new Date(r.created_at as string),
    finishedAt: r.finished_at ? new Date(r.finished_at as string) : null,
  };
}

export function createJobs(db: Db, log: { error(obj: unknown, msg: string): void } = console): Jobs {
  const handlers = new Map<string, JobHandler>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  const schedules: DailySchedule[] = [];
  const recurring = new Map<string, number>();

  async function claim() {
    // A job whose runner died (its lease ran out) is retried, unless it has used every attempt:
    // then it has failed, or a job that kills its runner would be retried for ever.
    await sql`
      update jobs set status = 'failed', finished_at = now(), locked_until = null,
        error = coalesce(error || '; ', '') || 'The job stopped responding and has used all its attempts'
      where status = 'running' and locked_until < now() and attempts >= max_attempts and every_seconds is null`.execute(db);
    const res = await sql<Record<string, unknown>>`
      update jobs set status = 'running', attempts = attempts + 1, started_at = now(),
        locked_until = now() + ${LEASE}
      where id = (
        select id from jobs
        where kind = any(${[...handlers.keys()]}::text[])
          and ((status = 'queued' and run_at <= now()) or (status = 'running' and locked_until < now()))
        order by run_at, id limit 1 for update skip locked)
      returning *`.execute(db);
    return res.rows[0];
  }

  async function runOne(): Promise<boolean> {
    const job = await claim();
    if (!job) return false;
    const id = Number(job.id);
    const handler = handlers.get(job.kind as string)!;
    const ctx: JobContext = {
      id,
      db,
      async progress(percent, message) {
        await db
          .updateTable('jobs')
          // Reporting progress also renews the lease, so a long job is not taken over while alive.
          .set({
            progress: Math.max(0, Math.min(100, Math.round(percent))),
            progress_message: message ?? null,
            locked_until: sql<Date>`now() + make_interval(mins => ${LEASE_MINUTES})`,
          })
          .where('id', '=', String(id))
          .execute();
      },
    };
    if (job.every_seconds !== null && job.every_seconds !== undefined) return runRecurring(job, id, handler, ctx);
    try {
      const result = await handler(JSON.parse(job.payload as string), ctx);
      await db
        .updateTable('jobs')
        // A problem from an earlier attempt is no longer the job's problem once it has succeeded.
        .set({ status: 'succeeded', progress: 100, result: JSON.stringify(result ?? null), error: null, finished_at: new Date(), locked_until: null })
        .where('id', '=', String(id))
        .execute();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const retry = Number(job.attempts) < Number(job.max_attempts);
      log.error({ jobId: id, kind: job.kind, err: message }, 'job failed');
      await db
        .updateTable('jobs')
        .set(
          retry
            ? {
                status: 'queued',
                error: message,
                progress: 0,
                progress_message: null,
                run_at: new Date(Date.now() + 2 ** Number(job.attempts) * 1000),
                locked_until: null,
              }
            : { status: 'failed', error: message, finished_at: new Date(), locked_until: null },
        )
        .where('id', '=', String(id))
        .execute();
    }
    return true;
  }

  /** A recurring job's run: whatever happens, it is queued again for its next time, its last result or problem kept. */
  async function runRecurring(job: Record<string, unknown>, id: number, handler: JobHandler, ctx: JobContext): Promise<true> {
    let outcome: { result: string | null; error: string | null };
    try {
      outcome = { result: JSON.stringify((await handler(JSON.parse(job.payload as string), ctx)) ?? null), error: null };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      log.error({ jobId: id, kind: job.kind, err: message }, 'job failed');
      outcome = { result: null, error: message };
    }
    await sql`
      update jobs set status = 'queued', attempts = 0, progress = 0, progress_message = null, locked_until = null,
        finished_at = now(), result = ${outcome.result}, error = ${outcome.error},
        -- Its next slot; after a long stop, one period from now (not at once, over and over).
        run_at = case when run_at + make_interval(secs => every_seconds) > now() then run_at + make_interval(secs => every_seconds)
                      else now() + make_interval(secs => every_seconds) end
      where id = ${id}`.execute(db);
    return true;
  }

  return {
    register(kind, handler) {
      handlers.set(kind, handler);
    },
    async enqueue(q, kind, payload, opts = {}) {
      if (!handlers.has(kind)) throw new Error(`No handler is registered for job kind "${kind}"`);
      const row = await q
        .insertInto('jobs')
        .values({
          kind,
          payload: JSON.stringify(payload ?? null),
          created_by: opts.createdBy ?? null,
          max_attempts: opts.maxAttempts ?? 3,
          run_at: opts.runAt ?? new Date(),
          key: opts.key ?? null,
        })
        .onConflict((oc) => oc.column('key').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (row) return Number(row.id);
      const existing = await q.selectFrom('jobs').select('id').where('key', '=', opts.key!).executeTakeFirstOrThrow();
      return Number(existing.id);
    },
    daily(kind, at) {
      parseAt(at);
      if (!handlers.has(kind)) throw new Error(`No handler is registered for job kind "${kind}"`);
      schedules.push({ kind, at });
    },
    every(kind, seconds) {
      if (!handlers.has(kind)) throw new Error(`No handler is registered for job kind "${kind}"`);
      if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`A recurring job runs every whole number of seconds (1 or more), not ${seconds}`);
      recurring.set(kind, seconds);
    },
    async enqueueDue(now = new Date()) {
      let n = 0;
      for (const [kind, seconds] of recurring) {
        // One row per recurring kind, made by whichever process asks first (looked for first, so
        // asking every second does not use up ids).
        const row = await db.selectFrom('jobs').select(['id', 'every_seconds']).where('key', '=', everyKey(kind)).executeTakeFirst();
        if (!row) {
          const made = await db
            .insertInto('jobs')
            .values({ kind, payload: 'null', key: everyKey(kind), every_seconds: seconds, run_at: new Date() })
            .onConflict((oc) => oc.column('key').doNothing())
            .returning('id')
            .executeTakeFirst();
          if (made) n++;
        } else if (row.every_seconds !== seconds) {
          await db.updateTable('jobs').set({ every_seconds: seconds }).where('id', '=', row.id).execute();
        }
      }
      for (const s of schedules) {
        const key = dueRunKey(s, now);
        if (!key) continue;
        const seen = await db.selectFrom('jobs').select('id').where('key', '=', key).executeTakeFirst();
        if (seen) continue;
        await this.enqueue(db, s.kind, { scheduledFor: key.split('@')[1] }, { key });
        n++;
      }
      return n;
    },
    async get(q, id) {
      const row = await q.selectFrom('jobs').selectAll().where('id', '=', String(id)).executeTakeFirst();
      return row ? toView(row) : undefined;
    },
    async list(q, opts) {
      let query = q
        .selectFrom('jobs')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(opts.limit ?? 50);
      if (opts.createdBy) query = query.where('created_by', '=', opts.createdBy);
      return (await query.execute()).map((r) => toView(r as unknown as Record<string, unknown>));
    },
    async runPending(max = Infinity) {
      let n = 0;
      while (n < max && handlers.size > 0 && (await runOne())) n++;
      return n;
    },
    start(pollMs = 1000) {
      if (timer) return;
      const tick = () => {
        running = this.enqueueDue()
          .then(() => this.runPending(25))
          .catch((e: unknown) => log.error({ err: (e as Error).message }, 'job runner failed'))
          .finally(() => {
            if (timer) timer = setTimeout(tick, pollMs);
          });
      };
      timer = setTimeout(tick, pollMs);
    },
    async stop() {
      const t = timer;
      timer = undefined;
      if (t) clearTimeout(t);
      await running;
    },
  };
}
