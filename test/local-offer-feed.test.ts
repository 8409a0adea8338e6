// Importing another directory's ORUK 3.0 feed on a real database: the feed is our own API's
// answers from a second directory (so it is the standard's shape). A dry run stores nothing; the
// import is all or nothing; the same feed again changes nothing; an entry changed here since is
// reported and never overwritten; malformed feeds and bad entries are named specifically.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './support/app.js';
import { openTestDatabase } from './support/db.js';
import type { Database } from '../src/platform/db/database.js';
import { paths } from '../src/paths.js';
import { importFeed } from '../src/capabilities/planning/local-offer/feed.js';
import { importOrukCommand } from '../src/capabilities/planning/local-offer/cli.js';

const TODAY = '2026-12-07';

describe('importing an ORUK feed', () => {
  let source: TestApp;
  let target: Database;
  let feed: Record<string, unknown>[];
  const dir = mkdtempSync(join(tmpdir(), 'jointly-oruk-'));
  beforeAll(async () => {
    source = await buildTestApp('pglite', {}, { localOffer: true });
    const page = (await source.app.inject({ method: 'GET', url: `${paths.oruk.services}?per_page=6` })).json<{ contents: { id: string }[] }>();
    feed = [];
    for (const s of page.contents) feed.push((await source.app.inject({ method: 'GET', url: paths.oruk.service(s.id) })).json<Record<string, unknown>>());
    target = await openTestDatabase('pglite');
  });
  afterAll(async () => {
    await source?.close();
    await target?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const run = (json: unknown, apply: boolean, leaveOutConflicts = false) =>
    target.db.transaction().execute((tx) => importFeed(tx, typeof json === 'string' ? json : JSON.stringify(json), { apply, today: TODAY, leaveOutConflicts }));
  const stored = () => target.db.selectFrom('offer_services').select(['id', 'name', 'version']).orderBy('id').execute();

  it('dry-runs without storing, then imports the whole feed with its classification', async () => {
    const dry = await run({ contents: feed }, false);
    expect(dry).toMatchObject({ errors: [], conflicts: [], applied: false });
    expect(dry.created).toHaveLength(6);
    expect(await stored()).toEqual([]);

    const applied = await run({ contents: feed }, true);
    expect(applied.applied).toBe(true);
    expect(applied.created).toHaveLength(6);
    const rows = await stored();
    expect(rows.map((r) => r.id).sort()).toEqual(feed.map((s) => s.id as string).sort());
    // Needs, type of support and the rest came across as the same taxonomy terms.
    const [one] = feed as { id: string; attributes: { taxonomy_term_id: string }[] }[];
    const attrs = await target.db.selectFrom('offer_attributes').select('taxonomy_term_id').where('service_id', '=', one!.id).execute();
    expect(attrs.map((a) => a.taxonomy_term_id).sort()).toEqual(one!.attributes.map((a) => a.taxonomy_term_id).sort());
  });

  it('changes nothing when the same feed comes again, and updates only what changed', async () => {
    const before = await stored();
    const again = await run({ contents: feed }, true);
    expect(again).toMatchObject({ created: [], updated: [], applied: false });
    expect(again.unchanged).toHaveLength(6);
    expect(await stored()).toEqual(before);

    const changed = feed.map((s, i) => (i === 0 ? { ...s, name: `${s.name as string} (renamed)` } : s));
    const update = await run(changed, true);
    expect(update.updated).toEqual([`${feed[0]!.name as string} (renamed) (${feed[0]!.id as string})`]);
    expect(update.unchanged).toHaveLength(5);
    const after = await stored();
    expect(after.find((r) => r.id === feed[0]!.id)).toMatchObject({ name: `${feed[0]!.name as string} (renamed)`, version: 2 });
    feed = changed;
  });

  it('never overwrites an entry changed here since, and says so', async () => {
    const id = feed[1]!.id as string;
    // A provider's approved change writes the entry here, without a feed's fingerprint.
    const [entry] = await target.db.selectFrom('offer_services').select(['name']).where('id', '=', id).execute();
    await target.db.updateTable('offer_services').set({ import_fingerprint: null }).where('id', '=', id).execute();
    const changed = feed.map((s, i) => (i === 1 || i === 2 ? { ...s, description: 'Changed in the other directory.' } : s));
    const refused = await run(changed, true);
    expect(refused.conflicts).toEqual([
      `${entry!.name} (${id}): changed here since (made here, or a provider's change approved); the feed's version was not taken`,
    ]);
    expect(refused.applied).toBe(false);
    expect(
      (
        await target.db
          .selectFrom('offer_services')
          .select('description')
          .where('id', '=', feed[2]!.id as string)
          .executeTakeFirstOrThrow()
      ).description,
    ).not.toBe('Changed in the other directory.');
    const rest = await run(changed, true, true);
    expect(rest.applied).toBe(true);
    expect(rest.updated).toHaveLength(1);
    expect((await target.db.selectFrom('offer_services').select('description').where('id', '=', id).executeTakeFirstOrThrow()).description).not.toBe(
      'Changed in the other directory.',
    );
  });

  it('refuses a malformed feed and a feed with a bad entry whole, naming each problem', async () => {
    expect((await run('{"contents": [', true)).errors[0]).toMatch(/^The feed is not valid JSON: /);
    expect((await run({ hello: 1 }, true)).errors).toEqual([
      'The feed holds no services: give a page of /services (with "contents"), a list of services, or one service',
    ]);
    const good = {
      id: '6a1b2c3d-0000-4000-8000-000000000001',
      name: 'Brand new service',
      status: 'active',
      organization: { id: '6a1b2c3d-0000-4000-8000-0000000000aa', name: 'New org', description: 'x' },
    };
    const noOrg = { id: '6a1b2c3d-0000-4000-8000-000000000002', name: 'No organisation', status: 'active' };
    const ages = { ...good, id: '6a1b2c3d-0000-4000-8000-000000000003', name: 'Backwards ages', minimum_age: 18, maximum_age: 5 };
    const badStatus = { ...good, id: 'not-a-uuid', name: 'Bad one', status: 'open' };
    const report = await run([good, noOrg, ages, badStatus], true);
    expect(report.errors).toEqual([
      'Service 2 (No organisation): organization is missing (every service needs its organization)',
      'Service 3 (Backwards ages): minimum_age is greater than maximum_age',
      'Service 4 (Bad one): id must be a UUID',
      'Service 4 (Bad one): status Invalid option: expected one of "active"|"inactive"|"defunct"|"temporarily closed"',
    ]);
    expect(report.applied).toBe(false);
    expect(await target.db.selectFrom('offer_services').select('id').where('name', '=', 'Brand new service').execute()).toEqual([]);
    // Alone, the good one imports, with a warning that it has no location.
    const alone = await run([good], true);
    expect(alone.applied).toBe(true);
    expect(alone.warnings).toEqual(['Brand new service (6a1b2c3d-0000-4000-8000-000000000001): has no location, so a search by distance will not find it']);
  });

  it('runs as `jointly import-oruk`, a dry run unless told to apply', async () => {
    const file = join(dir, 'feed.json');
    const fresh = {
      id: '6a1b2c3d-0000-4000-8000-000000000009',
      name: 'From the command line',
      status: 'active',
      organization: { id: '6a1b2c3d-0000-4000-8000-0000000000aa', name: 'New org', description: 'x' },
    };
    writeFileSync(file, JSON.stringify({ contents: [fresh] }));
    const said: string[] = [];
    expect(await importOrukCommand(target.db, file, {}, (s) => said.push(s))).toBe(0);
    expect(said.join('\n')).toContain('1 would be created, 0 would be updated, 0 unchanged.');
    expect(said.join('\n')).toContain('This was a dry run: nothing was stored.');
    expect(await importOrukCommand(target.db, file, { apply: true }, (s) => said.push(s))).toBe(0);
    expect(said.at(-1)).toBe('1 created, 0 updated, 0 unchanged.');
    const audit = await target.db.selectFrom('audit_log').select('details').where('action', '=', 'cli.import-oruk').execute();
    expect(audit.map((a) => JSON.parse(a.details) as unknown)).toEqual([{ created: 1, updated: 0, unchanged: 0, conflicts: 0 }]);
  });
});
