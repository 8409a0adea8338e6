// The core record of a child or young person: registering (with the duplicate guard), reading,
// changing (with its history) and the common definition of disability. Access is decided by the
// sharing capability; the routes call requireChild() before any of this shows or changes data.
import { sql, type Expression, type Insertable, type RawBuilder } from 'kysely';
import { PREPARED, type Db } from '../../../platform/db/database.js';
import type { ChildrenTable } from '../../../platform/db/schema.js';
import type { CurrentUser } from '../../../platform/auth/current-user.js';
import { NotFoundError, StaleVersionError, ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { accessOf, addRegistrationConsent, visibleChild, type AccessRow } from '../sharing/index.js';
import { addFirstParent, createFamily } from '../family/service.js';
import { startInvolvement } from '../involvements/service.js';
import { recordChronologyEvent } from '../tell-it-once/index.js';
import type { Viewer } from '../sharing/index.js';
import { localityPrefixes, nameTokens, pickLocality, postcodeDistrict, searchNames } from './rules.js';
import type { ChildInput, EditInput, RegisterInput } from './schema.js';

// ---------------------------------------------------------------------------------------------
// Localities

/** The locality a postcode falls in: the configured prefix that matches it most specifically. */
export async function lookupLocality(db: Db, postcode: string | null): Promise<{ id: string; name: string } | null> {
  if (!postcode) return null;
  const prefixes = localityPrefixes(postcode);
  if (!prefixes.length) return null;
  const rows = await db
    .selectFrom('locality_postcodes as p')
    .innerJoin('localities as l', 'l.id', 'p.locality_id')
    .select(['p.prefix', 'l.id', 'l.name'])
    .where('p.prefix', 'in', prefixes)
    .execute();
  const hit = pickLocality(postcode, rows);
  return hit ? { id: hit.id, name: hit.name } : null;
}

// ---------------------------------------------------------------------------------------------
// Identifiers and the duplicate guard

export type Identifier = 'nhsNumber' | 'upn' | 'councilId';
const IDENTIFIER_COLUMN = { nhsNumber: 'nhs_number', upn: 'upn', councilId: 'council_id' } as const;

/**
 * Said whenever an identifier is already used by another child, whether or not the person may
 * see that child: it confirms only that the number is taken (which the uniqueness of the number
 * makes unavoidable), never whose it is, and points to the one person who may look.
 */
export const IDENTIFIER_TAKEN: Record<Identifier, string> = {
  nhsNumber:
    'A child with this NHS number is already on the register. Check the number; if it is right, ask your information governance lead to check access to that record',
  upn: 'A child with this UPN is already on the register. Check the number; if it is right, ask your information governance lead to check access to that record',
  councilId:
    'A child with this council reference is already on the register. Check the reference; if it is right, ask your information governance lead to check access to that record',
};

/** Which of these identifiers another child (any child, visible or not) already holds. */
export async function identifiersTaken(
  db: Db,
  ids: { nhsNumber: string | null; upn: string | null; councilId: string | null },
  exceptChildId?: string,
): Promise<Identifier[]> {
  const wanted = (Object.keys(IDENTIFIER_COLUMN) as Identifier[]).filter((k) => ids[k] !== null);
  if (!wanted.length) return [];
  let q = db
    .selectFrom('children')
    .select(['nhs_number', 'upn', 'council_id'])
    .where((eb) => eb.or(wanted.map((k) => eb(IDENTIFIER_COLUMN[k], '=', ids[k]!))));
  if (exceptChildId) q = q.where('id', '<>', exceptChildId);
  const rows = await q.execute();
  return wanted.filter((k) => rows.some((r) => r[IDENTIFIER_COLUMN[k]] === ids[k]));
}

const takenErrors = (taken: Identifier[]): FieldError[] => taken.map((k) => ({ text: IDENTIFIER_TAKEN[k], href: `#${k}` }));

/** A unique-constraint failure on an identifier (a race with another registration) as form errors. */
function identifierConstraint(e: unknown): ValidationError | null {
  const err = e as { code?: string; constraint?: string };
  if (err?.code !== '23505') return null;
  const k = (Object.keys(IDENTIFIER_COLUMN) as Identifier[]).find((x) => err.constraint === `children_${IDENTIFIER_COLUMN[x]}_key`);
  return k ? new ValidationError(takenErrors([k])) : null;
}

export interface PossibleDuplicate {
  id: string;
  given_name: string;
  family_name: string;
  preferred_name: string | null;
  date_of_birth: string;
  postcodeDistrict: string | null;
}

/**
 * Children already on the register who may be this one: the same NHS number, UPN or council
 * reference, or the same date of birth and a name holding every part of this last name (which
 * also finds given and family names swapped, and preferred or other names). All children are
 * searched; only those the person may see are returned with details, the rest only as ids (for
 * the audit record: the page says nothing about them).
 */
export async function findPossibleDuplicates(db: Db, viewer: Viewer, child: ChildInput): Promise<{ visible: PossibleDuplicate[]; hiddenIds: string[] }> {
  const familyTokens = nameTokens(child.familyName);
  const rows = await db
    .selectFrom('children as c')
    .select([
      'c.id',
      'c.given_name',
      'c.family_name',
      'c.preferred_name',
      'c.date_of_birth',
      'c.postcode',
      sql<boolean>`${visibleChild(viewer, 'c')}`.as('visible'),
    ])
    .where((eb) => {
      const ors = [];
      if (child.nhsNumber) ors.push(eb('c.nhs_number', '=', child.nhsNumber));
      if (child.upn) ors.push(eb('c.upn', '=', child.upn));
      if (child.councilId) ors.push(eb('c.council_id', '=', child.councilId));
      if (familyTokens.length) {
        ors.push(
          eb.and([
            eb('c.date_of_birth', '=', child.dateOfBirth),
            ...familyTokens.map((t) => eb(sql<string>`' ' || c.search_names || ' '`, 'like', `% ${t} %`)),
          ]),
        );
      }
      return eb.or(ors);
    })
    .orderBy('c.family_name')
    .orderBy('c.given_name')
    .limit(50)
    .execute();
  return {
    visible: rows
      .filter((r) => r.visible)
      .map((r) => ({
        id: r.id,
        given_name: r.given_name,
        family_name: r.family_name,
        preferred_name: r.preferred_name,
        date_of_birth: r.date_of_birth,
        postcodeDistrict: postcodeDistrict(r.postcode),
      })),
    hiddenIds: rows.filter((r) => !r.visible).map((r) => r.id),
  };
}

// ---------------------------------------------------------------------------------------------
// Registering

const childColumns = (c: ChildInput) => ({
  given_name: c.givenName,
  family_name: c.familyName,
  preferred_name: c.preferredName,
  other_names: c.otherNames,
  date_of_birth: c.dateOfBirth,
  sex: c.sex,
  ethnicity: c.ethnicity,
  address_line1: c.addressLine1,
  address_line2: c.addressLine2,
  town: c.town,
  postcode: c.postcode,
  nhs_number: c.nhsNumber,
  upn: c.upn,
  council_id: c.councilId,
  primary_need: c.primaryNeed,
  secondary_needs: c.secondaryNeeds,
  has_ehc_plan: c.hasEhcPlan,
  severity: c.severity,
  communication_needs: c.communicationNeeds,
  joined_on: c.joinedOn,
  acts_for_self: c.actsForSelf,
  search_names: searchNames(c.givenName, c.familyName, c.preferredName, c.otherNames),
});

/** A child first known from an agency's extract (linkage/imports), with its history entry. */
export async function addImportedChild(db: Db, values: Insertable<ChildrenTable>, userId: string | null, sourceName: string) {
  const child = await db.insertInto('children').values(values).returning('id').executeTakeFirstOrThrow();
  await db
    .insertInto('child_history')
    .values({ child_id: child.id, user_id: userId, changes: JSON.stringify({ event: 'imported', source: sourceName }) })
    .execute();
  return child;
}

/** Values an agency's extract brings to a child's record (linkage/imports), with their history entry. */
export async function updateFromImport(
  db: Db,
  child: { id: string; version: number },
  set: Record<string, unknown>,
  changes: readonly { field: string; before: unknown; after: unknown }[],
  userId: string | null,
  sourceName: string,
) {
  await db
    .updateTable('children')
    .set({ ...set, version: child.version + 1, updated_at: new Date() })
    .where('id', '=', child.id)
    .execute();
  await db
    .insertInto('child_history')
    .values({ child_id: child.id, user_id: userId, changes: JSON.stringify({ event: 'import', source: sourceName, changes }) })
    .execute();
}

/**
 * Creates the family, the child, the first parent or carer, the registering organisation's
 * involvement, the consent with its scopes, the "Joined the register" chronology event and the
 * first history entry. Run inside the request's transaction: all of it is stored, or none.
 */
export async function registerChild(db: Db, user: CurrentUser, input: RegisterInput, today: string) {
  const taken = await identifiersTaken(db, input.child);
  if (taken.length) throw new ValidationError(takenErrors(taken));
  const locality = await lookupLocality(db, input.child.postcode);
  const family = await createFamily(db);
  let child: { id: string };
  try {
    child = await db
      .insertInto('children')
      .values({ ...childColumns(input.child), family_id: family.id, locality_id: locality?.id ?? null })
      .returning('id')
      .executeTakeFirstOrThrow();
  } catch (e) {
    throw identifierConstraint(e) ?? e;
  }
  const member = input.parent ? await addFirstParent(db, family.id, input.parent) : null;
  const involvement = await startInvolvement(db, {
    childId: child.id,
    organisationId: user.organisationId,
    service: input.service,
    startedOn: today,
    createdBy: user.id,
  });
  const k = input.consent;
  const consent = await addRegistrationConsent(db, child.id, { ...k, memberId: k.givenBy === 'parent' ? (member?.id ?? null) : null }, user.id);
  await recordChronologyEvent(db, {
    childId: child.id,
    organisationId: user.organisationId,
    occurredOn: input.child.joinedOn,
    section: 'core',
    title: 'Joined the register',
    detail: `Registered by ${user.organisationName}`,
    recordedBy: user.id,
  });
  await db
    .insertInto('child_history')
    .values({ child_id: child.id, user_id: user.id, changes: JSON.stringify({ event: 'registered' }) })
    .execute();
  return { childId: child.id, familyId: family.id, familyMemberId: member?.id ?? null, involvementId: involvement.id, consentId: consent.id };
}

// ---------------------------------------------------------------------------------------------
// Reading

export async function getChild(db: Db, id: string) {
  const child = await db
    .selectFrom('children as c')
    .leftJoin('localities as l', 'l.id', 'c.locality_id')
    .leftJoin('key_workers as k', 'k.child_id', 'c.id')
    .leftJoin('users as kw', 'kw.id', 'k.user_id')
    .leftJoin('organisations as kwo', 'kwo.id', 'kw.organisation_id')
    .selectAll('c')
    .select(['l.name as locality_name', 'kw.display_name as key_worker_name', 'kwo.name as key_worker_organisation'])
    .where('c.id', '=', id)
    .executeTakeFirst();
  if (!child) throw new NotFoundError('child');
  return child;
}
export type ChildRow = Awaited<ReturnType<typeof getChild>>;

/** A criterion the child meets, as readRecord() answers it (dates as 'YYYY-MM-DD'). */
export interface CriterionMet {
  id: string;
  code: string;
  description: string;
  active: boolean;
  assessed_on: string;
  assessed_by: string | null;
  assessed_by_organisation: string | null;
}

export type RecordRow<P, R> = ChildRow &
  AccessRow & {
    criteria: CriterionMet[];
    provenance: P;
    referrals: R;
  };

/**
 * The record page in one query: the child with its locality and key worker, the criteria it
 * meets, what other capabilities add to the page (`parts`: SQL on the child's id, `c.id`, such as
 * where its values came from and its referrals), and the sharing rule for this person (accessOf,
 * joined laterally, so it is decided once, in the database). A child they may not see, or that
 * does not exist, comes back as undefined: nothing of it leaves the database. The caller passes
 * the answer to admitChild(), which refuses it as not found and notes the audit.
 */
export async function readRecord<P, R>(
  db: Db,
  viewer: Viewer,
  childId: string,
  parts: { provenance: (childId: Expression<string>) => RawBuilder<P>; referrals: (childId: Expression<string>) => RawBuilder<R> },
  now = new Date(),
): Promise<RecordRow<P, R> | undefined> {
  const id = sql.ref<string>('c.id');
  // Prepared once per connection: planning this query costs PostgreSQL more than running it.
  const { rows } = await sql<RecordRow<P, R>>`${sql.raw(PREPARED)}
    select c.*, l.name as locality_name, kw.display_name as key_worker_name, kwo.name as key_worker_organisation,
           a.sections, a.emergency_reason, a.emergency_until,
           coalesce((select json_agg(json_build_object('id', d.id, 'code', d.code, 'description', d.description, 'active', d.active,
                                                       'assessed_on', cc.assessed_on, 'assessed_by', u.display_name, 'assessed_by_organisation', o.name)
                                     order by d.position, d.code)
                     from child_criteria cc
                     join disability_criteria d on d.id = cc.criterion_id
                     left join users u on u.id = cc.assessed_by_user_id
                     left join organisations o on o.id = cc.assessed_by_organisation_id
                     where cc.child_id = c.id), '[]'::json) as criteria,
           ${parts.provenance(id)} as provenance,
           ${parts.referrals(id)} as referrals
    from children c
    cross join lateral (${accessOf(viewer, 'c', now)}) a
    left join localities l on l.id = c.locality_id
    left join key_workers k on k.child_id = c.id
    left join users kw on kw.id = k.user_id
    left join organisations kwo on kwo.id = kw.organisation_id
    where c.id = ${childId} and 'core' = any(a.sections)`.execute(db);
  return rows[0];
}

/** The criteria of the common definition of disability this child meets, and who assessed them. */
export const criteriaMet = (db: Db, childId: string) =>
  db
    .selectFrom('child_criteria as cc')
    .innerJoin('disability_criteria as d', 'd.id', 'cc.criterion_id')
    .leftJoin('users as u', 'u.id', 'cc.assessed_by_user_id')
    .leftJoin('organisations as o', 'o.id', 'cc.assessed_by_organisation_id')
    .select(['d.id', 'd.code', 'd.description', 'd.active', 'cc.assessed_on', 'u.display_name as assessed_by', 'o.name as assessed_by_organisation'])
    .where('cc.child_id', '=', childId)
    .orderBy('d.position')
    .orderBy('d.code')
    .execute();

export const activeCriteria = (db: Db) =>
  db.selectFrom('disability_criteria').select(['id', 'code', 'description']).where('active', '=', true).orderBy('position').orderBy('code').execute();

export const listHistory = (db: Db, childId: string) =>
  db
    .selectFrom('child_history as h')
    .leftJoin('users as u', 'u.id', 'h.user_id')
    .leftJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select(['h.id', 'h.at', 'h.changes', 'u.display_name', 'o.name as organisation_name'])
    .where('h.child_id', '=', childId)
    .orderBy('h.id', 'desc')
    .execute();

// ---------------------------------------------------------------------------------------------
// Changing

/** The columns a person can change on the edit page, compared to write the history. */
export const EDITABLE_COLUMNS = [
  'given_name',
  'family_name',
  'preferred_name',
  'other_names',
  'date_of_birth',
  'sex',
  'ethnicity',
  'address_line1',
  'address_line2',
  'town',
  'postcode',
  'nhs_number',
  'upn',
  'council_id',
  'primary_need',
  'secondary_needs',
  'has_ehc_plan',
  'severity',
  'communication_needs',
  'joined_on',
  'acts_for_self',
  'status',
  'status_on',
] as const;
export type EditableColumn = (typeof EDITABLE_COLUMNS)[number];
export type FieldChange = { field: EditableColumn | 'locality' | 'criteria'; before: unknown; after: unknown };

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Saves the edit page: refuses a form opened before someone else's change, writes the changed
 * fields with their values before and after to the history, and records newly met criteria as
 * assessed by this person and their organisation.
 */
export async function updateChild(db: Db, user: CurrentUser, id: string, input: EditInput) {
  const current = await getChild(db, id);
  if (current.version !== input.version) throw new StaleVersionError();
  const taken = await identifiersTaken(db, input.child, id);
  if (taken.length) throw new ValidationError(takenErrors(taken));

  const next = { ...childColumns(input.child), status: input.status, status_on: input.statusOn };
  const changes: FieldChange[] = [];
  for (const col of EDITABLE_COLUMNS) {
    const before = current[col];
    const after = next[col];
    const sortedBefore = Array.isArray(before) ? [...before].sort() : before;
    const sortedAfter = Array.isArray(after) ? [...after].sort() : after;
    if (!same(sortedBefore, sortedAfter)) changes.push({ field: col, before, after });
  }
  const postcodeChanged = changes.some((c) => c.field === 'postcode');
  const locality = postcodeChanged ? await lookupLocality(db, input.child.postcode) : null;
  if (postcodeChanged && (locality?.name ?? null) !== current.locality_name) {
    changes.push({ field: 'locality', before: current.locality_name, after: locality?.name ?? null });
  }

  const met = await criteriaMet(db, id);
  const metIds = met.map((m) => m.id);
  const added = input.criteria.filter((c) => !metIds.includes(c));
  // Only criteria the form offered (the active ones) can be unticked; retired ones stay recorded.
  const offered = (await activeCriteria(db)).map((c) => c.id);
  const removed = met.filter((m) => offered.includes(m.id) && !input.criteria.includes(m.id));
  if (added.length || removed.length) {
    const codes = new Map((await db.selectFrom('disability_criteria').select(['id', 'code']).execute()).map((r) => [r.id, r.code]));
    changes.push({
      field: 'criteria',
      before: met.map((m) => m.code),
      after: [...met.filter((m) => !removed.includes(m)).map((m) => m.code), ...added.map((a) => codes.get(a))],
    });
  }

  if (!changes.length) return { changed: 0 };

  const res = await db
    .updateTable('children')
    .set({
      ...next,
      ...(postcodeChanged ? { locality_id: locality?.id ?? null } : {}),
      updated_at: new Date(),
      version: sql`version + 1`,
    })
    .where('id', '=', id)
    .where('version', '=', input.version)
    .executeTakeFirst()
    .catch((e: unknown) => {
      throw identifierConstraint(e) ?? e;
    });
  if (Number(res.numUpdatedRows) === 0) throw new StaleVersionError();

  if (removed.length) {
    await db
      .deleteFrom('child_criteria')
      .where('child_id', '=', id)
      .where(
        'criterion_id',
        'in',
        removed.map((r) => r.id),
      )
      .execute();
  }
  if (added.length) {
    await db
      .insertInto('child_criteria')
      .values(
        added.map((criterion_id) => ({
          child_id: id,
          criterion_id,
          assessed_by_user_id: user.id,
          assessed_by_organisation_id: user.organisationId,
          assessed_on: input.criteriaAssessedOn!,
        })),
      )
      .execute();
  }
  await db
    .insertInto('child_history')
    .values({ child_id: id, user_id: user.id, changes: JSON.stringify({ event: 'edited', fields: changes }) })
    .execute();
  return { changed: changes.length };
}
