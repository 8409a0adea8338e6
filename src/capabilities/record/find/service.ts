// Search, lists and exports of children. Only children passing the sharing rule are ever read, so
// what is not visible to someone is not in their results, counts or exports.
//
// A name search (ADR 0021) first reads the distinct names of the children sharing a key with every
// word typed (its beginning, the word less one letter, or a sound-alike code: names.ts) and scores
// each name once here. Then one query finds the candidates (children matching the other criteria
// with a well-matched name for every word), keeps those the sharing rule allows, applied to the
// candidates as a set (visibleAmong), scores and ranks them in SQL exactly as scoreName() would,
// and reads the page shown with the number found.
//
// Other lists apply the rule as visibleChild(). With nothing narrowing the list, the planner is
// left to build the rule's sets once (hashed) and test every child against them. When a filter
// narrows the children through indexes, the rule is checked child by child instead (a few index
// probes each): building the sets for a handful of children cost ten times more on 100,000
// children in PostgreSQL.
import { sql, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { DB } from '../../../platform/db/schema.js';
import type { Db } from '../../../platform/db/database.js';
import { todayInLondon } from '../../../platform/dates.js';
import { visibleAmong, visibleChild } from '../sharing/index.js';
import type { Viewer } from '../sharing/index.js';
import { MATCH_THRESHOLD, queryKeys, storedTokens, wordSimilarity } from './names.js';
import { AGE_BANDS, birthDatesForAges, postcodePattern } from './rules.js';
import type { ListOptions, Order, SearchCriteria, Sort } from './schema.js';

export const PAGE_SIZE = 25;
/** The most rows one export holds: far more than any area's register. */
export const EXPORT_LIMIT = 200_000;

type Base = SelectQueryBuilder<DB & { c: DB['children'] }, 'c', object>;

/** Whether a search narrows the children through an index, so the rule is best checked child by child. */
const narrows = (c: SearchCriteria) =>
  !!(c.name || c.dateOfBirth || c.nhsNumber || c.upn || c.postcode || c.need || c.age || c.locality || c.criterion || c.keyWorker === 'me');

/**
 * The sharing rule on children aliased `c`, checked child by child: a scalar subquery is never
 * merged into the query around it, so the planner cannot turn the rule's EXISTS tests into sets
 * built for the whole table.
 */
const visibleOneByOne = (viewer: Viewer, now: Date, rule: Rule = {}) =>
  sql<SqlBool>`coalesce((select true where ${visibleChild(viewer, 'c', now, rule)}), false)`;

/** For exports: children seen only through emergency access are left out, as a file would outlast it (ADR 0012). */
type Rule = { emergencyAccess?: boolean };
const EXPORT_RULE: Rule = { emergencyAccess: false };

/**
 * Visible children matching every criterion, the name through its keys (names.ts). `anyone`: the
 * same without the sharing rule, only to list the names that share a key with the words typed
 * (namesMatching), never to show or count a child.
 */
function matching(db: Db, viewer: Viewer, c: SearchCriteria, now: Date, opts: { anyone?: boolean; rule?: Rule } = {}): Base {
  const today = todayInLondon(now);
  let q: Base = db.selectFrom('children as c');
  if (!opts.anyone) q = q.where(narrows(c) ? visibleOneByOne(viewer, now, opts.rule) : visibleChild(viewer, 'c', now, opts.rule));
  if (c.dateOfBirth) q = q.where('c.date_of_birth', '=', c.dateOfBirth);
  if (c.nhsNumber) q = q.where('c.nhs_number', '=', c.nhsNumber);
  if (c.upn) q = q.where('c.upn', '=', c.upn);
  if (c.postcode) {
    const compact = sql<string>`upper(replace(c.postcode, ' ', ''))`;
    q = c.postcode.kind === 'full' ? q.where(compact, '=', postcodePattern(c.postcode)) : q.where(compact, 'like', postcodePattern(c.postcode));
  }
  if (c.need) q = q.where('c.primary_need', '=', c.need);
  if (c.age) {
    const band = AGE_BANDS[c.age];
    const { after, onOrBefore } = birthDatesForAges(band.from, band.to, today);
    q = q.where('c.date_of_birth', '>', after).where('c.date_of_birth', '<=', onOrBefore);
  }
  if (c.locality) q = q.where('c.locality_id', '=', c.locality);
  if (c.criterion) {
    q = q.where(sql<SqlBool>`exists (select 1 from child_criteria cc where cc.child_id = c.id and cc.criterion_id = ${c.criterion})`);
  }
  if (c.keyWorker === 'me') q = q.where(sql<SqlBool>`exists (select 1 from key_workers k where k.child_id = c.id and k.user_id = ${viewer.userId})`);
  if (c.status !== 'all') q = q.where('c.status', '=', c.status);
  if (c.ehcPlan !== 'any') q = q.where('c.has_ehc_plan', '=', c.ehcPlan === 'yes');
  if (c.name) {
    for (const word of c.name) {
      const keys = queryKeys(word);
      if (keys.length) q = q.where(sql<SqlBool>`c.search_keys && array[${sql.join(keys)}]::text[]`);
    }
  }
  return q;
}

export interface ChildRow {
  id: string;
  given_name: string;
  family_name: string;
  preferred_name: string | null;
  date_of_birth: string;
  joined_on: string;
  primary_need: string | null;
  has_ehc_plan: boolean;
  status: string;
  nhs_number: string | null;
  upn: string | null;
  postcode: string | null;
  locality_name: string | null;
  key_worker_name: string | null;
}

function withDetails(q: Base) {
  return q
    .leftJoin('localities as l', 'l.id', 'c.locality_id')
    .leftJoin('key_workers as k', 'k.child_id', 'c.id')
    .leftJoin('users as u', 'u.id', 'k.user_id')
    .select([
      'c.id',
      'c.given_name',
      'c.family_name',
      'c.preferred_name',
      'c.date_of_birth',
      'c.joined_on',
      'c.primary_need',
      'c.has_ehc_plan',
      'c.status',
      'c.nhs_number',
      'c.upn',
      'c.postcode',
      'l.name as locality_name',
      'u.display_name as key_worker_name',
    ]);
}

const direction = (o: Order) => (o === 'desc' ? sql`desc` : sql`asc`);

function sqlOrder(sort: Sort, order: Order) {
  const d = direction(order);
  switch (sort) {
    case 'dob':
      return sql`c.date_of_birth ${d}, lower(c.family_name) asc, lower(c.given_name) asc, c.id asc`;
    case 'joined':
      return sql`c.joined_on ${d}, lower(c.family_name) asc, lower(c.given_name) asc, c.id asc`;
    default:
      return sql`lower(c.family_name) ${d}, lower(c.given_name) ${d}, c.id asc`;
  }
}

/** One name a typed word matches, with how well (wordSimilarity, at least MATCH_THRESHOLD). */
interface NameMatch {
  name: string;
  score: number;
}

/**
 * For each word typed, the single names (words of children's names) it matches well enough
 * (wordSimilarity at least MATCH_THRESHOLD), with the similarity, among the names of every child
 * sharing a key with the words and matching the other criteria. One query for the distinct names
 * (no child is shown or counted from it, so the sharing rule is not needed here); each name is
 * scored once, here. A child can be found only if each word typed matches one of its names, so
 * this narrows the candidates without changing who is found. With no word of two letters or more
 * (only initials, which the form does not allow), every name matching the other criteria is read.
 */
async function namesMatching(db: Db, viewer: Viewer, c: SearchCriteria, now: Date): Promise<NameMatch[][]> {
  const words = c.name!;
  const rows = await matching(db, viewer, c, now, { anyone: true }).select('c.search_names').distinct().execute();
  const names = [...new Set(rows.flatMap((r) => storedTokens(r.search_names)))];
  return words.map((w) =>
    names.flatMap((name) => {
      const score = wordSimilarity(w, name);
      return score >= MATCH_THRESHOLD ? [{ name, score }] : [];
    }),
  );
}

/**
 * scoreName() in SQL, for the child aliased `c`, from the names each word matches (namesMatching):
 * each word paired with a different one of the child's names (by position, as scoreName pairs
 * them), the best total over every pairing, divided by the number of words. Null when some word
 * matches none of the child's names, or two words would need the same one. Sums are made in the
 * same order as scoreName's, in double precision, so the scores are the same numbers.
 */
function scoreSql(names: readonly NameMatch[][]) {
  const word = names.flatMap((n, i) => n.map(() => i + 1));
  const name = names.flatMap((n) => n.map((m) => m.name));
  const score = names.flatMap((n) => n.map((m) => m.score));
  const k = names.length;
  const m = Array.from({ length: k }, (_, i) => sql.raw(`m${i + 1}`));
  const sum = sql.join(
    m.map((x) => sql`${x}.s`),
    sql` + `,
  );
  const joins = m.slice(1).map((x, i) => {
    const distinct = sql.join(
      m.slice(0, i + 1).map((y) => sql`${x}.pos <> ${y}.pos`),
      sql` and `,
    );
    return sql` join m ${x} on ${x}.w = ${i + 2} and ${distinct}`;
  });
  return sql<number | null>`(
    with m as (
      select p.w, t.pos, p.s
      from unnest(string_to_array(c.search_names, ' ')) with ordinality as t(name, pos)
      join unnest(${sql.val(word)}::int[], ${sql.val(name)}::text[], ${sql.val(score)}::float8[]) as p(w, name, s) on p.name = t.name
    )
    select max(${sum}) / ${k}::float8 from m m1${sql.join(joins, sql``)} where m1.w = 1
  )`;
}

/** A name search's order in SQL: scoreName's best first, or the order asked for, then by name (the list's order). */
function nameOrder(sort: Sort, order: Order) {
  const d = direction(order);
  const byName = sql`lower(c.family_name) asc, lower(c.given_name) asc, c.id asc`;
  switch (sort) {
    case 'match':
      return sql`sc.score desc, ${byName}`;
    case 'dob':
      return sql`c.date_of_birth ${d}, ${byName}`;
    case 'joined':
      return sql`c.joined_on ${d}, ${byName}`;
    default:
      return sql`lower(c.family_name) ${d}, lower(c.given_name) ${d}, c.id ${d}`;
  }
}

/**
 * A name search (ADR 0021): the names each word matches are read first (namesMatching); then each
 * page is one query: the candidates (children matching every criterion and sharing a matched name
 * with each word typed), the sharing rule applied to them as a set (visibleAmong), each scored
 * (scoreSql), ranked and cut to the page, with the details shown and the number found.
 * Null when some word matches no name at all (nothing can be found).
 */
async function nameSearch(db: Db, viewer: Viewer, c: SearchCriteria, sort: Sort, order: Order, now: Date, rule: Rule = {}) {
  const names = await namesMatching(db, viewer, c, now);
  if (names.some((n) => n.length === 0)) return null;
  let candidates = matching(db, viewer, c, now, { anyone: true });
  for (const n of names) candidates = candidates.where(sql<SqlBool>`string_to_array(c.search_names, ' ') && ${sql.val(n.map((m) => m.name))}::text[]`);
  const ranking = nameOrder(sort, order);
  return async (limit: number, offset: number): Promise<(ChildRow & { total: number })[]> => {
    const { rows } = await sql<ChildRow & { total: number }>`
      with candidates as materialized (
        ${candidates.select(['c.id', 'c.search_names', 'c.given_name', 'c.family_name', 'c.date_of_birth', 'c.joined_on'])}
      ),
      visible as (${visibleAmong(viewer, 'candidates', now, rule)}),
      ranked as (
        select c.id, row_number() over (order by ${ranking}) as n, count(*) over () as total
        from candidates c cross join lateral (select ${scoreSql(names)} as score) sc
        where coalesce(c.id in (select v.id from visible v), false) and sc.score is not null
        order by ${ranking}
        limit ${limit} offset ${offset}
      )
      select c.id, c.given_name, c.family_name, c.preferred_name, c.date_of_birth, c.joined_on, c.primary_need, c.has_ehc_plan,
             c.status, c.nhs_number, c.upn, c.postcode, l.name as locality_name, u.display_name as key_worker_name, r.total::int as total
      from ranked r
      join children c on c.id = r.id
      left join localities l on l.id = c.locality_id
      left join key_workers k on k.child_id = c.id
      left join users u on u.id = k.user_id
      order by r.n`.execute(db);
    return rows;
  };
}

export interface ResultPage {
  total: number;
  page: number;
  pages: number;
  rows: ChildRow[];
}

/**
 * PostgreSQL compiles a query to machine code (JIT) when its estimated cost is high, which the
 * sharing rule's per-child tests make it: that took 300 ms or more for a list that runs in 40 ms
 * without it (100,000 children). Turned off for the rest of the transaction the route runs in
 * (outside a transaction this does nothing).
 */
const withoutJit = (db: Db) => sql`set local jit = off`.execute(db);

/** One page of the children matching a search, among those this person may see. */
export async function findChildren(db: Db, viewer: Viewer, c: SearchCriteria, opts: ListOptions, now = new Date()): Promise<ResultPage> {
  await withoutJit(db);
  if (c.name) {
    const search = await nameSearch(db, viewer, c, opts.sort, opts.order, now);
    if (!search) return { total: 0, page: 1, pages: 1, rows: [] };
    let page = opts.page;
    let found = await search(PAGE_SIZE, (page - 1) * PAGE_SIZE);
    let total = found[0]?.total;
    if (total === undefined && page > 1) {
      // Past the end: count, and show the last page.
      total = (await search(1, 0))[0]?.total ?? 0;
      page = Math.max(1, Math.ceil(total / PAGE_SIZE));
      found = total ? await search(PAGE_SIZE, (page - 1) * PAGE_SIZE) : [];
    }
    total ??= 0;
    return { total, page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)), rows: found.map(({ total: _, ...r }) => r) };
  }
  // The page and the count in one pass over the visible children.
  const pageOf = (page: number) =>
    withDetails(matching(db, viewer, c, now))
      .select(sql<number>`(count(*) over ())::int`.as('total'))
      .orderBy(sqlOrder(opts.sort, opts.order))
      .limit(PAGE_SIZE)
      .offset((page - 1) * PAGE_SIZE)
      .execute();
  let page = opts.page;
  let found = await pageOf(page);
  let total = found[0]?.total;
  if (total === undefined && page > 1) {
    // Past the end: count, and show the last page.
    total = (
      await matching(db, viewer, c, now)
        .select(sql<number>`count(*)::int`.as('n'))
        .executeTakeFirstOrThrow()
    ).n;
    page = Math.max(1, Math.ceil(total / PAGE_SIZE));
    found = total ? await pageOf(page) : [];
  }
  total ??= 0;
  const rows: ChildRow[] = found.map(({ total: _, ...r }) => r);
  return { total, page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)), rows };
}

/** Every child matching a search that this person may see, in the list's order, for an export: not those seen only through emergency access. */
export async function exportChildren(db: Db, viewer: Viewer, c: SearchCriteria, sort: Sort, order: Order, now = new Date()): Promise<ChildRow[]> {
  await withoutJit(db);
  if (c.name) {
    const search = await nameSearch(db, viewer, c, sort, order, now, EXPORT_RULE);
    return search ? (await search(EXPORT_LIMIT, 0)).map(({ total: _, ...r }) => r) : [];
  }
  return withDetails(matching(db, viewer, c, now, { rule: EXPORT_RULE }))
    .orderBy(sqlOrder(sort, order))
    .limit(EXPORT_LIMIT)
    .execute();
}

/** The area's localities, for the filter. */
export const listLocalities = (db: Db) => db.selectFrom('localities').select(['id', 'name']).orderBy('name').execute();
