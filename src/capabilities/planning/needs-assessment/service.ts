// The needs assessment's reads and loads. Counting is two queries over the register (one GROUP BY
// GROUPING SETS for every breakdown, one for the month-by-month series) and one each for the
// population, the DfE figures and the settings. Only counts leave this file; no name, date of
// birth or identifier does. Raw counts go to rules.ts protectReport and nowhere else.
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { ORGANISATION_TYPES } from '../../../platform/access/roles.js';
import { birthDatesForBand } from '../../record/register-overview/index.js';
import {
  AGE_BANDS,
  BREAKDOWN_KEYS,
  DFE_NEED_CODES,
  NOT_RECORDED,
  OVER_25,
  dfeAgeBand,
  monthEnds,
  monthSeries,
  populationOf,
  share,
  sumPublished,
  type BreakdownKey,
  type DfeFigure,
  type Population,
  type PopulationRow,
  type RawCounts,
} from './rules.js';

export const MONTHS_SHOWN = 24;

export interface ReportContext {
  localities: { code: string; name: string }[];
  settings: { key: string; label: string }[];
  organisationTypes: Record<string, string>;
  population: Population | null;
}

/** Counts children on the register (status active) on `today`, by every breakdown, and the monthly series. */
export async function countNeeds(db: Db, today: string): Promise<RawCounts> {
  const ageBand = sql`case ${sql.join(
    AGE_BANDS.map((b) => sql`when c.date_of_birth >= ${birthDatesForBand(b.code, today).bornOnOrAfter}::date then ${b.code}`),
    sql` `,
  )} else ${OVER_25.code} end`;
  const { rows } = await sql<Record<string, string | number | null>>`
    with now_involved as (
      select i.child_id, count(distinct i.organisation_id)::int as orgs,
             min(o.type) as only_type,
             min(case when o.type = 'school' then o.code end) as school
      from involvements i join organisations o on o.id = i.organisation_id
      where i.started_on <= ${today}::date and (i.ended_on is null or i.ended_on >= ${today}::date)
      group by i.child_id
    ),
    a as (
      select coalesce(c.primary_need, ${NOT_RECORDED}) as need,
             ${ageBand} as age,
             coalesce(l.code, ${NOT_RECORDED}) as locality,
             c.ethnicity,
             case when c.has_ehc_plan then 'ehcp' else 'no-plan' end as plan,
             coalesce(v.school, ${NOT_RECORDED}) as setting,
             case when coalesce(v.orgs, 0) = 0 then 'none' when v.orgs = 1 then 'one' else 'more' end as agencies,
             case when v.orgs = 1 then v.only_type end as one_type
      from children c
      left join localities l on l.id = c.locality_id
      left join now_involved v on v.child_id = c.id
      where c.status = 'active'
    )
    select need, age, locality, ethnicity, plan, setting, agencies, one_type,
           grouping(need) as g_need, grouping(age) as g_age, grouping(locality) as g_locality,
           grouping(ethnicity) as g_ethnicity, grouping(plan) as g_plan, grouping(setting) as g_setting,
           grouping(agencies) as g_agencies, grouping(one_type) as g_one_type,
           count(*)::int as n
    from a
    group by grouping sets ((need), (age), (locality), (ethnicity), (plan), (setting), (agencies), (one_type), ())`.execute(db);

  const counts = Object.fromEntries(BREAKDOWN_KEYS.map((k) => [k, new Map<string, number>()])) as Record<BreakdownKey, Map<string, number>>;
  const oneAgencyByType = new Map<string, number>();
  let total = 0;
  for (const r of rows) {
    const n = Number(r.n);
    const key = BREAKDOWN_KEYS.find((k) => Number(r[`g_${k}`]) === 0);
    if (key) counts[key].set(String(r[key]), n);
    else if (Number(r.g_one_type) === 0) {
      if (r.one_type !== null) oneAgencyByType.set(String(r.one_type), n);
    } else total = n;
  }

  // Month by month from the record's own dates: a child is on the register at a month's end when
  // they joined on or before it and were still active, or left (moved away, turned 26, ...) after it.
  // Counted as joinings and leavings by month (one pass over the children), then added up here: a
  // child counts from the month they joined until the month they left (never before they joined).
  const ends = monthEnds(today, MONTHS_SHOWN);
  const events = await sql<{ month: string; joined: number; left_: number }>`
    select to_char(month, 'YYYY-MM') as month, sum(joined)::int as joined, sum(left_)::int as left_
    from (
      select date_trunc('month', c.joined_on) as month, count(*) as joined, 0 as left_
      from children c group by 1
      union all
      select date_trunc('month', greatest(c.status_on, c.joined_on)), 0, count(*)
      from children c where c.status <> 'active' and c.status_on is not null group by 1
    ) e
    group by 1 order by 1`.execute(db);
  const months = monthSeries(
    ends,
    events.rows.map((r) => ({ month: r.month, joined: Number(r.joined), left: Number(r.left_) })),
  );
  return { total, counts, oneAgencyByType, months };
}

