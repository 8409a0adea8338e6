// Search, lists and exports of children over HTTP on both databases: only children the person may
// see ever appear (in rows, counts or files); names are found in any order and with small
// misspellings; identifiers, postcodes and filters narrow the list; pages and sorting work; exports
// neutralise formulas; and the audit log records each search and export without what was typed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { paths } from '../src/paths.js';
import type { Db } from '../src/platform/db/database.js';
import { ageOn, todayInLondon } from '../src/platform/dates.js';
import { nhsCheckDigit, searchNames, upnCheckLetter } from '../src/capabilities/record/children/rules.js';
import { visibleChildIds, whoHasLooked } from '../src/capabilities/record/sharing/service.js';
import { childrenDigest } from '../src/platform/audit/audit.js';
import { DEMO_PASSWORD } from '../src/demo/seed.js';
import { useJourney } from './e2e/support/server.js';
import { chromiumPath, JOURNEY_TIMEOUT, Site } from './e2e/support/pages.js';
import { addDays } from './support/dates.js';

const CASEWORKER = 'caseworker@demoshire.example.org'; // DEMO-EDU, council-education
const PRACTITIONER = 'practitioner@demoshire.example.org'; // DEMO-TRUST, nhs-trust
const COMMISSIONER = 'commissioner@demoshire.example.org';
const ADMIN = 'admin@demoshire.example.org';

/** A date of birth `years` old today (and `days` more). */
const aged = (years: number, days = 30) => {
  const [y, m, d] = todayInLondon().split('-').map(Number) as [number, number, number];
  return addDays(`${y - years}-${String(m).padStart(2, '0')}-${String(Math.min(d, 28)).padStart(2, '0')}`, -days);
};

// Valid, obviously made-up identifiers: NHS numbers from 999 000 000 up, UPNs from LA 999.
let serial = 0;
function nextNhsNumber(): string {
  for (;;) {
    const nine = String(999_000_000 + serial++);
    const check = nhsCheckDigit(nine);
    if (check !== null) return `${nine}${check}`;
  }
}
const upnFor = (n: number) => {
  const body = `9991234${String(24).padStart(2, '0')}${String(n).padStart(3, '0')}`;
  return `${upnCheckLetter(body)}${body}`;
};

interface ChildSpec {
  given: string;
  family: string;
  preferred?: string;
  dob?: string;
  joined?: string;
  nhs?: string;
  upn?: string;
  postcode?: string;
  locality?: string;
  need?: string;
  ehcPlan?: boolean;
  status?: 'active' | 'moved-away' | 'over-25' | 'died' | 'left';
  keyWorker?: string;
  involved: string[];
  consent?: string[];
  withdrawn?: boolean;
}

