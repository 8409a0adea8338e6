// Parents and carers of a child's family, and the child's brothers and sisters on the register.
// A sibling appears only when the person may see that sibling's record too; otherwise nothing
// about them is shown, not even that they exist.
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { NotFoundError, StaleVersionError } from '../../../platform/http/errors.js';
import { visibleChild } from '../sharing/index.js';
import type { Viewer } from '../sharing/index.js';
import type { FamilyMemberForm } from './schema.js';

export const listMembers = (db: Db, familyId: string) =>
  db
    .selectFrom('family_members')
    .selectAll()
    .where('family_id', '=', familyId)
    .orderBy('parental_responsibility', 'desc')
    .orderBy('full_name')
    .orderBy('id')
    .execute();

/** Other children of the same family whom this person may also see. */
export const visibleSiblings = (db: Db, viewer: Viewer, familyId: string, childId: string) =>
  db
    .selectFrom('children as c')
    .select(['c.id', 'c.given_name', 'c.family_name', 'c.preferred_name', 'c.date_of_birth'])
    .where('c.family_id', '=', familyId)
    .where('c.id', '!=', childId)
    .where(visibleChild(viewer, 'c'))
    .orderBy('c.date_of_birth')
    .execute();

export async function getMember(db: Db, familyId: string, memberId: string) {
  if (!/^[0-9a-f-]{36}$/.test(memberId)) throw new NotFoundError('family member');
  const m = await db.selectFrom('family_members').selectAll().where('id', '=', memberId).where('family_id', '=', familyId).executeTakeFirst();
  if (!m) throw new NotFoundError('family member');
  return m;
}

const columns = (f: FamilyMemberForm) => ({
  full_name: f.fullName,
  relationship: f.relationship,
  parental_responsibility: f.parentalResponsibility,
  phone: f.phone,
  email: f.email,
  address: f.address,
  preferred_contact: f.preferredContact,
  language: f.language,
  needs_interpreter: f.needsInterpreter,
  consents_to_email: f.consentsToEmail,
  consents_to_sms: f.consentsToSms,
});

/** A new family, to which the child registered with it and their parents and carers belong. */
export const createFamily = (db: Db) => db.insertInto('families').defaultValues().returning('id').executeTakeFirstOrThrow();

/** The first parent or carer, as registering a child records them. */
export interface FirstParent {
  fullName: string;
  relationship: string;
  parentalResponsibility: boolean;
  phone: string | null;
  email: string | null;
  preferredContact: 'email' | 'sms' | 'phone' | 'letter' | null;
  language: string | null;
  needsInterpreter: boolean;
  consentsToEmail: boolean;
  consentsToSms: boolean;
}

export const addFirstParent = (db: Db, familyId: string, p: FirstParent) =>
  db
    .insertInto('family_members')
    .values({
      family_id: familyId,
      full_name: p.fullName,
      relationship: p.relationship,
      parental_responsibility: p.parentalResponsibility,
      phone: p.phone,
      email: p.email,
      preferred_contact: p.preferredContact,
      language: p.language,
      needs_interpreter: p.needsInterpreter,
      consents_to_email: p.consentsToEmail,
      consents_to_sms: p.consentsToSms,
    })
    .returning('id')
    .executeTakeFirstOrThrow();

export const addMember = (db: Db, familyId: string, form: FamilyMemberForm) =>
  db
    .insertInto('family_members')
    .values({ family_id: familyId, ...columns(form) })
    .returning('id')
    .executeTakeFirstOrThrow();

export async function updateMember(db: Db, familyId: string, memberId: string, form: FamilyMemberForm, version: number) {
  const res = await db
    .updateTable('family_members')
    .set({ ...columns(form), version: sql`version + 1` })
    .where('id', '=', memberId)
    .where('family_id', '=', familyId)
    .where('version', '=', version)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) {
    await getMember(db, familyId, memberId);
    throw new StaleVersionError();
  }
}

// Merging and undoing a merge, as linkage's matching review runs it.
export { moveFamilyMembers, restoreFamilyMembers } from './merging.js';
