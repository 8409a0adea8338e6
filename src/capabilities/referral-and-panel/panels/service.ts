// Panels, their members and meetings, the agenda and its papers, attendance. Who may do what is
// checked against the panel's own data (its administrator, its active members), not only the
// role: a panel member of one panel never reads another panel's papers.
import { longDate } from '../../../platform/dates.js';
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { ForbiddenError, NotFoundError, StaleVersionError, ValidationError } from '../../../platform/http/errors.js';
import { ORGANISATION_TYPES, ROLE_PERMISSIONS, type OrganisationType, type Role } from '../../../platform/access/roles.js';
import type { CurrentUser } from '../../../platform/auth/current-user.js';
import type { Notifier } from '../../../platform/notify/notify.js';
import { isUuid } from '../../../platform/ids.js';
import { formatPence } from '../../../platform/money.js';
import { eligibilityOfReferral } from '../eligibility/index.js';
import { paths } from '../../../paths.js';
import type { AttendanceInput, CaseInput, MeetingInput, MemberInput, PanelInput } from './schema.js';
import { isLate, meetingDayProblem, meetingDeadlines, nextMonthlyMeetings, type MonthlyRule } from './rules.js';

/** Roles whose holders may sit on or run a panel (they can open its pages). */
const ATTENDING_ROLES = (Object.keys(ROLE_PERMISSIONS) as Role[]).filter((r) => ROLE_PERMISSIONS[r].includes('panels:attend'));

// ---------------------------------------------------------------- people and partners

/** Active people who may be a panel's administrator or member: their role lets them attend panels. */
export const eligiblePeople = (db: Db) =>
  db
    .selectFrom('users as u')
    .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select(['u.id', 'u.display_name', 'u.organisation_id', 'o.name as organisation_name', 'o.type as organisation_type'])
    .where('u.active', '=', true)
    .where((eb) => eb.exists(eb.selectFrom('user_roles as r').select('r.user_id').whereRef('r.user_id', '=', 'u.id').where('r.role', 'in', ATTENDING_ROLES)))
    .orderBy('u.display_name')
    .execute();

export const listPartners = (db: Db) =>
  db
    .selectFrom('budget_partners as p')
    .innerJoin('organisations as o', 'o.id', 'p.organisation_id')
    .select(['p.id', 'p.short_name', 'p.organisation_id', 'o.name as organisation_name'])
    .where('p.active', '=', true)
    .orderBy('p.short_name')
    .execute();

async function eligiblePerson(db: Db, userId: string, field: string, what: string) {
  const person = isUuid(userId) ? (await eligiblePeople(db)).find((p) => p.id === userId) : undefined;
  if (!person)
    throw new ValidationError([
      { text: `Choose ${what} from the list: only active people whose role lets them attend panels can be chosen`, href: `#${field}` },
    ]);
  return person;
}

// ---------------------------------------------------------------- panels

export interface Viewer {
  id: string;
  canConfigure: boolean;
}
export const viewerOf = (u: CurrentUser): Viewer => ({ id: u.id, canConfigure: u.permissions.has('panels:configure') });

const parseAgencies = (json: string): OrganisationType[] => {
  const v = JSON.parse(json) as unknown;
  return Array.isArray(v) ? (v.filter((t) => typeof t === 'string' && t in ORGANISATION_TYPES) as OrganisationType[]) : [];
};

/** A configurer sees every panel; anyone else the panels they run or sit on. */
export async function listPanels(db: Db, viewer: Viewer, today: string) {
  let q = db
    .selectFrom('panels as p')
    .leftJoin('users as a', 'a.id', 'p.administrator_id')
    .select([
      'p.id',
      'p.name',
      'p.frequency',
      'p.active',
      'p.administrator_id',
      'a.display_name as administrator_name',
      sql<
        string | null
      >`(select min(m.meets_on)::text from panel_meetings m where m.panel_id = p.id and m.status in ('planned', 'published') and m.meets_on >= ${today}::date)`.as(
        'next_meeting_on',
      ),
      sql<string | null>`(select pm.role from panel_members pm where pm.panel_id = p.id and pm.user_id = ${viewer.id} and pm.active)`.as('my_role'),
    ])
    .orderBy('p.name');
  if (!viewer.canConfigure) {
    q = q.where((eb) =>
      eb.or([
        eb('p.administrator_id', '=', viewer.id),
        eb.exists(
          eb
            .selectFrom('panel_members as pm')
            .select('pm.id')
            .whereRef('pm.panel_id', '=', 'p.id')
            .where('pm.user_id', '=', viewer.id)
            .where('pm.active', '=', true),
        ),
      ]),
    );
  }
  return q.execute();
}

