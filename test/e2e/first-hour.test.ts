// Issue 14's "done when": on a fresh demo start (the accounts, then the background job's
// population, money, panel and recent weeks), every demo account signs in and its home page shows
// its own work, at 1280 and at 320 CSS pixels wide; every page of its main menu has content; axe
// finds nothing on any of them (the Site checks every page); and at 320 pixels no page scrolls
// sideways (WCAG 1.4.10): wide tables scroll inside their own focusable region.
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_USERS } from '../../src/demo/seed.js';
import { DEMO_POPULATION_JOB, registerDemoPopulationJob } from '../../src/demo/population.js';
import { createJobs } from '../../src/platform/jobs/jobs.js';
import { paths } from '../../src/paths.js';
import { useJourney } from './support/server.js';
import { chromiumPath, JOURNEY_TIMEOUT, Site } from './support/pages.js';

const CHILDREN = 400;
const WIDTHS = (process.env.FIRST_HOUR_WIDTHS ?? '1280,320').split(',').map(Number);

describe.skipIf(!chromiumPath())('the first hour: every demo account opens Jointly to its own work', { timeout: JOURNEY_TIMEOUT * 3 }, () => {
  const journey = useJourney();

  beforeAll(async () => {
    // As the first start does: the accounts (useJourney), then the background job that adds the rest.
    const db = journey.server.database.db;
    const runner = createJobs(db, { error() {} });
    registerDemoPopulationJob(runner);
    await runner.enqueue(db, DEMO_POPULATION_JOB, { children: CHILDREN }, { key: DEMO_POPULATION_JOB });
    await runner.runPending();
    const job = await db.selectFrom('jobs').select(['status', 'error']).where('kind', '=', DEMO_POPULATION_JOB).executeTakeFirstOrThrow();
    expect(job).toEqual({ status: 'succeeded', error: null });
  }, 600_000);

  /** Fails when the page is wider than the window: the whole page would scroll sideways. */
  const expectReflow = async (site: Site, width: number) => {
    if (width > 320) return;
    const overflow = await site.page.evaluate(() => {
      const wide = [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.govuk-visually-hidden'))
        // The outermost: the element that overflows inside one that does not.
        .filter((el) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= window.innerWidth + 1)
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${(el.textContent ?? '').trim().slice(0, 40)}"`);
      return { page: document.documentElement.scrollWidth, window: window.innerWidth, wide };
    });
    expect(
      overflow.page,
      `${site.path()} is ${overflow.page} pixels wide in a ${overflow.window}-pixel window: ${overflow.wide.join('; ')}`,
    ).toBeLessThanOrEqual(overflow.window);
  };

  for (const width of WIDTHS) {
    it.each(DEMO_USERS.map((u) => [u.email, u] as const))(`%s at ${width} pixels: home shows their work, every menu page has content`, async (email) => {
      const site = await Site.open(journey.browser, journey.server.baseUrl);
      await site.page.setViewportSize({ width, height: 900 });
      expect(await site.signIn(email, DEMO_PASSWORD)).toBe(paths.home);
      await expectReflow(site, width);
      const work = site.page.locator('.jointly-worklist .jointly-worklist__item');
      expect(await site.page.getByRole('heading', { name: 'Your work', level: 2 }).isVisible()).toBe(true);
      expect(await work.count(), `work for ${email}`).toBeGreaterThan(0);
      expect(await work.first().getByRole('link').isVisible()).toBe(true);

      // The menu's pages, read from the menu itself (at 320 pixels it is folded behind a button).
      const menu = site.page.getByRole('navigation', { name: 'Main menu' });
      const links = await menu.locator('a').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href')!, text: a.textContent.trim() })));
      expect(links.length).toBeGreaterThan(1);
      for (const link of links) {
        expect(await site.visit(link.href), `${link.text} (${link.href})`).toBe(200);
        await expectReflow(site, width);
        expect((await site.heading()).length, `${link.text} has a heading`).toBeGreaterThan(0);
        // Content beyond the heading: at least a sentence or a table's worth of words.
        const main = await site.mainText();
        expect(main.length, `${link.text} (${link.href}) has content: ${main}`).toBeGreaterThan(120);
      }
      await site.close();
    });
  }

  it('a family reads the privacy notice from the referral form, at 320 pixels', async () => {
    const site = await Site.open(journey.browser, journey.server.baseUrl);
    await site.page.setViewportSize({ width: 320, height: 900 });
    expect(await site.visit(paths.referrals.selfReferral)).toBe(200);
    await expectReflow(site, 320);
    await site.follow('privacy notice');
    expect(await site.heading()).toBe('Privacy notice');
    expect(await site.mainText()).toContain('Your rights');
    await expectReflow(site, 320);
    await site.close();
  });
});
