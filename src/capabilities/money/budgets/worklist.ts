// Budgets' part of "Your work": packages whose review date has passed, or comes within two
// weeks, for those who open packages (budgets:entries). Named by package reference and service,
// never by the child.
import { sql } from 'kysely';
import type { WorklistContributor } from '../../../platform/worklist.js';
import { addDays } from '../../../platform/financial-year.js';
import { paths } from '../../../paths.js';
import { REVIEW_SOON_DAYS } from './review.js';

/** The soonest this many are listed; the home page says how many more there are. */
const LISTED = 10;

export const budgetsWorklist: WorklistContributor = {
  name: 'Packages',
  permissions: ['budgets:entries'],
  async items({ db, today }) {
    const rows = await db
      .selectFrom('packages as k')
      .select(['k.id', 'k.reference', 'k.service', 'k.review_on', sql<number>`count(*) over ()::int`.as('total')])
      .where('k.review_on', 'is not', null)
      .where('k.review_on', '<=', addDays(today, REVIEW_SOON_DAYS))
      .where((eb) => eb.or([eb('k.ends_on', 'is', null), eb('k.ends_on', '>=', today)]))
      .orderBy('k.review_on')
      .orderBy('k.reference')
      .limit(LISTED)
      .execute();
    const total = Number(rows[0]?.total ?? 0);
    return rows.map((k, i) => ({
      text: `Review package ${k.reference}`,
      href: paths.budgets.package(k.id),
      count: 1,
      dueOn: k.review_on,
      note: i === rows.length - 1 && total > rows.length ? `${k.service} (and ${total - rows.length} more packages due for review after this one)` : k.service,
    }));
  },
};
