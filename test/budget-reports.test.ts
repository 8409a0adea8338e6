// The budget reports over HTTP on both databases, with the demo money posted through the budgets
// services: every figure on the board report is the sum of the ledger entries behind it, the
// trail reaches a single entry and its package and decision, per-child figures appear only for
// people who may see the child (and are audited like the record), and the downloads carry the
// same figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { sql } from 'kysely';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds, openTestDatabase } from './support/db.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import { seedPopulation } from '../src/demo/population.js';
import { demoFinancialYear, seedDemoMoney } from '../src/demo/money.js';
import { post, reverse, unbalancedTransactions } from '../src/capabilities/money/budgets/ledger.js';
import { formatPence } from '../src/platform/money.js';
import { childReference } from '../src/capabilities/money/budgets/packages.js';
import { boardRows, spendBy } from '../src/capabilities/money/budget-reports/service.js';
import { fineRowsFromEntries, groupBy, protectGroups, type FineRow } from '../src/capabilities/money/budget-reports/rules.js';
import { visibleChild } from '../src/capabilities/record/sharing/service.js';
import { seedDemo } from '../src/demo/seed.js';
import type { Db } from '../src/platform/db/database.js';

const FINANCE = 'finance@demoshire.example.org';
const KEYWORKER = 'keyworker@demoshire.example.org';
const CASEWORKER = 'caseworker@demoshire.example.org';
const COMMISSIONER = 'commissioner@demoshire.example.org';
/** A person who is both finance officer and key worker (made by the test): sees names of the children the key worker may see. */
const BOTH = 'finance-and-keyworker@demoshire.example.org';

