// A family's own pages (issue 15, ADR 0015): which children a family account may see, and the
// invitations staff send from a child's record. A family account sees a child only through a
// family member with parental responsibility it is tied to, checked again on every request, so
// a parent whose responsibility is removed from the record loses the child at once.
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { NotFoundError, ValidationError } from '../../../platform/http/errors.js';
import { isUuid } from '../../../platform/ids.js';
import type { SignedInContext } from '../../../platform/http/route.js';
import { createFamilyAccount, sendFamilyInvitation, type InviteDeps } from '../../administration/partnership/index.js';
import { childAccess, viewerOf } from '../../record/sharing/index.js';
import { longDate, todayInLondon } from '../../../platform/dates.js';
import {
  addMonths,
  aboutMeDue,
  aboutMeDueOn,
  consentReviewShown,
  decisionShown,
  mayHaveOwnAccount,
  meetingShown,
  YOUNG_PERSON_OWN_ACCOUNT_AGE,
} from './rules.js';
import type { WorkItem, WorklistContext, WorklistContributor } from '../../../platform/worklist.js';
import { paths } from '../../../paths.js';
import { addDays } from '../../../platform/financial-year.js';
import { CONSENT_REVIEW_NOTICE_DAYS, DECISION_NEWS_DAYS, MEETING_NOTICE_DAYS } from './rules.js';

/**
 * The children a family account may see, oldest first: a parent's or carer's, the children of their
 * family while they have parental responsibility; a young person's own account, themselves, from
 * their 16th birthday (checked on every request, like parental responsibility).
 */
export async function linkedChildren(db: Db, userId: string, today = todayInLondon()) {
  // Two indexed reads, one for each kind of link (an OR in one join would read every child).
  const columns = ['c.id', 'c.given_name', 'c.family_name', 'c.preferred_name', 'c.date_of_birth'] as const;
  const rows = await db
    .selectFrom('family_accounts as a')
    .innerJoin('family_members as m', 'm.id', 'a.family_member_id')
    .innerJoin('children as c', 'c.family_id', 'm.family_id')
    .select([...columns, sql<string | null>`m.full_name`.as('member_name'), sql<boolean>`false`.as('own')])
    .where('a.user_id', '=', userId)
    // Approved by a second person (migration 0032): an account nobody approved opens nothing.
    .where('a.approved_at', 'is not', null)
    .where('m.parental_responsibility', '=', true)
    .where('c.status', '=', 'active')
    .unionAll(
      db
        .selectFrom('family_accounts as a')
        .innerJoin('children as c', 'c.id', 'a.child_id')
        .select([...columns, sql<string | null>`null`.as('member_name'), sql<boolean>`true`.as('own')])
        .where('a.user_id', '=', userId)
        .where('a.approved_at', 'is not', null)
        .where('c.status', '=', 'active'),
    )
    .orderBy('date_of_birth')
    .execute();
  return rows.filter((r) => !r.own || mayHaveOwnAccount(r.date_of_birth, today)).map(({ own, ...c }) => ({ ...c, ownAccount: own }));
}

/**
 * The child, when this family account may see it; "not found" otherwise, as for staff. The
 * read is the child's: it is audited against them, so it appears in "who has looked".
 */
export async function requireFamilyChild(ctx: SignedInContext, childId: string | undefined) {
  if (!isUuid(childId)) throw new NotFoundError('child');
  const child = (await linkedChildren(ctx.db, ctx.user.id)).find((c) => c.id === childId);
  if (!child) throw new NotFoundError('child');
  Object.assign(ctx.audit, { subjectType: 'child', subjectId: childId, purpose: 'The family looked at their own record' });
  return child;
}

