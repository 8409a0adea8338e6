// The Local Offer in a real browser, with axe on every page: a provider sends a new service, a
// Local Offer officer approves it, and a parent on a phone-sized screen finds it by postcode and
// need, opens it and sees how to get it, with the link to the referral form.
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';
import { paths } from '../../src/paths.js';
import { useJourney } from './support/server.js';
import { createChild } from '../support/register.js';
import { chromiumPath, JOURNEY_TIMEOUT, Site } from './support/pages.js';

const PROVIDER = 'provider@demoshire.example.org';
const OFFICER = 'local-offer@demoshire.example.org';
const NAME = 'Plimsoll Lane autism-friendly climbing (fictional)';

describe.skipIf(!chromiumPath())('the Local Offer in a browser', { timeout: JOURNEY_TIMEOUT }, () => {
  const journey = useJourney();

  it('a provider submits a service, an officer approves it, a parent finds it by postcode and need', async () => {
    // The provider sends a new entry; a first try with the ages the wrong way round is refused.
    const provider = await Site.open(journey.browser, journey.server.baseUrl);
    await provider.signIn(PROVIDER, DEMO_PASSWORD);
    await provider.follow('Local Offer entries');
    await provider.follow('Add a service');
    const p = provider.page;
    await p.getByLabel('Name of the service').fill(NAME);
    await p.getByLabel('What the service does').fill('Climbing sessions with quiet times, visual timetables and staff trained in autism.');
    await p.getByLabel('Youngest age (years)').fill('16');
    await p.getByLabel('Oldest age (years)').fill('8');
    await p.getByLabel('Autism', { exact: true }).check();
    await p.getByLabel('Leisure and activities', { exact: true }).check();
    await p.getByLabel('Leisure activities', { exact: true }).check();
    await p.getByLabel('Families can contact the service themselves', { exact: true }).check();
    await p.getByLabel('What to do').fill('Book a taster session by phone.');
    await p.getByLabel('There is a charge', { exact: true }).check();
    await p.getByLabel('Cost in pounds (if there is a charge)').fill('6');
    await p.getByLabel('Address line (optional)').fill('12 Plimsoll Lane');
    await p.getByLabel('Town (optional)').fill('Demoshire Town');
    await p.getByLabel('Postcode (optional)').fill('DM4 2AB');
    await p.getByLabel('Accessibility of the place (optional)').fill('Step-free entrance and a quiet room');
    await provider.submit('Send for approval');
    expect(await provider.mainText()).toContain('The youngest age must be the same as or lower than the oldest age');
    await p.getByLabel('Youngest age (years)').fill('8');
    await p.getByLabel('Oldest age (years)').fill('16');
    await provider.submit('Send for approval');
    expect(await provider.mainText()).toContain('Sent for approval');
    expect(await provider.mainText()).toContain('Waiting for approval');
    await provider.close();

    // Not public yet.
    const early = await Site.open(journey.browser, journey.server.baseUrl);
    await early.visit(`${paths.localOffer.search}?q=Plimsoll`);
    expect(await early.mainText()).toContain('0 services found');
    await early.close();

    // The officer approves it from the worklist.
    const officer = await Site.open(journey.browser, journey.server.baseUrl);
    await officer.signIn(OFFICER, DEMO_PASSWORD);
    await officer.follow('Local Offer worklist');
    expect(await officer.heading()).toBe('Local Offer worklist');
    await officer.follow(NAME);
    expect(await officer.mainText()).toContain('Sent by Demo Local Offer Provider');
    await officer.submit('Approve and publish');
    expect(await officer.mainText()).toContain('The change was approved.');
    await officer.close();

    // A parent on a phone, not signed in, searches by postcode and need.
    const parent = await Site.open(journey.browser, journey.server.baseUrl);
    await parent.page.setViewportSize({ width: 375, height: 800 });
    await parent.visit(paths.localOffer.search);
    expect(await parent.heading()).toBe('Find services for children and young people with SEND');
    // An unknown postcode first: said specifically.
    await parent.page.getByLabel('Postcode (optional)').fill('AB1 2XY');
    await parent.submit('Search');
    expect(await parent.mainText()).toContain('We do not know the postcode AB1 2XY');
    await parent.page.getByLabel('Postcode (optional)').fill('DM4 2AD');
    await parent.page.getByLabel('Distance from the postcode').selectOption('1');
    await parent.page.getByRole('checkbox', { name: /^Autism/ }).check();
    await parent.page.getByLabel('Age of the child or young person (optional)').fill('10');
    await parent.submit('Search');
    const results = await parent.mainText();
    expect(results).toMatch(/\d+ services? found/);
    expect(results).toContain('within 1 mile of DM4 2AD');
    expect(results).toContain(NAME);
    await parent.follow(NAME);
    expect(await parent.heading()).toBe(NAME);
    const page = await parent.mainText();
    expect(page).toContain('How to get this');
    expect(page).toContain('Book a taster session by phone.');
    expect(page).toContain('£6');
    expect(page).toContain('Step-free entrance and a quiet room');
    expect(await parent.page.getByRole('link', { name: 'ask for help using the referral form' }).getAttribute('href')).toBe(paths.referrals.selfReferral);
    await parent.close();
  });

  it('a commissioner sees a gap between need and supply, as words, a chart and a table', async () => {
    const db = journey.server.database.db;
    const born = `${new Date().getUTCFullYear() - 23}-01-15`;
    for (let i = 0; i < 5; i++) await createChild(db, { familyName: `Gapfamily${i}`, primaryNeed: 'MSI', dateOfBirth: born, postcode: 'DM6 1AB' });
    const site = await Site.open(journey.browser, journey.server.baseUrl);
    await site.signIn('commissioner@demoshire.example.org', DEMO_PASSWORD);
    await site.follow('Need and supply');
    expect(await site.heading()).toBe('Need against supply');
    const main = await site.mainText();
    expect(main).toMatch(/Multi-sensory impairment, 20 to 25 year-olds in South Demoshire: 5 children, [01] services? within 10 miles/);
    expect(await site.page.locator('svg[role="img"] title').first().textContent()).toBe('Children in groups with at most one service within 10 miles');
    await site.page.getByLabel('Distance from the locality’s centre').selectOption('20');
    await site.submit('Show');
    expect(await site.mainText()).toContain('Services within 20 miles');
    await site.close();
  });
});