async function entriesOf(db: Db) {
  const rows = await db.selectFrom('ledger_entries').selectAll().execute();
  return rows.map((r) => ({
    account: r.account,
    amountPence: Number(r.amount_pence),
    agreementId: r.agreement_id,
    partnerId: r.partner_id,
    financialYear: r.financial_year,
    serviceCategory: r.service_category,
    packageId: r.package_id,
    childId: r.child_id,
  }));
}
const hrefs = (html: string, prefix: string) =>
  [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&')).filter((h) => h.startsWith(prefix));

describe.each(databaseKinds())('budget reports on %s', (kind) => {
  let t: TestApp;
  const today = todayInLondon();
  const fy = demoFinancialYear(today);
  const finance = () => clients.get(FINANCE)!;
  const clients = new Map<string, Client>();

  beforeAll(async () => {
    t = await buildTestApp(kind);
    await seedPopulation(t.database.db, { children: 60, today });
    const money = await seedDemoMoney(t.database.db, { today });
    expect(money.packages).toBeGreaterThan(30);
    // A person with both roles, at the key worker's organisation.
    const kw = await t.database.db.selectFrom('users').select(['organisation_id', 'password_hash']).where('email', '=', KEYWORKER).executeTakeFirstOrThrow();
    const u = await t.database.db
      .insertInto('users')
      .values({ organisation_id: kw.organisation_id, display_name: 'Demo Finance and Key Worker', email: BOTH, password_hash: kw.password_hash })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.database.db
      .insertInto('user_roles')
      .values([
        { user_id: u.id, role: 'finance-officer' },
        { user_id: u.id, role: 'key-worker' },
      ])
      .execute();
    for (const email of [FINANCE, KEYWORKER, CASEWORKER, BOTH, COMMISSIONER]) {
      const c = new Client(t.app);
      expect((await c.signIn(email)).status).toBe(303);
      clients.set(email, c);
    }
  }, 180_000);
  afterAll(() => t?.close());

  it('the demo books balance, and the board report’s totals are the sums of the ledger entries', async () => {
    expect(await unbalancedTransactions(t.database.db)).toEqual([]);
    const entries = await entriesOf(t.database.db);
    const sum = (account: string) => entries.filter((e) => e.financialYear === fy && e.account === account).reduce((a, e) => a + e.amountPence, 0);
    const expected = groupBy(fineRowsFromEntries(entries, fy), 'partner').total;
    // The SQL and the pure rule agree row by row, each package's unspent commitment included (issue 19).
    const key = (r: FineRow) => `${r.agreementId}|${r.partnerId ?? ''}|${r.category ?? ''}`;
    // (Rows of accounts the report does not read are all zeros in the pure rule's answer, and absent from the SQL's.)
    const sorted = (rows: FineRow[]) =>
      rows.filter((r) => r.budget || r.commitment || r.actual || r.unmatched || r.remaining).sort((a, b) => key(a).localeCompare(key(b)));
    expect(sorted(await boardRows(t.database.db, fy))).toEqual(sorted(fineRowsFromEntries(entries, fy)));
    expect(expected.budget).toBe(sum('budget'));
    expect(expected.budget).toBe(-sum('contributions'));
    expect(expected.actual).toBe(sum('spend'));
    expect(expected.commitment).toBe(sum('commitments'));
    expect(expected.unmatched).toBeGreaterThan(0); // some demo invoices are not matched

    const res = await finance().get(`${paths.budgetReports.board}?year=${fy}`);
    expect(res.status).toBe(200);
    const page = text(res.body);
    // The total row of each of the three tables shows the same six figures.
    const totalRow = `Total ${[expected.budget, expected.commitment, expected.actual, expected.unmatched, expected.forecast, expected.variance]
      .map(
        (p, i) =>
          `${formatPence(p)} ${['budget', 'commitment', 'actual spend', 'invoices not yet matched', 'forecast outturn', 'budget left after forecast'][i]}, total: see the entries`,
      )
      .join(' ')}`;
    expect(page.split(totalRow).length - 1).toBe(3);
    expect(page).toContain('Forecast outturn is actual spend so far');
    // A chart with the table: an accessible SVG, never a canvas.
    expect(res.body).toMatch(/<svg[^>]+role="img"[^>]+aria-labelledby="chart-partner-title chart-partner-desc"/);
    expect(res.body).not.toContain('<canvas');
    // Each partner's share against the agreed share.
    expect(page).toContain('Agreed share');
    expect(page).toMatch(/Social care \(demo\) £[\d,]+\.\d\d spent by Social care \(demo\): see the entries [\d.]+% 50%/);
  });

  it('every figure on the board report links to entries that add up to it', async () => {
    const res = await finance().get(`${paths.budgetReports.board}?year=${fy}`);
    const links = [...new Set(hrefs(res.body, paths.budgetReports.entries))];
    expect(links.length).toBeGreaterThan(40);
    // Each figure is written just before its link closes: check a spread of them.
    const cells = [...res.body.matchAll(/<a class="govuk-link" href="([^"]+)">(-?£[\d,]+\.\d\d)<span/g)].map((m) => ({
      href: m[1]!.replace(/&amp;/g, '&'),
      text: m[2]!,
    }));
    expect(cells.length).toBeGreaterThan(100);
    for (const c of cells.filter((_, i) => i % 9 === 0)) {
      const measure = new URL(c.href, 'http://x').searchParams.get('measure')!;
      if (measure === 'forecast' || measure === 'variance') continue; // worked out from several accounts, package by package
      const list = await finance().get(c.href);
      expect(list.status).toBe(200);
      // The first sum on the page is the figure's own account.
      const shown = /<dd class="govuk-summary-list__value">\s*(-?£[\d,]+\.\d\d)/.exec(list.body)?.[1];
      expect(shown, c.href).toBe(c.text);
    }
  });

  it('the trail goes from a total down to one entry, its package, the decision and the invoice', async () => {
    const board = await finance().get(`${paths.budgetReports.board}?year=${fy}`);
    const actualHref = hrefs(board.body, paths.budgetReports.entries).find((h) => h.includes('measure=actual') && h.includes('partner='))!;
    const list = await finance().get(actualHref);
    const txHref = hrefs(list.body, '/budgets/reports/transactions/')[0]!;
    const tx = await finance().get(txHref);
    expect(tx.status).toBe(200);
    const txPage = text(tx.body);
    expect(txPage).toContain('Recorded by Demo Finance Officer');
    expect(txPage).toContain('(it balances)');
    expect(txPage).toMatch(/Derives from .*Invoice DEMO-/);
    const invoiceHref = hrefs(tx.body, '/budgets/reports/invoices/')[0]!;
    expect(text((await finance().get(invoiceHref)).body)).toContain('Payments');
    const pkgHref = hrefs(tx.body, '/budgets/reports/packages/')[0]!;
    const pkg = await finance().get(pkgHref);
    expect(pkg.status).toBe(200);
    const pkgPage = text(pkg.body);
    expect(pkgPage).toMatch(/Why: Agreed at the demo multi-agency panel \(fictional decision \d{4}-\d{3}\)/);
    // The finance officer may not see any child's record: the child is shown by finance reference only.
    const childId = await t.database.db.selectFrom('packages').select('child_id').where('id', '=', pkgHref.split('/').pop()!).executeTakeFirstOrThrow();
    const child = await t.database.db.selectFrom('children').select(['given_name', 'family_name']).where('id', '=', childId.child_id).executeTakeFirstOrThrow();
    expect(pkgPage).toContain(childReference(childId.child_id));
    expect(pkgPage).not.toContain(child.family_name);
    // The trail back from the commitment to the package change that made it.
    const commitment = hrefs(pkg.body, '/budgets/reports/transactions/').at(-1)!;
    expect(text((await finance().get(commitment)).body)).toMatch(/Derives from Package PKG-\d+, version 1/);
  });

  it('shows per-child figures only for children the person may see, and audits them', async () => {
    const db = t.database.db;
    const both = await db
      .selectFrom('users as u')
      .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
      .select(['u.id', 'u.organisation_id', 'o.type'])
      .where('email', '=', BOTH)
      .executeTakeFirstOrThrow();
    const viewer = { userId: both.id, organisationId: both.organisation_id, organisationType: both.type, roles: ['finance-officer', 'key-worker'] };
    const withMoney = await db
      .selectFrom('packages as k')
      .innerJoin('children as c', 'c.id', 'k.child_id')
      .select(['c.id', 'c.given_name', 'c.family_name'])
      .distinct()
      .execute();
    const visible = new Set((await db.selectFrom('children as c').select('c.id').where(visibleChild(viewer, 'c')).execute()).map((r) => r.id));
    const seen = withMoney.filter((c) => visible.has(c.id));
    const hidden = withMoney.filter((c) => !visible.has(c.id));
    expect(seen.length).toBeGreaterThan(0);
    expect(hidden.length).toBeGreaterThan(0);

    const res = await clients.get(BOTH)!.get(`${paths.budgetReports.spend}?year=${fy}`);
    expect(res.status).toBe(200);
    const page = text(res.body);
    for (const c of seen.slice(0, 50)) expect(page).toContain(`${c.given_name} ${c.family_name}`);
    const seenNames = new Set(seen.map((c) => `${c.given_name} ${c.family_name}`));
    for (const c of hidden) if (!seenNames.has(`${c.given_name} ${c.family_name}`)) expect(page).not.toContain(`${c.given_name} ${c.family_name}`);
    // The finance officer alone may see no child: no names at all.
    const fin = text((await finance().get(`${paths.budgetReports.spend}?year=${fy}`)).body);
    for (const c of withMoney) expect(fin).not.toContain(`${c.given_name} ${c.family_name}`);
    expect(fin).toContain('No figures for individual children are shown');
    // The view is in each shown child's "who has looked".
    const audited = await db
      .selectFrom('audit_log as a')
      .innerJoin('audit_children as ac', 'ac.audit_id', 'a.id')
      .select('ac.child_id')
      .where('a.action', '=', 'budgets.reports.spend')
      .where('a.user_id', '=', both.id)
      .execute();
    expect(new Set(audited.map((a) => a.child_id))).toEqual(new Set(seen.map((c) => c.id)));
  });

  it('a child’s money page follows the sharing rule, and its figures are the child’s entries', async () => {
    const db = t.database.db;
    const kw = await db
      .selectFrom('users as u')
      .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
      .select(['u.id', 'u.organisation_id', 'o.type'])
      .where('email', '=', KEYWORKER)
      .executeTakeFirstOrThrow();
    const viewer = { userId: kw.id, organisationId: kw.organisation_id, organisationType: kw.type, roles: ['key-worker'] };
    const kids = await db
      .selectFrom('packages as k')
      .innerJoin('children as c', 'c.id', 'k.child_id')
      .select(['c.id', 'c.family_name', sql<boolean>`${visibleChild(viewer, 'c')}`.as('visible')])
      .distinct()
      .execute();
    const yes = kids.find((k) => k.visible)!;
    const no = kids.find((k) => !k.visible)!;
    const res = await clients.get(KEYWORKER)!.get(`${paths.budgetReports.child(yes.id)}?year=${fy}`);
    expect(res.status).toBe(200);
    const spent = (
      await db
        .selectFrom('ledger_entries')
        .select(sql<string>`coalesce(sum(amount_pence), 0)::bigint`.as('p'))
        .where('child_id', '=', yes.id)
        .where('account', '=', 'spend')
        .where('financial_year', '=', fy)
        .executeTakeFirstOrThrow()
    ).p;
    expect(text(res.body)).toContain(formatPence(Number(spent)));
    expect(text(res.body)).toContain(yes.family_name);
    expect((await clients.get(KEYWORKER)!.get(paths.budgetReports.child(no.id))).status).toBe(404);
    // No budgets permission, no board report; no casework role, no child page.
    expect((await clients.get(KEYWORKER)!.get(paths.budgetReports.board)).status).toBe(403);
    expect((await finance().get(paths.budgetReports.child(yes.id))).status).toBe(403);
    const audit = await db
      .selectFrom('audit_log')
      .select(['subject_type', 'subject_id'])
      .where('action', '=', 'budgets.reports.child')
      .where('user_id', '=', kw.id)
      .execute();
    expect(audit).toContainEqual({ subject_type: 'child', subject_id: yes.id });
  });

  it('downloads the board figures as CSV and XLSX, the same as on screen', async () => {
    const entries = await entriesOf(t.database.db);
    const total = groupBy(fineRowsFromEntries(entries, fy), 'partner').total;
    const pounds = (p: number) => (p / 100).toFixed(2);
    const csv = await finance().get(`${paths.budgetReports.export}?report=board&format=csv&year=${fy}`);
    expect(csv.status).toBe(200);
    expect(String(csv.headers['content-type'])).toContain('text/csv');
    expect(csv.body).toContain(
      `Total,${[total.budget, total.commitment, total.actual, total.unmatched, total.forecast, total.variance].map(pounds).join(',')}\r\n`,
    );
    const xlsx = await t.app.inject({
      method: 'GET',
      url: `${paths.budgetReports.export}?report=board&format=xlsx&year=${fy}`,
      headers: { cookie: [...finance().cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    expect(xlsx.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet(`By partner ${fy}`)!;
    const last = ws.getRow(ws.rowCount);
    expect(last.getCell(1).value).toBe('Total');
    expect(last.getCell(4).value).toBe(total.actual / 100);
    const spend = await finance().get(`${paths.budgetReports.export}?report=spend&format=csv&year=${fy}`);
    expect(spend.status).toBe(200);
    expect(spend.body).toContain('Unit costs');
    // No child's name leaves in the spend download.
    const names = await t.database.db.selectFrom('packages as k').innerJoin('children as c', 'c.id', 'k.child_id').select('c.family_name').execute();
    for (const n of names) expect(spend.body).not.toContain(n.family_name);
  });

  it('spend by service links to the entries behind it; need and locality do not link at all', async () => {
    const res = await finance().get(`${paths.budgetReports.spend}?year=${fy}`);
    const section = (id: string) => res.body.slice(res.body.indexOf(`id="${id}"`), res.body.indexOf('</section>', res.body.indexOf(`id="${id}"`)));
    expect(hrefs(section('need'), paths.budgetReports.entries)).toEqual([]);
    expect(hrefs(section('locality'), paths.budgetReports.entries)).toEqual([]);
    const cells = [...section('service').matchAll(/<a class="govuk-link" href="([^"]+)">(-?£[\d,]+\.\d\d)<span class="govuk-visually-hidden"> actual spend/g)];
    expect(cells.length).toBeGreaterThan(0);
    for (const [, href, figure] of cells) {
      const list = await finance().get(href!.replace(/&amp;/g, '&'));
      expect(/<dd class="govuk-summary-list__value">\s*(-?£[\d,]+\.\d\d)/.exec(list.body)?.[1]).toBe(figure);
    }
  });

  it('commissioners get the aggregate reports with no drill-down; the row-level pages refuse them (docs/adr/0009)', async () => {
    const c = clients.get(COMMISSIONER)!;
    const board = await c.get(`${paths.budgetReports.board}?year=${fy}`);
    expect(board.status).toBe(200);
    expect(text(board.body)).toContain('Actual spend');
    expect(hrefs(board.body, paths.budgetReports.entries)).toEqual([]);
    // The page does not promise links it does not give (issue 14): it says who can open the entries.
    expect(text(board.body)).not.toContain('Every figure is a link');
    expect(text(board.body)).toContain('only finance officers can open them');
    const spend = await c.get(`${paths.budgetReports.spend}?year=${fy}`);
    expect(spend.status).toBe(200);
    expect(hrefs(spend.body, paths.budgetReports.entries)).toEqual([]);
    expect(text(spend.body)).not.toContain('Figures by service link');
    expect(text(spend.body)).toContain('only finance officers can open them');
    expect((await c.get(`${paths.budgetReports.export}?report=board&format=csv&year=${fy}`)).status).toBe(200);
    // What finance can follow, the commissioner cannot open.
    const financeBoard = await finance().get(`${paths.budgetReports.board}?year=${fy}`);
    expect(text(financeBoard.body)).toContain('Every figure is a link to the ledger entries');
    const entries = hrefs(financeBoard.body, paths.budgetReports.entries)[0]!;
    expect((await c.get(entries)).status).toBe(403);
    const list = await finance().get(entries);
    const tx = hrefs(list.body, '/budgets/reports/transactions/')[0]!;
    expect((await c.get(tx)).status).toBe(403);
    const pkg = await t.database.db.selectFrom('packages').select('id').executeTakeFirstOrThrow();
    expect((await c.get(paths.budgetReports.package(pkg.id))).status).toBe(403);
    expect((await c.get(paths.budgets.package(pkg.id))).status).toBe(403);
    expect((await c.get(paths.budgets.home)).status).toBe(403);
  });

  it('the entries of a service group the spend page hides are refused, even to finance', async () => {
    const groups = protectGroups(await spendBy(t.database.db, fy, 'service'));
    const hidden = groups.filter((g) => g.shown !== 'shown' && g.key);
    const shown = groups.find((g) => g.shown === 'shown' && g.key)!;
    expect(hidden.length).toBeGreaterThan(0);
    for (const g of hidden) {
      const res = await finance().get(`${paths.budgetReports.entries}?year=${fy}&measure=actual&service=${encodeURIComponent(g.key!)}`);
      expect(res.status, g.label).toBe(404);
    }
    expect((await finance().get(`${paths.budgetReports.entries}?year=${fy}&measure=actual&service=${encodeURIComponent(shown.key!)}`)).status).toBe(200);
  });

  it('refuses a year with no money, and a made-up figure, in plain words', async () => {
    const res = await finance().get(`${paths.budgetReports.board}?year=2101`);
    expect(res.status).toBe(400);
    expect(text(res.body)).toContain('There is no money recorded for 2101 to 2102');
    const bad = await finance().get(`${paths.budgetReports.entries}?year=${fy}&measure=nonsense`);
    expect(bad.status).toBe(400);
    expect(text(bad.body)).toContain('Choose which figure to show the entries of');
    expect((await finance().get(paths.budgetReports.transaction(999_999_999))).status).toBe(404);
  });
});

describe('report totals equal the sum of ledger entries for any postings (property, PGlite)', () => {
  it('holds after random postings and reversals', async () => {
    const database = await openTestDatabase('pglite');
    try {
      const db = database.db;
      await seedDemo(db);
      const orgs = await db.selectFrom('organisations').select('id').orderBy('code').limit(3).execute();
      const partners = await db
        .insertInto('budget_partners')
        .values(orgs.map((o, i) => ({ organisation_id: o.id, short_name: `P${i}` })))
        .returning('id')
        .execute();
      const agreements = await db
        .insertInto('pooling_agreements')
        .values([
          { code: 'PROP-A', name: 'A', arrangement: 'aligned', legal_basis: 'other', legal_basis_note: 'test', starts_on: '2025-04-01' },
          { code: 'PROP-B', name: 'B', arrangement: 'aligned', legal_basis: 'other', legal_basis_note: 'test', starts_on: '2025-04-01' },
        ])
        .returning('id')
        .execute();
      const accounts = ['budget', 'commitments', 'spend', 'suspense'] as const;
      const line = fc.record({
        account: fc.constantFrom(...accounts),
        pence: fc.integer({ min: 1, max: 5_000_000 }),
        agreement: fc.nat({ max: 1 }),
        partner: fc.option(fc.nat({ max: 2 }), { nil: null }),
        year: fc.constantFrom(2025, 2026),
        category: fc.option(fc.constantFrom('therapies', 'equipment'), { nil: null }),
      });
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(line, fc.boolean()), { minLength: 1, maxLength: 6 }), async (lines) => {
          for (const [l, reverseIt] of lines) {
            const dims = {
              agreementId: agreements[l.agreement]!.id,
              partnerId: l.partner === null ? null : partners[l.partner]!.id,
              financialYear: l.year,
              serviceCategory: l.category,
            };
            // The other side goes to an account the report does not read, as contributions and creditors do.
            const posted = await post(db, {
              idempotencyKey: `prop-${++n}`,
              kind: 'transfer',
              postedOn: '2026-05-01',
              reason: 'property test',
              recordedBy: null,
              lines: [
                { account: l.account, amountPence: l.pence, ...dims },
                { account: 'cash', amountPence: -l.pence, ...dims },
              ],
            });
            if (reverseIt)
              await reverse(db, { transactionId: posted.transactionId, postedOn: '2026-05-02', reason: 'property test reversal', recordedBy: null });
          }
          const entries = await entriesOf(db);
          for (const year of [2025, 2026]) {
            const fromSql = groupBy(await boardRows(db, year), 'agreement').total;
            const fromEntries = groupBy(fineRowsFromEntries(entries, year), 'agreement').total;
            expect(fromSql).toEqual(fromEntries);
            const raw = (a: string) => entries.filter((e) => e.financialYear === year && e.account === a).reduce((s, e) => s + e.amountPence, 0);
            expect(fromSql.actual).toBe(raw('spend'));
            expect(fromSql.budget).toBe(raw('budget'));
            expect(fromSql.commitment).toBe(raw('commitments'));
            expect(fromSql.unmatched).toBe(raw('suspense'));
          }
        }),
        { numRuns: 15 },
      );
      expect(await unbalancedTransactions(db)).toEqual([]);
    } finally {
      await database.close();
    }
  }, 120_000);
});
