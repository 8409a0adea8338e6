// Access to a child's record for other capabilities: the one place that decides. Other
// capabilities call requireChild() for a record page and visibleChildIds() for lists, search,
// counts and exports, so a child outside the rule does not exist for that person anywhere.
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { CurrentUser } from '../../platform/auth/current-user.js';
import { NotFoundError } from '../../platform/http/errors.js';
import { todayInLondon } from '../../platform/dates.js';
import type { RouteContext } from '../../platform/http/route.js';
import { accessFor, hasCaseworkRole, type Access, type Section, type SharingFacts, type Viewer } from './rules.js';

export const viewerOf = (u: CurrentUser): Viewer => ({
  userId: u.id,
  organisationId: u.organisationId,
  organisationType: u.organisationType,
  roles: u.roles,
});

export async function loadSharingFacts(db: Db, childId: string, now = new Date()): Promise<SharingFacts> {
  const today = todayInLondon(now);
  const [involved, consents, bases, glass] = await Promise.all([
    db
      .selectFrom('involvements')
      .select('organisation_id')
      .where('child_id', '=', childId)
      .where('started_on', '<=', today)
      .where((eb) => eb.or([eb('ended_on', 'is', null), eb('ended_on', '>=', today)]))
      .execute(),
    db
      .selectFrom('consents as k')
      .leftJoin('consent_scopes as s', 's.consent_id', 'k.id')
      .select(['k.id', 'k.withdrawn_at', 's.organisation_type', 's.section'])
      .where('k.child_id', '=', childId)
      .execute(),
    db.selectFrom('lawful_bases').select(['organisation_id', 'sections', 'ended_at', 'ends_on', 'decided_on']).where('child_id', '=', childId).execute(),
    db.selectFrom('break_glass').select(['user_id', 'expires_at']).where('child_id', '=', childId).execute(),
  ]);
  const byConsent = new Map<string, { withdrawn: boolean; scopes: { organisationType: string; section: string }[] }>();
  for (const r of consents) {
    const c = byConsent.get(r.id) ?? { withdrawn: r.withdrawn_at !== null, scopes: [] };
    if (r.organisation_type && r.section) c.scopes.push({ organisationType: r.organisation_type, section: r.section });
    byConsent.set(r.id, c);
  }
  return {
    involvedOrganisationIds: involved.map((r) => r.organisation_id),
    consents: [...byConsent.values()],
    lawfulBases: bases.map((b) => ({
      organisationId: b.organisation_id,
      sections: b.sections,
      current: b.ended_at === null && b.decided_on <= today && (b.ends_on === null || b.ends_on >= today),
    })),
    breakGlass: glass.map((g) => ({ userId: g.user_id, expiresAt: new Date(g.expires_at) })),
  };
}

export async function childAccess(db: Db, viewer: Viewer, childId: string, now = new Date()): Promise<Access> {
  if (!hasCaseworkRole(viewer)) return { visible: false };
  const exists = await db.selectFrom('children').select('id').where('id', '=', childId).executeTakeFirst();
  if (!exists) return { visible: false };
  return accessFor(viewer, await loadSharingFacts(db, childId, now), now);
}

/**
 * For a route showing a child's data: checks access, records the child as the audit subject
 * (with the purpose, and emergency access when that is how it was reached), and answers the
 * sections the person may see. A child they may not see is "not found", like one that does not exist.
 */
export async function requireChild(ctx: RouteContext, childId: string | undefined, section: Section = 'core', purpose?: string) {
  if (!ctx.user || !childId || !/^[0-9a-f-]{36}$/.test(childId)) throw new NotFoundError('child');
  const access = await childAccess(ctx.db, viewerOf(ctx.user), childId);
  if (!access.visible || !access.sections.has(section)) throw new NotFoundError('child');
  ctx.audit.subjectType = 'child';
  ctx.audit.subjectId = childId;
  ctx.audit.details = { ...ctx.audit.details, section, ...(access.via === 'emergency-access' ? { via: 'emergency access' } : {}) };
  if (purpose) ctx.audit.purpose = purpose;
  return access;
}

/**
 * The same rule in SQL, as a condition on a `children` row aliased `alias`, for lists, search,
 * counts and exports. Must agree with accessFor() (a property test checks it does).
 */
export function visibleChild(viewer: Viewer, alias = 'c', now = new Date()): Expression<SqlBool> {
  if (!hasCaseworkRole(viewer)) return sql<SqlBool>`false`;
  const today = todayInLondon(now);
  const id = sql.ref(`${alias}.id`);
  return sql<SqlBool>`(
    exists (select 1 from break_glass g where g.child_id = ${id} and g.user_id = ${viewer.userId} and g.expires_at > ${now})
    or (
      exists (select 1 from involvements i where i.child_id = ${id} and i.organisation_id = ${viewer.organisationId}
              and i.started_on <= ${today}::date and (i.ended_on is null or i.ended_on >= ${today}::date))
      and (
        exists (select 1 from consents k join consent_scopes s on s.consent_id = k.id
                where k.child_id = ${id} and k.withdrawn_at is null
                  and s.organisation_type = ${viewer.organisationType} and s.section = 'core')
        or exists (select 1 from lawful_bases b where b.child_id = ${id} and b.organisation_id = ${viewer.organisationId}
                   and b.ended_at is null and b.decided_on <= ${today}::date and (b.ends_on is null or b.ends_on >= ${today}::date)
                   and 'core' = any(b.sections))
      )
    )
  )`;
}

/** Ids of the children this person may see. */
export const visibleChildIds = (db: Db, viewer: Viewer, now = new Date()) =>
  db.selectFrom('children as c').select('c.id').where(visibleChild(viewer, 'c', now));
