// Access to a child's record for other capabilities: the one place that decides. Other
// capabilities call requireChild() for a record page and visibleChildIds() for lists, search,
// counts and exports, so a child outside the rule does not exist for that person anywhere.
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { PREPARED, type Db } from '../../../platform/db/database.js';
import { isUuid } from '../../../platform/ids.js';
import type { CurrentUser } from '../../../platform/auth/current-user.js';
import { ForbiddenError, NotFoundError } from '../../../platform/http/errors.js';
import { todayInLondon } from '../../../platform/dates.js';
import type { RouteContext } from '../../../platform/http/route.js';
import {
  accessFor,
  hasCaseworkRole,
  isSection,
  organisationsCovered,
  sectionsGrantedToOwnOrganisation,
  SECTION_KEYS,
  type Access,
  type ConsentFacts,
  type Section,
  type SharingFacts,
  type Viewer,
} from './rules.js';
import { describeAction, roleNames } from './presenters.js';

export const viewerOf = (u: CurrentUser): Viewer => ({
  userId: u.id,
  organisationId: u.organisationId,
  organisationType: u.organisationType,
  roles: u.roles,
});

/** The type-level scopes of the consent aliased `k`, as one JSON list, for queries that read consents whole. */
const scopesOfConsent = sql<
  { organisationType: string; section: string }[]
>`coalesce((select json_agg(json_build_object('organisationType', s.organisation_type, 'section', s.section))
  from consent_scopes s where s.consent_id = k.id), '[]'::json)`;

/** The named-organisation scopes of the consent aliased `k` (ADR 0014), as one JSON list. */
const organisationScopesOfConsent = sql<
  { organisationId: string; section: string }[]
>`coalesce((select json_agg(json_build_object('organisationId', s.organisation_id, 'section', s.section))
  from consent_organisation_scopes s where s.consent_id = k.id), '[]'::json)`;

/** The named-organisation scopes of the consent aliased `k` with the organisations' names, for pages. */
const namedScopesOfConsent = sql<
  { organisationId: string; organisationName: string; section: string }[]
>`coalesce((select json_agg(json_build_object('organisationId', s.organisation_id, 'organisationName', o.name, 'section', s.section) order by o.name)
  from consent_organisation_scopes s join organisations o on o.id = s.organisation_id where s.consent_id = k.id), '[]'::json)`;

/** Who the consent aliased `k` was withdrawn for alone, when, why and by whom, for pages. */
const withdrawalsOfConsent = sql<
  { organisationId: string; organisationName: string; at: string; reason: string; by: string | null }[]
>`coalesce((select json_agg(json_build_object('organisationId', w.organisation_id, 'organisationName', o.name, 'at', w.withdrawn_at,
    'reason', w.withdrawn_reason, 'by', u.display_name) order by w.withdrawn_at)
  from consent_withdrawals w join organisations o on o.id = w.organisation_id left join users u on u.id = w.withdrawn_by
  where w.consent_id = k.id), '[]'::json)`;

interface FactsRow {
  found: boolean;
  involved: string[];
  consents: ConsentFacts[];
  bases: { organisation_id: string; sections: string[]; current: boolean; approved: boolean }[];
  glass: { user_id: string; expires_at: string }[];
}

/**
 * Everything the sharing rule needs about one child, in one round trip (every page of a record
 * asks, so this is on the hot path): whether the child exists, the organisations involved today,
 * the consents with their scopes, the lawful bases and emergency access.
 */
async function readFacts(db: Db, childId: string, now: Date): Promise<FactsRow> {
  const today = todayInLondon(now);
  const { rows } = await sql<FactsRow>`
    select
      exists (select 1 from children where id = ${childId}) as found,
      coalesce((select json_agg(i.organisation_id) from involvements i
                where i.child_id = ${childId} and i.started_on <= ${today}::date
                  and (i.ended_on is null or i.ended_on >= ${today}::date)), '[]'::json) as involved,
      coalesce((select json_agg(json_build_object('withdrawn', k.withdrawn_at is not null, 'approved', k.approval = 'approved',
                  'scopes', ${scopesOfConsent}, 'organisationScopes', ${organisationScopesOfConsent},
                  'withdrawnFor', coalesce((select json_agg(w.organisation_id) from consent_withdrawals w where w.consent_id = k.id), '[]'::json)))
                from consents k where k.child_id = ${childId}), '[]'::json) as consents,
      coalesce((select json_agg(json_build_object('organisation_id', b.organisation_id, 'sections', b.sections, 'approved', b.approval = 'approved',
                  'current', b.ended_at is null and b.decided_on <= ${today}::date and (b.ends_on is null or b.ends_on >= ${today}::date)))
                from lawful_bases b where b.child_id = ${childId}), '[]'::json) as bases,
      coalesce((select json_agg(json_build_object('user_id', g.user_id, 'expires_at', g.expires_at))
                from break_glass g where g.child_id = ${childId}), '[]'::json) as glass`.execute(db);
  return rows[0]!;
}

function factsFrom(row: FactsRow): SharingFacts {
  return {
    involvedOrganisationIds: row.involved,
    consents: row.consents,
    lawfulBases: row.bases.map((b) => ({ organisationId: b.organisation_id, sections: b.sections, current: b.current, approved: b.approved })),
    breakGlass: row.glass.map((g) => ({ userId: g.user_id, expiresAt: new Date(g.expires_at) })),
  };
}

export async function loadSharingFacts(db: Db, childId: string, now = new Date()): Promise<SharingFacts> {
  return factsFrom(await readFacts(db, childId, now));
}

/**
 * What the sharing rule gives one viewer on one child, as the database works it out
 * (accessOf): the sections they may see (none when the child is hidden from them), and their
 * current emergency access to it, if any (the newest, for the banner).
 */
export interface AccessRow {
  sections: string[];
  emergency_reason: string | null;
  emergency_until: Date | string | null;
}

const SECTIONS_SQL = sql.join(SECTION_KEYS.map((s) => sql.lit(s)));

