// Search, lists and exports of children. Only children passing the sharing rule (visibleChild)
// are ever read, so what is not visible to someone is not in their results, counts or exports.
//
// A name search asks the database for candidates: visible children matching the other criteria
// and sharing a key with every word typed (its beginning, the word less one letter, or a
// sound-alike code: names.ts), reading only their names and sort fields. The candidates are scored here (names.ts), and only the page shown
// is then read in full.
//
// How the sharing rule is applied depends on the search. With nothing narrowing the list, the
// planner is left to build the rule's sets once (hashed) and test every child against them. When a
// search or filter narrows the children through indexes, the rule is checked child by child
// instead (a few index probes each): building the sets for a handful of children cost ten times
// more on 100,000 children in PostgreSQL. Either way it is the same visibleChild() condition.
import { sql, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { DB } from '../../../platform/db/schema.js';
import type { Db } from '../../../platform/db/database.js';
import { todayInLondon } from '../../../platform/dates.js';
import { visibleChild } from '../sharing/index.js';
import type { Viewer } from '../sharing/index.js';
import { MATCH_THRESHOLD, queryKeys, scoreName, storedTokens, wordSimilarity } from './names.js';
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

interface Candidate {
  id: string;
  search_names: string;
  given_name: string;
  family_name: string;
  date_of_birth: string;
  joined_on: string;
  score: number;
}

const collator = new Intl.Collator('en-GB', { sensitivity: 'base' });

function compareCandidates(sort: Sort, order: Order) {
  const byName = (a: Candidate, b: Candidate) =>
    collator.compare(a.family_name, b.family_name) || collator.compare(a.given_name, b.given_name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const sign = order === 'desc' ? -1 : 1;
  switch (sort) {
    case 'match':
      return (a: Candidate, b: Candidate) => b.score - a.score || byName(a, b);
    case 'dob':
      return (a: Candidate, b: Candidate) => sign * (a.date_of_birth < b.date_of_birth ? -1 : a.date_of_birth > b.date_of_birth ? 1 : 0) || byName(a, b);
    case 'joined':
      return (a: Candidate, b: Candidate) => sign * (a.joined_on < b.joined_on ? -1 : a.joined_on > b.joined_on ? 1 : 0) || byName(a, b);
    default:
      return (a: Candidate, b: Candidate) => sign * byName(a, b);
  }
}

/**
 * For each word typed, the single names (words of children's names) it matches well enough
 * (wordSimilarity at least MATCH_THRESHOLD), among the names of every child sharing a key with the
 * words and matching the other criteria. One query for the distinct names; each is scored once
 * here. A child can be found only if each word typed matches one of its names, so this narrows the
 * candidates before the sharing rule is checked for each, and before each is scored in full, without
 * changing who is found. Null when no word has keys to narrow by (a search by initials only).
 */
async function namesMatching(db: Db, viewer: Viewer, c: SearchCriteria, now: Date): Promise<string[][] | null> {
  const words = c.name!;
  if (!words.some((w) => queryKeys(w).length)) return null;
  const rows = await matching(db, viewer, c, now, { anyone: true }).select('c.search_names').distinct().execute();
  const names = [...new Set(rows.flatMap((r) => storedTokens(r.search_names)))];
  return words.map((w) => names.filter((n) => wordSimilarity(w, n) >= MATCH_THRESHOLD));
}

/** A name search's matches, best first (or in the order asked for): ids only. */
async function nameMatches(db: Db, viewer: Viewer, c: SearchCriteria, sort: Sort, order: Order, now: Date): Promise<string[]> {
  const words = c.name!;
  const names = await namesMatching(db, viewer, c, now);
  if (names?.some((n) => n.length === 0)) return [];
  let q = matching(db, viewer, c, now);
  for (const n of names ?? []) q = q.where(sql<SqlBool>`string_to_array(c.search_names, ' ') && ${sql.val(n)}::text[]`);
  const rows = await q.select(['c.id', 'c.search_names', 'c.given_name', 'c.family_name', 'c.date_of_birth', 'c.joined_on']).execute();
  const scored: Candidate[] = [];
  for (const r of rows) {
    const score = scoreName(words, storedTokens(r.search_names));
    if (score !== null) scored.push({ ...r, score });
  }
  scored.sort(compareCandidates(sort, order));
  return scored.map((s) => s.id);
}

/** Full rows for ids, in the order of the ids (read in chunks, for a page of name matches and for exports). */
async function rowsFor(db: Db, viewer: Viewer, ids: readonly string[], now: Date, rule: Rule = {}): Promise<ChildRow[]> {
  const byId = new Map<string, ChildRow>();
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    // The sharing rule again: a child hidden between the two reads stays hidden.
    const rows = await withDetails(
      db
        .selectFrom('children as c')
        .where('c.id', 'in', chunk)
        .where(visibleOneByOne(viewer, now, rule)),
    ).execute();
    for (const r of rows) byId.set(r.id, r);
  }
  return ids.flatMap((id) => byId.get(id) ?? []);
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
    const ids = await nameMatches(db, viewer, c, opts.sort, opts.order, now);
    const pages = Math.max(1, Math.ceil(ids.length / PAGE_SIZE));
    const page = Math.min(opts.page, pages);
    const rows = await rowsFor(db, viewer, ids.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE), now);
    return { total: ids.length, page, pages, rows };
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
  if (c.name) return rowsFor(db, viewer, (await nameMatches(db, viewer, c, sort, order, now)).slice(0, EXPORT_LIMIT), now, EXPORT_RULE);
  return withDetails(matching(db, viewer, c, now, { rule: EXPORT_RULE }))
    .orderBy(sqlOrder(sort, order))
    .limit(EXPORT_LIMIT)
    .execute();
}

/** The area's localities, for the filter. */
export const listLocalities = (db: Db) => db.selectFrom('localities').select(['id', 'name']).orderBy('name').execute();
