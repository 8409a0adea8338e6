// The Open Referral UK 3.0 read API as a projection of the directory's tables: paged lists,
// one full service, taxonomies, services at locations. The standard's schemas type optional
// fields as strings or numbers, never null, so absent values are left out rather than sent null.
// test/local-offer-oruk.test.ts validates every answer against the official schemas.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { isUuid } from '../../../platform/ids.js';
import { boundingBox, poundsOf } from './rules.js';
import { postcodePosition } from './service.js';

export const ORUK_PROFILE = 'https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md';
export const ORUK_OPENAPI = 'https://raw.githubusercontent.com/OpenReferralUK/uk-profile/main/schema/openapi.json';

/** The object without its null and undefined fields (ORUK types optional fields, it does not allow null). */
export function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}

export class OrukQueryError extends Error {}

export interface Paging {
  page: number;
  perPage: number;
}

const whole = (v: string | undefined, name: string, min: number, max: number, fallback: number) => {
  if (v === undefined || v === '') return fallback;
  if (!/^[0-9]{1,6}$/.test(v) || Number(v) < min || Number(v) > max) throw new OrukQueryError(`${name} must be a whole number from ${min} to ${max}`);
  return Number(v);
};

export function readPaging(q: Record<string, string | undefined>): Paging {
  return { page: whole(q.page, 'page', 1, 100_000, 1), perPage: whole(q.per_page, 'per_page', 1, 500, 50) };
}

export function page<T>(contents: T[], total: number, p: Paging) {
  const totalPages = Math.max(1, Math.ceil(total / p.perPage));
  return {
    total_items: total,
    total_pages: totalPages,
    page_number: p.page,
    size: contents.length,
    first_page: p.page === 1,
    last_page: p.page >= totalPages,
    empty: contents.length === 0,
    contents,
  };
}

const uuidParam = (v: string | undefined, name: string) => {
  if (v === undefined || v === '') return null;
  if (!isUuid(v)) throw new OrukQueryError(`${name} must be a UUID`);
  return v;
};

/** The /services filters the standard defines, checked; a bad one is refused with what to send instead. */
export async function serviceFilters(db: Db, q: Record<string, string | undefined>): Promise<RawBuilder<unknown>[]> {
  const where: RawBuilder<unknown>[] = [sql`s.status <> 'defunct'`];
  if (q.search) {
    const words = q.search.slice(0, 200);
    where.push(sql`(numnode(websearch_to_tsquery('english', ${words})) = 0 or s.search_text @@ websearch_to_tsquery('english', ${words}))`);
  }
  const term = uuidParam(q.taxonomy_term_id, 'taxonomy_term_id');
  if (term) where.push(sql`exists (select 1 from offer_attributes a where a.service_id = s.id and a.taxonomy_term_id = ${term}::uuid)`);
  const taxonomy = uuidParam(q.taxonomy_id, 'taxonomy_id');
  if (taxonomy) {
    where.push(
      sql`exists (select 1 from offer_attributes a join offer_taxonomy_terms t on t.id = a.taxonomy_term_id where a.service_id = s.id and t.taxonomy_id = ${taxonomy}::uuid)`,
    );
  }
  const organisation = uuidParam(q.organization_id, 'organization_id');
  if (organisation) where.push(sql`s.organisation_id = ${organisation}::uuid`);
  if (q.modified_after) {
    const t = Date.parse(q.modified_after);
    if (!/^\d{4}-\d{2}-\d{2}/.test(q.modified_after) || Number.isNaN(t))
      throw new OrukQueryError('modified_after must be a date or date-time, like 2026-01-31T09:00:00Z');
    where.push(sql`s.last_modified > ${new Date(t)}`);
  }
  const min = q.minimum_age ? whole(q.minimum_age, 'minimum_age', 0, 25, 0) : null;
  const max = q.maximum_age ? whole(q.maximum_age, 'maximum_age', 0, 25, 25) : null;
  if (min !== null && max !== null && min > max) throw new OrukQueryError('minimum_age must not be greater than maximum_age');
  // Services whose age range overlaps the one asked for (no range: any age).
  if (min !== null) where.push(sql`coalesce(s.maximum_age, 25) >= ${min}`);
  if (max !== null) where.push(sql`coalesce(s.minimum_age, 0) <= ${max}`);
  if (q.postcode) {
    const from = await postcodePosition(db, q.postcode);
    if (!from) throw new OrukQueryError(`postcode ${q.postcode} is not a postcode this directory knows`);
    const metres = q.proximity ? Number(q.proximity) : 16_093;
    if (!Number.isFinite(metres) || metres <= 0 || metres > 1_000_000)
      throw new OrukQueryError('proximity must be a distance in metres, more than 0 and at most 1000000');
    const miles = metres / 1609.344;
    const box = boundingBox(from, miles);
    where.push(sql`exists (select 1 from offer_service_at_locations sal join offer_locations l on l.id = sal.location_id
      where sal.service_id = s.id and l.latitude between ${box.minLat} and ${box.maxLat} and l.longitude between ${box.minLon} and ${box.maxLon}
      and 2 * 3958.8 * asin(least(1, sqrt(power(sin(radians(l.latitude - ${from.latitude}::float8) / 2), 2)
        + cos(radians(${from.latitude}::float8)) * cos(radians(l.latitude)) * power(sin(radians(l.longitude - ${from.longitude}::float8) / 2), 2)))) <= ${miles})`);
  } else if (q.proximity) throw new OrukQueryError('proximity needs a postcode');
  return where;
}

