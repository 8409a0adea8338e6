// The migrations runner on real databases: each file applied once, edits refused, failures rolled
// back whole, concurrent migrators taking turns, and a migrating process killed part-way through.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { describe, expect, inject, it } from 'vitest';
import { openPGlite, openPostgres, type Database } from '../src/platform/db/database.js';
import { migrate, readMigrations } from '../src/platform/db/migrate.js';
import { projectPath, projectRoot } from '../src/platform/paths-on-disk.js';
import { databaseKinds, type DbKind } from './support/db.js';

const fixtureDir = (name: string) => projectPath('test', 'fixtures', `migrations-${name}`);
const good = readMigrations(fixtureDir('good'));
const platform = readMigrations();
const names = (ms: { name: string }[]) => ms.map((m) => m.name);

type Empty = { open(poolSize?: number): Promise<Database>; url?: string; drop(): Promise<void> };

/** A database with nothing in it yet: not even schema_migrations. */
async function emptyDatabase(kind: DbKind): Promise<Empty> {
  if (kind === 'pglite') {
    // In memory, so there is one Database to open: `open` hands back the same one each time.
    const database = await openPGlite(undefined, { fromTemplate: false });
    return { open: () => Promise.resolve(database), drop: () => database.close() };
  }
  const info = inject('postgres')!;
  const name = `m_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(info.adminUrl);
  url.pathname = `/${name}`;
  const opened: Database[] = [];
  return {
    url: url.toString(),
    async open(poolSize = 3) {
      const d = await openPostgres(url.toString(), poolSize);
      opened.push(d);
      return d;
    },
    async drop() {
      await Promise.all(opened.map((d) => d.close()));
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

async function adminQuery(text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const admin = new pg.Client({ connectionString: inject('postgres')!.adminUrl });
  await admin.connect();
  try {
    return (await admin.query<Record<string, unknown>>(text, params)).rows;
  } finally {
    await admin.end();
  }
}

async function appliedRows(database: Database) {
  const res = await sql<{ name: string; checksum: string }>`select name, checksum from schema_migrations order by name`.execute(database.db);
  return res.rows;
}

async function tableExists(database: Database, table: string) {
  const res = await sql<{ t: string | null }>`select to_regclass(${table})::text as t`.execute(database.db);
  return res.rows[0]!.t !== null;
}

describe.each(databaseKinds())('migrations on %s', (kind) => {
  it('applies each migration once, records it with its checksum, and applies nothing the second time', async () => {
    const empty = await emptyDatabase(kind);
    try {
      const database = await empty.open();
      expect(await migrate(database, good)).toEqual(['0001_partnership_notes.sql', '0002_note_authors.sql']);
      expect(await migrate(database, good)).toEqual([]);
      expect(await migrate(database, good)).toEqual([]);

      const sha = (file: string) =>
        createHash('sha256')
          .update(readFileSync(join(fixtureDir('good'), file)))
          .digest('hex');
      expect(await appliedRows(database)).toEqual([
        { name: '0001_partnership_notes.sql', checksum: sha('0001_partnership_notes.sql') },
        { name: '0002_note_authors.sql', checksum: sha('0002_note_authors.sql') },
      ]);
      // Both files really ran: 0002's column exists with its default.
      const row = await sql<{ author: string }>`insert into partnership_notes (body) values ('First meeting') returning author`.execute(database.db);
      expect(row.rows).toEqual([{ author: 'Demo Author' }]);
    } finally {
      await empty.drop();
    }
  });

  it('applies the platform migrations to an empty database once, and nothing the second time', async () => {
    const empty = await emptyDatabase(kind);
    try {
      const database = await empty.open();
      expect(await migrate(database)).toEqual(names(platform));
      expect(await migrate(database)).toEqual([]);
      expect(names(await appliedRows(database))).toEqual(names(platform));
      expect(await tableExists(database, 'users')).toBe(true);
      expect(await tableExists(database, 'jobs')).toBe(true);
    } finally {
      await empty.drop();
    }
  });

  it('refuses a migration that was edited after it was applied, naming it, and changes nothing', async () => {
    const empty = await emptyDatabase(kind);
    try {
      const database = await empty.open();
      await migrate(database, good);
      const edited = [...readMigrations(fixtureDir('edited')), good[1]!];
      await expect(migrate(database, edited)).rejects.toThrow(
        'Migration 0001_partnership_notes.sql has been edited after it was applied. Migrations are forward-only: add a new one instead.',
      );
      const cols = await sql<{ column_name: string }>`
        select column_name from information_schema.columns where table_name = 'partnership_notes' order by column_name`.execute(database.db);
      expect(cols.rows.map((c) => c.column_name)).toEqual(['author', 'body', 'id']);
      expect(names(await appliedRows(database))).toEqual(names(good));
      // The refusal did not leave the migration lock held: the unedited files still run.
      expect(await migrate(database, good)).toEqual([]);
    } finally {
      await empty.drop();
    }
  });

  it('rolls back a migration that fails half-way, names it in the error, and applies the corrected one next time', async () => {
    const empty = await emptyDatabase(kind);
    try {
      const database = await empty.open();
      const failing = [...good, ...readMigrations(fixtureDir('failing'))];
      const error = await migrate(database, failing).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toMatch(/^Migration 0003_review_dates\.sql failed and was rolled back: .*no_such_table/);
      // The files before it were applied and kept; nothing of the failed one was.
      expect(names(await appliedRows(database))).toEqual(names(good));
      expect(await tableExists(database, 'review_dates')).toBe(false);
      // The connection is not left inside the aborted transaction.
      await sql`insert into partnership_notes (body) values ('After the failure')`.execute(database.db);

      const fixed = [...good, ...readMigrations(fixtureDir('fixed'))];
      expect(await migrate(database, fixed)).toEqual(['0003_review_dates.sql']);
      expect(await migrate(database, fixed)).toEqual([]);
      const dates = await sql<{ n: number }>`select count(*)::int as n from review_dates`.execute(database.db);
      expect(dates.rows).toEqual([{ n: 1 }]);
      expect(names(await appliedRows(database))).toEqual(names(fixed));
    } finally {
      await empty.drop();
    }
  });

  it('lets four migrators start at once, and applies each migration exactly once', async () => {
    const empty = await emptyDatabase(kind);
    const all = [...platform, ...good];
    try {
      // On PostgreSQL four pools (separate sessions); on the embedded database four callers of one.
      const databases = await Promise.all([1, 2, 3, 4].map(() => empty.open(2)));
      const ran = await Promise.all(databases.map((d) => migrate(d, all)));
      expect(ran.flat().sort()).toEqual(names(all).sort());
      // Each migrator applied a run of the list in order, and the others found it done.
      expect(ran.filter((r) => r.length > 0)).toHaveLength(1);
      const rows = await appliedRows(databases[0]!);
      expect(rows).toHaveLength(all.length);
      expect(names(rows).sort()).toEqual(names(all).sort());
    } finally {
      await empty.drop();
    }
  });
});

describe.runIf(databaseKinds().includes('postgres'))('migrations on postgres: connections', () => {
  it('migrates through a pool of a single connection', async () => {
    const empty = await emptyDatabase('postgres');
    try {
      const database = await empty.open(1);
      expect(await migrate(database, good)).toEqual(names(good));
      expect(await migrate(database, good)).toEqual([]);
    } finally {
      await empty.drop();
    }
  });

  it('leaves no connection open once closed after only migrating', async () => {
    const empty = await emptyDatabase('postgres');
    const dbName = new URL(empty.url!).pathname.slice(1);
    const connections = async () => (await adminQuery('select pid from pg_stat_activity where datname = $1', [dbName])).length;
    try {
      const database = await empty.open(2);
      await migrate(database, good);
      expect(await connections()).toBeGreaterThan(0);
      await database.close();
      // A closed connection's server process takes a moment to go. One left open in the pool would
      // go only when the pool's idle time-out (10 seconds) closes it, so stop looking well before.
      const giveUpAt = Date.now() + 3_000;
      while ((await connections()) > 0 && Date.now() < giveUpAt) await new Promise((r) => setTimeout(r, 50));
      expect(await connections()).toBe(0);
    } finally {
      await empty.drop();
    }
  });
});

interface Child {
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): void;
}

function startMigrateChild(env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', projectPath('test', 'fixtures', 'migrate-child.ts')], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { output: () => out, exited, kill: () => child.kill('SIGKILL') };
}

/** Polls until `ready` answers true; fails (with the child's output) if the child ends first. */
async function waitFor(child: Child, what: string, ready: () => Promise<boolean>) {
  let ended = false;
  void child.exited.then(() => (ended = true));
  const giveUpAt = Date.now() + 30_000;
  while (!(await ready())) {
    if (ended) throw new Error(`The migrating process ended before ${what}:\n${child.output()}`);
    if (Date.now() > giveUpAt) throw new Error(`Gave up waiting for ${what}:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a migrating process killed part-way through', () => {
  it.runIf(databaseKinds().includes('postgres'))(
    'on PostgreSQL leaves nothing of the migration behind, and the next start migrates cleanly',
    async () => {
      const empty = await emptyDatabase('postgres');
      const dbName = new URL(empty.url!).pathname.slice(1);
      const child = startMigrateChild({ MIGRATE_DATABASE_URL: empty.url!, MIGRATE_DIR: fixtureDir('killed-postgres') });
      try {
        await waitFor(child, 'it reached the pg_sleep in the migration', async () => {
          const rows = await adminQuery(`select 1 from pg_stat_activity where datname = $1 and state = 'active' and query like '%pg_sleep(30)%'`, [dbName]);
          return rows.length > 0;
        });
        child.kill();
        expect((await child.exited).signal).toBe('SIGKILL');
        expect(child.output()).not.toContain('migrated');

        // The next start: the real migrations, on a new pool.
        const database = await empty.open();
        expect(await migrate(database)).toEqual(names(platform));
        expect(await tableExists(database, 'killed_fixture')).toBe(false);
        expect(await tableExists(database, 'users')).toBe(true);
        expect(await tableExists(database, 'audit_log')).toBe(true);
        expect(names(await appliedRows(database))).toEqual(names(platform));
        expect(await migrate(database)).toEqual([]);
        // Nothing from the killed process is still running in the database.
        expect(await adminQuery(`select 1 from pg_stat_activity where datname = $1 and query like '%pg_sleep(30)%'`, [dbName])).toEqual([]);
      } finally {
        child.kill();
        await child.exited;
        await empty.drop();
      }
    },
    90_000,
  );

  it('on the embedded database leaves nothing of the migration behind when the folder is opened again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jointly-killed-'));
    const child = startMigrateChild({ MIGRATE_DATA_DIR: dir, MIGRATE_DIR: fixtureDir('killed-pglite') });
    try {
      await waitFor(child, 'it started the migration', () => Promise.resolve(child.output().includes('applying')));
      // The insert takes tens of seconds; let it get under way before killing the process.
      await new Promise((r) => setTimeout(r, 1000));
      child.kill();
      expect((await child.exited).signal).toBe('SIGKILL');
      expect(child.output()).not.toContain('migrated');

      const database = await openPGlite(dir);
      try {
        expect(await migrate(database)).toEqual(names(platform));
        expect(await tableExists(database, 'killed_fixture')).toBe(false);
        expect(await tableExists(database, 'users')).toBe(true);
        expect(names(await appliedRows(database))).toEqual(names(platform));
        expect(await migrate(database)).toEqual([]);
      } finally {
        await database.close();
      }
      // And once more from cold, as the next start after that would.
      const again = await openPGlite(dir);
      try {
        expect(await migrate(again)).toEqual([]);
        const orgs = await sql<{ n: number }>`select count(*)::int as n from organisations`.execute(again.db);
        expect(orgs.rows).toEqual([{ n: 0 }]);
      } finally {
        await again.close();
      }
    } finally {
      child.kill();
      await child.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
