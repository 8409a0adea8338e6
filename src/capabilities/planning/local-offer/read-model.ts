// Reading the directory for families: the search with its facet counts, and one service's page.
// Only active, approved entries are in the live tables, so nothing here can show a change that
// is still waiting for an officer.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { boundingBox, EARTH_RADIUS_MILES, TAXONOMIES } from './rules.js';
import type { SearchCriteria } from './schema.js';

export const PAGE_SIZE = 20;

export interface Point {
  latitude: number;
  longitude: number;
}

/** Miles from a point to a location row `l`, in SQL (haversine, as rules.ts milesBetween). */
const milesFrom = (p: Point) =>
  sql<number>`(2 * ${EARTH_RADIUS_MILES}::float8 * asin(least(1, sqrt(
    power(sin(radians(l.latitude - ${p.latitude}::float8) / 2), 2)
    + cos(radians(${p.latitude}::float8)) * cos(radians(l.latitude)) * power(sin(radians(l.longitude - ${p.longitude}::float8) / 2), 2)))))`;

/** The conditions every part of a search shares, with the facets to leave out (for "any" counts). */
function conditions(c: SearchCriteria): RawBuilder<unknown>[] {
  const where: RawBuilder<unknown>[] = [sql`s.status = 'active'`];
  // Words that are all stop words ("the", "and") make an empty query, which would match nothing: ignored instead.
  if (c.q) where.push(sql`(numnode(websearch_to_tsquery('english', ${c.q})) = 0 or s.search_text @@ websearch_to_tsquery('english', ${c.q}))`);
  if (c.age !== null) where.push(sql`coalesce(s.minimum_age, 0) <= ${c.age} and coalesce(s.maximum_age, 25) >= ${c.age}`);
  const anyOf = (taxonomy: string, codes: string[]) =>
    sql`exists (select 1 from offer_attributes a join offer_taxonomy_terms t on t.id = a.taxonomy_term_id
      where a.service_id = s.id and t.taxonomy_id = ${taxonomy}::uuid and t.code in (${sql.join(codes)}))`;
  if (c.needs.length) where.push(anyOf(TAXONOMIES.need.id, c.needs));
  if (c.support.length) where.push(anyOf(TAXONOMIES.support.id, c.support));
  const paid = sql`exists (select 1 from offer_cost_options o where o.service_id = s.id and o.amount_pence > 0)`;
  if (c.cost === 'paid') where.push(paid);
  if (c.cost === 'free') where.push(sql`not ${paid} and exists (select 1 from offer_cost_options o where o.service_id = s.id)`);
  return where;
}

/** The matching services with their nearest place's distance (when searching from a point), as a subquery. */
function matching(c: SearchCriteria, from: Point | null) {
  const where = sql.join(conditions(c), sql` and `);
  if (!from) return sql`select s.id, s.name, null::float8 as miles from offer_services s where ${where}`;
  const box = boundingBox(from, c.distance);
  return sql`select s.id, s.name, d.miles from offer_services s
    join lateral (
      select min(${milesFrom(from)}) as miles
      from offer_service_at_locations sal join offer_locations l on l.id = sal.location_id
      where sal.service_id = s.id and l.latitude between ${box.minLat} and ${box.maxLat} and l.longitude between ${box.minLon} and ${box.maxLon}
    ) d on d.miles <= ${c.distance}
    where ${where}`;
}

export interface SearchResult {
  total: number;
  rows: {
    id: string;
    name: string;
    description: string;
    miles: number | null;
    minimum_age: number | null;
    maximum_age: number | null;
    organisation: string;
    free: boolean | null;
    town: string | null;
  }[];
  /** Counts among the results, per need code, per support type and per cost. */
  facets: { need: Map<string, number>; support: Map<string, number>; cost: { free: number; paid: number } };
}

