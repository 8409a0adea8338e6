// Journey (issue 4, "done when"): in the demo area a data officer (the finance officer) imports
// three agency extracts of the demo population, sees each dry-run report, applies them, reviews an
// uncertain pair with its explanation, and the register holds one record per child with where
// each value came from. axe checks every page on the way (the Site does).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';
import { seedPopulation } from '../../src/demo/population.js';
import { demoExtracts, ensureDemoSources, type DemoExtract } from '../../src/capabilities/linkage/imports/demo-extracts.js';
import { registerImportJobs } from '../../src/capabilities/linkage/imports/service.js';
import { createJobs } from '../../src/platform/jobs/jobs.js';
import { visibleChild, viewerOf } from '../../src/capabilities/record/sharing/service.js';
import { paths } from '../../src/paths.js';
import { useJourney } from './support/server.js';
import { chromiumPath, JOURNEY_TIMEOUT, Site } from './support/pages.js';

const FINANCE = 'finance@demoshire.example.org';
const CASEWORKER = 'caseworker@demoshire.example.org';
const CHILDREN = 120;

describe.skipIf(!chromiumPath())('imports: three agency extracts into one register, with review', { timeout: JOURNEY_TIMEOUT * 2 }, () => {
  const journey = useJourney();
  let extracts: DemoExtract[];
  let dir: string;

  beforeAll(async () => {
    const db = journey.server.database.db;
    await seedPopulation(db, { children: CHILDREN, seed: 7 });
    extracts = await demoExtracts(db, { limit: CHILDREN });
    await ensureDemoSources(db, extracts, null);
    dir = await mkdtemp(join(tmpdir(), 'jointly-extracts-'));
    for (const e of extracts) await writeFile(join(dir, e.file), e.csv);
  }, 120_000);

  it('a data officer imports, applies and reviews; the register shows one record per child with provenance', async () => {
    const db = journey.server.database.db;
    // The app's job runner is not started in browser tests: a runner on the same database does the work.
    const runner = createJobs(db, { error() {} });
    registerImportJobs(runner);

    const officer = await Site.open(journey.browser, journey.server.baseUrl);
    expect(await officer.signIn(FINANCE, DEMO_PASSWORD)).toBe(paths.home);
    await officer.follow('Imports', 'nav[aria-label="Main menu"]');
    expect(await officer.heading()).toBe('Imports');

    for (const e of extracts) {
      await officer.page.getByLabel('Agency the file comes from').selectOption({ label: e.source.name });
      await officer.page.getByLabel('The extract').setInputFiles(join(dir, e.file));
      await officer.submit('Upload and check the file');
      expect(await officer.heading()).toBe(`Import of ${e.file}`);
      expect(await officer.mainText()).toContain('Checking every row against the register');
      await runner.runPending();
      await officer.follow('Refresh to see the progress');
      const report = await officer.mainText();
      expect(report).toContain('What applying the file would do');
      // The finance officer may see no child: rows are "Valid", never "Link to a record" (issue 11).
      expect(report).toMatch(/Valid\s+\d+ rows/);
      expect(report).not.toMatch(/Link to a record\s+\d+ rows/);
      // The planted mistakes are named by row and column.
      if (e.file.includes('health')) expect(report).toContain('Column nhs: The NHS number is not valid: its check digit is wrong');
      if (e.file.includes('education')) expect(report).toContain('Column DOB: The date of birth is not a real date in the format DD/MM/YYYY');
      const invalid = await officer.page.getByLabel(/Leave the \d+ invalid rows out/).count();
      if (invalid) {
        // All or nothing: applying with invalid rows is refused until they are left out on purpose.
        await officer.submit('Apply the file');
        expect(await officer.page.locator('.govuk-error-summary').innerText()).toMatch(/invalid, so nothing has been applied/);
        await officer.page.getByLabel(/Leave the \d+ invalid rows out/).check();
      }
      await officer.submit('Apply the file');
      await runner.runPending();
      await officer.follow('Refresh to see the progress');
      expect(await officer.mainText()).toContain('What was done');
      await officer.follow('Back to imports');
    }

    // Review the uncertain pairs the social care extract raised, each with its explanation. The
    // truth is known: a pair of a new record and a demo child is that child written badly (same
    // person); two demo children are two children (different people: their council references differ).
    await officer.follow('Matches to review', 'nav[aria-label="Main menu"]');
    expect(await officer.heading()).toBe('Possible matches to review');
    const pending = await db.selectFrom('match_reviews').select(['id', 'child_a', 'child_b']).where('status', '=', 'pending').execute();
    expect(pending.length).toBeGreaterThan(0);
    const isDemoChild = async (id: string) =>
      ((await db.selectFrom('children').select('council_id').where('id', '=', id).executeTakeFirst())?.council_id ?? '').startsWith('DEMO-POP-');
    const merged = new Set<string>();
    let same = 0;
    for (let i = 0; i < pending.length; i++) {
      await officer.follow('Review pair 1');
      expect(await officer.heading()).toBe('Are these the same person?');
      const explanation = officer.page.locator('#explanation');
      expect(await explanation.getByRole('rowheader', { name: 'Given name' }).count()).toBe(1);
      expect(await explanation.innerText()).toMatch(/evidence they are (the same person|different people)\s+[+−]?\d+\.\d\d/);
      const pair = pending.find((p) => p.id === officer.path().split('/').pop())!;
      const [a, b] = [await isDemoChild(pair.child_a), await isDemoChild(pair.child_b)];
      if (a && b) {
        await officer.page.getByLabel('Different people: keep the records apart').check();
        await officer.submit('Save the decision');
        expect(await officer.mainText()).toContain('Recorded: they are different people');
      } else {
        merged.add(a ? pair.child_b : pair.child_a);
        same++;
        await officer.page.getByLabel('Same person: merge the records').check();
        await officer.submit('Save the decision');
        expect(await officer.mainText()).toContain('The records have been merged');
      }
    }
    expect(same).toBeGreaterThan(0);
    expect(await officer.mainText()).toContain('There are no pairs in this list');

    // One record per child: every agency record carrying a child's identifier belongs to that child.
    const children = await db.selectFrom('children').select(['id', 'nhs_number', 'upn', 'council_id']).execute();
    const byId = new Map<string, string>();
    for (const c of children) for (const k of [c.nhs_number, c.upn, c.council_id]) if (k) byId.set(k, c.id);
    const records = await db.selectFrom('source_records').select(['child_id', 'field_values']).execute();
    let checked = 0;
    for (const r of records) {
      const v = JSON.parse(r.field_values) as Record<string, string>;
      const key = v.nhs_number ?? v.upn ?? v.council_id;
      if (!key || !byId.has(key)) continue;
      expect(r.child_id).toBe(byId.get(key));
      checked++;
    }
    expect(checked).toBeGreaterThan(150);
    expect(children.filter((c) => c.council_id?.startsWith('DEMO-POP-')).length).toBe(CHILDREN);
    // The records the reviews were about are gone into the children they matched.
    expect(children.filter((c) => merged.has(c.id))).toEqual([]);
    // The social care extract's hard cases: SC980kk was written from the demo child at position
    // 3 + 4k (by council reference). None may join the wrong child; most must reach their own
    // (by linking or by review). The few written worst may stay apart as new records: the demo
    // population's dates of birth move with today's date, so which ones do changes from day to day.
    const demoChildren = children.filter((c) => c.council_id?.startsWith('DEMO-POP-')).sort((x, y) => (x.council_id! < y.council_id! ? -1 : 1));
    const demo = new Set(demoChildren.map((c) => c.id));
    const hard = await db.selectFrom('source_records').select(['record_id', 'child_id']).where('record_id', 'like', 'SC980%').execute();
    expect(hard.length).toBeGreaterThan(10);
    const truth = (recordId: string) => demoChildren[3 + 4 * Number(recordId.slice(5))]!.id;
    expect(hard.filter((h) => demo.has(h.child_id) && h.child_id !== truth(h.record_id))).toEqual([]);
    expect(hard.filter((h) => h.child_id === truth(h.record_id)).length).toBeGreaterThanOrEqual(Math.ceil(hard.length * 0.7));

    // A caseworker who may see a child finds where its values came from on the record.
    const caseworker = await Site.open(journey.browser, journey.server.baseUrl);
    expect(await caseworker.signIn(CASEWORKER, DEMO_PASSWORD)).toBe(paths.home);
    const user = await db
      .selectFrom('users as u')
      .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
      .select(['u.id', 'u.organisation_id', 'o.type'])
      .where('u.email', '=', CASEWORKER)
      .executeTakeFirstOrThrow();
    const viewer = viewerOf({ id: user.id, organisationId: user.organisation_id, organisationType: user.type, roles: ['caseworker'] } as never);
    const seen = await db
      .selectFrom('children as c')
      .innerJoin('source_records as r', 'r.child_id', 'c.id')
      .select('c.id')
      .where(visibleChild(viewer, 'c'))
      .limit(1)
      .executeTakeFirstOrThrow();
    await caseworker.visit(paths.children.record(seen.id));
    const page = await caseworker.mainText();
    expect(page).toContain('Where this record came from');
    expect(page).toMatch(/Known to: .*extract \(record /);
    expect(page).toContain('(shown on the record)');
  });
});
