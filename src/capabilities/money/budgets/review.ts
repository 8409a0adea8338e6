// When a package of support is due for review: a pure rule, used by the package's pages and by
// "Your work". A package that has ended needs no review; one whose review date has passed while
// it continues is overdue.
import { addDays } from '../../../platform/financial-year.js';

/** How soon a coming review counts as due. */
export const REVIEW_SOON_DAYS = 14;

/** 'overdue' (review date passed, package continuing), 'due' (within `soonDays`), or null. */
export function reviewState(pkg: { review_on: string | null; ends_on: string | null }, today: string, soonDays = REVIEW_SOON_DAYS): 'overdue' | 'due' | null {
  if (!pkg.review_on) return null;
  if (pkg.ends_on !== null && pkg.ends_on < today) return null;
  if (pkg.review_on < today) return 'overdue';
  return pkg.review_on <= addDays(today, soonDays) ? 'due' : null;
}