interface ServiceRow {
  id: string;
  organisation_id: string;
  name: string;
  description: string;
  url: string | null;
  email: string | null;
  status: string;
  accreditations: string | null;
  minimum_age: number | null;
  maximum_age: number | null;
  assured_date: string | null;
  assurer_email: string | null;
  alert: string | null;
  how_to_access: string;
  last_modified: Date;
  o_name: string;
  o_description: string;
  o_email: string | null;
  o_website: string | null;
}

const SERVICE_COLUMNS = sql`s.id, s.organisation_id, s.name, s.description, s.url, s.email, s.status, s.accreditations, s.minimum_age,
  s.maximum_age, s.assured_date, s.assurer_email, s.alert, s.how_to_access, s.last_modified,
  o.name as o_name, o.description as o_description, o.email as o_email, o.website as o_website`;

function organisationOf(r: ServiceRow) {
  return compact({ id: r.organisation_id, name: r.o_name, description: r.o_description, email: r.o_email, website: r.o_website });
}

/** The one-to-one fields of a service (ORUK's service_list item). */
function serviceFields(r: ServiceRow) {
  return {
    ...compact({
      id: r.id,
      organization_id: r.organisation_id,
      name: r.name,
      description: r.description,
      url: r.url,
      email: r.email,
      status: r.status,
      accreditations: r.accreditations,
      minimum_age: r.minimum_age,
      maximum_age: r.maximum_age,
      assured_date: r.assured_date,
      assurer_email: r.assurer_email,
      alert: r.alert,
      last_modified: r.last_modified.toISOString(),
    }),
    // Not in ORUK 3.0 UK (which dropped application_process); extra fields are allowed.
    ...(r.how_to_access ? { how_to_access: r.how_to_access } : {}),
  };
}

export async function listServices(db: Db, q: Record<string, string | undefined>) {
  const paging = readPaging(q);
  const where = sql.join(await serviceFilters(db, q), sql` and `);
  const rows = await sql<ServiceRow & { total: number }>`
    select ${SERVICE_COLUMNS}, count(*) over ()::int as total
    from offer_services s join offer_organisations o on o.id = s.organisation_id
    where ${where}
    order by s.name, s.id
    limit ${paging.perPage} offset ${(paging.page - 1) * paging.perPage}`.execute(db);
  let total = rows.rows[0]?.total ?? 0;
  if (rows.rows.length === 0 && paging.page > 1) {
    total = (await sql<{ n: number }>`select count(*)::int as n from offer_services s where ${where}`.execute(db)).rows[0]?.n ?? 0;
  }
  return page(
    rows.rows.map((r) => ({ ...serviceFields(r), organization: organisationOf(r) })),
    total,
    paging,
  );
}

/** Locations with their address and accessibility, as ORUK nests them. */
async function locationsOf(db: Db, ids: string[]) {
  if (ids.length === 0) return new Map<string, Record<string, unknown>>();
  const [locations, accessibility] = await Promise.all([
    db.selectFrom('offer_locations').selectAll().where('id', 'in', ids).execute(),
    db.selectFrom('offer_accessibility').selectAll().where('location_id', 'in', ids).orderBy('description').execute(),
  ]);
  return new Map(
    locations.map((l) => {
      const complete = l.address_1 && l.city && l.state_province && l.postal_code;
      return [
        l.id,
        {
          ...compact({ id: l.id, location_type: l.location_type, name: l.name, description: l.description, latitude: l.latitude, longitude: l.longitude }),
          addresses: complete
            ? [
                {
                  id: l.address_id,
                  location_id: l.id,
                  address_1: l.address_1,
                  city: l.city,
                  state_province: l.state_province,
                  postal_code: l.postal_code,
                  country: l.country,
                  address_type: l.location_type,
                },
              ]
            : [],
          accessibility: accessibility
            .filter((a) => a.location_id === l.id)
            .map((a) => compact({ id: a.id, location_id: a.location_id, description: a.description, details: a.details, url: a.url })),
        },
      ] as const;
    }),
  );
}

