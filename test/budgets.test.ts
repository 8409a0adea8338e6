// Joint budgets through the screens: a finance officer sets up partners and a pooled fund, its
// years and shares, contributions, a package with a split that changes over time, invoices
// (one by one and from a CSV file), payments and period closing. Every bad input is refused with
// its own message and nothing is written; the child's money shows on their record only to
// people who may see the record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { createChild, orgByCode } from './support/register.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import { childReference } from '../src/capabilities/money/budgets/packages.js';
import { unbalancedTransactions } from '../src/capabilities/money/budgets/ledger.js';
import { addDays, financialYearOf, periodOf, periodBounds } from '../src/platform/financial-year.js';

const FINANCE = 'finance@demoshire.example.org';
const COMMISSIONER = 'commissioner@demoshire.example.org';
const CASEWORKER = 'caseworker@demoshire.example.org';
const KEYWORKER = 'keyworker@demoshire.example.org';

const parts = (field: string, iso: string) => {
  const [y, m, d] = iso.split('-');
  return { [`${field}-day`]: String(Number(d)), [`${field}-month`]: String(Number(m)), [`${field}-year`]: y! };
};
const errorsOf = (body: string) =>
  [...body.matchAll(/<a href="(#[^"]+)">([^<]+)<\/a>/g)]
    .filter((m) => body.indexOf('govuk-error-summary') < m.index)
    .map((m) => ({ href: m[1]!, text: text(m[2]!).trim() }));

