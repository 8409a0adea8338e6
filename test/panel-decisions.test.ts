// Panel decisions through the screens (issue 6 points 5 and 6): a split template added by the
// partnership administrator; the panel's administrator records a 50/50-for-six-weeks-then-social-
// care decision that posts exactly the commitment the rule implies, linked to the decision;
// decisions refused without quorum, beyond authority and with a split not adding to 100% write
// nothing; a deferral keeps the referral waiting for the panel; the outcome sheet is a tagged PDF
// and an HTML page, issued with links (not content) to the referrer, family and partners; the
// sheet is due the next working day across a bank holiday; late sheets are listed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createHash } from 'node:crypto';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import {
  createPanelWorld,
  decisionCounts,
  decisionWindow,
  errorsOf,
  firstServiceCategory,
  PANEL_USERS,
  personalCareTerms,
  type PanelWorld,
} from './support/panel-world.js';
import { userIdByEmail } from './support/register.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import { nextWorkingDay } from '../src/platform/working-days.js';
import { impliedCommitment } from '../src/capabilities/money/budgets/packages.js';
import { addDays } from '../src/platform/financial-year.js';
import { recordDecision } from '../src/capabilities/referral-and-panel/panel-decisions/service.js';

const ADMIN = 'admin@demoshire.example.org'; // partnership administrator: configures templates
const PRACTITIONER = 'practitioner@demoshire.example.org'; // not on the panel, not the referrer