/**
 * The sharing rule for one viewer on the `children` row aliased `alias`, in SQL, as a subquery of
 * one row (AccessRow) to join laterally: the twin of accessFor() in rules.ts, section by section
 * (a property test checks they agree). Emergency access gives every section; otherwise the
 * viewer's organisation must be involved today, and the sections are those an approved,
 * unwithdrawn consent scopes to its type or a current, approved lawful basis gives it by name.
 * Without a casework role, nothing. The child is visible only when 'core' is among the sections.
 */
export function accessOf(viewer: Viewer, alias = 'c', now = new Date()): RawBuilder<AccessRow> {
  if (!hasCaseworkRole(viewer)) return sql<AccessRow>`select array[]::text[] as sections, null::text as emergency_reason, null::timestamptz as emergency_until`;
  const today = todayInLondon(now);
  const id = sql.ref(`${alias}.id`);
  return sql<AccessRow>`
    select case
             when g.reason is not null then array[${SECTIONS_SQL}]::text[]
             when exists (select 1 from involvements i where i.child_id = ${id} and i.organisation_id = ${viewer.organisationId}
                          and i.started_on <= ${today}::date and (i.ended_on is null or i.ended_on >= ${today}::date))
               then array(select distinct x.section from (
                      ${consentedSections(viewer, id)}
                      union all
                      select unnest(b.sections) from lawful_bases b
                      where b.child_id = ${id} and b.organisation_id = ${viewer.organisationId} and b.approval = 'approved' and b.ended_at is null
                        and b.decided_on <= ${today}::date and (b.ends_on is null or b.ends_on >= ${today}::date)
                    ) x where x.section = any(array[${SECTIONS_SQL}]::text[]))
             else array[]::text[]
           end as sections,
           g.reason as emergency_reason,
           g.expires_at as emergency_until
    from (select 1) as one
    left join lateral (select bg.reason, bg.expires_at from break_glass bg
                       where bg.child_id = ${id} and bg.user_id = ${viewer.userId} and bg.expires_at > ${now}
                       order by bg.expires_at desc limit 1) g on true`;
}

/**
 * The sections that approved consents not withdrawn give the viewer's organisation on the child
 * `id`, by its type or by its name, skipping a consent withdrawn for that organisation alone: the
 * twin of consentSectionsFor() in rules.ts, shared by accessOf and visibleChild.
 */
function consentedSections(viewer: Viewer, id: RawBuilder<unknown>) {
  const notWithdrawnForViewer = sql`not exists (select 1 from consent_withdrawals w where w.consent_id = k.id and w.organisation_id = ${viewer.organisationId})`;
  return sql<{ section: string }>`
    select s.section from consents k join consent_scopes s on s.consent_id = k.id
    where k.child_id = ${id} and k.withdrawn_at is null and k.approval = 'approved'
      and s.organisation_type = ${viewer.organisationType} and ${notWithdrawnForViewer}
    union all
    select s.section from consents k join consent_organisation_scopes s on s.consent_id = k.id
    where k.child_id = ${id} and k.withdrawn_at is null and k.approval = 'approved'
      and s.organisation_id = ${viewer.organisationId} and ${notWithdrawnForViewer}`;
}

/** AccessRow as the pure rule's Access: visible only with the core record. */
export function accessFrom(row: AccessRow | undefined): Access {
  if (!row) return { visible: false };
  const sections = new Set(row.sections.filter(isSection));
  if (!sections.has('core')) return { visible: false };
  return { visible: true, sections, via: row.emergency_reason !== null ? 'emergency-access' : 'sharing' };
}

/** What one child's record allows this person, worked out in one query by the database (accessOf). */
async function readAccess(db: Db, viewer: Viewer, childId: string, now: Date): Promise<AccessRow | undefined> {
  const { rows } =
    await sql<AccessRow>`${sql.raw(PREPARED)} select a.* from children c cross join lateral (${accessOf(viewer, 'c', now)}) a where c.id = ${childId}`.execute(
      db,
    );
  return rows[0];
}

export async function childAccess(db: Db, viewer: Viewer, childId: string, now = new Date()): Promise<Access> {
  if (!hasCaseworkRole(viewer)) return { visible: false };
  return accessFrom(await readAccess(db, viewer, childId, now));
}

/**
 * For a route showing a child's data: checks access, records the child as the audit subject
 * (with the purpose, and emergency access when that is how it was reached), and answers the
 * sections the person may see. A child they may not see is "not found", like one that does not exist.
 */
export async function requireChild(ctx: RouteContext, childId: string | undefined, section: Section = 'core', purpose?: string) {
  if (!ctx.user || !childId || !/^[0-9a-f-]{36}$/.test(childId)) throw new NotFoundError('child');
  return admitChild(ctx, childId, await readAccess(ctx.db, viewerOf(ctx.user), childId, new Date()), section, purpose);
}

/**
 * requireChild for a page that read the access with its own data in one query (accessOf joined
 * laterally, `row` undefined when the child was not found): refuses a child or section the person
 * may not see as not found, and notes the audit subject, purpose and emergency access.
 */
export function admitChild(ctx: RouteContext, childId: string, row: AccessRow | undefined, section: Section = 'core', purpose?: string): Access {
  if (!ctx.user) throw new NotFoundError('child');
  const access = accessFrom(row);
  if (!access.visible || !access.sections.has(section)) {
    // Refused by the sharing rule: "not found", as for no such child, but a child who exists has the
    // refused attempt recorded (route.ts writes it in its own transaction, so it is kept).
    if (!row) throw new NotFoundError('child');
    throw new NotFoundError('child', {
      subject: { type: 'child', id: childId },
      details: { reason: 'refused by the sharing rule', section, ...(access.visible ? { sees: [...access.sections].sort() } : {}) },
    });
  }
  if (access.via === 'emergency-access' && changesTheRecord(ctx)) throw emergencyAccessIsReadOnly(childId);
  ctx.audit.subjectType = 'child';
  ctx.audit.subjectId = childId;
  ctx.req.recordSections = [...access.sections];
  ctx.audit.details = { ...ctx.audit.details, section, ...(access.via === 'emergency-access' ? { via: 'emergency access' } : {}) };
  if (purpose) ctx.audit.purpose = purpose;
  // Every page of the record shows the warning banner (record-nav.njk includes it).
  if (access.via === 'emergency-access' && row?.emergency_reason && row.emergency_until)
    ctx.req.emergencyAccess = { until: formatUntil(new Date(row.emergency_until)), reason: row.emergency_reason };
  return access;
}

