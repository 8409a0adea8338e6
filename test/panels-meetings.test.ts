// Panel meetings (issue 6): the administrator builds the agenda from referrals sent to panel, up to
// the cut-off (later only marked late), publishes the papers (late only when confirmed, and
// flagged), and records attendance and declarations of interest. Papers are read only by the
// panel's members and administrator, and every reading is audited against each child on them.
import { insertReferral } from './support/referrals.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { createTestPool, type TestPool } from './support/budgets.js';
import { createChild, userIdByEmail } from './support/register.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import { addWorkingDays } from '../src/platform/working-days.js';
import { addMeeting, addMember, createPanel, getPanel, presentMembers } from '../src/capabilities/referral-and-panel/panels/service.js';
import { longDate } from '../src/platform/dates.js';

const CASEWORKER = 'caseworker@demoshire.example.org'; // the administrator
const CHAIR = 'panel-chair@demoshire.example.org';
const CARE = 'panel-care@demoshire.example.org';
const HEALTH = 'panel@demoshire.example.org'; // on another panel only
const KEYWORKER = 'keyworker@demoshire.example.org';

describe.each(databaseKinds())('panel meetings on %s', (kind) => {
  let t: TestApp;
  let pool: TestPool;
  const clients: Record<string, Client> = {};
  const today = todayInLondon();
  let panelId = '';
  const meetings = { onTime: '', late: '', past: '' };
  /** Referrals sent to panel: a, b and d with a child on the register, c with only the referrer's details. */
  const ref: Record<string, { id: string; reference: string; childId: string | null; name: string }> = {};
  let received = { id: '', reference: '' };

  const client = async (email: string) => {
    if (!clients[email]) {
      clients[email] = new Client(t.app);
      await clients[email].signIn(email);
    }
    return clients[email];
  };
  const meetingRow = (id: string) => t.database.db.selectFrom('panel_meetings').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const version = async (id: string) => String((await meetingRow(id)).version);
  const agendaOf = async (id: string) =>
    (
      await t.database.db.selectFrom('panel_cases').select(['referral_id', 'position', 'added_late']).where('meeting_id', '=', id).orderBy('position').execute()
    ).map((c) => ({
      ...c,
      key: Object.entries(ref).find(([, r]) => r.id === c.referral_id)?.[0],
    }));

  const referral = async (key: string, status: 'to-panel' | 'received', withChild: boolean) => {
    const db = t.database.db;
    const name = `Panelkid${key}${kind}`;
    const childId = withChild ? (await createChild(db, { givenName: name, familyName: 'Meetingfamily', dateOfBirth: '2016-05-04' })).childId : null;
    const row = await insertReferral(db, {
      route: withChild ? 'partner' : 'family',
      child_id: childId,
      child_details: JSON.stringify({ givenName: name, familyName: 'Meetingfamily', dateOfBirth: '2017-02-03' }),
      referrer_name: 'Pat Testreferrer (fictional)',
      referrer_relationship: withChild ? 'professional' : 'parent',
      help_needed: `Help needed ${key}: personal care at home (fictional)`,
      reason: `Reason ${key}: needs education, health and care together (fictional)`,
      sharing_basis: withChild ? 'consent' : 'lawful-basis',
      consent_given_by: withChild ? 'Pat Testparent (parent)' : null,
      lawful_basis: withChild ? null : 'Children Act 1989 section 17 (fictional note)',
      status,
      received_on: today,
    });
    return { ...row, childId, name: `${name} Meetingfamily` };
  };

  beforeAll(async () => {
    t = await buildTestApp(kind);
    const db = t.database.db;
    pool = await createTestPool(db);
    const id = (e: string) => userIdByEmail(db, e);
    const panel = await createPanel(db, {
      name: `Joint funding panel ${kind} (fictional)`,
      purpose: 'Decides joint packages (fictional)',
      frequency: 'Monthly',
      administratorId: await id(CASEWORKER),
      papersDays: 7,
      cutOffDays: 10,
      quorumMembers: 2,
      jointFundingAgencies: ['council-education', 'council-social-care'],
    });
    panelId = panel.id;
    await addMember(db, panelId, 1, { userId: await id(CHAIR), role: 'chair', partnerId: pool.education, authorityPence: 2_500_000 });
    await addMember(db, panelId, 2, { userId: await id(CARE), role: 'member', partnerId: pool.socialCare, authorityPence: 1_000_000 });
    // Health sits on a different panel, not this one.
    const other = await createPanel(db, {
      name: `Health panel ${kind} (fictional)`,
      purpose: 'Other (fictional)',
      frequency: 'Monthly',
      administratorId: await id(CHAIR),
      papersDays: 7,
      cutOffDays: 10,
      quorumMembers: 1,
      jointFundingAgencies: [],
    });
    await addMember(db, other.id, 1, { userId: await id(HEALTH), role: 'member', partnerId: pool.health, authorityPence: 0 });

    const p = await getPanel(db, panelId);
    meetings.onTime = (await addMeeting(db, p, { meetsOn: addWorkingDays(today, 30), place: 'Town Hall room 2 (fictional)' }, today)).id;
    // Next working day: the cut-off and the papers date have both passed.
    meetings.late = (await addMeeting(db, p, { meetsOn: addWorkingDays(today, 1), place: null }, today)).id;
    // Two working days ago (scheduled then), to be held.
    const past = addWorkingDays(today, -2);
    meetings.past = (await addMeeting(db, p, { meetsOn: past, place: null }, past)).id;

    ref.a = await referral('a', 'to-panel', true);
    ref.b = await referral('b', 'to-panel', true);
    ref.c = await referral('c', 'to-panel', false);
    ref.d = await referral('d', 'to-panel', true);
    received = await referral('r', 'received', true);

    // B's eligibility, assessed against a rule set.
    const rs = await db
      .insertInto('eligibility_rule_sets')
      .values({
        key: 'test-joint',
        version: 3,
        name: 'Joint funding test rule (fictional)',
        kind: 'at-least',
        threshold: 1,
        conditions: JSON.stringify([
          { code: 'C1', text: 'Needs support from two or more agencies' },
          { code: 'C2', text: 'Needs overnight care' },
        ]),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('referral_eligibility')
      .values({
        referral_id: ref.b.id,
        rule_set_id: rs.id,
        answers: JSON.stringify([
          { code: 'C1', met: true, evidence: 'Letter from the school nurse (fictional)' },
          { code: 'C2', met: false, evidence: '' },
        ]),
        met: true,
        met_count: 1,
        required: 1,
        summary: 'Meets the joint funding rule.',
      })
      .execute();
  });
  afterAll(() => t?.close());

  it('builds the agenda from referrals sent to panel, in order, and refuses a stale edit without losing the other', async () => {
    const admin = await client(CASEWORKER);
    const page = await admin.get(paths.panels.meeting(meetings.onTime));
    expect(page.status).toBe(200);
    const p = text(page.body);
    for (const k of ['a', 'b', 'c', 'd']) expect(p).toContain(`${ref[k]!.reference}: ${ref[k]!.name}`);
    expect(p).not.toContain(received.reference);

    const url = paths.panels.addCase(meetings.onTime);
    const empty = await admin.post(url, { version: await version(meetings.onTime) });
    expect(empty.status).toBe(400);
    expect(text(empty.body)).toContain('Choose the referral to add to the agenda');
    expect(text(empty.body)).toContain('Enter a case summary for the papers');

    const v1 = await version(meetings.onTime);
    expect((await admin.post(url, { version: v1, referralId: ref.a!.id, summary: 'Summary A (fictional)' })).status).toBe(303);
    // A second editor's form, opened before that change, is refused: nothing is lost or overwritten.
    const stale = await admin.post(url, { version: v1, referralId: ref.b!.id, summary: 'Summary B (fictional)' });
    expect(stale.status).toBe(409);
    expect(text(stale.body)).toContain('Someone else changed this record after you opened it. Your changes have not been saved');
    expect((await agendaOf(meetings.onTime)).map((c) => c.key)).toEqual(['a']);

    expect(
      (
        await admin.post(url, {
          version: await version(meetings.onTime),
          referralId: ref.b!.id,
          summary: 'Summary B: asks for 50/50 personal care (fictional)',
        })
      ).status,
    ).toBe(303);
    expect((await admin.post(url, { version: await version(meetings.onTime), referralId: ref.c!.id, summary: 'Summary C (fictional)' })).status).toBe(303);
    const notSent = await admin.post(url, { version: await version(meetings.onTime), referralId: received.id, summary: 'x' });
    expect(notSent.status).toBe(400);
    expect(text(notSent.body)).toContain(
      'That referral cannot be added: it has not been sent to panel, or it is already on the agenda of a meeting still to be held',
    );
    const twice = await admin.post(url, { version: await version(meetings.onTime), referralId: ref.a!.id, summary: 'x' });
    expect(twice.status).toBe(400);

    expect(
      (
        await admin.post(paths.panels.moveCase(meetings.onTime), {
          version: await version(meetings.onTime),
          caseId: await caseId(meetings.onTime, 'c'),
          direction: 'up',
        })
      ).status,
    ).toBe(303);
    expect((await agendaOf(meetings.onTime)).map((c) => [c.key, c.position])).toEqual([
      ['a', 1],
      ['c', 2],
      ['b', 3],
    ]);
    const removed = await admin.post(paths.panels.removeCase(meetings.onTime), {
      version: await version(meetings.onTime),
      caseId: await caseId(meetings.onTime, 'a'),
    });
    expect(removed.status).toBe(303);
    expect((await agendaOf(meetings.onTime)).map((c) => [c.key, c.position, c.added_late])).toEqual([
      ['c', 1, false],
      ['b', 2, false],
    ]);
    const shown = text((await admin.get(removed.location!)).body);
    expect(shown).toContain('Case removed from the agenda');
    expect(shown).toMatch(new RegExp(`1 ${ref.c!.reference} ${ref.c!.name}.*2 ${ref.b!.reference} ${ref.b!.name}`));

    // Only the administrator changes the agenda.
    const member = await client(CARE);
    await member.get(paths.panels.meeting(meetings.onTime));
    expect((await member.post(url, { version: await version(meetings.onTime), referralId: ref.a!.id, summary: 'x' })).status).toBe(403);
    expect((await agendaOf(meetings.onTime)).length).toBe(2);

    // The administrator's view of the meeting names the children, so it is audited against them.
    const views = await t.database.db
      .selectFrom('audit_log as l')
      .innerJoin('audit_children as c', 'c.audit_id', 'l.id')
      .select('c.child_id')
      .where('l.action', '=', 'panels.meeting.view')
      .where('l.subject_id', '=', meetings.onTime)
      .execute();
    expect(new Set(views.map((v) => v.child_id))).toEqual(new Set([ref.a!.childId, ref.b!.childId, ref.d!.childId]));
  });

  const caseId = async (meetingId: string, key: string) =>
    (
      await t.database.db
        .selectFrom('panel_cases')
        .select('id')
        .where('meeting_id', '=', meetingId)
        .where('referral_id', '=', ref[key]!.id)
        .executeTakeFirstOrThrow()
    ).id;

  it('adds a case after the cut-off only as a late case, with a warning', async () => {
    const admin = await client(CASEWORKER);
    const m = await meetingRow(meetings.late);
    const page = text((await admin.get(paths.panels.meeting(meetings.late))).body);
    expect(page).toContain(`The cut-off for this meeting was ${longDate(m.cut_off_on)}. A case added now is marked late on the agenda.`);
    // B is on the agenda of a meeting still to be held, so it cannot go on this one too.
    const elsewhere = await admin.post(paths.panels.addCase(meetings.late), {
      version: await version(meetings.late),
      referralId: ref.b!.id,
      summary: 'x',
      late: 'yes',
    });
    expect(text(elsewhere.body)).toContain('already on the agenda of a meeting still to be held');
    const unticked = await admin.post(paths.panels.addCase(meetings.late), {
      version: await version(meetings.late),
      referralId: ref.a!.id,
      summary: 'Summary A late (fictional)',
    });
    expect(unticked.status).toBe(400);
    expect(text(unticked.body)).toContain(
      `The cut-off for this meeting was ${longDate(m.cut_off_on)}. To add ${ref.a!.reference} anyway, tick “Add as a late case”`,
    );
    expect(await agendaOf(meetings.late)).toEqual([]);
    const late = await admin.post(paths.panels.addCase(meetings.late), {
      version: await version(meetings.late),
      referralId: ref.a!.id,
      summary: 'Summary A late (fictional)',
      late: 'yes',
    });
    expect(late.location).toContain('done=case-added-late');
    expect((await agendaOf(meetings.late)).map((c) => [c.key, c.added_late])).toEqual([['a', true]]);
    expect(text((await admin.get(late.location!)).body)).toContain('Added late');
  });

  it('publishes late only when the administrator confirms the warning, flags it, and tells each member without naming a child', async () => {
    const admin = await client(CASEWORKER);
    const m = await meetingRow(meetings.late);
    const warning = `The papers were due to go to members by ${longDate(m.papers_due_on)}, at least 7 days before the meeting on ${longDate(m.meets_on)}. Published now, they are late and will be marked late.`;
    expect(text((await admin.get(paths.panels.meeting(meetings.late))).body)).toContain(warning);

    const unconfirmed = await admin.post(paths.panels.publish(meetings.late), { version: await version(meetings.late) });
    expect(unconfirmed.status).toBe(400);
    expect(text(unconfirmed.body)).toContain(`${warning} Tick “Publish late” to publish them anyway`);
    expect((await meetingRow(meetings.late)).status).toBe('planned');

    const before = await t.database.db.selectFrom('notifications').select('id').execute();
    const published = await admin.post(paths.panels.publish(meetings.late), { version: await version(meetings.late), confirmLate: 'yes' });
    expect(published.status).toBe(303);
    expect(published.location).toContain('done=published-late');
    const row = await meetingRow(meetings.late);
    expect(row).toMatchObject({ status: 'published', published_late: true, published_by: await userIdByEmail(t.database.db, CASEWORKER) });
    expect(row.published_at).not.toBeNull();

    const sent = await t.database.db
      .selectFrom('notifications')
      .select(['recipient', 'subject', 'body'])
      .where('id', 'not in', before.length ? before.map((b) => b.id) : ['00000000-0000-4000-8000-000000000000'])
      .orderBy('recipient')
      .execute();
    expect(sent.map((s) => s.recipient)).toEqual([CARE, CHAIR]);
    for (const s of sent) {
      expect(s.body).toContain(`http://localhost:3000${paths.panels.papers(meetings.late)}`);
      expect(s.body).toContain('later than the panel’s terms of reference allow');
      for (const r of Object.values(ref)) {
        expect(s.body).not.toContain(r.reference);
        expect(s.body).not.toContain(r.name.split(' ')[0]!);
      }
    }
    const after = text((await admin.get(published.location!)).body);
    expect(after).toContain('Agenda and papers published late');
    expect(after).toContain(`The papers were published late: after ${longDate(m.papers_due_on)}, fewer than 7 days before the meeting.`);

    const locked = await admin.post(paths.panels.addCase(meetings.late), {
      version: await version(meetings.late),
      referralId: ref.d!.id,
      summary: 'x',
      late: 'yes',
    });
    expect(text(locked.body)).toContain('The agenda cannot change: the meeting has been published to members');
    const emptyAgenda = await admin.post(paths.panels.publish(meetings.past), { version: await version(meetings.past), confirmLate: 'yes' });
    expect(text(emptyAgenda.body)).toContain('Add at least one case to the agenda before publishing it');
  });

  it('shows papers only to the panel’s members and administrator, only once published, and records each reading against the children', async () => {
    const member = await client(CARE);
    const draft = await member.get(paths.panels.papers(meetings.onTime));
    expect(draft.status).toBe(200);
    expect(text(draft.body)).toContain('The papers for this meeting have not been published yet');
    expect(draft.body).not.toContain(ref.b!.name);
    const memberMeeting = await member.get(paths.panels.meeting(meetings.onTime));
    expect(memberMeeting.body).not.toContain(ref.b!.name);
    expect(text(memberMeeting.body)).toContain('The agenda and papers have not been published yet');

    const admin = await client(CASEWORKER);
    const adminDraft = text((await admin.get(paths.panels.papers(meetings.onTime))).body);
    expect(adminDraft).toContain('Draft: only the panel’s administrator can see these papers');
    expect(adminDraft).toContain(ref.b!.name);

    const published = await admin.post(paths.panels.publish(meetings.onTime), { version: await version(meetings.onTime) });
    expect(published.location).toContain('done=published');
    expect((await meetingRow(meetings.onTime)).published_late).toBe(false);

    const res = await member.get(paths.panels.papers(meetings.onTime));
    expect(res.status).toBe(200);
    const p = text(res.body);
    // In agenda order: C (no child on the register yet: named as referred), then B.
    expect(p).toMatch(new RegExp(`1\\. ${ref.c!.reference}: ${ref.c!.name}.*2\\. ${ref.b!.reference}: ${ref.b!.name}`));
    expect(p).toContain('Date of birth 4 May 2016'); // B, from the register
    expect(p).toContain('Date of birth 3 February 2017'); // C, as referred
    expect(p).toContain('Help needed Help needed b: personal care at home (fictional)');
    expect(p).toContain('Reason for the referral Reason b: needs education, health and care together (fictional)');
    expect(p).toContain('Shared on the basis of Consent given by Pat Testparent (parent)');
    expect(p).toContain('Shared on the basis of Lawful basis: Children Act 1989 section 17 (fictional note)');
    expect(p).toContain('Summary B: asks for 50/50 personal care (fictional)');
    expect(p).toContain('Meets the joint funding rule. Assessed against Joint funding test rule (fictional) (version 3): 1 of the conditions met, 1 needed.');
    expect(p).toContain('Needs support from two or more agencies Yes Letter from the school nurse (fictional)');
    expect(p).toContain('Needs overnight care No None recorded');
    expect(p).toContain('Not assessed against an eligibility rule set');

    const careId = await userIdByEmail(t.database.db, CARE);
    const entries = await t.database.db
      .selectFrom('audit_log')
      .select(['id', 'subject_type', 'subject_id', 'result'])
      .where('action', '=', 'panels.papers.view')
      .where('user_id', '=', careId)
      .orderBy('at')
      .execute();
    expect(entries.map((e) => [e.subject_type, e.subject_id, e.result])).toEqual([
      ['panel-meeting', meetings.onTime, 'allowed'],
      ['panel-meeting', meetings.onTime, 'allowed'],
    ]);
    const linked = await t.database.db.selectFrom('audit_children').select('child_id').where('audit_id', '=', entries.at(-1)!.id).execute();
    expect(linked.map((l) => l.child_id)).toEqual([ref.b!.childId]);
    // Before publishing, the member saw no child, and none is linked.
    expect(await t.database.db.selectFrom('audit_children').select('child_id').where('audit_id', '=', entries[0]!.id).execute()).toEqual([]);

    // A panel member of another panel, someone who attends no panel, and a meeting that does not exist.
    const health = await client(HEALTH);
    const refused = await health.get(paths.panels.papers(meetings.onTime));
    expect(refused.status).toBe(403);
    expect(refused.body).not.toContain(ref.b!.name);
    expect((await health.get(paths.panels.meeting(meetings.onTime))).status).toBe(403);
    const denied = await t.database.db
      .selectFrom('audit_log')
      .select('result')
      .where('action', '=', 'panels.papers.view')
      .where('user_id', '=', await userIdByEmail(t.database.db, HEALTH))
      .execute();
    expect(denied).toEqual([{ result: 'denied' }]);
    expect((await (await client(KEYWORKER)).get(paths.panels.papers(meetings.onTime))).status).toBe(403);
    expect((await member.get(paths.panels.papers('00000000-0000-4000-8000-000000000000'))).status).toBe(404);
  });

  it('records attendance and declarations of interest, then marks the meeting held; presentMembers gives who was there', async () => {
    const admin = await client(CASEWORKER);
    const chairId = await userIdByEmail(t.database.db, CHAIR);
    const careId = await userIdByEmail(t.database.db, CARE);
    const url = paths.panels.attendance(meetings.past);
    const early = await admin.post(url, { version: await version(meetings.past), [`present-${chairId}`]: 'yes', [`present-${careId}`]: 'no' });
    expect(text(early.body)).toContain('Publish the agenda and papers before recording who attended');

    expect(
      (
        await admin.post(paths.panels.addCase(meetings.past), {
          version: await version(meetings.past),
          referralId: ref.d!.id,
          summary: 'Summary D (fictional)',
          late: 'yes',
        })
      ).status,
    ).toBe(303);
    expect((await admin.post(paths.panels.publish(meetings.past), { version: await version(meetings.past), confirmLate: 'yes' })).status).toBe(303);

    const notYet = await admin.post(paths.panels.held(meetings.past), { version: await version(meetings.past) });
    expect(text(notYet.body)).toContain('Record whether Demo Panel Chair, Demo Panel Member for Social Care attended before marking the meeting held');

    const missing = await admin.post(url, { version: await version(meetings.past), [`present-${chairId}`]: 'yes' });
    expect(missing.status).toBe(400);
    expect(text(missing.body)).toContain('Say whether Demo Panel Member for Social Care was present');
    expect(missing.body).toContain(`href="#present-${careId}"`);

    const saved = await admin.post(url, {
      version: await version(meetings.past),
      [`present-${chairId}`]: 'yes',
      [`interests-${chairId}`]: 'Knows the family through a school governor role (fictional)',
      [`present-${careId}`]: 'no',
      [`interests-${careId}`]: '',
    });
    expect(saved.status).toBe(303);
    const rows = await t.database.db
      .selectFrom('meeting_attendance')
      .select(['user_id', 'present', 'interests'])
      .where('meeting_id', '=', meetings.past)
      .orderBy('present')
      .execute();
    expect(rows).toEqual([
      { user_id: careId, present: false, interests: null },
      { user_id: chairId, present: true, interests: 'Knows the family through a school governor role (fictional)' },
    ]);
    expect(await presentMembers(t.database.db, meetings.past)).toEqual([
      {
        userId: chairId,
        displayName: 'Demo Panel Chair',
        organisationType: 'council-education',
        partnerId: pool.education,
        authorityPence: 2_500_000,
        role: 'chair',
        interests: 'Knows the family through a school governor role (fictional)',
      },
    ]);
    const page = await admin.get(saved.location!);
    expect(text(page.body)).toContain('Attendance and declarations of interest saved');
    expect(page.body).toContain('Knows the family through a school governor role (fictional)');

    // A member cannot record attendance; the meeting in a month cannot be marked held yet.
    expect(
      (await (await client(CHAIR)).post(url, { version: await version(meetings.past), [`present-${chairId}`]: 'no', [`present-${careId}`]: 'no' })).status,
    ).toBe(403);
    const future = await admin.post(paths.panels.held(meetings.onTime), { version: await version(meetings.onTime) });
    expect(text(future.body)).toContain(
      `The meeting is on ${longDate((await meetingRow(meetings.onTime)).meets_on)}: it can be marked held on that day or later`,
    );

    const held = await admin.post(paths.panels.held(meetings.past), { version: await version(meetings.past) });
    expect(held.status).toBe(303);
    expect((await meetingRow(meetings.past)).status).toBe('held');
  });
});
