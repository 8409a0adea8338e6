// Writing the directory: whole entries at once (the demo seed, an officer approving a provider's
// change), and the postcode centroids that distance searches need. Every write goes through
// saveEntries, so a seeded, approved or imported entry is stored the same way.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { normalisePostcode } from '../../record/children/index.js';
import { TAXONOMIES, type DirectoryEntry, type Facet } from './rules.js';

/** Term ids by taxonomy and code, read once per write. */
export async function termIds(db: Db): Promise<Map<string, string>> {
  const rows = await db.selectFrom('offer_taxonomy_terms').select(['id', 'taxonomy_id', 'code']).execute();
  return new Map(rows.map((r) => [`${r.taxonomy_id}:${r.code}`, r.id]));
}

const FACET_FIELDS: Record<Facet, 'needs' | 'supportTypes' | 'schedule2' | 'access'> = {
  need: 'needs',
  support: 'supportTypes',
  schedule2: 'schedule2',
  access: 'access',
};

async function insertChunks<T extends Record<string, unknown>>(write: (rows: T[]) => Promise<unknown>, rows: T[], size = 500) {
  for (let i = 0; i < rows.length; i += size) await write(rows.slice(i, i + size));
}

/**
 * Stores whole entries: organisations and services are inserted or updated by id, and everything
 * a service holds (locations, contacts, schedules, costs, languages, attributes) is replaced, so
 * storing the same entry twice changes nothing but its version. Locations without coordinates get
 * them from their postcode. Runs in the caller's transaction. Returns the services' ids in order.
 */