/** One service, fully nested as ORUK's service.json; null when there is none. */
export async function fullService(db: Db, id: string) {
  if (!isUuid(id)) return null;
  const r = (
    await sql<ServiceRow>`select ${SERVICE_COLUMNS} from offer_services s join offer_organisations o on o.id = s.organisation_id
      where s.id = ${id}::uuid and s.status <> 'defunct'`.execute(db)
  ).rows[0];
  if (!r) return null;
  const [sal, contacts, schedules, costs, languages, attributes] = await Promise.all([
    db.selectFrom('offer_service_at_locations').selectAll().where('service_id', '=', id).execute(),
    db.selectFrom('offer_contacts').selectAll().where('service_id', '=', id).execute(),
    db.selectFrom('offer_schedules').selectAll().where('service_id', '=', id).execute(),
    db.selectFrom('offer_cost_options').selectAll().where('service_id', '=', id).execute(),
    db.selectFrom('offer_languages').selectAll().where('service_id', '=', id).execute(),
    db
      .selectFrom('offer_attributes as a')
      .innerJoin('offer_taxonomy_terms as t', 't.id', 'a.taxonomy_term_id')
      .innerJoin('offer_taxonomies as x', 'x.id', 't.taxonomy_id')
      .select([
        'a.id',
        'a.taxonomy_term_id',
        't.name',
        't.description',
        't.code',
        't.taxonomy_id',
        't.parent_id',
        't.term_uri',
        'x.code as taxonomy_code',
        'x.name as taxonomy_name',
      ])
      .where('a.service_id', '=', id)
      .orderBy('x.code')
      .orderBy('t.position')
      .execute(),
  ]);
  const locations = await locationsOf(
    db,
    sal.map((s) => s.location_id),
  );
  return {
    ...serviceFields(r),
    organization: organisationOf(r),
    schedules: schedules.map((s) =>
      compact({ id: s.id, service_id: s.service_id, freq: s.freq, byday: s.byday, opens_at: s.opens_at, closes_at: s.closes_at, description: s.description }),
    ),
    service_areas: [],
    service_at_locations: sal.map((s) => ({ id: s.id, service_id: s.service_id, location_id: s.location_id, location: locations.get(s.location_id) })),
    languages: languages.map((l) => ({ id: l.id, service_id: l.service_id, name: l.name, code: l.code })),
    funding: [],
    cost_options: costs.map((c) =>
      compact({
        id: c.id,
        service_id: c.service_id,
        option: c.option,
        amount: c.amount_pence === null ? null : poundsOf(c.amount_pence),
        currency: c.amount_pence === null ? null : 'GBP',
        amount_description: c.amount_description,
      }),
    ),
    contacts: contacts.map((c) => ({
      ...compact({ id: c.id, service_id: c.service_id, name: c.name, title: c.title, email: c.email }),
      phones: c.phone ? [{ id: c.phone_id, contact_id: c.id, number: c.phone }] : [],
    })),
    attributes: attributes.map((a) => ({
      id: a.id,
      link_id: id,
      link_type: a.taxonomy_code,
      link_entity: 'service',
      taxonomy_term_id: a.taxonomy_term_id,
      taxonomy_term: compact({
        id: a.taxonomy_term_id,
        name: a.name,
        description: a.description,
        parent_id: a.parent_id,
        taxonomy: a.taxonomy_name,
        taxonomy_id: a.taxonomy_id,
        term_uri: a.term_uri,
        term: a.code,
      }),
    })),
  };
}

export async function listTaxonomies(db: Db, q: Record<string, string | undefined>) {
  const paging = readPaging(q);
  const [rows, total] = await Promise.all([
    db
      .selectFrom('offer_taxonomies')
      .select(['id', 'name', 'description', 'uri', 'version'])
      .orderBy('name')
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
    db
      .selectFrom('offer_taxonomies')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return page(
    rows.map((t) => compact(t)),
    Number(total.n),
    paging,
  );
}

export async function oneTaxonomy(db: Db, id: string) {
  if (!isUuid(id)) return null;
  const t = await db.selectFrom('offer_taxonomies').select(['id', 'name', 'description', 'uri', 'version']).where('id', '=', id).executeTakeFirst();
  return t ? compact(t) : null;
}

export async function listServiceAtLocations(db: Db, q: Record<string, string | undefined>) {
  const paging = readPaging(q);
  const rows = await db
    .selectFrom('offer_service_at_locations as sal')
    .innerJoin('offer_services as s', 's.id', 'sal.service_id')
    .select(['sal.id', 'sal.service_id', 'sal.location_id', sql<number>`count(*) over ()::int`.as('total')])
    .where('s.status', '<>', 'defunct')
    .orderBy('sal.id')
    .limit(paging.perPage)
    .offset((paging.page - 1) * paging.perPage)
    .execute();
  const locations = await locationsOf(
    db,
    rows.map((r) => r.location_id),
  );
  return page(
    rows.map((r) => ({ id: r.id, service_id: r.service_id, location_id: r.location_id, location: locations.get(r.location_id) })),
    rows[0]?.total ?? 0,
    paging,
  );
}

export async function oneServiceAtLocation(db: Db, id: string) {
  if (!isUuid(id)) return null;
  const r = await db.selectFrom('offer_service_at_locations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) return null;
  const locations = await locationsOf(db, [r.location_id]);
  return { id: r.id, service_id: r.service_id, location_id: r.location_id, location: locations.get(r.location_id) };
}