/** What the family sees of the child's record: the core details, the newest "about me" and who works with them. */
export async function familyRecord(db: Db, childId: string, today: string) {
  const { rows } = await sql<{
    child: { given_name: string; family_name: string; preferred_name: string | null; date_of_birth: string; primary_need: string | null };
    about_me: { what_matters: string | null; what_works: string | null; communication: string | null; version: number; recorded_at: string } | null;
    working: { organisation: string; service: string; started_on: string; practitioner: string | null }[];
    key_worker: { name: string; organisation: string; email: string } | null;
  }>`
    select
      (select row_to_json(x) from (select c.given_name, c.family_name, c.preferred_name, c.date_of_birth, c.primary_need
                                   from children c where c.id = ${childId}) x) as child,
      (select row_to_json(x) from (select a.what_matters, a.what_works, a.communication, a.version, a.recorded_at
                                   from about_me_versions a where a.child_id = ${childId} order by a.version desc limit 1) x) as about_me,
      coalesce((select json_agg(json_build_object('organisation', o.name, 'service', i.service, 'started_on', i.started_on,
                                                  'practitioner', i.practitioner_name) order by i.started_on)
                from involvements i join organisations o on o.id = i.organisation_id
                where i.child_id = ${childId} and i.started_on <= ${today}::date and (i.ended_on is null or i.ended_on >= ${today}::date)), '[]'::json) as working,
      (select json_build_object('name', u.display_name, 'organisation', o.name, 'email', u.email)
       from key_workers k join users u on u.id = k.user_id join organisations o on o.id = u.organisation_id
       where k.child_id = ${childId} and u.active) as key_worker`.execute(db);
  return rows[0]!;
}

/** The child's family members with parental responsibility, and whether each has an account yet. */
export async function accountsOfFamily(db: Db, childId: string) {
  return db
    .selectFrom('children as c')
    .innerJoin('family_members as m', 'm.family_id', 'c.family_id')
    .leftJoin('family_accounts as a', 'a.family_member_id', 'm.id')
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .select([
      'm.id',
      'm.full_name',
      'm.relationship',
      'm.email',
      'a.invited_at',
      'a.invited_by',
      'a.approved_at',
      'a.user_id',
      'u.email as account_email',
      'u.active',
      'u.password_hash',
    ])
    .where('c.id', '=', childId)
    .where('m.parental_responsibility', '=', true)
    .orderBy('m.full_name')
    .execute();
}

/**
 * Invites a family member with parental responsibility to their own account, tied to them on
 * the record. Only someone on this child's record, with an e-mail address and no account yet.
 */
export async function inviteFamilyMember(db: Db, childId: string, memberId: string, invitedBy: string) {
  const member = (await accountsOfFamily(db, childId)).find((m) => m.id === memberId);
  if (!member) throw new ValidationError([{ text: 'Choose a parent or carer with parental responsibility from the list', href: '#main-content' }]);
  if (member.invited_at) throw new ValidationError([{ text: `${member.full_name} already has an account`, href: '#main-content' }]);
  if (!member.email) {
    throw new ValidationError([
      { text: `Add an e-mail address for ${member.full_name} on the family page first: the invitation is sent by e-mail`, href: '#main-content' },
    ]);
  }
  const user = await createFamilyAccount(db, { displayName: member.full_name, email: member.email });
  await db.insertInto('family_accounts').values({ user_id: user.id, family_member_id: member.id, invited_by: invitedBy }).execute();
  return { userId: user.id, name: member.full_name };
}

