// Matching review's part of "Your work": uncertain pairs waiting for a person to decide.
import { sql } from 'kysely';
import type { WorklistContributor } from '../../../platform/worklist.js';
import { paths } from '../../../paths.js';

export const matchingReviewWorklist: WorklistContributor = {
  name: 'Matches to review',
  permissions: ['records:import'],
  async items({ db }) {
    const row = await db
      .selectFrom('match_reviews')
      .select([sql<number>`count(*)::int`.as('n'), sql<string | null>`(min(created_at) at time zone 'Europe/London')::date::text`.as('oldest')])
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    const n = Number(row.n);
    if (!n) return [];
    return [
      {
        text: n === 1 ? 'Review 1 uncertain match' : `Review ${n} uncertain matches`,
        href: paths.matching.queue,
        count: n,
        dueOn: row.oldest,
        dueLabel: 'Waiting since',
      },
    ];
  },
};