/** A child written straight to the database: family, child, involvements and a consent to the core record. */
async function createChild(db: Db, s: ChildSpec) {
  const family = await db.insertInto('families').defaultValues().returning('id').executeTakeFirstOrThrow();
  const dob = s.dob ?? aged(9);
  const child = await db
    .insertInto('children')
    .values({
      family_id: family.id,
      given_name: s.given,
      family_name: s.family,
      preferred_name: s.preferred ?? null,
      date_of_birth: dob,
      sex: 'U',
      ethnicity: 'NOBT',
      joined_on: s.joined ?? (dob > '2020-01-01' ? dob : '2020-01-01'),
      nhs_number: s.nhs ?? null,
      upn: s.upn ?? null,
      postcode: s.postcode ?? null,
      locality_id: s.locality ?? null,
      primary_need: s.need ?? null,
      has_ehc_plan: s.ehcPlan ?? false,
      status: s.status ?? 'active',
      search_names: searchNames(s.given, s.family, s.preferred),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (s.keyWorker) await db.insertInto('key_workers').values({ child_id: child.id, user_id: s.keyWorker }).execute();
  for (const code of s.involved) {
    const org = await db.selectFrom('organisations').select('id').where('code', '=', code).executeTakeFirstOrThrow();
    await db
      .insertInto('involvements')
      .values({ child_id: child.id, organisation_id: org.id, service: 'Test service', started_on: addDays(todayInLondon(), -100) })
      .execute();
  }
  if (s.consent) {
    const consent = await db
      .insertInto('consents')
      .values({
        child_id: child.id,
        given_by: 'parent',
        given_on: addDays(todayInLondon(), -90),
        method: 'written',
        withdrawn_at: s.withdrawn ? new Date() : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (s.consent.length) {
      await db
        .insertInto('consent_scopes')
        .values(s.consent.map((organisation_type) => ({ consent_id: consent.id, organisation_type, section: 'core' })))
        .execute();
    }
  }
  return child.id;
}

const EDU = { involved: ['DEMO-EDU'], consent: ['council-education'] };

/** The names in the results table, in order. */
const resultNames = (html: string) =>
  [...html.matchAll(/<a class="govuk-link" href="\/children\/[0-9a-f-]{36}">([^<]+)<\/a>/g)].map((m) =>
    m[1]!
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&'),
  );
const heading = (html: string) => /<h2 class="govuk-heading-m">([^<]+)<\/h2>/.exec(html)?.[1];

describe.each(databaseKinds())('finding children on %s', (kind) => {
  let t: TestApp;
  let caseworker: Client;
  let db: Db;
  const ids: Record<string, string> = {};
  const nhs: Record<string, string> = {};
  let north: string;
  let south: string;
  let caseworkerId: string;

  beforeAll(async () => {
    t = await buildTestApp(kind);
    db = t.database.db;
    caseworker = new Client(t.app);
    await caseworker.signIn(CASEWORKER);
    caseworkerId = (await db.selectFrom('users').select('id').where('email', '=', CASEWORKER).executeTakeFirstOrThrow()).id;
    const localities = await db
      .insertInto('localities')
      .values([
        { code: 'TN', name: 'Testnorth (fictional)' },
        { code: 'TS', name: 'Testsouth (fictional)' },
      ])
      .returning(['id', 'code'])
      .execute();
    north = localities.find((l) => l.code === 'TN')!.id;
    south = localities.find((l) => l.code === 'TS')!.id;
    for (const k of ['jon', 'jonny', 'jonathan', 'joan', 'withdrawn', 'moved', 'formula']) nhs[k] = nextNhsNumber();

    // Visible to the caseworker: their organisation is involved and consent covers council education.
    ids.jon = await createChild(db, {
      given: 'Jon',
      family: 'Testsmith',
      dob: '2015-03-07',
      nhs: nhs.jon,
      upn: upnFor(1),
      postcode: 'DM1 4AB',
      locality: north,
      need: 'ASD',
      ehcPlan: true,
      keyWorker: caseworkerId,
      ...EDU,
    });
    ids.jonny = await createChild(db, {
      given: 'Jonny',
      family: 'Testsmyth',
      dob: aged(17),
      nhs: nhs.jonny,
      upn: upnFor(2),
      postcode: 'DM14 2CD',
      locality: south,
      need: 'SLCN',
      ...EDU,
    });
    ids.moved = await createChild(db, { given: 'Movedaway', family: 'Testsmith', status: 'moved-away', nhs: nhs.moved, dob: aged(3), ...EDU });
    ids.formula = await createChild(db, {
      given: '=HYPERLINK("http://example.org","x")',
      family: 'Testinjection',
      preferred: '@Danger',
      nhs: nhs.formula,
      ...EDU,
    });
    // Hidden from the caseworker: consent only for the NHS trust (which is involved), not for council education.
    ids.jonathan = await createChild(db, {
      given: 'Jonathan',
      family: 'Testsmith',
      nhs: nhs.jonathan,
      involved: ['DEMO-EDU', 'DEMO-TRUST'],
      consent: ['nhs-trust'],
    });
    // Hidden: consent covers council education, but the council's education team is not involved.
    ids.joan = await createChild(db, {
      given: 'Joan',
      family: 'Testsmith',
      nhs: nhs.joan,
      postcode: 'DM1 4AB',
      involved: ['DEMO-TRUST'],
      consent: ['council-education', 'nhs-trust'],
    });
    // Hidden: consent withdrawn.
    ids.withdrawn = await createChild(db, {
      given: 'Withdrawn',
      family: 'Testsmith',
      nhs: nhs.withdrawn,
      involved: ['DEMO-EDU'],
      consent: ['council-education'],
      withdrawn: true,
    });
    // Thirty more, for pages and sorting: Pagetest A… with dates of birth a day apart, joined in reverse.
    for (let i = 0; i < 30; i++) {
      const letter = String.fromCharCode(65 + (i % 26)) + (i >= 26 ? 'a' : '');
      await createChild(db, {
        given: `Page${letter}`,
        family: 'Testpaging',
        dob: addDays('2010-01-01', i),
        joined: addDays('2024-01-01', -i),
        need: 'MLD',
        ...EDU,
      });
    }
  });
  afterAll(() => t?.close());

  const latestAudit = (action: string) =>
    db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();

  it('lists only the children the person may see, with a count of those alone', async () => {
    const res = await caseworker.get(paths.children.list);
    expect(res.status).toBe(200);
    const page = text(res.body);
    // Jon, Jonny, the formula child and thirty paging children are active and visible; Movedaway is not active.
    expect(heading(res.body)).toBe('Showing 1 to 25 of 33 children and young people');
    for (const hidden of ['Jonathan', 'Joan', 'Withdrawn', 'Movedaway']) expect(page).not.toContain(hidden);
    const all = await caseworker.get(`${paths.children.list}?status=all&name=testsmith`);
    expect(resultNames(all.body).sort()).toEqual(['Jon Testsmith', 'Jonny Testsmyth', 'Movedaway Testsmith']);
    expect(heading(all.body)).toBe('3 children and young people');

    // The NHS trust's practitioner sees Jonathan and Joan (involved, consent for NHS trusts) and no one else.
    const practitioner = new Client(t.app);
    await practitioner.signIn(PRACTITIONER);
    const theirs = await practitioner.get(`${paths.children.list}?status=all`);
    expect(resultNames(theirs.body).sort()).toEqual(['Joan Testsmith', 'Jonathan Testsmith']);
    expect(heading(theirs.body)).toBe('2 children and young people');
  });

  it('counts the same children however the list is narrowed, and exactly those the sharing rule allows', async () => {
    const user = await db
      .selectFrom('users as u')
      .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
      .select(['u.id', 'u.organisation_id', 'o.type'])
      .where('u.email', '=', CASEWORKER)
      .executeTakeFirstOrThrow();
    const allowed = await visibleChildIds(db, {
      userId: user.id,
      organisationId: user.organisation_id,
      organisationType: user.type,
      roles: ['caseworker'],
    }).execute();
    const total = (q: string) => caseworker.get(`${paths.children.list}?status=all${q}`).then((r) => Number(/(?:of |^)(\d+) child/.exec(heading(r.body)!)![1]));
    const everyone = await total('');
    expect(everyone).toBe(allowed.length);
    let byBand = 0;
    for (const band of ['0-4', '5-10', '11-15', '16-19', '20-25']) byBand += await total(`&age=${band}`);
    expect(byBand).toBe(everyone);
  });

  it('shows each child’s date of birth, age, need, locality and key worker, linking to their record', async () => {
    const res = await caseworker.get(`${paths.children.list}?nhsNumber=${nhs.jon}`);
    const page = text(res.body);
    expect(res.body).toContain(`href="${paths.children.record(ids.jon)}"`);
    expect(page).toContain('Jon Testsmith');
    expect(page).toContain('7 March 2015');
    expect(page).toContain('Autism');
    expect(page).toContain('EHC plan');
    expect(page).toContain('Testnorth (fictional)');
    expect(page).toContain('Demo Caseworker');
    expect(page).toContain('1 child or young person');
  });

  it('finds names in any order and with small misspellings, best match first', async () => {
    const res = await caseworker.get(`${paths.children.list}?name=${encodeURIComponent('testsmith jon')}`);
    expect(res.status).toBe(200);
    expect(resultNames(res.body)).toEqual(['Jon Testsmith', 'Jonny Testsmyth']);
    expect(text(res.body)).toContain('Best matches for the name first');
    // Misspelt and swapped letters, words reversed.
    const typo = await caseworker.get(`${paths.children.list}?name=${encodeURIComponent('jno tsetsmith')}`);
    expect(resultNames(typo.body)[0]).toBe('Jon Testsmith');
    // Capitals, punctuation and a preferred name.
    expect(resultNames((await caseworker.get(`${paths.children.list}?name=${encodeURIComponent('TESTINJECTION, danger')}`)).body)).toEqual([
      '=HYPERLINK("http://example.org","x") Testinjection',
    ]);
    // Hidden children are never found, nor counted: Jonathan Testsmith's exact name finds no one.
    const jonathan = await caseworker.get(`${paths.children.list}?name=jonathan+testsmith`);
    expect(resultNames(jonathan.body)).toEqual([]);
    expect(heading(jonathan.body)).toBe('0 children and young people');
    const hidden = await caseworker.get(`${paths.children.list}?name=withdrawn`);
    expect(resultNames(hidden.body)).toEqual([]);
    expect(heading(hidden.body)).toBe('0 children and young people');
    expect(text(hidden.body)).toContain('No children or young people that you can see match your search');
  });

  it('finds by date of birth, NHS number with spaces, UPN in any case and postcode, full or district', async () => {
    const find = async (q: string) => resultNames((await caseworker.get(`${paths.children.list}?${q}`)).body);
    expect(await find('dateOfBirth-day=7&dateOfBirth-month=3&dateOfBirth-year=2015')).toEqual(['Jon Testsmith']);
    const spaced = `${nhs.jonny!.slice(0, 3)} ${nhs.jonny!.slice(3, 6)} ${nhs.jonny!.slice(6)}`;
    expect(await find(`nhsNumber=${encodeURIComponent(spaced)}`)).toEqual(['Jonny Testsmyth']);
    expect(await find(`upn=${upnFor(2).toLowerCase()}`)).toEqual(['Jonny Testsmyth']);
    // Joan lives at DM1 4AB too, but is hidden.
    expect(await find('postcode=dm14ab')).toEqual(['Jon Testsmith']);
    expect(await find('postcode=DM1')).toEqual(['Jon Testsmith']);
    expect(await find('postcode=DM14')).toEqual(['Jonny Testsmyth']);
    expect(await find('postcode=DM2')).toEqual([]);
  });

  it('does not reveal a hidden child found by an identifier: the same answer as no child at all', async () => {
    const hidden = await caseworker.get(`${paths.children.list}?nhsNumber=${nhs.jonathan}`);
    const nobody = await caseworker.get(`${paths.children.list}?nhsNumber=${nextNhsNumber()}`);
    expect(hidden.status).toBe(200);
    expect(heading(hidden.body)).toBe('0 children and young people');
    expect(text(hidden.body).replace(/\d{10}/g, '')).toBe(text(nobody.body).replace(/\d{10}/g, ''));
    const file = await caseworker.get(`${paths.children.export}?format=csv&nhsNumber=${nhs.jonathan}`);
    expect(file.status).toBe(200);
    expect(file.body.trim().split('\r\n')).toHaveLength(1);
  });

  it('filters by need, age, locality, key worker, status and EHC plan', async () => {
    const find = async (q: string) => resultNames((await caseworker.get(`${paths.children.list}?name=testsmith&${q}`)).body).sort();
    expect(await find('need=ASD')).toEqual(['Jon Testsmith']);
    expect(await find('need=SLCN')).toEqual(['Jonny Testsmyth']);
    expect(await find('age=16-19')).toEqual(['Jonny Testsmyth']);
    expect(await find('age=5-10')).toEqual(ageOn('2015-03-07', todayInLondon()) <= 10 ? ['Jon Testsmith'] : []);
    expect(await find('age=11-15')).toEqual(ageOn('2015-03-07', todayInLondon()) >= 11 ? ['Jon Testsmith'] : []);
    expect(await find(`locality=${south}`)).toEqual(['Jonny Testsmyth']);
    expect(await find('keyWorker=me')).toEqual(['Jon Testsmith']);
    expect(await find('status=moved-away')).toEqual(['Movedaway Testsmith']);
    expect(await find('status=all&age=0-4')).toEqual(['Movedaway Testsmith']);
    expect(await find('ehcPlan=yes')).toEqual(['Jon Testsmith']);
    expect(await find('ehcPlan=no')).toEqual(['Jonny Testsmyth']);
    // Filters without a name search work the same way.
    const paging = await caseworker.get(`${paths.children.list}?need=MLD`);
    expect(heading(paging.body)).toBe('Showing 1 to 25 of 30 children and young people');
  });

  it('explains a search it cannot run, shows no results, and records nothing', async () => {
    const before = await db
      .selectFrom('audit_log')
      .select(({ fn }) => fn.countAll<number>().as('n'))
      .where('action', '=', 'children.search')
      .executeTakeFirstOrThrow();
    const res = await caseworker.get(`${paths.children.list}?name=j&nhsNumber=123&dateOfBirth-day=31&dateOfBirth-month=2&dateOfBirth-year=2015`);
    expect(res.status).toBe(400);
    const page = text(res.body);
    expect(page).toContain('There is a problem');
    expect(page).toContain('Enter at least 2 letters of the name');
    expect(page).toContain('Enter the NHS number as 10 digits');
    expect(page).toContain('Date of birth must be a real date');
    expect(res.body).toContain('href="#dateOfBirth-day"');
    expect(res.body).toContain('value="123"');
    expect(resultNames(res.body)).toEqual([]);
    const after = await db
      .selectFrom('audit_log')
      .select(({ fn }) => fn.countAll<number>().as('n'))
      .where('action', '=', 'children.search')
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('pages through results 25 at a time, keeping the search', async () => {
    const first = await caseworker.get(`${paths.children.list}?need=MLD`);
    expect(resultNames(first.body)).toHaveLength(25);
    expect(first.body).toContain('aria-label="Pages of results"');
    expect(first.body).toContain('href="/children?need=MLD&amp;sort=name&amp;order=asc&amp;page=2"');
    const second = await caseworker.get(`${paths.children.list}?need=MLD&sort=name&order=asc&page=2`);
    expect(heading(second.body)).toBe('Showing 26 to 30 of 30 children and young people');
    const names = [...resultNames(first.body), ...resultNames(second.body)];
    expect(new Set(names).size).toBe(30);
    expect(second.body).toContain('aria-current="page"');
    // A page past the end shows the last page.
    expect(resultNames((await caseworker.get(`${paths.children.list}?need=MLD&page=99`)).body)).toEqual(resultNames(second.body));
  });

  it('sorts by name, date of birth and date joined, with links in the column headers and aria-sort', async () => {
    const byName = await caseworker.get(`${paths.children.list}?need=MLD`);
    const names = resultNames(byName.body);
    expect(names.slice(0, 3)).toEqual(['PageA Testpaging', 'PageAa Testpaging', 'PageB Testpaging']);
    expect(byName.body).toMatch(
      /<th scope="col" class="govuk-table__header" aria-sort="ascending"><a [^>]*href="\/children\?need=MLD&amp;sort=name&amp;order=desc">Name<\/a><\/th>/,
    );
    expect(byName.body).toMatch(/aria-sort="none"><a [^>]*href="\/children\?need=MLD&amp;sort=dob&amp;order=asc">Date of birth<\/a>/);

    const byDobDesc = await caseworker.get(`${paths.children.list}?need=MLD&sort=dob&order=desc`);
    // The youngest (born 2010-01-30) first: i = 29, "PageDa".
    expect(resultNames(byDobDesc.body)[0]).toBe('PageDa Testpaging');
    expect(byDobDesc.body).toContain(
      'aria-sort="descending"><a class="govuk-link jointly-sort-link" href="/children?need=MLD&amp;sort=dob&amp;order=asc">Date of birth</a>',
    );

    const byJoined = await caseworker.get(`${paths.children.list}?need=MLD&sort=joined&order=asc`);
    // Joined earliest: i = 29 again (joined 2024-01-01 minus 29 days).
    expect(resultNames(byJoined.body)[0]).toBe('PageDa Testpaging');
    const byJoinedDesc = await caseworker.get(`${paths.children.list}?need=MLD&sort=joined&order=desc`);
    expect(resultNames(byJoinedDesc.body)[0]).toBe('PageA Testpaging');

    // A name search can be sorted by a column too.
    const named = await caseworker.get(`${paths.children.list}?name=testsmith+jon&sort=dob&order=asc`);
    expect(resultNames(named.body)).toEqual(['Jonny Testsmyth', 'Jon Testsmith']);
  });

  it('exports what the person may see as CSV, with formulas neutralised, and audits the number of rows', async () => {
    const res = await caseworker.get(`${paths.children.export}?format=csv&status=all&name=testsmith`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="children-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.headers['cache-control']).toBe('no-store');
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe(
      'Given name,Family name,Preferred name,Date of birth,NHS number,UPN,Postcode,Primary need,EHC plan,Locality,Key worker,Status,Joined the register',
    );
    expect(lines).toHaveLength(4);
    const jon = lines.find((l) => l.startsWith('Jon,'))!;
    expect(jon).toBe(
      `Jon,Testsmith,,2015-03-07,${nhs.jon!.slice(0, 3)} ${nhs.jon!.slice(3, 6)} ${nhs.jon!.slice(6)},${upnFor(1)},DM1 4AB,Autism,Yes,Testnorth (fictional),Demo Caseworker,Active,2020-01-01`,
    );
    expect(res.body).toContain('Movedaway,Testsmith');
    for (const hidden of ['Jonathan', 'Joan', 'Withdrawn']) expect(res.body).not.toContain(hidden);
    const audit = await latestAudit('children.export');
    const exported = await db.selectFrom('audit_children').select('child_id').where('audit_id', '=', audit.id).execute();
    const ids = exported.map((r) => r.child_id);
    expect(ids).toHaveLength(3);
    // The entry's details carry a digest of exactly the linked children, so the hash chain covers the links.
    expect(JSON.parse(audit.details)).toEqual({ format: 'csv', filters: ['name', 'status'], rows: 3, children: { count: 3, sha256: childrenDigest(ids) } });
    expect(audit.details).not.toContain('testsmith');
    // Each exported child's "who has looked" lists the export; a child not exported does not.
    const [jonId] = (await db.selectFrom('children').select('id').where('given_name', '=', 'Jon').where('family_name', '=', 'Testsmith').execute()).map(
      (r) => r.id,
    );
    expect(ids).toContain(jonId);
    const jonLooks = (await whoHasLooked(db, jonId!)).entries.map((e) => e.what);
    expect(jonLooks).toContain('Exported a list that included them');
    const [joanId] = (await db.selectFrom('children').select('id').where('given_name', '=', 'Joan').execute()).map((r) => r.id);
    expect(ids).not.toContain(joanId);
    expect((await whoHasLooked(db, joanId!)).entries.map((e) => e.what)).not.toContain('Exported a list that included them');

    const injected = await caseworker.get(`${paths.children.export}?format=csv&name=testinjection`);
    expect(injected.body).toContain(`"'=HYPERLINK(""http://example.org"",""x"")",Testinjection,'@Danger`);
  });

  it('exports the same as an Excel spreadsheet that reads back with only visible children', async () => {
    const cookie = [...caseworker.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await t.app.inject({ method: 'GET', url: `${paths.children.export}?format=xlsx&status=all`, headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Children')!;
    const rows: string[][] = [];
    ws.eachRow((row) =>
      rows.push(
        Array.from({ length: 13 }, (_, i) => {
          const v = row.getCell(i + 1).value;
          if (v instanceof Date) return v.toISOString().slice(0, 10);
          // A rich-text, hyperlink or formula cell is spelt out whole: it never equals the plain text expected of it.
          return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v ?? '');
        }),
      ),
    );
    expect(rows[0]![0]).toBe('Given name');
    expect(rows).toHaveLength(1 + 34);
    const given = rows.slice(1).map((r) => r[0]);
    for (const hidden of ['Jonathan', 'Joan', 'Withdrawn']) expect(given).not.toContain(hidden);
    const jon = rows.find((r) => r[0] === 'Jon')!;
    expect(jon.slice(0, 6)).toEqual(['Jon', 'Testsmith', '', '2015-03-07', `${nhs.jon!.slice(0, 3)} ${nhs.jon!.slice(3, 6)} ${nhs.jon!.slice(6)}`, upnFor(1)]);
    const formula = rows.find((r) => r[1] === 'Testinjection')!;
    expect(formula[0]).toBe('\'=HYPERLINK("http://example.org","x")');
    expect(formula[2]).toBe("'@Danger");
    expect(ws.getCell(`A${rows.indexOf(formula) + 1}`).formula).toBeUndefined();
    const audit = await latestAudit('children.export');
    expect(JSON.parse(audit.details)).toMatchObject({ format: 'xlsx', filters: ['status'], rows: 34, children: { count: 34 } });
  });

  it('audits every search with the filters used and the number found, never the terms', async () => {
    await caseworker.get(`${paths.children.list}?name=${encodeURIComponent('testsmith jon')}&nhsNumber=${nhs.jon}&postcode=DM1&need=ASD`);
    const audit = await latestAudit('children.search');
    expect(audit.result).toBe('allowed');
    expect(audit.user_id).toBe(caseworkerId);
    const shown = await db.selectFrom('audit_children').select('child_id').where('audit_id', '=', audit.id).execute();
    expect(shown).toHaveLength(1);
    expect(JSON.parse(audit.details)).toEqual({
      filters: ['name', 'NHS number', 'postcode district', 'primary need'],
      results: 1,
      page: 1,
      sort: 'match',
      children: { count: 1, sha256: childrenDigest(shown.map((r) => r.child_id)) },
    });
    expect(audit.details).not.toMatch(/testsmith|jon|DM1|ASD/i);
    expect(audit.details).not.toContain(nhs.jon);
    // The child found lists the search in its "who has looked".
    expect((await whoHasLooked(db, shown[0]!.child_id)).entries.map((e) => e.what)).toContain('Found them in a search');
  });

  it('refuses people without a casework role, and asks for a format it knows', async () => {
    for (const email of [COMMISSIONER, ADMIN]) {
      const c = new Client(t.app);
      await c.signIn(email);
      expect((await c.get(paths.children.list)).status).toBe(403);
      expect((await c.get(`${paths.children.export}?format=csv`)).status).toBe(403);
    }
    const anonymous = await new Client(t.app).get(paths.children.list);
    expect(anonymous.status).toBe(303);
    const bad = await caseworker.get(`${paths.children.export}?format=pdf`);
    expect(bad.status).toBe(400);
    expect(text(bad.body)).toContain('Choose to download the results as CSV or Excel');
  });

  it('offers the downloads and the pages in the search page', async () => {
    const res = await caseworker.get(`${paths.children.list}?name=testsmith`);
    expect(res.body).toContain('href="/children/export?name=testsmith&amp;format=csv&amp;sort=match&amp;order=asc"');
    expect(res.body).toContain('href="/children/export?name=testsmith&amp;format=xlsx&amp;sort=match&amp;order=asc"');
    expect(text(res.body)).toContain('Clear search and filters');
  });
});

// In a browser, with axe checking every page: a caseworker finds a child by a misspelt name,
// sorts, pages through, and is told plainly what is wrong with a search.
describe.skipIf(!chromiumPath())('finding a child in a browser', { timeout: JOURNEY_TIMEOUT }, () => {
  const journey = useJourney();

  it('searches, sorts, pages and explains mistakes, on pages that pass axe', async () => {
    const db = journey.server.database.db;
    await createChild(db, { given: 'Jon', family: 'Testsmith', dob: '2015-03-07', need: 'ASD', ...EDU });
    await createChild(db, { given: 'Jonny', family: 'Testsmyth', dob: '2012-05-01', ...EDU });
    await createChild(db, { given: 'Jonathan', family: 'Testsmith', involved: ['DEMO-EDU'], consent: ['nhs-trust'] });
    for (let i = 0; i < 26; i++)
      await createChild(db, { given: `Page${String.fromCharCode(65 + i)}`, family: 'Testpaging', dob: addDays('2011-01-01', i), ...EDU });

    const site = await Site.open(journey.browser, journey.server.baseUrl);
    await site.signIn(CASEWORKER, DEMO_PASSWORD);
    await site.follow('Children', 'nav[aria-label="Main menu"]');
    expect(await site.heading()).toBe('Children and young people');
    expect(await site.mainText()).toContain('Showing 1 to 25 of 28 children and young people');

    await site.page.getByLabel('Name', { exact: true }).fill('testsmyth jonny');
    await site.submit('Search');
    const rows = site.page.locator('table tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.first().innerText()).toContain('Jonny Testsmyth');
    expect(await site.mainText()).not.toContain('Jonathan');

    await site.follow('Date of birth');
    expect(await site.page.locator('th[aria-sort="ascending"]').innerText()).toBe('Date of birth');
    expect(await rows.first().innerText()).toContain('Jonny Testsmyth');
    await site.follow('Date of birth');
    expect(await site.page.locator('th[aria-sort="descending"]').innerText()).toBe('Date of birth');
    expect(await rows.first().innerText()).toContain('Jon Testsmith');

    await site.follow('Clear search and filters');
    await site.follow('Next page');
    expect(await site.mainText()).toContain('Showing 26 to 28 of 28 children and young people');

    await site.page.getByLabel('NHS number').fill('123 456');
    await site.page.getByLabel('Postcode').fill('nowhere');
    await site.submit('Search');
    const summary = await site.page.locator('.govuk-error-summary').innerText();
    expect(summary).toContain('Enter the NHS number as 10 digits, like 943 476 5919');
    expect(summary).toContain('Enter a full postcode, like DM1 4AB, or the first part of one, like DM1');
    expect(await site.page.locator('table').count()).toBe(0);
    await site.close();
  });
});