describe.each(databaseKinds())('joint budgets on %s', (kind) => {
  let t: TestApp;
  let finance: Client;
  const today = todayInLondon();
  const fy = financialYearOf(today);
  // A package running from the start of this financial year: its days are in open periods.
  const start = `${fy}-04-07`;
  const ids: { health: string; social: string; education: string; pool: string; childId: string; packageId: string; provider: string } = {} as never;

  beforeAll(async () => {
    t = await buildTestApp(kind);
    finance = new Client(t.app);
    expect((await finance.signIn(FINANCE)).status).toBe(303);
    ids.childId = (await createChild(t.database.db, { givenName: 'Budgetchild', familyName: 'Testfamily', involvedOrgCodes: ['DEMO-EDU'] })).childId;
    ids.provider = (await orgByCode(t.database.db, 'DEMO-PROV')).id;
  });
  afterAll(() => t?.close());

  const db = () => t.database.db;

  it('sets up partners, refusing the same organisation twice', async () => {
    const home = await finance.get(paths.budgets.home);
    expect(home.status).toBe(200);
    expect(text(home.body)).toContain('No pooling agreement has been set up yet');
    await finance.get(paths.budgets.newPartner);
    const empty = await finance.post(paths.budgets.newPartner, {});
    expect(empty.status).toBe(400);
    expect(errorsOf(empty.body).map((e) => e.text)).toEqual(['Select the organisation', 'Enter a short name, like Health or Social care']);
    for (const [code, name] of [
      ['DEMO-ICB', 'Health'],
      ['DEMO-CSC', 'Social care'],
      ['DEMO-EDU', 'Education'],
    ] as const) {
      await finance.get(paths.budgets.newPartner);
      const org = await orgByCode(db(), code);
      const res = await finance.post(paths.budgets.newPartner, { organisationId: org.id, shortName: name });
      expect(res.status, name).toBe(303);
    }
    const org = await orgByCode(db(), 'DEMO-ICB');
    const again = await finance.post(paths.budgets.newPartner, { organisationId: org.id, shortName: 'NHS' });
    expect(text(again.body)).toContain('NHS Demoshire Integrated Care Board (fictional) is already a partner');
    const partners = await db().selectFrom('budget_partners').select(['id', 'short_name']).execute();
    ids.health = partners.find((p) => p.short_name === 'Health')!.id;
    ids.social = partners.find((p) => p.short_name === 'Social care')!.id;
    ids.education = partners.find((p) => p.short_name === 'Education')!.id;
  });

  it('sets up a pooled fund, refusing one without a host or a legal basis', async () => {
    await finance.get(paths.budgets.newPool);
    const bad = await finance.post(paths.budgets.newPool, {
      name: 'Short breaks pool (fictional)',
      code: 'sb',
      arrangement: 'pooled',
      ...parts('startsOn', `${fy}-04-01`),
    });
    expect(bad.status).toBe(400);
    expect(errorsOf(bad.body).map((e) => e.text)).toEqual(['Select the legal basis of the agreement']);
    const noHost = await finance.post(paths.budgets.newPool, {
      name: 'Short breaks pool (fictional)',
      code: 'sb',
      arrangement: 'pooled',
      legalBasis: 'nhs-act-2006-s75',
      ...parts('startsOn', `${fy}-04-01`),
    });
    expect(errorsOf(noHost.body)).toEqual([{ href: '#hostPartnerId', text: 'Select the partner that hosts the pooled fund' }]);
    const ok = await finance.post(paths.budgets.newPool, {
      name: 'Short breaks pool (fictional)',
      code: 'short-breaks',
      arrangement: 'pooled',
      legalBasis: 'nhs-act-2006-s75',
      hostPartnerId: ids.social,
      ...parts('startsOn', `${fy}-04-01`),
    });
    expect(ok.status).toBe(303);
    ids.pool = (await db().selectFrom('pooling_agreements').select('id').where('code', '=', 'SHORT-BREAKS').executeTakeFirstOrThrow()).id;
    const page = text((await finance.get(ok.location!)).body);
    expect(page).toContain('Section 75 of the NHS Act 2006');
    expect(page).toContain('Social care');
  });

  it('adds a financial year only when the shares add up to exactly 100%', async () => {
    await finance.get(paths.budgets.addYear(ids.pool));
    const short = await finance.post(paths.budgets.addYear(ids.pool), {
      financialYear: String(fy),
      [`share-${ids.health}`]: '40',
      [`share-${ids.social}`]: '40',
      [`share-${ids.education}`]: '15',
    });
    expect(short.status).toBe(400);
    expect(errorsOf(short.body)).toEqual([{ href: '#shares', text: 'The partners’ shares add up to 95%: they must add up to exactly 100%' }]);
    const fraction = await finance.post(paths.budgets.addYear(ids.pool), { financialYear: String(fy), [`share-${ids.health}`]: '33.333' });
    expect(errorsOf(fraction.body)[0]!.text).toBe('Enter each share as a percentage from 0 to 100, with no more than 2 decimal places, like 33.33');
    const ok = await finance.post(paths.budgets.addYear(ids.pool), {
      financialYear: String(fy),
      [`share-${ids.health}`]: '40',
      [`share-${ids.social}`]: '40',
      [`share-${ids.education}`]: '20',
    });
    expect(ok.status).toBe(303);
    expect(
      await db().selectFrom('agreement_shares').select(['partner_id', 'share_bp']).where('agreement_id', '=', ids.pool).orderBy('share_bp').execute(),
    ).toHaveLength(3);
  });

  it('records a contribution, refusing negative amounts, parts of a penny and a closed period', async () => {
    const form = async () => {
      const page = await finance.get(paths.budgets.addContribution(ids.pool));
      return /name="token" value="([^"]+)"/.exec(page.body)![1]!;
    };
    const base = {
      financialYear: String(fy),
      partnerId: ids.health,
      serviceCategory: 'short-breaks',
      reason: 'NHS contribution to short breaks',
      ...parts('postedOn', today),
    };
    const negative = await finance.post(paths.budgets.addContribution(ids.pool), { ...base, token: await form(), amount: '-180,000' });
    expect(errorsOf(negative.body)).toEqual([
      { href: '#amount', text: 'The amount cannot be negative. To correct an amount already recorded, reverse it instead' },
    ]);
    const fractional = await finance.post(paths.budgets.addContribution(ids.pool), { ...base, token: await form(), amount: '10.005' });
    expect(errorsOf(fractional.body)).toEqual([
      { href: '#amount', text: 'The amount cannot include part of a penny: use no more than 2 digits after the decimal point, like 12.50' },
    ]);
    const token = await form();
    const ok = await finance.post(paths.budgets.addContribution(ids.pool), { ...base, token, amount: '£180,000.00' });
    expect(ok.status).toBe(303);
    // Sent twice (a double click): recorded once.
    expect((await finance.post(paths.budgets.addContribution(ids.pool), { ...base, token, amount: '£180,000.00' })).status).toBe(303);
    const rows = await db()
      .selectFrom('ledger_entries')
      .select(['account', 'amount_pence'])
      .where('agreement_id', '=', ids.pool)
      .where('account', '=', 'budget')
      .execute();
    expect(rows).toEqual([{ account: 'budget', amount_pence: 18_000_000 }]);
    // Last month closed: a contribution dated in it is refused with the period's name.
    const last = periodOf(addDays(`${today.slice(0, 8)}01`, -1));
    const bounds = periodBounds(last.financialYear, last.period);
    await finance.get(paths.budgets.periods);
    expect((await finance.post(paths.budgets.closePeriod, { period: `${last.financialYear}-${last.period}` })).status).toBe(303);
    const closed = await finance.post(paths.budgets.addContribution(ids.pool), {
      ...base,
      token: await form(),
      amount: '5',
      ...parts('postedOn', bounds.endsOn),
    });
    expect(closed.status).toBe(400);
    expect(errorsOf(closed.body)[0]!.text).toMatch(
      new RegExp(`^${bounds.name} \\(period ${last.period} of .*\\) is closed: nothing more can be posted to it$`),
    );
    const notEnded = await finance.post(paths.budgets.closePeriod, { period: `${fy}-${periodOf(today).period}` });
    expect(notEnded.status).toBe(400);
    expect(text(notEnded.body)).toContain('has not ended yet: a period can be closed only after its last day');
  });

  it('adds a package with a split that changes after six weeks, refusing one that ends before it starts or does not add up', async () => {
    const ref = childReference(ids.childId);
    const form = (over: Record<string, string> = {}) => ({
      childReference: ref,
      serviceCategory: 'short-breaks',
      service: 'Overnight short breaks after surgery',
      providerId: ids.provider,
      unitCost: '20.00',
      units: '10',
      frequency: 'week',
      ...parts('startsOn', start),
      [`split1-${ids.health}`]: '50',
      [`split1-${ids.social}`]: '50',
      ...parts('split2From', addDays(start, 42)),
      [`split2-${ids.social}`]: '100',
      reason: 'Panel agreed post-operative care',
      ...over,
    });
    await finance.get(paths.budgets.newPackage(ids.pool));
    const backwards = await finance.post(paths.budgets.newPackage(ids.pool), form(parts('endsOn', addDays(start, -1))));
    expect(backwards.status).toBe(400);
    expect(errorsOf(backwards.body)).toContainEqual({ href: '#endsOn-day', text: 'The package cannot end before it starts' });
    const notHundred = await finance.post(paths.budgets.newPackage(ids.pool), form({ [`split1-${ids.social}`]: '40' }));
    expect(errorsOf(notHundred.body)).toEqual([
      { href: '#split-1', text: 'Part 1 of the funding split adds up to 90%: the shares must add up to exactly 100%' },
    ]);
    const unknownChild = await finance.post(paths.budgets.newPackage(ids.pool), form({ childReference: 'C-0000-0000-0000' }));
    expect(errorsOf(unknownChild.body)[0]!.href).toBe('#childReference');
    const negativeCost = await finance.post(paths.budgets.newPackage(ids.pool), form({ unitCost: '-20' }));
    expect(errorsOf(negativeCost.body)).toEqual([
      { href: '#unitCost', text: 'The cost of one unit cannot be negative. To correct an amount already recorded, reverse it instead' },
    ]);
    expect(await db().selectFrom('packages').select('id').execute()).toEqual([]);

    const ok = await finance.post(paths.budgets.newPackage(ids.pool), form());
    expect(ok.status).toBe(303);
    ids.packageId = (await db().selectFrom('packages').select('id').executeTakeFirstOrThrow()).id;
    const page = text((await finance.get(ok.location!)).body);
    expect(page).toContain('Package added and its commitment posted');
    expect(page).toMatch(/to .*: Health 50%, Social care 50%/);
    expect(page).toMatch(/From .*: Social care 100%/);
    expect(page).toContain(ref);
    expect(page).not.toContain('Budgetchild');
    // Health pays half of six weeks at £200 a week: £600.
    const commitments = await db()
      .selectFrom('ledger_entries')
      .select(['partner_id', 'amount_pence'])
      .where('package_id', '=', ids.packageId)
      .where('account', '=', 'commitments')
      .execute();
    expect(commitments.find((c) => c.partner_id === ids.health)!.amount_pence).toBe(60_000);
  });

  it('records an invoice against the package, refuses a duplicate, lists one without a package as unmatched, and matches it', async () => {
    await finance.get(paths.budgets.newInvoice(ids.pool));
    const invoice = {
      providerId: ids.provider,
      supplierReference: 'INV-1001',
      packageId: ids.packageId,
      ...parts('serviceFrom', start),
      ...parts('serviceTo', addDays(start, 6)),
      amount: '200.00',
      ...parts('receivedOn', addDays(start, 10) > today ? today : addDays(start, 10)),
    };
    const ok = await finance.post(paths.budgets.newInvoice(ids.pool), invoice);
    expect(ok.status).toBe(303);
    const dup = await finance.post(paths.budgets.newInvoice(ids.pool), { ...invoice, amount: '210.00' });
    expect(dup.status).toBe(400);
    expect(errorsOf(dup.body)[0]).toEqual({
      href: '#supplierReference',
      text: expect.stringMatching(
        /^Invoice INV-1001 from Demoshire Short Breaks Provider \(fictional\) is already recorded \(received .*, £200.00\)\. Each invoice can be recorded only once$/,
      ) as unknown,
    });
    const early = await finance.post(paths.budgets.newInvoice(ids.pool), {
      ...invoice,
      supplierReference: 'INV-1000',
      ...parts('serviceFrom', addDays(start, -7)),
    });
    expect(errorsOf(early.body)[0]!.text).toMatch(
      /^The invoice is for .* but PKG-\d+ runs from .*\. Check the dates, or record it without a package so it is listed as unmatched$/,
    );
    const backwards = await finance.post(paths.budgets.newInvoice(ids.pool), {
      ...invoice,
      supplierReference: 'INV-1000',
      ...parts('serviceTo', addDays(start, -1)),
    });
    expect(errorsOf(backwards.body)).toContainEqual({ href: '#serviceTo-day', text: 'The period the invoice is for cannot end before it starts' });
    // The first week is half health, half social care.
    const spend = await db()
      .selectFrom('ledger_entries')
      .select(['partner_id', 'amount_pence'])
      .where('package_id', '=', ids.packageId)
      .where('account', '=', 'spend')
      .execute();
    expect(spend.map((s) => s.amount_pence).sort()).toEqual([10_000, 10_000]);

    const unmatched = await finance.post(paths.budgets.newInvoice(ids.pool), { ...invoice, supplierReference: 'INV-1002', packageId: '' });
    expect(unmatched.status).toBe(303);
    const list = text((await finance.get(paths.budgets.invoices(ids.pool))).body);
    expect(list).toMatch(/Not matched to a commitment .*INV-1002/);
    const invoiceId = /\/budgets\/invoices\/([0-9a-f-]{36})/.exec(unmatched.location!)![1]!;
    await finance.get(paths.budgets.invoice(invoiceId));
    const matched = await finance.post(paths.budgets.matchInvoice(invoiceId), { packageId: ids.packageId });
    expect(matched.status).toBe(303);
    expect(text((await finance.get(paths.budgets.invoices(ids.pool))).body)).toContain('Every invoice is matched to a package');
    const suspense = await db()
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.sum<number>('amount_pence').as('s'))
      .where('agreement_id', '=', ids.pool)
      .where('account', '=', 'suspense')
      .executeTakeFirstOrThrow();
    expect(Number(suspense.s)).toBe(0);

    // Paying more than is owed is refused; paying it all clears what is owed.
    const page = await finance.get(paths.budgets.invoice(invoiceId));
    const token = /name="token" value="([^"]+)"/.exec(page.body)![1]!;
    const over = await finance.post(paths.budgets.payInvoice(invoiceId), { token, amount: '200.01', ...parts('paidOn', today) });
    expect(errorsOf(over.body)).toEqual([{ href: '#amount', text: 'The payment (£200.01) is more than is still owed on invoice INV-1002 (£200.00)' }]);
    expect((await finance.post(paths.budgets.payInvoice(invoiceId), { token, amount: '200', ...parts('paidOn', today) })).status).toBe(303);
    expect(text((await finance.get(paths.budgets.invoice(invoiceId))).body)).toContain('Still owed £0.00');
    expect(await unbalancedTransactions(db())).toEqual([]);
  });

  it('imports invoices from a CSV file: all or nothing, every bad cell named, and the same file twice changes nothing', async () => {
    const pkg = await db().selectFrom('packages').select('reference').where('id', '=', ids.packageId).executeTakeFirstOrThrow();
    const header = 'provider_code,supplier_reference,package_reference,service_from,service_to,amount,received_on,description';
    const d = (n: number) => addDays(start, n);
    const good = [
      `DEMO-PROV,CSV-1,${pkg.reference},${d(7)},${d(13)},200.00,${today},Week 2`,
      `DEMO-PROV,CSV-2,,${d(14)},${d(20)},"1,000.50",${today},No package yet`,
    ];
    await finance.get(paths.budgets.importInvoices(ids.pool));
    const bad = await finance.post(paths.budgets.importInvoices(ids.pool), {
      action: 'import',
      csv: [header, ...good, `DEMO-NOPE,CSV-3,,${d(1)},${d(2)},-5,${today},`, `DEMO-PROV,CSV-1,${pkg.reference},${d(7)},${d(13)},10.001,31/02/2025,`].join(
        '\n',
      ),
    });
    expect(bad.status).toBe(400);
    expect(errorsOf(bad.body).map((e) => e.text)).toEqual([
      'Row 4, column provider_code: There is no organisation with the code DEMO-NOPE',
      'Row 4, column amount: The amount cannot be negative. To correct an amount already recorded, reverse it instead',
      'Row 5, column received_on: Enter the date the invoice was received, like 2025-04-30 or 30/04/2025',
      'Row 5, column amount: The amount cannot include part of a penny: use no more than 2 digits after the decimal point, like 12.50',
      'Row 5, column supplier_reference: Invoice CSV-1 from Demoshire Short Breaks Provider (fictional) is also on row 2: each invoice can be recorded only once',
    ]);
    // Nothing from the good rows was recorded.
    expect(await db().selectFrom('invoices').select('id').where('supplier_reference', 'like', 'CSV-%').execute()).toEqual([]);
    const missing = await finance.post(paths.budgets.importInvoices(ids.pool), { action: 'check', csv: 'provider_code,amount\nDEMO-PROV,5' });
    expect(errorsOf(missing.body)[0]!.text).toBe(
      'Row 1: The first row must name the columns. Missing: supplier_reference, service_from, service_to, received_on',
    );

    const check = await finance.post(paths.budgets.importInvoices(ids.pool), { action: 'check', csv: [header, ...good].join('\n') });
    expect(check.status).toBe(200);
    expect(text(check.body)).toContain('2 invoices will be recorded');
    expect(await db().selectFrom('invoices').select('id').where('supplier_reference', 'like', 'CSV-%').execute()).toEqual([]);
    const done = await finance.post(paths.budgets.importInvoices(ids.pool), { action: 'import', csv: [header, ...good].join('\n') });
    expect(done.status).toBe(303);
    const count = async () => (await db().selectFrom('ledger_transactions').select('id').execute()).length;
    const before = await count();
    const again = await finance.post(paths.budgets.importInvoices(ids.pool), { action: 'import', csv: [header, ...good].join('\n') });
    expect(again.status).toBe(303);
    expect(await count()).toBe(before);
    expect(
      await db()
        .selectFrom('invoices')
        .select(['supplier_reference', 'amount_pence'])
        .where('supplier_reference', 'like', 'CSV-%')
        .orderBy('supplier_reference')
        .execute(),
    ).toEqual([
      { supplier_reference: 'CSV-1', amount_pence: 20_000 },
      { supplier_reference: 'CSV-2', amount_pence: 100_050 },
    ]);
    // The same reference with other details is refused.
    const changed = await finance.post(paths.budgets.importInvoices(ids.pool), {
      action: 'import',
      csv: [header, good[0]!.replace('200.00', '250.00')].join('\n'),
    });
    expect(errorsOf(changed.body)[0]!.text).toMatch(/^Row 2, column supplier_reference: Invoice CSV-1 from .* is already recorded with different details/);
  });

  it('shows the money on the child’s record to those who may see it, and to nobody else', async () => {
    const cw = new Client(t.app);
    await cw.signIn(CASEWORKER);
    const page = await cw.get(paths.children.packages(ids.childId));
    expect(page.status).toBe(200);
    const seen = text(page.body);
    expect(seen).toContain('Packages and spend');
    expect(seen).toContain('Overnight short breaks after surgery');
    expect(seen).toMatch(/Health 50%, Social care 50%/);
    expect(seen).toContain(childReference(ids.childId));
    const audit = await db().selectFrom('audit_log').select(['subject_type', 'subject_id']).where('action', '=', 'child.packages.view').execute();
    expect(audit).toContainEqual({ subject_type: 'child', subject_id: ids.childId });
    // The record's menu links to it.
    expect((await cw.get(paths.children.record(ids.childId))).body).toContain(`href="${paths.children.packages(ids.childId)}"`);

    const kw = new Client(t.app);
    await kw.signIn(KEYWORKER); // social care, not involved with this child
    expect((await kw.get(paths.children.packages(ids.childId))).status).toBe(404);
    // Finance sees the package by reference, but not the record; their looking at the package is
    // on the child's "who has looked" list.
    expect((await finance.get(paths.children.packages(ids.childId))).status).toBe(403);
    expect((await finance.get(paths.budgets.package(ids.packageId))).status).toBe(200);
    const looked = text((await cw.get(paths.children.whoHasLooked(ids.childId))).body);
    expect(looked).toMatch(/Demo Finance Officer[^]*Looked at a package/);
  });

  it('audits finance looking at pages that list children’s packages, linking each child shown to the entry', async () => {
    const linked = async (action: string) => {
      const entry = await db().selectFrom('audit_log').select('id').where('action', '=', action).orderBy('id', 'desc').executeTakeFirstOrThrow();
      return (await db().selectFrom('audit_children').select('child_id').where('audit_id', '=', entry.id).execute()).map((r) => r.child_id);
    };
    expect((await finance.get(paths.budgets.pool(ids.pool))).status).toBe(200);
    expect(await linked('budgets.pool.view')).toContain(ids.childId);
    expect((await finance.get(paths.budgets.invoices(ids.pool))).status).toBe(200);
    expect(await linked('budgets.invoices.view')).toContain(ids.childId);
    expect((await finance.get(paths.budgets.newInvoice(ids.pool))).status).toBe(200);
    expect(await linked('budgets.invoice.new')).toContain(ids.childId);
    // A form about one package has the child as its subject, like the package page.
    expect((await finance.get(paths.budgets.changePackage(ids.packageId))).status).toBe(200);
    const change = await db()
      .selectFrom('audit_log')
      .select(['subject_type', 'subject_id'])
      .where('action', '=', 'budgets.package.change-form')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(change).toEqual({ subject_type: 'child', subject_id: ids.childId });
  });

  it('warns on every free-text field finance reads not to write the child’s name or health details', async () => {
    const warning = /do not write the child’s name or anything about their health or care/g;
    expect(text((await finance.get(paths.budgets.newPackage(ids.pool))).body).match(warning)).toHaveLength(2); // service and reason
    expect(text((await finance.get(paths.budgets.changePackage(ids.packageId))).body).match(warning)).toHaveLength(2);
    expect(text((await finance.get(paths.budgets.newInvoice(ids.pool))).body).match(warning)).toHaveLength(1); // description
  });

  it('lets the commissioner see only the aggregate reports: no row-level page, and nothing to change', async () => {
    const c = new Client(t.app);
    await c.signIn(COMMISSIONER);
    expect((await c.get(paths.budgetReports.board)).status).toBe(200);
    for (const url of [
      paths.budgets.home,
      paths.budgets.pool(ids.pool),
      paths.budgets.package(ids.packageId),
      paths.budgets.invoices(ids.pool),
      paths.budgets.entries(ids.pool),
      paths.budgets.periods,
    ]) {
      expect((await c.get(url)).status, url).toBe(403);
    }
    expect((await c.get(paths.budgets.newPackage(ids.pool))).status).toBe(403);
    expect((await c.post(paths.budgets.newPartner, { organisationId: ids.provider, shortName: 'Provider' })).status).toBe(403);
  });

  it('changes the package’s end date and re-posts only the difference', async () => {
    const form = await finance.get(paths.budgets.changePackage(ids.packageId));
    expect(form.status).toBe(200);
    const version = /name="version" value="(\d+)"/.exec(form.body)![1]!;
    const end = addDays(start, 69); // ten weeks
    const values: Record<string, string> = {
      version,
      serviceCategory: 'short-breaks',
      service: 'Overnight short breaks after surgery',
      providerId: ids.provider,
      unitCost: '20.00',
      units: '10',
      frequency: 'week',
      ...parts('startsOn', start),
      ...parts('endsOn', end),
      [`split1-${ids.health}`]: '50',
      [`split1-${ids.social}`]: '50',
      ...parts('split2From', addDays(start, 42)),
      [`split2-${ids.social}`]: '100',
      reason: 'Ends after ten weeks',
    };
    const res = await finance.post(paths.budgets.changePackage(ids.packageId), values);
    expect(res.status).toBe(303);
    const committed = await db()
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.sum<number>('amount_pence').as('s'))
      .where('package_id', '=', ids.packageId)
      .where('account', '=', 'commitments')
      .executeTakeFirstOrThrow();
    expect(Number(committed.s)).toBe(200_000); // ten weeks at £200
    const stale = await finance.post(paths.budgets.changePackage(ids.packageId), values);
    expect(stale.status).toBe(409);
    expect(text(stale.body)).toContain('Someone else changed this record after you opened it');
  });
});
