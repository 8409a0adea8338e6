// The register overview over HTTP on both databases: commissioners see counts and charts with
// small numbers protected and never a name; caseworkers without the permission are refused;
// the CSV carries the same protection; every view and download is audited without personal data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import { addYears } from '../src/capabilities/record/register-overview/rules.js';
import { addDays } from './support/dates.js';
import { nhsCheckDigit } from '../src/capabilities/record/children/rules.js';
import type { Db } from '../src/platform/db/database.js';

const COMMISSIONER = 'commissioner@demoshire.example.org';
const ADMIN = 'admin@demoshire.example.org';
const CASEWORKER = 'caseworker@demoshire.example.org';

// A child whose names and identifiers must never appear on the overview, in its CSV or its audit.
const MARKER_GIVEN = 'Zqxmarkerchild';
const MARKER_FAMILY = 'Vexmarkerfam';
const MARKER_NHS = (() => {
  for (let i = 100; ; i++) {
    const body = `999${String(i).padStart(6, '0')}`;
    const check = nhsCheckDigit(body);
    if (check !== null) return `${body}${check}`;
  }
})();
const MARKER_COUNCIL_ID = 'OVT-MARKER-0001';
const MARKERS = [MARKER_GIVEN, MARKER_FAMILY, MARKER_NHS, MARKER_COUNCIL_ID, MARKER_GIVEN.toLowerCase()];

interface ChildSpec {
  locality: string;
  need: string;
  age: number;
  plan: boolean;
  organisations: string[];
  status?: 'active' | 'left';
  marker?: boolean;
}

