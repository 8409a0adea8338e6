// Journey 1: every demo account signs in and sees its home page; the administrator reaches
// each administration page; someone without the permission is told so; signing out works.
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_USERS } from '../../src/demo/seed.js';
import { ROLES } from '../../src/platform/access/roles.js';
import { paths } from '../../src/paths.js';
import { useJourney } from './support/server.js';
import { AccessibilityError, chromiumPath, JOURNEY_TIMEOUT, Site } from './support/pages.js';

const ADMIN = DEMO_USERS.find((u) => u.roles.includes('partnership-administrator'))!;
const CASEWORKER = DEMO_USERS.find((u) => u.roles.includes('caseworker'))!;

describe.skipIf(!chromiumPath())('each demo role in a browser', { timeout: JOURNEY_TIMEOUT }, () => {
  const journey = useJourney();

  it.each(DEMO_USERS.map((u) => [u.name, u] as const))('%s signs in, sees their home page and signs out', async (_name, user) => {
    const site = await Site.open(journey.browser, journey.server.baseUrl);
    expect(await site.signIn(user.email, DEMO_PASSWORD)).toBe(paths.home);
    expect(await site.heading()).toBe('Jointly');
    expect(await site.page.locator('.jointly-signed-in').innerText()).toContain(`Signed in as ${user.name}`);
    expect(await site.mainText()).toContain(`Your roles: ${user.roles.map((r) => ROLES[r]).join(', ')}.`);

    await site.signOut();
    // Signed out means signed out: the home page asks for sign-in again.
    expect(await site.visit(paths.home)).toBe(200);
    expect(site.path()).toBe(`${paths.signIn}?reason=required`);
    expect(await site.mainText()).toContain('You need to sign in to see that page.');
    await site.close();
  });

  it('the administrator opens every administration page from the menu', async () => {
    const site = await Site.open(journey.browser, journey.server.baseUrl);
    await site.signIn(ADMIN.email, DEMO_PASSWORD);
    const menu = site.page.getByRole('navigation', { name: 'Main menu' });
    expect((await menu.getByRole('link').allInnerTexts()).map((t) => t.trim())).toEqual([
      'Home',
      'Register overview',
      'Budget reports', // budgets:view; not "Joint budgets", which needs budgets:entries (docs/adr/0009)
      'Disputes', // panel-reports:view (docs/adr/0011)
      'Panel reports',
      'Imports', // records:import (see docs/adr/0010)
      'Matches to review', // records:import
      'Panels', // panels:configure: once, though it serves two permissions
      'Late outcome sheets',
      'Split templates',
      'Need and supply', // register:overview: the Local Offer's need against supply (docs/adr/0017)
      'Needs assessment', // needs-assessment:view: small numbers protected (docs/adr/0020)
      'Commissioning plans', // commissioning:view: the administrator records the board's decision (docs/adr/0023)
      'Contracts',
      'Area settings',
      'Eligibility rules',
      'Organisations',
      'People',
      'Audit log',
      'Outbox',
      'Background jobs',
    ]);
    const pages: [string, string, string][] = [
      ['Disputes', paths.disputes.list, 'Disputes about shares'],
      ['Panel reports', paths.panelReports.home, 'Panel reports'],
      ['Panels', paths.panels.home, 'Panels'],
      ['Late outcome sheets', paths.decisions.late, 'Late outcome sheets'],
      ['Split templates', paths.decisions.templates, 'Split templates'],
      ['Eligibility rules', paths.eligibility.ruleSets, 'Eligibility rules'],
      ['Organisations', paths.admin.organisations, 'Organisations'],
      ['People', paths.admin.users, 'People'],
      ['Audit log', paths.admin.audit, 'Audit log'],
      ['Outbox', paths.admin.outbox, 'Outbox'],
      ['Background jobs', paths.jobs.list, 'Background jobs'],
    ];
    for (const [link, path, heading] of pages) {
      await site.follow(link, 'nav[aria-label="Main menu"]');
      expect(site.path()).toBe(path);
      expect(await site.heading()).toBe(heading);
      // The menu marks the section you are in.
      expect(await menu.locator('[aria-current]').innerText()).toBe(link);
    }

    // One level deeper: the escalation ladder, from the disputes page.
    await site.follow('Disputes', 'nav[aria-label="Main menu"]');
    await site.follow('Change the escalation ladder');
    expect(await site.heading()).toBe('Escalation ladder for disputes');
    // An organisation and a person, each reached by its link.
    await site.follow('Organisations', 'nav[aria-label="Main menu"]');
    await site.follow(/Demoshire Parent Carer Forum/);
    expect(await site.heading()).toBe('Demoshire Parent Carer Forum (fictional)');
    await site.follow('People', 'nav[aria-label="Main menu"]');
    await site.follow(CASEWORKER.name);
    expect(await site.heading()).toBe(CASEWORKER.name);
    await site.signOut();
    await site.close();
  });

  it('a caseworker is told they do not have access to the people page', async () => {
    const site = await Site.open(journey.browser, journey.server.baseUrl);
    // An empty sign-in form first: the error summary names both fields.
    await site.visit(paths.signIn);
    await site.submit('Sign in');
    expect(await site.page.locator('.govuk-error-summary').innerText()).toMatch(/There is a problem[\s\S]*Enter your e-mail address/);
    await site.signIn(CASEWORKER.email, DEMO_PASSWORD);
    const menu = site.page.getByRole('navigation', { name: 'Main menu' });
    expect((await menu.getByRole('link').allInnerTexts()).map((t) => t.trim())).toEqual([
      'Home',
      'Children',
      'Disputes', // panels:attend: a caseworker may administer panels (issue 19)
      'Referrals',
      'Refer a child',
      'Panels',
      'Late outcome sheets',
      'Background jobs',
    ]);
    expect(await site.visit(paths.admin.users)).toBe(403);
    expect(await site.heading()).toBe('You do not have access to this page');
    expect(await site.mainText()).toContain('ask your partnership administrator');
    await site.follow('Go to the Jointly home page');
    expect(site.path()).toBe(paths.home);
    expect(await site.visit('/no-such-page')).toBe(404);
    expect(await site.heading()).toBe('Page not found');
    await site.signOut();
    await site.close();
  });

  it('the accessibility check fails a page that breaks WCAG, naming the rule and the element', async () => {
    const site = await Site.open(journey.browser, journey.server.baseUrl);
    await site.visit(paths.signIn);
    await site.page.evaluate(() => {
      const input = document.createElement('input');
      input.id = 'unlabelled-field';
      document.querySelector('main')!.append(input);
    });
    const failure = await site.checkAccessibility().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(failure).toBeInstanceOf(AccessibilityError);
    expect(failure!.message).toMatch(/- label \(critical\): Form elements must have labels/);
    expect(failure!.message).toContain('#unlabelled-field');
    await site.close();
  });
});
