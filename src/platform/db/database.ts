// One way to open the system of record: PostgreSQL when a URL is given, embedded PGlite otherwise.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Kysely, PostgresDialect, sql, type LogConfig, type Transaction } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PGliteDialect } from './pglite-dialect.js';
import type { DB } from './schema.js';
import { readTemplate } from './pglite-template.js';

export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;
/** A query runner: the database or an open transaction. */
export type Queryable = Kysely<DB>;

export interface Database {
  kind: 'postgres' | 'pglite';
  db: Db;
  /**
   * Where dashboards, reports and exports read: a read replica when DATABASE_READ_URL is set
   * (withReadReplica), otherwise the same as `db`. Nothing that writes, or must read its own
   * writes, uses it; their audit entries go to `db`.
   */
  readDb: Db;
  /** Runs a script of several statements, outside Kysely (migrations). */
  runScript(sqlText: string): Promise<void>;
  /**
   * Holds the migration lock while fn runs: a session-level advisory lock on PostgreSQL, a queue in
   * the process on PGlite. `script` runs on the locked connection and answers the rows of its last
   * statement.
   */
  withMigrationLock<T>(fn: (script: (sqlText: string) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T>;
  /** Answers true when the database responds to select 1 within the time allowed. */
  ping(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

const MIGRATION_LOCK = 7_240_001;

// int8 and numeric come back as strings from pg by default; counts are small, money is integer pence.
pg.types.setTypeParser(20, (v) => Number(v));
// Calendar dates stay 'YYYY-MM-DD' strings: a Date would shift with the time zone.
const DATE_OID = 1082;
pg.types.setTypeParser(DATE_OID, (v) => v);
const pgliteParsers = { [DATE_OID]: (v: string) => v };

/** `log`: Kysely's query log, called for every statement sent (BEGIN and COMMIT too): for tests that count round trips. */
export interface OpenOptions {
  log?: LogConfig;
}

/**
 * Marks a statement to be prepared once per connection and then only executed: for a large query
 * on a hot path (the record page, the session lookup), whose planning costs PostgreSQL more than
 * running it. Put it first in the SQL text, or just after `select` (Kysely's modifyFront). Only for statements whose text is fixed (the values are parameters), so
 * each connection keeps a handful of plans.
 */
export const PREPARED = '/* prepared */';

/**
 * Has the pool's connections prepare statements marked PREPARED, named by a digest of their text
 * (PostgreSQL keeps each plan for the life of the connection). Everything else runs as before.
 */
function prepareMarkedStatements(pool: pg.Pool) {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (text: unknown, values?: unknown) =>
      typeof text === 'string' && (text.startsWith(PREPARED) || text.startsWith(`select ${PREPARED}`))
        ? query({ name: `jointly_${createHash('sha1').update(text).digest('hex')}`, text, values })
        : values === undefined
          ? query(text)
          : query(text, values);
  });
}

export function openPostgres(url: string, poolSize = 10, opts: OpenOptions = {}): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on('error', () => {
    /* an idle client lost its connection; the pool replaces it */
  });
  // A client in use whose connection ends (the server restarted, or ended that backend) also emits
  // 'error'; its query already fails with the error, so without a listener the process would crash.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  prepareMarkedStatements(pool);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), ...(opts.log ? { log: opts.log } : {}) });
  return Promise.resolve({
    kind: 'postgres',
    db,
    readDb: db,
    async runScript(text) {
      await pool.query(text);
    },
    async withMigrationLock(fn) {
      const client = await pool.connect();
      try {
        // If this process dies mid-migration, the server would otherwise finish (and commit) the
        // script on its own while the next migrator waits on the lock; checking the client
        // connection makes it roll back instead. PostgreSQL 14+ on Linux, macOS and the BSDs.
        await client.query(`set client_connection_check_interval = '1s'`).catch(() => undefined);
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
        try {
          return await fn(async (text) => {
            const res = (await client.query(text)) as pg.QueryResult | pg.QueryResult[];
            return ((Array.isArray(res) ? res.at(-1)?.rows : res.rows) ?? []) as Record<string, unknown>[];
          });
        } finally {
          await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
        }
      } finally {
        client.release();
      }
    },
    ping: (ms) => pingWith(db, ms),
    async close() {
      await db.destroy();
      // Kysely ends the pool only if it ever used it; the migration lock and runScript use it directly.
      if (!pool.ending) await pool.end();
    },
  });
}

/** `fromTemplate: false` starts a new database empty (initdb), for tests of migrations themselves. */
export async function openPGlite(dataDir: string | undefined, opts: { fromTemplate?: boolean } & OpenOptions = {}): Promise<Database> {
  const useTemplate = opts.fromTemplate !== false;
  if (!dataDir) {
    const template = useTemplate ? readTemplate() : undefined;
    return openPGliteWith(await PGlite.create({ parsers: pgliteParsers, ...(template ? { loadDataDir: template } : {}) }), undefined, opts);
  }
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const release = lockDataDir(dir);
  try {
    const pgdata = resolve(dir, 'pgdata');
    const template = useTemplate && !existsSync(resolve(pgdata, 'PG_VERSION')) ? readTemplate() : undefined;
    return openPGliteWith(await PGlite.create(pgdata, { parsers: pgliteParsers, ...(template ? { loadDataDir: template } : {}) }), release);
  } catch (e) {
    release();
    throw e;
  }
}

/**
 * Two processes must never open one PGlite folder: the second would damage it. A lock file
 * names the holder; a lock left by a process that has died is taken over.
 */
function lockDataDir(dir: string): () => void {
  const file = resolve(dir, 'jointly.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (holder === process.pid) throw new Error(`The embedded database in ${dir} is already open in this process`, { cause: e });
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new Error(
          `The embedded database in ${dir} is in use by another Jointly process (${holder}). Stop it first, or use PostgreSQL (DATABASE_URL) to run several processes.`,
          { cause: e },
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not lock the embedded database in ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Wraps an open PGlite; `release` runs when it is closed (the folder lock). */
export function openPGliteWith(pgl: PGlite, release: () => void = () => undefined, opts: OpenOptions = {}): Database & { dumpDataDir(): Promise<Blob> } {
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pgl), ...(opts.log ? { log: opts.log } : {}) });
  const script = async (text: string) => {
    const res = await pgl.exec(text);
    return (res.at(-1)?.rows ?? []) as Record<string, unknown>[];
  };
  // PGlite is one connection in one process, and an advisory lock is re-entrant within a session,
  // so it cannot order two migrators here: they take turns in this queue instead.
  let migrators: Promise<unknown> = Promise.resolve();
  return {
    kind: 'pglite',
    db,
    readDb: db,
    async runScript(text) {
      await script(text);
    },
    withMigrationLock(fn) {
      const turn = migrators.then(() => fn(script));
      migrators = turn.catch(() => undefined);
      return turn;
    },
    ping: (ms) => pingWith(db, ms),
    async close() {
      try {
        await pgl.close();
      } finally {
        release();
      }
    },
    async dumpDataDir() {
      return pgl.dumpDataDir('none');
    },
  };
}

async function pingWith(db: Db, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
  const probe = sql`select 1 as ok`
    .execute(db)
    .then(() => true)
    .catch(() => false);
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `database` with a read replica (a second pool on `readUrl`) for dashboards, reports and
 * exports (`readDb`); closing it closes both.
 */
export async function withReadReplica(database: Database, readUrl: string, poolSize = 10, opts: OpenOptions = {}): Promise<Database> {
  const replica = await openPostgres(readUrl, poolSize, opts);
  return {
    ...database,
    readDb: replica.db,
    async close() {
      try {
        await replica.close();
      } finally {
        await database.close();
      }
    },
  };
}

export async function openDatabase(opts: {
  databaseUrl?: string | undefined;
  databaseReadUrl?: string | undefined;
  dataDir?: string | undefined;
}): Promise<Database> {
  if (!opts.databaseUrl) return openPGlite(opts.dataDir);
  const primary = await openPostgres(opts.databaseUrl);
  return opts.databaseReadUrl ? withReadReplica(primary, opts.databaseReadUrl) : primary;
}
