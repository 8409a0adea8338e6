// The sharing rule as a test asks it: who a demo person is to the rule, and what they may see of a
// child by the rule alone once any emergency access has ended (what an attacker would keep).
import { accessFor, SECTION_KEYS, type Section, type Viewer } from '../../src/capabilities/record/sharing/rules.js';
import { loadSharingFacts } from '../../src/capabilities/record/sharing/service.js';
import type { Db } from '../../src/platform/db/database.js';

export async function viewerOf(db: Db, email: string): Promise<Viewer> {
  const u = await db
    .selectFrom('users as u')
    .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select(['u.id', 'u.organisation_id', 'o.type'])
    .where('u.email', '=', email)
    .executeTakeFirstOrThrow();
  const roles = (await db.selectFrom('user_roles').select('role').where('user_id', '=', u.id).execute()).map((r) => r.role);
  return { userId: u.id, organisationId: u.organisation_id, organisationType: u.type, roles };
}

/** What the person may see of the child by the sharing rule alone: emergency access left out, as it ends. */
export async function lastingSections(db: Db, viewer: Viewer, childId: string): Promise<Section[]> {
  const facts = await loadSharingFacts(db, childId);
  const a = accessFor(viewer, { ...facts, breakGlass: [] }, new Date());
  return a.visible ? SECTION_KEYS.filter((s) => a.sections.has(s)) : [];
}
