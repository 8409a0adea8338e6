// Need against supply for commissioners, on a real database: children on the register by primary
// need, age band and locality beside the Local Offer services for that need and age within the
// distance of the locality's centre, counted here again in TypeScript from the same rows; a gap
// is shown in words, chart and table; small numbers are protected; only for register:overview.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { createChild } from './support/register.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import { milesBetween, TAXONOMIES } from '../src/capabilities/planning/local-offer/rules.js';
import { DEMO_LOCALITIES } from '../src/demo/register-config.js';
import { demoPostcodes } from '../src/demo/local-offer.js';

const COMMISSIONER = 'commissioner@demoshire.example.org';
const yearsAgo = (years: number, days = 60) => {
  const d = new Date(`${todayInLondon()}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
};

/** A locality's centre as the page works it out: the mean of the postcodes its prefixes cover. */
function centreOf(code: string) {
  const prefixes = DEMO_LOCALITIES.find((l) => l.code === code)!.prefixes as readonly string[];
  const inside = demoPostcodes().filter((p) => prefixes.some((x) => (x.includes(' ') ? p.postcode.startsWith(x) : p.postcode.startsWith(`${x} `))));
  return { latitude: inside.reduce((s, p) => s + p.latitude, 0) / inside.length, longitude: inside.reduce((s, p) => s + p.longitude, 0) / inside.length };
}

describe('need against supply', () => {
  let t: TestApp;
  let commissioner: Client;
  beforeAll(async () => {
    t = await buildTestApp('pglite', {}, { localOffer: true });
    for (let i = 0; i < 6; i++)
      await createChild(t.database.db, { familyName: `Hearing${i}`, primaryNeed: 'HI', dateOfBirth: yearsAgo(22), postcode: 'DM5 1AB' });
    for (let i = 0; i < 5; i++)
      await createChild(t.database.db, { familyName: `Autism${i}`, primaryNeed: 'ASD', dateOfBirth: yearsAgo(8), postcode: 'DM4 2AB' });
    for (let i = 0; i < 3; i++)
      await createChild(t.database.db, { familyName: `Physical${i}`, primaryNeed: 'PD', dateOfBirth: yearsAgo(12), postcode: 'DM1 1AB' });
    // No hearing services at all, so the hearing group is a gap.
    const hearing = await t.database.db
      .selectFrom('offer_services as s')
      .innerJoin('offer_attributes as a', 'a.service_id', 's.id')
      .innerJoin('offer_taxonomy_terms as tt', 'tt.id', 'a.taxonomy_term_id')
      .select('s.id')
      .where('tt.taxonomy_id', '=', TAXONOMIES.need.id)
      .where('tt.code', '=', 'HI')
      .execute();
    await t.database.db
      .updateTable('offer_services')
      .set({ status: 'inactive' })
      .where(
        'id',
        'in',
        hearing.map((h) => h.id),
      )
      .execute();
    commissioner = new Client(t.app);
    await commissioner.signIn(COMMISSIONER);
  });
  afterAll(() => t?.close());

  /** Services for a need and age band with a place within 10 miles of a locality's centre, counted in TypeScript. */
  async function expectedServices(need: string, lo: number, hi: number, locality: string) {
    const centre = centreOf(locality);
    const rows = await t.database.db
      .selectFrom('offer_services as s')
      .innerJoin('offer_attributes as a', 'a.service_id', 's.id')
      .innerJoin('offer_taxonomy_terms as tt', 'tt.id', 'a.taxonomy_term_id')
      .innerJoin('offer_service_at_locations as sal', 'sal.service_id', 's.id')
      .innerJoin('offer_locations as l', 'l.id', 'sal.location_id')
      .select(['s.id', 's.minimum_age', 's.maximum_age', 'l.latitude', 'l.longitude'])
      .select((eb) =>
        eb
          .selectFrom('offer_attributes as a2')
          .innerJoin('offer_taxonomy_terms as t2', 't2.id', 'a2.taxonomy_term_id')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('a2.service_id', '=', 's.id')
          .where('t2.taxonomy_id', '=', TAXONOMIES.need.id)
          .as('needs'),
      )
      .where('s.status', '=', 'active')
      .where('tt.code', '=', need)
      .where('tt.taxonomy_id', '=', TAXONOMIES.need.id)
      .execute();
    const near = rows.filter(
      (r) =>
        r.latitude !== null &&
        Number(r.needs) < 13 && // services for every need are not counted against one need
        (r.minimum_age ?? 0) <= hi &&
        (r.maximum_age ?? 25) >= lo &&
        milesBetween(centre, { latitude: r.latitude, longitude: r.longitude! }) <= 10,
    );
    return new Set(near.map((r) => r.id)).size;
  }

  it('shows each group beside the services that serve it, and names the gap', async () => {
    const page = await commissioner.get(paths.localOffer.needAndSupply);
    expect(page.status).toBe(200);
    const body = text(page.body);
    expect(await expectedServices('HI', 20, 25, 'SOUTH')).toBe(0);
    expect(body).toContain('Hearing impairment, 20 to 25 year-olds in South Demoshire: 6 children, 0 services within 10 miles');
    expect(page.body).toContain('<svg');
    expect(body).toMatch(/Hearing impairment 20 to 25 South Demoshire 6 0 Gap/);
    const autism = await expectedServices('ASD', 5, 10, 'TOWN');
    expect(autism).toBeGreaterThan(1);
    expect(body).toContain(`Autism 5 to 10 Demoshire Town 5 ${autism}`);
    // Three children with a physical disability: never shown as a number.
    expect(body).toMatch(/Physical disability 11 to 15 North Demoshire hidden \d+/);
    expect(body).not.toMatch(/Physical disability 11 to 15 North Demoshire 3 /);
  });

  it('downloads the same table, and is for commissioners only', async () => {
    const csv = await commissioner.get(`${paths.localOffer.needAndSupply}?format=csv`);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body).toContain('Hearing impairment,20 to 25,South Demoshire,6,0,Gap');
    expect(csv.body).toMatch(/Physical disability,11 to 15,North Demoshire,hidden,\d+,/);
    const audit = await t.database.db.selectFrom('audit_log').select(['details']).where('action', '=', 'local-offer.need-supply.view').execute();
    expect(audit.map((a) => JSON.parse(a.details) as unknown)).toEqual(
      expect.arrayContaining([
        { distance: 10, format: 'csv' },
        { distance: 10, format: 'page' },
      ]),
    );
    const provider = new Client(t.app);
    await provider.signIn('provider@demoshire.example.org');
    expect((await provider.get(paths.localOffer.needAndSupply)).status).toBe(403);
  });
});
