// Involvements (which organisation and service works with a child) and the key worker. Each
// start, end and change of key worker also writes a chronology event, in the same transaction.
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { NotFoundError, StaleVersionError, ValidationError } from '../../../platform/http/errors.js';
import { todayInLondon } from '../../../platform/dates.js';
import { CASEWORK_ROLES } from '../sharing/index.js';
import { recordChronologyEvent } from '../tell-it-once/index.js';
import type { InvolvementForm, KeyWorkerForm } from './schema.js';

interface Actor {
  id: string;
  organisationId: string;
}

export const listInvolvements = (db: Db, childId: string) =>
  db
    .selectFrom('involvements as i')
    .innerJoin('organisations as o', 'o.id', 'i.organisation_id')
    .leftJoin('users as p', 'p.id', 'i.practitioner_user_id')
    .select([
      'i.id',
      'i.organisation_id',
      'i.service',
      'i.provides',
      'i.started_on',
      'i.ended_on',
      'i.practitioner_name',
      'i.cost_pence',
      'i.cost_period',
      'i.version',
      'o.name as organisation_name',
      'o.type as organisation_type',
      'p.display_name as practitioner_display_name',
    ])
    .where('i.child_id', '=', childId)
    .orderBy('i.started_on', 'desc')
    .orderBy('i.created_at', 'desc')
    .execute();

export async function getInvolvement(db: Db, childId: string, involvementId: string) {
  if (!/^[0-9a-f-]{36}$/.test(involvementId)) throw new NotFoundError('involvement');
  const row = (await listInvolvements(db, childId)).find((i) => i.id === involvementId);
  if (!row) throw new NotFoundError('involvement');
  return row;
}

export const activeOrganisations = (db: Db) =>
  db.selectFrom('organisations').select(['id', 'name', 'type']).where('active', '=', true).orderBy('name').execute();

/** Staff who work with children (casework roles), for naming a practitioner. */
export const caseworkStaff = (db: Db) =>
  db
    .selectFrom('users as u')
    .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select(['u.id', 'u.display_name', 'u.organisation_id', 'o.name as organisation_name'])
    .where('u.active', '=', true)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('user_roles as r')
          .select('r.user_id')
          .whereRef('r.user_id', '=', 'u.id')
          .where('r.role', 'in', [...CASEWORK_ROLES]),
      ),
    )
    .orderBy('o.name')
    .orderBy('u.display_name')
    .execute();

/**
 * An organisation's involvement starting on a day, with nothing more known yet: the registering
 * organisation's when it registers a child, or an agency's when its extract names the child.
 */
export const startInvolvement = (db: Db, i: { childId: string; organisationId: string; service: string; startedOn: string; createdBy: string | null }) =>
  db
    .insertInto('involvements')
    .values({ child_id: i.childId, organisation_id: i.organisationId, service: i.service, started_on: i.startedOn, created_by: i.createdBy })
    .returning('id')
    .executeTakeFirstOrThrow();

