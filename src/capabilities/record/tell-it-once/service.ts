// "About me" in versions (a new version each time, never an overwrite) and one chronology across
// agencies. Other capabilities write chronology events through recordChronologyEvent(), in the
// transaction of the change they describe.
import type { Db } from '../../../platform/db/database.js';
import { NotFoundError, StaleVersionError } from '../../../platform/http/errors.js';
import type { Section } from '../sharing/index.js';
import type { AboutMeForm } from './schema.js';

/** What every page of a child's record needs for its heading and sub-navigation. */
export async function childSummary(db: Db, childId: string) {
  const child = await db
    .selectFrom('children')
    .select(['id', 'given_name', 'family_name', 'preferred_name', 'date_of_birth', 'family_id', 'acts_for_self', 'version'])
    .where('id', '=', childId)
    .executeTakeFirst();
  if (!child) throw new NotFoundError('child');
  return child;
}

export interface NewChronologyEvent {
  childId: string;
  organisationId: string | null;
  occurredOn: string;
  section: Section;
  title: string;
  detail?: string | null;
  recordedBy: string | null;
}

export async function recordChronologyEvent(db: Db, e: NewChronologyEvent) {
  return db
    .insertInto('chronology_events')
    .values({
      child_id: e.childId,
      organisation_id: e.organisationId,
      occurred_on: e.occurredOn,
      section: e.section,
      title: e.title,
      detail: e.detail ?? null,
      recorded_by: e.recordedBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/** The events of the sections the person may see, newest first unless asked for oldest first. */
export async function listChronology(db: Db, childId: string, sections: ReadonlySet<Section>, order: 'newest' | 'oldest') {
  if (sections.size === 0) return [];
  const dir = order === 'oldest' ? 'asc' : 'desc';
  return db
    .selectFrom('chronology_events as e')
    .leftJoin('organisations as o', 'o.id', 'e.organisation_id')
    .leftJoin('users as u', 'u.id', 'e.recorded_by')
    .select(['e.id', 'e.occurred_on', 'e.section', 'e.title', 'e.detail', 'e.recorded_at', 'o.name as organisation_name', 'u.display_name as recorded_by_name'])
    .where('e.child_id', '=', childId)
    .where('e.section', 'in', [...sections])
    .orderBy('e.occurred_on', dir)
    .orderBy('e.recorded_at', dir)
    .orderBy('e.id', dir)
    .execute();
}

const aboutMeColumns = [
  'a.id',
  'a.version',
  'a.what_matters',
  'a.what_works',
  'a.what_does_not_work',
  'a.communication',
  'a.aspirations',
  'a.written_with',
  'a.recorded_at',
  'u.display_name as recorded_by_name',
  'o.name as recorded_by_organisation',
] as const;

const aboutMeQuery = (db: Db, childId: string) =>
  db
    .selectFrom('about_me_versions as a')
    .leftJoin('users as u', 'u.id', 'a.recorded_by')
    .leftJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select(aboutMeColumns)
    .where('a.child_id', '=', childId);

/** Every version, newest first (the first is the current one). */
export const listAboutMe = (db: Db, childId: string) => aboutMeQuery(db, childId).orderBy('a.version', 'desc').execute();

export async function aboutMeVersion(db: Db, childId: string, version: number) {
  const row = await aboutMeQuery(db, childId).where('a.version', '=', version).executeTakeFirst();
  if (!row) throw new NotFoundError('about me version');
  return row;
}

export async function latestAboutMe(db: Db, childId: string) {
  return aboutMeQuery(db, childId).orderBy('a.version', 'desc').limit(1).executeTakeFirst();
}

/**
 * Adds version basedOn + 1. If someone saved a version after this form was opened, nothing is
 * written and the person is told (StaleVersionError); two saves at once cannot both win either,
 * as (child, version) is unique.
 */
export async function addAboutMeVersion(db: Db, childId: string, form: AboutMeForm, user: { id: string; organisationId: string }) {
  const latest = await db
    .selectFrom('about_me_versions')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('child_id', '=', childId)
    .executeTakeFirst();
  if (Number(latest?.v ?? 0) !== form.basedOn) throw new StaleVersionError();
  const version = form.basedOn + 1;
  const inserted = await db
    .insertInto('about_me_versions')
    .values({
      child_id: childId,
      version,
      what_matters: form.whatMatters,
      what_works: form.whatWorks,
      what_does_not_work: form.whatDoesNotWork,
      communication: form.communication,
      aspirations: form.aspirations,
      written_with: form.writtenWith,
      recorded_by: user.id,
    })
    .onConflict((oc) => oc.columns(['child_id', 'version']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) throw new StaleVersionError();
  return version;
}
