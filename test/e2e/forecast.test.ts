// Journey: a commissioner opens the forecast from the menu, adds a scenario (a first try that would
// make a count negative is refused in plain words), and compares it with the baseline. axe checks
// every page on the way (the Site does); the chart is an image with a name beside its table.
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';
import { seedPopulation } from '../../src/demo/population.js';
import { seedDemoMoney } from '../../src/demo/money.js';
import { todayInLondon } from '../../src/platform/dates.js';
import { paths } from '../../src/paths.js';
import { useJourney } from './support/server.js';
import { chromiumPath, JOURNEY_TIMEOUT, Site } from './support/pages.js';

const COMMISSIONER = 'commissioner@demoshire.example.org';

describe.skipIf(!chromiumPath())('the forecast of demand and cost in a browser', { timeout: JOURNEY_TIMEOUT }, () => {
  const journey = useJourney();
  const today = todayInLondon();
  const thisYear = Number(today.slice(0, 4));

  beforeAll(async () => {
    await seedPopulation(journey.server.database.db, { children: 80, today });
    await seedDemoMoney(journey.server.database.db, { today });
  }, 120_000);

  it('a commissioner adds a resource base scenario and compares it with the baseline', async () => {
    const site = await Site.open(journey.browser, journey.server.baseUrl);
    expect(await site.signIn(COMMISSIONER, DEMO_PASSWORD)).toBe(paths.home);
    await site.follow('Forecast');
    expect(await site.heading()).toBe('Forecast of demand and cost');
    expect(await site.page.getByRole('img', { name: 'Children and young people forecast, by scenario' }).count()).toBe(1);
    expect(await site.mainText()).toContain('No scenarios are saved yet');

    await site.follow('Add a scenario');
    const p = site.page;
    await p.getByLabel('Name').fill('A resource base opens');
    await p.getByLabel('New places open in a setting, filled from another').check();
    await p.getByLabel('Children come from (for a share or new places)').selectOption('mainstream');
    await p.getByLabel('Children go to (for a share or new places)').selectOption('resource-base');
    await p.getByLabel('Number of places (for new places)').fill('9000');
    await p.getByLabel('Opens in September of (for new places)').fill(String(thisYear));
    await site.submit('Save scenario');
    expect(await site.mainText()).toMatch(
      /9000 places opening in September \d{4} would take 9000 children out of mainstream school settings, but the forecast has only \d+ there/,
    );
    await p.getByLabel('Number of places (for new places)').fill('2');
    await site.submit('Save scenario');
    expect(await site.heading()).toBe('Forecast of demand and cost');
    const main = await site.mainText();
    expect(main).toContain(`2 places in resource base in a mainstream school settings open in September ${thisYear}, filled from mainstream school settings`);
    expect(main).toMatch(/A resource base opens \d{4}\/\d\d [\d,]+ [\d,]+ to [\d,]+ £/);
    expect(main).toMatch(/Baseline \(the trend continues\) \d{4}\/\d\d [\d,]+ [\d,]+ to [\d,]+ £/);
    await site.close();
  });
});
