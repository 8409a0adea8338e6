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
import { meetingDeadlines } from '../../src/capabilities/referral-and-panel/panels/rules.js';
import { impliedCommitment } from '../../src/capabilities/money/budgets/packages.js';
import { addDays, financialYearEnd, financialYearOf } from '../../src/platform/financial-year.js';
import { formatPence } from '../../src/platform/money.js';
import { nextWorkingDay } from '../../src/platform/working-days.js';
import { verifyAudit } from '../../src/platform/audit/audit.js';
import { paths } from '../../src/paths.js';
import { useJourney } from './support/server.js';
import { chromiumPath, JOURNEY_TIMEOUT, Site } from './support/pages.js';

const CASEWORKER = 'caseworker@demoshire.example.org'; // triage, and the panel's administrator
const HEALTH_MEMBER = 'panel@demoshire.example.org';
const CARE_MEMBER = 'panel-care@demoshire.example.org';
const CHAIR = 'panel-chair@demoshire.example.org';
const FINANCE = 'finance@demoshire.example.org';
const COMMISSIONER = 'commissioner@demoshire.example.org';

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
    const existing = await db.selectFrom('panel_meetings').select('id').where('panel_id', '=', panel.id).where('meets_on', '=', today).executeTakeFirst();
    meetingId =
      existing?.id ??
      (
        await db
          .insertInto('panel_meetings')
          .values({ panel_id: panel.id, meets_on: today, cut_off_on: d.cutOffOn, papers_due_on: d.papersDueOn, place: 'Online (fictional)' })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
  }, 120_000);

  it('goes from a family’s own referral to a funded package with its outcome sheet, its money and a resolved dispute', async () => {
    const db = journey.server.database.db;

    // 1. A parent asks for help, on the public form, with no account.
    const family = await Site.open(journey.browser, journey.server.baseUrl);
    // On a phone: the form fits the screen, with nothing to scroll sideways.
    await family.page.setViewportSize({ width: 360, height: 780 });
    await family.visit(paths.referrals.selfReferral);
    expect(await family.heading()).toBe('Ask for help for a disabled child or young person');
    const p = family.page;
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
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
    await p
      .getByLabel('What help do you need?')
      .fill('Help with personal care at home for six weeks after Juniper’s hip operation, then some support after that.');
    await p.getByLabel('Why do you need this help now?').fill('The operation is booked and we cannot lift Juniper on our own while she recovers.');
    await p.getByLabel(/I agree that the council’s education and social care teams/).check();
    await family.submit('Send');
    const sent = await family.mainText();
    const reference = /REF-\d{6}/.exec(sent)?.[0];
    expect(reference).toBeTruthy();
    const referral = await db.selectFrom('referrals').selectAll().where('reference', '=', reference!).executeTakeFirstOrThrow();
    expect(referral).toMatchObject({ route: 'family', child_id: null, status: 'received', sharing_basis: 'consent' });
    // The acknowledgement went out through the notifications interface.
    expect(
      await db.selectFrom('notifications').select('id').where('recipient', '=', 'rowan.parent@example.org').where('body', 'like', `%${reference}%`).execute(),
    ).toHaveLength(1);
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
    if (!(await form.getByRole('group', { name: 'Sex' }).getByRole('radio', { name: 'Female' }).isChecked()))
      await form.getByRole('group', { name: 'Sex' }).getByRole('radio', { name: 'Female' }).check();
    await form.getByLabel('Ethnicity').selectOption({ label: 'White British' });
    await form.getByLabel('Primary need').selectOption({ label: 'Physical disability' });
    await form
      .getByRole('group', { name: /EHC\) plan\?$/ })
      .getByRole('radio', { name: 'Yes' })
      .check();
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

    // Eligibility: three of the demo area's eight joint funding conditions (adapted from Tower Hamlets'), each with its evidence.
    if (caseworker.path() !== paths.referrals.referral(referral.id)) await caseworker.visit(paths.referrals.referral(referral.id));
    await caseworker.follow('Assess eligibility');
    await caseworker.submit('Use this rule set');
    const met = ['ehc-plan', 'accommodated', 'specialist-health'];
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
    await caseworker.page
      .getByLabel('Reason')
      .fill('Juniper’s needs after her operation are met by health and social care together, so the joint panel decides.');
    await caseworker.submit('Record decision');
    expect((await db.selectFrom('referrals').select('status').where('id', '=', referral.id).executeTakeFirstOrThrow()).status).toBe('to-panel');
    const told = await db.selectFrom('notifications').select('body').where('recipient', '=', 'rowan.parent@example.org').execute();
    expect(told.length).toBe(2);
    expect(told.some((n) => n.body.includes('the joint panel decides'))).toBe(true);

    // 3. The panel's administrator puts the case on today's agenda (late: the cut-off has passed) and publishes the papers (late too).
    await caseworker.follow('Panels', 'nav[aria-label="Main menu"]');
    await caseworker.follow(DEMO_PANEL_NAME);
    await caseworker.visit(paths.panels.meeting(meetingId));
    await caseworker.page.getByLabel('Referral', { exact: true }).selectOption({ label: `${reference}: Juniper Fictionalchild` });
    await caseworker.page
      .getByLabel('Case summary for the papers')
      .fill('Personal care at home for six weeks after hip surgery, then a reduced package. Joint funding: 3 of 8 conditions met.');
    await caseworker.page.getByLabel('Add as a late case').check();
    await caseworker.submit('Add to agenda');
    expect(await caseworker.mainText()).toContain('Added late');
    await caseworker.page.getByLabel('Publish late').check();
    await caseworker.submit('Publish agenda and papers');
    expect(await caseworker.mainText()).toMatch(/The papers were published late/);
    // Each member is told the papers are ready, with a link and nothing about the child.
    const papersNotes = await db
      .selectFrom('notifications')
      .select(['recipient', 'body'])
      .where('body', 'like', `%${paths.panels.papers(meetingId)}%`)
      .execute();
    expect(papersNotes.map((n) => n.recipient).sort()).toEqual([CHAIR, CARE_MEMBER, HEALTH_MEMBER].sort());
    expect(papersNotes.every((n) => !n.body.includes('Juniper'))).toBe(true);

    // 4. A member reads the papers; the read is audited against the child.
    const member = await Site.open(journey.browser, journey.server.baseUrl);
    expect(await member.signIn(HEALTH_MEMBER, DEMO_PASSWORD)).toBe(paths.home);
    await member.visit(paths.panels.papers(meetingId));
    const papers = await member.mainText();
    expect(papers).toContain('Juniper Fictionalchild');
    expect(papers).toContain('eligible for joint funding');
    const papersAudit = await db
      .selectFrom('audit_log as a')
      .innerJoin('audit_children as c', 'c.audit_id', 'a.id')
      .innerJoin('users as u', 'u.id', 'a.user_id')
      .select('a.action')
      .where('c.child_id', '=', childId)
      .where('u.email', '=', HEALTH_MEMBER)
      .execute();
    expect(papersAudit.map((a) => a.action)).toContain('panels.papers.view');

    // 5. The panel meets: everyone present, no interests declared; it decides a 50/50 split for six weeks, then social care.
    await caseworker.visit(paths.panels.meeting(meetingId));
    for (const group of await caseworker.page.getByRole('group', { name: /^Was .* present\?$/ }).all())
      await group.getByRole('radio', { name: 'Present' }).check();
    await caseworker.submit('Save attendance');
    await caseworker.follow(new RegExp(`Record the decision on ${reference}`));
    const decide = caseworker.page;
    await decide.getByRole('radio', { name: 'Approved', exact: true }).check();
    await decide
      .getByLabel('Reasons')
      .fill(
        'Juniper needs personal care at home while she recovers from surgery. Health and social care share it equally for six weeks, then social care continues it until the review.',
      );
    await decide.getByLabel('Paid from').selectOption({ label: 'Demoshire short breaks and key working pooled fund (fictional)' });
    await decide.getByLabel('Kind of service').selectOption({ label: 'Other' });
    await decide.getByLabel('What the package provides').fill('Personal care at home after surgery');
    await decide.getByLabel('Cost of one unit').fill('25.00');
    await decide.getByLabel('How many units').fill('14');
    await decide.getByRole('radio', { name: 'A week' }).check();
    const end = addDays(today, 83);
    for (const [field, iso] of [
      ['startsOn', today],
      ['endsOn', end],
      ['reviewOn', addDays(today, 70)],
    ] as const) {
      const d = dateParts(iso);
      await decide.locator(`#${field}-day`).fill(d.day);
      await decide.locator(`#${field}-month`).fill(d.month);
      await decide.locator(`#${field}-year`).fill(d.year);
    }
    await decide.getByRole('radio', { name: 'Use one of the area’s split templates' }).check();
    const template = decide.getByLabel('Split template', { exact: true });
    const postOp = (await template.locator('option').allTextContents()).find((o) => o.startsWith('Post-operative personal care:'));
    expect(postOp).toBeTruthy();
    await template.selectOption({ label: postOp! });
    await caseworker.submit('Record the decision');
    expect(await caseworker.heading()).toBe(`Decision on ${reference}`);
    const decision = await db.selectFrom('panel_decisions').selectAll().where('referral_id', '=', referral.id).executeTakeFirstOrThrow();
    expect(decision.outcome).toBe('approve');
    expect(decision.sheet_due_on).toBe(nextWorkingDay(today));

    // The budgets hold exactly the commitment the split implies, linked to the decision.
    const partners = Object.fromEntries((await db.selectFrom('budget_partners').select(['id', 'short_name']).execute()).map((x) => [x.short_name, x.id]));
    const committed = async () => {
      const rows = await db
        .selectFrom('ledger_entries as e')
        .innerJoin('ledger_transactions as t', 't.id', 'e.transaction_id')
        .select(['e.partner_id', (eb) => eb.fn.sum<string>('e.amount_pence').as('pence')])
        .where('e.package_id', '=', decision.package_id!)
        .where('e.account', '=', 'commitments')
        .groupBy('e.partner_id')
        .execute();
      return Object.fromEntries(rows.map((r) => [r.partner_id!, Number(r.pence)]));
    };
    const implied = async () => {
      const sums: Record<string, number> = {};
      for (const y of await impliedCommitment(db, decision.package_id!, today))
        for (const p of y.byPartner) sums[p.partnerId] = (sums[p.partnerId] ?? 0) + p.pence;
      return sums;
    };
    const first = await committed();
    expect(first).toEqual(await implied());
    // 14 hours a week at £25.00 for 42 days shared 50/50, then social care alone for the rest
    // (when the package lies within this financial year: the budgets commit a year at a time).
    const oneYear = end <= financialYearEnd(financialYearOf(today));
    if (oneYear) {
      expect(first[partners['Health (demo)']!]).toBe(Math.round((42 * 14 * 2500) / 7 / 2));
      expect(first[partners['Health (demo)']!]! + first[partners['Social care (demo)']!]!).toBe(Math.round((84 * 14 * 2500) / 7));
    }
    const decisionLinked = await db
      .selectFrom('ledger_transactions')
      .select('id')
      .where('decision_id', '=', decision.id)
      .where('kind', '=', 'commitment')
      .execute();
    expect(decisionLinked.length).toBe(1);

    // 6. The outcome sheet is issued (the referrer, the family and each funding partner are sent a link), as a page and a tagged PDF.
    await caseworker.submit('Issue the outcome sheet');
    expect(await caseworker.mainText()).toMatch(/Issued on/);
    await caseworker.follow('Read the outcome sheet');
    const sheet = await caseworker.mainText();
    expect(sheet).toContain('Personal care at home after surgery');
    expect(sheet).toMatch(/50%/);
    const pdf = await caseworker.page.request.get(paths.decisions.sheetPdf(decision.id));
    expect(pdf.headers()['content-type']).toContain('application/pdf');
    const bytes = (await pdf.body()).toString('latin1');
    expect(bytes.startsWith('%PDF-')).toBe(true);
    expect(bytes).toContain('/StructTreeRoot');
    const sheetNotes = await db
      .selectFrom('notifications')
      .select('recipient')
      .where('body', 'like', `%${paths.decisions.sheet(decision.id)}%`)
      .execute();
    // The funding partners' members get a link; the family, who have no account, are told a copy is coming.
    expect(sheetNotes.map((n) => n.recipient)).toEqual(expect.arrayContaining([CARE_MEMBER, HEALTH_MEMBER]));
    expect(
      await db.selectFrom('notifications').select('id').where('recipient', '=', 'rowan.parent@example.org').where('body', 'like', `%${reference}%`).execute(),
    ).toHaveLength(3);

    // 7. Finance sees the package and its commitment in the joint budgets, with the decision behind it.
    const finance = await Site.open(journey.browser, journey.server.baseUrl);
    expect(await finance.signIn(FINANCE, DEMO_PASSWORD)).toBe(paths.home);
    await finance.visit(paths.budgets.package(decision.package_id!));
    const pkg = await finance.mainText();
    expect(pkg).toContain('Personal care at home after surgery');
    expect(pkg).toContain(`Agreed by ${DEMO_PANEL_NAME}`);
    expect(pkg).toContain(formatPence(first[partners['Health (demo)']!]!));

    // 8. Social care disputes its share; the family's support is not held up while it is open.
    const care = await Site.open(journey.browser, journey.server.baseUrl);
    expect(await care.signIn(CARE_MEMBER, DEMO_PASSWORD)).toBe(paths.home);
    await care.visit(paths.decisions.decision(decision.id));
    await care.follow('Dispute Social care (demo)’s share');
    await care.page
      .getByLabel('Why does your partner dispute its share?')
      .fill('The first six weeks are post-operative nursing care, which health should mostly fund under the area’s continuing care guidance.');
    await care.page.getByRole('radio', { name: /The split as decided stands/ }).check();
    await care.submit('Raise the dispute');
    const dispute = await db.selectFrom('disputes').selectAll().where('decision_id', '=', decision.id).executeTakeFirstOrThrow();
    expect(dispute).toMatchObject({ status: 'open', step: 1 });
    expect(await committed()).toEqual(first);

    // The chair (education: not a party to it) sees it on the list, but may not agree health paying
    // more: that is beyond the chair's delegated authority for health.
    const chair = await Site.open(journey.browser, journey.server.baseUrl);
    expect(await chair.signIn(CHAIR, DEMO_PASSWORD)).toBe(paths.home);
    await chair.follow('Disputes', 'nav[aria-label="Main menu"]');
    expect(await chair.mainText()).toContain(reference!);
    const resolve = async (site: Site) => {
      await site.visit(paths.disputes.dispute(dispute.id));
      const form = site.page;
      for (const [field, iso] of [
        ['from', today],
        ['until', addDays(today, 41)],
      ] as const) {
        const d = dateParts(iso);
        await form.locator(`#${field}-day`).fill(d.day);
        await form.locator(`#${field}-month`).fill(d.month);
        await form.locator(`#${field}-year`).fill(d.year);
      }
      await form.getByLabel('Health (demo)').fill('70');
      await form.getByLabel('Social care (demo)').fill('30');
      await form.getByLabel('What was agreed, and by whom').fill('Heads of service agreed health pays 70% of the post-operative weeks (fictional).');
      await site.submit('Resolve and post the agreed split');
    };
    await resolve(chair);
    expect(await chair.page.locator('.govuk-error-summary').innerText()).toContain('Health (demo)');
    expect((await db.selectFrom('disputes').select('status').where('id', '=', dispute.id).executeTakeFirstOrThrow()).status).toBe('open');
    expect(await committed()).toEqual(first);
    // Health's member, with authority for health's budget, agrees health pays 70% of the six weeks.
    await resolve(member);
    expect((await db.selectFrom('disputes').select('status').where('id', '=', dispute.id).executeTakeFirstOrThrow()).status).toBe('resolved');
    // The adjustment is posted: the commitment is again exactly what the (new) split implies, health paying more of the six weeks.
    const after = await committed();
    expect(after).toEqual(await implied());
    expect(after[partners['Health (demo)']!]! + after[partners['Social care (demo)']!]!).toBe(
      first[partners['Health (demo)']!]! + first[partners['Social care (demo)']!]!,
    );
    expect(after[partners['Health (demo)']!]!).toBeGreaterThan(first[partners['Health (demo)']!]!);
    if (oneYear) expect(after[partners['Health (demo)']!]).toBe(Math.round((42 * 14 * 2500 * 0.7) / 7));

    // 9. The panel reports count the decision and the dispute, each chart with its table; the
    // board (a commissioner) sees the same reports with small numbers suppressed.
    await chair.follow('Panel reports', 'nav[aria-label="Main menu"]');
    expect(await chair.heading()).toBe('Panel reports');
    const charts = await chair.page.locator('svg[role="img"]').count();
    expect(charts).toBeGreaterThan(0);
    expect(await chair.page.locator('table').count()).toBeGreaterThanOrEqual(charts);
    expect(await chair.mainText()).toContain('Health (demo)');
    const commissioner = await Site.open(journey.browser, journey.server.baseUrl);
    expect(await commissioner.signIn(COMMISSIONER, DEMO_PASSWORD)).toBe(paths.home);
    await commissioner.follow('Panel reports', 'nav[aria-label="Main menu"]');
    expect(await commissioner.mainText()).toMatch(/fewer than 5/i);
    await commissioner.follow('Disputes', 'nav[aria-label="Main menu"]');
    expect(await commissioner.mainText()).not.toContain(reference!);
    await commissioner.close();

    // Every step is in the child's "who has looked" trail.
    const actions = await db
      .selectFrom('audit_log as a')
      .innerJoin('audit_children as c', 'c.audit_id', 'a.id')
      .select('a.action')
      .where('c.child_id', '=', childId)
      .execute();
    expect(new Set(actions.map((a) => a.action)).size).toBeGreaterThan(5);
    // And the audit log, with every link to a child, is intact.
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
    for (const site of [caseworker, member, finance, care, chair]) await site.close();
  });
  it('a young person refers themselves using only a keyboard', async () => {
    const db = journey.server.database.db;
    const site = await Site.open(journey.browser, journey.server.baseUrl);
    const keys = site.page.keyboard;
    await site.visit(paths.referrals.selfReferral);
    // Radios: Tab reaches the group, the arrow keys choose within it.
    await site.tabTo(/^A parent with parental responsibility/);
    await keys.press('ArrowDown');
    await keys.press('ArrowDown');
    expect((await site.focused()).text).toMatch(/^The young person, aged 16 to 25/);
    await site.tabTo('Your full name');
    await keys.type('Sorrel Fictionalyoungperson');
    await site.tabTo('Your email address (optional)');
    await keys.type('sorrel.yp@example.org');
    await site.tabTo('Email');
    await keys.press('Space');
    await site.tabTo('First name');
    await keys.type('Sorrel');
    await keys.press('Tab');
    await keys.type('Fictionalyoungperson');
    const dob = dateParts(addDays(today, -(19 * 365)));
    await site.tabTo('Day');
    await keys.type(dob.day);
    await keys.press('Tab');
    await keys.type(dob.month);
    await keys.press('Tab');
    await keys.type(dob.year);
    await site.tabTo('Postcode where they live');
    await keys.type('DM2 3QT');
    await site.tabTo(/^What help do you need\?/);
    await keys.type('Help to find a short-break scheme I can go to with friends.');
    await site.tabTo(/^Why do you need this help now\?/);
    await keys.type('My college course ends in the summer.');
    await site.tabTo(/^I agree that the council’s education and social care teams/);
    await keys.press('Space');
    await site.tabTo('Send');
    await site.pressToNavigate('Enter');
    const reference = /REF-\d{6}/.exec(await site.mainText())?.[0];
    expect(reference, await site.mainText()).toBeTruthy();
    const stored = await db.selectFrom('referrals').selectAll().where('reference', '=', reference!).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ route: 'family', referrer_relationship: 'young-person', referrer_email: 'sorrel.yp@example.org', contact_method: 'email' });
    await site.close();
  });
});
