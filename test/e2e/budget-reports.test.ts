// Journey: a finance officer opens the board report for the demo year and, by keyboard only,
// follows a figure down to the ledger entries behind it, one transaction and its entries, and the
// package with the decision behind it. axe checks every page on the way (the Site does).
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';
import { seedPopulation } from '../../src/demo/population.js';
import { demoFinancialYear, seedDemoMoney } from '../../src/demo/money.js';
import { todayInLondon } from '../../src/platform/dates.js';
import { formatPence } from '../../src/platform/money.js';
import { paths } from '../../src/paths.js';
import { useJourney } from './support/server.js';
import { chromiumPath, JOURNEY_TIMEOUT, Site } from './support/pages.js';

const FINANCE = 'finance@demoshire.example.org';

describe.skipIf(!chromiumPath())('budget reports: from the board report down to an entry', { timeout: JOURNEY_TIMEOUT }, () => {
  const journey = useJourney();
  const today = todayInLondon();
  const fy = demoFinancialYear(today);

  beforeAll(async () => {
    await seedPopulation(journey.server.database.db, { children: 40, today });
    await seedDemoMoney(journey.server.database.db, { today });
  }, 120_000);

  it('a finance officer follows a partner’s actual spend to one entry, its package and the decision', async () => {
    const db = journey.server.database.db;
    const site = await Site.open(journey.browser, journey.server.baseUrl);
    expect(await site.signIn(FINANCE, DEMO_PASSWORD)).toBe(paths.home);
    await site.visit(`${paths.budgetReports.board}?year=${fy}`);
    expect(await site.heading()).toContain('Budget report');
    // The chart is an image with a name, drawn from the table that follows it.
    expect(await site.page.getByRole('img', { name: /By partner: budget, commitment, actual spend and forecast outturn/ }).count()).toBe(1);

    // What the ledger says Social care spent this year, and the figure the page shows for it.
    const partner = await db.selectFrom('budget_partners').select('id').where('short_name', '=', 'Social care (demo)').executeTakeFirstOrThrow();
    const spent = await db
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.sum<string>('amount_pence').as('p'))
      .where('partner_id', '=', partner.id)
      .where('account', '=', 'spend')
      .where('financial_year', '=', fy)
      .executeTakeFirstOrThrow();
    const figure = formatPence(Number(spent.p));

    await site.tabTo(`${figure} actual spend, Social care (demo): see the entries`, 120);
    await site.pressToNavigate('Enter');
    expect(await site.heading()).toBe('Actual spend: the ledger entries');
    const list = await site.mainText();
    expect(list).toContain(`Actual spend (sum of its entries below) ${figure}`);
    expect(list).toContain('partner: Social care (demo)');

    // The newest entry's transaction.
    await site.tabTo(/^\d+ ?: (invoice|direct payment|invoice matched to a package) transaction$/, 60);
    await site.pressToNavigate('Enter');
    expect(await site.heading()).toMatch(/^Transaction \d+$/);
    const tx = await site.mainText();
    expect(tx).toContain('(it balances)');
    expect(tx).toContain('Recorded by Demo Finance Officer');

    // On to the package, its change history and the decision it follows.
    await site.tabTo(/^PKG-\d+$/, 60);
    await site.pressToNavigate('Enter');
    expect(await site.heading()).toMatch(/^Package PKG-\d+$/);
    const pkg = await site.mainText();
    expect(pkg).toMatch(/Why: Agreed at the demo multi-agency panel \(fictional decision \d{4}-\d{3}\)/);
    expect(pkg).toContain('Funding split');
    // The finance officer may not see the child's record: the finance reference only.
    expect(pkg).toMatch(/Child C-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4} \(you may not see this child’s record/);
  });
});