/**
 * Emergency access is for reading in an emergency (ADR 0012): through it, nobody records an
 * involvement, a consent or a lawful basis (which would outlast it), or changes anything else.
 * A change is any POST, and any form that exists only to change the record (`children:edit`).
 */
function changesTheRecord(ctx: RouteContext): boolean {
  return ctx.req.method !== 'GET' || (ctx.req.routeOptions.config as { access?: string } | undefined)?.access === 'children:edit';
}

export const emergencyAccessIsReadOnly = (childId: string) =>
  new ForbiddenError(
    'emergency access is read-only',
    {
      title: 'Emergency access lets you read this record, not change it',
      paragraphs: [
        'Nothing has been saved. Emergency access is only for reading the record in an emergency, and it ends when its time is up.',
        'If your organisation needs to work with this child, ask a colleague who can already see the record, or the information governance lead, to record the involvement and the basis for sharing.',
      ],
    },
    { type: 'child', id: childId },
  );

const formatUntil = (d: Date) => d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/London' });

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by requireChild when the record was reached through emergency access. */
    emergencyAccess?: { until: string; reason: string };
    /** Set by requireChild: the sections of the child's record this person may open (the record's navigation shows only those). */
    recordSections?: string[];
  }
}

/**
 * The same rule in SQL, as a condition on a `children` row aliased `alias`, for lists, search,
 * counts and exports. Must agree with accessFor() (a property test checks it does).
 * `emergencyAccess: false` leaves out children seen only through emergency access: an export is
 * a copy that would outlast it (ADR 0012).
 */
export function visibleChild(viewer: Viewer, alias = 'c', now = new Date(), opts: { emergencyAccess?: boolean } = {}): Expression<SqlBool> {
  if (!hasCaseworkRole(viewer)) return sql<SqlBool>`false`;
  const today = todayInLondon(now);
  const id = sql.ref(`${alias}.id`);
  const glass =
    opts.emergencyAccess === false
      ? sql<SqlBool>`false`
      : sql<SqlBool>`exists (select 1 from break_glass g where g.child_id = ${id} and g.user_id = ${viewer.userId} and g.expires_at > ${now})`;
  return sql<SqlBool>`(
    ${glass}
    or (
      exists (select 1 from involvements i where i.child_id = ${id} and i.organisation_id = ${viewer.organisationId}
              and i.started_on <= ${today}::date and (i.ended_on is null or i.ended_on >= ${today}::date))
      and (
        exists (select 1 from (${consentedSections(viewer, id)}) x where x.section = 'core')
        or exists (select 1 from lawful_bases b where b.child_id = ${id} and b.organisation_id = ${viewer.organisationId}
                   and b.approval = 'approved' and b.ended_at is null and b.decided_on <= ${today}::date and (b.ends_on is null or b.ends_on >= ${today}::date)
                   and 'core' = any(b.sections))
      )
    )
  )`;
}

/**
 * The same rule again, set-based (ADR 0021): of the children whose ids the relation `candidates`
 * lists (a CTE of the query around it, with a column `id`), the ids of those this person may see.
 * Each of the rule's tables is read once for the whole set, through its child_id index, rather
 * than probed once per candidate; a search's candidates are filtered by it in the same query that
 * finds and ranks them. Must agree with accessFor() and visibleChild() (a property test checks it
 * does, over many children at once). `emergencyAccess: false` as for visibleChild.
 */
export function visibleAmong(viewer: Viewer, candidates: string, now = new Date(), opts: { emergencyAccess?: boolean } = {}): RawBuilder<{ id: string }> {
  if (!hasCaseworkRole(viewer)) return sql<{ id: string }>`select null::uuid as id where false`;
  const today = todayInLondon(now);
  const among = sql`(select id from ${sql.table(candidates)})`;
  const notWithdrawnForViewer = sql`not exists (select 1 from consent_withdrawals w where w.consent_id = k.id and w.organisation_id = ${viewer.organisationId})`;
  const glass =
    opts.emergencyAccess === false
      ? sql``
      : sql`select g.child_id as id from break_glass g where g.child_id in ${among} and g.user_id = ${viewer.userId} and g.expires_at > ${now}
            union `;
  return sql<{ id: string }>`
    ${glass}select i.child_id as id from involvements i
    where i.child_id in ${among} and i.organisation_id = ${viewer.organisationId}
      and i.started_on <= ${today}::date and (i.ended_on is null or i.ended_on >= ${today}::date)
      and i.child_id in (
        select k.child_id from consents k join consent_scopes s on s.consent_id = k.id
        where k.child_id in ${among} and k.withdrawn_at is null and k.approval = 'approved'
          and s.organisation_type = ${viewer.organisationType} and s.section = 'core' and ${notWithdrawnForViewer}
        union all
        select k.child_id from consents k join consent_organisation_scopes s on s.consent_id = k.id
        where k.child_id in ${among} and k.withdrawn_at is null and k.approval = 'approved'
          and s.organisation_id = ${viewer.organisationId} and s.section = 'core' and ${notWithdrawnForViewer}
        union all
        select b.child_id from lawful_bases b
        where b.child_id in ${among} and b.organisation_id = ${viewer.organisationId} and b.approval = 'approved' and b.ended_at is null
          and b.decided_on <= ${today}::date and (b.ends_on is null or b.ends_on >= ${today}::date) and 'core' = any(b.sections)
      )`;
}

/** Ids of the children this person may see. */
export const visibleChildIds = (db: Db, viewer: Viewer, now = new Date()) =>
  db
    .selectFrom('children as c')
    .select('c.id')
    .where(visibleChild(viewer, 'c', now));

// ---------------------------------------------------------------------------------------------
// Consents, lawful bases, emergency access and "who has looked": the sharing pages' use cases.