/** The young person's own account, if they have one, and whether they may have one today. */
export async function youngPersonAccount(db: Db, childId: string, today = todayInLondon()) {
  const child = await db
    .selectFrom('children as c')
    .leftJoin('family_accounts as a', 'a.child_id', 'c.id')
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .select([
      'c.id',
      'c.given_name',
      'c.family_name',
      'c.preferred_name',
      'c.date_of_birth',
      'a.invited_at',
      'a.invited_by',
      'a.approved_at',
      'a.user_id',
      'u.email',
      'u.active',
      'u.password_hash',
    ])
    .where('c.id', '=', childId)
    .executeTakeFirstOrThrow();
  return {
    ...child,
    mayHaveAccount: mayHaveOwnAccount(child.date_of_birth, today),
    /** The day they turn 16. */
    ownAccountFrom: addMonths(child.date_of_birth, 12 * YOUNG_PERSON_OWN_ACCOUNT_AGE),
  };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Invites a young person aged 16 or over to their own account, tied to their own record. The
 * children table holds no e-mail address: the caseworker gives it now, checked with the young
 * person. Refused before their 16th birthday, and when they already have an account.
 */
export async function inviteYoungPerson(db: Db, childId: string, emailGiven: string, invitedBy: string, today = todayInLondon()) {
  const yp = await youngPersonAccount(db, childId, today);
  const name = `${yp.preferred_name ?? yp.given_name} ${yp.family_name}`;
  if (!yp.mayHaveAccount) {
    throw new ValidationError([
      { text: `${name} can have their own account from their 16th birthday, ${longDate(yp.ownAccountFrom)}`, href: '#youngPersonEmail' },
    ]);
  }
  if (yp.invited_at) throw new ValidationError([{ text: `${name} already has their own account`, href: '#youngPersonEmail' }]);
  const email = emailGiven.trim();
  if (!email) throw new ValidationError([{ text: `Enter ${name}'s own e-mail address: the invitation is sent by e-mail`, href: '#youngPersonEmail' }]);
  if (email.length > 254 || !EMAIL.test(email)) {
    throw new ValidationError([{ text: 'Enter an e-mail address in the correct format, like name@example.com', href: '#youngPersonEmail' }]);
  }
  const user = await createFamilyAccount(db, { displayName: `${yp.given_name} ${yp.family_name}`, email });
  await db.insertInto('family_accounts').values({ user_id: user.id, child_id: childId, invited_by: invitedBy }).execute();
  return { userId: user.id, name };
}

export const APPROVE_OWN_REFUSED =
  'You asked for this account, so someone else must check the e-mail address with the family and approve it. Nobody gives a family account alone';

/**
 * The second person's check (migration 0032): an account asked for on this child's record (a
 * parent's or the young person's own), not yet approved, and not asked for by the approver. Only
 * then is the invitation sent. The database refuses an approval by the person who asked, too.
 */
export async function approveFamilyAccount(db: Db, deps: InviteDeps, childId: string, userId: string, approverId: string) {
  const pending = [
    ...(await accountsOfFamily(db, childId)).filter((m) => m.user_id !== null).map((m) => ({ ...m, name: m.full_name })),
    ...[await youngPersonAccount(db, childId)]
      .filter((y) => y.user_id !== null)
      .map((y) => ({ ...y, name: `${y.preferred_name ?? y.given_name} ${y.family_name}` })),
  ].find((a) => a.user_id === userId);
  if (!pending) throw new ValidationError([{ text: 'Choose an account waiting for approval from the list', href: '#main-content' }]);
  if (pending.approved_at)
    throw new ValidationError([{ text: `${pending.name}’s account is already approved and the invitation sent`, href: '#main-content' }]);
  if (pending.invited_by === approverId) throw new ValidationError([{ text: APPROVE_OWN_REFUSED, href: '#main-content' }]);
  await db
    .updateTable('family_accounts')
    .set({ approved_by: approverId, approved_at: sql`now()` })
    .where('user_id', '=', userId)
    .execute();
  await sendFamilyInvitation(db, deps, userId);
  return { name: pending.name };
}

const nameOf = (c: { given_name: string; preferred_name: string | null }) => c.preferred_name ?? c.given_name;

/**
 * What is the family's to do, for each child they may see: "about me" not checked for 12 months
 * (or never written), a consent coming up for review, a panel decision made in the last 4 weeks,
 * a panel meeting about the child in the next 4 weeks. One query for all their children.
 */
export async function familyWork(db: Db, userId: string, today: string): Promise<WorkItem[]> {
  const children = await linkedChildren(db, userId, today);
  if (!children.length) return [];
  const ids = children.map((c) => c.id);
  const { rows } = await sql<{ child_id: string; kind: 'about-me' | 'consent' | 'decision' | 'meeting'; day: string | null }>`
    select c.id as child_id, 'about-me' as kind,
           (select to_char(max(a.recorded_at at time zone 'Europe/London'), 'YYYY-MM-DD') from about_me_versions a where a.child_id = c.id) as day
      from children c where c.id in (${sql.join(ids)})
    union all
    select k.child_id, 'consent', to_char(min(k.review_on), 'YYYY-MM-DD')
      from consents k
     where k.child_id in (${sql.join(ids)}) and k.withdrawn_at is null and k.approval = 'approved'
       and k.review_on <= ${addDays(today, CONSENT_REVIEW_NOTICE_DAYS)}::date
     group by k.child_id
    union all
    select distinct r.child_id, 'decision', to_char(d.decided_on, 'YYYY-MM-DD')
      from panel_decisions d join referrals r on r.id = d.referral_id
     where r.child_id in (${sql.join(ids)}) and d.decided_on between ${addDays(today, -DECISION_NEWS_DAYS)}::date and ${today}::date
    union all
    select distinct r.child_id, 'meeting', to_char(m.meets_on, 'YYYY-MM-DD')
      from panel_cases pc join referrals r on r.id = pc.referral_id join panel_meetings m on m.id = pc.meeting_id
     where r.child_id in (${sql.join(ids)}) and m.status in ('planned', 'published')
       and m.meets_on between ${today}::date and ${addDays(today, MEETING_NOTICE_DAYS)}::date
       and not exists (select 1 from panel_decisions d where d.case_id = pc.id)`.execute(db);
  const byId = new Map(children.map((c) => [c.id, c]));
  const items: WorkItem[] = [];
  for (const r of rows) {
    const child = byId.get(r.child_id)!;
    const name = nameOf(child);
    const own = child.ownAccount;
    const page = paths.myFamily.child(r.child_id);
    // The rules decide; the query only narrows what is read.
    if (r.kind === 'about-me' && aboutMeDue(r.day, today)) {
      items.push({
        text: own ? 'Check what “about me” says about you' : `Check what “about me” says about ${name}`,
        href: paths.myFamily.aboutMe(r.child_id),
        count: 1,
        dueOn: r.day ? aboutMeDueOn(r.day) : today,
        dueLabel: 'To check from',
        note: r.day ? `Last written ${longDate(r.day)}. Change anything that is not right any more.` : 'Nothing is written yet. You can write it.',
        children: [r.child_id],
      });
    } else if (r.kind === 'consent' && r.day && consentReviewShown(r.day, today)) {
      items.push({
        text: own ? 'Check who can see your record' : `Check who can see ${name}’s record`,
        href: `${page}#who-can-see`,
        count: 1,
        dueOn: r.day,
        dueLabel: 'Review due',
        note: 'A consent to share is due for review. Tell your key worker if anything has changed.',
        children: [r.child_id],
      });
    } else if (r.kind === 'decision' && r.day && decisionShown(r.day, today)) {
      items.push({
        text: own ? 'Read what the panel decided for you' : `Read what the panel decided for ${name}`,
        href: `${page}#asking-for-help`,
        count: 1,
        dueOn: r.day,
        dueLabel: 'Decided on',
        children: [r.child_id],
      });
    } else if (r.kind === 'meeting' && r.day && meetingShown(r.day, today)) {
      items.push({
        text: own ? 'The panel will talk about your request for help' : `The panel will talk about ${name}’s request for help`,
        href: `${page}#asking-for-help`,
        count: 1,
        dueOn: r.day,
        dueLabel: 'Meeting on',
        note: 'Tell your key worker anything the panel should know before then.',
        children: [r.child_id],
      });
    }
  }
  return items.sort((a, b) => (a.dueOn ?? '').localeCompare(b.dueOn ?? '') || a.text.localeCompare(b.text, 'en-GB'));
}

/** The family's own work (issue 15): home sends a family account to its own pages, which show it at the top. */
export const familyWorklist: WorklistContributor = {
  name: 'Your family',
  permissions: ['family:view'],
  items: (ctx: WorklistContext) => familyWork(ctx.db, ctx.user.id, ctx.today),
};

/**
 * Family accounts someone else asked for, waiting for a second person (migration 0032): for staff
 * who may change records, on children whose family section they may see, so the link opens.
 * Few are ever waiting, so the sharing rule is asked per child.
 */
export const familyAccountsToApprove: WorklistContributor = {
  name: 'Family accounts',
  permissions: ['children:edit'],
  async items(ctx: WorklistContext): Promise<WorkItem[]> {
    const { rows } = await sql<{ child_id: string; given_name: string; preferred_name: string | null; family_name: string; asked_on: string }>`
      select c.id as child_id, c.given_name, c.preferred_name, c.family_name, to_char(min(a.invited_at at time zone 'Europe/London'), 'YYYY-MM-DD') as asked_on
        from family_accounts a
        left join family_members m on m.id = a.family_member_id
        join children c on c.id = a.child_id or (a.child_id is null and c.family_id = m.family_id and m.parental_responsibility)
       where a.approved_at is null and a.invited_by <> ${ctx.user.id} and c.status = 'active'
       group by c.id, c.given_name, c.preferred_name, c.family_name
       order by asked_on, c.family_name, c.id
       limit 20`.execute(ctx.db);
    const viewer = viewerOf(ctx.user);
    const items: WorkItem[] = [];
    for (const r of rows) {
      const access = await childAccess(ctx.db, viewer, r.child_id);
      if (!access.visible || !access.sections.has('family')) continue;
      items.push({
        text: `Check and approve a family account for ${r.preferred_name?.trim() || r.given_name} ${r.family_name}`,
        href: paths.children.familyAccounts(r.child_id),
        count: 1,
        dueOn: r.asked_on,
        dueLabel: 'Asked for on',
        children: [r.child_id],
      });
    }
    return items;
  },
};