export async function getPanel(db: Db, id: string | undefined) {
  if (!isUuid(id)) throw new NotFoundError('panel');
  const panel = await db
    .selectFrom('panels as p')
    .leftJoin('users as a', 'a.id', 'p.administrator_id')
    .selectAll('p')
    .select('a.display_name as administrator_name')
    .where('p.id', '=', id)
    .executeTakeFirst();
  if (!panel) throw new NotFoundError('panel');
  return { ...panel, agencies: parseAgencies(panel.joint_funding_agencies) };
}
export type Panel = Awaited<ReturnType<typeof getPanel>>;

/** The panel's current members (removed ones stay, inactive, for the record). */
const activeMembers = (db: Db, panelId: string) => db.selectFrom('panel_members').select('id').where('panel_id', '=', panelId).where('active', '=', true);

async function isActiveMember(db: Db, panelId: string, userId: string) {
  return !!(await activeMembers(db, panelId).where('user_id', '=', userId).executeTakeFirst());
}

/** What the viewer is to this panel. */
export async function roleOnPanel(db: Db, panel: { id: string; administrator_id: string | null }, viewer: Viewer) {
  const administrator = panel.administrator_id === viewer.id;
  const member = await isActiveMember(db, panel.id, viewer.id);
  return { configurer: viewer.canConfigure, administrator, member };
}

/** The panel's page: for configurers, its administrator and its members. */
export async function panelForViewer(db: Db, id: string | undefined, viewer: Viewer) {
  const panel = await getPanel(db, id);
  const role = await roleOnPanel(db, panel, viewer);
  if (!role.configurer && !role.administrator && !role.member) throw new ForbiddenError('not on this panel');
  return { panel, role };
}

async function checkName(db: Db, name: string, exceptId?: string) {
  let q = db
    .selectFrom('panels')
    .select('id')
    .where(sql`lower(name)`, '=', name.toLowerCase());
  if (exceptId) q = q.where('id', '!=', exceptId);
  if (await q.executeTakeFirst()) throw new ValidationError([{ text: `Another panel is already called ${name}. Choose a different name`, href: '#name' }]);
}

const panelValues = (input: PanelInput) => ({
  name: input.name,
  purpose: input.purpose,
  frequency: input.frequency,
  administrator_id: input.administratorId,
  papers_days: input.papersDays,
  cut_off_days: input.cutOffDays,
  quorum_members: input.quorumMembers,
  joint_funding_agencies: JSON.stringify(input.jointFundingAgencies),
});

export async function createPanel(db: Db, input: PanelInput) {
  await eligiblePerson(db, input.administratorId, 'administratorId', 'the administrator');
  await checkName(db, input.name);
  return db.insertInto('panels').values(panelValues(input)).returning(['id']).executeTakeFirstOrThrow();
}

/** Raises the panel's version if it is still the one the form was opened with. */
async function claimPanel(db: Db, id: string, expectedVersion: number) {
  const res = await db
    .updateTable('panels')
    .set({ version: sql`version + 1` })
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new StaleVersionError();
}

/** Saves the terms of reference; meetings not yet published get their deadlines worked out again. */
export async function updatePanel(db: Db, id: string, expectedVersion: number, input: PanelInput) {
  await getPanel(db, id);
  await eligiblePerson(db, input.administratorId, 'administratorId', 'the administrator');
  await checkName(db, input.name, id);
  await claimPanel(db, id, expectedVersion);
  await db.updateTable('panels').set(panelValues(input)).where('id', '=', id).execute();
  const planned = await db.selectFrom('panel_meetings').select(['id', 'meets_on']).where('panel_id', '=', id).where('status', '=', 'planned').execute();
  for (const m of planned) {
    const d = meetingDeadlines(m.meets_on, input);
    await db
      .updateTable('panel_meetings')
      .set({ cut_off_on: d.cutOffOn, papers_due_on: d.papersDueOn, version: sql`version + 1` })
      .where('id', '=', m.id)
      .execute();
  }
}

// ---------------------------------------------------------------- members

