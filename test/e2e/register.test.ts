// Journey 4, the joint agency record (issue 3): in Chromium, with axe on every page and partly by
// keyboard. A council caseworker registers a child with a family and consent, adds an NHS trust
// involvement, writes "about me" and a chronology event; the NHS trust practitioner can then see
// the record but not the family; the consent is withdrawn and access ends on the very next
// request; the practitioner uses emergency access, the information governance lead reviews it, and
// "who has looked at this record" lists what everyone did. Every name here is invented.
import { describe, expect, it } from 'vitest';
import { DEMO_ORGANISATIONS, DEMO_PASSWORD, DEMO_USERS } from '../../src/demo/seed.js';
import { todayInLondon } from '../../src/platform/dates.js';
import { paths } from '../../src/paths.js';
import type { Db } from '../../src/platform/db/database.js';
import { useJourney } from './support/server.js';
import { chromiumPath, JOURNEY_TIMEOUT, Site } from './support/pages.js';

const user = (email: string) => DEMO_USERS.find((u) => u.email === email)!;
const CASEWORKER = user('caseworker@demoshire.example.org');
const PRACTITIONER = user('practitioner@demoshire.example.org');
const IG_LEAD = user('ig@demoshire.example.org');
const org = (code: string) => DEMO_ORGANISATIONS.find((o) => o.code === code)!.name;
const COUNCIL = org('DEMO-EDU');
const TRUST = org('DEMO-TRUST');

