// The embedded database's folder: started from the prepared copy, and never opened twice.
import { mkdtempSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openPGlite } from '../src/platform/db/database.js';
import { migrate, readMigrations } from '../src/platform/db/migrate.js';
import { templateFile } from '../src/platform/db/pglite-template.js';

const dirs: string[] = [];
const freshDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'jointly-embedded-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('embedded database folder', () => {
  it('starts a fresh folder from the prepared, already-migrated copy', async () => {
    expect(existsSync(templateFile())).toBe(true);
    const dir = freshDir();
    const database = await openPGlite(dir);
    try {
      // Nothing left to apply: the copy already holds every migration.
      expect(await migrate(database)).toEqual([]);
      const applied = await sql<{ name: string }>`select name from schema_migrations order by name`.execute(database.db);
      expect(applied.rows.map((r) => r.name)).toEqual(readMigrations().map((m) => m.name));
      await database.db.insertInto('organisations').values({ code: 'KEEP', name: 'Kept (fictional)', type: 'school' }).execute();
    } finally {
      await database.close();
    }
    // What was written is still there when the folder is opened again.
    const again = await openPGlite(dir);
    try {
      expect(await again.db.selectFrom('organisations').select('code').execute()).toEqual([{ code: 'KEEP' }]);
    } finally {
      await again.close();
    }
  });

  it('refuses a second opening of a folder that is open, in this process or another', async () => {
    const dir = freshDir();
    const database = await openPGlite(dir);
    try {
      await expect(openPGlite(dir)).rejects.toThrow(/already open in this process/);
      const child = spawn(process.execPath, ['bin/jointly.js', 'verify-audit'], { env: { ...process.env, JOINTLY_DATA_DIR: dir, DATABASE_URL: '' } });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((r) => child.on('close', r));
      expect(code).toBe(1);
      expect(stderr).toContain(`The embedded database in ${dir} is in use by another Jointly process (${process.pid})`);
    } finally {
      await database.close();
    }
    // Closing releases it.
    const reopened = await openPGlite(dir);
    await reopened.close();
  });

  it('takes over a lock left by a process that has died', async () => {
    const dir = freshDir();
    await (await openPGlite(dir)).close();
    writeFileSync(join(dir, 'jointly.lock'), '999999999');
    const database = await openPGlite(dir);
    await database.close();
    expect(existsSync(join(dir, 'jointly.lock'))).toBe(false);
  });
});
