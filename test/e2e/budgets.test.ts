// Journey: joint budgets (issue 5), in Chromium with axe on every page. A finance officer sets up
// the partners and a Section 75 pooled fund with its year and shares, adds a package of support
// whose funding split changes after six weeks (health 50% and social care 50%, then social care
// 100%), and records an invoice (a duplicate is refused). The child's caseworker gives finance
// the child's reference and then sees the package, its split and the spend on the child's record.
// Every name here is invented.
import { describe, expect, it } from 'vitest';
import { DEMO_ORGANISATIONS, DEMO_PASSWORD } from '../../src/demo/seed.js';
import { todayInLondon } from '../../src/platform/dates.js';
import { paths } from '../../src/paths.js';
import { useJourney } from './support/server.js';
import { chromiumPath, JOURNEY_TIMEOUT, Site } from './support/pages.js';
import { createChild } from '../support/register.js';
import { addDays } from '../support/dates.js';

const FINANCE = 'finance@demoshire.example.org';
const CASEWORKER = 'caseworker@demoshire.example.org';
const org = (code: string) => DEMO_ORGANISATIONS.find((o) => o.code === code)!.name;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const longDate = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return `${d} ${MONTHS[m - 1]} ${y}`;
};

async function fillDate(site: Site, field: string, iso: string) {
  const [y, m, d] = iso.split('-');
  await site.page.locator(`#${field}-day`).fill(String(Number(d)));
  await site.page.locator(`#${field}-month`).fill(String(Number(m)));
  await site.page.locator(`#${field}-year`).fill(y!);
}

/** The error summary's links; each must point at exactly one element on the page. */
async function errorSummary(site: Site): Promise<{ text: string; href: string }[]> {
  const summary = site.page.locator('.govuk-error-summary');
  expect(await summary.getByRole('heading').innerText()).toBe('There is a problem');
  const links = await summary
    .getByRole('link')
    .evaluateAll((as) => as.map((a) => ({ text: (a as HTMLElement).innerText.trim(), href: a.getAttribute('href') ?? '' })));
  for (const l of links) expect(await site.page.locator(l.href).count(), `the target of "${l.text}" (${l.href})`).toBe(1);
  return links;
}

