// The Local Offer's part of "Your work" (ADR 0018): for an officer, changes waiting for a
// decision and entries past their review date; for a provider, its own entries, soonest review
// first. Counts and the oldest date only, one query each.
import { sql } from 'kysely';
import type { WorkItem, WorklistContributor } from '../../../platform/worklist.js';
import { paths } from '../../../paths.js';

const day = (d: Date | string | null) => (d === null ? null : typeof d === 'string' ? d.slice(0, 10) : d.toISOString().slice(0, 10));

export const localOfferWorklist: WorklistContributor = {
  name: 'Local Offer',
  permissions: ['local-offer:moderate', 'local-offer:provide'],
  async items({ db, user, today }) {
    const out: WorkItem[] = [];
    if (user.permissions.has('local-offer:moderate')) {
      const { rows } = await sql<{ waiting: number; since: Date | string | null; stale: number; oldest: string | null }>`
        select (select count(*)::int from offer_changes where decision is null) as waiting,
               (select min(submitted_at) from offer_changes where decision is null) as since,
               (select count(*)::int from offer_services where status <> 'defunct' and review_due < ${today}::date) as stale,
               (select min(review_due)::text from offer_services where status <> 'defunct' and review_due < ${today}::date) as oldest`.execute(db);
      const r = rows[0]!;
      if (r.waiting > 0) {
        out.push({
          text: 'Decide changes to the Local Offer',
          href: paths.localOffer.moderation,
          count: r.waiting,
          dueOn: day(r.since),
          dueLabel: 'Waiting since',
        });
      }
      if (r.stale > 0)
        out.push({ text: 'Chase Local Offer entries past their review date', href: paths.localOffer.moderation, count: r.stale, dueOn: r.oldest });
    }
    if (user.permissions.has('local-offer:provide')) {
      const { rows } = await sql<{ entries: number; next: string | null }>`
        select count(*)::int as entries, min(review_due)::text as next
        from offer_services where owner_organisation_id = ${user.organisationId} and status <> 'defunct'`.execute(db);
      const r = rows[0]!;
      if (r.entries > 0)
        out.push({
          text: 'Keep your Local Offer entries up to date',
          href: paths.localOffer.provider,
          count: r.entries,
          dueOn: r.next,
          dueLabel: 'Next review',
        });
    }
    return out;
  },
};
