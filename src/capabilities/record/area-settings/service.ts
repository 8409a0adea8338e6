// Reading and changing the area's register settings. Criteria are never deleted: children's
// assessments refer to them. Children keep the locality they were given until their record is
// next saved, when it is worked out again from their postcode.
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { NotFoundError, StaleVersionError, ValidationError } from '../../../platform/http/errors.js';
import { isUuid } from '../../../platform/ids.js';

export async function listLocalities(db: Db) {
  const localities = await db.selectFrom('localities').select(['id', 'code', 'name']).orderBy('name').orderBy('code').execute();
  const prefixes = await db.selectFrom('locality_postcodes').select(['prefix', 'locality_id']).orderBy('prefix').execute();
  return localities.map((l) => ({ ...l, prefixes: prefixes.filter((p) => p.locality_id === l.id).map((p) => p.prefix) }));
}

export async function getLocality(db: Db, id: string) {
  if (!isUuid(id)) throw new NotFoundError('locality');
  const locality = await db.selectFrom('localities').select(['id', 'code', 'name']).where('id', '=', id).executeTakeFirst();
  if (!locality) throw new NotFoundError('locality');
  const prefixes = await db.selectFrom('locality_postcodes').select('prefix').where('locality_id', '=', id).orderBy('prefix').execute();
  return { ...locality, prefixes: prefixes.map((p) => p.prefix) };
}

export async function createLocality(db: Db, input: { code: string; name: string }) {
  const clash = await db.selectFrom('localities').select('name').where('code', '=', input.code).executeTakeFirst();
  if (clash) throw new ValidationError([{ text: `The locality ${clash.name} already uses the code ${input.code}. Choose a different code`, href: '#code' }]);
  return db.insertInto('localities').values(input).returning(['id']).executeTakeFirstOrThrow();
}

export async function addPrefix(db: Db, localityId: string, prefix: string) {
  await getLocality(db, localityId);
  const clash = await db
    .selectFrom('locality_postcodes as p')
    .innerJoin('localities as l', 'l.id', 'p.locality_id')
    .select(['l.id', 'l.name'])
    .where('p.prefix', '=', prefix)
    .executeTakeFirst();
  if (clash) {
    const text =
      clash.id === localityId ? `${prefix} is already in this locality` : `${prefix} is already in the locality ${clash.name}. Remove it there first`;
    throw new ValidationError([{ text, href: '#prefix' }]);
  }
  await db.insertInto('locality_postcodes').values({ prefix, locality_id: localityId }).execute();
}

export async function removePrefix(db: Db, localityId: string, prefix: string) {
  await getLocality(db, localityId);
  const res = await db.deleteFrom('locality_postcodes').where('prefix', '=', prefix).where('locality_id', '=', localityId).executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new ValidationError([{ text: `${prefix} is not in this locality`, href: '#prefix' }]);
}

export const listCriteria = (db: Db) =>
  db
    .selectFrom('disability_criteria as c')
    .select(['c.id', 'c.code', 'c.description', 'c.active', sql<number>`(select count(*) from child_criteria cc where cc.criterion_id = c.id)`.as('children')])
    .orderBy('c.position')
    .orderBy('c.code')
    .execute();

export async function getCriterion(db: Db, id: string) {
  if (!isUuid(id)) throw new NotFoundError('criterion');
  const criterion = await db.selectFrom('disability_criteria').select(['id', 'code', 'description', 'active']).where('id', '=', id).executeTakeFirst();
  if (!criterion) throw new NotFoundError('criterion');
  return criterion;
}

export async function createCriterion(db: Db, input: { code: string; description: string }) {
  const clash = await db.selectFrom('disability_criteria').select('id').where('code', '=', input.code).executeTakeFirst();
  if (clash) throw new ValidationError([{ text: `Another criterion already uses the code ${input.code}. Choose a different code`, href: '#code' }]);
  const last = await db
    .selectFrom('disability_criteria')
    .select(sql<number>`coalesce(max(position), 0)`.as('p'))
    .executeTakeFirstOrThrow();
  return db
    .insertInto('disability_criteria')
    .values({ ...input, position: Number(last.p) + 1 })
    .returning(['id'])
    .executeTakeFirstOrThrow();
}

/** Changes the description only if nobody else changed it since the form was opened. */
export async function updateCriterion(db: Db, id: string, input: { description: string; previous: string }) {
  await getCriterion(db, id);
  const res = await db
    .updateTable('disability_criteria')
    .set({ description: input.description })
    .where('id', '=', id)
    .where('description', '=', input.previous)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new StaleVersionError();
}

export async function setCriterionActive(db: Db, id: string, active: boolean) {
  await getCriterion(db, id);
  await db.updateTable('disability_criteria').set({ active }).where('id', '=', id).execute();
}

export interface AreaContact {
  team: string;
  telephone: string;
  email: string;
  address: string;
  openingHours: string;
  version: number;
}

/** The area's contact details for families, or null when the area has not set them yet. */
export async function areaContact(db: Db): Promise<AreaContact | null> {
  const row = await db
    .selectFrom('area_contact')
    .select(['team', 'telephone', 'email', 'address', 'opening_hours as openingHours', 'version'])
    .executeTakeFirst();
  return row ?? null;
}

/** Sets the contact details; `version` is the one the form was opened at (0 when there were none). */
export async function setAreaContact(db: Db, userId: string | null, input: Omit<AreaContact, 'version'>, version: number): Promise<void> {
  const values = { team: input.team, telephone: input.telephone, email: input.email, address: input.address, opening_hours: input.openingHours };
  if (version === 0) {
    const made = await db
      .insertInto('area_contact')
      .values({ ...values, updated_by: userId })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    // Someone set them since this form was opened with none.
    if (!made) throw new StaleVersionError();
    return;
  }
  const res = await db
    .updateTable('area_contact')
    .set({ ...values, updated_by: userId, updated_at: sql`now()`, version: sql`version + 1` })
    .where('version', '=', version)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new StaleVersionError();
}