/** Localities, schools and colleges (the settings), and the population: what the groups and rates need. */
export async function reportContext(db: Db): Promise<ReportContext> {
  const [localities, schools, population] = await Promise.all([
    db.selectFrom('localities').select(['code', 'name']).orderBy('name').orderBy('code').execute(),
    db.selectFrom('organisations').select(['code', 'name']).where('type', '=', 'school').orderBy('name').execute(),
    db.selectFrom('needs_population').select(['age', 'locality_code', 'people']).execute(),
  ]);
  return {
    localities,
    settings: schools.map((s) => ({ key: s.code, label: s.name })),
    organisationTypes: { ...ORGANISATION_TYPES },
    population: populationOf(population.map((p) => ({ age: p.age, localityCode: p.locality_code, people: p.people }))),
  };
}

// ---------------------------------------------------------------------------------------------
// Loading (the CLI and the demo). Each replaces the table whole, in the caller's transaction.

export async function loadPopulation(db: Db, rows: readonly PopulationRow[]) {
  await db.deleteFrom('needs_population').execute();
  for (let i = 0; i < rows.length; i += 1000) {
    await db
      .insertInto('needs_population')
      .values(rows.slice(i, i + 1000).map((r) => ({ age: r.age, locality_code: r.localityCode, people: r.people })))
      .execute();
  }
}

