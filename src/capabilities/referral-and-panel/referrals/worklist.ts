// Referrals' part of "Your work": the triage queue, for those who triage it.
import { sql } from 'kysely';
import type { WorklistContributor } from '../../../platform/worklist.js';
import { paths } from '../../../paths.js';

export const referralsWorklist: WorklistContributor = {
  name: 'Referrals',
  permissions: ['referrals:triage'],
  async items({ db }) {
    // Received, or back with more information: waiting for a triage decision (the queue's open statuses, index-only).
    const row = await db
      .selectFrom('referrals')
      .select([sql<number>`count(*)::int`.as('n'), sql<string | null>`min(received_on)::text`.as('oldest')])
      .where(sql<boolean>`status in ('received', 'more-information')`)
      .executeTakeFirstOrThrow();
    const n = Number(row.n);
    if (!n) return [];
    return [
      {
        text: n === 1 ? 'Triage 1 referral' : `Triage ${n} referrals`,
        href: paths.referrals.queue,
        count: n,
        dueOn: row.oldest,
        dueLabel: 'Oldest received',
      },
    ];
  },
};