async function addChildren(db: Db, localityId: Record<string, string>, orgId: Record<string, string>, specs: ChildSpec[]) {
  const today = todayInLondon();
  let n = 0;
  for (const s of specs) {
    n++;
    const family = await db.insertInto('families').defaultValues().returning('id').executeTakeFirstOrThrow();
    const child = await db
      .insertInto('children')
      .values({
        family_id: family.id,
        given_name: s.marker ? MARKER_GIVEN : `Overview${n}`,
        family_name: s.marker ? MARKER_FAMILY : 'Testfamily',
        date_of_birth: addDays(addYears(today, -s.age), -30),
        sex: 'F',
        ethnicity: 'WBRI',
        postcode: 'DM1 1AA',
        locality_id: localityId[s.locality]!,
        nhs_number: s.marker ? MARKER_NHS : null,
        council_id: s.marker ? MARKER_COUNCIL_ID : null,
        primary_need: s.need,
        has_ehc_plan: s.plan,
        severity: 'moderate',
        joined_on: today,
        status: s.status ?? 'active',
        search_names: s.marker ? `${MARKER_GIVEN} ${MARKER_FAMILY}`.toLowerCase() : `overview${n} testfamily`,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const org of s.organisations) {
      await db
        .insertInto('involvements')
        .values({ child_id: child.id, organisation_id: orgId[org]!, service: 'Test service', started_on: addYears(today, -1) })
        .execute();
    }
  }
}

describe.each(databaseKinds())('register overview on %s', (kind) => {
  let t: TestApp;
  let commissioner: Client;
  const localityId: Record<string, string> = {};

  beforeAll(async () => {
    t = await buildTestApp(kind);
    const db = t.database.db;
    for (const [code, name] of [
      ['OVT-EAST', 'Overviewton East'],
      ['OVT-TINY', 'Tinyville'],
      ['OVT-FORMULA', '=SUM(1+1)'],
    ] as const) {
      localityId[code] = (await db.insertInto('localities').values({ code, name }).returning('id').executeTakeFirstOrThrow()).id;
    }
    const orgs = await db.selectFrom('organisations').select(['id', 'code']).execute();
    const orgId = Object.fromEntries(orgs.map((o) => [o.code, o.id]));
    const specs: ChildSpec[] = [];
    // Overviewton East: 12 active children (8 ASD, 3 SLCN, 1 PD: the marker), 9 with a plan; 2 who left.
    for (let i = 0; i < 8; i++)
      specs.push({ locality: 'OVT-EAST', need: 'ASD', age: i < 6 ? 7 : 17, plan: true, organisations: i < 5 ? ['DEMO-EDU', 'DEMO-TRUST'] : ['DEMO-EDU'] });
    for (let i = 0; i < 3; i++) specs.push({ locality: 'OVT-EAST', need: 'SLCN', age: 7, plan: i === 0, organisations: ['DEMO-EDU'] });
    specs.push({ locality: 'OVT-EAST', need: 'PD', age: 7, plan: false, organisations: ['DEMO-EDU', 'DEMO-TRUST', 'DEMO-CSC'], marker: true });
    specs.push({ locality: 'OVT-EAST', need: 'PD', age: 7, plan: false, organisations: ['DEMO-EDU'], status: 'left' });
    specs.push({ locality: 'OVT-EAST', need: 'PD', age: 7, plan: false, organisations: ['DEMO-EDU'], status: 'left' });
    // Tinyville: 3 children. The formula-named locality: 5.
    for (let i = 0; i < 3; i++) specs.push({ locality: 'OVT-TINY', need: 'ASD', age: 7, plan: true, organisations: ['DEMO-EDU'] });
    for (let i = 0; i < 5; i++) specs.push({ locality: 'OVT-FORMULA', need: 'ASD', age: 7, plan: true, organisations: ['DEMO-EDU'] });
    await addChildren(db, localityId, orgId, specs);

    commissioner = new Client(t.app);
    expect((await commissioner.signIn(COMMISSIONER)).status).toBe(303);
  });
  afterAll(() => t?.close());

  const latestAudit = (action: string) =>
    t.database.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id', 'desc').executeTakeFirstOrThrow();

  it('shows a commissioner the register as counts, with small numbers protected and no names', async () => {
    const res = await commissioner.get(paths.register.overview);
    expect(res.status).toBe(200);
    const page = text(res.body);
    expect(page).toContain('Register overview');
    // 20 active children: the two who left the register are not counted.
    expect(page).toContain('20 children and young people on the register');
    // Primary need: 16 autism; SLCN (3) and PD (1) are small, and could be split several ways.
    expect(page).toContain('Autism (ASD) 16 80.0%');
    expect(page).toContain('Speech, language and communication needs (SLCN) fewer than 5');
    expect(page).toContain('Physical disability (PD) fewer than 5');
    // EHC plan: 3 without is small, so 17 with is hidden too (the total would give it away).
    expect(page).toContain('No EHC plan fewer than 5');
    expect(page).toContain('Has an EHC plan hidden');
    expect(page).not.toContain('Has an EHC plan 17');
    // Locality: Tinyville (3) is small, so the next smallest (5) is hidden.
    expect(page).toContain('Overviewton East 12 60.0%');
    expect(page).toContain('Tinyville fewer than 5');
    expect(page).toContain('=SUM(1+1) hidden');
    // Age: two aged 17.
    expect(page).toContain('16 to 19 fewer than 5');
    expect(page).toContain('5 to 10 hidden');
    // Organisations: 1 with three, 5 with two, 14 with one: all three must be hidden.
    expect(page).toContain('Three or more organisations fewer than 5');
    expect(page).toContain('Two organisations hidden');
    expect(page).toContain('One organisation hidden');
    expect(page).toContain('No organisation at present 0');
    // Severity and ethnicity need no protection.
    expect(page).toContain('Moderate 20 100.0%');
    expect(page).toContain('White British (WBRI) 20 100.0%');
    // A chart (server-drawn SVG, described for screen readers) and a table for each of the 7 breakdowns.
    expect(res.body.match(/<svg [^>]*role="img"/g)).toHaveLength(7);
    expect(res.body).toContain('<title id="chart-need-title">Children by primary need</title>');
    expect(res.body.match(/<table class="govuk-table">/g)).toHaveLength(7);
    // Charts need no JavaScript: nothing in the page's main content is a script.
    expect(/<main[\s\S]*<\/main>/.exec(res.body)![0]).not.toContain('<script');
    for (const m of MARKERS) expect(res.body).not.toContain(m);
    expect(res.body).not.toContain('Overview1 ');
    expect(res.body).not.toContain('Testfamily');
  });

  it('audits each view with the breakdowns and filters, and nothing about a child', async () => {
    const res = await commissioner.get(`${paths.register.overview}?locality=${localityId['OVT-EAST']}&ageBand=5-10`);
    expect(res.status).toBe(200);
    const page = text(res.body);
    // 10 of the East children are 7; the marker is one of them.
    expect(page).toContain('10 children and young people on the register');
    expect(page).toContain('Showing: Overviewton East; 5 to 10 years');
    const entry = await latestAudit('register.overview.view');
    expect(entry.result).toBe('allowed');
    expect(entry.subject_type).toBeNull();
    expect(entry.subject_id).toBeNull();
    const details = JSON.parse(entry.details) as unknown;
    expect(details).toEqual({
      breakdowns: ['need', 'age', 'severity', 'locality', 'ethnicity', 'plan', 'organisations'],
      filters: { locality: 'OVT-EAST', ageBand: '5-10' },
    });
    for (const m of MARKERS) expect(entry.details).not.toContain(m);
  });

  it('shows no breakdown when fewer than 5 children match the filters', async () => {
    const res = await commissioner.get(`${paths.register.overview}?locality=${localityId['OVT-TINY']}`);
    expect(res.status).toBe(200);
    const page = text(res.body);
    expect(page).toContain('Fewer than 5 children and young people on the register');
    expect(page).toContain('so no breakdown is shown');
    expect(res.body).not.toContain('<svg');
    expect(res.body).not.toContain('Download these tables');
  });

  it('explains a filter that is not one of the choices', async () => {
    const badLocality = await commissioner.get(`${paths.register.overview}?locality=not-a-locality`);
    expect(badLocality.status).toBe(400);
    expect(text(badLocality.body)).toContain('There is a problem');
    expect(text(badLocality.body)).toContain('Choose a locality from the list');
    expect(badLocality.body).not.toContain('<svg');
    const unknown = await commissioner.get(`${paths.register.overview}?locality=00000000-0000-4000-8000-000000000000`);
    expect(unknown.status).toBe(400);
    expect(text(unknown.body)).toContain('Choose a locality from the list');
    const badAge = await commissioner.get(`${paths.register.overview}?ageBand=26-30`);
    expect(badAge.status).toBe(400);
    expect(text(badAge.body)).toContain('Choose an age band from the list');
  });

  it('downloads the tables as CSV with "<5" for small numbers and formulas made inert', async () => {
    const res = await commissioner.get(paths.register.overviewExport);
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/^text\/csv/);
    expect(String(res.headers['content-disposition'])).toMatch(/^attachment; filename="register-overview-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = res.body
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('"Locality filter","Age band filter","Breakdown","Group","Children"');
    expect(lines).toContain('"All localities","All ages","All children","On the register (active)","20"');
    expect(lines).toContain('"All localities","All ages","Primary need","Autism (ASD)","16"');
    expect(lines).toContain('"All localities","All ages","Primary need","Speech, language and communication needs (SLCN)","<5"');
    expect(lines).toContain('"All localities","All ages","EHC plan","Has an EHC plan","hidden"');
    expect(lines).toContain('"All localities","All ages","EHC plan","No EHC plan","<5"');
    expect(lines).toContain(`"All localities","All ages","Locality","'=SUM(1+1)","hidden"`);
    for (const line of lines) expect(line).not.toMatch(/(^|,)"[=+\-@]/);
    for (const m of MARKERS) expect(res.body).not.toContain(m);
    const entry = await latestAudit('register.overview.export');
    expect(JSON.parse(entry.details)).toMatchObject({ format: 'csv', filters: { locality: null, ageBand: null } });
  });

  it('lets a partnership administrator see the overview too', async () => {
    const admin = new Client(t.app);
    await admin.signIn(ADMIN);
    const res = await admin.get(paths.register.overview);
    expect(res.status).toBe(200);
    expect(text(res.body)).toContain('20 children and young people on the register');
  });

  it('refuses a caseworker, who does not have the register overview permission', async () => {
    const caseworker = new Client(t.app);
    await caseworker.signIn(CASEWORKER);
    for (const url of [paths.register.overview, paths.register.overviewExport]) {
      const res = await caseworker.get(url);
      expect(res.status).toBe(403);
      expect(text(res.body)).toContain('You do not have access to this page');
      expect(res.body).not.toContain('children and young people on the register');
    }
    const denied = await t.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'register.overview.export')
      .where('result', '=', 'denied')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(denied.details)).toMatchObject({ reason: 'lacks permission register:overview' });
  });

  it('sends someone who is not signed in to sign in', async () => {
    const anonymous = new Client(t.app);
    const res = await anonymous.get(paths.register.overview);
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/^\/sign-in/);
  });
});
