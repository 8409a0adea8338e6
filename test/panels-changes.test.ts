// Changing a panel's meetings (issue 6 follow-up): moving a planned meeting to another day or
// place (deadlines worked out again), cancelling a planned or published one (its cases go back
// to waiting, members told if the papers had gone out), and rewriting a case summary on a draft
// agenda. Each is refused on a stale form, to the wrong person, and in the wrong state.
import { insertReferral } from './support/referrals.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { createTestPool, type TestPool } from './support/budgets.js';
import { createChild, userIdByEmail } from './support/register.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import { addWorkingDays, isWorkingDay } from '../src/platform/working-days.js';
import { addMeeting, addMember, createPanel, getPanel } from '../src/capabilities/referral-and-panel/panels/service.js';
import { longDate } from '../src/platform/dates.js';
import { meetingDeadlines, shiftDays } from '../src/capabilities/referral-and-panel/panels/rules.js';

const ADMIN = 'admin@demoshire.example.org'; // panels:configure
const CASEWORKER = 'caseworker@demoshire.example.org'; // the panel's administrator
const CHAIR = 'panel-chair@demoshire.example.org';
const CARE = 'panel-care@demoshire.example.org';
const KEYWORKER = 'keyworker@demoshire.example.org'; // no panel permission

const parts = (iso: string) => {
  const [y, m, d] = iso.split('-');
  return { 'meetsOn-day': String(Number(d)), 'meetsOn-month': String(Number(m)), 'meetsOn-year': y! };
};
/** The first Saturday on or after a day. */
const saturdayFrom = (iso: string) => {
  let d = iso;
  while (new Date(`${d}T00:00:00Z`).getUTCDay() !== 6) d = shiftDays(d, 1);
  return d;
};

