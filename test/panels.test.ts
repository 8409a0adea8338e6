// Panels (issue 6): the partnership administrator sets up a panel's terms of reference and its
// members with their delegated financial authority; the schedule of meetings carries the cut-off
// and papers dates worked out from the terms; each page is open only to the people on the panel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { createTestPool, type TestPool } from './support/budgets.js';
import { userIdByEmail } from './support/register.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import { addWorkingDays } from '../src/platform/working-days.js';
import { meetingDeadlines, shiftDays } from '../src/capabilities/referral-and-panel/panels/rules.js';

const ADMIN = 'admin@demoshire.example.org'; // panels:configure
const CASEWORKER = 'caseworker@demoshire.example.org'; // panels:attend: the panel's administrator
const CHAIR = 'panel-chair@demoshire.example.org'; // DEMO-EDU
const CARE = 'panel-care@demoshire.example.org'; // DEMO-CSC
const HEALTH = 'panel@demoshire.example.org'; // DEMO-ICB
const KEYWORKER = 'keyworker@demoshire.example.org'; // no panel permission

const parts = (field: string, iso: string) => {
  const [y, m, d] = iso.split('-');
  return { [`${field}-day`]: String(Number(d)), [`${field}-month`]: String(Number(m)), [`${field}-year`]: y! };
};

