// The needs assessment on a real database: the page, its full and shared versions, the files (CSV,
// XLSX, PDF), who may see what, and the two loaders' bad input. Counts are checked against the
// children created here; a role with only needs-assessment:view never sees a count from 1 to 4.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { createChild } from './support/register.js';
import { paths } from '../src/paths.js';
import { longDate, todayInLondon } from '../src/platform/dates.js';
import { monthEnds } from '../src/capabilities/planning/needs-assessment/rules.js';
import { addDays } from './support/dates.js';
import { importDfeEhcpCommand, importPopulationCommand } from '../src/capabilities/planning/needs-assessment/cli.js';

const COMMISSIONER = 'commissioner@demoshire.example.org';
const PARTICIPATION = 'participation@demoshire.example.org';
const KEY_WORKER = 'keyworker@demoshire.example.org';
// Beside the project, or (in a helper's worktree elsewhere) at the machine's shared folder.
const DFE = [join(import.meta.dirname, '../..'), '/work']
  .map((root) => join(root, 'shared/reference/ehcp-statistics/education-health-and-care-plans_2025/data'))
  .find((d) => existsSync(d))!;

const yearsAgo = (years: number) => addDays(todayInLondon(), -Math.round(years * 365.25) - 30);

/** The figure in a page's table row: the cell after the row's heading. */
function rowFigure(html: string, label: string): string {
  const m = new RegExp(`<th scope="row"[^>]*>${label.replace(/[()]/g, '\\$&')}</th>\\s*<td[^>]*>([^<]*)</td>`).exec(html);
  if (!m) throw new Error(`No row ${label}`);
  return m[1]!.trim();
}