describe.each(databaseKinds())('changing panel meetings on %s', (kind) => {
  let t: TestApp;
  let pool: TestPool;
  const clients: Record<string, Client> = {};
  const today = todayInLondon();
  let panelId = '';
  const m = { move: '', other: '', draftCancel: '', publishedCancel: '', decided: '', held: '' };
  const ref: Record<string, { id: string; reference: string; childId: string; name: string }> = {};

  const client = async (email: string) => {
    if (!clients[email]) {
      clients[email] = new Client(t.app);
      await clients[email].signIn(email);
    }
    return clients[email];
  };
  const meetingRow = (id: string) => t.database.db.selectFrom('panel_meetings').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const version = async (id: string) => String((await meetingRow(id)).version);
  const caseRow = (meetingId: string, key: string) =>
    t.database.db.selectFrom('panel_cases').selectAll().where('meeting_id', '=', meetingId).where('referral_id', '=', ref[key]!.id).executeTakeFirstOrThrow();
  const auditDetails = async (action: string, subjectId: string) =>
    await t.database.db
      .selectFrom('audit_log')
      .select(['details', 'result'])
      .where('action', '=', action)
      .where('subject_id', '=', subjectId)
      .orderBy('at')
      .execute();
  const addCase = async (meetingId: string, key: string, summary: string) => {
    const admin = await client(CASEWORKER);
    await admin.get(paths.panels.meeting(meetingId));
    const res = await admin.post(paths.panels.addCase(meetingId), { version: await version(meetingId), referralId: ref[key]!.id, summary, late: 'yes' });
    expect(res.status).toBe(303);
  };
  /** The referrals offered on a draft meeting's "Add a case" list. */
  const candidatesOn = async (meetingId: string) => {
    const page = await (await client(CASEWORKER)).get(paths.panels.meeting(meetingId));
    return Object.keys(ref).filter((k) => page.body.includes(`value="${ref[k]!.id}"`));
  };

  const referral = async (key: string) => {
    const db = t.database.db;
    const name = `Changekid${key}${kind}`;
    const childId = (await createChild(db, { givenName: name, familyName: 'Changefamily', dateOfBirth: '2015-06-07' })).childId;
    const row = await insertReferral(db, {
      route: 'partner',
      child_id: childId,
      child_details: JSON.stringify({ givenName: name, familyName: 'Changefamily', dateOfBirth: '2015-06-07' }),
      referrer_name: 'Sam Testreferrer (fictional)',
      referrer_relationship: 'professional',
      help_needed: `Help needed ${key} (fictional)`,
      reason: `Reason ${key} (fictional)`,
      consent_given_by: 'Sam Testparent (parent)',
      status: 'to-panel',
      received_on: today,
    });
    return { ...row, childId, name: `${name} Changefamily` };
  };

  beforeAll(async () => {
    t = await buildTestApp(kind);
    const db = t.database.db;
    pool = await createTestPool(db);
    const id = (e: string) => userIdByEmail(db, e);
    panelId = (
      await createPanel(db, {
        name: `Changes panel ${kind} (fictional)`,
        purpose: 'Decides joint packages (fictional)',
        frequency: 'Monthly',
        administratorId: await id(CASEWORKER),
        papersDays: 7,
        cutOffDays: 10,
        quorumMembers: 1,
        jointFundingAgencies: [],
      })
    ).id;
    await addMember(db, panelId, 1, { userId: await id(CHAIR), role: 'chair', partnerId: pool.education, authorityPence: 2_500_000 });
    await addMember(db, panelId, 2, { userId: await id(CARE), role: 'member', partnerId: pool.socialCare, authorityPence: 1_000_000 });
    const p = await getPanel(db, panelId);
    const at = async (days: number, place: string | null) => (await addMeeting(db, p, { meetsOn: addWorkingDays(today, days), place }, today)).id;
    m.move = await at(30, 'Town Hall room 2 (fictional)');
    m.other = await at(35, null);
    m.draftCancel = await at(40, null);
    m.publishedCancel = await at(45, 'Civic Centre (fictional)');
    // Two meetings scheduled in the past (as they were then): one with a decision, one held.
    for (const [key, days] of [
      ['decided', -3],
      ['held', -2],
    ] as const) {
      const past = addWorkingDays(today, days);
      m[key] = (await addMeeting(db, p, { meetsOn: past, place: null }, past)).id;
    }
    for (const k of ['a', 'b', 'c', 'd', 'e']) ref[k] = await referral(k);
  });
  afterAll(() => t?.close());

  it('moves a planned meeting to another working day and place, with its deadlines worked out again', async () => {
    const admin = await client(CASEWORKER);
    const before = await meetingRow(m.move);
    const page = await admin.get(paths.panels.changeMeeting(m.move));
    expect(page.status).toBe(200);
    expect(page.body).toContain('value="Town Hall room 2 (fictional)"');
    expect(text((await admin.get(paths.panels.meeting(m.move))).body)).toContain('Change the date or place');

    const newDay = addWorkingDays(today, 50);
    const form = { ...parts(newDay), place: 'Online (fictional)' };
    const v = await version(m.move);
    const saved = await admin.post(paths.panels.changeMeeting(m.move), { ...form, version: v });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(`${paths.panels.panel(panelId)}?done=meeting-changed#schedule`);
    const d = meetingDeadlines(newDay, { papersDays: 7, cutOffDays: 10 });
    const after = await meetingRow(m.move);
    expect(after).toMatchObject({ meets_on: newDay, place: 'Online (fictional)', cut_off_on: d.cutOffOn, papers_due_on: d.papersDueOn, status: 'planned' });
    expect(after.cut_off_on).not.toBe(before.cut_off_on);
    expect(text((await admin.get(saved.location!)).body)).toContain('Meeting changed. Its cut-off and papers dates have been worked out again');

    // A form opened before that save is refused and changes nothing.
    const stale = await admin.post(paths.panels.changeMeeting(m.move), { ...parts(addWorkingDays(today, 55)), place: '', version: v });
    expect(stale.status).toBe(409);
    expect(text(stale.body)).toContain('Someone else changed this record after you opened it');
    expect((await meetingRow(m.move)).meets_on).toBe(newDay);

    // The audit has the dates and whether the place changed, not the place.
    const [logged] = await auditDetails('panels.meeting.change', m.move);
    expect(logged!.details).not.toContain('Online');
    expect(JSON.parse(logged!.details)).toEqual({ panelId, from: before.meets_on, to: newDay, placeChanged: true, placeGiven: true });

    // Only the place changes; the date is kept.
    expect((await admin.post(paths.panels.changeMeeting(m.move), { ...parts(newDay), place: '', version: await version(m.move) })).status).toBe(303);
    expect(await meetingRow(m.move)).toMatchObject({ meets_on: newDay, place: null });
  });

  it('refuses a day that is not a working day, in the past, or already booked, and a meeting already published', async () => {
    const admin = await client(CASEWORKER);
    await admin.get(paths.panels.changeMeeting(m.move));
    const post = async (iso: string) => admin.post(paths.panels.changeMeeting(m.move), { ...parts(iso), place: '', version: await version(m.move) });
    const saturday = saturdayFrom(addWorkingDays(today, 20));
    const weekend = await post(saturday);
    expect(weekend.status).toBe(400);
    expect(text(weekend.body)).toContain(`${longDate(saturday)} is a Saturday: choose a working day for the meeting`);
    const yesterday = shiftDays(today, -1);
    const past = await post(isWorkingDay(yesterday) ? yesterday : addWorkingDays(today, -1));
    expect(text(past.body)).toContain('The date of the meeting must be today or later');
    const otherDay = (await meetingRow(m.other)).meets_on;
    const clash = await post(otherDay);
    expect(text(clash.body)).toContain(`The panel already meets on ${longDate(otherDay)}`);
    const bad = await admin.post(paths.panels.changeMeeting(m.move), {
      'meetsOn-day': '31',
      'meetsOn-month': '2',
      'meetsOn-year': '2030',
      place: '',
      version: await version(m.move),
    });
    expect(bad.status).toBe(400);
    expect((await meetingRow(m.move)).meets_on).not.toBe(saturday);

    // Published: the date cannot move (members have the papers).
    await addCase(m.other, 'e', 'Summary E (fictional)');
    expect((await admin.post(paths.panels.publish(m.other), { version: await version(m.other), confirmLate: 'yes' })).status).toBe(303);
    const published = await admin.post(paths.panels.changeMeeting(m.other), {
      ...parts(addWorkingDays(today, 60)),
      place: '',
      version: await version(m.other),
    });
    expect(published.status).toBe(400);
    expect(text(published.body)).toContain('The date and place cannot change: its papers have been published to members');
    expect((await meetingRow(m.other)).meets_on).toBe(otherDay);
    expect(text((await admin.get(paths.panels.changeMeeting(m.other))).body)).toContain('The date and place of this meeting cannot change');
  });

  it('lets a configurer move a meeting too, and refuses members and people without panel permissions', async () => {
    const configurer = await client(ADMIN);
    expect((await configurer.get(paths.panels.changeMeeting(m.move))).status).toBe(200);
    const day = addWorkingDays(today, 52);
    expect((await configurer.post(paths.panels.changeMeeting(m.move), { ...parts(day), place: '', version: await version(m.move) })).status).toBe(303);
    expect((await meetingRow(m.move)).meets_on).toBe(day);

    const member = await client(CHAIR);
    expect((await member.get(paths.panels.changeMeeting(m.move))).status).toBe(403);
    expect(
      (await member.post(paths.panels.changeMeeting(m.move), { ...parts(addWorkingDays(today, 53)), place: '', version: await version(m.move) })).status,
    ).toBe(403);
    expect((await member.post(paths.panels.cancelMeeting(m.move), { reason: 'No reason (fictional)', version: await version(m.move) })).status).toBe(403);
    const outsider = await client(KEYWORKER);
    expect((await outsider.get(paths.panels.cancelMeeting(m.move))).status).toBe(403);
    expect(await meetingRow(m.move)).toMatchObject({ meets_on: day, status: 'planned' });
  });

  it('changes a case summary while the agenda is a draft, on the current version only, and not after publishing', async () => {
    await addCase(m.move, 'a', 'Summary A first draft (fictional)');
    const admin = await client(CASEWORKER);
    const c = await caseRow(m.move, 'a');
    const url = paths.panels.editSummary(m.move, c.id);
    expect(text((await admin.get(paths.panels.meeting(m.move))).body)).toContain(`Change summary of ${ref.a!.reference}`);
    const page = await admin.get(url);
    expect(page.status).toBe(200);
    expect(text(page.body)).toContain('Summary A first draft (fictional)');
    // The page names the child, so reading it is audited against them.
    const read = await t.database.db
      .selectFrom('audit_log as l')
      .innerJoin('audit_children as ac', 'ac.audit_id', 'l.id')
      .select('ac.child_id')
      .where('l.action', '=', 'panels.agenda.summary.edit')
      .execute();
    expect(read.map((r) => r.child_id)).toEqual([ref.a!.childId]);

    const empty = await admin.post(url, { summary: '  ', version: await version(m.move) });
    expect(empty.status).toBe(400);
    expect(text(empty.body)).toContain('Enter a case summary for the papers');
    const v = await version(m.move);
    const saved = await admin.post(url, { summary: 'Summary A: asks for overnight respite (fictional)', version: v });
    expect(saved.status).toBe(303);
    expect((await caseRow(m.move, 'a')).summary).toBe('Summary A: asks for overnight respite (fictional)');
    expect(text((await admin.get(saved.location!)).body)).toContain('Case summary changed');
    expect(text((await admin.get(paths.panels.papers(m.move))).body)).toContain('Summary A: asks for overnight respite (fictional)');
    const stale = await admin.post(url, { summary: 'Summary A overwritten (fictional)', version: v });
    expect(stale.status).toBe(409);
    expect((await caseRow(m.move, 'a')).summary).toBe('Summary A: asks for overnight respite (fictional)');

    const [logged] = (await auditDetails('panels.agenda.summary.change', m.move)).filter((l) => l.result === 'allowed');
    expect(logged!.details).not.toContain('respite');
    expect(JSON.parse(logged!.details)).toMatchObject({
      caseId: c.id,
      referralId: ref.a!.id,
      changed: true,
      summaryLength: 'Summary A: asks for overnight respite (fictional)'.length,
    });

    // A member, even of this panel, cannot; nor can a case on another meeting be reached through this one.
    const member = await client(CARE);
    await member.get(paths.panels.meeting(m.move));
    expect((await member.post(url, { summary: 'Member edit (fictional)', version: await version(m.move) })).status).toBe(403);
    const otherCase = await caseRow(m.other, 'e');
    expect((await admin.get(paths.panels.editSummary(m.move, otherCase.id))).status).toBe(404);
    // Published: the summary is locked.
    const published = await admin.post(paths.panels.editSummary(m.other, otherCase.id), { summary: 'Too late (fictional)', version: await version(m.other) });
    expect(published.status).toBe(400);
    expect(text(published.body)).toContain('The agenda cannot change: the meeting has been published to members');
    expect((await caseRow(m.other, 'e')).summary).toBe('Summary E (fictional)');
  });

  it('cancels a planned meeting with a reason; its cases become candidates for another meeting', async () => {
    await addCase(m.draftCancel, 'b', 'Summary B (fictional)');
    expect(await candidatesOn(m.move)).not.toContain('b');
    const admin = await client(CASEWORKER);
    const url = paths.panels.cancelMeeting(m.draftCancel);
    const page = text((await admin.get(url)).body);
    expect(page).toContain('The 1 case on its agenda goes back to the referrals waiting for a panel');

    const noReason = await admin.post(url, { reason: ' ', version: await version(m.draftCancel) });
    expect(noReason.status).toBe(400);
    expect(text(noReason.body)).toContain('Enter why the meeting is being cancelled');
    const v = await version(m.draftCancel);
    const before = await t.database.db.selectFrom('notifications').select('id').execute();
    const done = await admin.post(url, { reason: 'Room flooded (fictional)', version: v });
    expect(done.status).toBe(303);
    expect(done.location).toBe(`${paths.panels.panel(panelId)}?done=meeting-cancelled#schedule`);
    const row = await meetingRow(m.draftCancel);
    expect(row).toMatchObject({ status: 'cancelled', cancel_reason: 'Room flooded (fictional)', cancelled_by: await userIdByEmail(t.database.db, CASEWORKER) });
    expect(row.cancelled_at).not.toBeNull();
    // Not published: nobody had papers, so nobody is told.
    expect((await t.database.db.selectFrom('notifications').select('id').execute()).length).toBe(before.length);

    const [logged] = await auditDetails('panels.meeting.cancel', m.draftCancel);
    expect(logged!.details).not.toContain('flooded');
    expect(JSON.parse(logged!.details)).toEqual({
      panelId,
      wasPublished: false,
      cases: 1,
      notified: 0,
      reasonGiven: true,
      reasonLength: 'Room flooded (fictional)'.length,
    });

    const again = await admin.post(url, { reason: 'Again (fictional)', version: await version(m.draftCancel) });
    expect(again.status).toBe(400);
    expect(text(again.body)).toContain('The meeting is already cancelled');

    // B waits again: offered on another meeting's agenda, and added to it.
    expect(await candidatesOn(m.move)).toContain('b');
    await addCase(m.move, 'b', 'Summary B again (fictional)');
    // The cancelled meeting cannot be moved or its agenda changed; its page says it was cancelled.
    const moved = await admin.post(paths.panels.changeMeeting(m.draftCancel), {
      ...parts(addWorkingDays(today, 70)),
      place: '',
      version: await version(m.draftCancel),
    });
    expect(text(moved.body)).toContain('The date and place cannot change: it was cancelled');
    const shown = text((await admin.get(paths.panels.meeting(m.draftCancel))).body);
    expect(shown).toContain('This meeting was cancelled');
    expect(shown).toContain('Room flooded (fictional)');
    const memberView = text((await (await client(CARE)).get(paths.panels.meeting(m.draftCancel))).body);
    expect(memberView).toContain('The meeting was cancelled, so its papers are withdrawn');
    expect(memberView).not.toContain('Room flooded');
    // Its day is free again: another meeting can move to it.
    const reuse = await admin.post(paths.panels.changeMeeting(m.move), { ...parts(row.meets_on), place: '', version: await version(m.move) });
    expect(reuse.status).toBe(303);
    expect((await t.database.db.selectFrom('panel_meetings').select('meets_on').where('id', '=', m.move).executeTakeFirstOrThrow()).meets_on).toBe(
      row.meets_on,
    );
  });

  it('cancels a published meeting, telling each member the date with a link and no child’s details; refuses a stale form', async () => {
    await addCase(m.publishedCancel, 'c', 'Summary C (fictional)');
    const admin = await client(CASEWORKER);
    expect((await admin.post(paths.panels.publish(m.publishedCancel), { version: await version(m.publishedCancel), confirmLate: 'yes' })).status).toBe(303);
    const configurer = await client(ADMIN);
    const url = paths.panels.cancelMeeting(m.publishedCancel);
    expect(text((await configurer.get(url)).body)).toContain('every member will get an email saying the meeting is cancelled');
    const stale = await configurer.post(url, { reason: 'Chair unwell (fictional)', version: String(Number(await version(m.publishedCancel)) - 1) });
    expect(stale.status).toBe(409);
    expect((await meetingRow(m.publishedCancel)).status).toBe('published');

    const before = (await t.database.db.selectFrom('notifications').select('id').execute()).map((n) => n.id);
    const done = await configurer.post(url, { reason: 'Chair unwell (fictional)', version: await version(m.publishedCancel) });
    expect(done.status).toBe(303);
    expect(done.location).toContain('done=meeting-cancelled-notified');
    expect((await meetingRow(m.publishedCancel)).status).toBe('cancelled');
    const meetsOn = (await meetingRow(m.publishedCancel)).meets_on;
    const sent = await t.database.db
      .selectFrom('notifications')
      .select(['recipient', 'subject', 'body'])
      .where('id', 'not in', before.length ? before : ['00000000-0000-4000-8000-000000000000'])
      .orderBy('recipient')
      .execute();
    expect(sent.map((s) => s.recipient)).toEqual([CARE, CHAIR]);
    for (const s of sent) {
      expect(s.subject).toContain(`the meeting on ${longDate(meetsOn)} is cancelled`);
      expect(s.body).toContain(`http://localhost:3000${paths.panels.meeting(m.publishedCancel)}`);
      for (const r of Object.values(ref)) {
        expect(`${s.subject} ${s.body}`).not.toContain(r.reference);
        expect(`${s.subject} ${s.body}`).not.toContain(r.name.split(' ')[0]!);
      }
      expect(s.body).not.toContain('unwell');
    }
    expect(text((await configurer.get(done.location!)).body)).toContain('Meeting cancelled. Members have been sent an email');
    // C is waiting again, and the published papers are no longer open to members.
    expect(await candidatesOn(m.move)).toContain('c');
    const papers = text((await (await client(CHAIR)).get(paths.panels.papers(m.publishedCancel))).body);
    expect(papers).not.toContain(ref.c!.name);
  });

  it('refuses to cancel a meeting with a recorded decision, or one that has been held', async () => {
    const db = t.database.db;
    // A published meeting whose day has come, with a decision recorded on its case.
    await addCase(m.decided, 'd', 'Summary D (fictional)');
    const admin = await client(CASEWORKER);
    expect((await admin.post(paths.panels.publish(m.decided), { version: await version(m.decided), confirmLate: 'yes' })).status).toBe(303);
    const c = await caseRow(m.decided, 'd');
    await db
      .insertInto('panel_decisions')
      .values({
        case_id: c.id,
        referral_id: ref.d!.id,
        meeting_id: m.decided,
        outcome: 'defer',
        reasons: 'More information needed (fictional)',
        decided_on: today,
        sheet_due_on: addWorkingDays(today, 5),
        recorded_by: await userIdByEmail(db, CASEWORKER),
      })
      .execute();
    const refused = await admin.post(paths.panels.cancelMeeting(m.decided), { reason: 'Mistake (fictional)', version: await version(m.decided) });
    expect(refused.status).toBe(400);
    expect(text(refused.body)).toContain(
      'The meeting cannot be cancelled: a decision has already been recorded at it (1 case). Mark the meeting as held instead',
    );
    expect(await meetingRow(m.decided)).toMatchObject({ status: 'published', cancelled_at: null, cancel_reason: null });

    await db.updateTable('panel_meetings').set({ status: 'held' }).where('id', '=', m.held).execute();
    const held = await admin.post(paths.panels.cancelMeeting(m.held), { reason: 'Mistake (fictional)', version: await version(m.held) });
    expect(held.status).toBe(400);
    expect(text(held.body)).toContain('The meeting cannot be cancelled: it has been held');
    expect((await meetingRow(m.held)).status).toBe('held');
    expect(text((await admin.get(paths.panels.cancelMeeting(m.held))).body)).toContain('This meeting cannot be cancelled: its status is Held');
  });
});