export async function searchDirectory(db: Db, c: SearchCriteria, from: Point | null): Promise<SearchResult> {
  const m = matching(c, from);
  const offset = (c.page - 1) * PAGE_SIZE;
  const [rows, facets, costs] = await Promise.all([
    sql<SearchResult['rows'][number] & { total: number }>`
      with m as (${m})
      select s.id, s.name, s.description, m.miles, s.minimum_age, s.maximum_age, o.name as organisation,
        (select case when count(*) = 0 then null else bool_and(co.amount_pence = 0) end from offer_cost_options co where co.service_id = s.id) as free,
        (select min(l.city) from offer_service_at_locations sal join offer_locations l on l.id = sal.location_id where sal.service_id = s.id) as town,
        count(*) over ()::int as total
      from m join offer_services s on s.id = m.id join offer_organisations o on o.id = s.organisation_id
      order by m.miles nulls last, s.name, s.id
      limit ${PAGE_SIZE} offset ${offset}`.execute(db),
    sql<{ taxonomy_id: string; code: string; n: number }>`
      with m as (${m})
      select t.taxonomy_id, t.code, count(*)::int as n
      from m join offer_attributes a on a.service_id = m.id join offer_taxonomy_terms t on t.id = a.taxonomy_term_id
      where t.taxonomy_id in (${TAXONOMIES.need.id}::uuid, ${TAXONOMIES.support.id}::uuid)
      group by t.taxonomy_id, t.code`.execute(db),
    sql<{ free: number; paid: number }>`
      with m as (${m})
      select count(*) filter (where not p.paid and p.any)::int as free, count(*) filter (where p.paid)::int as paid
      from m cross join lateral (
        select coalesce(bool_or(o.amount_pence > 0), false) as paid, count(o.id) > 0 as any from offer_cost_options o where o.service_id = m.id
      ) p`.execute(db),
  ]);
  let total = rows.rows[0]?.total ?? 0;
  // A page past the end still needs the total, for "no results on this page".
  if (rows.rows.length === 0 && c.page > 1) {
    total = (await sql<{ n: number }>`with m as (${m}) select count(*)::int as n from m`.execute(db)).rows[0]?.n ?? 0;
  }
  const need = new Map<string, number>();
  const support = new Map<string, number>();
  for (const f of facets.rows) (f.taxonomy_id === TAXONOMIES.need.id ? need : support).set(f.code, f.n);
  return {
    total,
    rows: rows.rows.map(({ total: _total, ...r }) => r),
    facets: { need, support, cost: costs.rows[0] ?? { free: 0, paid: 0 } },
  };
}

/** One live service with everything its page shows, or null when there is none. */
export async function readService(db: Db, id: string) {
  const service = await db
    .selectFrom('offer_services as s')
    .innerJoin('offer_organisations as o', 'o.id', 's.organisation_id')
    .select([
      's.id',
      's.name',
      's.description',
      's.url',
      's.email',
      's.status',
      's.minimum_age',
      's.maximum_age',
      's.how_to_access',
      's.review_due',
      's.last_modified',
      's.version',
      's.owner_organisation_id',
      's.organisation_id',
      'o.name as organisation_name',
      'o.description as organisation_description',
      'o.website as organisation_website',
      'o.email as organisation_email',
    ])
    .where('s.id', '=', id)
    .executeTakeFirst();
  if (!service) return null;
  const [locations, accessibility, contacts, schedules, costs, languages, terms] = await Promise.all([
    db
      .selectFrom('offer_service_at_locations as sal')
      .innerJoin('offer_locations as l', 'l.id', 'sal.location_id')
      .select(['l.id', 'l.location_type', 'l.name', 'l.address_1', 'l.city', 'l.state_province', 'l.postal_code', 'l.latitude', 'l.longitude'])
      .where('sal.service_id', '=', id)
      .orderBy('l.name')
      .execute(),
    db
      .selectFrom('offer_accessibility as a')
      .innerJoin('offer_service_at_locations as sal', 'sal.location_id', 'a.location_id')
      .select(['a.location_id', 'a.description'])
      .where('sal.service_id', '=', id)
      .orderBy('a.description')
      .execute(),
    db.selectFrom('offer_contacts').selectAll().where('service_id', '=', id).execute(),
    db.selectFrom('offer_schedules').selectAll().where('service_id', '=', id).execute(),
    db.selectFrom('offer_cost_options').selectAll().where('service_id', '=', id).execute(),
    db.selectFrom('offer_languages').selectAll().where('service_id', '=', id).orderBy('name').execute(),
    db
      .selectFrom('offer_attributes as a')
      .innerJoin('offer_taxonomy_terms as t', 't.id', 'a.taxonomy_term_id')
      .select(['t.taxonomy_id', 't.code', 't.name'])
      .where('a.service_id', '=', id)
      .orderBy('t.position')
      .execute(),
  ]);
  const codes = (taxonomy: string) => terms.filter((t) => t.taxonomy_id === taxonomy);
  return {
    ...service,
    locations: locations.map((l) => ({ ...l, accessibility: accessibility.filter((a) => a.location_id === l.id).map((a) => a.description) })),
    contacts,
    schedules,
    costs,
    languages,
    needs: codes(TAXONOMIES.need.id),
    supportTypes: codes(TAXONOMIES.support.id),
    schedule2: codes(TAXONOMIES.schedule2.id),
    access: codes(TAXONOMIES.access.id),
  };
}
export type ServicePage = NonNullable<Awaited<ReturnType<typeof readService>>>;

/** Live services for a form's choice (a contract's service), by name. */
export const serviceChoices = (db: Db) =>
  db
    .selectFrom('offer_services as s')
    .innerJoin('offer_organisations as o', 'o.id', 's.organisation_id')
    .select(['s.id', 's.name', 'o.name as organisation'])
    .where('s.status', '<>', 'defunct')
    .orderBy('s.name')
    .execute();

/** One service's name and its public page, or null when there is no such service. */
export async function serviceName(db: Db, id: string): Promise<{ id: string; name: string } | null> {
  const s = await db.selectFrom('offer_services').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
  return s ?? null;
}
