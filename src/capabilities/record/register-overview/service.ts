// Counting the register for the overview: one GROUP BY GROUPING SETS query gives every
// breakdown at once. Only counts leave this file; no name, date of birth or identifier does.
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { AGE_BANDS, BREAKDOWNS, NOT_RECORDED, OVER_25, birthDatesForBand, type AgeBandCode, type BreakdownKey } from './rules.js';

export interface OverviewFilter {
  localityId?: string;
  ageBand?: AgeBandCode;
}

export interface RegisterCounts {
  /** Children on the register (status active) that match the filter. */
  total: number;
  counts: Record<BreakdownKey, Map<string, number>>;
}

export const listLocalities = (db: Db) => db.selectFrom('localities').select(['id', 'code', 'name']).orderBy('name').orderBy('code').execute();

/** Counts children on the register (status active) by every breakdown, on `today` ('YYYY-MM-DD'). */
export async function countRegister(db: Db, filter: OverviewFilter, today: string): Promise<RegisterCounts> {
  const conditions = [sql`c.status = 'active'`];
  if (filter.localityId) conditions.push(sql`c.locality_id = ${filter.localityId}::uuid`);
  if (filter.ageBand) {
    const { bornOnOrAfter, bornOnOrBefore } = birthDatesForBand(filter.ageBand, today);
    conditions.push(sql`c.date_of_birth between ${bornOnOrAfter}::date and ${bornOnOrBefore}::date`);
  }
  // Age bands as date-of-birth limits worked out here, so the database compares dates only.
  const ageBand = sql`case ${sql.join(
    AGE_BANDS.map((b) => sql`when c.date_of_birth >= ${birthDatesForBand(b.code, today).bornOnOrAfter}::date then ${b.code}`),
    sql` `,
  )} else ${OVER_25.code} end`;
  // How many organisations work with each child now: one pass over current involvements.
  const { rows } = await sql<Record<string, string | number | null>>`
    with involved as (
      select i.child_id, count(distinct i.organisation_id)::int as n
      from involvements i
      where i.started_on <= ${today}::date and (i.ended_on is null or i.ended_on >= ${today}::date)
      group by i.child_id
    ),
    a as (
      select coalesce(c.primary_need, ${NOT_RECORDED}) as need,
             ${ageBand} as age,
             coalesce(c.severity, ${NOT_RECORDED}) as severity,
             coalesce(c.locality_id::text, ${NOT_RECORDED}) as locality,
             c.ethnicity,
             case when c.has_ehc_plan then 'yes' else 'no' end as plan,
             coalesce(v.n, 0) as orgs
      from children c left join involved v on v.child_id = c.id
      where ${sql.join(conditions, sql` and `)}
    ),
    b as (
      select need, age, severity, locality, ethnicity, plan,
             case when orgs >= 3 then '3+' else orgs::text end as organisations
      from a
    )
    select need, age, severity, locality, ethnicity, plan, organisations,
           grouping(need) as g_need, grouping(age) as g_age, grouping(severity) as g_severity,
           grouping(locality) as g_locality, grouping(ethnicity) as g_ethnicity, grouping(plan) as g_plan,
           grouping(organisations) as g_organisations,
           count(*)::int as n
    from b
    group by grouping sets ((need), (age), (severity), (locality), (ethnicity), (plan), (organisations), ())`.execute(db);

  const counts = Object.fromEntries(BREAKDOWNS.map((b) => [b.key, new Map<string, number>()])) as Record<BreakdownKey, Map<string, number>>;
  let total = 0;
  for (const r of rows) {
    const n = Number(r.n);
    const key = BREAKDOWNS.find((b) => Number(r[`g_${b.key}`]) === 0)?.key;
    if (!key) total = n;
    else counts[key].set(String(r[key]), n);
  }
  return { total, counts };
}

/**
 * Counts are the same for everyone allowed to see them, and need not be to the second, so each
 * filter's counts are kept for a short while and shared: many commissioners opening the page
 * together cause one count, not one each. A count already running is shared too.
 */
export function createCountCache(opts: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}) {
  const ttl = opts.ttlMs ?? 60_000;
  const max = opts.maxEntries ?? 200;
  const now = opts.now ?? Date.now;
  const entries = new Map<string, { at: number; value: Promise<RegisterCounts> }>();
  return {
    /** The counts for `filter` on `today`, and when they were counted. */
    async get(db: Db, filter: OverviewFilter, today: string): Promise<{ counts: RegisterCounts; countedAt: Date }> {
      const key = JSON.stringify([today, filter.localityId ?? null, filter.ageBand ?? null]);
      const t = now();
      let entry = entries.get(key);
      if (!entry || t - entry.at >= ttl) {
        entry = { at: t, value: countRegister(db, filter, today) };
        entries.delete(key);
        entries.set(key, entry);
        while (entries.size > max) entries.delete(entries.keys().next().value!);
        const mine = entry;
        mine.value.catch(() => {
          if (entries.get(key) === mine) entries.delete(key);
        });
      }
      return { counts: await entry.value, countedAt: new Date(entry.at) };
    },
  };
}