describe.skipIf(!chromiumPath())('joint budgets in a browser', { timeout: JOURNEY_TIMEOUT * 3 }, () => {
  const journey = useJourney();

  it('sets up a pool, adds a package whose split changes after six weeks, and records an invoice', async () => {
    const db = journey.server.database.db;
    const today = todayInLondon();
    const fy = Number(today.slice(5, 7)) < 4 ? Number(today.slice(0, 4)) - 1 : Number(today.slice(0, 4));
    const start = `${fy}-04-07`;
    const change = addDays(start, 42);
    const { childId } = await createChild(db, { givenName: 'Orla', familyName: 'Demoson', involvedOrgCodes: ['DEMO-EDU'] });

    // 1. Finance sets up the partners and the pool -------------------------------------------------
    const finance = await Site.open(journey.browser, journey.server.baseUrl);
    expect(await finance.signIn(FINANCE, DEMO_PASSWORD)).toBe(paths.home);
    await finance.follow('Joint budgets', 'nav[aria-label="Main menu"]');
    expect(await finance.heading()).toBe('Joint budgets');
    for (const [code, name] of [
      ['DEMO-ICB', 'Health'],
      ['DEMO-CSC', 'Social care'],
      ['DEMO-EDU', 'Education'],
    ] as const) {
      await finance.follow('Add a partner');
      await finance.page.getByLabel('Organisation').selectOption({ label: org(code) });
      await finance.page.getByLabel('Short name').fill(name);
      await finance.submit('Add partner');
      expect(await finance.mainText()).toContain('Partner added');
    }
    await finance.follow('Set up a pooling agreement');
    await finance.page.getByLabel('Name', { exact: true }).fill('Short breaks pooled fund (fictional)');
    await finance.page.getByLabel('Short code').fill('SHORT-BREAKS');
    await finance.page.getByLabel('Pooled fund, held by a host partner').check();
    await finance.page.getByLabel('Host partner (for a pooled fund)').selectOption({ label: `Social care (${org('DEMO-CSC')})` });
    await finance.page.getByLabel('Section 75 of the NHS Act 2006 (pooled fund or aligned budgets)').check();
    await fillDate(finance, 'startsOn', `${fy}-04-01`);
    await finance.submit('Set up agreement');
    expect(await finance.heading()).toBe('Short breaks pooled fund (fictional)');

    await finance.follow('Add a financial year');
    await finance.page.getByLabel('Financial year (April to March)').selectOption({ label: `${fy} to ${fy + 1}` });
    await finance.page.getByRole('textbox', { name: /^Health/ }).fill('40');
    await finance.page.getByRole('textbox', { name: /^Social care/ }).fill('40');
    await finance.page.getByRole('textbox', { name: /^Education/ }).fill('10');
    await finance.submit('Add financial year');
    expect(await errorSummary(finance)).toEqual([{ text: 'The partners’ shares add up to 90%: they must add up to exactly 100%', href: '#shares' }]);
    await finance.page.getByRole('textbox', { name: /^Education/ }).fill('20');
    await finance.submit('Add financial year');
    expect(await finance.mainText()).toContain(`${fy} to ${fy + 1} Education 20%, Health 40%, Social care 40%`);
    const poolPath = finance.path().split('?')[0]!;

    // 2. The caseworker finds the child's reference for finance ------------------------------------
    const caseworker = await Site.open(journey.browser, journey.server.baseUrl);
    await caseworker.signIn(CASEWORKER, DEMO_PASSWORD);
    await caseworker.visit(paths.children.record(childId));
    await caseworker.follow('Packages and spend');
    expect(await caseworker.heading()).toBe('Packages and spend');
    expect(await caseworker.mainText()).toContain('No package of support is paid for them from a joint budget.');
    const reference = /C-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}/.exec(await caseworker.mainText())![0];

    // 3. Finance adds the package: 50/50 for six weeks, then social care 100% -----------------------
    await finance.follow('Add a package');
    await finance.page.getByLabel('Child’s reference').fill(reference);
    await finance.page.getByLabel('Kind of service').selectOption({ label: 'Short breaks' });
    await finance.page.getByLabel('What the package provides').fill('Overnight short breaks after surgery');
    await finance.page.getByLabel('Provider (optional)').selectOption({ label: org('DEMO-PROV') });
    await finance.page.getByLabel('Cost of one unit').fill('20.00');
    await finance.page.getByLabel('How many units').fill('10');
    await finance.page.getByLabel('A week').check();
    await fillDate(finance, 'startsOn', start);
    await finance.page.getByLabel('Health share, part 1').fill('50');
    await finance.page.getByLabel('Social care share, part 1').fill('40');
    await fillDate(finance, 'split2From', change);
    await finance.page.getByLabel('Social care share, part 2').fill('100');
    await finance.page.getByLabel('Why it is being set up').fill('Panel agreed post-operative care');
    await finance.submit('Add package');
    expect(await errorSummary(finance)).toEqual([
      { text: 'Part 1 of the funding split adds up to 90%: the shares must add up to exactly 100%', href: '#split-1' },
    ]);
    await finance.page.getByLabel('Social care share, part 1').fill('50');
    await finance.submit('Add package');
    expect(await finance.mainText()).toContain('Package added and its commitment posted');
    const pkgText = await finance.mainText();
    expect(pkgText).toContain(`${longDate(start)} to ${longDate(addDays(change, -1))}: Health 50%, Social care 50%`);
    expect(pkgText).toContain(`From ${longDate(change)}: Social care 100%`);
    // Six weeks at £200 a week, half from health.
    expect(pkgText).toMatch(new RegExp(`${fy} to ${fy + 1} Health £600\\.00 £0\\.00`));
    expect(pkgText).not.toContain('Orla');
    const packageRef = /Package (PKG-\d+)/.exec(await finance.heading())![1]!;

    // 4. Finance records an invoice for the first week; the same invoice again is refused ------------
    await finance.visit(poolPath);
    await finance.follow('Record an invoice');
    const fillInvoice = async () => {
      await finance.page.getByLabel('Provider', { exact: true }).selectOption({ label: org('DEMO-PROV') });
      await finance.page.getByLabel('Invoice number').fill('SB-2025-0001');
      await finance.page.getByLabel('Package it is for').selectOption({ label: `${packageRef}: Overnight short breaks after surgery (${reference})` });
      await fillDate(finance, 'serviceFrom', start);
      await fillDate(finance, 'serviceTo', addDays(start, 6));
      await finance.page.getByLabel('Amount').fill('200.00');
      await fillDate(finance, 'receivedOn', today);
    };
    await fillInvoice();
    await finance.submit('Record invoice');
    expect(await finance.mainText()).toContain('Invoice recorded');
    await finance.visit(paths.budgets.newInvoice(poolPath.split('/').at(-1)));
    await fillInvoice();
    await finance.submit('Record invoice');
    const dup = await errorSummary(finance);
    expect(dup[0]!.href).toBe('#supplierReference');
    expect(dup[0]!.text).toMatch(/^Invoice SB-2025-0001 from .* is already recorded \(received .*, £200\.00\)\. Each invoice can be recorded only once$/);

    // 5. The caseworker sees the package, who pays and what has been spent ------------------------------
    await caseworker.visit(paths.children.packages(childId));
    const childText = await caseworker.mainText();
    expect(childText).toContain('Overnight short breaks after surgery');
    expect(childText).toContain('Health 50%, Social care 50%');
    expect(childText).toContain('Spent £200.00');
    await finance.close();
    await caseworker.close();
  });
});
