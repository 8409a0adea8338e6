// The partnership's part of "Your work": changes to the partnership-administrator role waiting
// for a second administrator, other than those this person asked for or that are about them
// (decideRoleRequest refuses both).
import type { WorklistContributor } from '../../../platform/worklist.js';
import { ROLES, isRole } from '../../../platform/access/roles.js';
import { paths } from '../../../paths.js';
import { sql } from 'kysely';

export const partnershipWorklist: WorklistContributor = {
  name: 'People',
  permissions: ['users:manage'],
  async items({ db, user }) {
    const rows = await db
      .selectFrom('role_requests as r')
      .innerJoin('users as u', 'u.id', 'r.user_id')
      .innerJoin('users as by', 'by.id', 'r.requested_by')
      .select([
        'r.user_id',
        'r.role',
        'r.change',
        'u.display_name',
        'by.display_name as requested_by_name',
        sql<string>`(r.requested_at at time zone 'Europe/London')::date::text`.as('since'),
      ])
      .where('r.decision', 'is', null)
      .where('r.requested_by', '<>', user.id)
      .where('r.user_id', '<>', user.id)
      .orderBy('r.requested_at')
      .execute();
    return rows.map((r) => {
      const role = isRole(r.role) ? ROLES[r.role].toLowerCase() : r.role;
      return {
        text: `${r.change === 'grant' ? `Approve or refuse making ${r.display_name} a ${role}` : `Approve or refuse removing ${r.display_name} as a ${role}`}`,
        href: paths.admin.user(r.user_id),
        count: 1,
        dueOn: r.since,
        dueLabel: 'Asked on',
        note: `Asked for by ${r.requested_by_name}`,
      };
    });
  },
};
