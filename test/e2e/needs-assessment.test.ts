// Journey: the commissioner opens the needs assessment from the menu (full figures, with the DfE
// comparison), switches to the version for sharing, and the participation lead sees only that
// version. axe checks every page on the way (the Site does).
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';
import { seedPopulation } from '../../src/demo/population.js';
import { seedDemoDfe } from '../../src/demo/needs.js';
import { todayInLondon } from '../../src/platform/dates.js';
import { paths } from '../../src/paths.js';
import { useJourney } from './support/server.js';
import { chromiumPath, JOURNEY_TIMEOUT, Site } from './support/pages.js';

const COMMISSIONER = 'commissioner@demoshire.example.org';
const PARTICIPATION = 'participation@demoshire.example.org';
const DFE = [join(import.meta.dirname, '../../..'), '/work']
  .map((root) => join(root, 'shared/reference/ehcp-statistics/education-health-and-care-plans_2025/data'))
  .find((d) => existsSync(d))!;

describe.skipIf(!chromiumPath())('the needs assessment in a browser', { timeout: JOURNEY_TIMEOUT }, () => {
  const journey = useJourney();

  beforeAll(async () => {
    await seedPopulation(journey.server.database.db, { children: 60, today: todayInLondon() });
    expect(await seedDemoDfe(journey.server.database.db, DFE)).toBe(true);
  }, 120_000);

  it('the commissioner reads the full figures and the version for sharing; the participation lead sees only the shared one', async () => {
    const site = await Site.open(journey.browser, journey.server.baseUrl);
    expect(await site.signIn(COMMISSIONER, DEMO_PASSWORD)).toBe(paths.home);
    await site.follow('Needs assessment', 'nav[aria-label="Main menu"]');
    expect(site.path()).toBe(paths.commissioning.needs);
    expect(await site.heading()).toBe('Needs assessment');
    const full = await site.mainText();
    expect(full).toContain('Full figures, including counts from 1 to 4');
    expect(full).toContain('per 1,000 of the 0 to 25 population');
    expect(full).toContain('Demoshire is fictional, so this comparison is illustrative only');
    // Every chart is a named image with its table.
    expect(await site.page.getByRole('img', { name: 'Children and young people by primary need' }).count()).toBe(1);
    expect(await site.page.getByRole('table', { name: /Children and young people by primary need: table/ }).count()).toBe(1);

    await site.follow('See the version for sharing (small numbers protected)');
    expect(await site.mainText()).toContain('Small numbers are protected');
    await site.signOut();
    await site.close();

    const lead = await Site.open(journey.browser, journey.server.baseUrl);
    await lead.signIn(PARTICIPATION, DEMO_PASSWORD);
    await lead.follow('Needs assessment', 'nav[aria-label="Main menu"]');
    const shared = await lead.mainText();
    expect(shared).toContain('Small numbers are protected');
    expect(shared).not.toContain('Full figures');
    expect(shared).not.toContain('Joined in the month');
    await lead.signOut();
    await lead.close();
  });
});