export async function addInvolvement(db: Db, childId: string, form: InvolvementForm, by: Actor) {
  const org = await db.selectFrom('organisations').select(['id', 'name', 'active']).where('id', '=', form.organisationId).executeTakeFirst();
  if (!org?.active) throw new ValidationError([{ text: 'Select the organisation', href: '#organisationId' }]);
  if (form.practitionerUserId) {
    const p = await db.selectFrom('users').select(['organisation_id', 'active']).where('id', '=', form.practitionerUserId).executeTakeFirst();
    if (!p?.active) throw new ValidationError([{ text: 'Choose a practitioner from the list', href: '#practitionerUserId' }]);
    if (p.organisation_id !== org.id) {
      throw new ValidationError([{ text: `Choose a practitioner who works for ${org.name}, or type their name instead`, href: '#practitionerUserId' }]);
    }
  }
  const today = todayInLondon();
  const open = await db
    .selectFrom('involvements')
    .select('id')
    .where('child_id', '=', childId)
    .where('organisation_id', '=', org.id)
    .where(sql<boolean>`lower(service) = lower(${form.service})`)
    .where((eb) => eb.or([eb('ended_on', 'is', null), eb('ended_on', '>=', today)]))
    .executeTakeFirst();
  if (open) {
    throw new ValidationError([
      { text: `${org.name} already has an open involvement for this service. End it first, or name the service differently`, href: '#service' },
    ]);
  }
  const row = await db
    .insertInto('involvements')
    .values({
      child_id: childId,
      organisation_id: org.id,
      service: form.service,
      provides: form.provides,
      started_on: form.startedOn,
      practitioner_user_id: form.practitionerUserId,
      practitioner_name: form.practitionerName,
      cost_pence: form.costPence,
      cost_period: form.costPeriod,
      created_by: by.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await recordChronologyEvent(db, {
    childId,
    organisationId: org.id,
    occurredOn: form.startedOn,
    section: 'core',
    title: `Involvement started: ${form.service}`,
    detail: form.provides ? `${org.name}. ${form.provides}` : org.name,
    recordedBy: by.id,
  });
  return row;
}

export async function endInvolvement(db: Db, childId: string, involvementId: string, endedOn: string, version: number, by: Actor) {
  const inv = await getInvolvement(db, childId, involvementId);
  if (inv.ended_on !== null) throw new ValidationError([{ text: 'This involvement has already ended', href: '#main-content' }]);
  const res = await db
    .updateTable('involvements')
    .set({ ended_on: endedOn, version: sql`version + 1` })
    .where('id', '=', involvementId)
    .where('child_id', '=', childId)
    .where('version', '=', version)
    .where('ended_on', 'is', null)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new StaleVersionError();
  await recordChronologyEvent(db, {
    childId,
    organisationId: inv.organisation_id,
    occurredOn: endedOn,
    section: 'core',
    title: `Involvement ended: ${inv.service}`,
    detail: inv.organisation_name,
    recordedBy: by.id,
  });
  return inv;
}

/** People who may become key worker: casework staff of an organisation involved with the child today. */
export async function keyWorkerChoices(db: Db, childId: string) {
  const today = todayInLondon();
  return db
    .selectFrom('users as u')
    .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select(['u.id', 'u.display_name', 'o.name as organisation_name', 'o.id as organisation_id'])
    .where('u.active', '=', true)
    .where((eb) =>
      eb.and([
        eb.exists(
          eb
            .selectFrom('user_roles as r')
            .select('r.user_id')
            .whereRef('r.user_id', '=', 'u.id')
            .where('r.role', 'in', [...CASEWORK_ROLES]),
        ),
        eb.exists(
          eb
            .selectFrom('involvements as i')
            .select('i.id')
            .whereRef('i.organisation_id', '=', 'u.organisation_id')
            .where('i.child_id', '=', childId)
            .where('i.started_on', '<=', today)
            .where((w) => w.or([w('i.ended_on', 'is', null), w('i.ended_on', '>=', today)])),
        ),
      ]),
    )
    .orderBy('o.name')
    .orderBy('u.display_name')
    .execute();
}

/** The current key worker, with whether the family agreed to the latest change. */
export async function currentKeyWorker(db: Db, childId: string) {
  const found = await db
    .selectFrom('children as c')
    .leftJoin('key_workers as k', 'k.child_id', 'c.id')
    .leftJoin('users as u', 'u.id', 'k.user_id')
    .leftJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select(['k.user_id as key_worker_user_id', 'k.version', 'u.display_name', 'o.name as organisation_name'])
    .where('c.id', '=', childId)
    .executeTakeFirst();
  if (!found) throw new NotFoundError('child');
  // The key worker form's version: one more than the key worker's own, so 1 before the first.
  const child = { ...found, version: (found.version ?? 0) + 1 };
  const last = await db
    .selectFrom('key_worker_changes')
    .select(['to_user_id', 'family_agreed'])
    .where('child_id', '=', childId)
    .orderBy('recorded_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const interim = !!last && last.to_user_id === child.key_worker_user_id && !last.family_agreed;
  return { ...child, interim };
}

export const keyWorkerHistory = (db: Db, childId: string) =>
  db
    .selectFrom('key_worker_changes as k')
    .leftJoin('users as f', 'f.id', 'k.from_user_id')
    .innerJoin('users as t', 't.id', 'k.to_user_id')
    .leftJoin('users as r', 'r.id', 'k.recorded_by')
    .select([
      'k.id',
      'k.changed_on',
      'k.family_agreed',
      'k.note',
      'k.recorded_at',
      'f.display_name as from_name',
      't.display_name as to_name',
      'r.display_name as recorded_by_name',
    ])
    .where('k.child_id', '=', childId)
    .orderBy('k.recorded_at', 'desc')
    .orderBy('k.id', 'desc')
    .execute();

export async function changeKeyWorker(db: Db, childId: string, form: KeyWorkerForm, by: Actor) {
  const choices = await keyWorkerChoices(db, childId);
  const chosen = choices.find((c) => c.id === form.keyWorkerUserId);
  if (!chosen) {
    throw new ValidationError([{ text: 'Choose the new key worker from the list of staff in organisations working with the child', href: '#keyWorkerUserId' }]);
  }
  const now = await currentKeyWorker(db, childId);
  if (now.key_worker_user_id === chosen.id && !(now.interim && form.familyAgreed === 'yes')) {
    throw new ValidationError([{ text: `${chosen.display_name} is already the key worker. Choose someone else`, href: '#keyWorkerUserId' }]);
  }
  // Only over the version the form was opened at: two people changing the key worker at once
  // cannot both succeed (the first to insert wins; a later insert meets the row and its version).
  const saved = await db
    .insertInto('key_workers')
    .values({ child_id: childId, user_id: chosen.id })
    .onConflict((oc) =>
      oc
        .column('child_id')
        .doUpdateSet({ user_id: chosen.id, version: sql`key_workers.version + 1`, updated_at: new Date() })
        .where('key_workers.version', '=', form.version - 1),
    )
    .returning('version')
    .executeTakeFirst();
  if (saved?.version !== form.version) throw new StaleVersionError();
  const agreed = form.familyAgreed === 'yes';
  const changedOn = todayInLondon();
  await db
    .insertInto('key_worker_changes')
    .values({
      child_id: childId,
      from_user_id: now.key_worker_user_id,
      to_user_id: chosen.id,
      changed_on: changedOn,
      family_agreed: agreed,
      note: form.note,
      recorded_by: by.id,
    })
    .execute();
  const confirming = now.key_worker_user_id === chosen.id;
  await recordChronologyEvent(db, {
    childId,
    organisationId: chosen.organisation_id,
    occurredOn: changedOn,
    section: 'core',
    title: confirming
      ? `The family agreed to ${chosen.display_name} as key worker`
      : agreed
        ? `Key worker changed to ${chosen.display_name}`
        : `Interim key worker: ${chosen.display_name} (the family will be asked)`,
    detail: [now.display_name && !confirming ? `Previously ${now.display_name}.` : null, form.note].filter(Boolean).join(' ') || null,
    recordedBy: by.id,
  });
  return { chosen, agreed, confirming };
}

/** Whether the organisation has ever been recorded as working with a child (administration asks before changing its type). */
export async function organisationWorksWithChildren(db: Db, organisationId: string): Promise<boolean> {
  const row = await db.selectFrom('involvements').select('id').where('organisation_id', '=', organisationId).limit(1).executeTakeFirst();
  return row !== undefined;
}

// Merging and undoing a merge, as linkage's matching review runs it.
export { moveKeyWorker, restoreKeyWorker, type HeldKeyWorker } from './merging.js';
