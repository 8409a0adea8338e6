// Journey 2, the foundation's "done when": an administrator adds an organisation and a person;
// the person accepts the e-mailed invitation, creates a password, sets up security codes and
// signs in again; the audit log shows every step and is intact. Security codes are required.
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_USERS } from '../../src/demo/seed.js';
import { paths } from '../../src/paths.js';
import { useJourney } from './support/server.js';
import { chromiumPath, JOURNEY_TIMEOUT, Site } from './support/pages.js';

const ADMIN = DEMO_USERS.find((u) => u.roles.includes('partnership-administrator'))!;
// Invented for this test: fictional organisation and person.
const ORG = { name: 'Demoshire Youth Advice Service (fictional)', code: 'DEMO-YAS', type: 'Provider' };
const PERSON = { name: 'Demo New Starter', email: 'new.starter@demoshire.example.org', role: 'Key worker' };
const PASSWORD = 'lantern orchard pebble violet';

describe.skipIf(!chromiumPath())('the done-when journey, with security codes required', { timeout: JOURNEY_TIMEOUT }, () => {
  const journey = useJourney({ JOINTLY_REQUIRE_TOTP: 'true' });

  it('an administrator adds an organisation and a person, who accepts the invitation and signs in with a security code', async () => {
    const admin = await Site.open(journey.browser, journey.server.baseUrl);
    const menu = (name: string) => admin.follow(name, 'nav[aria-label="Main menu"]');

    // The administrator signs in and, because codes are required, sets them up first.
    expect(await admin.signIn(ADMIN.email, DEMO_PASSWORD)).toBe(paths.signInTotpSetup);
    await admin.setUpSecurityCodes();
    expect(admin.path()).toBe(paths.home);

    // An empty form: the error summary comes first, takes focus and links to each field.
    await menu('Organisations');
    await admin.follow('Add an organisation');
    expect(await admin.heading()).toBe('Add an organisation');
    await admin.submit('Add organisation');
    expect(await admin.page.title()).toMatch(/^Error: Add an organisation/);
    const summary = admin.page.locator('.govuk-error-summary');
    expect(await summary.isVisible()).toBe(true);
    expect(
      await admin.page
        .locator('main > *')
        .first()
        .evaluate((el) => el.classList.contains('govuk-error-summary')),
    ).toBe(true);
    expect(await summary.getByRole('heading').innerText()).toBe('There is a problem');
    await admin.page.waitForFunction(() => document.activeElement?.classList.contains('govuk-error-summary'));
    const links = summary.getByRole('link');
    expect((await links.allInnerTexts()).map((t) => t.trim())).toEqual([
      'Enter the organisation’s name',
      'Enter a short code',
      'Select the type of organisation',
    ]);
    const targets = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(targets).toEqual(['#name', '#code', '#type']);
    for (const href of targets) expect(await admin.page.locator(href!).count()).toBe(1);
    // Each field shows its own message too.
    expect(await admin.page.locator('#name-error').innerText()).toContain('Enter the organisation’s name');
    expect(await admin.page.locator('#type-error').innerText()).toContain('Select the type of organisation');
    // Following a link in the summary puts the cursor in that field (no new page).
    await links.filter({ hasText: 'Enter a short code' }).click();
    expect(await admin.page.evaluate(() => document.activeElement?.id)).toBe('code');
    admin.assertEveryPageChecked();

    // The organisation, properly filled in.
    await admin.page.getByLabel('Name', { exact: true }).fill(ORG.name);
    await admin.page.getByLabel('Short code').fill(ORG.code);
    await admin.page.getByRole('radio', { name: ORG.type, exact: true }).check();
    await admin.submit('Add organisation');
    expect(admin.path()).toBe(`${paths.admin.organisations}?added=${ORG.code}`);
    expect(await admin.mainText()).toContain(`Organisation ${ORG.code} added`);
    expect(await admin.page.getByRole('row').filter({ hasText: ORG.name }).innerText()).toContain(ORG.code);

    // A person in that organisation, with a role.
    await menu('People');
    await admin.follow('Add a person');
    await admin.submit('Add person and send invitation');
    expect(
      await admin.page
        .locator('.govuk-error-summary')
        .getByRole('link')
        .evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
    ).toEqual(['#displayName', '#email', '#organisationId']);
    await admin.page.getByLabel('Full name').fill(PERSON.name);
    await admin.page.getByLabel('Work e-mail address').fill(PERSON.email);
    await admin.page.getByLabel('Organisation').selectOption({ label: ORG.name });
    await admin.page.getByRole('checkbox', { name: PERSON.role, exact: true }).check();
    await admin.submit('Add person and send invitation');
    expect(await admin.heading()).toBe(PERSON.name);
    expect(await admin.mainText()).toContain('Invitation sent');
    expect(await admin.mainText()).toContain(ORG.name);

    // The invitation, as recorded in the outbox: without its link, which only the person receives.
    await menu('Outbox');
    // (The person is also told of their roles, in a message of its own.)
    const recorded = await admin.page.getByRole('row').filter({ hasText: PERSON.email }).filter({ hasText: 'You have been invited to Jointly' }).innerText();
    expect(recorded).toContain('You have been invited to Jointly');
    expect(recorded).toContain('[link removed: sent only to the person]');
    expect(recorded).not.toContain('/invitation/');
    // The message as it reached the person's inbox.
    const message = journey.server.sent
      .filter((m) => m.to === PERSON.email)
      .map((m) => m.body)
      .join('\n');
    const link = new RegExp(`${journey.server.baseUrl.replace(/[.]/g, '\\.')}/invitation/[A-Za-z0-9_-]+`).exec(message)?.[0];
    expect(link, `an invitation link to ${journey.server.baseUrl} in: ${message}`).toBeDefined();

    // The new person, on their own computer, follows the link.
    const person = await Site.open(journey.browser, journey.server.baseUrl);
    expect(await person.visit(link!)).toBe(200);
    expect(await person.heading()).toBe('Create your password');
    expect(await person.mainText()).toContain(PERSON.email);
    await person.page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await person.page.getByLabel('Confirm password').fill(PASSWORD);
    await person.submit('Create password');
    expect(person.path()).toBe(paths.signInTotpSetup);
    const secret = await person.setUpSecurityCodes();
    expect(person.path()).toBe(paths.home);
    expect(await person.page.locator('.jointly-signed-in').innerText()).toContain(`Signed in as ${PERSON.name}, ${ORG.name}`);
    expect(await person.mainText()).toContain(`Your roles: ${PERSON.role}.`);

    // Out, and back in with the password and then a security code.
    await person.signOut();
    expect(await person.signIn(PERSON.email, PASSWORD)).toBe(paths.signInTotp);
    await person.enterSecurityCode(secret);
    expect(person.path()).toBe(paths.home);
    expect(await person.page.locator('.jointly-signed-in').innerText()).toContain(`Signed in as ${PERSON.name}`);
    // The invitation cannot be used twice.
    expect(await person.visit(link!)).toBeGreaterThanOrEqual(400);
    await person.close();

    // The administrator checks the audit log.
    await menu('Audit log');
    expect(await admin.mainText()).toMatch(/The audit log is intact: all \d+ entries are linked to the one before them\./);
    const rowFor = async (action: string, who: string) => {
      const rows = admin.page.getByRole('row').filter({ has: admin.page.getByRole('cell', { name: action, exact: true }) });
      const texts = await rows.allInnerTexts();
      expect(
        texts.filter((t) => t.includes(who)),
        `an audit row for ${action} by ${who}`,
      ).not.toHaveLength(0);
    };
    await rowFor('admin.organisation.create', ADMIN.name);
    await rowFor('admin.user.create', ADMIN.name);
    await rowFor('invitation.accept', PERSON.name);
    await rowFor('sign-in.second-factor-setup', PERSON.name);
    await rowFor('sign-in.second-factor', PERSON.name);
    await admin.close();
  });
});
