// Need against supply, for commissioners: children on the register by primary need, age band and
// locality, beside the number of Local Offer services for that need and age with a place within
// the distance of the locality's centre (the mean of its known postcodes). Services for every need
// are not counted against any one need. Aggregates only, with
// the register overview's small-number protection applied within each need (whose total the
// overview shows), so no cell can be worked out by subtraction.
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { NEED_CODES } from '../../record/children/index.js';
import { AGE_BANDS, birthDatesForBand, OVER_25, protectBreakdown, type Shown } from '../../record/register-overview/index.js';
import { boundingBox, EARTH_RADIUS_MILES, isGap, TAXONOMIES } from './rules.js';

export interface SupplyRow {
  need: string;
  needName: string;
  band: string;
  bandName: string;
  locality: string;
  localityName: string;
  children: number | null;
  shown: Shown;
  services: number;
  gap: boolean;
}

export async function needAgainstSupply(db: Db, today: string, miles: number): Promise<{ rows: SupplyRow[]; centred: Map<string, boolean> }> {
  const ageBand = sql`case ${sql.join(
    AGE_BANDS.map((b) => sql`when c.date_of_birth >= ${birthDatesForBand(b.code, today).bornOnOrAfter}::date then ${b.code}`),
    sql` `,
  )} else ${OVER_25.code} end`;
  const [children, localities] = await Promise.all([
    sql<{ need: string; band: string; locality_id: string; n: number }>`
      select c.primary_need as need, ${ageBand} as band, c.locality_id, count(*)::int as n
      from children c
      where c.status = 'active' and c.primary_need is not null and c.locality_id is not null
      group by 1, 2, 3`.execute(db),
    // Each locality's centre: the mean position of the known postcodes its prefixes cover.
    sql<{ id: string; name: string; latitude: number | null; longitude: number | null }>`
      select l.id, l.name, avg(p.latitude) as latitude, avg(p.longitude) as longitude
      from localities l
      left join locality_postcodes lp on lp.locality_id = l.id
      left join postcodes p on p.postcode like case when position(' ' in lp.prefix) > 0 then lp.prefix || '%' else lp.prefix || ' %' end
      group by l.id, l.name
      order by l.name`.execute(db),
  ]);
  // Services per (need, band, locality): for the need, overlapping the band's ages, with a place
  // within the distance of the locality's centre.
  const services = new Map<string, number>();
  for (const l of localities.rows) {
    if (l.latitude === null || l.longitude === null) continue;
    const centre = { latitude: Number(l.latitude), longitude: Number(l.longitude) };
    const box = boundingBox(centre, miles);
    const { rows } = await sql<{ code: string; band: string; n: number }>`
      with near as (
        select distinct s.id, s.minimum_age, s.maximum_age
        from offer_services s
        join offer_service_at_locations sal on sal.service_id = s.id
        join offer_locations lo on lo.id = sal.location_id
        where s.status = 'active'
          -- Services for every need (an advice line, a parents' group) serve all and fill no gap in
          -- particular, so only services that name fewer needs are counted against a need.
          and (select count(*) from offer_attributes a2 join offer_taxonomy_terms t2 on t2.id = a2.taxonomy_term_id
               where a2.service_id = s.id and t2.taxonomy_id = ${TAXONOMIES.need.id}::uuid) < ${Object.keys(NEED_CODES).length}
          and lo.latitude between ${box.minLat} and ${box.maxLat} and lo.longitude between ${box.minLon} and ${box.maxLon}
          and 2 * ${EARTH_RADIUS_MILES}::float8 * asin(least(1, sqrt(power(sin(radians(lo.latitude - ${centre.latitude}::float8) / 2), 2)
            + cos(radians(${centre.latitude}::float8)) * cos(radians(lo.latitude)) * power(sin(radians(lo.longitude - ${centre.longitude}::float8) / 2), 2)))) <= ${miles}
      ),
      bands(band, lo_age, hi_age) as (values ${sql.join(AGE_BANDS.map((b) => sql`(${b.code}, ${b.min}::int, ${b.max}::int)`))})
      select t.code, b.band, count(distinct near.id)::int as n
      from near
      join offer_attributes a on a.service_id = near.id
      join offer_taxonomy_terms t on t.id = a.taxonomy_term_id and t.taxonomy_id = ${TAXONOMIES.need.id}::uuid
      join bands b on coalesce(near.minimum_age, 0) <= b.hi_age and coalesce(near.maximum_age, 25) >= b.lo_age
      group by t.code, b.band`.execute(db);
    for (const r of rows) services.set(`${r.code}|${r.band}|${l.id}`, r.n);
  }
  const counts = new Map(children.rows.map((c) => [`${c.need}|${c.band}|${c.locality_id}`, c.n]));
  const out: SupplyRow[] = [];
  for (const [need, needName] of Object.entries(NEED_CODES)) {
    const cells = AGE_BANDS.flatMap((b) =>
      localities.rows.map((l) => ({
        key: `${need}|${b.code}|${l.id}`,
        label: `${b.label}, ${l.name}`,
        count: counts.get(`${need}|${b.code}|${l.id}`) ?? 0,
        band: b,
        l,
      })),
    );
    if (cells.every((c) => c.count === 0)) continue;
    const shown = protectBreakdown(cells);
    cells.forEach((c, i) => {
      const cell = shown.cells[i]!;
      if (c.count === 0) return;
      const n = services.get(c.key) ?? 0;
      out.push({
        need,
        needName,
        band: c.band.code,
        bandName: c.band.label,
        locality: c.l.id,
        localityName: c.l.name,
        children: cell.count,
        shown: cell.shown,
        services: n,
        gap: isGap(cell.count, n),
      });
    });
  }
  return { rows: out, centred: new Map(localities.rows.map((l) => [l.id, l.latitude !== null])) };
}