export async function listMembers(db: Db, panelId: string) {
  const rows = await db
    .selectFrom('panel_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
    .leftJoin('budget_partners as p', 'p.id', 'm.partner_id')
    .select([
      'm.id',
      'm.user_id',
      'm.role',
      'm.partner_id',
      'm.authority_pence',
      'u.display_name',
      'u.email',
      'o.name as organisation_name',
      'o.type as organisation_type',
      'p.short_name as partner_name',
    ])
    .where('m.panel_id', '=', panelId)
    .where('m.active', '=', true)
    .orderBy(sql`case m.role when 'chair' then 0 when 'member' then 1 else 2 end`)
    .orderBy('u.display_name')
    .execute();
  return rows.map((r) => ({ ...r, authority_pence: Number(r.authority_pence), authority: formatPence(Number(r.authority_pence)) }));
}

export async function addMember(db: Db, panelId: string, expectedVersion: number, input: MemberInput) {
  await getPanel(db, panelId);
  const person = await eligiblePerson(db, input.userId, 'userId', 'the person to add');
  if (input.partnerId) {
    const partner = isUuid(input.partnerId) ? (await listPartners(db)).find((p) => p.id === input.partnerId) : undefined;
    if (!partner) throw new ValidationError([{ text: 'Choose the budget partner from the list', href: '#partnerId' }]);
    if (partner.organisation_id !== person.organisation_id) {
      throw new ValidationError([
        {
          text: `${person.display_name} works for ${person.organisation_name}, so cannot commit ${partner.short_name}’s money (${partner.organisation_name}). Choose their own organisation’s partner`,
          href: '#partnerId',
        },
      ]);
    }
  }
  const existing = await db
    .selectFrom('panel_members')
    .select(['id', 'active'])
    .where('panel_id', '=', panelId)
    .where('user_id', '=', input.userId)
    .executeTakeFirst();
  if (existing?.active)
    throw new ValidationError([
      { text: `${person.display_name} is already a member of this panel. Remove them first to change their role or authority`, href: '#userId' },
    ]);
  await claimPanel(db, panelId, expectedVersion);
  const values = { role: input.role, partner_id: input.partnerId, authority_pence: input.authorityPence, active: true };
  if (existing) await db.updateTable('panel_members').set(values).where('id', '=', existing.id).execute();
  else
    await db
      .insertInto('panel_members')
      .values({ panel_id: panelId, user_id: input.userId, ...values })
      .execute();
  return person;
}

/** Members are made inactive, not deleted: attendance and decisions refer to them. */
export async function removeMember(db: Db, panelId: string, expectedVersion: number, memberId: string) {
  await getPanel(db, panelId);
  if (!isUuid(memberId)) throw new NotFoundError('member');
  const member = await activeMembers(db, panelId).where('id', '=', memberId).executeTakeFirst();
  if (!member) throw new ValidationError([{ text: 'That person is no longer a member of this panel', href: '#members' }]);
  await claimPanel(db, panelId, expectedVersion);
  await db.updateTable('panel_members').set({ active: false }).where('id', '=', memberId).execute();
}

// ---------------------------------------------------------------- meetings

export const listMeetings = (db: Db, panelId: string) =>
  db
    .selectFrom('panel_meetings as m')
    .select([
      'm.id',
      'm.meets_on',
      'm.cut_off_on',
      'm.papers_due_on',
      'm.place',
      'm.status',
      'm.published_late',
      sql<number>`(select count(*) from panel_cases c where c.meeting_id = m.id)::int`.as('cases'),
    ])
    .where('m.panel_id', '=', panelId)
    .orderBy('m.meets_on')
    .execute();

/** The configurer or the panel's administrator schedules meetings. */
export function requireScheduler(panel: Panel, viewer: Viewer) {
  if (!viewer.canConfigure && panel.administrator_id !== viewer.id) throw new ForbiddenError('only the administrator or a configurer schedules meetings');
}

/** A meeting date must be a working day, today or later, and the panel's only meeting that day (a cancelled one frees it). */
async function checkMeetingDay(db: Db, panelId: string, meetsOn: string, today: string, exceptMeetingId?: string) {
  const problem = meetingDayProblem(meetsOn);
  if (problem) throw new ValidationError([{ text: `${longDate(meetsOn)} ${problem}: choose a working day for the meeting`, href: '#meetsOn-day' }]);
  if (meetsOn < today) throw new ValidationError([{ text: 'The date of the meeting must be today or later', href: '#meetsOn-day' }]);
  let q = db
    .selectFrom('panel_meetings')
    .select(['id', 'status'])
    .where('panel_id', '=', panelId)
    .where('meets_on', '=', meetsOn)
    .where('status', '!=', 'cancelled');
  if (exceptMeetingId) q = q.where('id', '!=', exceptMeetingId);
  const clash = await q.executeTakeFirst();
  if (clash) throw new ValidationError([{ text: `The panel already meets on ${longDate(meetsOn)}`, href: '#meetsOn-day' }]);
}

export async function addMeeting(db: Db, panel: Panel, input: MeetingInput, today: string) {
  await checkMeetingDay(db, panel.id, input.meetsOn, today);
  const d = meetingDeadlines(input.meetsOn, { papersDays: panel.papers_days, cutOffDays: panel.cut_off_days });
  return db
    .insertInto('panel_meetings')
    .values({ panel_id: panel.id, meets_on: input.meetsOn, place: input.place, cut_off_on: d.cutOffOn, papers_due_on: d.papersDueOn })
    .returning(['id'])
    .executeTakeFirstOrThrow();
}

/** Schedules the next meetings of a monthly rule, skipping dates already booked and days that are not working days. */
export async function generateMeetings(db: Db, panel: Panel, rule: MonthlyRule, count: number, place: string | null, today: string) {
  const booked = new Set((await listMeetings(db, panel.id)).filter((m) => m.status !== 'cancelled').map((m) => m.meets_on));
  const added: string[] = [];
  const skipped: string[] = [];
  for (const p of nextMonthlyMeetings(today, rule, count)) {
    if (p.problem || booked.has(p.meetsOn)) {
      skipped.push(`${longDate(p.meetsOn)} (${p.problem ?? 'already booked'})`);
      continue;
    }
    await addMeeting(db, panel, { meetsOn: p.meetsOn, place }, today);
    added.push(p.meetsOn);
  }
  return { added, skipped };
}

export async function getMeeting(db: Db, id: string | undefined) {
  if (!isUuid(id)) throw new NotFoundError('meeting');
  const meeting = await db.selectFrom('panel_meetings').selectAll().where('id', '=', id).executeTakeFirst();
  if (!meeting) throw new NotFoundError('meeting');
  const panel = await getPanel(db, meeting.panel_id);
  return { meeting, panel };
}
export type Meeting = Awaited<ReturnType<typeof getMeeting>>['meeting'];

/** The meeting's administrator or an active member of its panel; anyone else is refused. */
export async function meetingForViewer(db: Db, id: string | undefined, viewer: Viewer) {
  const { meeting, panel } = await getMeeting(db, id);
  const administrator = panel.administrator_id === viewer.id;
  const member = await isActiveMember(db, panel.id, viewer.id);
  if (!administrator && !member) throw new ForbiddenError('not on this panel');
  return { meeting, panel, administrator, member, papersOpen: administrator || meeting.status === 'published' || meeting.status === 'held' };
}

export function requireAdministrator(panel: Panel, viewer: Viewer) {
  if (panel.administrator_id !== viewer.id) throw new ForbiddenError('only the panel’s administrator runs its meetings');
}

/** Raises the meeting's version if it is still the one the form was opened with: two editors never lose a change. */
async function claimMeeting(db: Db, id: string, expectedVersion: number, set: Record<string, unknown> = {}) {
  const res = await db
    .updateTable('panel_meetings')
    .set({ ...set, version: sql`version + 1` })
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new StaleVersionError();
}

function requireDraft(meeting: Meeting) {
  if (meeting.status !== 'planned') {
    const why = meeting.status === 'published' ? 'has been published to members' : meeting.status === 'held' ? 'has been held' : 'was cancelled';
    throw new ValidationError([{ text: `The agenda cannot change: the meeting ${why}`, href: '#agenda' }]);
  }
}

const statusWords = (meeting: Meeting) =>
  meeting.status === 'published' ? 'its papers have been published to members' : meeting.status === 'held' ? 'it has been held' : 'it was cancelled';

/**
 * Moves a meeting not yet published to another day or place. The cut-off and papers dates are
 * worked out again from the terms of reference. A new date follows the rules for adding one; a
 * meeting keeping its date (only the place changing) is not refused for that date having passed.
 */
export async function changeMeeting(db: Db, meetingId: string, expectedVersion: number, input: MeetingInput, today: string) {
  const { meeting, panel } = await getMeeting(db, meetingId);
  if (meeting.status !== 'planned') throw new ValidationError([{ text: `The date and place cannot change: ${statusWords(meeting)}`, href: '#meetsOn-day' }]);
  if (input.meetsOn !== meeting.meets_on) await checkMeetingDay(db, panel.id, input.meetsOn, today, meeting.id);
  const d = meetingDeadlines(input.meetsOn, { papersDays: panel.papers_days, cutOffDays: panel.cut_off_days });
  await claimMeeting(db, meetingId, expectedVersion, { meets_on: input.meetsOn, place: input.place, cut_off_on: d.cutOffOn, papers_due_on: d.papersDueOn });
  return { panelId: panel.id, from: meeting.meets_on, to: input.meetsOn, placeChanged: meeting.place !== input.place, placeGiven: input.place !== null };
}

export interface CancelOptions {
  reason: string;
  actorId: string;
  notifier: Notifier;
  baseUrl: string;
}

/**
 * Cancels a meeting that is planned or published. Its cases stay on record against it, and their
 * referrals (still 'to-panel') are again candidates for another meeting's agenda. If the papers had
 * gone out, every active member is told (the date and a link, no child's details, not the reason).
 */
export async function cancelMeeting(db: Db, meetingId: string, expectedVersion: number, opts: CancelOptions) {
  const { meeting, panel } = await getMeeting(db, meetingId);
  if (meeting.status === 'held') throw new ValidationError([{ text: 'The meeting cannot be cancelled: it has been held', href: '#reason' }]);
  if (meeting.status === 'cancelled') throw new ValidationError([{ text: 'The meeting is already cancelled', href: '#reason' }]);
  // Locks the meeting's cases: a decision being recorded now (panel-decisions locks its case first)
  // either commits before this reads the decisions, or waits and then finds the meeting cancelled.
  const cases = await db.selectFrom('panel_cases').select('id').where('meeting_id', '=', meetingId).forUpdate().execute();
  const decided = await db
    .selectFrom('panel_decisions')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('meeting_id', '=', meetingId)
    .executeTakeFirstOrThrow();
  const n = Number(decided.n);
  if (n > 0) {
    throw new ValidationError([
      {
        text: `The meeting cannot be cancelled: a decision has already been recorded at it (${n === 1 ? '1 case' : `${n} cases`}). Mark the meeting as held instead`,
        href: '#reason',
      },
    ]);
  }
  await claimMeeting(db, meetingId, expectedVersion, { status: 'cancelled', cancelled_at: new Date(), cancelled_by: opts.actorId, cancel_reason: opts.reason });
  const wasPublished = meeting.status === 'published';
  const members = wasPublished ? await listMembers(db, panel.id) : [];
  const link = `${opts.baseUrl.replace(/\/$/, '')}${paths.panels.meeting(meetingId)}`;
  for (const m of members) {
    await opts.notifier.send(db, {
      channel: 'email',
      to: m.email,
      subject: `${panel.name}: the meeting on ${longDate(meeting.meets_on)} is cancelled`,
      body: [
        `The ${panel.name} meeting on ${longDate(meeting.meets_on)}${meeting.place ? ` at ${meeting.place}` : ''} has been cancelled.`,
        'The papers sent for it are withdrawn. The cases on its agenda will go to a later meeting, with new papers.',
        `See the meeting in Jointly: ${link}`,
      ].join('\n\n'),
    });
  }
  return { panelId: panel.id, wasPublished, cases: cases.length, notified: members.length };
}

// ---------------------------------------------------------------- the agenda

interface ChildDetails {
  givenName?: string;
  familyName?: string;
  dateOfBirth?: string;
}
const parseDetails = (json: string): ChildDetails => {
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
};

/** A referral's child as the papers name them: from the register when attached, else as referred. */
const referralRows = (db: Db) =>
  db
    .selectFrom('referrals as r')
    .leftJoin('children as c', 'c.id', 'r.child_id')
    .select([
      'r.id',
      'r.reference',
      'r.child_id',
      'r.child_details',
      'r.help_needed',
      'r.reason',
      'r.sharing_basis',
      'r.consent_given_by',
      'r.lawful_basis',
      'r.received_on',
      'r.status',
      'c.given_name',
      'c.family_name',
      'c.date_of_birth',
    ]);
type ReferralRow = Awaited<ReturnType<ReturnType<typeof referralRows>['execute']>>[number];

const childOf = (r: ReferralRow) => {
  const d = parseDetails(r.child_details);
  const name = r.given_name ? `${r.given_name} ${r.family_name}` : [d.givenName, d.familyName].filter(Boolean).join(' ') || 'Name not given';
  return { childName: name, dateOfBirth: r.date_of_birth ?? d.dateOfBirth ?? null };
};

export async function agenda(db: Db, meetingId: string) {
  const cases = await db.selectFrom('panel_cases as pc').selectAll('pc').where('pc.meeting_id', '=', meetingId).orderBy('pc.position').execute();
  if (!cases.length) return [];
  const referrals = await referralRows(db)
    .where(
      'r.id',
      'in',
      cases.map((c) => c.referral_id),
    )
    .execute();
  // The decision on each case, once recorded (capabilities/panel-decisions).
  const decisions = await db.selectFrom('panel_decisions').select(['id', 'case_id', 'outcome']).where('meeting_id', '=', meetingId).execute();
  return cases.map((c) => {
    const r = referrals.find((x) => x.id === c.referral_id)!;
    const d = decisions.find((x) => x.case_id === c.id);
    return { ...c, reference: r.reference, childId: r.child_id, ...childOf(r), decision: d ? { id: d.id, outcome: d.outcome } : null };
  });
}

/** Referrals sent to panel that are not on an agenda still to be held. */
export async function candidates(db: Db) {
  const rows = await referralRows(db)
    .where('r.status', '=', 'to-panel')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('panel_cases as pc')
            .innerJoin('panel_meetings as m', 'm.id', 'pc.meeting_id')
            .select('pc.id')
            .whereRef('pc.referral_id', '=', 'r.id')
            .where('m.status', 'in', ['planned', 'published']),
        ),
      ),
    )
    .orderBy('r.received_on')
    .orderBy('r.reference')
    .execute();
  return rows.map((r) => ({ id: r.id, reference: r.reference, childId: r.child_id, receivedOn: r.received_on, ...childOf(r) }));
}