/** Replaces every DfE figure. The same files loaded again leave the table exactly as it was. */
export async function loadDfeFigures(db: Db, figures: readonly DfeFigure[]): Promise<{ before: number; after: number }> {
  const before = Number(
    (
      await db
        .selectFrom('needs_dfe_figures')
        .select((e) => e.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  await db.deleteFrom('needs_dfe_figures').execute();
  for (let i = 0; i < figures.length; i += 1000) {
    await db
      .insertInto('needs_dfe_figures')
      .values(
        figures.slice(i, i + 1000).map((f) => ({
          file: f.file,
          time_period: f.timePeriod,
          la_code: f.laCode,
          la_name: f.laName,
          breakdown_topic: f.breakdownTopic,
          breakdown: f.breakdown,
          measure: f.measure,
          value: f.cell.value,
          marker: f.cell.marker,
        })),
      )
      .execute();
  }
  return { before, after: figures.length };
}

export async function setNeighbours(db: Db, codes: readonly string[]) {
  await db.deleteFrom('needs_statistical_neighbours').execute();
  if (codes.length)
    await db
      .insertInto('needs_statistical_neighbours')
      .values(codes.map((la_code, position) => ({ la_code, position })))
      .execute();
}
export const listNeighbours = async (db: Db) =>
  (await db.selectFrom('needs_statistical_neighbours').select('la_code').orderBy('position').execute()).map((r) => r.la_code);

/** The names DfE gives the codes, from the figures loaded. */
export async function neighbourNames(db: Db, codes: readonly string[]): Promise<Map<string, string>> {
  if (codes.length === 0) return new Map();
  const rows = await db
    .selectFrom('needs_dfe_figures')
    .select(['la_code', 'la_name'])
    .distinct()
    .where('la_code', 'in', codes)
    .where('la_name', 'is not', null)
    .execute();
  return new Map(rows.map((r) => [r.la_code!, r.la_name!]));
}

// ---------------------------------------------------------------------------------------------
// The comparison with England and the statistical neighbours (published figures: no suppression).

export interface ComparisonRow {
  label: string;
  /** Per cent: the area (from the register, null when its count is not shown), England, the neighbours together. */
  area: number | null;
  england: number | null;
  neighbours: number | null;
}
export interface Comparison {
  loaded: boolean;
  latestPeriod: number | null;
  neighbours: { code: string; name: string | null; plans: number | null; marker: string | null }[];
  /** Codes in the setting that the DfE files do not have. */
  unknownNeighbours: string[];
  /** EHC plans in January of each year: England and the neighbours together (figures not published are left out and counted). */
  series: { timePeriod: number; england: number | null; neighbours: number | null; neighboursNotPublished: number }[];
  needMix: ComparisonRow[];
  ageMix: ComparisonRow[];
}

/** The DfE figures the comparison needs (England and the neighbours), in one query. */
export async function readDfeRows(db: Db, codes: readonly string[]) {
  return db
    .selectFrom('needs_dfe_figures')
    .select(['file', 'time_period', 'la_code', 'la_name', 'breakdown_topic', 'breakdown', 'measure', 'value', 'marker'])
    .where((eb) => eb.or([eb('la_code', 'is', null), ...(codes.length ? [eb('la_code', 'in', codes)] : [])]))
    .execute();
}
export type DfeRows = Awaited<ReturnType<typeof readDfeRows>>;

/** The comparison from the DfE figures. `areaPlans` are the area's shown counts of children with an EHC plan (null where not shown). */
export function buildComparison(
  codes: readonly string[],
  rows: DfeRows,
  areaPlans: { byNeed: Map<string, number | null>; byAge: Map<string, number | null>; total: number | null },
): Comparison {
  const empty: Comparison = { loaded: false, latestPeriod: null, neighbours: [], unknownNeighbours: [], series: [], needMix: [], ageMix: [] };
  if (rows.length === 0) return empty;
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const caseloadAll = rows.filter((r) => r.file === 'caseload.csv' && r.breakdown_topic === 'All EHC plans' && r.measure === 'ehcplans');
  const periods = [...new Set(caseloadAll.map((r) => r.time_period))].sort((a, b) => a - b);
  const latest = periods.at(-1) ?? null;
  const series = periods.map((p) => {
    const here = caseloadAll.filter((r) => r.time_period === p);
    const n = sumPublished(here.filter((r) => r.la_code !== null).map((r) => ({ value: num(r.value) })));
    return { timePeriod: p, england: num(here.find((r) => r.la_code === null)?.value), neighbours: n.sum, neighboursNotPublished: n.notPublished };
  });
  const latestLa = caseloadAll.filter((r) => r.time_period === latest && r.la_code !== null);
  const neighbours = codes.map((code) => {
    const r = latestLa.find((x) => x.la_code === code);
    return { code, name: r?.la_name ?? null, plans: num(r?.value), marker: r?.marker ?? null };
  });

  // Primary-need mix: the latest sen_needs_all_plans figures.
  const needs = rows.filter((r) => r.file === 'sen_needs_all_plans.csv' && r.breakdown_topic === 'All EHC plans');
  const needLatest = Math.max(...needs.map((r) => r.time_period));
  const needOf = (la: 'england' | 'neighbours', measure: string) =>
    sumPublished(
      needs
        .filter((r) => r.time_period === needLatest && r.measure === measure && (la === 'england' ? r.la_code === null : r.la_code !== null))
        .map((r) => ({ value: num(r.value) })),
    ).sum;
  const needMix: ComparisonRow[] = needs.length
    ? [...DFE_NEED_CODES.map((c) => ({ code: c, measure: `number_${c.toLowerCase()}` })), { code: NOT_RECORDED, measure: 'number_need_unknown' }].map((n) => ({
        label: n.code === NOT_RECORDED ? 'Not recorded' : n.code,
        area: share(areaPlans.byNeed.get(n.code) ?? null, areaPlans.total),
        england: share(needOf('england', n.measure), needOf('england', 'ehc_plans')),
        neighbours: share(needOf('neighbours', n.measure), needOf('neighbours', 'ehc_plans')),
      }))
    : [];

  // Caseload by age: the latest caseload.csv ages in the report's bands.
  const ages = rows.filter((r) => r.file === 'caseload.csv' && r.breakdown_topic === 'Child or young persons age' && r.time_period === latest);
  const ageTotal = (la: 'england' | 'neighbours', band?: string) =>
    sumPublished(
      ages
        .filter((r) => (la === 'england' ? r.la_code === null : r.la_code !== null) && (!band || dfeAgeBand(r.breakdown) === band))
        .map((r) => ({ value: num(r.value) })),
    ).sum;
  const ageMix: ComparisonRow[] = ages.length
    ? AGE_BANDS.map((b) => ({
        label: b.label,
        area: share(areaPlans.byAge.get(b.code) ?? null, areaPlans.total),
        england: share(ageTotal('england', b.code), ageTotal('england')),
        neighbours: share(ageTotal('neighbours', b.code), ageTotal('neighbours')),
      }))
    : [];
  const known = new Set(rows.filter((r) => r.la_code !== null).map((r) => r.la_code));
  return { loaded: true, latestPeriod: latest, neighbours, unknownNeighbours: codes.filter((c) => !known.has(c)), series, needMix, ageMix };
}

/** Children with an EHC plan by primary need and by age band (raw; protected by the caller before use). */
export async function countPlans(db: Db, today: string): Promise<{ total: number; byNeed: Map<string, number>; byAge: Map<string, number> }> {
  const ageBand = sql`case ${sql.join(
    AGE_BANDS.map((b) => sql`when c.date_of_birth >= ${birthDatesForBand(b.code, today).bornOnOrAfter}::date then ${b.code}`),
    sql` `,
  )} else ${OVER_25.code} end`;
  const { rows } = await sql<{ need: string | null; age: string | null; g_need: number; g_age: number; n: number }>`
    with a as (
      select coalesce(c.primary_need, ${NOT_RECORDED}) as need, ${ageBand} as age
      from children c where c.status = 'active' and c.has_ehc_plan
    )
    select need, age, grouping(need) as g_need, grouping(age) as g_age, count(*)::int as n
    from a group by grouping sets ((need), (age), ())`.execute(db);
  const byNeed = new Map<string, number>();
  const byAge = new Map<string, number>();
  let total = 0;
  for (const r of rows) {
    if (Number(r.g_need) === 0) byNeed.set(String(r.need), Number(r.n));
    else if (Number(r.g_age) === 0) byAge.set(String(r.age), Number(r.n));
    else total = Number(r.n);
  }
  return { total, byNeed, byAge };
}

/**
 * The counts are the same for everyone allowed to see them and need not be to the second, so they
 * are kept for a minute and shared, as the register overview's are: many readers at once cause one
 * count. The DfE figures and neighbours are kept with them (they change only by a load or the
 * neighbours form, which clears this). Raw counts: only protectReport turns them into figures anyone sees.
 */
export function createNeedsCache(opts: { ttlMs?: number; now?: () => number } = {}) {
  const ttl = opts.ttlMs ?? 60_000;
  const now = opts.now ?? Date.now;
  type Value = { raw: RawCounts; plans: Awaited<ReturnType<typeof countPlans>>; codes: string[]; dfe: DfeRows };
  let entry: { key: string; at: number; value: Promise<Value> } | null = null;
  return {
    /** The register's counts (kept a minute) with the localities, settings and population (read every time: a load shows at once). */
    async get(db: Db, today: string): Promise<Value & { context: ReportContext; countedAt: Date }> {
      const t = now();
      if (!entry || entry.key !== today || t - entry.at >= ttl) {
        const value = Promise.all([countNeeds(db, today), countPlans(db, today), listNeighbours(db)]).then(async ([raw, plans, codes]) => ({
          raw,
          plans,
          codes,
          dfe: await readDfeRows(db, codes),
        }));
        const mine = { key: today, at: t, value };
        entry = mine;
        value.catch(() => {
          if (entry === mine) entry = null;
        });
      }
      const [value, context] = await Promise.all([entry.value, reportContext(db)]);
      return { ...value, context, countedAt: new Date(entry.at) };
    },
    /** Forgets what is kept (the neighbours changed). */
    clear() {
      entry = null;
    },
  };
}
