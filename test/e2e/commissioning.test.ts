// Joint commissioning in a real browser, with axe on every page: the commissioner turns a gap in
// the Local Offer into a priority and a commissioning intention, takes it to the "do" stage and
// sends the plan to the board; the administrator records the board's approval (the author could
// not); the intention becomes a contract, and the contract page shows the spend the ledger holds
// for the package paid under it.
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';
import { todayInLondon } from '../../src/platform/dates.js';
import { addDays } from '../../src/platform/financial-year.js';
import { createPackage } from '../../src/capabilities/money/budgets/packages.js';
import { recordInvoice } from '../../src/capabilities/money/budgets/actuals.js';
import { useJourney } from './support/server.js';
import { createChild } from '../support/register.js';
import { createTestPool } from '../support/budgets.js';
import { chromiumPath, JOURNEY_TIMEOUT, Site } from './support/pages.js';

const COMMISSIONER = 'commissioner@demoshire.example.org';
const ADMIN = 'admin@demoshire.example.org';
const PLAN = 'Demoshire plan for young adults (fictional)';
const WHAT = 'A multi-sensory support service for young adults (fictional)';

describe.skipIf(!chromiumPath())('joint commissioning in a browser', { timeout: JOURNEY_TIMEOUT }, () => {
  const journey = useJourney();

  it('a gap becomes an intention, approved by someone else, then a contract showing spend from the ledger', async () => {
    const db = journey.server.database.db;
    const today = todayInLondon();
    const born = `${new Date().getUTCFullYear() - 23}-01-15`;
    for (let i = 0; i < 5; i++) await createChild(db, { familyName: `Sensory${i}`, primaryNeed: 'MSI', dateOfBirth: born, postcode: 'DM6 1AB' });
    const pool = await createTestPool(db, { code: 'S75-E2E', years: [2025, 2026, 2027] });
    const child = await createChild(db, { familyName: 'Packaged', primaryNeed: 'SLD' });
    const start = addDays(today, -60);
    const pkg = await createPackage(
      db,
      {
        agreementId: pool.agreementId,
        childId: child.childId,
        serviceCategory: 'short-breaks',
        service: 'Sensory short breaks (fictional)',
        providerId: pool.providerId,
        unitCostPence: 20_000,
        unitsX100: 100,
        frequency: 'week',
        startsOn: start,
        endsOn: null,
        reviewOn: null,
        split: [{ from: start, to: null, shares: [{ partnerId: pool.health, bp: 10000 }] }],
        reason: 'Agreed at panel (fictional)',
      },
      { id: pool.financeUserId },
      today,
    );
    await recordInvoice(
      db,
      {
        agreementId: pool.agreementId,
        providerId: pool.providerId,
        supplierReference: 'E2E-1',
        packageId: pkg.id,
        serviceFrom: start,
        serviceTo: addDays(start, 27),
        amountPence: 80_000,
        receivedOn: addDays(start, 30),
        description: null,
      },
      { id: pool.financeUserId },
    );
    const [y, m, d] = addDays(today, 200).split('-');

    // The commissioner starts a plan and turns the gap into a priority.
    const c = await Site.open(journey.browser, journey.server.baseUrl);
    await c.signIn(COMMISSIONER, DEMO_PASSWORD);
    await c.follow('Commissioning plans', 'nav[aria-label="Main menu"]');
    expect(await c.heading()).toBe('Commissioning plans');
    await c.follow('Start a commissioning plan');
    await c.page.getByLabel('Title').fill(PLAN);
    const from = c.page.getByRole('group', { name: 'When the plan starts' });
    await from.getByLabel('Day', { exact: true }).fill('1');
    await from.getByLabel('Month', { exact: true }).fill('4');
    await from.getByLabel('Year', { exact: true }).fill('2027');
    const to = c.page.getByRole('group', { name: 'When the plan ends' });
    await to.getByLabel('Day', { exact: true }).fill('31');
    await to.getByLabel('Month', { exact: true }).fill('3');
    await to.getByLabel('Year', { exact: true }).fill('2026');
    await c.submit('Start the plan');
    expect(await c.mainText()).toContain('The date the plan ends must be on or after the date it starts');
    await to.getByLabel('Year', { exact: true }).fill('2030');
    await c.submit('Start the plan');
    expect(await c.heading()).toBe(PLAN);

    await c.follow('Add a priority');
    await c.page.getByLabel('The priority').fill('Support for young adults with multi-sensory impairment');
    await c.page.getByLabel('Gap in the Local Offer', { exact: true }).check();
    const gap = c.page.getByLabel('The gap (need against supply, 10 miles)');
    const option = await gap
      .locator('option', { hasText: /^Multi-sensory impairment, 20 to 25 year-olds in South Demoshire/ })
      .first()
      .textContent();
    await gap.selectOption({ label: option! });
    await c.submit('Add the priority');
    expect(await c.mainText()).toMatch(/Gap in the Local Offer: Multi-sensory impairment, 20 to 25 year-olds in South Demoshire: 5 children/);

    // An intention for that priority, taken to the "do" stage.
    await c.follow('Add an intention for Support for young adults with multi-sensory impairment');
    await c.page.getByLabel('What the partnership will commission').fill(WHAT);
    await c.page.getByLabel('Why').fill('The gap in the Local Offer (fictional).');
    await c.page.getByLabel('Day', { exact: true }).fill(String(Number(d)));
    await c.page.getByLabel('Month', { exact: true }).fill(String(Number(m)));
    await c.page.getByLabel('Year', { exact: true }).fill(y!);
    await c.page.getByLabel('Health', { exact: true }).check();
    await c.page.getByLabel('The pool the money is expected from').selectOption({ label: 'Short breaks pooled fund S75-E2E (fictional)' });
    await c.page.getByLabel('Expected money a year (optional)').fill('40,000');
    await c.submit('Add the intention');
    expect(await c.heading()).toBe(WHAT);
    for (const stage of ['Plan', 'Do: commission and contract']) {
      await c.follow('Move it on');
      await c.page.getByLabel(stage, { exact: true }).check();
      await c.submit('Move it on');
      expect(await c.mainText()).toMatch(new RegExp(`Stage\\s+${stage.replace(/[()]/g, '\\$&')}`));
    }
    await c.follow(`Back to ${PLAN}`);
    await c.follow('Send to the partnership board');
    await c.submit('Send to the partnership board');
    expect(await c.mainText()).toContain('Waiting for the partnership board');
    // The author cannot record the board's decision.
    expect(await c.visit(`${new URL(c.page.url()).pathname}/decision`)).toBe(403);

    // The administrator, who clerks the board, records its approval.
    const a = await Site.open(journey.browser, journey.server.baseUrl);
    await a.signIn(ADMIN, DEMO_PASSWORD);
    await a.follow('Commissioning plans', 'nav[aria-label="Main menu"]');
    await a.follow(PLAN);
    await a.follow('Record the board’s decision');
    await a.page.getByLabel('Approved', { exact: true }).check();
    const [ty, tm, td] = today.split('-');
    await a.page.getByLabel('Day', { exact: true }).fill(String(Number(td)));
    await a.page.getByLabel('Month', { exact: true }).fill(String(Number(tm)));
    await a.page.getByLabel('Year', { exact: true }).fill(ty!);
    await a.submit('Record the decision');
    expect(await a.mainText()).toContain('Approved by the partnership board by Demo Administrator');
    await a.close();

    // The intention becomes a contract from the procurement pipeline; a package is linked.
    await c.follow('Contracts', 'nav[aria-label="Main menu"]');
    expect(await c.heading()).toBe('Contracts register');
    expect(await c.mainText()).toMatch(/Procurement pipeline[\s\S]*A multi-sensory support service for young adults/);
    await c.follow(/^Make it a contract/);
    await c.page.getByLabel('Provider').selectOption({ label: 'Demoshire Short Breaks Provider (fictional)' });
    const starts = c.page.getByRole('group', { name: 'Starts' });
    await starts.getByLabel('Day', { exact: true }).fill('1');
    await starts.getByLabel('Month', { exact: true }).fill('4');
    await starts.getByLabel('Year', { exact: true }).fill('2027');
    const ends = c.page.getByRole('group', { name: 'Ends' });
    await ends.getByLabel('Day', { exact: true }).fill('31');
    await ends.getByLabel('Month', { exact: true }).fill('3');
    await ends.getByLabel('Year', { exact: true }).fill('2029');
    await c.page.getByLabel('Health from Short breaks pooled fund S75-E2E (fictional)').fill('30,000');
    await c.submit('Add the contract');
    expect(await c.mainText()).toContain('The shares add up to £30,000.00, £10,000.00 less than the value a year of £40,000.00');
    await c.page.getByLabel('Social care from Short breaks pooled fund S75-E2E (fictional)').fill('10,000');
    await c.submit('Add the contract');
    expect(await c.heading()).toMatch(/^CON-\d+: A multi-sensory support service/);
    await c.page.getByLabel('Link a package by its reference').fill(pkg.reference);
    await c.submit('Link the package');
    const contract = await c.mainText();
    expect(contract).toMatch(/Spend from the ledger\s+£800\.00/);
    expect(contract).toContain(pkg.reference);
    await c.close();
  });
});