export async function addCase(db: Db, meetingId: string, expectedVersion: number, input: CaseInput, actorId: string, today: string) {
  const { meeting } = await getMeeting(db, meetingId);
  requireDraft(meeting);
  const available = await candidates(db);
  const referral = isUuid(input.referralId) ? available.find((c) => c.id === input.referralId) : undefined;
  if (!referral) {
    throw new ValidationError([
      {
        text: 'That referral cannot be added: it has not been sent to panel, or it is already on the agenda of a meeting still to be held',
        href: '#referralId',
      },
    ]);
  }
  const late = isLate(today, meeting.cut_off_on);
  if (late && !input.late) {
    throw new ValidationError([
      {
        text: `The cut-off for this meeting was ${longDate(meeting.cut_off_on)}. To add ${referral.reference} anyway, tick “Add as a late case”: it will be marked late on the agenda`,
        href: '#late',
      },
    ]);
  }
  await claimMeeting(db, meetingId, expectedVersion);
  const last = await db
    .selectFrom('panel_cases')
    .select(sql<number>`coalesce(max(position), 0)::int`.as('p'))
    .where('meeting_id', '=', meetingId)
    .executeTakeFirstOrThrow();
  const row = await db
    .insertInto('panel_cases')
    .values({ meeting_id: meetingId, referral_id: referral.id, position: Number(last.p) + 1, summary: input.summary, added_late: late, added_by: actorId })
    .returning(['id'])
    .executeTakeFirstOrThrow();
  return { caseId: row.id, reference: referral.reference, childId: referral.childId, late };
}