const MINUTE = 60_000;

/** What every page of the record needs for its heading and sub-navigation. */
export async function childHeader(db: Db, childId: string) {
  const child = await db
    .selectFrom('children')
    .select(['id', 'given_name', 'family_name', 'preferred_name', 'date_of_birth', 'family_id'])
    .where('id', '=', childId)
    .executeTakeFirst();
  if (!child) throw new NotFoundError('child');
  return child;
}

/** Family members of the child's family who hold parental responsibility: who may give consent for them. */
export const parentsWithResponsibility = (db: Db, familyId: string) =>
  db
    .selectFrom('family_members')
    .select(['id', 'full_name', 'relationship'])
    .where('family_id', '=', familyId)
    .where('parental_responsibility', '=', true)
    .orderBy('full_name')
    .execute();

/** A child's consents, newest first, each with what it shares by type and by name and who it was withdrawn for alone. */
export const listConsents = (db: Db, childId: string) =>
  db
    .selectFrom('consents as k')
    .leftJoin('family_members as m', 'm.id', 'k.given_by_member_id')
    .leftJoin('users as u', 'u.id', 'k.recorded_by')
    .leftJoin('users as ap', 'ap.id', 'k.approval_by')
    .select([
      'ap.display_name as approval_by_name',
      'k.id',
      'k.given_by',
      'k.capacity_note',
      'k.given_on',
      'k.method',
      'k.evidence',
      'k.review_on',
      'k.withdrawn_at',
      'k.withdrawn_reason',
      'k.recorded_at',
      'k.approval',
      'k.approval_at',
      'k.approval_note',
      'k.recorded_by',
      'm.full_name as member_name',
      'm.relationship as member_relationship',
      'u.display_name as recorded_by_name',
      scopesOfConsent.as('scopes'),
      namedScopesOfConsent.as('namedScopes'),
      withdrawalsOfConsent.as('withdrawals'),
    ])
    .where('k.child_id', '=', childId)
    .orderBy('k.given_on', 'desc')
    .orderBy('k.recorded_at', 'desc')
    .execute();

export interface NewConsent {
  givenBy: 'parent' | 'young-person' | 'decision-maker';
  memberId: string | null;
  capacityNote: string | null;
  givenOn: string;
  method: 'written' | 'verbal' | 'electronic';
  evidence: string | null;
  reviewOn: string;
  scopes: readonly { organisationType: string; section: string }[];
  /** Sections given to named organisations (ADR 0014); none when the consent is by type only. */
  organisationScopes?: readonly { organisationId: string; section: string }[];
}

/**
 * Records a consent. When it gives sections to the recorder's own organisation (ADR 0012),
 * it is stored as waiting for a second person and counts for nobody until approved; the answer
 * names those sections.
 */
export async function addConsent(db: Db, childId: string, form: NewConsent, recorder: Recorder) {
  const opens = sectionsGrantedToOwnOrganisation(recorder, { consent: form });
  const consent = await insertConsent(db, childId, form, recorder.userId, opens.length ? 'pending' : 'approved');
  return { id: consent.id, opens };
}

/** The consent recorded with a child's registration, with its scopes; its review date may be left for later. */
export type RegistrationConsent = Omit<NewConsent, 'reviewOn'> & { reviewOn: string | null };

/** Approved as it is recorded: registering a new child widens nobody's access (ADR 0012). */
export const addRegistrationConsent = (db: Db, childId: string, k: RegistrationConsent, recordedBy: string) =>
  insertConsent(db, childId, k, recordedBy, 'approved');