// Invented for this journey.
const CHILD = { given: 'Rosalind', family: 'Demoson', dateOfBirth: '2016-05-14' };
const CHILD_NAME = `${CHILD.given} ${CHILD.family}`;
const PARENT = { name: 'Marnie Demoson', email: 'marnie.demoson@example.org' };
const INVOLVEMENT = { service: 'Children’s community physiotherapy', provides: 'Weekly physiotherapy at home and at school', cost: '45.50' };
const EVENT = { title: 'Annual review meeting held', detail: 'The family, school and physiotherapist met at school.' };
const WITHDRAW_REASON = 'Marnie Demoson phoned the SEND team and asked for sharing to stop.';
const EMERGENCY_REASON = 'Rosalind has arrived at the children’s ward after a fall and we need to know her needs and who to contact.';
const REVIEW_NOTE = 'Justified: a hospital emergency. Nothing further to do.';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** '2024-03-07' → '7 March 2024', as the pages write dates. */
const longDate = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return `${d} ${MONTHS[m - 1]} ${y}`;
};
/** The London date `n` days before today, 'YYYY-MM-DD'. */
const daysAgo = (n: number) => {
  const d = new Date(`${todayInLondon()}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
};

/**
 * The NHS number's check digit, worked out here from the rule (STANDARDS.md §4.2), not with the
 * product's own code: weights 10 down to 2, 11 minus the remainder, 11 becomes 0, 10 is invalid.
 */
function nhsCheckDigit(nine: string): number | null {
  const sum = [...nine].reduce((s, ch, i) => s + Number(ch) * (10 - i), 0);
  const check = 11 - (sum % 11);
  return check === 11 ? 0 : check === 10 ? null : check;
}

/** A valid NHS number that no child in the database has, as ten digits. */
async function unusedNhsNumber(db: Db): Promise<string> {
  for (;;) {
    // 999 starts the range NHS England keeps for testing, so this can never be a real person's.
    const nine = `999${String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0')}`;
    const check = nhsCheckDigit(nine);
    if (check === null) continue;
    const number = `${nine}${check}`;
    const taken = await db.selectFrom('children').select('id').where('nhs_number', '=', number).executeTakeFirst();
    if (!taken) return number;
  }
}
const spaced = (n: string) => `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`;
/** The same number with its last digit wrong, so it fails the check. */
const wrongCheck = (n: string) => `${n.slice(0, 9)}${(Number(n[9]) + 1) % 10}`;

async function fillDate(site: Site, field: string, iso: string) {
  const [y, m, d] = iso.split('-');
  await site.page.locator(`#${field}-day`).fill(String(Number(d)));
  await site.page.locator(`#${field}-month`).fill(String(Number(m)));
  await site.page.locator(`#${field}-year`).fill(y!);
}

/** The error summary's links: their text and where each points. Checks each target exists once. */
async function errorSummary(site: Site): Promise<{ text: string; href: string }[]> {
  const summary = site.page.locator('.govuk-error-summary');
  expect(await summary.getByRole('heading').innerText()).toBe('There is a problem');
  const links = await summary
    .getByRole('link')
    .evaluateAll((as) => as.map((a) => ({ text: (a as HTMLElement).innerText.trim(), href: a.getAttribute('href') ?? '' })));
  for (const l of links) expect(await site.page.locator(l.href).count(), `the target of "${l.text}" (${l.href})`).toBe(1);
  return links;
}

/** Rows of the first table in the main content, as arrays of cell texts. */
async function tableRows(site: Site, table = site.page.locator('main table').first()): Promise<string[][]> {
  return table
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td, th')].map((c) => (c as HTMLElement).innerText.replace(/\s+/g, ' ').trim())));
}

const recordNav = 'nav[aria-label^="Parts of the record of"]';

describe.skipIf(!chromiumPath())('the joint agency record in a browser', { timeout: JOURNEY_TIMEOUT * 3 }, () => {
  const journey = useJourney();

  it('registers a child with consent, shares with the NHS trust, withdraws consent, and audits emergency access', async () => {
    const db = journey.server.database.db;
    const nhsNumber = await unusedNhsNumber(db);

    // 1. The caseworker registers the child -------------------------------------------------------
    const caseworker = await Site.open(journey.browser, journey.server.baseUrl);
    const keys = () => caseworker.page.keyboard;
    expect(await caseworker.signIn(CASEWORKER.email, DEMO_PASSWORD)).toBe(paths.home);
    await caseworker.follow('Children', 'nav[aria-label="Main menu"]');
    expect(await caseworker.heading()).toBe('Children and young people');
    await caseworker.follow('Add a child to the register');
    expect(caseworker.path()).toBe(paths.children.register);
    expect(await caseworker.heading()).toBe('Register a child or young person');

    // A first go with only a first name and a mistyped NHS number: every problem is listed first.
    await caseworker.page.getByLabel('First name').fill(CHILD.given);
    await caseworker.page.getByLabel('NHS number (optional)').fill(spaced(wrongCheck(nhsNumber)));
    await caseworker.submit('Register');
    expect(caseworker.path()).toBe(paths.children.register);
    expect(await caseworker.page.title()).toMatch(/^Error: Register a child or young person/);
    expect(
      await caseworker.page
        .locator('main > *')
        .first()
        .evaluate((el) => el.classList.contains('govuk-error-summary')),
    ).toBe(true);
    await caseworker.page.waitForFunction(() => document.activeElement?.classList.contains('govuk-error-summary'));
    const problems = await errorSummary(caseworker);
    expect(problems).toEqual([
      { text: 'Enter the child’s last name', href: '#familyName' },
      { text: 'Enter the child’s date of birth', href: '#dateOfBirth-day' },
      { text: 'Select the child’s sex', href: '#sex' },
      { text: 'Select the child’s ethnicity, or ‘Not yet obtained’', href: '#ethnicity' },
      { text: 'Enter a valid NHS number: it is 10 digits and its last digit did not check out', href: '#nhsNumber' },
      { text: 'Select whether the child has an education, health and care (EHC) plan', href: '#hasEhcPlan' },
      { text: 'Enter the parent or carer’s full name', href: '#parentName' },
      { text: 'Select their relationship to the child', href: '#parentRelationship' },
      { text: 'Select whether they have parental responsibility', href: '#parentalResponsibility' },
      { text: 'Select who gave consent', href: '#consentGivenBy' },
      { text: 'Select how consent was given', href: '#consentMethod' },
      { text: 'Select at least one type of organisation to share the record with, including your own', href: '#scope-council-education' },
      { text: 'Enter the name of your service that works with the child, like Early years SEND team', href: '#service' },
    ]);
    // Each field says what is wrong with it too, and what was typed is kept.
    expect(await caseworker.page.locator('#nhsNumber-error').innerText()).toContain('its last digit did not check out');
    expect(await caseworker.page.locator('#scope-council-education-error').innerText()).toContain('Select at least one type of organisation');
    expect(await caseworker.page.getByLabel('First name').inputValue()).toBe(CHILD.given);
    // By keyboard: from the focused summary, Tab to the NHS number's message; Enter puts the cursor in that field.
    await caseworker.tabTo(/^Enter a valid NHS number/);
    await keys().press('Enter');
    await caseworker.page.waitForFunction(() => document.activeElement?.id === 'nhsNumber');
    caseworker.assertEveryPageChecked(); // following an error link moves focus; it loads no page
    await keys().press('ControlOrMeta+A');
    await keys().type(spaced(nhsNumber));

    // The child.
    const form = caseworker.page;
    await form.getByLabel('Last name').fill(CHILD.family);
    await fillDate(caseworker, 'dateOfBirth', CHILD.dateOfBirth);
    await form.getByRole('group', { name: 'Sex' }).getByRole('radio', { name: 'Female' }).check();
    await form.getByLabel('Ethnicity').selectOption({ label: 'White British' });
    await form.getByLabel('Address line 1 (optional)').fill('12 Imaginary Lane');
    await form.getByLabel('Town or city (optional)').fill('Demoton');
    await form.getByLabel('Postcode (optional)').fill('dm1 4ab');
    await form.getByLabel('Primary need').selectOption({ label: 'Physical disability' });
    await form.getByRole('group', { name: 'Secondary needs (optional)' }).getByRole('checkbox', { name: 'Speech, language and communication needs' }).check();
    await form
      .getByRole('group', { name: /EHC\) plan\?$/ })
      .getByRole('radio', { name: 'Yes' })
      .check();
    await form.getByRole('group', { name: 'Severity' }).getByRole('radio', { name: 'Severe' }).check();
    await form.getByLabel('Communication needs (optional)').fill('Uses some Makaton signs and a picture board.');
    await fillDate(caseworker, 'joinedOn', daysAgo(30));
    // The parent.
    await form.getByLabel('Full name').fill(PARENT.name);
    await form.getByLabel('Relationship to the child').selectOption({ label: 'Mother' });
    await form.getByRole('group', { name: 'Do they have parental responsibility?' }).getByRole('radio', { name: 'Yes' }).check();
    await form.getByLabel('E-mail address (optional)').fill(PARENT.email);
    await form.getByRole('group', { name: 'How do they prefer to be contacted?' }).getByRole('radio', { name: 'E-mail' }).check();
    // Consent, given by the mother, for the council's education team and the NHS trust.
    await form.getByRole('radio', { name: 'A parent or carer with parental responsibility' }).check();
    await form.getByRole('group', { name: 'How was consent given?' }).getByRole('radio', { name: 'Written' }).check();
    await form.getByLabel('Evidence (optional)').fill('Signed consent form, scanned to the SEND team’s case file');
    const council = form.getByRole('group', { name: 'Council: education (SEND) (your organisation)', exact: true });
    for (const part of ['Core record: names, date of birth, identifiers, needs', 'Education', 'Family and contact details', 'About me and the chronology']) {
      await council.getByRole('checkbox', { name: part, exact: true }).check();
    }
    const trust = form.getByRole('group', { name: 'NHS trust', exact: true });
    for (const part of ['Core record: names, date of birth, identifiers, needs', 'Health'])
      await trust.getByRole('checkbox', { name: part, exact: true }).check();
    await form.getByLabel('Your service').fill('SEND casework team');
    await caseworker.submit('Register');

    const childId = /^\/children\/([0-9a-f-]{36})\?registered=1$/.exec(caseworker.path())?.[1];
    expect(childId, `landed on ${caseworker.path()}`).toBeTruthy();
    const id = childId!;
    expect(await caseworker.heading()).toBe(CHILD_NAME);
    let main = await caseworker.mainText();
    expect(main).toContain('Child registered');
    expect(main).toContain(`NHS number ${spaced(nhsNumber)}`);
    expect(main).toContain('Locality Demoshire Town');
    expect(main).toContain(`Joined the register ${longDate(daysAgo(30))}`);
    // Stored once, with the consent and its scopes as ticked (the core record added for the NHS trust).
    const stored = await db.selectFrom('children').select(['id', 'nhs_number', 'primary_need']).where('nhs_number', '=', nhsNumber).execute();
    expect(stored).toEqual([{ id, nhs_number: nhsNumber, primary_need: 'PD' }]);
    const scopes = await db
      .selectFrom('consent_scopes as s')
      .innerJoin('consents as k', 'k.id', 's.consent_id')
      .select(['s.organisation_type', 's.section'])
      .where('k.child_id', '=', id)
      .execute();
    expect(scopes.map((s) => `${s.organisation_type}.${s.section}`).sort()).toEqual(
      [
        'council-education.about-me',
        'council-education.core',
        'council-education.education',
        'council-education.family',
        'nhs-trust.core',
        'nhs-trust.health',
      ].sort(),
    );

    // 2. An involvement of the NHS trust, with a weekly cost ----------------------------------------
    await caseworker.follow('Who is involved', recordNav);
    expect(await caseworker.heading()).toBe('Who works with them');
    await caseworker.follow('Add an involvement');
    expect(caseworker.path()).toBe(paths.children.addInvolvement(id));
    await form.getByLabel('Organisation', { exact: true }).selectOption({ label: TRUST });
    await form.getByLabel('Service', { exact: true }).fill(INVOLVEMENT.service);
    await form.getByLabel('What they provide (optional)').fill(INVOLVEMENT.provides);
    await fillDate(caseworker, 'startedOn', daysAgo(14));
    await form.getByLabel('Named practitioner (optional)').selectOption({ label: `${PRACTITIONER.name} (${TRUST})` });
    // The cost and its period by keyboard, then Enter on the button.
    await caseworker.tabTo('Cost, if known (optional)');
    await keys().type(INVOLVEMENT.cost);
    await keys().press('Tab');
    expect(await caseworker.focused()).toMatchObject({ text: 'A week', focusVisible: true });
    await keys().press('Space');
    await caseworker.tabTo('Add involvement');
    await caseworker.pressToNavigate('Enter');
    expect(caseworker.path()).toBe(`${paths.children.involvements(id)}?done=added`);
    main = await caseworker.mainText();
    expect(main).toContain('Involvement added');
    const card = caseworker.page.locator('.govuk-summary-card').filter({ hasText: `${INVOLVEMENT.service}: ${TRUST}` });
    const cardText = (await card.innerText()).replace(/\s+/g, ' ');
    expect(cardText).toContain(`Organisation ${TRUST} (NHS trust)`);
    expect(cardText).toContain(`What they provide ${INVOLVEMENT.provides}`);
    expect(cardText).toContain(`Named practitioner ${PRACTITIONER.name}`);
    expect(cardText).toContain(`Started ${longDate(daysAgo(14))}`);
    expect(cardText).toContain('Cost £45.50 a week');
    // The council's own involvement, recorded when registering, is listed too.
    expect(main).toContain(`SEND casework team: ${COUNCIL}`);

    // 3. About me and a chronology event; the chronology in date order ----------------------------
    await caseworker.follow('About me', recordNav);
    expect(await caseworker.mainText()).toContain('No "about me" profile has been written yet.');
    await caseworker.follow('Write about me');
    await form.getByLabel('What matters to me').fill('My dog Biscuit, swimming, and my big sister.');
    await form.getByLabel('What works for me').fill('Being told what is happening next, with pictures.');
    await form.getByLabel('How I communicate').fill('Some words, Makaton signs and my picture board.');
    await form.getByLabel('Who was this written with?').fill('Rosalind and her mum');
    await caseworker.submit('Save as a new version');
    expect(caseworker.path()).toBe(`${paths.children.aboutMe(id)}?saved=1`);
    main = await caseworker.mainText();
    expect(main).toContain('About me saved as a new version');
    expect(main).toContain('Current version (version 1)');
    expect(main).toContain('My dog Biscuit, swimming, and my big sister.');

    await caseworker.follow('Chronology', recordNav);
    await caseworker.follow('Add an event');
    await fillDate(caseworker, 'occurredOn', daysAgo(7));
    await form.getByLabel('Title').fill(EVENT.title);
    await form.getByLabel('Detail (optional)').fill(EVENT.detail);
    await form.getByRole('group', { name: 'Which part of the record is it about?' }).getByRole('radio', { name: 'Education' }).check();
    await caseworker.submit('Add event');
    expect(caseworker.path()).toBe(`${paths.children.chronology(id)}?added=1`);
    expect(await caseworker.mainText()).toContain('Event added to the chronology');
    // Newest first: every agency's events in one list, with the automatic ones.
    const expected = [
      { date: longDate(todayInLondon()), org: COUNCIL, title: 'About me written', part: 'About me' },
      { date: longDate(daysAgo(7)), org: COUNCIL, title: EVENT.title, part: 'Education' },
      { date: longDate(daysAgo(14)), org: TRUST, title: `Involvement started: ${INVOLVEMENT.service}`, part: 'Core record' },
      { date: longDate(daysAgo(30)), org: COUNCIL, title: 'Joined the register', part: 'Core record' },
    ];
    const chronology = async () =>
      (await tableRows(caseworker)).map(([date, org, what, part]) => ({
        date,
        org,
        title: expected.find((e) => what!.startsWith(e.title))?.title ?? what,
        part,
      }));
    expect(await chronology()).toEqual(expected);
    // Oldest first, by keyboard.
    await caseworker.tabTo('Show oldest first');
    await caseworker.pressToNavigate('Enter');
    expect(caseworker.path()).toBe(`${paths.children.chronology(id)}?order=oldest`);
    expect(await chronology()).toEqual([...expected].reverse());

    // Finding the child by name, misspelt and in the other order, and opening the record.
    await caseworker.follow('Children', 'nav[aria-label="Main menu"]');
    await form.getByLabel('Name', { exact: true }).fill('demosen rosalind');
    await caseworker.pressToNavigate('Enter');
    expect(caseworker.path()).toMatch(new RegExp(`^${paths.children.list}\\?`));
    // The best match comes first.
    const firstResult = caseworker.page.locator('#results tbody tr').first().getByRole('link');
    expect(await firstResult.innerText()).toBe(CHILD_NAME);
    expect(await firstResult.getAttribute('href')).toBe(paths.children.record(id));
    await caseworker.follow(CHILD_NAME, '#results');
    expect(caseworker.path()).toBe(paths.children.record(id));
    expect(await caseworker.heading()).toBe(CHILD_NAME);

    // The record's other pages pass axe too, and so do their forms when sent empty.
    for (const [path, heading] of [
      [paths.children.history(id), 'Changes to the core record'],
      [paths.children.edit(id), 'Change the core record'],
      [paths.children.aboutMeVersion(id, 1), 'About me: version 1'],
      [paths.children.keyWorker(id), 'Change the key worker'],
    ] as const) {
      expect(await caseworker.visit(path), path).toBe(200);
      expect(await caseworker.heading()).toBe(heading);
    }
    for (const [path, button] of [
      [paths.children.addFamilyMember(id), 'Add parent or carer'],
      [paths.children.addConsent(id), 'Record consent'],
      [paths.children.addLawfulBasis(id), 'Record lawful basis'],
    ] as const) {
      expect(await caseworker.visit(path), path).toBe(200);
      await caseworker.submit(button);
      expect((await errorSummary(caseworker)).length, `errors on ${path}`).toBeGreaterThan(0);
    }

    // 4. The NHS trust practitioner, at another computer: the record, but not the family -----------
    const practitioner = await Site.open(journey.browser, journey.server.baseUrl);
    expect(await practitioner.signIn(PRACTITIONER.email, DEMO_PASSWORD)).toBe(paths.home);
    expect(await practitioner.visit(paths.children.record(id))).toBe(200);
    expect(await practitioner.heading()).toBe(CHILD_NAME);
    expect(await practitioner.mainText()).toContain(`NHS number ${spaced(nhsNumber)}`);
    expect(await practitioner.visit(paths.children.family(id))).toBe(404);
    expect(await practitioner.heading()).toBe('Page not found');
    expect(await practitioner.mainText()).not.toContain(CHILD.family);
    // The caseworker, whose consent covers the family, sees it.
    expect(await caseworker.visit(paths.children.family(id))).toBe(200);
    expect(await caseworker.mainText()).toContain(PARENT.name);

    // 5. The caseworker withdraws the consent: access ends on the very next request -----------------
    await caseworker.follow('Consent and sharing', recordNav);
    expect(await caseworker.heading()).toBe('Consent and sharing');
    const seeing = await tableRows(caseworker);
    expect(seeing).toContainEqual([TRUST, 'Core record, Health']);
    expect(seeing).toContainEqual([COUNCIL, 'Core record, Family, Education, About me and chronology']);
    await caseworker.follow(/^Withdraw consent given on /);
    expect(await caseworker.heading()).toBe(`Withdraw consent given on ${longDate(todayInLondon())}`);
    await caseworker.submit('Withdraw consent');
    expect(await errorSummary(caseworker)).toEqual([
      { text: 'Select whether consent is withdrawn for every organisation or for one organisation', href: '#withdrawFor' },
      { text: 'Enter why consent is being withdrawn, for example who asked and when', href: '#reason' },
    ]);
    // Nothing was withdrawn by the failed attempt: the practitioner still sees the record.
    expect(await practitioner.visit(paths.children.record(id))).toBe(200);
    // Withdrawn for the trust alone (ADR 0014): its staff lose sight at once, the council keeps it.
    await form.getByRole('radio', { name: 'One organisation only' }).check();
    await form.getByLabel('If for one organisation only: which').selectOption({ label: TRUST });
    await form.getByLabel('Why is consent being withdrawn?').fill('Their mum asked that the hospital no longer sees the record');
    await caseworker.submit('Withdraw consent');
    expect(caseworker.path()).toBe(`${paths.children.sharing(id)}?done=withdrawn`);
    expect(await practitioner.visit(paths.children.record(id))).toBe(404);
    const seeingAfter = await tableRows(caseworker);
    expect(seeingAfter).toContainEqual([TRUST, 'Cannot see the record']);
    expect(seeingAfter).toContainEqual([COUNCIL, 'Core record, Family, Education, About me and chronology']);
    // Then for everyone, by keyboard.
    await caseworker.follow(/^Withdraw consent given on /);
    expect(await caseworker.mainText()).toContain(`${TRUST}: withdrawn`);
    await caseworker.tabTo('Every organisation this consent covers');
    await keys().press('Space');
    await caseworker.tabTo('Why is consent being withdrawn?');
    await keys().type(WITHDRAW_REASON);
    await caseworker.tabTo('Withdraw consent');
    await caseworker.pressToNavigate('Enter');
    // The council relied on this consent alone, so the caseworker loses sight of the child too:
    // the page says so without naming the child.
    expect(await caseworker.heading()).toBe('Consent withdrawn');
    main = await caseworker.mainText();
    expect(main).toContain('Nothing else allows you to see this record now');
    expect(main).not.toContain(CHILD.given);
    expect(main).not.toContain(CHILD.family);
    // The practitioner's very next request is refused, as if the record did not exist.
    expect(await practitioner.visit(paths.children.record(id))).toBe(404);
    expect(await practitioner.heading()).toBe('Page not found');
    expect(await practitioner.mainText()).not.toContain(CHILD.family);
    expect(await caseworker.visit(paths.children.record(id))).toBe(404);
    expect(await caseworker.heading()).toBe('Page not found');
    // Nor does the child come up in the caseworker's search any more.
    await caseworker.visit(`${paths.children.list}?name=${encodeURIComponent(CHILD_NAME)}`);
    expect(await caseworker.page.locator('#results').innerText()).not.toContain(CHILD_NAME);
    expect(await caseworker.page.locator(`#results a[href="${paths.children.record(id)}"]`).count()).toBe(0);
    const withdrawn = await db.selectFrom('consents').select(['withdrawn_at', 'withdrawn_reason']).where('child_id', '=', id).executeTakeFirstOrThrow();
    expect(withdrawn.withdrawn_at).not.toBeNull();
    expect(withdrawn.withdrawn_reason).toBe(WITHDRAW_REASON);

    // 6. Emergency access by the practitioner, reviewed by the information governance lead ----------
    await practitioner.visit(paths.register.emergencyAccessStart);
    expect(await practitioner.heading()).toBe('Emergency access to a child’s record');
    await practitioner.page.getByLabel('The child’s NHS number, Unique Pupil Number or council reference').fill(spaced(nhsNumber));
    await practitioner.page.getByLabel('Why do you need the record now?').fill('Fell over');
    await practitioner.submit('Get emergency access');
    expect(await errorSummary(practitioner)).toEqual([
      { text: 'The reason must be at least 20 characters: say what the emergency is and why you need the record now', href: '#reason' },
      { text: 'Select how long you need access for', href: '#hours' },
    ]);
    await practitioner.page.getByLabel('Why do you need the record now?').fill(EMERGENCY_REASON);
    await practitioner.page.getByRole('radio', { name: '4 hours', exact: true }).check();
    await practitioner.submit('Get emergency access');
    expect(practitioner.path()).toBe(paths.children.record(id));
    expect(await practitioner.heading()).toBe(CHILD_NAME);
    const banner = practitioner.page.locator('.govuk-notification-banner').filter({ hasText: 'Emergency access' });
    expect(await banner.innerText()).toContain('You are using emergency access to this record');
    // The same warning on every page of the record, not only its first.
    await practitioner.follow('Family');
    expect(await practitioner.page.locator('.govuk-notification-banner').filter({ hasText: 'Emergency access' }).innerText()).toContain(
      'You are using emergency access to this record',
    );
    await practitioner.follow('Core record');
    expect(await practitioner.mainText()).toContain(`NHS number ${spaced(nhsNumber)}`);

    const ig = await Site.open(journey.browser, journey.server.baseUrl);
    expect(await ig.signIn(IG_LEAD.email, DEMO_PASSWORD)).toBe(paths.home);
    await ig.follow('Emergency access', 'nav[aria-label="Main menu"]');
    expect(ig.path()).toBe(paths.register.emergencyAccessReview);
    expect(await ig.heading()).toBe('Emergency access to review');
    const access = ig.page.locator('.govuk-summary-card').filter({ hasText: EMERGENCY_REASON });
    expect(await access.count()).toBe(1);
    const accessText = (await access.innerText()).replace(/\s+/g, ' ');
    expect(accessText).toContain('Not reviewed');
    expect(accessText).toContain(`Who ${PRACTITIONER.name}`);
    expect(accessText).toContain(`Organisation ${TRUST}`);
    expect(accessText).toContain(`Child ${CHILD_NAME} (reference ${id})`);
    await access.getByLabel('Review note').fill(REVIEW_NOTE);
    await ig.navigateBy(() => access.getByRole('button', { name: 'Mark as reviewed' }).click());
    expect(ig.path()).toBe(`${paths.register.emergencyAccessReview}?done=reviewed`);
    expect(await ig.mainText()).toContain('Emergency access marked as reviewed');
    const reviewed = (await ig.page.locator('.govuk-summary-card').filter({ hasText: EMERGENCY_REASON }).innerText()).replace(/\s+/g, ' ');
    expect(reviewed).toContain(`Reviewed Yes, by ${IG_LEAD.name}`);
    expect(reviewed).toContain(REVIEW_NOTE);
    expect(reviewed).not.toContain('Not reviewed');
    // The review shows everything the person did and saw while it lasted (ADR 0012).
    expect(reviewed).toContain('What they did and saw while it lasted');
    expect(reviewed).toContain('Looked at the core record');
    expect(reviewed).toContain('Looked at the family');
    // Sharing that would widen a recorder's own organisation waits here for the same person (axe checks the page).
    await ig.follow('Sharing to approve', 'nav[aria-label="Main menu"]');
    expect(await ig.heading()).toBe('Sharing to approve');

    // 7. "Who has looked at this record", as the practitioner during emergency access -------------
    await practitioner.follow('Who has looked at this record', recordNav);
    expect(await practitioner.heading()).toBe('Who has looked at this record');
    expect(await practitioner.page.locator('.jointly-emergency-access').innerText()).toContain(EMERGENCY_REASON);
    const looked = await tableRows(practitioner);
    const lines = looked.map(([, who, what, why]) => ({ who, what, why }));
    const by = (name: string, role: string, organisation: string) => `${name} ${role}, ${organisation}`;
    const caseworkerWho = by(CASEWORKER.name, 'Caseworker', COUNCIL);
    const practitionerWho = by(PRACTITIONER.name, 'Practitioner', TRUST);
    for (const what of [
      'Added them to the register',
      'Looked at the core record',
      'Added an involvement',
      'Looked at who works with them',
      'Changed “about me”',
      'Added an event to the chronology',
      'Looked at the chronology',
      'Looked at the family',
      'Looked at consent and sharing',
      'Recorded that consent was withdrawn',
    ]) {
      expect(lines, `the caseworker: ${what}`).toContainEqual(expect.objectContaining({ who: caseworkerWho, what }));
    }
    expect(lines).toContainEqual(expect.objectContaining({ who: practitionerWho, what: 'Looked at the core record' }));
    expect(lines).toContainEqual({ who: practitionerWho, what: 'Used emergency access Emergency access', why: EMERGENCY_REASON });
    expect(lines).toContainEqual(
      expect.objectContaining({ who: by(IG_LEAD.name, 'Information governance lead', COUNCIL), what: 'Reviewed an emergency access' }),
    );
    // Newest first: this very look is at the top (written before the list is read), made through
    // emergency access; the review is the entry before it. Opening the page again adds one more look.
    const thisLook = { who: practitionerWho, what: 'Looked at who has looked at this record Emergency access', why: 'Emergency access' };
    expect(lines[0]).toEqual(thisLook);
    expect(lines[1]).toMatchObject({ who: by(IG_LEAD.name, 'Information governance lead', COUNCIL), what: 'Reviewed an emergency access' });
    expect(await practitioner.visit(paths.children.whoHasLooked(id))).toBe(200);
    const again = (await tableRows(practitioner)).map(([, who, what, why]) => ({ who, what, why }));
    expect(again[0]).toEqual(thisLook);
    expect(again[1]).toEqual(thisLook);
    expect(again.length).toBe(lines.length + 1);
    // A refused form showed the record again, so it is listed, as not allowed, under the person
    // who saw it; requests refused because the person may not see the record are not listed.
    const refused = looked.filter((row) => row[4] !== 'Yes');
    expect(refused.map((row) => row[2])).toContain('Recorded that consent was withdrawn');
    for (const row of refused) expect([caseworkerWho, practitionerWho]).toContain(row[1]);

    await Promise.all([caseworker.close(), practitioner.close(), ig.close()]);
  });
});