async function caseOn(db: Db, meetingId: string, caseId: string) {
  const c = isUuid(caseId)
    ? await db.selectFrom('panel_cases').selectAll().where('id', '=', caseId).where('meeting_id', '=', meetingId).executeTakeFirst()
    : undefined;
  if (!c) throw new ValidationError([{ text: 'That case is no longer on this agenda', href: '#agenda' }]);
  return c;
}

async function renumber(db: Db, meetingId: string, orderedIds: string[]) {
  // Two passes so the positions never clash mid-way (no unique index today, but cheap insurance).
  for (const [i, id] of orderedIds.entries())
    await db
      .updateTable('panel_cases')
      .set({ position: -(i + 1) })
      .where('id', '=', id)
      .execute();
  await db
    .updateTable('panel_cases')
    .set({ position: sql`-position` })
    .where('meeting_id', '=', meetingId)
    .execute();
}

export async function moveCase(db: Db, meetingId: string, expectedVersion: number, caseId: string, direction: 'up' | 'down') {
  const { meeting } = await getMeeting(db, meetingId);
  requireDraft(meeting);
  await caseOn(db, meetingId, caseId);
  await claimMeeting(db, meetingId, expectedVersion);
  const ids = (await db.selectFrom('panel_cases').select('id').where('meeting_id', '=', meetingId).orderBy('position').execute()).map((r) => r.id);
  const i = ids.indexOf(caseId);
  const j = direction === 'up' ? i - 1 : i + 1;
  if (j < 0 || j >= ids.length) return;
  [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  await renumber(db, meetingId, ids);
}

export async function removeCase(db: Db, meetingId: string, expectedVersion: number, caseId: string) {
  const { meeting } = await getMeeting(db, meetingId);
  requireDraft(meeting);
  const c = await caseOn(db, meetingId, caseId);
  await claimMeeting(db, meetingId, expectedVersion);
  await db.deleteFrom('panel_cases').where('id', '=', c.id).execute();
  const ids = (await db.selectFrom('panel_cases').select('id').where('meeting_id', '=', meetingId).orderBy('position').execute()).map((r) => r.id);
  await renumber(db, meetingId, ids);
  return c.referral_id;
}

/** A case on a draft agenda, for changing its summary. */
export async function caseForEditing(db: Db, meetingId: string, caseId: string | undefined) {
  const c = isUuid(caseId) ? (await agenda(db, meetingId)).find((x) => x.id === caseId) : undefined;
  if (!c) throw new NotFoundError('case');
  return c;
}

/** Rewrites a case's summary while the agenda is a draft, on the meeting's current version. */
export async function editSummary(db: Db, meetingId: string, expectedVersion: number, caseId: string, summary: string) {
  const { meeting } = await getMeeting(db, meetingId);
  requireDraft(meeting);
  const c = await caseOn(db, meetingId, caseId);
  await claimMeeting(db, meetingId, expectedVersion);
  await db.updateTable('panel_cases').set({ summary }).where('id', '=', c.id).execute();
  return { referralId: c.referral_id, changed: c.summary !== summary };
}

/** The warning the administrator reads before publishing late, and sees on the page after. */
export function lateWarning(meeting: Meeting, papersDays: number) {
  return `The papers were due to go to members by ${longDate(meeting.papers_due_on)}, at least ${papersDays} days before the meeting on ${longDate(meeting.meets_on)}. Published now, they are late and will be marked late.`;
}

export interface PublishOptions {
  today: string;
  confirmLate: boolean;
  actorId: string;
  notifier: Notifier;
  baseUrl: string;
}

/** Publishes the agenda and papers and tells every active member they are ready (no child's details in the message). */
export async function publish(db: Db, meetingId: string, expectedVersion: number, opts: PublishOptions) {
  const { meeting, panel } = await getMeeting(db, meetingId);
  requireDraft(meeting);
  const cases = await db.selectFrom('panel_cases').select('id').where('meeting_id', '=', meetingId).execute();
  if (!cases.length) throw new ValidationError([{ text: 'Add at least one case to the agenda before publishing it', href: '#referralId' }]);
  const late = isLate(opts.today, meeting.papers_due_on);
  if (late && !opts.confirmLate)
    throw new ValidationError([{ text: `${lateWarning(meeting, panel.papers_days)} Tick “Publish late” to publish them anyway`, href: '#confirmLate' }]);
  await claimMeeting(db, meetingId, expectedVersion, { status: 'published', published_at: new Date(), published_by: opts.actorId, published_late: late });
  const members = await listMembers(db, panel.id);
  const link = `${opts.baseUrl.replace(/\/$/, '')}${paths.panels.papers(meetingId)}`;
  for (const m of members) {
    await opts.notifier.send(db, {
      channel: 'email',
      to: m.email,
      subject: `${panel.name}: papers for ${longDate(meeting.meets_on)}`,
      body: [
        `The agenda and papers for the ${panel.name} meeting on ${longDate(meeting.meets_on)}${meeting.place ? ` at ${meeting.place}` : ''} are ready.`,
        late ? 'They are later than the panel’s terms of reference allow.' : '',
        `Read them in Jointly: ${link}`,
        'Sign in to read them; do not forward this message.',
      ]
        .filter(Boolean)
        .join('\n\n'),
    });
  }
  return { late, notified: members.length };
}

// ---------------------------------------------------------------- papers

/** The latest eligibility assessment of a referral, through the eligibility capability. */
async function latestEligibility(db: Db, referralId: string) {
  const latest = (await eligibilityOfReferral(db, referralId))[0];
  if (!latest) return null;
  return {
    ruleSet: `${latest.ruleSetName} (version ${latest.ruleSetVersion})`,
    met: latest.met,
    metCount: latest.metCount,
    required: latest.required,
    summary: latest.summary,
    conditions: latest.conditions.map((c) => ({ code: c.code, text: c.text, met: c.met, evidence: c.evidence ?? '' })),
  };
}

/** Each case with its referral, eligibility and summary, in agenda order. */
export async function papers(db: Db, meetingId: string) {
  const cases = await db.selectFrom('panel_cases').selectAll().where('meeting_id', '=', meetingId).orderBy('position').execute();
  const out = [];
  for (const c of cases) {
    const r = (await referralRows(db).where('r.id', '=', c.referral_id).executeTakeFirst())!;
    out.push({
      caseId: c.id,
      position: c.position,
      summary: c.summary,
      addedLate: c.added_late,
      reference: r.reference,
      childId: r.child_id,
      ...childOf(r),
      helpNeeded: r.help_needed,
      reason: r.reason,
      sharing: r.sharing_basis === 'consent' ? `Consent given by ${r.consent_given_by}` : `Lawful basis: ${r.lawful_basis}`,
      receivedOn: r.received_on,
      eligibility: await latestEligibility(db, r.id),
    });
  }
  return out;
}

// ---------------------------------------------------------------- attendance

/** Every active member with what was recorded for them at this meeting. */
export async function attendance(db: Db, meeting: Meeting) {
  const members = await listMembers(db, meeting.panel_id);
  const rows = await db.selectFrom('meeting_attendance').selectAll().where('meeting_id', '=', meeting.id).execute();
  return members.map((m) => {
    const a = rows.find((r) => r.user_id === m.user_id);
    return { ...m, present: a ? a.present : null, interests: a?.interests ?? null };
  });
}

export async function recordAttendance(db: Db, meetingId: string, expectedVersion: number, rows: AttendanceInput[], actorId: string) {
  const { meeting } = await getMeeting(db, meetingId);
  if (meeting.status !== 'published' && meeting.status !== 'held') {
    throw new ValidationError([{ text: 'Publish the agenda and papers before recording who attended', href: '#attendance' }]);
  }
  await claimMeeting(db, meetingId, expectedVersion);
  for (const r of rows) {
    await db
      .insertInto('meeting_attendance')
      .values({ meeting_id: meetingId, user_id: r.userId, present: r.present, interests: r.interests, recorded_by: actorId })
      .onConflict((oc) =>
        oc.columns(['meeting_id', 'user_id']).doUpdateSet({ present: r.present, interests: r.interests, recorded_by: actorId, recorded_at: new Date() }),
      )
      .execute();
  }
}

export async function markHeld(db: Db, meetingId: string, expectedVersion: number, today: string) {
  const { meeting } = await getMeeting(db, meetingId);
  if (meeting.status !== 'published')
    throw new ValidationError([
      {
        text: meeting.status === 'held' ? 'The meeting is already marked as held' : 'Publish the agenda and papers before marking the meeting held',
        href: '#held',
      },
    ]);
  if (today < meeting.meets_on)
    throw new ValidationError([{ text: `The meeting is on ${longDate(meeting.meets_on)}: it can be marked held on that day or later`, href: '#held' }]);
  const missing = (await attendance(db, meeting)).filter((m) => m.present === null);
  if (missing.length)
    throw new ValidationError([
      { text: `Record whether ${missing.map((m) => m.display_name).join(', ')} attended before marking the meeting held`, href: '#attendance' },
    ]);
  await claimMeeting(db, meetingId, expectedVersion, { status: 'held' });
}

/**
 * The members recorded present at a meeting: for the decisions capability's quorum and authority
 * checks. Only active members of the meeting's panel count.
 */
export async function presentMembers(db: Db, meetingId: string) {
  const rows = await db
    .selectFrom('meeting_attendance as a')
    .innerJoin('panel_meetings as mt', 'mt.id', 'a.meeting_id')
    .innerJoin('panel_members as pm', (j) => j.onRef('pm.panel_id', '=', 'mt.panel_id').onRef('pm.user_id', '=', 'a.user_id'))
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select(['a.user_id', 'u.display_name', 'o.type as organisation_type', 'pm.partner_id', 'pm.authority_pence', 'pm.role', 'a.interests'])
    .where('a.meeting_id', '=', meetingId)
    .where('a.present', '=', true)
    .where('pm.active', '=', true)
    .orderBy('u.display_name')
    .execute();
  return rows.map((r) => ({
    userId: r.user_id,
    displayName: r.display_name,
    organisationType: r.organisation_type,
    partnerId: r.partner_id,
    authorityPence: Number(r.authority_pence),
    role: r.role,
    interests: r.interests,
  }));
}
export type PresentMember = Awaited<ReturnType<typeof presentMembers>>[number];
