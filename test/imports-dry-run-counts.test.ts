// A dry run tells the truth about what applying will do (issue 19, item 5), on real databases: a
// social care extract with rows sent to review (each of which also makes a new record) plans
// exactly the records, links, updates and review pairs the apply then makes, and says so in plain
// English.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import type { Source } from '../src/capabilities/linkage/imports/service.js';
import { applyImport, claimForApply, getImport, plannedText } from '../src/capabilities/linkage/imports/service.js';
import type { DemoExtract } from '../src/capabilities/linkage/imports/demo-extracts.js';
import { importCommand } from '../src/capabilities/linkage/imports/cli.js';
import { ACTOR, demoSetup, dryRunFile } from './fixtures/imports/setup.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe.each(databaseKinds())('what a dry run says applying will do, on %s', (kind) => {
  let t: TestApp;
  let extracts: DemoExtract[];
  let sources: Source[];

  beforeAll(async () => {
    t = await buildTestApp(kind);
    ({ extracts, sources } = await demoSetup(t.database.db));
  }, 120_000);
  afterAll(() => t?.close());

  it('the command line says, before applying, how many new records applying will make, counting the rows sent to review', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jointly-dry-run-'));
    try {
      const social = extracts.findIndex((e) => e.file === 'demoshire-social-care.csv');
      const file = join(dir, extracts[social]!.file);
      await writeFile(file, extracts[social]!.csv);
      const lines: string[] = [];
      expect(await importCommand(t.database.db, { source: sources[social]!.name, file }, (l) => lines.push(l))).toBe(0);
      expect(lines.join('\n')).toMatch(/Applying the file will make: \d+ new records, of which \d+ (is|are) sent to a person to check whether/);
      expect(lines.join('\n')).toContain('Nothing has been changed');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('plans the same new records, links, updates and review pairs the apply makes, rows sent to review included', async () => {
    const db = t.database.db;
    let sentToReview = 0;
    for (const [i, source] of sources.entries()) {
      const { id, counts } = await dryRunFile(db, source, extracts[i]!.file, extracts[i]!.csv);
      const { planned, plannedForReview } = (await getImport(db, id)).summary ?? {};
      expect(planned).toBeDefined();
      await claimForApply(db, id, (counts.invalid ?? 0) > 0);
      const summary = await applyImport(db, id, ACTOR);
      expect({ source: source.name, ...summary.applied }).toEqual({ source: source.name, ...planned });
      sentToReview += counts.review ?? 0;
      if (counts.review) {
        // Each row sent to review is a new record too: the plan counts it as one, and says so.
        expect(planned!.created).toBeGreaterThan(counts.create ?? 0);
        expect(plannedForReview).toBeGreaterThan(0);
        expect(plannedText(planned!, plannedForReview)).toMatch(/new records?, of which \d+ (is|are) sent to a person to check/);
      }
    }
    expect(sources.length).toBeGreaterThanOrEqual(3);
    expect(sentToReview).toBeGreaterThan(0);
  });
});
