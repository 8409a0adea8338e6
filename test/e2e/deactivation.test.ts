// Journey 4: an administrator deactivates someone who is signed in elsewhere. Their very next
// page shows the sign-in page and says the account has been deactivated.
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_USERS } from '../../src/demo/seed.js';
import { paths } from '../../src/paths.js';
import { useJourney } from './support/server.js';
import { chromiumPath, JOURNEY_TIMEOUT, Site } from './support/pages.js';

const ADMIN = DEMO_USERS.find((u) => u.roles.includes('partnership-administrator'))!;
const LEAVER = DEMO_USERS.find((u) => u.roles.includes('practitioner'))!;
const DEACTIVATED = 'Your account has been deactivated. Contact your partnership administrator if you think this is wrong.';

describe.skipIf(!chromiumPath())('deactivating someone who is signed in', { timeout: JOURNEY_TIMEOUT }, () => {
  const journey = useJourney();

  it('ends their session at once, tells them why, and lets them back only after reactivation', async () => {
    const leaver = await Site.open(journey.browser, journey.server.baseUrl);
    expect(await leaver.signIn(LEAVER.email, DEMO_PASSWORD)).toBe(paths.home);

    const admin = await Site.open(journey.browser, journey.server.baseUrl);
    await admin.signIn(ADMIN.email, DEMO_PASSWORD);
    await admin.follow('People', 'nav[aria-label="Main menu"]');
    await admin.follow(LEAVER.name);
    expect(await admin.heading()).toBe(LEAVER.name);
    await admin.submit('Deactivate account');
    expect(await admin.mainText()).toContain('Account deactivated. Their sessions have ended.');
    expect(await admin.mainText()).toMatch(/Status Deactivated on \d+ \w+ \d{4}/);

    // The leaver, still looking at their home page, follows a link: the sign-in page says why.
    await leaver.follow('Follow your background jobs');
    expect(leaver.path()).toBe(`${paths.signIn}?reason=deactivated`);
    expect(await leaver.heading()).toBe('Sign in to Jointly');
    expect(await leaver.mainText()).toContain(DEACTIVATED);
    expect(await leaver.page.locator('.jointly-signed-in').count()).toBe(0);

    // Signing in again is refused with the same explanation.
    await leaver.page.getByLabel('E-mail address').fill(LEAVER.email);
    await leaver.page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
    await leaver.submit('Sign in');
    expect(await leaver.page.locator('.govuk-error-summary').innerText()).toContain(DEACTIVATED);
    expect(leaver.path()).toBe(paths.signIn);

    // Reactivated, they can sign in again.
    await admin.submit('Reactivate account');
    expect(await admin.mainText()).toContain('Account reactivated');
    expect(await leaver.signIn(LEAVER.email, DEMO_PASSWORD)).toBe(paths.home);
    expect(await leaver.page.locator('.jointly-signed-in').innerText()).toContain(`Signed in as ${LEAVER.name}`);

    await leaver.close();
    await admin.close();
  });
});