describe.each(databaseKinds())('panels: set-up, members and meetings on %s', (kind) => {
  let t: TestApp;
  let pool: TestPool;
  const clients: Record<string, Client> = {};
  const ids: Record<string, string> = {};
  let panelId = '';
  const today = todayInLondon();

  const client = async (email: string) => {
    if (!clients[email]) {
      clients[email] = new Client(t.app);
      await clients[email].signIn(email);
    }
    return clients[email];
  };
  const panelRow = () => t.database.db.selectFrom('panels').selectAll().where('id', '=', panelId).executeTakeFirstOrThrow();
  const form = (over: Record<string, string | string[]> = {}) => ({
    name: 'Joint funding panel (fictional)',
    purpose: 'Decides packages no single agency can meet (fictional)',
    frequency: 'Monthly, second Wednesday',
    administratorId: ids.caseworker!,
    papersDays: '7',
    cutOffDays: '10',
    quorumMembers: '3',
    jointFundingAgencies: ['council-education', 'council-social-care', 'nhs-commissioner'],
    ...over,
  });

  beforeAll(async () => {
    t = await buildTestApp(kind);
    pool = await createTestPool(t.database.db);
    for (const [k, e] of Object.entries({ caseworker: CASEWORKER, chair: CHAIR, care: CARE, health: HEALTH, keyworker: KEYWORKER }))
      ids[k] = await userIdByEmail(t.database.db, e);
  });
  afterAll(() => t?.close());

  it('sets up a panel, refusing bad terms with specific messages', async () => {
    const admin = await client(ADMIN);
    const newPage = await admin.get(paths.panels.newPanel);
    expect(newPage.status).toBe(200);
    expect(text(newPage.body)).toContain('Council: social care');

    const empty = await admin.post(paths.panels.newPanel, {});
    expect(empty.status).toBe(400);
    const e = text(empty.body);
    expect(e).toContain('Enter the panel’s name');
    expect(e).toContain('Enter the panel’s purpose');
    expect(e).toContain('Choose the panel’s administrator');

    const bad = await admin.post(
      paths.panels.newPanel,
      form({ papersDays: '7', cutOffDays: '5', quorumMembers: 'three', jointFundingAgencies: ['council-education', 'made-up'] }),
    );
    expect(bad.status).toBe(400);
    const b = text(bad.body);
    expect(b).toContain('The quorum must be a whole number');
    expect(b).toContain('Choose organisation types from the list (not made-up)');
    expect(b).toContain('Cases must close on or before the day papers go out');
    expect(bad.body).toContain('value="Joint funding panel (fictional)"');

    // A key worker cannot attend panels, so cannot run one.
    const notEligible = await admin.post(paths.panels.newPanel, form({ administratorId: ids.keyworker! }));
    expect(notEligible.status).toBe(400);
    expect(text(notEligible.body)).toContain('Choose the administrator from the list: only active people whose role lets them attend panels can be chosen');

    const created = await admin.post(paths.panels.newPanel, form());
    expect(created.status).toBe(303);
    const row = await t.database.db.selectFrom('panels').selectAll().where('name', '=', 'Joint funding panel (fictional)').executeTakeFirstOrThrow();
    panelId = row.id;
    expect(created.location).toBe(`${paths.panels.panel(panelId)}?done=panel-added`);
    expect(row).toMatchObject({ administrator_id: ids.caseworker, papers_days: 7, cut_off_days: 10, quorum_members: 3, version: 1 });
    expect(JSON.parse(row.joint_funding_agencies)).toEqual(['council-education', 'council-social-care', 'nhs-commissioner']);

    const dup = await admin.post(paths.panels.newPanel, form({ name: 'joint FUNDING panel (fictional)' }));
    expect(text(dup.body)).toContain('Another panel is already called joint FUNDING panel (fictional)');

    const page = text((await admin.get(created.location!)).body);
    expect(page).toContain('Panel set up');
    expect(page).toContain('Demo Caseworker');
    expect(page).toContain('Council: education (SEND), Council: social care, NHS commissioner (integrated care board)');

    const audit = await t.database.db.selectFrom('audit_log').select(['subject_id', 'result']).where('action', '=', 'panels.panel.create').execute();
    expect(audit).toEqual([{ subject_id: panelId, result: 'allowed' }]);
    // What was done, never what was typed: ids and numbers, not the name, purpose or frequency.
    const logged = await t.database.db.selectFrom('audit_log').select('details').where('action', '=', 'panels.panel.create').executeTakeFirstOrThrow();
    for (const typed of ['Joint funding panel', 'Decides packages', 'second Wednesday']) expect(logged.details).not.toContain(typed);
    expect(JSON.parse(logged.details)).toMatchObject({
      administratorId: ids.caseworker,
      papersDays: 7,
      cutOffDays: 10,
      quorumMembers: 3,
      fieldsGiven: ['name', 'purpose', 'frequency'],
    });
  });

  it('edits the terms of reference on the version it was opened with, refusing a stale form', async () => {
    const admin = await client(ADMIN);
    const edit = await admin.get(paths.panels.edit(panelId));
    expect(edit.body).toContain('name="version" value="1"');
    const saved = await admin.post(paths.panels.edit(panelId), form({ version: '1', quorumMembers: '4' }));
    expect(saved.status).toBe(303);
    expect(await panelRow()).toMatchObject({ quorum_members: 4, version: 2 });
    const logged = await t.database.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'panels.panel.update')
      .where('subject_id', '=', panelId)
      .executeTakeFirstOrThrow();
    for (const typed of ['Joint funding panel', 'Decides packages', 'second Wednesday']) expect(logged.details).not.toContain(typed);
    expect(JSON.parse(logged.details)).toMatchObject({ quorumMembers: 4 });
    // Someone else's form, opened at version 1, arrives after that save.
    const stale = await admin.post(paths.panels.edit(panelId), form({ version: '1', quorumMembers: '2' }));
    expect(stale.status).toBe(409);
    expect(text(stale.body)).toContain('Someone else changed this record after you opened it');
    expect(await panelRow()).toMatchObject({ quorum_members: 4, version: 2 });
  });

  it('adds members with their partner and delegated authority, refusing what does not fit', async () => {
    const admin = await client(ADMIN);
    const add = async (over: Record<string, string>) => {
      const v = String((await panelRow()).version);
      return admin.post(paths.panels.addMember(panelId), { version: v, role: 'member', ...over });
    };
    const chair = await add({ userId: ids.chair!, role: 'chair', partnerId: pool.education, authority: '£25,000' });
    expect(chair.status).toBe(303);
    const wrongPartner = await add({ userId: ids.care!, partnerId: pool.education, authority: '10000' });
    expect(wrongPartner.status).toBe(400);
    expect(text(wrongPartner.body)).toContain('Demo Panel Member for Social Care works for Demoshire Council: children with disabilities team (fictional)');
    expect(text(wrongPartner.body)).toContain('cannot commit Education’s money');
    const noPartner = await add({ userId: ids.care!, authority: '10000' });
    expect(text(noPartner.body)).toContain('Choose the budget partner whose money this authority commits');
    const negative = await add({ userId: ids.care!, partnerId: pool.socialCare, authority: '-5' });
    expect(text(negative.body)).toContain('The delegated financial authority cannot be negative');
    const part = await add({ userId: ids.care!, partnerId: pool.socialCare, authority: '12.345' });
    expect(text(part.body)).toContain('cannot include part of a penny');
    const keyworker = await add({ userId: ids.keyworker! });
    expect(text(keyworker.body)).toContain('Choose the person to add from the list');
    expect((await add({ userId: ids.care!, partnerId: pool.socialCare, authority: '10,000.50' })).status).toBe(303);
    expect((await add({ userId: ids.health!, partnerId: pool.health, authority: '15000', role: 'member' })).status).toBe(303);
    const again = await add({ userId: ids.health! });
    expect(text(again.body)).toContain('Demo Panel Member is already a member of this panel');

    const members = await t.database.db
      .selectFrom('panel_members')
      .select(['user_id', 'role', 'partner_id', 'authority_pence', 'active'])
      .where('panel_id', '=', panelId)
      .orderBy('authority_pence')
      .execute();
    expect(members.map((m) => ({ ...m, authority_pence: Number(m.authority_pence) }))).toEqual([
      { user_id: ids.care, role: 'member', partner_id: pool.socialCare, authority_pence: 1_000_050, active: true },
      { user_id: ids.health, role: 'member', partner_id: pool.health, authority_pence: 1_500_000, active: true },
      { user_id: ids.chair, role: 'chair', partner_id: pool.education, authority_pence: 2_500_000, active: true },
    ]);
    const page = text((await admin.get(paths.panels.panel(panelId))).body);
    expect(page).toContain('Demo Panel Chair Demoshire Council: SEND and inclusion (fictional) Chair Education £25,000.00');
    expect(page).toContain('£10,000.50');

    // A stale member form (the panel changed since) is refused, not applied.
    const stale = await admin.post(paths.panels.addMember(panelId), { version: '1', userId: ids.caseworker!, role: 'adviser' });
    expect(stale.status).toBe(409);
    expect(await t.database.db.selectFrom('panel_members').select('id').where('user_id', '=', ids.caseworker!).execute()).toEqual([]);
  });

  it('removes a member (kept, inactive) and adds them back', async () => {
    const admin = await client(ADMIN);
    const member = await t.database.db
      .selectFrom('panel_members')
      .select('id')
      .where('panel_id', '=', panelId)
      .where('user_id', '=', ids.health!)
      .executeTakeFirstOrThrow();
    const removed = await admin.post(paths.panels.removeMember(panelId), { version: String((await panelRow()).version), memberId: member.id });
    expect(removed.status).toBe(303);
    expect(await t.database.db.selectFrom('panel_members').select('active').where('id', '=', member.id).executeTakeFirstOrThrow()).toEqual({ active: false });
    // The removed member no longer reaches the panel.
    expect((await (await client(HEALTH)).get(paths.panels.panel(panelId))).status).toBe(403);
    const back = await admin.post(paths.panels.addMember(panelId), {
      version: String((await panelRow()).version),
      userId: ids.health!,
      role: 'adviser',
      partnerId: pool.health,
      authority: '5000',
    });
    expect(back.status).toBe(303);
    expect(
      await t.database.db
        .selectFrom('panel_members')
        .select(['id', 'role', 'active'])
        .where('panel_id', '=', panelId)
        .where('user_id', '=', ids.health!)
        .execute(),
    ).toEqual([{ id: member.id, role: 'adviser', active: true }]);
  });

  it('schedules meetings with cut-off and papers dates from the terms, refusing non-working and past days', async () => {
    const admin = await client(ADMIN);
    const meetsOn = addWorkingDays(today, 30);
    const added = await admin.post(paths.panels.addMeeting(panelId), { ...parts('meetsOn', meetsOn), place: 'Town Hall room 2 (fictional)' });
    expect(added.status).toBe(303);
    const meeting = await t.database.db.selectFrom('panel_meetings').selectAll().where('panel_id', '=', panelId).executeTakeFirstOrThrow();
    const expected = meetingDeadlines(meetsOn, { papersDays: 7, cutOffDays: 10 });
    expect(meeting).toMatchObject({
      meets_on: meetsOn,
      cut_off_on: expected.cutOffOn,
      papers_due_on: expected.papersDueOn,
      status: 'planned',
      place: 'Town Hall room 2 (fictional)',
    });
    const logged = await t.database.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'panels.meeting.add')
      .where('subject_id', '=', meeting.id)
      .executeTakeFirstOrThrow();
    expect(logged.details).not.toContain('Town Hall');
    expect(JSON.parse(logged.details)).toEqual({ panelId, meetsOn, placeGiven: true });

    let saturday = shiftDays(today, 7);
    while (new Date(`${saturday}T00:00:00Z`).getUTCDay() !== 6) saturday = shiftDays(saturday, 1);
    const weekend = await admin.post(paths.panels.addMeeting(panelId), parts('meetsOn', saturday));
    expect(weekend.status).toBe(400);
    expect(text(weekend.body)).toMatch(/is a Saturday: choose a working day for the meeting/);
    const past = await admin.post(paths.panels.addMeeting(panelId), parts('meetsOn', addWorkingDays(today, -3)));
    expect(text(past.body)).toContain('The date of the meeting must be today or later');
    const again = await admin.post(paths.panels.addMeeting(panelId), parts('meetsOn', meetsOn));
    expect(text(again.body)).toContain('The panel already meets on');
    const junk = await admin.post(paths.panels.addMeeting(panelId), { 'meetsOn-day': '31', 'meetsOn-month': '2', 'meetsOn-year': '2030' });
    expect(text(junk.body)).toContain('The date of the meeting must be a real date');

    // Changing the papers days moves the dates of meetings not yet published.
    const v = String((await panelRow()).version);
    expect((await admin.post(paths.panels.edit(panelId), form({ version: v, papersDays: '5', quorumMembers: '4' }))).status).toBe(303);
    const moved = await t.database.db.selectFrom('panel_meetings').select('papers_due_on').where('id', '=', meeting.id).executeTakeFirstOrThrow();
    expect(moved.papers_due_on).toBe(meetingDeadlines(meetsOn, { papersDays: 5, cutOffDays: 10 }).papersDueOn);
  });

  it('adds the next meetings of a monthly pattern, leaving out bank holidays and booked dates', async () => {
    const caseworker = await client(CASEWORKER); // the administrator may schedule too
    const res = await caseworker.post(paths.panels.generateMeetings(panelId), { nth: '2', weekday: '3', count: '4', place: '' });
    expect(res.status).toBe(303);
    const rows = await t.database.db
      .selectFrom('panel_meetings')
      .select(['meets_on', 'cut_off_on'])
      .where('panel_id', '=', panelId)
      .orderBy('meets_on')
      .execute();
    const wednesdays = rows.filter((r) => new Date(`${r.meets_on}T00:00:00Z`).getUTCDay() === 3 && Math.ceil(Number(r.meets_on.slice(8)) / 7) === 2);
    const skipped = decodeURIComponent(/skipped=([^#&]*)/.exec(res.location ?? '')?.[1] ?? '');
    expect(wednesdays.length + (skipped ? skipped.split('; ').length : 0)).toBe(4);
    for (const r of wednesdays) expect(r.meets_on > today).toBe(true);
    const bad = await caseworker.post(paths.panels.generateMeetings(panelId), { nth: '2', weekday: '6', count: '40' });
    expect(bad.status).toBe(400);
    expect(text(bad.body)).toContain('Choose the day of the week the panel meets');
    expect(text(bad.body)).toContain('The number of meetings must be 12 or fewer');
    // A member who is not the administrator cannot schedule.
    expect((await (await client(CARE)).post(paths.panels.generateMeetings(panelId), { nth: '1', weekday: '1', count: '1' })).status).toBe(403);
  });

  it('lists panels by who you are: all for a configurer, yours for others, none without a panel role; the menu shows Panels once', async () => {
    const admin = text((await (await client(ADMIN)).get(paths.panels.home)).body);
    expect(admin).toContain('Joint funding panel (fictional)');
    expect(admin).toContain('Set up a panel');
    const second = await (
      await client(ADMIN)
    ).post(paths.panels.newPanel, form({ name: 'Education resources panel (fictional)', administratorId: ids.chair! }));
    expect(second.status).toBe(303);

    const caseworkerRes = await (await client(CASEWORKER)).get(paths.panels.home);
    const cw = text(caseworkerRes.body);
    expect(cw).toContain('Joint funding panel (fictional) Monthly, second Wednesday Demo Caseworker');
    expect(cw).toContain('Administrator');
    expect(cw).not.toContain('Education resources panel');
    expect(cw).not.toContain('Set up a panel');
    expect(caseworkerRes.body.match(/href="\/panels"/g)?.length).toBe(1);

    const care = text((await (await client(CARE)).get(paths.panels.home)).body);
    expect(care).toContain('Joint funding panel (fictional)');
    expect(care).not.toContain('Education resources panel');
    // The chair administers the second panel and sits on the first.
    const chair = text((await (await client(CHAIR)).get(paths.panels.home)).body);
    expect(chair).toContain('Education resources panel (fictional)');
    expect(chair).toContain('Joint funding panel (fictional)');

    const adminHome = await (await client(ADMIN)).get(paths.home);
    expect(adminHome.body.match(/href="\/panels"/g)?.length).toBe(1);

    const keyworker = await client(KEYWORKER);
    expect((await keyworker.get(paths.panels.home)).status).toBe(403);
    expect((await keyworker.get(paths.panels.panel(panelId))).status).toBe(403);
    expect((await keyworker.get(paths.home)).body).not.toContain('href="/panels"');
    expect((await (await client(CASEWORKER)).get(paths.panels.edit(panelId))).status).toBe(403);
    expect((await (await client(ADMIN)).get(paths.panels.panel('00000000-0000-4000-8000-000000000000'))).status).toBe(404);
    expect((await (await client(ADMIN)).get(paths.panels.panel('not-an-id'))).status).toBe(404);
  });
});
