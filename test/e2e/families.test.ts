// A family uses Jointly on a phone (issue 15): a caseworker invites a parent from the record;
// the parent sets a password from the e-mailed link, reads their child's record, sees who can
// see it and who has looked, and stops sharing with the NHS trust, whose practitioner then no
// longer sees the record. Every page is checked with axe, the parent's at 320 pixels wide.
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';
import { paths } from '../../src/paths.js';
import { useJourney } from './support/server.js';
import { chromiumPath, JOURNEY_TIMEOUT, Site } from './support/pages.js';
import { addStaff, createChild, orgByCode } from '../support/register.js';
import { todayInLondon } from '../../src/platform/dates.js';
import { addMonths } from '../../src/capabilities/families/my-family/rules.js';

const CASEWORKER = 'caseworker@demoshire.example.org';
const PRACTITIONER = 'practitioner@demoshire.example.org';
const PARENT_EMAIL = 'sam.brookparent@example.net';
const PASSWORD = 'a long family password';
/** The second person, who checks the address with the family and approves the account. */
const SECOND = 'second.caseworker@demoshire.example.org';

describe.skipIf(!chromiumPath())('a family on a phone', { timeout: JOURNEY_TIMEOUT * 2 }, () => {
  const journey = useJourney();
  /** A second caseworker approves the account the first asked for: only then is the invitation sent. */
  const approveAs = async (childId: string, email: string) => {
    const db = journey.server.database.db;
    if (!(await db.selectFrom('users').select('id').where('email', '=', SECOND).executeTakeFirst())) {
      await addStaff(db, { email: SECOND, displayName: 'Demo Second Caseworker', orgCode: 'DEMO-EDU', roles: ['caseworker'] });
    }
    const second = await Site.open(journey.browser, journey.server.baseUrl);
    await second.signIn(SECOND, DEMO_PASSWORD);
    expect(await second.visit(paths.children.familyAccounts(childId))).toBe(200);
    await second.submit(`Approve and send the invitation to ${email}`);
    expect(await second.mainText()).toContain('Approved. The invitation is sent');
    await second.close();
  };

  it('a parent is invited, reads the record, sees who looked and stops sharing with one organisation', async () => {
    const db = journey.server.database.db;
    const trust = await orgByCode(db, 'DEMO-TRUST');
    const { childId } = await createChild(db, {
      givenName: 'Brook',
      involvedOrgCodes: ['DEMO-EDU', 'DEMO-TRUST'],
      consentScopes: [
        { organisationType: 'council-education', section: 'core' },
        { organisationType: 'council-education', section: 'family' },
        { organisationType: 'nhs-trust', section: 'core' },
        { organisationType: 'nhs-trust', section: 'health' },
      ],
      familyMember: { fullName: 'Sam Brookparent', relationship: 'mother', parentalResponsibility: true, email: PARENT_EMAIL },
    });

    // The caseworker invites the parent from the family page.
    const caseworker = await Site.open(journey.browser, journey.server.baseUrl);
    await caseworker.signIn(CASEWORKER, DEMO_PASSWORD);
    expect(await caseworker.visit(paths.children.family(childId))).toBe(200);
    await caseworker.follow('Invite the family to use Jointly');
    expect(await caseworker.heading()).toBe('Family accounts');
    await caseworker.submit('Ask for an account for Sam Brookparent (mother)');
    expect(await caseworker.mainText()).toContain('Someone else must now check the e-mail address with the family and approve it');
    await caseworker.close();
    await approveAs(childId, PARENT_EMAIL);

    // The practitioner sees the record before.
    const practitioner = await Site.open(journey.browser, journey.server.baseUrl);
    await practitioner.signIn(PRACTITIONER, DEMO_PASSWORD);
    expect(await practitioner.visit(paths.children.record(childId))).toBe(200);

    // The parent, on a phone.
    const parent = await Site.open(journey.browser, journey.server.baseUrl);
    await parent.page.setViewportSize({ width: 320, height: 640 });
    const message = [...journey.server.sent].reverse().find((m) => m.to === PARENT_EMAIL)!;
    const link = new URL(/https?:\/\/\S+\/invitation\/\S+/.exec(message.body)![0]).pathname;
    expect(await parent.visit(link)).toBe(200);
    await parent.page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await parent.page.getByLabel('Confirm password').fill(PASSWORD);
    await parent.submit('Create password');
    expect(parent.path()).toBe(paths.myFamily.home);
    expect(await parent.heading()).toBe('Your family');
    // Nothing is wider than the screen: the page reflows (WCAG 1.4.10).
    const overflow = () => parent.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await parent.follow('Brook Testfamily');
    expect(await parent.heading()).toBe('Brook Testfamily');
    expect(await parent.mainText()).toContain(trust.name);
    expect(await overflow()).toBeLessThanOrEqual(0);

    await parent.follow('See everyone who has looked at or changed Brook Testfamily’s record');
    expect(await parent.mainText()).toContain('Demo Practitioner');
    await parent.follow('Back to Brook Testfamily');

    // Stopping sharing with the trust, by keyboard.
    await parent.follow(/^Stop sharing/);
    await parent.tabTo(trust.name);
    await parent.page.keyboard.press('Space');
    await parent.tabTo('Stop sharing');
    await parent.pressToNavigate('Enter');
    expect(await parent.mainText()).toContain('Sharing stopped');
    expect(await practitioner.visit(paths.children.record(childId))).toBe(404);
    await parent.close();
    await practitioner.close();
  });

  it('a young person of 16 is invited with their own e-mail address, sees what is theirs to do, and writes "about me"', async () => {
    const db = journey.server.database.db;
    const email = 'ari.own@example.net';
    const { childId } = await createChild(db, {
      givenName: 'Ari',
      // Their 16th birthday is today.
      dateOfBirth: addMonths(todayInLondon(), -12 * 16),
      involvedOrgCodes: ['DEMO-EDU'],
      familyMember: { fullName: 'Lee Ariparent', relationship: 'father', parentalResponsibility: true, email: 'lee.ariparent@example.net' },
    });

    const caseworker = await Site.open(journey.browser, journey.server.baseUrl);
    await caseworker.signIn(CASEWORKER, DEMO_PASSWORD);
    expect(await caseworker.visit(paths.children.familyAccounts(childId))).toBe(200);
    // An empty address is refused with a specific message (the error summary is checked by axe too).
    await caseworker.submit('Ask for an account for Ari Testfamily');
    expect(await caseworker.mainText()).toContain("Enter Ari Testfamily's own e-mail address");
    await caseworker.page.getByLabel('Ari Testfamily’s own e-mail address').fill(email);
    await caseworker.submit('Ask for an account for Ari Testfamily');
    expect(await caseworker.mainText()).toContain('Someone else must now check the e-mail address with the family and approve it');
    await caseworker.close();
    await approveAs(childId, email);

    const yp = await Site.open(journey.browser, journey.server.baseUrl);
    await yp.page.setViewportSize({ width: 320, height: 640 });
    const message = [...journey.server.sent].reverse().find((m) => m.to === email)!;
    const link = new URL(/https?:\/\/\S+\/invitation\/\S+/.exec(message.body)![0]).pathname;
    expect(await yp.visit(link)).toBe(200);
    await yp.page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await yp.page.getByLabel('Confirm password').fill(PASSWORD);
    await yp.submit('Create password');
    expect(yp.path()).toBe(paths.myFamily.home);
    expect(await yp.mainText()).toContain('Your record');
    const overflow = () => yp.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    // Nothing about them is written yet: theirs to do.
    await yp.follow('Check what “about me” says about you');
    expect(await yp.heading()).toBe('About Ari Testfamily');
    await yp.page.getByLabel('What matters to Ari Testfamily').fill('Football, and being asked first (fictional)');
    await yp.page.getByLabel('Who wrote this?').fill('Ari');
    await yp.submit('Save');
    expect(yp.path()).toBe(`${paths.myFamily.child(childId)}?done=about-me`);
    expect(await yp.mainText()).toContain('Football, and being asked first (fictional)');
    expect(await yp.visit(paths.myFamily.home)).toBe(200);
    expect(await yp.mainText()).toContain('Nothing is waiting for you');
    // Staff pages are refused, and they stay signed in.
    expect(await yp.visit(paths.children.record(childId))).toBe(403);
    expect(await yp.visit(paths.myFamily.home)).toBe(200);
    await yp.close();
  });
});
