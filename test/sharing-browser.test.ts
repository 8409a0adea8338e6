// The sharing pages in a real browser, with axe (WCAG 2.2 AA) on every page loaded: record
// consent through the scope matrix (errors first), record a lawful basis, use emergency access,
// see "who has looked", and review the emergency access as the information governance lead.
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../src/demo/seed.js';
import { paths } from '../src/paths.js';
import { useJourney } from './e2e/support/server.js';
import { chromiumPath, JOURNEY_TIMEOUT, Site } from './e2e/support/pages.js';
import { createChild, fakeNhsNumber } from './support/register.js';

describe.skipIf(!chromiumPath())('consent, emergency access and its review in a browser', { timeout: JOURNEY_TIMEOUT }, () => {
  const journey = useJourney();

  it('a caseworker records consent and a lawful basis; a key worker uses emergency access; the IG lead reviews it', async () => {
    const nhs = fakeNhsNumber(777);
    const { childId } = await createChild(journey.server.database.db, {
      givenName: 'Marlowe',
      familyName: 'Demoson',
      nhsNumber: nhs,
      involvedOrgCodes: ['DEMO-EDU', 'DEMO-TRUST'],
      consentScopes: [{ organisationType: 'council-education', section: 'core' }],
    });

    const caseworker = await Site.open(journey.browser, journey.server.baseUrl);
    await caseworker.signIn('caseworker@demoshire.example.org', DEMO_PASSWORD);
    expect(await caseworker.visit(paths.children.sharing(childId))).toBe(200);
    expect(await caseworker.heading()).toBe('Consent and sharing');
    await caseworker.follow('Record consent');
    expect(await caseworker.heading()).toBe('Record consent to share');

    // An empty form: every problem listed, each link going to its field.
    await caseworker.submit('Record consent');
    const summary = caseworker.page.locator('.govuk-error-summary');
    const links = summary.getByRole('link');
    expect((await links.allInnerTexts()).map((t) => t.trim())).toEqual([
      'Select who gave consent',
      'Enter the date consent was given',
      'Select how consent was given',
      'Enter the date to review consent',
      'Select at least one organisation, or type of organisation, and part of the record to share',
    ]);
    for (const href of await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
      expect(await caseworker.page.locator(href!).count()).toBe(1);
    }

    // Filled in.
    const page = caseworker.page;
    await page.getByRole('radio', { name: 'A parent or carer with parental responsibility' }).check();
    await page.getByLabel('If a parent or carer gave consent: who').selectOption({ label: 'Parent or carer 1' });
    const givenOn = page.getByRole('group', { name: 'When was consent given?' });
    await givenOn.getByLabel('Day').fill('1');
    await givenOn.getByLabel('Month').fill('2');
    await givenOn.getByLabel('Year').fill('2024');
    await page.getByRole('radio', { name: /^Spoken/ }).check();
    const reviewOn = page.getByRole('group', { name: 'When should consent be reviewed?' });
    await reviewOn.getByLabel('Day').fill('1');
    await reviewOn.getByLabel('Month').fill('2');
    await reviewOn.getByLabel('Year').fill('2025');
    await page.getByRole('checkbox', { name: 'Council: education (SEND): Core record' }).check();
    await page.getByRole('checkbox', { name: 'NHS trust: Core record' }).check();
    await page.getByRole('checkbox', { name: 'NHS trust: Health' }).check();
    await caseworker.submit('Record consent');
    // It covers the caseworker's own type of organisation, so it waits for a second person (ADR 0012).
    expect(caseworker.path()).toBe(`${paths.children.sharing(childId)}?done=consent-pending`);
    expect(await caseworker.mainText()).toContain('Consent recorded. It covers your own organisation');
    expect(await caseworker.mainText()).toContain('Waiting for approval');

    await caseworker.follow('Record a lawful basis');
    expect(await caseworker.heading()).toBe('Record a lawful basis for sharing');
    await caseworker.submit('Record lawful basis');
    expect(await page.locator('.govuk-error-summary').isVisible()).toBe(true);
    await page.getByRole('radio', { name: /^Safeguarding/ }).check();
    await page
      .getByLabel('Which organisation does it apply to?')
      .selectOption({ label: 'Demoshire Community Health NHS Trust (fictional) (works with them now)' });
    await page.getByRole('checkbox', { name: 'Core record' }).check();
    await page.getByLabel('Why is the record shared on this basis?').fill('Strategy discussion agreed health must see the record (fictional)');
    const decided = page.getByRole('group', { name: 'When was it decided?' });
    await decided.getByLabel('Day').fill('3');
    await decided.getByLabel('Month').fill('2');
    await decided.getByLabel('Year').fill('2024');
    await caseworker.submit('Record lawful basis');
    expect(await caseworker.mainText()).toContain('Lawful basis recorded');

    await caseworker.follow(/^Withdraw consent given on 1 February 2024/);
    expect(await caseworker.heading()).toBe('Withdraw consent given on 1 February 2024');
    await caseworker.close();

    // A key worker whose team is not involved uses emergency access from the NHS number.
    const keyworker = await Site.open(journey.browser, journey.server.baseUrl);
    await keyworker.signIn('keyworker@demoshire.example.org', DEMO_PASSWORD);
    expect(await keyworker.visit(paths.children.sharing(childId))).toBe(404);
    await keyworker.visit(paths.register.emergencyAccessStart);
    await keyworker.page.getByLabel('The child’s NHS number, Unique Pupil Number or council reference').fill(nhs);
    await keyworker.page.getByLabel('Why do you need the record now?').fill('Brought to the short break unwell; need contacts (fictional)');
    await keyworker.page.getByRole('radio', { name: '1 hour' }).check();
    await keyworker.submit('Get emergency access');
    expect(keyworker.path()).toBe(paths.children.record(childId));
    expect(await keyworker.visit(paths.children.whoHasLooked(childId))).toBe(200);
    expect(await keyworker.mainText()).toContain('You are using emergency access to this record until');
    expect(await keyworker.mainText()).toContain('Used emergency access');
    await keyworker.close();

    const ig = await Site.open(journey.browser, journey.server.baseUrl);
    await ig.signIn('ig@demoshire.example.org', DEMO_PASSWORD);
    await ig.follow('Emergency access', 'nav[aria-label="Main menu"]');
    expect(await ig.heading()).toBe('Emergency access to review');
    expect(await ig.mainText()).toContain('Marlowe Demoson');
    await ig.submit('Mark as reviewed');
    expect(await ig.page.locator('.govuk-error-summary').innerText()).toContain('Enter a review note');
    await ig.page.getByLabel('Review note').fill('Justified (fictional review)');
    await ig.submit('Mark as reviewed');
    expect(await ig.mainText()).toContain('Emergency access marked as reviewed');

    // The caseworker's consent waits for the information governance lead, who approves it.
    await ig.follow('Sharing to approve', 'nav[aria-label="Main menu"]');
    expect(await ig.heading()).toBe('Sharing to approve');
    expect(await ig.mainText()).toContain('Consent for Marlowe Demoson');
    await ig.submit('Record your decision');
    expect(await ig.page.locator('.govuk-error-summary').innerText()).toContain('Select whether you approve it or not');
    await ig.page.getByRole('radio', { name: 'Yes, approve it' }).check();
    await ig.page.getByLabel('Note').fill('Spoken consent confirmed with the parent by phone (fictional)');
    await ig.submit('Record your decision');
    expect(await ig.mainText()).toContain('Approved. It counts from now');
    expect(await ig.mainText()).toContain('Nothing is waiting for approval');
    await ig.close();
  });
});
