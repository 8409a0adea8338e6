// Journey 3: someone who uses only a keyboard signs in and adds an organisation. No mouse
// clicks: pages are reached by typing the address or by pressing keys.
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_USERS } from '../../src/demo/seed.js';
import { paths } from '../../src/paths.js';
import { useJourney } from './support/server.js';
import { chromiumPath, JOURNEY_TIMEOUT, Site } from './support/pages.js';

const ADMIN = DEMO_USERS.find((u) => u.roles.includes('partnership-administrator'))!;
const ORG = { name: 'Demoshire Sensory Support Team (fictional)', code: 'DEMO-SST', type: 'NHS trust' };

describe.skipIf(!chromiumPath())('using only a keyboard', { timeout: JOURNEY_TIMEOUT }, () => {
  const journey = useJourney();

  it('signs in, skipping to the main content first, and adds an organisation', async () => {
    const site = await Site.open(journey.browser, journey.server.baseUrl);
    const keys = site.page.keyboard;
    await site.visit(paths.signIn);

    // The first Tab reaches the skip link, which is shown, and Enter moves focus to the main content.
    await keys.press('Tab');
    const skip = await site.focused();
    expect(skip.text).toBe('Skip to main content');
    expect(skip.focusVisible).toBe(true);
    await keys.press('Enter');
    await site.page.waitForFunction(() => document.activeElement?.id === 'main-content');
    site.assertEveryPageChecked(); // the skip link moves focus; it does not load a page

    // From the main content, the next Tab is the first field of the form.
    await keys.press('Tab');
    expect(await site.focused()).toMatchObject({ id: 'email', text: 'E-mail address', focusVisible: true });
    await keys.type(ADMIN.email);
    await keys.press('Tab');
    expect(await site.focused()).toMatchObject({ id: 'password', text: 'Password' });
    await keys.type(DEMO_PASSWORD);
    await site.pressToNavigate('Enter');
    expect(site.path()).toBe(paths.home);
    expect(await site.page.locator('.jointly-signed-in').innerText()).toContain(`Signed in as ${ADMIN.name}`);

    // To the organisations page by the link on the home page.
    await site.tabTo(/^Manage the partnership.s organisations$/);
    await site.pressToNavigate('Enter');
    expect(site.path()).toBe(paths.admin.organisations);

    // "Add an organisation" is a link styled as a button: Space works as on a button.
    await site.tabTo('Add an organisation');
    await site.pressToNavigate('Space');
    expect(site.path()).toBe(paths.admin.newOrganisation);

    await site.tabTo('Name');
    await keys.type(ORG.name);
    await keys.press('Tab');
    expect((await site.focused()).id).toBe('code');
    await keys.type(ORG.code.toLowerCase()); // the code is stored in capitals whatever is typed
    // Tab enters the radio group at its first option; Space selects it, arrows move the selection.
    await keys.press('Tab');
    expect((await site.focused()).text).toBe('Council: education (SEND)');
    await keys.press('Space');
    for (let i = 0; i < 10 && (await site.focused()).text !== ORG.type; i++) await keys.press('ArrowDown');
    expect(await site.focused()).toMatchObject({ text: ORG.type, focusVisible: true });
    expect(await site.page.getByRole('radio', { name: ORG.type, exact: true }).isChecked()).toBe(true);
    await keys.press('Tab');
    expect(await site.focused()).toMatchObject({ tag: 'button', text: 'Add organisation', focusVisible: true });
    await site.pressToNavigate('Enter');

    expect(site.path()).toBe(`${paths.admin.organisations}?added=${ORG.code}`);
    expect(await site.mainText()).toContain(`Organisation ${ORG.code} added`);
    const row = await site.page.getByRole('row').filter({ hasText: ORG.name }).innerText();
    expect(row).toContain(ORG.code);
    expect(row).toContain(ORG.type);

    // Signing out is a keyboard action too.
    await site.tabTo('Sign out');
    await site.pressToNavigate('Enter');
    expect(await site.mainText()).toContain('You have signed out.');
    await site.close();
  });
});