describe.each(databaseKinds())('panel decisions on %s', (kind) => {
  let t: TestApp;
  let caseworker: Client;
  let admin: Client;
  const today = todayInLondon();
  const { start, end } = decisionWindow(today);
  let category = '';
  let templateId = '';
  const db = () => t.database.db;

  beforeAll(async () => {
    t = await buildTestApp(kind);
    caseworker = new Client(t.app);
    admin = new Client(t.app);
    expect((await caseworker.signIn(PANEL_USERS.administrator)).status).toBe(303);
    expect((await admin.signIn(ADMIN)).status).toBe(303);
    category = await firstServiceCategory(db());
  });
  afterAll(() => t?.close());

  const counts = (w: PanelWorld) => decisionCounts(db(), w);

  const approval = (w: PanelWorld, split: Record<string, string>) => ({
    outcome: 'approve',
    reasons: 'Personal care at home after the operation; health and social care share it while the wound heals (fictional).',
    agreementId: w.pool.agreementId,
    ...personalCareTerms(w, category, start, end),
    ...split,
  });

  it('lets the partnership administrator add a split template, refusing one that does not add up', async () => {
    const w = await createPanelWorld(db());
    await admin.get(paths.decisions.newTemplate);
    const bad = await admin.post(paths.decisions.newTemplate, {
      name: 'Post-operative personal care',
      part1Days: '42',
      [`part1-${w.partners.health}`]: '50',
      [`part1-${w.partners.socialCare}`]: '40',
      [`part2-${w.partners.socialCare}`]: '100',
    });
    expect(bad.status).toBe(400);
    expect(errorsOf(bad.body)).toEqual([{ href: '#part-1', text: 'Part 1 adds up to 90%: the shares must add up to exactly 100%' }]);
    const ok = await admin.post(paths.decisions.newTemplate, {
      name: 'Post-operative personal care',
      description: 'Fictional example',
      part1Days: '42',
      [`part1-${w.partners.health}`]: '50',
      [`part1-${w.partners.socialCare}`]: '50',
      [`part2-${w.partners.socialCare}`]: '100',
    });
    expect(ok.status).toBe(303);
    const list = await admin.get(paths.decisions.templates);
    expect(text(list.body)).toContain('50% Health, 50% Social care for 42 days, then 100% Social care');
    templateId = (await db().selectFrom('split_templates').select('id').where('name', '=', 'Post-operative personal care').executeTakeFirstOrThrow()).id;
    // The caseworker (not a configurer) cannot reach the templates.
    expect((await caseworker.get(paths.decisions.templates)).status).toBe(403);
  });

  let decided: { w: PanelWorld; decisionId: string; packageId: string } | undefined;

  it('records a 50/50-for-six-weeks-then-social-care decision and posts exactly the commitment the rule implies', async () => {
    const w = await createPanelWorld(db());
    const form = await caseworker.get(paths.decisions.decide(w.caseId));
    expect(form.status).toBe(200);
    expect(text(form.body)).toContain('Demo Panel Member for Social Care');
    const res = await caseworker.post(paths.decisions.decide(w.caseId), approval(w, { splitMode: 'template', templateId }));
    expect(res.status, text(res.body).slice(0, 2000)).toBe(303);
    const d = await db().selectFrom('panel_decisions').selectAll().where('case_id', '=', w.caseId).executeTakeFirstOrThrow();
    expect(res.location).toBe(`${paths.decisions.decision(d.id)}?done=recorded-package`);
    expect(d.outcome).toBe('approve');
    expect(d.sheet_due_on).toBe(nextWorkingDay(today));
    expect(d.package_id).not.toBeNull();

    // The commitment: £200 a week for 13 weeks; 50/50 health and social care for 6 weeks (£600
    // each), then social care alone for 7 weeks (£1,400).
    const committed = await db()
      .selectFrom('ledger_entries')
      .select(['partner_id', sql<number>`sum(amount_pence)::bigint`.as('pence')])
      .where('package_id', '=', d.package_id)
      .where('account', '=', 'commitments')
      .groupBy('partner_id')
      .execute();
    const byPartner = Object.fromEntries(committed.map((c) => [c.partner_id!, Number(c.pence)] as const));
    expect(byPartner).toEqual({ [w.partners.health]: 60_000, [w.partners.socialCare]: 200_000 });
    const implied = await impliedCommitment(db(), d.package_id!);
    const impliedBy: Record<string, number> = {};
    for (const y of implied) for (const p of y.byPartner) impliedBy[p.partnerId] = (impliedBy[p.partnerId] ?? 0) + p.pence;
    expect(byPartner).toEqual(impliedBy);
    // Every transaction of the package is linked back to the decision.
    const txs = await db()
      .selectFrom('ledger_transactions as x')
      .innerJoin('ledger_entries as e', 'e.transaction_id', 'x.id')
      .select(['x.id', 'x.decision_id', 'x.kind'])
      .where('e.package_id', '=', d.package_id)
      .distinct()
      .execute();
    expect(txs.length).toBe(1);
    expect(txs[0]).toMatchObject({ decision_id: d.id, kind: 'commitment' });
    const change = await db().selectFrom('package_changes').select('decision_id').where('package_id', '=', d.package_id!).executeTakeFirstOrThrow();
    expect(change.decision_id).toBe(d.id);

    const after = await counts(w);
    expect(after.status).toBe('decided');
    const events = await db().selectFrom('referral_events').select('kind').where('referral_id', '=', w.referralId).execute();
    expect(events.map((e) => e.kind)).toContain('panel-decided');

    const page = await caseworker.get(paths.decisions.decision(d.id));
    expect(page.status).toBe(200);
    expect(text(page.body)).toContain('Approved');
    expect(text(page.body)).toContain('Not issued');
    expect(text(page.body)).toMatch(/Package New package PKG-\d+/);
    decided = { w, decisionId: d.id, packageId: d.package_id! };

    // A second decision on the same case is refused.
    const again = await caseworker.post(paths.decisions.decide(w.caseId), { outcome: 'decline', reasons: 'Again' });
    expect(again.status).toBe(400);
    expect(errorsOf(again.body)).toEqual([{ href: '#outcome', text: 'A decision has already been recorded for this case' }]);
  });

  it('refuses a decision without quorum, and writes nothing', async () => {
    const w = await createPanelWorld(db(), { present: ['education', 'socialCare'] });
    const before = await counts(w);
    await caseworker.get(paths.decisions.decide(w.caseId));
    const res = await caseworker.post(paths.decisions.decide(w.caseId), approval(w, { splitMode: 'template', templateId }));
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)).toEqual([
      { href: '#attendance', text: 'The panel is not quorate: 2 members without a declared interest are present, and at least 3 must be' },
      {
        href: '#attendance',
        text: 'This is a joint funding decision, so someone from NHS commissioner (integrated care board) must be present: nobody from there is present',
      },
      {
        href: '#attendance',
        text: 'Nobody present may agree Health’s share of £600.00 in the first 12 months: no member with authority for Health is present without a declared interest',
      },
    ]);
    expect(await counts(w)).toEqual(before);
  });

  it('does not count a member who declared an interest', async () => {
    const w = await createPanelWorld(db(), { interests: { education: 'Works with the family (fictional)' } });
    const before = await counts(w);
    await caseworker.get(paths.decisions.decide(w.caseId));
    const res = await caseworker.post(paths.decisions.decide(w.caseId), { outcome: 'decline', reasons: 'Not enough evidence yet (fictional).' });
    expect(res.status).toBe(400);
    expect(errorsOf(res.body).map((e) => e.text)).toEqual([
      'The panel is not quorate: 2 members without a declared interest are present (1 other member is present but declared an interest, so cannot count), and at least 3 must be',
    ]);
    expect(await counts(w)).toEqual(before);
  });

  it('refuses a share beyond the authority of the members present, naming the partner and amounts, and writes nothing', async () => {
    const w = await createPanelWorld(db(), { authorityPence: { socialCare: 100_000 } });
    const before = await counts(w);
    await caseworker.get(paths.decisions.decide(w.caseId));
    const res = await caseworker.post(paths.decisions.decide(w.caseId), approval(w, { splitMode: 'template', templateId }));
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)).toEqual([
      {
        href: '#attendance',
        text: 'Social care’s share is £2,000.00 in the first 12 months, more than any present member for Social care may agree (the most is £1,000.00): take it to someone with more authority',
      },
    ]);
    expect(await counts(w)).toEqual(before);
  });

  it('refuses a split that does not add up to 100%, and writes nothing', async () => {
    const w = await createPanelWorld(db());
    const before = await counts(w);
    await caseworker.get(paths.decisions.decide(w.caseId));
    const res = await caseworker.post(
      paths.decisions.decide(w.caseId),
      approval(w, { splitMode: 'custom', [`split1-${w.partners.health}`]: '50', [`split1-${w.partners.socialCare}`]: '40' }),
    );
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)).toEqual([{ href: '#split-1', text: 'The funding split adds up to 90%: the shares must add up to exactly 100%' }]);
    expect(await counts(w)).toEqual(before);
  });

  it('refuses a decision from anyone but the panel’s administrator', async () => {
    const w = await createPanelWorld(db());
    const member = new Client(t.app);
    await member.signIn(PANEL_USERS.education);
    expect((await member.get(paths.decisions.decide(w.caseId))).status).toBe(403);
  });

  it('keeps a deferred referral waiting for the panel', async () => {
    const w = await createPanelWorld(db());
    await caseworker.get(paths.decisions.decide(w.caseId));
    const res = await caseworker.post(paths.decisions.decide(w.caseId), {
      outcome: 'defer',
      reasons: 'The panel needs the occupational therapy report first (fictional).',
    });
    expect(res.status).toBe(303);
    const after = await counts(w);
    expect(after.status).toBe('to-panel');
    expect(after.decisions).toBe(1);
    expect(after.packages).toBe(0);
    const events = await db().selectFrom('referral_events').select('kind').where('referral_id', '=', w.referralId).execute();
    expect(events.map((e) => e.kind)).toEqual(['panel-deferred']);
  });

  it('issues the outcome sheet as a tagged PDF and an HTML page, sending links and not content', async () => {
    const { w, decisionId } = decided!;
    // The draft is readable before issue; only the panel's administrator may issue it.
    const draft = await caseworker.get(paths.decisions.sheet(decisionId));
    expect(draft.status).toBe(200);
    expect(text(draft.body)).toContain('This is a draft');
    const member = new Client(t.app);
    await member.signIn(PANEL_USERS.health);
    await member.get(paths.decisions.decision(decisionId));
    expect((await member.post(paths.decisions.issueSheet(decisionId))).status).toBe(403);

    const before = new Date(Date.now() - 1000);
    await caseworker.get(paths.decisions.decision(decisionId));
    const res = await caseworker.post(paths.decisions.issueSheet(decisionId));
    expect(res.status).toBe(303);
    const sheet = await db().selectFrom('outcome_sheets').selectAll().where('decision_id', '=', decisionId).executeTakeFirstOrThrow();
    const pdf = Buffer.from(sheet.pdf);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const raw = pdf.toString('latin1');
    expect(raw).toContain('/StructTreeRoot');
    expect(raw).toMatch(/\/Lang \(en-GB\)/);
    expect(raw).toContain('/DisplayDocTitle true');
    expect(raw).toContain('/Marked true');
    expect(sheet.sha256).toBe(createHash('sha256').update(pdf).digest('hex'));
    expect(sheet.html).toContain('<html lang="en-GB">');
    expect(sheet.html).toContain('<th scope="col">Who pays</th>');

    const recipients = JSON.parse(sheet.recipients) as { who: string; name: string; channel: string }[];
    expect(recipients.map((r) => `${r.who}:${r.channel}`).sort()).toEqual(['family:email', 'partner:email', 'partner:email', 'referrer:email']);
    const sent = await db().selectFrom('notifications').select(['recipient', 'body']).where('created_at', '>=', before).execute();
    const family = (
      await db()
        .selectFrom('children as c')
        .innerJoin('family_members as f', 'f.family_id', 'c.family_id')
        .select('f.email')
        .where('c.id', '=', w.childId)
        .executeTakeFirstOrThrow()
    ).email!;
    expect(sent.map((s) => s.recipient).sort()).toEqual([PANEL_USERS.referrer, PANEL_USERS.health, PANEL_USERS.socialCare, family].sort());
    for (const s of sent) {
      expect(s.body).not.toContain('wound heals');
      expect(s.body).not.toContain('Panelchild');
    }
    expect(sent.find((s) => s.recipient === PANEL_USERS.referrer)!.body).toContain(`http://localhost:3000${paths.decisions.sheet(decisionId)}`);

    // The PDF served is the one issued, byte for byte.
    const served = await t.app.inject({
      method: 'GET',
      url: paths.decisions.sheetPdf(decisionId),
      headers: { cookie: [...caseworker.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toContain('application/pdf');
    expect(Buffer.compare(served.rawPayload, pdf)).toBe(0);

    // The referrer reads the page; its reading is audited against the child. Someone outside the panel cannot.
    const referrer = new Client(t.app);
    await referrer.signIn(PANEL_USERS.referrer);
    const page = await referrer.get(paths.decisions.sheet(decisionId));
    expect(page.status).toBe(200);
    expect(text(page.body)).toContain('Who pays what share, and when');
    expect(text(page.body)).toContain('Over the first 12 months that comes to £600.00 for Health, £2,000.00 for Social care');
    const audited = await db()
      .selectFrom('audit_log as a')
      .innerJoin('audit_children as c', 'c.audit_id', 'a.id')
      .select('a.user_id')
      .where('a.action', '=', 'decisions.sheet.view')
      .where('c.child_id', '=', w.childId)
      .execute();
    expect(audited.map((a) => a.user_id)).toContain(w.referrerId);
    const outsider = new Client(t.app);
    await outsider.signIn(PRACTITIONER);
    expect((await outsider.get(paths.decisions.sheet(decisionId))).status).toBe(403);
    expect((await outsider.get(paths.decisions.sheetPdf(decisionId))).status).toBe(403);

    // Issued once only.
    await caseworker.get(paths.decisions.decision(decisionId));
    const twice = await caseworker.post(paths.decisions.issueSheet(decisionId));
    expect(twice.status).toBe(400);
    expect(text(twice.body)).toContain('The outcome sheet was already issued');
  });

  it('refuses a decision before the day the panel meets, and writes nothing', async () => {
    const w = await createPanelWorld(db(), { meetsOn: addDays(today, 7) });
    const before = await counts(w);
    const res = await caseworker.post(paths.decisions.decide(w.caseId), { outcome: 'decline', reasons: 'Another service meets this need (fictional).' });
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)).toEqual([
      { href: '#outcome', text: `A decision cannot be recorded before the meeting on ${addDays(today, 7).split('-').reverse().join('/')}` },
    ]);
    expect(await counts(w)).toEqual(before);
  });

  it('makes the sheet due the next working day across a bank holiday, and lists it when late', async () => {
    const w = await createPanelWorld(db(), { meetsOn: '2025-12-24' });
    const by = { id: await userIdByEmail(db(), PANEL_USERS.administrator) };
    // Christmas Eve 2025 is a Wednesday: Christmas, Boxing Day and the weekend follow.
    const r = await db()
      .transaction()
      .execute((tx) => recordDecision(tx, w.caseId, { outcome: 'decline', reasons: 'Another service meets this need (fictional).' }, by, '2025-12-24'));
    expect(r.sheetDueOn).toBe('2025-12-29');
    const reference = (await db().selectFrom('referrals').select('reference').where('id', '=', w.referralId).executeTakeFirstOrThrow()).reference;
    const late = await caseworker.get(paths.decisions.late);
    expect(late.status).toBe(200);
    const days = Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse('2025-12-29T00:00:00Z')) / 86_400_000);
    expect(text(late.body)).toMatch(new RegExp(`${reference} .*Declined 24 December 2025 29 December 2025 ${days} days late`));
    // The issued sheet from the decision above is not listed.
    expect(text(late.body)).not.toContain('Approved');
    expect((await admin.get(paths.decisions.late)).status).toBe(200);
    const outsider = new Client(t.app);
    await outsider.signIn(PRACTITIONER);
    expect((await outsider.get(paths.decisions.late)).status).toBe(403);
  });
});