describe('the needs assessment', () => {
  let t: TestApp;
  let commissioner: Client;
  let participation: Client;
  const log: string[] = [];
  beforeAll(async () => {
    t = await buildTestApp('pglite');
    const db = t.database.db;
    for (let i = 0; i < 20; i++)
      await createChild(db, { familyName: `Autism${i}`, primaryNeed: 'ASD', hasEhcPlan: true, dateOfBirth: yearsAgo(8), postcode: 'DM1 1AB' });
    for (let i = 0; i < 3; i++) await createChild(db, { familyName: `Hearing${i}`, primaryNeed: 'HI', dateOfBirth: yearsAgo(12), postcode: 'DM5 1AB' });
    for (let i = 0; i < 7; i++)
      await createChild(db, {
        familyName: `Semh${i}`,
        primaryNeed: 'SEMH',
        hasEhcPlan: true,
        dateOfBirth: yearsAgo(14),
        postcode: 'DM5 1AB',
        involvedOrgCodes: ['DEMO-EDU', 'DEMO-ICB'],
      });
    // One who left two months ago: on the register before, not now.
    await createChild(db, {
      familyName: 'Leaver',
      primaryNeed: 'PD',
      joinedOn: addDays(todayInLondon(), -400),
      status: 'moved-away',
      statusOn: addDays(todayInLondon(), -60),
    });
    expect(await importDfeEhcpCommand(db, DFE, (s) => log.push(s))).toBe(0);
    commissioner = new Client(t.app);
    await commissioner.signIn(COMMISSIONER);
    participation = new Client(t.app);
    await participation.signIn(PARTICIPATION);
  }, 120_000);
  afterAll(() => t?.close());

  it('shows the commissioner every count, with rates from the demo population and the comparison with England', async () => {
    const res = await commissioner.get(paths.commissioning.needs);
    expect(res.status).toBe(200);
    expect(res.body).toContain('Full figures, including counts from 1 to 4');
    expect(rowFigure(res.body, 'Autism (ASD)')).toBe('20');
    expect(rowFigure(res.body, 'Hearing impairment (HI)')).toBe('3');
    expect(text(res.body)).toContain('30 children and young people on the register');
    // Demoshire's fictional population (src/demo/data/demoshire-population.csv): 30 children per 1,000 of it.
    const pop = await t.database.db
      .selectFrom('needs_population')
      .select((e) => e.fn.sum<string>('people').as('n'))
      .executeTakeFirstOrThrow();
    expect(text(res.body)).toContain(`That is ${(Math.round((10_000 * 30) / Number(pop.n)) / 10).toString()} per 1,000 of the 0 to 25 population`);
    // Known to one agency only: the 23 children with one involvement; the 7 SEMH children have two.
    expect(rowFigure(res.body, 'Known to one agency only')).toBe('23');
    expect(rowFigure(res.body, 'Known to two or more agencies')).toBe('7');
    // England from DfE's caseload file, and Demoshire's illustrative neighbours.
    expect(text(res.body)).toContain('2024/25 638,745');
    expect(text(res.body)).toContain('Derbyshire');
    expect(text(res.body)).toContain('Demoshire is fictional, so this comparison is illustrative only');
    // Month by month, against the children's own dates counted here for each month end.
    expect(res.body).toContain('Joined in the month');
    const kids = await t.database.db.selectFrom('children').select(['joined_on', 'status', 'status_on']).execute();
    const rows = [...res.body.matchAll(/<th scope="row"[^>]*>(\d+ \w+ \d{4})<\/th>\s*<td[^>]*>([^<]*)<\/td>/g)];
    expect(rows).toHaveLength(24);
    for (const [, label, figure] of rows) {
      const end = new Date(`${label} UTC`).toISOString().slice(0, 10);
      const on = kids.filter((k) => k.joined_on <= end && (k.status === 'active' || k.status_on === null || k.status_on > end)).length;
      expect(`${label}: ${figure}`).toBe(`${label}: ${on}`);
    }
    // The leaver was on the register before they left, and is not now.
    const threeMonthsAgo = monthEnds(todayInLondon(), 24).at(-3) ?? '';
    expect(rowFigure(res.body, longDate(threeMonthsAgo))).toBe('31');
  });

  it('shows the participation lead small numbers as "fewer than 5", and the total cannot give them away', async () => {
    const res = await participation.get(paths.commissioning.needs);
    expect(res.status).toBe(200);
    expect(rowFigure(res.body, 'Hearing impairment (HI)')).toBe('fewer than 5');
    expect(rowFigure(res.body, 'Social, emotional and mental health (SEMH)')).toBe('hidden');
    expect(rowFigure(res.body, 'Autism (ASD)')).toBe('20');
    expect(res.body).not.toContain('Joined in the month');
    expect(res.body).not.toContain('See the full figures');
    // The commissioner's shared view is the same page.
    const shared = await commissioner.get(`${paths.commissioning.needs}?view=shared`);
    expect(rowFigure(shared.body, 'Hearing impairment (HI)')).toBe('fewer than 5');
  });

  it('never gives a role with only needs-assessment:view a count from 1 to 4, on the page, in the CSV or in the XLSX', async () => {
    const page = await participation.get(paths.commissioning.needs);
    const cells = [...page.body.matchAll(/<td class="govuk-table__cell govuk-table__cell--numeric">([^<]*)<\/td>/g)].map((m) => m[1]!.trim());
    expect(cells.length).toBeGreaterThan(50);
    // Children columns are whole numbers; shares and rates have a decimal point.
    expect(cells.filter((c) => /^[1-4]$/.test(c))).toEqual([]);

    const csv = await participation.get(`${paths.commissioning.needs}?format=csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    const csvCells = csv.body.split(/\r\n/).map((l) => l.split(','));
    const hi = csvCells.find((r) => r[0] === 'Hearing impairment (HI)')!;
    expect(hi[1]).toBe('fewer than 5');
    expect(csvCells.filter((r) => /^[1-4]$/.test(r[1] ?? ''))).toEqual([]);

    const res = await t.app.inject({ method: 'GET', url: `${paths.commissioning.needs}?format=xlsx`, headers: { cookie: participation.cookieHeader() } });
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const small: string[] = [];
    let seen = 0;
    wb.eachSheet((ws) => {
      const header = (ws.getRow(1).values as unknown[]).map(String);
      const cols = header.map((h, i) => (['Children', 'On the register'].includes(h) ? i : -1)).filter((i) => i > 0);
      ws.eachRow((row, n) => {
        if (n === 1) return;
        for (const c of cols) {
          const v = row.getCell(c).value;
          seen++;
          if (typeof v === 'number' && v >= 1 && v <= 4) small.push(`${ws.name} row ${n}: ${v}`);
        }
      });
    });
    expect(seen).toBeGreaterThan(50);
    expect(small).toEqual([]);

    // Month by month, the shared figures are rounded to 5: two exact months would give away the
    // joinings less leavings between them.
    const months = wb.worksheets.find((w) => /month/i.test(w.name))!;
    const monthCol = (months.getRow(1).values as unknown[]).map(String).indexOf('On the register');
    const monthValues = months.getRows(2, months.rowCount - 1)!.map((r) => r.getCell(monthCol).value);
    expect(monthValues.length).toBeGreaterThan(12);
    expect(monthValues.filter((v) => typeof v === 'number' && v % 5 !== 0)).toEqual([]);

    // The commissioner's full XLSX does have the 3.
    const full = await t.app.inject({ method: 'GET', url: `${paths.commissioning.needs}?format=xlsx`, headers: { cookie: commissioner.cookieHeader() } });
    const fwb = new ExcelJS.Workbook();
    await fwb.xlsx.load(full.rawPayload as unknown as ArrayBuffer);
    const needSheet = fwb.worksheets.find((w) => w.name.startsWith('By primary need'))!;
    const hiRow = needSheet.getRows(2, needSheet.rowCount - 1)!.find((r) => r.getCell(1).value === 'Hearing impairment (HI)')!;
    expect(hiRow.getCell(2).value).toBe(3);
  });

  it('publishes a tagged PDF with its language and title', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${paths.commissioning.needs}?format=pdf`, headers: { cookie: commissioner.cookieHeader() } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = res.rawPayload.toString('latin1');
    expect(pdf.startsWith('%PDF-1.5')).toBe(true);
    expect(pdf).toContain('/StructTreeRoot');
    expect(pdf).toContain('/MarkInfo');
    expect(pdf).toMatch(/\/Lang \(en-GB\)/);
    expect(pdf).toContain('/DisplayDocTitle true');
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'needs-assessment.view')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    // The published PDF is the protected version, even for a commissioner.
    expect(JSON.parse(audit.details)).toEqual({ detail: false, format: 'pdf' });
  });

  it('refuses someone without the permission, and records every look', async () => {
    const keyWorker = new Client(t.app);
    await keyWorker.signIn(KEY_WORKER);
    expect((await keyWorker.get(paths.commissioning.needs)).status).toBe(403);
    const looks = await t.database.db.selectFrom('audit_log').select(['details', 'result']).where('action', '=', 'needs-assessment.view').execute();
    expect(looks.filter((l) => l.result === 'allowed').length).toBeGreaterThanOrEqual(5);
    expect(looks.filter((l) => l.result === 'denied')).toHaveLength(1);
  });

  it('lets the partnership administrator change the statistical neighbours, refusing a code that is not one', async () => {
    const admin = new Client(t.app);
    await admin.signIn('admin@demoshire.example.org');
    expect((await commissioner.get(paths.commissioning.neighbours)).status).toBe(403);
    const form = await admin.get(paths.commissioning.neighbours);
    expect(form.status).toBe(200);
    expect(text(form.body)).toContain('830: Derbyshire');
    const bad = await admin.post(paths.commissioning.neighbours, { codes: '830, E10000007' });
    expect(bad.status).toBe(400);
    expect(text(bad.body)).toContain('"E10000007" is not a 3-digit DfE local authority code');
    const before = await t.database.db.selectFrom('needs_statistical_neighbours').select('la_code').orderBy('position').execute();
    expect(before.map((r) => r.la_code)).toHaveLength(10);
    const good = await admin.post(paths.commissioning.neighbours, { codes: '873\n931' });
    expect(good.status).toBe(303);
    expect(good.location).toBe(`${paths.commissioning.needs}#comparison`);
    const page = await admin.get(paths.commissioning.needs);
    expect(text(page.body)).toContain('Cambridgeshire 873');
    expect(text(page.body)).not.toContain('Derbyshire 830');
    await admin.post(paths.commissioning.neighbours, { codes: before.map((r) => r.la_code).join(',') });
  });

  describe('loading the population', () => {
    const dump = () =>
      t.database.db.selectFrom('needs_population').select(['age', 'locality_code', 'people']).orderBy('locality_code').orderBy('age').execute();
    it('refuses a file with a missing age or a bad number, naming it, and loads nothing', async () => {
      const before = await dump();
      const dir = await mkdtemp(join(tmpdir(), 'population-'));
      const missing = join(dir, 'missing.csv');
      await writeFile(missing, ['age,count', ...Array.from({ length: 26 }, (_, a) => `${a},100`).filter((l) => !l.startsWith('12,'))].join('\n'));
      const out: string[] = [];
      expect(await importPopulationCommand(t.database.db, missing, (s) => out.push(s))).toBe(1);
      expect(out.join('\n')).toBe('Nothing was loaded. The area has no figure for age 12. Every age from 0 to 25 is needed.');
      const bad = join(dir, 'bad.csv');
      await writeFile(bad, ['age,count', ...Array.from({ length: 26 }, (_, a) => `${a},${a === 4 ? '12.5' : '100'}`)].join('\n'));
      expect(await importPopulationCommand(t.database.db, bad, (s) => out.push(s))).toBe(1);
      expect(out.at(-1)).toBe('Nothing was loaded. Line 6: the count "12.5" is not a whole number of people.');
      expect(await dump()).toEqual(before);
    });
    it('loads a good file in place of the old one', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'population-'));
      const good = join(dir, 'good.csv');
      await writeFile(good, `\uFEFFage,count\n${Array.from({ length: 26 }, (_, a) => `${a},1000`).join('\n')}\n`);
      const out: string[] = [];
      expect(await importPopulationCommand(t.database.db, good, (s) => out.push(s))).toBe(0);
      expect(out).toEqual(['Loaded 26 population figures: 26,000 people aged 0 to 25.']);
      expect(await dump()).toHaveLength(26);
      const res = await commissioner.get(paths.commissioning.needs);
      expect(text(res.body)).toContain('That is 1.2 per 1,000 of the 0 to 25 population'); // 30 of 26,000: a new population shows at once
    });
  });

  describe('loading the DfE statistics', () => {
    const dump = () =>
      t.database.db
        .selectFrom('needs_dfe_figures')
        .selectAll()
        .orderBy('file')
        .orderBy('time_period')
        .orderBy('la_code')
        .orderBy('breakdown_topic')
        .orderBy('breakdown')
        .orderBy('measure')
        .execute();
    it('keeps a figure DfE did not publish as its marker, never a zero', async () => {
      const markers = await t.database.db.selectFrom('needs_dfe_figures').select(['value', 'marker']).where('marker', 'is not', null).execute();
      expect(markers.length).toBeGreaterThan(0);
      expect(markers.every((m) => m.value === null)).toBe(true);
    });
    it('loading the same files again changes nothing', async () => {
      const before = await dump();
      expect(await importDfeEhcpCommand(t.database.db, DFE, () => {})).toBe(0);
      expect(await dump()).toEqual(before);
    });
    it('refuses the wrong file or a bad cell, naming it, and loads nothing', async () => {
      const before = await dump();
      const dir = await mkdtemp(join(tmpdir(), 'dfe-'));
      await copyFile(join(DFE, 'sen_needs_all_plans.csv'), join(dir, 'sen_needs_all_plans.csv'));
      // The wrong file under the right name.
      await copyFile(join(DFE, 'requests.csv'), join(dir, 'caseload.csv'));
      const out: string[] = [];
      expect(await importDfeEhcpCommand(t.database.db, dir, (s) => out.push(s))).toBe(1);
      expect(out.join('\n')).toBe('Nothing was loaded. caseload.csv: The file has no "ehcplans" column. Is it the right DfE file?');
      // A caseload file whose cell is neither a number nor a marker.
      const caseload = (await readFile(join(DFE, 'caseload.csv'), 'utf8')).split('\n');
      caseload[1] = caseload[1]!.replace(',353995,', ',three hundred,');
      await writeFile(join(dir, 'caseload.csv'), caseload.join('\n'));
      expect(await importDfeEhcpCommand(t.database.db, dir, (s) => out.push(s))).toBe(1);
      expect(out.at(-1)).toMatch(/^Nothing was loaded\. caseload\.csv: Line 2: "ehcplans" is "three hundred", which is neither a number nor a DfE marker/);
      // A folder without the files.
      expect(await importDfeEhcpCommand(t.database.db, join(dir, 'nowhere'), (s) => out.push(s))).toBe(1);
      expect(out.at(-1)).toMatch(/^Nothing was loaded\. caseload\.csv: not found in /);
      expect(await dump()).toEqual(before);
    });
  });
});
