// A child's record lists their referrals and panel decisions (issue 6), under the one sharing
// rule, on both databases: references, dates, statuses and outcomes in plain words, never the
// typed referral text; the reference links to the referral only for triage, the outcome to the
// decision only for those who may read it; a link to refer the child for those who may refer;
// and "not found" still for anyone who may not see the child.
import { insertReferral } from './support/referrals.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { createPanelWorld, PANEL_USERS, type PanelWorld } from './support/panel-world.js';
import { createChild } from './support/register.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import { longDate } from '../src/platform/dates.js';
import { referralsOfChild } from '../src/capabilities/referral-and-panel/referrals/service.js';
import type { Db } from '../src/platform/db/database.js';

const CASEWORKER = PANEL_USERS.administrator; // DEMO-EDU caseworker: triage, makes referrals, runs the panel
const KEYWORKER = PANEL_USERS.referrer; // DEMO-CSC key worker: sees the child, made the partner referral, no triage
const PRACTITIONER = 'practitioner@demoshire.example.org'; // DEMO-TRUST: not involved, may not see the child

const shift = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** A decision on the world's case, written directly (the decision screens have their own tests). */
async function decide(db: Db, w: PanelWorld, outcome: 'decline' | 'defer' | 'approve', decidedOn: string, caseId = w.caseId, meetingId = w.meetingId) {
  const d = await db
    .insertInto('panel_decisions')
    .values({
      case_id: caseId,
      referral_id: w.referralId,
      meeting_id: meetingId,
      outcome,
      reasons: 'Reasons for the test (fictional)',
      decided_on: decidedOn,
      sheet_due_on: shift(decidedOn, 1),
      recorded_by: w.administratorId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .updateTable('referrals')
    .set({ status: outcome === 'defer' ? 'to-panel' : 'decided' })
    .where('id', '=', w.referralId)
    .execute();
  return d.id;
}

/** The referrals table's body rows on a record page, as visible text. */
const tableRows = (html: string) => {
  const table = /<table class="govuk-table">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
  return [...table.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)].slice(1).map((m) => text(m[1]!).trim());
};

describe.each(databaseKinds())('referrals on a child’s record on %s', (kind) => {
  let t: TestApp;
  let caseworker: Client;
  let keyworker: Client;
  let practitioner: Client;
  const today = todayInLondon();
  const db = () => t.database.db;

  beforeAll(async () => {
    t = await buildTestApp(kind);
    caseworker = new Client(t.app);
    keyworker = new Client(t.app);
    practitioner = new Client(t.app);
    expect((await caseworker.signIn(CASEWORKER)).status).toBe(303);
    expect((await keyworker.signIn(KEYWORKER)).status).toBe(303);
    expect((await practitioner.signIn(PRACTITIONER)).status).toBe(303);
  });
  afterAll(() => t?.close());

  it('shows the referral and the panel’s outcome to a caseworker, with links to both and to refer again', async () => {
    const w = await createPanelWorld(db());
    const decisionId = await decide(db(), w, 'decline', today);
    const { reference } = await db().selectFrom('referrals').select('reference').where('id', '=', w.referralId).executeTakeFirstOrThrow();

    const res = await caseworker.get(paths.children.record(w.childId));
    expect(res.status).toBe(200);
    const page = text(res.body);
    expect(page).toContain('Referrals and panel decisions');
    expect(tableRows(res.body)).toEqual([`${reference} ${longDate(today)} Decided by panel Declined (decision on ${reference}) , ${longDate(today)}`]);
    expect(res.body).toContain(`href="${paths.referrals.referral(w.referralId)}"`);
    expect(res.body).toContain(`href="${paths.decisions.decision(decisionId)}"`);
    expect(res.body).toContain(`<a class="govuk-link" href="${paths.referrals.newReferral}?child=${w.childId}">Make a referral for this child</a>`);
    // Only references, dates and outcomes: the typed referral text and the panel's reasons stay on their own pages.
    expect(page).not.toContain('Personal care at home after an operation');
    expect(page).not.toContain('Needs help from education, social care and health together');
    expect(page).not.toContain('Reasons for the test');
    // The page that a referrer is sent to accepts the child (the partner referral form).
    const form = await caseworker.get(`${paths.referrals.newReferral}?child=${w.childId}`);
    expect(form.status).toBe(200);
    expect(text(form.body)).toContain(`Refer Panelchild`);
  });

  it('links the outcome but not the referral for the referrer without triage, and neither for a reader of neither', async () => {
    const w = await createPanelWorld(db());
    const decisionId = await decide(db(), w, 'approve', today);
    const mine = await keyworker.get(paths.children.record(w.childId));
    expect(mine.status).toBe(200);
    expect(mine.body).not.toContain(`href="${paths.referrals.referral(w.referralId)}"`);
    expect(mine.body).toContain(`href="${paths.decisions.decision(decisionId)}"`);
    expect(tableRows(mine.body)[0]).toContain('Approved');
    expect(mine.body).toContain(`${paths.referrals.newReferral}?child=${w.childId}`);
    // The link leads somewhere they may go.
    expect((await keyworker.get(paths.decisions.decision(decisionId))).status).toBe(200);

    // A family's own referral: the key worker sees the child but is not the referrer, on the panel or in triage.
    const f = await createPanelWorld(db(), { route: 'family' });
    const familyDecision = await decide(db(), f, 'decline', today);
    const theirs = await keyworker.get(paths.children.record(f.childId));
    expect(theirs.status).toBe(200);
    expect(tableRows(theirs.body)[0]).toContain('Declined');
    expect(theirs.body).not.toContain(paths.decisions.decision(familyDecision));
    expect(theirs.body).not.toContain(`href="${paths.referrals.referral(f.referralId)}"`);
    expect((await keyworker.get(paths.decisions.decision(familyDecision))).status).toBe(403);
  });

  it('says when there are no referrals, and when a referral has no panel decision', async () => {
    const { childId } = await createChild(db(), { familyName: `Noreferralfamily${kind}`, involvedOrgCodes: ['DEMO-EDU'] });
    const none = await caseworker.get(paths.children.record(childId));
    expect(none.status).toBe(200);
    expect(text(none.body)).toContain('Referrals and panel decisions No referrals');
    expect(none.body).not.toContain('<table class="govuk-table">');

    const w = await createPanelWorld(db());
    const { reference } = await db().selectFrom('referrals').select('reference').where('id', '=', w.referralId).executeTakeFirstOrThrow();
    const waiting = await caseworker.get(paths.children.record(w.childId));
    expect(tableRows(waiting.body)).toEqual([`${reference} ${longDate(today)} Sent to panel No panel decision`]);
  });

  it('keeps the record "not found" for someone outside the sharing rule, referrals or not', async () => {
    const w = await createPanelWorld(db());
    await decide(db(), w, 'decline', today);
    const res = await practitioner.get(paths.children.record(w.childId));
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('Referrals and panel decisions');
  });

  it('reads the latest decision of a referral that was deferred and then decided, newest referral first', async () => {
    const w = await createPanelWorld(db(), { meetsOn: shift(today, -30) });
    await decide(db(), w, 'defer', shift(today, -30));
    const later = await db()
      .insertInto('panel_meetings')
      .values({
        panel_id: w.panelId,
        meets_on: today,
        cut_off_on: shift(today, -10),
        papers_due_on: shift(today, -7),
        place: 'Committee room 3 (fictional)',
        status: 'held',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const laterCase = await db()
      .insertInto('panel_cases')
      .values({ meeting_id: later.id, referral_id: w.referralId, position: 1, summary: 'Back after deferral (fictional)', added_by: w.administratorId })
      .returning('id')
      .executeTakeFirstOrThrow();
    const approved = await decide(db(), w, 'approve', today, laterCase.id, later.id);
    // A second, newer referral for the same child, with no decision.
    const second = await insertReferral(db(), {
      route: 'partner',
      child_id: w.childId,
      referrer_name: 'Demo Key Worker',
      referrer_relationship: 'professional',
      help_needed: 'Short breaks (fictional)',
      reason: 'Carer needs rest (fictional)',
      sharing_basis: 'lawful-basis',
      lawful_basis: 'Children Act 1989 s17 (fictional test)',
      received_on: today,
    });

    const rows = await referralsOfChild(db(), w.childId);
    expect(rows.map((r) => [r.id, r.status, r.decision?.id ?? null, r.decision?.outcome ?? null])).toEqual([
      [second.id, 'received', null, null],
      [w.referralId, 'decided', approved, 'approve'],
    ]);
    expect(await referralsOfChild(db(), (await createChild(db(), { familyName: `Emptyfamily${kind}` })).childId)).toEqual([]);
  });
});