export async function saveEntries(db: Db, entries: readonly (DirectoryEntry & { importFingerprint?: string | null })[]): Promise<string[]> {
  if (entries.length === 0) return [];
  const terms = await termIds(db);
  const withIds = entries.map((e) => ({
    ...e,
    id: e.id ?? randomUUID(),
    organisation: { ...e.organisation, id: e.organisation.id ?? randomUUID() },
    locations: e.locations.map((l) => ({ ...l, id: l.id ?? randomUUID(), postcode: l.postcode ? (normalisePostcode(l.postcode) ?? l.postcode) : null })),
  }));

  // Coordinates from postcodes, where the entry gave a postcode but no position.
  const wanted = [...new Set(withIds.flatMap((e) => e.locations.filter((l) => l.latitude == null && l.postcode).map((l) => l.postcode!)))];
  const positions = new Map<string, { latitude: number; longitude: number }>();
  if (wanted.length) {
    for (const p of await db.selectFrom('postcodes').selectAll().where('postcode', 'in', wanted).execute()) positions.set(p.postcode, p);
  }

  const organisations = new Map(withIds.map((e) => [e.organisation.id, e.organisation]));
  await insertChunks(
    (rows) =>
      db
        .insertInto('offer_organisations')
        .values(rows)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            description: eb.ref('excluded.description'),
            email: eb.ref('excluded.email'),
            website: eb.ref('excluded.website'),
          })),
        )
        .execute(),
    [...organisations.values()].map((o) => ({
      id: o.id,
      name: o.name,
      description: o.description,
      email: o.email ?? null,
      website: o.website ?? null,
      partner_organisation_id: o.partnerOrganisationId ?? null,
    })),
  );

  const ids = withIds.map((e) => e.id);
  await insertChunks(
    (rows) =>
      db
        .insertInto('offer_services')
        .values(rows)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            organisation_id: eb.ref('excluded.organisation_id'),
            name: eb.ref('excluded.name'),
            description: eb.ref('excluded.description'),
            url: eb.ref('excluded.url'),
            email: eb.ref('excluded.email'),
            status: eb.ref('excluded.status'),
            minimum_age: eb.ref('excluded.minimum_age'),
            maximum_age: eb.ref('excluded.maximum_age'),
            how_to_access: eb.ref('excluded.how_to_access'),
            owner_organisation_id: eb.ref('excluded.owner_organisation_id'),
            review_due: eb.ref('excluded.review_due'),
            import_fingerprint: eb.ref('excluded.import_fingerprint'),
            last_modified: sql<Date>`now()`,
            version: sql<number>`offer_services.version + 1`,
          })),
        )
        .execute(),
    withIds.map((e) => ({
      id: e.id,
      organisation_id: e.organisation.id,
      name: e.name,
      description: e.description,
      url: e.url ?? null,
      email: e.email ?? null,
      status: e.status ?? 'active',
      minimum_age: e.minimumAge ?? null,
      maximum_age: e.maximumAge ?? null,
      how_to_access: e.howToAccess,
      owner_organisation_id: e.ownerOrganisationId ?? null,
      review_due: e.reviewDue,
      import_fingerprint: e.importFingerprint ?? null,
    })),
  );

  // Replace what each service holds. Locations used by no service afterwards are removed.
  const oldLocations = await db.selectFrom('offer_service_at_locations').select('location_id').where('service_id', 'in', ids).execute();
  for (const table of [
    'offer_service_at_locations',
    'offer_contacts',
    'offer_schedules',
    'offer_cost_options',
    'offer_languages',
    'offer_attributes',
  ] as const) {
    await db.deleteFrom(table).where('service_id', 'in', ids).execute();
  }
  const locationRows = withIds.flatMap((e) =>
    e.locations.map((l) => {
      const known = l.postcode ? positions.get(l.postcode) : undefined;
      return {
        id: l.id,
        location_type: l.type ?? 'physical',
        name: l.name ?? null,
        latitude: l.latitude ?? known?.latitude ?? null,
        longitude: l.longitude ?? known?.longitude ?? null,
        address_1: l.addressLine ?? null,
        city: l.city ?? null,
        state_province: l.county ?? null,
        postal_code: l.postcode,
      };
    }),
  );
  await insertChunks(
    (rows) =>
      db
        .insertInto('offer_locations')
        .values(rows)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            location_type: eb.ref('excluded.location_type'),
            name: eb.ref('excluded.name'),
            latitude: eb.ref('excluded.latitude'),
            longitude: eb.ref('excluded.longitude'),
            address_1: eb.ref('excluded.address_1'),
            city: eb.ref('excluded.city'),
            state_province: eb.ref('excluded.state_province'),
            postal_code: eb.ref('excluded.postal_code'),
          })),
        )
        .execute(),
    locationRows,
  );
  const locationIds = locationRows.map((l) => l.id);
  if (locationIds.length) await db.deleteFrom('offer_accessibility').where('location_id', 'in', locationIds).execute();
  await insertChunks(
    (rows) => db.insertInto('offer_accessibility').values(rows).execute(),
    withIds.flatMap((e) => e.locations.flatMap((l) => l.accessibility.map((description) => ({ location_id: l.id, description })))),
  );
  await insertChunks(
    (rows) => db.insertInto('offer_service_at_locations').values(rows).execute(),
    withIds.flatMap((e) => e.locations.map((l) => ({ service_id: e.id, location_id: l.id }))),
  );
  const orphaned = oldLocations.map((l) => l.location_id).filter((id) => !locationIds.includes(id));
  if (orphaned.length) {
    await db
      .deleteFrom('offer_locations')
      .where('id', 'in', orphaned)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('offer_service_at_locations').select('id').whereRef('location_id', '=', 'offer_locations.id'))))
      .execute();
  }
  await insertChunks(
    (rows) => db.insertInto('offer_contacts').values(rows).execute(),
    withIds.flatMap((e) =>
      e.contacts.map((c) => ({ service_id: e.id, name: c.name ?? null, title: c.title ?? null, email: c.email ?? null, phone: c.phone ?? null })),
    ),
  );
  await insertChunks(
    (rows) => db.insertInto('offer_schedules').values(rows).execute(),
    withIds.flatMap((e) =>
      e.schedules.map((s) => ({
        service_id: e.id,
        freq: s.freq ?? null,
        byday: s.byday ?? null,
        opens_at: s.opensAt ?? null,
        closes_at: s.closesAt ?? null,
        description: s.description ?? null,
      })),
    ),
  );
  await insertChunks(
    (rows) => db.insertInto('offer_cost_options').values(rows).execute(),
    withIds.flatMap((e) =>
      e.costs.map((c) => ({ service_id: e.id, option: c.option ?? null, amount_pence: c.amountPence, amount_description: c.description ?? null })),
    ),
  );
  await insertChunks(
    (rows) => db.insertInto('offer_languages').values(rows).execute(),
    withIds.flatMap((e) => e.languages.map((l) => ({ service_id: e.id, name: l.name, code: l.code }))),
  );
  const attributes = withIds.flatMap((e) =>
    (Object.keys(FACET_FIELDS) as Facet[]).flatMap((facet) =>
      [...new Set(e[FACET_FIELDS[facet]])].map((code) => {
        const term = terms.get(`${TAXONOMIES[facet].id}:${code}`);
        if (!term) throw new Error(`${code} is not a term of the ${TAXONOMIES[facet].code} taxonomy`);
        return { service_id: e.id, taxonomy_term_id: term };
      }),
    ),
  );
  await insertChunks((rows) => db.insertInto('offer_attributes').values(rows).execute(), attributes);
  return ids;
}

// ---------------------------------------------------------------------------------------------
// Postcodes

/** A postcode's centre, or null when it is not in the table (or not a postcode at all). */
export async function postcodePosition(db: Db, postcode: string): Promise<{ postcode: string; latitude: number; longitude: number } | null> {
  const p = normalisePostcode(postcode);
  if (!p) return null;
  return (await db.selectFrom('postcodes').selectAll().where('postcode', '=', p).executeTakeFirst()) ?? null;
}

/**
 * Loads postcode centres (inserted or updated by postcode) in batches; one statement per batch
 * through arrays, so a national file of 2.7 million rows loads in minutes, not hours.
 */
export async function loadPostcodes(db: Db, rows: readonly { postcode: string; latitude: number; longitude: number }[]): Promise<number> {
  const size = 5000;
  for (let i = 0; i < rows.length; i += size) {
    const batch = rows.slice(i, i + size);
    await sql`
      insert into postcodes (postcode, latitude, longitude)
      select * from unnest(${batch.map((r) => r.postcode)}::text[], ${batch.map((r) => r.latitude)}::float8[], ${batch.map((r) => r.longitude)}::float8[])
      on conflict (postcode) do update set latitude = excluded.latitude, longitude = excluded.longitude`.execute(db);
  }
  return rows.length;
}