async function insertConsent(db: Db, childId: string, k: RegistrationConsent, recordedBy: string, approval: 'pending' | 'approved') {
  const consent = await db
    .insertInto('consents')
    .values({
      child_id: childId,
      given_by: k.givenBy,
      given_by_member_id: k.memberId,
      capacity_note: k.capacityNote,
      given_on: k.givenOn,
      method: k.method,
      evidence: k.evidence,
      review_on: k.reviewOn,
      recorded_by: recordedBy,
      approval,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (k.scopes.length > 0) {
    await db
      .insertInto('consent_scopes')
      .values(k.scopes.map((s) => ({ consent_id: consent.id, organisation_type: s.organisationType, section: s.section })))
      .execute();
  }
  if (k.organisationScopes?.length) {
    await db
      .insertInto('consent_organisation_scopes')
      .values(k.organisationScopes.map((s) => ({ consent_id: consent.id, organisation_id: s.organisationId, section: s.section })))
      .execute();
  }
  return consent;
}

/** Who records a consent or lawful basis: the person and the organisation whose access it may widen. */
export type Recorder = Pick<Viewer, 'userId' | 'organisationId' | 'organisationType'>;

export type WithdrawOutcome = 'withdrawn' | 'already-withdrawn' | 'not-covered';

/**
 * Withdraws a consent now: for everyone, or for one organisation only (ADR 0014), which it then
 * no longer covers by name or through its type while it stands for the others. Narrowing needs
 * no second person. NotFoundError if the consent is not this child's.
 */
export async function withdrawConsent(
  db: Db,
  childId: string,
  consentId: string,
  w: { reason: string; organisationId: string | null; by: string | null },
  now = new Date(),
): Promise<WithdrawOutcome> {
  if (!isUuid(consentId)) throw new NotFoundError('consent');
  const consent = await db
    .selectFrom('consents as k')
    .select(['k.id', 'k.withdrawn_at', scopesOfConsent.as('scopes'), organisationScopesOfConsent.as('organisationScopes')])
    .where('k.id', '=', consentId)
    .where('k.child_id', '=', childId)
    .forUpdate()
    .executeTakeFirst();
  if (!consent) throw new NotFoundError('consent');
  if (consent.withdrawn_at) return 'already-withdrawn';
  if (w.organisationId === null) {
    await db.updateTable('consents').set({ withdrawn_at: now, withdrawn_reason: w.reason }).where('id', '=', consentId).execute();
    return 'withdrawn';
  }
  const org = isUuid(w.organisationId)
    ? await db.selectFrom('organisations').select(['id as organisationId', 'type as organisationType']).where('id', '=', w.organisationId).executeTakeFirst()
    : undefined;
  if (!org || organisationsCovered(consent, [org]).length === 0) return 'not-covered';
  const done = await db
    .insertInto('consent_withdrawals')
    .values({ consent_id: consentId, organisation_id: org.organisationId, withdrawn_at: now, withdrawn_reason: w.reason, withdrawn_by: w.by })
    .onConflict((oc) => oc.doNothing())
    .returning('consent_id')
    .executeTakeFirst();
  return done ? 'withdrawn' : 'already-withdrawn';
}

export async function getConsent(db: Db, childId: string, consentId: string) {
  if (!isUuid(consentId)) throw new NotFoundError('consent');
  const consent = (await listConsents(db, childId)).find((c) => c.id === consentId);
  if (!consent) throw new NotFoundError('consent');
  return consent;
}

export const listLawfulBases = (db: Db, childId: string) =>
  db
    .selectFrom('lawful_bases as b')
    .innerJoin('organisations as o', 'o.id', 'b.organisation_id')
    .leftJoin('users as u', 'u.id', 'b.decided_by_user_id')
    .leftJoin('users as ap', 'ap.id', 'b.approval_by')
    .select([
      'b.id',
      'b.approval',
      'b.approval_at',
      'b.approval_note',
      'ap.display_name as approval_by_name',
      'b.basis',
      'b.sections',
      'b.explanation',
      'b.decided_on',
      'b.ends_on',
      'b.ended_at',
      'b.organisation_id',
      'o.name as organisation_name',
      'u.display_name as decided_by_name',
    ])
    .where('b.child_id', '=', childId)
    .orderBy('b.decided_on', 'desc')
    .orderBy('b.recorded_at', 'desc')
    .execute();

export interface NewLawfulBasis {
  basis: 'safeguarding' | 'legal-obligation' | 'vital-interests' | 'public-task';
  organisationId: string;
  sections: readonly string[];
  explanation: string;
  decidedOn: string;
  endsOn: string | null;
}

/** Records a lawful basis; held for a second person's approval when it is for the recorder's own organisation. */
export async function addLawfulBasis(db: Db, childId: string, form: NewLawfulBasis, recorder: Recorder) {
  const opens = sectionsGrantedToOwnOrganisation(recorder, { lawfulBasis: { organisationId: form.organisationId, sections: form.sections } });
  const row = await db
    .insertInto('lawful_bases')
    .values({
      child_id: childId,
      organisation_id: form.organisationId,
      basis: form.basis,
      sections: [...form.sections],
      explanation: form.explanation,
      decided_by_user_id: recorder.userId,
      decided_on: form.decidedOn,
      ends_on: form.endsOn,
      approval: opens.length ? 'pending' : 'approved',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, opens };
}

/**
 * Organisations a consent may name (ADR 0014): those working with the child now or due to start.
 * Naming one that never works with the child would share nothing, as the rule needs an involvement.
 */
export const organisationsWorkingWith = (db: Db, childId: string, today = todayInLondon()) =>
  db
    .selectFrom('organisations as o')
    .select(['o.id', 'o.name', 'o.type'])
    .where('o.active', '=', true)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('involvements as i')
          .select('i.id')
          .whereRef('i.organisation_id', '=', 'o.id')
          .where('i.child_id', '=', childId)
          .where((e) => e.or([e('i.ended_on', 'is', null), e('i.ended_on', '>=', today)])),
      ),
    )
    .orderBy('o.name')
    .execute();

/** The active organisations a consent still covers, by name or through their type: what it may be withdrawn for alone. */
export async function organisationsConsentCovers(db: Db, childId: string, consentId: string) {
  if (!isUuid(consentId)) throw new NotFoundError('consent');
  const [consent, orgs] = await Promise.all([
    db
      .selectFrom('consents as k')
      .select([
        'k.withdrawn_at',
        scopesOfConsent.as('scopes'),
        organisationScopesOfConsent.as('organisationScopes'),
        sql<string[]>`coalesce((select json_agg(w.organisation_id) from consent_withdrawals w where w.consent_id = k.id), '[]'::json)`.as('withdrawnFor'),
      ])
      .where('k.id', '=', consentId)
      .where('k.child_id', '=', childId)
      .executeTakeFirst(),
    activeOrganisations(db),
  ]);
  if (!consent) throw new NotFoundError('consent');
  if (consent.withdrawn_at) return [];
  return organisationsCovered(
    consent,
    orgs.map((o) => ({ ...o, organisationId: o.id, organisationType: o.type })),
  );
}

export const activeOrganisations = (db: Db) =>
  db.selectFrom('organisations').select(['id', 'name', 'type']).where('active', '=', true).orderBy('name').execute();

/** Which organisations working with the child now may see which sections, by the sharing rule. */
export async function whoCanSee(db: Db, childId: string, now = new Date()) {
  const facts = await loadSharingFacts(db, childId, now);
  if (facts.involvedOrganisationIds.length === 0) return [];
  const orgs = await db
    .selectFrom('organisations')
    .select(['id', 'name', 'type'])
    .where('id', 'in', [...new Set(facts.involvedOrganisationIds)])
    .orderBy('name')
    .execute();
  return orgs.map((o) => {
    const access = accessFor({ userId: '', organisationId: o.id, organisationType: o.type, roles: ['caseworker'] }, { ...facts, breakGlass: [] }, now);
    return { id: o.id, name: o.name, type: o.type, sections: access.visible ? SECTION_KEYS.filter((s) => access.sections.has(s)) : [] };
  });
}

// Emergency access ("break glass") ------------------------------------------------------------

/** The child whose NHS number, UPN or council reference this is, if any (NHS number first, then UPN). */
export async function findChildByIdentifier(db: Db, c: { nhsNumber: string | null; upn: string | null; councilId: string }) {
  const rows = await db
    .selectFrom('children')
    .select(['id', 'nhs_number', 'upn', 'council_id'])
    .where((eb) =>
      eb.or([...(c.nhsNumber ? [eb('nhs_number', '=', c.nhsNumber)] : []), ...(c.upn ? [eb('upn', '=', c.upn)] : []), eb('council_id', '=', c.councilId)]),
    )
    .execute();
  const pick =
    rows.find((r) => c.nhsNumber && r.nhs_number === c.nhsNumber) ??
    rows.find((r) => c.upn && r.upn === c.upn) ??
    rows.find((r) => r.council_id === c.councilId);
  if (!pick) return null;
  const kind = c.nhsNumber && pick.nhs_number === c.nhsNumber ? 'NHS number' : c.upn && pick.upn === c.upn ? 'Unique Pupil Number' : 'council reference';
  return { id: pick.id, matchedOn: kind };
}

export async function grantEmergencyAccess(
  db: Db,
  g: { childId: string; userId: string; organisationId: string; reason: string; hours: number },
  now = new Date(),
) {
  // Set here, not by the database's clock, so the pure and SQL rules compare the same instant.
  const expiresAt = new Date(now.getTime() + g.hours * 60 * MINUTE);
  const row = await db
    .insertInto('break_glass')
    .values({ child_id: g.childId, user_id: g.userId, organisation_id: g.organisationId, reason: g.reason, started_at: now, expires_at: expiresAt })
    .returning(['id', 'expires_at'])
    .executeTakeFirstOrThrow();
  return { id: row.id, expiresAt };
}

/** The person's current emergency access to the child, for a warning banner on every page of the record. */
export async function emergencyAccessBanner(db: Db, userId: string, childId: string, now = new Date()) {
  const row = await db
    .selectFrom('break_glass')
    .select(['started_at', 'expires_at', 'reason'])
    .where('child_id', '=', childId)
    .where('user_id', '=', userId)
    .where('expires_at', '>', now)
    .orderBy('expires_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { startedAt: new Date(row.started_at), expiresAt: new Date(row.expires_at), reason: row.reason } : null;
}

const emergencyAccessQuery = (db: Db) =>
  db
    .selectFrom('break_glass as g')
    .innerJoin('users as u', 'u.id', 'g.user_id')
    .innerJoin('organisations as o', 'o.id', 'g.organisation_id')
    .innerJoin('children as c', 'c.id', 'g.child_id')
    .leftJoin('users as r', 'r.id', 'g.reviewed_by')
    .select([
      'g.id',
      'g.child_id',
      'g.user_id',
      'g.reason',
      'g.started_at',
      'g.expires_at',
      'g.reviewed_at',
      'g.review_note',
      'u.display_name as user_name',
      'o.name as organisation_name',
      'c.given_name',
      'c.family_name',
      'c.preferred_name',
      'r.display_name as reviewed_by_name',
    ]);

export const listEmergencyAccessForChild = (db: Db, childId: string) =>
  emergencyAccessQuery(db).where('g.child_id', '=', childId).orderBy('g.started_at', 'desc').orderBy('g.id').execute();

export const REVIEW_PAGE_SIZE = 50;

/** Which page of `total` rows to show, `size` a page: a page past either end shows the nearest. */
function pageOf(total: number, page: number, size: number) {
  const pages = Math.max(1, Math.ceil(total / size));
  const p = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  return { page: p, pages, total, offset: (p - 1) * size };
}

/** Every emergency access, newest first, for the information governance lead. */
export async function listEmergencyAccessForReview(db: Db, page: number) {
  const [{ total }] = (await db
    .selectFrom('break_glass')
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .execute()) as [{ total: number }];
  const at = pageOf(Number(total), page, REVIEW_PAGE_SIZE);
  const rows = await emergencyAccessQuery(db).orderBy('g.started_at', 'desc').orderBy('g.id').limit(REVIEW_PAGE_SIZE).offset(at.offset).execute();
  return { rows, page: at.page, pages: at.pages, total: at.total };
}

/** Emergency access asked for with a number that matched no child (from the audit log), newest first. */
export const listUnmatchedEmergencyRequests = (db: Db, limit = 50) =>
  db
    .selectFrom('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .leftJoin('organisations as o', 'o.id', 'a.organisation_id')
    .select(['a.id', 'a.at', 'a.purpose', 'a.details', 'u.display_name as user_name', 'o.name as organisation_name'])
    .where('a.action', 'in', ['child.emergency-access.start', 'child.emergency-access.grant'])
    .where('a.result', '=', 'denied')
    .orderBy('a.id', 'desc')
    .limit(limit)
    .execute();

/** The newest requests for a child's record that the sharing rule refused (requireChild records them), for the information governance lead. */
export const listSharingRefusals = (db: Db, limit = 50) =>
  db
    .selectFrom('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .leftJoin('organisations as o', 'o.id', 'a.organisation_id')
    .select(['a.id', 'a.at', 'a.action', 'a.subject_id', 'u.display_name as user_name', 'o.name as organisation_name'])
    .where('a.result', '=', 'denied')
    .where('a.subject_type', '=', 'child')
    .where(sql<string>`a.details::jsonb ->> 'reason'`, '=', 'refused by the sharing rule')
    .orderBy('a.id', 'desc')
    .limit(limit)
    .execute();

export type ReviewOutcome = { ok: true; childId: string } | { ok: false; problem: 'already-reviewed' | 'own-access' };

export async function markEmergencyAccessReviewed(db: Db, breakGlassId: string, reviewerId: string, note: string, now = new Date()): Promise<ReviewOutcome> {
  if (!/^[0-9a-f-]{36}$/.test(breakGlassId)) throw new NotFoundError('emergency access');
  const row = await db.selectFrom('break_glass').select(['id', 'child_id', 'user_id', 'reviewed_at']).where('id', '=', breakGlassId).executeTakeFirst();
  if (!row) throw new NotFoundError('emergency access');
  if (row.user_id === reviewerId) return { ok: false, problem: 'own-access' };
  const done = await db
    .updateTable('break_glass')
    .set({ reviewed_by: reviewerId, reviewed_at: now, review_note: note })
    .where('id', '=', breakGlassId)
    .where('reviewed_at', 'is', null)
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) !== 1) return { ok: false, problem: 'already-reviewed' };
  return { ok: true, childId: row.child_id };
}

/**
 * Whether someone else has reached this child's record through emergency access: the information
 * governance lead reviews what they did. Never one's own, which another lead reviews: a lead who
 * also works cases would otherwise keep this page of the record after their own access ended.
 */
export async function underEmergencyAccessReview(db: Db, childId: string | undefined, reviewerId: string): Promise<boolean> {
  if (!isUuid(childId)) return false;
  return (await db.selectFrom('break_glass').select('id').where('child_id', '=', childId).where('user_id', '<>', reviewerId).executeTakeFirst()) !== undefined;
}

// Who has looked at this record ---------------------------------------------------------------

export const WHO_HAS_LOOKED_PAGE_SIZE = 50;

/**
 * Every audited view, change and export of the child's record, newest first, 50 a page: the
 * organisation, roles and person, when, what (plain words), why (the purpose given) and whether
 * it was allowed. The same list will be shown to the family.
 */
export async function whoHasLooked(db: Db, childId: string, page = 1) {
  // Entries about the child, and entries that disclosed it among others (an export's rows).
  const base = db
    .selectFrom('audit_log as a')
    .where((eb) =>
      eb.or([
        eb.and([eb('a.subject_type', '=', 'child'), eb('a.subject_id', '=', childId)]),
        eb('a.id', 'in', eb.selectFrom('audit_children').select('audit_id').where('child_id', '=', childId)),
      ]),
    );
  const [{ total }] = (await base.select((eb) => eb.fn.countAll<number>().as('total')).execute()) as [{ total: number }];
  const at = pageOf(Number(total), page, WHO_HAS_LOOKED_PAGE_SIZE);
  const rows = await base
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .leftJoin('organisations as o', 'o.id', 'a.organisation_id')
    .select(['a.id', 'a.at', 'a.action', 'a.purpose', 'a.result', 'a.roles', 'a.details', 'u.display_name as person', 'o.name as organisation'])
    .orderBy('a.id', 'desc')
    .limit(WHO_HAS_LOOKED_PAGE_SIZE)
    .offset(at.offset)
    .execute();
  const entries = rows.map((r) => {
    let details: Record<string, unknown> = {};
    try {
      details = JSON.parse(r.details) as Record<string, unknown>;
    } catch {
      /* an entry without readable details still lists */
    }
    const lookedUpOnly = details.alreadyVisible === true;
    return {
      id: String(r.id),
      at: new Date(r.at),
      organisation: r.organisation,
      roles: roleNames(r.roles),
      person: r.person,
      action: r.action,
      what: lookedUpOnly ? 'Looked them up by number (they could already see the record)' : describeAction(r.action),
      why: r.purpose,
      emergency: !lookedUpOnly && (details.via === 'emergency access' || r.action.startsWith('child.emergency-access.')),
      allowed: r.result === 'allowed',
    };
  });
  return { entries, page: at.page, pages: at.pages, total: at.total };
}

// Approving what widens the recorder's own organisation's access (ADR 0012) -----------------------

export type SharingGrantKind = 'consent' | 'lawful-basis';

/** Everything waiting for a second person, oldest first: consents and lawful bases, with who recorded them. */
export async function listSharingToApprove(db: Db) {
  const [consents, bases] = await Promise.all([
    db
      .selectFrom('consents as k')
      .innerJoin('children as c', 'c.id', 'k.child_id')
      .leftJoin('users as u', 'u.id', 'k.recorded_by')
      .leftJoin('organisations as o', 'o.id', 'u.organisation_id')
      .select([
        'k.id',
        'k.child_id',
        'k.recorded_at',
        'k.recorded_by',
        'k.method',
        'k.evidence',
        'k.given_by',
        'k.given_on',
        'c.given_name',
        'c.family_name',
        'c.preferred_name',
        'u.display_name as recorded_by_name',
        'o.name as organisation_name',
        scopesOfConsent.as('scopes'),
        namedScopesOfConsent.as('namedScopes'),
      ])
      .where('k.approval', '=', 'pending')
      .where('k.withdrawn_at', 'is', null)
      .orderBy('k.recorded_at')
      .execute(),
    db
      .selectFrom('lawful_bases as b')
      .innerJoin('children as c', 'c.id', 'b.child_id')
      .innerJoin('organisations as bo', 'bo.id', 'b.organisation_id')
      .leftJoin('users as u', 'u.id', 'b.decided_by_user_id')
      .leftJoin('organisations as o', 'o.id', 'u.organisation_id')
      .select([
        'b.id',
        'b.child_id',
        'b.recorded_at',
        'b.decided_by_user_id as recorded_by',
        'b.basis',
        'b.sections',
        'b.explanation',
        'b.decided_on',
        'b.ends_on',
        'bo.name as for_organisation',
        'c.given_name',
        'c.family_name',
        'c.preferred_name',
        'u.display_name as recorded_by_name',
        'o.name as organisation_name',
      ])
      .where('b.approval', '=', 'pending')
      .where('b.ended_at', 'is', null)
      .orderBy('b.recorded_at')
      .execute(),
  ]);
  return { consents, bases };
}

export type DecideOutcome =
  { ok: true; childId: string; recordedBy: string | null } | { ok: false; problem: 'own-record' | 'own-organisation' | 'already-decided' };

/**
 * Approves or refuses a pending consent or lawful basis. Never by the person who recorded it,
 * nor by an approver who also works cases in an organisation it gives to: approving it would
 * widen their own access.
 */
export async function decideSharing(
  db: Db,
  d: { kind: SharingGrantKind; id: string; decider: Viewer; approve: boolean; note: string },
  now = new Date(),
): Promise<DecideOutcome> {
  if (!/^[0-9a-f-]{36}$/.test(d.id)) throw new NotFoundError(d.kind);
  const row =
    d.kind === 'consent'
      ? await db
          .selectFrom('consents as k')
          .select(['k.child_id', 'k.recorded_by as recorder', scopesOfConsent.as('scopes'), organisationScopesOfConsent.as('organisationScopes')])
          .where('k.id', '=', d.id)
          .executeTakeFirst()
      : await db
          .selectFrom('lawful_bases')
          .select(['child_id', 'decided_by_user_id as recorder', 'organisation_id', 'sections'])
          .where('id', '=', d.id)
          .executeTakeFirst();
  if (!row) throw new NotFoundError(d.kind);
  if (row.recorder === d.decider.userId) return { ok: false, problem: 'own-record' };
  const grant =
    'scopes' in row
      ? { consent: { scopes: row.scopes, organisationScopes: row.organisationScopes } }
      : { lawfulBasis: { organisationId: row.organisation_id, sections: row.sections } };
  if (d.approve && hasCaseworkRole(d.decider) && sectionsGrantedToOwnOrganisation(d.decider, grant).length > 0)
    return { ok: false, problem: 'own-organisation' };
  const set = { approval: d.approve ? ('approved' as const) : ('refused' as const), approval_by: d.decider.userId, approval_at: now, approval_note: d.note };
  const done =
    d.kind === 'consent'
      ? await db.updateTable('consents').set(set).where('id', '=', d.id).where('approval', '=', 'pending').executeTakeFirst()
      : await db.updateTable('lawful_bases').set(set).where('id', '=', d.id).where('approval', '=', 'pending').executeTakeFirst();
  if (Number(done.numUpdatedRows) !== 1) return { ok: false, problem: 'already-decided' };
  return { ok: true, childId: row.child_id, recordedBy: row.recorder };
}

/** Active people who approve sharing (information governance leads), to be told something waits. */
export const sharingApprovers = (db: Db) =>
  db
    .selectFrom('users as u')
    .innerJoin('user_roles as r', 'r.user_id', 'u.id')
    .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select(['u.id', 'u.email'])
    .where('r.role', '=', 'information-governance-lead')
    .where('u.active', '=', true)
    .where('o.active', '=', true)
    .distinct()
    .execute();

export const emailOf = async (db: Db, userId: string) =>
  (await db.selectFrom('users').select(['email', 'active']).where('id', '=', userId).executeTakeFirst()) ?? null;

// What a person did and saw through emergency access ---------------------------------------------

/**
 * For each emergency access given, every audited action of that person on that child between
 * its start and its end (views, searches and exports that listed the child, and refused
 * attempts to change it), oldest first: what the information governance lead reviews.
 */
export async function emergencyAccessActivity(db: Db, breakGlassIds: readonly string[]) {
  if (breakGlassIds.length === 0) return new Map<string, { at: Date; action: string; what: string; allowed: boolean }[]>();
  const { rows } = await sql<{ break_glass_id: string; at: string; action: string; result: string }>`
    select g.id as break_glass_id, a.at, a.action, a.result
    from break_glass g
    join audit_log a on a.user_id = g.user_id and a.at >= g.started_at and a.at <= g.expires_at
    where g.id in (${sql.join(breakGlassIds.map((id) => sql`${id}::uuid`))})
      and ((a.subject_type = 'child' and a.subject_id = g.child_id::text)
           or exists (select 1 from audit_children ac where ac.audit_id = a.id and ac.child_id = g.child_id))
    order by g.id, a.id`.execute(db);
  const out = new Map<string, { at: Date; action: string; what: string; allowed: boolean }[]>();
  for (const r of rows) {
    const list = out.get(r.break_glass_id) ?? [];
    list.push({ at: new Date(r.at), action: r.action, what: describeAction(r.action), allowed: r.result === 'allowed' });
    out.set(r.break_glass_id, list);
  }
  return out;
}

/** What a merge held back, so that undoing it gives it back exactly. */
export interface HeldByMerge {
  consentIds: string[];
  lawfulBasisIds: string[];
  breakGlass: { id: string; expiresAt: string }[];
}

/**
 * After a merge: the consents and lawful bases moved from the merged record that no second
 * person approved wait for one now (they were recorded about another record, and may be someone's
 * grant to themselves); emergency access to the merged record ends rather than opening the kept one.
 */
export async function holdGrantsCarriedByMerge(
  db: Db,
  moved: { consentIds: readonly string[]; lawfulBasisIds: readonly string[]; breakGlassIds: readonly string[] },
  now = new Date(),
): Promise<HeldByMerge> {
  // Only what counted without a second person: approved, with no approval recorded.
  const hold = async (table: 'consents' | 'lawful_bases', ids: readonly string[]) =>
    ids.length
      ? (
          await db
            .updateTable(table)
            .set({ approval: 'pending' })
            .where('id', 'in', [...ids])
            .where('approval', '=', 'approved')
            .where('approval_at', 'is', null)
            .returning('id')
            .execute()
        ).map((r) => r.id)
      : [];
  const held: HeldByMerge = {
    consentIds: await hold('consents', moved.consentIds),
    lawfulBasisIds: await hold('lawful_bases', moved.lawfulBasisIds),
    breakGlass: [],
  };
  if (moved.breakGlassIds.length) {
    const open = await db
      .selectFrom('break_glass')
      .select(['id', 'expires_at'])
      .where('id', 'in', [...moved.breakGlassIds])
      .where('expires_at', '>', now)
      .execute();
    if (open.length)
      await db
        .updateTable('break_glass')
        .set({ expires_at: now })
        .where(
          'id',
          'in',
          open.map((g) => g.id),
        )
        .execute();
    held.breakGlass = open.map((g) => ({ id: g.id, expiresAt: new Date(g.expires_at).toISOString() }));
  }
  return held;
}

/** Undoing a merge gives back what it held: grants still waiting count again, emergency access runs to its old end. */
export async function releaseGrantsHeldByMerge(db: Db, held: HeldByMerge) {
  for (const [table, ids] of [
    ['consents', held.consentIds],
    ['lawful_bases', held.lawfulBasisIds],
  ] as const) {
    if (ids.length) await db.updateTable(table).set({ approval: 'approved' }).where('id', 'in', ids).where('approval', '=', 'pending').execute();
  }
  for (const g of held.breakGlass)
    await db
      .updateTable('break_glass')
      .set({ expires_at: new Date(g.expiresAt) })
      .where('id', '=', g.id)
      .execute();
}
