// Sharing's part of "Your work": emergency access to review and consents or lawful bases waiting
// for a second person (information governance); for caseworkers, key workers and practitioners,
// the consents of their own children (named key worker, or named practitioner on a current
// involvement) that are due for review. Only children the sharing rule lets the person see are
// named, and the home page's audit entry lists them.
import { sql } from 'kysely';
import type { WorklistContributor, WorkItem } from '../../../platform/worklist.js';
import { addDays } from '../../../platform/financial-year.js';
import { paths } from '../../../paths.js';
import { viewerOf, visibleChild } from './service.js';
import { hasCaseworkRole } from './rules.js';

/** A consent due for review within this many days is work now: time to arrange to ask the family again. */
export const CONSENT_REVIEW_NOTICE_DAYS = 28;
/** The soonest this many children are listed; the last item says how many more there are. */
const LISTED = 5;

export const sharingWorklist: WorklistContributor = {
  name: 'Sharing',
  permissions: ['emergency-access:review', 'sharing:approve', 'children:view'],
  async items({ db, user, today }) {
    const items: WorkItem[] = [];
    const p = user.permissions;
    if (p.has('emergency-access:review') || p.has('sharing:approve')) {
      const { rows } = await sql<{ glass: number; glass_since: string | null; pending: number; pending_since: string | null }>`
        select
          (select count(*)::int from break_glass where reviewed_at is null) as glass,
          (select (min(started_at) at time zone 'Europe/London')::date::text from break_glass where reviewed_at is null) as glass_since,
          ((select count(*) from consents where approval = 'pending' and withdrawn_at is null)
            + (select count(*) from lawful_bases where approval = 'pending' and ended_at is null))::int as pending,
          (select (min(t) at time zone 'Europe/London')::date::text from (
            select min(recorded_at) as t from consents where approval = 'pending' and withdrawn_at is null
            union all select min(recorded_at) from lawful_bases where approval = 'pending' and ended_at is null) x) as pending_since
      `.execute(db);
      const r = rows[0]!;
      if (p.has('emergency-access:review') && r.glass > 0)
        items.push({
          text: r.glass === 1 ? 'Review 1 use of emergency access' : `Review ${r.glass} uses of emergency access`,
          href: paths.register.emergencyAccessReview,
          count: r.glass,
          dueOn: r.glass_since,
          dueLabel: 'Waiting since',
        });
      if (p.has('sharing:approve') && r.pending > 0)
        items.push({
          text: r.pending === 1 ? 'Approve or refuse 1 consent or lawful basis' : `Approve or refuse ${r.pending} consents and lawful bases`,
          href: paths.register.sharingApprovals,
          count: r.pending,
          dueOn: r.pending_since,
          dueLabel: 'Waiting since',
        });
    }
    const viewer = viewerOf(user);
    if (p.has('children:view') && hasCaseworkRole(viewer)) {
      const rows = await db
        .selectFrom('children as c')
        .innerJoin('consents as k', 'k.child_id', 'c.id')
        .select([
          'c.id',
          'c.given_name',
          'c.family_name',
          'c.preferred_name',
          sql<string>`min(k.review_on)::text`.as('review_on'),
          sql<number>`count(*) over ()::int`.as('total'),
        ])
        .where('k.withdrawn_at', 'is', null)
        .where('k.approval', '=', 'approved')
        .where('k.review_on', '<=', addDays(today, CONSENT_REVIEW_NOTICE_DAYS))
        .where((eb) =>
          eb.or([
            eb.exists(eb.selectFrom('key_workers as w').select('w.child_id').whereRef('w.child_id', '=', 'c.id').where('w.user_id', '=', user.id)),
            eb.exists(
              eb
                .selectFrom('involvements as i')
                .select('i.child_id')
                .whereRef('i.child_id', '=', 'c.id')
                .where('i.practitioner_user_id', '=', user.id)
                .where('i.started_on', '<=', today)
                .where((e) => e.or([e('i.ended_on', 'is', null), e('i.ended_on', '>=', today)])),
            ),
          ]),
        )
        .where(visibleChild(viewer, 'c'))
        .groupBy(['c.id', 'c.given_name', 'c.family_name', 'c.preferred_name'])
        .orderBy(sql`min(k.review_on)`)
        .orderBy('c.family_name')
        .orderBy('c.id')
        .limit(LISTED)
        .execute();
      const total = Number(rows[0]?.total ?? 0);
      rows.forEach((c, i) =>
        items.push({
          text: `Review consent to share ${c.preferred_name?.trim() || c.given_name} ${c.family_name}’s information`,
          href: paths.children.sharing(c.id),
          count: 1,
          dueOn: c.review_on,
          note:
            i === rows.length - 1 && total > rows.length
              ? `And ${total - rows.length} more of your children’s consents are due for review after this one`
              : undefined,
          children: [c.id],
        }),
      );
    }
    return items;
  },
};
