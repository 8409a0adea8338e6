// The core record's pages in a real browser, each checked with axe (WCAG 2.2 AA) as it loads:
// the register form (empty, with errors, filled in), the duplicate guard, the record, the edit
// page and the history of changes.
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../src/demo/seed.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import { useJourney } from './e2e/support/server.js';
import { chromiumPath, JOURNEY_TIMEOUT, Site } from './e2e/support/pages.js';
import { fakeNhsNumber } from './support/register.js';

const CASEWORKER = 'caseworker@demoshire.example.org';

describe.skipIf(!chromiumPath())('the core record in a browser', { timeout: JOURNEY_TIMEOUT }, () => {
  const journey = useJourney();

  it('registers a child, meets the duplicate guard, changes the record and reads its history', async () => {
    const site = await Site.open(journey.browser, journey.server.baseUrl);
    const page = site.page;
    await site.signIn(CASEWORKER, DEMO_PASSWORD);

    await site.visit(paths.children.register);
    expect(await site.heading()).toBe('Register a child or young person');
    // Today is filled in for the dates joined and of consent.
    const [y, , d] = todayInLondon().split('-');
    expect(await page.inputValue('#joinedOn-day')).toBe(String(Number(d)));

    // Sent empty: an error summary whose links lead to the fields.
    await site.submit('Register');
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Enter the child’s first name');
    expect(await page.title()).toMatch(/^Error: /);

    const fill = async (nhs: string) => {
      await page.fill('#givenName', 'Robin');
      await page.fill('#familyName', 'Browsertestfamily');
      await page.fill('#dateOfBirth-day', '14');
      await page.fill('#dateOfBirth-month', '2');
      await page.fill('#dateOfBirth-year', String(Number(y) - 8));
      await page.getByRole('radio', { name: 'Female', exact: true }).check();
      await page.selectOption('#ethnicity', 'WBRI');
      await page.fill('#postcode', 'dm2 3ab');
      await page.fill('#nhsNumber', nhs);
      await page.selectOption('#primaryNeed', 'SLCN');
      await page.getByRole('checkbox', { name: 'Autism', exact: true }).check();
      await page.locator('#hasEhcPlan').check();
      await page.locator('#severity-2').check();
      await page.fill('#parentName', 'Jo Browsertestfamily');
      await page.selectOption('#parentRelationship', 'father');
      await page.locator('#parentalResponsibility').check();
      await page.fill('#parentPhone', '07700 900 982');
      await page.locator('#consentGivenBy').check();
      await page.locator('#consentMethod').check();
      await page
        .getByRole('group', { name: 'Council: education (SEND) (your organisation)' })
        .getByRole('checkbox', { name: /Education/ })
        .check();
      await page
        .getByRole('group', { name: 'NHS trust', exact: true })
        .getByRole('checkbox', { name: /Health/ })
        .check();
      await page.fill('#service', 'Early years SEND team');
    };
    await fill('943 476 5918');
    await site.submit('Register');
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Enter a valid NHS number: it is 10 digits and its last digit did not check out');
    await page.fill('#nhsNumber', fakeNhsNumber(1));
    await site.submit('Register');
    expect(site.path()).toMatch(/^\/children\/[0-9a-f-]{36}\?registered=1$/);
    const main = await site.mainText();
    expect(main).toContain('Child registered');
    expect(main).toContain('Robin Browsertestfamily');
    expect(main).toContain('South Demoshire'); // DM2 3 is a sector of South Demoshire
    const record = site.path().split('?')[0]!;

    // The same child again: the guard shows the record, and going back keeps the answers.
    await site.visit(paths.children.register);
    await fill(fakeNhsNumber(2));
    await site.submit('Register');
    expect(await site.heading()).toBe('This child may already be on the register');
    expect(await site.mainText()).toContain('Robin Browsertestfamily');
    await site.submit('No, go back to the details');
    expect(await page.inputValue('#familyName')).toBe('Browsertestfamily');

    // Change the record, then read the history.
    await site.visit(record);
    await site.follow('Change the record');
    expect(await site.heading()).toBe('Change the core record');
    await page.fill('#preferredName', 'Robbie');
    await page.getByRole('checkbox', { name: /Needs support from two or more agencies/ }).check();
    await site.submit('Save changes');
    expect(await site.mainText()).toContain('Changes saved');
    expect(await site.mainText()).toContain('Assessed by Demo Caseworker');
    await site.follow('See the changes made to this record');
    const history = await site.mainText();
    expect(history).toContain('Preferred name');
    expect(history).toContain('Robbie');
    await site.close();
  });
});
