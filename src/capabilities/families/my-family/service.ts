// A family's own pages (issue 15, ADR 0015): which children a family account may see, and the
// invitations staff send from a child's record. A family account sees a child only through a
// family member with parental responsibility it is tied to, checked again on every request, so
// a parent whose responsibility is removed from the record loses the child at once.
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { NotFoundError, ValidationError } from '../../../platform/http/errors.js';
import { isUuid } from '../../../platform/ids.js';
import type { SignedInContext } from '../../../platform/http/route.js';
import { createFamilyAccount, type InviteDeps } from '../../administration/partnership/index.js';

/** The children a family account may see, oldest first. */
export const linkedChildren = (db: Db, userId: string) =>
  db
    .selectFrom('family_accounts as a')
    .innerJoin('family_members as m', 'm.id', 'a.family_member_id')
    .innerJoin('children as c', 'c.family_id', 'm.family_id')
    .select(['c.id', 'c.given_name', 'c.family_name', 'c.preferred_name', 'c.date_of_birth', 'm.full_name as member_name'])
    .where('a.user_id', '=', userId)
    .where('m.parental_responsibility', '=', true)
    .where('c.status', '=', 'active')
    .orderBy('c.date_of_birth')
    .execute();

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
    .select(['m.id', 'm.full_name', 'm.relationship', 'm.email', 'a.invited_at', 'u.active', 'u.password_hash'])
    .where('c.id', '=', childId)
    .where('m.parental_responsibility', '=', true)
    .orderBy('m.full_name')
    .execute();
}

/**
 * Invites a family member with parental responsibility to their own account, tied to them on
 * the record. Only someone on this child's record, with an e-mail address and no account yet.
 */
export async function inviteFamilyMember(db: Db, deps: InviteDeps, childId: string, memberId: string, invitedBy: string) {
  const member = (await accountsOfFamily(db, childId)).find((m) => m.id === memberId);
  if (!member) throw new ValidationError([{ text: 'Choose a parent or carer with parental responsibility from the list', href: '#main-content' }]);
  if (member.invited_at) throw new ValidationError([{ text: `${member.full_name} already has an account`, href: '#main-content' }]);
  if (!member.email) {
    throw new ValidationError([
      { text: `Add an e-mail address for ${member.full_name} on the family page first: the invitation is sent by e-mail`, href: '#main-content' },
    ]);
  }
  const user = await createFamilyAccount(db, deps, { displayName: member.full_name, email: member.email });
  await db.insertInto('family_accounts').values({ user_id: user.id, family_member_id: member.id, invited_by: invitedBy }).execute();
  return { userId: user.id, name: member.full_name };
}
