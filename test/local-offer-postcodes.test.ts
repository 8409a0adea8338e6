// `jointly import-postcodes <csv>` on a real database: loads postcode centres (all or nothing),
// loading the same file again changes nothing, a bad file names its rows and loads nothing, and
// the command is audited.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from './support/db.js';
import type { Database } from '../src/platform/db/database.js';
import { importPostcodesCommand } from '../src/capabilities/planning/local-offer/cli.js';

describe('jointly import-postcodes', () => {
  let database: Database;
  const dir = mkdtempSync(join(tmpdir(), 'jointly-postcodes-'));
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
  });
  afterAll(async () => {
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const rows = () => database.db.selectFrom('postcodes').selectAll().orderBy('postcode').execute();

  it('loads a postcode,lat,long file, and loading it again changes nothing', async () => {
    const file = join(dir, 'good.csv');
    writeFileSync(file, 'postcode,lat,long\nab9 9zz,54.5,2.25\nAB9 9ZY,54.25,2.5\n');
    const said: string[] = [];
    expect(await importPostcodesCommand(database.db, file, (s) => said.push(s))).toBe(0);
    expect(said).toEqual(['Loaded 2 postcodes.']);
    const first = await rows();
    expect(first).toEqual([
      { postcode: 'AB9 9ZY', latitude: 54.25, longitude: 2.5 },
      { postcode: 'AB9 9ZZ', latitude: 54.5, longitude: 2.25 },
    ]);
    expect(await importPostcodesCommand(database.db, file, () => undefined)).toBe(0);
    expect(await rows()).toEqual(first);
    const audit = await database.db.selectFrom('audit_log').select(['action', 'details']).where('action', '=', 'cli.import-postcodes').execute();
    expect(audit.map((a) => JSON.parse(a.details) as unknown)).toEqual([{ rows: 2 }, { rows: 2 }]);
  });

  it('refuses a file with a bad row, saying which, and loads none of it', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'postcode,lat,long\nAB9 9ZX,54.1,2.1\nnot a postcode,54,2\n');
    const said: string[] = [];
    expect(await importPostcodesCommand(database.db, file, (s) => said.push(s))).toBe(1);
    expect(said.join('\n')).toContain('Row 3: "not a postcode" is not a postcode');
    expect((await rows()).map((r) => r.postcode)).not.toContain('AB9 9ZX');
    expect(await importPostcodesCommand(database.db, join(dir, 'missing.csv'), (s) => said.push(s))).toBe(1);
    expect(said.at(-1)).toMatch(/^Cannot read .*missing\.csv/);
  });
});
